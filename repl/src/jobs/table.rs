//! The job table: entries in id order and bash's current/previous (`+`/`-`) bookkeeping.
//!
//! The `+`/`-` rules are a port of bash 5.2's `set_current_job` and `reset_current`
//! (jobs.c), called at the same moments bash calls them:
//!
//! - a job started with `&` or continued by `bg` or by a SIGCONT from outside:
//!   `reset_current` — the current job stays if it is stopped; otherwise the previous
//!   job if stopped, else the newest stopped job, else the newest running job becomes
//!   current. So a new background job becomes `+` only when no job is stopped, and
//!   `bg` leaves `+` on the newest running job when none is stopped (bash 5.2 does
//!   not make the resumed job current);
//! - a job stops (Ctrl-Z, SIGTTIN…) or is brought back with `fg`: `set_current_job`
//!   — it becomes `+` and the old `+` becomes `-` if stopped; otherwise `-` is the
//!   newest stopped job older than `+`, else the newest running job (older than `+`
//!   when `+` runs), else `+` itself (`%-` then names the only job);
//! - the current or previous job is forgotten (reported Done, disowned, removed):
//!   `reset_current`.
//!
//! A finishing job keeps its marker until it is reported, as in bash
//! (`[2]+  Done   sleep 1`).

use std::collections::BTreeMap;

use corral_kernel::{JobState, Signal};

use super::JobNum;

use super::format;

/// One job as the shell sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The kernel's id, shown as `[N]`.
    pub id: JobNum,
    /// The command text as typed (`sleep 300 | cat`).
    pub command: String,
    /// The text of each pipeline member in order (`sleep 300`, `cat`), for `jobs -l`'s
    /// continuation lines; empty when unknown (then `command` is split at top-level `|`).
    pub members: Vec<String>,
    /// Its last known state.
    pub state: JobState,
    /// Member pids in pipeline order (empty for future jobs).
    pub pids: Vec<u32>,
    /// The process group (process jobs).
    pub pgid: Option<u32>,
    /// Not the foreground job: a running job shows ` &`. Set by `&`, `bg`, and by
    /// stopping (bash clears its foreground flag on a stop); cleared by `fg`.
    pub background: bool,
    /// Its current state has been reported. A finished job that was reported is
    /// forgotten: hidden from `jobs`, `%` jobspecs and `+`/`-`, still found by
    /// [`JobTable::get_any`] and [`JobTable::resolve_any`] until removed.
    pub notified: bool,
}

impl Entry {
    /// A new entry: no members, pids or group, not background, not notified.
    pub fn new(id: JobNum, command: impl Into<String>, state: JobState) -> Entry {
        Entry {
            id,
            command: command.into(),
            members: Vec::new(),
            state,
            pids: Vec::new(),
            pgid: None,
            background: false,
            notified: false,
        }
    }

    /// Finished and reported: bash would have deleted it.
    pub fn is_forgotten(&self) -> bool {
        self.notified && self.state.is_finished()
    }

    /// The pid `jobs -p` prints: the first member (the group leader), else the group.
    pub fn leader_pid(&self) -> Option<u32> {
        self.pids.first().copied().or(self.pgid)
    }
}

/// What `jobs` prints for each job.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListFormat {
    /// `jobs`: `[1]+  Running                 sleep 30 &`.
    Standard,
    /// `jobs -l`: with pids, one line per pipeline member, stop causes.
    Long,
    /// `jobs -p`: the group leader's pid only; reports nothing (Done jobs stay).
    Pids,
}

/// Which jobs `jobs` lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StateFilter {
    /// Every job (`jobs`).
    Any,
    /// Running jobs only (`jobs -r`).
    Running,
    /// Stopped jobs only (`jobs -s`).
    Stopped,
}

/// A change to announce: a job finished or stopped and was not reported yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// The job.
    pub id: JobNum,
    /// It stopped (bash writes an empty line first) rather than finished.
    pub stopped: bool,
    /// The line, without newline: `[1]+  Done                    sleep 1`.
    pub line: String,
}

impl Notice {
    /// Exactly what bash writes to stderr: `"\n" + line + "\n"` for a stop (the
    /// newline ends the `^Z` the terminal echoed), `line + "\n"` otherwise.
    pub fn text(&self) -> String {
        if self.stopped {
            format!("\n{}\n", self.line)
        } else {
            format!("{}\n", self.line)
        }
    }
}

