//! echo, cd, pwd, exit, help, true, false, `:`.

use super::{out, TABLE};
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

pub(super) fn echo<'a>(
    _: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut newline = true;
        let mut escapes = false;
        let mut rest = &args[1..];
        while let Some(first) = rest.first() {
            let flags = first
                .strip_prefix('-')
                .filter(|f| !f.is_empty() && f.chars().all(|c| matches!(c, 'n' | 'e' | 'E')));
            let Some(flags) = flags else { break };
            for c in flags.chars() {
                match c {
                    'n' => newline = false,
                    'e' => escapes = true,
                    _ => escapes = false,
                }
            }
            rest = &rest[1..];
        }
        let text = rest.join(" ");
        let mut bytes = if escapes {
            let (t, stop) = unescape(&text);
            if stop {
                newline = false;
            }
            t
        } else {
            crate::rawbytes::decode(&text).into_owned()
        };
        if newline {
            bytes.push(b'\n');
        }
        match io.out(&bytes).await {
            Ok(()) => 0,
            Err(e) => super::write_error_status(&io.stdout, &e),
        }
    })
}

/// echo -e escapes; returns the bytes and whether `\c` cut them short.
fn unescape(s: &str) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    // Up to `max` digits of `radix`, as a number.
    let digits = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>, radix: u32, max: usize| {
        let mut n: u32 = 0;
        let mut count = 0;
        while count < max {
            let Some(d) = chars.peek().and_then(|c| c.to_digit(radix)) else {
                break;
            };
            chars.next();
            n = n.wrapping_mul(radix).wrapping_add(d);
            count += 1;
        }
        (n, count)
    };
    let push_char = |out: &mut Vec<u8>, c: char| {
        if let Some(b) = crate::rawbytes::escaped_byte(c) {
            out.push(b);
            return;
        }
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    };
    while let Some(c) = chars.next() {
        if c != '\\' {
            push_char(&mut out, c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push(b'\n'),
            Some('t') => out.push(b'\t'),
            Some('r') => out.push(b'\r'),
            Some('a') => out.push(0x07),
            Some('b') => out.push(0x08),
            Some('e' | 'E') => out.push(0x1b),
            Some('f') => out.push(0x0c),
            Some('v') => out.push(0x0b),
            Some('\\') => out.push(b'\\'),
            Some('c') => return (out, true),
            Some('0') => {
                let (n, _) = digits(&mut chars, 8, 3);
                out.push((n & 0xff) as u8);
            }
            Some('x') => match digits(&mut chars, 16, 2) {
                (_, 0) => out.extend_from_slice(b"\\x"),
                (n, _) => out.push((n & 0xff) as u8),
            },
            Some(u @ ('u' | 'U')) => {
                let max = if u == 'u' { 4 } else { 8 };
                match digits(&mut chars, 16, max) {
                    (_, 0) => {
                        out.push(b'\\');
                        push_char(&mut out, u);
                    }
                    (n, _) => match char::from_u32(n) {
                        Some(ch) => push_char(&mut out, ch),
                        None => out.extend(super::printf::utf8_any(n)),
                    },
                }
            }
            Some(other) => {
                out.push(b'\\');
                push_char(&mut out, other);
            }
            None => out.push(b'\\'),
        }
    }
    (out, false)
}

/// `cd [-L|-P [-e]] [--] [dir]`: options come first; `-` alone is a directory.
fn cd_options(args: &[String]) -> Result<(bool, usize), String> {
    let mut physical = false;
    let mut i = 1;
    while let Some(a) = args.get(i) {
        if a == "--" {
            return Ok((physical, i + 1));
        }
        let Some(flags) = a.strip_prefix('-').filter(|f| !f.is_empty()) else {
            break;
        };
        for c in flags.chars() {
            match c {
                'L' => physical = false,
                'P' => physical = true,
                'e' | '@' => {}
                _ => return Err(format!("-{c}")),
            }
        }
        i += 1;
    }
    Ok((physical, i))
}

pub(super) fn cd<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let (physical, first) = match cd_options(&args) {
            Ok(o) => o,
            Err(bad) => {
                io.err_line(&format!("{prefix}cd: {bad}: invalid option"))
                    .await;
                io.err_line("cd: usage: cd [-L|[-P [-e]] [-@]] [dir]").await;
                return 2;
            }
        };
        let operands = &args[first.min(args.len())..];
        let mut announce = false;
        let target = match operands.first().map(String::as_str) {
            None => match shell.env.vars.get("HOME") {
                Some(h) => h.to_string(),
                None => {
                    io.err_line(&format!("{prefix}cd: HOME not set")).await;
                    return 1;
                }
            },
            Some("-") => match shell.env.vars.get("OLDPWD") {
                Some(o) => {
                    announce = true;
                    o.to_string()
                }
                None => {
                    io.err_line(&format!("{prefix}cd: OLDPWD not set")).await;
                    return 1;
                }
            },
            Some(dir) => dir.to_string(),
        };
        if operands.len() > 1 {
            io.err_line(&format!("{prefix}cd: too many arguments"))
                .await;
            return 1;
        }
        if let Some(found) = cdpath_match(shell, &target) {
            if shell.chdir_with(&found, physical).is_ok() {
                return announce_pwd(&shell.env.cwd, io).await;
            }
        }
        match shell.chdir_with(&crate::rawbytes::path(&target), physical) {
            Ok(()) if announce => announce_pwd(&shell.env.cwd, io).await,
            Ok(()) => 0,
            Err(msg) => {
                io.err_line(&format!("{prefix}cd: {msg}")).await;
                1
            }
        }
    })
}

