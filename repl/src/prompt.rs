//! The prompt (`PS1`, `PS2`) and the multi-line validator for reedline.
//!
//! A prompt string is made as bash makes it: first its backslash escapes are
//! decoded ([`decode`]: `\u`, `\w`, `\j`, `\!`, `\D{fmt}`, `\nnn`…), then
//! the result is expanded like a double-quoted word (bash's `promptvars`:
//! `$VAR`, `${…}`, `$(…)`, `` `…` ``, `$((…))`; [`expand`]). The values
//! of `\w`, `\W`, `\h`, `\H` and `\s` are quoted before that step, so a `$`
//! in a directory name stays a `$`. `\[` and `\]` only delimit invisible
//! text for readline; the editor measures escape sequences itself, so they
//! vanish. With `PS1` unset the prompt stays `corral> ` (and `PS2`: `> `).
//!
//! The strings are made on the runtime before each line is read (they need
//! the shell) and handed to the editor thread in a [`CorralPrompt`]; PS2 is
//! made at the same time, so a `$(…)` in it runs once per command, not once
//! per continuation line as in bash.

use std::borrow::Cow;
use std::os::fd::AsFd;

use reedline::{Prompt, PromptEditMode, PromptHistorySearch, ValidationResult, Validator};

use crate::lang::ast::{Command, HereDocBody, RedirectKind};
use crate::shell::Shell;

/// The prompt when `PS1` is unset.
pub const DEFAULT_PS1: &str = "corral> ";
/// The continuation prompt when `PS2` is unset.
pub const DEFAULT_PS2: &str = "> ";

/// The prompts for one line: `PS1`, and `PS2` for its continuation lines.
pub struct CorralPrompt {
    /// The first line's prompt.
    pub left: String,
    /// The prompt of each continuation line.
    pub continuation: String,
}

impl Default for CorralPrompt {
    fn default() -> Self {
        CorralPrompt {
            left: DEFAULT_PS1.to_string(),
            continuation: DEFAULT_PS2.to_string(),
        }
    }
}

impl Prompt for CorralPrompt {
    fn render_prompt_left(&self) -> Cow<'_, str> {
        // reedline paints the prompt once raw mode is on; raw mode cleared
        // OPOST, which readline keeps: put it back before anything is shown.
        crate::sys::tty::keep_newline_translation(std::io::stdin().as_fd());
        Cow::Borrowed(&self.left)
    }

    fn render_prompt_right(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }

    fn render_prompt_indicator(&self, _: PromptEditMode) -> Cow<'_, str> {
        Cow::Borrowed("")
    }

    fn render_prompt_multiline_indicator(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.continuation)
    }

    fn render_prompt_history_search_indicator(&self, search: PromptHistorySearch) -> Cow<'_, str> {
        Cow::Owned(format!("(search: {}) ", search.term))
    }
}

/// What the escapes of a prompt string show.
#[derive(Clone, Debug, Default)]
pub struct PromptInfo {
    /// `\u`.
    pub user: String,
    /// `\H` (and `\h`, up to the first `.`).
    pub host: String,
    /// `\w`, `\W`: the logical working directory.
    pub cwd: String,
    /// `$HOME`, shown as `~` at the start of `\w`.
    pub home: Option<String>,
    /// `$PROMPT_DIRTRIM`: `\w` keeps this many trailing components (0: all).
    pub dirtrim: usize,
    /// `\j`: jobs the shell manages (running or stopped).
    pub jobs: usize,
    /// `\!`: the history number of the line being read.
    pub history_number: usize,
    /// `\#`: the command number of the line being read.
    pub command_number: u64,
    /// `\s`: the basename of `$0`.
    pub shell_name: String,
    /// `\$` shows `#`.
    pub root: bool,
    /// `\l`: the basename of the terminal device.
    pub tty: String,
    /// The time the `\t \T \@ \A \d \D{…}` escapes show, in seconds since the epoch.
    pub now: i64,
}

/// `\v`: the version, major.minor.
pub(crate) const VERSION_SHORT: &str = concat!(
    env!("CARGO_PKG_VERSION_MAJOR"),
    ".",
    env!("CARGO_PKG_VERSION_MINOR")
);

