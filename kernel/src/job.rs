//! The plain data a job is described by: ids, pids, kinds, states, snapshots, events.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
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
///
/// What every job has is in public fields; what not every job has (why it
/// was asked to end, CPU time and memory, and the supervision settings:
/// owner, labels, parent, limits, timeout, restart policy, given directory
/// and environment…) is read through methods, which give the defaults for
/// a plain job (see the crate docs, "Snapshot layout").
#[derive(Clone)]
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
    /// Member pids in pipeline order. A future job: its anchor's pid when
    /// it has one ([`JobOptions::anchor`](crate::JobOptions::anchor)), else none.
    pub pids: Vec<Pid>,
    /// The process group (process jobs). `None` for a future job: an
    /// anchor leads a group of its own, not its job's children's.
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
    /// What not every job has (read through the methods below): `None`
    /// for a job that was not asked to end, used no CPU time of its own
    /// and uses no supervision feature.
    pub(crate) supervised: Option<Box<Supervised>>,
}

impl fmt::Debug for JobInfo {
    /// Every field and setting, flat (as the serde form shows them).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobInfo")
            .field("id", &self.id)
            .field("number", &self.number)
            .field("command", &self.command)
            .field("member_commands", &self.member_commands)
            .field("kind", &self.kind)
            .field("state", &self.state)
            .field("pids", &self.pids)
            .field("pgid", &self.pgid)
            .field("started_at", &self.started_at)
            .field("ended_at", &self.ended_at)
            .field("stdout", &self.stdout)
            .field("stderr", &self.stderr)
            .field("disowned", &self.disowned)
            .field("parent", &self.parent())
            .field("owner", &self.owner())
            .field("labels", self.labels())
            .field("stop_cause", &self.stop_cause())
            .field("timeout", &self.timeout())
            .field("orphans", &self.orphans())
            .field("cwd", &self.cwd())
            .field("env", &self.env())
            .field("env_clear", &self.env_clear())
            .field("quiet", &self.quiet())
            .field("reminder", &self.reminder())
            .field("restart", &self.restart())
            .field("restarts", &self.restarts())
            .field("last_exit", &self.last_exit())
            .field("last_stop_cause", &self.last_stop_cause())
            .field("resources", &self.resources())
            .field("cpu_limit", &self.cpu_limit())
            .field("memory_limit", &self.memory_limit())
            .field("output_file", &self.output_file())
            .finish()
    }
}

/// The part of a [`JobInfo`] not every job has: kept behind one pointer
/// so that a plain job's snapshot stays small (see the crate docs,
/// "Snapshot layout").
#[derive(Clone)]
pub(crate) struct Supervised {
    pub(crate) stop_cause: Option<StopCause>,
    pub(crate) resources: crate::Resources,
    pub(crate) parent: Option<JobId>,
    pub(crate) owner: Option<String>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) orphans: OrphanPolicy,
    pub(crate) cwd: Option<PathBuf>,
    pub(crate) env: Vec<(String, Option<String>)>,
    pub(crate) env_clear: bool,
    pub(crate) quiet: bool,
    pub(crate) reminder: Option<Duration>,
    /// A restarting job's policy, restart count and last run's end.
    pub(crate) restart: Option<Restarted>,
    pub(crate) cpu_limit: Option<Duration>,
    pub(crate) memory_limit: Option<u64>,
    pub(crate) output_file: Option<PathBuf>,
}

/// A restarting job's part of its snapshot.
#[derive(Clone)]
pub(crate) struct Restarted {
    pub(crate) policy: RestartPolicy,
    pub(crate) count: u32,
    pub(crate) last_exit: Option<JobState>,
    pub(crate) last_stop_cause: Option<StopCause>,
}

impl Supervised {
    /// What a plain job's snapshot reads as: no cause, nothing used, no
    /// supervision setting.
    pub(crate) const PLAIN: Supervised = Supervised {
        stop_cause: None,
        resources: crate::Resources::ZERO,
        parent: None,
        owner: None,
        labels: BTreeMap::new(),
        timeout: None,
        orphans: OrphanPolicy::Leave,
        cwd: None,
        env: Vec::new(),
        env_clear: false,
        quiet: false,
        reminder: None,
        restart: None,
        cpu_limit: None,
        memory_limit: None,
        output_file: None,
    };
}

/// What the methods of a snapshot without its part read.
static PLAIN: Supervised = Supervised::PLAIN;

