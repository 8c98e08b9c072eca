//! One job's shared record ([`JobCore`]) and the public handle to it ([`Job`]).

use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use tokio::sync::Notify;

use crate::error::{Error, Result};
use crate::events::Publisher;
use crate::future_job::FutureControl;
pub(crate) use crate::group::{Member, ProcPart};
use crate::job::{JobId, JobInfo, JobKind, JobState, Pid, Supervised};
use crate::signal::Signal;
use crate::stream::OutputStream;
use crate::supervise::Resources;
use crate::supervise::{Meta, StopCause};

/// A job's state and when it reached a final one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Status {
    pub(crate) state: JobState,
    pub(crate) ended_at: Option<SystemTime>,
    /// The final state has been announced: the table counts the job
    /// finished (a process job's streams may stay open for leftovers).
    /// Waiters return only then.
    pub(crate) announced: bool,
    /// Why the job was asked to end, from the first request on (see
    /// [`Cause`]: one byte, so a status stays 32 bytes).
    pub(crate) cause: Cause,
}

/// A [`StopCause`] in a byte: 0 none, 1 embedder, 2 timeout, 3 limit,
/// 4 + N signal N.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Cause(u8);

impl Cause {
    fn of(cause: StopCause) -> Cause {
        Cause(match cause {
            StopCause::Embedder => 1,
            StopCause::Timeout => 2,
            StopCause::Limit => 3,
            StopCause::Signal(sig) => u8::try_from(sig.number())
                .ok()
                .and_then(|n| n.checked_add(4))
                .unwrap_or(1),
        })
    }

    pub(crate) fn get(self) -> Option<StopCause> {
        match self.0 {
            0 => None,
            1 => Some(StopCause::Embedder),
            2 => Some(StopCause::Timeout),
            3 => Some(StopCause::Limit),
            n => Signal::from_number(i32::from(n - 4))
                .ok()
                .map(StopCause::Signal),
        }
    }

    fn is_some(self) -> bool {
        self.0 != 0
    }
}

pub(crate) enum Body {
    // Boxed: a future job's record should not carry a process job's fields.
    Process(Box<ProcPart>),
    /// The controls, while the future runs; released when it finishes (a
    /// finished record keeps no cancellation tokens).
    Future(Mutex<Option<Arc<FutureControl>>>),
}

