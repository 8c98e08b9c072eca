//! The kernel's one error type.

use std::ffi::OsString;
use std::io;

use crate::job::JobId;

/// Everything a kernel call can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No job with this id is in the table (never existed, or removed).
    #[error("job {0}: no such job")]
    NoSuchJob(JobId),
    /// The job has already finished; the operation needs a live job.
    #[error("job {0}: job has already finished")]
    JobFinished(JobId),
    /// The job is still running (or stopped); the operation needs a finished one.
    #[error("job {0}: job is still running")]
    StillRunning(JobId),
    /// The program was not found on PATH (exit status 127).
    #[error("{}: command not found", .command.to_string_lossy())]
    CommandNotFound {
        /// The program as given, byte for byte.
        command: OsString,
    },
    /// The program exists but may not be executed (exit status 126).
    #[error("{}: permission denied", .command.to_string_lossy())]
    PermissionDenied {
        /// The program as given, byte for byte.
        command: OsString,
    },
    /// The working directory given for the job does not exist or is not a directory.
    #[error("{path}: {source}")]
    BadDirectory {
        /// The directory as given.
        path: String,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// Any other failure to start a process (pipes, fork, exec).
    #[error("{command}: {source}")]
    Spawn {
        /// The program that failed to start.
        command: String,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// The running-job limit is reached; nothing was started.
    #[error("job limit reached: {limit} jobs are already running")]
    LimitReached {
        /// The configured maximum of running jobs.
        limit: usize,
    },
    /// Not a signal name or number of this platform.
    #[error("{0}: invalid signal specification")]
    InvalidSignal(String),
    /// Delivering a signal failed.
    #[error("job {job}: cannot send {signal}: {source}")]
    SignalFailed {
        /// The job addressed.
        job: JobId,
        /// The signal's name.
        signal: String,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
    /// A pipeline with no commands, or a command with an empty program name.
    #[error("empty command")]
    EmptyCommand,
    /// The kernel is shutting down and takes no new jobs.
    #[error("the kernel is shutting down")]
    ShuttingDown,
    /// Called outside a tokio runtime (with I/O, time and signal drivers);
    /// nothing was started.
    #[error("no tokio runtime: the kernel must be used from within one")]
    NoRuntime,
    /// A wait for any of some jobs named no job in the table.
    #[error("no job to wait for")]
    NoJobs,
    /// The job belongs to another owner (or to none) than the
    /// [`Scope`](crate::Scope) used; it was left untouched.
    #[error("job {job}: not a job of {owner}")]
    Forbidden {
        /// The job addressed.
        job: JobId,
        /// The scope's owner.
        owner: String,
    },
    /// The new job would be deeper than the kernel's
    /// [`max_depth`](crate::KernelConfig::max_depth); nothing was started.
    #[error("job {parent}: depth limit reached ({limit})")]
    DepthLimit {
        /// The parent named.
        parent: JobId,
        /// The limit.
        limit: usize,
    },
    /// The parent has [`max_children`](crate::KernelConfig::max_children)
    /// live children already; nothing was started.
    #[error("job {parent}: children limit reached ({limit})")]
    ChildrenLimit {
        /// The parent named.
        parent: JobId,
        /// The limit.
        limit: usize,
    },
    /// An ancestor has [`max_descendants`](crate::KernelConfig::max_descendants)
    /// live descendants already; nothing was started.
    #[error("job {ancestor}: descendants limit reached ({limit})")]
    DescendantsLimit {
        /// The ancestor at its limit.
        ancestor: JobId,
        /// The limit.
        limit: usize,
    },
    /// The parent started [`spawn_rate`](crate::KernelConfig::spawn_rate)
    /// children within the window already; nothing was started.
    #[error("job {parent}: spawn rate limit reached ({count} per {window:?})")]
    SpawnRate {
        /// The parent named.
        parent: JobId,
        /// Most spawns per window.
        count: u32,
        /// The window.
        window: std::time::Duration,
    },
    /// An I/O error outside spawning (output spill file, pipes).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// What the OS said.
        #[source]
        source: io::Error,
    },
}

/// Shorthand for results of kernel calls.
pub type Result<T, E = Error> = std::result::Result<T, E>;
