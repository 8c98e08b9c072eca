//! `printf FORMAT [ARGS…]`, as bash 5.2 formats.
//!
//! The format is applied, and reapplied while arguments remain and the
//! last pass consumed some. Conversions: `%s %b %q %Q %c %d %i %o %u %x %X
//! %e %E %f %F %g %G %a %A %%`, with flags `#-+ 0'`, width, precision and
//! `*`; length modifiers (`hlLjzt`) are skipped. A missing argument is `""`
//! or 0. Numbers are read as C's `strtoimax`/`strtoumax` (base prefixes
//! `0x`, `0`) or `'c` (the character's code); a bad one prints what was read
//! so far and an error, and the output goes on. Output is bytes: widths and
//! precisions count bytes, as bash's do.
//!
//! Floating point is an x87 `long double`, as bash's is (see [`float`]).
//! `%(fmt)T` formats through a [`Clock`] (`strftime` is the wrapper's, in
//! `sys/`): [`printf_with`].
//!
//! `-v VAR` (assign instead of print) and `--` are the wrapper's: it passes
//! the format and the remaining arguments here, writes (or assigns) the
//! bytes, prints each error as `corral: printf: {error}` and returns
//! [`status`].

mod escape;
mod float;
mod format;

pub(crate) use escape::utf8_any;
pub use escape::{ansi_c_quote, quote};
use float::Ld;

use crate::rawbytes::decode;

/// A diagnostic, in bash's words (without `corral: printf: `).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PrintfError {
    /// An argument of a numeric conversion is not a number.
    #[error("{0}: invalid number")]
    InvalidNumber(String),
    /// … that starts like an octal number (`09`).
    #[error("{0}: invalid octal number")]
    InvalidOctal(String),
    /// … that starts like a hex number (`0x`).
    #[error("{0}: invalid hex number")]
    InvalidHex(String),
    /// A number out of range: clamped; only a warning (status unchanged).
    #[error("warning: {0}: Numerical result out of range")]
    OutOfRange(String),
    /// `\x` without a hex digit (a warning: the text is printed as is).
    #[error("missing hex digit for \\x")]
    MissingHexDigit,
    /// `\u` or `\U` without a hex digit (a warning).
    #[error("missing unicode digit for \\{0}")]
    MissingUnicodeDigit(char),
    /// The format ends inside a conversion (`%`, `%5`): output stops.
    #[error("`{0}': missing format character")]
    MissingFormat(String),
    /// `%(` without `)T` (the character after `)`; NUL if none). A
    /// warning: bash prints `%` and reads on from the `(`.
    #[error("warning: `{0}': invalid time format specification")]
    TimeFormat(char),
    /// `%(fmt)T` through [`printf`], which has no clock.
    #[error("%(fmt)T needs a clock")]
    NoClock,
    /// An unknown conversion character: output stops.
    #[error("`{0}': invalid format character")]
    InvalidFormat(char),
}

impl PrintfError {
    /// Whether bash only warns (the exit status stays 0).
    #[must_use]
    pub fn is_warning(&self) -> bool {
        matches!(
            self,
            PrintfError::OutOfRange(_)
                | PrintfError::TimeFormat(_)
                | PrintfError::MissingHexDigit
                | PrintfError::MissingUnicodeDigit(_)
        )
    }
}

/// The exit status after these diagnostics: 1 if any is an error.
#[must_use]
pub fn status(errors: &[PrintfError]) -> i32 {
    i32::from(errors.iter().any(|e| !e.is_warning()))
}

/// What `%(fmt)T` needs: times, and `strftime(3)` in the local zone.
pub trait Clock {
    /// Seconds since the epoch now (the argument `-1`, or none).
    fn now(&self) -> i64;
    /// When the shell started (the argument `-2`).
    fn shell_start(&self) -> i64;
    /// `strftime(format, localtime(secs))`.
    fn strftime(&self, format: &str, secs: i64) -> String;
}