pub(crate) struct JobCore {
    id: JobId,
    /// The number users see once the job is visible; 0 until then
    /// (numbers start at 1).
    number: AtomicU64,
    command: String,
    started_at: SystemTime,
    stdout: OutputStream,
    stderr: OutputStream,
    status: Mutex<Status>,
    /// Woken (all waiters) after every change of `status`.
    changed: Notify,
    /// An atomic, not in the status: filters over every job read it.
    disowned: AtomicBool,
    /// A future job's anchor pid (0: none; see [`crate::future_job`]).
    anchor_pid: i32,
    body: Body,
    /// Supervision data (see [`crate::supervise`]), set before the record
    /// is shared; `None` (8 bytes) for a job that uses none.
    meta: Option<Box<Meta>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl JobCore {
    pub(crate) fn new(
        id: JobId,
        command: String,
        stdout: OutputStream,
        stderr: OutputStream,
        body: Body,
    ) -> Self {
        JobCore {
            id,
            number: AtomicU64::new(0),
            command,
            started_at: SystemTime::now(),
            stdout,
            stderr,
            status: Mutex::new(Status {
                state: JobState::Running,
                ended_at: None,
                announced: false,
                cause: Cause::default(),
            }),
            changed: Notify::new(),
            disowned: AtomicBool::new(false),
            anchor_pid: 0,
            body,
            meta: None,
        }
    }

    pub(crate) fn id(&self) -> JobId {
        self.id
    }

    pub(crate) fn number(&self) -> Option<u64> {
        match self.number.load(Ordering::Acquire) {
            0 => None,
            n => Some(n),
        }
    }

    /// Gives the job its number, once; returns the number it has.
    pub(crate) fn set_number(&self, number: u64) -> u64 {
        match self
            .number
            .compare_exchange(0, number, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => number,
            Err(had) => had,
        }
    }

    pub(crate) fn command(&self) -> &str {
        &self.command
    }

    pub(crate) fn stdout(&self) -> &OutputStream {
        &self.stdout
    }

    pub(crate) fn stderr(&self) -> &OutputStream {
        &self.stderr
    }

    /// Sets the supervision data, while the record is not shared yet.
    pub(crate) fn set_meta(&mut self, meta: Option<Meta>) {
        self.meta = meta.map(Box::new);
    }

    /// Records a future job's anchor pid, while the record is not shared yet.
    pub(crate) fn set_anchor_pid(&mut self, pid: i32) {
        self.anchor_pid = pid;
    }

    /// The supervision data, if the job has any.
    pub(crate) fn meta(&self) -> Option<&Meta> {
        self.meta.as_deref()
    }

    pub(crate) fn body(&self) -> &Body {
        &self.body
    }

    pub(crate) fn is_disowned(&self) -> bool {
        self.disowned.load(Ordering::Relaxed)
    }

    pub(crate) fn disown(&self) {
        self.disowned.store(true, Ordering::Relaxed);
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

    /// Records that the job was asked to end, unless it was already (the
    /// first cause is kept) or has ended; returns whether this call did it.
    pub(crate) fn request_stop(&self, cause: StopCause) -> bool {
        let mut s = lock(&self.status);
        if s.state.is_finished() || s.cause.is_some() {
            return false;
        }
        s.cause = Cause::of(cause);
        true
    }

    /// Records the final state (once); returns whether this call did it.
    /// Waiters are not woken yet: the caller does its bookkeeping first,
    /// then calls [`announce`](Self::announce).
    ///
    /// A job its timeout ended gets status 124, as `timeout(1)` reports; a
    /// signal death nobody asked for is recorded as its cause.
    pub(crate) fn record_final(&self, state: JobState) -> bool {
        let mut s = lock(&self.status);
        if s.state.is_finished() {
            return false;
        }
        let state = match (s.cause.get(), state) {
            (Some(StopCause::Timeout), _) => JobState::Exited(124),
            (None, JobState::Signaled { signal, .. })
                if signal.number() == libc::SIGXCPU
                    && self.meta().is_some_and(|m| m.cpu_limit.is_some()) =>
            {
                s.cause = Cause::of(StopCause::Limit);
                state
            }
            (None, JobState::Signaled { signal, .. }) => {
                s.cause = Cause::of(StopCause::Signal(signal));
                state
            }
            _ => state,
        };
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
        // Already so (a finished job, say): no listener to register.
        if let Some(state) = self.settled(&done) {
            return state;
        }
        loop {
            // Listen before looking, so a change in between still wakes us.
            let mut changed = pin!(self.changed.notified());
            changed.as_mut().enable();
            if let Some(state) = self.settled(&done) {
                return state;
            }
            changed.await;
        }
    }

    /// The state if `done` holds for it (a final one once announced).
    fn settled(&self, done: impl Fn(JobState) -> bool) -> Option<JobState> {
        let status = *lock(&self.status);
        let settled = !status.state.is_finished() || status.announced;
        (settled && done(status.state)).then_some(status.state)
    }

    pub(crate) fn pids(&self) -> Vec<Pid> {
        match self.proc() {
            Some(p) => p.pids.iter().filter_map(|&p| Pid::from_raw(p)).collect(),
            None => Pid::from_raw(self.anchor_pid).into_iter().collect(),
        }
    }

    pub(crate) fn pgid(&self) -> Option<Pid> {
        self.proc().and_then(|p| Pid::from_raw(p.pgid))
    }

    /// The job's snapshot; `live`: with its live members' resource figures
    /// (read from /proc), else only those its reaped members left.
    pub(crate) fn info(&self, live: bool) -> JobInfo {
        let status = *lock(&self.status);
        let stop_cause = status.cause.get();
        let meta = self.meta();
        let restart = meta.and_then(|m| m.restart.as_deref());
        let (restarted, resources) = match restart {
            Some(r) => {
                let (last_exit, last_stop_cause, usage) = r.last(live);
                let run = crate::job::Restarted {
                    policy: r.policy.clone(),
                    count: r.count.load(Ordering::Acquire),
                    last_exit,
                    last_stop_cause,
                };
                (Some(run), usage)
            }
            None => (None, crate::supervise::resources::of(self, live).0),
        };
        JobInfo {
            id: self.id,
            number: self.number(),
            command: self.command.clone(),
            member_commands: self
                .proc()
                .map(|p| p.member_texts(&self.command))
                .unwrap_or_default(),
            kind: self.kind(),
            state: status.state,
            pids: self.pids(),
            pgid: self.pgid(),
            started_at: self.started_at,
            ended_at: status.ended_at,
            stdout: self.stdout.stats(),
            stderr: self.stderr.stats(),
            disowned: self.is_disowned(),
            supervised: match meta {
                Some(m) => Some(Box::new(m.snapshot(restarted, stop_cause, resources))),
                None if stop_cause.is_some() || resources != Resources::ZERO => {
                    Some(Box::new(Supervised {
                        stop_cause,
                        resources,
                        ..Supervised::PLAIN
                    }))
                }
                None => None,
            },
        }
    }
}

/// A handle to one job: cheap to clone, usable after the job finished and even
/// after its record left the table (it then keeps the output alive itself).
#[derive(Clone)]
pub struct Job {
    pub(crate) core: Arc<JobCore>,
    pub(crate) events: Arc<Publisher>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("id", &self.core.id)
            .field("number", &self.core.number())
            .field("command", &self.core.command)
            .finish()
    }
}

impl Job {
    /// The job's id.
    pub fn id(&self) -> JobId {
        self.core.id
    }

