//! The tokenizer: turns source text into words and operators on demand, so
//! that the parser sees errors in source order.

use super::ast::{Span, Word, WordPart};
use super::error::{SyntaxError, SyntaxErrorKind as K};
use super::word::WordBuilder;

/// A redirection operator (the optional leading descriptor number is kept
/// separately in [`TokKind::Redir`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RedirOp {
    /// `<`
    Less,
    /// `<&`
    LessAnd,
    /// `>` or `>|`
    Great,
    /// `>>`
    DGreat,
    /// `>&`
    GreatAnd,
    /// `&>`
    AndGreat,
    /// `&>>`
    AndDGreat,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TokKind {
    Word(Word),
    Redir { fd: Option<u32>, op: RedirOp },
    Pipe,
    OrOr,
    Amp,
    AndAnd,
    Semi,
    LParen,
    RParen,
    Newline,
    Eof,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokKind,
    pub span: Span,
}

pub(crate) struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

fn is_blank(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn ends_word(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '|' | '&' | ';' | '(' | ')' | '<' | '>'
    )
}

fn is_special_param(c: char) -> bool {
    matches!(c, '?' | '!' | '$' | '#' | '@' | '*' | '-')
}

/// Is `s` a parameter name we accept inside `${…}`?
fn is_param_name(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        Some(c) if c.is_ascii_digit() => chars.all(|c| c.is_ascii_digit()),
        Some(c) if is_special_param(c) => chars.next().is_none(),
        _ => false,
    }
}

