//! [`MountTable`]: one namespace of absolute paths, routed to filesystems
//! by longest mount-point prefix.
//!
//! Every call normalises the path first (see [`normalize`](crate::normalize)),
//! picks the mount with the longest prefix of it on whole components, and
//! passes the mount the rest of the path plus the path as typed (for error
//! messages). Mount points and the directories above them are directories
//! whatever the filesystem underneath says: listing one shows the mounts
//! below it (after the filesystem's own entries), reading one is
//! `IsADirectory`. So `/v` lists `jobs` and any mount an embedder adds
//! beside it, and `/` lists `v` even on a host without a `/v`.
//!
//! A path typed with a trailing `/` (or ending in `/.` or `/..`) must name a
//! directory: reading `/v/jobs/1/status/` is `NotADirectory`, as in POSIX.

use std::io;
use std::path::PathBuf;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use corral_kernel::{Chunk, Kernel};

use crate::error::path_error;
use crate::follow::FollowStream;
use crate::fs::{BoxFuture, DirEntry, FileKind, Filesystem, Metadata, VPath, WriteMode};
use crate::host::HostFs;
use crate::jobfs::JobFs;
use crate::path::{is_under, normalize_hinted, strip_mount, Normalized};

/// A directory with no entries of its own (the default mount at `/v`): the
/// [`MountTable`] lists the mounts below it. Anything else in it is
/// `NotFound`; writing into it is `PermissionDenied`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MountDir;

impl MountDir {
    fn check(path: VPath<'_>) -> io::Result<()> {
        if path.is_root() {
            Ok(())
        } else {
            Err(path.not_found("no such file or directory"))
        }
    }
}

impl Filesystem for MountDir {
    fn read<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Bytes>> {
        let r = MountDir::check(path).and_then(|()| Err(path.is_a_directory()));
        Box::pin(std::future::ready(r))
    }

    fn list<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Vec<DirEntry>>> {
        Box::pin(std::future::ready(
            MountDir::check(path).map(|()| Vec::new()),
        ))
    }

    fn stat<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Metadata>> {
        Box::pin(std::future::ready(
            MountDir::check(path).map(|()| Metadata::dir()),
        ))
    }

    fn write<'a>(
        &'a self,
        path: VPath<'a>,
        _data: &'a [u8],
        _mode: WriteMode,
    ) -> BoxFuture<'a, io::Result<()>> {
        let e = if path.is_root() {
            path.is_a_directory()
        } else {
            path.error(io::ErrorKind::PermissionDenied, "read-only directory")
        };
        Box::pin(std::future::ready(Err(e)))
    }
}

struct Mount {
    at: Arc<str>,
    fs: Arc<dyn Filesystem>,
}

/// Where a path goes: its normalised form, the mount and whether mounts lie below it.
struct Route {
    norm: Normalized,
    at: Arc<str>,
    fs: Arc<dyn Filesystem>,
    /// Some mount point lies strictly below this path: it is a directory.
    above_mount: bool,
    /// Names of the mount points (or their ancestors) directly below it.
    children: Vec<String>,
}

impl Route {
    fn vpath<'a>(&'a self, shown: &'a str) -> VPath<'a> {
        VPath::new(strip_mount(&self.norm.path, &self.at), shown)
    }
}

/// The namespace: filesystems mounted at absolute paths, routed by longest
/// prefix. Cheap to clone; clones share the same mounts.
///
/// [`MountTable::new`] gives the default layout: `/v/jobs` → [`JobFs`],
/// `/v` → [`MountDir`], `/` → [`HostFs`] over the host's `/`. Embedders
/// [`mount`](MountTable::mount) their own filesystems beside them.
///
/// Every method takes an absolute path exactly as the user typed it (a
/// relative one is `InvalidInput`; resolving it against a working directory
/// is the caller's job) and errors name that path.
#[derive(Clone)]
pub struct MountTable {
    /// Longest mount point first.
    mounts: Arc<RwLock<Vec<Mount>>>,
}

impl std::fmt::Debug for MountTable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MountTable")
            .field("mounts", &self.mounts())
            .finish()
    }
}

impl MountTable {
    /// The default layout over `kernel`: `/v/jobs` → [`JobFs`], `/v` →
    /// [`MountDir`], `/` → [`HostFs`] of the host's `/`.
    pub fn new(kernel: Kernel) -> MountTable {
        let table = MountTable::empty();
        table.put("/", Arc::new(HostFs::new("/")));
        table.put("/v", Arc::new(MountDir));
        table.put("/v/jobs", Arc::new(JobFs::new(kernel)));
        table
    }

