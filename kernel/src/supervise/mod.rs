//! Supervision: what an agent harness or a process manager adds to a job.
//!
//! Every part is optional, lives in the one job table and shows in
//! [`JobInfo`](crate::JobInfo); a job that uses none carries one empty cell.
//!
//! - **Owners and labels.** [`JobOptions::owner`](crate::JobOptions::owner)
//!   (an opaque id: an agent, a session, a tool call) and
//!   [`JobOptions::label`](crate::JobOptions::label) (`key=value`). A
//!   [`Scope`] ([`Kernel::scope`](crate::Kernel::scope)) spawns, lists,
//!   waits on, signals, terminates and removes only its owner's jobs:
//!   another owner's job (or one with no owner) is
//!   [`Error::Forbidden`](crate::Error::Forbidden) and is left untouched.
//!   [`Scope::subscribe`] gives only that owner's events.
//! - **A visible stop request.** From the moment a job is asked to end —
//!   by the embedder ([`terminate`](crate::Kernel::terminate),
//!   [`cancel`](crate::Job::cancel), shutdown), by its timeout, by a limit,
//!   or by a signal that ends processes — [`JobInfo::stop_cause`](crate::JobInfo::stop_cause)
//!   holds the [`StopCause`] (the first one wins) and
//!   [`JobEvent::Stopping`](crate::JobEvent::Stopping) is published; it
//!   stays in the final snapshot. A job killed by a signal nobody asked the
//!   kernel for gets [`StopCause::Signal`] when it is reaped.
//! - **Timeouts.** [`JobOptions::timeout`](crate::JobOptions::timeout), or
//!   [`KernelConfig::default_timeout`](crate::KernelConfig::default_timeout):
//!   when it runs out, TERM, a grace period, KILL (as
//!   [`terminate`](crate::Kernel::terminate)); the job's final state is
//!   `Exited(124)`, as `timeout(1)` reports, with cause
//!   [`StopCause::Timeout`]. One timer task per job that has a timeout,
//!   ended with the job.
//! - **Lineage and limits.** [`JobOptions::parent`](crate::JobOptions::parent)
//!   names a live parent; [`Kernel::children`](crate::Kernel::children) and
//!   [`Kernel::subtree`](crate::Kernel::subtree) list the tree,
//!   [`Kernel::remove_subtree`](crate::Kernel::remove_subtree) removes a
//!   finished one. [`OrphanPolicy::Cascade`] makes terminating a job
//!   terminate its subtree too. The kernel's limits (depth, live children
//!   per parent, live descendants per ancestor, spawns per parent in a
//!   window) are checked before anything starts, each refusal a precise
//!   [`Error`](crate::Error). A job with an owner starts its children under
//!   the same owner unless they name another.
//! - **Completions.** [`Kernel::completions`](crate::Kernel::completions)
//!   (or [`Scope::completions`]) delivers each finished job once per
//!   consumer with its final snapshot, duration and a [`Preview`] of the
//!   tail of each stream; [`JobOptions::quiet`](crate::JobOptions::quiet)
//!   opts a job out. [`JobOptions::reminder`](crate::JobOptions::reminder)
//!   (or [`KernelConfig::reminder`](crate::KernelConfig::reminder))
//!   publishes [`JobEvent::StillRunning`](crate::JobEvent::StillRunning)
//!   at that interval while the job runs (not while it is stopped).
//! - **Resources** ([`resources`]): CPU time and memory accounted when
//!   asked (never sampled); CPU and memory limits: a warning event at 80%
//!   ([`JobEvent::LimitWarning`](crate::JobEvent::LimitWarning)), the end
//!   with cause [`StopCause::Limit`] at 100%. CPU by a deadline from the budget
//!   left, on the figure reported (`RLIMIT_CPU` on each member is only a
//!   backstop); memory by a memory
//!   cgroup per job where the system offers a writable one (whole-job
//!   limit, both thresholds from the cgroup's eventfds), else by each
//!   member's `RLIMIT_DATA` alone ([`memory_limit_path`] says which; the
//!   module docs say what the second path cannot warn about).
//! - **Output files** ([`JobOptions::output_file`](crate::JobOptions::output_file)):
//!   both streams are also appended to a file (a path the embedder names,
//!   or a new temp file), under the ring's lock so no byte is missed;
//!   [`JobInfo::output_file`](crate::JobInfo::output_file) names it, and
//!   removing the job deletes it unless the embedder asked to keep it.
//! - **Context**: [`JobInfo::cwd`](crate::JobInfo::cwd),
//!   [`JobInfo::env`](crate::JobInfo::env) and
//!   [`JobInfo::env_clear`](crate::JobInfo::env_clear) show the directory
//!   and the environment a process job was given on top of the embedder's.
//!   With the `serde` feature, specs, options, [`JobInfo`](crate::JobInfo),
//!   [`JobState`](crate::JobState) and [`JobEvent`](crate::JobEvent)
//!   serialize. Outside this crate, `/v/jobs/N/info` shows all of the
//!   above, and the shell starts such jobs with its `run` builtin and
//!   lists their settings with `jobs -S`.
//! - **How a job ended**: [`JobInfo::last_exit`](crate::JobInfo::last_exit)
//!   and [`JobInfo::last_stop_cause`](crate::JobInfo::last_stop_cause) are
//!   set for every finished job (its final state and stop cause); a
//!   restarting job shows there its last finished run's, while it runs on.
//! - **Restart policies** ([`restart`]): [`Kernel::spawn_restarting`](crate::Kernel::spawn_restarting)
//!   and [`Kernel::spawn_future_restarting`](crate::Kernel::spawn_future_restarting)
//!   run a job again by a [`RestartPolicy`] (never, on failure, always;
//!   a budget; exponential backoff), keeping its id and output streams
//!   across runs, with [`JobEvent::Restarted`](crate::JobEvent::Restarted)
//!   between them; its info counts restarts and its resources all runs.
//! - **Children of a future job** ([`FutureContext::spawn_process`](crate::FutureContext::spawn_process)):
//!   a future job (a shell's `( … ) &`, a compound command) starts process
//!   jobs as its own children: hidden unless their options say otherwise,
//!   with [`JobInfo::parent`](crate::JobInfo::parent) naming the future.
//!   Every signal sent to the future job also goes to each live child's
//!   process group, so stop, continue, TERM, INT, HUP and KILL reach the
//!   processes the future started; terminating the future escalates to
//!   KILL on its children too. A stopped future is not polled, and
//!   [`FutureContext::checkpoint`](crate::FutureContext::checkpoint) waits
//!   (without polling) until it is continued, for work the future runs
//!   elsewhere. A child that stops by itself (Ctrl-Z reaching its group)
//!   reports [`JobEvent::Stopped`](crate::JobEvent::Stopped) under its own
//!   id: the future's owner sees it (with [`Job::wait_change`](crate::Job::wait_change)
//!   or events) and decides whether to stop the whole future job, by
//!   signalling it like any job.
//!
//! The record's supervision data is set once, before the record is
//! shared, and read without locks; a job that uses none pays one null
//! pointer in its record (8 bytes) and a few comparisons at spawn
//! (`cargo bench -p corral-kernel --bench overhead` compares spawn, wait
//! and record size with a build from before supervision).

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::job::JobId;
use crate::signal::Signal;

