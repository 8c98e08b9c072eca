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

pub(crate) use escape::utf8_any;
pub use escape::{ansi_c_quote, quote};
use escape::{escape, expand_b, Escape};
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

#[derive(Default, Clone, Copy)]
struct Spec {
    left: bool,
    plus: bool,
    space: bool,
    alt: bool,
    zero: bool,
    width: usize,
    precision: Option<usize>,
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

    /// One pass over the format.
    fn pass(&mut self, fmt: &[u8]) -> Flow {
        let mut i = 0;
        while let Some(&c) = fmt.get(i) {
            if c == b'\\' {
                let (bytes, used) = escape(&fmt[i + 1..], false, &mut self.errors);
                match bytes {
                    Escape::Bytes(b) => self.out.extend_from_slice(&b),
                    Escape::Stop => {}
                }
                i += 1 + used;
                continue;
            }
            if c != b'%' {
                self.out.push(c);
                i += 1;
                continue;
            }
            if fmt.get(i + 1) == Some(&b'%') {
                self.out.push(b'%');
                i += 2;
                continue;
            }
            match self.conversion(fmt, i) {
                Ok((end, flow)) => {
                    if flow == Flow::Stop {
                        return Flow::Stop;
                    }
                    i = end;
                }
                Err(e) => {
                    self.errors.push(e);
                    return Flow::Stop;
                }
            }
        }
        Flow::Go
    }

