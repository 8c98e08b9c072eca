//! Serving a [`MountTable`] through FUSE, so every program on the host
//! (`grep`, `less`, `jq`, GNU `tail -f`, another terminal) can read it.
//!
//! # The model
//!
//! [`FuseMount::mount`] shows one directory of the table (its *subtree*,
//! e.g. `/v`) at a host directory: `<dir>/jobs/3/stdout` is the table's
//! `/v/jobs/3/stdout`. fuser's session thread takes each request and asks
//! the table in the caller's Tokio runtime: an answer that is ready at once
//! is sent from there, one that must wait goes on as a task, so a slow read
//! never holds up the others. Dropping the [`FuseMount`] (or
//! [`FuseMount::unmount`]) unmounts it and leaves the directory, empty; a
//! mount left by a process that died is removed by [`clean_stale`].
//!
//! - **Owner only.** The mount is not `allow_other`: the kernel refuses
//!   every other user (root included, when the owner is not root).
//!   Directories show mode 0700, files 0400, writable files (`ctl`) 0600,
//!   all owned by the mounting process's uid and gid.
//! - **Always current.** Attribute and entry TTLs are 0 and files are opened
//!   with direct I/O: no page cache, every `stat` and `read` asks the table
//!   (a shared `mmap` is refused; the private mappings readers use work).
//! - **Offsets are the VFS's.** A file offset is the table's absolute
//!   offset: for a job's `stdout`, byte *n* is the *n*-th byte the job ever
//!   wrote, wherever the ring's start is now. `st_size` is the end of the
//!   stream: the offset where the table's `read_at(0)` starts (the oldest
//!   byte held, the ring's start) plus the bytes held (the table's
//!   `stat`). Until a ring first drops bytes, that is exactly the table's
//!   size. A read at an offset still held returns the table's `read_at`
//!   bytes; at or past the end, 0 bytes (EOF). Finding the start costs a
//!   `read_at(path, 0, 0)` per `stat` of a file that is not a host file:
//!   nothing for JobFs, but a whole read for a filesystem that keeps the
//!   trait's default `read_at` (implement it).
//! - **A start that moves.** A read at an offset already dropped from the
//!   ring's front returns the oldest bytes held instead (as `read_at`
//!   does), and that open file's later offsets are shifted by the gap, so a
//!   sequential reader gets the held bytes contiguously and goes on where
//!   they end. `cat` therefore prints exactly what is held; a reader that
//!   falls more than the ring's cap behind skips what was lost and keeps
//!   going.
//!
//!   Why this mapping: GNU `tail -f` on FUSE (a "remote" filesystem to it,
//!   so it polls `fstat` once a second) prints new data when `st_size`
//!   grows, reads from its own file position up to `st_size`, and treats a
//!   size below its position as truncation (reprinting from 0). Offsets
//!   that never move and a size that only grows keep all three true as the
//!   ring's start moves; a size of "bytes held" would freeze at the cap
//!   once the ring is full (tail would stop showing lines) and slide the
//!   bytes under every reader's position.
//!
//!   Corners: `wc -c` and `stat` report the stream's end, which counts
//!   dropped bytes; a program that seeks back into dropped bytes (`tail -n`
//!   asking for more lines than are held) reads held bytes at the wrong
//!   position. A table filesystem whose `stat` size does not count from its
//!   `read_at(0)` start (a lossless job stream that spills to disk reports
//!   the bytes held in memory) shows a size short of the end; reads still
//!   reach the end.
//! - **Writes.** Each `write(2)` is one table write, replacing the content
//!   at offset 0 and appending past it; `echo TERM > …/ctl` signals the job.
//!   `open(O_TRUNC)` of a writable file is accepted. Nothing can be
//!   created, removed, renamed, chmod-ed or chown-ed through the mount.
//! - **Directories** list the table's entries as they were at `opendir`.
//! - **Errors** map by kind: `NotFound` → `ENOENT`, `IsADirectory` →
//!   `EISDIR`, `NotADirectory` → `ENOTDIR`, `PermissionDenied` → `EACCES`,
//!   `InvalidInput` → `EINVAL`; an OS error keeps its own errno; anything
//!   else is `EIO`. Writing to a read-only file is `EACCES`, changing
//!   modes or owners `EPERM`.
//!
//! # Needs
//!
//! Linux with `/dev/fuse`. The crate is pure Rust (fuser without libfuse;
//! no pkg-config, no C library). As root the mount is a direct `mount(2)`;
//! other users need the setuid helper `fusermount3` (Debian: `apt-get
//! install fuse3`), which fuser runs when `mount(2)` is refused.
//!
//! # Example
//!
//! ```no_run
//! # async fn demo(kernel: corral_kernel::Kernel) -> Result<(), Box<dyn std::error::Error>> {
//! use corral_vfs::fuse::{clean_stale, FuseMount};
//! use corral_vfs::MountTable;
//!
//! let dir = std::path::Path::new("/tmp/corral-0/1234/v");
//! clean_stale(dir)?; // a mount left there by a crashed session
//! let mount = FuseMount::mount(MountTable::new(kernel), "/v", dir)?;
//! // grep, tail -f, less … now read mount.path().join("jobs/1/stdout").
//! drop(mount); // unmounted
//! # Ok(())
//! # }
//! ```

