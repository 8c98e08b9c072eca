//! The plain data a job is described by: ids, pids, kinds, states, snapshots, events.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, SystemTime};

use crate::signal::Signal;
use crate::stream::StreamStats;
use crate::supervise::{OrphanPolicy, RestartPolicy, StopCause};

/// A job's id: given to every job at spawn, increasing from 1, never reused
/// within one kernel. It names the job's record from spawn to removal.
///
/// The number a shell user sees (`[3]`, `%3`, `/v/jobs/3`) is the job's
/// [number](JobInfo::number), given when the job first becomes visible.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub u64);

/// A process id (also used for process group ids): always positive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Pid(i32);

impl Pid {
    /// The pid `raw`, if it is a valid (positive) one.
    pub fn from_raw(raw: i32) -> Option<Pid> {
        (raw > 0).then_some(Pid(raw))
    }

    /// The number the OS uses.
    pub fn as_raw(self) -> i32 {
        self.0
    }
}

impl fmt::Display for Pid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl From<Pid> for i32 {
    fn from(pid: Pid) -> i32 {
        pid.0
    }
}

impl From<Pid> for u32 {
    fn from(pid: Pid) -> u32 {
        pid.0.unsigned_abs()
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FromStr for JobId {
    type Err = std::num::ParseIntError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse().map(JobId)
    }
}

/// What runs a job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobKind {
    /// One command or a pipeline, in its own process group.
    Process,
    /// A future polled by the kernel's runtime.
    Future,
}

impl JobKind {
    /// `process` or `future`.
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Process => "process",
            JobKind::Future => "future",
        }
    }
}

/// Where a job is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobState {
    /// Running (or runnable).
    Running,
    /// Stopped by this signal (STOP, TSTP, TTIN or TTOU); CONT resumes it.
    Stopped(Signal),
    /// Finished with this exit code.
    Exited(i32),
    /// Finished by this signal.
    Signaled {
        /// The signal that ended it.
        signal: Signal,
        /// Whether it left a core dump.
        core_dumped: bool,
    },
}

impl JobState {
    /// True once the job has exited or been killed.
    pub fn is_finished(self) -> bool {
        matches!(self, JobState::Exited(_) | JobState::Signaled { .. })
    }

    /// True while stopped.
    pub fn is_stopped(self) -> bool {
        matches!(self, JobState::Stopped(_))
    }

    /// The shell status of a finished job: the exit code, or 128+N for signal N.
    pub fn exit_status(self) -> Option<i32> {
        match self {
            JobState::Exited(code) => Some(code),
            JobState::Signaled { signal, .. } => Some(128 + signal.number()),
            _ => None,
        }
    }

    /// kaish's vocabulary: `running`, `stopped`, `done:0`, `failed:<code>`, `killed:<128+signo>`.
    pub fn status_word(self) -> String {
        match self {
            JobState::Running => "running".into(),
            JobState::Stopped(_) => "stopped".into(),
            JobState::Exited(0) => "done:0".into(),
            JobState::Exited(code) => format!("failed:{code}"),
            JobState::Signaled { signal, .. } => format!("killed:{}", 128 + signal.number()),
        }
    }
}

