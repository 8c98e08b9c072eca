//! The job table: what the shell knows about its jobs beyond the kernel, in id
//! order, and bash's current/previous (`+`/`-`) bookkeeping.
//!
//! An [`Entry`] holds only the number, whether the job runs in the background, and
//! which of its states the shell has acted on and reported. State, command, member
//! texts and pids are the kernel's: every method that needs them takes a
//! [`Snapshot`] taken just before, and [`JobTable::observe`] compares it with what
//! was acted on to move `+`/`-` and queue notices. A job missing from the snapshot
//! is gone and leaves the table.
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
//!
//! `fg`, `bg` and `kill -CONT` count a job as running as soon as they send SIGCONT,
//! as bash does; until the kernel reports the continue (a running state, or its
//! `Continued` event: [`JobTable::continue_seen`]), the stop it still reports is
//! the one they resumed from and is not taken for a new one.
//!
//! `+`/`-` follow the states the table has acted on, in the order it acted on
//! them, as bash's follow the states its `waitchld` has recorded: a job started
//! with `&` counts as running until a snapshot shows it finished, even if it
//! finished before it was added.

use std::borrow::Cow;
use std::collections::BTreeMap;

use corral_kernel::JobState;

use super::format;
use super::view::{JobView, Snapshot};
use super::JobNum;

/// What the shell keeps about a job beyond the kernel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The job's number, shown as `[N]`.
    pub id: JobNum,
    /// Not the foreground job: a running job shows ` &`. Set by `&`, `bg`, and by
    /// stopping (bash clears its foreground flag on a stop); cleared by `fg`.
    pub background: bool,
    /// The state the table last acted on (moved `+`/`-` for, queued a notice for):
    /// a snapshot that differs is a change. Never shown: lines use the snapshot.
    pub(crate) seen: JobState,
    /// `seen` has been reported. A finished job that was reported is forgotten:
    /// hidden from `jobs`, `%` jobspecs and `+`/`-`, still found by
    /// [`JobTable::get_any`] and [`JobTable::resolve_any`] until removed.
    pub notified: bool,
    /// The stop `fg`/`bg`/`kill -CONT` continued the job from, until the kernel
    /// reports anything else.
    resumed_from: Option<JobState>,
}

impl Entry {
    fn new(id: JobNum, seen: JobState, background: bool) -> Entry {
        Entry {
            id,
            background,
            seen,
            notified: false,
            resumed_from: None,
        }
    }

    /// Finished and reported: bash would have deleted it.
    pub fn is_forgotten(&self) -> bool {
        self.notified && self.seen.is_finished()
    }

