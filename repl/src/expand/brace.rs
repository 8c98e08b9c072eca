//! Brace expansion: `{a,b}`, `{1..10}`, `{a..e}`, `{01..10}`, `{1..10..2}`,
//! nested and side by side, on the unquoted text of a word (quoted parts
//! and expansions are opaque atoms). A brace that is not a valid
//! expansion stays literal and the search goes on after it, as in bash.

use crate::lang::ast::{Tilde, WordPart};

#[derive(Clone, Copy, Debug)]
enum Tok<'a> {
    Ch(char),
    Part(&'a WordPart),
}

/// What a backslash in a character sequence becomes: an empty word.
static EMPTY: WordPart = WordPart::SingleQuoted(String::new());

/// A sequence longer than this is left literal rather than exhausting memory.
const MAX_SEQUENCE: i128 = 1 << 24;

/// The words `parts` brace-expands to (one when nothing expands), each made
/// into parts only when the caller takes it (`{1..100000}` holds one list
/// of characters, not also a list of parts).
pub(super) fn expand(parts: &[WordPart]) -> impl Iterator<Item = Vec<WordPart>> + '_ {
    let mut toks = Vec::new();
    for p in parts {
        match p {
            WordPart::Literal(t) => toks.extend(t.chars().map(Tok::Ch)),
            other => toks.push(Tok::Part(other)),
        }
    }
    words(&toks).into_iter().map(|w| to_parts(&w))
}

fn to_parts(toks: &[Tok<'_>]) -> Vec<WordPart> {
    let mut out = Vec::new();
    let mut text = String::new();
    for t in toks {
        match t {
            Tok::Ch(c) => text.push(*c),
            Tok::Part(p) => {
                if !text.is_empty() {
                    out.push(WordPart::Literal(std::mem::take(&mut text)));
                }
                out.push((*p).clone());
            }
        }
    }
    if !text.is_empty() {
        out.push(WordPart::Literal(text));
    }
    // A word a brace made start with `~` gets its tilde expanded (`{~,x}`).
    if let Some(WordPart::Literal(t)) = out.first() {
        if let Some(rest) = t.strip_prefix('~') {
            let end = rest.find('/').unwrap_or(rest.len());
            let name = &rest[..end];
            let tilde = match name {
                "" => Some(Tilde::Home),
                "+" => Some(Tilde::Pwd),
                "-" => Some(Tilde::OldPwd),
                n if n.chars().all(|c| c.is_alphanumeric() || "._-".contains(c)) => {
                    Some(Tilde::User(n.to_owned()))
                }
                _ => None,
            };
            let single = out.len() == 1 || end < rest.len();
            if let (Some(tilde), true) = (tilde, single) {
                let tail = rest[end..].to_owned();
                out[0] = WordPart::Tilde(tilde);
                if !tail.is_empty() {
                    out.insert(1, WordPart::Literal(tail));
                }
            }
        }
    }
    out
}

fn words<'a>(toks: &[Tok<'a>]) -> Vec<Vec<Tok<'a>>> {
    let mut search = 0;
    while let Some(open) = find_open(toks, search) {
        if let Some((close, commas)) = find_close(toks, open) {
            let alts: Vec<Vec<Tok<'a>>> = if commas.is_empty() {
                match sequence(&toks[open + 1..close]) {
                    Some(seq) => seq,
                    None => {
                        search = open + 1;
                        continue;
                    }
                }
            } else {
                let mut alts = Vec::new();
                let mut from = open + 1;
                for &c in commas.iter().chain(std::iter::once(&close)) {
                    alts.extend(words(&toks[from..c]));
                    from = c + 1;
                }
                alts
            };
            let prefix = &toks[..open];
            let suffixes = words(&toks[close + 1..]);
            if prefix.is_empty() && suffixes.len() == 1 {
                // One suffix: extend the alternatives in place (no second list).
                let mut alts = alts;
                for alt in &mut alts {
                    alt.extend_from_slice(&suffixes[0]);
                }
                return alts;
            }
            let mut out = Vec::with_capacity(alts.len() * suffixes.len());
            for alt in &alts {
                for suf in &suffixes {
                    let mut w = Vec::with_capacity(prefix.len() + alt.len() + suf.len());
                    w.extend_from_slice(prefix);
                    w.extend_from_slice(alt);
                    w.extend_from_slice(suf);
                    out.push(w);
                }
            }
            return out;
        }
        search = open + 1;
    }
    vec![toks.to_vec()]
}

