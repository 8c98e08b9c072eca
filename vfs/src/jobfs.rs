//! [`JobFs`]: a kernel's job table as files, normally mounted at `/v/jobs`.
//!
//! ```text
//! /v/jobs/              one directory per job id, ascending
//! /v/jobs/<id>/stdout   the stdout ring: the bytes held now, as written, nothing added
//! /v/jobs/<id>/stderr   likewise for stderr
//! /v/jobs/<id>/status   one line: running | stopped | done:0 | failed:<code> | killed:<128+signo>
//! /v/jobs/<id>/command  the command text as written, and a newline
//! /v/jobs/<id>/pid      member pids, one per line (a future job: its anchor's, or none)
//! /v/jobs/<id>/info     one JSON object (see below)
//! /v/jobs/<id>/ctl      write one signal name or number to signal the job
//! ```
//!
//! Every read looks at the live job: `stdout`/`stderr` are a copy of what
//! the ring holds at that instant (one memcpy under the ring's lock, which
//! is all the writer can wait for), `stat` sizes are true at the time of the
//! call, and a finished job's files stay readable until its record leaves
//! the table. Following `stdout`/`stderr` waits on the ring without polling
//! and ends when the job's stream closes; following any other file gives
//! its current text and ends.
//!
//! `info` holds `id`, `command`, `kind` (`process`/`future`), `status` (as
//! in `status`), `exit_code` (the shell status once finished, 128+N for
//! signal N, else `null`), `signal` (the name of the signal that ended or
//! stopped it, else `null`), `pids`, `pgid` (`null` for future jobs),
//! `started_at`/`ended_at` (RFC 3339 UTC, `ended_at` `null` while it
//! lives), and `stdout`/`stderr` objects with `bytes_written`,
//! `bytes_dropped` and `bytes_held`.
//!
//! Only `ctl` is writable: one signal per write (`TERM`, `SIGKILL`, `kill`,
//! `9`, surrounding whitespace ignored, so `echo TERM > ctl` works).
//! Reading `ctl` gives nothing. Every other write is `PermissionDenied`.
//!
//! # Shorthands
//!
//! A job directory can also be named by a shorthand, resolved at every
//! access (so it follows the jobs as they change) and never listed:
//!
//! ```text
//! /v/jobs/last      the newest job (the highest number)
//! /v/jobs/%%, %+, % the current job (the shell's `%+`; when it has none, the newest)
//! /v/jobs/%-        the previous job (the shell's `%-`)
//! /v/jobs/%N        job N
//! /v/jobs/%name     the one job whose command starts with `name`
//! /v/jobs/%?text    the one job whose command contains `text`
//! ```
//!
//! The current and previous jobs are the embedder's notion: a shell
//! publishes them in [`JobMarks`] (see [`JobFs::with_marks`]). A name that
//! fits more than one job is an error (`ambiguous job spec`), as in bash.

use std::io;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use corral_kernel::{Chunk, Error as KernelError, Job, Kernel, OutputStream, Signal};

use crate::follow::FollowStream;
use crate::fs::{
    slice_chunk, BoxFuture, DirEntry, FileKind, Filesystem, Metadata, VPath, WriteMode,
};
use crate::info;

/// The files of a job directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum JobFile {
    Stdout,
    Stderr,
    Status,
    Command,
    Pid,
    Info,
    Ctl,
}

impl JobFile {
    /// In listing order.
    const ALL: [JobFile; 7] = [
        JobFile::Stdout,
        JobFile::Stderr,
        JobFile::Status,
        JobFile::Command,
        JobFile::Pid,
        JobFile::Info,
        JobFile::Ctl,
    ];

    fn name(self) -> &'static str {
        match self {
            JobFile::Stdout => "stdout",
            JobFile::Stderr => "stderr",
            JobFile::Status => "status",
            JobFile::Command => "command",
            JobFile::Pid => "pid",
            JobFile::Info => "info",
            JobFile::Ctl => "ctl",
        }
    }

    fn parse(name: &str) -> Option<JobFile> {
        JobFile::ALL.into_iter().find(|f| f.name() == name)
    }
}

/// What a path below the mount names.
enum Node {
    Root,
    Dir(Job),
    File(Job, JobFile),
}

