//! The builtins that steer the interpreter: return, break, continue, eval,
//! source/., exec, command, type, hash, alias/unalias.

use super::out;
use crate::exec::{find_on_path, BoxFut};
use crate::interp::Flow;
use crate::io::Streams;
use crate::shell::Shell;

/// Reserved words, for `type`.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc",
];

fn number_arg(args: &[String], default: i32) -> Result<i32, String> {
    match args.get(1) {
        None => Ok(default),
        Some(a) => a
            .parse::<i64>()
            .map(|n| (n & 0xff) as i32)
            .map_err(|_| format!("{a}: numeric argument required")),
    }
}

pub(super) fn return_<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        if shell.env.lang.funcnames.is_empty() && shell.env.lang.sourcing == 0 {
            io.err_line(&format!(
                "{}return: can only `return' from a function or sourced script",
                shell.err_prefix()
            ))
            .await;
            return 2;
        }
        let status = match number_arg(&args, shell.env.last_status) {
            Ok(n) => n,
            Err(msg) => {
                io.err_line(&format!("{}return: {msg}", shell.err_prefix()))
                    .await;
                2
            }
        };
        shell.env.last_status = status;
        shell.flow = Some(Flow::Return);
        status
    })
}

fn loop_control<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
    brk: bool,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let name = &args[0];
        let depth = shell.env.lang.loop_depth;
        if depth == 0 {
            io.err_line(&format!(
                "{}{name}: only meaningful in a `for', `while', or `until' loop",
                shell.err_prefix()
            ))
            .await;
            return 0;
        }
        let n = match args.get(1).map(|a| a.trim().parse::<i64>()) {
            None => 1,
            Some(Ok(n)) if n > 0 => u32::try_from(n).unwrap_or(u32::MAX),
            Some(Ok(_)) => {
                // bash leaves every loop after saying so.
                io.err_line(&format!(
                    "{}{name}: {}: loop count out of range",
                    shell.err_prefix(),
                    args[1]
                ))
                .await;
                shell.flow = Some(Flow::Break(depth));
                return 1;
            }
            Some(Err(_)) => {
                // A fatal usage error: a script ends with 128, as bash's does.
                io.err_line(&format!(
                    "{}{name}: {}: numeric argument required",
                    shell.err_prefix(),
                    args[1]
                ))
                .await;
                if !shell.interactive {
                    shell.exit_status = Some(128);
                }
                shell.flow = Some(Flow::Break(depth));
                return 128;
            }
        };
        if args.len() > 2 {
            // bash drops the rest of the command it is in; leaving the loops is
            // the part of that a loop sees.
            io.err_line(&format!("{}{name}: too many arguments", shell.err_prefix()))
                .await;
            shell.flow = Some(Flow::Break(depth));
            return 1;
        }
        let n = n.min(depth);
        shell.flow = Some(if brk {
            Flow::Break(n)
        } else {
            Flow::Continue(n)
        });
        0
    })
}

pub(super) fn break_<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    loop_control(shell, args, io, true)
}

pub(super) fn continue_<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    loop_control(shell, args, io, false)
}

pub(super) fn eval<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    _: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let text = args[1..].join(" ");
        if text.trim().is_empty() {
            return 0;
        }
        match crate::lang::parse(&text) {
            Ok(p) => shell.run_program(&p).await,
            Err(e) => {
                eprintln!("corral: eval: line {}: {}", e.pos().line, e.message());
                2
            }
        }
    })
}

