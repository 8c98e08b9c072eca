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
//! [`is_incomplete`] tells the REPL to read a continuation line. [`print`](mod@print)
//! renders commands in bash's canonical form (what `jobs` shows).

mod ansi_c;
pub mod arith;
pub mod ast;
mod casesubst;
mod error;
mod lower;
mod patch;
pub mod print;
mod print_word;
mod source;
mod word;

#[cfg(test)]
mod tests;

pub use ansi_c::decode_ansi_c;
pub use error::SyntaxError;

use brush_parser::{ParseError, TokenizerError};

use lower::Lower;
use source::{Frame, Source};

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

/// A here-document the input ended in before its delimiter line: bash
/// takes the rest of the input as its body and warns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HereDocAtEof {
    /// The delimiter that never came.
    pub delimiter: String,
    /// The line of its `<<` (for the first one; bash names the last line
    /// for the others).
    pub line: u32,
    /// The input's last line, where bash reports it.
    pub last_line: u32,
}

impl std::fmt::Display for HereDocAtEof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "warning: here-document at line {} delimited by end-of-file (wanted `{}')",
            self.line, self.delimiter
        )
    }
}

/// [`parse`] for a text no more input will follow: a here-document left
/// open ends at the end of the input, as in bash, and is returned for the
/// warning.
///
/// # Errors
/// As [`parse`].
pub fn parse_to_end(text: &str) -> Result<(ast::Program, Vec<HereDocAtEof>), SyntaxError> {
    let delimiters = match parse(text) {
        Ok(p) => return Ok((p, Vec::new())),
        Err(SyntaxError::UnterminatedHereDoc { delimiter, .. }) => delimiter,
        Err(e) => return Err(e),
    };
    let names: Vec<&str> = delimiters.split(", ").collect();
    let mut closed = text.to_owned();
    if !closed.ends_with('\n') {
        closed.push('\n');
    }
    let last_line = u32::try_from(closed.matches('\n').count()).unwrap_or(u32::MAX);
    for n in &names {
        closed.push_str(n);
        closed.push('\n');
    }
    let program = match parse(&closed) {
        Ok(p) => p,
        Err(_) => return parse(text).map(|p| (p, Vec::new())),
    };
    let src = Source::new(text);
    let warnings = names
        .iter()
        .enumerate()
        .map(|(k, n)| HereDocAtEof {
            delimiter: (*n).to_owned(),
            line: heredoc_operator(text, n)
                .filter(|_| k == 0)
                .map_or(last_line, |at| src.pos(at).line),
            last_line,
        })
        .collect();
    Ok((program, warnings))
}

