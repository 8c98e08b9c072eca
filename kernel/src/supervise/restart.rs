//! Restart policies: a job that runs again when its run ends.
//!
//! A restarting job is one future job (one id, one pair of output
//! streams, one entry in `/v/jobs`) that runs its work again and again:
//! a process job's kept spec ([`Kernel::spawn_restarting`]), each run a
//! hidden, quiet child process job whose output is copied into the job's
//! own streams; or a factory's future ([`Kernel::spawn_future_restarting`]).
//! Between runs it publishes [`JobEvent::Restarted`],
//! and its info shows the policy, the restart count and the last finished
//! run: how it ended ([`JobInfo::restarts`](crate::JobInfo::restarts),
//! [`JobInfo::last_exit`](crate::JobInfo::last_exit)) and why it was asked
//! to end, if it was ([`JobInfo::last_stop_cause`](crate::JobInfo::last_stop_cause):
//! a run its CPU or memory limit ended shows `limit` there while the job
//! itself runs on). Its [`JobInfo::resources`](crate::JobInfo::resources)
//! are those of all its runs: the CPU time of the finished ones plus the
//! current one's, the current run's memory, and the largest peak of any.
//! A job's own [`JobOptions::timeout`](crate::JobOptions::timeout) bounds
//! the whole job; its CPU and memory limits apply to each run.
//!
//! After a run, the [`RestartPolicy`] decides: never; on failure (a run
//! that did not exit 0); or always. A budget bounds restarts (at most N
//! in a sliding window): past it the job ends with the last run's status.
//! The delay before restart k of the window is `backoff * 2^k`, at most
//! `max_backoff`. A job asked to end (any ending signal, cancel,
//! terminate, its timeout) is not restarted; signals reach the current
//! run as for any future job's child, so stop and continue work too. A
//! run that cannot start (command not found) counts as a failed run with
//! status 127 (126, or 1), its error written to the job's stderr.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::future_job::FutureContext;
use crate::job::{JobEvent, JobState};
use crate::kernel::Kernel;
use crate::record::Job;
use crate::spec::{Cmd, Io, JobOptions, ProcessSpec};
use crate::stream::OutputStream;
use crate::supervise::{Resources, StopCause};

/// When a job runs again.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum RestartMode {
    /// Never (the default): a plain job.
    #[default]
    Never,
    /// After a run that did not exit 0.
    OnFailure,
    /// After every run.
    Always,
}

impl RestartMode {
    /// `never`, `on-failure` or `always`.
    pub fn as_str(self) -> &'static str {
        match self {
            RestartMode::Never => "never",
            RestartMode::OnFailure => "on-failure",
            RestartMode::Always => "always",
        }
    }
}

/// A restart policy: the mode, a budget and a backoff.
///
/// ```
/// use std::time::Duration;
/// use corral_kernel::RestartPolicy;
/// let p = RestartPolicy::on_failure().budget(5, Duration::from_secs(60));
/// assert_eq!(p.max_restarts, 5);
/// assert_eq!(p.backoff, Duration::from_millis(100));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RestartPolicy {
    /// When to restart.
    pub mode: RestartMode,
    /// Most restarts within `window` (default 5).
    pub max_restarts: u32,
    /// The budget's sliding window (default 60 s).
    pub window: Duration,
    /// Delay before the first restart of the window (default 100 ms).
    pub backoff: Duration,
    /// Longest delay (default 30 s).
    pub max_backoff: Duration,
}

impl Default for RestartPolicy {
    fn default() -> Self {
        RestartPolicy {
            mode: RestartMode::Never,
            max_restarts: 5,
            window: Duration::from_secs(60),
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(30),
        }
    }
}

impl RestartPolicy {
    /// Never restart.
    pub fn never() -> Self {
        RestartPolicy::default()
    }

    /// Restart after a failed run.
    pub fn on_failure() -> Self {
        RestartPolicy {
            mode: RestartMode::OnFailure,
            ..RestartPolicy::default()
        }
    }

    /// Restart after every run.
    pub fn always() -> Self {
        RestartPolicy {
            mode: RestartMode::Always,
            ..RestartPolicy::default()
        }
    }

    /// At most `restarts` restarts in any `window`.
    pub fn budget(mut self, restarts: u32, window: Duration) -> Self {
        self.max_restarts = restarts;
        self.window = window;
        self
    }

    /// First delay `first`, doubling up to `max`.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.backoff = first;
        self.max_backoff = max;
        self
    }
}

/// A restarting job's running count, shown in its info.
#[derive(Debug)]
pub(crate) struct RestartState {
    pub(crate) policy: RestartPolicy,
    pub(crate) count: AtomicU32,
    runs: Mutex<Runs>,
    recent: Mutex<VecDeque<Instant>>,
}

