//! A process job's one task: pump its pipes into its streams, finish the job
//! once its members are reaped, and go on pumping until end of file.
//!
//! The job is final when its members are reaped: what they wrote is read
//! first (it is in the pipes already), then the final state is recorded,
//! `Exited` published and waiters woken. A process left in the group (a
//! launcher's worker) may still hold a pipe: it is read into the ring until
//! end of file, bounded as always, and only then does the stream close. So
//! a leftover never dies of SIGPIPE because its job ended.

use super::*;

/// What a process job's task needs.
pub(super) struct DriveJob {
    pub(super) kernel: Weak<Inner>,
    pub(super) core: Arc<JobCore>,
    pub(super) pumps: [Option<Pump>; 2],
}

/// Starts a process job's task on its first news (output or end of file on
/// a pipe, or its members' end) rather than at spawn: a job then costs a
/// worker's wake-up when something happens to it, not also when it starts.
pub(super) struct Starter {
    handle: tokio::runtime::Handle,
    slot: Mutex<Slot>,
}

pub(super) enum Slot {
    /// Being set up; `woken`: news came meanwhile.
    Arming {
        woken: bool,
    },
    Armed(DriveJob),
    Started,
}

impl Starter {
    /// Registers the job's wake-ups (its pipes' readiness, the reaper) and
    /// starts its task at once if there is news already.
    pub(super) fn arm(handle: tokio::runtime::Handle, mut job: DriveJob) {
        let starter = Arc::new(Starter {
            handle,
            slot: Mutex::new(Slot::Arming { woken: false }),
        });
        let waker = Waker::from(Arc::clone(&starter));
        if let Some(p) = job.core.proc() {
            *lock(&p.starter) = Some(waker.clone());
        }
        let mut cx = Context::from_waker(&waker);
        let mut news = false;
        for pump in job.pumps.iter_mut().flatten() {
            news |= pump.poll_news(&mut cx).is_ready();
        }
        let mut slot = lock(&starter.slot);
        if news || matches!(*slot, Slot::Arming { woken: true }) {
            *slot = Slot::Started;
            drop(slot);
            starter.start(job);
        } else {
            *slot = Slot::Armed(job);
        }
    }

    fn start(&self, job: DriveJob) {
        // The record holds our waker for the reaper: a cycle, once started.
        if let Some(p) = job.core.proc() {
            let waker = lock(&p.starter).take();
            drop(waker);
        }
        // A runtime shutting down drops the task, and with it the job's pipes.
        self.handle.spawn(drive_process(job));
    }
}

impl Wake for Starter {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        let job = {
            let mut slot = lock(&self.slot);
            match std::mem::replace(&mut *slot, Slot::Started) {
                Slot::Armed(job) => Some(job),
                Slot::Arming { .. } => {
                    *slot = Slot::Arming { woken: true };
                    None
                }
                Slot::Started => None,
            }
        };
        if let Some(job) = job {
            self.start(job);
        }
    }
}

/// Pumps every open pipe; a pipe at end of file (or failed) is dropped.
fn pump_all(pumps: &mut [Option<Pump>; 2], cx: &mut Context<'_>) {
    for slot in pumps.iter_mut() {
        if slot
            .as_mut()
            .is_some_and(|pump| pump.poll_pump(cx).is_ready())
        {
            *slot = None;
        }
    }
}

/// A process job's one task: pumps its capture pipes into its streams until
/// its members have been reaped, finishes the job, then pumps what is still
/// open (pipes a leftover process holds) until end of file and closes the
/// streams.
pub(super) async fn drive_process(job: DriveJob) {
    let DriveJob {
        kernel,
        core,
        mut pumps,
    } = job;
    let Some(p) = core.proc() else { return };
    let mut members_done = pin!(p.members_done.notified());
    poll_fn(|cx| {
        pump_all(&mut pumps, cx);
        members_done.as_mut().poll(cx)
    })
    .await;
    // The members' output is in the pipes already, EOF usually too (maybe
    // not yet reported by the reactor): read it before the job counts
    // finished, so a waiter finds its output complete.
    for slot in &mut pumps {
        if slot.as_mut().is_some_and(Pump::drain_now) {
            *slot = None;
        }
    }
    let last = p.lock().members.last().copied();
    let state = match last {
        Some(Member::Done(s)) => s,
        _ => JobState::Exited(0),
    };
    let open = pumps.iter().any(Option::is_some);
    finish(&kernel, &core, state, !open);
    if open {
        drop(kernel);
        // Each stream closes at its own pipe's end: a leftover may hold
        // one and not the other.
        let streams = [core.stdout(), core.stderr()];
        let mut closed = [false; 2];
        poll_fn(|cx| {
            pump_all(&mut pumps, cx);
            for (i, slot) in pumps.iter().enumerate() {
                if slot.is_none() && !closed[i] {
                    streams[i].close();
                    closed[i] = true;
                }
            }
            if closed.iter().all(|&c| c) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        // The leftovers that held the pipes are usually gone by now.
        p.prune_exited();
    }
}