/// Decodes the backslash escapes of a prompt string, as bash's
/// `decode_prompt_string`; `strftime(format, secs)` formats the times.
/// The result still holds `$…` and `` `…` `` for [`expand`].
pub fn decode(ps: &str, info: &PromptInfo, strftime: impl Fn(&str, i64) -> String) -> String {
    let mut out = String::with_capacity(ps.len() + 16);
    let mut chars = ps.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'a' => out.push('\x07'),
            'e' => out.push('\x1b'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '[' | ']' => {}
            'd' => out.push_str(&strftime("%a %b %d", info.now)),
            't' => out.push_str(&strftime("%H:%M:%S", info.now)),
            'T' => out.push_str(&strftime("%I:%M:%S", info.now)),
            '@' => out.push_str(&strftime("%I:%M %p", info.now)),
            'A' => out.push_str(&strftime("%H:%M", info.now)),
            'D' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut fmt = String::new();
                let mut closed = false;
                for f in chars.by_ref() {
                    if f == '}' {
                        closed = true;
                        break;
                    }
                    fmt.push(f);
                }
                if !closed {
                    // bash shows an unterminated `\D{` as written.
                    out.push_str("\\D{");
                    out.push_str(&fmt);
                    continue;
                }
                if fmt.is_empty() {
                    fmt.push_str("%X");
                }
                out.push_str(&strftime(&fmt, info.now));
            }
            'h' => out.push_str(&quote(info.host.split('.').next().unwrap_or(""))),
            'H' => out.push_str(&quote(&info.host)),
            'j' => out.push_str(&info.jobs.to_string()),
            'l' => out.push_str(&info.tty),
            's' => out.push_str(&quote(&info.shell_name)),
            'u' => out.push_str(&info.user),
            'v' => out.push_str(VERSION_SHORT),
            'V' => out.push_str(env!("CARGO_PKG_VERSION")),
            'w' => {
                let dir = tilde_cwd(&info.cwd, info.home.as_deref());
                out.push_str(&quote(&trim_dirs(&dir, info.dirtrim)));
            }
            'W' => out.push_str(&quote(&base_cwd(&info.cwd, info.home.as_deref()))),
            '!' => out.push_str(&info.history_number.to_string()),
            '#' => out.push_str(&info.command_number.to_string()),
            // Left quoted for non-root: the expansion step makes it `$`.
            '$' => out.push_str(if info.root { "#" } else { "\\$" }),
            '0'..='7' => {
                let mut n = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            n = n * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(n & 0xff).unwrap_or('?'));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

/// `\w`: the directory, with `$HOME` at its start written `~`.
pub(crate) fn tilde_cwd(cwd: &str, home: Option<&str>) -> String {
    match home.filter(|h| !h.is_empty() && *h != "/") {
        Some(h) if cwd == h => "~".to_string(),
        Some(h) if cwd.starts_with(h) && cwd[h.len()..].starts_with('/') => {
            format!("~{}", &cwd[h.len()..])
        }
        _ => cwd.to_string(),
    }
}

/// `$PROMPT_DIRTRIM`: all but the last `keep` components (after a `~`
/// prefix) become `...`, unless that would not make the name shorter.
fn trim_dirs(name: &str, keep: usize) -> String {
    if keep == 0 {
        return name.to_string();
    }
    let beg = if name.starts_with('~') {
        match name.find('/') {
            Some(i) => i + 1,
            None => return name.to_string(),
        }
    } else {
        0
    };
    let rest = &name[beg..];
    if rest.is_empty() || rest.matches('/').count() < keep {
        return name.to_string();
    }
    let mut left = keep;
    let mut tail = None;
    for (i, c) in rest.char_indices().rev() {
        if i == 0 {
            break;
        }
        if c == '/' {
            left -= 1;
            if left == 0 {
                tail = Some(i);
                break;
            }
        }
    }
    match tail {
        Some(t) if t > 3 => format!("{}...{}", &name[..beg], &rest[t..]),
        _ => name.to_string(),
    }
}

/// `\W`: the directory's basename, `~` for `$HOME`, `/` for the root.
fn base_cwd(cwd: &str, home: Option<&str>) -> String {
    if home.is_some_and(|h| !h.is_empty() && h == cwd) {
        return "~".to_string();
    }
    match cwd.trim_end_matches('/').rsplit('/').next() {
        Some(base) if !base.is_empty() => base.to_string(),
        _ => cwd.to_string(),
    }
}

/// Backslash-quotes what the expansion step would act on.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '$' | '`' | '\\' | '"') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Turns `\"` into `"`: in a prompt, as in a double-quoted word, `\"` is
/// a quote; the here-document rules [`expand`] uses otherwise match.
fn unescape_quotes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('"') => {
                    out.push('"');
                    chars.next();
                }
                Some(&n) => {
                    out.push('\\');
                    out.push(n);
                    chars.next();
                }
                None => out.push_str("\\\\"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Why a prompt string could not be expanded (the prompt is then shown
/// decoded but unexpanded).
#[derive(Debug, thiserror::Error)]
pub(crate) enum PromptError {
    /// A syntax error in the string (an unclosed `$(` or `${`).
    #[error("{}", .0.message())]
    Syntax(crate::lang::SyntaxError),
    /// The expansion failed (an unset variable under `set -u`, a bad
    /// substitution).
    #[error(transparent)]
    Expansion(#[from] crate::expand::ExpandError),
}

/// Expands a decoded prompt string like a double-quoted word (`$VAR`,
/// `${…}`, `$(…)`, backquotes, `$((…))`); `$?` is left as it was.
///
/// # Errors
/// [`PromptError`]: a syntax error in the string, or a failed expansion.
pub(crate) async fn expand(shell: &mut Shell, decoded: &str) -> Result<String, PromptError> {
    if !decoded.contains(['$', '`', '\\']) {
        return Ok(decoded.to_string());
    }
    let text = unescape_quotes(decoded);
    let mut delimiter = String::from("CORRAL_PROMPT_END");
    while text.contains(&delimiter) {
        delimiter.push('_');
    }
    let program = crate::lang::parse(&format!(": <<{delimiter}\n{text}\n{delimiter}\n"))
        .map_err(PromptError::Syntax)?;
    let word = program
        .body
        .items
        .first()
        .and_then(|item| item.and_or.first.commands.first())
        .and_then(|c| match c {
            Command::Simple(s) => s.redirects.first(),
            _ => None,
        })
        .and_then(|r| match &r.kind {
            RedirectKind::HereDoc(h) => match &h.body {
                HereDocBody::Expand(w) => Some(w.clone()),
                HereDocBody::Literal(_) => None,
            },
            _ => None,
        });
    let Some(word) = word else {
        return Ok(decoded.to_string());
    };
    let status = shell.env.last_status;
    let expanded = crate::expand::heredoc(shell, &word).await;
    shell.env.last_status = status;
    let mut s = expanded?;
    if s.ends_with('\n') {
        s.pop();
    }
    Ok(s)
}

/// Asks for another line while the input is an unfinished command
/// (open quote, trailing `|`, `&&`, `(`…).
pub struct LineValidator;

impl Validator for LineValidator {
    fn validate(&self, line: &str) -> ValidationResult {
        if crate::lang::is_incomplete(line) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Complete
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> PromptInfo {
        PromptInfo {
            user: "ann".into(),
            host: "box.example.org".into(),
            cwd: "/home/ann/src/$x".into(),
            home: Some("/home/ann".into()),
            dirtrim: 0,
            jobs: 3,
            history_number: 42,
            command_number: 7,
            shell_name: "corral".into(),
            root: false,
            tty: "4".into(),
            now: 0,
        }
    }

    fn fake_time(fmt: &str, _: i64) -> String {
        format!("<{fmt}>")
    }

    fn d(ps: &str) -> String {
        decode(ps, &info(), fake_time)
    }

    #[test]
    fn escapes_as_bash() {
        assert_eq!(d("\\u@\\h:\\H"), "ann@box:box.example.org");
        assert_eq!(d("[\\j \\! \\# \\l]"), "[3 42 7 4]");
        assert_eq!(
            d("\\s-\\v-\\V"),
            format!("corral-{VERSION_SHORT}-{}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(d("\\w|\\W"), "~/src/\\$x|\\$x");
        assert_eq!(d("\\$ "), "\\$ ");
        assert_eq!(d("\\a\\e\\n\\r\\\\"), "\x07\x1b\n\r\\");
        assert_eq!(d("\\101\\060x\\0"), "A0x\0");
        assert_eq!(d("\\[\\e[1m\\]b"), "\x1b[1mb");
        assert_eq!(
            d("\\t \\T \\@ \\A \\d"),
            "<%H:%M:%S> <%I:%M:%S> <%I:%M %p> <%H:%M> <%a %b %d>"
        );
        assert_eq!(d("\\D{%Y}\\D{}"), "<%Y><%X>");
        assert_eq!(d("\\D{%Y"), "\\D{%Y");
        assert_eq!(d("\\x\\q \\"), "\\x\\q \\");
        let root = PromptInfo {
            root: true,
            ..info()
        };
        assert_eq!(decode("\\$", &root, fake_time), "#");
    }

    #[test]
    fn dirtrim_as_bash() {
        assert_eq!(trim_dirs("/tmp/hx/u/v/w/x", 2), ".../w/x");
        assert_eq!(trim_dirs("~/a/b/c/d", 2), "~/a/b/c/d");
        assert_eq!(trim_dirs("~/src/corral/repl/src", 2), "~/.../repl/src");
        assert_eq!(trim_dirs("/tmp/hx", 2), "/tmp/hx");
        assert_eq!(trim_dirs("/usr/local/share/doc", 0), "/usr/local/share/doc");
    }

    #[test]
    fn directories() {
        assert_eq!(tilde_cwd("/home/ann", Some("/home/ann")), "~");
        assert_eq!(tilde_cwd("/home/annex", Some("/home/ann")), "/home/annex");
        assert_eq!(tilde_cwd("/", Some("/")), "/");
        assert_eq!(base_cwd("/", Some("/home/ann")), "/");
        assert_eq!(base_cwd("/home/ann", Some("/home/ann")), "~");
        assert_eq!(base_cwd("/usr/lib", None), "lib");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        #[test]
        fn decoding_never_panics(
            ps in "(\\\\[0-9a-zA-Z@!#$\\[\\]{}\\\\]?|[{}%é日]|\\PC){0,16}",
            cwd in "(/|~|[a-zé.]{0,3}|\\PC){0,8}",
            home in proptest::option::of("(/|[a-zé]{0,2}|\\PC){0,4}"),
            dirtrim in 0usize..6,
        ) {
            let info = PromptInfo { cwd, home, dirtrim, ..info() };
            let _ = decode(&ps, &info, fake_time);
            let _ = unescape_quotes(&ps);
        }
    }

    #[test]
    fn quotes_for_the_expansion_step() {
        assert_eq!(unescape_quotes("a\\\"b\\\\c\\$d\\"), "a\"b\\\\c\\$d\\\\");
    }
}
