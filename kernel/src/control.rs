//! Delivering signals to jobs, and terminate (TERM, grace, KILL).
//!
//! A process job's signals go through its [`ProcPart`]: `killpg` while a
//! member pins the group, each held leftover's pidfd afterwards, never a
//! group that no longer provably belongs to the job. A future job's
//! signals also go to its live children (see [`crate::supervise`]), and
//! terminating it ends them too.

use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::events::Publisher;
use crate::future_job::Effect;
use crate::group::{Member, ProcPart};
use crate::job::{JobEvent, JobInfo, JobState};
use crate::record::{Body, JobCore};
use crate::signal::Signal;

/// Sends `sig` to a job: its process group (see [`crate::group`] for when
/// that is provably still the job's), or the future's controls.
pub(crate) fn signal_core(events: &Publisher, core: &JobCore, sig: Signal) -> Result<()> {
    signal_from(events, core, sig, true)
}

/// [`signal_core`]; `resume_anchor`: a CONT also continues the future
/// job's anchor (not when the anchor itself reported the CONT).
pub(crate) fn signal_from(
    events: &Publisher,
    core: &JobCore,
    sig: Signal,
    resume_anchor: bool,
) -> Result<()> {
    let id = core.id();
    if crate::supervise::ends(sig) {
        crate::supervise::request_stop(events, core, crate::StopCause::Signal(sig));
    }
    match core.body() {
        Body::Process(p) => {
            // Running from the CONT on: a stop that follows must be a
            // change its waiters see, also when its CLD_CONTINUED is lost.
            // Under the group lock, so the event precedes the job's exit.
            let sent = p.signal_then(sig.number(), || {
                if core.set_live_state(JobState::Running) {
                    events.publish(JobEvent::Continued(id));
                }
            });
            match sent {
                Ok(true) => Ok(()),
                Ok(false) => Err(Error::JobFinished(id)),
                Err(source) => Err(Error::SignalFailed {
                    job: id,
                    signal: sig.name(),
                    source,
                }),
            }
        }
        Body::Future(_) => {
            let ctl = match core.future_control() {
                Some(ctl) if !core.state().is_finished() => ctl,
                _ => return Err(Error::JobFinished(id)),
            };
            if sig == Signal::CONT && resume_anchor {
                // First: a stop the anchor reports later would undo this CONT.
                if let Some(anchor) = ctl.anchor() {
                    anchor.resume();
                }
            }
            let event = match ctl.deliver(sig) {
                Effect::Paused(s) if core.set_live_state(JobState::Stopped(s)) => {
                    Some(JobEvent::Stopped(id, s))
                }
                Effect::Resumed if core.set_live_state(JobState::Running) => {
                    Some(JobEvent::Continued(id))
                }
                _ => None,
            };
            if let Some(event) = event {
                events.publish(event);
            }
            for child in ctl.live_children() {
                // A child that finished meanwhile is no failure of this job's.
                let _ = signal_core(events, &child, sig);
            }
            Ok(())
        }
    }
}

/// Whether anything in the job is stopped (so it needs CONT to act on TERM).
fn any_stopped(core: &JobCore) -> bool {
    match core.body() {
        Body::Process(p) => p
            .lock()
            .members
            .iter()
            .any(|m| matches!(m, Member::Stopped(_))),
        Body::Future(_) => core
            .future_control()
            .is_some_and(|c| c.is_paused() || c.live_children().iter().any(|k| any_stopped(k))),
    }
}

/// A future job's live children (they are terminated with it).
fn children(core: &JobCore) -> Vec<Arc<JobCore>> {
    core.future_control()
        .map(|c| c.live_children())
        .unwrap_or_default()
}

/// Takes what is pending for a job's group at once (the kernel's reaper),
/// so a terminate that returns leaves no zombie of ours behind.
pub(crate) type Reap = Box<dyn Fn(&Arc<JobCore>) + Send>;

/// [`terminate_core`] in a task of its own, so that dropping the returned
/// future does not stop the escalation half-way. Checks the job first (an
/// error comes back at once).
pub(crate) async fn terminate_detached(
    events: Arc<Publisher>,
    core: Arc<JobCore>,
    grace: Duration,
    reap: Option<Reap>,
) -> Result<JobInfo> {
    let handle = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
    let task_core = Arc::clone(&core);
    let task = handle.spawn(async move { terminate_core(&events, &task_core, grace, reap).await });
    match task.await {
        Ok(Ok(_)) => Ok(core.info(true)),
        Ok(Err(e)) => Err(e),
        // The runtime is shutting down: the task was dropped with it.
        Err(_) => Err(Error::ShuttingDown),
    }
}

/// TERM (then CONT if stopped), wait up to `grace`, then KILL. Waits for the
/// members' end (the reaper's news) and for the exit of every process left
/// in the group (pidfd readiness): it returns as soon as all are gone, not
/// after the grace. Returns the job's final state.
pub(crate) async fn terminate_core(
    events: &Arc<Publisher>,
    core: &Arc<JobCore>,
    grace: Duration,
    reap: Option<Reap>,
) -> Result<JobState> {
    let deadline = Instant::now() + grace;
    let live = !core.state().is_finished();
    let group_left = core.proc().is_some_and(ProcPart::group_alive);
    if !live && !group_left {
        return Err(Error::JobFinished(core.id()));
    }
    let stopped = any_stopped(core);
    // Taken now: a future job's children are out of reach once it ended.
    let kids = children(core);
    ignore_gone(signal_core(events, core, Signal::TERM))?;
    if stopped {
        ignore_gone(signal_core(events, core, Signal::CONT))?;
    }
    let all_gone = async {
        gone(core, deadline).await;
        for kid in &kids {
            gone(kid, deadline).await;
        }
    };
    if tokio::time::timeout_at(deadline, all_gone).await.is_err() {
        ignore_gone(signal_core(events, core, Signal::KILL))?;
        for kid in &kids {
            let _ = signal_core(events, kid, Signal::KILL);
        }
        gone(core, deadline).await;
        for kid in &kids {
            gone(kid, deadline).await;
        }
    }
    // Leftovers that are our children (we may be a child subreaper) are
    // zombies now: reap them here rather than on the next SIGCHLD.
    if let Some(reap) = reap {
        reap(core);
        for kid in &kids {
            reap(kid);
        }
    }
    Ok(core.wait_for(JobState::is_finished).await)
}

/// Waits until the job is final and every leftover it holds has exited.
/// A leftover whose exit cannot be waited for (no reactor registration)
/// counts as gone at `deadline`.
async fn gone(core: &JobCore, deadline: Instant) {
    core.wait_for(JobState::is_finished).await;
    let Some(p) = core.proc() else { return };
    for left in p.leftovers() {
        if left.wait_exit().await.is_err() {
            tokio::time::sleep_until(deadline).await;
        }
    }
}

fn ignore_gone(r: Result<()>) -> Result<()> {
    match r {
        Err(Error::JobFinished(_)) => Ok(()),
        other => other,
    }
}
