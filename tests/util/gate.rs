//! A gate a job waits on until the test opens it: a FIFO in a temp dir that
//! the job reads one line from (`head -n 1 PATH`). The job's end is then
//! the test's decision, not a timer's: no `sleep N` that must outlast the
//! test's steps under load.
#![allow(dead_code)] // a toolbox: not every test uses every helper

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

/// A FIFO and, once opened, the write end the test holds.
pub struct Gate {
    _dir: tempfile::TempDir,
    path: PathBuf,
    /// Held until drop: a line written to a FIFO that every end closes
    /// before the reader opens it would be lost.
    held: Option<File>,
}

impl Gate {
    /// A new, closed gate.
    pub fn new() -> Gate {
        let dir = tempfile::tempdir().expect("temp dir for a gate");
        let path = dir.path().join("gate");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo");
        Gate {
            _dir: dir,
            path,
            held: None,
        }
    }

    /// The FIFO's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A command that waits for the gate and exits 0 once it opens.
    pub fn command(&self) -> String {
        format!("head -n 1 {}", self.path.display())
    }

    /// The argv of [`Gate::command`], as /proc shows it.
    pub fn argv(&self) -> Vec<String> {
        self.command().split(' ').map(str::to_string).collect()
    }

    /// Opens the gate: writes one line. Opening read-write never blocks on
    /// Linux, whether the reader has opened the FIFO yet or not.
    pub fn open(&mut self) {
        let mut f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&self.path)
            .expect("open the gate's FIFO");
        f.write_all(b"go\n").expect("write to the gate");
        self.held = Some(f);
    }
}
