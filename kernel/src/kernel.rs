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

use std::collections::{HashMap, HashSet};
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
use crate::events::{Events, Publisher};
use crate::future_job::Anchor;
use crate::job::{JobEvent, JobId, JobInfo, JobState};
use crate::process::{self, Pump, SpawnSettings};
use crate::record::{Body, Job, JobCore, Member};
use crate::signal::Signal;
use crate::spec::{JobOptions, ProcessSpec};
use crate::supervise::{request_stop, StopCause};
#[cfg(test)]
use crate::sys;

mod config;
mod drive;
mod future;
mod reaper;
mod supervision;
mod table;
mod wait;

pub use config::KernelConfig;
use drive::{DriveJob, Starter};
use table::{leaves_processes, Table};

pub(crate) struct Inner {
    config: KernelConfig,
    table: Mutex<Table>,
    /// Process groups with children of ours still in them, by pgid.
    groups: Mutex<HashMap<i32, Arc<JobCore>, table::IdHash>>,
    reap_lock: Mutex<()>,
    /// The members' pidfds, for the reaper to learn which exited (None if
    /// it could not be made: then SIGCHLD alone drives reaping).
    exits: Option<crate::sys::ready_set::ReadySet>,
    /// /dev/null, opened once and duplicated for each job's stdin.
    dev_null: Option<OwnedFd>,
    captures: process::Captures,
    events: Arc<Publisher>,
    stop: CancellationToken,
    closing: AtomicBool,
    /// Parents and children (see [`crate::supervise`]).
    lineage: Mutex<supervision::Lineage>,
    /// The future jobs' anchor processes, by pid, until reaped.
    anchors: Mutex<HashMap<i32, Arc<Anchor>, table::IdHash>>,
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
        let sigchld = os_signal(SignalKind::child()).map_err(|source| Error::Io {
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
            groups: Mutex::new(HashMap::default()),
            reap_lock: Mutex::new(()),
            exits: crate::sys::ready_set::ReadySet::new().ok(),
            // Best effort: without it each job opens /dev/null itself.
            dev_null: process::open_dev_null().ok(),
            captures: process::Captures::default(),
            events,
            stop: CancellationToken::new(),
            closing: AtomicBool::new(false),
            lineage: Mutex::new(supervision::Lineage::default()),
            anchors: Mutex::new(HashMap::default()),
        });
        let weak = Arc::downgrade(&inner);
        let stop = inner.stop.clone();
        let exits = inner.exits.as_ref().and_then(|w| w.readiness().ok());
        rt.spawn(reaper::run(weak, stop, sigchld, exits));
        Ok(Kernel { inner })
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> Kernel {
        Kernel { inner }
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
    /// [`Error::ShuttingDown`], [`Error::Spawn`], [`Error::Io`];
    /// [`Error::NoSuchJob`] / [`Error::JobFinished`] for a
    /// [parent](JobOptions::parent) that is not live. On error nothing is
    /// left running and no slot is used.
    pub fn spawn_process(&self, spec: ProcessSpec) -> Result<Job> {
        let rt = runtime()?;
        let _entered = rt.enter();
        let mut reservation = self.inner.reserve()?;
        let meta = self
            .inner
            .meta_for(&spec.options, reservation.id, Some(&spec))?;
        let settings = SpawnSettings {
            output_cap: self.inner.config.output_cap,
            lossless: self.inner.config.lossless,
            pipe_size: self.inner.config.pipe_size,
            dev_null: self.inner.dev_null.as_ref(),
            ring_budget: &self.inner.config.ring_budget,
            captures: &self.inner.captures,
        };
        let hidden = spec.options.hidden;
        let started = match process::spawn(reservation.id, spec, &settings) {
            Ok(started) => started,
            Err(e) => {
                self.inner.unlink(reservation.id, meta.as_ref());
                return Err(e);
            }
        };
        let mut core = started.core;
        // Not shared yet: the record takes its supervision data in place.
        match Arc::get_mut(&mut core) {
            Some(c) => c.set_meta(meta),
            None => debug_assert!(meta.is_none(), "a new record is shared"),
        }
        self.inner.register(&core);
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
        self.supervise_started(&core);
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

    /// Snapshots of every job in the table, by ascending id. Nothing is
    /// read from the system: a running job's
    /// [`resources`](JobInfo::resources) count only its members already
    /// reaped ([`Job::snapshot`]); [`Job::info`] or [`Job::resources`]
    /// read one job's live figures, [`Kernel::list_with_resources`] every
    /// job's.
    pub fn list(&self) -> Vec<JobInfo> {
        self.jobs().iter().map(Job::snapshot).collect()
    }

    /// As [`list`](Self::list), with each running job's live CPU time and
    /// memory read from /proc (a few reads per live member: costly for
    /// thousands of jobs).
    pub fn list_with_resources(&self) -> Vec<JobInfo> {
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
        request_stop(&self.inner.events, &job.core, StopCause::Embedder);
        self.terminate_job(&job, grace).await
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
        self.inner.forget_lineage(&[id]);
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
            request_stop(&events, &core, StopCause::Embedder);
            let reap = self.reap_now();
            tasks.push(tokio::spawn(async move {
                let _ = terminate_core(&events, &core, grace, Some(reap)).await;
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    pub(crate) fn publish(&self, event: JobEvent) {
        self.inner.publish(event);
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
        let evicted = t.evict(self.config.retention);
        drop(t);
        self.publish(JobEvent::Spawned(id));
        if let Some(n) = number {
            self.publish(JobEvent::Numbered(id, n));
        }
        if finished.is_finished() {
            self.publish(JobEvent::Exited(id, finished));
        }
        for &e in &evicted {
            self.publish(JobEvent::Removed(e));
        }
        self.forget_lineage(&evicted);
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
            t.evict(self.config.retention)
        } else {
            Vec::new()
        };
        drop(t);
        if close {
            close_streams(core);
        }
        if counted {
            // As recorded (a timeout's 124): only a job with supervision
            // data can have had its state rewritten.
            let recorded = if core.meta().is_some() {
                core.state()
            } else {
                state
            };
            self.publish(JobEvent::Exited(id, recorded));
        }
        for &e in &evicted {
            self.publish(JobEvent::Removed(e));
        }
        self.forget_lineage(&evicted);
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
        let anchors: Vec<Arc<Anchor>> = lock(&self.anchors).drain().map(|(_, a)| a).collect();
        for a in anchors.iter().filter(|a| !a.is_disowned()) {
            a.end_blocking();
        }
    }
}

#[cfg(test)]
mod tests;
