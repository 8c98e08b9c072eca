//! The [`Kernel`]: the job table, spawning, reaping, waiting, events and shutdown.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::{poll_fn, Future};
use std::os::fd::OwnedFd;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::signal::unix::{signal as os_signal, SignalKind};
use tokio::sync::broadcast;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::control::{signal_core, terminate_core};
use crate::error::{Error, Result};
use crate::future_job::{Controlled, FutureContext, FutureControl};
use crate::job::{JobEvent, JobId, JobInfo, JobState};
use crate::process::{self, make_stream, Pump, SpawnSettings};
use crate::record::{Body, Job, JobCore, Member, ProcPart};
use crate::signal::Signal;
use crate::spec::{JobOptions, ProcessSpec};
#[cfg(test)]
use crate::sys;

mod drive;
mod reaper;

use drive::{DriveJob, Starter};

/// Settings of one kernel.
#[derive(Clone, Debug)]
pub struct KernelConfig {
    /// Cap of each output ring in bytes (default 1 MiB).
    pub output_cap: usize,
    /// Also keep every job's full output in a temp file (default off).
    pub lossless: bool,
    /// Most jobs live (running or stopped) at once; spawning past it fails (default 4096).
    pub max_running: usize,
    /// Finished jobs kept before the oldest is removed (default 100).
    pub retention: usize,
    /// Deprecated and unused: a job's pipes are now read until end of file,
    /// however long a leftover process keeps them open (bounded by the ring
    /// as always). Kept only until the configuration is reshaped.
    pub drain_timeout: Duration,
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
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            output_cap: crate::stream::OutputStream::DEFAULT_CAP,
            lossless: false,
            max_running: 4096,
            retention: 100,
            drain_timeout: Duration::from_millis(100),
            pipe_size: 1 << 20,
            event_capacity: 1024,
            drop_grace: Duration::from_secs(2),
        }
    }
}

#[derive(Default)]
struct Table {
    next_id: u64,
    jobs: BTreeMap<JobId, Arc<JobCore>>,
    live: HashSet<JobId>,
    reserved: usize,
    /// Finished ids, oldest first, for retention. `remove` leaves its id
    /// here (removing from the middle would cost a scan per call): such
    /// stale ids are skipped, and swept out once they are the majority.
    finished: VecDeque<JobId>,
    /// How many ids in `finished` are still records in `jobs`.
    finished_held: usize,
}

impl Table {
    /// Queues a finished record for retention.
    fn push_finished(&mut self, id: JobId) {
        self.finished.push_back(id);
        self.finished_held += 1;
    }

    /// Drops a finished record (its id stays in `finished`, stale).
    fn remove_finished(&mut self, id: JobId) {
        if self.jobs.remove(&id).is_none() {
            return;
        }
        self.finished_held = self.finished_held.saturating_sub(1);
        if self.finished.len() > 2 * self.finished_held + 64 {
            let jobs = &self.jobs;
            self.finished.retain(|f| jobs.contains_key(f));
        }
    }
}

pub(crate) struct Inner {
    config: KernelConfig,
    table: Mutex<Table>,
    /// Process groups with children of ours still in them, by pgid.
    groups: Mutex<HashMap<i32, Arc<JobCore>>>,
    /// Finished foreground jobs with processes still in their group.
    leftovers: Mutex<Vec<Arc<JobCore>>>,
    reap_lock: Mutex<()>,
    /// /dev/null, opened once and duplicated for each job's stdin.
    dev_null: Option<OwnedFd>,
    events: broadcast::Sender<JobEvent>,
    stop: CancellationToken,
    closing: AtomicBool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// One shell session's job engine. Cheap to clone; every clone is the same kernel.
///
/// Needs a tokio runtime (with I/O, time and signal drivers enabled) for
/// [`Kernel::new`] and every spawn.
#[derive(Clone)]
pub struct Kernel {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Kernel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kernel").finish_non_exhaustive()
    }
}

impl Kernel {
    /// A kernel with default settings.
    ///
    /// # Errors
    /// [`Error::Io`] if SIGCHLD cannot be listened for (no tokio runtime with signals).
    pub fn new() -> Result<Kernel> {
        Kernel::with_config(KernelConfig::default())
    }