fn is_ch(t: Option<&Tok<'_>>, c: char) -> bool {
    matches!(t, Some(Tok::Ch(x)) if *x == c)
}

/// The next `{` at or after `from` (not the `{` of a `${`).
fn find_open(toks: &[Tok<'_>], from: usize) -> Option<usize> {
    (from..toks.len()).find(|&i| is_ch(toks.get(i), '{') && !(i > 0 && is_ch(toks.get(i - 1), '$')))
}

/// The `}` matching the `{` at `open`, and the commas at its top level.
fn find_close(toks: &[Tok<'_>], open: usize) -> Option<(usize, Vec<usize>)> {
    let mut depth = 0usize;
    let mut commas = Vec::new();
    for (i, t) in toks.iter().enumerate().skip(open + 1) {
        match t {
            Tok::Ch('{') => depth += 1,
            Tok::Ch('}') if depth == 0 => return Some((i, commas)),
            Tok::Ch('}') => depth -= 1,
            Tok::Ch(',') if depth == 0 => commas.push(i),
            _ => {}
        }
    }
    None
}

/// `x..y[..step]` between braces: the words, or `None` when not a sequence.
fn sequence<'a>(toks: &[Tok<'_>]) -> Option<Vec<Vec<Tok<'a>>>> {
    let text: String = toks
        .iter()
        .map(|t| match t {
            Tok::Ch(c) => Some(*c),
            Tok::Part(_) => None,
        })
        .collect::<Option<String>>()?;
    let mut it = text.split("..");
    let (lhs, rhs, step) = (it.next()?, it.next()?, it.next());
    if it.next().is_some() {
        return None;
    }
    let step = match step {
        Some(s) => int(s)?,
        None => 1,
    };
    let step = step.unsigned_abs().max(1) as i128;
    if let (Some(a), Some(b)) = (int(lhs), int(rhs)) {
        let (a, b) = (i128::from(a), i128::from(b));
        if (b - a).abs() / step > MAX_SEQUENCE {
            return None;
        }
        let padded = |s: &str| {
            let d = s.strip_prefix(['-', '+']).unwrap_or(s);
            d.len() > 1 && d.starts_with('0')
        };
        let width = if padded(lhs) || padded(rhs) {
            lhs.len().max(rhs.len())
        } else {
            0
        };
        let mut text = String::new();
        return Some(
            range(a, b, step)
                .map(|n| {
                    use std::fmt::Write;
                    text.clear();
                    let _ = write!(text, "{n:0width$}");
                    text.chars().map(Tok::Ch).collect()
                })
                .collect(),
        );
    }
    let one = |s: &str| {
        let mut c = s.chars();
        match (c.next(), c.next()) {
            (Some(x), None) if x.is_ascii_alphabetic() => Some(x),
            _ => None,
        }
    };
    let (a, b) = (one(lhs)?, one(rhs)?);
    Some(
        range(i128::from(u32::from(a)), i128::from(u32::from(b)), step)
            .filter_map(|n| u32::try_from(n).ok().and_then(char::from_u32))
            .map(|c| match c {
                // bash's quote removal leaves an empty word of the backslash
                // in `{Z..a}`.
                '\\' => vec![Tok::Part(&EMPTY)],
                c => vec![Tok::Ch(c)],
            })
            .collect(),
    )
}

fn range(a: i128, b: i128, step: i128) -> impl Iterator<Item = i128> {
    let n = (b - a).abs() / step;
    let dir = if b >= a { step } else { -step };
    (0..=n).map(move |k| a + k * dir)
}

/// An integer as bash's `legal_number` reads it (optional sign, digits).
fn int(s: &str) -> Option<i64> {
    let d = s.strip_prefix(['-', '+']).unwrap_or(s);
    if d.is_empty() || !d.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}
