//! Waiting for jobs: one, the first of some, or all. Each wait returns final
//! snapshots, is cancel safe, and is bounded with `tokio::time::timeout`.

use std::collections::HashSet;

use super::Kernel;
use crate::error::{Error, Result};
use crate::events::EventError;
use crate::job::{JobEvent, JobId, JobInfo, JobState};
use crate::record::Job;

impl Kernel {
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
        for job in &jobs {
            job.core.wait_for(JobState::is_finished).await;
        }
        // Built in place, once all are done (a final snapshot is a few
        // hundred bytes: each copy of it costs).
        jobs.iter().map(|j| j.core.info(true)).collect()
    }
}
