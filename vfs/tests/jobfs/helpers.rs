//! Shared test scaffolding: a kernel with its mount table, spawning helpers,
//! and event-driven waits with deadlines (no fixed sleeps).

// Test scaffolding: a failed setup step fails the test, like an unwrap in a #[test].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io;
use std::time::Duration;

use bytes::Bytes;
use corral_kernel::{Cmd, Job, JobOptions, JobState, Kernel, KernelConfig, ProcessSpec};
use corral_vfs::{
    BoxFuture, DirEntry, FileKind, Filesystem, Metadata, MountTable, PathError, VPath,
};
use tokio::time::{timeout_at, Instant};

/// How long any single condition may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// A kernel and the default mount table over it. Dropping it (also when a
/// test panics) drops the kernel, whose Drop terminates every job; `finish`
/// shuts down cleanly.
pub struct Env {
    pub kernel: Kernel,
    pub vfs: MountTable,
}

impl Env {
    pub fn new() -> Env {
        Env::with_config(KernelConfig::default())
    }

    pub fn with_config(config: KernelConfig) -> Env {
        let kernel = Kernel::with_config(config).expect("kernel");
        let vfs = MountTable::new(kernel.clone());
        Env { kernel, vfs }
    }

    /// A process job running `sh -c script`, whose command text is `script`.
    pub fn sh(&self, script: &str) -> Job {
        self.sh_with(script, JobOptions::default())
    }

    /// A process job running `sh -c script` with `$0` set to `fifo` (the
    /// script blocks reading it), whose command text is `script`.
    pub fn sh_gated(&self, script: &str, fifo: &str) -> Job {
        let spec = ProcessSpec::new(script).pipe(Cmd::new("sh").arg("-c").arg(script).arg(fifo));
        self.kernel.spawn_process(spec).expect("spawn sh")
    }

    /// A process job running `argv` directly (no shell in between).
    pub fn cmd(&self, argv: &[&str]) -> Job {
        let mut cmd = Cmd::new(argv[0]);
        for a in &argv[1..] {
            cmd = cmd.arg(a);
        }
        self.kernel
            .spawn_process(ProcessSpec::command(cmd))
            .expect("spawn")
    }

    pub fn sh_with(&self, script: &str, options: JobOptions) -> Job {
        let spec = ProcessSpec::new(script)
            .pipe(Cmd::new("sh").arg("-c").arg(script))
            .options(options);
        self.kernel.spawn_process(spec).expect("spawn sh")
    }

    /// A future job that writes `data` to stdout and exits with `code`.
    pub fn future(&self, name: &str, data: Vec<u8>, code: i32, options: JobOptions) -> Job {
        self.kernel
            .spawn_future(name, options, move |ctx| async move {
                ctx.stdout.write(&data);
                code
            })
            .expect("spawn future")
    }

    /// A future job whose stdout receives whatever is sent on the returned
    /// channel; it exits 0 when the sender is dropped.
    pub fn lockstep(
        &self,
        options: JobOptions,
    ) -> (Job, tokio::sync::mpsc::UnboundedSender<Vec<u8>>) {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let job = self
            .kernel
            .spawn_future("lockstep", options, |ctx| async move {
                while let Some(data) = rx.recv().await {
                    ctx.stdout.write(&data);
                }
                0
            })
            .expect("spawn lockstep");
        (job, tx)
    }

    pub async fn read(&self, path: &str) -> Vec<u8> {
        match self.vfs.read(path).await {
            Ok(b) => b.to_vec(),
            Err(e) => panic!("read {path}: {e}"),
        }
    }

    pub async fn read_str(&self, path: &str) -> String {
        String::from_utf8(self.read(path).await).expect("utf-8")
    }

    pub async fn names(&self, path: &str) -> Vec<String> {
        match self.vfs.list(path).await {
            Ok(v) => v.into_iter().map(|e| e.name).collect(),
            Err(e) => panic!("list {path}: {e}"),
        }
    }

    pub async fn json(&self, path: &str) -> serde_json::Value {
        serde_json::from_slice(&self.read(path).await).expect("info is JSON")
    }

