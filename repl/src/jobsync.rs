//! Folding kernel events into the shell's job table, and the notices
//! (`[1]+  Done   sleep 1`) they produce.

use corral_kernel::{EventError, JobEvent, JobId};

use crate::jobs::JobNum;
use crate::shell::Shell;

impl Shell {
    /// Applies every kernel event that arrived since the last call; an
    /// interactive shell also queues notices for jobs that finished or stopped.
    pub fn sync_jobs(&mut self) {
        loop {
            match self.events.try_recv() {
                Ok(Some(ev)) => self.apply_event(ev),
                Err(EventError::Lagged(_)) => self.resync(),
                Ok(None) | Err(_) => break,
            }
        }
        if self.interactive {
            self.collect_notices();
        }
    }

    /// Applies one kernel event to the job table.
    pub fn apply_event(&mut self, ev: JobEvent) {
        match ev {
            // The kernel's state now, not the event's: a stale event must not
            // undo a newer change.
            JobEvent::Stopped(id, _) | JobEvent::Continued(id) | JobEvent::Exited(id, _) => {
                if let Some((n, job)) = self.numbered(id) {
                    self.jobs.set_state(n, job.state());
                }
            }
            JobEvent::Removed(_) => {
                let gone: Vec<JobNum> = self
                    .jobs
                    .iter_all()
                    .map(|e| e.id)
                    .filter(|&n| self.kernel_job(n).is_none())
                    .collect();
                for n in gone {
                    self.jobs.remove(n);
                }
            }
            _ => {}
        }
    }

    /// The number of a job the shell's table holds, and its kernel handle.
    fn numbered(&self, id: JobId) -> Option<(JobNum, corral_kernel::Job)> {
        let job = self.env.kernel.job(id).ok()?;
        let n = JobNum(job.number()?);
        self.jobs.get_any(n)?;
        Some((n, job))
    }

    /// Re-reads every job's state after missing events.
    pub(crate) fn resync(&mut self) {
        let ids: Vec<_> = self.jobs.iter().map(|e| e.id).collect();
        for id in ids {
            match self.kernel_job(id) {
                Some(job) => {
                    self.jobs.set_state(id, job.state());
                }
                None => self.jobs.remove(id),
            }
        }
    }

    /// Queues a notice for each job whose change has not been reported yet.
    pub fn collect_notices(&mut self) {
        for notice in self.jobs.take_notices() {
            self.notices.push(notice.text());
        }
    }
}
