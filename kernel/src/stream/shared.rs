//! State shared by all handles of one stream, and the read planning used by
//! both `read_from` and followers.

use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;

use super::ring::Ring;
use super::spill::Spill;
use super::tee::Tee;
use crate::sys;

/// Bytes a young, lossless or closed stream reads at a time from a pipe
/// (through a stack buffer; mature memory-only streams read into the ring).
const SCRATCH: usize = 16 * 1024;

/// Everything behind the one mutex. Wakers live here, next to the data, so
/// a follower that found nothing and registers cannot miss the write that
/// comes right after: the writer needs the same lock to append.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) ring: Ring,
    pub(crate) closed: bool,
    /// Bytes `[0, spill_end)` are in the spill file and readable there.
    /// Equal to `written` while spilling works; frozen if it ever fails.
    pub(crate) spill_end: u64,
    /// Followers waiting for bytes or close, by follower id (one entry per
    /// follower, so repeated polls do not grow it).
    pub(crate) waiters: Waiters,
    pub(crate) next_id: u32,
    /// The job's output file, once attached: bytes are appended to it
    /// under this lock, right after they enter the ring.
    pub(crate) tee: Option<Arc<Tee>>,
}

/// The stream itself; `OutputStream`, `Follow` and `StreamWriter` hold an
/// `Arc` of it.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) state: Mutex<State>,
    /// Boxed: most streams are memory-only, and every job has two.
    pub(crate) spill: Option<Box<Spill>>,
    /// Mirror of `State::closed`, so spilling writers can skip the file
    /// write on a closed stream without taking the state lock first.
    pub(crate) closed: AtomicBool,
}

impl Shared {
    pub(crate) fn new(ring: Ring, spill: Option<Box<Spill>>) -> Shared {
        Shared {
            state: Mutex::new(State {
                ring,
                closed: false,
                spill_end: 0,
                waiters: Vec::new(),
                next_id: 0,
                tee: None,
            }),
            spill,
            closed: AtomicBool::new(false),
        }
    }

    /// Locks the state. No code panics while holding it, but a panicking
    /// embedder thread must not take every reader down with it: recover.
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends under the state lock; returns the followers to wake (after
    /// every lock is released), or `None` if the stream is closed and
    /// nothing was written. `spilled` is the new spill end when these bytes
    /// reached the file.
    fn push(&self, data: &[u8], spilled: Option<u64>) -> Option<Waiters> {
        let mut st = self.lock();
        if st.closed {
            return None;
        }
        st.ring.write(data);
        if let Some(tee) = &st.tee {
            tee.append(data);
        }
        if let Some(end) = spilled {
            st.spill_end = end;
        }
        Some(std::mem::take(&mut st.waiters))
    }

    /// Writes `data` to the ring and, in lossless mode, to the spill file.
    pub(crate) fn write(&self, data: &[u8]) {
        if data.is_empty() {
            return;
        }
        let Some(spill) = &self.spill else {
            wake(self.push(data, None));
            return;
        };
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        // The spill lock orders writers: file offset == absolute offset
        // because the ring append happens before the lock is released.
        let mut next = spill.lock();
        let at = *next;
        let end = spill.append(at, data);
        let spilled = (end > at).then_some(end);
        let waiters = self.push(data, spilled);
        if let (Some(_), Some(end)) = (&waiters, spilled) {
            *next = end;
        }
        drop(next);
        wake(waiters);
    }

    /// One non-blocking read from `fd` into the stream. A mature
    /// memory-only stream reads straight into its ring, under the lock (a
    /// read of at most one block: what a memcpy of it would cost); other
    /// streams read through a stack buffer and [`write`](Self::write).
    pub(crate) fn fill_from(&self, fd: BorrowedFd<'_>) -> io::Result<Filled> {
        if self.spill.is_none() {
            let mut st = self.lock();
            if st.ring.is_mature() && !st.closed && st.tee.is_none() {
                let asked = st.ring.room();
                // `None`: no block to read into (budget spent); go through
                // the buffer, so bytes are evicted only once new ones came.
                if let Some(n) = st.ring.read_fd(fd)? {
                    let waiters = (n > 0).then(|| std::mem::take(&mut st.waiters));
                    drop(st);
                    wake(waiters);
                    return Ok(Filled {
                        n,
                        asked,
                        heavy: true,
                    });
                }
            }
        }
        let mut buf = [0u8; SCRATCH];
        let n = sys::read(fd, &mut buf)?;
        self.write(&buf[..n]);
        Ok(Filled {
            n,
            asked: SCRATCH,
            heavy: n == SCRATCH,
        })
    }

    /// Attaches the output file: what the ring holds now is written to it
    /// first, under the lock, so no byte is missed or written twice. Bytes
    /// already evicted are not in it. Returns false if one was attached.
    pub(crate) fn attach_tee(&self, tee: Arc<Tee>) -> bool {
        let mut st = self.lock();
        if st.tee.is_some() {
            return false;
        }
        let (start, end) = (st.ring.start(), st.ring.written());
        st.ring.for_each_slice(start, end, |held| tee.append(held));
        st.tee = Some(tee);
        true
    }

    pub(crate) fn close(&self) {
        let mut st = self.lock();
        if st.closed {
            return;
        }
        st.closed = true;
        self.closed.store(true, Ordering::Release);
        let waiters = std::mem::take(&mut st.waiters);
        drop(st);
        wake(Some(waiters));
    }
}

/// What one [`Shared::fill_from`] did.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Filled {
    /// Bytes read (0: end of file).
    pub(crate) n: usize,
    /// Bytes asked for: fewer read means the pipe is empty now.
    pub(crate) asked: usize,
    /// The writer looks like a heavy one: the stream is past its first
    /// block, or the pipe had more than the scratch buffer waiting.
    pub(crate) heavy: bool,
}

