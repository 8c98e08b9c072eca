//! The sets of descriptor slots children take their standard streams
//! from (the module docs of `spawn` tell how they are used): three
//! descriptors each, held for good, on /dev/null when unused; each held
//! by the child it was filled for until that child has left our table.

use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::ptr::NonNull;
use std::sync::atomic::Ordering;

use super::kept::Block;
use super::{Failure, IN_TABLE};

/// Slot sets at first: a child takes its streams from one set, which the
/// parent fills again only once that child has left our table. Made at
/// the first spawn, so at low descriptor numbers: a set added later sits
/// above every pipe we hold then, and each child spawned meanwhile copies
/// our table up to it.
pub(super) const SETS: usize = 16;

/// Slot sets at most (each is three descriptors).
pub(super) const MAX_SETS: usize = 64;

pub(super) struct Slots {
    /// Sets of three, each slot above 2.
    sets: Vec<[OwnedFd; 3]>,
    /// The child each set was filled for, until the set is put back on
    /// `filler` (that child has left our table by then). It points to a
    /// block the spawner keeps in flight: a block leaves flight only after
    /// its set is released.
    holder: Vec<Option<NonNull<Block>>>,
    /// What the slots hold between spawns.
    filler: OwnedFd,
}

impl Slots {
    /// [`SETS`] sets on /dev/null.
    pub(super) fn new() -> io::Result<Slots> {
        let mut slots = Slots {
            filler: crate::process::open_dev_null()?,
            sets: Vec::with_capacity(SETS),
            holder: Vec::with_capacity(SETS),
        };
        for _ in 0..SETS {
            slots.add()?;
        }
        Ok(slots)
    }

    /// Adds a set of slots on /dev/null; returns its index.
    fn add(&mut self) -> io::Result<usize> {
        let slot = || -> io::Result<OwnedFd> {
            // SAFETY: F_DUPFD_CLOEXEC on our open descriptor takes no
            // pointers; it returns a new descriptor (>= 3) or -1.
            let fd = unsafe { libc::fcntl(self.filler.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: fcntl just returned this descriptor, owned by no one else.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        };
        let set = [slot()?, slot()?, slot()?];
        self.sets.push(set);
        self.holder.push(None);
        Ok(self.sets.len() - 1)
    }

    /// A new set, if there are fewer than [`MAX_SETS`] and it lands below
    /// `below` (else it is closed again).
    pub(super) fn added(&mut self, below: u32) -> Result<Option<usize>, Failure> {
        if self.sets.len() >= MAX_SETS {
            return Ok(None);
        }
        let set = self.add().map_err(|e| match e.raw_os_error() {
            // At the descriptor limit: std's spawn still works.
            Some(libc::EMFILE) => Failure::Unsupported,
            _ => Failure::Os(e),
        })?;
        if self.top(set) > below {
            self.sets.pop();
            self.holder.pop();
            return Ok(None);
        }
        #[cfg(test)]
        super::SETS_ADDED.fetch_add(1, Ordering::AcqRel);
        Ok(Some(set))
    }

    /// Puts set `set` back on /dev/null, so we hold no job's descriptor.
    pub(super) fn release(&mut self, set: usize) {
        let filler = self.filler.as_raw_fd();
        for slot in &self.sets[set] {
            // Cannot fail for two open descriptors below the limit; if it
            // did, the slot would keep a stream open until its next use.
            let _ = dup3(filler, slot.as_raw_fd());
        }
        self.holder[set] = None;
    }

    /// Releases the set `block`'s child holds, if any.
    pub(super) fn release_held_by(&mut self, block: NonNull<Block>) {
        if let Some(set) = self.holder.iter().position(|h| *h == Some(block)) {
            self.release(set);
        }
    }

    /// Puts back on /dev/null every set whose child has left our table.
    pub(super) fn release_gone(&mut self) {
        for set in 0..self.sets.len() {
            if let Some(block) = self.holder[set] {
                // SAFETY: a holder points to a live block in flight.
                let progress = unsafe { &(*block.as_ptr()).shared.progress };
                if progress.load(Ordering::Acquire) != IN_TABLE {
                    self.release(set);
                }
            }
        }
    }

    /// A free set, after releasing those whose child has left our table
    /// (none is closed here: a set just freed may be the only one).
    pub(super) fn free(&mut self) -> Option<usize> {
        self.release_gone();
        self.holder.iter().position(Option::is_none)
    }

    /// Closes the free sets added beyond [`SETS`] (from the last one back).
    pub(super) fn trim(&mut self) {
        while self.sets.len() > SETS && self.holder.last() == Some(&None) {
            self.sets.pop();
            self.holder.pop();
        }
    }

    /// Puts `stdio` (`None`: the child's own) into set `set`'s slots and
    /// returns what the child finds there (-1: nothing); on failure the set
    /// is released again.
    pub(super) fn fill(
        &mut self,
        set: usize,
        stdio: &[Option<BorrowedFd<'_>>; 3],
    ) -> Result<[RawFd; 3], Failure> {
        let mut out = [-1; 3];
        for (i, fd) in stdio.iter().enumerate() {
            if let Some(fd) = fd {
                let slot = self.sets[set][i].as_raw_fd();
                if let Err(e) = dup3(fd.as_raw_fd(), slot) {
                    self.release(set);
                    return Err(match e.raw_os_error() {
                        // A slot above a lowered RLIMIT_NOFILE: std's spawn still works.
                        Some(libc::EBADF) => Failure::Unsupported,
                        _ => Failure::Os(e),
                    });
                }
                out[i] = slot;
            }
        }
        Ok(out)
    }

    /// Marks set `set` as held by `block`'s child until it leaves our table.
    pub(super) fn hold(&mut self, set: usize, block: NonNull<Block>) {
        self.holder[set] = Some(block);
    }

    /// The first descriptor above set `set`: the child using it copies
    /// only those below.
    pub(super) fn top(&self, set: usize) -> u32 {
        let top = self.sets[set]
            .iter()
            .map(AsRawFd::as_raw_fd)
            .max()
            .unwrap_or(2);
        u32::try_from(top).unwrap_or(2).saturating_add(1)
    }
}

fn dup3(from: RawFd, to: RawFd) -> io::Result<()> {
    loop {
        // SAFETY: dup3 takes plain integers; `to` is one of our slots,
        // which nothing else owns, so replacing it closes nothing of others.
        let rc = unsafe { libc::dup3(from, to, libc::O_CLOEXEC) };
        if rc >= 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}
