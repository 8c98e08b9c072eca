//! The format engine: one pass over the format, each conversion spec and
//! the argument it formats; taking and reading the arguments is the parent's.

use super::escape::{escape, expand_b, Escape};
use super::float::{self, Ld};
use super::{quote, Flow, Printer, PrintfError};
use crate::rawbytes::decode;

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

impl Spec {
    /// The sign a number gets: `-`, or what the `+` and space flags ask for.
    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }
}

impl Printer<'_> {
    /// One pass over the format.
    pub(super) fn pass(&mut self, fmt: &[u8]) -> Flow {
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
                let sign = spec.sign(n < 0);
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

/// C's `%e %f %g %a` (and upper-case forms) of `v`, with sign and width.
fn format_float(v: Ld, conv: u8, spec: Spec) -> String {
    let upper = conv.is_ascii_uppercase();
    let sign = spec.sign(v.is_negative());
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
