//! The parser: a state machine over the token stream with an explicit stack
//! for `( … )` nesting (no recursion, so depth costs no call stack).
//!
//! ```text
//! list      := newline* [ and_or ( (';' | '&' | newline) newline* and_or )* [';' | '&'] ] newline*
//! and_or    := pipeline ( ('&&' | '||') newline* pipeline )*
//! pipeline  := command ( '|' newline* command )*
//! command   := simple | '(' list ')' redirection*
//! simple    := ( assignment | word | redirection )+      (assignments only before the first word)
//! ```

use super::ast::{
    AndOr, Assignment, Command, Connector, GroupCommand, List, ListItem, Pipeline, Redirection,
    RedirectionKind, SimpleCommand, Span, Word, WordPart,
};
use super::error::{SyntaxError, SyntaxErrorKind as K};
use super::lexer::{snippet, Lexer, RedirOp, TokKind, Token};
use super::word::WordBuilder;
use super::MAX_NESTING;

/// Words that start compound commands in sh; rejected in command position.
const RESERVED: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "function", "coproc", "{", "}", "[[", "]]", "!",
];

pub(crate) struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    peeked: Option<Token>,
}

/// Where the parser is within a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of an and-or list, or at the end of a list.
    ItemStart,
    /// A command must start here (already checked).
    Command,
    /// After a command: `|`, `&&`, `||`, a separator or the end follows.
    AfterCommand,
}

/// A list under construction: the top level, or a group's body.
struct Frame {
    /// The group's `(`; `None` at top level.
    open: Option<Span>,
    items: Vec<ListItem>,
    /// The current and-or list: its finished pipelines…
    first: Option<Pipeline>,
    rest: Vec<(Connector, Pipeline)>,
    /// …the connector before the current pipeline…
    conn: Option<Connector>,
    /// …and the current pipeline's commands.
    commands: Vec<Command>,
}

impl Frame {
    fn new(open: Option<Span>) -> Self {
        Frame {
            open,
            items: Vec::new(),
            first: None,
            rest: Vec::new(),
            conn: None,
            commands: Vec::new(),
        }
    }

    fn finish_pipeline(&mut self) {
        let commands = std::mem::take(&mut self.commands);
        let (Some(a), Some(b)) = (commands.first(), commands.last()) else {
            return;
        };
        let span = a.span().join(b.span());
        let p = Pipeline { commands, span };
        match (self.conn.take(), &self.first) {
            (Some(c), Some(_)) => self.rest.push((c, p)),
            _ => self.first = Some(p),
        }
    }

    fn finish_and_or(&mut self, background: bool) {
        self.finish_pipeline();
        let Some(first) = self.first.take() else {
            return;
        };
        let rest = std::mem::take(&mut self.rest);
        let span = rest
            .last()
            .map_or(first.span, |(_, p)| first.span.join(p.span));
        self.items.push(ListItem {
            and_or: AndOr { first, rest, span },
            background,
        });
    }

    fn into_list(mut self) -> List {
        self.finish_and_or(false);
        let span = match (self.items.first(), self.items.last()) {
            (Some(a), Some(b)) => a.and_or.span.join(b.and_or.span),
            _ => Span::default(),
        };
        List {
            items: self.items,
            span,
        }
    }
}

impl<'a> Parser<'a> {
    pub fn new(src: &'a str) -> Self {
        Parser {
            src,
            lexer: Lexer::new(src),
            peeked: None,
        }
    }

    pub fn parse_program(&mut self) -> Result<List, SyntaxError> {
        self.program()
    }

    fn peek(&mut self) -> Result<&Token, SyntaxError> {
        if self.peeked.is_none() {
            self.peeked = Some(self.lexer.next_token()?);
        }
        match &self.peeked {
            Some(t) => Ok(t),
            None => Err(self.err(K::UnexpectedToken(String::new()), self.src.len(), false)),
        }
    }

    fn next(&mut self) -> Result<Token, SyntaxError> {
        match self.peeked.take() {
            Some(t) => Ok(t),
            None => self.lexer.next_token(),
        }
    }

    fn err(&self, kind: K, offset: usize, incomplete: bool) -> SyntaxError {
        SyntaxError::new(kind, self.src, offset, incomplete)
    }

    fn token_text(&self, tok: &Token) -> String {
        match tok.kind {
            TokKind::Newline => "newline".to_string(),
            TokKind::Eof => "end of input".to_string(),
            _ => snippet(self.src.get(tok.span.start..tok.span.end).unwrap_or("")),
        }
    }

    fn unexpected(&self, tok: &Token) -> SyntaxError {
        self.err(
            K::UnexpectedToken(self.token_text(tok)),
            tok.span.start,
            false,
        )
    }

    fn skip_newlines(&mut self) -> Result<(), SyntaxError> {
        while self.peek()?.kind == TokKind::Newline {
            self.next()?;
        }
        Ok(())
    }