/// Registered followers: (follower id, waker).
type Waiters = Vec<(u64, Waker)>;

/// Wakes followers. Called with no lock held: a waker may run arbitrary
/// code, even code that writes to this stream.
fn wake(waiters: Option<Waiters>) {
    for (_, w) in waiters.into_iter().flatten() {
        w.wake();
    }
}

/// Where the bytes for one read come from, decided under the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Plan {
    /// Absolute offset of the first byte returned.
    pub(crate) offset: u64,
    /// Bytes skipped before `offset` because they are gone.
    pub(crate) missed: u64,
    /// Bytes to read from the spill file, starting at `offset`.
    pub(crate) spill: u64,
    /// Bytes to copy from the ring, right after the spill part.
    pub(crate) ring: u64,
}

impl Plan {
    /// Plans a read of at most `max` bytes at `offset`. With `mixed` false
    /// a plan never has both a spill part and a ring part.
    pub(crate) fn new(st: &State, has_spill: bool, offset: u64, max: u64, mixed: bool) -> Plan {
        let start = st.ring.start();
        let end = st.ring.written();
        let spill_end = if has_spill { st.spill_end } else { 0 };
        if offset >= end {
            return Plan {
                offset,
                missed: 0,
                spill: 0,
                ring: 0,
            };
        }
        let want_end = offset.saturating_add(max);
        if offset < start {
            if offset < spill_end {
                let spill_to = start.min(spill_end).min(want_end);
                let spill = spill_to - offset;
                // A gap (spill failed before `start`) cannot sit inside one
                // chunk: stop at the spill's end, the next read reports it.
                let ring = if mixed && spill_to == start {
                    want_end.min(end) - start
                } else {
                    0
                };
                return Plan {
                    offset,
                    missed: 0,
                    spill,
                    ring,
                };
            }
            let ring = start.saturating_add(max).min(end) - start;
            return Plan {
                offset: start,
                missed: start - offset,
                spill: 0,
                ring,
            };
        }
        Plan {
            offset,
            missed: 0,
            spill: 0,
            ring: want_end.min(end) - offset,
        }
    }
}
