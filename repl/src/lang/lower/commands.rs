//! Lowering commands: simple commands (assignments, words, redirections
//! in order), compound commands, `[[ … ]]` expressions.

use brush_parser::ast as b;

use std::cell::Cell;

use super::{Lower, Result, MAX_DEPTH};
use crate::lang::ast::*;
use crate::lang::error::SyntaxError;
use crate::lang::source::Frame;
use crate::lang::word;

impl Lower<'_, '_> {
    pub(super) fn simple(&self, frame: &Frame<'_>, s: &b::SimpleCommand) -> Result<SimpleCommand> {
        let mut out = SimpleCommand {
            assignments: Vec::new(),
            words: Vec::new(),
            redirects: Vec::new(),
            span: self.fallback(),
        };
        let prefix = s.prefix.iter().flat_map(|p| p.0.iter());
        let suffix: Vec<&b::CommandPrefixOrSuffixItem> =
            s.suffix.iter().flat_map(|p| p.0.iter()).collect();
        let mut suffix = &suffix[..];
        let mut spans: Vec<Span> = Vec::new();
        for item in prefix {
            self.simple_item(frame, item, &mut out, true, &mut spans)?;
        }
        let mut name = s.word_or_name.as_ref();
        // `a[1 + 2]=x`: bash reads a subscript in command position up to its
        // `]`, blanks included; brush splits it into words.
        while let Some((a, used)) = match name {
            Some(w) => self.spaced_assignment(frame, w, suffix)?,
            None => None,
        } {
            spans.push(a.span);
            out.assignments.push(a);
            suffix = &suffix[used..];
            name = None;
            while let Some((item, rest)) = suffix.split_first() {
                suffix = rest;
                match item {
                    b::CommandPrefixOrSuffixItem::Word(w) => {
                        name = Some(w);
                        break;
                    }
                    _ => self.simple_item(frame, item, &mut out, true, &mut spans)?,
                }
            }
        }
        if let Some(w) = name {
            let w = self.word(frame, w, word::Context::Normal)?;
            spans.push(w.span);
            out.words.push(w);
        }
        // Arguments of declaration builtins that look like assignments are
        // not split or globbed.
        let decl = out.words.first().and_then(Word::literal).is_some_and(|n| {
            matches!(
                n.as_str(),
                "declare" | "typeset" | "local" | "export" | "readonly"
            )
        });
        for item in suffix {
            self.simple_item(frame, item, &mut out, false, &mut spans)?;
            if decl {
                if let Some(w) = out.words.last_mut() {
                    let plain = w.parts.len() == 1
                        && match w.parts.first() {
                            Some(WordPart::Literal(t)) => !t.contains(['*', '?', '[']),
                            Some(WordPart::ArrayLiteral(_)) => true,
                            _ => false,
                        };
                    let assignment =
                        matches!(item, b::CommandPrefixOrSuffixItem::AssignmentWord(..));
                    if assignment
                        && !plain
                        && !w
                            .parts
                            .iter()
                            .any(|p| matches!(p, WordPart::ArrayLiteral(_)))
                    {
                        w.parts = vec![WordPart::DoubleQuoted(std::mem::take(&mut w.parts))];
                    }
                }
            }
        }
        if let Some(span) = spans.into_iter().reduce(Span::join) {
            out.span = span;
        }
        Ok(out)
    }