/// A consistent snapshot of one job.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct JobInfo {
    /// The job's id.
    pub id: JobId,
    /// The number users see (`[N]`, `%N`, `/v/jobs/N`), once the job is
    /// visible; `None` for a job spawned hidden and not shown since.
    pub number: Option<u64>,
    /// The command text as the user wrote it.
    pub command: String,
    /// Each pipeline member's text, in order, for process jobs (see
    /// [`Cmd::text`](crate::Cmd::text)); empty for future jobs.
    pub member_commands: Vec<String>,
    /// Process or future.
    pub kind: JobKind,
    /// The state at the time of the snapshot.
    pub state: JobState,
    /// Member pids in pipeline order (empty for future jobs).
    pub pids: Vec<Pid>,
    /// The process group (process jobs).
    pub pgid: Option<Pid>,
    /// When it was started.
    pub started_at: SystemTime,
    /// When it finished.
    pub ended_at: Option<SystemTime>,
    /// Counters of the stdout stream.
    pub stdout: StreamStats,
    /// Counters of the stderr stream.
    pub stderr: StreamStats,
    /// Whether the job was disowned (left running at shutdown).
    pub disowned: bool,
    /// The job this one was started under: the future job whose
    /// [`FutureContext::spawn_process`](crate::FutureContext::spawn_process)
    /// started it, or the [parent](crate::JobOptions::parent) its options named.
    pub parent: Option<JobId>,
    /// The job's owner (see [`Scope`](crate::Scope)).
    pub owner: Option<String>,
    /// The job's `key=value` labels.
    pub labels: BTreeMap<String, String>,
    /// Why the job was asked to end, from the first request on (kept in
    /// the final snapshot); see [`JobInfo::is_stopping`].
    pub stop_cause: Option<StopCause>,
    /// The job's timeout, if it has one.
    pub timeout: Option<Duration>,
    /// What terminating the job does to its subtree.
    pub orphans: OrphanPolicy,
    /// A process job's working directory, if one was given (else the embedder's).
    pub cwd: Option<PathBuf>,
    /// The environment a process job was given on top of the embedder's,
    /// in order (`None`: the variable was removed).
    pub env: Vec<(String, Option<String>)>,
    /// Whether the process job started from an empty environment instead.
    pub env_clear: bool,
    /// Left out of [`Completions`](crate::Completions).
    pub quiet: bool,
    /// Its "still running" reminder interval, if it has one.
    pub reminder: Option<Duration>,
    /// A [restarting](crate::supervise::restart) job's policy.
    ///
    /// Boxed: most jobs have none, and every snapshot carries the field.
    pub restart: Option<Box<RestartPolicy>>,
    /// How many times it was restarted.
    pub restarts: u32,
    /// How its last run ended: a finished job's final state (`None` while
    /// it runs); for a [restarting](crate::supervise::restart) job, its
    /// last finished run's, also while the next run is under way.
    pub last_exit: Option<JobState>,
    /// Why its last run was asked to end, if it was: a finished job's
    /// [`stop_cause`](Self::stop_cause); for a restarting job, its last
    /// finished run's (`limit` for a run a limit ended).
    pub last_stop_cause: Option<StopCause>,
    /// CPU time and memory its processes used, as of this snapshot (see
    /// [`crate::supervise::resources`]); a restarting job's are those of
    /// all its runs. Live members count only in snapshots that read them
    /// ([`Job::info`](crate::Job::info), [`Job::wait`](crate::Job::wait),
    /// [`Kernel::list_with_resources`](crate::Kernel::list_with_resources));
    /// [`Kernel::list`](crate::Kernel::list) and [`Job::snapshot`](crate::Job::snapshot)
    /// give what the reaped members left.
    pub resources: crate::Resources,
    /// Its CPU time limit, if it has one.
    pub cpu_limit: Option<Duration>,
    /// Its memory limit in bytes, if it has one.
    pub memory_limit: Option<u64>,
    /// The file its output is also written to, if it has one.
    pub output_file: Option<PathBuf>,
}

impl JobInfo {
    /// True from the moment the job was asked to end until it has ended.
    pub fn is_stopping(&self) -> bool {
        self.stop_cause.is_some() && !self.state.is_finished()
    }
}

/// A change in the job table, published to every subscriber.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JobEvent {
    /// A job entered the table.
    Spawned(JobId),
    /// A job was given its number (at spawn, or when a hidden job was shown).
    Numbered(JobId, u64),
    /// A job stopped.
    Stopped(JobId, Signal),
    /// A stopped job was continued.
    Continued(JobId),
    /// A job finished, with its final state.
    Exited(JobId, JobState),
    /// A job's record was removed (explicitly or by the retention limit).
    Removed(JobId),
    /// A live job was asked to end, for this cause (the first request only).
    Stopping(JobId, StopCause),
    /// A job with a [reminder](crate::JobOptions::reminder) is still running.
    StillRunning(JobId),
    /// A [restarting](crate::supervise::restart) job starts run number
    /// 1 + this restart count.
    Restarted(JobId, u32),
    /// A job reached 80% of one of its [limits](crate::supervise::resources)
    /// (published once per limit).
    LimitWarning(JobId, crate::LimitKind),
}

impl JobEvent {
    /// The job the event is about.
    pub fn job(&self) -> JobId {
        match *self {
            JobEvent::Spawned(id)
            | JobEvent::Numbered(id, _)
            | JobEvent::Stopped(id, _)
            | JobEvent::Continued(id)
            | JobEvent::Exited(id, _)
            | JobEvent::Removed(id)
            | JobEvent::Stopping(id, _)
            | JobEvent::StillRunning(id)
            | JobEvent::Restarted(id, _)
            | JobEvent::LimitWarning(id, _) => id,
        }
    }
}
