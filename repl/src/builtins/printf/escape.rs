//! Backslash escapes (the format's, and `%b`'s) and `%q`'s quoting.

use super::PrintfError;
use crate::rawbytes::escaped_byte;

pub(super) enum Escape {
    Bytes(Vec<u8>),
    /// `\c` in `%b`: stop all output.
    Stop,
}

/// The escape after a backslash (`s` starts after it): its bytes and how
/// many bytes of `s` it used. `in_b`: `%b`'s rules (`\0NNN`, `\c`, and
/// `\'`, `\"`, `\?` kept as written).
pub(super) fn escape(s: &[u8], in_b: bool, errors: &mut Vec<PrintfError>) -> (Escape, usize) {
    let Some(&c) = s.first() else {
        return (Escape::Bytes(vec![b'\\']), 0);
    };
    let one = |b: u8| (Escape::Bytes(vec![b]), 1);
    match c {
        b'a' => one(0x07),
        b'b' => one(0x08),
        b'e' | b'E' => one(0x1b),
        b'f' => one(0x0c),
        b'n' => one(b'\n'),
        b'r' => one(b'\r'),
        b't' => one(b'\t'),
        b'v' => one(0x0b),
        b'\\' => one(b'\\'),
        b'0'..=b'7' => {
            let max_more = if c == b'0' && in_b { 3 } else { 2 };
            let mut v = u32::from(c - b'0');
            let mut used = 1;
            while used <= max_more {
                match s.get(used) {
                    Some(&d @ b'0'..=b'7') => {
                        v = v * 8 + u32::from(d - b'0');
                        used += 1;
                    }
                    _ => break,
                }
            }
            (Escape::Bytes(vec![(v & 0xff) as u8]), used)
        }
        b'x' => {
            let n = s[1..]
                .iter()
                .take(2)
                .take_while(|d| d.is_ascii_hexdigit())
                .count();
            if n == 0 {
                errors.push(PrintfError::MissingHexDigit);
                return (Escape::Bytes(vec![b'\\']), 0);
            }
            let v = hex_value(&s[1..=n]);
            (Escape::Bytes(vec![(v & 0xff) as u8]), 1 + n)
        }
        b'u' | b'U' => {
            let max = if c == b'u' { 4 } else { 8 };
            let n = s[1..]
                .iter()
                .take(max)
                .take_while(|d| d.is_ascii_hexdigit())
                .count();
            if n == 0 {
                errors.push(PrintfError::MissingUnicodeDigit(char::from(c)));
                return (Escape::Bytes(vec![b'\\']), 0);
            }
            (Escape::Bytes(utf8_any(hex_value(&s[1..=n]))), 1 + n)
        }
        b'\'' | b'"' | b'?' if !in_b => one(c),
        b'c' if in_b => (Escape::Stop, 1),
        _ => (Escape::Bytes(vec![b'\\', c]), 1),
    }
}

fn hex_value(d: &[u8]) -> u32 {
    d.iter().fold(0u32, |acc, &c| {
        acc.wrapping_mul(16)
            .wrapping_add(char::from(c).to_digit(16).unwrap_or(0))
    })
}

/// UTF-8's encoding scheme applied to any value (bash encodes surrogates
/// and values past U+10FFFF the same way).
pub(crate) fn utf8_any(v: u32) -> Vec<u8> {
    let cont = |shift: u32| 0x80 | ((v >> shift) & 0x3f) as u8;
    match v {
        0..=0x7f => vec![v as u8],
        0x80..=0x7ff => vec![0xc0 | (v >> 6) as u8, cont(0)],
        0x800..=0xffff => vec![0xe0 | (v >> 12) as u8, cont(6), cont(0)],
        0x1_0000..=0x1f_ffff => vec![0xf0 | (v >> 18) as u8, cont(12), cont(6), cont(0)],
        0x20_0000..=0x3ff_ffff => {
            vec![0xf8 | (v >> 24) as u8, cont(18), cont(12), cont(6), cont(0)]
        }
        _ => vec![
            0xfc | ((v >> 30) & 0x01) as u8,
            cont(24),
            cont(18),
            cont(12),
            cont(6),
            cont(0),
        ],
    }
}

/// `%b`: the argument with its escapes expanded; `true` when `\c` ended it.
pub(super) fn expand_b(b: &[u8], errors: &mut Vec<PrintfError>) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c != b'\\' {
            out.push(c);
            i += 1;
            continue;
        }
        let (e, used) = escape(&b[i + 1..], true, errors);
        match e {
            Escape::Bytes(bytes) => out.extend_from_slice(&bytes),
            Escape::Stop => return (out, true),
        }
        i += 1 + used;
    }
    (out, false)
}

/// `%q`: `s` quoted so that the shell reads it back as one word: `''` when
/// empty, `$'…'` when it holds control characters, else backslashes
/// before the characters the shell treats specially.
#[must_use]
pub fn quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    if s.chars()
        .any(|c| c.is_control() || escaped_byte(c).is_some())
    {
        return ansi_c_quote(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let special = match c {
            ' ' | '\t' | '\n' | '\'' | '"' | '\\' | '|' | '&' | ';' | '(' | ')' | '<' | '>'
            | '!' | '{' | '}' | '*' | '[' | '?' | ']' | '^' | '$' | '`' | ',' => true,
            '~' => matches!(prev, None | Some('=' | ':')),
            '#' => prev.is_none(),
            _ => false,
        };
        if special {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// `$'…'` with C escapes; other control characters as `\NNN` octal bytes.
#[must_use]
pub fn ansi_c_quote(s: &str) -> String {
    let mut out = String::from("$'");
    for c in s.chars() {
        if let Some(b) = escaped_byte(c) {
            // A byte that is not UTF-8: as bash shows it.
            out.push_str(&format!("\\{b:03o}"));
            continue;
        }
        match c {
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x1b' => out.push_str("\\E"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            c if c.is_control() => {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push_str(&format!("\\{b:03o}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}
