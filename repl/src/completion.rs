//! Tab completion: command names (builtins and PATH), paths (host,
//! `~/…` and /v/jobs), `$VAR` names, and %jobspecs.
//!
//! The word under the cursor is read as the shell reads it (quotes and
//! backslashes removed), completed, and written back quoted with
//! backslashes where a name holds spaces or characters special to the
//! shell (`my\ file.txt`), as bash does.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use reedline::{Completer, CompletionResult, Span, Suggestion};

/// Jobs as the completer sees them: (id, command), refreshed by the shell.
pub type JobList = Arc<Mutex<Vec<(u64, String)>>>;

const JOB_FILES: &[&str] = &[
    "stdout", "stderr", "status", "command", "pid", "info", "ctl",
];

/// The shell's completer.
pub struct ShellCompleter {
    commands: BTreeSet<String>,
    jobs: JobList,
    cwd: Arc<Mutex<std::path::PathBuf>>,
    /// The shell, for the specs `complete` registered.
    programmable: Option<crate::progcomp::Client>,
}

impl ShellCompleter {
    /// A completer over builtins, the executables on PATH, and the given job list.
    pub fn new(jobs: JobList, cwd: Arc<Mutex<std::path::PathBuf>>) -> ShellCompleter {
        let mut commands: BTreeSet<String> = crate::builtins::names().map(str::to_string).collect();
        if let Some(path) = std::env::var_os("PATH") {
            for dir in std::env::split_paths(&path) {
                if let Ok(rd) = std::fs::read_dir(dir) {
                    for e in rd.flatten() {
                        commands.insert(crate::rawbytes::from_os(e.file_name()));
                    }
                }
            }
        }
        ShellCompleter {
            commands,
            jobs,
            cwd,
            programmable: None,
        }
    }

    /// Tab asks the shell's completion specs first.
    #[must_use]
    pub fn with_programmable(mut self, client: crate::progcomp::Client) -> ShellCompleter {
        self.programmable = Some(client);
        self
    }

    /// A spec's matches as suggestions: paths quoted and marked `/` when
    /// the spec completes file names.
    fn programmable(&self, line: &str, pos: usize) -> Option<Vec<Suggestion>> {
        let answer = self.programmable.as_ref()?.ask(line, pos)?;
        let cwd = self.cwd.lock().map(|c| c.clone()).unwrap_or_default();
        let span = Span {
            start: answer.start.min(pos),
            end: pos,
        };
        Some(
            answer
                .matches
                .into_iter()
                .map(|m| {
                    let dir = answer.filenames
                        && crate::vmount::real_dir(&cwd)
                            .join(crate::rawbytes::path(&m))
                            .is_dir();
                    let value = match (answer.filenames, dir) {
                        (true, true) => format!("{}/", quote(&m)),
                        (true, false) => quote(&m),
                        (false, _) => m,
                    };
                    Suggestion {
                        append_whitespace: !answer.nospace && !dir,
                        value,
                        span,
                        ..Suggestion::default()
                    }
                })
                .collect(),
        )
    }

    fn paths(&self, word: &str) -> Vec<String> {
        let (dir, prefix) = match word.rfind('/') {
            Some(i) => (&word[..=i], &word[i + 1..]),
            None => ("", word),
        };
        let mut out = Vec::new();
        let trimmed = dir.trim_end_matches('/');
        if trimmed == "/v/jobs" {
            let jobs = self.jobs.lock().map(|j| j.clone()).unwrap_or_default();
            for (id, _) in jobs {
                let name = id.to_string();
                if name.starts_with(prefix) {
                    out.push(format!("{dir}{name}/"));
                }
            }
            return out;
        }
        if let Some(rest) = trimmed.strip_prefix("/v/jobs/") {
            if !rest.contains('/') {
                for f in JOB_FILES {
                    if f.starts_with(prefix) {
                        out.push(format!("{dir}{f}"));
                    }
                }
                return out;
            }
        }
        if trimmed == "/v" && "jobs".starts_with(prefix) {
            out.push(format!("{dir}jobs/"));
        }
        let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
        let base = if dir.starts_with('/') {
            crate::rawbytes::path(dir).into_owned()
        } else if let (Some(rest), Some(home)) = (dir.strip_prefix("~/"), &home) {
            home.join(crate::rawbytes::path(rest))
        } else {
            let cwd = self.cwd.lock().map(|c| c.clone()).unwrap_or_default();
            // A logical cwd under /v is listed through the session mount.
            crate::vmount::real_dir(&cwd).join(crate::rawbytes::path(dir))
        };
        if let Ok(rd) = std::fs::read_dir(base) {
            for e in rd.flatten() {
                let name = crate::rawbytes::from_os(e.file_name());
                if !name.starts_with(prefix) || (name.starts_with('.') && !prefix.starts_with('.'))
                {
                    continue;
                }
                let slash = if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                    "/"
                } else {
                    ""
                };
                out.push(format!("{dir}{name}{slash}"));
            }
        }
        if dir == "/" && "v".starts_with(prefix) {
            out.push("/v/".to_string());
        }
        out.sort();
        out.dedup();
        out
    }

    /// The candidates for `word` (as the shell reads it: unquoted);
    /// `command` when it is in command position.
    pub fn candidates(&self, word: &str, command: bool) -> Vec<String> {
        if let Some(prefix) = word.strip_prefix('$') {
            if !prefix.contains('/') {
                let mut names: Vec<String> = std::env::vars_os()
                    .filter_map(|(k, _)| k.into_string().ok())
                    .filter(|k| k.starts_with(prefix))
                    .map(|k| format!("${k}"))
                    .collect();
                names.sort();
                names.dedup();
                return names;
            }
        }
        if let Some(spec) = word.strip_prefix('%') {
            let jobs = self.jobs.lock().map(|j| j.clone()).unwrap_or_default();
            return jobs
                .iter()
                .map(|(id, _)| format!("%{id}"))
                .filter(|s| s[1..].starts_with(spec))
                .collect();
        }
        if command && !word.contains('/') {
            return self
                .commands
                .iter()
                .filter(|c| c.starts_with(word))
                .cloned()
                .collect();
        }
        self.paths(word)
    }
}

