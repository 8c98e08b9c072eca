//! corral-repl: the `corral` shell — its command language, builtins, terminal
//! job control and reedline front end, over corral-kernel and corral-vfs.
//!
//! [`main`] is the whole program: `corral` on a terminal is interactive;
//! `corral -c LINE`, `corral FILE` or a script on stdin run non-interactively,
//! with bash's options (`corral [-eiuxnsm] [-o OPT] [-c LINE [NAME [ARGS…]]] [FILE [ARGS…]]`).

// The shell's own messages and `--help` must not panic on a closed stdout or
// stderr (std's print macros do): these shadow them in every module and drop
// write errors, as bash goes on after failing to print a diagnostic.
macro_rules! print {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stdout(), $($t)*); }};
}
macro_rules! println {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stdout(), $($t)*); }};
}
macro_rules! eprint {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = write!(std::io::stderr(), $($t)*); }};
}
macro_rules! eprintln {
    ($($t:tt)*) => {{ use std::io::Write as _; let _ = writeln!(std::io::stderr(), $($t)*); }};
}

mod builtins;
mod completion;
mod editor;
mod exec;
pub mod expand;
mod foreground;
mod histexpand;
mod history;
mod interactive;
mod interp;
mod io;
pub mod jobs;
mod jobsync;
pub mod lang;
mod progcomp;
mod prompt;
pub mod rawbytes;
mod redirect;
mod script;
mod shell;
mod sys;
mod terminal;
pub mod vmount;

use std::ffi::OsString;
use std::os::fd::AsFd;

pub use shell::Shell;

const USAGE: &str = "\
usage: corral [--norc] [--rcfile FILE] [-eiuxnsmCfbH] [-o OPT] [+o OPT]
              [-c LINE [NAME [ARG ...]]] [FILE [ARG ...]]
       corral --help | --version

With no arguments on a terminal, corral is an interactive shell with job
control (jobs, fg, bg, kill %N, wait, disown, Ctrl-Z) and /v/jobs/<id>/...
files for every job's output and status. An interactive shell first runs
~/.corralrc (--rcfile FILE instead, --norc: none). `-c LINE` runs LINE, FILE
runs a script, and commands are read from stdin when it is not a terminal (or -s).
Type `help` in the shell for the builtins.
";

/// Where the commands come from.
enum Source {
    Interactive,
    Command(String),
    Script(std::fs::File),
    Stdin,
}

/// How the shell was asked to run.
struct Invocation {
    source: Source,
    arg0: String,
    /// `$0` when it is not `arg0`: the name the shell was run as (bash).
    dollar0: Option<String>,
    args: Vec<String>,
    /// `set` options from the command line: (letter or -o name, on).
    options: Vec<(String, bool)>,
    /// `shopt` options from the command line (`-O name`, `+O name`).
    shopts: Vec<(String, bool)>,
    /// `-i` with `-c`: `$-` shows `i` and the line editor's mode is set.
    interactive_flag: bool,
    /// The startup file an interactive shell runs.
    rc: interactive::Rc,
    /// `-i` with `-c`: an interactive shell that runs one command (after
    /// its startup file), as bash.
    interactive_command: bool,
}

