//! bash arithmetic: `$((…))`, `((…))`, `for ((…))`, `let`, array subscripts.
//!
//! [`eval`] takes the expression *after* the shell expanded `$x` and
//! `$(…)` in it (as bash does) and computes it over 64-bit integers that wrap
//! on overflow, with bash's operators and precedence (brush-parser's
//! arithmetic grammar), number bases (`0x1f`, `017`, `2#101`, `64#@`), and
//! variables read and written through [`Vars`]. A variable whose value is
//! itself an expression is evaluated (`x=1+2; $((x*2))` is 6); an unset or
//! empty one is 0.

use brush_parser::ast as b;

pub mod check;

/// How the evaluator reads and assigns shell variables.
pub trait Vars {
    /// The value of `name` (`name[index]` for an array element); `None` when unset.
    fn get(&self, name: &str, index: Option<i64>) -> Option<String>;
    /// Assigns `value` to `name` (or `name[index]`).
    fn set(&mut self, name: &str, index: Option<i64>, value: i64);
    /// Whether `name` is an associative array: its subscript is a key, as
    /// written, not evaluated.
    fn is_assoc(&self, _name: &str) -> bool {
        false
    }
    /// `name[key]` of an associative array; `None` when unset.
    fn get_key(&self, _name: &str, _key: &str) -> Option<String> {
        None
    }
    /// Assigns `name[key]` of an associative array.
    fn set_key(&mut self, _name: &str, _key: &str, _value: i64) {}
}

/// What a target names: a variable, an element, or a key.
enum Sub {
    None,
    Index(i64),
    Key(String),
}

/// Why an arithmetic expression has no value. Each is bash's wording.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArithError {
    /// `x / 0` or `x % 0` (also `/=` and `%=`).
    #[error("division by 0")]
    DivisionByZero,
    /// `x ** -1`
    #[error("exponent less than 0")]
    NegativeExponent,
    /// Not an expression: the text that failed.
    #[error("{text}: syntax error in expression")]
    Syntax {
        /// The expression (or the variable value) that did not parse.
        text: String,
    },
    /// Variables referring to expressions that refer back, too deep.
    #[error("expression recursion level exceeded")]
    TooDeep {
        /// The innermost expression, where the limit was reached (bash names it).
        text: String,
    },
}

/// How deep variable values may refer to other expressions, as in bash. Each
/// level costs a parse on the stack: the interpreter's stack is large (see
/// `sys::startup`), a 2 MiB thread's is not.
const MAX_RECURSION: usize = 1024;

/// Evaluates `text` with `vars`.
///
/// # Errors
/// [`ArithError`] for a syntax error, division by zero, a negative
/// exponent, or variables that recurse too deeply.
pub fn eval(text: &str, vars: &mut dyn Vars) -> Result<i64, ArithError> {
    Evaluator { vars, depth: 0 }.text(text)
}

struct Evaluator<'v> {
    vars: &'v mut dyn Vars,
    depth: usize,
}

