//! Where brush-parser 0.4.0 reads bash's grammar differently, the front end
//! inserts characters into the text before brush sees it, so that brush
//! finds the token boundaries (or their absence) bash does:
//!
//! - a space inside `for ((;;))`: brush reads `;;` as the `case`
//!   terminator and rejects the loop; `for ((; ;))` parses;
//! - a space after a redirection fd number that overflows
//!   (`echo 99999999999>f`): brush panics on it; bash reads such a number
//!   as a word, which `99999999999 >f` is;
//! - double quotes around a subscript with shell metacharacters in an
//!   assignment before a command (`a[5&3]=x`, `a[(1+2)*3]=y`): bash reads the
//!   subscript up to its `]`; brush splits it into tokens;
//! - a backslash before a reserved word after assignments (`FOO=bar for`):
//!   bash reads it as a plain word there, brush as the keyword;
//! - a `(` before a case pattern inside `$(…)`, a `;` after an `esac`
//!   closing a subshell ([`super::casesubst`]).
//!
//! [`for_brush`] returns the character indexes (in the patched text) of
//! what it inserted, so positions map back to the original
//! (`source::Frame`).

use std::borrow::Cow;

use brush_parser::Token;

/// The text brush should parse, and the character indexes in it of the
/// characters inserted.
pub(super) fn for_brush(text: &str) -> (Cow<'_, str>, Vec<usize>) {
    // (character index of the original text, character to insert before it)
    let mut at: Vec<(usize, char)> = super::casesubst::insertions(text);
    let arith_for = text.contains(";;") && text.contains("((");
    let assignments = text.contains('=');
    let tokens = if arith_for || assignments || has_long_number_before_redirect(text) {
        brush_parser::tokenize_str(text).unwrap_or_default()
    } else {
        Vec::new()
    };
    if at.is_empty() && tokens.is_empty() {
        return (Cow::Borrowed(text), Vec::new());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut in_header = false;
    let mut command_start = true;
    let mut after_assignment = false;
    let mut skip_until = 0;
    for (k, t) in tokens.iter().enumerate() {
        if t.location().start.index < skip_until {
            continue;
        }
        let next = tokens.get(k + 1);
        let starts_command = command_start;
        command_start = false;
        match t {
            Token::Word(w, loc) => {
                let after_for = w == "for"
                    && matches!(next, Some(Token::Operator(o, _)) if o == "(")
                    && matches!(tokens.get(k + 2), Some(Token::Operator(o, _)) if o == "(");
                if after_for {
                    in_header = true;
                }
                let fd_too_big = !w.is_empty()
                    && w.bytes().all(|b| b.is_ascii_digit())
                    && w.parse::<i32>().is_err();
                if let (true, Some(Token::Operator(o, next_loc))) = (fd_too_big, next) {
                    if o.starts_with(['<', '>']) && next_loc.start.index == loc.end.index {
                        at.push((loc.end.index, ' '));
                    }
                }
                if !(starts_command || after_assignment) {
                    continue;
                }
                if after_assignment && is_reserved(w) {
                    at.push((loc.start.index, '\\'));
                    after_assignment = false;
                    continue;
                }
                if let Some((open, close)) = metachar_subscript(&chars, loc.start.index) {
                    at.push((open + 1, '"'));
                    at.push((close, '"'));
                    after_assignment = true;
                    // The tokens inside the subscript belong to this word.
                    skip_until = close + 1;
                    continue;
                }
                after_assignment = is_assignment(w);
                command_start = starts_command && is_opening_keyword(w);
            }
            Token::Operator(o, loc) => {
                if in_header && o == ";;" {
                    at.push((loc.start.index + 1, ' '));
                }
                if o == ")" && matches!(next, Some(Token::Operator(n, _)) if n == ")") {
                    in_header = false;
                }
                after_assignment = false;
                command_start = matches!(
                    o.as_str(),
                    ";" | "&" | "&&" | "||" | "|" | "|&" | "(" | ")" | "\n" | ";;" | ";&" | ";;&"
                );
            }
        }
    }
    if at.is_empty() {
        return (Cow::Borrowed(text), Vec::new());
    }
    at.sort_by_key(|&(i, _)| i);
    at.dedup();
    let mut out = String::with_capacity(text.len() + at.len());
    let mut inserted = Vec::with_capacity(at.len());
    let mut pending = at.iter().peekable();
    for (i, &c) in chars.iter().enumerate() {
        while let Some(&(_, add)) = pending.next_if(|&&(p, _)| p == i) {
            inserted.push(i + inserted.len());
            out.push(add);
        }
        out.push(c);
    }
    for &(_, add) in pending {
        inserted.push(chars.len() + inserted.len());
        out.push(add);
    }
    (Cow::Owned(out), inserted)
}

/// A reserved word bash recognizes only as a command's first word.
fn is_reserved(w: &str) -> bool {
    matches!(
        w,
        "if" | "then"
            | "else"
            | "elif"
            | "fi"
            | "do"
            | "done"
            | "case"
            | "esac"
            | "while"
            | "until"
            | "for"
            | "select"
            | "function"
            | "{"
            | "}"
            | "!"
            | "[["
            | "]]"
            | "in"
    )
}

/// A word after which the next word is again a command's first word.
fn is_opening_keyword(w: &str) -> bool {
    matches!(
        w,
        "then" | "else" | "elif" | "do" | "if" | "while" | "until" | "!" | "{" | "time"
    )
}

/// Whether a whole word is an assignment (`name=…`, `name+=…`,
/// `name[…]=…`).
fn is_assignment(w: &str) -> bool {
    let name_end = w
        .find(|c: char| !(c == '_' || c.is_ascii_alphanumeric()))
        .unwrap_or(w.len());
    if name_end == 0 || w.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let rest = &w[name_end..];
    let rest = match rest.strip_prefix('[') {
        Some(r) => match r.find(']') {
            Some(i) => &r[i + 1..],
            None => return false,
        },
        None => rest,
    };
    rest.starts_with('=') || rest.starts_with("+=")
}

/// For a word at character `start` that is `name[sub]=…` or `name[sub]+=…`
/// whose subscript holds an unquoted shell metacharacter, and no quote or
/// backslash of its own: the character indexes of its `[` and `]`.
fn metachar_subscript(chars: &[char], start: usize) -> Option<(usize, usize)> {
    let mut i = start;
    let first = *chars.get(i)?;
    if !(first == '_' || first.is_ascii_alphabetic()) {
        return None;
    }
    while chars
        .get(i)
        .is_some_and(|&c| c == '_' || c.is_ascii_alphanumeric())
    {
        i += 1;
    }
    if chars.get(i) != Some(&'[') {
        return None;
    }
    let open = i;
    let mut depth = 0usize;
    let mut meta = false;
    loop {
        let c = *chars.get(i)?;
        match c {
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            '\'' | '"' | '\\' | '`' | '\n' => return None,
            '&' | '|' | ';' | '<' | '>' | '(' | ')' => meta = true,
            _ => {}
        }
        i += 1;
    }
    let close = i;
    let after = chars.get(close + 1..)?;
    let assigns = after.first() == Some(&'=') || after.starts_with(&['+', '=']);
    (meta && assigns).then_some((open, close))
}

/// Whether `text` has ten or more digits right before a `<` or `>`.
fn has_long_number_before_redirect(text: &str) -> bool {
    let mut run = 0usize;
    for b in text.bytes() {
        match b {
            b'0'..=b'9' => run += 1,
            b'<' | b'>' if run >= 10 => return true,
            _ => run = 0,
        }
    }
    false
}