    /// The number users see, once the job is visible (see [`JobInfo::number`]).
    pub fn number(&self) -> Option<u64> {
        self.core.number()
    }

    /// The command text.
    pub fn command(&self) -> &str {
        self.core.command()
    }

    /// Process or future.
    pub fn kind(&self) -> JobKind {
        self.core.kind()
    }

    /// The current state.
    pub fn state(&self) -> JobState {
        self.core.state()
    }

    /// A snapshot of everything known about the job, with its live
    /// members' CPU time and memory read now (from /proc; see
    /// [`crate::supervise::resources`]).
    pub fn info(&self) -> JobInfo {
        self.core.info(true)
    }

    /// A snapshot that reads nothing from the system: as [`info`](Self::info),
    /// but its [`resources`](JobInfo::resources) count only the members
    /// already reaped (a running job's live members are left out: its
    /// `memory` is 0, its peak what earlier reads saw). What [`Kernel::list`](crate::Kernel::list) gives; for
    /// views of many jobs.
    pub fn snapshot(&self) -> JobInfo {
        self.core.info(false)
    }

    /// The process group (process jobs).
    pub fn pgid(&self) -> Option<Pid> {
        self.core.pgid()
    }

    /// Member pids in pipeline order; a future job's anchor pid, if it
    /// has one (see [`JobOptions::anchor`](crate::JobOptions::anchor)).
    pub fn pids(&self) -> Vec<Pid> {
        self.core.pids()
    }

