//! [`FollowStream`]: a file's bytes as they arrive, until its source closes.
//!
//! A stream is read chunk by chunk with [`FollowStream::next_chunk`] (each
//! [`Chunk`] has its absolute offset and how many bytes were skipped before
//! it) or as a [`tokio::io::AsyncRead`]. What produces the chunks is a
//! [`ChunkSource`]: a job's output stream (waits without polling until the
//! writer adds bytes or closes), a host file (read to its end), or one
//! fixed chunk.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use corral_kernel::stream::Follow;
use corral_kernel::Chunk;
use tokio::io::{AsyncRead, ReadBuf};

/// What a [`FollowStream`] reads from. Implement it to follow a source of
/// your own.
pub trait ChunkSource: Send + 'static {
    /// The next chunk: `Pending` (with `cx`'s waker registered) while there
    /// are no new bytes, `Ready(Ok(None))` once the source has ended.
    /// Chunks come in offset order; `missed` counts bytes skipped before a
    /// chunk. A source must stay safe to poll again after `Pending`.
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Chunk>>>;
}

/// A stream of a file's bytes from some offset on, ending when the source
/// closes: read it chunk by chunk with [`next_chunk`](FollowStream::next_chunk)
/// (each [`Chunk`] carries its absolute offset and how many bytes were
/// skipped before it) or as a [`tokio::io::AsyncRead`]. The bytes come from a
/// [`ChunkSource`]: a job's output stream (new bytes as the job writes them,
/// until it closes), a host file (read to its current end), or one chunk.
///
/// Cancel safe: dropping a pending [`next_chunk`](FollowStream::next_chunk)
/// or read loses no bytes. Idle, it costs nothing: no timer, no polling.
pub struct FollowStream {
    /// `None` once the source has ended.
    source: Option<Box<dyn ChunkSource>>,
    /// Absolute offset of the next byte handed to the caller.
    offset: u64,
    /// Bytes skipped in total.
    missed: u64,
    /// Part of `missed` not yet reported in a chunk.
    unreported: u64,
    /// Bytes of the current chunk not yet read through `AsyncRead`.
    pending: Bytes,
}

impl std::fmt::Debug for FollowStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FollowStream")
            .field("offset", &self.offset)
            .field("missed", &self.missed)
            .field("ended", &self.source.is_none())
            .finish()
    }
}

impl FollowStream {
    /// A stream over `source`, whose first byte is at offset `from`.
    pub fn new(source: impl ChunkSource, from: u64) -> FollowStream {
        FollowStream {
            source: Some(Box::new(source)),
            offset: from,
            missed: 0,
            unreported: 0,
            pending: Bytes::new(),
        }
    }

    /// A stream that yields `chunk` (if it has bytes) and ends.
    pub fn once(chunk: Chunk) -> FollowStream {
        let from = chunk.offset.saturating_sub(chunk.missed);
        FollowStream::new(Once(Some(chunk)), from)
    }

    /// An already ended stream at `offset`.
    pub fn empty(offset: u64) -> FollowStream {
        FollowStream::new(Once(None), offset)
    }

    /// A stream over a job's output follower (see
    /// [`OutputStream::follow`](corral_kernel::OutputStream::follow)).
    pub fn from_output(follow: Follow) -> FollowStream {
        let from = follow.offset();
        FollowStream::new(OutputSource::Idle(follow), from)
    }

