//! Lossless mode: every byte also goes to an anonymous temp file, at the
//! file offset equal to its absolute stream offset.
//!
//! The file never grows past the process's RLIMIT_FSIZE (read when the
//! stream is made): a write past it would raise SIGXFSZ, whose default
//! action kills the whole process, and a library may not change signal
//! dispositions. Spilling stops at the limit instead, as on any write
//! error, and the reason is kept for [`StreamStats`](super::StreamStats).

use std::fmt;
use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::ring::to_u64;
use crate::sys;

/// Why a stream's spill file stopped working (or a read from it failed).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpillError {
    /// Spilling stopped before the file would pass the process's file
    /// size limit (RLIMIT_FSIZE), `limit` bytes: the file holds the bytes
    /// below it.
    FileSizeLimit {
        /// The limit in bytes.
        limit: u64,
    },
    /// Writing the file failed (disk full…); spilling stopped.
    Write {
        /// The error's kind.
        kind: io::ErrorKind,
        /// The OS error number, if there was one.
        errno: Option<i32>,
    },
    /// Reading the file back failed; that read fell back to memory.
    Read {
        /// The error's kind.
        kind: io::ErrorKind,
        /// The OS error number, if there was one.
        errno: Option<i32>,
    },
}

impl SpillError {
    fn write(e: &io::Error) -> SpillError {
        SpillError::Write {
            kind: e.kind(),
            errno: e.raw_os_error(),
        }
    }

    fn read(e: &io::Error) -> SpillError {
        SpillError::Read {
            kind: e.kind(),
            errno: e.raw_os_error(),
        }
    }

    /// Whether spilling stopped because of it (a read error does not stop it).
    fn stops(self) -> bool {
        !matches!(self, SpillError::Read { .. })
    }
}

impl fmt::Display for SpillError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let os = |kind: io::ErrorKind, errno: Option<i32>| match errno {
            Some(n) => io::Error::from_raw_os_error(n).to_string(),
            None => io::Error::from(kind).to_string(),
        };
        match *self {
            SpillError::FileSizeLimit { limit } => {
                write!(f, "spill file reached the file size limit ({limit} bytes)")
            }
            SpillError::Write { kind, errno } => {
                write!(f, "spill file write failed: {}", os(kind, errno))
            }
            SpillError::Read { kind, errno } => {
                write!(f, "spill file read failed: {}", os(kind, errno))
            }
        }
    }
}

impl std::error::Error for SpillError {}

/// The spill file of one stream.
#[derive(Debug)]
pub(crate) struct Spill {
    /// Written with positioned writes under `order`; read with positioned
    /// reads and no lock (bytes below the published end never change).
    file: File,
    /// The file never grows past this (RLIMIT_FSIZE; `u64::MAX`: none).
    limit: u64,
    /// Serializes writers so the file and the ring see writes in the same
    /// order. Holds the next file offset.
    order: Mutex<u64>,
    /// False once a write failed: spilling stops for good.
    active: AtomicBool,
    errors: AtomicU64,
    /// The error that stopped spilling, else the first read error.
    error: Mutex<Option<SpillError>>,
}

impl Spill {
    pub(crate) fn new(file: File) -> Spill {
        Spill::with_limit(file, sys::file_size_limit())
    }

    /// A spill file that must stay below `limit` bytes.
    pub(crate) fn with_limit(file: File, limit: u64) -> Spill {
        Spill {
            file,
            limit,
            order: Mutex::new(0),
            active: AtomicBool::new(true),
            errors: AtomicU64::new(0),
            error: Mutex::new(None),
        }
    }

    /// Takes the writers' lock; the guard holds the next file offset.
    pub(crate) fn lock(&self) -> MutexGuard<'_, u64> {
        self.order.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `data` at `at` (the caller holds the lock) and returns the
    /// file's new end: `at + data.len()`, or less when spilling stopped
    /// here. It stops at the file size limit (what fits is written) or on
    /// a write error: a full disk or a limit must not stop or kill the
    /// producer, the stream just stops being lossless.
    pub(crate) fn append(&self, at: u64, data: &[u8]) -> u64 {
        if !self.is_active() {
            return at;
        }
        let room = self.limit.saturating_sub(at);
        let fits = data.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let (head, over) = data.split_at(fits);
        if let Err(e) = self.file.write_all_at(head, at) {
            self.fail(SpillError::write(&e));
            return at;
        }
        if !over.is_empty() {
            self.fail(SpillError::FileSizeLimit { limit: self.limit });
        }
        at + to_u64(fits)
    }

    /// Fills `buf` with the bytes at absolute offset `at`.
    pub(crate) fn read(&self, at: u64, buf: &mut [u8]) -> io::Result<()> {
        self.file.read_exact_at(buf, at)
    }

    /// Counts a failed read (the follower falls back to memory).
    pub(crate) fn note_read_error(&self, e: &io::Error) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.record(SpillError::read(e));
    }

    fn fail(&self, e: SpillError) {
        self.active.store(false, Ordering::Release);
        self.errors.fetch_add(1, Ordering::Relaxed);
        self.record(e);
    }

    /// Keeps the error that stopped spilling over any read error.
    fn record(&self, e: SpillError) {
        let mut slot = self.error.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none_or(|old| !old.stops() && e.stops()) {
            *slot = Some(e);
        }
    }

    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    pub(crate) fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }

    pub(crate) fn error(&self) -> Option<SpillError> {
        *self.error.lock().unwrap_or_else(|p| p.into_inner())
    }
}
