//! Keeping the shell's job table in step with the kernel, and the notices
//! (`[1]+  Done   sleep 1`) that come of it.
//!
//! The kernel is the only record of a job's state, command and processes: the
//! shell takes a [`Snapshot`] of the jobs its table holds whenever it looks, and
//! the table compares it with what it last acted on. Kernel events only say when
//! to look (and, for `Continued`, that a stop seen afterwards is a new one).

use corral_kernel::{EventError, JobEvent};

use crate::jobs::{JobNum, JobView, Snapshot};
use crate::shell::Shell;

impl Shell {
    /// Looks at the kernel's jobs now: folds their changes into the table and,
    /// in an interactive shell, queues notices for jobs that finished or stopped.
    /// Returns the snapshot it looked at.
    pub fn sync_jobs(&mut self) -> Snapshot {
        let snapshot = self.refresh_jobs();
        if self.interactive {
            for notice in self.jobs.take_notices(&snapshot) {
                self.notices.push(notice.text());
            }
        }
        snapshot
    }

    /// [`Shell::sync_jobs`] without the notices (for a caller that reports a job
    /// itself). Drains the kernel events that arrived since the last look.
    pub fn refresh_jobs(&mut self) -> Snapshot {
        loop {
            match self.events.try_recv() {
                Ok(Some(ev)) => self.note_event(ev),
                Err(EventError::Lagged(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
        let snapshot = self.job_snapshot();
        self.jobs.observe(&snapshot);
        snapshot
    }

    /// What an event tells beyond "look again": the kernel saw a job continue.
    pub fn note_event(&mut self, ev: JobEvent) {
        if let JobEvent::Continued(id) = ev {
            if let Some(n) = self.env.kernel.job(id).ok().and_then(|j| j.number()) {
                self.jobs.continue_seen(JobNum(n));
            }
        }
    }

    /// The kernel's view of every job in the table, read now. A job whose record
    /// is gone is missing.
    pub fn job_snapshot(&self) -> Snapshot {
        self.jobs
            .iter_all()
            .filter_map(|e| {
                let job = self.kernel_job(e.id)?;
                Some(JobView::from_info(e.id, &job.info()))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use corral_kernel::{Job, JobState, Signal};

    use crate::jobs::{JobNum, ListFormat, StateFilter};
    use crate::shell::Shell;

    /// Kills the job's group when the test ends, also on failure.
    struct KillOnDrop(Job);

    impl Drop for KillOnDrop {
        fn drop(&mut self) {
            let _ = self.0.signal(Signal::KILL);
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn issue_8_jobs_reads_state_from_the_kernel() {
        let mut shell = Shell::new(false, "corral".into()).unwrap();
        shell.run_text("sleep 300 | cat &", false).await;
        let job = KillOnDrop(shell.kernel_job(JobNum(1)).expect("job 1"));
        let pids = job.0.pids();
        let pgid = job.0.pgid().expect("a process group");
        // Stopped from outside the shell, by another process.
        let status = std::process::Command::new("kill")
            .args(["-STOP", "--", &format!("-{}", pgid.as_raw())])
            .status()
            .unwrap();
        assert!(status.success());
        let state = tokio::time::timeout(
            Duration::from_secs(10),
            job.0.wait_change(JobState::Running),
        )
        .await
        .expect("the kernel sees the stop");
        assert_eq!(state, JobState::Stopped(Signal::STOP));
        // Whatever the kernel published is thrown away: nothing can be replayed.
        while let Ok(Some(_)) = shell.events.try_recv() {}
        let snapshot = shell.job_snapshot();
        let lines = shell
            .jobs
            .list(&snapshot, ListFormat::Long, StateFilter::Any);
        let want = format!(
            "[1]+ {:>5} Stopped (signal)        sleep 300\n     {:>5} {:22}| cat",
            pids[0].as_raw(),
            pids[1].as_raw(),
            ""
        );
        assert_eq!(lines, [want]);
        // The stop is news to the table only once it looks: then it is announced.
        shell.interactive = true;
        shell.sync_jobs();
        assert_eq!(
            shell.notices,
            ["\n[1]+  Stopped (signal)        sleep 300 | cat\n"]
        );
    }
}