    /// The whole program. Iterative: `( … )` nesting uses the `frames`
    /// stack, not the call stack, so depth costs heap, not stack.
    fn program(&mut self) -> Result<List, SyntaxError> {
        let mut frames = vec![Frame::new(None)];
        let mut state = State::ItemStart;
        loop {
            state = match state {
                State::ItemStart => {
                    self.skip_newlines()?;
                    let tok = self.peek()?;
                    match tok.kind {
                        TokKind::Eof => {
                            let frame = frames.pop().unwrap_or_else(|| Frame::new(None));
                            if let Some(open) = frame.open {
                                return Err(self.err(K::MissingCloseParen, open.start, true));
                            }
                            return Ok(frame.into_list());
                        }
                        TokKind::RParen if frames.len() > 1 => {
                            let frame = frames.pop().unwrap_or_else(|| Frame::new(None));
                            let group = self.close_group(frame)?;
                            if let Some(top) = frames.last_mut() {
                                top.commands.push(Command::Group(group));
                            }
                            State::AfterCommand
                        }
                        TokKind::RParen => {
                            let at = tok.span.start;
                            return Err(self.err(K::UnmatchedCloseParen, at, false));
                        }
                        TokKind::Word(_) | TokKind::Redir { .. } | TokKind::LParen => {
                            State::Command
                        }
                        _ => {
                            let tok = tok.clone();
                            return Err(self.unexpected(&tok));
                        }
                    }
                }
                State::Command => {
                    if self.peek()?.kind == TokKind::LParen {
                        let open = self.next()?;
                        if frames.len() > MAX_NESTING {
                            return Err(self.err(K::TooDeep, open.span.start, false));
                        }
                        frames.push(Frame::new(Some(open.span)));
                        State::ItemStart
                    } else {
                        let cmd = self.simple()?;
                        if let Some(top) = frames.last_mut() {
                            top.commands.push(Command::Simple(cmd));
                        }
                        State::AfterCommand
                    }
                }
                State::AfterCommand => {
                    let Some(top) = frames.last_mut() else {
                        return Ok(Frame::new(None).into_list());
                    };
                    let kind = self.peek()?.kind.clone();
                    match kind {
                        TokKind::Pipe => {
                            self.next()?;
                            self.expect_command_after("|")?;
                            State::Command
                        }
                        TokKind::AndAnd | TokKind::OrOr => {
                            let (conn, op) = if kind == TokKind::AndAnd {
                                (Connector::And, "&&")
                            } else {
                                (Connector::Or, "||")
                            };
                            top.finish_pipeline();
                            top.conn = Some(conn);
                            self.next()?;
                            self.expect_command_after(op)?;
                            State::Command
                        }
                        TokKind::Semi | TokKind::Newline | TokKind::Amp => {
                            self.next()?;
                            top.finish_and_or(kind == TokKind::Amp);
                            State::ItemStart
                        }
                        TokKind::Eof | TokKind::RParen => {
                            top.finish_and_or(false);
                            State::ItemStart
                        }
                        _ => {
                            let tok = self.peek()?.clone();
                            return Err(self.unexpected(&tok));
                        }
                    }
                }
            };
        }
    }

    /// After an operator `op`, skips newlines and checks a command follows.
    fn expect_command_after(&mut self, op: &str) -> Result<(), SyntaxError> {
        self.skip_newlines()?;
        let tok = self.peek()?;
        match tok.kind {
            TokKind::Word(_) | TokKind::Redir { .. } | TokKind::LParen => Ok(()),
            _ => {
                let (at, eof) = (tok.span.start, tok.kind == TokKind::Eof);
                Err(self.err(K::ExpectedCommandAfter(op.to_string()), at, eof))
            }
        }
    }

    /// Consumes the `)` ending `frame`'s list and the group's redirections.
    fn close_group(&mut self, frame: Frame) -> Result<GroupCommand, SyntaxError> {
        let open = frame.open.unwrap_or_default();
        let body = frame.into_list();
        let close = self.next()?;
        if body.items.is_empty() {
            return Err(self.unexpected(&close));
        }
        let mut span = open.join(close.span);
        let mut redirections = Vec::new();
        while matches!(self.peek()?.kind, TokKind::Redir { .. }) {
            let r = self.redirection()?;
            span = span.join(r.span);
            redirections.push(r);
        }
        Ok(GroupCommand {
            body,
            redirections,
            span,
        })
    }