mod completions;
pub mod resources;
pub mod restart;
mod scope;

pub use completions::{Completion, Completions, Preview};
pub use resources::{memory_limit_path, LimitKind, MemoryLimitPath, OutputFile, Resources};
pub use restart::{RestartMode, RestartPolicy};
pub use scope::Scope;

/// Why a job was asked to end (see [`JobInfo::stop_cause`](crate::JobInfo::stop_cause)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum StopCause {
    /// The embedder: terminate, cancel, a scope's terminate-all, shutdown.
    Embedder,
    /// The job's timeout ran out.
    Timeout,
    /// A limit was reached.
    Limit,
    /// A signal that ends processes: sent through the kernel, or from
    /// outside it (then known when the job is reaped).
    Signal(Signal),
}

impl StopCause {
    /// `embedder`, `timeout`, `limit` or `signal`.
    pub fn as_str(self) -> &'static str {
        match self {
            StopCause::Embedder => "embedder",
            StopCause::Timeout => "timeout",
            StopCause::Limit => "limit",
            StopCause::Signal(_) => "signal",
        }
    }
}

/// What terminating a job does to its subtree (see [`JobOptions::orphans`](crate::JobOptions::orphans)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum OrphanPolicy {
    /// Its children keep running (a future job's children still get its signals).
    #[default]
    Leave,
    /// Terminating the job terminates its whole subtree as well.
    Cascade,
}

