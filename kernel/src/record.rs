//! One job's shared record ([`JobCore`]) and the public handle to it ([`Job`]).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, SystemTime};

use tokio::sync::{watch, Notify};

use crate::error::Result;
use crate::future_job::FutureControl;
use crate::job::{JobId, JobInfo, JobKind, JobState};
use crate::kernel::Inner;
use crate::signal::Signal;
use crate::stream::OutputStream;

/// A job's state and when it reached a final one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Status {
    pub(crate) state: JobState,
    pub(crate) ended_at: Option<SystemTime>,
}

/// The state of one pipeline member, as the reaper last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Member {
    Running,
    Stopped(Signal),
    Done(JobState),
}

/// The process side of a process job.
pub(crate) struct ProcPart {
    pub(crate) pgid: i32,
    pub(crate) pids: Vec<i32>,
    pub(crate) members: Mutex<Vec<Member>>,
    /// Permit stored once every member has been reaped.
    pub(crate) members_done: Notify,
}

pub(crate) enum Body {
    Process(ProcPart),
    Future(Arc<FutureControl>),
}

pub(crate) struct JobCore {
    pub(crate) id: OnceLock<JobId>,
    pub(crate) command: String,
    pub(crate) started_at: SystemTime,
    pub(crate) stdout: OutputStream,
    pub(crate) stderr: OutputStream,
    pub(crate) status: watch::Sender<Status>,
    pub(crate) disowned: AtomicBool,
    pub(crate) body: Body,
}

impl JobCore {
    pub(crate) fn new(
        command: String,
        stdout: OutputStream,
        stderr: OutputStream,
        body: Body,
    ) -> Self {
        JobCore {
            id: OnceLock::new(),
            command,
            started_at: SystemTime::now(),
            stdout,
            stderr,
            status: watch::Sender::new(Status {
                state: JobState::Running,
                ended_at: None,
            }),
            disowned: AtomicBool::new(false),
            body,
        }
    }

    pub(crate) fn kind(&self) -> JobKind {
        match self.body {
            Body::Process(_) => JobKind::Process,
            Body::Future(_) => JobKind::Future,
        }
    }

    pub(crate) fn proc(&self) -> Option<&ProcPart> {
        match &self.body {
            Body::Process(p) => Some(p),
            Body::Future(_) => None,
        }
    }

    pub(crate) fn state(&self) -> JobState {
        self.status.borrow().state
    }

    /// Moves a live job between Running and Stopped; returns whether it changed.
    pub(crate) fn set_live_state(&self, state: JobState) -> bool {
        self.status.send_if_modified(|s| {
            if s.state.is_finished() || s.state == state {
                false
            } else {
                s.state = state;
                true
            }
        })
    }

    /// Records the final state (once); returns whether this call did it.
    pub(crate) fn set_final(&self, state: JobState) -> bool {
        self.status.send_if_modified(|s| {
            if s.state.is_finished() {
                false
            } else {
                s.state = state;
                s.ended_at = Some(SystemTime::now());
                true
            }
        })
    }

    pub(crate) fn info(&self) -> JobInfo {
        let status = *self.status.borrow();
        let (pids, pgid) = match self.proc() {
            Some(p) => (
                p.pids.iter().map(|&p| p as u32).collect(),
                Some(p.pgid as u32),
            ),
            None => (Vec::new(), None),
        };
        JobInfo {
            id: self.id.get().copied(),
            command: self.command.clone(),
            kind: self.kind(),
            state: status.state,
            pids,
            pgid,
            started_at: self.started_at,
            ended_at: status.ended_at,
            stdout: self.stdout.stats(),
            stderr: self.stderr.stats(),
            disowned: self.disowned.load(Ordering::Relaxed),
        }
    }
}

/// A handle to one job: cheap to clone, usable after the job finished and even
/// after its record left the table (it then keeps the output alive itself).
#[derive(Clone)]
pub struct Job {
    pub(crate) core: Arc<JobCore>,
    pub(crate) kernel: Weak<Inner>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.core.id.get())
            .field("command", &self.core.command)
            .finish()
    }
}

impl Job {
    /// The id, once the job is in the table (foreground jobs get one when adopted).
    pub fn id(&self) -> Option<JobId> {
        self.core.id.get().copied()
    }

    /// The command text.
    pub fn command(&self) -> &str {
        &self.core.command
    }

    /// Process or future.
    pub fn kind(&self) -> JobKind {
        self.core.kind()
    }

    /// The current state.
    pub fn state(&self) -> JobState {
        self.core.state()
    }

    /// A snapshot of everything known about the job.
    pub fn info(&self) -> JobInfo {
        self.core.info()
    }

    /// The process group (process jobs).
    pub fn pgid(&self) -> Option<u32> {
        self.core.proc().map(|p| p.pgid as u32)
    }

    /// Member pids in pipeline order (empty for future jobs).
    pub fn pids(&self) -> Vec<u32> {
        self.core
            .proc()
            .map(|p| p.pids.iter().map(|&p| p as u32).collect())
            .unwrap_or_default()
    }

    /// The stdout stream.
    pub fn stdout(&self) -> &OutputStream {
        &self.core.stdout
    }

    /// The stderr stream.
    pub fn stderr(&self) -> &OutputStream {
        &self.core.stderr
    }

    /// Waits until the job has finished and returns its final state.
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future changes nothing.
    pub async fn wait(&self) -> JobState {
        let mut rx = self.core.status.subscribe();
        let result = rx
            .wait_for(|s| s.state.is_finished())
            .await
            .map(|s| s.state);
        // The sender lives in the core we hold, so it cannot be closed.
        result.unwrap_or_else(|_| self.state())
    }

    /// Waits until the job's state differs from `seen` (or it finishes), and returns it.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_change(&self, seen: JobState) -> JobState {
        let mut rx = self.core.status.subscribe();
        let result = rx
            .wait_for(|s| s.state != seen || s.state.is_finished())
            .await
            .map(|s| s.state);
        result.unwrap_or_else(|_| self.state())
    }

    /// Like [`wait`](Self::wait) with a deadline: `None` if it was still live then.
    pub async fn wait_timeout(&self, timeout: Duration) -> Option<JobState> {
        tokio::time::timeout(timeout, self.wait()).await.ok()
    }

    /// Sends `signal` to the job (see [`Kernel::signal`](crate::Kernel::signal)).
    ///
    /// # Errors
    /// As [`Kernel::signal`](crate::Kernel::signal).
    pub fn signal(&self, signal: Signal) -> Result<()> {
        crate::control::signal_core(&self.kernel, &self.core, signal)
    }
}