impl Evaluator<'_> {
    fn text(&mut self, text: &str) -> Result<i64, ArithError> {
        if self.depth > MAX_RECURSION {
            return Err(ArithError::TooDeep {
                text: text.trim().to_owned(),
            });
        }
        if text.trim().is_empty() {
            return Ok(0);
        }
        // bash's blanks are space, tab and newline: a `\r` is an error.
        if text.contains('\r') {
            return Err(ArithError::Syntax {
                text: text.trim().to_owned(),
            });
        }
        let expr = brush_parser::arithmetic::parse(text).map_err(|_| ArithError::Syntax {
            text: text.trim().to_owned(),
        })?;
        self.depth += 1;
        let out = self.expr(&expr);
        self.depth -= 1;
        out
    }

    fn expr(&mut self, e: &b::ArithmeticExpr) -> Result<i64, ArithError> {
        Ok(match e {
            b::ArithmeticExpr::Literal(n) => *n,
            b::ArithmeticExpr::Reference(t) => self.read(t)?,
            b::ArithmeticExpr::UnaryOp(op, x) => {
                let x = self.expr(x)?;
                match op {
                    b::UnaryOperator::UnaryPlus => x,
                    b::UnaryOperator::UnaryMinus => x.wrapping_neg(),
                    b::UnaryOperator::BitwiseNot => !x,
                    b::UnaryOperator::LogicalNot => i64::from(x == 0),
                }
            }
            b::ArithmeticExpr::BinaryOp(op, l, r) => match op {
                b::BinaryOperator::LogicalAnd => {
                    i64::from(self.expr(l)? != 0 && self.expr(r)? != 0)
                }
                b::BinaryOperator::LogicalOr => i64::from(self.expr(l)? != 0 || self.expr(r)? != 0),
                b::BinaryOperator::Comma => {
                    self.expr(l)?;
                    self.expr(r)?
                }
                _ => {
                    let l = self.expr(l)?;
                    let r = self.expr(r)?;
                    binary(op, l, r)?
                }
            },
            b::ArithmeticExpr::Conditional(c, t, f) => {
                if self.expr(c)? != 0 {
                    self.expr(t)?
                } else {
                    self.expr(f)?
                }
            }
            b::ArithmeticExpr::Assignment(t, v) => {
                let v = self.expr(v)?;
                self.write(t, v)?
            }
            b::ArithmeticExpr::BinaryAssignment(op, t, v) => {
                let old = self.read(t)?;
                let v = self.expr(v)?;
                let new = binary(op, old, v)?;
                self.write(t, new)?
            }
            b::ArithmeticExpr::UnaryAssignment(op, t) => {
                let old = self.read(t)?;
                match op {
                    b::UnaryAssignmentOperator::PrefixIncrement => {
                        self.write(t, old.wrapping_add(1))?
                    }
                    b::UnaryAssignmentOperator::PrefixDecrement => {
                        self.write(t, old.wrapping_sub(1))?
                    }
                    b::UnaryAssignmentOperator::PostfixIncrement => {
                        self.write(t, old.wrapping_add(1))?;
                        old
                    }
                    b::UnaryAssignmentOperator::PostfixDecrement => {
                        self.write(t, old.wrapping_sub(1))?;
                        old
                    }
                }
            }
        })
    }

    fn target(&mut self, t: &b::ArithmeticTarget) -> Result<(String, Sub), ArithError> {
        Ok(match t {
            b::ArithmeticTarget::Variable(name) => (name.clone(), Sub::None),
            b::ArithmeticTarget::ArrayElement(name, index) if self.vars.is_assoc(name) => {
                (name.clone(), Sub::Key(index.to_string()))
            }
            b::ArithmeticTarget::ArrayElement(name, index) => {
                (name.clone(), Sub::Index(self.expr(index)?))
            }
        })
    }

    fn read(&mut self, t: &b::ArithmeticTarget) -> Result<i64, ArithError> {
        let value = match self.target(t)? {
            (name, Sub::None) => self.vars.get(&name, None),
            (name, Sub::Index(i)) => self.vars.get(&name, Some(i)),
            (name, Sub::Key(k)) => self.vars.get_key(&name, &k),
        };
        match value {
            Some(value) => match decimal(&value) {
                Some(n) => Ok(n),
                None => self.text(&value),
            },
            None => Ok(0),
        }
    }

    fn write(&mut self, t: &b::ArithmeticTarget, value: i64) -> Result<i64, ArithError> {
        match self.target(t)? {
            (name, Sub::None) => self.vars.set(&name, None, value),
            (name, Sub::Index(i)) => self.vars.set(&name, Some(i), value),
            (name, Sub::Key(k)) => self.vars.set_key(&name, &k, value),
        }
        Ok(value)
    }
}

/// A value that is a plain decimal integer (blanks around it, an optional
/// sign, no leading zero since that is octal, within i64): the common case of
/// a counter, read without a parse. Anything else is left to the parser.
fn decimal(value: &str) -> Option<i64> {
    let t = value.trim_matches([' ', '\t', '\n']);
    let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
    let plain = !digits.is_empty()
        && digits.bytes().all(|c| c.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if plain {
        t.parse().ok()
    } else {
        None
    }
}

fn binary(op: &b::BinaryOperator, l: i64, r: i64) -> Result<i64, ArithError> {
    // Shift counts wrap modulo 64, as on the machines bash runs on.
    let shift = |n: i64| (n & 63) as u32;
    Ok(match op {
        b::BinaryOperator::Power => {
            if r < 0 {
                return Err(ArithError::NegativeExponent);
            }
            pow(l, r)
        }
        b::BinaryOperator::Multiply => l.wrapping_mul(r),
        b::BinaryOperator::Divide => {
            if r == 0 {
                return Err(ArithError::DivisionByZero);
            }
            l.wrapping_div(r)
        }
        b::BinaryOperator::Modulo => {
            if r == 0 {
                return Err(ArithError::DivisionByZero);
            }
            l.wrapping_rem(r)
        }
        b::BinaryOperator::Comma => r,
        b::BinaryOperator::Add => l.wrapping_add(r),
        b::BinaryOperator::Subtract => l.wrapping_sub(r),
        b::BinaryOperator::ShiftLeft => l.wrapping_shl(shift(r)),
        b::BinaryOperator::ShiftRight => l.wrapping_shr(shift(r)),
        b::BinaryOperator::LessThan => i64::from(l < r),
        b::BinaryOperator::LessThanOrEqualTo => i64::from(l <= r),
        b::BinaryOperator::GreaterThan => i64::from(l > r),
        b::BinaryOperator::GreaterThanOrEqualTo => i64::from(l >= r),
        b::BinaryOperator::Equals => i64::from(l == r),
        b::BinaryOperator::NotEquals => i64::from(l != r),
        b::BinaryOperator::BitwiseAnd => l & r,
        b::BinaryOperator::BitwiseXor => l ^ r,
        b::BinaryOperator::BitwiseOr => l | r,
        b::BinaryOperator::LogicalAnd => i64::from(l != 0 && r != 0),
        b::BinaryOperator::LogicalOr => i64::from(l != 0 || r != 0),
    })
}

/// `base ** exp` wrapping, by squaring.
fn pow(mut base: i64, mut exp: i64) -> i64 {
    let mut acc: i64 = 1;
    while exp > 0 {
        if exp & 1 == 1 {
            acc = acc.wrapping_mul(base);
        }
        base = base.wrapping_mul(base);
        exp >>= 1;
    }
    acc
}