/// The current (`%+`) and previous (`%-`) job numbers an embedder (a
/// shell's job table) publishes for the `%%`/`%+`/`%-` shorthands. Cheap
/// to clone; clones share the numbers.
#[derive(Clone, Debug, Default)]
pub struct JobMarks(Arc<[AtomicU64; 2]>);

impl JobMarks {
    /// No current or previous job yet.
    pub fn new() -> JobMarks {
        JobMarks::default()
    }

    /// Publishes the current and previous job numbers.
    pub fn set(&self, current: Option<u64>, previous: Option<u64>) {
        self.0[0].store(current.unwrap_or(0), Ordering::Release);
        self.0[1].store(previous.unwrap_or(0), Ordering::Release);
    }

    /// The current job's number (job numbers start at 1; 0 is none).
    pub fn current(&self) -> Option<u64> {
        Some(self.0[0].load(Ordering::Acquire)).filter(|&n| n > 0)
    }

    /// The previous job's number.
    pub fn previous(&self) -> Option<u64> {
        Some(self.0[1].load(Ordering::Acquire)).filter(|&n| n > 0)
    }
}

/// The job table of a [`Kernel`] as a [`Filesystem`]. See the [module docs](self).
#[derive(Clone, Debug)]
pub struct JobFs {
    kernel: Kernel,
    marks: Option<JobMarks>,
}

impl JobFs {
    /// A view of `kernel`'s jobs (it keeps a handle to the kernel).
    pub fn new(kernel: Kernel) -> JobFs {
        JobFs {
            kernel,
            marks: None,
        }
    }

    /// The same view, with `%%`, `%+` and `%-` taken from `marks`.
    pub fn with_marks(mut self, marks: JobMarks) -> JobFs {
        self.marks = Some(marks);
        self
    }

    /// The job number a directory name stands for (see the module docs).
    fn number(&self, path: VPath<'_>, name: &str) -> io::Result<u64> {
        let newest = || self.kernel.visible_numbers().last().copied();
        let found = if let Some(n) = parse_number(name) {
            Some(n)
        } else if name == "last" {
            newest()
        } else if let Some(spec) = name.strip_prefix('%') {
            match spec {
                "" | "%" | "+" => self
                    .marks
                    .as_ref()
                    .and_then(JobMarks::current)
                    .or_else(newest),
                "-" => self.marks.as_ref().and_then(JobMarks::previous),
                _ => match parse_number(spec) {
                    Some(n) => Some(n),
                    None => self.by_command(path, spec)?,
                },
            }
        } else {
            None
        };
        found.ok_or_else(|| path.not_found("no such job"))
    }

    /// The one visible job `%name` (command starts with it) or `%?text`
    /// (command contains it) names.
    fn by_command(&self, path: VPath<'_>, spec: &str) -> io::Result<Option<u64>> {
        let fits: Box<dyn Fn(&str) -> bool> = match spec.strip_prefix('?') {
            Some(text) => Box::new(move |c: &str| c.contains(text)),
            None => Box::new(move |c: &str| c.starts_with(spec)),
        };
        let mut found = None;
        for n in self.kernel.visible_numbers() {
            let Some(job) = self.kernel.job_by_number(n) else {
                continue;
            };
            if fits(job.command()) {
                if found.is_some() {
                    return Err(path.error(io::ErrorKind::NotFound, "ambiguous job spec"));
                }
                found = Some(n);
            }
        }
        Ok(found)
    }

    /// The kernel it shows.
    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// Resolves a path to a node, with the errors a user should see.
    fn node(&self, path: VPath<'_>) -> io::Result<Node> {
        let mut parts = path.components();
        let Some(id) = parts.next() else {
            return Ok(Node::Root);
        };
        let job = self
            .kernel
            .job_by_number(self.number(path, id)?)
            .ok_or_else(|| path.not_found("no such job"))?;
        let Some(name) = parts.next() else {
            return Ok(Node::Dir(job));
        };
        let Some(file) = JobFile::parse(name) else {
            return Err(path.not_found("no such file in job directory"));
        };
        if parts.next().is_some() {
            return Err(path.not_a_directory());
        }
        Ok(Node::File(job, file))
    }

