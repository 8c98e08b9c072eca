//! Process file descriptors (pidfds): a handle on one process that can never
//! name another. A pid number is free for reuse once its process is reaped;
//! a pidfd keeps meaning the process it was opened on: a signal sent through
//! it reaches that process or fails, and it turns readable when that
//! process exits (for a child: when it becomes a zombie).
//!
//! Also the /proc scan that finds the processes of a process group.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::time::Instant;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// A pidfd and the pid it was opened on.
#[derive(Debug)]
pub(crate) struct PidFd {
    pid: i32,
    fd: OwnedFd,
}

impl PidFd {
    /// Opens a pidfd on `pid`. Only certain to name the intended process
    /// while that process cannot have been reaped (our unreaped child), or
    /// when the caller checks afterwards that it is the right one.
    pub(crate) fn open(pid: i32) -> io::Result<PidFd> {
        if pid <= 0 {
            return Err(io::Error::from_raw_os_error(libc::ESRCH));
        }
        // SAFETY: pidfd_open takes a pid and flags (0: a close-on-exec fd)
        // and touches no memory of ours.
        let rc = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        let raw = RawFd::try_from(rc).map_err(|_| io::Error::last_os_error())?;
        if raw < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: pidfd_open returned a new descriptor that nothing else owns.
        let fd = unsafe { OwnedFd::from_raw_fd(raw) };
        Ok(PidFd { pid, fd })
    }

    /// The pid it was opened on (meaningful only while [`exited`](Self::exited) is false).
    pub(crate) fn pid(&self) -> i32 {
        self.pid
    }

    /// Sends `signal` to this process only (never to a later owner of its pid).
    pub(crate) fn signal(&self, signal: i32) -> io::Result<()> {
        // SAFETY: pidfd_send_signal takes our open pidfd, a signal number, a
        // null siginfo (the kernel fills in a kill()-style one) and flags 0.
        let rc = unsafe {
            libc::syscall(
                libc::SYS_pidfd_send_signal,
                self.fd.as_raw_fd(),
                signal,
                std::ptr::null::<libc::siginfo_t>(),
                0,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// Whether the process has exited (a zombie counts as exited).
    pub(crate) fn exited(&self) -> bool {
        let mut p = [libc::pollfd {
            fd: self.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        }];
        poll(&mut p, 0).is_ok_and(|n| n > 0)
    }

    /// Whether the process is alive and in process group `pgid`.
    pub(crate) fn in_group(&self, pgid: i32) -> bool {
        // Checked in this order: alive after the look, the pid was still its.
        super::getpgid(self.pid).is_ok_and(|g| g == pgid) && !self.exited()
    }

    /// Reaps the process if it is our child, blocking until it exits; does
    /// nothing if it is not our child (or was reaped already).
    pub(crate) fn reap_if_child(&self) {
        // SAFETY: siginfo_t is plain old data; all-zero is a valid value.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: `info` is valid and writable for the call; P_PIDFD
            // names exactly this process, and waitid fails with ECHILD if
            // it is not our child.
            let rc = unsafe {
                libc::waitid(
                    libc::P_PIDFD,
                    self.fd.as_raw_fd() as libc::id_t,
                    &mut info,
                    libc::WEXITED,
                )
            };
            if rc == 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                return;
            }
        }
    }

    /// Waits until the process has exited, on the runtime's reactor.
    ///
    /// # Errors
    /// Registering with the reactor failed (no runtime, or out of descriptors).
    pub(crate) async fn wait_exit(&self) -> io::Result<()> {
        // A copy of the descriptor: one epoll set cannot hold the same
        // descriptor twice, and several waiters may wait on one process.
        let dup = self.fd.try_clone()?;
        // SAFETY: `dup` is a valid open descriptor that only the AsyncFd
        // owns, so it keeps its number until the AsyncFd drops it.
        let fd = unsafe { AsyncFd::register_with_interest(dup, Interest::READABLE)? };
        let _ready = fd.readable().await?;
        Ok(())
    }
}

impl AsFd for PidFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }
}

fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<usize> {
    loop {
        // SAFETY: `fds` is a valid, writable array of `fds.len()` pollfds for
        // the whole call.
        let rc = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
        match usize::try_from(rc) {
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

/// Blocks until every process in `fds` has exited or `deadline` passes;
/// returns whether they all exited. Event-driven: poll(2) on the pidfds.
pub(crate) fn wait_all_exited(fds: &[&PidFd], deadline: Instant) -> bool {
    let mut left: Vec<libc::pollfd> = fds
        .iter()
        .map(|f| libc::pollfd {
            fd: f.fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        })
        .collect();
    loop {
        left.retain(|p| p.revents == 0);
        if left.is_empty() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        // Rounded up, so the last wait does not end a little early and spin.
        let ms = (deadline - now).as_micros().div_ceil(1000);
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        if poll(&mut left, ms).is_err() {
            return false;
        }
    }
}

/// Whether any task has the number `pid` (as a process or a thread id; a
/// zombie counts). EPERM means it exists but is not ours to signal.
pub(crate) fn pid_exists(pid: i32) -> bool {
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill(2) with signal 0 only checks existence and permission.
    let rc = unsafe { libc::kill(pid, 0) };
    rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

/// Every process in /proc with its process group, in one pass.
pub(crate) fn process_groups() -> Vec<(i32, i32)> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<i32>().ok())
        .filter_map(|pid| super::getpgid(pid).ok().map(|g| (pid, g)))
        .collect()
}

/// The processes whose process group is `pgid`, as /proc lists them now.
pub(crate) fn group_pids(pgid: i32) -> Vec<i32> {
    process_groups()
        .into_iter()
        .filter_map(|(pid, g)| (g == pgid).then_some(pid))
        .collect()
}