/// Formats `args` by `format`: the bytes printed and the diagnostics.
/// `%(fmt)T` needs a clock: see [`printf_with`].
#[must_use]
pub fn printf(format: &str, args: &[String]) -> (Vec<u8>, Vec<PrintfError>) {
    run(format, args, None)
}

/// [`printf`], with `%(fmt)T` formatted by `clock`.
#[must_use]
pub fn printf_with(
    format: &str,
    args: &[String],
    clock: &dyn Clock,
) -> (Vec<u8>, Vec<PrintfError>) {
    run(format, args, Some(clock))
}

fn run(format: &str, args: &[String], clock: Option<&dyn Clock>) -> (Vec<u8>, Vec<PrintfError>) {
    let format = decode(format);
    let mut p = Printer {
        args,
        next: 0,
        out: Vec::new(),
        errors: Vec::new(),
        clock,
    };
    loop {
        let before = p.next;
        if p.pass(&format) == Flow::Stop {
            break;
        }
        if p.next >= args.len() || p.next == before {
            break;
        }
    }
    (p.out, p.errors)
}

#[derive(PartialEq, Eq)]
enum Flow {
    Go,
    Stop,
}

struct Printer<'a> {
    args: &'a [String],
    next: usize,
    out: Vec<u8>,
    errors: Vec<PrintfError>,
    clock: Option<&'a dyn Clock>,
}

impl Printer<'_> {
    fn arg(&mut self) -> Option<&str> {
        let a = self.args.get(self.next)?;
        self.next += 1;
        Some(a)
    }

    fn int_arg(&mut self) -> i64 {
        let Some(a) = self.arg() else { return 0 };
        let a = a.to_owned();
        if let Some(code) = char_code(&a) {
            return i64::from(code);
        }
        let parsed = parse_c_int(&a);
        let v = if parsed.negative {
            if parsed.magnitude > u128::from(i64::MIN.unsigned_abs()) {
                None
            } else {
                Some((parsed.magnitude as i128).wrapping_neg() as i64)
            }
        } else {
            i64::try_from(parsed.magnitude).ok()
        };
        let v = match v {
            Some(v) if !parsed.overflow => v,
            _ => {
                if parsed.rest_empty {
                    self.errors.push(PrintfError::OutOfRange(a.clone()));
                }
                if parsed.negative {
                    i64::MIN
                } else {
                    i64::MAX
                }
            }
        };
        if !parsed.rest_empty {
            self.errors.push(invalid_number(&a));
        }
        v
    }

    fn uint_arg(&mut self) -> u64 {
        let Some(a) = self.arg() else { return 0 };
        let a = a.to_owned();
        if let Some(code) = char_code(&a) {
            return u64::from(code);
        }
        let parsed = parse_c_int(&a);
        let v = match u64::try_from(parsed.magnitude) {
            Ok(m) if !parsed.overflow => {
                if parsed.negative {
                    m.wrapping_neg()
                } else {
                    m
                }
            }
            _ => {
                if parsed.rest_empty {
                    self.errors.push(PrintfError::OutOfRange(a.clone()));
                }
                u64::MAX
            }
        };
        if !parsed.rest_empty {
            self.errors.push(invalid_number(&a));
        }
        v
    }

    fn float_arg(&mut self) -> Ld {
        let Some(a) = self.arg() else {
            return Ld::from_u32(0);
        };
        let a = a.to_owned();
        if let Some(code) = char_code(&a) {
            return Ld::from_u32(code);
        }
        let (v, used, erange) = float::parse(&a);
        if used < a.len() {
            self.errors.push(invalid_number(&a));
        } else if erange {
            self.errors.push(PrintfError::OutOfRange(a.clone()));
        }
        v
    }
}

