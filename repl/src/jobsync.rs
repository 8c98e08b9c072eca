//! Keeping the shell's job table in step with the kernel, and the notices
//! (`[1]+  Done   sleep 1`) that come of it.
//!
//! The kernel is the only record of a job's state, command and processes: the
//! shell takes a [`Snapshot`] of the jobs its table holds when it looks, and the
//! table compares it with what it last acted on. Kernel events only say when and
//! at which job to look (and, for `Continued`, that a stop seen afterwards is a
//! new one); a job builtin looks at every job.

use corral_kernel::{EventError, JobEvent, JobState};

use crate::jobs::{JobNum, JobView, Snapshot};
use crate::shell::Shell;

impl Shell {
    /// Looks at the jobs kernel events named since the last look (every job
    /// after missed events): folds their changes into the table, drops jobs
    /// whose record was removed and, in an interactive shell, queues notices
    /// for jobs that finished or stopped. Cheap when nothing happened: it runs
    /// before every command.
    pub fn sync_jobs(&mut self) {
        let mut named = Named::default();
        self.drain_events(&mut named);
        self.look_at(named);
    }

    /// [`Shell::sync_jobs`] after the interactive loop woke on `ev` (an event
    /// it received itself, or the error of a lagged or closed stream).
    pub fn wake_on(&mut self, ev: Result<JobEvent, EventError>) {
        let mut named = Named::default();
        match ev {
            Ok(ev) => self.note_event(ev, &mut named),
            Err(_) => named.all = true,
        }
        self.drain_events(&mut named);
        self.look_at(named);
    }

    fn look_at(&mut self, named: Named) {
        if named.removed && !named.all {
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
        let mut ids = if named.all {
            self.jobs.iter_all().map(|e| e.id).collect()
        } else {
            named.ids
        };
        if self.interactive {
            ids.extend(self.jobs.pending_notices());
        }
        if ids.is_empty() {
            return;
        }
        let snapshot = self.snapshot_of(ids.iter().copied());
        self.jobs.observe_jobs(ids, &snapshot);
        self.collect_notices(&snapshot);
    }

    /// Looks at every job in the table now, as [`Shell::sync_jobs`] does for
    /// some, and returns the snapshot it looked at (for a job builtin).
    pub fn look_at_jobs(&mut self) -> Snapshot {
        let snapshot = self.refresh_jobs();
        self.collect_notices(&snapshot);
        snapshot
    }

    /// [`Shell::look_at_jobs`] without the notices (for a caller that reports a
    /// job itself).
    pub fn refresh_jobs(&mut self) -> Snapshot {
        self.drain_events(&mut Named::default());
        let snapshot = self.job_snapshot();
        self.jobs.observe(&snapshot);
        snapshot
    }

    fn collect_notices(&mut self, snapshot: &Snapshot) {
        if self.interactive {
            for notice in self.jobs.take_notices(snapshot) {
                self.notices.push(notice.text());
            }
        }
    }

    /// A script's reports after a foreground command ended (where bash looks
    /// at its children): [`Shell::script_notices`] for the jobs kernel events
    /// named since the last look.
    pub(crate) fn report_script_jobs(&mut self) {
        self.sync_jobs();
        let ids = self.jobs.pending_notices();
        if ids.is_empty() {
            return;
        }
        let snapshot = self.snapshot_of(ids.into_iter());
        for line in self.script_notices(&snapshot) {
            self.write_err(&line);
        }
    }

    /// What a script says about its jobs that died of a signal, as a
    /// non-interactive bash does once it has reaped them: a signal other than
    /// INT, TERM and PIPE that the shell does not trap gets `NAME: line N:
    /// PID Hangup  command`; under `set -m` the others get the usual notice.
    /// Those jobs are then forgotten (`jobs` no longer lists them, `wait`
    /// still finds them). A job that exited stays listed until `jobs` or
    /// `wait` reports it (bash keeps a script's exited jobs).
    pub(crate) fn script_notices(&mut self, snapshot: &Snapshot) -> Vec<String> {
        let monitor = self.env.lang.opts.monitor;
        let mut lines = Vec::new();
        // Every notice gets the marker its job had before any is forgotten.
        let mut reported = Vec::new();
        for id in self.jobs.pending_notices() {
            let Some(view) = self.jobs.view(id, snapshot) else {
                continue;
            };
            if !matches!(view.state, JobState::Signaled { .. }) {
                continue;
            }
            if let Some(line) = self.background_death_line(&view) {
                lines.push(line);
            } else if monitor {
                let marker = self.jobs.marker(id);
                let background = self.jobs.get(id).is_some_and(|e| e.background);
                let line = crate::jobs::format::notice_line(&view, background, marker);
                lines.push(format!("{line}\n"));
            }
            reported.push(id);
        }
        for id in reported {
            self.jobs.mark_notified(id);
        }
        lines
    }

    /// bash's line for a job that died of a signal a script reports.
    fn background_death_line(&self, view: &JobView) -> Option<String> {
        let JobState::Signaled { signal, .. } = view.state else {
            return None;
        };
        if crate::interp::traps::disposition(signal.number())
            == crate::interp::traps::Disposition::Trap
        {
            return None;
        }
        let pid = view.pids.last().copied().unwrap_or(0);
        crate::jobs::format::script_death_line(view.state, pid, &view.command)
            .map(|l| format!("{}{l}\n", self.err_prefix()))
    }

    /// Takes every event that arrived since the last look, adding the jobs
    /// they name to `named`.
    fn drain_events(&mut self, named: &mut Named) {
        loop {
            match self.events.try_recv() {
                Ok(Some(ev)) => self.note_event(ev, named),
                Err(EventError::Lagged(_)) => named.all = true,
                Ok(None) | Err(_) => break,
            }
        }
    }

    /// Which job an event says to look at. A `Continued` event also tells the
    /// table that a stop seen from now on is a new one.
    fn note_event(&mut self, ev: JobEvent, named: &mut Named) {
        if let JobEvent::Removed(_) = ev {
            // Its number can no longer be asked for: check every entry.
            named.removed = true;
            return;
        }
        let Some(n) = self
            .env
            .kernel
            .job(ev.job())
            .ok()
            .and_then(|j| j.number())
            .map(JobNum)
        else {
            return;
        };
        if let JobEvent::Continued(_) = ev {
            self.jobs.continue_seen(n);
        }
        named.ids.push(n);
    }

    /// The kernel's view of every job in the table, read now. A job whose record
    /// is gone is missing.
    pub fn job_snapshot(&self) -> Snapshot {
        self.snapshot_of(self.jobs.iter_all().map(|e| e.id))
    }

    fn snapshot_of(&self, ids: impl Iterator<Item = JobNum>) -> Snapshot {
        ids.filter_map(|n| {
            let job = self.kernel_job(n)?;
            Some(JobView::from_info(n, &job.snapshot()))
        })
        .collect()
    }
}

/// The jobs kernel events named since the last look.
#[derive(Default)]
struct Named {
    /// Events were missed: look at every job.
    all: bool,
    /// A record was removed.
    removed: bool,
    /// The jobs named.
    ids: Vec<JobNum>,
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
        shell.run_text("sleep 300 | cat &").await;
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
        // The stop is news to the table once it looks (as a job builtin does),
        // with no event to go by: then it is announced.
        shell.interactive = true;
        shell.look_at_jobs();
        assert_eq!(
            shell.notices,
            ["\n[1]+  Stopped (signal)        sleep 300 | cat\n"]
        );
    }
}
