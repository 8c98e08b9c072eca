//! bash's `long double` (x87: a 64-bit mantissa) for `%e %f %g %a`, read
//! and printed exactly as glibc's `strtold` and `printf` do: decimal text is
//! rounded once to 64 bits (nearest, ties to even), and printing rounds the
//! exact binary value the same way. Big integers are plain `u32` limbs.

/// A `long double`: `±m × 2^e` (`m == 0` is zero), or infinity, or NaN.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Ld {
    /// A finite value.
    Finite {
        /// Negative (also `-0`).
        neg: bool,
        /// The mantissa.
        m: u64,
        /// The binary exponent.
        e: i64,
    },
    /// `±inf`.
    Inf(bool),
    /// `±nan`.
    Nan(bool),
}

impl Ld {
    pub(super) fn from_u32(v: u32) -> Ld {
        Ld::Finite {
            neg: false,
            m: u64::from(v),
            e: 0,
        }
    }

    pub(super) fn is_negative(self) -> bool {
        match self {
            Ld::Finite { neg, .. } | Ld::Inf(neg) | Ld::Nan(neg) => neg,
        }
    }
}

/// Past this many decimal digits or this decimal exponent, values are zero
/// or infinite for an x87 `long double`.
const MAX_DIGITS: usize = 800;
const MAX_EXP10: i64 = 4933;
const MIN_EXP10: i64 = -4952;
const MIN_EXP2: i64 = -16445;
const MAX_EXP2: i64 = 16384;

#[derive(Clone, Debug, PartialEq, Eq)]
struct Big(Vec<u32>);

impl Big {
    fn from_u64(v: u64) -> Big {
        let mut b = Big(vec![v as u32, (v >> 32) as u32]);
        b.trim();
        b
    }

    fn trim(&mut self) {
        while self.0.last() == Some(&0) {
            self.0.pop();
        }
    }

    fn is_zero(&self) -> bool {
        self.0.is_empty()
    }

    fn bit_len(&self) -> u64 {
        match self.0.last() {
            None => 0,
            Some(top) => (self.0.len() as u64 - 1) * 32 + u64::from(32 - top.leading_zeros()),
        }
    }

    fn mul_small(&mut self, k: u32) {
        let mut carry = 0u64;
        for limb in &mut self.0 {
            let v = u64::from(*limb) * u64::from(k) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
        self.trim();
    }

    fn add_small(&mut self, k: u32) {
        let mut carry = u64::from(k);
        for limb in &mut self.0 {
            if carry == 0 {
                return;
            }
            let v = u64::from(*limb) + carry;
            *limb = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            self.0.push(carry as u32);
        }
    }

    /// `self = self / k`; returns the remainder.
    fn div_small(&mut self, k: u32) -> u32 {
        let mut rem = 0u64;
        for limb in self.0.iter_mut().rev() {
            let v = (rem << 32) | u64::from(*limb);
            *limb = (v / u64::from(k)) as u32;
            rem = v % u64::from(k);
        }
        self.trim();
        rem as u32
    }

    fn mul_pow10(&mut self, mut n: u64) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n as u32));
    }

    /// Divides by `10^n`; returns whether a remainder was dropped.
    fn div_pow10(&mut self, mut n: u64) -> bool {
        let mut sticky = false;
        while n >= 9 {
            sticky |= self.div_small(1_000_000_000) != 0;
            n -= 9;
        }
        sticky |= self.div_small(10u32.pow(n as u32)) != 0;
        sticky
    }

    fn shl(&mut self, n: u64) {
        let (limbs, bits) = ((n / 32) as usize, (n % 32) as u32);
        if bits != 0 {
            let mut carry = 0u32;
            for limb in &mut self.0 {
                let v = (*limb << bits) | carry;
                carry = *limb >> (32 - bits);
                *limb = v;
            }
            if carry != 0 {
                self.0.push(carry);
            }
        }
        if !self.is_zero() {
            self.0.splice(0..0, std::iter::repeat_n(0, limbs));
        }
    }

    /// Shifts right; returns whether a one bit was dropped.
    fn shr(&mut self, n: u64) -> bool {
        let limbs = usize::try_from(n / 32).unwrap_or(usize::MAX);
        let bits = (n % 32) as u32;
        if limbs >= self.0.len() {
            let sticky = !self.is_zero();
            self.0.clear();
            return sticky;
        }
        let mut sticky = self.0.drain(..limbs).any(|l| l != 0);
        if bits != 0 {
            sticky |= self.0.first().is_some_and(|l| l & ((1 << bits) - 1) != 0);
            let len = self.0.len();
            for i in 0..len {
                let hi = self.0.get(i + 1).copied().unwrap_or(0);
                self.0[i] = (self.0[i] >> bits) | (hi << (32 - bits));
            }
        }
        self.trim();
        sticky
    }

    fn low_bit(&self) -> bool {
        self.0.first().is_some_and(|l| l & 1 == 1)
    }

    fn to_u64(&self) -> u64 {
        let lo = u64::from(self.0.first().copied().unwrap_or(0));
        let hi = u64::from(self.0.get(1).copied().unwrap_or(0));
        lo | (hi << 32)
    }

    fn to_decimal(&self) -> String {
        if self.is_zero() {
            return "0".to_owned();
        }
        let mut n = self.clone();
        let mut chunks = Vec::new();
        while !n.is_zero() {
            chunks.push(n.div_small(1_000_000_000));
        }
        let mut s = String::with_capacity(chunks.len() * 9);
        for (i, c) in chunks.iter().rev().enumerate() {
            if i == 0 {
                s.push_str(&c.to_string());
            } else {
                s.push_str(&format!("{c:09}"));
            }
        }
        s
    }
}