    /// A file's node, or `IsADirectory`.
    fn file(&self, path: VPath<'_>) -> io::Result<(Job, JobFile)> {
        match self.node(path)? {
            Node::File(job, file) => Ok((job, file)),
            Node::Root | Node::Dir(_) => Err(path.is_a_directory()),
        }
    }

    fn read_now(&self, path: VPath<'_>) -> io::Result<Bytes> {
        let (job, file) = self.file(path)?;
        Ok(match stream_of(&job, file) {
            Some(s) => s.snapshot().data,
            None => Bytes::from(text(&job, file)),
        })
    }

    fn read_at_now(&self, path: VPath<'_>, offset: u64, max: usize) -> io::Result<Chunk> {
        let (job, file) = self.file(path)?;
        Ok(match stream_of(&job, file) {
            Some(s) => s.read_from(offset, max),
            None => slice_chunk(Bytes::from(text(&job, file)), offset, max),
        })
    }

    fn follow_now(&self, path: VPath<'_>, from: u64) -> io::Result<FollowStream> {
        let (job, file) = self.file(path)?;
        Ok(match stream_of(&job, file) {
            Some(s) => FollowStream::from_output(s.follow(from)),
            None => {
                FollowStream::once(slice_chunk(Bytes::from(text(&job, file)), from, usize::MAX))
            }
        })
    }

    fn list_now(&self, path: VPath<'_>) -> io::Result<Vec<DirEntry>> {
        match self.node(path)? {
            Node::Root => Ok(self
                .kernel
                .visible_numbers()
                .into_iter()
                .map(|n| DirEntry {
                    name: n.to_string(),
                    kind: FileKind::Dir,
                })
                .collect()),
            Node::Dir(_) => Ok(JobFile::ALL
                .iter()
                .map(|f| DirEntry::new(f.name(), FileKind::File))
                .collect()),
            Node::File(..) => Err(path.not_a_directory()),
        }
    }

    fn stat_now(&self, path: VPath<'_>) -> io::Result<Metadata> {
        Ok(match self.node(path)? {
            Node::Root => Metadata::dir(),
            Node::Dir(job) => Metadata::dir().with_modified(Some(changed(&job))),
            Node::File(job, file) => {
                let len = match stream_of(&job, file) {
                    Some(s) => s.stats().held,
                    None if file == JobFile::Ctl => 0,
                    None => u64::try_from(text(&job, file).len()).unwrap_or(u64::MAX),
                };
                Metadata::file(len)
                    .with_modified(Some(changed(&job)))
                    .with_writable(file == JobFile::Ctl)
            }
        })
    }

    fn write_now(&self, path: VPath<'_>, data: &[u8]) -> io::Result<()> {
        let (job, file) = self.file(path)?;
        if file != JobFile::Ctl {
            return Err(path.read_only());
        }
        let signal = parse_ctl(data).map_err(|bad| {
            path.error(
                io::ErrorKind::InvalidInput,
                format!("{bad}: invalid signal; {}", accepted_signals()),
            )
        })?;
        job.signal(signal).map_err(|e| kernel_error(path, e))
    }
}

impl Filesystem for JobFs {
    fn read<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Bytes>> {
        Box::pin(std::future::ready(self.read_now(path)))
    }

    fn read_at<'a>(
        &'a self,
        path: VPath<'a>,
        offset: u64,
        max: usize,
    ) -> BoxFuture<'a, io::Result<Chunk>> {
        Box::pin(std::future::ready(self.read_at_now(path, offset, max)))
    }

    fn follow<'a>(&'a self, path: VPath<'a>, from: u64) -> BoxFuture<'a, io::Result<FollowStream>> {
        Box::pin(std::future::ready(self.follow_now(path, from)))
    }

    fn list<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Vec<DirEntry>>> {
        Box::pin(std::future::ready(self.list_now(path)))
    }

    fn stat<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Metadata>> {
        Box::pin(std::future::ready(self.stat_now(path)))
    }

    /// Only `ctl` is writable; the mode does not matter there.
    fn write<'a>(
        &'a self,
        path: VPath<'a>,
        data: &'a [u8],
        _mode: WriteMode,
    ) -> BoxFuture<'a, io::Result<()>> {
        Box::pin(std::future::ready(self.write_now(path, data)))
    }
}

