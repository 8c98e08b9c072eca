//! Output streams: bounded, non-blocking byte rings addressed by absolute
//! offset, with snapshots, reads from an offset and live followers.
//!
//! Every job has one [`OutputStream`] for stdout and one for stderr. All
//! clones of an `OutputStream` are the same stream (an `Arc` inside).
//!
//! ```
//! use corral_kernel::stream::OutputStream;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let out = OutputStream::new(8);
//! let mut live = out.follow(0);
//! out.write(b"hello, world");          // 12 bytes into an 8-byte ring
//! assert_eq!(out.stats().dropped, 4);
//! assert_eq!(&out.snapshot().data[..], b"o, world");
//!
//! let c = out.read_from(0, 5);         // offset 0 is gone: start at 4
//! assert_eq!((c.offset, c.missed, &c.data[..]), (4, 4, &b"o, wo"[..]));
//!
//! out.close();
//! let c = live.next_chunk().await.unwrap();
//! assert_eq!((c.offset, c.missed), (4, 4));
//! assert_eq!(live.next_chunk().await, None);
//! # });
//! ```
//!
//! # Capacity and offsets
//!
//! A stream holds at most `cap` bytes in memory (default
//! [`OutputStream::DEFAULT_CAP`], 1 MiB): the most recent ones. Every byte
//! has an absolute offset, counted from the first byte ever written, that
//! never changes. [`StreamStats`] has the counters:
//!
//! - `written`: bytes ever written; the offset the next byte will get.
//! - `held`: bytes in memory now, `min(written, cap)` (less while the
//!   [memory budget](#memory-budget) is spent).
//! - `start`: offset of the oldest held byte, `written - held`.
//! - `dropped`: bytes evicted from memory, equal to `start`.
//!
//! # Writes never wait
//!
//! [`write`](OutputStream::write) takes one lock and copies; it never waits
//! for readers. When the ring is full the **oldest** bytes are dropped (and
//! counted), so a stuck or slow reader can never stall the producer. A cap
//! of 0 is allowed: nothing is held and every byte counts as dropped.
//!
//! # Reading
//!
//! - [`snapshot`](OutputStream::snapshot): every byte held now.
//! - [`read_from`](OutputStream::read_from): up to `max` bytes from an
//!   offset. When the offset was already evicted the read starts at `start`
//!   instead, and the returned [`Chunk`] says how many bytes were `missed`.
//! - [`follow`](OutputStream::follow): a [`Follow`], a live reader from any
//!   offset, with [`Follow::next_chunk`] and [`tokio::io::AsyncRead`].
//!
//! # Lag
//!
//! A follower that falls more than `cap` bytes behind loses the bytes that
//! were evicted before it read them, as a lagging `tokio::sync::broadcast`
//! receiver does: it continues at the oldest held byte, and the skipped
//! count is reported in the next chunk's `missed` and summed in
//! [`Follow::missed`]. Nothing blocks and nothing fails.
//!
//! # Close
//!
//! [`close`](OutputStream::close) (idempotent) marks the end: later writes
//! are ignored, followers read what is still held and then end (`None`
//! from `next_chunk`, EOF from `AsyncRead`). Held bytes stay readable.
//!
//! # Lossless mode
//!
//! [`OutputStream::with_spill`] also appends every byte to an anonymous
//! temp file (deleted when the last handle drops), at file offset ==
//! absolute offset. Memory stays bounded by `cap` and the counters are the
//! same, but reads and followers get evicted bytes back from the file, so
//! `missed` stays 0. If writing the file ever fails (disk full…), the
//! stream does not fail: the error is counted in
//! [`spill_errors`](OutputStream::spill_errors) and kept in
//! [`StreamStats::spill_error`], spilling stops, and bytes evicted after
//! that point are missed as in memory-only mode. The file never grows past
//! the process's file size limit (RLIMIT_FSIZE, read when the stream is
//! made): spilling stops just below it with
//! [`SpillError::FileSizeLimit`], so the write that would cross it never
//! happens and SIGXFSZ (which kills the process by default) is never
//! raised. A library may not change signal dispositions, so this is the
//! only safe way.
//!
//! # Memory
//!
//! Memory is allocated as bytes arrive, never up front: data lives in
//! blocks of up to 64 KiB (smaller for small caps; a young stream's first
//! block starts at 64 bytes and doubles), freed from the front as bytes
//! are evicted. Beyond the held bytes a stream uses less than two blocks,
//! one in steady state with the default cap. Tiny writes are copied into
//! the blocks, so they cost no allocation each.
//!
//! # Memory budget
//!
//! A cap bounds one stream; a [`RingBudget`] bounds many (a kernel gives
//! one to all its streams: `KernelConfig::ring_budget`; a standalone
//! stream joins one with [`OutputStream::with_budget`]). Every block a
//! ring holds **beyond its first** is taken from the budget when allocated
//! and given back when freed, and all of them when the stream is dropped
//! (its last handle: stream, follower or writer). So:
//!
//! - the blocks charged never exceed the limit, and the memory of all the
//!   streams is at most `limit + streams × block` (64 KiB blocks with the
//!   default cap);
//! - every stream can always hold its first block: a new job's output is
//!   never lost because others flooded.
//!
//! When a ring needs a new block and the budget refuses it, the ring
//! **recycles its own oldest block** instead: those bytes are evicted
//! early (dropped and counted, exactly as if the cap were reached), and
//! the new bytes go into it. The ring then behaves as if its cap were
//! what it holds now: a ring down to its first block holds the last
//! `written % block` bytes, between none and one block. Nothing else
//! changes: the writer never waits or fails, `written == held + dropped`
//! stays exact, readers and followers see evicted bytes as `missed` (or
//! read them from the spill file in lossless mode). A ring keeps the
//! blocks it has (it reuses them) until it is dropped: the budget favours
//! the streams that took it first, it does not rebalance.
//!
//! # Waiting
//!
//! Followers wait on a waker registered under the stream's lock; writes and
//! close wake them. An idle follower costs nothing: no timer, no polling.