/// `2q + half` with `sticky` (what lies below the half bit): `q` rounded to
/// nearest, ties to even.
fn round_half_even(mut twice: Big, sticky: bool) -> Big {
    let half = twice.low_bit();
    twice.shr(1);
    if half && (sticky || twice.low_bit()) {
        twice.add_small(1);
    }
    twice
}

/// Rounds `n` (exactly `n × 2^e`, plus `sticky` below it) to 64 bits.
fn normalize(mut n: Big, mut e: i64, sticky: bool, neg: bool) -> (Ld, bool) {
    let len = n.bit_len();
    if len == 0 {
        return (Ld::Finite { neg, m: 0, e: 0 }, false);
    }
    if len > 64 {
        let drop = len - 64;
        let s = n.shr(drop - 1) || sticky;
        n = round_half_even(n, s);
        e += i64::try_from(drop).unwrap_or(i64::MAX);
        if n.bit_len() > 64 {
            n.shr(1);
            e += 1;
        }
    }
    let m = n.to_u64();
    let top = i64::try_from(64 - u64::from(m.leading_zeros())).unwrap_or(0);
    if e + top > MAX_EXP2 {
        return (Ld::Inf(neg), true);
    }
    if e < MIN_EXP2 {
        return (Ld::Finite { neg, m: 0, e: 0 }, true);
    }
    (Ld::Finite { neg, m, e }, false)
}

/// Decimal digits `digits` (no sign) times `10^exp10`, rounded to a
/// `long double`; the flag is C's `ERANGE`.
fn from_decimal(digits: &str, exp10: i64, neg: bool) -> (Ld, bool) {
    let digits = digits.trim_start_matches('0');
    if digits.is_empty() {
        return (Ld::Finite { neg, m: 0, e: 0 }, false);
    }
    let (kept, dropped) = digits.split_at(digits.len().min(MAX_DIGITS));
    let mut exp10 = exp10 + (digits.len() - kept.len()) as i64;
    let mut n = Big(Vec::new());
    for d in kept.bytes() {
        n.mul_small(10);
        n.add_small(u32::from(d - b'0'));
    }
    if dropped.bytes().any(|d| d != b'0') {
        // Digits past the limit only matter as "something below".
        n.mul_small(10);
        n.add_small(1);
        exp10 -= 1;
    }
    let magnitude = exp10 + kept.len() as i64;
    if magnitude > MAX_EXP10 {
        return (Ld::Inf(neg), true);
    }
    if magnitude < MIN_EXP10 {
        return (Ld::Finite { neg, m: 0, e: 0 }, true);
    }
    if exp10 >= 0 {
        n.mul_pow10(exp10.unsigned_abs());
        return normalize(n, 0, false, neg);
    }
    let k = exp10.unsigned_abs();
    // Enough bits that the quotient has more than 66.
    let want = 68 + (k * 3322).div_ceil(1000);
    let shift = want.saturating_sub(n.bit_len());
    n.shl(shift);
    let sticky = n.div_pow10(k);
    normalize(n, -i64::try_from(shift).unwrap_or(0), sticky, neg)
}

