//! An epoll set of our own for many descriptors that each wait for input
//! (the jobs' capture pipes; the members' pidfds, which turn readable when
//! the process exits): the runtime's reactor watches the set, one
//! registration for all of them, where a registration of each would cost
//! the reactor's per-descriptor state (two per job, each a cache-aligned
//! block) for every live job.
//!
//! Each descriptor is watched one-shot under a key its owner chooses: once
//! it reports input (or hang-up) it stays quiet until [`ReadySet::rearm`].
//! The set is level-triggered, so input that came before the re-arm is
//! reported at once: nothing is missed between a read and the re-arm.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// The set of watched descriptors.
pub(crate) struct ReadySet {
    epoll: OwnedFd,
}

/// How many reports one look takes at most.
const BATCH: usize = 64;

impl ReadySet {
    /// An empty set.
    ///
    /// # Errors
    /// epoll_create1 failed (out of descriptors or memory).
    pub(crate) fn new() -> io::Result<ReadySet> {
        // SAFETY: epoll_create1 takes a flag and returns a new descriptor or -1.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: epoll_create1 just returned this descriptor, owned by no one else.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(ReadySet { epoll })
    }

    fn ctl(&self, op: i32, fd: BorrowedFd<'_>, key: u64) -> io::Result<()> {
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLONESHOT) as u32,
            u64: key,
        };
        // SAFETY: both descriptors are open; `ev` is a valid event the
        // kernel only reads.
        let rc = unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), op, fd.as_raw_fd(), &mut ev) };
        if rc == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    /// Watches `fd` for input under `key`, armed.
    ///
    /// # Errors
    /// epoll_ctl failed (the user's watch limit, say).
    pub(crate) fn add(&self, fd: BorrowedFd<'_>, key: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, key)
    }

    /// Arms `fd` again after it reported.
    ///
    /// # Errors
    /// epoll_ctl failed (`fd` is not in the set).
    pub(crate) fn rearm(&self, fd: BorrowedFd<'_>, key: u64) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, key)
    }

    /// Stops watching `fd` (before it is closed: a copy of it elsewhere,
    /// in a child being forked, would keep it in the set).
    pub(crate) fn remove(&self, fd: BorrowedFd<'_>) {
        // Best effort: a descriptor not in the set is not watched anyway.
        let _ = self.ctl(libc::EPOLL_CTL_DEL, fd, 0);
    }

    /// Appends the keys of the descriptors that reported, without waiting;
    /// true when none is left pending.
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
    /// Duplicating the descriptor or registering it failed (no runtime).
    pub(crate) fn readiness(&self) -> io::Result<SetReady> {
        let dup = self.epoll.try_clone()?;
        // SAFETY: `dup` is a valid open descriptor only the AsyncFd owns, so
        // it keeps its number until the AsyncFd drops it.
        let fd = unsafe { AsyncFd::register_with_interest(dup, Interest::READABLE)? };
        Ok(SetReady { fd })
    }
}

/// Waits for reports in a [`ReadySet`].
pub(crate) struct SetReady {
    fd: AsyncFd<OwnedFd>,
}

impl SetReady {
    /// Waits until a report is pending, then runs `take`, which returns
    /// whether it took every pending one.
    ///
    /// # Errors
    /// The reactor failed (it is shutting down).
    ///
    /// # Cancel safety
    /// Cancel safe: a report not taken stays pending in the set.
    pub(crate) async fn serve(&self, take: impl FnOnce() -> bool) -> io::Result<()> {
        let mut ready = self.fd.readable().await?;
        if take() {
            ready.clear_ready();
        }
        Ok(())
    }
}
