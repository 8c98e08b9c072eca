//! The shell's command language: tokenizer, parser and word expansion.
//!
//! A line (or a script) is parsed whole with [`parse`] before anything runs;
//! a [`SyntaxError`] means nothing runs. Words in the resulting [`List`] are
//! expanded at run time with [`expand_word`] and friends, through an
//! [`ExpandContext`] the shell implements.
//!
//! # The language
//!
//! - Words: `'…'` (all literal), `"…"` (`$` expansions; `\` escapes only
//!   `$ ` `` ` `` ` " \` and newline), `$'…'` (C escapes such as `\n`, `\t`,
//!   `\x41`, `\u00e9`), `\` quoting outside quotes, `\`-newline continues a
//!   line. `#` at the start of a word starts a comment.
//! - Expansions: `$NAME`, `${NAME}`, `$?`, `$!`, `$$`, `$#`, `$@`, `$*`, `$-`,
//!   `$0`–`$9`, `${10}`; `~` and `~/…` at the start of a word or of an
//!   assignment value; globs `*`, `?`, `[…]` (`[!…]`, `[^…]`, ranges,
//!   `[:class:]`) on unquoted characters. No brace expansion: `{a,b}` is literal.
//! - Operators: `|`, `&&`, `||`, `;`, `&`, newline, `( … )` groups.
//! - Redirections: `<`, `>`, `>|`, `>>`, `n<`, `n>`, `n>>`, `&>`, `&>>`,
//!   `>&file`, `n>&m`, `n<&m` — on simple commands and groups.
//! - `NAME=value` before the command name; alone, they set shell variables.
//! - Not in the language, and reported as syntax errors rather than
//!   misparsed: `$(…)`, `` `…` ``, `$((…))`, `<<`, `<(…)`, `|&`, `>&-`,
//!   `${x:-…}` and other `${…}` forms, `if`/`for`/`while`/`case`/`{`/`!`…
//!   in command position, `name()`.
//!
//! Grammar and precedence are sh's: a list is and-or lists separated by `;`,
//! `&` or newlines (`&` backgrounds the whole and-or list before it); an
//! and-or list is pipelines joined by `&&`/`||` (left-associative, equal
//! precedence); a pipeline is commands joined by `|`; newlines may follow
//! `|`, `&&`, `||` and `(`.
//!
//! Positions in errors are 1-based lines and columns counted in Unicode
//! scalar values (`char`s), not bytes. Spans in the AST are byte ranges.
//!
//! Nothing here panics on any input; nesting of `(` is limited to
//! [`MAX_NESTING`] levels.

mod ast;
mod error;
mod expand;
mod glob;
mod lexer;
mod parser;
mod print;
mod word;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

pub use ast::{
    AndOr, Assignment, Command, Connector, GroupCommand, List, ListItem, Pipeline, Redirection,
    RedirectionKind, SimpleCommand, Span, Word, WordPart,
};
pub use error::{ExpandError, SyntaxError, SyntaxErrorKind};
pub use expand::{
    expand_redirect_target, expand_word, expand_word_single, expand_words, ExpandContext, PathKind,
};

/// The deepest nesting of `( … )` groups accepted; deeper input is a
/// [`SyntaxErrorKind::TooDeep`] error (the parser is recursive).
pub const MAX_NESTING: usize = 256;

/// Parses a whole input (one line or a script) into a [`List`].
///
/// Blank and comment-only input gives an empty list.
pub fn parse(src: &str) -> Result<List, SyntaxError> {
    parser::Parser::new(src).parse_program()
}

/// True if `src` is a valid beginning that needs more input: an unterminated
/// quote, a trailing `\`, `|`, `&&` or `||`, or an unclosed `(`. An
/// interactive front end should then read a continuation line, append it
/// (with a `\n` in between) and parse again. False for complete input and
/// for input with a real syntax error.
pub fn is_incomplete(src: &str) -> bool {
    matches!(parse(src), Err(e) if e.incomplete)
}