pub(super) fn source<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let Some(file) = args.get(1) else {
            io.err_line(&format!(
                "{}{}: filename argument required",
                shell.err_prefix(),
                args[0]
            ))
            .await;
            return 2;
        };
        let path = if file.contains('/') {
            shell.env.absolute_path(file)
        } else {
            find_on_path(&shell.env, file).unwrap_or_else(|| shell.env.absolute_path(file))
        };
        let text = match std::fs::read(&path) {
            Ok(b) => crate::rawbytes::encode_vec(b),
            Err(e) => {
                io.err_line(&format!(
                    "{}{file}: {}",
                    shell.err_prefix(),
                    crate::io::os_message(&e)
                ))
                .await;
                return 1;
            }
        };
        let program = match crate::lang::parse(&text) {
            Ok(p) => p,
            Err(e) => {
                io.err_line(&format!(
                    "{}{file}: line {}: {}",
                    shell.err_prefix(),
                    e.pos().line,
                    e.message()
                ))
                .await;
                return 2;
            }
        };
        let saved = (args.len() > 2)
            .then(|| std::mem::replace(&mut shell.env.lang.positional, args[2..].to_vec()));
        shell.env.lang.sourcing += 1;
        let lines = (shell.env.lang.lineno, shell.env.lang.line_base);
        shell.env.lang.line_base = 0;
        let status = shell.run_program(&program).await;
        (shell.env.lang.lineno, shell.env.lang.line_base) = lines;
        shell.env.lang.sourcing -= 1;
        let status = if shell.flow == Some(Flow::Return) {
            shell.flow = None;
            shell.env.last_status
        } else {
            status
        };
        shell.return_trap(status).await;
        if let Some(p) = saved {
            shell.env.lang.positional = p;
        }
        status
    })
}

pub(super) fn exec<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    _: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let skip = usize::from(args.get(1).is_some_and(|a| a == "--"));
        let words: Vec<String> = args[1 + skip..].to_vec();
        if words.is_empty() {
            return 0;
        }
        let name = words[0].clone();
        if !name.contains('/')
            && find_on_path(&shell.env, &name).is_none()
            && super::lookup(&name).is_none()
        {
            shell.fail(&format!("corral: exec: {name}: not found"));
            if !shell.interactive {
                shell.exit_status = Some(127);
            }
            return 127;
        }
        // The shell ends with the command: no job is left to warn about.
        let status = shell.run_argv(words, true).await;
        shell.exit_status = Some(status);
        status
    })
}

/// What a name means to the shell: (kind word for `type -t`, description).
fn describe(shell: &Shell, name: &str) -> Option<(&'static str, String)> {
    if let Some(a) = shell.env.lang.aliases.get(name) {
        return Some(("alias", format!("{name} is aliased to `{a}'")));
    }
    if KEYWORDS.contains(&name) {
        return Some(("keyword", format!("{name} is a shell keyword")));
    }
    if let Some(def) = shell.env.lang.functions.get(name) {
        let body = crate::interp::compound::function_text(def);
        return Some(("function", format!("{name} is a function\n{body}")));
    }
    if super::lookup(name).is_some() && !crate::exec::use_program(&shell.env, name, &[], false) {
        return Some(("builtin", format!("{name} is a shell builtin")));
    }
    let path = if name.contains('/') {
        let p = shell.env.absolute_path(name);
        p.is_file().then_some(p)
    } else {
        find_on_path(&shell.env, name)
    }?;
    Some((
        "file",
        format!("{name} is {}", crate::rawbytes::from_path(&path)),
    ))
}

pub(super) fn type_<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut kind_only = false;
        let mut path_only = false;
        let mut status = 0;
        let mut text = String::new();
        for a in &args[1..] {
            match a.as_str() {
                "-t" => kind_only = true,
                "-p" | "-P" => path_only = true,
                "-a" => {}
                name => match describe(shell, name) {
                    Some((kind, desc)) => {
                        if kind_only {
                            text.push_str(kind);
                            text.push('\n');
                        } else if path_only {
                            if kind == "file" {
                                text.push_str(desc.rsplit(" is ").next().unwrap_or(""));
                                text.push('\n');
                            }
                        } else {
                            text.push_str(&desc);
                            text.push('\n');
                        }
                    }
                    None => {
                        if !kind_only && !path_only {
                            io.err_line(&format!("{}type: {name}: not found", shell.err_prefix()))
                                .await;
                        }
                        status = 1;
                    }
                },
            }
        }
        out(io, &text).await.err().unwrap_or(status)
    })
}

