//! What a name means to the shell, and running it past functions: `type`,
//! `command` (`-v`/`-V` describe, `-p` searches the default PATH) and
//! `builtin`. A name is tried as bash tries it: alias, keyword, function,
//! builtin, then a file on PATH (the one `hash` remembers first).

use super::getopts::scan;
use super::out;

use crate::exec::{find_on_path, BoxFut};
use crate::io::Streams;
use crate::shell::Shell;

/// Reserved words, for `type`.
const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "select", "while", "until", "do",
    "done", "in", "function", "time", "{", "}", "!", "[[", "]]", "coproc",
];

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
        let prefix = shell.err_prefix();
        let (opts, names) = match scan(io, &prefix, &args, "afptP").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        for o in opts {
            match o.letter {
                'a' => all = true,
                'f' => functions = false,
                't' => kind_only = true,
                'p' => path_only = true,
                _ => force_path = true,
            }
        }
        let mut status = 0;
        let mut text = String::new();
        for name in names {
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
        let (mut short, mut verbose, mut default_path) = (false, false, false);
        let prefix = shell.err_prefix();
        let (opts, words) = match scan(io, &prefix, &args, "pvV").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        // The last of -v and -V wins (bash).
        for o in opts {
            match o.letter {
                'v' => (short, verbose) = (true, false),
                'V' => (short, verbose) = (false, true),
                _ => default_path = true,
            }
        }
        let words = words.to_vec();
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

/// `builtin name [args]`: runs the builtin `name`, bypassing functions.
pub(super) fn builtin<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let rest: Vec<String> = match scan(io, &prefix, &args, "").await {
            Ok((_, rest)) => rest.to_vec(),
            Err(status) => return status,
        };
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