    /// The conversion starting at `fmt[start] == '%'`: where it ends.
    fn conversion(&mut self, fmt: &[u8], start: usize) -> Result<(usize, Flow), PrintfError> {
        let mut i = start + 1;
        let mut spec = Spec::default();
        while let Some(&f) = fmt.get(i) {
            match f {
                b'-' => spec.left = true,
                b'+' => spec.plus = true,
                b' ' => spec.space = true,
                b'#' => spec.alt = true,
                b'0' => spec.zero = true,
                b'\'' => {}
                _ => break,
            }
            i += 1;
        }
        if fmt.get(i) == Some(&b'*') {
            i += 1;
            let w = self.int_arg();
            if w < 0 {
                spec.left = true;
            }
            spec.width = clamp_usize(w.unsigned_abs());
        } else {
            let (n, used) = digits(&fmt[i..]);
            spec.width = n;
            i += used;
        }
        if fmt.get(i) == Some(&b'.') {
            i += 1;
            if fmt.get(i) == Some(&b'*') {
                i += 1;
                let p = self.int_arg();
                spec.precision = u64::try_from(p).ok().map(clamp_usize);
            } else {
                let (n, used) = digits(&fmt[i..]);
                spec.precision = Some(n);
                i += used;
            }
        }
        while fmt.get(i).is_some_and(|c| b"hlLjzt".contains(c)) {
            i += 1;
        }
        let Some(&conv) = fmt.get(i) else {
            return Err(PrintfError::MissingFormat(
                String::from_utf8_lossy(&fmt[start..]).into_owned(),
            ));
        };
        let end = i + 1;
        match conv {
            b's' => {
                let a = decode(self.arg().unwrap_or("")).into_owned();
                self.put_str(&a, spec);
            }
            b'b' => {
                let a = decode(self.arg().unwrap_or("")).into_owned();
                let (bytes, stop) = expand_b(&a, &mut self.errors);
                self.put_str(&bytes, spec);
                if stop {
                    return Ok((end, Flow::Stop));
                }
            }
            b'q' => {
                let q = quote(self.arg().unwrap_or(""));
                self.put_str(q.as_bytes(), spec);
            }
            b'Q' => {
                let a = decode(self.arg().unwrap_or("")).into_owned();
                let cut = spec.precision.map_or(&a[..], |p| &a[..p.min(a.len())]);
                let q = quote(&crate::rawbytes::encode(cut));
                self.put_str(
                    q.as_bytes(),
                    Spec {
                        precision: None,
                        ..spec
                    },
                );
            }
            b'c' => {
                let c = self
                    .arg()
                    .and_then(|a| decode(a).first().copied())
                    .unwrap_or(0);
                self.put_str(
                    &[c],
                    Spec {
                        precision: None,
                        ..spec
                    },
                );
            }
            b'd' | b'i' => {
                let n = self.int_arg();
                let sign = if n < 0 {
                    "-"
                } else if spec.plus {
                    "+"
                } else if spec.space {
                    " "
                } else {
                    ""
                };
                let digits = n.unsigned_abs().to_string();
                self.put_int(sign, "", &digits, spec);
            }
            b'o' | b'u' | b'x' | b'X' => {
                let n = self.uint_arg();
                let mut digits = match conv {
                    b'o' => format!("{n:o}"),
                    b'u' => n.to_string(),
                    b'x' => format!("{n:x}"),
                    _ => format!("{n:X}"),
                };
                let mut prefix = "";
                if spec.alt {
                    match conv {
                        b'o' if n == 0 && spec.precision == Some(0) => spec.precision = None,
                        b'o' if n == 0 => {}
                        b'o' if spec.precision.unwrap_or(0) <= digits.len() => {
                            digits.insert(0, '0');
                        }
                        b'x' if n != 0 => prefix = "0x",
                        b'X' if n != 0 => prefix = "0X",
                        _ => {}
                    }
                }
                self.put_int("", prefix, &digits, spec);
            }
            b'(' => {
                // `%(fmt)T`: strftime's format up to `)`, then `T`.
                let close = fmt[i + 1..].iter().position(|&c| c == b')');
                let after = close.and_then(|c| fmt.get(i + 1 + c + 1)).copied();
                let (Some(close), Some(b'T')) = (close, after) else {
                    self.errors
                        .push(PrintfError::TimeFormat(char::from(after.unwrap_or(0))));
                    // bash prints the `%` and goes on after it.
                    self.out.push(b'%');
                    return Ok((start + 1, Flow::Go));
                };
                let strf = String::from_utf8_lossy(&fmt[i + 1..i + 1 + close]).into_owned();
                let end = i + 1 + close + 2;
                let Some(clock) = self.clock else {
                    return Err(PrintfError::NoClock);
                };
                let secs = match self.args.get(self.next) {
                    None => -1,
                    Some(_) => self.int_arg(),
                };
                let secs = match secs {
                    -1 => clock.now(),
                    -2 => clock.shell_start(),
                    s => s,
                };
                let strf = if strf.is_empty() { "%X" } else { strf.as_str() };
                let text = clock.strftime(strf, secs);
                self.put_str(text.as_bytes(), spec);
                return Ok((end, Flow::Go));
            }
            b'e' | b'E' | b'f' | b'F' | b'g' | b'G' | b'a' | b'A' => {
                spec.precision = spec.precision.map(|p| p.min(MAX_FLOAT_PRECISION));
                let v = self.float_arg();
                let text = format_float(v, conv, spec);
                self.put_str(
                    text.as_bytes(),
                    Spec {
                        precision: None,
                        ..spec
                    },
                );
            }
            other => return Err(PrintfError::InvalidFormat(char::from(other))),
        }
        Ok((end, Flow::Go))
    }

    /// `bytes`, cut to the precision, padded with spaces to the width.
    fn put_str(&mut self, bytes: &[u8], spec: Spec) {
        let body = spec
            .precision
            .map_or(bytes, |p| &bytes[..p.min(bytes.len())]);
        let pad = spec.width.saturating_sub(body.len());
        if !spec.left {
            self.out.resize(self.out.len() + pad, b' ');
        }
        self.out.extend_from_slice(body);
        if spec.left {
            self.out.resize(self.out.len() + pad, b' ');
        }
    }