pub(super) fn command<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut i = 1;
        let (mut short, mut verbose) = (false, false);
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-v" => short = true,
                "-V" => verbose = true,
                "-p" => {}
                "--" => {
                    i += 1;
                    break;
                }
                _ => break,
            }
            i += 1;
        }
        let words = args[i..].to_vec();
        if short || verbose {
            let mut status = 0;
            let mut text = String::new();
            for name in &words {
                match describe(shell, name) {
                    Some((kind, desc)) if short => {
                        let line = match kind {
                            "file" => desc.rsplit(" is ").next().unwrap_or(name).to_string(),
                            "alias" => format!(
                                "alias {name}='{}'",
                                shell
                                    .env
                                    .lang
                                    .aliases
                                    .get(name)
                                    .cloned()
                                    .unwrap_or_default()
                            ),
                            _ => name.clone(),
                        };
                        text.push_str(&line);
                        text.push('\n');
                    }
                    Some((_, desc)) => {
                        text.push_str(&desc);
                        text.push('\n');
                    }
                    None => {
                        if verbose {
                            io.err_line(&format!(
                                "{}command: {name}: not found",
                                shell.err_prefix()
                            ))
                            .await;
                        }
                        status = 1;
                    }
                }
            }
            return out(io, &text).await.err().unwrap_or(status);
        }
        shell.run_argv(words, true).await
    })
}

pub(super) fn hash<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        // PATH is searched at every command: there is no table to forget,
        // but a name PATH does not have is reported, as bash does.
        if args.len() == 1 {
            io.err_line("hash: hash table empty").await;
        }
        let mut status = 0;
        let mut names = args[1..].iter();
        while let Some(a) = names.next() {
            match a.as_str() {
                "-r" | "-d" | "-l" | "-t" => {}
                "-p" => {
                    names.next();
                }
                "--" => {}
                opt if opt.starts_with('-') && opt.len() > 1 => {
                    let msg = format!("hash: {}: invalid option", &opt[..2]);
                    super::complain(shell, io, &msg).await;
                    io.err_line("hash: usage: hash [-lr] [-p pathname] [-dt] [name ...]")
                        .await;
                    return 2;
                }
                name if name.contains('/')
                    || super::lookup(name).is_some()
                    || shell.env.lang.functions.contains_key(name)
                    || find_on_path(&shell.env, name).is_some() => {}
                name => {
                    super::complain(shell, io, &format!("hash: {name}: not found")).await;
                    status = 1;
                }
            }
        }
        status
    })
}

pub(super) fn alias<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let fmt = |n: &str, v: &str| format!("alias {n}='{}'\n", v.replace('\'', "'\\''"));
        let mut text = String::new();
        let mut status = 0;
        if args.len() == 1 || args[1] == "-p" {
            let mut all: Vec<_> = shell.env.lang.aliases.iter().collect();
            all.sort();
            for (n, v) in all {
                text.push_str(&fmt(n, v));
            }
        }
        let skip = usize::from(args.get(1).is_some_and(|a| a == "--"));
        for a in args[1 + skip..].iter().filter(|a| a.as_str() != "-p") {
            match a.split_once('=') {
                Some((n, v)) => {
                    shell.env.lang.aliases.insert(n.to_string(), v.to_string());
                }
                None => match shell.env.lang.aliases.get(a) {
                    Some(v) => text.push_str(&fmt(a, v)),
                    None => {
                        io.err_line(&format!("{}alias: {a}: not found", shell.err_prefix()))
                            .await;
                        status = 1;
                    }
                },
            }
        }
        out(io, &text).await.err().unwrap_or(status)
    })
}

pub(super) fn unalias<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut status = 0;
        let skip = usize::from(args.get(1).is_some_and(|a| a == "--"));
        if args.len() == 1 + skip {
            io.err_line("unalias: usage: unalias [-a] name [name ...]")
                .await;
            return 2;
        }
        for a in &args[1 + skip..] {
            if a == "-a" {
                shell.env.lang.aliases.clear();
            } else if shell.env.lang.aliases.remove(a).is_none() {
                io.err_line(&format!("{}unalias: {a}: not found", shell.err_prefix()))
                    .await;
                status = 1;
            }
        }
        status
    })
}

/// `builtin name [args]`: runs the builtin `name`, bypassing functions.
pub(super) fn builtin<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let rest: Vec<String> = args[1..].to_vec();
        let Some(name) = rest.first() else {
            return 0;
        };
        if super::lookup(name).is_none() {
            let p = shell.err_prefix();
            io.err_line(&format!("{p}builtin: {name}: not a shell builtin"))
                .await;
            return 1;
        }
        super::run(shell, rest, io).await
    })
}
