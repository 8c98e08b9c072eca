//! [`Scope`]: one owner's view of the kernel.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use crate::error::{Error, Result};
use crate::events::Events;
use crate::future_job::FutureContext;
use crate::job::{JobId, JobInfo};
use crate::kernel::Kernel;
use crate::record::{Job, JobCore};
use crate::signal::Signal;
use crate::spec::{JobOptions, ProcessSpec};
use crate::supervise::{request_stop, StopCause};

/// One owner's jobs: a handle (from [`Kernel::scope`]) that spawns jobs
/// owned by its owner and lists, waits on, signals, terminates and removes
/// only those. A job of another owner, or of none, is
/// [`Error::Forbidden`] and is left untouched. Cheap to clone.
///
/// ```
/// use corral_kernel::{Cmd, Error, Kernel, ProcessSpec};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Error> {
/// let kernel = Kernel::new()?;
/// let agent = kernel.scope("agent-1");
/// let job = agent.spawn_process(ProcessSpec::command(Cmd::new("true")))?;
/// assert_eq!(job.info().owner(), Some("agent-1"));
/// let other = kernel.scope("agent-2");
/// assert!(matches!(other.signal(job.id(), corral_kernel::Signal::TERM), Err(Error::Forbidden { .. })));
/// agent.wait(job.id()).await?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug)]
pub struct Scope {
    kernel: Kernel,
    owner: Arc<str>,
}

impl Scope {
    pub(crate) fn new(kernel: Kernel, owner: Arc<str>) -> Scope {
        Scope { kernel, owner }
    }

