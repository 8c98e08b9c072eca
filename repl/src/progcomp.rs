//! Programmable completion for the interactive shell: Tab runs the specs
//! `complete` registered.
//!
//! The line editor runs on a thread of its own and cannot touch the shell,
//! so its completer sends a [`Request`] (the line and the cursor) over a
//! channel and waits for the answer; the interactive loop, which waits for
//! the line anyway, serves it between key presses ([`serve`]). The spec is
//! found as bash finds it: `-I` for the first word, `-E` on an empty
//! line, else the command's own (by name, then by basename), else `-D`.
//! Its matches come from the generator `compgen` uses; a function that
//! returns 124 after registering a new spec is retried with it, as bash
//! does for completions loaded on demand. `None` (no spec) lets the
//! built-in completer answer instead.
//!
//! Words are split at blanks outside quotes (bash also splits at
//! `COMP_WORDBREAKS` characters such as `=` and `:`; corral does not).

use std::sync::mpsc as std_mpsc;

use tokio::sync::mpsc;

use crate::builtins::compgen::{self, Context};
use crate::builtins::complete::{Action, CompSpec, DEFAULT_CMD, EMPTY_CMD, INITIAL_WORD};
use crate::io::Streams;
use crate::shell::Shell;

/// How long the editor waits for the shell to complete a word.
const WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// A Tab press: the line and the cursor's byte offset.
pub struct Request {
    line: String,
    pos: usize,
    reply: std_mpsc::SyncSender<Option<Answer>>,
}

/// The matches of a spec for the word under the cursor.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Answer {
    /// Where the word starts in the line (bytes).
    pub start: usize,
    /// The matches, as the spec made them.
    pub matches: Vec<String>,
    /// `-o nospace`: no blank after a single match.
    pub nospace: bool,
    /// `-o filenames` (or a file or directory action): matches are paths,
    /// quoted as paths and marked `/` when directories.
    pub filenames: bool,
}

/// The editor's end of the channel.
#[derive(Clone)]
pub struct Client(mpsc::UnboundedSender<Request>);

impl Client {
    /// A channel: the client for the completer, the receiver for the loop.
    pub fn new() -> (Client, mpsc::UnboundedReceiver<Request>) {
        let (tx, rx) = mpsc::unbounded_channel();
        (Client(tx), rx)
    }

    /// Asks the shell (blocking this thread, the editor's); `None` when no
    /// spec applies or the shell did not answer.
    pub fn ask(&self, line: &str, pos: usize) -> Option<Answer> {
        let (reply, rx) = std_mpsc::sync_channel(1);
        let req = Request {
            line: line.to_string(),
            pos,
            reply,
        };
        self.0.send(req).ok()?;
        rx.recv_timeout(WAIT).ok().flatten()
    }
}

/// One word of the line: its text as typed and its byte span.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Word {
    text: String,
    start: usize,
    end: usize,
}

/// The command around `pos`: its start offset and its words.
fn command_words(line: &str, pos: usize) -> (usize, usize, Vec<Word>) {
    let bytes = line.as_bytes();
    let mut seg_start = 0;
    let mut seg_end = line.len();
    let mut words: Vec<Word> = Vec::new();
    let mut quote: Option<u8> = None;
    let mut cur: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                } else if c == b'\\' && q == b'"' {
                    i += 1;
                }
            }
            None if c == b'\\' => {
                cur.get_or_insert(i);
                i += 1;
            }
            None if c == b'\'' || c == b'"' => {
                cur.get_or_insert(i);
                quote = Some(c);
            }
            None if matches!(c, b';' | b'|' | b'&' | b'(' | b')' | b'\n') => {
                if let Some(s) = cur.take() {
                    words.push(Word {
                        text: line[s..i].to_string(),
                        start: s,
                        end: i,
                    });
                }
                if i >= pos {
                    seg_end = i;
                    break;
                }
                seg_start = i + 1;
                words.clear();
            }
            None if c == b' ' || c == b'\t' => {
                if let Some(s) = cur.take() {
                    words.push(Word {
                        text: line[s..i].to_string(),
                        start: s,
                        end: i,
                    });
                }
            }
            None => {
                cur.get_or_insert(i);
            }
        }
        i += 1;
    }
    if let Some(s) = cur {
        let end = i.min(line.len());
        words.push(Word {
            text: line[s..end].to_string(),
            start: s,
            end,
        });
    }
    (seg_start, seg_end, words)
}

/// A word as the shell reads it: quotes and backslashes removed.
fn unquote(text: &str) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"') | None, '\\') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            (None, '\'' | '"') => quote = Some(c),
            (_, c) => out.push(c),
        }
    }
    out
}

