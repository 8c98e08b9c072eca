//! Process inspection through /proc, for tests that check what really runs:
//! a process's state letter, its group and session, its argv, and waits on
//! those with deadlines.
//!
//! Waiting for a process to exit is event-driven (a pidfd becomes readable
//! when the process exits, child of ours or not); waiting for a state change
//! (running → stopped) has no kernel event, so it re-reads /proc every few
//! milliseconds until a deadline.
#![allow(dead_code)] // a toolbox: not every test uses every helper

use std::os::fd::{AsFd, FromRawFd, OwnedFd};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};

/// How often a state wait re-reads /proc.
const RECHECK: Duration = Duration::from_millis(5);

/// One line of /proc/PID/stat, the fields the tests use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcStat {
    /// The process id.
    pub pid: i32,
    /// The executable name, as the kernel keeps it (at most 15 bytes).
    pub comm: String,
    /// The state letter: R running, S sleeping, D disk wait, T stopped,
    /// t traced, Z zombie, X dead, I idle.
    pub state: char,
    /// Parent pid.
    pub ppid: i32,
    /// Process group id.
    pub pgrp: i32,
    /// Session id.
    pub session: i32,
    /// Foreground process group of the process's controlling terminal (-1 if none).
    pub tpgid: i32,
}

impl ProcStat {
    /// Whether the process still runs (or is stopped): not a zombie, not dead.
    pub fn is_alive(&self) -> bool {
        !matches!(self.state, 'Z' | 'X' | 'x')
    }
}

/// Reads and parses /proc/PID/stat; `None` if the process does not exist.
pub fn stat(pid: i32) -> Option<ProcStat> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&text)
}

fn parse_stat(text: &str) -> Option<ProcStat> {
    // "pid (comm) S ppid pgrp session tty_nr tpgid ..."; comm may hold spaces
    // and parentheses, so split at the LAST ')'.
    let open = text.find('(')?;
    let close = text.rfind(')')?;
    let pid = text[..open].trim().parse().ok()?;
    let comm = text[open + 1..close].to_string();
    let mut rest = text[close + 1..].split_whitespace();
    let state = rest.next()?.chars().next()?;
    let ppid = rest.next()?.parse().ok()?;
    let pgrp = rest.next()?.parse().ok()?;
    let session = rest.next()?.parse().ok()?;
    let _tty_nr = rest.next()?;
    let tpgid = rest.next()?.parse().ok()?;
    Some(ProcStat {
        pid,
        comm,
        state,
        ppid,
        pgrp,
        session,
        tpgid,
    })
}

/// The state letter of `pid` (`None` if it does not exist).
pub fn state(pid: i32) -> Option<char> {
    stat(pid).map(|s| s.state)
}

/// Whether `pid` exists and is not a zombie.
pub fn is_alive(pid: i32) -> bool {
    stat(pid).is_some_and(|s| s.is_alive())
}

/// The argv of `pid` (`None` if it does not exist; empty for zombies and
/// kernel threads).
pub fn cmdline(pid: i32) -> Option<Vec<String>> {
    let raw = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
    Some(
        raw.split(|&b| b == 0)
            .filter(|part| !part.is_empty())
            .map(|part| String::from_utf8_lossy(part).into_owned())
            .collect(),
    )
}

/// Every process visible in /proc.
pub fn all() -> Vec<ProcStat> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(stat)
        .collect()
}

/// Live (non-zombie) processes whose session id is `sid`.
pub fn session_members(sid: i32) -> Vec<ProcStat> {
    all()
        .into_iter()
        .filter(|p| p.session == sid && p.is_alive())
        .collect()
}

/// Live (non-zombie) processes whose process group is `pgid`.
pub fn group_members(pgid: i32) -> Vec<ProcStat> {
    all()
        .into_iter()
        .filter(|p| p.pgrp == pgid && p.is_alive())
        .collect()
}

/// Live processes of session `sid` whose argv is exactly `argv`.
pub fn find_in_session(sid: i32, argv: &[&str]) -> Vec<ProcStat> {
    session_members(sid)
        .into_iter()
        .filter(|p| cmdline(p.pid).is_some_and(|c| c == argv))
        .collect()
}

/// Re-reads /proc until `check` returns `Some`, or panics at the deadline
/// with `what` and the last thing `describe` says.
pub fn wait_for<T>(
    timeout: Duration,
    what: &str,
    mut check: impl FnMut() -> Option<T>,
    describe: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(found) = check() {
            return found;
        }
        if Instant::now() >= deadline {
            panic!(
                "timed out after {timeout:?} waiting for {what}; {}",
                describe()
            );
        }
        std::thread::sleep(RECHECK);
    }
}

/// Waits until `pid` is in state `letter` (e.g. 'T' stopped, 'S' sleeping).
pub fn wait_state(pid: i32, letter: char, timeout: Duration) {
    wait_for(
        timeout,
        &format!("process {pid} to be in state {letter}"),
        || (state(pid) == Some(letter)).then_some(()),
        || format!("its state is {:?}", stat(pid)),
    );
}

/// System calls a process waits for input in (x86_64 and aarch64 numbers):
/// read, poll, select, pselect6, ppoll, epoll_wait, epoll_pwait.
#[cfg(target_arch = "x86_64")]
const INPUT_WAITS: &[i64] = &[0, 7, 23, 270, 271, 232, 281];
#[cfg(target_arch = "aarch64")]
const INPUT_WAITS: &[i64] = &[63, 73, 72, 22];
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
const INPUT_WAITS: &[i64] = &[];