mod inodes;
mod ops;
mod sys;

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use crate::MountTable;

/// What can go wrong mounting, unmounting or cleaning a FUSE mount.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FuseError {
    /// [`FuseMount::mount`] was called outside a Tokio runtime.
    #[error("serving FUSE needs a Tokio runtime: mount from within one")]
    NoRuntime,
    /// The subtree to serve is not an absolute path.
    #[error("{subtree}: cannot serve this subtree: {source}")]
    Subtree {
        /// The subtree as given.
        subtree: String,
        /// Why it was refused.
        source: io::Error,
    },
    /// `/dev/fuse` does not exist (no FUSE in this kernel or container).
    #[error("FUSE is not available: /dev/fuse does not exist")]
    NoDevice,
    /// The mount directory could not be created or made private.
    #[error("{}: cannot prepare the mount directory: {source}", dir.display())]
    MountDir {
        /// The directory.
        dir: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The kernel (or `fusermount3`) refused the mount.
    #[error("{}: cannot mount FUSE: {source}", dir.display())]
    Mount {
        /// The directory.
        dir: PathBuf,
        /// What the OS or the helper said.
        source: io::Error,
    },
    /// Unmounting failed, even lazily.
    #[error("{}: cannot unmount: {source}", dir.display())]
    Unmount {
        /// The directory.
        dir: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// [`clean_stale`] found something other than FUSE mounted there and
    /// left it alone.
    #[error("{}: not a FUSE mount ({fstype}); left alone", dir.display())]
    NotFuse {
        /// The directory.
        dir: PathBuf,
        /// The filesystem type mounted there.
        fstype: String,
    },
    /// [`clean_stale`] could not read the mount table or remove the directory.
    #[error("{}: cannot clean up: {source}", dir.display())]
    Clean {
        /// The directory.
        dir: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
}

/// A [`MountTable`] subtree served through FUSE at a host directory;
/// unmounted on drop. See the [module docs](self).
#[derive(Debug)]
pub struct FuseMount {
    dir: PathBuf,
    session: Option<fuser::BackgroundSession>,
}

impl FuseMount {
    /// Serves `table`'s directory `subtree` (e.g. `/v`) at `dir`, creating
    /// `dir` if needed and making it 0700. Must be called within a Tokio
    /// runtime, which answers the requests (a multi-thread runtime, or one
    /// that is not blocked on a program reading the mount). Blocks for the
    /// mount itself (a `mount(2)` and the FUSE handshake).
    ///
    /// # Errors
    /// [`FuseError::NoRuntime`], [`FuseError::Subtree`] (a relative
    /// subtree), [`FuseError::NoDevice`] (no `/dev/fuse`),
    /// [`FuseError::MountDir`] (the directory cannot be created, or is a
    /// dead mount: [`clean_stale`] it first) or [`FuseError::Mount`] (the
    /// kernel refused: no privilege and no `fusermount3`, or a container
    /// that forbids mounting).
    pub fn mount(table: MountTable, subtree: &str, dir: &Path) -> Result<FuseMount, FuseError> {
        let rt = tokio::runtime::Handle::try_current().map_err(|_| FuseError::NoRuntime)?;
        let root = crate::normalize(subtree).map_err(|source| FuseError::Subtree {
            subtree: subtree.to_string(),
            source,
        })?;
        if !Path::new(sys::DEV_FUSE).exists() {
            return Err(FuseError::NoDevice);
        }
        let dir = prepare_dir(dir)?;
        let server = ops::Server::new(table, &root, rt, sys::owner());
        let mut config = fuser::Config::default();
        config.mount_options = vec![
            fuser::MountOption::FSName("corral".to_string()),
            fuser::MountOption::NoSuid,
            fuser::MountOption::NoDev,
            fuser::MountOption::NoExec,
            fuser::MountOption::NoAtime,
        ];
        config.acl = fuser::SessionACL::Owner;
        // fuser asserts on odd states (/dev/fuse landing on fd 0-2 when
        // stdio is closed); a library must not panic on its caller.
        let spawned = catch_unwind(AssertUnwindSafe(|| {
            fuser::spawn_mount(server, &dir, &config)
        }))
        .unwrap_or_else(|_| Err(io::Error::other("the FUSE library panicked while mounting")));
        match spawned {
            Ok(session) => Ok(FuseMount {
                dir,
                session: Some(session),
            }),
            Err(source) => Err(FuseError::Mount { dir, source }),
        }
    }

    /// The host directory the subtree is served at (canonical).
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Unmounts now: at once if no one uses the mount, else lazily (it
    /// disappears from the namespace at once and ends when the last open
    /// file closes). Dropping does the same, ignoring errors.
    ///
    /// # Errors
    /// [`FuseError::Unmount`] when even the lazy unmount fails.
    pub fn unmount(mut self) -> Result<(), FuseError> {
        self.end()
    }

    fn end(&mut self) -> Result<(), FuseError> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        // Joins the session thread once the kernel ends the connection.
        let Err(busy) = session.umount_and_join() else {
            return Ok(());
        };
        match sys::mount_type_at(&self.dir) {
            Ok(Some(t)) if is_fuse(&t) => {}
            // Gone already (unmounted by someone else).
            Ok(_) => return Ok(()),
            Err(source) => return Err(self.unmount_error(source)),
        }
        sys::detach(&self.dir).map_err(|e| {
            self.unmount_error(io::Error::new(e.kind(), format!("{busy}; lazily: {e}")))
        })
    }

    fn unmount_error(&self, source: io::Error) -> FuseError {
        FuseError::Unmount {
            dir: self.dir.clone(),
            source,
        }
    }
}

impl Drop for FuseMount {
    fn drop(&mut self) {
        // Nothing to report to in a drop; `unmount` gives the error.
        let _ = self.end();
    }
}

/// Cleans up after a process that died with a FUSE mount at `dir`: a lazy
/// unmount of every FUSE mount stacked there, then removes `dir` (which
/// must then be empty). Nothing is read through the mount, so a dead or
/// hung server cannot block it. Returns whether a mount was removed;
/// a missing `dir` is `Ok(false)`.
///
/// Only call it for a directory whose server is known to be gone (a
/// session directory named after a pid that no longer runs): a live mount
/// there is detached too.
///
/// # Errors
/// [`FuseError::NotFuse`] when another kind of filesystem is mounted at
/// `dir` (left alone), [`FuseError::Unmount`] when the unmount is refused,
/// [`FuseError::Clean`] when the mount table cannot be read or `dir`
/// cannot be removed (not empty, no permission).
pub fn clean_stale(dir: &Path) -> Result<bool, FuseError> {
    let dir = absolute(dir).map_err(|source| FuseError::Clean {
        dir: dir.to_path_buf(),
        source,
    })?;
    let clean_err = |source| FuseError::Clean {
        dir: dir.clone(),
        source,
    };
    let mut removed = false;
    // Each pass peels one mount; a few crashes at one path stack a few.
    for _ in 0..64 {
        match sys::mount_type_at(&dir).map_err(clean_err)? {
            Some(t) if is_fuse(&t) => {
                sys::detach(&dir).map_err(|source| FuseError::Unmount {
                    dir: dir.clone(),
                    source,
                })?;
                removed = true;
            }
            Some(fstype) => return Err(FuseError::NotFuse { dir, fstype }),
            None => break,
        }
    }
    match std::fs::remove_dir(&dir) {
        Ok(()) => Ok(removed),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(removed),
        Err(e) => Err(clean_err(e)),
    }
}

fn is_fuse(fstype: &str) -> bool {
    fstype == "fuse" || fstype.starts_with("fuse.")
}

/// `dir` made absolute with its parent resolved (symlinks, `..`) but not
/// itself: resolving a dead mount point fails, and a hung one blocks.
fn absolute(dir: &Path) -> io::Result<PathBuf> {
    let abs = if dir.is_absolute() {
        dir.to_path_buf()
    } else {
        std::env::current_dir()?.join(dir)
    };
    match (abs.parent(), abs.file_name()) {
        (Some(parent), Some(name)) => match parent.canonicalize() {
            Ok(p) => Ok(p.join(name)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(abs),
            Err(e) => Err(e),
        },
        _ => Ok(abs),
    }
}

/// Creates `dir` (and its parents) and makes it 0700; its canonical path.
fn prepare_dir(dir: &Path) -> Result<PathBuf, FuseError> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let err = |source| FuseError::MountDir {
        dir: dir.to_path_buf(),
        source,
    };
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .map_err(err)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    dir.canonicalize().map_err(err)
}