/// Why `fg` or `bg` cannot resume a job (bash's wording via [`ResumeError::message`]).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ResumeError {
    /// Not in the table (or already forgotten).
    #[error("%{0}: no such job")]
    NoSuchJob(JobNum),
    /// It has finished: `fg: job has terminated` (status 1).
    #[error("job has terminated")]
    Terminated,
    /// `bg` on a running job: `bg: job 1 already in background` (bash's status is 0).
    #[error("job {0} already in background")]
    AlreadyInBackground(JobNum),
}

impl ResumeError {
    /// The full message, e.g. `bg: job 3 already in background`.
    pub fn message(&self, builtin: &str) -> String {
        format!("{builtin}: {self}")
    }

    /// The builtin's exit status: 0 for [`ResumeError::AlreadyInBackground`] (POSIX
    /// says it is not an error), 1 otherwise.
    pub fn status(&self) -> i32 {
        match self {
            ResumeError::AlreadyInBackground(_) => 0,
            _ => 1,
        }
    }
}

/// The shell's jobs, ordered by id, with the current (`+`) and previous (`-`) job.
#[derive(Clone, Debug, Default)]
pub struct JobTable {
    entries: BTreeMap<JobNum, Entry>,
    current: Option<JobNum>,
    previous: Option<JobNum>,
}

impl JobTable {
    /// An empty table.
    pub fn new() -> JobTable {
        JobTable::default()
    }

    /// `cmd &`: a running background job enters the table (bash's `stop_pipeline`
    /// for an async job: it becomes current unless a stopped job is current).
    /// An existing entry with this id is replaced.
    pub fn add_background(
        &mut self,
        id: JobNum,
        command: impl Into<String>,
        pids: Vec<u32>,
        pgid: Option<u32>,
    ) {
        let mut entry = Entry::new(id, command, JobState::Running);
        entry.pids = pids;
        entry.pgid = pgid;
        entry.background = true;
        self.entries.insert(id, entry);
        self.reset_current();
    }

    /// A foreground job stopped (Ctrl-Z): it enters the table stopped, becomes
    /// current, and its Stopped notice is pending. An existing entry is replaced.
    pub fn add_stopped(
        &mut self,
        id: JobNum,
        command: impl Into<String>,
        pids: Vec<u32>,
        pgid: Option<u32>,
        signal: Signal,
    ) {
        let mut entry = Entry::new(id, command, JobState::Stopped(signal));
        entry.pids = pids;
        entry.pgid = pgid;
        entry.background = true;
        self.entries.insert(id, entry);
        self.set_current_job(id);
    }

    /// Records the text of each pipeline member (for `jobs -l`). False if unknown.
    pub fn set_members(&mut self, id: JobNum, members: Vec<String>) -> bool {
        match self.entries.get_mut(&id) {
            Some(e) => {
                e.members = members;
                true
            }
            None => false,
        }
    }

    /// A state reported by the kernel. Returns whether anything changed: unknown ids,
    /// the same state again, and anything after a final state are ignored.
    ///
    /// - stopped: becomes current, counts as background, its notice is pending;
    /// - stopped → running (SIGCONT from outside): `+`/`-` reset, stopped jobs first;
    /// - finished: the notice is pending and the marker stays until it is reported;
    ///   a foreground job (one `fg` brought back) is reported by the shell itself
    ///   at once, as bash does, so it is forgotten here (see
    ///   [`format::foreground_death_line`]).
    pub fn set_state(&mut self, id: JobNum, state: JobState) -> bool {
        let Some(entry) = self.entries.get_mut(&id) else {
            return false;
        };
        let old = entry.state;
        if old == state || old.is_finished() {
            return false;
        }
        entry.state = state;
        entry.notified = false;
        match state {
            JobState::Stopped(_) => {
                entry.background = true;
                self.set_current_job(id);
            }
            JobState::Running => self.reset_current(),
            _ if state.is_finished() && !entry.background => {
                entry.notified = true;
                self.forgot(id);
            }
            _ => {}
        }
        true
    }

