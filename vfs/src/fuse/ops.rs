//! The FUSE request handlers: fuser's `Filesystem` over a [`MountTable`].
//!
//! fuser calls each handler on its one session thread. A handler that needs
//! the mount table (everything but `readdir`, `release` and `forget`) moves
//! its reply into a task that asks the table and replies. The task is
//! polled once on the session thread: if the table answers at once (JobFs
//! does: a copy out of the ring), it replies there; if it must wait, it
//! goes on as a task on the Tokio runtime and the handler returns, so one
//! slow read never holds up the others. A reply dropped unsent (the runtime
//! shut down) answers `EIO`.

use std::collections::HashMap;
use std::error::Error as _;
use std::ffi::OsStr;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::io;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Waker};
use std::time::{Duration, SystemTime};

use fuser::{
    BsdFileFlags, Errno, FileAttr, FileHandle, FileType, FopenFlags, Generation, INodeNo,
    LockOwner, OpenAccMode, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData,
    ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyWrite, Request, TimeOrNow, WriteFlags,
};
use tokio::runtime::Handle;

use super::inodes::{child, parent, Inodes, ROOT};
use crate::{FileKind, Metadata, MountTable, PathError, WriteMode};

/// Attributes and entries are never cached: every `stat` asks the table.
const TTL: Duration = Duration::ZERO;

/// An open file: its path and how far its offsets are shifted past the
/// VFS's (bytes skipped because they were dropped from a ring's front
/// before this reader got to them).
struct OpenFile {
    path: String,
    shift: AtomicU64,
}

/// An open directory: its entries as listed when it was opened, so
/// `readdir` offsets stay valid while jobs come and go.
struct OpenDir {
    path: String,
    entries: Vec<(String, FileKind)>,
}

enum Open {
    File(Arc<OpenFile>),
    Dir(Arc<OpenDir>),
}

struct Handles {
    next: u64,
    open: HashMap<u64, Open>,
}

/// What every request shares.
struct Shared {
    table: MountTable,
    inodes: Inodes,
    handles: Mutex<Handles>,
    uid: u32,
    gid: u32,
    /// The time shown for files that have none.
    born: SystemTime,
}

/// The fuser filesystem.
pub(crate) struct Server {
    shared: Arc<Shared>,
    rt: Handle,
}

impl Server {
    /// Serves `table` from its directory `root` (normalised), answering on `rt`.
    pub(crate) fn new(table: MountTable, root: &str, rt: Handle, owner: (u32, u32)) -> Server {
        Server {
            shared: Arc::new(Shared {
                table,
                inodes: Inodes::new(root),
                handles: Mutex::new(Handles {
                    next: 1,
                    open: HashMap::new(),
                }),
                uid: owner.0,
                gid: owner.1,
                born: SystemTime::now(),
            }),
            rt,
        }
    }

    /// Runs a request's task: polled once here, in the runtime's context,
    /// and moved onto the runtime only if it must wait. An answer that is
    /// ready at once (JobFs never waits) costs no thread hop.
    fn spawn(&self, task: impl Future<Output = ()> + Send + 'static) {
        let mut task = Box::pin(task);
        let _runtime = self.rt.enter();
        // A pending future registers the task's own waker when the runtime
        // polls it next; this first waker is never needed.
        let mut cx = Context::from_waker(Waker::noop());
        if task.as_mut().poll(&mut cx).is_pending() {
            // The task owns its reply; the join handle is not needed.
            drop(self.rt.spawn(task));
        }
    }

    /// The path of `ino` and a handle on the shared state, or `ENOENT`.
    fn node(&self, ino: INodeNo) -> Result<(Arc<Shared>, String), Errno> {
        match self.shared.inodes.path(ino.0) {
            Some(path) => Ok((Arc::clone(&self.shared), path)),
            None => Err(Errno::ENOENT),
        }
    }

    fn file(&self, fh: FileHandle) -> Option<Arc<OpenFile>> {
        match self.shared.handles().open.get(&fh.0) {
            Some(Open::File(f)) => Some(Arc::clone(f)),
            _ => None,
        }
    }

