//! Delivering signals to jobs, and terminate (TERM, grace, KILL).

use std::io;
use std::pin::pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::events::Publisher;
use crate::future_job::Effect;
use crate::job::{JobEvent, JobInfo, JobState};
use crate::record::{Body, JobCore, Member};
use crate::signal::Signal;
use crate::sys;

/// Sends `sig` to a job: the whole process group, or the future's controls.
pub(crate) fn signal_core(events: &Publisher, core: &JobCore, sig: Signal) -> Result<()> {
    let id = core.id();
    match core.body() {
        Body::Process(p) => {
            // A finished job's group is still its own while any member lives.
            if core.state().is_finished() && !p.group_alive() {
                return Err(Error::JobFinished(id));
            }
            sys::killpg(p.pgid, sig.number()).map_err(|source| {
                if source.raw_os_error() == Some(libc::ESRCH) {
                    Error::JobFinished(id)
                } else {
                    Error::SignalFailed {
                        job: id,
                        signal: sig.name(),
                        source,
                    }
                }
            })
        }
        Body::Future(_) => {
            let ctl = match core.future_control() {
                Some(ctl) if !core.state().is_finished() => ctl,
                _ => return Err(Error::JobFinished(id)),
            };
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
            Ok(())
        }
    }
}

/// Whether anything in the job is stopped (so it needs CONT to act on TERM).
fn any_stopped(core: &JobCore) -> bool {
    match core.body() {
        Body::Process(p) => p
            .members
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .any(|m| matches!(m, Member::Stopped(_))),
        Body::Future(_) => core.future_control().is_some_and(|c| c.is_paused()),
    }
}

/// [`terminate_core`] in a task of its own, so that dropping the returned
/// future does not stop the escalation half-way. Checks the job first (an
/// error comes back at once).
pub(crate) async fn terminate_detached(
    events: Arc<Publisher>,
    core: Arc<JobCore>,
    grace: Duration,
) -> Result<JobInfo> {
    let handle = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
    let task_core = Arc::clone(&core);
    let task = handle.spawn(async move { terminate_core(&events, &task_core, grace).await });
    match task.await {
        Ok(Ok(_)) => Ok(core.info()),
        Ok(Err(e)) => Err(e),
        // The runtime is shutting down: the task was dropped with it.
        Err(_) => Err(Error::ShuttingDown),
    }
}

/// TERM (then CONT if stopped), wait up to `grace`, then KILL; also KILLs what is
/// left of the process group after the members are gone. Returns the final state.
pub(crate) async fn terminate_core(
    events: &Arc<Publisher>,
    core: &Arc<JobCore>,
    grace: Duration,
) -> Result<JobState> {
    let deadline = Instant::now() + grace;
    let live = !core.state().is_finished();
    let group_left = core.proc().is_some_and(|p| p.group_alive());
    if !live && !group_left {
        return Err(Error::JobFinished(core.id()));
    }
    let stopped = any_stopped(core);
    ignore_gone(signal_core(events, core, Signal::TERM))?;
    if stopped {
        ignore_gone(signal_core(events, core, Signal::CONT))?;
    }
    let waiter = crate::record::Job {
        core: Arc::clone(core),
        events: Arc::clone(events),
    };
    if tokio::time::timeout_at(deadline, waiter.wait())
        .await
        .is_err()
    {
        ignore_gone(signal_core(events, core, Signal::KILL))?;
    }
    if let Some(p) = core.proc() {
        // Processes outside the pipeline (the members' children) share the
        // group: they get until the deadline, as the members did.
        loop {
            // Listen before looking, so the reaper's news in between is not lost.
            let mut gone = pin!(p.group_gone.notified());
            gone.as_mut().enable();
            if !p.group_alive() {
                break;
            }
            if p.group_empty.load(Ordering::Acquire) {
                // The reaper saw no child of ours left there, yet something is:
                // not our descendants (we are no subreaper): only the deadline helps.
                tokio::time::sleep_until(deadline).await;
                kill_group(p.pgid);
                break;
            }
            // As a child subreaper, the leftovers are our children: the reaper
            // tells us when the last one is gone.
            tokio::select! {
                _ = &mut gone => {}
                _ = tokio::time::sleep_until(deadline) => {
                    kill_group(p.pgid);
                    break;
                }
            }
        }
    }
    Ok(waiter.wait().await.state)
}

fn ignore_gone(r: Result<()>) -> Result<()> {
    match r {
        Err(Error::JobFinished(_)) => Ok(()),
        other => other,
    }
}

/// SIGKILL to a whole group, ignoring "no such process".
pub(crate) fn kill_group(pgid: i32) {
    if let Err(e) = sys::killpg(pgid, libc::SIGKILL) {
        debug_assert!(e.kind() != io::ErrorKind::InvalidInput);
    }
}