/// Runs corral with the process's arguments; returns the exit status.
pub fn main() -> i32 {
    sys::startup::prepare_process();
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let inv = match parse_args(&args) {
        Ok(Some(inv)) => inv,
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
    // The interpreter recurses (functions, nested compound commands): run it
    // on a stack with room for the deepest nesting allowed. On this thread,
    // not a new one: starting a thread is most of what `-c true` would
    // cost beyond exec (see sys::startup).
    let outcome = sys::startup::run_on_stack(STACK, move || {
        let status = runtime.block_on(run(inv));
        // What must end with the shell ended in `run` (jobs, output copies,
        // the mount, the terminal). The runtime's tasks are dropped (a
        // job's memory cgroup goes with its task), without waiting for
        // blocking readers (a builtin reading the terminal); then the
        // process exits here, skipping the unmapping of this stack.
        runtime.shutdown_background();
        std::process::exit(status)
    });
    match outcome {
        Ok(Ok(status)) => status,
        Ok(Err(_panic)) => 1,
        Err(e) => {
            eprintln!("corral: cannot map the interpreter's stack: {e}");
            1
        }
    }
}

/// The interpreter's stack: enough for `interp::MAX_FUNCTION_DEPTH`.
const STACK: usize = 256 * 1024 * 1024;

fn parse_args(args: &[OsString]) -> Result<Option<Invocation>, (String, i32)> {
    let text = |a: &OsString| rawbytes::from_os(a.clone());
    let mut options = Vec::new();
    let mut shopts = Vec::new();
    let mut command = false;
    let mut stdin = false;
    let mut interactive = false;
    let mut rc = interactive::Rc::Default;
    let mut norc = false;
    let mut i = 0;
    while let Some(a) = args.get(i).map(text) {
        match a.as_str() {
            "--help" | "-h" => {
                print!("{USAGE}");
                return Ok(None);
            }
            "--version" | "-V" => {
                println!("corral {}", env!("CARGO_PKG_VERSION"));
                return Ok(None);
            }
            "--" | "-" => {
                i += 1;
                break;
            }
            "--norc" => {
                norc = true;
                i += 1;
                continue;
            }
            // A login shell reads no profile here: accepted for bash's sake.
            "--login" | "--noprofile" => {
                i += 1;
                continue;
            }
            "--rcfile" | "--init-file" => {
                let Some(file) = args.get(i + 1) else {
                    return Err((format!("corral: {a}: option requires an argument"), 2));
                };
                rc = interactive::Rc::File(file.into());
                i += 2;
                continue;
            }
            _ => {}
        }
        let on = a.starts_with('-');
        if !(on || a.starts_with('+')) || a.len() < 2 {
            break;
        }
        i += 1;
        for c in a[1..].chars() {
            match c {
                // bash takes `+c` as `-c`.
                'c' => command = true,
                's' if on => stdin = true,
                'i' if on => interactive = true,
                'o' => {
                    let Some(name) = args.get(i).map(text) else {
                        return Err((
                            format!("corral: -o: option requires an argument\n{USAGE}"),
                            2,
                        ));
                    };
                    i += 1;
                    options.push((name, on));
                }
                'O' => {
                    let Some(name) = args.get(i).map(text) else {
                        return Err((
                            format!("corral: -O: option requires an argument\n{USAGE}"),
                            2,
                        ));
                    };
                    i += 1;
                    shopts.push((name, on));
                }
                'l' => {}
                'e' | 'u' | 'x' | 'n' | 'm' | 'C' | 'f' | 'b' | 'H' | 'v' => {
                    options.push((c.to_string(), on))
                }
                other => {
                    return Err((
                        format!(
                            "corral: {}{other}: invalid option\n{USAGE}",
                            if on { '-' } else { '+' }
                        ),
                        2,
                    ))
                }
            }
        }
    }
    let rest: Vec<String> = args[i..].iter().map(text).collect();
    let mut rest = rest.into_iter();
    // `$0` is the name the shell was run as unless a script or `-c` name
    // gives one; messages still name corral then.
    let named = if command {
        args.len() > i + 1
    } else {
        !stdin && args.len() > i
    };
    let (source, arg0) = if command {
        let Some(line) = rest.next() else {
            return Err(("corral: -c: option requires an argument".into(), 2));
        };
        (
            Source::Command(line),
            rest.next().unwrap_or_else(|| "corral".into()),
        )
    } else if stdin || args.len() == i {
        let tty = crate::sys::isatty(std::io::stdin().as_fd());
        if (tty && !stdin) || interactive {
            (Source::Interactive, "corral".into())
        } else {
            (Source::Stdin, "corral".into())
        }
    } else {
        let Some(file) = rest.next() else {
            return Err((USAGE.into(), 2));
        };
        match std::fs::File::open(rawbytes::path(&file)) {
            Ok(f) if f.metadata().is_ok_and(|m| m.is_dir()) => {
                return Err((format!("corral: {file}: Is a directory"), 126))
            }
            Ok(f) => (Source::Script(f), file),
            Err(e) => return Err((format!("corral: {file}: {}", io::os_message(&e)), 127)),
        }
    };
    Ok(Some(Invocation {
        source,
        arg0,
        dollar0: (!named).then(invoked_as),
        args: rest.collect(),
        options,
        shopts,
        interactive_flag: interactive,
        rc: if norc { interactive::Rc::None } else { rc },
        interactive_command: interactive && command,
    }))
}

/// `$0` when no script or `-c` name gives one: the name the shell was run
/// as (its `argv[0]`), as bash has it.
fn invoked_as() -> String {
    std::env::args_os()
        .next()
        .map(rawbytes::from_os)
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "corral".into())
}

