//! An epoll set of pidfds: tells the reaper which children exited, so it
//! takes exactly their reports (`waitid(P_PID)`, constant cost) instead
//! of asking the kernel to walk the list of all its children.
//!
//! Each pidfd is added once, one-shot, with a key the reaper chooses; it
//! turns ready when its process exits. The set is itself a descriptor,
//! readable while an exit is pending: the runtime's reactor watches it.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// The set of watched pidfds.
pub(crate) struct ExitWatch {
    epoll: OwnedFd,
}

/// How many exits one look takes at most.
const BATCH: usize = 64;

impl ExitWatch {
    /// An empty set.
    ///
    /// # Errors
    /// epoll_create1 failed (out of descriptors or memory).
    pub(crate) fn new() -> io::Result<ExitWatch> {
        // SAFETY: epoll_create1 takes a flag and returns a new descriptor or -1.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: epoll_create1 just returned this descriptor, owned by no one else.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(ExitWatch { epoll })
    }

    /// Watches `pidfd`'s exit under `key`. The pidfd may be closed at any
    /// time: the kernel then drops it from the set.
    ///
    /// # Errors
    /// epoll_ctl failed (the user's watch limit, say).
    pub(crate) fn watch(&self, pidfd: BorrowedFd<'_>, key: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLONESHOT) as u32,
            u64: key,
        };
        // SAFETY: both descriptors are open; `ev` is a valid event the
        // kernel only reads.
        let rc = unsafe {
            libc::epoll_ctl(
                self.epoll.as_raw_fd(),
                libc::EPOLL_CTL_ADD,
                pidfd.as_raw_fd(),
                &mut ev,
            )
        };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// Appends the keys of the pidfds that turned ready (each once), without
    /// waiting; true when none is left pending.
    pub(crate) fn take(&self, keys: &mut Vec<u64>) -> bool {
        let mut evs = [libc::epoll_event { events: 0, u64: 0 }; BATCH];
        loop {
            // SAFETY: `evs` is valid for BATCH events for the whole call;
            // timeout 0 never blocks.
            let n = unsafe {
                libc::epoll_wait(self.epoll.as_raw_fd(), evs.as_mut_ptr(), BATCH as i32, 0)
            };
            let Ok(n) = usize::try_from(n) else {
                if io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
                    continue;
                }
                return true;
            };
            keys.extend(evs.iter().take(n).map(|e| e.u64));
            return n < BATCH;
        }
    }

    /// The set's readiness on the runtime's reactor.
    ///
    /// # Errors
    /// Duplicating the descriptor or registering it failed.
    pub(crate) fn readiness(&self) -> io::Result<ExitReady> {
        let dup = self.epoll.try_clone()?;
        // SAFETY: `dup` is a valid open descriptor only the AsyncFd owns, so
        // it keeps its number until the AsyncFd drops it.
        let fd = unsafe { AsyncFd::register_with_interest(dup, Interest::READABLE)? };
        Ok(ExitReady { fd })
    }
}

/// Waits for exits in an [`ExitWatch`].
pub(crate) struct ExitReady {
    fd: AsyncFd<OwnedFd>,
}

impl ExitReady {
    /// Waits until an exit is pending, then runs `take`, which returns
    /// whether it took every pending one.
    ///
    /// # Errors
    /// The reactor failed.
    pub(crate) async fn serve(&self, take: impl FnOnce() -> bool) -> io::Result<()> {
        let mut ready = self.fd.readable().await?;
        if take() {
            ready.clear_ready();
        }
        Ok(())
    }
}
