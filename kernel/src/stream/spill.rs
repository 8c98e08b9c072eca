//! Lossless mode: every byte also goes to an anonymous temp file, at the
//! file offset equal to its absolute stream offset.

use std::fs::File;
use std::io;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};

/// The spill file of one stream.
#[derive(Debug)]
pub(crate) struct Spill {
    /// Written with positioned writes under `order`; read with positioned
    /// reads and no lock (bytes below the published end never change).
    file: File,
    /// Serializes writers so the file and the ring see writes in the same
    /// order. Holds the next file offset.
    order: Mutex<u64>,
    /// False once a write failed: spilling stops for good.
    active: AtomicBool,
    errors: AtomicU64,
}

impl Spill {
    pub(crate) fn new(file: File) -> Spill {
        Spill {
            file,
            order: Mutex::new(0),
            active: AtomicBool::new(true),
            errors: AtomicU64::new(0),
        }
    }

    /// Takes the writers' lock; the guard holds the next file offset.
    pub(crate) fn lock(&self) -> MutexGuard<'_, u64> {
        self.order.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `data` at `*at` (the caller holds the lock). On error the
    /// spill is disabled and the error counted: a full disk must not stop
    /// or crash the producer, the stream just stops being lossless.
    pub(crate) fn append(&self, at: u64, data: &[u8]) -> bool {
        if !self.is_active() {
            return false;
        }
        match self.file.write_all_at(data, at) {
            Ok(()) => true,
            Err(_) => {
                self.active.store(false, Ordering::Release);
                self.errors.fetch_add(1, Ordering::Relaxed);
                false
            }
        }
    }

    /// Fills `buf` with the bytes at absolute offset `at`.
    pub(crate) fn read(&self, at: u64, buf: &mut [u8]) -> io::Result<()> {
        self.file.read_exact_at(buf, at)
    }

    /// Counts a failed read (the follower falls back to memory).
    pub(crate) fn note_read_error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn is_active(&self) -> bool {
        self.active.load(Ordering::Acquire)
    }

    pub(crate) fn errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
    }
}