    pub async fn finish(self) {
        self.kernel.shutdown(Duration::from_secs(2)).await;
    }
}

/// Waits until the job's state satisfies `pred`, woken by each state change.
pub async fn until_state(job: &Job, what: &str, pred: impl Fn(JobState) -> bool) -> JobState {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let s = job.state();
        if pred(s) {
            return s;
        }
        if timeout_at(deadline, job.wait_change(s)).await.is_err() {
            let procs: Vec<String> = job
                .pids()
                .iter()
                .map(|p| std::fs::read_to_string(format!("/proc/{p}/stat")).unwrap_or_default())
                .collect();
            panic!("timed out waiting for {what}; state is {s:?}; processes: {procs:?}");
        }
    }
}

/// Waits (following the file, so woken by each write) until its content
/// contains `needle`.
pub async fn until_output(vfs: &MountTable, path: &str, needle: &str) {
    let deadline = Instant::now() + DEADLINE;
    let mut follow = vfs.follow(path, 0).await.expect("follow");
    let mut seen = Vec::new();
    loop {
        if String::from_utf8_lossy(&seen).contains(needle) {
            return;
        }
        match timeout_at(deadline, follow.next_chunk()).await {
            Err(_) => panic!("timed out waiting for {needle:?} in {path}"),
            Ok(Ok(Some(chunk))) => seen.extend_from_slice(&chunk.data),
            Ok(Ok(None)) => panic!("{path} ended without {needle:?}"),
            Ok(Err(e)) => panic!("follow {path}: {e}"),
        }
    }
}

/// Runs `fut` with the deadline.
pub async fn within<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// Makes a FIFO named `name` in `dir` and returns its path. A job that reads
/// it blocks until the test writes a line there: a gate the test opens once
/// the condition it checks holds.
pub fn mkfifo(dir: &std::path::Path, name: &str) -> String {
    let fifo = dir.join(name);
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", fifo.display());
    fifo.to_str().expect("utf-8 temp path").to_string()
}

/// Asserts an error's kind and its full message.
pub fn assert_err(e: &io::Error, kind: io::ErrorKind, message: &str) {
    assert_eq!(e.kind(), kind, "{e}");
    assert_eq!(e.to_string(), message);
}

/// Asserts the error names the path as typed.
pub fn assert_names(e: &io::Error, path: &str) {
    let pe = PathError::of(e).unwrap_or_else(|| panic!("no PathError in {e:?}"));
    assert_eq!(pe.path(), path, "{e}");
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 24
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'.',
            23 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

/// A tiny in-memory filesystem an embedder might mount: fixed files in one directory.
pub struct MemFs {
    pub files: HashMap<String, Bytes>,
}

impl MemFs {
    pub fn new(files: &[(&str, &str)]) -> MemFs {
        MemFs {
            files: files
                .iter()
                .map(|(k, v)| (k.to_string(), Bytes::from(v.to_string())))
                .collect(),
        }
    }

    fn get(&self, path: VPath<'_>) -> io::Result<Option<Bytes>> {
        if path.is_root() {
            return Ok(None);
        }
        self.files
            .get(path.rel())
            .cloned()
            .map(Some)
            .ok_or_else(|| path.not_found("no such memory file"))
    }
}

impl Filesystem for MemFs {
    fn read<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Bytes>> {
        Box::pin(async move { self.get(path)?.ok_or_else(|| path.is_a_directory()) })
    }

    fn list<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Vec<DirEntry>>> {
        Box::pin(async move {
            match self.get(path)? {
                Some(_) => Err(path.not_a_directory()),
                None => {
                    let mut names: Vec<_> = self.files.keys().cloned().collect();
                    names.sort();
                    Ok(names
                        .into_iter()
                        .map(|n| DirEntry::new(n, FileKind::File))
                        .collect())
                }
            }
        })
    }

    fn stat<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Metadata>> {
        Box::pin(async move {
            Ok(match self.get(path)? {
                Some(b) => Metadata::file(b.len() as u64),
                None => Metadata::dir(),
            })
        })
    }
}
