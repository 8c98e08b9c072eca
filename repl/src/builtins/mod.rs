//! Builtin commands. Each takes the shell, its arguments (argv[0] included)
//! and its streams, and returns an exit status.

mod basic;
mod files;
mod jobctl;
// The cores of bash's builtins, wired in by the interpreter's wrappers.
#[allow(dead_code)]
pub(crate) mod cond;
#[allow(dead_code)]
pub(crate) mod getopts;
#[allow(dead_code)]
pub(crate) mod printf;
#[allow(dead_code)]
pub(crate) mod read;
#[allow(dead_code)]
pub(crate) mod test;
#[allow(dead_code)]
pub(crate) mod times;
#[allow(dead_code)]
pub(crate) mod trapspec;
#[allow(dead_code)]
pub(crate) mod umask;

use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

type Builtin = for<'a> fn(&'a mut Shell, Vec<String>, &'a mut Streams) -> BoxFut<'a, i32>;

/// (name, usage, one-line description, function)
const TABLE: &[(&str, &str, &str, Builtin)] = &[
    (
        "bg",
        "bg [jobspec ...]",
        "Resume stopped jobs in the background.",
        jobctl::bg,
    ),
    (
        "cat",
        "cat [file ...]",
        "Print files (including /v/jobs/N/stdout) or stdin.",
        files::cat,
    ),
    (
        "cd",
        "cd [dir | -]",
        "Change the working directory.",
        basic::cd,
    ),
    (
        "disown",
        "disown [-h] [-ar] [jobspec ...]",
        "Remove jobs from the table; they are not killed on exit.",
        jobctl::disown,
    ),
    (
        "echo",
        "echo [-neE] [arg ...]",
        "Print the arguments.",
        basic::echo,
    ),
    (
        "exit",
        "exit [n]",
        "Exit the shell, terminating its jobs.",
        basic::exit,
    ),
    (
        "export",
        "export [name[=value] ...]",
        "Export variables to commands.",
        basic::export,
    ),
    (
        "fg",
        "fg [jobspec]",
        "Bring a job to the foreground.",
        jobctl::fg,
    ),
    ("help", "help [builtin]", "Describe builtins.", basic::help),
    (
        "jobs",
        "jobs [-l|-p|-r|-s] [jobspec ...]",
        "List jobs.",
        jobctl::jobs,
    ),
    (
        "kill",
        "kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]",
        "Send a signal to jobs or processes.",
        jobctl::kill,
    ),
    (
        "ls",
        "ls [-a] [path ...]",
        "List directories (including /v/jobs).",
        files::ls,
    ),
    ("pwd", "pwd", "Print the working directory.", basic::pwd),
    (
        "tail",
        "tail [-n N] [-f] [file]",
        "Print the last lines of a file; -f follows a job's stream until it ends.",
        files::tail,
    ),
    ("unset", "unset name ...", "Remove variables.", basic::unset),
    (
        "wait",
        "wait [-n] [jobspec | pid ...]",
        "Wait for jobs and return their status.",
        jobctl::wait,
    ),
];

/// The builtin called `name`, if there is one.
pub fn lookup(name: &str) -> Option<Builtin> {
    TABLE.iter().find(|(n, ..)| *n == name).map(|(.., f)| *f)
}

/// Every builtin's name.
pub fn names() -> impl Iterator<Item = &'static str> {
    TABLE.iter().map(|(n, ..)| *n)
}

/// Runs the builtin `args[0]`.
pub async fn run(shell: &mut Shell, args: Vec<String>, streams: &mut Streams) -> i32 {
    let Some(name) = args.first() else { return 0 };
    match lookup(name) {
        Some(f) => f(shell, args, streams).await,
        None => 127,
    }
}

/// Writes `text` to stdout; on a write error (a closed pipe) returns its status.
pub(crate) async fn out(streams: &mut Streams, text: &str) -> Result<(), i32> {
    match streams.out(text.as_bytes()).await {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(141),
        Err(_) => Err(1),
    }
}
