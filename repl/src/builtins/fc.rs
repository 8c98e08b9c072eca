//! `fc`: list, or edit and run again, entries of the history list
//! ([`super::history::HistList`]), with bash 5.2's range rules: a number
//! is an entry, a negative one counts back from the last, a word names the
//! newest entry starting with it; out-of-range numbers clamp (the first of
//! a range to the oldest entry, the last to the newest). In the interactive
//! shell the `fc` line itself is the newest entry and is left out.

use super::getopts::{BuiltinOpt, BuiltinOpts};
use super::history::{apply_histsize, joined, HistList};
use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::jobs::signals::legal_number;
use crate::shell::Shell;

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

const USAGE: &str = "fc: usage: fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]";

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
        let mut opts = BuiltinOpts::new(&args, "e:lnrs");
        // A history offset like `-5` ends the options (bash's `fc_number`).
        while opts
            .next_word()
            .is_none_or(|w| legal_number(w.strip_prefix('-').unwrap_or(w)).is_none())
        {
            match opts.next() {
                None => break,
                Some(Ok(BuiltinOpt { value: Some(e), .. })) => editor = Some(e),
                Some(Ok(o)) => match o.letter {
                    'l' => listing = true,
                    'n' => numbers = false,
                    'r' => reverse = true,
                    _ => again = true,
                },
                Some(Err(e)) => return e.report(io, &prefix, USAGE).await,
            }
        }
        let mut rest: Vec<String> = opts.rest().to_vec();
        apply_histsize(shell);
        if editor.as_deref() == Some("-") {
            again = true;
        }
        let h = &shell.env.lang.history;
        // In the interactive shell the `fc` line itself is the last entry.
        let skip = usize::from(shell.interactive);
        let Some(last) = h.entries.len().checked_sub(1 + skip) else {
            // No history at all: nothing to list or edit (bash returns 0
            // there); `-s` still looks for its command.
            if listing || !again && h.entries.is_empty() {
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
    use super::super::history::tests::list;
    use super::*;

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
