//! The [`Kernel`]: the job table, spawning, reaping, waiting, events and shutdown.
//!
//! # One table, two numbers
//!
//! Every job is a record in one table from spawn until it is removed: its
//! [`JobId`] names it all that time, in waits, signals, events and errors.
//! Besides the id, a job gets a **number** — what a shell user sees as
//! `[N]`, `%N` and `/v/jobs/N` — when it first becomes visible: at spawn,
//! or, for a job spawned [hidden](JobOptions::hidden), when
//! [`Kernel::show`] is called. Numbers start at 1, only grow and are never
//! reused. A shell spawns its foreground commands hidden and shows the ones
//! the user must be able to name (stopped with Ctrl-Z): after
//! `sleep 1; sleep 2 &` the background job is `[1]`, as in bash, and a
//! command that never became visible used up no number. An embedder that
//! spawns nothing hidden can ignore the difference.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::{poll_fn, Future};
use std::os::fd::OwnedFd;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::signal::unix::{signal as os_signal, SignalKind};
use tokio_util::sync::CancellationToken;

use crate::control::{terminate_core, terminate_detached, Reap};
use crate::error::{Error, Result};
use crate::events::{EventError, Events, Publisher};
use crate::future_job::{Controlled, FutureContext, FutureControl};
use crate::job::{JobEvent, JobId, JobInfo, JobState};
use crate::process::{self, make_stream, Pump, SpawnSettings};
use crate::record::{Body, Job, JobCore, Member, ProcPart};
use crate::signal::Signal;
use crate::spec::{JobOptions, ProcessSpec};
use crate::stream::RingBudget;
#[cfg(test)]
use crate::sys;

mod drive;
mod reaper;

use drive::{DriveJob, Starter};

/// Settings of one kernel. Start from [`KernelConfig::default`] and change
/// what you need, field by field or with the builder methods:
///
/// ```
/// use corral_kernel::KernelConfig;
/// let config = KernelConfig::default().retention(20).max_running(64);
/// assert_eq!((config.retention, config.max_running), (20, 64));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KernelConfig {
    /// Cap of each output ring in bytes (default 1 MiB).
    pub output_cap: usize,
    /// Also keep every job's full output in a temp file (default off).
    pub lossless: bool,
    /// Most jobs live (running or stopped) at once; spawning past it fails (default 4096).
    pub max_running: usize,
    /// Finished jobs kept before the oldest is removed (default 100).
    pub retention: usize,
    /// Size a stdout capture pipe is grown to once its job proves a heavy
    /// writer (default 1 MiB; the system may refuse). Pipes start at the
    /// system's default size: most jobs write little.
    pub pipe_size: usize,
    /// Capacity of the event channel per subscriber before it lags (default 1024).
    pub event_capacity: usize,
    /// Grace period between TERM and KILL when the kernel is dropped (default 2 s).
    /// Dropping the last clone blocks the dropping thread at most this long
    /// (plus the KILL's delivery), until the jobs' processes have exited.
    pub drop_grace: Duration,
    /// Memory for all the output rings of the kernel's jobs, beyond each
    /// ring's first block (default [`RingBudget::DEFAULT`], 256 MiB; see
    /// [the stream docs](crate::stream#memory-budget)). A handle: clones
    /// of this config share it, and so may several kernels, on purpose.
    pub ring_budget: RingBudget,
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            output_cap: crate::stream::OutputStream::DEFAULT_CAP,
            lossless: false,
            max_running: 4096,
            retention: 100,
            pipe_size: 1 << 20,
            event_capacity: 1024,
            drop_grace: Duration::from_secs(2),
            ring_budget: RingBudget::default(),
        }
    }
}

impl KernelConfig {
    /// Sets [`output_cap`](#structfield.output_cap).
    pub fn output_cap(mut self, bytes: usize) -> Self {
        self.output_cap = bytes;
        self
    }

    /// Sets [`lossless`](#structfield.lossless).
    pub fn lossless(mut self, yes: bool) -> Self {
        self.lossless = yes;
        self
    }

    /// Sets [`max_running`](#structfield.max_running).
    pub fn max_running(mut self, jobs: usize) -> Self {
        self.max_running = jobs;
        self
    }

    /// Sets [`retention`](#structfield.retention).
    pub fn retention(mut self, jobs: usize) -> Self {
        self.retention = jobs;
        self
    }

