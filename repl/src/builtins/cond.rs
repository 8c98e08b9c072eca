//! `[[ … ]]`: evaluating a [`CondExpr`] as bash 5.2 does.
//!
//! Words are expanded through [`CondEnv`] (no field splitting, no globbing),
//! one operand at a time, so that `&&` and `||` short-circuit the expansions
//! too. The right side of `==`/`!=` is a pattern the expander matches; the
//! right side of `=~` arrives as pieces with their quoting, and quoted pieces
//! match literally. `-eq` & co. evaluate both sides as arithmetic; `<`/`>`
//! compare strings (by code point: the C.UTF-8 collation); unary operators
//! are `test`'s ([`super::test::unary`]).
//!
//! Regexes are POSIX EREs run by the `regex` crate after a small translation
//! of bracket expressions. The crate picks the leftmost-*first* alternative
//! where POSIX picks the leftmost-*longest* (`(a|ab)` on `ab` matches `a`
//! here, `ab` in bash); anchored patterns agree.

use std::future::Future;
use std::pin::Pin;

use super::test::{file_compare, int_compare, unary, FileTests};
use crate::lang::ast::{CondExpr, Word};

/// A boxed, sendable future (expansion may run `$(…)`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A piece of the expanded right side of `=~`: quoted pieces match literally.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegexPiece {
    /// The expanded text.
    pub text: String,
    /// It came from quotes (`"…"`, `'…'`, `\c`, `$'…'`).
    pub quoted: bool,
}

/// What `[[ ]]` needs from the shell. File questions come from the
/// [`FileTests`] supertrait.
pub trait CondEnv: FileTests + Send {
    /// An expansion or arithmetic failure (already reported by the shell).
    type Error: Send;

    /// Expands a word to one string (tilde, parameters, `$(…)`, arithmetic,
    /// quote removal; no splitting or globbing).
    fn expand<'a>(&'a mut self, word: &'a Word) -> BoxFuture<'a, Result<String, Self::Error>>;

    /// Whether `text` matches the pattern `pattern` (quoted parts literal).
    fn matches<'a>(
        &'a mut self,
        pattern: &'a Word,
        text: &'a str,
    ) -> BoxFuture<'a, Result<bool, Self::Error>>;

    /// Expands the right side of `=~` into pieces, keeping their quoting.
    fn regex_pieces<'a>(
        &'a mut self,
        word: &'a Word,
    ) -> BoxFuture<'a, Result<Vec<RegexPiece>, Self::Error>>;

    /// Evaluates an arithmetic expression (operands of `-eq` & co.).
    ///
    /// # Errors
    /// The shell's arithmetic error (bash: status 1, with a message).
    fn arith(&mut self, expr: &str) -> Result<i64, Self::Error>;

    /// Sets `BASH_REMATCH` (empty after a failed match).
    fn set_rematch(&mut self, groups: Vec<String>);

    /// Whether each test is to be traced (`set -x`).
    fn tracing(&self) -> bool {
        false
    }

    /// `shopt -s nocasematch`: `=~` ignores case (`==` asks
    /// [`CondEnv::matches`], which knows it too).
    fn nocasematch(&self) -> bool {
        false
    }

    /// Traces one test (`[[ -d / ]]`) when [`CondEnv::tracing`].
    fn trace(&mut self, _text: String) -> BoxFuture<'_, ()> {
        Box::pin(std::future::ready(()))
    }
}

/// Why `[[ ]]` could not decide.
#[derive(Debug, thiserror::Error)]
pub enum CondError<E> {
    /// An expansion or arithmetic failed: what the shell said (status 1).
    #[error("expansion failed")]
    Env(E),
    /// The regex does not compile: bash returns 2 without a message.
    #[error("invalid regular expression: {0}")]
    BadRegex(String),
    /// An operator the evaluator does not know (the parser accepted it).
    #[error("{0}: unexpected operator")]
    UnknownOperator(String),
}

impl<E> CondError<E> {
    /// The exit status bash gives this failure.
    #[must_use]
    pub fn status(&self) -> i32 {
        match self {
            CondError::Env(_) => 1,
            CondError::BadRegex(_) | CondError::UnknownOperator(_) => 2,
        }
    }
}

/// Evaluates `[[ expr ]]`: `Ok(true)` is status 0, `Ok(false)` status 1.
///
/// # Errors
/// [`CondError`]; its [`CondError::status`] is the command's status.
///
/// # Cancel safety
/// Dropping the future abandons the evaluation; `BASH_REMATCH` is only set
/// once a `=~` has been decided.
pub fn eval<'a, E: CondEnv>(
    expr: &'a CondExpr,
    env: &'a mut E,
) -> BoxFuture<'a, Result<bool, CondError<E::Error>>> {
    Box::pin(async move {
        match expr {
            CondExpr::And(a, b) => Ok(eval(a, env).await? && eval(b, env).await?),
            CondExpr::Or(a, b) => Ok(eval(a, env).await? || eval(b, env).await?),
            CondExpr::Not(a) => Ok(!eval(a, env).await?),
            CondExpr::Group(a) => eval(a, env).await,
            CondExpr::Unary(op, word) => {
                let text = env.expand(word).await.map_err(CondError::Env)?;
                if env.tracing() {
                    env.trace(format!("[[ {op} {text} ]]")).await;
                }
                if !super::test::is_unary_op(op) {
                    return Err(CondError::UnknownOperator(op.clone()));
                }
                Ok(unary(op, &text, &*env))
            }
            CondExpr::Binary(op, left, right) => binary(op, left, right, env).await,
        }
    })
}