    /// `kill -CONT %N` on a stopped job: running in the background, `+`/`-` left
    /// alone (bash's `kill_pid`). Call it right after the builtin sends CONT, before
    /// the kernel's Continued event is applied (that one then changes nothing).
    pub fn set_continued(&mut self, id: JobNum) -> bool {
        match self.entries.get_mut(&id) {
            Some(e) if e.state.is_stopped() => {
                e.state = JobState::Running;
                e.background = true;
                e.notified = true;
                true
            }
            _ => false,
        }
    }

    /// `fg`: the job becomes current and the foreground job, and is marked running
    /// (bash does so as it sends SIGCONT, so the kernel's Continued event changes
    /// nothing). When it then finishes, [`JobTable::set_state`] forgets it; when it
    /// stops, it is current again with a pending notice. False if the job is not
    /// visible or has finished (check first with [`JobTable::can_resume`]).
    pub fn set_foreground(&mut self, id: JobNum) -> bool {
        match self.get(id) {
            Some(e) if !e.state.is_finished() => {}
            _ => return false,
        }
        // bash: set_current_job while the job is still stopped, then set it running.
        self.set_current_job(id);
        if let Some(e) = self.entries.get_mut(&id) {
            e.background = false;
            e.notified = false;
            e.state = JobState::Running;
        }
        true
    }

    /// `bg`: marks a stopped job running in the background and resets `+`/`-`
    /// (bash 5.2's `start_job`). Returns the line `bg` prints, made with the marker
    /// the job had before (`[1]+ sleep 30 &`), or `None` if the job is not a visible
    /// stopped job (check first with [`JobTable::can_resume`]).
    pub fn set_background(&mut self, id: JobNum) -> Option<String> {
        let line = match self.get(id) {
            Some(e) if e.state.is_stopped() => format::bg_line(e, self.marker(id)),
            _ => return None,
        };
        if let Some(e) = self.entries.get_mut(&id) {
            e.state = JobState::Running;
            e.background = true;
            e.notified = true;
        }
        self.reset_current();
        Some(line)
    }

    /// Whether `fg` (`foreground`) or `bg` may resume the job, with bash's errors.
    ///
    /// # Errors
    /// [`ResumeError::NoSuchJob`] when not visible, [`ResumeError::Terminated`] when
    /// finished, [`ResumeError::AlreadyInBackground`] for `bg` on a running job.
    pub fn can_resume(&self, id: JobNum, foreground: bool) -> Result<(), ResumeError> {
        let entry = self.get(id).ok_or(ResumeError::NoSuchJob(id))?;
        if entry.state.is_finished() {
            Err(ResumeError::Terminated)
        } else if !foreground && entry.state == JobState::Running {
            Err(ResumeError::AlreadyInBackground(id))
        } else {
            Ok(())
        }
    }

    /// Drops the job (disown, or the kernel removed its record); `+`/`-` move on.
    pub fn remove(&mut self, id: JobNum) {
        if self.entries.remove(&id).is_some() {
            self.forgot(id);
        }
    }

    /// Its current state was reported. A finished job is thereby forgotten and
    /// `+`/`-` move on. Prefer [`JobTable::take_notices`] and [`JobTable::list`],
    /// which report several jobs with the markers they all had before.
    pub fn mark_notified(&mut self, id: JobNum) -> bool {
        let Some(e) = self.entries.get_mut(&id) else {
            return false;
        };
        if e.notified {
            return false;
        }
        e.notified = true;
        if e.state.is_finished() {
            self.forgot(id);
        }
        true
    }

    /// The current job (`%+`, `%%`, `%`, `fg` with no argument).
    pub fn current(&self) -> Option<JobNum> {
        self.current
    }

    /// The previous job (`%-`); the current one when it is the only candidate.
    pub fn previous(&self) -> Option<JobNum> {
        self.previous
    }

    /// `+` for the current job, `-` for the previous one, a space otherwise.
    pub fn marker(&self, id: JobNum) -> char {
        if self.current == Some(id) {
            '+'
        } else if self.previous == Some(id) {
            '-'
        } else {
            ' '
        }
    }

    /// A visible job (not forgotten).
    pub fn get(&self, id: JobNum) -> Option<&Entry> {
        self.entries.get(&id).filter(|e| !e.is_forgotten())
    }

    /// Any job still in the table, forgotten ones included (for `wait`).
    pub fn get_any(&self, id: JobNum) -> Option<&Entry> {
        self.entries.get(&id)
    }