/// Calls `f` on every word of `list`, recursively: command words,
/// assignment values and redirection targets.
pub fn for_each_word(list: &List, f: &mut dyn FnMut(&Word)) {
    fn redirs(rs: &[Redirection], f: &mut dyn FnMut(&Word)) {
        for r in rs {
            match &r.kind {
                RedirectionKind::Read { target, .. }
                | RedirectionKind::Write { target, .. }
                | RedirectionKind::WriteBoth { target, .. } => f(target),
                RedirectionKind::Duplicate { .. } => {}
            }
        }
    }
    for item in &list.items {
        for p in item.and_or.pipelines() {
            for c in &p.commands {
                match c {
                    Command::Simple(s) => {
                        for a in &s.assignments {
                            f(&a.value);
                        }
                        for w in &s.words {
                            f(w);
                        }
                        redirs(&s.redirections, f);
                    }
                    Command::Group(g) => {
                        for_each_word(&g.body, f);
                        redirs(&g.redirections, f);
                    }
                }
            }
        }
    }
}

/// A fixed, in-memory context used by [`fuzz_entry`] (no host filesystem).
struct FuzzContext;

impl ExpandContext for FuzzContext {
    fn var(&self, name: &str) -> Option<String> {
        match name {
            "EMPTY" => Some(String::new()),
            "SPACES" => Some(" a  b\tc\n".to_string()),
            "GLOB" => Some("*.rs [ab]*".to_string()),
            "?" => Some("0".to_string()),
            "HOME" => Some("/home/u".to_string()),
            _ => None,
        }
    }

    fn home(&self) -> Option<String> {
        Some("/home/u".to_string())
    }

    fn cwd(&self) -> PathBuf {
        PathBuf::from("/w")
    }

    fn read_dir(&self, dir: &Path) -> Vec<String> {
        let names: &[&str] = match dir.to_str() {
            Some("/w") | Some("/w/") => &["a.rs", "b.rs", ".hidden", "dir", "é ü"],
            Some("/w/dir") | Some("/w/dir/") => &["x", "y.rs"],
            Some("/") => &["w", "home"],
            _ => &[],
        };
        names.iter().map(|s| s.to_string()).collect()
    }

    fn path_kind(&self, path: &Path) -> Option<PathKind> {
        match path.to_str()?.trim_end_matches('/') {
            "/w" | "/w/dir" | "/home" | "" => Some(PathKind::Directory),
            "/w/a.rs" | "/w/b.rs" | "/w/dir/x" => Some(PathKind::Other),
            _ => None,
        }
    }
}

/// Fuzzing and corpus-replay entry point: decodes `data` as UTF-8 (lossily),
/// parses it, and if it parses, checks that the printed tree parses back to
/// the same printed form and expands every word with an in-memory context.
///
/// It must never panic; a panic means a bug (a crash in the parser or
/// expander, or a tree the printer cannot round-trip).
pub fn fuzz_entry(data: &[u8]) {
    let src = String::from_utf8_lossy(data);
    let parsed = parse(&src);
    let incomplete = is_incomplete(&src);
    let list = match parsed {
        Ok(list) => {
            assert!(!incomplete, "valid input reported incomplete");
            list
        }
        Err(e) => {
            assert!(e.line >= 1 && e.column >= 1 && e.offset <= src.len());
            let _ = (e.to_string(), e.display_with_line());
            return;
        }
    };
    let printed = list.to_string();
    match parse(&printed) {
        Ok(again) => assert_eq!(again.to_string(), printed, "round trip of {src:?}"),
        Err(e) => panic!("printed form {printed:?} of {src:?} does not parse: {e}"),
    }
    for item in &list.items {
        let _ = item.and_or.text(&src);
    }
    let ctx = FuzzContext;
    for_each_word(&list, &mut |w| {
        let _ = expand_word(w, &ctx);
        let _ = expand_word_single(w, &ctx);
        let _ = expand_redirect_target(w, &ctx);
        let _ = w.literal();
    });
}
