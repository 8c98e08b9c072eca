//! Builtin commands. Each takes the shell, its arguments (argv[0] included)
//! and its streams, and returns an exit status.

mod alias;
pub(crate) mod array_literal;
mod basic;
pub(crate) mod bind;
pub(crate) mod compgen;
pub(crate) mod complete;
mod control;
mod declare_print;
mod dirs;
mod exec;
mod fc;
mod help;
pub(crate) mod history;
mod jobctl;
mod mapfile;
mod names;
mod run;
mod shellvars;
pub(crate) use array_literal::{literal_value, Element};
pub(crate) mod shopt;
pub(crate) mod wired;
mod wordlist;
mod wrappers;
// The cores of bash's builtins, wired in by the wrappers.
#[allow(dead_code)]
pub(crate) mod cond;
pub(crate) mod getopts;
pub(crate) mod hash;
#[allow(dead_code)]
pub(crate) mod printf;
pub(crate) mod read;
#[allow(dead_code)]
pub(crate) mod test;
pub(crate) mod times;
pub(crate) mod trapspec;
pub(crate) mod ulimit;
pub(crate) mod umask;

use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

type Builtin = for<'a> fn(&'a mut Shell, Vec<String>, &'a mut Streams) -> BoxFut<'a, i32>;

/// (name, usage, one-line description, function), sorted by name.
const TABLE: &[(&str, &str, &str, Builtin)] = &[
    (
        ".",
        ". filename [arguments]",
        "Run the commands of a file in this shell.",
        control::source,
    ),
    (
        ":",
        ":",
        "Do nothing, successfully.",
        basic::true_,
    ),
    (
        "[",
        "[ arg... ]",
        "Evaluate a conditional expression (like test).",
        wrappers::test,
    ),
    (
        "alias",
        "alias [-p] [name[=value] ... ]",
        "Define or show aliases.",
        alias::alias,
    ),
    (
        "bg",
        "bg [job_spec ...]",
        "Resume stopped jobs in the background.",
        jobctl::bg,
    ),
    (
        "bind",
        "bind [-lpsvPSVX] [-m keymap] [-f filename] [-q name] [-u name] [-r keyseq] [-x keyseq:shell-command] [keyseq:readline-function or readline-command]",
        "Show or change key bindings (readline's names; the line editor is reedline).",
        bind::bind,
    ),
    (
        "break",
        "break [n]",
        "Leave n enclosing loops.",
        control::break_,
    ),
    (
        "builtin",
        "builtin [shell-builtin [arg ...]]",
        "Run a shell builtin, bypassing functions of the same name.",
        names::builtin,
    ),
    (
        "cd",
        "cd [-L|[-P [-e]] [-@]] [dir]",
        "Change the working directory.",
        basic::cd,
    ),
    (
        "command",
        "command [-pVv] command [arg ...]",
        "Run a command ignoring functions, or describe it.",
        names::command,
    ),
    (
        "compgen",
        "compgen [-abcdefgjksuv] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [word]",
        "Print the completions of a word under the given options.",
        complete::compgen,
    ),
    (
        "complete",
        "complete [-abcdefgjksuv] [-pr] [-DEI] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [name ...]",
        "Say how Tab completes the arguments of commands; -p prints, -r removes.",
        complete::complete,
    ),
    (
        "compopt",
        "compopt [-o|+o option] [-DEI] [name ...]",
        "Change the options of a completion spec, or of the completion running now.",
        complete::compopt,
    ),
    (
        "continue",
        "continue [n]",
        "Go on with the next pass of the nth enclosing loop.",
        control::continue_,
    ),
    (
        "declare",
        "declare [-aAfFgiIlnrtux] [name[=value] ...] or declare -p [-aAfFilnrtux] [name ...]",
        "Set variables and their attributes.",
        shellvars::declare,
    ),
    (
        "dirs",
        "dirs [-clpv] [+N] [-N]",
        "Show the directory stack.",
        dirs::dirs,
    ),
    (
        "disown",
        "disown [-h] [-ar] [jobspec ... | pid ...]",
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
        "eval",
        "eval [arg ...]",
        "Run the arguments as a command.",
        control::eval,
    ),
    (
        "exec",
        "exec [-cl] [-a name] [command [argument ...]] [redirection ...]",
        "Replace the shell with a command, or redirect the shell's descriptors.",
        exec::exec,
    ),
    (
        "exit",
        "exit [n]",
        "Exit the shell, terminating its jobs.",
        basic::exit,
    ),
    (
        "export",
        "export [-fn] [name[=value] ...] or export -p",
        "Export variables to commands.",
        shellvars::export,
    ),
    ("false", "false", "Fail.", basic::false_),
    (
        "fc",
        "fc [-e ename] [-lnr] [first] [last] or fc -s [pat=rep] [command]",
        "List, or edit and run again, commands from the history.",
        fc::fc,
    ),
    (
        "fg",
        "fg [job_spec]",
        "Bring a job to the foreground.",
        jobctl::fg,
    ),
    (
        "getopts",
        "getopts optstring name [arg ...]",
        "Parse options: one option per call into name, OPTARG and OPTIND.",
        wired::getopts,
    ),
    (
        "hash",
        "hash [-lr] [-p pathname] [-dt] [name ...]",
        "Remember or display program locations.",
        hash::hash,
    ),
    (
        "help",
        "help [-dms] [pattern ...]",
        "Describe builtins: -d one line each, -s the synopsis, -m as a manual page.",
        help::help,
    ),
    (
        "history",
        "history [-c] [-d offset] [n] or history -anrw [filename] or history -ps arg [arg...]",
        "Show or change the command history.",
        history::history,
    ),
    (
        "jobs",
        "jobs [-l|-p|-r|-s] [-S|--supervise] [jobspec ...]",
        "List jobs; -S adds each job's limits, restarts and stop cause.",
        jobctl::jobs,
    ),
    (
        "kill",
        "kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]",
        "Send a signal to jobs or processes.",
        jobctl::kill,
    ),
    (
        "let",
        "let arg [arg ...]",
        "Evaluate arithmetic expressions.",
        shellvars::let_,
    ),
    (
        "local",
        "local [option] name[=value] ...",
        "Define variables local to a function.",
        shellvars::local,
    ),
    (
        "mapfile",
        "mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]",
        "Read lines from stdin into an indexed array.",
        mapfile::mapfile,
    ),
    (
        "popd",
        "popd [-n] [+N | -N]",
        "Leave the top of the directory stack and go to the next.",
        dirs::popd,
    ),
    (
        "printf",
        "printf [-v var] format [arguments]",
        "Print arguments under the control of a format.",
        wrappers::printf,
    ),
    (
        "pushd",
        "pushd [-n] [+N | -N | dir]",
        "Push the working directory and go to dir.",
        dirs::pushd,
    ),
    ("pwd", "pwd [-LP]", "Print the working directory.", basic::pwd),
    (
        "read",
        "read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name ...]",
        "Read a line (or -d record) and split it into variables by IFS.",
        wired::read,
    ),
    (
        "readarray",
        "readarray [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C callback] [-c quantum] [array]",
        "Same as mapfile.",
        mapfile::mapfile,
    ),
    (
        "readonly",
        "readonly [-aAf] [name[=value] ...] or readonly -p",
        "Make variables unchangeable.",
        shellvars::readonly,
    ),
    (
        "return",
        "return [n]",
        "Return from a function or sourced file.",
        control::return_,
    ),
    (
        "run",
        "run [--timeout D] [--cpu D] [--mem SIZE] [--restart never|on-failure|always[:N]] [--owner O] [--label K=V]... [--] command [arg ...]",
        "Start a command as a background job with a timeout, limits, a restart policy, owner and labels (D: 500ms, 10s, 2m; SIZE: 512K, 64M, 1G).",
        run::run,
    ),
    (
        "set",
        "set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]",
        "Set options and positional parameters.",
        shellvars::set,
    ),
    (
        "shift",
        "shift [n]",
        "Shift the positional parameters.",
        shellvars::shift,
    ),
    (
        "shopt",
        "shopt [-pqsu] [-o] [optname ...]",
        "Set and unset shell options by name.",
        shopt::shopt,
    ),
    (
        "source",
        "source filename [arguments]",
        "Run the commands of a file in this shell.",
        control::source,
    ),
    (
        "test",
        "test [expr]",
        "Evaluate a conditional expression.",
        wrappers::test,
    ),
    (
        "times",
        "times",
        "Print the user and system times of the shell and its children.",
        wired::times,
    ),
    (
        "trap",
        "trap [-lp] [[arg] signal_spec ...]",
        "Run a command when the shell exits or gets a signal.",
        wired::trap,
    ),
    ("true", "true", "Succeed.", basic::true_),
    (
        "type",
        "type [-afptP] name [name ...]",
        "Tell what a name means to the shell.",
        names::type_,
    ),
    (
        "typeset",
        "typeset [-aAfFgiIlnrtux] name[=value] ... or typeset -p [-aAfFilnrtux] [name ...]",
        "Same as declare.",
        shellvars::declare,
    ),
    (
        "ulimit",
        "ulimit [-SHabcdefiklmnpqrstuvxPRT] [limit]",
        "Show or set resource limits of the shell and its children.",
        ulimit::ulimit,
    ),
    (
        "umask",
        "umask [-p] [-S] [mode]",
        "Show or set the file creation mask.",
        wired::umask,
    ),
    (
        "unalias",
        "unalias [-a] name [name ...]",
        "Remove aliases.",
        alias::unalias,
    ),
    (
        "unset",
        "unset [-f] [-v] [-n] [name ...]",
        "Remove variables or functions.",
        shellvars::unset,
    ),
    (
        "wait",
        "wait [-fn] [-p var] [id ...]",
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
    if help::wants_help(&args) && lookup(name).is_some() {
        return help::print_help(streams, name).await;
    }
    match lookup(name) {
        Some(f) => f(shell, args, streams).await,
        None => 127,
    }
}

/// Set when a builtin's write to the shell's own stdout found the pipe
/// closed: the caller reports `NAME: write error: Broken pipe`.
pub(crate) static STDOUT_BROKEN: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The errno of a builtin's failed write other than a closed pipe (`>&-`
/// gives EBADF), 0 when none: the caller reports `NAME: write error: …`.
pub(crate) static WRITE_ERROR: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// The status of a builtin whose write to `out` failed with `e`. A closed
/// pipe on the shell's own stdout gives 1 and the shell goes on (bash with
/// SIGPIPE ignored); one under an in-process pipeline member gives 141, as
/// for a forked member killed by SIGPIPE.
pub(crate) fn write_error_status(out: &crate::io::Output, e: &std::io::Error) -> i32 {
    if e.kind() != std::io::ErrorKind::BrokenPipe {
        if let Some(errno) = e.raw_os_error() {
            WRITE_ERROR.store(errno, std::sync::atomic::Ordering::Release);
        }
        return 1;
    }
    if matches!(out, crate::io::Output::Stdout) {
        STDOUT_BROKEN.store(true, std::sync::atomic::Ordering::Release);
        1
    } else {
        141
    }
}

/// Prints a builtin's error message (`kill: %9: no such job`) on stderr
/// behind the shell's name as bash does: `corral: ` when interactive,
/// `corral: line N: ` (the script's name under a script) otherwise.
/// Usage lines go out bare, through [`Streams::err_line`].
/// The shell is only read before the future starts (it is not `Sync`).
pub(crate) fn complain<'a>(
    shell: &Shell,
    io: &'a mut Streams,
    msg: &str,
) -> impl std::future::Future<Output = ()> + Send + 'a {
    let line = format!("{}{msg}", shell.err_prefix());
    async move { io.err_line(&line).await }
}

/// Writes `text` to stdout (as the bytes it stands for); on a write error
/// (a closed pipe) returns its status.
pub(crate) async fn out(streams: &mut Streams, text: &str) -> Result<(), i32> {
    match streams.out(&crate::rawbytes::decode(text)).await {
        Ok(()) => Ok(()),
        Err(e) => Err(write_error_status(&streams.stdout, &e)),
    }
}