    /// Sets [`pipe_size`](#structfield.pipe_size).
    pub fn pipe_size(mut self, bytes: usize) -> Self {
        self.pipe_size = bytes;
        self
    }

    /// Sets [`event_capacity`](#structfield.event_capacity).
    pub fn event_capacity(mut self, events: usize) -> Self {
        self.event_capacity = events;
        self
    }

    /// Sets [`ring_budget`](#structfield.ring_budget).
    pub fn ring_budget(mut self, budget: RingBudget) -> Self {
        self.ring_budget = budget;
        self
    }

    /// Sets [`drop_grace`](#structfield.drop_grace).
    pub fn drop_grace(mut self, grace: Duration) -> Self {
        self.drop_grace = grace;
        self
    }
}

#[derive(Default)]
struct Table {
    next_id: u64,
    next_number: u64,
    jobs: BTreeMap<JobId, Arc<JobCore>>,
    /// Visible jobs by number.
    numbers: BTreeMap<u64, JobId>,
    live: HashSet<JobId>,
    reserved: usize,
    /// Finished ids, oldest first, for retention. `remove` leaves its id
    /// here (removing from the middle would cost a scan per call): such
    /// stale ids are skipped, and swept out once they are the majority.
    finished: VecDeque<JobId>,
    /// The finished ids of jobs that were hidden when they finished: the
    /// first to go when retention must make room (stale ids as above).
    finished_hidden: VecDeque<JobId>,
    /// How many ids in `finished` are still records in `jobs`.
    finished_held: usize,
}

impl Table {
    /// Queues a finished record for retention.
    fn push_finished(&mut self, core: &JobCore) {
        self.finished.push_back(core.id());
        if core.number().is_none() {
            self.finished_hidden.push_back(core.id());
        }
        self.finished_held += 1;
    }

    /// Drops a finished record (its id stays in `finished`, stale).
    fn remove_finished(&mut self, id: JobId) {
        let Some(core) = self.jobs.remove(&id) else {
            return;
        };
        if let Some(n) = core.number() {
            self.numbers.remove(&n);
        }
        self.finished_held = self.finished_held.saturating_sub(1);
        let bound = 2 * self.finished_held + 64;
        let jobs = &self.jobs;
        for queue in [&mut self.finished, &mut self.finished_hidden] {
            if queue.len() > bound {
                queue.retain(|f| jobs.contains_key(f));
            }
        }
    }

    fn number(&mut self, core: &JobCore) -> u64 {
        if let Some(n) = core.number() {
            return n;
        }
        let n = core.set_number(self.next_number);
        self.next_number += 1;
        self.numbers.insert(n, core.id());
        n
    }
}

pub(crate) struct Inner {
    config: KernelConfig,
    table: Mutex<Table>,
    /// Process groups with children of ours still in them, by pgid.
    groups: Mutex<HashMap<i32, Arc<JobCore>>>,
    reap_lock: Mutex<()>,
    /// /dev/null, opened once and duplicated for each job's stdin.
    dev_null: Option<OwnedFd>,
    events: Arc<Publisher>,
    stop: CancellationToken,
    closing: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A slot of `max_running` and an id taken for a job being spawned; the slot
/// is given back on drop unless the job entered the table.
struct Reservation<'a> {
    inner: &'a Inner,
    id: JobId,
    used: bool,
}

impl Drop for Reservation<'_> {
    fn drop(&mut self) {
        if !self.used {
            lock(&self.inner.table).reserved -= 1;
        }
    }
}

/// One shell session's job engine. Cheap to clone; every clone is the same kernel.
///
/// Needs a tokio runtime (with I/O, time and signal drivers enabled) for
/// [`Kernel::new`] and every spawn; called outside one they fail with
/// [`Error::NoRuntime`] and start nothing.
#[derive(Clone)]
pub struct Kernel {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel").finish_non_exhaustive()
    }
}

fn runtime() -> Result<tokio::runtime::Handle> {
    tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)
}

impl Kernel {
    /// A kernel with default settings.
    ///
    /// # Errors
    /// [`Error::NoRuntime`] outside a tokio runtime; [`Error::Io`] if SIGCHLD
    /// cannot be listened for (a runtime without signals).
    pub fn new() -> Result<Kernel> {
        Kernel::with_config(KernelConfig::default())
    }

