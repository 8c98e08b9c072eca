//! `std::io::Write` and `tokio::io::AsyncWrite` into a stream.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::AsyncWrite;

use super::OutputStream;

/// A writer into an [`OutputStream`], from
/// [`OutputStream::writer`](OutputStream::writer).
///
/// Implements [`std::io::Write`] and [`tokio::io::AsyncWrite`]. It is always
/// ready and never blocks on readers: every write is accepted whole (bytes
/// beyond the cap evict older ones; bytes written after
/// [`close`](OutputStream::close) are ignored), so `write` always returns
/// `Ok(buf.len())`. Flushing does nothing, and shutting down does not close
/// the stream (several writers may share it, e.g. `2>&1`): the owner calls
/// [`OutputStream::close`].
#[derive(Clone, Debug)]
pub struct StreamWriter {
    stream: OutputStream,
}

impl StreamWriter {
    pub(crate) fn new(stream: OutputStream) -> StreamWriter {
        StreamWriter { stream }
    }

    /// The stream this writes into.
    pub fn stream(&self) -> &OutputStream {
        &self.stream
    }
}

impl io::Write for StreamWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.write(buf);
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.stream.write(buf);
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsyncWrite for StreamWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.stream.write(buf);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}