/// The byte offset of the last `<<` (or `<<-`) in `text` whose delimiter
/// word, unquoted, is `delimiter`.
fn heredoc_operator(text: &str, delimiter: &str) -> Option<usize> {
    text.match_indices("<<")
        .map(|(i, _)| i)
        .filter(|&i| {
            let rest = &text[i + 2..];
            if rest.starts_with('<') || (i > 0 && text[..i].ends_with('<')) {
                return false;
            }
            let rest = rest.strip_prefix('-').unwrap_or(rest);
            let word: String = rest
                .trim_start_matches([' ', '\t'])
                .chars()
                .take_while(|c| !c.is_whitespace() && !";&|<>()".contains(*c))
                .filter(|c| !matches!(c, '"' | '\'' | '\\'))
                .collect();
            word == delimiter
        })
        .last()
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
fn parse_nested(
    src: &Source<'_>,
    text: &str,
    base: usize,
    depth: usize,
) -> Result<ast::Program, SyntaxError> {
    if let Some(at) = too_deep(text) {
        return Err(SyntaxError::TooDeep {
            pos: src.pos(base + at),
        });
    }
    let options = word::options(word::Context::Normal);
    let (patched, inserted) = patch::for_brush(text);
    let mut parser = brush_parser::Parser::new(patched.as_bytes(), &options);
    let frame = Frame::new(text, base, inserted);
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
    let mut end = src.pos(frame_end(frame));
    // bash reads a last line without its newline as if it had one: the
    // end of the input is on the line after it.
    if end.offset == src.text.len() && !src.text.is_empty() && !src.text.ends_with('\n') {
        end.line += 1;
        end.column = 1;
    }
    match e {
        ParseError::ParsingNear(p) => {
            let at = frame.original_index(p.index);
            let (token, index) = misplaced_keyword(frame.text, Some(at))
                .unwrap_or_else(|| (token_at(frame.text, at), at));
            SyntaxError::UnexpectedToken {
                token,
                pos: src.pos(frame.base + frame.byte_of(index)),
            }
        }
        ParseError::ParsingAtEndOfInput => match misplaced_keyword(frame.text, None) {
            Some((token, index)) => SyntaxError::UnexpectedToken {
                token,
                pos: src.pos(frame.base + frame.byte_of(index)),
            },
            None => SyntaxError::UnexpectedEof { pos: end },
        },
        ParseError::Tokenizing { inner, position } => {
            let pos_of = |p: &brush_parser::SourcePosition| src.pos(frame_offset(frame, p.index));
            let at = position.as_ref().map_or(end, pos_of);
            match inner {
                TokenizerError::UnterminatedSingleQuote(p)
                | TokenizerError::UnterminatedAnsiCQuote(p) => SyntaxError::Unterminated {
                    closer: '\'',
                    pos: pos_of(p),
                },
                TokenizerError::UnterminatedDoubleQuote(p) => SyntaxError::Unterminated {
                    closer: '"',
                    pos: pos_of(p),
                },
                TokenizerError::UnterminatedBackquote(p) => SyntaxError::Unterminated {
                    closer: '`',
                    pos: pos_of(p),
                },
                TokenizerError::UnterminatedExtendedGlob(p) => SyntaxError::Unterminated {
                    closer: ')',
                    pos: pos_of(p),
                },
                TokenizerError::UnterminatedCommandSubstitution
                | TokenizerError::UnterminatedVariable
                | TokenizerError::UnterminatedExpansion => {
                    let closer = match inner {
                        TokenizerError::UnterminatedCommandSubstitution => ')',
                        TokenizerError::UnterminatedVariable => '}',
                        _ if frame.text.rfind("${") > frame.text.rfind("$(") => '}',
                        _ => ')',
                    };
                    // bash names the line a `${` or `$((` opened on; an open
                    // `$(` it parses as commands, up to the end.
                    let pos = open_at(frame.text, closer).map_or(at, |i| src.pos(frame.base + i));
                    SyntaxError::Unterminated { closer, pos }
                }
                TokenizerError::UnterminatedHereDocuments(tags, _) => {
                    SyntaxError::UnterminatedHereDoc {
                        delimiter: tags.clone(),
                        pos: end,
                    }
                }
                TokenizerError::MissingHereTag(_)
                | TokenizerError::MissingHereTagForDocumentBody => SyntaxError::UnexpectedToken {
                    token: "newline".to_owned(),
                    pos: at,
                },
                _ => SyntaxError::UnexpectedEof { pos: end },
            }
        }
    }
}

/// Where the `${` or `$((` left open in `text` starts (byte offset); `None`
/// for an open `$(`.
fn open_at(text: &str, closer: char) -> Option<usize> {
    match closer {
        '}' => text.rfind("${"),
        _ => {
            let arith = text.rfind("$((");
            let subst = text
                .match_indices("$(")
                .map(|(i, _)| i)
                .filter(|&i| !text[i + 2..].starts_with('('))
                .last();
            arith.filter(|&a| subst.is_none_or(|s| a > s))
        }
    }
}

fn frame_end(frame: &Frame<'_>) -> usize {
    frame_offset(frame, usize::MAX)
}

fn frame_offset(frame: &Frame<'_>, char_index: usize) -> usize {
    frame.offset(char_index)
}

/// brush-parser 0.4.0 reports an unexpected reserved word one token late
/// (`fi` alone fails "at end of input"; `fi\n` "near" the newline): its
/// grammar first tries the word as a function name and fails at the next
/// token. When the token before the reported one (`reported`: a character
/// index; `None`: the end) is a closing or continuing reserved word in
/// command position that does not fit the constructs open before it, that
/// word is the culprit: returns it and its character index.
fn misplaced_keyword(text: &str, reported: Option<usize>) -> Option<(String, usize)> {
    use brush_parser::Token;
    let tokens = brush_parser::tokenize_str(text).ok()?;
    let i = match reported {
        Some(at) => tokens.iter().position(|t| t.location().start.index >= at)?,
        None => tokens.len(),
    };
    let cand = tokens.get(i.checked_sub(1)?)?;
    let word = match cand {
        Token::Word(w, _) => w.as_str(),
        Token::Operator(..) => return None,
    };
    if !matches!(
        word,
        "fi" | "done" | "esac" | "then" | "else" | "elif" | "do" | "}"
    ) {
        return None;
    }
    let command_position = |k: usize| match k.checked_sub(1).and_then(|p| tokens.get(p)) {
        None => true,
        Some(Token::Operator(op, _)) => matches!(
            op.as_str(),
            ";" | "&" | "&&" | "||" | "|" | "|&" | "(" | ")" | "\n" | ";;" | ";&" | ";;&"
        ),
        Some(Token::Word(w, _)) => {
            matches!(
                w.as_str(),
                "then" | "else" | "elif" | "do" | "if" | "while" | "until" | "!" | "{"
            )
        }
    };
    // Open constructs before the candidate: (kind, last keyword seen).
    let mut open: Vec<(&str, &str)> = Vec::new();
    for (k, t) in tokens.iter().enumerate().take(i - 1) {
        let Token::Word(w, _) = t else { continue };
        if !command_position(k) {
            continue;
        }
        let w = w.as_str();
        match w {
            "if" => open.push(("if", "if")),
            "for" | "while" | "until" | "select" => open.push(("loop", w)),
            "case" => open.push(("case", "case")),
            "{" => open.push(("{", "{")),
            "then" | "elif" | "else" | "do" => {
                if let Some(top) = open.last_mut() {
                    top.1 = w;
                }
            }
            "fi" | "done" | "esac" | "}" => {
                open.pop();
            }
            _ => {}
        }
    }
    let previous = i
        .checked_sub(2)
        .and_then(|p| tokens.get(p))
        .map(|t| t.to_str().to_owned())
        .unwrap_or_default();
    let empty_body = matches!(previous.as_str(), "then" | "else" | "do" | "{");
    let fits = match (open.last(), word) {
        // A condition cannot be empty: `if then`, `while do`.
        (Some(("if", "if" | "elif")), "then") => !matches!(previous.as_str(), "if" | "elif"),
        (Some(("loop", "while" | "until")), "do") => {
            !matches!(previous.as_str(), "while" | "until")
        }
        (Some(("if", "then")), "elif" | "else" | "fi") => !empty_body,
        (Some(("if", "else")), "fi") => !empty_body,
        (Some(("loop", "for" | "select")), "do") => true,
        (Some(("loop", "do")), "done") => !empty_body,
        (Some(("case", _)), "esac") => true,
        (Some(("{", _)), "}") => !empty_body,
        _ => false,
    };
    if fits || !command_position(i - 1) {
        return None;
    }
    Some((word.to_owned(), cand.location().start.index))
}

/// The token starting at character `index` of `text`, as bash names it.
fn token_at(text: &str, index: usize) -> String {
    let rest: String = text.chars().skip(index).collect();
    if let Ok(tokens) = brush_parser::tokenize_str(&rest) {
        if let Some(t) = tokens.first() {
            let s = t.to_str();
            return if s == "\n" {
                "newline".to_owned()
            } else {
                s.to_owned()
            };
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
            assert_eq!(
                print::list(&again.body),
                printed,
                "print is not stable for {text:?}"
            );
        }
    }
}