    /// An integer: sign, prefix, digits at least `precision` long, padded.
    fn put_int(&mut self, sign: &str, prefix: &str, digits: &str, spec: Spec) {
        let digits = if spec.precision == Some(0) && digits == "0" {
            ""
        } else {
            digits
        };
        let min = spec.precision.unwrap_or(0);
        let zeros = min.saturating_sub(digits.len());
        let len = sign.len() + prefix.len() + zeros + digits.len();
        let pad = spec.width.saturating_sub(len);
        let zero_pad = spec.zero && !spec.left && spec.precision.is_none();
        if !spec.left && !zero_pad {
            self.out.resize(self.out.len() + pad, b' ');
        }
        self.out.extend_from_slice(sign.as_bytes());
        self.out.extend_from_slice(prefix.as_bytes());
        if zero_pad {
            self.out.resize(self.out.len() + pad, b'0');
        }
        self.out.resize(self.out.len() + zeros, b'0');
        self.out.extend_from_slice(digits.as_bytes());
        if spec.left {
            self.out.resize(self.out.len() + pad, b' ');
        }
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

/// Widths and precisions past this are cut to it: bash would print
/// gigabytes; the shell would run out of memory first.
const MAX_FIELD: usize = 1 << 20;

/// Float precisions past this are cut to it (exact digits cost time).
const MAX_FLOAT_PRECISION: usize = 100_000;

fn clamp_usize(n: u64) -> usize {
    usize::try_from(n).map_or(MAX_FIELD, |n| n.min(MAX_FIELD))
}

/// Decimal digits at the start of `s`: their value (saturating) and count.
fn digits(s: &[u8]) -> (usize, usize) {
    let n = s.iter().take_while(|c| c.is_ascii_digit()).count();
    let v = s[..n].iter().fold(0usize, |acc, d| {
        acc.saturating_mul(10)
            .saturating_add(usize::from(d - b'0'))
            .min(MAX_FIELD)
    });
    (v, n)
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

/// C's `%e %f %g %a` (and upper-case forms) of `v`, with sign and width.
fn format_float(v: Ld, conv: u8, spec: Spec) -> String {
    let upper = conv.is_ascii_uppercase();
    let sign = if v.is_negative() {
        "-"
    } else if spec.plus {
        "+"
    } else if spec.space {
        " "
    } else {
        ""
    };
    let prec = spec.precision.unwrap_or(6);
    let (m, e) = match v {
        Ld::Finite { m, e, .. } => (m, e),
        Ld::Inf(_) | Ld::Nan(_) => {
            let t = if matches!(v, Ld::Nan(_)) {
                "nan"
            } else {
                "inf"
            };
            let t = if upper {
                t.to_uppercase()
            } else {
                t.to_owned()
            };
            return pad_num(sign, "", &t, spec, false);
        }
    };
    let (body, prefix) = match conv.to_ascii_lowercase() {
        b'f' => (float::fixed(m, e, prec, spec.alt), ""),
        b'e' => (float::exponential(m, e, prec, spec.alt), ""),
        b'g' => (float::general(m, e, prec, spec.alt), ""),
        _ => (float::hex(m, e, spec.precision, spec.alt), "0x"),
    };
    let (body, prefix) = if upper {
        (body.to_uppercase(), prefix.to_uppercase())
    } else {
        (body, prefix.to_owned())
    };
    pad_num(sign, &prefix, &body, spec, true)
}

fn pad_num(sign: &str, prefix: &str, body: &str, spec: Spec, zero_ok: bool) -> String {
    let len = sign.len() + prefix.len() + body.len();
    let pad = spec.width.saturating_sub(len);
    let mut s = String::with_capacity(len + pad);
    if spec.left {
        s.push_str(sign);
        s.push_str(prefix);
        s.push_str(body);
        s.extend(std::iter::repeat_n(' ', pad));
    } else if spec.zero && zero_ok {
        s.push_str(sign);
        s.push_str(prefix);
        s.extend(std::iter::repeat_n('0', pad));
        s.push_str(body);
    } else {
        s.extend(std::iter::repeat_n(' ', pad));
        s.push_str(sign);
        s.push_str(prefix);
        s.push_str(body);
    }
    s
}

#[cfg(test)]
#[path = "tests/printf.rs"]
mod tests;