    fn dir(&self, fh: FileHandle) -> Option<Arc<OpenDir>> {
        match self.shared.handles().open.get(&fh.0) {
            Some(Open::Dir(d)) => Some(Arc::clone(d)),
            _ => None,
        }
    }

    fn close(&self, fh: FileHandle) {
        self.shared.handles().open.remove(&fh.0);
    }
}

impl Shared {
    fn handles(&self) -> MutexGuard<'_, Handles> {
        // Nothing panics while holding it; recover rather than propagate a poison.
        self.handles.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn insert(&self, open: Open) -> FileHandle {
        let mut h = self.handles();
        let fh = h.next;
        h.next += 1;
        h.open.insert(fh, open);
        FileHandle(fh)
    }

    /// What `path` is and its size in file offsets: the end of the stream
    /// (the offset where `read_at(0)` starts, plus the bytes held).
    ///
    /// The start is asked after the stat: bytes written in between can only
    /// move it forward, so the size never runs past the real end and never
    /// shrinks between calls (see the module docs of `fuse`).
    async fn stat(&self, path: &str) -> io::Result<(Metadata, u64)> {
        let m = self.table.stat(path).await?;
        let size = match m.kind {
            FileKind::Dir => 0,
            // A host file starts at 0; do not read it to find that out.
            _ if matches!(self.table.host_path(path), Ok(Some(_))) => m.len,
            _ => {
                let start = match self.table.read_at(path, 0, 0).await {
                    Ok(chunk) => chunk.offset,
                    Err(_) => 0,
                };
                start.saturating_add(m.len)
            }
        };
        Ok((m, size))
    }

    fn attr(&self, ino: u64, m: &Metadata, size: u64) -> FileAttr {
        let (kind, perm, nlink) = match m.kind {
            FileKind::Dir => (FileType::Directory, 0o700, 2),
            _ if m.writable => (FileType::RegularFile, 0o600, 1),
            _ => (FileType::RegularFile, 0o400, 1),
        };
        let time = m.modified.unwrap_or(self.born);
        FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: time,
            mtime: time,
            ctime: time,
            crtime: time,
            kind,
            perm,
            nlink,
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        }
    }

    /// The inode number shown for a listed entry: its own if the kernel
    /// holds it, else a stable number from its path (high bit set, so it
    /// never equals an allocated one).
    fn listed_ino(&self, path: &str) -> u64 {
        self.inodes.known(path).unwrap_or_else(|| {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            path.hash(&mut h);
            h.finish() | (1 << 63)
        })
    }
}

/// The errno for a table error: the OS's own code when there is one, else
/// by kind.
pub(crate) fn errno(e: &io::Error) -> Errno {
    let os = e.raw_os_error().or_else(|| {
        PathError::of(e)?
            .source()?
            .downcast_ref::<io::Error>()?
            .raw_os_error()
    });
    if let Some(code) = os {
        return Errno::from_i32(code);
    }
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound => Errno::ENOENT,
        K::IsADirectory => Errno::EISDIR,
        K::NotADirectory => Errno::ENOTDIR,
        K::PermissionDenied => Errno::EACCES,
        K::InvalidInput | K::InvalidData => Errno::EINVAL,
        K::AlreadyExists => Errno::EEXIST,
        K::DirectoryNotEmpty => Errno::ENOTEMPTY,
        K::ReadOnlyFilesystem => Errno::EROFS,
        K::ResourceBusy => Errno::EBUSY,
        K::Unsupported => Errno::EOPNOTSUPP,
        K::WouldBlock => Errno::EAGAIN,
        K::Interrupted => Errno::EINTR,
        _ => Errno::EIO,
    }
}

