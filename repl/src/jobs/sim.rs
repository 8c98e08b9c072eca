//! A job table driven by a stand-in kernel, for tests and fuzzing: [`Sim`] keeps a
//! [`Snapshot`] as the kernel's record of each job and wires the table to it the
//! way the shell wires it to the real kernel (observe after every change; a
//! foreground job's stop reported by its waiter).

use std::ops::Deref;

use corral_kernel::{JobState, Signal};

use super::table::{JobTable, ListFormat, Notice, ResumeError, StateFilter};
use super::view::{JobView, Snapshot};
use super::{JobNum, JobSpecError};

/// A [`JobTable`] and the stand-in kernel's [`Snapshot`]. Reads go to the table
/// (through `Deref`); changes go through the methods here.
#[derive(Clone, Debug, Default)]
pub(crate) struct Sim {
    pub(crate) table: JobTable,
    pub(crate) kernel: Snapshot,
}

#[cfg_attr(not(test), allow(dead_code))]
impl Sim {
    pub(crate) fn new() -> Sim {
        Sim::default()
    }

    fn spawn(&mut self, id: JobNum, command: String, pids: Vec<u32>, pgid: Option<u32>) {
        let mut view = JobView::new(id, command, JobState::Running);
        view.member_commands = view.command.split(" | ").map(str::to_string).collect();
        view.pids = pids;
        view.pgid = pgid;
        self.kernel.insert(view);
    }

    /// A job the kernel already reports in `state`, not yet in the table.
    pub(crate) fn spawn_finished(&mut self, id: JobNum, command: &str, state: JobState) {
        self.spawn(
            id,
            command.to_string(),
            vec![u32::try_from(id.0).unwrap_or(0)],
            None,
        );
        self.kernel_state(id, state);
    }

    /// `cmd &`.
    pub(crate) fn add_background(
        &mut self,
        id: JobNum,
        command: impl Into<String>,
        pids: Vec<u32>,
        pgid: Option<u32>,
    ) {
        self.spawn(id, command.into(), pids, pgid);
        self.table.add_background(id);
    }

    /// A foreground job stopped by `signal` (Ctrl-Z).
    pub(crate) fn add_stopped(
        &mut self,
        id: JobNum,
        command: impl Into<String>,
        pids: Vec<u32>,
        pgid: Option<u32>,
        signal: Signal,
    ) {
        self.spawn(id, command.into(), pids, pgid);
        self.kernel_state(id, JobState::Stopped(signal));
        self.table.add_stopped(id, &self.kernel);
    }

    /// The kernel's state of job `id` becomes `state` (a finished job's is final).
    fn kernel_state(&mut self, id: JobNum, state: JobState) -> bool {
        match self.kernel.get_mut(id) {
            Some(v) if !v.state.is_finished() => {
                v.state = state;
                true
            }
            _ => false,
        }
    }

    /// The kernel reports `state` for job `id`; returns whether the table acted.
    pub(crate) fn set_state(&mut self, id: JobNum, state: JobState) -> bool {
        if !self.kernel_state(id, state) {
            return false;
        }
        let foreground = self.table.get(id).is_some_and(|e| !e.background);
        if foreground && state.is_stopped() {
            self.table.add_stopped(id, &self.kernel);
            return true;
        }
        self.table.observe(&self.kernel).contains(&id)
    }

    /// The kernel record is removed.
    pub(crate) fn drop_record(&mut self, id: JobNum) {
        self.kernel.remove(id);
        self.table.observe(&self.kernel);
    }

    pub(crate) fn state(&self, id: JobNum) -> Option<JobState> {
        self.table.state(id, &self.kernel)
    }

    /// The shell sent CONT and the kernel has seen the job continue.
    fn continued(&mut self, id: JobNum) {
        self.kernel_state(id, JobState::Running);
        self.table.continue_seen(id);
        self.table.observe(&self.kernel);
    }

    pub(crate) fn set_foreground(&mut self, id: JobNum) -> bool {
        let done = self.table.set_foreground(id, &self.kernel);
        if done {
            self.continued(id);
        }
        done
    }

    pub(crate) fn set_background(&mut self, id: JobNum) -> Option<String> {
        let line = self.table.set_background(id, &self.kernel);
        if line.is_some() {
            self.continued(id);
        }
        line
    }

    pub(crate) fn set_continued(&mut self, id: JobNum) -> bool {
        let done = self.table.set_continued(id, &self.kernel);
        if done {
            self.continued(id);
        }
        done
    }

    pub(crate) fn can_resume(&self, id: JobNum, foreground: bool) -> Result<(), ResumeError> {
        self.table.can_resume(id, &self.kernel, foreground)
    }

    pub(crate) fn remove(&mut self, id: JobNum) {
        self.table.remove(id);
    }

    pub(crate) fn mark_notified(&mut self, id: JobNum) -> bool {
        self.table.mark_notified(id)
    }

    pub(crate) fn take_notices(&mut self) -> Vec<Notice> {
        self.table.take_notices(&self.kernel)
    }

    pub(crate) fn list(&mut self, format: ListFormat, filter: StateFilter) -> Vec<String> {
        self.table.list(&self.kernel, format, filter)
    }

    pub(crate) fn list_one(&mut self, id: JobNum, format: ListFormat) -> Option<String> {
        self.table.list_one(id, &self.kernel, format)
    }

    pub(crate) fn resolve(&self, word: &str) -> Result<JobNum, JobSpecError> {
        self.table.resolve(word, &self.kernel)
    }

    pub(crate) fn resolve_any(&self, word: &str) -> Result<JobNum, JobSpecError> {
        self.table.resolve_any(word, &self.kernel)
    }

    pub(crate) fn view(&self, id: JobNum) -> Option<JobView> {
        self.table.view(id, &self.kernel).map(|v| v.into_owned())
    }
}

impl Deref for Sim {
    type Target = JobTable;

    fn deref(&self) -> &JobTable {
        &self.table
    }
}
