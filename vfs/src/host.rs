//! [`HostFs`]: the host's own files, passed through.
//!
//! A path below the mount point maps to the same path below the host
//! directory the `HostFs` was made with: mounted at `/` over `/`, `/etc/hosts`
//! is the real `/etc/hosts`. Blocking calls run on tokio's blocking pool.
//! Paths reach it already normalised, so a `..` cannot climb above its
//! root lexically; symlinks are followed as the OS does, so it is a
//! passthrough, not a sandbox.
//!
//! [`read`](crate::Filesystem::read) reads to end of file, so on a device that
//! never ends (`/dev/zero`) it does not return: use `read_at` or `follow`
//! there. Names that are not UTF-8 are listed lossily (U+FFFD), since the
//! namespace's paths are strings.
//!
//! Following a host file reads it from the offset to its current end and
//! then ends: there is no portable way to wait for a file to grow without
//! polling, and this crate does not poll. (A FIFO is read until its
//! writers close it, which is the right thing for a FIFO.)

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use corral_kernel::Chunk;
use tokio::io::{AsyncRead, AsyncSeekExt, ReadBuf};

use crate::follow::{ChunkSource, FollowStream};
use crate::fs::{BoxFuture, DirEntry, FileKind, Filesystem, Metadata, VPath, WriteMode};

/// Bytes read per chunk when following a host file.
const FOLLOW_READ: usize = 64 * 1024;

/// The host filesystem below a root directory (usually `/`).
#[derive(Clone, Debug)]
pub struct HostFs {
    root: PathBuf,
}

impl HostFs {
    /// Passthrough to the host below `root`.
    pub fn new(root: impl Into<PathBuf>) -> HostFs {
        HostFs { root: root.into() }
    }

    /// The host directory the mount point maps to.
    pub fn root(&self) -> &Path {
        &self.root
    }

    fn real(&self, path: VPath<'_>) -> PathBuf {
        if path.is_root() {
            self.root.clone()
        } else {
            self.root.join(path.rel())
        }
    }
}

/// Runs blocking file work on tokio's blocking pool.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(io::Error::other(e)),
    }
}

fn kind_of(ft: std::fs::FileType) -> FileKind {
    if ft.is_dir() {
        FileKind::Dir
    } else if ft.is_file() {
        FileKind::File
    } else {
        FileKind::Other
    }
}

impl Filesystem for HostFs {
    fn read<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Bytes>> {
        let real = self.real(path);
        Box::pin(async move {
            tokio::fs::read(real)
                .await
                .map(Bytes::from)
                .map_err(|e| path.os_error(e))
        })
    }

    fn read_at<'a>(
        &'a self,
        path: VPath<'a>,
        offset: u64,
        max: usize,
    ) -> BoxFuture<'a, io::Result<Chunk>> {
        let real = self.real(path);
        Box::pin(async move {
            let data = blocking(move || {
                let mut file = std::fs::File::open(&real)?;
                let len = file.metadata()?.len();
                if offset > 0 {
                    file.seek(SeekFrom::Start(offset))?;
                }
                // Size the buffer by what the file holds, not by `max`.
                let hint = usize::try_from(len.saturating_sub(offset)).unwrap_or(usize::MAX);
                let mut data = Vec::with_capacity(hint.min(max));
                let limit = u64::try_from(max).unwrap_or(u64::MAX);
                file.take(limit).read_to_end(&mut data)?;
                Ok(data)
            })
            .await
            .map_err(|e| path.os_error(e))?;
            Ok(Chunk::new(offset, 0, Bytes::from(data)))
        })
    }

    fn follow<'a>(&'a self, path: VPath<'a>, from: u64) -> BoxFuture<'a, io::Result<FollowStream>> {
        let real = self.real(path);
        Box::pin(async move {
            let mut file = tokio::fs::File::open(&real)
                .await
                .map_err(|e| path.os_error(e))?;
            let meta = file.metadata().await.map_err(|e| path.os_error(e))?;
            if meta.is_dir() {
                return Err(path.is_a_directory());
            }
            if from > 0 {
                file.seek(SeekFrom::Start(from))
                    .await
                    .map_err(|e| path.os_error(e))?;
            }
            let source = HostFollow {
                file,
                offset: from,
                buf: vec![0; FOLLOW_READ],
                shown: path.shown().to_string(),
            };
            Ok(FollowStream::new(source, from))
        })
    }

    fn list<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Vec<DirEntry>>> {
        let real = self.real(path);
        Box::pin(async move {
            blocking(move || {
                let mut out = Vec::new();
                for entry in std::fs::read_dir(&real)? {
                    let entry = entry?;
                    let ft = entry.file_type()?;
                    // Follow symlinks (what a shell's `ls -F` or completion wants);
                    // a dangling one is `Other`.
                    let kind = if ft.is_symlink() {
                        std::fs::metadata(entry.path())
                            .map(|m| kind_of(m.file_type()))
                            .unwrap_or(FileKind::Other)
                    } else {
                        kind_of(ft)
                    };
                    out.push(DirEntry::new(entry.file_name().to_string_lossy(), kind));
                }
                out.sort_by(|a, b| a.name.cmp(&b.name));
                Ok(out)
            })
            .await
            .map_err(|e| path.os_error(e))
        })
    }

    fn stat<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Metadata>> {
        let real = self.real(path);
        Box::pin(async move {
            let m = tokio::fs::metadata(real)
                .await
                .map_err(|e| path.os_error(e))?;
            let kind = kind_of(m.file_type());
            let len = if kind == FileKind::Dir { 0 } else { m.len() };
            Ok(Metadata {
                kind,
                len,
                modified: m.modified().ok(),
                writable: !m.permissions().readonly(),
            })
        })
    }

    /// Creates the file if needed, then truncates or appends, and writes
    /// all of `data` before returning.
    fn write<'a>(
        &'a self,
        path: VPath<'a>,
        data: &'a [u8],
        mode: WriteMode,
    ) -> BoxFuture<'a, io::Result<()>> {
        let real = self.real(path);
        let data = data.to_vec();
        Box::pin(async move {
            blocking(move || {
                let mut opts = std::fs::OpenOptions::new();
                opts.create(true);
                match mode {
                    WriteMode::Truncate => opts.write(true).truncate(true),
                    WriteMode::Append => opts.append(true),
                };
                let mut file = opts.open(&real)?;
                file.write_all(&data)
            })
            .await
            .map_err(|e| path.os_error(e))
        })
    }

    fn host_path(&self, path: VPath<'_>) -> Option<PathBuf> {
        Some(self.real(path))
    }
}

/// Reads a host file chunk by chunk to its end (or a FIFO until its writers close).
struct HostFollow {
    file: tokio::fs::File,
    offset: u64,
    buf: Vec<u8>,
    shown: String,
}

impl ChunkSource for HostFollow {
    fn poll_chunk(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<Option<Chunk>>> {
        let mut rb = ReadBuf::new(&mut self.buf);
        match Pin::new(&mut self.file).poll_read(cx, &mut rb) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(e)) => Poll::Ready(Err(crate::error::os_error(&self.shown, e))),
            Poll::Ready(Ok(())) => {
                let filled = rb.filled();
                if filled.is_empty() {
                    return Poll::Ready(Ok(None));
                }
                let chunk = Chunk::new(self.offset, 0, Bytes::copy_from_slice(filled));
                self.offset += u64::try_from(filled.len()).unwrap_or(u64::MAX);
                Poll::Ready(Ok(Some(chunk)))
            }
        }
    }
}
