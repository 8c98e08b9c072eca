//! Syntax errors of the front end, with their position and bash's wording.

use super::ast::Pos;

/// Why a text is not a valid script.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    /// A token where the grammar does not allow it (bash: status 2).
    #[error("line {}, column {}: syntax error near unexpected token `{token}'", pos.line, pos.column)]
    UnexpectedToken {
        /// The token as bash names it (`newline` for a line end).
        token: String,
        /// Where the token starts.
        pos: Pos,
    },
    /// The input ended inside a command (`if` without `fi`, a trailing `|`…).
    #[error("line {}, column {}: syntax error: unexpected end of file", pos.line, pos.column)]
    UnexpectedEof {
        /// The end of the input.
        pos: Pos,
    },
    /// The input ended inside a quote, `$(`, `${` or backquote.
    #[error("line {}, column {}: unexpected EOF while looking for matching `{closer}'", pos.line, pos.column)]
    Unterminated {
        /// The character that was expected (`"`, `'`, `` ` ``, `)`, `}`).
        closer: char,
        /// Where the unterminated construct starts (or the end of input).
        pos: Pos,
    },
    /// A here-document whose delimiter line never came.
    #[error("line {}, column {}: here-document delimited by end-of-file (wanted `{delimiter}')", pos.line, pos.column)]
    UnterminatedHereDoc {
        /// The delimiter that was expected.
        delimiter: String,
        /// The end of the input.
        pos: Pos,
    },
    /// Valid bash that corral does not run.
    #[error("line {}, column {}: {what} is not supported", pos.line, pos.column)]
    Unsupported {
        /// The construct (`coproc`).
        what: &'static str,
        /// Where it starts.
        pos: Pos,
    },
    /// Nesting deeper than the front end follows (`$($($(…)))`, `((((…))))`).
    #[error("line {}, column {}: expression nested too deeply", pos.line, pos.column)]
    TooDeep {
        /// Where the limit was hit.
        pos: Pos,
    },
}

impl SyntaxError {
    /// Where the error is.
    #[must_use]
    pub fn pos(&self) -> Pos {
        match self {
            SyntaxError::UnexpectedToken { pos, .. }
            | SyntaxError::UnexpectedEof { pos }
            | SyntaxError::Unterminated { pos, .. }
            | SyntaxError::UnterminatedHereDoc { pos, .. }
            | SyntaxError::Unsupported { pos, .. }
            | SyntaxError::TooDeep { pos } => *pos,
        }
    }

    /// The message without its position, worded as bash words it
    /// (`syntax error near unexpected token `fi'`), for `corral: line N: …`.
    #[must_use]
    pub fn message(&self) -> String {
        let full = self.to_string();
        match full.split_once(": ") {
            Some((_, rest)) => rest.to_owned(),
            None => full,
        }
    }

    /// Whether more input could complete the text (the REPL's continuation
    /// prompt): the input ended inside a construct.
    #[must_use]
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            SyntaxError::UnexpectedEof { .. }
                | SyntaxError::Unterminated { .. }
                | SyntaxError::UnterminatedHereDoc { .. }
        )
    }
}