    /// Each member's final state in pipeline order, `None` while it runs
    /// or is stopped (empty for future jobs): a shell's `$PIPESTATUS`.
    pub fn member_states(&self) -> Vec<Option<JobState>> {
        self.core
            .proc()
            .map(|p| {
                p.lock()
                    .members
                    .iter()
                    .map(|m| match m {
                        crate::group::Member::Done(s) => Some(*s),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets the window size of the pseudo-terminal the job's stdout goes
    /// through (see [`ProcessSpec::stdout_pty`](crate::ProcessSpec::stdout_pty));
    /// `Ok(false)` for a job without one. Like a terminal's resize, it
    /// sends SIGWINCH to the job's process group when the size changes.
    ///
    /// # Errors
    /// [`Error::Io`](crate::Error::Io) when the system refuses the size.
    pub fn set_window_size(&self, rows: u16, cols: u16) -> crate::Result<bool> {
        let Some(part) = self.core.proc() else {
            return Ok(false);
        };
        let Some(master) = &part.terminal else {
            return Ok(false);
        };
        let io = |source| crate::Error::Io {
            context: "setting the job's window size".into(),
            source,
        };
        let changed = crate::sys::set_window_size(std::os::fd::AsFd::as_fd(master), rows, cols)
            .map_err(io)?;
        if changed && !self.state().is_finished() {
            // The pty is no one's controlling terminal, so the system
            // tells no one: do what a terminal does.
            let _ = crate::sys::killpg(part.pgid, libc::SIGWINCH);
        }
        Ok(true)
    }

    /// The stdout stream.
    pub fn stdout(&self) -> &OutputStream {
        &self.core.stdout
    }

    /// The stderr stream.
    pub fn stderr(&self) -> &OutputStream {
        &self.core.stderr
    }

    /// The CPU time and memory its processes use now, read from /proc for
    /// live members (see [`crate::supervise::resources`]); zero for a
    /// future job.
    pub fn resources(&self) -> crate::Resources {
        crate::supervise::resources::of(&self.core, true).0
    }

    /// Waits until the job has finished and returns its final snapshot.
    /// Bound it with [`tokio::time::timeout`].
    ///
    /// # Cancel safety
    /// Cancel safe: dropping the future changes nothing.
    pub async fn wait(&self) -> JobInfo {
        self.core.wait_for(JobState::is_finished).await;
        self.core.info(true)
    }

    /// Waits until the job's state differs from `seen` (or it finishes), and returns it.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_change(&self, seen: JobState) -> JobState {
        self.core.wait_for(|s| s != seen || s.is_finished()).await
    }

    /// Sends `signal` to the job (see [`Kernel::signal`](crate::Kernel::signal)).
    ///
    /// # Errors
    /// As [`Kernel::signal`](crate::Kernel::signal).
    pub fn signal(&self, signal: Signal) -> Result<()> {
        crate::control::signal_core(&self.events, &self.core, signal)
    }

    /// Asks the job to stop. A future job's [`CancelToken`](crate::CancelToken)
    /// is cancelled (no signal: the job ends with what its future returns);
    /// a process job is sent TERM.
    ///
    /// # Errors
    /// [`Error::JobFinished`]; for process jobs, as [`signal`](Self::signal).
    pub fn cancel(&self) -> Result<()> {
        crate::supervise::request_stop(&self.events, &self.core, StopCause::Embedder);
        match self.core.body() {
            Body::Process(_) => self.signal(Signal::TERM),
            Body::Future(_) => match self.core.future_control() {
                Some(ctl) if !self.core.state().is_finished() => {
                    ctl.cancel.cancel();
                    Ok(())
                }
                _ => Err(Error::JobFinished(self.core.id)),
            },
        }
    }

    /// TERM, then KILL once `grace` has passed (see
    /// [`Kernel::terminate`](crate::Kernel::terminate)); returns the final snapshot.
    ///
    /// # Errors
    /// As [`Kernel::terminate`](crate::Kernel::terminate).
    ///
    /// # Cancel safety
    /// The escalation runs in a task of its own: dropping this future does
    /// not stop it, the job is still killed when the grace period ends.
    pub async fn terminate(&self, grace: Duration) -> Result<JobInfo> {
        crate::supervise::request_stop(&self.events, &self.core, StopCause::Embedder);
        crate::control::terminate_detached(
            Arc::clone(&self.events),
            Arc::clone(&self.core),
            grace,
            None,
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    /// Every job carries a record: supervision must not grow it (an
    /// `Arc<JobCore>` of 184 bytes is one 208-byte malloc chunk).
    #[test]
    fn the_record_stays_small() {
        assert!(std::mem::size_of::<super::JobCore>() <= 184);
        assert_eq!(std::mem::size_of::<super::Status>(), 32);
        assert!(std::mem::size_of::<super::ProcPart>() <= 184);
    }

    /// A plain job's snapshot keeps its supervision settings behind one
    /// pointer: `wait_all` and `list` build one per job.
    #[test]
    fn a_plain_snapshot_stays_small() {
        assert!(std::mem::size_of::<crate::JobInfo>() <= 288);
    }
}
