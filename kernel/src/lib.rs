//! corral-kernel: a shell-style job-control engine for Rust programs.
//!
//! # The model
//!
//! One [`Kernel`] per shell session holds a table of **jobs**. A job is either
//!
//! - a **process job** ([`Kernel::spawn_process`]): one command or a pipeline,
//!   every member in one new process group (pgid = the first member's pid),
//!   stdin /dev/null by default; or
//! - a **future job** ([`Kernel::spawn_future`]): any future, given a
//!   [`FutureContext`] with its output streams and a [`CancelToken`].
//!
//! Every job has a stdout and a stderr [`OutputStream`]: a bounded ring that never
//! blocks its writer, addressed by absolute byte offsets, readable as a snapshot,
//! from an offset, or followed live (see [`stream`]).
//!
//! Every job is a record in the table from spawn until it is removed, named by
//! its [`JobId`]. The number a user sees (`[N]`, `/v/jobs/N`) is
//! [`JobInfo::number`], given when the job first becomes visible: at spawn, or
//! later through [`Kernel::show`] for a job spawned [hidden](JobOptions::hidden)
//! (a shell's foreground command, shown only if it is stopped).
//!
//! States: `Running ↔ Stopped(sig)`, then `Exited(code)` or `Signaled(sig)`,
//! whose shell status is 128+N. A process job is finished when its processes
//! have exited (reaped by pid, on their pidfds' exit and on SIGCHLD, never
//! with `waitpid(-1)`), not when its pipes close.
//!
//! # The API in a screen
//!
//! | to | call |
//! |---|---|
//! | start | [`Kernel::spawn_process`], [`Kernel::spawn_future`] (fail with [`Error::NoRuntime`] outside a runtime, starting nothing) |
//! | find | [`Kernel::job`], [`Kernel::job_by_number`], [`Kernel::jobs`], [`Kernel::visible_jobs`], [`Kernel::list`] |
//! | wait | [`Job::wait`], [`Kernel::wait`], [`Kernel::wait_any`], [`Kernel::wait_all`]: each returns final [`JobInfo`]s, is cancel safe, and is bounded with `tokio::time::timeout` (the only timeout; an error always means "no such job") |
//! | signal | [`Job::signal`] / [`Kernel::signal`] (any [`Signal`], real-time ones too), [`Job::cancel`], [`Kernel::terminate`] (TERM, grace, KILL; runs to the end even if its future is dropped) |
//! | watch | [`Kernel::subscribe`]: an [`Events`] stream of [`JobEvent`]s that reports lag as [`EventError::Lagged`] |
//! | end | [`Kernel::remove`], [`Kernel::disown`], [`Kernel::shutdown`]; dropping the last handle terminates what is left |
//! | outside jobs | [`kill_pid`], [`kill_group`], [`probe_pid`], [`probe_group`] take a [`Pid`] and a [`Signal`] |
//! | supervise | [`Kernel::scope`] ([`Scope`]: one owner's jobs), [`JobOptions::owner`] / [`label`](JobOptions::label) / [`timeout`](JobOptions::timeout) / [`parent`](JobOptions::parent) / [`orphans`](JobOptions::orphans), [`Kernel::children`], [`Kernel::subtree`], [`Kernel::remove_subtree`], [`FutureContext::spawn_process`], [`FutureContext::checkpoint`], [`JobInfo::stop_cause`] (see [`supervise`]) |
//! | resources | [`Job::resources`] / [`JobInfo::resources`] (CPU time, memory), [`JobOptions::cpu_limit`] / [`memory_limit`](JobOptions::memory_limit) ([`JobEvent::LimitWarning`] at 80%, cause [`StopCause::Limit`] at 100%; a memory cgroup per job where the system offers one, [`memory_limit_path`]), [`JobOptions::output_file`] (see [`supervise::resources`]) |
//! | restart, complete | [`Kernel::spawn_restarting`], [`Kernel::spawn_future_restarting`] ([`RestartPolicy`]; [`JobInfo::restarts`], [`JobInfo::last_exit`], [`JobInfo::last_stop_cause`]), [`Kernel::completions`] ([`Completion`] with [`Preview`]s), [`JobOptions::reminder`] (see [`supervise::restart`]) |
//!
//! Public types are owned by this crate: no tokio, tokio-util or nix type
//! appears in a signature. Config, options, states, events and snapshots are
//! `#[non_exhaustive]`; build them with their defaults and builder methods.
//!
//! With the `serde` feature, specs, options, [`JobInfo`], [`JobState`] and
//! [`JobEvent`] implement `serde::Serialize`.
//!
//! # Snapshot layout
//!
//! A job that uses no supervision feature pays for none. Its record keeps
//! the supervision data behind one `Option<Box<_>>` (8 bytes, `None`), and
//! so does its [`JobInfo`]: what every job has (ids, command, state, pids,
//! times, stream counters) are public fields; what not every job has
//! ([`stop_cause`](JobInfo::stop_cause), [`resources`](JobInfo::resources),
//! owner, labels, parent, timeout, limits, restarts, directory and
//! environment, output file) are methods such as [`JobInfo::owner`] that
//! read one boxed part, absent for a plain future job, and give the
//! defaults then. A plain snapshot is 288 bytes. The serde form and
//! `Debug` list every field flat.
//!
//! The kernel changes no process-wide signal disposition: it only listens for
//! SIGCHLD. Terminal control is the embedding shell's business.
//!
//! # Example
//!
//! ```
//! use corral_kernel::{Cmd, JobOptions, JobState, Kernel, ProcessSpec};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), corral_kernel::Error> {
//! let kernel = Kernel::new()?;
//!
//! // A process job: a pipeline in its own process group, output captured.
//! let spec = ProcessSpec::new("printf 'b\\na\\n' | sort")
//!     .pipe(Cmd::new("printf").arg("b\\na\\n"))
//!     .pipe(Cmd::new("sort"));
//! let job = kernel.spawn_process(spec)?;
//! assert_eq!(job.number(), Some(1));
//! assert_eq!(job.wait().await.state, JobState::Exited(0));
//! assert_eq!(&job.stdout().snapshot().data[..], b"a\nb\n");
//!
//! // A future job: writes into its own stdout ring, stops when cancelled.
//! let fut = kernel.spawn_future("greet", JobOptions::new(), |ctx| async move {
//!     ctx.stdout.write(b"hello from a future\n");
//!     ctx.cancel.cancelled().await;
//!     3
//! })?;
//! fut.cancel()?;
//! assert_eq!(fut.wait().await.state.exit_status(), Some(3));
//! assert_eq!(&fut.stdout().snapshot().data[..], b"hello from a future\n");
//!
//! // A bounded wait: the only timeout there is.
//! let sleeper = kernel.spawn_process(ProcessSpec::command(Cmd::new("sleep").arg("10")))?;
//! let waited = tokio::time::timeout(std::time::Duration::from_millis(10), sleeper.wait()).await;
//! assert!(waited.is_err());
//!
//! kernel.shutdown(std::time::Duration::from_secs(1)).await;
//! # Ok(())
//! # }
//! ```

mod cancel;
mod control;
mod error;
mod events;
mod future_job;
mod group;
mod job;
mod kernel;
mod one_or_many;
mod process;
mod record;
#[cfg(feature = "serde")]
mod serde_impls;
mod signal;
mod spec;
pub mod stream;
pub mod supervise;
mod sys;

pub use cancel::CancelToken;
pub use error::{Error, Result};
pub use events::{EventError, Events};
pub use future_job::FutureContext;
pub use job::{JobEvent, JobId, JobInfo, JobKind, JobState, Pid};
pub use kernel::{Kernel, KernelConfig};
pub use record::Job;
pub use signal::{kill_group, kill_pid, probe_group, probe_pid, Signal};
pub use spec::{Cmd, Io, JobOptions, ProcessSpec};
pub use stream::{Chunk, OutputStream, StreamStats};
pub use supervise::{
    memory_limit_path, Completion, Completions, LimitKind, MemoryLimitPath, OrphanPolicy,
    OutputFile, Preview, Resources, RestartMode, RestartPolicy, Scope, StopCause,
};
pub use sys::set_child_subreaper;
