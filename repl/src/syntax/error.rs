//! Syntax and expansion errors.

use std::fmt;

use super::ast::Span;

/// What went wrong while parsing. `Display` gives the message alone, e.g.
/// `unexpected token '|'`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyntaxErrorKind {
    /// A token that cannot appear here, e.g. `| a`, `a ; ; b`, `(a) b`.
    UnexpectedToken(String),
    /// `'…` or `$'…` without the closing quote.
    UnterminatedSingleQuote,
    /// `"…` without the closing quote.
    UnterminatedDoubleQuote,
    /// A backslash at the very end of the input.
    TrailingBackslash,
    /// `${` without `}` on the same line.
    UnterminatedBrace,
    /// `${…}` whose content is not a plain parameter name (e.g. `${x:-y}`).
    BadSubstitution(String),
    /// Nothing (or an operator) after `|`, `&&` or `||`.
    ExpectedCommandAfter(String),
    /// A `)` with no `(` before it.
    UnmatchedCloseParen,
    /// A `(` never closed (reported at the `(`).
    MissingCloseParen,
    /// A redirection operator without a file name after it.
    ExpectedFileName(String),
    /// `n>&` / `<&` not followed by a descriptor number.
    ExpectedFileDescriptor(String),
    /// A descriptor number that does not fit in 32 bits.
    FileDescriptorTooLarge,
    /// `$(…)` or `` `…` ``.
    CommandSubstitution,
    /// `$((…))`.
    ArithmeticExpansion,
    /// `<<` or `<<<`.
    HereDocument,
    /// `<(…)` or `>(…)`.
    ProcessSubstitution,
    /// `|&`.
    PipeStderr,
    /// `>&-` / `<&-`.
    CloseDescriptor,
    /// A reserved word of sh in command position: `if`, `for`, `while`, `{`, `!`…
    UnsupportedKeyword(String),
    /// `name() …`.
    FunctionDefinition,
    /// More than [`MAX_NESTING`](super::MAX_NESTING) nested `(`.
    TooDeep,
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use SyntaxErrorKind as K;
        match self {
            K::UnexpectedToken(t) => write!(f, "unexpected token '{t}'"),
            K::UnterminatedSingleQuote => f.write_str("unterminated single quote"),
            K::UnterminatedDoubleQuote => f.write_str("unterminated double quote"),
            K::TrailingBackslash => f.write_str("unexpected end of input after '\\'"),
            K::UnterminatedBrace => f.write_str("missing '}' after '${'"),
            K::BadSubstitution(s) => {
                write!(f, "bad substitution: '{s}' (only ${{NAME}} is supported)")
            }
            K::ExpectedCommandAfter(op) => write!(f, "expected a command after '{op}'"),
            K::UnmatchedCloseParen => f.write_str("unmatched ')'"),
            K::MissingCloseParen => f.write_str("missing ')' for this '('"),
            K::ExpectedFileName(op) => write!(f, "expected a file name after '{op}'"),
            K::ExpectedFileDescriptor(op) => {
                write!(f, "expected a file descriptor number after '{op}'")
            }
            K::FileDescriptorTooLarge => f.write_str("file descriptor number too large"),
            K::CommandSubstitution => f.write_str("command substitution is not supported"),
            K::ArithmeticExpansion => f.write_str("arithmetic expansion is not supported"),
            K::HereDocument => f.write_str("here-documents ('<<') are not supported"),
            K::ProcessSubstitution => f.write_str("process substitution is not supported"),
            K::PipeStderr => f.write_str("'|&' is not supported; use '2>&1 |'"),
            K::CloseDescriptor => f.write_str("closing a file descriptor ('>&-') is not supported"),
            K::UnsupportedKeyword(k) => match k.as_str() {
                "{" | "}" => f.write_str("brace groups are not supported; use ( … )"),
                "!" => f.write_str("pipeline negation '!' is not supported"),
                "function" => f.write_str("function definitions are not supported"),
                "[[" | "]]" => write!(f, "'{k}' is not supported; use test or ["),
                _ => write!(
                    f,
                    "'{k}' is not supported: there are no loops or conditionals; use && and ||"
                ),
            },
            K::FunctionDefinition => f.write_str("function definitions are not supported"),
            K::TooDeep => write!(
                f,
                "too many nested '(' (the limit is {})",
                super::MAX_NESTING
            ),
        }
    }
}

/// A syntax error with its position. Nothing of the input should run.
///
/// `line` and `column` are 1-based; columns count Unicode scalar values
/// (`char`s), not bytes or display cells. A tab counts as one column.
///
/// `Display` gives `syntax error at column C: MESSAGE` when the error is on
/// the first line, `syntax error at line L, column C: MESSAGE` otherwise;
/// [`display_with_line`](Self::display_with_line) always names the line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct SyntaxError {
    /// What went wrong.
    pub kind: SyntaxErrorKind,
    /// 1-based line of the offending place.
    pub line: usize,
    /// 1-based column (in chars) of the offending place.
    pub column: usize,
    /// Byte offset of the offending place in the source.
    pub offset: usize,
    /// True when more input could make the source valid (unterminated quote,
    /// trailing `\`, `|`, `&&` or `||`, unclosed `(`): an interactive front
    /// end should read a continuation line instead of reporting the error.
    pub incomplete: bool,
}

impl SyntaxError {
    pub(crate) fn new(kind: SyntaxErrorKind, src: &str, offset: usize, incomplete: bool) -> Self {
        let (line, column) = line_column(src, offset);
        SyntaxError {
            kind,
            line,
            column,
            offset,
            incomplete,
        }
    }

    /// The message alone, e.g. `unterminated single quote`.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// `syntax error at line L, column C: MESSAGE`, for multi-line input.
    pub fn display_with_line(&self) -> String {
        format!(
            "syntax error at line {}, column {}: {}",
            self.line, self.column, self.kind
        )
    }

    /// See [`SyntaxError::incomplete`].
    pub fn is_incomplete(&self) -> bool {
        self.incomplete
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 1 {
            write!(f, "syntax error at column {}: {}", self.column, self.kind)
        } else {
            f.write_str(&self.display_with_line())
        }
    }
}

/// 1-based (line, column-in-chars) of byte `offset` in `src`. Offsets past
/// the end (or inside a char) are clamped to the previous char boundary.
pub(crate) fn line_column(src: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(src.len());
    while !src.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = src.get(..offset).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or("").chars().count() + 1;
    (line, column)
}

/// An error found while expanding a word.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// A redirection target that expanded to zero or several fields
    /// (`>$UNSET`, `>*.txt` with two matches). `word` is the target as
    /// printed by the `Word` Display impl (`$X`); the span gives the text
    /// as typed.
    #[error("{word}: ambiguous redirect")]
    AmbiguousRedirect {
        /// The target word (canonical form).
        word: String,
        /// Its source span.
        span: Span,
    },
}