mod budget;
mod follow;
mod ring;
mod shared;
mod spill;
mod tee;
mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::io;
use std::sync::Arc;

use bytes::Bytes;

pub use follow::{Follow, FOLLOW_CHUNK};
pub use writer::StreamWriter;

pub use budget::RingBudget;
use ring::Ring;
use ring::{to_u64, to_usize};
pub(crate) use shared::Filled;
use shared::{Plan, Shared, State};
use spill::Spill;
pub use spill::SpillError;
pub(crate) use tee::Tee;

/// Counters of one output stream.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct StreamStats {
    /// Total bytes ever written (writes after close are not counted).
    pub written: u64,
    /// Bytes evicted from memory: `written - held`, equal to `start`.
    pub dropped: u64,
    /// Bytes currently held in memory, at most `cap` (less once the
    /// [budget](RingBudget) is spent).
    pub held: u64,
    /// Absolute offset of the first held byte (== `dropped`).
    pub start: u64,
    /// The cap in bytes.
    pub cap: usize,
    /// Whether [`OutputStream::close`] was called.
    pub closed: bool,
    /// Lossless mode: why spilling stopped (file size limit, write error),
    /// else the first failed read of the spill file; `None` while it works
    /// and for memory-only streams.
    pub spill_error: Option<SpillError>,
}

/// One read's result: bytes at an absolute offset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Chunk {
    /// Absolute offset of `data[0]` (or where data would start, if empty).
    pub offset: u64,
    /// Bytes between the offset asked for and `offset` that are gone.
    pub missed: u64,
    /// The bytes.
    pub data: Bytes,
}

impl Chunk {
    /// `data` read at absolute `offset`, after `missed` bytes that were gone.
    pub fn new(offset: u64, missed: u64, data: Bytes) -> Chunk {
        Chunk {
            offset,
            missed,
            data,
        }
    }
}

/// A bounded output stream. See the [module docs](self) for the model.
///
/// Cheap to clone (an `Arc` inside); all clones are the same stream.
#[derive(Clone)]
pub struct OutputStream {
    shared: Arc<Shared>,
}

impl OutputStream {
    /// The default cap: 1 MiB.
    pub const DEFAULT_CAP: usize = 1 << 20;

    /// A memory-only stream holding at most `cap` bytes. Allocates nothing
    /// until bytes arrive.
    pub fn new(cap: usize) -> OutputStream {
        OutputStream {
            shared: Arc::new(Shared::new(Ring::new(cap), None)),
        }
    }

    /// A memory-only stream holding at most `cap` bytes whose blocks beyond
    /// the first come from `budget` (see [Memory budget](self#memory-budget)).
    pub fn with_budget(cap: usize, budget: &RingBudget) -> OutputStream {
        OutputStream {
            shared: Arc::new(Shared::new(
                Ring::with_budget(cap, Some(budget.clone())),
                None,
            )),
        }
    }

