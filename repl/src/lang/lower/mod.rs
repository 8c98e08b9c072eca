//! brush-parser's tree → corral's ([`super::ast`]). brush types stop here.
//!
//! Positions come through a [`Frame`]. Where brush has no location
//! (redirections, some words) the nearest known position stands in.
//! Lists, pipelines and functions are lowered here; simple and compound
//! commands in `commands`, redirections in `redirect`, words in `words`.

use std::cell::Cell;

use brush_parser::ast as b;

use super::ast::*;
use super::error::SyntaxError;
use super::source::{Frame, Source};

mod commands;
mod redirect;
mod simple;
mod words;

/// Deepest nesting of `$(…)` inside words the lowering follows.
pub(super) const MAX_DEPTH: usize = 48;

/// The lowering of one parse, with the nearest known position for nodes
/// brush left without one.
pub(super) struct Lower<'a, 's> {
    pub(super) src: &'a Source<'s>,
    last: Cell<Span>,
    pub(super) depth: usize,
    /// The `name` of a `{name}` word right before a redirection operator,
    /// for that redirection.
    named_fd: Cell<Option<String>>,
    /// The bodies of the here-documents lowered so far.
    pub(super) here_bodies: std::cell::RefCell<Vec<Span>>,
}

type Result<T> = std::result::Result<T, SyntaxError>;

impl<'a, 's> Lower<'a, 's> {
    pub(super) fn new(src: &'a Source<'s>, depth: usize) -> Self {
        Lower {
            src,
            last: Cell::new(Span::default()),
            depth,
            named_fd: Cell::new(None),
            here_bodies: std::cell::RefCell::new(Vec::new()),
        }
    }

    /// The span of a brush location in `frame`, remembered as the latest known.
    pub(super) fn span_of(
        &self,
        frame: &Frame<'_>,
        loc: Option<&brush_parser::SourceSpan>,
    ) -> Span {
        match loc {
            Some(loc) => {
                let span = self
                    .src
                    .span(frame.offset(loc.start.index), frame.offset(loc.end.index));
                self.last.set(span);
                span
            }
            None => self.last.get(),
        }
    }

    pub(super) fn note_here_body(&self, body: Span) {
        self.here_bodies.borrow_mut().push(body);
    }

    /// When a newline follows `end` (after blanks and a comment) and
    /// here-documents start after it: the line of their last delimiter,
    /// where bash's parser is once it has read that newline.
    pub(super) fn line_after_here_docs(&self, end: usize) -> Option<u32> {
        let text = self.src.text;
        let rest = text.get(end..)?;
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let mut at = end + blanks;
        if text.get(at..)?.starts_with('#') {
            at += text.get(at..)?.find('\n')?;
        }
        if !text.get(at..)?.starts_with('\n') {
            return None;
        }
        let bodies = self.here_bodies.borrow();
        let mut next = at + 1;
        let mut line = None;
        // A body's span runs past its delimiter line.
        while let Some(body) = bodies.iter().find(|b| b.start.offset == next) {
            let end = self.src.pos(body.end.offset);
            line = Some(
                if text
                    .get(..body.end.offset)
                    .is_some_and(|t| t.ends_with('\n'))
                {
                    end.line - 1
                } else {
                    end.line
                },
            );
            next = body.end.offset;
        }
        line
    }

    fn fallback(&self) -> Span {
        self.last.get()
    }

    pub(super) fn program(&self, frame: &Frame<'_>, p: &b::Program) -> Result<Program> {
        let mut items = Vec::new();
        for list in &p.complete_commands {
            items.extend(self.list(frame, list)?.items);
        }
        let span = self
            .src
            .span(frame.offset(0), frame.base + frame.text.len());
        Ok(Program {
            body: List { items },
            span,
        })
    }

