//! The [`Filesystem`] trait and the plain types it speaks in.
//!
//! A filesystem is mounted at a point of the namespace and sees only paths
//! below it: the mount table normalises the user's path, picks the mount,
//! and hands the filesystem a [`VPath`] holding both the remainder
//! (`1/stdout` for `/v/jobs/1/stdout` on a mount at `/v/jobs`) and the path
//! as typed, which every error message names.
//!
//! The trait is object safe (the table stores `Arc<dyn Filesystem>`): each
//! method returns a boxed future. Only [`read`](Filesystem::read),
//! [`list`](Filesystem::list) and [`stat`](Filesystem::stat) are required;
//! the others have defaults built on them (read-only, a follow that returns
//! the current content and ends).

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::SystemTime;

use bytes::Bytes;
use corral_kernel::Chunk;

use crate::error::{os_error, path_error};
use crate::follow::FollowStream;

/// A boxed, `Send` future: what every [`Filesystem`] method returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a path names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// A file: readable (and maybe writable) bytes.
    File,
    /// A directory: listable.
    Dir,
    /// Anything else (a device, a socket, a dangling symlink).
    Other,
}

/// What [`stat`](Filesystem::stat) tells about a path.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metadata {
    /// File, directory or other.
    pub kind: FileKind,
    /// Size in bytes now (for a job's `stdout`/`stderr`: the bytes held);
    /// 0 for directories.
    pub len: u64,
    /// Last change, when known.
    pub modified: Option<SystemTime>,
    /// Whether [`write`](Filesystem::write) may succeed.
    pub writable: bool,
}

impl Metadata {
    /// A read-only file of `len` bytes.
    pub fn file(len: u64) -> Metadata {
        Metadata {
            kind: FileKind::File,
            len,
            modified: None,
            writable: false,
        }
    }

    /// A directory.
    pub fn dir() -> Metadata {
        Metadata {
            kind: FileKind::Dir,
            len: 0,
            modified: None,
            writable: false,
        }
    }

    /// The same with this modification time.
    pub fn with_modified(mut self, modified: Option<SystemTime>) -> Metadata {
        self.modified = modified;
        self
    }

    /// The same, writable or not.
    pub fn with_writable(mut self, writable: bool) -> Metadata {
        self.writable = writable;
        self
    }

    /// True for directories.
    pub fn is_dir(&self) -> bool {
        self.kind == FileKind::Dir
    }
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The name within the directory (no `/`).
    pub name: String,
    /// What it is (symlinks are followed where the filesystem has them).
    pub kind: FileKind,
}

impl DirEntry {
    /// An entry.
    pub fn new(name: impl Into<String>, kind: FileKind) -> DirEntry {
        DirEntry {
            name: name.into(),
            kind,
        }
    }
}

/// How [`write`](Filesystem::write) treats an existing file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WriteMode {
    /// Create or truncate, then write (`>`).
    Truncate,
    /// Create or append (`>>`).
    Append,
}

/// A path as a mounted filesystem sees it.
///
/// [`rel`](VPath::rel) is normalised and relative to the mount point
/// (`""` for the mount point itself; never a `.` or `..` component, never a
/// leading or trailing `/`); [`shown`](VPath::shown) is the path exactly as
/// the user passed it, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VPath<'a> {
    rel: &'a str,
    shown: &'a str,
}

