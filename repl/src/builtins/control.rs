//! The builtins that steer the interpreter: return, break, continue, eval,
//! source/.

use super::getopts::scan;
use std::sync::Arc;

use crate::exec::BoxFut;
use crate::interp::Flow;
use crate::io::Streams;
use crate::shell::Shell;

fn number_arg(args: &[String], default: i32) -> Result<i32, String> {
    match args.get(1) {
        None => Ok(default),
        Some(a) => a
            .parse::<i64>()
            .map(|n| (n & 0xff) as i32)
            .map_err(|_| format!("{a}: numeric argument required")),
    }
}

/// A special builtin's `too many arguments`: bash throws to its top level
/// (see `discard_to_top`); an interactive shell just fails the command.
pub(super) async fn too_many_arguments(shell: &mut Shell, io: &mut Streams, name: &str) -> i32 {
    io.err_line(&format!("{}{name}: too many arguments", shell.err_prefix()))
        .await;
    if !shell.interactive {
        shell.env.lang.discard_to_top = true;
        shell.flow = Some(Flow::Discard);
    }
    1
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
        if args.len() > 2 {
            return too_many_arguments(shell, io, "return").await;
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
            if shell.interactive {
                shell.flow = Some(Flow::Break(depth));
            }
            return too_many_arguments(shell, io, name).await;
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
        let prefix = shell.err_prefix();
        let words = match scan(io, &prefix, &args, "").await {
            Ok((_, words)) => words,
            Err(status) => return status,
        };
        let text = words.join(" ");
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
        let prefix = shell.err_prefix();
        let args = match scan(io, &prefix, &args, "").await {
            Ok((_, rest)) => [&args[..1], rest].concat(),
            Err(status) => return status,
        };
        let Some(file) = args.get(1) else {
            io.err_line(&format!("{prefix}{}: filename argument required", args[0]))
                .await;
            io.err_line(&super::help::usage(&args[0])).await;
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
