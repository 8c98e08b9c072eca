//! Every OS call the kernel makes, behind plain types (no nix type leaves this module).

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::signal::{killpg as nix_killpg, Signal as NixSignal};
use nix::unistd::{pipe2, Pid};

pub(crate) mod anchor;
pub(crate) mod cgroup;
mod limits;
pub(crate) mod pidfd;
mod pty;
pub(crate) mod ready_set;
mod resources;
pub(crate) mod spawn;

pub(crate) use limits::{file_size_limit, grow_pipe, pipe_growth, PipeGrant};
pub(crate) use pty::{capture_pty, set_window_size};
pub(crate) use resources::{limit_cpu, limit_data, proc_cpu, proc_memory, Usage};

/// A change in one child's state, as waitid reported it; an exit carries
/// the reaped child's resource usage (unknown for a report made up for a
/// child someone else reaped).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChildChange {
    Exited {
        pid: i32,
        code: i32,
        usage: Option<Usage>,
    },
    Signaled {
        pid: i32,
        signal: i32,
        core: bool,
        usage: Option<Usage>,
    },
    Stopped {
        pid: i32,
        signal: i32,
    },
    Continued {
        pid: i32,
    },
}

/// What one non-blocking wait on a process group found.
pub(crate) enum GroupWait {
    /// A child of ours in the group changed state (an exit reaps it).
    Change(ChildChange),
    /// Children of ours remain in the group, none with news.
    Nothing,
    /// No child of ours is in the group any more.
    NoChildren,
}

/// What a look at the first pending child report found.
pub(crate) enum Peek {
    /// This child has a report (an exit, stop or continue) waiting; it is
    /// left unconsumed.
    Child(i32),
    /// Children remain, none with news.
    Nothing,
    /// We have no children at all.
    NoChildren,
}

/// Looks, without consuming it, at the first report any child of ours has
/// pending (waitid with WNOWAIT), so the reaper can tell whose it is before
/// taking it: an embedder's own children must be left alone.
pub(crate) fn peek_child() -> io::Result<Peek> {
    // SAFETY: siginfo_t is plain old data; all-zero is a valid value and
    // si_pid == 0 after the call means "no child changed" (WNOHANG).
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WSTOPPED | libc::WCONTINUED | libc::WNOHANG | libc::WNOWAIT;
    loop {
        // SAFETY: `info` is a valid, writable siginfo_t for the call; WNOWAIT
        // leaves the report in place, so nothing is reaped.
        let rc = unsafe { libc::waitid(libc::P_ALL, 0, &mut info, flags) };
        if rc == 0 {
            break;
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ECHILD) => return Ok(Peek::NoChildren),
            _ => return Err(err),
        }
    }
    // SAFETY: waitid filled `info` for a SIGCHLD-style report (or left it
    // zeroed); si_pid is valid to read for those.
    let pid = unsafe { info.si_pid() };
    Ok(if pid == 0 {
        Peek::Nothing
    } else {
        Peek::Child(pid)
    })
}

/// The process group of `pid` (also of a zombie, until it is reaped).
pub(crate) fn getpgid(pid: i32) -> io::Result<i32> {
    nix::unistd::getpgid(Some(Pid::from_raw(pid)))
        .map(Pid::as_raw)
        .map_err(errno_to_io)
}

/// One read(2) into possibly uninitialized memory; returns how many bytes
/// it wrote at the start of `buf` (0 at end of file).
pub(crate) fn read_uninit(fd: BorrowedFd<'_>, buf: &mut [MaybeUninit<u8>]) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is valid for writes of `buf.len()` bytes for the whole
        // call (MaybeUninit<u8> has u8's layout), and read(2) writes at most that.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        match usize::try_from(n) {
            Ok(n) => return Ok(n),
            Err(_) => {
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
    }
}

/// One read(2), retried on EINTR; returns the bytes read (0 at end of file).
pub(crate) fn read(fd: BorrowedFd<'_>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match nix::unistd::read(fd, buf) {
            Ok(n) => return Ok(n),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(errno_to_io(e)),
        }
    }
}