/// Waits until `pid`'s main thread sleeps in a system call that waits for
/// input (read, poll, select…), from /proc/PID/syscall. Use it before
/// sending a signal-generating key to a program with a known race between
/// handling a signal and blocking again (bash 5.2's readline misses a
/// SIGINT that lands just before its pselect). No-op on other architectures.
pub fn wait_blocked_on_input(pid: i32, timeout: Duration) {
    if INPUT_WAITS.is_empty() {
        return;
    }
    // corral runs its interpreter on a thread of its own (`corral-interp`,
    // comm truncated to 15 bytes): that thread is the one that waits.
    let task = std::fs::read_dir(format!("/proc/{pid}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .find(|t| {
            std::fs::read_to_string(t.join("comm")).is_ok_and(|c| c.trim_end() == "corral-interp")
        });
    let dir = task.unwrap_or_else(|| std::path::PathBuf::from(format!("/proc/{pid}")));
    let syscall = || std::fs::read_to_string(dir.join("syscall")).unwrap_or_default();
    wait_for(
        timeout,
        &format!("process {pid} to block waiting for input"),
        || {
            let nr: i64 = syscall().split_whitespace().next()?.parse().ok()?;
            let stat = std::fs::read_to_string(dir.join("stat")).unwrap_or_default();
            let sleeping = stat
                .rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next())
                == Some("S");
            (sleeping && INPUT_WAITS.contains(&nr)).then_some(())
        },
        || format!("syscall {:?}, {:?}", syscall(), stat(pid)),
    );
}

/// Opens a pidfd on `pid`; `None` if it no longer exists.
fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open takes a pid and a flags word and returns a new file
    // descriptor or -1; no pointers are involved.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return None;
    }
    let fd = i32::try_from(fd).ok()?;
    // SAFETY: the kernel just returned this descriptor to us; nothing else owns it.
    Some(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Waits (event-driven, through a pidfd) until `pid` has exited; a zombie
/// counts as exited. Returns false if it still runs at the deadline.
pub fn wait_exited(pid: i32, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    let Some(fd) = pidfd_open(pid) else {
        return true; // no such process
    };
    loop {
        if !is_alive(pid) {
            return true;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return false;
        }
        let ms = u16::try_from(left.as_millis().clamp(1, u16::MAX.into())).unwrap_or(u16::MAX);
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::from(ms)) {
            Ok(n) if n > 0 => return true,
            _ => {} // timeout slice or EINTR: re-check
        }
    }
}

/// Like [`wait_exited`], but panics (naming `what`) if `pid` outlives the deadline.
pub fn assert_exits(pid: i32, timeout: Duration, what: &str) {
    assert!(
        wait_exited(pid, timeout),
        "{what} (pid {pid}) still alive after {timeout:?}: {:?} {:?}",
        stat(pid),
        cmdline(pid)
    );
}

/// Whether `pid`'s environment (as it was at exec) holds `entry`
/// (`KEY=value`).
pub fn has_env(pid: i32, entry: &str) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|&b| b == 0).any(|e| e == entry.as_bytes()))
}

/// SIGKILLs every live process of session `sid`, their descendants that
/// left it, and every process whose environment holds `env_tag`
/// (`KEY=value`, inherited by everything the session started, so daemons
/// that called setsid and were reparented are found too). Repeats until none
/// is left or `timeout` passes.
pub fn kill_session(sid: i32, env_tag: Option<&str>, timeout: Duration) {
    let me = std::process::id() as i32;
    let deadline = Instant::now() + timeout;
    loop {
        let procs = all();
        let mut victims: Vec<i32> = procs
            .iter()
            .filter(|p| p.is_alive() && p.pid != me)
            .filter(|p| p.session == sid || env_tag.is_some_and(|tag| has_env(p.pid, tag)))
            .map(|p| p.pid)
            .collect();
        // Descendants that called setsid are not in the session any more.
        let mut grew = true;
        while grew {
            grew = false;
            for p in &procs {
                if p.is_alive()
                    && p.pid != me
                    && victims.contains(&p.ppid)
                    && !victims.contains(&p.pid)
                {
                    victims.push(p.pid);
                    grew = true;
                }
            }
        }
        if victims.is_empty() {
            return;
        }
        for &pid in &victims {
            // Killing by pid: these are live processes we just listed; a pid
            // cannot be reused before its zombie is reaped.
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        for &pid in &victims {
            let left = deadline.saturating_duration_since(Instant::now());
            wait_exited(pid, left);
        }
        if Instant::now() >= deadline {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_stat_with_odd_comm() {
        let s = parse_stat("42 (a) b) c) T 1 42 40 34816 42 4194560 0").unwrap();
        assert_eq!(s.pid, 42);
        assert_eq!(s.comm, "a) b) c");
        assert_eq!(s.state, 'T');
        assert_eq!((s.ppid, s.pgrp, s.session, s.tpgid), (1, 42, 40, 42));
    }

    #[test]
    fn reads_own_stat() {
        let me = std::process::id() as i32;
        let s = stat(me).unwrap();
        assert_eq!(s.pid, me);
        assert!(s.is_alive());
    }
}
