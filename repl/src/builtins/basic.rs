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
        let mut text = rest.join(" ");
        if escapes {
            let (t, stop) = unescape(&text);
            text = t;
            if stop {
                newline = false;
            }
        }
        if newline {
            text.push('\n');
        }
        match out(io, &text).await {
            Ok(()) => 0,
            Err(s) => s,
        }
    })
}

/// echo -e escapes; returns the text and whether `\c` cut it short.
fn unescape(s: &str) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('a') => out.push('\x07'),
            Some('b') => out.push('\x08'),
            Some('e') => out.push('\x1b'),
            Some('\\') => out.push('\\'),
            Some('c') => return (out, true),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    (out, false)
}

pub(super) fn cd<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let target = match args.get(1).map(String::as_str) {
            None => match shell.env.vars.get("HOME") {
                Some(h) => h.to_string(),
                None => {
                    io.err_line("cd: HOME not set").await;
                    return 1;
                }
            },
            Some("-") => match shell.env.vars.get("OLDPWD") {
                Some(o) => {
                    let o = o.to_string();
                    let _ = out(io, &format!("{o}\n")).await;
                    o
                }
                None => {
                    io.err_line("cd: OLDPWD not set").await;
                    return 1;
                }
            },
            Some(dir) => dir.to_string(),
        };
        if args.len() > 2 {
            io.err_line("cd: too many arguments").await;
            return 1;
        }
        match shell.chdir(&crate::rawbytes::path(&target)) {
            Ok(()) => 0,
            Err(msg) => {
                io.err_line(&format!("cd: {msg}")).await;
                1
            }
        }
    })
}

pub(super) fn pwd<'a>(
    shell: &'a mut Shell,
    _: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let text = format!("{}\n", crate::rawbytes::from_path(&shell.env.cwd));
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
                    io.err_line(&format!("exit: {n}: numeric argument required"))
                        .await;
                    2
                }
            },
        };
        if args.len() > 2 {
            io.err_line("exit: too many arguments").await;
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

pub(super) fn help<'a>(
    _: &'a mut Shell,
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
            }
            Some(name) => match TABLE.iter().find(|(n, ..)| n == name) {
                Some((_, usage, desc, _)) => {
                    text.push_str(&format!("{name}: {usage}\n    {desc}\n"))
                }
                None => {
                    io.err_line(&format!("help: no help topics match `{name}'."))
                        .await;
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
        assert_eq!(unescape("a\\tb\\n"), ("a\tb\n".to_string(), false));
        assert_eq!(unescape("x\\cy"), ("x".to_string(), true));
        assert_eq!(unescape("\\"), ("\\".to_string(), false));
    }
}
