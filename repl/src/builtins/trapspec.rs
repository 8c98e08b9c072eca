//! `trap`'s arguments, signal specifications and listings, as bash 5.2
//! reads and prints them (Linux signal numbers).
//!
//! [`parse_trap`] decides what a `trap` command asks for; the wrapper
//! keeps the table of actions, installs handlers, and prints
//! [`print_line`] for each set trap in [`TrapTarget`] order (`trap -p`:
//! EXIT, then signals by number, then DEBUG, ERR, RETURN) and [`list`]
//! for `trap -l`. Errors are bash's words without `corral: trap: `.

use super::getopts::{BuiltinOptError, BuiltinOpts};

/// What a trap is set on. Ordered as `trap -p` prints.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TrapTarget {
    /// `EXIT` (also `0`): the shell exits.
    Exit,
    /// A signal, 1 to 64.
    Signal(i32),
    /// `DEBUG`: before each simple command.
    Debug,
    /// `ERR`: a command failed (as `set -e` would see it).
    Err,
    /// `RETURN`: a function or `source` returns.
    Return,
}

/// The highest signal number (Linux: `SIGRTMAX`).
pub const MAX_SIGNAL: i32 = 64;
const RTMIN: i32 = 34;

const NAMES: [&str; 32] = [
    "EXIT",
    "SIGHUP",
    "SIGINT",
    "SIGQUIT",
    "SIGILL",
    "SIGTRAP",
    "SIGABRT",
    "SIGBUS",
    "SIGFPE",
    "SIGKILL",
    "SIGUSR1",
    "SIGSEGV",
    "SIGUSR2",
    "SIGPIPE",
    "SIGALRM",
    "SIGTERM",
    "SIGSTKFLT",
    "SIGCHLD",
    "SIGCONT",
    "SIGSTOP",
    "SIGTSTP",
    "SIGTTIN",
    "SIGTTOU",
    "SIGURG",
    "SIGXCPU",
    "SIGXFSZ",
    "SIGVTALRM",
    "SIGPROF",
    "SIGWINCH",
    "SIGIO",
    "SIGPWR",
    "SIGSYS",
];

/// A signal's name as bash prints it (`SIGINT`, `SIGRTMIN+3`, `SIGRTMAX-1`);
/// `None` for numbers with no signal (0, 32, 33, past 64).
#[must_use]
pub fn signal_name(n: i32) -> Option<String> {
    match n {
        1..=31 => NAMES.get(usize::try_from(n).ok()?).map(|s| (*s).to_owned()),
        RTMIN => Some("SIGRTMIN".to_owned()),
        35..=49 => Some(format!("SIGRTMIN+{}", n - RTMIN)),
        50..=63 => Some(format!("SIGRTMAX-{}", MAX_SIGNAL - n)),
        MAX_SIGNAL => Some("SIGRTMAX".to_owned()),
        _ => None,
    }
}

/// How `trap -p` names a target: `EXIT`, `SIGINT`, `DEBUG`, … (a number
/// without a name, 32 or 33, as the number).
#[must_use]
pub fn target_name(t: TrapTarget) -> String {
    match t {
        TrapTarget::Exit => "EXIT".to_owned(),
        TrapTarget::Signal(n) => signal_name(n).unwrap_or_else(|| n.to_string()),
        TrapTarget::Debug => "DEBUG".to_owned(),
        TrapTarget::Err => "ERR".to_owned(),
        TrapTarget::Return => "RETURN".to_owned(),
    }
}

impl TrapTarget {
    /// The name without `SIG` (`EXIT`, `INT`, `RTMIN+1`, `DEBUG`): a key
    /// for a table of traps; [`parse_sigspec`] reads it back.
    #[must_use]
    pub fn key(self) -> String {
        let name = target_name(self);
        match name.strip_prefix("SIG") {
            Some(bare) => bare.to_owned(),
            None => name,
        }
    }
}

/// bash's `decode_signal` for `trap`: a number 0–64, or a name with or
/// without `SIG` in any case (`int`, `SIGINT`), `RTMIN+N`, or
/// `EXIT`, `DEBUG`, `ERR`, `RETURN`.
#[must_use]
pub fn parse_sigspec(spec: &str) -> Option<TrapTarget> {
    if !spec.is_empty() && spec.bytes().all(|b| b.is_ascii_digit()) {
        let n: i32 = spec.parse().ok()?;
        return match n {
            0 => Some(TrapTarget::Exit),
            1..=MAX_SIGNAL => Some(TrapTarget::Signal(n)),
            _ => None,
        };
    }
    let upper = spec.to_ascii_uppercase();
    // `RTMIN+N` is computed (bash); `RTMAX-N` only matches the table's names.
    for prefix in ["SIGRTMIN+", "RTMIN+"] {
        if let Some(rest) = upper.strip_prefix(prefix) {
            let k = super::test::parse_integer(rest)?;
            let k = i32::try_from(k)
                .ok()
                .filter(|k| (0..=MAX_SIGNAL - RTMIN).contains(k))?;
            return Some(TrapTarget::Signal(RTMIN + k));
        }
    }
    match upper.as_str() {
        "EXIT" => return Some(TrapTarget::Exit),
        "DEBUG" => return Some(TrapTarget::Debug),
        "ERR" => return Some(TrapTarget::Err),
        "RETURN" => return Some(TrapTarget::Return),
        _ => {}
    }
    let bare = upper.strip_prefix("SIG").unwrap_or(&upper);
    (1..=MAX_SIGNAL)
        .find(|&n| signal_name(n).is_some_and(|name| name[3..] == *bare))
        .map(TrapTarget::Signal)
}