    /// A table with nothing mounted: only mount points and their parents exist.
    pub fn empty() -> MountTable {
        MountTable {
            mounts: Arc::new(RwLock::new(Vec::new())),
        }
    }

    fn get(&self) -> RwLockReadGuard<'_, Vec<Mount>> {
        // Nothing panics while holding it; recover rather than propagate a poison.
        self.mounts.read().unwrap_or_else(|e| e.into_inner())
    }

    fn get_mut(&self) -> RwLockWriteGuard<'_, Vec<Mount>> {
        self.mounts.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Mounts `fs` at `at` (normalised), replacing and returning what was
    /// mounted there before.
    ///
    /// # Errors
    /// `InvalidInput` when `at` is empty or relative.
    pub fn mount(&self, at: &str, fs: impl Filesystem) -> io::Result<Option<Arc<dyn Filesystem>>> {
        self.mount_arc(at, Arc::new(fs))
    }

    /// [`mount`](MountTable::mount) for a filesystem already in an `Arc`
    /// (one filesystem may be mounted at several points).
    ///
    /// # Errors
    /// `InvalidInput` when `at` is empty or relative.
    pub fn mount_arc(
        &self,
        at: &str,
        fs: Arc<dyn Filesystem>,
    ) -> io::Result<Option<Arc<dyn Filesystem>>> {
        let at = normalize_hinted(at)?.path;
        Ok(self.put(&at, fs))
    }

    fn put(&self, at: &str, fs: Arc<dyn Filesystem>) -> Option<Arc<dyn Filesystem>> {
        let mut mounts = self.get_mut();
        if let Some(m) = mounts.iter_mut().find(|m| &*m.at == at) {
            return Some(std::mem::replace(&mut m.fs, fs));
        }
        mounts.push(Mount { at: at.into(), fs });
        mounts.sort_by(|a, b| b.at.len().cmp(&a.at.len()).then_with(|| a.at.cmp(&b.at)));
        None
    }

    /// Removes the mount at `at` and returns its filesystem.
    ///
    /// # Errors
    /// `InvalidInput` for a relative path; `NotFound` when nothing is mounted there.
    pub fn unmount(&self, at: &str) -> io::Result<Arc<dyn Filesystem>> {
        let norm = normalize_hinted(at)?.path;
        let mut mounts = self.get_mut();
        match mounts.iter().position(|m| *m.at == norm) {
            Some(i) => Ok(mounts.remove(i).fs),
            None => Err(path_error(io::ErrorKind::NotFound, at, "not a mount point")),
        }
    }

    /// The mount points, sorted.
    pub fn mounts(&self) -> Vec<String> {
        let mut v: Vec<String> = self.get().iter().map(|m| m.at.to_string()).collect();
        v.sort();
        v
    }

    fn route(&self, shown: &str) -> io::Result<Route> {
        let norm = normalize_hinted(shown)?;
        let mounts = self.get();
        let mut best: Option<&Mount> = None;
        let mut children: Vec<String> = Vec::new();
        for m in mounts.iter() {
            if best.is_none() && is_under(&norm.path, &m.at) {
                best = Some(m);
            }
            if *m.at != norm.path && is_under(&m.at, &norm.path) {
                let below = strip_mount(&m.at, &norm.path);
                let name = below.split('/').next().unwrap_or(below);
                if !children.iter().any(|c| c == name) {
                    children.push(name.to_string());
                }
            }
        }
        let (at, fs): (Arc<str>, Arc<dyn Filesystem>) = match best {
            Some(m) => (Arc::clone(&m.at), Arc::clone(&m.fs)),
            // Nothing mounted above: an empty directory at the root.
            None => (Arc::from("/"), Arc::new(MountDir)),
        };
        drop(mounts);
        children.sort();
        Ok(Route {
            above_mount: !children.is_empty(),
            norm,
            at,
            fs,
            children,
        })
    }

    /// For a path typed as a directory (`x/`) that a file operation was
    /// asked of: `IsADirectory` if it is one, else `NotADirectory`.
    async fn not_a_file(route: &Route, shown: &str) -> io::Error {
        let vp = route.vpath(shown);
        match route.fs.stat(vp).await {
            Ok(m) if m.is_dir() => vp.is_a_directory(),
            Ok(_) => vp.not_a_directory(),
            Err(e) => e,
        }
    }

    /// Checks that a file operation may go to the filesystem.
    async fn file_route(&self, path: &str) -> io::Result<Route> {
        let r = self.route(path)?;
        if r.above_mount {
            return Err(r.vpath(path).is_a_directory());
        }
        if r.norm.dir_hint {
            return Err(MountTable::not_a_file(&r, path).await);
        }
        Ok(r)
    }

    /// The whole content of a file (for a job's `stdout`: every byte held now).
    ///
    /// # Errors
    /// `NotFound`, `IsADirectory`, `NotADirectory`, `InvalidInput`, or what
    /// the host says, each naming `path`.
    pub async fn read(&self, path: &str) -> io::Result<Bytes> {
        let r = self.file_route(path).await?;
        r.fs.read(r.vpath(path)).await
    }

    /// Up to `max` bytes from absolute offset `offset` (see
    /// [`Filesystem::read_at`]); `chunk.offset + chunk.data.len()` is where
    /// to continue, with another `read_at` or a [`follow`](MountTable::follow).
    ///
    /// # Errors
    /// As [`read`](MountTable::read).
    pub async fn read_at(&self, path: &str, offset: u64, max: usize) -> io::Result<Chunk> {
        let r = self.file_route(path).await?;
        r.fs.read_at(r.vpath(path), offset, max).await
    }

    /// Follows a file from offset `from` (`0`: everything still held): a
    /// [`FollowStream`] that waits for new bytes of a live job stream and
    /// ends when it closes. Host files are read to their current end.
    ///
    /// # Errors
    /// As [`read`](MountTable::read).
    pub async fn follow(&self, path: &str, from: u64) -> io::Result<FollowStream> {
        let r = self.file_route(path).await?;
        r.fs.follow(r.vpath(path), from).await
    }

    /// The entries of a directory: the filesystem's, then any mount points
    /// directly below it that it did not list.
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory`, `InvalidInput`, or what the host says.
    pub async fn list(&self, path: &str) -> io::Result<Vec<DirEntry>> {
        let r = self.route(path)?;
        let vp = r.vpath(path);
        if !r.above_mount {
            return r.fs.list(vp).await;
        }
        let mut entries = match r.fs.list(vp).await {
            Ok(e) => e,
            // The directory exists because mounts are below it, whatever is underneath.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
                ) =>
            {
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        for name in r.children {
            match entries.iter_mut().find(|e| e.name == name) {
                Some(e) => e.kind = FileKind::Dir,
                None => entries.push(DirEntry::new(name, FileKind::Dir)),
            }
        }
        Ok(entries)
    }

    /// Kind and size now (a job's `stdout`: the bytes held at this instant).
    ///
    /// # Errors
    /// `NotFound`, `NotADirectory` (a file typed with a trailing `/`),
    /// `InvalidInput`, or what the host says.
    pub async fn stat(&self, path: &str) -> io::Result<Metadata> {
        let r = self.route(path)?;
        let vp = r.vpath(path);
        let got = r.fs.stat(vp).await;
        if r.above_mount {
            return Ok(match got {
                Ok(m) if m.is_dir() => m,
                _ => Metadata::dir(),
            });
        }
        let m = got?;
        if r.norm.dir_hint && !m.is_dir() {
            return Err(vp.not_a_directory());
        }
        Ok(m)
    }

    /// Writes `data`: on the host, creating the file and truncating or
    /// appending by `mode`; to `/v/jobs/<id>/ctl`, one signal.
    ///
    /// # Errors
    /// `PermissionDenied` for read-only files (everything under `/v` but
    /// `ctl`), `InvalidInput` for a bad `ctl` word, `IsADirectory`,
    /// `NotFound`, or what the host says, each naming `path`.
    pub async fn write(&self, path: &str, data: &[u8], mode: WriteMode) -> io::Result<()> {
        let r = self.file_route(path).await?;
        r.fs.write(r.vpath(path), data, mode).await
    }

    /// The real host path behind `path`, if it routes to the host (so a
    /// shell can open a real file descriptor for a child's redirection).
    ///
    /// # Errors
    /// `InvalidInput` for an empty or relative path.
    pub fn host_path(&self, path: &str) -> io::Result<Option<PathBuf>> {
        let r = self.route(path)?;
        Ok(r.fs.host_path(r.vpath(path)))
    }
}