    /// The owner.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    fn owns(&self, core: &JobCore) -> bool {
        core.meta()
            .and_then(|m| m.owner.as_deref())
            .is_some_and(|o| o == &*self.owner)
    }

    fn forbidden(&self, job: JobId) -> Error {
        Error::Forbidden {
            job,
            owner: self.owner.to_string(),
        }
    }

    fn checked(&self, mut options: JobOptions) -> Result<JobOptions> {
        if let Some(parent) = options.parent {
            self.job(parent)?;
        }
        options.owner = Some(self.owner.to_string());
        Ok(options)
    }

    /// Starts a process job owned by this scope's owner (as
    /// [`Kernel::spawn_process`]).
    ///
    /// # Errors
    /// As [`Kernel::spawn_process`]; [`Error::Forbidden`] when the spec
    /// names a parent of another owner.
    pub fn spawn_process(&self, mut spec: ProcessSpec) -> Result<Job> {
        spec.options = self.checked(std::mem::take(&mut spec.options))?;
        self.kernel.spawn_process(spec)
    }

    /// Starts a future job owned by this scope's owner (as
    /// [`Kernel::spawn_future`]).
    ///
    /// # Errors
    /// As [`Kernel::spawn_future`]; [`Error::Forbidden`] for a parent of
    /// another owner.
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
        let options = self.checked(options)?;
        self.kernel.spawn_future(command, options, make)
    }

    /// A handle to one of the owner's jobs.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`]; [`Error::Forbidden`] for another owner's job.
    pub fn job(&self, id: JobId) -> Result<Job> {
        let job = self.kernel.job(id)?;
        if self.owns(&job.core) {
            Ok(job)
        } else {
            Err(self.forbidden(id))
        }
    }

    /// Handles to the owner's jobs, by ascending id.
    pub fn jobs(&self) -> Vec<Job> {
        self.kernel.jobs_tagged(Some(&self.owner), None)
    }

    /// Snapshots of the owner's jobs, by ascending id, as
    /// [`Kernel::list`](crate::Kernel::list) (no live resource figures).
    pub fn list(&self) -> Vec<JobInfo> {
        self.jobs().iter().map(Job::snapshot).collect()
    }

    /// Handles to the owner's jobs with the label `key=value`.
    pub fn jobs_labelled(&self, key: &str, value: &str) -> Vec<Job> {
        self.kernel
            .jobs_tagged(Some(&self.owner), Some((key, value)))
    }

    /// Waits for one of the owner's jobs to finish.
    ///
    /// # Errors
    /// [`Error::NoSuchJob`], [`Error::Forbidden`].
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait(&self, id: JobId) -> Result<JobInfo> {
        Ok(self.job(id)?.wait().await)
    }

    /// Waits for the first of `ids` to finish (as [`Kernel::wait_any`]).
    ///
    /// # Errors
    /// [`Error::Forbidden`] if any id names another owner's job (checked
    /// first); [`Error::NoJobs`].
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_any(&self, ids: &[JobId]) -> Result<JobInfo> {
        for &id in ids {
            match self.job(id) {
                Err(e @ Error::Forbidden { .. }) => return Err(e),
                _ => continue,
            }
        }
        self.kernel.wait_any(ids).await
    }

    /// Waits until every job of the owner in the table that is not
    /// disowned has finished; their final snapshots by ascending id.
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn wait_all(&self) -> Vec<JobInfo> {
        let mut out = Vec::new();
        for job in self.jobs().into_iter().filter(|j| !j.core.is_disowned()) {
            out.push(job.wait().await);
        }
        out
    }

    /// Sends `signal` to one of the owner's jobs (as [`Kernel::signal`]).
    ///
    /// # Errors
    /// [`Error::Forbidden`], and as [`Kernel::signal`].
    pub fn signal(&self, id: JobId, signal: Signal) -> Result<()> {
        self.job(id)?.signal(signal)
    }

    /// Terminates one of the owner's jobs (as [`Kernel::terminate`]).
    ///
    /// # Errors
    /// [`Error::Forbidden`], and as [`Kernel::terminate`].
    ///
    /// # Cancel safety
    /// As [`Kernel::terminate`]: the escalation goes on if dropped.
    pub async fn terminate(&self, id: JobId, grace: Duration) -> Result<JobInfo> {
        self.job(id)?;
        self.kernel.terminate(id, grace).await
    }

    /// Terminates every live job of the owner at once (TERM, `grace`,
    /// KILL, as [`Kernel::terminate`]) and returns when they are gone.
    /// Returns how many it asked to end: a job already asked to end (by an
    /// earlier call, its timeout, a signal) is terminated but not counted,
    /// so a second call returns 0.
    ///
    /// # Cancel safety
    /// The escalations run in tasks of their own and go on if dropped.
    pub async fn terminate_all(&self, grace: Duration) -> usize {
        let live: Vec<Job> = self
            .jobs()
            .into_iter()
            .filter(|j| !j.state().is_finished())
            .collect();
        let mut hit = 0;
        let mut tasks = Vec::with_capacity(live.len());
        for job in live {
            if request_stop(&job.events, &job.core, StopCause::Embedder) {
                hit += 1;
            }
            let kernel = self.kernel.clone();
            tasks.push(tokio::spawn(async move {
                let _ = kernel.terminate_job(&job, grace).await;
            }));
        }
        for t in tasks {
            let _ = t.await;
        }
        hit
    }

    /// Removes one of the owner's finished jobs (as [`Kernel::remove`]).
    ///
    /// # Errors
    /// [`Error::Forbidden`], and as [`Kernel::remove`].
    pub fn remove(&self, id: JobId) -> Result<()> {
        self.job(id)?;
        self.kernel.remove(id)
    }

    /// A consumer of the owner's jobs that finish from now on (see
    /// [`Completions`](crate::Completions)).
    pub fn completions(&self) -> crate::Completions {
        crate::Completions::new(
            self.kernel.clone(),
            self.subscribe(),
            Some(self.owner.to_string()),
        )
    }

    /// The events of the owner's jobs from now on.
    pub fn subscribe(&self) -> Events {
        self.kernel.subscribe().owned_by(&*self.owner)
    }
}
