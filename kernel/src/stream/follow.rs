//! Live followers: `Follow::next_chunk` and `AsyncRead`, one poll function.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use bytes::Bytes;
use tokio::io::{AsyncRead, ReadBuf};

use super::ring::{to_u64, to_usize};
use super::shared::{Plan, Shared};
use super::Chunk;

/// Most bytes one `next_chunk` returns, and most bytes one poll reads from
/// the spill file (a blocking positioned read, kept short for that reason).
pub const FOLLOW_CHUNK: usize = 64 * 1024;

/// A live reader of an [`OutputStream`](super::OutputStream), created by
/// [`OutputStream::follow`](super::OutputStream::follow).
///
/// Reads every byte from its start offset on, waits (without polling) for
/// more, and ends once the stream is closed and everything held was read.
/// Bytes evicted before it read them are skipped and counted in
/// [`missed`](Follow::missed) (in lossless mode they are read from the spill
/// file instead). A start offset beyond the end waits for the stream to
/// reach it. Holds an `Arc` of the stream (it is `Send + 'static`), so the
/// stream's memory and spill file live as long as any follower.
#[derive(Debug)]
pub struct Follow {
    shared: Arc<Shared>,
    id: u64,
    cursor: Cursor,
    /// May have a waker registered (so Drop must remove it).
    registered: bool,
}

/// A follower's position, apart from the stream handle so a poll can hold
/// the stream's lock and move the cursor at the same time.
#[derive(Debug)]
struct Cursor {
    offset: u64,
    missed: u64,
    /// Part of `missed` not yet reported in a chunk's `missed`.
    unreported: u64,
}

impl Cursor {
    /// Moves to `to`, counting `missed` skipped bytes.
    fn skip(&mut self, missed: u64, to: u64) {
        self.missed += missed;
        self.unreported += missed;
        self.offset = to;
    }

    /// Consumes `n` bytes at the current offset; returns the chunk header.
    fn advance(&mut self, n: u64) -> (u64, u64) {
        let at = self.offset;
        self.offset += n;
        (at, std::mem::take(&mut self.unreported))
    }
}

/// Where one poll puts its bytes: a fresh vector (`next_chunk`) or the
/// caller's buffer (`AsyncRead`, no intermediate copy).
trait Sink {
    /// Appends a slice.
    fn put(&mut self, data: &[u8]);
    /// Bytes it can take without allocating.
    fn room(&self) -> usize;
    /// Makes room for `n` more bytes (called without the stream's lock).
    fn reserve(&mut self, n: usize);
    /// Appends up to `n` bytes produced by `fill` and returns how many; on
    /// error appends nothing.
    fn put_with(
        &mut self,
        n: usize,
        fill: impl FnOnce(&mut [u8]) -> io::Result<()>,
    ) -> io::Result<usize>;
}

impl Sink for Vec<u8> {
    fn put(&mut self, data: &[u8]) {
        self.extend_from_slice(data);
    }

    fn room(&self) -> usize {
        self.capacity() - self.len()
    }

    fn reserve(&mut self, n: usize) {
        self.reserve_exact(n);
    }

    fn put_with(
        &mut self,
        n: usize,
        fill: impl FnOnce(&mut [u8]) -> io::Result<()>,
    ) -> io::Result<usize> {
        let old = self.len();
        self.resize(old + n, 0);
        match fill(&mut self[old..]) {
            Ok(()) => Ok(n),
            Err(e) => {
                self.truncate(old);
                Err(e)
            }
        }
    }
}

impl Sink for ReadBuf<'_> {
    fn put(&mut self, data: &[u8]) {
        // Plans never exceed `remaining()`; clip anyway rather than panic.
        let n = data.len().min(self.remaining());
        self.put_slice(&data[..n]);
    }

    fn room(&self) -> usize {
        self.remaining()
    }

    fn reserve(&mut self, _: usize) {}

    fn put_with(
        &mut self,
        n: usize,
        fill: impl FnOnce(&mut [u8]) -> io::Result<()>,
    ) -> io::Result<usize> {
        let dst = self.initialize_unfilled();
        let n = n.min(dst.len());
        fill(&mut dst[..n])?;
        self.advance(n);
        Ok(n)
    }
}

impl Follow {
    pub(crate) fn new(shared: Arc<Shared>, from: u64) -> Follow {
        let id = {
            let mut st = shared.lock();
            st.next_id = st.next_id.wrapping_add(1);
            u64::from(st.next_id)
        };
        Follow {
            shared,
            id,
            cursor: Cursor {
                offset: from,
                missed: 0,
                unreported: 0,
            },
            registered: false,
        }
    }

