//! Signals by number and name, independent of any OS crate's types.
//!
//! A [`Signal`] is a validated signal number (1..=64 on Linux, including the
//! real-time range). Names parse with or without the `SIG` prefix and in any
//! case (`term`, `SIGTERM`, `15`); [`Signal::description`] gives the text bash
//! prints for a job killed by it (`Terminated`, `Killed`, …).

use std::fmt;
use std::str::FromStr;

use crate::error::Error;
use crate::job::Pid;
use crate::sys;

/// Sends `signal` to one process outside the kernel's jobs (a pid a user
/// typed). Signal jobs through [`Kernel::signal`](crate::Kernel::signal):
/// it knows when a pid or group is no longer theirs.
///
/// # Errors
/// What the OS said (`ESRCH`: no such process, `EPERM`: not permitted).
pub fn kill_pid(pid: Pid, signal: Signal) -> std::io::Result<()> {
    sys::kill_pid(pid.as_raw(), signal.number())
}

/// Sends `signal` to every process of group `pgid` (`kill -- -PGID`), real-time
/// signals included. As with [`kill_pid`], meant for groups a user names.
///
/// # Errors
/// What the OS said (`ESRCH`: no such group, `EPERM`: not permitted).
pub fn kill_group(pgid: Pid, signal: Signal) -> std::io::Result<()> {
    sys::killpg(pgid.as_raw(), signal.number())
}

/// Whether process `pid` exists and may be signalled (`kill -0 PID`).
///
/// # Errors
/// What the OS said (`ESRCH`: no such process, `EPERM`: not permitted).
pub fn probe_pid(pid: Pid) -> std::io::Result<()> {
    sys::kill_pid(pid.as_raw(), 0)
}

/// Whether process group `pgid` exists and may be signalled (`kill -0 -- -PGID`).
///
/// # Errors
/// What the OS said.
pub fn probe_group(pgid: Pid) -> std::io::Result<()> {
    sys::killpg(pgid.as_raw(), 0)
}

/// A signal number known to be valid on this platform.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Signal(i32);

/// (number, name without SIG, bash/glibc description)
const TABLE: &[(i32, &str, &str)] = &[
    (libc::SIGHUP, "HUP", "Hangup"),
    (libc::SIGINT, "INT", "Interrupt"),
    (libc::SIGQUIT, "QUIT", "Quit"),
    (libc::SIGILL, "ILL", "Illegal instruction"),
    (libc::SIGTRAP, "TRAP", "Trace/breakpoint trap"),
    (libc::SIGABRT, "ABRT", "Aborted"),
    (libc::SIGBUS, "BUS", "Bus error"),
    (libc::SIGFPE, "FPE", "Floating point exception"),
    (libc::SIGKILL, "KILL", "Killed"),
    (libc::SIGUSR1, "USR1", "User defined signal 1"),
    (libc::SIGSEGV, "SEGV", "Segmentation fault"),
    (libc::SIGUSR2, "USR2", "User defined signal 2"),
    (libc::SIGPIPE, "PIPE", "Broken pipe"),
    (libc::SIGALRM, "ALRM", "Alarm clock"),
    (libc::SIGTERM, "TERM", "Terminated"),
    (libc::SIGSTKFLT, "STKFLT", "Stack fault"),
    (libc::SIGCHLD, "CHLD", "Child exited"),
    (libc::SIGCONT, "CONT", "Continued"),
    (libc::SIGSTOP, "STOP", "Stopped (signal)"),
    (libc::SIGTSTP, "TSTP", "Stopped"),
    (libc::SIGTTIN, "TTIN", "Stopped (tty input)"),
    (libc::SIGTTOU, "TTOU", "Stopped (tty output)"),
    (libc::SIGURG, "URG", "Urgent I/O condition"),
    (libc::SIGXCPU, "XCPU", "CPU time limit exceeded"),
    (libc::SIGXFSZ, "XFSZ", "File size limit exceeded"),
    (libc::SIGVTALRM, "VTALRM", "Virtual timer expired"),
    (libc::SIGPROF, "PROF", "Profiling timer expired"),
    (libc::SIGWINCH, "WINCH", "Window changed"),
    (libc::SIGIO, "IO", "I/O possible"),
    (libc::SIGPWR, "PWR", "Power failure"),
    (libc::SIGSYS, "SYS", "Bad system call"),
];

/// Highest valid signal number (the top of the real-time range on Linux).
const MAX_SIGNAL: i32 = 64;

impl Signal {
    /// SIGHUP.
    pub const HUP: Signal = Signal(libc::SIGHUP);
    /// SIGINT.
    pub const INT: Signal = Signal(libc::SIGINT);
    /// SIGQUIT.
    pub const QUIT: Signal = Signal(libc::SIGQUIT);
    /// SIGKILL.
    pub const KILL: Signal = Signal(libc::SIGKILL);
    /// SIGPIPE.
    pub const PIPE: Signal = Signal(libc::SIGPIPE);
    /// SIGTERM.
    pub const TERM: Signal = Signal(libc::SIGTERM);
    /// SIGCONT.
    pub const CONT: Signal = Signal(libc::SIGCONT);
    /// SIGSTOP.
    pub const STOP: Signal = Signal(libc::SIGSTOP);
    /// SIGTSTP (terminal stop, Ctrl-Z).
    pub const TSTP: Signal = Signal(libc::SIGTSTP);
    /// SIGTTIN (background read from the terminal).
    pub const TTIN: Signal = Signal(libc::SIGTTIN);
    /// SIGTTOU (background write or terminal change).
    pub const TTOU: Signal = Signal(libc::SIGTTOU);

