//! echo, cd, pwd, exit, true, false, `:`.

use super::getopts::scan;
use super::out;
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

pub(super) fn cd<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let (opts, operands) = match scan(io, &prefix, &args, "LPe@").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        // The last of -L and -P wins.
        let physical = opts
            .iter()
            .rev()
            .find(|o| matches!(o.letter, 'L' | 'P'))
            .is_some_and(|o| o.letter == 'P');
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
        let prefix = shell.err_prefix();
        let physical = match scan(io, &prefix, &args, "LP").await {
            Ok((opts, _)) => opts.last().is_some_and(|o| o.letter == 'P'),
            Err(status) => return status,
        };
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
            return super::control::too_many_arguments(shell, io, "exit").await;
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