    /// A kernel with these settings.
    ///
    /// # Errors
    /// As [`Kernel::new`].
    pub fn with_config(config: KernelConfig) -> Result<Kernel> {
        let rt = runtime()?;
        let _entered = rt.enter();
        let mut sigchld = os_signal(SignalKind::child()).map_err(|source| Error::Io {
            context: "listening for SIGCHLD".into(),
            source,
        })?;
        let events = Arc::new(Publisher::new(config.event_capacity));
        let inner = Arc::new(Inner {
            config,
            table: Mutex::new(Table {
                next_id: 1,
                next_number: 1,
                ..Table::default()
            }),
            groups: Mutex::new(HashMap::new()),
            reap_lock: Mutex::new(()),
            // Best effort: without it each job opens /dev/null itself.
            dev_null: process::open_dev_null().ok(),
            events,
            stop: CancellationToken::new(),
            closing: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&inner);
        let stop = inner.stop.clone();
        rt.spawn(async move {
            loop {
                tokio::select! {
                    got = sigchld.recv() => if got.is_none() { break },
                    _ = stop.cancelled() => break,
                }
                match weak.upgrade() {
                    Some(inner) => inner.reap(),
                    None => break,
                }
            }
        });
        Ok(Kernel { inner })
    }

    /// The settings in force.
    pub fn config(&self) -> &KernelConfig {
        &self.inner.config
    }

    /// Starts a process job (a command or pipeline in one new process group).
    /// It enters the table at once; it gets its number then too, unless
    /// [hidden](JobOptions::hidden).
    ///
    /// # Errors
    /// [`Error::NoRuntime`], [`Error::CommandNotFound`] / [`Error::PermissionDenied`]
    /// naming the program, [`Error::BadDirectory`], [`Error::LimitReached`],
    /// [`Error::ShuttingDown`], [`Error::Spawn`], [`Error::Io`]. On error
    /// nothing is left running and no slot is used.
    pub fn spawn_process(&self, spec: ProcessSpec) -> Result<Job> {
        let rt = runtime()?;
        let _entered = rt.enter();
        let mut reservation = self.inner.reserve()?;
        let settings = SpawnSettings {
            output_cap: self.inner.config.output_cap,
            lossless: self.inner.config.lossless,
            pipe_size: self.inner.config.pipe_size,
            dev_null: self.inner.dev_null.as_ref(),
            ring_budget: &self.inner.config.ring_budget,
        };
        let hidden = spec.options.hidden;
        let started = process::spawn(reservation.id, spec, &settings)?;
        let core = started.core;
        self.inner.insert(&core, &mut reservation, hidden);
        // Armed before the reaper may see the group, so it can start the task.
        Starter::arm(
            rt,
            DriveJob {
                kernel: Arc::downgrade(&self.inner),
                core: Arc::clone(&core),
                pumps: started.pumps,
            },
        );
        if let Some(p) = core.proc() {
            lock(&self.inner.groups).insert(p.pgid, Arc::clone(&core));
            // A SIGCHLD that came before the group was registered found
            // nothing to reap: look at this group (only) once.
            self.inner.reap_group(p.pgid, &core);
        }
        Ok(self.handle(core))
    }

    /// Starts a future job: `make` is given the job's [`FutureContext`] and returns
    /// the future to run; its output is the job's exit code.
    ///
    /// # Errors
    /// [`Error::NoRuntime`], [`Error::LimitReached`], [`Error::ShuttingDown`],
    /// [`Error::Io`] (spill file). On error `make` is not called.
    pub fn spawn_future<M, F>(
        &self,
        command: impl Into<String>,
        options: JobOptions,
        make: M,
    ) -> Result<Job>
    where
        M: FnOnce(FutureContext) -> F,
        F: Future<Output = i32> + Send + 'static,
    {
        let rt = runtime()?;
        let mut reservation = self.inner.reserve()?;
        let cap = options.output_cap.unwrap_or(self.inner.config.output_cap);
        let lossless = options.lossless.unwrap_or(self.inner.config.lossless);
        let budget = &self.inner.config.ring_budget;
        let stdout = make_stream(cap, lossless, budget)?;
        let stderr = make_stream(cap, lossless, budget)?;
        let ctl = Arc::new(FutureControl::default());
        let fut = make(FutureContext {
            stdout: stdout.clone(),
            stderr: stderr.clone(),
            cancel: ctl.cancel.clone(),
        });
        let core = Arc::new(JobCore::new(
            reservation.id,
            command.into(),
            stdout,
            stderr,
            Body::Future(Mutex::new(Some(Arc::clone(&ctl)))),
        ));
        self.inner.insert(&core, &mut reservation, options.hidden);
        let weak = Arc::downgrade(&self.inner);
        let task_core = Arc::clone(&core);
        rt.spawn(async move {
            let controlled = Controlled {
                inner: Box::pin(fut),
                ctl: Arc::clone(&ctl),
                stderr: task_core.stderr().clone(),
            };
            let state = tokio::select! {
                biased;
                _ = ctl.killed() => JobState::Signaled { signal: Signal::KILL, core_dumped: false },
                code = controlled => ctl.final_state(code),
            };
            finish(&weak, &task_core, state, true);
            task_core.release_control();
        });
        Ok(self.handle(core))
    }

    /// Makes a hidden job visible: gives it the next number and returns it
    /// (a job that has one already keeps it).
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    pub fn show(&self, id: JobId) -> Result<u64> {
        let mut t = lock(&self.inner.table);
        let core = t.jobs.get(&id).cloned().ok_or(Error::NoSuchJob(id))?;
        let had = core.number();
        let n = t.number(&core);
        drop(t);
        if had.is_none() {
            self.inner.publish(JobEvent::Numbered(id, n));
        }
        Ok(n)
    }

    /// A handle to a job in the table.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    pub fn job(&self, id: JobId) -> Result<Job> {
        let core = lock(&self.inner.table).jobs.get(&id).cloned();
        core.map(|c| self.handle(c)).ok_or(Error::NoSuchJob(id))
    }