impl OrphanPolicy {
    /// `leave` or `cascade`.
    pub fn as_str(self) -> &'static str {
        match self {
            OrphanPolicy::Leave => "leave",
            OrphanPolicy::Cascade => "cascade",
        }
    }
}

/// Whether `sig` asks a process to end (its default action ends it): not
/// the stop signals, CONT, and the ones ignored by default.
pub(crate) fn ends(sig: Signal) -> bool {
    let n = sig.number();
    !sig.is_stop() && ![libc::SIGCONT, libc::SIGCHLD, libc::SIGURG, libc::SIGWINCH].contains(&n)
}

/// A job's supervision data, fixed at spawn.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    /// The job this one was started under.
    pub(crate) parent: Option<JobId>,
    /// 0 for a job without a parent.
    pub(crate) depth: usize,
    pub(crate) owner: Option<Arc<str>>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) timeout_grace: Duration,
    pub(crate) orphans: OrphanPolicy,
    /// A process job's working directory, as given.
    pub(crate) cwd: Option<PathBuf>,
    /// The environment given on top of the embedder's (None: removed).
    pub(crate) env: Vec<(OsString, Option<OsString>)>,
    pub(crate) env_clear: bool,
    /// Left out of [`Completions`].
    pub(crate) quiet: bool,
    /// How often a live job reports [`JobEvent::StillRunning`](crate::JobEvent::StillRunning).
    pub(crate) reminder: Option<Duration>,
    /// A restarting job's policy and count.
    pub(crate) restart: Option<Arc<restart::RestartState>>,
    pub(crate) cpu_limit: Option<Duration>,
    pub(crate) memory_limit: Option<u64>,
    /// The job's output file, if it has one.
    pub(crate) output: Option<resources::OutputTarget>,
}

impl Meta {
    /// The snapshot of these settings, with a restarting job's `restarted`
    /// part and the job's stop cause and resources.
    pub(crate) fn snapshot(
        &self,
        restarted: Option<crate::job::Restarted>,
        stop_cause: Option<StopCause>,
        resources: Resources,
    ) -> crate::job::Supervised {
        let lossy = |s: &OsString| s.to_string_lossy().into_owned();
        crate::job::Supervised {
            stop_cause,
            resources,
            parent: self.parent,
            owner: self.owner.as_deref().map(str::to_owned),
            labels: self.labels.clone(),
            timeout: self.timeout,
            orphans: self.orphans,
            cwd: self.cwd.clone(),
            env: self
                .env
                .iter()
                .map(|(k, v)| (lossy(k), v.as_ref().map(lossy)))
                .collect(),
            env_clear: self.env_clear,
            quiet: self.quiet,
            reminder: self.reminder,
            restart: restarted,
            cpu_limit: self.cpu_limit,
            memory_limit: self.memory_limit,
            output_file: self.output.as_ref().map(|o| o.path.clone()),
        }
    }
}

/// Records a request to end `core` (unless one was recorded already) and
/// publishes it; returns whether this call recorded it.
pub(crate) fn request_stop(
    events: &crate::events::Publisher,
    core: &crate::record::JobCore,
    cause: StopCause,
) -> bool {
    let first = core.request_stop(cause);
    if first {
        events.publish(crate::job::JobEvent::Stopping(core.id(), cause));
    }
    first
}