/// C's `strtold`: the value, the bytes used (0: none) and `ERANGE`.
pub(super) fn parse(s: &str) -> (Ld, usize, bool) {
    let b = s.as_bytes();
    let mut i = b
        .iter()
        .take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))
        .count();
    let mut neg = false;
    if let Some(&c @ (b'+' | b'-')) = b.get(i) {
        neg = c == b'-';
        i += 1;
    }
    let rest = b.get(i..).unwrap_or(&[]);
    let starts =
        |w: &str| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w.as_bytes());
    if starts("infinity") {
        return (Ld::Inf(neg), i + 8, false);
    }
    if starts("inf") {
        return (Ld::Inf(neg), i + 3, false);
    }
    if starts("nan") {
        let mut used = i + 3;
        if b.get(used) == Some(&b'(') {
            if let Some(close) = b[used..].iter().position(|&c| c == b')') {
                if b[used + 1..used + close]
                    .iter()
                    .all(|c| c.is_ascii_alphanumeric() || *c == b'_')
                {
                    used += close + 1;
                }
            }
        }
        return (Ld::Nan(neg), used, false);
    }
    if starts("0x") {
        if let Some((v, used, erange)) = parse_hex(&rest[2..], neg) {
            return (v, i + 2 + used, erange);
        }
    }
    let mut j = i;
    let int_len = b[j..].iter().take_while(|c| c.is_ascii_digit()).count();
    let mut digits: String = s[j..j + int_len].to_owned();
    j += int_len;
    let mut frac_len = 0;
    if b.get(j) == Some(&b'.') {
        frac_len = b[j + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if int_len + frac_len > 0 {
            digits.push_str(&s[j + 1..j + 1 + frac_len]);
            j += 1 + frac_len;
        }
    }
    if int_len + frac_len == 0 {
        return (
            Ld::Finite {
                neg: false,
                m: 0,
                e: 0,
            },
            0,
            false,
        );
    }
    let mut exp10: i64 = 0;
    if matches!(b.get(j), Some(b'e' | b'E')) {
        let mut k = j + 1;
        let mut eneg = false;
        if let Some(&c @ (b'+' | b'-')) = b.get(k) {
            eneg = c == b'-';
            k += 1;
        }
        let n = b[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        if n > 0 {
            let v = b[k..k + n].iter().fold(0i64, |acc, d| {
                acc.saturating_mul(10)
                    .saturating_add(i64::from(d - b'0'))
                    .min(1 << 40)
            });
            exp10 = if eneg { -v } else { v };
            j = k + n;
        }
    }
    let (v, erange) = from_decimal(&digits, exp10 - frac_len as i64, neg);
    (v, j, erange)
}

/// The part of a hex float after `0x`.
fn parse_hex(b: &[u8], neg: bool) -> Option<(Ld, usize, bool)> {
    let mut n = Big(Vec::new());
    let mut exp: i64 = 0;
    let mut any = false;
    let mut seen_dot = false;
    let mut j = 0;
    while let Some(&c) = b.get(j) {
        if c == b'.' && !seen_dot {
            seen_dot = true;
        } else if let Some(d) = char::from(c).to_digit(16) {
            any = true;
            if n.bit_len() < 200 {
                n.mul_small(16);
                n.add_small(d);
                if seen_dot {
                    exp -= 4;
                }
            } else if !seen_dot {
                exp += 4;
            }
        } else {
            break;
        }
        j += 1;
    }
    if !any {
        return None;
    }
    if matches!(b.get(j), Some(b'p' | b'P')) {
        let mut k = j + 1;
        let mut eneg = false;
        if let Some(&c @ (b'+' | b'-')) = b.get(k) {
            eneg = c == b'-';
            k += 1;
        }
        let cnt = b[k..].iter().take_while(|c| c.is_ascii_digit()).count();
        if cnt > 0 {
            let v = b[k..k + cnt].iter().fold(0i64, |acc, d| {
                acc.saturating_mul(10)
                    .saturating_add(i64::from(d - b'0'))
                    .min(1 << 40)
            });
            exp += if eneg { -v } else { v };
            j = k + cnt;
        }
    }
    let (v, erange) = normalize(n, exp, false, neg);
    Some((v, j, erange))
}

/// `round(|v| × 10^j)` for a finite `v = m × 2^e`.
fn scaled(m: u64, e: i64, j: i64) -> Big {
    let mut n = Big::from_u64(m);
    if j > 0 {
        n.mul_pow10(j.unsigned_abs());
    }
    n.shl(1);
    let mut sticky = false;
    if e >= 0 {
        n.shl(e.unsigned_abs());
    } else {
        sticky |= n.shr(e.unsigned_abs());
    }
    if j < 0 {
        sticky |= n.div_pow10(j.unsigned_abs());
    }
    round_half_even(n, sticky)
}

/// More decimal digits than `m × 2^e` has significant ones: past them,
/// every digit is 0 and need not be computed.
fn exact_digits_bound(e: i64) -> usize {
    22 + (e.unsigned_abs() as usize) * 7 / 10
}

/// `%f`'s digits of `|v|` (without sign).
pub(super) fn fixed(m: u64, e: i64, prec: usize, alt: bool) -> String {
    // The fraction of m × 2^e ends after max(0, -e) digits.
    let needed = prec.min(usize::try_from(-e.min(0)).unwrap_or(usize::MAX));
    let mut digits = scaled(m, e, needed as i64).to_decimal();
    digits.extend(std::iter::repeat_n('0', prec - needed));
    let digits = if digits.len() < prec + 1 {
        "0".repeat(prec + 1 - digits.len()) + &digits
    } else {
        digits
    };
    let (int, frac) = digits.split_at(digits.len() - prec);
    let mut s = int.to_owned();
    if prec > 0 || alt {
        s.push('.');
    }
    s.push_str(frac);
    s
}

/// `%e`'s mantissa digits (`prec + 1` of them) and decimal exponent.
fn exp_digits(m: u64, e: i64, prec: usize) -> (String, i64) {
    if m == 0 {
        return ("0".repeat(prec + 1), 0);
    }
    let bound = exact_digits_bound(e);
    if prec >= bound {
        let (mut d, x) = exp_digits(m, e, bound - 1);
        d.extend(std::iter::repeat_n('0', prec + 1 - bound));
        return (d, x);
    }
    let estimate = (m as f64).log10() + (e as f64) * std::f64::consts::LOG10_2;
    let mut x = estimate.floor() as i64;
    for _ in 0..4 {
        let d = scaled(m, e, prec as i64 - x).to_decimal();
        match d.len().cmp(&(prec + 1)) {
            std::cmp::Ordering::Greater => x += 1,
            std::cmp::Ordering::Less => x -= 1,
            std::cmp::Ordering::Equal => return (d, x),
        }
    }
    let d = scaled(m, e, prec as i64 - x).to_decimal();
    (d, x)
}

fn exp_text(digits: &str, x: i64, alt: bool) -> String {
    let (lead, rest) = digits.split_at(1);
    let dot = if rest.is_empty() && !alt { "" } else { "." };
    format!(
        "{lead}{dot}{rest}e{}{:02}",
        if x < 0 { '-' } else { '+' },
        x.unsigned_abs()
    )
}

/// `%e`'s text of `|v|`.
pub(super) fn exponential(m: u64, e: i64, prec: usize, alt: bool) -> String {
    let (d, x) = exp_digits(m, e, prec);
    exp_text(&d, x, alt)
}

/// `%g`'s text of `|v|`.
pub(super) fn general(m: u64, e: i64, prec: usize, alt: bool) -> String {
    let p = prec.max(1);
    let (d, x) = exp_digits(m, e, p - 1);
    let p = p as i64;
    let mut s = if x < p && x >= -4 {
        fixed(m, e, usize::try_from(p - 1 - x).unwrap_or(0), alt)
    } else {
        exp_text(&d, x, alt)
    };
    if !alt {
        let (mant, exp) = match s.find('e') {
            Some(i) => (s[..i].to_owned(), s[i..].to_owned()),
            None => (s.clone(), String::new()),
        };
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            mant
        };
        s = mant + &exp;
    }
    s
}