    /// The visible job with this number, if it is in the table.
    pub fn job_by_number(&self, number: u64) -> Option<Job> {
        let t = lock(&self.inner.table);
        let core = t
            .numbers
            .get(&number)
            .and_then(|id| t.jobs.get(id))
            .cloned();
        drop(t);
        core.map(|c| self.handle(c))
    }

    /// The ids in the table, ascending.
    pub fn job_ids(&self) -> Vec<JobId> {
        lock(&self.inner.table).jobs.keys().copied().collect()
    }

    /// Handles to every job in the table (hidden ones included), by ascending id.
    pub fn jobs(&self) -> Vec<Job> {
        let cores: Vec<_> = lock(&self.inner.table).jobs.values().cloned().collect();
        cores.into_iter().map(|c| self.handle(c)).collect()
    }

    /// Handles to the visible jobs, by ascending number.
    pub fn visible_jobs(&self) -> Vec<Job> {
        let t = lock(&self.inner.table);
        let cores: Vec<_> = t
            .numbers
            .values()
            .filter_map(|id| t.jobs.get(id).cloned())
            .collect();
        drop(t);
        cores.into_iter().map(|c| self.handle(c)).collect()
    }

    /// The numbers of the visible jobs, ascending.
    pub fn visible_numbers(&self) -> Vec<u64> {
        lock(&self.inner.table).numbers.keys().copied().collect()
    }

    /// Snapshots of every job in the table, by ascending id.
    pub fn list(&self) -> Vec<JobInfo> {
        self.jobs().iter().map(Job::info).collect()
    }

    /// Sends `signal` to a job. Process jobs: the whole process group (also after
    /// the members exited, while anything is left in the group). Future jobs:
    /// INT/TERM/HUP cancel, KILL drops the future, STOP/TSTP pause, CONT resumes.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`], [`Error::JobFinished`], [`Error::SignalFailed`].
    pub fn signal(&self, id: JobId, signal: Signal) -> Result<()> {
        self.job(id)?.signal(signal)
    }

    /// TERM, then KILL once `grace` has passed; a stopped job is continued so it
    /// can act on TERM. Returns the final snapshot.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`], [`Error::JobFinished`] (nothing left to terminate).
    ///
    /// # Cancel safety
    /// The escalation runs in a task of its own: dropping this future (for
    /// example on a `tokio::time::timeout`) does not stop it, the job is
    /// still killed when the grace period ends.
    pub async fn terminate(&self, id: JobId, grace: Duration) -> Result<JobInfo> {
        let job = self.job(id)?;
        terminate_detached(
            Arc::clone(&self.inner.events),
            job.core,
            grace,
            Some(self.reap_now()),
        )
        .await
    }

    /// Waits for one job to finish and returns its final snapshot. Bound it
    /// with [`tokio::time::timeout`]; the error case is only ever "no such job".
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait(&self, id: JobId) -> Result<JobInfo> {
        let job = self.job(id)?;
        Ok(job.wait().await)
    }

