//! corral-repl: the `corral` shell — its command language, builtins, terminal
//! job control and reedline front end, over corral-kernel and corral-vfs.
//!
//! [`main`] is the whole program: `corral` on a terminal is interactive;
//! `corral -c LINE`, `corral FILE` or a script on stdin run non-interactively.

mod builtins;
mod completion;
mod exec;
pub mod expand;
mod foreground;
mod interactive;
mod io;
pub mod jobs;
mod jobsync;
pub mod lang;
mod prompt;
mod redirect;
mod shell;
pub mod syntax;
mod sys;
mod terminal;
pub mod vmount;

use std::ffi::OsString;
use std::io::Read;
use std::os::fd::AsFd;

pub use shell::Shell;

const USAGE: &str = "\
usage: corral [-c LINE [ARG0]] [FILE]
       corral --help | --version

With no arguments on a terminal, corral is an interactive shell with job
control (jobs, fg, bg, kill %N, wait, disown, Ctrl-Z) and /v/jobs/<id>/...
files for every job's output and status. `-c LINE` runs LINE, FILE runs a
script, and commands are read from stdin when it is not a terminal.
Type `help` in the shell for the builtins.
";

/// How the shell was asked to run.
enum Mode {
    Interactive,
    Command(String, String),
    Script(String, Vec<u8>),
}

/// Runs corral with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let mode = match parse_args(&args) {
        Ok(Some(mode)) => mode,
        Ok(None) => return 0,
        Err((msg, status)) => {
            eprintln!("{msg}");
            return status;
        }
    };
    // One thread: cheaper to start than a pool, and nothing here needs two
    // (the editor has its own thread, blocking reads go to the blocking pool).
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("corral: cannot start the runtime: {e}");
            return 1;
        }
    };
    let status = runtime.block_on(run(mode));
    // Blocking readers (a builtin reading the terminal) must not hold up exit.
    runtime.shutdown_background();
    status
}

fn parse_args(args: &[OsString]) -> Result<Option<Mode>, (String, i32)> {
    let text = |a: &OsString| a.to_string_lossy().into_owned();
    match args.first().map(text).as_deref() {
        None => {
            if crate::sys::isatty(std::io::stdin().as_fd()) {
                Ok(Some(Mode::Interactive))
            } else {
                let mut script = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut script)
                    .map_err(|e| (format!("corral: stdin: {e}"), 1))?;
                Ok(Some(Mode::Script("corral".into(), script)))
            }
        }
        Some("--help" | "-h") => {
            print!("{USAGE}");
            Ok(None)
        }
        Some("--version" | "-V") => {
            println!("corral {}", env!("CARGO_PKG_VERSION"));
            Ok(None)
        }
        Some("-c") => match args.get(1) {
            Some(line) => {
                let arg0 = args.get(2).map(text).unwrap_or_else(|| "corral".into());
                Ok(Some(Mode::Command(text(line), arg0)))
            }
            None => Err(("corral: -c: option requires an argument".into(), 2)),
        },
        Some(opt) if opt.starts_with('-') && opt != "-" => {
            Err((format!("corral: {opt}: invalid option\n{USAGE}"), 2))
        }
        Some(file) => match std::fs::read(&args[0]) {
            Ok(bytes) => Ok(Some(Mode::Script(file.to_string(), bytes))),
            Err(e) => Err((format!("corral: {file}: {}", io::os_message(&e)), 127)),
        },
    }
}

async fn run(mode: Mode) -> i32 {
    let (interactive, arg0) = match &mode {
        Mode::Interactive => (true, "corral".to_string()),
        Mode::Command(_, arg0) => (false, arg0.clone()),
        Mode::Script(name, _) => (false, name.clone()),
    };
    // Before the shell reads the environment: children inherit CORRAL_V.
    vmount::prepare(interactive);
    let mut shell = match Shell::new(interactive, arg0) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("corral: {e}");
            return 1;
        }
    };
    shell.watch_termination();
    vmount::start(&shell.env.vfs, interactive);
    let status = match mode {
        Mode::Interactive => interactive::run(&mut shell).await,
        Mode::Command(line, _) => {
            shell.terminal = script_terminal();
            shell.run_text(&line, false).await
        }
        Mode::Script(_, bytes) => {
            shell.terminal = script_terminal();
            let text = String::from_utf8_lossy(&bytes);
            shell.run_text(&text, true).await
        }
    };
    let status = shell.exit_status.unwrap_or(status);
    shell.env.kernel.shutdown(shell::EXIT_GRACE).await;
    vmount::shutdown();
    drop(shell);
    status
}

/// A script hands its foreground commands the terminal (so they can read it
/// and get Ctrl-C) only when both stdin and stdout are the terminal: with its
/// output piped (`corral -c … | less`), the terminal stays with the pipeline.
fn script_terminal() -> Option<std::sync::Arc<terminal::Terminal>> {
    if !sys::isatty(std::io::stdout().as_fd()) {
        return None;
    }
    terminal::Terminal::acquire(false)
        .ok()
        .flatten()
        .map(std::sync::Arc::new)
}