/// glibc's `%La` of `|v|` (without `0x`): the first hex digit holds the
/// mantissa's top 4 bits; `alt` (`#`) always shows the point.
pub(super) fn hex(m: u64, e: i64, precision: Option<usize>, alt: bool) -> String {
    if m == 0 {
        return match precision {
            Some(p) if p > 0 => format!("0.{}p+0", "0".repeat(p)),
            _ if alt => "0.p+0".to_owned(),
            _ => "0p+0".to_owned(),
        };
    }
    let shift = m.leading_zeros();
    let m = m << shift;
    let mut exp = e - i64::from(shift) + 60;
    let mut lead = m >> 60;
    let rest = m & ((1 << 60) - 1);
    let frac = match precision {
        None => format!("{rest:015x}").trim_end_matches('0').to_owned(),
        Some(p) if p >= 15 => format!("{rest:015x}{}", "0".repeat(p - 15)),
        Some(p) => {
            let drop = 4 * (15 - p) as u32;
            let mut kept = rest >> drop;
            let dropped = rest & ((1u64 << drop) - 1);
            let half = 1u64 << (drop - 1);
            if dropped > half || (dropped == half && kept & 1 == 1) {
                kept += 1;
            }
            if p == 0 || kept >> (4 * p) != 0 {
                if kept >> (4 * p) != 0 {
                    lead += 1;
                }
                kept &= (1u64 << (4 * p)).wrapping_sub(1);
                if lead == 16 {
                    lead = 1;
                    exp += 4;
                }
            }
            if p == 0 {
                String::new()
            } else {
                format!("{kept:0p$x}")
            }
        }
    };
    let dot = if frac.is_empty() && !alt { "" } else { "." };
    format!(
        "{lead:x}{dot}{frac}p{}{}",
        if exp < 0 { '-' } else { '+' },
        exp.unsigned_abs()
    )
}