/// `'c` or `"c`: the code of the character after the quote (0 if none).
fn char_code(a: &str) -> Option<u32> {
    let rest = a.strip_prefix(['\'', '"'])?;
    let Some(c) = rest.chars().next() else {
        return Some(0);
    };
    if crate::rawbytes::escaped_byte(c).is_none() {
        return Some(u32::from(c));
    }
    // Not UTF-8 as Rust reads it: a lead byte and its continuation bytes
    // still give their value (bash: `'\xF4\x91\x84\x91` is 0x111111);
    // otherwise the byte is its own value.
    let bytes = crate::rawbytes::decode(rest);
    Some(lenient_utf8(&bytes))
}

/// The value of the UTF-8-shaped sequence at the start of `b`, without
/// the check of the Unicode range; the first byte's value when it is not
/// one (or is an overlong form).
fn lenient_utf8(b: &[u8]) -> u32 {
    let Some(&lead) = b.first() else {
        return 0;
    };
    let (len, bits) = match lead {
        0xC0..=0xDF => (2, lead & 0x1F),
        0xE0..=0xEF => (3, lead & 0x0F),
        0xF0..=0xF7 => (4, lead & 0x07),
        _ => return u32::from(lead),
    };
    let tail = b.get(1..len).unwrap_or_default();
    if tail.len() + 1 != len || tail.iter().any(|c| c & 0xC0 != 0x80) {
        return u32::from(lead);
    }
    let v = tail
        .iter()
        .fold(u32::from(bits), |v, c| (v << 6) | u32::from(c & 0x3F));
    // An overlong form is no character (bash).
    let least = [0, 0, 0x80, 0x800, 0x1_0000][len];
    if v < least {
        return u32::from(lead);
    }
    v
}

/// bash's `sh_invalidnum`: the message depends on how the text starts.
fn invalid_number(a: &str) -> PrintfError {
    let b = a.as_bytes();
    match (b.first(), b.get(1)) {
        (Some(b'0'), Some(d)) if d.is_ascii_digit() => PrintfError::InvalidOctal(a.to_owned()),
        (Some(b'0'), Some(b'x')) => PrintfError::InvalidHex(a.to_owned()),
        _ => PrintfError::InvalidNumber(a.to_owned()),
    }
}

fn is_c_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

struct ParsedInt {
    negative: bool,
    magnitude: u128,
    overflow: bool,
    /// Everything was consumed (C's `*endptr == '\0'`).
    rest_empty: bool,
}

/// C's `strtoimax(s, &end, 0)`, keeping the magnitude and sign apart.
fn parse_c_int(s: &str) -> ParsedInt {
    let b = s.as_bytes();
    let mut i = b.iter().take_while(|&&c| is_c_space(c)).count();
    let mut negative = false;
    if let Some(&c @ (b'+' | b'-')) = b.get(i) {
        negative = c == b'-';
        i += 1;
    }
    let (base, digits_start) = if b.get(i) == Some(&b'0')
        && matches!(b.get(i + 1), Some(b'x' | b'X'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
    {
        (16, i + 2)
    } else if b.get(i) == Some(&b'0') {
        (8, i)
    } else {
        (10, i)
    };
    let mut magnitude: u128 = 0;
    let mut overflow = false;
    let mut j = digits_start;
    while let Some(d) = b.get(j).and_then(|&c| char::from(c).to_digit(base)) {
        magnitude = match magnitude
            .checked_mul(u128::from(base))
            .and_then(|m| m.checked_add(u128::from(d)))
        {
            Some(m) if m <= u128::from(u64::MAX) + 1 => m,
            _ => {
                overflow = true;
                u128::from(u64::MAX) + 1
            }
        };
        j += 1;
    }
    let end = if j == digits_start { 0 } else { j };
    ParsedInt {
        negative,
        magnitude,
        overflow: overflow || magnitude > u128::from(u64::MAX),
        rest_empty: end == b.len(),
    }
}
#[cfg(test)]
#[path = "tests/printf.rs"]
mod tests;
