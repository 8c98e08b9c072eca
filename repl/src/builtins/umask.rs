//! `umask [-p] [-S] [mode]`, as bash 5.2 parses and prints masks.
//!
//! Pure: the wrapper reads the current mask, passes it to [`new_mask`],
//! sets the result with `umask(2)` (the kernel keeps its low 9 bits) and
//! prints [`UmaskArgs::output`]. Errors are bash's words without the
//! `corral: umask: ` prefix; option errors ([`UmaskError::Usage`]) are
//! reported by [`BuiltinOptError::report`] (usage line, status 2).

use super::getopts::{BuiltinOptError, BuiltinOpts};

/// `umask`'s arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UmaskArgs {
    /// `-p`: print in a form that can be reused as input.
    pub reusable: bool,
    /// `-S`: print symbolically (`u=rwx,g=rx,o=rx`).
    pub symbolic: bool,
    /// The new mode, if any (further operands are ignored, as in bash).
    pub mode: Option<String>,
}

/// Why `umask` failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UmaskError {
    /// An unknown option (status 2, then the usage line), or `--help`.
    #[error("{0}")]
    Usage(BuiltinOptError),
    /// A mode starting with a digit that is not octal or exceeds 07777.
    #[error("{0}: octal number out of range")]
    OctalRange(String),
    /// A clause without `+`, `-` or `=` (the character found; NUL at the end).
    #[error("`{0}': invalid symbolic mode operator")]
    InvalidOperator(char),
    /// A permission letter other than `r`, `w`, `x`.
    #[error("`{0}': invalid symbolic mode character")]
    InvalidCharacter(char),
}

impl UmaskError {
    /// bash's status: 2 for usage errors, else 1.
    #[must_use]
    pub fn status(&self) -> i32 {
        match self {
            UmaskError::Usage(_) => 2,
            _ => 1,
        }
    }
}

/// Parses `umask`'s arguments (without `umask`).
///
/// # Errors
/// [`UmaskError::Usage`].
pub fn parse_args(args: &[String]) -> Result<UmaskArgs, UmaskError> {
    let mut out = UmaskArgs::default();
    let argv: Vec<String> = std::iter::once("umask".to_owned())
        .chain(args.iter().cloned())
        .collect();
    let mut opts = BuiltinOpts::new(&argv, "pS");
    for opt in opts.by_ref() {
        match opt.map_err(UmaskError::Usage)?.letter {
            'p' => out.reusable = true,
            _ => out.symbolic = true,
        }
    }
    out.mode = opts.rest().first().cloned();
    Ok(out)
}

/// The mask `mode` sets, given the `current` one: octal (`022`, up to
/// 07777) or symbolic clauses (`u=rwx,g-w,o+r`, `a=r`, `=rx`) applied to
/// the permissions the current mask allows.
///
/// # Errors
/// [`UmaskError::OctalRange`] or a symbolic-mode error.
pub fn new_mask(mode: &str, current: u32) -> Result<u32, UmaskError> {
    if mode.starts_with(|c: char| c.is_ascii_digit()) {
        let v = mode
            .bytes()
            .try_fold(0u32, |acc, d| match d {
                b'0'..=b'7' => Some(acc * 8 + u32::from(d - b'0')).filter(|v| *v <= 0o7777),
                _ => None,
            })
            .ok_or_else(|| UmaskError::OctalRange(mode.to_owned()))?;
        return Ok(v);
    }
    let bits = apply_symbolic(mode, !current & 0o777)?;
    Ok(!bits & 0o777)
}

/// bash's `parse_symbolic_mode` on permission bits.
fn apply_symbolic(mode: &str, mut bits: u32) -> Result<u32, UmaskError> {
    let mut s = mode.chars().peekable();
    loop {
        let mut who = 0u32;
        while let Some(&c @ ('u' | 'g' | 'o' | 'a')) = s.peek() {
            who |= match c {
                'u' => 0o700,
                'g' => 0o070,
                'o' => 0o007,
                _ => 0o777,
            };
            s.next();
        }
        let op = s.next().unwrap_or('\0');
        if !matches!(op, '+' | '-' | '=') {
            return Err(UmaskError::InvalidOperator(op));
        }
        let mut perm = 0u32;
        while let Some(&c @ ('r' | 'w' | 'x')) = s.peek() {
            perm |= match c {
                'r' => 0o444,
                'w' => 0o222,
                _ => 0o111,
            };
            s.next();
        }
        match s.next() {
            None | Some(',') => {}
            Some(c) => return Err(UmaskError::InvalidCharacter(c)),
        }
        if who != 0 {
            perm &= who;
        }
        match op {
            '+' => bits |= perm,
            '-' => bits &= !perm,
            _ => {
                let who = if who == 0 { 0o777 } else { who };
                bits = (bits & !who) | perm;
            }
        }
        if s.peek().is_none() && !mode.ends_with(',') {
            return Ok(bits);
        }
        if s.peek().is_none() {
            // A trailing comma starts an empty clause: no operator.
            return Err(UmaskError::InvalidOperator('\0'));
        }
    }
}

/// `u=rwx,g=rx,o=rx`: the permissions `mask` leaves.
#[must_use]
pub fn symbolic(mask: u32) -> String {
    let bits = !mask & 0o777;
    let class = |shift: u32| {
        let b = (bits >> shift) & 7;
        let mut s = String::new();
        for (bit, c) in [(4, 'r'), (2, 'w'), (1, 'x')] {
            if b & bit != 0 {
                s.push(c);
            }
        }
        s
    };
    format!("u={},g={},o={}", class(6), class(3), class(0))
}

impl UmaskArgs {
    /// What `umask` prints once the mask is `mask` (empty when a mode was
    /// set without `-S`).
    #[must_use]
    pub fn output(&self, mask: u32) -> String {
        if self.mode.is_some() {
            return if self.symbolic {
                format!("{}\n", symbolic(mask))
            } else {
                String::new()
            };
        }
        let mut out = String::new();
        if self.reusable {
            out.push_str(if self.symbolic { "umask -S " } else { "umask " });
        }
        if self.symbolic {
            out.push_str(&symbolic(mask));
        } else {
            out.push_str(&format!("{mask:04o}"));
        }
        out.push('\n');
        out
    }
}

#[cfg(test)]
#[path = "tests/umask.rs"]
mod tests;