    /// The next bytes, waiting until there are some; `Ok(None)` once the
    /// source has ended and everything was read. Never an empty chunk.
    ///
    /// # Errors
    /// What the source fails with (a host read error, naming the path).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn next_chunk(&mut self) -> io::Result<Option<Chunk>> {
        std::future::poll_fn(|cx| self.poll_next_chunk(cx)).await
    }

    /// Poll form of [`next_chunk`](FollowStream::next_chunk).
    pub fn poll_next_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Chunk>>> {
        if !self.pending.is_empty() {
            let data = std::mem::take(&mut self.pending);
            let chunk = Chunk::new(self.offset, std::mem::take(&mut self.unreported), data);
            self.offset += len_u64(&chunk.data);
            return Poll::Ready(Ok(Some(chunk)));
        }
        loop {
            let Some(source) = self.source.as_mut() else {
                return Poll::Ready(Ok(None));
            };
            match source.poll_chunk(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(None)) => {
                    self.source = None;
                    return Poll::Ready(Ok(None));
                }
                Poll::Ready(Ok(Some(chunk))) => {
                    self.missed += chunk.missed;
                    self.unreported += chunk.missed;
                    self.offset = chunk.offset + len_u64(&chunk.data);
                    if chunk.data.is_empty() {
                        continue;
                    }
                    return Poll::Ready(Ok(Some(Chunk::new(
                        chunk.offset,
                        std::mem::take(&mut self.unreported),
                        chunk.data,
                    ))));
                }
            }
        }
    }

    /// Absolute offset of the next byte this stream will give.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Bytes skipped in total because they were gone before the stream got
    /// to them (a follower that starts late, or falls more than the ring's
    /// cap behind).
    pub fn missed(&self) -> u64 {
        self.missed
    }

    /// True once the source has ended (everything may not be read yet).
    pub fn is_ended(&self) -> bool {
        self.source.is_none()
    }
}

impl AsyncRead for FollowStream {
    /// The same bytes as [`next_chunk`](FollowStream::next_chunk); skipped
    /// bytes are only counted in [`missed`](FollowStream::missed). EOF once
    /// the source has ended.
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if buf.remaining() == 0 {
            return Poll::Ready(Ok(()));
        }
        if this.pending.is_empty() {
            match this.poll_next_chunk(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Ready(Ok(None)) => return Poll::Ready(Ok(())),
                Poll::Ready(Ok(Some(chunk))) => {
                    // Handed out below instead: step back to its start.
                    this.offset = chunk.offset;
                    this.pending = chunk.data;
                }
            }
        }
        let n = this.pending.len().min(buf.remaining());
        let head = this.pending.split_to(n);
        buf.put_slice(&head);
        this.offset += len_u64(&head);
        Poll::Ready(Ok(()))
    }
}

fn len_u64(b: &Bytes) -> u64 {
    u64::try_from(b.len()).unwrap_or(u64::MAX)
}

/// One fixed chunk.
struct Once(Option<Chunk>);

impl ChunkSource for Once {
    fn poll_chunk(&mut self, _: &mut Context<'_>) -> Poll<io::Result<Option<Chunk>>> {
        Poll::Ready(Ok(self.0.take()))
    }
}

/// A job output follower driven through its own `next_chunk`: the pending
/// future owns the follower, so it survives between polls (cancel safe)
/// and nothing is copied twice.
enum OutputSource {
    Idle(Follow),
    Waiting(Pin<Box<dyn Future<Output = (Follow, Option<Chunk>)> + Send>>),
    Done,
}

impl ChunkSource for OutputSource {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Chunk>>> {
        loop {
            match std::mem::replace(self, OutputSource::Done) {
                OutputSource::Idle(mut follow) => {
                    *self = OutputSource::Waiting(Box::pin(async move {
                        let chunk = follow.next_chunk().await;
                        (follow, chunk)
                    }));
                }
                OutputSource::Waiting(mut fut) => match fut.as_mut().poll(cx) {
                    Poll::Pending => {
                        *self = OutputSource::Waiting(fut);
                        return Poll::Pending;
                    }
                    Poll::Ready((follow, Some(chunk))) => {
                        *self = OutputSource::Idle(follow);
                        return Poll::Ready(Ok(Some(chunk)));
                    }
                    Poll::Ready((_, None)) => return Poll::Ready(Ok(None)),
                },
                OutputSource::Done => return Poll::Ready(Ok(None)),
            }
        }
    }
}