async fn binary<E: CondEnv>(
    op: &str,
    left: &Word,
    right: &Word,
    env: &mut E,
) -> Result<bool, CondError<E::Error>> {
    let lhs = env.expand(left).await.map_err(CondError::Env)?;
    if env.tracing() {
        env.trace(format!("[[ {lhs} {op} {} ]]", right.raw)).await;
    }
    match op {
        "==" | "=" | "!=" => {
            let m = env.matches(right, &lhs).await.map_err(CondError::Env)?;
            Ok(m == (op != "!="))
        }
        "=~" => {
            let pieces = env.regex_pieces(right).await.map_err(CondError::Env)?;
            let re = compile_case(&pieces, env.nocasematch())?;
            match re.captures(&lhs) {
                Some(caps) => {
                    let groups = caps
                        .iter()
                        .map(|g| g.map_or_else(String::new, |m| m.as_str().to_owned()))
                        .collect();
                    env.set_rematch(groups);
                    Ok(true)
                }
                None => {
                    env.set_rematch(Vec::new());
                    Ok(false)
                }
            }
        }
        "<" | ">" => {
            let rhs = env.expand(right).await.map_err(CondError::Env)?;
            Ok(if op == "<" { lhs < rhs } else { lhs > rhs })
        }
        "-nt" | "-ot" | "-ef" => {
            let rhs = env.expand(right).await.map_err(CondError::Env)?;
            Ok(file_compare(op, &lhs, &rhs, &*env))
        }
        _ => {
            let rhs = env.expand(right).await.map_err(CondError::Env)?;
            let a = env.arith(&lhs).map_err(CondError::Env)?;
            let b = env.arith(&rhs).map_err(CondError::Env)?;
            int_compare(op, a, b).ok_or_else(|| CondError::UnknownOperator(op.to_owned()))
        }
    }
}

/// The `regex` crate's pattern for `=~`'s right side.
///
/// # Errors
/// [`CondError::BadRegex`] when it does not compile.
pub fn compile<E>(pieces: &[RegexPiece]) -> Result<regex::Regex, CondError<E>> {
    compile_case(pieces, false)
}

/// [`compile`], ignoring case when `nocase`.
///
/// # Errors
/// [`CondError::BadRegex`] when it does not compile.
pub fn compile_case<E>(pieces: &[RegexPiece], nocase: bool) -> Result<regex::Regex, CondError<E>> {
    let source = ere_to_regex(pieces);
    regex::RegexBuilder::new(&source)
        .case_insensitive(nocase)
        .build()
        .map_err(|e| CondError::BadRegex(e.to_string()))
}

/// Translates a POSIX ERE (with quoted pieces literal) to the `regex`
/// crate's syntax: inside brackets, `\` is literal and a `[` that opens no
/// class (`[:alpha:]`, `[=a=]`, `[.a.]`) is literal, and `&`, `~` are
/// escaped (they are set operators to the crate).
#[must_use]
pub fn ere_to_regex(pieces: &[RegexPiece]) -> String {
    let mut out = String::new();
    // Inside a bracket expression: how many characters since its `[`
    // (a `]` or `^]` at its start is literal).
    let mut bracket: Option<usize> = None;
    for piece in pieces {
        if piece.quoted {
            for c in piece.text.chars() {
                if bracket.is_some() {
                    push_class_literal(&mut out, c);
                } else {
                    out.push_str(&regex::escape(c.encode_utf8(&mut [0; 4])));
                }
            }
            if let Some(n) = bracket.as_mut() {
                *n += piece.text.chars().count();
            }
            continue;
        }
        let chars: Vec<char> = piece.text.chars().collect();
        let mut i = 0;
        while let Some(&c) = chars.get(i) {
            match bracket {
                None => match c {
                    '\\' => {
                        out.push('\\');
                        if let Some(&n) = chars.get(i + 1) {
                            out.push(n);
                            i += 1;
                        }
                    }
                    '[' => {
                        out.push('[');
                        bracket = Some(0);
                        if chars.get(i + 1) == Some(&'^') {
                            out.push('^');
                            i += 1;
                        }
                    }
                    _ => out.push(c),
                },
                Some(n) => {
                    if c == ']' && n > 0 {
                        out.push(']');
                        bracket = None;
                    } else if c == '[' && matches!(chars.get(i + 1), Some(':' | '=' | '.')) {
                        // A class like `[:alpha:]` is copied up to its `:]`.
                        let delim = chars.get(i + 1).copied().unwrap_or(':');
                        let rest = &chars[i + 2..];
                        match rest.windows(2).position(|w| w[0] == delim && w[1] == ']') {
                            Some(end) => {
                                let class: String = chars[i..i + 2 + end + 2].iter().collect();
                                if delim == ':' {
                                    out.push_str(&class);
                                } else {
                                    // `[=a=]` and `[.a.]`: the character itself.
                                    for lc in &chars[i + 2..i + 2 + end] {
                                        push_class_literal(&mut out, *lc);
                                    }
                                }
                                i += 2 + end + 1;
                            }
                            None => push_class_literal(&mut out, c),
                        }
                        bracket = Some(n + 1);
                    } else {
                        if c == '-' && n > 0 && chars.get(i + 1) != Some(&']') {
                            out.push('-');
                        } else {
                            push_class_literal(&mut out, c);
                        }
                        bracket = Some(n + 1);
                    }
                }
            }
            i += 1;
        }
    }
    out
}

fn push_class_literal(out: &mut String, c: char) {
    if matches!(c, '\\' | '[' | ']' | '&' | '~' | '-' | '^') {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
#[path = "tests/cond.rs"]
mod tests;