/// Shortens `s` for an error message.
pub(crate) fn snippet(s: &str) -> String {
    const MAX: usize = 40;
    if s.chars().count() <= MAX {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(MAX).collect();
        out.push('…');
        out
    }
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a str) -> Self {
        Lexer { src, pos: 0 }
    }

    fn rest(&self) -> &'a str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek2(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err(&self, kind: K, offset: usize, incomplete: bool) -> SyntaxError {
        SyntaxError::new(kind, self.src, offset, incomplete)
    }

    /// Skips blanks, `\`-newline continuations and a comment.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(c) if is_blank(c) => {
                    self.bump();
                }
                Some('\\') if self.peek2() == Some('\n') => self.pos += 2,
                Some('#') => {
                    let len = self.rest().find('\n').unwrap_or(self.rest().len());
                    self.pos += len;
                }
                _ => return,
            }
        }
    }

    pub fn next_token(&mut self) -> Result<Token, SyntaxError> {
        self.skip_blanks();
        let start = self.pos;
        let Some(c) = self.peek() else {
            return Ok(self.token(TokKind::Eof, start));
        };
        if c == '<' || c == '>' {
            return self.redir(None, start);
        }
        if !ends_word(c) {
            return self.word(start);
        }
        self.bump();
        let kind = match c {
            '\n' => TokKind::Newline,
            ';' => TokKind::Semi,
            '(' => TokKind::LParen,
            ')' => TokKind::RParen,
            '|' => match self.peek() {
                Some('|') => {
                    self.bump();
                    TokKind::OrOr
                }
                Some('&') => return Err(self.err(K::PipeStderr, start, false)),
                _ => TokKind::Pipe,
            },
            // '&'
            _ => match self.peek() {
                Some('&') => {
                    self.bump();
                    TokKind::AndAnd
                }
                Some('>') => {
                    self.bump();
                    let op = if self.peek() == Some('>') {
                        self.bump();
                        RedirOp::AndDGreat
                    } else {
                        RedirOp::AndGreat
                    };
                    TokKind::Redir { fd: None, op }
                }
                _ => TokKind::Amp,
            },
        };
        Ok(self.token(kind, start))
    }

    fn token(&self, kind: TokKind, start: usize) -> Token {
        Token {
            kind,
            span: Span::new(start, self.pos),
        }
    }

    /// Lexes a redirection operator at `self.pos` (which is `<` or `>`).
    fn redir(&mut self, fd: Option<u32>, start: usize) -> Result<Token, SyntaxError> {
        let op_pos = self.pos;
        let first = self.bump();
        let op = match (first, self.peek()) {
            (Some('<'), Some('<')) => return Err(self.err(K::HereDocument, op_pos, false)),
            (_, Some('(')) => return Err(self.err(K::ProcessSubstitution, op_pos, false)),
            (Some('<'), Some('&')) => {
                self.bump();
                RedirOp::LessAnd
            }
            (Some('<'), _) => RedirOp::Less,
            (_, Some('>')) => {
                self.bump();
                RedirOp::DGreat
            }
            (_, Some('&')) => {
                self.bump();
                RedirOp::GreatAnd
            }
            (_, Some('|')) => {
                self.bump();
                RedirOp::Great
            }
            _ => RedirOp::Great,
        };
        Ok(self.token(TokKind::Redir { fd, op }, start))
    }

    fn word(&mut self, start: usize) -> Result<Token, SyntaxError> {
        let mut b = WordBuilder::default();
        while let Some(c) = self.peek() {
            if ends_word(c) {
                break;
            }
            match c {
                '\'' => self.single_quoted(&mut b)?,
                '"' => self.double_quoted(&mut b)?,
                '\\' => {
                    let at = self.pos;
                    self.bump();
                    match self.bump() {
                        None => return Err(self.err(K::TrailingBackslash, at, true)),
                        Some('\n') => {}
                        Some(e) => b.push_char(e, true),
                    }
                }
                '$' => self.dollar(&mut b, false)?,
                '`' => return Err(self.err(K::CommandSubstitution, self.pos, false)),
                _ => {
                    self.bump();
                    b.push_char(c, false);
                }
            }
        }
        // `2>file`: an unquoted all-digit word glued to a redirection operator.
        if let [WordPart::Literal {
            text,
            quoted: false,
        }] = b.parts.as_slice()
        {
            if matches!(self.peek(), Some('<' | '>')) && text.bytes().all(|b| b.is_ascii_digit()) {
                let Ok(fd) = text.parse::<u32>() else {
                    return Err(self.err(K::FileDescriptorTooLarge, start, false));
                };
                return self.redir(Some(fd), start);
            }
        }
        WordBuilder::apply_tilde(&mut b.parts);
        let span = Span::new(start, self.pos);
        Ok(Token {
            kind: TokKind::Word(Word {
                parts: b.parts,
                span,
            }),
            span,
        })
    }

    fn single_quoted(&mut self, b: &mut WordBuilder) -> Result<(), SyntaxError> {
        let open = self.pos;
        self.bump();
        let rest = self.rest();
        let Some(len) = rest.find('\'') else {
            return Err(self.err(K::UnterminatedSingleQuote, open, true));
        };
        b.push_str(rest.get(..len).unwrap_or(""), true);
        self.pos += len + 1;
        Ok(())
    }

    fn double_quoted(&mut self, b: &mut WordBuilder) -> Result<(), SyntaxError> {
        let open = self.pos;
        self.bump();
        let mut empty = true;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(K::UnterminatedDoubleQuote, open, true));
            };
            match c {
                '"' => {
                    self.bump();
                    break;
                }
                '\\' => {
                    self.bump();
                    match self.peek() {
                        Some(e @ ('$' | '`' | '"' | '\\')) => {
                            self.bump();
                            b.push_char(e, true);
                            empty = false;
                        }
                        Some('\n') => {
                            self.bump();
                        }
                        _ => {
                            b.push_char('\\', true);
                            empty = false;
                        }
                    }
                }
                '$' => {
                    self.dollar(b, true)?;
                    empty = false;
                }
                '`' => return Err(self.err(K::CommandSubstitution, self.pos, false)),
                _ => {
                    self.bump();
                    b.push_char(c, true);
                    empty = false;
                }
            }
        }
        if empty {
            b.push_quoted_empty();
        }
        Ok(())
    }

    /// Lexes what follows a `$` (at `self.pos`).
    fn dollar(&mut self, b: &mut WordBuilder, in_dquote: bool) -> Result<(), SyntaxError> {
        let at = self.pos;
        self.bump();
        match self.peek() {
            Some('{') => self.braced_param(b, in_dquote, at),
            Some('(') => {
                let kind = if self.peek2() == Some('(') {
                    K::ArithmeticExpansion
                } else {
                    K::CommandSubstitution
                };
                Err(self.err(kind, at, false))
            }
            Some('\'') if !in_dquote => self.ansi_quoted(b, at),
            // `$"…"` (locale translation in bash) is a plain double-quoted string.
            Some('"') if !in_dquote => self.double_quoted(b),
            Some(c) if c.is_ascii_alphabetic() || c == '_' => {
                let rest = self.rest();
                let len = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                let name = rest.get(..len).unwrap_or("").to_string();
                self.pos += len;
                b.push_param(name, in_dquote);
                Ok(())
            }
            Some(c) if c.is_ascii_digit() || is_special_param(c) => {
                self.bump();
                b.push_param(c.to_string(), in_dquote);
                Ok(())
            }
            // A `$` that starts nothing is literal (stored quoted: it never globs).
            _ => {
                b.push_char('$', true);
                Ok(())
            }
        }
    }

    fn braced_param(
        &mut self,
        b: &mut WordBuilder,
        in_dquote: bool,
        at: usize,
    ) -> Result<(), SyntaxError> {
        self.bump(); // '{'
        let rest = self.rest();
        let Some(len) = rest.find(['}', '\n']) else {
            return Err(self.err(K::UnterminatedBrace, at, false));
        };
        if rest.get(len..).is_some_and(|r| r.starts_with('\n')) {
            return Err(self.err(K::UnterminatedBrace, at, false));
        }
        let name = rest.get(..len).unwrap_or("");
        if !is_param_name(name) {
            let text = format!("${{{name}}}");
            return Err(self.err(K::BadSubstitution(snippet(&text)), at, false));
        }
        b.push_param(name.to_string(), in_dquote);
        self.pos += len + 1;
        Ok(())
    }

    /// `$'…'` with bash's ANSI-C escapes.
    fn ansi_quoted(&mut self, b: &mut WordBuilder, at: usize) -> Result<(), SyntaxError> {
        self.bump(); // '\''
        let unterminated = |lx: &Self| lx.err(K::UnterminatedSingleQuote, at, true);
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                return Err(unterminated(self));
            };
            match c {
                '\'' => break,
                '\\' => {
                    let Some(e) = self.bump() else {
                        return Err(unterminated(self));
                    };
                    self.ansi_escape(e, &mut out);
                }
                _ => out.push(c),
            }
        }
        b.push_str(&out, true);
        Ok(())
    }

    fn ansi_escape(&mut self, e: char, out: &mut String) {
        let simple = match e {
            'a' => Some('\x07'),
            'b' => Some('\x08'),
            'e' | 'E' => Some('\x1b'),
            'f' => Some('\x0c'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'v' => Some('\x0b'),
            '\\' | '\'' | '"' | '?' => Some(e),
            _ => None,
        };
        if let Some(c) = simple {
            out.push(c);
            return;
        }
        let (radix, max_digits) = match e {
            '0'..='7' => (8, 3),
            'x' => (16, 2),
            'u' => (16, 4),
            'U' => (16, 8),
            'c' => {
                // \cX: control character.
                match self.bump() {
                    Some(x) if x.is_ascii() => {
                        let code = (x.to_ascii_uppercase() as u8) ^ 0x40;
                        if code != 0 {
                            out.push(char::from(code));
                        }
                    }
                    Some(x) => {
                        out.push_str("\\c");
                        out.push(x);
                    }
                    None => out.push_str("\\c"),
                }
                return;
            }
            _ => {
                out.push('\\');
                out.push(e);
                return;
            }
        };
        let mut value: u32 = 0;
        let mut digits = 0;
        if radix == 8 {
            value = e.to_digit(8).unwrap_or(0);
            digits = 1;
        }
        while digits < max_digits {
            match self.peek().and_then(|c| c.to_digit(radix)) {
                Some(d) => {
                    value = value.saturating_mul(radix).saturating_add(d);
                    digits += 1;
                    self.bump();
                }
                None => break,
            }
        }
        if radix != 8 && digits == 0 {
            out.push('\\');
            out.push(e);
            return;
        }
        // NUL ends a C string in bash; we drop it. Invalid scalars are dropped too.
        if value != 0 {
            if let Some(c) = char::from_u32(value) {
                out.push(c);
            }
        }
    }
}
