//! Lowering simple commands: assignments, words and redirections in
//! order, `name=(…)` arguments, and the line bash counts a command on.

use brush_parser::ast as b;

use super::{Lower, Result};
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
            line: 0,
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
        out.line = bash_line(&out, &spans);
        if let [only] = spans[..] {
            if let Some(line) = self.line_after_here_docs(only.end.offset) {
                out.line = line;
            }
        }
        // `name=(…)` as an argument only after a word bash's parser knows
        // takes assignments; elsewhere the `(` is a syntax error.
        let takes_arrays = out.words.first().and_then(Word::literal).is_some_and(|n| {
            matches!(
                n.as_str(),
                "declare" | "typeset" | "local" | "export" | "readonly" | "let" | "eval" | "alias"
            )
        }) && out.words.first().is_some_and(|w| !w.raw.starts_with('\\'));
        if let (false, Some(w)) = (
            takes_arrays,
            out.words.iter().find(|w| is_array_argument(w)),
        ) {
            let open = w.raw.find('(').unwrap_or(0);
            return Err(SyntaxError::UnexpectedToken {
                token: "(".to_owned(),
                pos: self.src.pos(w.span.start.offset + open),
            });
        }
        // `eval a=(1 "x y")`, `let x=( 1 )`: one argument, the elements
        // expanded and joined by spaces inside `name=(…)` (bash).
        let joined = out
            .words
            .first()
            .and_then(Word::literal)
            .is_some_and(|n| matches!(n.as_str(), "let" | "eval"));
        if joined {
            for w in out
                .words
                .iter_mut()
                .skip(1)
                .filter(|w| is_array_argument(w))
            {
                join_array_argument(w);
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
                let mut sub = self.text_word(frame, i, span)?;
                // A subscript the front end quoted for brush (`a[5&3]=x`)
                // keeps its text as written, for messages.
                let written = span.text(self.src.text).get(n.len() + 1..);
                let unquoted = i.strip_prefix('"').and_then(|i| i.strip_suffix('"'));
                if let (Some(w), Some(u)) = (written, unquoted) {
                    if w.strip_prefix(u).is_some_and(|r| r.starts_with(']')) {
                        sub.raw = u.to_owned();
                    }
                }
                (n.clone(), Some(sub))
            }
        };
        // The value's text starts after `name[..]=`/`+=` in the assignment word.
        let eq = w.value.find('=').map_or(0, |i| i + 1);
        let value_base = span.start.offset + eq;
        let value = match &a.value {
            b::AssignmentValue::Scalar(v) => {
                // The value as written: brush squeezes blanks in `${…}`.
                let written = span.text(self.src.text);
                let as_written = v.value.contains("${").then(|| {
                    written.match_indices('=').find_map(|(i, _)| {
                        let rest = &written[i + 1..];
                        super::words::same_but_blanks(rest, &v.value).then_some((i + 1, rest))
                    })
                });
                let (base, text) = match as_written.flatten() {
                    Some((i, rest)) => (span.start.offset + i, rest),
                    None => (value_base, v.value.as_str()),
                };
                AssignValue::Scalar(self.word_at(text, base, word::Context::Assignment)?)
            }
            b::AssignmentValue::Array(elems) => {
                // `a= (1 2)`: bash's array assignment needs the `(` right
                // after the `=`; a blank makes the `(` a syntax error.
                let written = span.text(self.src.text);
                let name_end = written.find(['[', '+', '=']).unwrap_or(0);
                let after_name = match written[name_end..].strip_prefix('[') {
                    Some(_) => close_bracket(written, name_end).map_or(name_end, |i| i + 1),
                    None => name_end,
                };
                let rest = &written[after_name..];
                let rest = rest.strip_prefix('+').unwrap_or(rest);
                if let Some(v) = rest.strip_prefix('=') {
                    if let Some(blank) = v.find('(').filter(|&i| i > 0) {
                        let at = span.start.offset + written.len() - v.len() + blank;
                        return Err(SyntaxError::UnexpectedToken {
                            token: "(".to_owned(),
                            pos: self.src.pos(at),
                        });
                    }
                }
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
}

/// Whether `w` is a `name=(…)` argument.
fn is_array_argument(w: &Word) -> bool {
    w.parts
        .iter()
        .any(|p| matches!(p, WordPart::ArrayLiteral(_)))
}

/// Rewrites the `name=(…)` argument `w` to expand to one string: its
/// elements (and `[key]=` prefixes) joined by spaces between the parens.
fn join_array_argument(w: &mut Word) {
    let mut parts = Vec::new();
    for p in std::mem::take(&mut w.parts) {
        let WordPart::ArrayLiteral(items) = p else {
            parts.push(p);
            continue;
        };
        parts.push(WordPart::Literal("(".to_owned()));
        for (k, (key, value)) in items.into_iter().enumerate() {
            if k > 0 {
                parts.push(WordPart::Literal(" ".to_owned()));
            }
            if let Some(key) = key {
                parts.push(WordPart::Literal("[".to_owned()));
                parts.extend(key.parts);
                parts.push(WordPart::Literal("]=".to_owned()));
            }
            parts.extend(value.parts);
        }
        parts.push(WordPart::Literal(")".to_owned()));
    }
    w.parts = vec![WordPart::DoubleQuoted(parts)];
}

/// The line bash's parser is on when it makes the simple command `s`:
/// after reading the token that follows its first element (`spans`, in
/// source order): a word's last line, a redirection's operator line; the
/// first element's last line when nothing follows.
fn bash_line(s: &SimpleCommand, spans: &[Span]) -> u32 {
    let mut order: Vec<&Span> = spans.iter().collect();
    order.sort_by_key(|sp| sp.start.offset);
    let (Some(first), second) = (order.first(), order.get(1)) else {
        return s.span.start.line;
    };
    let redirect = |sp: &Span| s.redirects.iter().find(|r| r.span.start == sp.start);
    match second {
        // A here-document's span is its body: its operator follows the
        // first element on that element's line.
        Some(next) => match redirect(next) {
            Some(r) if matches!(r.kind, RedirectKind::HereDoc(_)) => first.end.line,
            Some(_) => next.start.line,
            None => next.end.line,
        },
        None => first.end.line,
    }
}

/// The byte offset of the `]` that closes the `[` at byte `open` of `text`.
fn close_bracket(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.get(open..)?.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(open + i);
                }
            }
            _ => {}
        }
    }
    None
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
