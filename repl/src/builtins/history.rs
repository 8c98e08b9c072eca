//! `history`: the shell's command history list, as bash 5.2 and readline
//! keep it (`fc`, in [`super::fc`], works on the same list).
//!
//! [`HistList`] is the list the builtins see: entries numbered from a base
//! (which moves when `$HISTSIZE` drops old entries, as readline's
//! `stifle_history` moves it), how many entries were added since the file
//! was last written (`history -a` appends those), and how many lines were
//! read from the file (`history -n` reads past them). A non-interactive
//! shell records no command lines (bash's `set +o history` default), so
//! only `history -s` and `history -r`/`-n` fill it; the interactive shell
//! adds each line it runs. Assigning `HISTSIZE` trims the list and
//! `HISTFILESIZE` trims the file at once ([`on_assign`]), as in bash.

use std::io::Write as _;

use super::getopts::{BuiltinOpt, BuiltinOpts};
use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

/// The history list.
#[derive(Clone, Debug)]
pub struct HistList {
    pub(super) entries: Vec<String>,
    /// The number of the first entry.
    pub(super) base: usize,
    /// Entries added since the history file was last written.
    new_lines: usize,
    /// Lines read from the history file so far.
    lines_in_file: usize,
    /// `$HISTSIZE` as last applied: entries kept at most.
    max: Option<usize>,
}

impl Default for HistList {
    fn default() -> HistList {
        HistList {
            entries: Vec::new(),
            base: 1,
            new_lines: 0,
            lines_in_file: 0,
            max: None,
        }
    }
}

impl HistList {
    /// Adds a line the user ran (or `history -s` gave).
    pub fn push(&mut self, line: String) {
        self.add(line);
        self.new_lines += 1;
    }

    /// A line the interactive shell ran and already appended to the
    /// history file: not new for `history -a`, and not to be read back by
    /// `history -n`.
    pub fn push_saved(&mut self, line: String) {
        self.add(line);
        self.lines_in_file += 1;
    }

    /// The entries of the history file the shell started with (not new).
    pub fn seed(&mut self, lines: Vec<String>) {
        for l in lines {
            self.add(l);
        }
    }

    fn add(&mut self, line: String) {
        if let Some(max) = self.max {
            if max == 0 {
                return;
            }
            if self.entries.len() >= max {
                self.entries.remove(0);
                self.base += 1;
            }
        }
        self.entries.push(line);
    }

    /// Keeps at most `max` entries (readline's `stifle_history`: the base
    /// becomes the number dropped).
    fn stifle(&mut self, max: Option<usize>) {
        self.max = max;
        if let Some(max) = max {
            if self.entries.len() > max {
                let dropped = self.entries.len() - max;
                self.entries.drain(..dropped);
                self.base = dropped;
            }
        }
    }

    fn clear(&mut self) {
        self.entries.clear();
        self.base = 1;
        self.new_lines = 0;
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }
}

/// After an assignment to `name`: `HISTSIZE` trims the list, `HISTFILESIZE`
/// trims `$HISTFILE`.
pub(crate) fn on_assign(shell: &mut Shell, name: &str) {
    let number = |s: &Shell, n: &str| s.env.vars.get(n).and_then(|v| v.trim().parse::<i64>().ok());
    match name {
        "HISTSIZE" => {
            let max = number(shell, name).and_then(|n| usize::try_from(n).ok());
            shell.env.lang.history.stifle(max);
        }
        "HISTFILESIZE" => {
            let Some(max) = number(shell, name).and_then(|n| usize::try_from(n).ok()) else {
                return;
            };
            if let Some(file) = shell.env.vars.get("HISTFILE").filter(|f| !f.is_empty()) {
                let path = shell.env.absolute_path(file);
                let _ = truncate_file(&path, max);
            }
        }
        _ => {}
    }
}

/// Keeps the last `max` lines of a history file.
fn truncate_file(path: &std::path::Path, max: usize) -> std::io::Result<()> {
    let text = std::fs::read(path)?;
    let lines: Vec<&[u8]> = text.split_inclusive(|b| *b == b'\n').collect();
    if lines.len() <= max {
        return Ok(());
    }
    let kept: Vec<u8> = lines[lines.len() - max..].concat();
    std::fs::write(path, kept)
}