/// What the runs so far left, and the current run.
#[derive(Debug, Default)]
struct Runs {
    last_exit: Option<JobState>,
    last_cause: Option<StopCause>,
    /// CPU time of the finished runs, and the largest peak of any.
    done: Resources,
    /// The current run's process job.
    current: Option<Job>,
}

/// How one run ended.
pub(crate) struct RunEnd {
    state: JobState,
    cause: Option<StopCause>,
    usage: Resources,
}

impl RunEnd {
    fn exited(code: i32) -> RunEnd {
        RunEnd {
            state: JobState::Exited(code),
            cause: None,
            usage: Resources::default(),
        }
    }
}

impl RestartState {
    fn new(policy: RestartPolicy) -> Self {
        RestartState {
            policy,
            count: AtomicU32::new(0),
            runs: Mutex::new(Runs::default()),
            recent: Mutex::new(VecDeque::new()),
        }
    }

    fn runs(&self) -> std::sync::MutexGuard<'_, Runs> {
        self.runs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The last finished run's end and stop cause, and the usage of all runs.
    pub(crate) fn last(&self, live: bool) -> (Option<JobState>, Option<StopCause>, Resources) {
        let runs = self.runs();
        let mut usage = runs.done;
        let current = runs.current.as_ref();
        if let Some(now) = current.map(|j| crate::supervise::resources::of(&j.core, live).0) {
            usage.cpu_user += now.cpu_user;
            usage.cpu_system += now.cpu_system;
            usage.memory = now.memory;
            usage.memory_peak = usage.memory_peak.max(now.memory_peak);
        }
        (runs.last_exit, runs.last_cause, usage)
    }

    fn set_current(&self, run: Option<Job>) {
        self.runs().current = run;
    }

    /// Records how a run ended.
    fn record(&self, end: &RunEnd) {
        let mut runs = self.runs();
        runs.last_exit = Some(end.state);
        runs.last_cause = end.cause;
        runs.done.cpu_user += end.usage.cpu_user;
        runs.done.cpu_system += end.usage.cpu_system;
        runs.done.memory_peak = runs.done.memory_peak.max(end.usage.memory_peak);
        runs.current = None;
    }

    /// The delay before the next run after one that ended `end`, or
    /// `None` to end the job.
    fn after(&self, end: JobState) -> Option<Duration> {
        let p = &self.policy;
        match p.mode {
            RestartMode::Never => return None,
            RestartMode::OnFailure if end == JobState::Exited(0) => return None,
            _ => {}
        }
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap_or_else(|e| e.into_inner());
        while recent
            .front()
            .is_some_and(|&t| now.duration_since(t) >= p.window)
        {
            recent.pop_front();
        }
        if recent.len() >= p.max_restarts as usize {
            return None;
        }
        let k = u32::try_from(recent.len()).unwrap_or(u32::MAX);
        recent.push_back(now);
        let delay = p
            .backoff
            .checked_mul(2u32.saturating_pow(k))
            .unwrap_or(p.max_backoff);
        Some(delay.min(p.max_backoff))
    }
}

/// The status a run that could not start counts as.
fn start_failure(e: &Error) -> i32 {
    match e {
        Error::CommandNotFound { .. } => 127,
        Error::PermissionDenied { .. } => 126,
        _ => 1,
    }
}

fn io_of(io: &Io) -> std::io::Result<Io> {
    Ok(match io {
        Io::Default => Io::Default,
        Io::Null => Io::Null,
        Io::Inherit => Io::Inherit,
        Io::Capture => Io::Capture,
        Io::ToStdout => Io::ToStdout,
        Io::ToStderr => Io::ToStderr,
        Io::File(f) => Io::File(f.try_clone()?),
    })
}

/// A copy of `spec` for one more run (files it redirects to are shared).
fn copy_spec(spec: &ProcessSpec) -> std::io::Result<ProcessSpec> {
    let mut members = Vec::with_capacity(spec.members.len());
    for m in &spec.members {
        members.push(Cmd {
            program: m.program.clone(),
            args: m.args.clone(),
            stdin: io_of(&m.stdin)?,
            stdout: io_of(&m.stdout)?,
            stderr: io_of(&m.stderr)?,
            env: m.env.clone(),
            text: m.text.clone(),
            arg0: m.arg0.clone(),
            fds: m
                .fds
                .iter()
                .map(|(t, fd)| Ok((*t, fd.try_clone()?)))
                .collect::<std::io::Result<_>>()?,
        });
    }
    Ok(ProcessSpec {
        text: spec.text.clone(),
        members,
        cwd: spec.cwd.clone(),
        env_clear: spec.env_clear,
        env: spec.env.clone(),
        inherit_stdio: spec.inherit_stdio,
        stdout_pty: spec.stdout_pty,
        options: spec.options.clone(),
        pre_exec: spec.pre_exec.clone(),
        ignored: spec.ignored,
    })
}