impl Completer for ShellCompleter {
    fn complete(&mut self, line: &str, pos: usize) -> CompletionResult {
        let pos = pos.min(line.len());
        if let Some(suggestions) = self.programmable(line, pos) {
            return CompletionResult::fresh(suggestions);
        }
        let before = line.get(..pos).unwrap_or("");
        let (start, word) = current_word(before);
        let head = before[..start].trim_end();
        let command = head.is_empty() || head.ends_with(['|', '&', ';', '(']);
        let suggestions: Vec<Suggestion> = self
            .candidates(&word, command)
            .into_iter()
            .map(|value| Suggestion {
                append_whitespace: !value.ends_with('/'),
                value: quote(&value),
                span: Span { start, end: pos },
                ..Suggestion::default()
            })
            .collect();
        CompletionResult::fresh(suggestions)
    }
}

/// Where the word before the cursor starts, and its text as the shell
/// reads it: quotes and backslashes removed.
fn current_word(before: &str) -> (usize, String) {
    let mut start = 0;
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut chars = before.char_indices();
    while let Some((i, c)) = chars.next() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some('"'), '\\') | (None, '\\') => {
                if let Some((_, next)) = chars.next() {
                    word.push(next);
                }
            }
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => quote = Some(c),
            (None, c)
                if c.is_whitespace() || matches!(c, '|' | '&' | ';' | '(' | ')' | '<' | '>') =>
            {
                start = i + c.len_utf8();
                word.clear();
            }
            (None, c) => word.push(c),
        }
    }
    (start, word)
}

/// A candidate as it must be typed: characters the shell would split on or
/// expand get a backslash; a leading `~/` and a `$NAME` stay as they are.
fn quote(candidate: &str) -> String {
    if candidate.starts_with('$') && !candidate.contains('/') {
        return candidate.to_string();
    }
    let (head, rest) = match candidate.strip_prefix("~/") {
        Some(rest) => ("~/", rest),
        None => ("", candidate),
    };
    let mut out = String::from(head);
    for c in rest.chars() {
        if let Some(b) = crate::rawbytes::escaped_byte(c) {
            // A byte that is not UTF-8, typed as the shell reads it back.
            out.push_str(&format!("$'\\{b:03o}'"));
            continue;
        }
        if c.is_whitespace() || "'\"\\$`&|;()<>*?[]#!{}~=".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn completer() -> ShellCompleter {
        let jobs: JobList = Arc::new(Mutex::new(vec![(1, "sleep 1".into()), (12, "cat".into())]));
        ShellCompleter::new(jobs, Arc::new(Mutex::new("/".into())))
    }

    #[test]
    fn jobspecs_and_job_paths() {
        let c = completer();
        assert_eq!(c.candidates("%1", false), vec!["%1", "%12"]);
        assert_eq!(
            c.candidates("/v/jobs/1", false),
            vec!["/v/jobs/1/", "/v/jobs/12/"]
        );
        assert_eq!(
            c.candidates("/v/jobs/1/st", false),
            vec!["/v/jobs/1/stdout", "/v/jobs/1/stderr", "/v/jobs/1/status"]
        );
        assert!(c.candidates("ec", true).contains(&"echo".to_string()));
    }

    #[test]
    fn words_are_read_and_written_quoted() {
        assert_eq!(current_word("cat my\\ fi"), (4, "my fi".to_string()));
        assert_eq!(current_word("cat 'my fi"), (4, "my fi".to_string()));
        assert_eq!(current_word("a|b"), (2, "b".to_string()));
        assert_eq!(quote("my file (1).txt"), "my\\ file\\ \\(1\\).txt");
        assert_eq!(quote("~/a b"), "~/a\\ b");
        assert_eq!(quote("$HOME"), "$HOME");
        assert_eq!(quote("/v/jobs/1/"), "/v/jobs/1/");
    }

    #[test]
    fn home_and_variables_complete() {
        let c = completer();
        let home = std::env::var("HOME").unwrap();
        let first = std::fs::read_dir(&home)
            .unwrap()
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .find(|n| !n.starts_with('.'));
        if let Some(name) = first {
            let got = c.candidates(&format!("~/{name}"), false);
            assert!(
                got.iter().any(|g| g.starts_with(&format!("~/{name}"))),
                "{got:?}"
            );
        }
        assert!(c.candidates("$PAT", false).contains(&"$PATH".to_string()));
    }

    #[test]
    fn never_panics_on_odd_lines() {
        let mut c = completer();
        for line in [
            "",
            "\u{3000}ec",
            "ls\u{3000}/v/",
            "é",
            "cat %",
            "a|b&c;(d<e>f",
        ] {
            for pos in 0..=line.len() + 2 {
                let _ = c.complete(line, pos);
            }
        }
    }
}
