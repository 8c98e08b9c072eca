//! What the kernel knows about a job, as the job table reads it: a [`JobView`] per
//! job, gathered into a [`Snapshot`] at the moment a decision or a line needs it.
//!
//! The shell builds a snapshot from [`JobInfo`]s (see `Shell::job_snapshot`); tests
//! build views by hand, as `JobInfo` can only come from a kernel.

use std::collections::BTreeMap;

use corral_kernel::{JobInfo, JobState};

use super::JobNum;

/// One job as the kernel reports it: state, command, member texts and processes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobView {
    /// Its number, shown as `[N]`.
    pub id: JobNum,
    /// Its state now.
    pub state: JobState,
    /// The command text as typed (`sleep 300 | cat`).
    pub command: String,
    /// The text of each pipeline member in order (`sleep 300`, `cat`), for `jobs -l`.
    pub member_commands: Vec<String>,
    /// Member pids in pipeline order (empty for future jobs).
    pub pids: Vec<u32>,
    /// The process group (process jobs).
    pub pgid: Option<u32>,
}

impl JobView {
    /// A view without members, pids or group.
    pub fn new(id: JobNum, command: impl Into<String>, state: JobState) -> JobView {
        JobView {
            id,
            state,
            command: command.into(),
            member_commands: Vec::new(),
            pids: Vec::new(),
            pgid: None,
        }
    }

    /// The kernel's snapshot of job `id`.
    pub fn from_info(id: JobNum, info: &JobInfo) -> JobView {
        JobView {
            id,
            state: info.state,
            command: info.command.clone(),
            member_commands: info.member_commands.clone(),
            pids: info.pids.iter().map(|&p| u32::from(p)).collect(),
            pgid: info.pgid.map(u32::from),
        }
    }

    /// The pid `jobs -p` prints: the first member (the group leader), else the group.
    pub fn leader_pid(&self) -> Option<u32> {
        self.pids.first().copied().or(self.pgid)
    }
}

/// The kernel's jobs at one moment, by number. A job the table holds but the
/// snapshot lacks is gone (its record was removed).
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    jobs: BTreeMap<JobNum, JobView>,
}

impl Snapshot {
    /// No jobs.
    pub fn new() -> Snapshot {
        Snapshot::default()
    }

    /// Adds (or replaces) a job.
    pub fn insert(&mut self, view: JobView) {
        self.jobs.insert(view.id, view);
    }

    /// Drops a job.
    pub fn remove(&mut self, id: JobNum) {
        self.jobs.remove(&id);
    }

    /// A job's view.
    pub fn get(&self, id: JobNum) -> Option<&JobView> {
        self.jobs.get(&id)
    }

    /// A job's view, to change (tests and fuzzing stand in for the kernel).
    pub fn get_mut(&mut self, id: JobNum) -> Option<&mut JobView> {
        self.jobs.get_mut(&id)
    }
}

impl FromIterator<JobView> for Snapshot {
    fn from_iter<I: IntoIterator<Item = JobView>>(iter: I) -> Snapshot {
        Snapshot {
            jobs: iter.into_iter().map(|v| (v.id, v)).collect(),
        }
    }
}