    /// `first` and words of `rest` that together are `name[sub]=value` or
    /// `name[sub]+=value` with blanks inside the subscript, and how many
    /// of `rest` it took.
    pub(super) fn spaced_assignment(
        &self,
        frame: &Frame<'_>,
        first: &b::Word,
        rest: &[&b::CommandPrefixOrSuffixItem],
    ) -> Result<Option<(Assignment, usize)>> {
        let Some(name_len) = first.value.find('[') else {
            return Ok(None);
        };
        let name = &first.value[..name_len];
        let mut chars = name.chars();
        let valid = chars
            .next()
            .is_some_and(|c| c == '_' || c.is_ascii_alphabetic())
            && chars.all(|c| c == '_' || c.is_ascii_alphanumeric());
        if !valid {
            return Ok(None);
        }
        let Some(loc) = &first.loc else {
            return Ok(None);
        };
        let mut depth = bracket_depth(0, &first.value[name_len..]);
        if depth <= 0 {
            return Ok(None);
        }
        let mut used = 0;
        let mut end = None;
        for item in rest {
            let w = match item {
                b::CommandPrefixOrSuffixItem::Word(w)
                | b::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => w,
                _ => return Ok(None),
            };
            used += 1;
            depth = bracket_depth(depth, &w.value);
            if depth <= 0 {
                end = w.loc.as_ref().map(|l| frame.offset(l.end.index));
                break;
            }
        }
        let Some(end) = end else {
            return Ok(None);
        };
        let start = frame.offset(loc.start.index);
        let Some(text) = self.src.text.get(start..end) else {
            return Ok(None);
        };
        let mut close = None;
        let mut d = 0;
        for (i, c) in text.char_indices().skip(name_len) {
            match c {
                '[' => d += 1,
                ']' => {
                    d -= 1;
                    if d == 0 {
                        close = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let Some(close) = close else {
            return Ok(None);
        };
        let after = &text[close + 1..];
        let (append, value_at) = if after.starts_with("+=") {
            (true, close + 3)
        } else if after.starts_with('=') {
            (false, close + 2)
        } else {
            return Ok(None);
        };
        let index = self.word_at(
            &text[name_len + 1..close],
            start + name_len + 1,
            word::Context::Normal,
        )?;
        let value = self.word_at(
            &text[value_at..],
            start + value_at,
            word::Context::Assignment,
        )?;
        Ok(Some((
            Assignment {
                name: name.to_string(),
                index: Some(index),
                append,
                value: AssignValue::Scalar(value),
                span: self.src.span(start, end),
            },
            used,
        )))
    }

    /// `NAME` when `w` is `{NAME}` written right before `<` or `>`.
    pub(super) fn fd_variable(&self, frame: &Frame<'_>, w: &b::Word) -> Option<String> {
        let name = w.value.strip_prefix('{')?.strip_suffix('}')?;
        if !crate::interp::valid_name(name) {
            return None;
        }
        let end = frame.offset(w.loc.as_ref()?.end.index);
        let next = self.src.text.get(end..)?.chars().next()?;
        matches!(next, '<' | '>').then(|| name.to_owned())
    }

    pub(super) fn simple_item(
        &self,
        frame: &Frame<'_>,
        item: &b::CommandPrefixOrSuffixItem,
        out: &mut SimpleCommand,
        prefix: bool,
        spans: &mut Vec<Span>,
    ) -> Result<()> {
        match item {
            b::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                let r = self.redirect(frame, r)?;
                spans.push(r.span);
                out.redirects.push(r);
            }
            b::CommandPrefixOrSuffixItem::Word(w) => {
                if let Some(name) = self.fd_variable(frame, w) {
                    self.named_fd.set(Some(name));
                    return Ok(());
                }
                let w = self.word(frame, w, word::Context::Normal)?;
                spans.push(w.span);
                out.words.push(w);
            }
            b::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                if prefix {
                    let a = self.assignment(frame, a, w)?;
                    spans.push(a.span);
                    out.assignments.push(a);
                } else if let b::AssignmentValue::Array(_) = &a.value {
                    // `declare a=(x y)`: one argument holding the elements.
                    let lowered = self.assignment(frame, a, w)?;
                    let AssignValue::Array(items) = lowered.value else {
                        return Ok(());
                    };
                    let mut head = lowered.name.clone();
                    if let Some(i) = &lowered.index {
                        head.push('[');
                        head.push_str(&i.raw);
                        head.push(']');
                    }
                    head.push_str(if lowered.append { "+=" } else { "=" });
                    let w = Word {
                        parts: vec![WordPart::Literal(head), WordPart::ArrayLiteral(items)],
                        raw: w.value.clone(),
                        span: lowered.span,
                    };
                    spans.push(w.span);
                    out.words.push(w);
                } else {
                    // `declare x=~/a`: an argument, expanded like an assignment
                    // (tildes after `=` and `:`, no field splitting or globbing).
                    let w = self.word(frame, w, word::Context::Assignment)?;
                    spans.push(w.span);
                    out.words.push(w);
                }
            }
            b::CommandPrefixOrSuffixItem::ProcessSubstitution(kind, sub) => {
                let w = self.process_subst(frame, kind, sub)?;
                spans.push(w.span);
                out.words.push(w);
            }
        }
        Ok(())
    }

    pub(super) fn process_subst(
        &self,
        frame: &Frame<'_>,
        kind: &b::ProcessSubstitutionKind,
        sub: &b::SubshellCommand,
    ) -> Result<Word> {
        let span = self.span_of(frame, Some(&sub.loc));
        let span = self.extend_back_over(span, "<").join(span);
        let body = self.list(frame, &sub.list)?;
        let read = matches!(kind, b::ProcessSubstitutionKind::Read);
        let raw = self
            .src
            .text
            .get(span.start.offset..span.end.offset)
            .unwrap_or("");
        Ok(Word {
            parts: vec![WordPart::ProcessSubst {
                read,
                program: Box::new(Program { body, span }),
            }],
            raw: format!(
                "{}{}",
                if read { "<" } else { ">" },
                raw.trim_start_matches(['<', '>'])
            ),
            span,
        })
    }

    pub(super) fn assignment(
        &self,
        frame: &Frame<'_>,
        a: &b::Assignment,
        w: &b::Word,
    ) -> Result<Assignment> {
        let span = self.span_of(frame, Some(&a.loc));
        let (name, index) = match &a.name {
            b::AssignmentName::VariableName(n) => (n.clone(), None),
            b::AssignmentName::ArrayElementName(n, i) => {
                (n.clone(), Some(self.text_word(frame, i, span)?))
            }
        };
        // The value's text starts after `name[..]=`/`+=` in the assignment word.
        let eq = w.value.find('=').map_or(0, |i| i + 1);
        let value_base = span.start.offset + eq;
        let value = match &a.value {
            b::AssignmentValue::Scalar(v) => AssignValue::Scalar(self.word_at(
                &v.value,
                value_base,
                word::Context::Assignment,
            )?),
            b::AssignmentValue::Array(elems) => {
                let mut out = Vec::with_capacity(elems.len());
                for (key, value) in elems {
                    let key = match key {
                        Some(k) => Some(self.word(frame, k, word::Context::Normal)?),
                        None => None,
                    };
                    out.push((key, self.word(frame, value, word::Context::Assignment)?));
                }
                AssignValue::Array(out)
            }
        };
        Ok(Assignment {
            name,
            index,
            append: a.append,
            value,
            span,
        })
    }

    pub(super) fn compound(
        &self,
        frame: &Frame<'_>,
        c: &b::CompoundCommand,
    ) -> Result<CompoundCommand> {
        let (kind, loc) = match c {
            b::CompoundCommand::Arithmetic(a) => {
                let span = self.span_of(frame, Some(&a.loc));
                let whole = span.text(self.src.text);
                // brush reads `( (` and `) )` as `((` and `))`; bash's
                // arithmetic command needs both pairs adjacent, else it is a
                // subshell in a subshell.
                let arith = whole.starts_with("((") && whole.ends_with("))");
                if !arith && whole.len() >= 2 {
                    if self.depth >= MAX_DEPTH {
                        return Err(SyntaxError::TooDeep { pos: span.start });
                    }
                    let inner = &whole[1..whole.len() - 1];
                    let program = crate::lang::parse_nested(
                        self.src,
                        inner,
                        span.start.offset + 1,
                        self.depth + 1,
                    )?;
                    let kind = CompoundKind::Subshell(program.body);
                    return Ok(CompoundCommand { kind, span });
                }
                let text = span
                    .text(self.src.text)
                    .strip_prefix("((")
                    .and_then(|t| t.strip_suffix("))"))
                    .map_or_else(|| a.expr.value.clone(), str::to_owned);
                (CompoundKind::Arith(Arith { text, span }), &a.loc)
            }
            b::CompoundCommand::ArithmeticForClause(f) => {
                let span = self.span_of(frame, Some(&f.loc));
                let parts = arith_for_parts(span.text(self.src.text));
                let pick = |i: usize, brush: &Option<b::UnexpandedArithmeticExpr>| {
                    let text = match &parts {
                        Some(p) => p.get(i).cloned().unwrap_or_default(),
                        None => brush.as_ref().map(|e| e.value.clone()).unwrap_or_default(),
                    };
                    // bash keeps the trailing blanks (its printer shows them).
                    (!text.trim().is_empty()).then(|| Arith {
                        text: text.trim_start().to_owned(),
                        span,
                    })
                };
                let kind = CompoundKind::ArithFor {
                    init: pick(0, &f.initializer),
                    cond: pick(1, &f.condition),
                    step: pick(2, &f.updater),
                    body: self.list(frame, &f.body.list)?,
                };
                (kind, &f.loc)
            }
            b::CompoundCommand::BraceGroup(g) => {
                (CompoundKind::Brace(self.list(frame, &g.list)?), &g.loc)
            }
            b::CompoundCommand::Subshell(s) => {
                (CompoundKind::Subshell(self.list(frame, &s.list)?), &s.loc)
            }
            b::CompoundCommand::ForClause(f) => {
                self.span_of(frame, Some(&f.loc));
                let words = match &f.values {
                    Some(ws) => {
                        let mut out = Vec::with_capacity(ws.len());
                        for w in ws {
                            out.push(self.word(frame, w, word::Context::Normal)?);
                        }
                        Some(out)
                    }
                    // brush gives `for i in ; do` no words, as if `in` were absent.
                    None if has_in(self.span_of(frame, Some(&f.loc)).text(self.src.text)) => {
                        Some(Vec::new())
                    }
                    None => None,
                };
                let kind = CompoundKind::For {
                    name: f.variable_name.clone(),
                    words,
                    body: self.list(frame, &f.body.list)?,
                };
                (kind, &f.loc)
            }
            b::CompoundCommand::CaseClause(c) => {
                self.span_of(frame, Some(&c.loc));
                let word = self.word(frame, &c.value, word::Context::Normal)?;
                let mut arms = Vec::with_capacity(c.cases.len());
                for item in &c.cases {
                    let mut patterns = Vec::with_capacity(item.patterns.len());
                    for p in &item.patterns {
                        patterns.push(self.word(frame, p, word::Context::Normal)?);
                    }
                    let body = match &item.cmd {
                        Some(l) => self.list(frame, l)?,
                        None => List::default(),
                    };
                    let end = match item.post_action {
                        b::CaseItemPostAction::ExitCase => CaseEnd::Break,
                        b::CaseItemPostAction::UnconditionallyExecuteNextCaseItem => {
                            CaseEnd::FallThrough
                        }
                        b::CaseItemPostAction::ContinueEvaluatingCases => CaseEnd::Continue,
                    };
                    arms.push(CaseArm {
                        patterns,
                        body,
                        end,
                    });
                }
                (CompoundKind::Case { word, arms }, &c.loc)
            }
            b::CompoundCommand::IfClause(i) => {
                self.span_of(frame, Some(&i.loc));
                let mut branches =
                    vec![(self.list(frame, &i.condition)?, self.list(frame, &i.then)?)];
                let mut otherwise = None;
                for e in i.elses.iter().flatten() {
                    let body = self.list(frame, &e.body)?;
                    match &e.condition {
                        Some(cond) => branches.push((self.list(frame, cond)?, body)),
                        None => otherwise = Some(body),
                    }
                }
                (
                    CompoundKind::If {
                        branches,
                        otherwise,
                    },
                    &i.loc,
                )
            }
            b::CompoundCommand::WhileClause(w) => {
                self.span_of(frame, Some(&w.2));
                let kind = CompoundKind::While {
                    cond: self.list(frame, &w.0)?,
                    body: self.list(frame, &w.1.list)?,
                };
                (kind, &w.2)
            }
            b::CompoundCommand::UntilClause(w) => {
                self.span_of(frame, Some(&w.2));
                let kind = CompoundKind::Until {
                    cond: self.list(frame, &w.0)?,
                    body: self.list(frame, &w.1.list)?,
                };
                (kind, &w.2)
            }
            b::CompoundCommand::Coprocess(c) => {
                let span = self.span_of(frame, Some(&c.loc));
                return Err(SyntaxError::Unsupported {
                    what: "coproc",
                    pos: span.start,
                });
            }
        };
        let span = self.span_of(frame, Some(loc));
        Ok(CompoundCommand { kind, span })
    }

    pub(super) fn cond(&self, frame: &Frame<'_>, e: &b::ExtendedTestExpr) -> Result<CondExpr> {
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep {
                pos: self.fallback().start,
            });
        }
        let inner = Lower {
            src: self.src,
            last: Cell::new(self.last.get()),
            depth: self.depth + 1,
            named_fd: Cell::new(None),
        };
        let out = match e {
            b::ExtendedTestExpr::And(l, r) => CondExpr::And(
                Box::new(inner.cond(frame, l)?),
                Box::new(inner.cond(frame, r)?),
            ),
            b::ExtendedTestExpr::Or(l, r) => CondExpr::Or(
                Box::new(inner.cond(frame, l)?),
                Box::new(inner.cond(frame, r)?),
            ),
            b::ExtendedTestExpr::Not(x) => CondExpr::Not(Box::new(inner.cond(frame, x)?)),
            b::ExtendedTestExpr::Parenthesized(x) => {
                CondExpr::Group(Box::new(inner.cond(frame, x)?))
            }
            b::ExtendedTestExpr::UnaryTest(p, w) => {
                CondExpr::Unary(unary_op(p), inner.word(frame, w, word::Context::Normal)?)
            }
            b::ExtendedTestExpr::BinaryTest(p, l, r) => {
                let l = inner.word(frame, l, word::Context::Normal)?;
                let r = inner.word(frame, r, word::Context::Normal)?;
                let op = match p {
                    b::BinaryPredicate::StringMatchesRegex
                    | b::BinaryPredicate::StringContainsSubstring => "=~".to_owned(),
                    // brush merges `=` into `==`; bash prints what was written.
                    b::BinaryPredicate::StringExactlyMatchesPattern => {
                        let between = self.src.text.get(l.span.end.offset..r.span.start.offset);
                        if between.map(str::trim) == Some("=") {
                            "="
                        } else {
                            "=="
                        }
                        .to_owned()
                    }
                    other => other.to_string(),
                };
                CondExpr::Binary(op, l, r)
            }
        };
        self.last.set(inner.last.get());
        Ok(out)
    }
}