    /// A lossless stream (as [`with_spill`](OutputStream::with_spill))
    /// whose memory comes from `budget`.
    ///
    /// # Errors
    ///
    /// The temp file could not be created.
    pub fn with_spill_and_budget(cap: usize, budget: &RingBudget) -> io::Result<OutputStream> {
        let spill = Spill::new(tempfile::tempfile()?);
        Ok(OutputStream {
            shared: Arc::new(Shared::new(
                Ring::with_budget(cap, Some(budget.clone())),
                Some(Box::new(spill)),
            )),
        })
    }

    /// A lossless stream: at most `cap` bytes in memory, and every byte
    /// also in an anonymous temp file (`tempfile::tempfile()`), deleted
    /// when the last handle (stream, follower or writer) drops.
    ///
    /// # Errors
    ///
    /// The temp file could not be created.
    pub fn with_spill(cap: usize) -> io::Result<OutputStream> {
        let spill = Spill::new(tempfile::tempfile()?);
        Ok(OutputStream {
            shared: Arc::new(Shared::new(Ring::new(cap), Some(Box::new(spill)))),
        })
    }

    /// Lossless mode over a given file (tests use a failing one).
    #[cfg(test)]
    pub(crate) fn with_spill_file(cap: usize, file: std::fs::File) -> OutputStream {
        OutputStream::with_spill_limit(cap, file, u64::MAX)
    }

    /// Lossless mode over a given file that must stay below `limit` bytes.
    #[cfg(test)]
    pub(crate) fn with_spill_limit(cap: usize, file: std::fs::File, limit: u64) -> OutputStream {
        let spill = Spill::with_limit(file, limit);
        OutputStream {
            shared: Arc::new(Shared::new(Ring::new(cap), Some(Box::new(spill)))),
        }
    }

    /// Appends `data`. Never waits on readers: when over the cap, the
    /// oldest bytes are dropped and counted. In lossless mode the bytes are
    /// first appended to the spill file (under a writers-only lock).
    /// Ignored once the stream is closed.
    pub fn write(&self, data: &[u8]) {
        self.shared.write(data);
    }

    /// Ends the stream: later writes are ignored; followers drain what is
    /// held and then end. Idempotent.
    pub fn close(&self) {
        self.shared.close();
    }

    /// Whether [`close`](OutputStream::close) was called.
    pub fn is_closed(&self) -> bool {
        self.shared.lock().closed
    }

    /// The stream's counters, taken together under its lock.
    pub fn stats(&self) -> StreamStats {
        let st = self.shared.lock();
        StreamStats {
            written: st.ring.written(),
            dropped: st.ring.start(),
            held: st.ring.held(),
            start: st.ring.start(),
            cap: st.ring.cap(),
            closed: st.closed,
            spill_error: self.shared.spill.as_deref().and_then(Spill::error),
        }
    }