    /// Waits for the first of `ids` to finish (one already finished counts at
    /// once, the earliest-ended first) and returns its final snapshot. Ids
    /// not in the table are ignored; bound it with [`tokio::time::timeout`].
    ///
    /// # Errors
    /// [`Error::NoJobs`] when no id names a job in the table (also when the
    /// last of them is removed while waiting).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_any(&self, ids: &[JobId]) -> Result<JobInfo> {
        let mut events = self.subscribe();
        let wanted: HashSet<JobId> = ids.iter().copied().collect();
        loop {
            let jobs: Vec<Job> = wanted.iter().filter_map(|&id| self.job(id).ok()).collect();
            if jobs.is_empty() {
                return Err(Error::NoJobs);
            }
            let done = jobs
                .iter()
                .map(Job::info)
                .filter(|i| i.state.is_finished())
                .min_by_key(|i| i.ended_at);
            if let Some(done) = done {
                return Ok(done);
            }
            loop {
                match events.recv().await {
                    Ok(JobEvent::Exited(id, _) | JobEvent::Removed(id)) if wanted.contains(&id) => {
                        break
                    }
                    Ok(_) => continue,
                    // Missed events: look at the table again.
                    Err(EventError::Lagged(_)) => break,
                    Err(_) => return Err(Error::ShuttingDown),
                }
            }
        }
    }

    /// Waits until every job in the table that is not disowned has finished,
    /// and returns their final snapshots by ascending id. Jobs spawned while
    /// it waits are not waited for.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_all(&self) -> Vec<JobInfo> {
        let jobs: Vec<Job> = self
            .jobs()
            .into_iter()
            .filter(|j| !j.core.is_disowned())
            .collect();
        let mut out = Vec::with_capacity(jobs.len());
        for job in &jobs {
            out.push(job.wait().await);
        }
        out
    }

    /// Every state change from now on (see [`Events`]).
    pub fn subscribe(&self) -> Events {
        self.inner.events.subscribe()
    }

    /// Removes a finished job's record (its output with it).
    ///
    /// # Errors
    /// [`Error::NoSuchJob`]; [`Error::StillRunning`] while the job runs or
    /// is stopped, and also while processes it left behind still live in
    /// its process group (shutdown must still find them).
    pub fn remove(&self, id: JobId) -> Result<()> {
        let mut t = lock(&self.inner.table);
        match t.jobs.get(&id) {
            None => return Err(Error::NoSuchJob(id)),
            Some(c) if !c.state().is_finished() || leaves_processes(c) => {
                return Err(Error::StillRunning(id))
            }
            Some(_) => {}
        }
        t.remove_finished(id);
        drop(t);
        self.inner.publish(JobEvent::Removed(id));
        Ok(())
    }

    /// Marks a job disowned: shutdown and drop leave it running.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    pub fn disown(&self, id: JobId) -> Result<()> {
        self.job(id)?.core.disown();
        Ok(())
    }

    /// Terminates every job that is not disowned, all at once (TERM, `grace`,
    /// KILL, stopped ones continued first), and returns when they are gone.
    /// New jobs are refused from the start of the call.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.closing.store(true, Ordering::Release);
        let mut cores: Vec<Arc<JobCore>> = lock(&self.inner.table).jobs.values().cloned().collect();
        cores.extend(lock(&self.inner.groups).values().cloned());
        let mut seen = HashSet::new();
        let mut tasks = Vec::new();
        for core in cores {
            if core.is_disowned() || !seen.insert(Arc::as_ptr(&core) as usize) {
                continue;
            }
            let events = Arc::clone(&self.inner.events);
            let reap = self.reap_now();
            tasks.push(tokio::spawn(async move {
                let _ = terminate_core(&events, &core, grace, Some(reap)).await;
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    /// Takes a job's pending reports now (see [`Reap`]).
    fn reap_now(&self) -> Reap {
        let kernel = Arc::downgrade(&self.inner);
        Box::new(move |core| {
            if let Some(inner) = kernel.upgrade() {
                inner.reap_if_registered(core);
            }
        })
    }

    fn handle(&self, core: Arc<JobCore>) -> Job {
        Job {
            core,
            events: Arc::clone(&self.inner.events),
        }
    }
}

/// Whether a finished process job's group still holds processes it left.
fn leaves_processes(core: &JobCore) -> bool {
    core.proc().is_some_and(ProcPart::group_alive)
}

impl Inner {
    pub(crate) fn publish(&self, event: JobEvent) {
        self.events.publish(event);
    }

    fn reserve(&self) -> Result<Reservation<'_>> {
        if self.closing.load(Ordering::Acquire) {
            return Err(Error::ShuttingDown);
        }
        let mut t = lock(&self.table);
        if t.live.len() + t.reserved >= self.config.max_running {
            return Err(Error::LimitReached {
                limit: self.config.max_running,
            });
        }
        t.reserved += 1;
        let id = JobId(t.next_id);
        t.next_id += 1;
        Ok(Reservation {
            inner: self,
            id,
            used: false,
        })
    }

    /// Enters `core` in the table in place of its reservation.
    fn insert(&self, core: &Arc<JobCore>, reservation: &mut Reservation<'_>, hidden: bool) {
        let id = core.id();
        let mut t = lock(&self.table);
        t.reserved -= 1;
        reservation.used = true;
        t.jobs.insert(id, Arc::clone(core));
        let number = (!hidden).then(|| t.number(core));
        let finished = core.state();
        if finished.is_finished() {
            t.push_finished(core);
        } else {
            t.live.insert(id);
        }
        let evicted = self.evict(&mut t);
        drop(t);
        self.publish(JobEvent::Spawned(id));
        if let Some(n) = number {
            self.publish(JobEvent::Numbered(id, n));
        }
        if finished.is_finished() {
            self.publish(JobEvent::Exited(id, finished));
        }
        for e in evicted {
            self.publish(JobEvent::Removed(e));
        }
    }

    /// Removes the oldest finished records past the retention limit, hidden
    /// ones first. A record whose group still holds leftover processes is
    /// kept (moved to the back) so shutdown can still reach them.
    fn evict(&self, t: &mut Table) -> Vec<JobId> {
        let mut out = Vec::new();
        let mut passes = t.finished_hidden.len() + t.finished.len();
        while t.finished_held > self.config.retention && passes > 0 {
            passes -= 1;
            let hidden = !t.finished_hidden.is_empty();
            let queue = if hidden {
                &mut t.finished_hidden
            } else {
                &mut t.finished
            };
            let Some(old) = queue.pop_front() else {
                break;
            };
            // Stale ids (already removed) are only skipped.
            let Some(core) = t.jobs.get(&old) else {
                continue;
            };
            if hidden && core.number().is_some() {
                // Shown since: it now waits its turn in `finished`.
                continue;
            }
            if leaves_processes(core) {
                t.finished.push_back(old);
                continue;
            }
            t.remove_finished(old);
            out.push(old);
        }
        out
    }

    /// Records a job's final state and frees its slot of `max_running` in
    /// one step, under the table lock (so `remove` and `spawn` see both or
    /// neither), then closes its streams, publishes `Exited` and wakes the
    /// job's waiters: whoever wakes may spawn into the slot at once, and
    /// finds the job finished.
    ///
    /// `close`: also close the streams (a process job's stay open while a
    /// leftover process holds its pipes; its task closes them at EOF).
    fn finish(&self, core: &JobCore, state: JobState, close: bool) {
        let mut t = lock(&self.table);
        if !core.record_final(state) {
            drop(t);
            if close {
                close_streams(core);
            }
            return;
        }
        let id = core.id();
        let counted = t.live.remove(&id);
        let evicted = if counted {
            t.push_finished(core);
            self.evict(&mut t)
        } else {
            Vec::new()
        };
        drop(t);
        if close {
            close_streams(core);
        }
        if counted {
            self.publish(JobEvent::Exited(id, state));
        }
        for e in evicted {
            self.publish(JobEvent::Removed(e));
        }
        core.announce();
    }
}

/// Records the final state and does the table's bookkeeping (`close`: see
/// [`Inner::finish`]).
fn finish(kernel: &Weak<Inner>, core: &JobCore, state: JobState, close: bool) {
    match kernel.upgrade() {
        Some(inner) => inner.finish(core, state, close),
        None => {
            let recorded = core.record_final(state);
            if close {
                close_streams(core);
            }
            if recorded {
                core.announce();
            }
        }
    }
}

/// Ends a job's streams (waking their followers): only once its final
/// state is recorded, so a follower that ended finds the job finished.
fn close_streams(core: &JobCore) {
    core.stdout().close();
    core.stderr().close();
}

/// Dropping the last [`Kernel`] clone ends every job that is not disowned,
/// like [`Kernel::shutdown`] but without a runtime: it blocks the dropping
/// thread until the jobs' processes have exited, at most
/// [`KernelConfig::drop_grace`] before it KILLs what is left (then it reaps
/// them). Future jobs are killed (dropped) at once.
impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.cancel();
        let mut cores: Vec<Arc<JobCore>> = lock(&self.table).jobs.values().cloned().collect();
        cores.extend(lock(&self.groups).values().cloned());
        let mut seen = HashSet::new();
        let mut procs = Vec::new();
        for core in &cores {
            if !seen.insert(Arc::as_ptr(core) as usize) {
                continue;
            }
            if let Body::Process(p) = core.body() {
                // No reaper will start a task not yet started: release the
                // starter, which holds the record (a cycle otherwise).
                let starter = lock(&p.starter).take();
                drop(starter);
            }
            if core.is_disowned() {
                continue;
            }
            match core.body() {
                Body::Process(p) => procs.push(&**p),
                Body::Future(_) => {
                    if let Some(ctl) = core.future_control() {
                        ctl.kill();
                    }
                }
            }
        }
        if !procs.is_empty() {
            crate::group::end_all_blocking(&procs, self.config.drop_grace);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::spec::Cmd;

    const DEADLINE: Duration = Duration::from_secs(10);

    fn sh(script: &str) -> ProcessSpec {
        ProcessSpec::command(Cmd::new("sh").arg("-c").arg(script))
    }

    /// Blocks until `pid` (our child) has exited, without reaping it.
    fn wait_exited_unreaped(pid: u32) {
        // SAFETY: siginfo_t is plain old data; all-zero is valid.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: `info` is valid and writable; WNOWAIT leaves the child a zombie.
        let rc = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        assert_eq!(rc, 0);
    }

    /// An embedder's child that ended first is first in line for every
    /// peek: the kernel reaps its own jobs anyway (by asking group by group)
    /// and leaves that child's status to the embedder.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_foreign_zombie_first_in_line_is_left_alone() {
        let mut mine = std::process::Command::new("sh")
            .args(["-c", "exit 7"])
            .spawn()
            .unwrap();
        wait_exited_unreaped(mine.id());
        let kernel = Kernel::new().unwrap();
        let jobs: Vec<Job> = (0..20)
            .map(|i| {
                kernel
                    .spawn_process(sh(&format!("exit {}", i % 3)))
                    .unwrap()
            })
            .collect();
        for (i, job) in jobs.iter().enumerate() {
            let state = tokio::time::timeout(DEADLINE, job.wait())
                .await
                .unwrap()
                .state;
            assert_eq!(state, JobState::Exited(i as i32 % 3));
        }
        assert_eq!(mine.wait().unwrap().code(), Some(7));
        kernel.shutdown(Duration::from_secs(1)).await;
    }

    const SCENARIO: &str = "CORRAL_KERNEL_SUBREAPER_SCENARIO";

    /// As a child subreaper, terminate does not sit out the grace period
    /// once the reaper has collected the last process left in a finished
    /// job's group. (Being a subreaper is process-wide: the scenario runs
    /// in a fresh copy of this test binary.)
    #[test]
    fn terminate_wakes_when_a_subreapers_leftovers_are_gone() {
        if std::env::var_os(SCENARIO).is_some() {
            return subreaper_scenario();
        }
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "kernel::tests::terminate_wakes_when_a_subreapers_leftovers_are_gone",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(SCENARIO, "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
    }

    fn subreaper_scenario() {
        crate::sys::set_child_subreaper().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let kernel = Kernel::new().unwrap();
            let job = kernel
                .spawn_process(sh("sleep 100 & sleep 100 & exit 0"))
                .unwrap();
            let state = tokio::time::timeout(DEADLINE, job.wait())
                .await
                .unwrap()
                .state;
            assert_eq!(state, JobState::Exited(0));
            let pgid = job.pgid().unwrap().as_raw();
            assert!(sys::group_exists(pgid), "the sleeps are left in the group");
            let t = std::time::Instant::now();
            let grace = Duration::from_secs(30);
            kernel.terminate(job.id(), grace).await.unwrap();
            assert!(
                t.elapsed() < Duration::from_secs(5),
                "terminate took {:?}",
                t.elapsed()
            );
            assert!(!sys::group_exists(pgid));
            kernel.shutdown(Duration::from_secs(1)).await;
        });
    }
}
