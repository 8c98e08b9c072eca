//! `dirs`, `pushd`, `popd`: the directory stack. Its top is always the
//! working directory; [`crate::interp::Lang::dirstack`] holds the rest.

use std::path::PathBuf;

use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

/// The whole stack, top first.
fn stack(shell: &Shell) -> Vec<String> {
    let mut all = vec![shell.env.cwd.to_string_lossy().into_owned()];
    all.extend(shell.env.lang.dirstack.iter().cloned());
    all
}

/// A directory as `dirs` shows it: `$HOME` as `~` unless `long`.
fn shown(shell: &Shell, dir: &str, long: bool) -> String {
    match shell
        .env
        .vars
        .get("HOME")
        .filter(|h| !h.is_empty() && !long)
    {
        Some(home) if dir == home => "~".into(),
        Some(home) if dir.starts_with(&format!("{home}/")) => format!("~{}", &dir[home.len()..]),
        _ => dir.to_string(),
    }
}

fn listing(shell: &Shell, long: bool, per_line: bool, numbered: bool) -> String {
    let all = stack(shell);
    if numbered {
        all.iter()
            .enumerate()
            .map(|(i, d)| format!("{i:2}  {}\n", shown(shell, d, long)))
            .collect()
    } else if per_line {
        all.iter()
            .map(|d| format!("{}\n", shown(shell, d, long)))
            .collect()
    } else {
        let v: Vec<String> = all.iter().map(|d| shown(shell, d, long)).collect();
        format!("{}\n", v.join(" "))
    }
}

/// bash's usage error: a word starting with `+` or `-` may be a
/// malformed `+N`/`-N` (`invalid number`), any other is an `invalid option`
/// (`popd`: `invalid argument`).
async fn usage(p: String, io: &mut Streams, name: &str, bad: &str) -> i32 {
    let what = if bad.starts_with(['-', '+']) {
        "number"
    } else if name == "popd" {
        "argument"
    } else {
        "option"
    };
    io.err_line(&format!("{p}{name}: {bad}: invalid {what}"))
        .await;
    io.err_line(&super::help::usage(name)).await;
    2
}

/// `+N` (from the top) or `-N` (from the bottom) as an index into a stack
/// of `len` entries; `Err` when `word` is not of that form.
fn stack_index(word: &str, len: usize) -> Result<Option<usize>, ()> {
    let (from_top, digits) = match word.split_at_checked(1) {
        Some(("+", d)) => (true, d),
        Some(("-", d)) => (false, d),
        _ => return Err(()),
    };
    let n: usize = digits.parse().map_err(|_| ())?;
    Ok(if from_top {
        (n < len).then_some(n)
    } else {
        len.checked_sub(n + 1)
    })
}

/// `dirs [-clpv] [+N] [-N]`: each option is a word of its own (bash).
pub(super) fn dirs<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (mut long, mut per_line, mut numbered) = (false, false, false);
        let mut pick: Option<(String, Option<usize>)> = None;
        let len = stack(shell).len();
        for a in &args[1..] {
            match a.as_str() {
                "-c" => {
                    shell.env.lang.dirstack.clear();
                    return 0;
                }
                "-l" => long = true,
                "-p" => per_line = true,
                "-v" => numbered = true,
                "--" => {}
                other => match stack_index(other, len) {
                    Ok(at) => pick = Some((other.to_owned(), at)),
                    Err(()) => return usage(shell.err_prefix(), io, "dirs", other).await,
                },
            }
        }
        let text = match pick {
            None => listing(shell, long, per_line, numbered),
            Some((_, Some(at))) => {
                let dir = shown(shell, &stack(shell)[at], long);
                if numbered {
                    format!("{at:2}  {dir}\n")
                } else {
                    format!("{dir}\n")
                }
            }
            Some((word, None)) => {
                let p = shell.err_prefix();
                let msg = if len == 1 {
                    "directory stack empty".to_owned()
                } else {
                    format!("{}: directory stack index out of range", &word[1..])
                };
                io.err_line(&format!("{p}dirs: {msg}")).await;
                return 1;
            }
        };
        out(io, &text).await.err().unwrap_or(0)
    })
}

/// `pushd [dir]`: push the working directory and go to `dir` (no `dir`:
/// swap the top two).
pub(super) fn pushd<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut rest: Vec<&String> = args[1..].iter().collect();
        if rest.first().is_some_and(|a| *a == "--") {
            rest.remove(0);
        } else if let Some(a) = rest.first().filter(|a| a.starts_with('-') && a.len() > 1) {
            let a = (*a).clone();
            return usage(shell.err_prefix(), io, "pushd", &a).await;
        }
        if rest.len() > 1 {
            let p = shell.err_prefix();
            io.err_line(&format!("{p}pushd: too many arguments")).await;
            return 1;
        }
        let here = shell.env.cwd.to_string_lossy().into_owned();
        let target = match rest.first() {
            Some(d) => (*d).clone(),
            None => match shell.env.lang.dirstack.first() {
                Some(d) => d.clone(),
                None => {
                    let p = shell.err_prefix();
                    io.err_line(&format!("{p}pushd: no other directory")).await;
                    return 1;
                }
            },
        };
        if let Err(msg) = shell.chdir(&PathBuf::from(&target)) {
            let p = shell.err_prefix();
            io.err_line(&format!("{p}pushd: {msg}")).await;
            return 1;
        }
        if rest.is_empty() {
            shell.env.lang.dirstack[0] = here;
        } else {
            shell.env.lang.dirstack.insert(0, here);
        }
        let text = listing(shell, false, false, false);
        out(io, &text).await.err().unwrap_or(0)
    })
}

/// `popd`: leave the top of the stack and go to the next.
pub(super) fn popd<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        for a in &args[1..] {
            if a != "--" {
                return usage(shell.err_prefix(), io, "popd", a).await;
            }
        }
        if shell.env.lang.dirstack.is_empty() {
            let p = shell.err_prefix();
            io.err_line(&format!("{p}popd: directory stack empty"))
                .await;
            return 1;
        }
        let next = shell.env.lang.dirstack.remove(0);
        if let Err(msg) = shell.chdir(&PathBuf::from(&next)) {
            let p = shell.err_prefix();
            io.err_line(&format!("{p}popd: {msg}")).await;
            return 1;
        }
        let text = listing(shell, false, false, false);
        out(io, &text).await.err().unwrap_or(0)
    })
}