impl JobInfo {
    fn sup(&self) -> &Supervised {
        self.supervised.as_deref().unwrap_or(&PLAIN)
    }

    /// True from the moment the job was asked to end until it has ended.
    pub fn is_stopping(&self) -> bool {
        self.stop_cause().is_some() && !self.state.is_finished()
    }

    /// Why the job was asked to end, from the first request on (kept in
    /// the final snapshot); see [`JobInfo::is_stopping`].
    pub fn stop_cause(&self) -> Option<StopCause> {
        self.sup().stop_cause
    }

    /// CPU time and memory its processes used, as of this snapshot (see
    /// [`crate::supervise::resources`]); a restarting job's are those of
    /// all its runs. Live members count only in snapshots that read them
    /// ([`Job::info`](crate::Job::info), [`Job::wait`](crate::Job::wait),
    /// [`Kernel::list_with_resources`](crate::Kernel::list_with_resources));
    /// [`Kernel::list`](crate::Kernel::list) and [`Job::snapshot`](crate::Job::snapshot)
    /// give what the reaped members left. Zero for a future job.
    pub fn resources(&self) -> crate::Resources {
        self.sup().resources
    }

    /// The job this one was started under: the future job whose
    /// [`FutureContext::spawn_process`](crate::FutureContext::spawn_process)
    /// started it, or the [parent](crate::JobOptions::parent) its options named.
    pub fn parent(&self) -> Option<JobId> {
        self.sup().parent
    }

    /// The job's owner (see [`Scope`](crate::Scope)).
    pub fn owner(&self) -> Option<&str> {
        self.sup().owner.as_deref()
    }

    /// The job's `key=value` labels.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.sup().labels
    }

    /// The job's timeout, if it has one.
    pub fn timeout(&self) -> Option<Duration> {
        self.sup().timeout
    }

    /// What terminating the job does to its subtree.
    pub fn orphans(&self) -> OrphanPolicy {
        self.sup().orphans
    }

    /// A process job's working directory, if one was given (else the embedder's).
    pub fn cwd(&self) -> Option<&Path> {
        self.sup().cwd.as_deref()
    }

    /// The environment a process job was given on top of the embedder's,
    /// in order (`None`: the variable was removed).
    pub fn env(&self) -> &[(String, Option<String>)] {
        &self.sup().env
    }

    /// Whether the process job started from an empty environment instead.
    pub fn env_clear(&self) -> bool {
        self.sup().env_clear
    }

    /// Left out of [`Completions`](crate::Completions).
    pub fn quiet(&self) -> bool {
        self.sup().quiet
    }

    /// Its "still running" reminder interval, if it has one.
    pub fn reminder(&self) -> Option<Duration> {
        self.sup().reminder
    }

    /// A [restarting](crate::supervise::restart) job's policy.
    pub fn restart(&self) -> Option<&RestartPolicy> {
        self.sup().restart.as_ref().map(|r| &r.policy)
    }

    /// How many times it was restarted.
    pub fn restarts(&self) -> u32 {
        self.sup().restart.as_ref().map_or(0, |r| r.count)
    }

    /// How its last run ended: a finished job's final state (`None` while
    /// it runs); for a [restarting](crate::supervise::restart) job, its
    /// last finished run's, also while the next run is under way.
    pub fn last_exit(&self) -> Option<JobState> {
        match &self.sup().restart {
            Some(r) => r.last_exit,
            None => Some(self.state).filter(|s| s.is_finished()),
        }
    }

    /// Why its last run was asked to end, if it was: a finished job's
    /// [`stop_cause`](Self::stop_cause); for a restarting job, its last
    /// finished run's (`limit` for a run a limit ended).
    pub fn last_stop_cause(&self) -> Option<StopCause> {
        match &self.sup().restart {
            Some(r) => r.last_stop_cause,
            None => self.stop_cause().filter(|_| self.state.is_finished()),
        }
    }

    /// Its CPU time limit, if it has one.
    pub fn cpu_limit(&self) -> Option<Duration> {
        self.sup().cpu_limit
    }

    /// Its memory limit in bytes, if it has one.
    pub fn memory_limit(&self) -> Option<u64> {
        self.sup().memory_limit
    }

    /// The file its output is also written to, if it has one.
    pub fn output_file(&self) -> Option<&Path> {
        self.sup().output_file.as_deref()
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