    /// A kernel with these settings.
    ///
    /// # Errors
    /// [`Error::Io`] if SIGCHLD cannot be listened for (no tokio runtime with signals).
    pub fn with_config(config: KernelConfig) -> Result<Kernel> {
        let mut sigchld = os_signal(SignalKind::child()).map_err(|source| Error::Io {
            context: "listening for SIGCHLD".into(),
            source,
        })?;
        let (events, _) = broadcast::channel(config.event_capacity.max(1));
        let inner = Arc::new(Inner {
            config,
            table: Mutex::new(Table {
                next_id: 1,
                ..Table::default()
            }),
            groups: Mutex::new(HashMap::new()),
            leftovers: Mutex::new(Vec::new()),
            reap_lock: Mutex::new(()),
            // Best effort: without it each job opens /dev/null itself.
            dev_null: process::open_dev_null().ok(),
            events,
            stop: CancellationToken::new(),
            closing: AtomicBool::new(false),
        });
        let weak = Arc::downgrade(&inner);
        let stop = inner.stop.clone();
        tokio::spawn(async move {
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
    ///
    /// A background spec enters the table at once and gets the next id; a
    /// [foreground](ProcessSpec::foreground) one stays out of it until [`adopt`](Self::adopt)ed.
    ///
    /// # Errors
    /// [`Error::CommandNotFound`] / [`Error::PermissionDenied`] naming the program,
    /// [`Error::BadDirectory`], [`Error::LimitReached`], [`Error::Spawn`]. On error
    /// nothing is left running.
    pub fn spawn_process(&self, spec: ProcessSpec) -> Result<Job> {
        let listed = !spec.foreground;
        if listed {
            self.inner.reserve()?;
        } else if self.inner.closing.load(Ordering::Acquire) {
            return Err(Error::ShuttingDown);
        }
        let settings = SpawnSettings {
            output_cap: self.inner.config.output_cap,
            lossless: self.inner.config.lossless,
            pipe_size: self.inner.config.pipe_size,
            dev_null: self.inner.dev_null.as_ref(),
        };
        let started = match process::spawn(spec, &settings) {
            Ok(s) => s,
            Err(e) => {
                if listed {
                    lock(&self.inner.table).reserved -= 1;
                }
                return Err(e);
            }
        };
        let core = started.core;
        if listed {
            self.inner.insert(&core, true);
        }
        // Armed before the reaper may see the group, so it can start the task.
        Starter::arm(DriveJob {
            kernel: Arc::downgrade(&self.inner),
            core: Arc::clone(&core),
            pumps: started.pumps,
        });
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
    /// [`Error::LimitReached`], [`Error::ShuttingDown`], [`Error::Io`] (spill file).
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
        self.inner.reserve()?;
        let cap = options.output_cap.unwrap_or(self.inner.config.output_cap);
        let lossless = options.lossless.unwrap_or(self.inner.config.lossless);
        let streams = make_stream(cap, lossless).and_then(|o| Ok((o, make_stream(cap, lossless)?)));
        let (stdout, stderr) = match streams {
            Ok(s) => s,
            Err(e) => {
                lock(&self.inner.table).reserved -= 1;
                return Err(e);
            }
        };
        let ctl = Arc::new(FutureControl::default());
        let fut = make(FutureContext {
            stdout: stdout.clone(),
            stderr: stderr.clone(),
            cancel: ctl.cancel.clone(),
        });
        let core = Arc::new(JobCore::new(
            command.into(),
            stdout,
            stderr,
            Body::Future(Mutex::new(Some(Arc::clone(&ctl)))),
        ));
        self.inner.insert(&core, true);
        let weak = Arc::downgrade(&self.inner);
        let task_core = Arc::clone(&core);
        tokio::spawn(async move {
            let controlled = Controlled {
                inner: Box::pin(fut),
                ctl: Arc::clone(&ctl),
                stderr: task_core.stderr.clone(),
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

    /// Enters a foreground job into the table (e.g. when it stops) and gives it an id.
    /// Adopting a job twice returns the id it already has.
    pub fn adopt(&self, job: &Job) -> JobId {
        if let Some(id) = job.id() {
            return id;
        }
        self.inner.insert(&job.core, false)
    }

    /// A handle to a job in the table.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    pub fn job(&self, id: JobId) -> Result<Job> {
        let core = lock(&self.inner.table).jobs.get(&id).cloned();
        core.map(|c| self.handle(c)).ok_or(Error::NoSuchJob(id))
    }

    /// The ids in the table, ascending.
    pub fn job_ids(&self) -> Vec<JobId> {
        lock(&self.inner.table).jobs.keys().copied().collect()
    }

    /// Handles to every job in the table, by ascending id.
    pub fn jobs(&self) -> Vec<Job> {
        let cores: Vec<_> = lock(&self.inner.table).jobs.values().cloned().collect();
        cores.into_iter().map(|c| self.handle(c)).collect()
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
        let job = self.job(id)?;
        signal_core(&job.kernel, &job.core, signal)
    }

    /// TERM, then KILL once `grace` has passed; a stopped job is continued so it
    /// can act on TERM. Returns the final state.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`], [`Error::JobFinished`] (nothing left to terminate).
    pub async fn terminate(&self, id: JobId, grace: Duration) -> Result<JobState> {
        let job = self.job(id)?;
        terminate_core(&job.kernel, &job.core, grace).await
    }

    /// Waits for one job to finish, or until `timeout`; returns its snapshot then
    /// (check `state.is_finished()` to tell a timeout).
    ///
    /// # Errors
    /// [`Error::NoSuchJob`].
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait(&self, id: JobId, timeout: Option<Duration>) -> Result<JobInfo> {
        let job = self.job(id)?;
        match timeout {
            Some(t) => {
                let _ = job.wait_timeout(t).await;
            }
            None => {
                job.wait().await;
            }
        }
        Ok(job.info())
    }

    /// Waits for the first of `ids` to finish (one already finished counts at
    /// once, the earliest-ended first). `None` if `ids` names no job in the
    /// table or the timeout passed.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_any(&self, ids: &[JobId], timeout: Option<Duration>) -> Option<JobInfo> {
        let mut events = self.subscribe();
        let wanted: HashSet<JobId> = ids.iter().copied().collect();
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let jobs: Vec<Job> = wanted.iter().filter_map(|&id| self.job(id).ok()).collect();
            if jobs.is_empty() {
                return None;
            }
            let done = jobs
                .iter()
                .map(Job::info)
                .filter(|i| i.state.is_finished())
                .min_by_key(|i| i.ended_at);
            if done.is_some() {
                return done;
            }
            let next = async {
                loop {
                    match events.recv().await {
                        Ok(JobEvent::Exited(id, _) | JobEvent::Removed(id))
                            if wanted.contains(&id) =>
                        {
                            return true
                        }
                        Ok(_) => continue,
                        Err(broadcast::error::RecvError::Lagged(_)) => return true,
                        Err(broadcast::error::RecvError::Closed) => return false,
                    }
                }
            };
            let got = match deadline {
                Some(d) => tokio::time::timeout_at(d, next).await.unwrap_or(false),
                None => next.await,
            };
            if !got {
                return None;
            }
        }
    }

    /// Waits until every job in the table that is not disowned has finished, or
    /// until `timeout`; returns whether they all had.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_all(&self, timeout: Option<Duration>) -> bool {
        let jobs: Vec<Job> = self
            .jobs()
            .into_iter()
            .filter(|j| !j.core.disowned.load(Ordering::Relaxed))
            .collect();
        let all = async {
            for job in &jobs {
                job.wait().await;
            }
        };
        match timeout {
            Some(t) => tokio::time::timeout(t, all).await.is_ok(),
            None => {
                all.await;
                true
            }
        }
    }

    /// Every state change from now on. A subscriber that falls more than
    /// [`KernelConfig::event_capacity`] events behind gets `Lagged` and resumes
    /// with the newest; re-read the table then.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.inner.events.subscribe()
    }

    /// Removes a finished job's record (its output with it).
    ///
    /// # Errors
    /// [`Error::NoSuchJob`], [`Error::StillRunning`].
    pub fn remove(&self, id: JobId) -> Result<()> {
        let mut t = lock(&self.inner.table);
        match t.jobs.get(&id) {
            None => return Err(Error::NoSuchJob(id)),
            Some(c) if !c.state().is_finished() => return Err(Error::StillRunning(id)),
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
        let job = self.job(id)?;
        job.core.disowned.store(true, Ordering::Relaxed);
        Ok(())
    }

    /// Terminates every job that is not disowned, all at once (TERM, `grace`,
    /// KILL, stopped ones continued first), and returns when they are gone.
    /// New jobs are refused from the start of the call.
    pub async fn shutdown(&self, grace: Duration) {
        self.inner.closing.store(true, Ordering::Release);
        let mut cores: Vec<Arc<JobCore>> = lock(&self.inner.table).jobs.values().cloned().collect();
        cores.extend(lock(&self.inner.groups).values().cloned());
        cores.extend(lock(&self.inner.leftovers).drain(..));
        let mut seen = HashSet::new();
        let mut tasks = Vec::new();
        for core in cores {
            if core.disowned.load(Ordering::Relaxed) || !seen.insert(Arc::as_ptr(&core) as usize) {
                continue;
            }
            let weak = Arc::downgrade(&self.inner);
            tasks.push(tokio::spawn(async move {
                let _ = terminate_core(&weak, &core, grace).await;
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
    }

    fn handle(&self, core: Arc<JobCore>) -> Job {
        Job {
            core,
            kernel: Arc::downgrade(&self.inner),
        }
    }
}

impl Inner {
    pub(crate) fn publish(&self, event: JobEvent) {
        // No subscriber is not an error.
        let _ = self.events.send(event);
    }

    fn reserve(&self) -> Result<()> {
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
        Ok(())
    }

    /// Gives `core` the next id and enters it; `reserved` releases a reservation.
    fn insert(&self, core: &Arc<JobCore>, reserved: bool) -> JobId {
        let mut t = lock(&self.table);
        if reserved {
            t.reserved -= 1;
        }
        let id = JobId(t.next_id);
        t.next_id += 1;
        let _ = core.id.set(id);
        t.jobs.insert(id, Arc::clone(core));
        let finished = core.state();
        if finished.is_finished() {
            t.push_finished(id);
        } else {
            t.live.insert(id);
        }
        let evicted = self.evict(&mut t);
        drop(t);
        self.publish(JobEvent::Spawned(id));
        if finished.is_finished() {
            self.publish(JobEvent::Exited(id, finished));
        }
        for e in evicted {
            self.publish(JobEvent::Removed(e));
        }
        id
    }

    fn evict(&self, t: &mut Table) -> Vec<JobId> {
        let mut out = Vec::new();
        while t.finished_held > self.config.retention {
            let Some(old) = t.finished.pop_front() else {
                break;
            };
            // Stale ids (already removed) are only skipped.
            if t.jobs.remove(&old).is_some() {
                t.finished_held -= 1;
                out.push(old);
            }
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
        let id = core.id.get().copied();
        let counted = id.filter(|id| t.live.remove(id));
        let evicted = match counted {
            Some(id) => {
                t.push_finished(id);
                self.evict(&mut t)
            }
            None => Vec::new(),
        };
        drop(t);
        if close {
            close_streams(core);
        }
        if let Some(id) = counted {
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
    core.stdout.close();
    core.stderr.close();
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
        cores.extend(lock(&self.leftovers).drain(..));
        let mut seen = HashSet::new();
        let mut procs = Vec::new();
        for core in &cores {
            if !seen.insert(Arc::as_ptr(core) as usize) {
                continue;
            }
            if let Body::Process(p) = &core.body {
                // No reaper will start a task not yet started: release the
                // starter, which holds the record (a cycle otherwise).
                let starter = lock(&p.starter).take();
                drop(starter);
            }
            if core.disowned.load(Ordering::Relaxed) {
                continue;
            }
            match &core.body {
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
            let state = tokio::time::timeout(DEADLINE, job.wait()).await.unwrap();
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
            let state = tokio::time::timeout(DEADLINE, job.wait()).await.unwrap();
            assert_eq!(state, JobState::Exited(0));
            let pgid = job.pgid().unwrap() as i32;
            assert!(sys::group_exists(pgid), "the sleeps are left in the group");
            let t = std::time::Instant::now();
            let grace = Duration::from_secs(30);
            kernel.terminate(job.id().unwrap(), grace).await.unwrap();
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