    fn list(&self, frame: &Frame<'_>, l: &b::CompoundList) -> Result<List> {
        let mut items = Vec::with_capacity(l.0.len());
        for b::CompoundListItem(and_or, sep) in &l.0 {
            let and_or = self.and_or(frame, and_or)?;
            let span = and_or
                .rest
                .iter()
                .fold(and_or.first.span, |s, (_, p)| s.join(p.span));
            items.push(Item {
                and_or,
                background: matches!(sep, b::SeparatorOperator::Async),
                span,
            });
        }
        Ok(List { items })
    }

    fn and_or(&self, frame: &Frame<'_>, a: &b::AndOrList) -> Result<AndOr> {
        let first = self.pipeline(frame, &a.first)?;
        let mut rest = Vec::with_capacity(a.additional.len());
        for next in &a.additional {
            let (op, p) = match next {
                b::AndOr::And(p) => (Connector::And, p),
                b::AndOr::Or(p) => (Connector::Or, p),
            };
            rest.push((op, self.pipeline(frame, p)?));
        }
        Ok(AndOr { first, rest })
    }

    fn pipeline(&self, frame: &Frame<'_>, p: &b::Pipeline) -> Result<Pipeline> {
        let mut commands = Vec::with_capacity(p.seq.len());
        for c in &p.seq {
            commands.push(self.command(frame, c)?);
        }
        let mut span = commands
            .iter()
            .map(Command::span)
            .reduce(Span::join)
            .unwrap_or_else(|| self.fallback());
        if p.bang {
            span = self.extend_back_over(span, "!");
        }
        let timed = p.timed.as_ref().map(|t| {
            let loc = match t {
                b::PipelineTimed::Timed(l) => l,
                b::PipelineTimed::TimedWithPosixOutput(l) => l,
            };
            span = span.join(self.span_of(frame, Some(loc)));
            match t {
                b::PipelineTimed::Timed(_) => Timed::Bash,
                b::PipelineTimed::TimedWithPosixOutput(_) => Timed::Posix,
            }
        });
        Ok(Pipeline {
            timed,
            bang: p.bang,
            commands,
            span,
        })
    }

    /// Moves `span`'s start back over blanks and `token` if the source has it there.
    fn extend_back_over(&self, span: Span, token: &str) -> Span {
        let before = self.src.text.get(..span.start.offset).unwrap_or("");
        let trimmed = before.trim_end_matches([' ', '\t']);
        match trimmed.strip_suffix(token) {
            Some(rest) => Span {
                start: self.src.pos(rest.len()),
                end: span.end,
            },
            None => span,
        }
    }

    fn command(&self, frame: &Frame<'_>, c: &b::Command) -> Result<Command> {
        Ok(match c {
            b::Command::Simple(s) => Command::Simple(self.simple(frame, s)?),
            b::Command::Compound(cc, redirects) => {
                let cc = self.compound(frame, cc)?;
                let redirects = self.redirects(frame, redirects.as_ref())?;
                Command::Compound(cc, redirects)
            }
            b::Command::ExtendedTest(t, redirects) => {
                let span = self.span_of(frame, Some(&t.loc));
                let expr = self.cond(frame, &t.expr)?;
                let redirects = self.redirects(frame, redirects.as_ref())?;
                Command::Compound(
                    CompoundCommand {
                        kind: CompoundKind::Cond(expr),
                        span,
                    },
                    redirects,
                )
            }
            b::Command::Function(f) => Command::Function(self.function(frame, f)?),
        })
    }

    fn function(&self, frame: &Frame<'_>, f: &b::FunctionDefinition) -> Result<FunctionDef> {
        let name_span = self.span_of(frame, f.fname.loc.as_ref());
        let b::FunctionBody(body, redirects) = &f.body;
        let body = self.compound(frame, body)?;
        let redirects = self.redirects(frame, redirects.as_ref())?;
        let body = Command::Compound(body, redirects);
        let span = self
            .extend_back_over(name_span, "function")
            .join(body.span());
        Ok(FunctionDef {
            name: f.fname.value.clone(),
            body: Box::new(body),
            span,
            defined: Default::default(),
        })
    }
}