/// `depth` after the `[` and `]` of `text` (quoted ones too: a subscript
/// with blanks rarely quotes brackets).
fn bracket_depth(depth: i32, text: &str) -> i32 {
    text.chars().fold(depth, |d, c| match c {
        '[' => d + 1,
        ']' => d - 1,
        _ => d,
    })
}

/// The three clauses of `for ((a; b; c))` as written, from the command's text.
fn arith_for_parts(text: &str) -> Option<Vec<String>> {
    let open = text.find("((")? + 2;
    let rest = text.get(open..)?;
    let mut depth = 0usize;
    let mut parts = vec![String::new()];
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                return (chars.peek() == Some(&')') && parts.len() == 3).then_some(parts);
            }
            ')' => depth -= 1,
            ';' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        parts.last_mut()?.push(c);
    }
    None
}

fn unary_op(p: &b::UnaryPredicate) -> String {
    p.to_string()
}

/// Whether the text of a `for` loop with no words has `in` after its name.
fn has_in(text: &str) -> bool {
    let rest = text
        .trim_start()
        .strip_prefix("for")
        .unwrap_or("")
        .trim_start();
    let rest = rest.trim_start_matches(|c: char| !c.is_whitespace() && c != ';');
    let rest = rest.trim_start_matches([' ', '\t', '\n']);
    rest.strip_prefix("in")
        .is_some_and(|r| r.starts_with([' ', '\t', '\n', ';']) || r.is_empty())
}
