//! The builtins that steer the interpreter: return, break, continue, eval,
//! source/., exec, command, type, hash, alias/unalias.

use super::out;
use std::sync::Arc;

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
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut skip = 1;
        match args.get(1).map(String::as_str) {
            Some("--") => skip = 2,
            Some(a) if a.len() > 1 && a.starts_with('-') => {
                let p = shell.err_prefix();
                io.err_line(&format!("{p}eval: {}: invalid option", &a[..2]))
                    .await;
                io.err_line("eval: usage: eval [arg ...]").await;
                return 2;
            }
            _ => {}
        }
        let text = args[skip..].join(" ");
        if text.trim().is_empty() {
            return 0;
        }
        if shell.env.lang.opts.verbose {
            let mut line = crate::rawbytes::decode(&text).into_owned();
            line.push(b'\n');
            shell.verbose_echo(&line).await;
        }
        // Command by command: an alias the text defines applies to its
        // later commands, and those before a syntax error run (bash).
        shell.env.lang.trace_depth += 1;
        let status = shell.run_text_by_command(&text, true).await;
        shell.env.lang.trace_depth -= 1;
        status
    })
}

pub(super) fn source<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let args = match args.get(1).map(String::as_str) {
            Some("--") => [&args[..1], &args[2..]].concat(),
            _ => args,
        };
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
            sourceable_on_path(shell, file).unwrap_or_else(|| shell.env.absolute_path(file))
        };
        if path.is_dir() {
            // bash names the builtin for a directory, not for other errors.
            io.err_line(&format!(
                "{}{}: {file}: is a directory",
                shell.err_prefix(),
                args[0]
            ))
            .await;
            return 1;
        }
        // On the blocking pool: a FIFO or `<(…)` is filled by a task of
        // this runtime, which a read on its thread would starve.
        let read = {
            let path = path.clone();
            tokio::task::spawn_blocking(move || std::fs::read(path))
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e)))
        };
        let text = match read {
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
        let name: Arc<str> = if file.contains('/') {
            Arc::from(file.as_str())
        } else {
            Arc::from(path.to_string_lossy().as_ref())
        };
        let lang = &mut shell.env.lang;
        lang.calls.push(crate::interp::Call {
            name: "source".to_string(),
            source: Some(Arc::clone(&name)),
            line: lang.lineno,
            saved_opts: None,
        });
        let caller_source = lang.source.replace(name);
        let lines = (lang.lineno, std::mem::replace(&mut lang.line_base, 0));
        lang.sourcing += 1;
        lang.trace_depth += 1;
        let status = shell.run_program(&program).await;
        let lang = &mut shell.env.lang;
        lang.sourcing -= 1;
        lang.trace_depth -= 1;
        (lang.lineno, lang.line_base) = lines;
        lang.source = caller_source;
        lang.calls.pop();
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

/// The first regular file named `name` in PATH's directories: `source`
/// needs no execute bit.
fn sourceable_on_path(shell: &Shell, name: &str) -> Option<std::path::PathBuf> {
    let path = shell.env.vars.get("PATH")?;
    let file = crate::rawbytes::path(name);
    std::env::split_paths(&*crate::rawbytes::path(path))
        .map(|dir| {
            shell
                .env
                .absolute_path(&crate::rawbytes::from_path(&dir.join(&file)))
        })
        .find(|p| p.is_file())
}

pub(super) fn exec<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    _: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (mut arg0, mut login, mut clear_env) = (None, false, false);
        let mut i = 1;
        while let Some(a) = args.get(i).filter(|a| a.len() > 1 && a.starts_with('-')) {
            i += 1;
            if a == "--" {
                break;
            }
            for (k, c) in a.char_indices().skip(1) {
                match c {
                    'l' => login = true,
                    'c' => clear_env = true,
                    'a' if k + 1 < a.len() => arg0 = Some(a[k + 1..].to_string()),
                    'a' => match args.get(i) {
                        Some(v) => {
                            arg0 = Some(v.clone());
                            i += 1;
                        }
                        None => return exec_usage(shell, "-a: option requires an argument"),
                    },
                    _ => return exec_usage(shell, &format!("-{c}: invalid option")),
                }
                if c == 'a' {
                    break;
                }
            }
        }
        let words: Vec<String> = args[i..].to_vec();
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
        let is_builtin = super::lookup(&name).is_some()
            && !crate::exec::use_program(&shell.env, &name, &words[1..], false);
        let status = if (arg0.is_some() || login || clear_env) && !is_builtin {
            let arg0 = arg0.unwrap_or_else(|| name.clone());
            let arg0 = if login { format!("-{arg0}") } else { arg0 };
            shell.run_program_as(&words, Some(arg0), clear_env).await
        } else {
            shell.run_argv(words, true).await
        };
        shell.exit_status = Some(status);
        status
    })
}

fn exec_usage(shell: &mut Shell, msg: &str) -> i32 {
    shell.fail(&format!("corral: exec: {msg}"));
    shell.write_err(
        "exec: usage: exec [-cl] [-a name] [command [argument ...]] [redirection ...]\n",
    );
    2
}

/// `name` as bash finds an executable file for it: itself when it holds a
/// `/`, else the PATH entries (all of them when `all`).
fn executable_files(shell: &Shell, name: &str, all: bool) -> Vec<String> {
    if name.contains('/') {
        let p = shell.env.absolute_path(name);
        return if is_executable_file(&p) {
            vec![name.to_string()]
        } else {
            Vec::new()
        };
    }
    if !all {
        return find_on_path(&shell.env, name)
            .map(|p| vec![crate::rawbytes::from_path(&p).into_owned()])
            .unwrap_or_default();
    }
    let Some(path) = shell.env.vars.get("PATH") else {
        return Vec::new();
    };
    let file = crate::rawbytes::path(name);
    std::env::split_paths(&*crate::rawbytes::path(path))
        .map(|dir| dir.join(&file))
        .filter(|p| is_executable_file(p))
        .map(|p| crate::rawbytes::from_path(&p).into_owned())
        .collect()
}