async fn run(inv: Invocation) -> i32 {
    let interactive = matches!(inv.source, Source::Interactive) || inv.interactive_command;
    // Before the shell reads the environment: children inherit CORRAL_V.
    vmount::prepare(interactive);
    let mut shell = match Shell::new(interactive, inv.arg0) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("corral: {e}");
            return 1;
        }
    };
    shell.env.lang.positional = inv.args;
    // Messages name $0, as bash's do (`bash -c CMD NAME` names NAME); with
    // no name, the name the shell was run as (bash: its argv[0]; here the
    // last component, so that a path does not show).
    if let Source::Script(_) | Source::Command(_) | Source::Stdin = inv.source {
        shell.env.lang.name = match &inv.dollar0 {
            Some(argv0) => argv0
                .rsplit('/')
                .find(|c| !c.is_empty())
                .unwrap_or("corral")
                .to_owned(),
            None => shell.env.arg0.clone(),
        };
    }
    if let Some(name) = inv.dollar0 {
        shell.env.arg0 = name;
    }
    let mask = sys::set_umask(0o022);
    sys::set_umask(mask);
    shell.env.lang.umask = mask;
    shell.apply_inherited_shellopts();
    for (name, on) in inv.options {
        let opts = &mut shell.env.lang.opts;
        let known = match name.chars().next() {
            Some(c) if name.len() == 1 => opts.letter(c).map(|v| *v = on).is_some(),
            _ => opts.set_named(&name, on),
        };
        if !known {
            eprintln!("corral: {name}: invalid option name");
            return 2;
        }
    }
    for (name, on) in inv.shopts {
        if !shell.env.lang.shopt.set(&name, on) {
            eprintln!("corral: {name}: invalid shell option name");
            return 2;
        }
    }
    if inv.interactive_flag && !interactive {
        shell.env.lang.opts.interactive = true;
        shell.env.lang.opts.emacs = true;
    }
    shell.sync_option_vars();
    shell.watch_termination();
    vmount::start(&shell.env.vfs, interactive);
    let status = match inv.source {
        Source::Interactive => interactive::run(&mut shell, inv.rc).await,
        Source::Command(line) => {
            shell.env.lang.opts.command = true;
            shell.terminal = script_terminal();
            if inv.interactive_command {
                interactive::run_rc(&mut shell, inv.rc).await;
            }
            match shell.exit_status {
                Some(status) => status,
                None => {
                    if shell.env.lang.opts.verbose {
                        let mut text = rawbytes::decode(&line).into_owned();
                        text.push(b'\n');
                        shell.verbose_echo(&text).await;
                    }
                    shell.run_text_by_command(&line, false).await
                }
            }
        }
        Source::Script(file) => {
            shell.terminal = script_terminal();
            script::run_file(&mut shell, file).await
        }
        Source::Stdin => {
            shell.env.lang.opts.stdin = true;
            shell.terminal = script_terminal();
            script::run_stdin(&mut shell).await
        }
    };
    let status = shell.exit_status.take().unwrap_or(status);
    let status = shell.run_exit_trap(status).await;
    let status = shell.exit_status.unwrap_or(status);
    shell.finish_procsubs().await;
    shell.env.kernel.shutdown(shell::EXIT_GRACE).await;
    shell.finish_passthrough().await;
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