/// Waits, without blocking, for any child of ours in process group `pgid`:
/// exits (reaping them), stops and continues.
pub(crate) fn wait_group(pgid: i32) -> io::Result<GroupWait> {
    wait_with(libc::P_PGID, pgid, libc::WNOHANG)
}

/// Takes, without blocking, one report of our child `pid` (an exit reaps
/// it). Costs the same however many children we have. `pid` must be an
/// unreaped child of ours, or it may name a stranger.
pub(crate) fn wait_pid(pid: i32) -> io::Result<GroupWait> {
    if pid <= 0 {
        return Ok(GroupWait::NoChildren);
    }
    wait_with(libc::P_PID, pid, libc::WNOHANG)
}

/// Like [`wait_group`] but blocks until a child of ours in the group changes.
pub(crate) fn wait_group_blocking(pgid: i32) -> io::Result<GroupWait> {
    wait_with(libc::P_PGID, pgid, 0)
}

/// Takes, without blocking, one report of the child `pidfd` names (an exit
/// reaps it): like [`wait_pid`], but never another process that reuses the
/// pid after someone else reaped this one (then: `NoChildren`).
pub(crate) fn wait_pidfd(pidfd: BorrowedFd<'_>, pid: i32) -> io::Result<GroupWait> {
    match wait_with(libc::P_PIDFD, pidfd.as_raw_fd(), libc::WNOHANG) {
        // Before Linux 5.4: no P_PIDFD.
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => wait_pid(pid),
        other => other,
    }
}

fn wait_with(idtype: libc::idtype_t, id: i32, extra: i32) -> io::Result<GroupWait> {
    // SAFETY: siginfo_t is plain old data; all-zero is a valid value and
    // si_pid == 0 after the call means "no child changed" (WNOHANG).
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: rusage is plain old data; all-zero is a valid value.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WSTOPPED | libc::WCONTINUED | extra;
    loop {
        // SAFETY: `info` and `ru` are valid, writable for the duration of the
        // call (the raw syscall, unlike libc's waitid, also fills the reaped
        // child's rusage); a positive id with P_PGID, P_PID or P_PIDFD only
        // reaps children in that group, with that pid or that pidfd names.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_waitid,
                idtype,
                id as libc::id_t,
                &mut info as *mut libc::siginfo_t,
                flags,
                &mut ru as *mut libc::rusage,
            )
        };
        if rc == 0 {
            break;
        }
        let err = io::Error::last_os_error();
        match err.raw_os_error() {
            Some(libc::EINTR) => continue,
            Some(libc::ECHILD) => return Ok(GroupWait::NoChildren),
            _ => return Err(err),
        }
    }
    // SAFETY: waitid filled `info` for a SIGCHLD-style report (or left it zeroed);
    // si_pid and si_status are valid to read for those.
    let (pid, status) = unsafe { (info.si_pid(), info.si_status()) };
    if pid == 0 {
        return Ok(GroupWait::Nothing);
    }
    let usage = Some(resources::usage_of(&ru));
    let change = match info.si_code {
        libc::CLD_EXITED => ChildChange::Exited {
            pid,
            code: status,
            usage,
        },
        libc::CLD_KILLED => ChildChange::Signaled {
            pid,
            signal: status,
            core: false,
            usage,
        },
        libc::CLD_DUMPED => ChildChange::Signaled {
            pid,
            signal: status,
            core: true,
            usage,
        },
        libc::CLD_STOPPED | libc::CLD_TRAPPED => ChildChange::Stopped {
            pid,
            signal: status,
        },
        libc::CLD_CONTINUED => ChildChange::Continued { pid },
        _ => return Ok(GroupWait::Nothing),
    };
    Ok(GroupWait::Change(change))
}