fn read_lines(path: &std::path::Path) -> std::io::Result<Vec<String>> {
    let bytes = std::fs::read(path)?;
    let text = crate::rawbytes::encode(&bytes);
    Ok(text.lines().map(str::to_string).collect())
}

const USAGE: &str = "history: usage: history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]";

/// `history [-c] [-d offset] [n]`, `history -anrw [file]`, `history -ps arg...`.
pub(super) fn history<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = format!("{}history: ", shell.err_prefix());
        let mut flags = String::new();
        let mut delete: Option<String> = None;
        let mut opts = BuiltinOpts::new(&args, "cd:anrwps");
        for opt in &mut opts {
            match opt {
                Ok(BuiltinOpt { value: Some(d), .. }) => delete = Some(d),
                Ok(o) => flags.push(o.letter),
                Err(e) => return e.report(io, &prefix, USAGE).await,
            }
        }
        let rest = opts.rest();
        let has = |c: char| flags.contains(c);
        if flags.chars().filter(|c| "anrw".contains(*c)).count() > 1 {
            io.err_line(&format!("{prefix}cannot use more than one of -anrw"))
                .await;
            return 1;
        }
        if has('c') {
            shell.env.lang.history.clear();
            // bash: after -c only -anrw, -s and -p act; -d and the
            // listing's count are ignored.
            if !flags.contains(['a', 'n', 'r', 'w', 's', 'p']) {
                return 0;
            }
            delete = None;
        }
        apply_histsize(shell);
        if has('s') {
            if !rest.is_empty() {
                let h = &mut shell.env.lang.history;
                // The `history -s` line itself is not kept (bash).
                if shell.interactive && !h.entries.is_empty() {
                    h.entries.pop();
                    h.new_lines = h.new_lines.saturating_sub(1);
                }
                h.push(rest.join(" "));
            }
            return 0;
        }
        if has('p') {
            let entries = shell.env.lang.history.entries.clone();
            let mut memory = crate::histexpand::Memory::default();
            let mut text = String::new();
            for a in rest {
                match crate::histexpand::expand(a, &entries, &mut memory) {
                    Ok(crate::histexpand::Expansion::Expanded { line, .. }) => text.push_str(&line),
                    Ok(crate::histexpand::Expansion::Unchanged) => text.push_str(a),
                    Err(e) => {
                        io.err_line(&format!("{}{e}", shell.err_prefix())).await;
                        return 1;
                    }
                }
                text.push('\n');
            }
            return out(io, &text).await.err().unwrap_or(0);
        }
        if let Some(d) = delete {
            return match delete_entries(&mut shell.env.lang.history, &d) {
                Ok(()) => 0,
                Err(()) => {
                    io.err_line(&format!("{prefix}{d}: history position out of range"))
                        .await;
                    1
                }
            };
        }
        if !flags.contains(['a', 'n', 'r', 'w']) {
            return list(shell, rest, &prefix, io).await;
        }
        let file = match rest.first() {
            Some(f) => Some(f.clone()),
            None => shell.env.vars.get("HISTFILE").map(str::to_string),
        };
        let Some(file) = file.filter(|f| !f.is_empty()) else {
            return 0;
        };
        let path = shell.env.absolute_path(&file);
        let h = &mut shell.env.lang.history;
        let result = if has('a') {
            let new = &h.entries[h.entries.len() - h.new_lines.min(h.entries.len())..];
            let r = append_lines(&path, new);
            h.lines_in_file += new.len();
            h.new_lines = 0;
            r
        } else if has('w') {
            let r = std::fs::write(&path, joined(&h.entries));
            h.new_lines = 0;
            r
        } else {
            let from = if has('n') { h.lines_in_file } else { 0 };
            match read_lines(&path) {
                Ok(lines) => {
                    let n = lines.len();
                    for l in lines.into_iter().skip(from) {
                        h.add(l);
                    }
                    h.lines_in_file = n;
                    Ok(())
                }
                Err(e) => Err(e),
            }
        };
        i32::from(result.is_err())
    })
}

