//! Folding kernel events into the shell's job table, and the notices
//! (`[1]+  Done   sleep 1`) they produce.

use corral_kernel::JobEvent;
use tokio::sync::broadcast::error::TryRecvError;

use crate::shell::Shell;

impl Shell {
    /// Applies every kernel event that arrived since the last call; an
    /// interactive shell also queues notices for jobs that finished or stopped.
    pub fn sync_jobs(&mut self) {
        loop {
            match self.events.try_recv() {
                Ok(ev) => self.apply_event(ev),
                Err(TryRecvError::Lagged(_)) => self.resync(),
                Err(TryRecvError::Empty) | Err(TryRecvError::Closed) => break,
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
                if let Ok(job) = self.env.kernel.job(id) {
                    self.jobs.set_state(id, job.state());
                }
            }
            JobEvent::Removed(id) => self.jobs.remove(id),
            JobEvent::Spawned(_) => {}
        }
    }

    /// Re-reads every job's state after missing events.
    pub(crate) fn resync(&mut self) {
        let ids: Vec<_> = self.jobs.iter().map(|e| e.id).collect();
        for id in ids {
            match self.env.kernel.job(id) {
                Ok(job) => {
                    self.jobs.set_state(id, job.state());
                }
                Err(_) => self.jobs.remove(id),
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