/// Sends `signal` (a raw number; 0 only probes) to every process of group `pgid`.
pub(crate) fn killpg(pgid: i32, signal: i32) -> io::Result<()> {
    if pgid <= 1 {
        return Err(io::Error::from_raw_os_error(libc::ESRCH));
    }
    let sig = if signal == 0 {
        None
    } else {
        match NixSignal::try_from(signal) {
            Ok(s) => Some(s),
            // Real-time signals have no nix enum value: use libc directly.
            Err(_) => return raw_kill(-pgid, signal),
        }
    };
    nix_killpg(Pid::from_raw(pgid), sig).map_err(errno_to_io)
}

fn raw_kill(pid: i32, signal: i32) -> io::Result<()> {
    // SAFETY: kill(2) takes plain integers and touches no memory of ours.
    let rc = unsafe { libc::kill(pid, signal) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Sends `signal` to a single process. Callers must only pass pids that have not
/// been reaped (the kernel tracks that), or pids a user typed on purpose.
pub(crate) fn kill_pid(pid: i32, signal: i32) -> io::Result<()> {
    if pid <= 0 {
        return Err(io::Error::from_raw_os_error(libc::ESRCH));
    }
    raw_kill(pid, signal)
}

/// True while at least one process (even a zombie) is in group `pgid`.
pub(crate) fn group_exists(pgid: i32) -> bool {
    match killpg(pgid, 0) {
        Ok(()) => true,
        Err(e) => e.raw_os_error() == Some(libc::EPERM),
    }
}

/// A close-on-exec pipe whose read end is non-blocking (for the kernel's reader)
/// and whose write end is blocking (for the child), at the system's default
/// size (see [`grow_pipe`]).
pub(crate) fn capture_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let (read, write) = pipe2(OFlag::O_CLOEXEC).map_err(errno_to_io)?;
    fcntl(read.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(errno_to_io)?;
    Ok((read, write))
}

/// Whether `fd` turns readable within `spin`, looking again and again
/// without sleeping (poll(2) with a zero timeout): for a reader that
/// expects more bytes very soon and would rather not pay a sleep and a
/// wake-up for them.
pub(crate) fn wait_readable(fd: BorrowedFd<'_>, spin: std::time::Duration) -> bool {
    let end = std::time::Instant::now() + spin;
    loop {
        let mut p = [libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        // SAFETY: `p` is a valid array of one pollfd for the whole call;
        // a zero timeout never blocks.
        let rc = unsafe { libc::poll(p.as_mut_ptr(), 1, 0) };
        if rc > 0 {
            return true;
        }
        if std::time::Instant::now() >= end {
            return false;
        }
        std::hint::spin_loop();
    }
}

/// The capacity of a pipe in bytes (64 KiB if the system does not say).
pub(crate) fn pipe_capacity(fd: BorrowedFd<'_>) -> usize {
    fcntl(fd, FcntlArg::F_GETPIPE_SZ)
        .ok()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(1 << 16)
}

/// A plain close-on-exec pipe (blocking both ends) between two pipeline members.
pub(crate) fn plain_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    pipe2(OFlag::O_CLOEXEC).map_err(errno_to_io)
}

/// Whether this process is a child subreaper (then orphans of its
/// children's children become its children).
pub(crate) fn is_child_subreaper() -> bool {
    nix::sys::prctl::get_child_subreaper().unwrap_or(true)
}

/// Makes this process a child subreaper: orphans of its descendants are
/// re-parented to it (and so can be reaped by the kernel) instead of init.
pub fn set_child_subreaper() -> io::Result<()> {
    nix::sys::prctl::set_child_subreaper(true).map_err(errno_to_io)
}

fn errno_to_io(e: Errno) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

/// Waits (blocking) for one of our children that was just killed.
pub(crate) fn reap_blocking(pid: i32) {
    if pid > 0 {
        let _ = nix::sys::wait::waitpid(Pid::from_raw(pid), None);
    }
}

/// Whether this process may execute the file (access(2) with X_OK).
pub(crate) fn can_execute(path: &std::path::Path) -> bool {
    nix::unistd::access(path, nix::unistd::AccessFlags::X_OK).is_ok()
}

/// Whether this process may enter the directory (access(2) with X_OK).
pub(crate) fn can_search(dir: &std::path::Path) -> bool {
    can_execute(dir)
}

/// A duplicate of one of our own descriptors (0, 1 or 2).
pub(crate) fn dup_own(fd: i32) -> io::Result<OwnedFd> {
    let borrowed = match fd {
        0 => io::stdin().as_fd().try_clone_to_owned(),
        1 => io::stdout().as_fd().try_clone_to_owned(),
        _ => io::stderr().as_fd().try_clone_to_owned(),
    };
    borrowed
}

/// The job-control signals: a shell ignores them, its children must not.
pub(crate) const JOB_SIGNALS: [i32; 6] = [
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
    libc::SIGCHLD,
];

/// The [`JOB_SIGNALS`] this process ignores.
/// An ignored disposition survives exec, so children would inherit it.
pub(crate) fn ignored_job_signals() -> Vec<i32> {
    JOB_SIGNALS
        .into_iter()
        .filter(|&sig| {
            // SAFETY: an all-zero sigaction is a valid value to receive the old action.
            let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
            // SAFETY: a null new action only queries; `old` is valid for writes.
            let rc = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
            rc == 0 && old.sa_sigaction == libc::SIG_IGN
        })
        .collect()
}

/// What a forked child runs before exec to give `signals` their default
/// action and empty its signal mask (std's fork path leaves the mask as
/// the spawning thread had it). Async-signal-safe: only signal(2) and
/// sigprocmask(2).
/// A pre-exec hook that puts each `(target, fd)` at descriptor `target`
/// without close-on-exec. The sources are first copied above every target
/// (close-on-exec), so that placing one never overwrites another's source.
///
/// # Errors
/// When the copies cannot be made (descriptor limit).
pub(crate) fn place_fds(
    fds: &[(i32, OwnedFd)],
) -> io::Result<impl FnMut() -> io::Result<()> + Send + Sync + 'static> {
    let floor = fds.iter().map(|(t, _)| *t).max().unwrap_or(2) + 1;
    let mut moves = Vec::with_capacity(fds.len());
    for (target, fd) in fds {
        let copy = fcntl(fd.as_fd(), FcntlArg::F_DUPFD_CLOEXEC(floor))?;
        // SAFETY: F_DUPFD_CLOEXEC returned a new descriptor nobody else owns.
        moves.push((*target, unsafe { OwnedFd::from_raw_fd(copy) }));
    }
    Ok(move || {
        for (target, copy) in &moves {
            // SAFETY: dup2 is async-signal-safe; `copy` is open (owned by the
            // hook) and dup2 onto `target` leaves it without close-on-exec.
            if unsafe { libc::dup2(copy.as_raw_fd(), *target) } < 0 {
                return Err(io::Error::last_os_error());
            }
        }
        Ok(())
    })
}

pub(crate) fn reset_dispositions(
    signals: Vec<i32>,
    ignore: u64,
) -> impl FnMut() -> io::Result<()> + Send + Sync + 'static {
    move || {
        for &sig in &signals {
            // SAFETY: SIG_DFL is a valid disposition for these catchable signals,
            // and signal(2) is async-signal-safe in a forked child.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
            }
        }
        for sig in (1..=64).filter(|&n| ignore & (1u64 << (n - 1)) != 0) {
            // SAFETY: SIG_IGN is a valid disposition for any signal (KILL and
            // STOP just refuse it), and signal(2) is async-signal-safe here.
            unsafe {
                libc::signal(sig, libc::SIG_IGN);
            }
        }
        // SAFETY: an all-zero sigset_t is valid and sigemptyset makes it
        // the empty set; sigprocmask only reads it.
        unsafe {
            let mut none: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut none);
            libc::sigprocmask(libc::SIG_SETMASK, &none, std::ptr::null_mut());
        }
        Ok(())
    }
}