pub(super) fn joined(lines: &[String]) -> Vec<u8> {
    let mut text = String::new();
    for l in lines {
        text.push_str(l);
        text.push('\n');
    }
    crate::rawbytes::decode(&text).into_owned()
}

fn append_lines(path: &std::path::Path, lines: &[String]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(&joined(lines))
}

/// `$HISTSIZE`, if it changed by other means than an assignment
/// (`declare`, `export`), applied before the list is used.
pub(super) fn apply_histsize(shell: &mut Shell) {
    let max = shell
        .env
        .vars
        .get("HISTSIZE")
        .and_then(|v| v.trim().parse::<i64>().ok())
        .and_then(|n| usize::try_from(n).ok());
    if max != shell.env.lang.history.max {
        shell.env.lang.history.stifle(max);
    }
}

/// `history -d N`, `-d -N` (from the end) or `-d A-B`.
fn delete_entries(h: &mut HistList, arg: &str) -> Result<(), ()> {
    let len = h.entries.len();
    let index = |text: &str| -> Result<usize, ()> {
        let n: i64 = text.trim().parse().map_err(|_| ())?;
        if n < 0 {
            let i = i64::try_from(len).map_err(|_| ())? + n;
            usize::try_from(i).map_err(|_| ())
        } else {
            let n = usize::try_from(n).map_err(|_| ())?;
            if n < h.base || n >= h.base + len {
                return Err(());
            }
            Ok(n - h.base)
        }
    };
    let range = arg
        .get(1..)
        .and_then(|r| r.find('-'))
        .map(|i| (&arg[..=i], &arg[i + 2..]));
    let (start, end) = match range {
        Some((a, b)) => (index(a)?, index(b)?),
        None => {
            let i = index(arg)?;
            (i, i)
        }
    };
    if start > end || end >= len {
        return Err(());
    }
    h.entries.drain(start..=end);
    Ok(())
}

/// `history [n]`: the list (its last n entries) as `%5d  %s`.
async fn list(shell: &mut Shell, rest: &[String], prefix: &str, io: &mut Streams) -> i32 {
    let h = &shell.env.lang.history;
    let mut count = h.entries.len();
    if let Some(n) = rest.first() {
        if rest.len() > 1 {
            io.err_line(&format!("{prefix}too many arguments")).await;
            return 1;
        }
        match n.trim().parse::<i64>() {
            Ok(n) => count = usize::try_from(n).unwrap_or(0).min(count),
            Err(_) => {
                io.err_line(&format!("{prefix}{n}: numeric argument required"))
                    .await;
                return 1;
            }
        }
    }
    let start = h.entries.len() - count;
    let mut text = String::new();
    for (i, e) in h.entries.iter().enumerate().skip(start) {
        text.push_str(&format!("{:5}  {e}\n", i + h.base));
    }
    out(io, &text).await.err().unwrap_or(0)
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A history of `echo 1` … `echo n`.
    pub(crate) fn list(n: usize) -> HistList {
        let mut h = HistList::default();
        for i in 1..=n {
            h.push(format!("echo {i}"));
        }
        h
    }

    #[test]
    fn stifling_moves_the_base_as_readline_does() {
        let mut h = list(7);
        h.stifle(Some(3));
        assert_eq!(h.base, 4);
        assert_eq!(h.entries, ["echo 5", "echo 6", "echo 7"]);
        h.push("x".into());
        assert_eq!(h.base, 5);
        h.clear();
        assert_eq!(h.base, 1);
    }

    #[test]
    fn delete_takes_numbers_offsets_and_ranges() {
        let mut h = list(5);
        assert!(delete_entries(&mut h, "1").is_ok());
        assert_eq!(h.entries[0], "echo 2");
        assert!(delete_entries(&mut h, "-1").is_ok());
        assert_eq!(h.entries.last().map(String::as_str), Some("echo 4"));
        assert!(delete_entries(&mut h, "1-2").is_ok());
        assert_eq!(h.entries, ["echo 4"]);
        assert!(delete_entries(&mut h, "9").is_err());
        assert!(delete_entries(&mut h, "x").is_err());
    }
}