/// The first `$CDPATH` entry holding `dir` as a directory, for a relative `dir` not
/// starting with `.` or `..`; an empty entry (the cwd) is left to the plain lookup.
fn cdpath_match(shell: &Shell, dir: &str) -> Option<std::path::PathBuf> {
    let cdpath = shell.env.vars.get("CDPATH")?;
    let first = dir.split('/').next().unwrap_or("");
    if dir.is_empty() || dir.starts_with('/') || first == "." || first == ".." {
        return None;
    }
    for entry in cdpath.split(':') {
        if entry.is_empty() {
            if shell.env.absolute_path(dir).is_dir() {
                return None;
            }
            continue;
        }
        let candidate = shell
            .env
            .absolute_path(entry)
            .join(crate::rawbytes::path(dir));
        if crate::vmount::real_dir(&candidate).is_dir() {
            return Some(candidate);
        }
    }
    None
}

/// Prints the new `$PWD`, as `cd -` and a `$CDPATH` match do.
async fn announce_pwd(cwd: &std::path::Path, io: &mut Streams) -> i32 {
    let text = format!("{}\n", crate::rawbytes::from_path(cwd));
    out(io, &text).await.err().unwrap_or(0)
}

pub(super) fn pwd<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let physical = args[1..].iter().fold(false, |p, a| match a.as_str() {
            "-P" => true,
            "-L" => false,
            _ => p,
        });
        let cwd = &shell.env.cwd;
        let shown = if physical {
            std::fs::canonicalize(crate::vmount::real_dir(cwd)).unwrap_or_else(|_| cwd.clone())
        } else {
            cwd.clone()
        };
        let text = format!("{}\n", crate::rawbytes::from_path(&shown));
        out(io, &text).await.err().unwrap_or(0)
    })
}

pub(super) fn exit<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let status = match args.get(1) {
            None => shell.env.last_status,
            Some(n) => match n.parse::<i64>() {
                Ok(v) => (v & 0xff) as i32,
                Err(_) => {
                    let msg = format!("exit: {n}: numeric argument required");
                    super::complain(shell, io, &msg).await;
                    2
                }
            },
        };
        if args.len() > 2 {
            super::complain(shell, io, "exit: too many arguments").await;
            return 1;
        }
        shell.sync_jobs();
        if let Some(warning) = crate::interactive::exit_refusal(shell) {
            io.err_line(warning).await;
            return 1;
        }
        shell.exit_status = Some(status);
        status
    })
}

pub(super) fn true_<'a>(_: &'a mut Shell, _: Vec<String>, _: &'a mut Streams) -> BoxFut<'a, i32> {
    Box::pin(async { 0 })
}

pub(super) fn false_<'a>(_: &'a mut Shell, _: Vec<String>, _: &'a mut Streams) -> BoxFut<'a, i32> {
    Box::pin(async { 1 })
}

/// What `help` says about the language, after the builtins.
const LANGUAGE: &str = "
Language (as bash 5.2): if/elif/else, for (also for ((;;))), while, until, case
(;; ;& ;;&), { ...; } and ( ... ), !, time [-p] (TIMEFORMAT),
functions (f() {...}, function f, local, return; FUNCNEST), [[ ]], (( )),
$(...), `...`, $((...)), {a,b} {1..9}, ~, every ${...} form, indexed and
associative arrays, namerefs, <(...) >(...), here-documents, here-strings, any
fd (3>f, {fd}>f, <&3, >&-, <>, >|), traps (EXIT ERR DEBUG RETURN and signals),
set -aeuvxCfbmET -o pipefail, shopt, aliases. `cmd &` works after any command,
pipeline, compound command or function call; each is one job (jobs, fg, bg,
kill %N, wait, disown) whose output is also in /v/jobs/N/{stdout,stderr}.
";

/// What `help` says about the interactive shell, after the builtins.
const INTERACTIVE: &str = "
Interactive: ~/.corralrc runs first (corral --rcfile FILE, --norc). PS1 and PS2
take bash's escapes (\\u \\h \\w \\W \\j \\! \\# \\$ \\t \\D{fmt} \\[ \\] ...) and
$VAR, $(...), $((...)); PROMPT_COMMAND runs before each prompt. `%N` is
`fg %N` and `%N &` is `bg %N` (also %%, %+, %-, %name, %?text). History
expansion: !! !$ !^ !* !N !-N !prefix !?text? !#, :N :x-y :h :t :r :e :p :s/a/b/
:gs/a/b/, ^old^new (set +H turns it off). Ctrl-R searches the history;
Enter runs the line found.
";

pub(super) fn help<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut text = String::new();
        match args.get(1) {
            None => {
                text.push_str(
                    "corral builtins (also: external commands, `cmd &`, pipelines, /v/jobs):\n",
                );
                for (_, usage, desc, _) in TABLE {
                    text.push_str(&format!("  {usage:<44} {desc}\n"));
                }
                text.push_str(LANGUAGE);
                text.push_str(INTERACTIVE);
            }
            Some(name) => match TABLE.iter().find(|(n, ..)| n == name) {
                Some((_, usage, desc, _)) => {
                    text.push_str(&format!("{name}: {usage}\n    {desc}\n"))
                }
                None => {
                    let msg = format!(
                        "help: no help topics match `{name}'.  Try `help help' or `man -k {name}' or `info {name}'."
                    );
                    super::complain(shell, io, &msg).await;
                    return 1;
                }
            },
        }
        out(io, &text).await.err().unwrap_or(0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_escapes() {
        assert_eq!(unescape("a\\tb\\n"), ("a\tb\n".as_bytes().to_vec(), false));
        assert_eq!(unescape("x\\cy"), ("x".as_bytes().to_vec(), true));
        assert_eq!(unescape("\\"), ("\\".as_bytes().to_vec(), false));
    }
}
