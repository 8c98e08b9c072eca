//! The shell language front end: text → corral's syntax tree.
//!
//! brush-parser (pinned in `repl/Cargo.toml`) tokenizes and parses bash;
//! this module is the only place that sees its types. [`parse`] runs it and
//! lowers the result into [`ast`], a tree the interpreter owns:
//!
//! - a [`Program`](ast::Program) is a [`List`](ast::List) of
//!   [`Item`](ast::Item)s, each an and-or list of pipelines marked for the
//!   background when it ended with `&` (any command can be a job);
//! - a pipeline holds [`Command`](ast::Command)s: simple commands
//!   (assignments, words, redirections in order), compound commands (with
//!   their own redirections) and function definitions;
//! - [`Word`](ast::Word)s keep their quoting as [`WordPart`](ast::WordPart)s,
//!   with every `${…}` operator decoded and `$(…)`/backquotes parsed
//!   recursively, so the expander applies bash's rules without re-lexing;
//! - arithmetic stays text ([`Arith`](ast::Arith)): bash expands `$x` in it
//!   before evaluating it ([`arith`] evaluates it);
//! - every node has a [`Span`](ast::Span) (line, column, byte offsets) for
//!   error messages and `$LINENO`.
//!
//! Errors are [`SyntaxError`]s with bash's wording and the position;
//! [`is_incomplete`] tells the REPL to read a continuation line. [`print`]
//! renders commands in bash's canonical form (what `jobs` shows).

pub mod arith;
pub mod ast;
mod error;
mod lower;
pub mod print;
mod word;

#[cfg(test)]
mod tests;

pub use error::SyntaxError;
pub use word::decode_ansi_c;

use brush_parser::{ParseError, TokenizerError};

use lower::{Frame, Lower, Source};

/// Deepest bracket nesting handed to brush-parser, whose recursive descent
/// would otherwise exhaust the stack on hostile input.
const MAX_NESTING: usize = 200;

/// Parses a script or command line.
///
/// # Errors
/// A [`SyntaxError`] naming the offending token (or the construct left open)
/// with its line and column; the shell's status for it is 2, as in bash.
pub fn parse(text: &str) -> Result<ast::Program, SyntaxError> {
    let src = Source::new(text);
    parse_nested(&src, text, 0, 0)
}

/// Whether `text` is a valid beginning that more lines could complete: an
/// open quote, `$(`, here-document, `if` without `fi`, a trailing `|`,
/// `&&`, `||` or backslash. A complete text or a real error gives `false`.
#[must_use]
pub fn is_incomplete(text: &str) -> bool {
    match parse(text) {
        Ok(_) => false,
        Err(e) => e.is_incomplete(),
    }
}

/// Parses `text`, found at byte `base` of `src` (nested for `$(…)`).
fn parse_nested(src: &Source<'_>, text: &str, base: usize, depth: usize) -> Result<ast::Program, SyntaxError> {
    if let Some(at) = too_deep(text) {
        return Err(SyntaxError::TooDeep {
            pos: src.pos(base + at),
        });
    }
    let options = word::options(word::Context::Normal);
    let mut parser = brush_parser::Parser::new(text.as_bytes(), &options);
    let frame = Frame::new(text, base);
    match parser.parse_program() {
        Ok(program) => Lower::new(src, depth).program(&frame, &program),
        Err(e) => Err(convert_error(src, &frame, &e)),
    }
}

/// The byte offset where bracket nesting first exceeds [`MAX_NESTING`].
fn too_deep(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '(' | '{' | '[' | '`' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(i);
                }
            }
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

fn convert_error(src: &Source<'_>, frame: &Frame<'_>, e: &ParseError) -> SyntaxError {
    let end = src.pos(frame_end(frame));
    match e {
        ParseError::ParsingNear(p) => {
            let at = frame_offset(frame, p.index);
            SyntaxError::UnexpectedToken {
                token: token_at(frame.text, p.index),
                pos: src.pos(at),
            }
        }
        ParseError::ParsingAtEndOfInput => SyntaxError::UnexpectedEof { pos: end },
        ParseError::Tokenizing { inner, position } => {
            let pos_of = |p: &brush_parser::SourcePosition| src.pos(frame_offset(frame, p.index));
            let at = position.as_ref().map_or(end, pos_of);
            match inner {
                TokenizerError::UnterminatedSingleQuote(p) | TokenizerError::UnterminatedAnsiCQuote(p) => {
                    SyntaxError::Unterminated { closer: '\'', pos: pos_of(p) }
                }
                TokenizerError::UnterminatedDoubleQuote(p) => SyntaxError::Unterminated { closer: '"', pos: pos_of(p) },
                TokenizerError::UnterminatedBackquote(p) => SyntaxError::Unterminated { closer: '`', pos: pos_of(p) },
                TokenizerError::UnterminatedExtendedGlob(p) => SyntaxError::Unterminated { closer: ')', pos: pos_of(p) },
                TokenizerError::UnterminatedCommandSubstitution => SyntaxError::Unterminated { closer: ')', pos: at },
                TokenizerError::UnterminatedVariable | TokenizerError::UnterminatedExpansion => {
                    SyntaxError::Unterminated { closer: '}', pos: at }
                }
                TokenizerError::UnterminatedHereDocuments(tags, _) => SyntaxError::UnterminatedHereDoc {
                    delimiter: tags.clone(),
                    pos: end,
                },
                TokenizerError::MissingHereTag(_) | TokenizerError::MissingHereTagForDocumentBody => {
                    SyntaxError::UnexpectedToken { token: "newline".to_owned(), pos: at }
                }
                _ => SyntaxError::UnexpectedEof { pos: end },
            }
        }
    }
}

fn frame_end(frame: &Frame<'_>) -> usize {
    frame_offset(frame, usize::MAX)
}

fn frame_offset(frame: &Frame<'_>, char_index: usize) -> usize {
    frame.absolute(char_index)
}

/// The token starting at character `index` of `text`, as bash names it.
fn token_at(text: &str, index: usize) -> String {
    let rest: String = text.chars().skip(index).collect();
    if let Ok(tokens) = brush_parser::tokenize_str(&rest) {
        if let Some(t) = tokens.first() {
            let s = t.to_str();
            return if s == "\n" { "newline".to_owned() } else { s.to_owned() };
        }
    }
    let word: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
    if word.is_empty() {
        "newline".to_owned()
    } else {
        word
    }
}

/// What the `lang` fuzz target and the corpus replay check: any input parses
/// or fails without panicking, and what parses prints to text that parses
/// back to the same printed form.
pub fn fuzz_entry(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = is_incomplete(text);
    if let Ok(program) = parse(text) {
        let printed = print::list(&program.body);
        if let Ok(again) = parse(&printed) {
            assert_eq!(print::list(&again.body), printed, "print is not stable for {text:?}");
        }
    }
}
