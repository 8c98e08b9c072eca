//! `history` and `fc`: the shell's command history list, as bash 5.2 and
//! readline keep it.
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

use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

/// The history list.
#[derive(Clone, Debug)]
pub struct HistList {
    entries: Vec<String>,
    /// The number of the first entry.
    base: usize,
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
        let mut i = 1;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                i += 1;
                break;
            }
            if a.len() < 2 || !a.starts_with('-') {
                break;
            }
            let chars: Vec<char> = a[1..].chars().collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                match c {
                    'c' | 'a' | 'n' | 'r' | 'w' | 'p' | 's' => flags.push(c),
                    'd' => {
                        if k < chars.len() {
                            delete = Some(chars[k..].iter().collect());
                            k = chars.len();
                        } else if let Some(v) = args.get(i + 1) {
                            delete = Some(v.clone());
                            i += 1;
                        } else {
                            io.err_line(&format!("{prefix}-d: option requires an argument"))
                                .await;
                            io.err_line(USAGE).await;
                            return 2;
                        }
                    }
                    _ => {
                        io.err_line(&format!("{prefix}-{c}: invalid option")).await;
                        io.err_line(USAGE).await;
                        return 2;
                    }
                }
            }
            i += 1;
        }
        let rest = &args[i.min(args.len())..];
        let has = |c: char| flags.contains(c);
        if flags.chars().filter(|c| "anrw".contains(*c)).count() > 1 {
            io.err_line(&format!("{prefix}cannot use more than one of -anrw"))
                .await;
            return 1;
        }
        if has('c') {
            shell.env.lang.history.clear();
            if rest.is_empty() && !flags.contains(['a', 'n', 'r', 'w']) {
                return 0;
            }
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

fn joined(lines: &[String]) -> Vec<u8> {
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
fn apply_histsize(shell: &mut Shell) {
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

/// What `fc` found for a history spec (bash's `fc_gethnum`).
enum Hnum {
    At(usize),
    Invalid,
    NotFound,
}

/// The index a `fc` argument names; `last`: the index of the last entry
/// `fc` may use; `first`: the first of a range (out of range gives 0).
fn fc_index(h: &HistList, spec: Option<&str>, last: usize, first: bool, listing: bool) -> Hnum {
    let Some(spec) = spec else {
        return Hnum::At(last);
    };
    let (neg, digits) = match spec.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, spec),
    };
    if digits.starts_with(|c: char| c.is_ascii_digit()) {
        let n: i64 = digits
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap_or(i64::MAX);
        let last_i = i64::try_from(last).unwrap_or(i64::MAX);
        if neg && n > 0 {
            let i = last_i + 1 - n;
            return Hnum::At(usize::try_from(i.max(0)).unwrap_or(0));
        }
        if n == 0 {
            return match (neg, listing) {
                (true, true) => Hnum::At(h.entries.len()),
                (true, false) => Hnum::Invalid,
                _ => Hnum::At(last),
            };
        }
        let i = n - i64::try_from(h.base).unwrap_or(1);
        if i < 0 || i > last_i {
            return Hnum::At(if first { 0 } else { last });
        }
        return Hnum::At(usize::try_from(i).unwrap_or(0));
    }
    match h.entries[..=last.min(h.entries.len() - 1)]
        .iter()
        .rposition(|e| e.starts_with(spec))
    {
        Some(i) => Hnum::At(i),
        None => Hnum::NotFound,
    }
}

/// `fc [-e ename] [-lnr] [first] [last]` and `fc -s [pat=rep] [command]`.
pub(super) fn fc<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = format!("{}fc: ", shell.err_prefix());
        let (mut listing, mut numbers, mut reverse, mut again) = (false, true, false, false);
        let mut editor: Option<String> = None;
        let mut i = 1;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                i += 1;
                break;
            }
            // `-5` is a history offset, not an option.
            if a.len() < 2
                || !a.starts_with('-')
                || a[1..].starts_with(|c: char| c.is_ascii_digit())
            {
                break;
            }
            for c in a[1..].chars() {
                match c {
                    'l' => listing = true,
                    'n' => numbers = false,
                    'r' => reverse = true,
                    's' => again = true,
                    'e' => {
                        i += 1;
                        let Some(e) = args.get(i) else {
                            io.err_line(&format!("{prefix}-e: option requires an argument"))
                                .await;
                            io.err_line("fc: usage: fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]").await;
                            return 2;
                        };
                        editor = Some(e.clone());
                    }
                    _ => {
                        io.err_line(&format!("{prefix}-{c}: invalid option")).await;
                        io.err_line("fc: usage: fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]").await;
                        return 2;
                    }
                }
            }
            i += 1;
        }
        let mut rest: Vec<String> = args[i.min(args.len())..].to_vec();
        apply_histsize(shell);
        if editor.as_deref() == Some("-") {
            again = true;
        }
        let h = &shell.env.lang.history;
        // In the interactive shell the `fc` line itself is the last entry.
        let skip = usize::from(shell.interactive);
        let Some(last) = h.entries.len().checked_sub(1 + skip) else {
            if listing {
                return 0;
            }
            io.err_line(&format!("{prefix}no command found")).await;
            return 1;
        };
        if again {
            let subst = rest
                .first()
                .and_then(|a| a.split_once('='))
                .map(|(p, r)| (p.to_string(), r.to_string()));
            if subst.is_some() {
                rest.remove(0);
            }
            let Hnum::At(at) = fc_index(h, rest.first().map(String::as_str), last, false, false)
            else {
                io.err_line(&format!("{prefix}no command found")).await;
                return 1;
            };
            let mut command = h.entries[at].clone();
            if let Some((p, r)) = subst.filter(|(p, _)| !p.is_empty()) {
                command = command.replace(&p, &r);
            }
            return run_again(shell, command, io).await;
        }
        let first = fc_index(h, rest.first().map(String::as_str), last, true, listing);
        let end = match (rest.get(1), &first) {
            (Some(s), _) => fc_index(h, Some(s), last, false, listing),
            (None, Hnum::At(b)) if listing && *b == h.entries.len() => Hnum::At(*b),
            (None, _) if listing => Hnum::At(last),
            (None, f) => match f {
                Hnum::At(b) => Hnum::At(*b),
                Hnum::Invalid => Hnum::Invalid,
                Hnum::NotFound => Hnum::NotFound,
            },
        };
        let (mut begin, mut end) = match (first, end) {
            (Hnum::At(b), Hnum::At(e)) if rest.is_empty() && listing => {
                let _ = b;
                (e.saturating_sub(15), e)
            }
            (Hnum::At(b), Hnum::At(e)) => (b, e),
            (Hnum::NotFound, _) | (_, Hnum::NotFound) => {
                io.err_line(&format!("{prefix}no command found")).await;
                return 1;
            }
            _ => {
                io.err_line(&format!("{prefix}history specification out of range"))
                    .await;
                return 1;
            }
        };
        if end < begin {
            std::mem::swap(&mut begin, &mut end);
            reverse = !reverse;
        }
        let end = end.min(h.entries.len().saturating_sub(1));
        let mut picked: Vec<(usize, String)> = (begin..=end)
            .filter_map(|i| Some((i + h.base, h.entries.get(i)?.clone())))
            .collect();
        if reverse {
            picked.reverse();
        }
        if listing {
            let mut text = String::new();
            for (n, line) in picked {
                if numbers {
                    text.push_str(&n.to_string());
                }
                text.push_str(&format!("\t {line}\n"));
            }
            return out(io, &text).await.err().unwrap_or(0);
        }
        edit_and_run(shell, editor, picked, io).await
    })
}