    /// The signal with this number.
    ///
    /// # Errors
    /// [`Error::InvalidSignal`] when the number is not a signal of this platform.
    pub fn from_number(n: i32) -> Result<Signal, Error> {
        if (1..=MAX_SIGNAL).contains(&n) && !(32..34).contains(&n) {
            Ok(Signal(n))
        } else {
            Err(Error::InvalidSignal(n.to_string()))
        }
    }

    /// Parses `TERM`, `SIGTERM`, `sigterm`, `15`, `RTMIN+3`.
    ///
    /// # Errors
    /// [`Error::InvalidSignal`] naming the input when it is not a signal.
    pub fn parse(spec: &str) -> Result<Signal, Error> {
        let invalid = || Error::InvalidSignal(spec.to_string());
        let s = spec.trim();
        if s.is_empty() {
            return Err(invalid());
        }
        if s.bytes().all(|b| b.is_ascii_digit()) {
            let n: i32 = s.parse().map_err(|_| invalid())?;
            return Signal::from_number(n).map_err(|_| invalid());
        }
        let upper = s.to_ascii_uppercase();
        let name = upper.strip_prefix("SIG").unwrap_or(&upper);
        if let Some(&(n, _, _)) = TABLE.iter().find(|(_, nm, _)| *nm == name) {
            return Ok(Signal(n));
        }
        match name {
            "IOT" => return Ok(Signal(libc::SIGABRT)),
            "CLD" => return Ok(Signal(libc::SIGCHLD)),
            "POLL" => return Ok(Signal(libc::SIGIO)),
            _ => {}
        }
        let rt = |base: i32, rest: &str, sign: i32| -> Option<Signal> {
            let off: i32 = if rest.is_empty() {
                0
            } else {
                rest.strip_prefix(if sign > 0 { '+' } else { '-' })?
                    .parse()
                    .ok()?
            };
            Signal::from_number(base + sign * off)
                .ok()
                .filter(|s| s.0 >= libc::SIGRTMIN() && s.0 <= libc::SIGRTMAX())
        };
        if let Some(rest) = name.strip_prefix("RTMIN") {
            return rt(libc::SIGRTMIN(), rest, 1).ok_or_else(invalid);
        }
        if let Some(rest) = name.strip_prefix("RTMAX") {
            return rt(libc::SIGRTMAX(), rest, -1).ok_or_else(invalid);
        }
        Err(invalid())
    }

    /// The signal number.
    pub fn number(self) -> i32 {
        self.0
    }

    /// The name without the `SIG` prefix (`TERM`, `RTMIN+2`).
    pub fn name(self) -> String {
        if let Some((_, name, _)) = TABLE.iter().find(|(n, _, _)| *n == self.0) {
            return (*name).to_string();
        }
        let min = libc::SIGRTMIN();
        let max = libc::SIGRTMAX();
        if self.0 == min {
            "RTMIN".to_string()
        } else if self.0 == max {
            "RTMAX".to_string()
        } else if self.0 > min && self.0 <= (min + max) / 2 {
            format!("RTMIN+{}", self.0 - min)
        } else if self.0 > min && self.0 < max {
            format!("RTMAX-{}", max - self.0)
        } else {
            self.0.to_string()
        }
    }

    /// The text bash prints for a job ended (or stopped) by this signal:
    /// `Terminated`, `Killed`, `Hangup`, `Stopped (tty input)`; `Signal N` when unknown.
    pub fn description(self) -> String {
        match TABLE.iter().find(|(n, _, _)| *n == self.0) {
            Some((_, _, d)) => (*d).to_string(),
            None => {
                let min = libc::SIGRTMIN();
                let max = libc::SIGRTMAX();
                if (min..=max).contains(&self.0) {
                    format!("Real-time signal {}", self.0 - min)
                } else {
                    format!("Signal {}", self.0)
                }
            }
        }
    }

    /// Every valid signal, in number order.
    pub fn all() -> impl Iterator<Item = Signal> {
        (1..=MAX_SIGNAL).filter_map(|n| Signal::from_number(n).ok())
    }

    /// True for the signals that stop a process (STOP, TSTP, TTIN, TTOU).
    pub fn is_stop(self) -> bool {
        matches!(
            self.0,
            libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
        )
    }
}

impl fmt::Display for Signal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SIG{}", self.name())
    }
}

impl FromStr for Signal {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        Signal::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_numbers_and_prefixes() {
        assert_eq!(Signal::parse("TERM").unwrap(), Signal::TERM);
        assert_eq!(Signal::parse("sigkill").unwrap(), Signal::KILL);
        assert_eq!(Signal::parse("9").unwrap(), Signal::KILL);
        assert_eq!(Signal::parse("SIGSTOP").unwrap(), Signal::STOP);
        assert_eq!(
            Signal::parse("RTMIN+1").unwrap().number(),
            libc::SIGRTMIN() + 1
        );
        for bad in ["", "QQQ", "0", "65", "-1", "SIG", "RTMIN+99", "99999999999"] {
            assert!(
                matches!(Signal::parse(bad), Err(Error::InvalidSignal(s)) if s == bad),
                "{bad}"
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for sig in Signal::all() {
            assert_eq!(Signal::parse(&sig.name()).unwrap(), sig, "{}", sig.name());
        }
    }

    #[test]
    fn descriptions_match_bash() {
        assert_eq!(Signal::TERM.description(), "Terminated");
        assert_eq!(Signal::KILL.description(), "Killed");
        assert_eq!(Signal::TTIN.description(), "Stopped (tty input)");
    }
}
