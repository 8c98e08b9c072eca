//! A word as bash prints it in `declare -f` and `jobs`: as written, except
//! that each `$(…)`, `<(…)` and `>(…)` shows its commands in canonical form
//! (bash 5.2 parses a command substitution and prints the parsed commands;
//! backquotes keep their text). The text a substitution gets from the
//! parser's workarounds (`casesubst`) is thereby never shown.

use std::borrow::Cow;

use super::ast::{ParamOp, Program, Word, WordPart};

/// The text of `w` for printing.
pub(super) fn word_text(w: &Word) -> Cow<'_, str> {
    let mut programs = Vec::new();
    collect(&w.parts, &mut programs);
    if programs.is_empty() {
        return Cow::Borrowed(&w.raw);
    }
    let chars: Vec<char> = w.raw.chars().collect();
    // When the text and the parse disagree, the text as written is shown.
    let Some(spans) = spans(&chars) else {
        return Cow::Borrowed(&w.raw);
    };
    if spans.len() != programs.len() {
        return Cow::Borrowed(&w.raw);
    }
    let mut out = String::with_capacity(w.raw.len());
    let mut at = 0;
    for ((start, end), program) in spans.into_iter().zip(programs) {
        out.extend(&chars[at..start]);
        out.extend(&chars[start..start + 2]);
        let body = super::print::substitution(program, (&w.raw, w.span.start.offset));
        if body.starts_with('(') {
            out.push(' ');
        }
        out.push_str(&body);
        out.push(')');
        at = end;
    }
    out.extend(&chars[at..]);
    Cow::Owned(out)
}

/// The parsed bodies of the substitutions printed in canonical form, in
/// the order they are written.
fn collect<'a>(parts: &'a [WordPart], out: &mut Vec<&'a Program>) {
    for p in parts {
        match p {
            WordPart::CommandSubst {
                program,
                backquoted: false,
            }
            | WordPart::ProcessSubst { program, .. } => out.push(program),
            WordPart::DoubleQuoted(inner) => collect(inner, out),
            WordPart::Param(pe) => match &pe.op {
                ParamOp::Default { word, .. }
                | ParamOp::Assign { word, .. }
                | ParamOp::Error { word, .. }
                | ParamOp::Alternative { word, .. }
                | ParamOp::RemovePrefix { pattern: word, .. }
                | ParamOp::RemoveSuffix { pattern: word, .. } => collect(&word.parts, out),
                ParamOp::Replace {
                    pattern,
                    replacement,
                    ..
                } => {
                    collect(&pattern.parts, out);
                    if let Some(r) = replacement {
                        collect(&r.parts, out);
                    }
                }
                ParamOp::Case {
                    pattern: Some(p), ..
                } => collect(&p.parts, out),
                _ => {}
            },
            _ => {}
        }
    }
}

/// Where the substitutions printed in canonical form are in a word's text:
/// from their `$(`/`<(`/`>(` to just past their `)`. `None` when one cannot
/// be delimited.
fn spans(c: &[char]) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::new();
    let mut i = 0;
    if matches!(c, ['<' | '>', '(', ..]) {
        let end = super::casesubst::substitution_end(c, 2, true)?;
        out.push((0, end));
        i = end;
    }
    let mut in_double = false;
    while let Some(&ch) = c.get(i) {
        match ch {
            '\\' => i += 2,
            '\'' if !in_double => {
                i += 1;
                while c.get(i).is_some_and(|&q| q != '\'') {
                    i += 1;
                }
                i += 1;
            }
            '"' => {
                in_double = !in_double;
                i += 1;
            }
            '`' => {
                i += 1;
                while let Some(&q) = c.get(i) {
                    i += if q == '\\' { 2 } else { 1 };
                    if q == '`' {
                        break;
                    }
                }
            }
            '$' => match (c.get(i + 1), c.get(i + 2)) {
                (Some('('), Some('(')) => i = balanced(c, i + 1),
                (Some('('), _) => {
                    let end = super::casesubst::substitution_end(c, i + 2, false)?;
                    out.push((i, end));
                    i = end;
                }
                (Some('\''), _) if !in_double => {
                    i += 2;
                    while let Some(&q) = c.get(i) {
                        i += if q == '\\' { 2 } else { 1 };
                        if q == '\'' {
                            break;
                        }
                    }
                }
                _ => i += 1,
            },
            _ => i += 1,
        }
    }
    Some(out)
}

/// Just past the `)` matching the `(` at `i` (arithmetic).
fn balanced(c: &[char], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&ch) = c.get(i) {
        i += 1;
        match ch {
            '(' => depth += 1,
            ')' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            '\\' => i += 1,
            _ => {}
        }
    }
    i
}
