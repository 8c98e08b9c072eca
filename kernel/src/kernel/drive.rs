//! A process job's one task: pump its pipes into its streams, wait for its
//! members to be reaped, drain what is left with a deadline, then finish it.

use super::*;

/// What a process job's task needs.
pub(super) struct DriveJob {
    pub(super) kernel: Weak<Inner>,
    pub(super) core: Arc<JobCore>,
    pub(super) pumps: [Option<Pump>; 2],
    pub(super) drain: Duration,
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

/// A process job's one task: pumps its capture pipes into its streams until
/// its members have been reaped, then drains what is left (with a deadline,
/// for pipes a leftover process holds open), then finishes it.
pub(super) async fn drive_process(job: DriveJob) {
    let DriveJob {
        kernel,
        core,
        mut pumps,
        drain,
    } = job;
    let Some(p) = core.proc() else { return };
    let mut members_done = pin!(p.members_done.notified());
    let mut exited = false;
    // Armed only when a pipe is still open after the members are gone.
    let mut deadline: Option<Pin<Box<Sleep>>> = None;
    poll_fn(|cx| {
        for slot in &mut pumps {
            if slot
                .as_mut()
                .is_some_and(|pump| pump.poll_pump(cx).is_ready())
            {
                *slot = None;
            }
        }
        if !exited {
            if members_done.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            exited = true;
            // EOF is usually there already, maybe not yet reported by the
            // reactor: look before arming a timer.
            for slot in &mut pumps {
                if slot.as_mut().is_some_and(Pump::drain_now) {
                    *slot = None;
                }
            }
        }
        if pumps.iter().all(Option::is_none) {
            return Poll::Ready(());
        }
        deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(drain)))
            .as_mut()
            .poll(cx)
    })
    .await;
    // Closes the read ends: a leftover writer gets EPIPE.
    drop(pumps);
    let last = lock(&p.members).last().copied();
    let state = match last {
        Some(Member::Done(s)) => s,
        _ => JobState::Exited(0),
    };
    finish(&kernel, &core, state);
}