    fn simple(&mut self) -> Result<SimpleCommand, SyntaxError> {
        let mut assignments = Vec::new();
        let mut words: Vec<Word> = Vec::new();
        let mut redirections = Vec::new();
        let mut span: Option<Span> = None;
        loop {
            match self.peek()?.kind {
                TokKind::Word(_) => {
                    let tok = self.next()?;
                    let TokKind::Word(word) = tok.kind else {
                        break;
                    };
                    span = Some(span.map_or(tok.span, |s| s.join(tok.span)));
                    if words.is_empty() {
                        let word = match as_assignment(word) {
                            Ok(a) => {
                                assignments.push(a);
                                continue;
                            }
                            Err(word) => word,
                        };
                        if let Some(k) = reserved_word(&word) {
                            return Err(self.err(
                                K::UnsupportedKeyword(k.to_string()),
                                tok.span.start,
                                false,
                            ));
                        }
                        words.push(word);
                    } else {
                        words.push(word);
                    }
                }
                TokKind::Redir { .. } => {
                    let r = self.redirection()?;
                    span = Some(span.map_or(r.span, |s| s.join(r.span)));
                    redirections.push(r);
                }
                _ => break,
            }
        }
        let tok = self.peek()?;
        if tok.kind == TokKind::LParen
            && words.len() == 1
            && assignments.is_empty()
            && redirections.is_empty()
        {
            let at = tok.span.start;
            return Err(self.err(K::FunctionDefinition, at, false));
        }
        Ok(SimpleCommand {
            assignments,
            words,
            redirections,
            span: span.unwrap_or_default(),
        })
    }

    fn redirection(&mut self) -> Result<Redirection, SyntaxError> {
        let tok = self.next()?;
        let TokKind::Redir { fd, op } = tok.kind else {
            return Err(self.unexpected(&tok));
        };
        let op_text = self
            .src
            .get(tok.span.start..tok.span.end)
            .unwrap_or("")
            .to_string();
        let target_tok = self.peek()?;
        let TokKind::Word(_) = target_tok.kind else {
            let at = target_tok.span.start;
            let kind = match op {
                RedirOp::LessAnd => K::ExpectedFileDescriptor(op_text),
                RedirOp::GreatAnd if fd.is_some_and(|n| n != 1) => {
                    K::ExpectedFileDescriptor(op_text)
                }
                _ => K::ExpectedFileName(op_text),
            };
            return Err(self.err(kind, at, false));
        };
        let target_tok = self.next()?;
        let span = tok.span.join(target_tok.span);
        let TokKind::Word(target) = target_tok.kind else {
            return Err(self.unexpected(&tok));
        };
        let kind = match op {
            RedirOp::Less => RedirectionKind::Read {
                fd: fd.unwrap_or(0),
                target,
            },
            RedirOp::Great | RedirOp::DGreat => RedirectionKind::Write {
                fd: fd.unwrap_or(1),
                target,
                append: op == RedirOp::DGreat,
            },
            RedirOp::AndGreat | RedirOp::AndDGreat => RedirectionKind::WriteBoth {
                target,
                append: op == RedirOp::AndDGreat,
            },
            RedirOp::GreatAnd | RedirOp::LessAnd => {
                let default_fd = if op == RedirOp::GreatAnd { 1 } else { 0 };
                match target.literal() {
                    Some(n) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
                        let Ok(copy_of) = n.parse::<u32>() else {
                            return Err(self.err(
                                K::FileDescriptorTooLarge,
                                target.span.start,
                                false,
                            ));
                        };
                        RedirectionKind::Duplicate {
                            fd: fd.unwrap_or(default_fd),
                            copy_of,
                        }
                    }
                    Some(n) if n == "-" => {
                        return Err(self.err(K::CloseDescriptor, tok.span.start, false))
                    }
                    _ if op == RedirOp::GreatAnd && fd.unwrap_or(1) == 1 => {
                        RedirectionKind::WriteBoth {
                            target,
                            append: false,
                        }
                    }
                    _ => {
                        return Err(self.err(
                            K::ExpectedFileDescriptor(op_text),
                            target.span.start,
                            false,
                        ))
                    }
                }
            }
        };
        Ok(Redirection { kind, span })
    }
}

/// `NAME=value` → an assignment; anything else is given back.
fn as_assignment(mut word: Word) -> Result<Assignment, Word> {
    let Some(WordPart::Literal {
        text,
        quoted: false,
    }) = word.parts.first()
    else {
        return Err(word);
    };
    let Some(eq) = text.find('=') else {
        return Err(word);
    };
    let name = text.get(..eq).unwrap_or("");
    let valid = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(word);
    }
    let name = name.to_string();
    let rest = text.get(eq + 1..).unwrap_or("").to_string();
    let value_start = word.span.start + eq + 1;
    let mut parts = Vec::with_capacity(word.parts.len());
    if !rest.is_empty() {
        parts.push(WordPart::Literal {
            text: rest,
            quoted: false,
        });
    }
    parts.extend(word.parts.drain(1..));
    WordBuilder::apply_tilde(&mut parts);
    Ok(Assignment {
        name,
        value: Word {
            parts,
            span: Span::new(value_start.min(word.span.end), word.span.end),
        },
        span: word.span,
    })
}

/// The reserved word `word` is, if it is one (unquoted, alone).
fn reserved_word(word: &Word) -> Option<&'static str> {
    let [WordPart::Literal {
        text,
        quoted: false,
    }] = word.parts.as_slice()
    else {
        return None;
    };
    RESERVED.iter().copied().find(|k| *k == text)
}