impl<'a> VPath<'a> {
    /// A path `rel` below the mount point, typed by the user as `shown`.
    /// `rel` must be normalised (as the mount table passes it).
    pub fn new(rel: &'a str, shown: &'a str) -> VPath<'a> {
        VPath { rel, shown }
    }

    /// The normalised path below the mount point (`""` for the mount point).
    pub fn rel(&self) -> &'a str {
        self.rel
    }

    /// The path as the user typed it.
    pub fn shown(&self) -> &'a str {
        self.shown
    }

    /// True for the mount point itself.
    pub fn is_root(&self) -> bool {
        self.rel.is_empty()
    }

    /// The components of [`rel`](VPath::rel).
    pub fn components(&self) -> impl Iterator<Item = &'a str> + 'a {
        self.rel.split('/').filter(|c| !c.is_empty())
    }

    /// An error of `kind`: `<shown>: <message>`.
    pub fn error(&self, kind: io::ErrorKind, message: impl Into<String>) -> io::Error {
        path_error(kind, self.shown, message)
    }

    /// `NotFound` with this message.
    pub fn not_found(&self, message: impl Into<String>) -> io::Error {
        self.error(io::ErrorKind::NotFound, message)
    }

    /// `IsADirectory`: `<shown>: is a directory`.
    pub fn is_a_directory(&self) -> io::Error {
        self.error(io::ErrorKind::IsADirectory, "is a directory")
    }

    /// `NotADirectory`: `<shown>: not a directory`.
    pub fn not_a_directory(&self) -> io::Error {
        self.error(io::ErrorKind::NotADirectory, "not a directory")
    }

    /// `PermissionDenied`: `<shown>: read-only file`.
    pub fn read_only(&self) -> io::Error {
        self.error(io::ErrorKind::PermissionDenied, "read-only file")
    }

    /// An OS error, its message rewritten to name this path.
    pub fn os_error(&self, err: io::Error) -> io::Error {
        os_error(self.shown, err)
    }
}

/// A filesystem that can be mounted in a [`MountTable`](crate::MountTable).
///
/// Errors are `io::Error`s of the right kind (`NotFound`, `IsADirectory`,
/// `NotADirectory`, `PermissionDenied`, `InvalidInput`…) whose message names
/// [`VPath::shown`]; the helpers on [`VPath`] make them.
pub trait Filesystem: Send + Sync + 'static {
    /// The whole content of a file. A directory is `IsADirectory`.
    fn read<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Bytes>>;

    /// Up to `max` bytes from byte `offset` of the file, as a [`Chunk`] with
    /// the absolute offset of its first byte. For files that only hold their
    /// most recent bytes (a job's output), an `offset` already dropped
    /// starts at the oldest byte held and `missed` counts the gap; an offset
    /// at or past the end gives an empty chunk at `offset`.
    ///
    /// The default reads the whole file and slices it.
    fn read_at<'a>(
        &'a self,
        path: VPath<'a>,
        offset: u64,
        max: usize,
    ) -> BoxFuture<'a, io::Result<Chunk>> {
        Box::pin(async move {
            let data = self.read(path).await?;
            Ok(slice_chunk(data, offset, max))
        })
    }

    /// A stream of the file's bytes from `from` on that ends when the source
    /// closes: for a live source (a running job's output) it waits for new
    /// bytes as they arrive. Use `0` for everything still held, or the end
    /// offset of an earlier [`read_at`](Filesystem::read_at) to continue
    /// exactly where it stopped.
    ///
    /// The default returns what [`read_at`](Filesystem::read_at) gives now and ends.
    fn follow<'a>(&'a self, path: VPath<'a>, from: u64) -> BoxFuture<'a, io::Result<FollowStream>> {
        Box::pin(async move {
            let chunk = self.read_at(path, from, usize::MAX).await?;
            Ok(FollowStream::once(chunk))
        })
    }

    /// The entries of a directory, in the filesystem's own order. A file is
    /// `NotADirectory`.
    fn list<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Vec<DirEntry>>>;

    /// Kind and size now.
    fn stat<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Metadata>>;

    /// Writes `data` to a file. The default refuses: `PermissionDenied`.
    fn write<'a>(
        &'a self,
        path: VPath<'a>,
        data: &'a [u8],
        mode: WriteMode,
    ) -> BoxFuture<'a, io::Result<()>> {
        let _ = (data, mode);
        Box::pin(std::future::ready(Err(path.read_only())))
    }

    /// The real host path behind `path`, when there is one (so a shell can
    /// hand a real file descriptor to a child process for a redirection).
    /// The default: `None`.
    fn host_path(&self, path: VPath<'_>) -> Option<PathBuf> {
        let _ = path;
        None
    }
}

/// Up to `max` bytes of `data` from `offset` (an empty chunk at `offset`
/// past the end), without copying.
pub fn slice_chunk(data: Bytes, offset: u64, max: usize) -> Chunk {
    let len = data.len();
    let from = usize::try_from(offset).unwrap_or(usize::MAX).min(len);
    let to = from.saturating_add(max).min(len);
    Chunk::new(offset, 0, data.slice(from..to))
}