/// A job number as a directory name: decimal digits, no sign, no leading
/// zero, so each job has exactly one name.
fn parse_number(name: &str) -> Option<u64> {
    let canonical = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_digit())
        && (name == "0" || !name.starts_with('0'));
    if !canonical {
        return None;
    }
    name.parse().ok()
}

fn stream_of(job: &Job, file: JobFile) -> Option<&OutputStream> {
    match file {
        JobFile::Stdout => Some(job.stdout()),
        JobFile::Stderr => Some(job.stderr()),
        _ => None,
    }
}

/// The text of a small file (not the streams).
fn text(job: &Job, file: JobFile) -> String {
    match file {
        JobFile::Status => info::status(job.state()),
        JobFile::Command => info::command(job.command()),
        JobFile::Pid => info::pids(&job.pids()),
        JobFile::Info => {
            let i = job.info();
            info::info(&i)
        }
        JobFile::Ctl | JobFile::Stdout | JobFile::Stderr => String::new(),
    }
}

/// When the job last changed state as far as we know: its end, else its start.
fn changed(job: &Job) -> SystemTime {
    let i = job.snapshot();
    i.ended_at.unwrap_or(i.started_at)
}

/// What a write to `ctl` means: one signal name or number per write
/// (whitespace trimmed). `Err` carries the input as the user wrote it, quoted,
/// for the error message.
pub fn parse_ctl(data: &[u8]) -> Result<Signal, String> {
    let text = String::from_utf8_lossy(data);
    let word = text.trim();
    if word.is_empty() {
        return Err("''".to_string());
    }
    if word.split_whitespace().nth(1).is_some() {
        return Err(format!("'{word}'"));
    }
    Signal::parse(word).map_err(|_| format!("'{word}'"))
}

/// What `ctl` accepts, for the error message.
fn accepted_signals() -> String {
    let names: Vec<String> = Signal::all()
        .map(Signal::name)
        .filter(|n| !n.starts_with("RT"))
        .collect();
    format!(
        "write one signal name or number: {}, RTMIN+n, RTMAX-n \
         (with or without SIG, any case) or 1-64",
        names.join(" ")
    )
}

/// A kernel error from signalling, as an `io::Error` naming the `ctl` path.
fn kernel_error(path: VPath<'_>, e: KernelError) -> io::Error {
    match e {
        KernelError::NoSuchJob(_) => path.not_found("no such job"),
        KernelError::JobFinished(_) => path.error(io::ErrorKind::Other, "job has already finished"),
        KernelError::InvalidSignal(s) => {
            path.error(io::ErrorKind::InvalidInput, format!("{s}: invalid signal"))
        }
        KernelError::SignalFailed { source, .. } => path.os_error(source),
        other => path.error(io::ErrorKind::Other, other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_have_one_spelling() {
        assert_eq!(parse_number("1"), Some(1));
        assert_eq!(parse_number("0"), Some(0));
        assert_eq!(parse_number("12345"), Some(12345));
        for bad in ["", "01", "+1", "-1", "1a", " 1", "99999999999999999999999"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn ctl_takes_one_signal() {
        assert_eq!(parse_ctl(b"TERM\n"), Ok(Signal::TERM));
        assert_eq!(parse_ctl(b"  sigkill \r\n"), Ok(Signal::KILL));
        assert_eq!(parse_ctl(b"9"), Ok(Signal::KILL));
        assert_eq!(parse_ctl(b"STOP"), Ok(Signal::STOP));
        assert!(parse_ctl(b"").is_err());
        assert!(parse_ctl(b"\n").is_err());
        assert!(parse_ctl(b"TERM KILL").is_err());
        assert!(parse_ctl(b"QQQ").is_err());
        assert!(parse_ctl(b"0").is_err());
        assert!(parse_ctl(&[0xff, 0xfe]).is_err());
        let msg = accepted_signals();
        for name in ["HUP", "INT", "KILL", "TERM", "STOP", "CONT", "USR1"] {
            assert!(msg.contains(name), "{msg}");
        }
    }
}