    /// The visible jobs in id order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> + '_ {
        self.entries.values().filter(|e| !e.is_forgotten())
    }

    /// Every job in the table in id order, forgotten ones included.
    pub fn iter_all(&self) -> impl DoubleEndedIterator<Item = &Entry> + '_ {
        self.entries.values()
    }

    /// The number of visible jobs.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// No visible job.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }

    /// Some visible job is stopped (`exit` then warns `There are stopped jobs.`).
    pub fn has_stopped(&self) -> bool {
        self.iter().any(|e| e.state.is_stopped())
    }

    /// Jobs that finished or stopped and were not reported yet, in id order.
    pub fn pending_notices(&self) -> Vec<JobNum> {
        self.iter()
            .filter(|e| !e.notified && (e.state.is_finished() || e.state.is_stopped()))
            .map(|e| e.id)
            .collect()
    }

    /// Makes the notices of [`JobTable::pending_notices`] (all markers taken before
    /// any of them is forgotten, as bash prints them all and then cleans up) and
    /// marks those jobs reported.
    pub fn take_notices(&mut self) -> Vec<Notice> {
        let notices: Vec<Notice> = self
            .pending_notices()
            .into_iter()
            .filter_map(|id| {
                let e = self.get(id)?;
                Some(Notice {
                    id,
                    stopped: e.state.is_stopped(),
                    line: format::notice_line(e, self.marker(id)),
                })
            })
            .collect();
        for n in &notices {
            self.mark_notified(n.id);
        }
        notices
    }

    /// `jobs [-l|-p] [-r|-s]` with no jobspec: one text per job (several lines for a
    /// pipeline with `-l`; no trailing newline). The listed jobs count as reported
    /// (Done ones are forgotten afterwards), except with [`ListFormat::Pids`].
    pub fn list(&mut self, format: ListFormat, filter: StateFilter) -> Vec<String> {
        let ids: Vec<JobNum> = self
            .iter()
            .filter(|e| match filter {
                StateFilter::Any => true,
                StateFilter::Running => e.state == JobState::Running,
                StateFilter::Stopped => e.state.is_stopped(),
            })
            .map(|e| e.id)
            .collect();
        let texts = ids
            .iter()
            .filter_map(|&id| self.render(id, format))
            .collect();
        if format != ListFormat::Pids {
            for id in ids {
                self.mark_notified(id);
            }
        }
        texts
    }

    /// `jobs [-l|-p] %spec`: one job, reported at once (bash lists each named job and
    /// cleans up before resolving the next; `-r`/`-s` do not apply). `None` when
    /// the job is not visible, or has no pid for [`ListFormat::Pids`].
    pub fn list_one(&mut self, id: JobNum, format: ListFormat) -> Option<String> {
        self.get(id)?;
        let text = self.render(id, format);
        if format != ListFormat::Pids {
            self.mark_notified(id);
        }
        text
    }

    fn render(&self, id: JobNum, format: ListFormat) -> Option<String> {
        let e = self.get(id)?;
        let marker = self.marker(id);
        match format {
            ListFormat::Standard => Some(format::jobs_line(e, marker)),
            ListFormat::Long => Some(format::jobs_long(e, marker)),
            ListFormat::Pids => format::pid_line(e),
        }
    }

    /// After `id` left the visible set: bash's `delete_job` resets `+`/`-` when it
    /// held one of them.
    fn forgot(&mut self, id: JobNum) {
        if self.current == Some(id) || self.previous == Some(id) {
            self.reset_current();
        }
    }

    fn state_of(&self, id: JobNum) -> Option<JobState> {
        self.get(id).map(|e| e.state)
    }

    fn is_stopped(&self, id: JobNum) -> bool {
        self.state_of(id).is_some_and(JobState::is_stopped)
    }

    fn is_running(&self, id: JobNum) -> bool {
        self.state_of(id) == Some(JobState::Running)
    }

    /// The newest visible job older than `before` (any job when `None`) that is
    /// stopped (`stopped`) or running (bash's `job_last_stopped`/`job_last_running`).
    fn newest(&self, before: Option<JobNum>, stopped: bool) -> Option<JobNum> {
        self.iter()
            .rev()
            .filter(|e| before.is_none_or(|b| e.id < b))
            .find(|e| {
                if stopped {
                    e.state.is_stopped()
                } else {
                    e.state == JobState::Running
                }
            })
            .map(|e| e.id)
    }

    /// bash's `set_current_job`.
    fn set_current_job(&mut self, job: JobNum) {
        if self.current != Some(job) {
            self.previous = self.current;
            self.current = Some(job);
        }
        // First choice for previous: the old current job, if stopped.
        if let Some(p) = self.previous {
            if p != job && self.is_stopped(p) {
                return;
            }
        }
        // Second: the newest stopped job older than the current one.
        if self.is_stopped(job) {
            if let Some(c) = self.newest(Some(job), true) {
                self.previous = Some(c);
                return;
            }
        }
        // Then the newest running job (older than the current one if that runs);
        // else the current job is also the previous one.
        let candidate = if self.is_running(job) {
            self.newest(Some(job), false)
        } else {
            self.newest(None, false)
        };
        self.previous = Some(candidate.unwrap_or(job));
    }

    /// bash's `reset_current`.
    fn reset_current(&mut self) {
        let candidate = match self.current {
            Some(c) if self.is_stopped(c) => Some(c),
            _ => self
                .previous
                .filter(|&p| self.is_stopped(p))
                .or_else(|| self.newest(None, true))
                .or_else(|| self.newest(None, false)),
        };
        match candidate {
            Some(c) => self.set_current_job(c),
            None => {
                self.current = None;
                self.previous = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TSTP: JobState = JobState::Stopped(Signal::TSTP);

    fn bg(t: &mut JobTable, id: u64) {
        t.add_background(
            JobNum(id),
            format!("job{id}"),
            vec![id as u32],
            Some(id as u32),
        );
    }

    fn stop(t: &mut JobTable, id: u64) {
        t.add_stopped(
            JobNum(id),
            format!("job{id}"),
            vec![id as u32],
            Some(id as u32),
            Signal::TSTP,
        );
    }

    /// `+`/`-` as (current, previous) job numbers.
    fn marks(t: &JobTable) -> (Option<u64>, Option<u64>) {
        (t.current().map(|j| j.0), t.previous().map(|j| j.0))
    }

    #[test]
    fn background_jobs_take_current_in_turn() {
        let mut t = JobTable::new();
        assert_eq!(marks(&t), (None, None));
        bg(&mut t, 1);
        assert_eq!(marks(&t), (Some(1), Some(1)));
        assert_eq!(t.marker(JobNum(1)), '+');
        bg(&mut t, 2);
        bg(&mut t, 3);
        assert_eq!(marks(&t), (Some(3), Some(2)));
        assert_eq!([1, 2, 3].map(|i| t.marker(JobNum(i))), [' ', '-', '+']);
    }

    #[test]
    fn a_stopped_current_job_keeps_its_place() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        assert_eq!(marks(&t), (Some(1), Some(1)));
        bg(&mut t, 2);
        assert_eq!(marks(&t), (Some(1), Some(2)));
        bg(&mut t, 3);
        assert_eq!(marks(&t), (Some(1), Some(3)));
        stop(&mut t, 4);
        assert_eq!(marks(&t), (Some(4), Some(1)));
    }

    #[test]
    fn finishing_keeps_the_marker_until_reported() {
        let mut t = JobTable::new();
        bg(&mut t, 1);
        bg(&mut t, 2);
        bg(&mut t, 3);
        assert!(t.set_state(JobNum(3), JobState::Exited(0)));
        assert_eq!(marks(&t), (Some(3), Some(2)));
        assert_eq!(t.pending_notices(), vec![JobNum(3)]);
        t.mark_notified(JobNum(3));
        assert_eq!(marks(&t), (Some(2), Some(1)));
        assert!(t.get(JobNum(3)).is_none());
        assert!(t.get_any(JobNum(3)).is_some());
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn stopped_jobs_are_preferred_when_current_goes() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        bg(&mut t, 2);
        stop(&mut t, 3);
        bg(&mut t, 4);
        // 3+ 1-, then 3 goes: 1 (the stopped previous) becomes current.
        assert_eq!(marks(&t), (Some(3), Some(1)));
        t.remove(JobNum(3));
        assert_eq!(marks(&t), (Some(1), Some(4)));
        t.remove(JobNum(1));
        assert_eq!(marks(&t), (Some(4), Some(2)));
        t.remove(JobNum(2));
        assert_eq!(marks(&t), (Some(4), Some(4)));
        t.remove(JobNum(4));
        assert_eq!(marks(&t), (None, None));
        assert!(t.is_empty());
    }

    #[test]
    fn newest_stopped_job_when_previous_is_not() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        stop(&mut t, 2);
        bg(&mut t, 3);
        stop(&mut t, 4);
        assert_eq!(marks(&t), (Some(4), Some(2)));
        // Continue 2 from outside: 4 stays, `-` goes to the newest stopped job, 1.
        assert!(t.set_state(JobNum(2), JobState::Running));
        assert_eq!(marks(&t), (Some(4), Some(1)));
        t.remove(JobNum(4));
        assert_eq!(marks(&t), (Some(1), Some(3)));
    }

    #[test]
    fn fg_makes_current_and_finishing_in_the_foreground_forgets() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        bg(&mut t, 2);
        assert_eq!(t.can_resume(JobNum(2), true), Ok(()));
        assert!(t.set_foreground(JobNum(2)));
        assert_eq!(marks(&t), (Some(2), Some(1)));
        assert!(!t.get(JobNum(2)).unwrap().background);
        // The kernel's Continued event for a job fg already marked running: no change.
        assert!(!t.set_state(JobNum(2), JobState::Running));
        assert!(t.set_state(JobNum(2), JobState::Exited(0)));
        // Only job 1's Stopped notice is pending: 2 is the shell's to report.
        assert_eq!(t.pending_notices(), vec![JobNum(1)]);
        assert!(t.get(JobNum(2)).is_none());
        assert_eq!(marks(&t), (Some(1), Some(1)));
    }

    #[test]
    fn fg_then_stop_again() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        bg(&mut t, 2);
        t.mark_notified(JobNum(1));
        assert!(t.set_foreground(JobNum(1)));
        assert_eq!(t.get(JobNum(1)).unwrap().state, JobState::Running);
        assert!(t.set_state(JobNum(1), TSTP));
        let e = t.get(JobNum(1)).unwrap();
        assert!(e.background && !e.notified);
        assert_eq!(t.pending_notices(), vec![JobNum(1)]);
        assert_eq!(marks(&t), (Some(1), Some(2)));
    }

    #[test]
    fn bg_prints_the_old_marker_and_resets() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        bg(&mut t, 2);
        stop(&mut t, 3);
        // bg %1 while 3 is stopped and current: `[1]- job1 &`, then 1 loses its mark.
        assert_eq!(t.set_background(JobNum(1)).as_deref(), Some("[1]- job1 &"));
        assert_eq!(marks(&t), (Some(3), Some(2)));
        assert_eq!(t.set_background(JobNum(3)).as_deref(), Some("[3]+ job3 &"));
        assert_eq!(marks(&t), (Some(3), Some(2)));
        assert_eq!(t.set_background(JobNum(3)), None);
        assert_eq!(
            t.can_resume(JobNum(3), false).unwrap_err().message("bg"),
            "bg: job 3 already in background"
        );
        assert_eq!(t.can_resume(JobNum(3), false).unwrap_err().status(), 0);
        assert_eq!(t.can_resume(JobNum(3), true), Ok(()));
    }

    #[test]
    fn resume_errors() {
        let mut t = JobTable::new();
        bg(&mut t, 1);
        t.set_state(JobNum(1), JobState::Exited(1));
        let err = t.can_resume(JobNum(1), true).unwrap_err();
        assert_eq!(err.message("fg"), "fg: job has terminated");
        assert_eq!(err.status(), 1);
        assert!(!t.set_foreground(JobNum(1)));
        assert_eq!(t.set_background(JobNum(1)), None);
        assert_eq!(
            t.can_resume(JobNum(9), true).unwrap_err().message("fg"),
            "fg: %9: no such job"
        );
    }

    #[test]
    fn kill_cont_leaves_the_marks() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        stop(&mut t, 2);
        assert!(t.set_continued(JobNum(2)));
        assert_eq!(marks(&t), (Some(2), Some(1)));
        let e = t.get(JobNum(2)).unwrap();
        assert_eq!((e.state, e.background), (JobState::Running, true));
        assert!(!t.set_state(JobNum(2), JobState::Running));
        assert!(!t.set_continued(JobNum(2)));
    }

    #[test]
    fn state_changes_that_do_nothing() {
        let mut t = JobTable::new();
        assert!(!t.set_state(JobNum(1), JobState::Running));
        bg(&mut t, 1);
        assert!(!t.set_state(JobNum(1), JobState::Running));
        assert!(t.set_state(JobNum(1), JobState::Exited(0)));
        assert!(!t.set_state(JobNum(1), JobState::Running));
        assert!(!t.set_state(JobNum(1), TSTP));
        assert!(!t.set_members(JobNum(9), vec![]));
        assert!(t.set_members(JobNum(1), vec!["a".into()]));
        assert!(t.mark_notified(JobNum(1)));
        assert!(!t.mark_notified(JobNum(1)));
        assert!(!t.mark_notified(JobNum(9)));
        t.remove(JobNum(9));
    }

    #[test]
    fn notices_take_all_markers_first() {
        let mut t = JobTable::new();
        bg(&mut t, 1);
        bg(&mut t, 2);
        t.set_state(JobNum(1), JobState::Exited(0));
        t.set_state(JobNum(2), JobState::Exited(0));
        let notices = t.take_notices();
        let lines: Vec<&str> = notices.iter().map(|n| n.line.as_str()).collect();
        assert_eq!(
            lines,
            [
                "[1]-  Done                    job1",
                "[2]+  Done                    job2"
            ]
        );
        assert!(t.take_notices().is_empty());
        assert_eq!(marks(&t), (None, None));
    }

    #[test]
    fn stop_notice_text_has_a_leading_newline() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        let n = t.take_notices();
        assert_eq!(n.len(), 1);
        assert!(n[0].stopped);
        assert_eq!(n[0].text(), "\n[1]+  Stopped                 job1\n");
        let done = Notice {
            id: JobNum(1),
            stopped: false,
            line: "x".into(),
        };
        assert_eq!(done.text(), "x\n");
        // Reported: a later Done is a new notice, the stop is not repeated.
        t.set_state(JobNum(1), JobState::Exited(0));
        assert_eq!(t.pending_notices(), vec![JobNum(1)]);
    }

    #[test]
    fn listing_filters_and_reports() {
        let mut t = JobTable::new();
        stop(&mut t, 1);
        bg(&mut t, 2);
        bg(&mut t, 3);
        t.set_state(JobNum(3), JobState::Exited(0));
        assert_eq!(t.list(ListFormat::Pids, StateFilter::Any), ["1", "2", "3"]);
        assert_eq!(t.list(ListFormat::Pids, StateFilter::Running), ["2"]);
        assert_eq!(t.list(ListFormat::Pids, StateFilter::Stopped), ["1"]);
        // -p reports nothing: job 3 is still pending.
        assert_eq!(t.pending_notices(), vec![JobNum(1), JobNum(3)]);
        let listed = t.list(ListFormat::Standard, StateFilter::Any);
        assert_eq!(
            listed,
            [
                "[1]+  Stopped                 job1",
                "[2]   Running                 job2 &",
                "[3]-  Done                    job3",
            ]
        );
        assert!(t.pending_notices().is_empty());
        assert_eq!(t.len(), 2);
        assert_eq!(marks(&t), (Some(1), Some(2)));
        assert_eq!(
            t.list_one(JobNum(2), ListFormat::Long).as_deref(),
            Some("[2]-     2 Running                 job2 &")
        );
        assert_eq!(t.list_one(JobNum(3), ListFormat::Standard), None);
        assert!(t.has_stopped());
    }

    #[test]
    fn list_one_reports_at_once() {
        let mut t = JobTable::new();
        bg(&mut t, 1);
        bg(&mut t, 2);
        t.set_state(JobNum(2), JobState::Exited(0));
        assert_eq!(
            t.list_one(JobNum(2), ListFormat::Standard).as_deref(),
            Some("[2]+  Done                    job2")
        );
        assert_eq!(marks(&t), (Some(1), Some(1)));
        assert_eq!(
            t.list_one(JobNum(1), ListFormat::Pids).as_deref(),
            Some("1")
        );
    }

    #[test]
    fn replacing_an_entry() {
        let mut t = JobTable::new();
        bg(&mut t, 1);
        stop(&mut t, 1);
        assert_eq!(t.len(), 1);
        assert_eq!(t.get(JobNum(1)).unwrap().state, TSTP);
        assert_eq!(t.iter_all().count(), 1);
    }
}