fn is_executable_file(p: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Every meaning of `name`, in the order the shell tries them: (kind word
/// for `type -t`, description, the file's path for files).
fn meanings(shell: &Shell, name: &str, functions: bool, all: bool) -> Vec<(&'static str, String)> {
    let mut found = Vec::new();
    if let Some(a) = shell.env.lang.aliases.get(name) {
        found.push(("alias", format!("{name} is aliased to `{a}'")));
    }
    if KEYWORDS.contains(&name) {
        found.push(("keyword", format!("{name} is a shell keyword")));
    }
    if functions {
        if let Some(def) = shell.env.lang.functions.get(name) {
            let body = crate::interp::compound::function_text(def);
            found.push(("function", format!("{name} is a function\n{body}")));
        }
    }
    if super::lookup(name).is_some() && !crate::exec::use_program(&shell.env, name, &[], false) {
        found.push(("builtin", format!("{name} is a shell builtin")));
    }
    if all || found.is_empty() {
        match hashed(shell, name).filter(|_| !all) {
            Some(f) => found.push(("file", f.to_owned())),
            None => {
                for p in executable_files(shell, name, all) {
                    found.push(("file", p));
                }
            }
        }
    }
    if !all {
        found.truncate(1);
    }
    found
}

/// The file `hash` remembers for `name`.
fn hashed<'s>(shell: &'s Shell, name: &str) -> Option<&'s str> {
    shell.env.lang.hashed.file(shell.env.vars.get("PATH"), name)
}

/// `NAME is FILE`, or `NAME is hashed (FILE)` for the file `hash` remembers.
fn file_line(shell: &Shell, name: &str, file: &str) -> String {
    if hashed(shell, name) == Some(file) {
        format!("{name} is hashed ({file})")
    } else {
        format!("{name} is {file}")
    }
}

/// What a name means to the shell first: (kind word, description).
fn describe(shell: &Shell, name: &str) -> Option<(&'static str, String)> {
    let (kind, text) = meanings(shell, name, true, false).into_iter().next()?;
    Some(match kind {
        "file" => (kind, file_line(shell, name, &text)),
        _ => (kind, text),
    })
}

pub(super) fn type_<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (mut all, mut functions, mut kind_only, mut path_only, mut force_path) =
            (false, true, false, false, false);
        let mut i = 1;
        while let Some(a) = args.get(i).filter(|a| a.len() > 1 && a.starts_with('-')) {
            i += 1;
            if a == "--" {
                break;
            }
            for c in a[1..].chars() {
                match c {
                    'a' => all = true,
                    'f' => functions = false,
                    't' => kind_only = true,
                    'p' => path_only = true,
                    'P' => force_path = true,
                    _ => {
                        let p = shell.err_prefix();
                        io.err_line(&format!("{p}type: -{c}: invalid option")).await;
                        io.err_line("type: usage: type [-afptP] name [name ...]")
                            .await;
                        return 2;
                    }
                }
            }
        }
        let mut status = 0;
        let mut text = String::new();
        for name in &args[i..] {
            if force_path {
                let files = executable_files(shell, name, all);
                if files.is_empty() {
                    status = 1;
                }
                for f in files {
                    text.push_str(&f);
                    text.push('\n');
                }
                continue;
            }
            let found = meanings(shell, name, functions, all);
            if found.is_empty() {
                if !kind_only && !path_only {
                    io.err_line(&format!("{}type: {name}: not found", shell.err_prefix()))
                        .await;
                }
                status = 1;
            }
            for (kind, desc) in found {
                let line = if kind_only {
                    kind.to_string()
                } else if kind == "file" && path_only {
                    desc
                } else if kind == "file" && !all {
                    file_line(shell, name, &desc)
                } else if kind == "file" {
                    format!("{name} is {desc}")
                } else if path_only {
                    continue;
                } else {
                    desc
                };
                text.push_str(&line);
                text.push('\n');
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
        let (mut short, mut verbose, mut default_path) = (false, false, false);
        while let Some(a) = args.get(i) {
            match a.as_str() {
                "-v" => short = true,
                "-V" => verbose = true,
                "-p" => default_path = true,
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
                    Some((kind, _)) if short => {
                        let line = match kind {
                            "file" => meanings(shell, name, true, false)
                                .into_iter()
                                .next()
                                .map_or_else(|| name.clone(), |(_, file)| file),
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
        let mut words = words;
        if let Some(name) = words.first().filter(|n| default_path && !n.contains('/')) {
            if super::lookup(name).is_none() {
                let found = std::env::split_paths(DEFAULT_PATH)
                    .map(|d| d.join(name))
                    .find(|p| is_executable_file(p));
                match found {
                    Some(p) => words[0] = crate::rawbytes::from_path(&p).into_owned(),
                    None => {
                        let p = shell.err_prefix();
                        io.err_line(&format!("{p}{name}: command not found")).await;
                        return 127;
                    }
                }
            }
        }
        shell.run_argv(words, true).await
    })
}

/// The PATH `command -p` searches (what confstr(_CS_PATH) gives on Linux).
const DEFAULT_PATH: &str = "/bin:/usr/bin";

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
        let skip = 1 + usize::from(args.get(1).is_some_and(|a| a == "--"));
        let rest: Vec<String> = args[skip..].to_vec();
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
