//! Every OS call the kernel makes, behind plain types (no nix type leaves this module).

use std::io;
use std::os::fd::{AsFd, OwnedFd};

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::signal::{killpg as nix_killpg, Signal as NixSignal};
use nix::unistd::{pipe2, Pid};

/// A change in one child's state, as waitid reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ChildChange {
    Exited { pid: i32, code: i32 },
    Signaled { pid: i32, signal: i32, core: bool },
    Stopped { pid: i32, signal: i32 },
    Continued { pid: i32 },
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

/// Waits, without blocking, for any child of ours in process group `pgid`:
/// exits (reaping them), stops and continues.
pub(crate) fn wait_group(pgid: i32) -> io::Result<GroupWait> {
    wait_group_with(pgid, libc::WNOHANG)
}

/// Like [`wait_group`] but blocks until a child of ours in the group changes.
pub(crate) fn wait_group_blocking(pgid: i32) -> io::Result<GroupWait> {
    wait_group_with(pgid, 0)
}

fn wait_group_with(pgid: i32, extra: i32) -> io::Result<GroupWait> {
    // SAFETY: siginfo_t is plain old data; all-zero is a valid value and
    // si_pid == 0 after the call means "no child changed" (WNOHANG).
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let flags = libc::WEXITED | libc::WSTOPPED | libc::WCONTINUED | extra;
    loop {
        // SAFETY: `info` is a valid, writable siginfo_t for the duration of the call;
        // P_PGID with a positive id only reaps children in that group.
        let rc = unsafe { libc::waitid(libc::P_PGID, pgid as libc::id_t, &mut info, flags) };
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
    let change = match info.si_code {
        libc::CLD_EXITED => ChildChange::Exited { pid, code: status },
        libc::CLD_KILLED => ChildChange::Signaled {
            pid,
            signal: status,
            core: false,
        },
        libc::CLD_DUMPED => ChildChange::Signaled {
            pid,
            signal: status,
            core: true,
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
pub fn kill_pid(pid: i32, signal: i32) -> io::Result<()> {
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
/// and whose write end is blocking (for the child). The pipe is enlarged to
/// `size` bytes where the system allows it: bigger pipes mean fewer wake-ups.
pub(crate) fn capture_pipe(size: usize) -> io::Result<(OwnedFd, OwnedFd)> {
    let (read, write) = pipe2(OFlag::O_CLOEXEC).map_err(errno_to_io)?;
    fcntl(read.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(errno_to_io)?;
    let wanted = i32::try_from(size).unwrap_or(i32::MAX);
    // Best effort: the system limit (/proc/sys/fs/pipe-max-size) may refuse it.
    let _ = fcntl(read.as_fd(), FcntlArg::F_SETPIPE_SZ(wanted));
    Ok((read, write))
}

/// A plain close-on-exec pipe (blocking both ends) between two pipeline members.
pub(crate) fn plain_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    pipe2(OFlag::O_CLOEXEC).map_err(errno_to_io)
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

/// A duplicate of one of our own descriptors (0, 1 or 2).
pub(crate) fn dup_own(fd: i32) -> io::Result<OwnedFd> {
    let borrowed = match fd {
        0 => io::stdin().as_fd().try_clone_to_owned(),
        1 => io::stdout().as_fd().try_clone_to_owned(),
        _ => io::stderr().as_fd().try_clone_to_owned(),
    };
    borrowed
}
