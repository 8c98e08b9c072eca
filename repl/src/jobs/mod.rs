//! The shell's view of its jobs, as bash 5.2 shows them: pure data in, strings out.
//!
//! # The model
//!
//! The kernel owns every job's state, command, member texts and pids; a
//! [`JobTable`] holds only what bash keeps beyond that, one [`Entry`] per job the
//! shell shows (background jobs, and foreground jobs once they stop), keyed and
//! ordered by the kernel's [`JobNum`] (`[N]`; never reused, unlike bash's slots):
//! whether it runs in the background, which of its states the shell has acted on
//! and reported, and bash's current (`+`) and previous (`-`) job (see [`table`] for
//! the exact rules). Whatever needs the kernel's side reads a [`Snapshot`] of
//! [`JobView`]s taken at that moment.
//!
//! A finished job stays visible until it is reported (a notice, or a `jobs`
//! listing); it is then *forgotten*: hidden from `jobs`, jobspecs and `+`/`-`, as
//! bash deletes it, but still found by [`JobTable::resolve_any`] (for `wait`) until
//! [`JobTable::remove`]d.
//!
//! Jobspecs (`%1`, `%%`, `%-`, `%sl`, `%?text`) resolve with bash's errors
//! ([`spec`]); [`format`](mod@format) renders every line bash prints about jobs; [`signals`]
//! does `kill -l` and signal-spec parsing.
//!
//! # Wiring (the executor's part)
//!
//! - `cmd &`: [`JobTable::add_background`], print [`format::started_line`]. Each
//!   pipeline member's `Cmd` carries its source text, which `jobs -l` shows.
//! - A foreground job stops: [`JobTable::add_stopped`] (also when it was brought
//!   back with `fg`).
//! - Whenever something may have changed (a kernel event wakes the shell, a
//!   prompt is due, a job builtin runs): [`JobTable::observe`] a fresh snapshot
//!   (jobs whose record is gone leave the table), then [`JobTable::take_notices`].
//! - `jobs`: [`JobTable::list`] / [`JobTable::list_one`]; `fg`:
//!   [`JobTable::can_resume`], [`JobTable::set_foreground`], print
//!   [`format::fg_line`], and [`format::foreground_death_line`] if it dies of a
//!   signal; `bg`: [`JobTable::can_resume`], [`JobTable::set_background`] (prints
//!   the line it returns); `kill -CONT %N`: [`JobTable::set_continued`]; `disown`:
//!   [`format::disown_warning`], [`JobTable::remove`].

pub mod format;
pub mod signals;

/// A job's number as users see it (`[N]`, `%N`, `/v/jobs/N`): the kernel's
/// [`JobInfo::number`](corral_kernel::JobInfo::number) of a visible job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobNum(pub u64);

impl std::fmt::Display for JobNum {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}
mod sim;
pub mod spec;
pub mod table;
#[cfg(test)]
mod table_tests;
pub mod view;

#[cfg(test)]
mod tests;

pub use spec::{JobSpec, JobSpecError};
pub use table::{Entry, JobTable, ListFormat, Notice, ResumeError, StateFilter};
pub use view::{JobView, Snapshot};

use corral_kernel::{JobState, Signal};

/// A small fixed table for fuzzing: running, stopped, finished and forgotten jobs,
/// pipelines and a future job.
fn fuzz_table() -> sim::Sim {
    let mut t = sim::Sim::new();
    t.add_background(JobNum(1), "sleep 100", vec![101], Some(101));
    t.add_background(JobNum(2), "sleep 200 | cat", vec![201, 202], Some(201));
    t.add_stopped(
        JobNum(3),
        "vim notes.txt",
        vec![301],
        Some(301),
        Signal::TSTP,
    );
    t.add_background(JobNum(4), "builtin-future", Vec::new(), None);
    t.add_background(
        JobNum(5),
        "make -j8 | tee 'log | x'",
        vec![501, 502],
        Some(501),
    );
    t.set_state(JobNum(5), JobState::Exited(2));
    t.add_background(JobNum(6), "Sleep ÿ 1", vec![601], Some(601));
    t.set_state(
        JobNum(6),
        JobState::Signaled {
            signal: Signal::TERM,
            core_dumped: true,
        },
    );
    t.mark_notified(JobNum(6));
    t.add_stopped(JobNum(7), "cat", vec![701], Some(701), Signal::TTIN);
    t
}

/// Fuzz entry point: parses and resolves `data` (lossy UTF-8) as a jobspec and as a
/// signal spec against a fixed table, renders what it finds, and checks that a
/// resolved job is one the table shows. Never panics unless an invariant breaks.
pub fn fuzz_jobspec(data: &[u8]) {
    let word = String::from_utf8_lossy(data);
    let mut table = fuzz_table();
    for (found, any) in [
        (table.resolve(&word), false),
        (table.resolve_any(&word), true),
    ] {
        match found {
            Ok(id) => {
                let entry = if any {
                    table.get_any(id)
                } else {
                    table.get(id)
                };
                assert!(entry.is_some(), "resolved {id} is not in the table");
                if let (Some(e), Some(v)) = (entry, table.kernel.get(id)) {
                    let (marker, bg) = (table.marker(id), e.background);
                    let _ = (
                        format::jobs_line(v, bg, marker),
                        format::jobs_long(v, bg, marker),
                    );
                    let _ = (format::bg_line(v, marker), format::pid_line(v));
                }
            }
            Err(e) => {
                let _ = (e.messages("jobs"), e.status("wait"));
            }
        }
    }
    let _ = (signals::decode_signal(&word), signals::kill_l_arg(&word));
    if let Ok(id) = table.resolve(&word) {
        let _ = (table.can_resume(id, true), table.set_background(id));
        table.set_foreground(id);
        table.remove(id);
        let _ = table.take_notices();
    }
}
