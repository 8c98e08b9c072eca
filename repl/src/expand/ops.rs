//! The string operations of `${…}`: substrings, pattern replacement,
//! case conversion, `@Q` quoting. Pure functions of their arguments.

use super::error::ExpandError;
use super::pattern::{Pattern, Quoted};
use crate::lang::ast::{CaseOp, ReplaceWhere};

/// `(start, end)` of `${x:off:len}` over `n` items.
pub(super) fn slice(
    n: usize,
    off: i64,
    len: Option<(i64, &str)>,
) -> Result<(usize, usize), ExpandError> {
    let n = n as i64;
    let start = if off < 0 { n + off } else { off };
    if start < 0 || start > n {
        return Ok((0, 0));
    }
    let end = match len {
        None => n,
        Some((l, _)) if l >= 0 => start.saturating_add(l).min(n),
        Some((l, text)) => {
            let e = n + l;
            if e < start {
                return Err(ExpandError::NegativeLength(text.to_owned()));
            }
            e
        }
    };
    Ok((start as usize, end as usize))
}

pub(super) fn replace(
    s: &str,
    p: &Pattern,
    at: ReplaceWhere,
    repl: &str,
    quoted: &[usize],
) -> String {
    let with = |m: &str| substitute(repl, quoted, m);
    match at {
        ReplaceWhere::Prefix => match p.match_prefix(s, true) {
            Some(e) => with(&s[..e]) + &s[e..],
            None => s.to_owned(),
        },
        ReplaceWhere::Suffix => match p.match_suffix(s, true) {
            Some(st) => s[..st].to_owned() + &with(&s[st..]),
            None => s.to_owned(),
        },
        ReplaceWhere::First | ReplaceWhere::All => {
            if p.is_empty() {
                return s.to_owned();
            }
            if s.is_empty() {
                // An empty value is replaced when the pattern matches it.
                return if p.matches("") {
                    with("")
                } else {
                    String::new()
                };
            }
            let mut out = String::with_capacity(s.len());
            let mut pos = 0;
            while let Some((a, z)) = p.find(s, pos, false) {
                out.push_str(&s[pos..a]);
                out.push_str(&with(&s[a..z]));
                pos = z;
                if at == ReplaceWhere::First {
                    break;
                }
            }
            out.push_str(&s[pos..]);
            out
        }
    }
}

/// The replacement text with unquoted `&` standing for the match (bash 5.2's
/// `patsub_replacement`, on by default); `\&` is a literal `&`.
fn substitute(repl: &str, quoted: &[usize], matched: &str) -> String {
    if !repl.contains(['&', '\\']) {
        return repl.to_owned();
    }
    let q = Quoted(quoted);
    let mut out = String::with_capacity(repl.len());
    let mut it = repl.char_indices().peekable();
    while let Some((o, c)) = it.next() {
        if c == '\\' && !q.at(o) && it.peek().is_some_and(|&(_, n)| n == '&') {
            out.push('&');
            it.next();
        } else if c == '&' && !q.at(o) {
            out.push_str(matched);
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn convert_case(s: &str, op: CaseOp, p: Option<&Pattern>) -> String {
    let hit = |c: char| p.is_none_or(|p| p.matches_char(c));
    let upper = matches!(op, CaseOp::UpperFirst | CaseOp::UpperAll);
    let all = matches!(op, CaseOp::UpperAll | CaseOp::LowerAll);
    let mut out = String::with_capacity(s.len());
    for (k, c) in s.chars().enumerate() {
        if (all || k == 0) && hit(c) {
            out.push(if upper { wide_upper(c) } else { wide_lower(c) });
        } else {
            out.push(c);
        }
    }
    out
}

/// `c` in upper case as C's `towupper` maps it: one character, unchanged
/// when Unicode's mapping takes more (`ß` stays `ß`, not `SS`).
pub(super) fn wide_upper(c: char) -> char {
    let mut m = c.to_uppercase();
    match (m.next(), m.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// `c` in lower case as C's `towlower` maps it (see [`wide_upper`]).
pub(super) fn wide_lower(c: char) -> char {
    let mut m = c.to_lowercase();
    match (m.next(), m.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// `${x@Q}`: single quotes, or `$'…'` when the text has control characters.
pub(super) fn quote(s: &str) -> String {
    let escaped = crate::rawbytes::escaped_byte;
    if s.chars().any(|c| c.is_control() || escaped(c).is_some()) {
        let mut out = String::from("$'");
        for c in s.chars() {
            if let Some(b) = escaped(c) {
                out.push_str(&format!("\\{b:03o}"));
                continue;
            }
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                '\u{7}' => out.push_str("\\a"),
                '\u{8}' => out.push_str("\\b"),
                '\u{b}' => out.push_str("\\v"),
                '\u{c}' => out.push_str("\\f"),
                '\u{1b}' => out.push_str("\\E"),
                '\'' => out.push_str("\\'"),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\{:03o}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    crate::builtins::trapspec::single_quote(s)
}