/// Copies `from` into `to` until `from` closes.
async fn forward(from: OutputStream, to: OutputStream) {
    let mut f = from.follow(0);
    while let Some(chunk) = f.next_chunk().await {
        to.write(&chunk.data);
    }
}

/// One run of a kept spec, as a child of the restarting job.
async fn run_once(ctx: &FutureContext, state: &RestartState, spec: &ProcessSpec) -> RunEnd {
    let child = copy_spec(spec)
        .map_err(|source| Error::Spawn {
            command: spec.text.clone(),
            source,
        })
        .and_then(|s| ctx.spawn_process(s));
    let child: Job = match child {
        Ok(c) => c,
        Err(e) => {
            ctx.stderr.write(format!("{e}\n").as_bytes());
            return RunEnd::exited(start_failure(&e));
        }
    };
    state.set_current(Some(child.clone()));
    let out = forward(child.stdout().clone(), ctx.stdout.clone());
    let err = forward(child.stderr().clone(), ctx.stderr.clone());
    let (info, (), ()) = tokio::join!(child.wait(), out, err);
    let _ = ctx.kernel().map(|k| k.remove(child.id()));
    RunEnd {
        state: info.state,
        cause: info.stop_cause(),
        usage: info.resources(),
    }
}

/// The restarting job's loop: `run` until the policy says stop.
async fn supervise<R, Fut>(ctx: FutureContext, state: Arc<RestartState>, run: R) -> i32
where
    R: Fn(FutureContext) -> Fut,
    Fut: Future<Output = RunEnd>,
{
    loop {
        let end = run(ctx.clone()).await;
        state.record(&end);
        let code = end.state.exit_status().unwrap_or(1);
        if ctx.cancel.is_cancelled() {
            return code;
        }
        let Some(delay) = state.after(end.state) else {
            return code;
        };
        // A zero delay skips the timer (whose granularity is a millisecond).
        if !delay.is_zero() {
            tokio::select! {
                () = tokio::time::sleep(delay) => {}
                () = ctx.cancel.cancelled() => return code,
            }
        }
        ctx.checkpoint().await;
        let n = state.count.fetch_add(1, Ordering::AcqRel) + 1;
        if let Some(k) = ctx.kernel() {
            k.publish(JobEvent::Restarted(ctx.job_id(), n));
        }
    }
}

impl Kernel {
    /// Starts a process job that runs `spec` again by `policy` (see the
    /// [module docs](crate::supervise::restart)): one job with one id and
    /// one pair of streams across runs; each run is a hidden, quiet child
    /// process job. The spec's options are the job's (owner, labels,
    /// timeout for the whole, …); each run gets the output settings.
    ///
    /// # Errors
    /// As [`Kernel::spawn_future`]. A run that cannot start is a failed run.
    pub fn spawn_restarting(&self, mut spec: ProcessSpec, policy: RestartPolicy) -> Result<Job> {
        let mut options = std::mem::take(&mut spec.options);
        let mut run_opts = JobOptions::new().hidden(true).quiet(true);
        run_opts.output_cap = options.output_cap;
        run_opts.lossless = options.lossless;
        // Limits are per run: each run's processes are checked and limited.
        run_opts.cpu_limit = options.cpu_limit;
        run_opts.memory_limit = options.memory_limit;
        spec.options = run_opts;
        let state = Arc::new(RestartState::new(policy));
        options.restart = Some(Arc::clone(&state));
        let spec = Arc::new(spec);
        let text = spec.text.clone();
        self.spawn_future(text, options, move |ctx| {
            let runs = Arc::clone(&state);
            supervise(ctx, state, move |ctx| {
                let spec = Arc::clone(&spec);
                let runs = Arc::clone(&runs);
                async move { run_once(&ctx, &runs, &spec).await }
            })
        })
    }

    /// Starts a future job that runs the future `make` returns again by
    /// `policy` (see the [module docs](crate::supervise::restart)); every
    /// run gets the same context (streams, token).
    ///
    /// # Errors
    /// As [`Kernel::spawn_future`].
    pub fn spawn_future_restarting<M, F>(
        &self,
        command: impl Into<String>,
        mut options: JobOptions,
        policy: RestartPolicy,
        make: M,
    ) -> Result<Job>
    where
        M: Fn(FutureContext) -> F + Send + Sync + 'static,
        F: Future<Output = i32> + Send + 'static,
    {
        let state = Arc::new(RestartState::new(policy));
        options.restart = Some(Arc::clone(&state));
        self.spawn_future(command, options, move |ctx| {
            supervise(ctx, state, move |ctx| {
                let run = make(ctx);
                async move { RunEnd::exited(run.await) }
            })
        })
    }
}
