//! Supervision: what an agent harness or a process manager adds to a job.
//!
//! Every part is optional, lives in the one job table and shows in
//! [`JobInfo`](crate::JobInfo):
//!
//! - **Children of a future job** ([`FutureContext::spawn_process`](crate::FutureContext::spawn_process)):
//!   a future job (a shell's `( … ) &`, a compound command) starts process
//!   jobs as its own children. They are ordinary process jobs in the table,
//!   hidden unless their options say otherwise, whose
//!   [`JobInfo::parent`](crate::JobInfo::parent) names the future. Every
//!   signal sent to the future job also goes to each live child's process
//!   group, so stop, continue, TERM, INT, HUP and KILL reach the processes
//!   the future started; [`Kernel::terminate`](crate::Kernel::terminate) of
//!   the future escalates to KILL on its children too. A stopped future is
//!   not polled, and [`FutureContext::checkpoint`](crate::FutureContext::checkpoint)
//!   waits (without polling) until it is continued, for work the future
//!   runs elsewhere. A child that stops by itself (Ctrl-Z reaching its group)
//!   reports [`JobEvent::Stopped`](crate::JobEvent::Stopped) under its own
//!   id: the future's owner sees it (with [`Job::wait_change`](crate::Job::wait_change)
//!   or events) and decides whether to stop the whole future job, by
//!   signalling it like any job.
//!
//! The record's supervision data is set once, before the job enters the
//! table, and read without locks; a job that uses none of it carries one
//! empty cell.

use crate::job::JobId;

/// A job's supervision data, fixed at spawn.
#[derive(Debug, Default)]
pub(crate) struct Meta {
    /// The job this one was started under.
    pub(crate) parent: Option<JobId>,
}