    /// The kernel's state, except that a stop this job was just continued from
    /// reads as running.
    fn effective(&self, kernel: JobState) -> JobState {
        match self.resumed_from {
            Some(r) if r == kernel => JobState::Running,
            _ => kernel,
        }
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

impl StateFilter {
    /// Whether a job in `state` (`None`: no record) is listed.
    pub fn admits(self, state: Option<JobState>) -> bool {
        match self {
            StateFilter::Any => true,
            StateFilter::Running => state == Some(JobState::Running),
            StateFilter::Stopped => state.is_some_and(JobState::is_stopped),
        }
    }
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
    marks: Published,
}

/// Where the table publishes its current and previous job for `/v/jobs/%%`
/// and `%-` (see [`JobTable::publish_to`]). A copy of the table (a
/// subshell's) publishes nowhere: its jobs are not the session's.
#[derive(Debug, Default)]
struct Published(Option<corral_vfs::JobMarks>);

impl Clone for Published {
    fn clone(&self) -> Published {
        Published(None)
    }
}

impl JobTable {
    /// An empty table.
    pub fn new() -> JobTable {
        JobTable::default()
    }

    /// From now on, keeps `marks` at this table's current and previous job.
    pub fn publish_to(&mut self, marks: corral_vfs::JobMarks) {
        self.marks = Published(Some(marks));
        self.publish();
    }

    fn publish(&self) {
        if let Some(m) = &self.marks.0 {
            m.set(self.current.map(|j| j.0), self.previous.map(|j| j.0));
        }
    }

    /// `cmd &`: a running background job enters the table (bash's `stop_pipeline`
    /// for an async job: it becomes current unless a stopped job is current).
    /// An existing entry with this id is replaced.
    /// It counts as running until [`JobTable::observe`] sees otherwise, as bash
    /// takes it in running and learns of its end later.
    pub fn add_background(&mut self, id: JobNum) {
        self.entries
            .insert(id, Entry::new(id, JobState::Running, true));
        self.reset_current();
    }

    /// A foreground job stopped (Ctrl-Z), as its waiter saw: it enters the table
    /// (or, brought back by `fg`, returns to it) stopped and in the background,
    /// becomes current, and its Stopped notice is pending.
    pub fn add_stopped(&mut self, id: JobNum, jobs: &Snapshot) {
        let seen = jobs.get(id).map_or(JobState::Running, |v| v.state);
        self.entries.insert(id, Entry::new(id, seen, true));
        self.set_current_job(id);
    }

    /// Acts on every change between `jobs` and the states last acted on; returns
    /// the jobs that changed, in id order. Jobs missing from `jobs` are removed.
    ///
    /// - stopped: becomes current, counts as background, its notice is pending;
    /// - stopped → running (SIGCONT from outside): `+`/`-` reset, stopped jobs first;
    /// - finished: the notice is pending and the marker stays until it is reported;
    ///   a foreground job (one `fg` brought back) is reported by the shell itself
    ///   at once, as bash does, so it is forgotten here (see
    ///   [`format::foreground_death_line`]).
    ///
    /// A finished state is final. A foreground job's stop is left to its waiter
    /// ([`JobTable::add_stopped`]).
    pub fn observe(&mut self, jobs: &Snapshot) -> Vec<JobNum> {
        let ids: Vec<JobNum> = self.entries.keys().copied().collect();
        self.observe_jobs(ids, jobs)
    }

    /// [`JobTable::observe`] for the jobs `ids` only (those a kernel event named);
    /// `jobs` must hold each of them that still has a record.
    pub fn observe_jobs(
        &mut self,
        ids: impl IntoIterator<Item = JobNum>,
        jobs: &Snapshot,
    ) -> Vec<JobNum> {
        let mut ids: Vec<JobNum> = ids
            .into_iter()
            .filter(|id| self.entries.contains_key(id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let (present, gone): (Vec<JobNum>, Vec<JobNum>) =
            ids.into_iter().partition(|&id| jobs.get(id).is_some());
        for id in gone {
            self.remove(id);
        }
        present
            .into_iter()
            .filter(|&id| self.observe_one(id, jobs))
            .collect()
    }

    fn observe_one(&mut self, id: JobNum, jobs: &Snapshot) -> bool {
        let (Some(entry), Some(view)) = (self.entries.get_mut(&id), jobs.get(id)) else {
            return false;
        };
        if entry.resumed_from.is_some_and(|r| r != view.state) {
            entry.resumed_from = None;
        }
        let state = entry.effective(view.state);
        let old = entry.seen;
        if old == state || old.is_finished() || (state.is_stopped() && !entry.background) {
            return false;
        }
        entry.seen = state;
        entry.notified = false;
        match state {
            JobState::Stopped(_) => self.set_current_job(id),
            JobState::Running => self.reset_current(),
            _ if state.is_finished() && !entry.background => {
                entry.notified = true;
                self.forgot(id);
            }
            _ => {}
        }
        true
    }

    /// The kernel saw job `id` continue (its `Continued` event): a stop it reports
    /// from now on is a new one, even if it looks like the one `fg`/`bg`/`kill
    /// -CONT` resumed from.
    pub fn continue_seen(&mut self, id: JobNum) {
        if let Some(e) = self.entries.get_mut(&id) {
            e.resumed_from = None;
        }
    }

    /// `kill -CONT %N` on a stopped job: running in the background, `+`/`-` left
    /// alone (bash's `kill_pid`). Call it right after the builtin sends CONT.
    pub fn set_continued(&mut self, id: JobNum, jobs: &Snapshot) -> bool {
        let Some(state) = self.state(id, jobs) else {
            return false;
        };
        match self.entries.get_mut(&id) {
            Some(e) if state.is_stopped() => {
                e.resumed_from = Some(state);
                e.seen = JobState::Running;
                e.background = true;
                e.notified = true;
                true
            }
            _ => false,
        }
    }

    /// `fg`: the job becomes current and the foreground job, and counts as running
    /// (bash does so as it sends SIGCONT). When it then finishes,
    /// [`JobTable::observe`] forgets it; when it stops, its waiter calls
    /// [`JobTable::add_stopped`]. False if the job is not visible or has finished
    /// (check first with [`JobTable::can_resume`]).
    pub fn set_foreground(&mut self, id: JobNum, jobs: &Snapshot) -> bool {
        let state = match (self.get(id), self.state(id, jobs)) {
            (Some(_), Some(s)) if !s.is_finished() => s,
            _ => return false,
        };
        // bash: set_current_job while the job is still stopped, then set it running.
        self.set_current_job(id);
        if let Some(e) = self.entries.get_mut(&id) {
            e.background = false;
            e.notified = false;
            e.seen = JobState::Running;
            e.resumed_from = state.is_stopped().then_some(state);
        }
        true
    }

    /// `bg`: marks a stopped job running in the background and resets `+`/`-`
    /// (bash 5.2's `start_job`). Returns the line `bg` prints, made with the marker
    /// the job had before (`[1]+ sleep 30 &`), or `None` if the job is not a visible
    /// stopped job (check first with [`JobTable::can_resume`]).
    pub fn set_background(&mut self, id: JobNum, jobs: &Snapshot) -> Option<String> {
        let state = self.state(id, jobs).filter(|s| s.is_stopped())?;
        let line = format::bg_line(jobs.get(id)?, self.marker(id));
        if let Some(e) = self.entries.get_mut(&id) {
            e.resumed_from = Some(state);
            e.seen = JobState::Running;
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
    pub fn can_resume(
        &self,
        id: JobNum,
        jobs: &Snapshot,
        foreground: bool,
    ) -> Result<(), ResumeError> {
        let state = self.state(id, jobs).ok_or(ResumeError::NoSuchJob(id))?;
        if state.is_finished() {
            Err(ResumeError::Terminated)
        } else if !foreground && state == JobState::Running {
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
        if e.seen.is_finished() {
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

    /// A visible job's state in `jobs` (running from the moment `fg`/`bg`/`kill
    /// -CONT` continued it). `None` when not visible or missing from `jobs`.
    pub fn state(&self, id: JobNum, jobs: &Snapshot) -> Option<JobState> {
        let e = self.get(id)?;
        Some(e.effective(jobs.get(id)?.state))
    }

    /// A visible job's view in `jobs`, with the state of [`JobTable::state`].
    pub fn view<'a>(&self, id: JobNum, jobs: &'a Snapshot) -> Option<Cow<'a, JobView>> {
        let view = jobs.get(id)?;
        let state = self.state(id, jobs)?;
        if state == view.state {
            return Some(Cow::Borrowed(view));
        }
        let mut view = view.clone();
        view.state = state;
        Some(Cow::Owned(view))
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
        self.iter().any(|e| e.seen.is_stopped())
    }

    /// Jobs that finished or stopped and were not reported yet, in id order.
    pub fn pending_notices(&self) -> Vec<JobNum> {
        self.iter()
            .filter(|e| !e.notified && (e.seen.is_finished() || e.seen.is_stopped()))
            .map(|e| e.id)
            .collect()
    }

    /// Makes the notices of [`JobTable::pending_notices`] (all markers taken before
    /// any of them is forgotten, as bash prints them all and then cleans up) and
    /// marks those jobs reported.
    pub fn take_notices(&mut self, jobs: &Snapshot) -> Vec<Notice> {
        let notices: Vec<Notice> = self
            .pending_notices()
            .into_iter()
            .filter_map(|id| {
                let e = self.get(id)?;
                let view = self.view(id, jobs)?;
                Some(Notice {
                    id,
                    stopped: view.state.is_stopped(),
                    line: format::notice_line(&view, e.background, self.marker(id)),
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
    pub fn list(
        &mut self,
        jobs: &Snapshot,
        format: ListFormat,
        filter: StateFilter,
    ) -> Vec<String> {
        let ids: Vec<JobNum> = self
            .iter()
            .filter(|e| filter.admits(self.state(e.id, jobs)))
            .map(|e| e.id)
            .collect();
        let texts = ids
            .iter()
            .filter_map(|&id| self.render(id, jobs, format))
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
    pub fn list_one(&mut self, id: JobNum, jobs: &Snapshot, format: ListFormat) -> Option<String> {
        self.get(id)?;
        let text = self.render(id, jobs, format);
        if format != ListFormat::Pids {
            self.mark_notified(id);
        }
        text
    }

    fn render(&self, id: JobNum, jobs: &Snapshot, format: ListFormat) -> Option<String> {
        let e = self.get(id)?;
        let view = self.view(id, jobs)?;
        let marker = self.marker(id);
        match format {
            ListFormat::Standard => Some(format::jobs_line(&view, e.background, marker)),
            ListFormat::Long => Some(format::jobs_long(&view, e.background, marker)),
            ListFormat::Pids => format::pid_line(&view),
        }
    }

    /// After `id` left the visible set: bash's `delete_job` resets `+`/`-` when it
    /// held one of them.
    fn forgot(&mut self, id: JobNum) {
        if self.current == Some(id) || self.previous == Some(id) {
            self.reset_current();
        }
    }

    fn is_stopped(&self, id: JobNum) -> bool {
        self.get(id).is_some_and(|e| e.seen.is_stopped())
    }

    fn is_running(&self, id: JobNum) -> bool {
        self.get(id).is_some_and(|e| e.seen == JobState::Running)
    }

    /// The newest visible job older than `before` (any job when `None`) that is
    /// stopped (`stopped`) or running (bash's `job_last_stopped`/`job_last_running`).
    fn newest(&self, before: Option<JobNum>, stopped: bool) -> Option<JobNum> {
        let older = match before {
            Some(b) => self.entries.range(..b),
            None => self.entries.range(..),
        };
        older
            .rev()
            .map(|(_, e)| e)
            .filter(|e| !e.is_forgotten())
            .find(|e| {
                if stopped {
                    e.seen.is_stopped()
                } else {
                    e.seen == JobState::Running
                }
            })
            .map(|e| e.id)
    }

    /// bash's `set_current_job`.
    fn set_current_job(&mut self, job: JobNum) {
        self.choose_current(job);
        self.publish();
    }

    fn choose_current(&mut self, job: JobNum) {
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
                self.publish();
            }
        }
    }
}
