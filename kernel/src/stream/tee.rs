//! A job's output file: every byte its streams take in is also appended to
//! one file, as it arrives (see [`OutputFile`](crate::OutputFile)).

use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::sys;

/// One file shared by a job's two streams (stdout and stderr interleave
/// in the order their bytes arrived). Written under the writing stream's
/// lock, so the file holds each stream's bytes in stream order.
#[derive(Debug)]
pub(crate) struct Tee {
    file: File,
    /// Stop below the process's RLIMIT_FSIZE: passing it raises SIGXFSZ,
    /// which would kill the embedder.
    limit: u64,
    written: AtomicU64,
    failed: AtomicBool,
}

impl Tee {
    /// Appends to `file` (opened for appending).
    pub(crate) fn new(file: File) -> Tee {
        Tee {
            file,
            limit: sys::file_size_limit(),
            written: AtomicU64::new(0),
            failed: AtomicBool::new(false),
        }
    }

    /// Appends `data`; after an error or at the size limit the file stops
    /// growing ([`failed`](Self::failed) then says so).
    pub(crate) fn append(&self, data: &[u8]) {
        if self.failed.load(Ordering::Relaxed) {
            return;
        }
        let n = data.len() as u64;
        let at = self.written.fetch_add(n, Ordering::Relaxed);
        if at.saturating_add(n) > self.limit || (&self.file).write_all(data).is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
    }
}