    /// The next available bytes, at most 64 KiB, waiting until there are
    /// some. `None` once the stream is closed and everything was read.
    ///
    /// The chunk's `missed` is the number of bytes skipped since the
    /// previous chunk because they were evicted before this follower got to
    /// them (always 0 in lossless mode while the spill file works).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: bytes are only taken from the stream in the same poll
    /// that returns them, so dropping the future (e.g. in
    /// `tokio::select!`) loses no bytes and no `missed` count.
    pub async fn next_chunk(&mut self) -> Option<Chunk> {
        std::future::poll_fn(|cx| self.poll_next_chunk(cx)).await
    }

    /// Poll form of [`next_chunk`](Follow::next_chunk), for building a
    /// `Stream` or a hand-written future: `Pending` registers `cx`'s waker,
    /// which a write or close wakes.
    pub fn poll_next_chunk(&mut self, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        let mut buf = Vec::new();
        self.poll_core(cx, FOLLOW_CHUNK, &mut buf).map(|got| {
            got.map(|(offset, missed)| Chunk {
                offset,
                missed,
                data: Bytes::from(buf),
            })
        })
    }

    /// The absolute offset of the next byte it will read.
    pub fn offset(&self) -> u64 {
        self.cursor.offset
    }

    /// Total bytes skipped because they were evicted before this follower
    /// read them.
    pub fn missed(&self) -> u64 {
        self.cursor.missed
    }

    /// The one poll function. Reads at most `max` (>= 1) bytes into `sink`
    /// and returns the offset of the first one and the bytes skipped since
    /// the last chunk; `None` at the end; `Pending` with the waker
    /// registered when there is nothing yet. Bytes are taken only together
    /// with a `Ready` result; a skip over evicted bytes is kept either way.
    fn poll_core(
        &mut self,
        cx: &mut Context<'_>,
        max: usize,
        sink: &mut impl Sink,
    ) -> Poll<Option<(u64, u64)>> {
        let shared = &*self.shared;
        let cur = &mut self.cursor;
        let mut use_spill = shared.spill.is_some();
        loop {
            let mut st = shared.lock();
            let plan = Plan::new(&st, use_spill, cur.offset, to_u64(max), false);
            cur.skip(plan.missed, plan.offset);
            if plan.spill > 0 {
                drop(st);
                let Some(spill) = &shared.spill else {
                    use_spill = false;
                    continue;
                };
                // Only offsets below the published spill end are read; they
                // never change, so the file is read without any lock.
                let n = to_usize(plan.spill).min(FOLLOW_CHUNK);
                match sink.put_with(n, |dst| spill.read(plan.offset, dst)) {
                    Ok(n) => return Poll::Ready(Some(cur.advance(to_u64(n)))),
                    Err(e) => {
                        // Treat the file as gone for this read: fall back
                        // to memory, skipping what is no longer there.
                        spill.note_read_error(&e);
                        use_spill = false;
                        continue;
                    }
                }
            }
            if plan.ring > 0 {
                let room = to_u64(sink.room());
                if room == 0 {
                    // Allocate with the lock released, then plan again.
                    drop(st);
                    sink.reserve(to_usize(plan.ring));
                    continue;
                }
                // More may have come since the room was made: the rest is
                // for the next chunk.
                let take = plan.ring.min(room);
                let end = plan.offset + take;
                st.ring.for_each_slice(plan.offset, end, |s| sink.put(s));
                drop(st);
                return Poll::Ready(Some(cur.advance(take)));
            }
            if st.closed {
                return Poll::Ready(None);
            }
            // A replaced waker is dropped after unlocking: dropping a waker
            // can run arbitrary code (even drop a task owning a follower).
            let mut old = None;
            match st.waiters.iter_mut().find(|(id, _)| *id == self.id) {
                Some((_, w)) if w.will_wake(cx.waker()) => {}
                Some((_, w)) => old = Some(std::mem::replace(w, cx.waker().clone())),
                None => st.waiters.push((self.id, cx.waker().clone())),
            }
            drop(st);
            drop(old);
            self.registered = true;
            return Poll::Pending;
        }
    }
}

impl AsyncRead for Follow {
    /// Same bytes as [`Follow::next_chunk`]; evicted bytes are skipped
    /// silently (see [`Follow::missed`]). EOF once closed and drained.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        let max = buf.remaining();
        this.poll_core(cx, max, buf).map(|_| Ok(()))
    }
}

impl Drop for Follow {
    fn drop(&mut self) {
        if self.registered {
            // Release the waker now rather than at the next write: it may
            // keep a whole task alive.
            let id = self.id;
            let mut st = self.shared.lock();
            let mine = st.waiters.iter().position(|(w, _)| *w == id);
            let waker = mine.map(|i| st.waiters.swap_remove(i));
            drop(st);
            // Dropped unlocked, like every waker (see `poll_core`).
            drop(waker);
        }
    }
}
