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
//!   [`FutureContext`] with its output streams and a cancellation token.
//!
//! Every job has a stdout and a stderr [`OutputStream`]: a bounded ring that never
//! blocks its writer, addressed by absolute byte offsets, readable as a snapshot,
//! from an offset, or followed live (see [`stream`]).
//!
//! States: `Running ↔ Stopped(sig)`, then `Exited(code)` or `Signaled(sig)`,
//! whose shell status is 128+N. A process job is finished when its processes
//! have exited (reaped on SIGCHLD with `waitid` on the kernel's own process
//! groups only, never `waitpid(-1)`; a `WNOWAIT` peek, which takes nothing,
//! tells which group changed), not when its pipes close. Every change is
//! published to [`Kernel::subscribe`]rs and observable through [`Job::wait`].
//!
//! Ids start at 1, only grow, and are never reused. Finished jobs stay until
//! removed or pushed out by [`KernelConfig::retention`]. [`Kernel::shutdown`]
//! (and, best effort, dropping the last handle) terminates every job that was
//! not disowned: TERM, a grace period, KILL.
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
//! assert_eq!(job.wait().await, JobState::Exited(0));
//! assert_eq!(&job.stdout().snapshot().data[..], b"a\nb\n");
//!
//! // A future job: writes into its own stdout ring.
//! let fut = kernel.spawn_future("greet", JobOptions::default(), |ctx| async move {
//!     ctx.stdout.write(b"hello from a future\n");
//!     0
//! })?;
//! assert_eq!(fut.wait().await.exit_status(), Some(0));
//! assert_eq!(&fut.stdout().snapshot().data[..], b"hello from a future\n");
//!
//! kernel.shutdown(std::time::Duration::from_secs(1)).await;
//! # Ok(())
//! # }
//! ```

mod control;
mod error;
mod future_job;
mod group;
mod job;
mod kernel;
mod process;
mod record;
mod signal;
mod spec;
pub mod stream;
mod sys;

pub use error::{Error, Result};
pub use future_job::FutureContext;
pub use job::{JobEvent, JobId, JobInfo, JobKind, JobState};
pub use kernel::{Kernel, KernelConfig};
pub use record::Job;
pub use signal::Signal;
pub use spec::{Cmd, Io, JobOptions, ProcessSpec};
pub use stream::{Chunk, OutputStream, StreamStats};
pub use sys::{kill_pid, set_child_subreaper};
pub use tokio_util::sync::CancellationToken;