/// The completion context for the cursor at `pos`, and where the word starts.
fn context(line: &str, pos: usize) -> (Context, usize) {
    let pos = pos.min(line.len());
    let (seg_start, seg_end, mut words) = command_words(line, pos);
    let cword = match words.iter().position(|w| w.start <= pos && pos <= w.end) {
        Some(i) => i,
        None => {
            let i = words
                .iter()
                .position(|w| w.start > pos)
                .unwrap_or(words.len());
            words.insert(
                i,
                Word {
                    text: String::new(),
                    start: pos,
                    end: pos,
                },
            );
            i
        }
    };
    let current = &words[cword];
    let typed = line.get(current.start..pos).unwrap_or("");
    let ctx = Context {
        cmd: words.first().map(|w| unquote(&w.text)).unwrap_or_default(),
        word: unquote(typed),
        prev: cword
            .checked_sub(1)
            .map(|i| unquote(&words[i].text))
            .unwrap_or_default(),
        line: line
            .get(seg_start..seg_end)
            .unwrap_or("")
            .trim_start()
            .to_string(),
        point: pos.saturating_sub(
            seg_start
                + (line[seg_start..seg_end].len() - line[seg_start..seg_end].trim_start().len()),
        ),
        words: words.iter().map(|w| w.text.clone()).collect(),
        cword: i64::try_from(cword).unwrap_or(0),
    };
    (ctx, current.start)
}

/// The spec bash would use for this line.
fn find_spec(shell: &Shell, ctx: &Context) -> Option<CompSpec> {
    let specs = &shell.env.lang.complete;
    if ctx.cword == 0 {
        return specs.get(INITIAL_WORD).cloned();
    }
    if ctx.line.trim().is_empty() {
        return specs.get(EMPTY_CMD).cloned();
    }
    let base = ctx.cmd.rsplit('/').next().unwrap_or(&ctx.cmd);
    specs
        .get(&ctx.cmd)
        .or_else(|| specs.get(base))
        .or_else(|| specs.get(DEFAULT_CMD))
        .cloned()
}

/// Answers one request from the editor.
pub async fn serve(shell: &mut Shell, req: Request) {
    let answer = answer(shell, &req.line, req.pos).await;
    let _ = req.reply.send(answer);
}

async fn answer(shell: &mut Shell, line: &str, pos: usize) -> Option<Answer> {
    let (ctx, start) = context(line, pos);
    let empty_line = line.trim().is_empty();
    let ctx = if empty_line {
        Context { cword: 0, ..ctx }
    } else {
        ctx
    };
    let mut spec = if empty_line {
        shell.env.lang.complete.get(EMPTY_CMD).cloned()?
    } else {
        find_spec(shell, &ctx)?
    };
    let mut io = Streams::inherit();
    let status = shell.env.last_status;
    let mut matches = Vec::new();
    for _ in 0..3 {
        shell.env.lang.complete.current = Some(spec.options);
        shell.env.last_status = 0;
        let got = compgen::generate(shell, &spec, &ctx, &mut io).await;
        let options = shell
            .env
            .lang
            .complete
            .current
            .take()
            .unwrap_or(spec.options);
        matches = got.unwrap_or_default();
        let retry = shell.env.last_status == 124 && spec.function.is_some();
        spec.options = options;
        if !retry {
            break;
        }
        match find_spec(shell, &ctx) {
            Some(s) => spec = s,
            None => break,
        }
    }
    shell.env.last_status = status;
    let mut paths = spec.option("filenames")
        || spec.option("dirnames")
        || spec.option("plusdirs")
        || spec.has(Action::File)
        || spec.has(Action::Directory);
    if matches.is_empty() {
        matches = compgen::defaults(shell, &spec, &ctx.word);
        paths |= spec.option("default") && !matches.iter().any(|m| m.starts_with('$'));
    }
    if !spec.option("nosort") {
        matches.sort();
    }
    matches.dedup();
    Some(Answer {
        start,
        matches,
        nospace: spec.option("nospace"),
        filenames: paths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_context_is_the_command_under_the_cursor() {
        let (c, start) = context("ls; git ch", 10);
        assert_eq!(c.cmd, "git");
        assert_eq!(c.word, "ch");
        assert_eq!(c.prev, "git");
        assert_eq!(c.words, ["git", "ch"]);
        assert_eq!(c.cword, 1);
        assert_eq!(c.line, "git ch");
        assert_eq!(c.point, 6);
        assert_eq!(start, 8);
        let (c, start) = context("git  x", 4);
        assert_eq!((c.cword, c.word.as_str(), start), (1, "", 4));
        assert_eq!(c.words, ["git", "", "x"]);
        let (c, _) = context("cat 'a b' c", 11);
        assert_eq!(c.words, ["cat", "'a b'", "c"]);
        assert_eq!(c.prev, "a b");
    }

    #[test]
    fn odd_lines_do_not_panic() {
        for line in ["", " ", "a|", "'unclosed", "é ü", "a\\"] {
            for pos in 0..=line.len() + 1 {
                if line.is_char_boundary(pos.min(line.len())) {
                    let _ = context(line, pos);
                }
            }
        }
    }
}
