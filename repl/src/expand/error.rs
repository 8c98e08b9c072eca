//! Why an expansion failed, in bash's words.

use super::env::SubstError;

/// An expansion error. `Display` is bash's message without the shell's
/// `name: line N:` prefix.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// `set -u` and an unset parameter: `x: unbound variable`.
    #[error("{0}: unbound variable")]
    Unbound(String),
    /// `${x:?}` / `${x?}` / `${x:?msg}` on an unset (or null) parameter.
    #[error("{name}: {message}")]
    NullOrUnset {
        /// The parameter.
        name: String,
        /// The expanded message, or bash's default.
        message: String,
    },
    /// A `${…}` bash cannot parse or apply: `${x!}: bad substitution`.
    #[error("{0}: bad substitution")]
    BadSubstitution(String),
    /// `${!x}` where x does not hold a parameter name.
    #[error("{0}: invalid variable name")]
    InvalidName(String),
    /// An arithmetic error: the expression, bash's reason and its error token.
    #[error("{text}: {reason} (error token is \"{token}\")")]
    Arith {
        /// The expression as evaluated (after `$` expansion).
        text: String,
        /// `division by 0`, `syntax error: operand expected`…
        reason: String,
        /// Where bash's evaluator stopped.
        token: String,
    },
    /// `${x:o:l}` with a length that ends before the offset.
    #[error("{0}: substring expression < 0")]
    NegativeLength(String),
    /// Assignment by `${x:=w}` or arithmetic refused (`x: readonly variable`).
    #[error("{0}")]
    Assign(String),
    /// A redirection target that expanded to more or fewer than one field.
    #[error("{0}: ambiguous redirect")]
    AmbiguousRedirect(String),
    /// `shopt -s failglob` and a pattern without match.
    #[error("no match: {0}")]
    NoMatch(String),
    /// `${!x}` with x unset.
    #[error("{0}: invalid indirect expansion")]
    InvalidIndirect(String),
    /// `${1:=w}`, `${#:=w}`: not a variable.
    #[error("${0}: cannot assign in this way")]
    CannotAssign(String),
    /// `$(…)` failed or the shell is exiting.
    #[error(transparent)]
    Subst(#[from] SubstError),
}

impl ExpandError {
    /// Whether a non-interactive bash exits on this error (every expansion
    /// error except a bad redirection target and a failed `$(…)` start).
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        !matches!(
            self,
            ExpandError::AmbiguousRedirect(_) | ExpandError::Subst(SubstError::Failed(_))
        )
    }

    /// Whether bash abandons only the command being run (the rest of the
    /// line) rather than the whole shell: arithmetic errors, bad
    /// indirections and substitutions, negative substring lengths.
    #[must_use]
    pub fn discards(&self) -> bool {
        matches!(
            self,
            ExpandError::Arith { .. }
                | ExpandError::InvalidIndirect(_)
                | ExpandError::InvalidName(_)
                | ExpandError::BadSubstitution(_)
                | ExpandError::NegativeLength(_)
        )
    }

    /// The status bash gives: 127 for an unbound variable and `${x:?}`
    /// (also the exit status of the shell they end), 1 otherwise.
    #[must_use]
    pub fn status(&self) -> i32 {
        match self {
            ExpandError::Unbound(_) | ExpandError::NullOrUnset { .. } => 127,
            _ => 1,
        }
    }
}
