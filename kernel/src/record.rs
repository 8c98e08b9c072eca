//! One job's shared record ([`JobCore`]) and the public handle to it ([`Job`]).

use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use crate::error::Result;
use crate::future_job::FutureControl;
pub(crate) use crate::group::{Member, ProcPart};
use crate::job::{JobId, JobInfo, JobKind, JobState};
use crate::kernel::Inner;
use crate::signal::Signal;
use crate::stream::OutputStream;

/// A job's state and when it reached a final one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Status {
    pub(crate) state: JobState,
    pub(crate) ended_at: Option<SystemTime>,
    /// The final state has been announced: the table counts the job
    /// finished (a process job's streams may stay open for leftovers).
    /// Waiters return only then.
    pub(crate) announced: bool,
}

pub(crate) enum Body {
    // Boxed: a future job's record should not carry a process job's fields.
    Process(Box<ProcPart>),
    /// The controls, while the future runs; released when it finishes (a
    /// finished record keeps no cancellation tokens).
    Future(Mutex<Option<Arc<FutureControl>>>),
}

pub(crate) struct JobCore {
    pub(crate) id: OnceLock<JobId>,
    pub(crate) command: String,
    pub(crate) started_at: SystemTime,
    pub(crate) stdout: OutputStream,
    pub(crate) stderr: OutputStream,
    status: Mutex<Status>,
    /// Woken (all waiters) after every change of `status`.
    changed: Notify,
    pub(crate) disowned: AtomicBool,
    pub(crate) body: Body,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
            status: Mutex::new(Status {
                state: JobState::Running,
                ended_at: None,
                announced: false,
            }),
            changed: Notify::new(),
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

    /// The future job's controls while it runs (`None` once it finished).
    pub(crate) fn future_control(&self) -> Option<Arc<FutureControl>> {
        match &self.body {
            Body::Future(ctl) => lock(ctl).clone(),
            Body::Process(_) => None,
        }
    }

    /// Drops a finished future job's controls (they are what a record of a
    /// future job would otherwise keep the longest).
    pub(crate) fn release_control(&self) {
        if let Body::Future(ctl) = &self.body {
            let old = lock(ctl).take();
            drop(old);
        }
    }

    pub(crate) fn state(&self) -> JobState {
        lock(&self.status).state
    }

    /// Moves a live job between Running and Stopped; returns whether it changed.
    pub(crate) fn set_live_state(&self, state: JobState) -> bool {
        let mut s = lock(&self.status);
        if s.state.is_finished() || s.state == state {
            return false;
        }
        s.state = state;
        drop(s);
        self.changed.notify_waiters();
        true
    }

    /// Records the final state (once); returns whether this call did it.
    /// Waiters are not woken yet: the caller does its bookkeeping first,
    /// then calls [`announce`](Self::announce).
    pub(crate) fn record_final(&self, state: JobState) -> bool {
        let mut s = lock(&self.status);
        if s.state.is_finished() {
            return false;
        }
        s.state = state;
        s.ended_at = Some(SystemTime::now());
        true
    }

    /// Announces the recorded final state: wakes the job's waiters.
    pub(crate) fn announce(&self) {
        lock(&self.status).announced = true;
        self.changed.notify_waiters();
    }

    /// Waits until `done` holds for the state, and returns that state. A
    /// final state counts once announced (the table's bookkeeping done).
    /// Cancel safe: it only listens.
    pub(crate) async fn wait_for(&self, done: impl Fn(JobState) -> bool) -> JobState {
        loop {
            // Listen before looking, so a change in between still wakes us.
            let mut changed = pin!(self.changed.notified());
            changed.as_mut().enable();
            let status = *lock(&self.status);
            let settled = !status.state.is_finished() || status.announced;
            if settled && done(status.state) {
                return status.state;
            }
            changed.await;
        }
    }

    pub(crate) fn info(&self) -> JobInfo {
        let status = *lock(&self.status);
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
        self.core.wait_for(JobState::is_finished).await
    }

    /// Waits until the job's state differs from `seen` (or it finishes), and returns it.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_change(&self, seen: JobState) -> JobState {
        self.core.wait_for(|s| s != seen || s.is_finished()).await
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