fn len_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl fuser::Filesystem for Server {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let (sh, dir) = match self.node(parent) {
            Ok(n) => n,
            Err(e) => return reply.error(e),
        };
        // The table names files in UTF-8; no other name can exist in it.
        let Some(name) = name.to_str() else {
            return reply.error(Errno::ENOENT);
        };
        let path = child(&dir, name);
        self.spawn(async move {
            match sh.stat(&path).await {
                Ok((m, size)) => {
                    let ino = sh.inodes.lookup(&path);
                    reply.entry(&TTL, &sh.attr(ino, &m, size), Generation(0));
                }
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        self.shared.inodes.forget(ino.0, nlookup);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        let (sh, path) = match self.node(ino) {
            Ok(n) => n,
            Err(e) => return reply.error(e),
        };
        self.spawn(async move {
            match sh.stat(&path).await {
                Ok((m, size)) => reply.attr(&TTL, &sh.attr(ino.0, &m, size)),
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    /// Only what `open(O_TRUNC)` and `touch` ask of a writable file is
    /// accepted (as a no-op: each write replaces the content anyway);
    /// ownership and modes never change.
    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        _size: Option<u64>,
        _atime: Option<TimeOrNow>,
        _mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        if mode.is_some() || uid.is_some() || gid.is_some() {
            return reply.error(Errno::EPERM);
        }
        let (sh, path) = match self.node(ino) {
            Ok(n) => n,
            Err(e) => return reply.error(e),
        };
        self.spawn(async move {
            match sh.stat(&path).await {
                Ok((m, _)) if m.is_dir() => reply.error(Errno::EISDIR),
                Ok((m, _)) if !m.writable => reply.error(Errno::EACCES),
                Ok((m, size)) => reply.attr(&TTL, &sh.attr(ino.0, &m, size)),
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    fn open(&self, _req: &Request, ino: INodeNo, flags: OpenFlags, reply: ReplyOpen) {
        let (sh, path) = match self.node(ino) {
            Ok(n) => n,
            Err(e) => return reply.error(e),
        };
        let writing = flags.acc_mode() != OpenAccMode::O_RDONLY;
        self.spawn(async move {
            match sh.stat(&path).await {
                Ok((m, _)) if m.is_dir() => reply.error(Errno::EISDIR),
                Ok((m, _)) if writing && !m.writable => reply.error(Errno::EACCES),
                Ok(_) => {
                    let fh = sh.insert(Open::File(Arc::new(OpenFile {
                        path,
                        shift: AtomicU64::new(0),
                    })));
                    // Direct I/O: no page cache, so every read asks the
                    // table and a read past the cached size still happens.
                    reply.opened(fh, FopenFlags::FOPEN_DIRECT_IO);
                }
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    fn read(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let Some(file) = self.file(fh) else {
            return reply.error(Errno::EBADF);
        };
        let sh = Arc::clone(&self.shared);
        let max = usize::try_from(size).unwrap_or(usize::MAX);
        self.spawn(async move {
            let at = offset.saturating_add(file.shift.load(Ordering::Acquire));
            match sh.table.read_at(&file.path, at, max).await {
                Ok(chunk) => {
                    if chunk.offset > at {
                        // Dropped from the ring's front: this file's later
                        // offsets continue after the bytes just given.
                        file.shift
                            .fetch_max(chunk.offset - offset, Ordering::AcqRel);
                    }
                    reply.data(&chunk.data);
                }
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    /// Each `write(2)` is one table write: at offset 0 it replaces the
    /// content, past it it appends (a `ctl` file takes one signal either way).
    fn write(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let Some(file) = self.file(fh) else {
            return reply.error(Errno::EBADF);
        };
        let sh = Arc::clone(&self.shared);
        let data = data.to_vec();
        let mode = if offset == 0 {
            WriteMode::Truncate
        } else {
            WriteMode::Append
        };
        self.spawn(async move {
            match sh.table.write(&file.path, &data, mode).await {
                Ok(()) => reply.written(len_u32(data.len())),
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        self.close(fh);
        reply.ok();
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let (sh, path) = match self.node(ino) {
            Ok(n) => n,
            Err(e) => return reply.error(e),
        };
        self.spawn(async move {
            match sh.table.list(&path).await {
                Ok(list) => {
                    let entries = list.into_iter().map(|e| (e.name, e.kind)).collect();
                    let fh = sh.insert(Open::Dir(Arc::new(OpenDir { path, entries })));
                    reply.opened(fh, FopenFlags::empty());
                }
                Err(e) => reply.error(errno(&e)),
            }
        });
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let Some(dir) = self.dir(fh) else {
            return reply.error(Errno::EBADF);
        };
        let sh = &self.shared;
        let up = if ino.0 == ROOT {
            ROOT
        } else {
            sh.listed_ino(parent(&dir.path))
        };
        let dots = [
            (ino.0, FileType::Directory, "."),
            (up, FileType::Directory, ".."),
        ];
        let listed = dir.entries.iter().map(|(name, kind)| {
            let kind = match kind {
                FileKind::Dir => FileType::Directory,
                FileKind::File | FileKind::Other => FileType::RegularFile,
            };
            (sh.listed_ino(&child(&dir.path, name)), kind, name.as_str())
        });
        let skip = usize::try_from(offset).unwrap_or(usize::MAX);
        for (i, (entry_ino, kind, name)) in dots.into_iter().chain(listed).enumerate().skip(skip) {
            // The offset of an entry is where the next readdir resumes.
            let next = u64::try_from(i).unwrap_or(u64::MAX).saturating_add(1);
            if reply.add(INodeNo(entry_ino), next, kind, Path::new(name)) {
                break;
            }
        }
        reply.ok();
    }

    fn releasedir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        self.close(fh);
        reply.ok();
    }

    // The namespace is the table's: nothing is created, removed or renamed
    // through the mount.

    fn mknod(
        &self,
        _req: &Request,
        _parent: INodeNo,
        _name: &OsStr,
        _mode: u32,
        _umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        reply.error(Errno::EACCES);
    }

    fn mkdir(
        &self,
        _req: &Request,
        _parent: INodeNo,
        _name: &OsStr,
        _mode: u32,
        _umask: u32,
        reply: ReplyEntry,
    ) {
        reply.error(Errno::EACCES);
    }

    fn create(
        &self,
        _req: &Request,
        _parent: INodeNo,
        _name: &OsStr,
        _mode: u32,
        _umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        reply.error(Errno::EACCES);
    }

    fn unlink(&self, _req: &Request, _parent: INodeNo, _name: &OsStr, reply: ReplyEmpty) {
        reply.error(Errno::EACCES);
    }

    fn rmdir(&self, _req: &Request, _parent: INodeNo, _name: &OsStr, reply: ReplyEmpty) {
        reply.error(Errno::EACCES);
    }

    fn rename(
        &self,
        _req: &Request,
        _parent: INodeNo,
        _name: &OsStr,
        _newparent: INodeNo,
        _newname: &OsStr,
        _flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        reply.error(Errno::EACCES);
    }

    fn symlink(
        &self,
        _req: &Request,
        _parent: INodeNo,
        _link_name: &OsStr,
        _target: &Path,
        reply: ReplyEntry,
    ) {
        reply.error(Errno::EACCES);
    }

    fn link(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _newparent: INodeNo,
        _newname: &OsStr,
        reply: ReplyEntry,
    ) {
        reply.error(Errno::EACCES);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_map_to_errno() {
        let path_err = |kind| crate::path_error(kind, "/v/x", "m");
        assert_eq!(errno(&path_err(io::ErrorKind::NotFound)), Errno::ENOENT);
        assert_eq!(errno(&path_err(io::ErrorKind::IsADirectory)), Errno::EISDIR);
        assert_eq!(
            errno(&path_err(io::ErrorKind::NotADirectory)),
            Errno::ENOTDIR
        );
        assert_eq!(
            errno(&path_err(io::ErrorKind::PermissionDenied)),
            Errno::EACCES
        );
        assert_eq!(errno(&path_err(io::ErrorKind::InvalidInput)), Errno::EINVAL);
        assert_eq!(errno(&path_err(io::ErrorKind::Other)), Errno::EIO);
        // An OS error keeps its own code, also wrapped with a path.
        let esrch = crate::os_error("/v/jobs/1/ctl", io::Error::from_raw_os_error(3));
        assert_eq!(errno(&esrch), Errno::ESRCH);
    }
}