/// `fc -s`: the command echoed to stderr, put in the history in place of
/// the `fc` line, and run.
async fn run_again(shell: &mut Shell, command: String, io: &mut Streams) -> i32 {
    io.err_line(&command).await;
    let h = &mut shell.env.lang.history;
    if let Some(l) = h.entries.last_mut() {
        l.clone_from(&command);
    }
    shell.run_text(&command).await
}

/// `fc [-e ename] [first [last]]`: the lines go to a file, the editor
/// (`-e`, `$FCEDIT`, `$EDITOR`, `vi`) runs on it, and what it left runs.
async fn edit_and_run(
    shell: &mut Shell,
    editor: Option<String>,
    picked: Vec<(usize, String)>,
    io: &mut Streams,
) -> i32 {
    let editor = editor
        .or_else(|| shell.env.vars.get("FCEDIT").map(str::to_string))
        .or_else(|| shell.env.vars.get("EDITOR").map(str::to_string))
        .unwrap_or_else(|| "vi".to_string());
    let lines: Vec<String> = picked.into_iter().map(|(_, l)| l).collect();
    let dir = std::env::temp_dir();
    let path = dir.join(format!(
        "corral-fc-{}-{}",
        std::process::id(),
        shell.line_no
    ));
    if let Err(e) = std::fs::write(&path, joined(&lines)) {
        io.err_line(&format!(
            "{}fc: {}: {}",
            shell.err_prefix(),
            path.display(),
            crate::io::os_message(&e)
        ))
        .await;
        return 1;
    }
    let q = super::trapspec::single_quote;
    let status = shell
        .run_text(&format!("{editor} {}", q(&path.to_string_lossy())))
        .await;
    let text = std::fs::read(&path).map(|b| crate::rawbytes::encode(&b).into_owned());
    let _ = std::fs::remove_file(&path);
    if status != 0 {
        return status;
    }
    let Ok(text) = text else { return 1 };
    io.err(text.as_bytes()).await;
    let command = text.trim_end_matches('\n').to_string();
    let h = &mut shell.env.lang.history;
    if let Some(l) = h.entries.last_mut() {
        l.clone_from(&command);
    }
    shell.run_text(&text).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(n: usize) -> HistList {
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

    #[test]
    fn fc_specs_follow_bash() {
        let h = list(7);
        assert!(matches!(
            fc_index(&h, Some("-2"), 6, true, true),
            Hnum::At(5)
        ));
        assert!(matches!(
            fc_index(&h, Some("9"), 6, true, true),
            Hnum::At(0)
        ));
        assert!(matches!(
            fc_index(&h, Some("echo 3"), 6, true, true),
            Hnum::At(2)
        ));
        assert!(matches!(
            fc_index(&h, Some("zz"), 6, true, true),
            Hnum::NotFound
        ));
    }
}
