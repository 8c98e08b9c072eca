//! Word expansion: parameters, tilde, field splitting and globbing.

use std::path::{Path, PathBuf};

use super::ast::{Word, WordPart};
use super::error::ExpandError;
use super::glob;

/// What a path is, for globbing (see [`ExpandContext::path_kind`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathKind {
    /// A directory (or a symlink to one).
    Directory,
    /// Anything else that exists (including a dangling symlink).
    Other,
}

/// What expansion needs from the shell. Implemented by the executor.
pub trait ExpandContext {
    /// The value of a variable or special parameter, `None` if unset (which
    /// expands to nothing). `name` is what followed the `$`: an identifier,
    /// digits (`"0"`…`"9"`, or longer via `${10}`), or one of
    /// `"?" "!" "$" "#" "@" "*" "-"`.
    fn var(&self, name: &str) -> Option<String>;

    /// The home directory for `~`; with `None`, `~` stays as it is.
    fn home(&self) -> Option<String>;

    /// The shell's current directory: relative glob patterns are matched
    /// against it (the matches are still printed relative, as in bash).
    fn cwd(&self) -> PathBuf;

    /// The entry names of directory `dir` (without `.` and `..`), in any
    /// order, for globbing. The default reads the host filesystem with
    /// `std::fs::read_dir`, returns nothing for an unreadable directory, and
    /// skips names that are not valid UTF-8.
    fn read_dir(&self, dir: &Path) -> Vec<String> {
        match std::fs::read_dir(dir) {
            Ok(entries) => entries
                .filter_map(Result::ok)
                .filter_map(|e| e.file_name().into_string().ok())
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Whether `path` exists and is a directory (following symlinks). Used
    /// for the literal last component of a pattern (`*/Cargo.toml`, `*/`).
    /// The default uses `std::fs::metadata`, then `symlink_metadata`.
    fn path_kind(&self, path: &Path) -> Option<PathKind> {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => Some(PathKind::Directory),
            Ok(_) => Some(PathKind::Other),
            Err(_) => std::fs::symlink_metadata(path)
                .ok()
                .map(|_| PathKind::Other),
        }
    }
}

fn is_ifs(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\n'
}

/// Fields under construction; each char remembers whether it was quoted.
#[derive(Default)]
struct Fields {
    done: Vec<Vec<(char, bool)>>,
    cur: Vec<(char, bool)>,
    /// The current field exists even if empty (it has a quoted part).
    forced: bool,
    /// Unquoted IFS whitespace was seen: the next content starts a new field.
    pending_break: bool,
}

impl Fields {
    fn finish(&mut self) {
        if !self.cur.is_empty() || self.forced {
            self.done.push(std::mem::take(&mut self.cur));
        }
        self.forced = false;
    }

    fn before_content(&mut self) {
        if self.pending_break {
            self.finish();
            self.pending_break = false;
        }
    }

    fn push(&mut self, s: &str, quoted: bool) {
        self.before_content();
        self.cur.extend(s.chars().map(|c| (c, quoted)));
        if quoted {
            self.forced = true;
        }
    }

    fn push_split(&mut self, value: &str) {
        for c in value.chars() {
            if is_ifs(c) {
                self.pending_break = true;
            } else {
                self.before_content();
                self.cur.push((c, false));
            }
        }
    }

    fn into_fields(mut self) -> Vec<Vec<(char, bool)>> {
        self.finish();
        self.done
    }
}

/// Expands a word into fields (command name and arguments), as bash does:
/// parameters and `~` are substituted; the values of unquoted parameters are
/// split on spaces, tabs and newlines; each field holding an unquoted `*`,
/// `?` or `[…]` is replaced by the sorted matching paths, or kept as it is if
/// nothing matches. An unquoted empty expansion gives no field; `""` gives
/// one empty field. Unset variables expand to nothing. Never fails.
pub fn expand_word(word: &Word, ctx: &dyn ExpandContext) -> Vec<String> {
    let mut fields = Fields::default();
    for part in &word.parts {
        match part {
            WordPart::Literal { text, quoted } => fields.push(text, *quoted),
            WordPart::Param { name, quoted: true } => {
                fields.push(&ctx.var(name).unwrap_or_default(), true);
            }
            WordPart::Param {
                name,
                quoted: false,
            } => {
                if let Some(value) = ctx.var(name) {
                    fields.push_split(&value);
                }
            }
            WordPart::Tilde => match ctx.home() {
                Some(home) => fields.push(&home, true),
                None => fields.push("~", true),
            },
        }
    }
    let mut out = Vec::new();
    for field in fields.into_fields() {
        match glob::glob(&field, ctx) {
            Some(matches) if !matches.is_empty() => out.extend(matches),
            _ => out.push(field.into_iter().map(|(c, _)| c).collect()),
        }
    }
    out
}

/// Expands several words (a command's argv) and concatenates the fields.
pub fn expand_words(words: &[Word], ctx: &dyn ExpandContext) -> Vec<String> {
    words.iter().flat_map(|w| expand_word(w, ctx)).collect()
}

/// Expands a word to one string without field splitting or globbing: for
/// assignment values (`A=$B` keeps `B`'s spaces, `A=*` is a literal `*`).
/// `~` is still expanded.
pub fn expand_word_single(word: &Word, ctx: &dyn ExpandContext) -> String {
    let mut out = String::new();
    for part in &word.parts {
        match part {
            WordPart::Literal { text, .. } => out.push_str(text),
            WordPart::Param { name, .. } => {
                if let Some(v) = ctx.var(name) {
                    out.push_str(&v);
                }
            }
            WordPart::Tilde => match ctx.home() {
                Some(home) => out.push_str(&home),
                None => out.push('~'),
            },
        }
    }
    out
}

/// Expands a redirection target: full expansion (splitting, globbing), which
/// must give exactly one field, else [`ExpandError::AmbiguousRedirect`]
/// (bash: `>$UNSET`, `>$TWO_WORDS`, `>*.txt` with several matches).
pub fn expand_redirect_target(word: &Word, ctx: &dyn ExpandContext) -> Result<String, ExpandError> {
    let mut fields = expand_word(word, ctx);
    match fields.pop() {
        Some(f) if fields.is_empty() => Ok(f),
        _ => Err(ExpandError::AmbiguousRedirect {
            word: word.to_string(),
            span: word.span,
        }),
    }
}