    /// Whether `other` is a handle to this same stream.
    pub fn same_as(&self, other: &OutputStream) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }

    /// The cap in bytes.
    pub fn cap(&self) -> usize {
        self.shared.lock().ring.cap()
    }

    /// Everything held now (`offset == start`, `missed == 0`), even in
    /// lossless mode (use [`read_from`](OutputStream::read_from) for older
    /// bytes).
    pub fn snapshot(&self) -> Chunk {
        let (plan, data) = self.copy_planned(|st| Plan {
            offset: st.ring.start(),
            missed: 0,
            spill: 0,
            ring: st.ring.held(),
        });
        Chunk {
            offset: plan.offset,
            missed: 0,
            data: Bytes::from(data),
        }
    }

    /// Up to `max` bytes from absolute offset `offset`.
    ///
    /// - `offset` held: the bytes from there, `missed == 0`.
    /// - `offset` evicted: in lossless mode read from the spill file
    ///   (`missed == 0`); otherwise from `start`, with
    ///   `missed == start - offset`.
    /// - `offset` at or beyond the end: an empty chunk at `offset`.
    ///
    /// The result is allocated whole: pass a bounded `max` when the stream
    /// is lossless and large. Memory is copied under the lock (into a
    /// vector allocated before taking it); the spill file is read after it
    /// is released.
    pub fn read_from(&self, offset: u64, max: usize) -> Chunk {
        let use_spill = self.shared.spill.is_some();
        let (plan, mut data) =
            self.copy_planned(|st| Plan::new(st, use_spill, offset, to_u64(max), true));
        if plan.spill == 0 {
            return Chunk {
                offset: plan.offset,
                missed: plan.missed,
                data: Bytes::from(data),
            };
        }
        let Some(spill) = &self.shared.spill else {
            return self.read_memory(offset, max);
        };
        let read = match data.get_mut(..to_usize(plan.spill)) {
            Some(head) => spill.read(plan.offset, head),
            None => Err(io::Error::other("spill part missing")),
        };
        if let Err(e) = read {
            spill.note_read_error(&e);
            return self.read_memory(offset, max);
        }
        Chunk {
            offset: plan.offset,
            missed: 0,
            data: Bytes::from(data),
        }
    }

    /// `read_from` ignoring the spill file (after a read error on it).
    fn read_memory(&self, offset: u64, max: usize) -> Chunk {
        let (plan, data) = self.copy_planned(|st| Plan::new(st, false, offset, to_u64(max), false));
        Chunk {
            offset: plan.offset,
            missed: plan.missed,
            data: Bytes::from(data),
        }
    }

    /// Plans a read under the lock and copies its ring part, with the
    /// vector allocated (and its spill part zeroed) before the lock is
    /// taken: a reader holds writers up for no longer than the memcpy.
    /// Sizes come from a first look; if the stream changed too much by the
    /// second, it looks again (a few times, then copies regardless).
    ///
    /// Returns the plan and `plan.spill` zero bytes (for the caller to
    /// fill from the spill file) followed by the ring bytes.
    fn copy_planned(&self, plan_of: impl Fn(&State) -> Plan) -> (Plan, Vec<u8>) {
        let sizes = |p: &Plan| (to_usize(p.spill), to_usize(p.spill + p.ring));
        let (mut head, mut room) = sizes(&plan_of(&self.shared.lock()));
        let mut tries = 0;
        loop {
            let mut data = Vec::with_capacity(room);
            data.resize(head, 0);
            let st = self.shared.lock();
            let plan = plan_of(&st);
            let (h, total) = sizes(&plan);
            tries += 1;
            if (h == head && total <= room) || tries > 3 {
                // Only the last try may still allocate here.
                data.resize(h, 0);
                let from = plan.offset + plan.spill;
                st.ring.copy_into(from, from + plan.ring, &mut data);
                return (plan, data);
            }
            drop(st);
            // Grown meanwhile (a busy writer): leave room to grow again.
            head = h;
            room = total.saturating_add(total / 2);
        }
    }

    /// One non-blocking read from a pipe into the stream (see
    /// [`Shared::fill_from`]).
    pub(crate) fn fill_from(&self, fd: std::os::fd::BorrowedFd<'_>) -> io::Result<Filled> {
        self.shared.fill_from(fd)
    }

    /// Appends everything this stream holds and takes in from now on to
    /// `tee` as well; false if the stream has one already.
    pub(crate) fn attach_tee(&self, tee: Arc<Tee>) -> bool {
        self.shared.attach_tee(tee)
    }

    /// A live follower from absolute offset `from`: `0` for everything
    /// (what is still held, or all of it in lossless mode), `stats().written`
    /// for only new bytes.
    pub fn follow(&self, from: u64) -> Follow {
        Follow::new(Arc::clone(&self.shared), from)
    }

    /// A writer (`std::io::Write` and `tokio::io::AsyncWrite`) into this
    /// stream; always ready, never blocks.
    pub fn writer(&self) -> StreamWriter {
        StreamWriter::new(self.clone())
    }

    /// Whether the stream is lossless now: created with
    /// [`with_spill`](OutputStream::with_spill) and no spill write failed.
    pub fn is_lossless(&self) -> bool {
        self.shared.spill.as_deref().is_some_and(Spill::is_active)
    }

    /// Errors met on the spill file (a failed write also ends lossless
    /// mode). Always 0 for a memory-only stream.
    pub fn spill_errors(&self) -> u64 {
        self.shared.spill.as_deref().map_or(0, Spill::errors)
    }

    /// Bytes of memory allocated for data now (block capacities), for
    /// tests and diagnostics.
    #[doc(hidden)]
    pub fn allocated(&self) -> usize {
        self.shared.lock().ring.allocated()
    }
}

/// Bytes by which this process's capture pipes are grown now, and the
/// bound on that (a quarter of /proc/sys/fs/pipe-user-pages-soft), for
/// tests and diagnostics.
#[doc(hidden)]
pub fn pipe_growth() -> (usize, usize) {
    crate::sys::pipe_growth()
}

impl Default for OutputStream {
    /// A memory-only stream with [`OutputStream::DEFAULT_CAP`].
    fn default() -> OutputStream {
        OutputStream::new(OutputStream::DEFAULT_CAP)
    }
}

impl fmt::Debug for OutputStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutputStream")
            .field("stats", &self.stats())
            .field("lossless", &self.is_lossless())
            .finish()
    }
}