/// `trap -l` (and `kill -l`): five `NN) SIGNAME` per line, tab-separated,
/// each line ending with a newline (the last after a tab).
#[must_use]
pub fn list() -> String {
    let mut out = String::new();
    let mut column = 0;
    for n in 1..=MAX_SIGNAL {
        let Some(name) = signal_name(n) else { continue };
        out.push_str(&format!("{n:2}) {name}"));
        column += 1;
        if column % 5 == 0 {
            out.push('\n');
        } else {
            out.push('\t');
        }
    }
    if column % 5 != 0 {
        out.push('\n');
    }
    out
}

/// `'…'` with each `'` as `'\''` (bash's `sh_single_quote`).
#[must_use]
pub fn single_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// One line of `trap -p`: `trap -- 'action' SIGINT`.
#[must_use]
pub fn print_line(action: &str, target: TrapTarget) -> String {
    format!("trap -- {} {}\n", single_quote(action), target_name(target))
}

/// What a `trap` command asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrapCommand {
    /// `trap -l`.
    List,
    /// `trap`, `trap -p`: every set trap; `trap -p SPEC…`: those.
    Print(Vec<TrapTarget>),
    /// `trap ACTION SPEC…`.
    Set(String, Vec<TrapTarget>),
    /// `trap '' SPEC…`: ignore the signals.
    Ignore(Vec<TrapTarget>),
    /// `trap - SPEC…`, `trap SPEC` (one operand), `trap N…` (leading number):
    /// back to the default disposition.
    Reset(Vec<TrapTarget>),
}

/// Why (part of) a `trap` command failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrapError {
    /// An unknown option (status 2, then the usage line), or `--help`.
    #[error("{0}")]
    Options(BuiltinOptError),
    /// Not enough operands (status 2: only the usage line is printed).
    #[error("usage: {}", super::help::usage("trap"))]
    Usage,
    /// A specification that names nothing (status 1; the others still apply).
    #[error("{0}: invalid signal specification")]
    InvalidSignal(String),
}

impl TrapError {
    /// bash's status for this error.
    #[must_use]
    pub fn status(&self) -> i32 {
        match self {
            TrapError::InvalidSignal(_) => 1,
            _ => 2,
        }
    }
}

/// Parses `trap`'s arguments (without `trap`): the command, and the
/// invalid specifications among them (reported, then skipped).
///
/// # Errors
/// [`TrapError::Options`] or [`TrapError::Usage`]: nothing is done.
pub fn parse_trap(args: &[String]) -> Result<(TrapCommand, Vec<TrapError>), TrapError> {
    let (mut list, mut print) = (false, false);
    let argv: Vec<String> = std::iter::once("trap".to_owned())
        .chain(args.iter().cloned())
        .collect();
    let mut opts = BuiltinOpts::new(&argv, "lp");
    for opt in opts.by_ref() {
        match opt.map_err(TrapError::Options)?.letter {
            'l' => list = true,
            _ => print = true,
        }
    }
    let rest = opts.rest();
    let decode = |specs: &[String]| {
        let mut targets = Vec::new();
        let mut errors = Vec::new();
        for s in specs {
            match parse_sigspec(s) {
                Some(t) => targets.push(t),
                None => errors.push(TrapError::InvalidSignal(s.clone())),
            }
        }
        (targets, errors)
    };
    if list {
        return Ok((TrapCommand::List, Vec::new()));
    }
    if print || rest.is_empty() {
        let (targets, errors) = decode(rest);
        return Ok((TrapCommand::Print(targets), errors));
    }
    let first = &rest[0];
    let numeric = first.bytes().all(|b| b.is_ascii_digit()) && parse_sigspec(first).is_some();
    if numeric || (first != "-" && rest.len() == 1 && parse_sigspec(first).is_some()) {
        let (targets, errors) = decode(rest);
        return Ok((TrapCommand::Reset(targets), errors));
    }
    if rest.len() == 1 {
        return Err(TrapError::Usage);
    }
    let (targets, errors) = decode(&rest[1..]);
    let command = if first.is_empty() {
        TrapCommand::Ignore(targets)
    } else if first == "-" {
        TrapCommand::Reset(targets)
    } else {
        TrapCommand::Set(first.clone(), targets)
    };
    Ok((command, errors))
}

#[cfg(test)]
#[path = "tests/trapspec.rs"]
mod tests;
