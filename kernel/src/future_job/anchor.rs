//! A future job's anchor: a real process that gives the job a pid
//! ([`JobOptions::anchor`](crate::JobOptions::anchor)), so that `$!`,
//! `kill PID` and `wait PID` work for a job that runs inside the embedder.
//!
//! The process ([`crate::sys::anchor`]) stands for the job; it leads a
//! group of its own (the job's children keep theirs), which
//! [`JobInfo::pids`](crate::JobInfo::pids) names while `pgid` stays `None`.
//! Whatever is sent to it from outside is passed to the job on the kernel's
//! signal path, which also reaches the job's children:
//! - a signal it can block arrives on its socket ([`relay`]);
//! - SIGSTOP stops it: the reaper takes the report ([`Anchor::take_reports`])
//!   and stops the job;
//! - SIGKILL kills it: the reaper takes the exit and kills the job.
//!
//! Nothing the kernel sends the job goes to the anchor, except a CONT: it
//! continues an anchor an outside STOP left stopped ([`Anchor::resume`]),
//! marked so the anchor does not report it back.
//!
//! The anchor ends with its job: before the job's final state is announced
//! it is killed and reaped ([`Anchor::end`]), so a waiter that returns
//! finds the pid gone, as after a child's exit. Dropping the kernel kills
//! and reaps the anchors of the jobs it ends; if the whole process goes,
//! the anchors see their socket close and exit.

use std::os::fd::{AsFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use crate::events::Publisher;
use crate::record::JobCore;
use crate::signal::Signal;
use crate::sys::{self, ChildChange, GroupWait};

/// One anchor process, shared by the job's controls, the kernel's table of
/// anchors (for the reaper) and its [`relay`] task.
#[derive(Debug)]
pub(crate) struct Anchor {
    pidfd: sys::pidfd::PidFd,
    /// Taken with the reports and the job signals they cause, so that a
    /// stop and a later continue reach the job in their order.
    state: Mutex<State>,
    job: OnceLock<Weak<JobCore>>,
    /// The stack it runs on, if it shares our memory (freed once it has exited).
    _stack: Option<sys::anchor::SharedStack>,
}

#[derive(Debug, Default)]
struct State {
    /// Its exit has been taken: the pid may name another process now.
    reaped: bool,
    /// The job is over: what happens to the anchor no longer reaches it.
    ending: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Anchor {
    /// Starts an anchor; returns it and the socket its [`relay`] reads.
    ///
    /// # Errors
    /// What the OS said (see [`sys::anchor::start`]).
    pub(crate) fn start() -> std::io::Result<(Arc<Anchor>, OwnedFd)> {
        let started = sys::anchor::start()?;
        let anchor = Anchor {
            pidfd: started.pidfd,
            state: Mutex::new(State::default()),
            job: OnceLock::new(),
            _stack: started.stack,
        };
        Ok((Arc::new(anchor), started.link))
    }

    pub(crate) fn pid(&self) -> i32 {
        self.pidfd.pid()
    }

    /// Ties the anchor to its job, once the job's record exists.
    pub(crate) fn bind(&self, job: &Arc<JobCore>) {
        let _ = self.job.set(Arc::downgrade(job));
    }

    /// Passes a signal the anchor got on to its job (state lock held).
    fn pass_on(&self, state: &State, events: &Publisher, signal: i32) {
        if state.ending {
            return;
        }
        let (Ok(sig), Some(core)) = (
            Signal::from_number(signal),
            self.job.get().and_then(Weak::upgrade),
        ) else {
            return;
        };
        // A job that finished meanwhile has nothing left to signal.
        let _ = crate::control::signal_from(events, &core, sig, false);
    }

    /// The job is being continued: continues the anchor too, in case an
    /// outside SIGSTOP stopped it (a CONT it does not report back).
    pub(crate) fn resume(&self) {
        let state = lock(&self.state);
        if !state.reaped {
            let _ = sys::anchor::continue_quietly(self.pid());
        }
    }

    /// Takes the anchor's pending reports (the reaper, on SIGCHLD): a stop
    /// stops the job, a death by signal gives the job that signal.
    /// Returns whether it took any.
    pub(crate) fn take_reports(&self, events: &Publisher) -> bool {
        let mut state = lock(&self.state);
        let mut took = false;
        while !state.reaped {
            match sys::wait_pidfd(self.pidfd.as_fd(), self.pid()) {
                Ok(GroupWait::Change(change)) => {
                    took = true;
                    match change {
                        ChildChange::Stopped { signal, .. } => {
                            self.pass_on(&state, events, signal);
                        }
                        // An outside CONT also arrives on the socket.
                        ChildChange::Continued { .. } => {}
                        ChildChange::Exited { .. } => state.reaped = true,
                        ChildChange::Signaled { signal, .. } => {
                            state.reaped = true;
                            self.pass_on(&state, events, signal);
                        }
                    }
                }
                Ok(GroupWait::Nothing) => break,
                Ok(GroupWait::NoChildren) | Err(_) => state.reaped = true,
            }
        }
        took
    }

    /// Whether its exit has been taken.
    pub(crate) fn is_reaped(&self) -> bool {
        lock(&self.state).reaped
    }

    /// Whether its job was disowned (the kernel's drop leaves it alone).
    pub(crate) fn is_disowned(&self) -> bool {
        self.job
            .get()
            .and_then(Weak::upgrade)
            .is_some_and(|core| core.is_disowned())
    }

    /// Kills the anchor, marked ending first (so its death does not reach
    /// the job); true if it still needs reaping.
    fn kill(&self) -> bool {
        let mut state = lock(&self.state);
        state.ending = true;
        if state.reaped {
            return false;
        }
        let _ = self.pidfd.signal(libc::SIGKILL);
        true
    }

    /// Ends the anchor with its job: kills it and reaps it, waiting for its
    /// exit on the reactor.
    ///
    /// # Cancel safety
    /// Dropped half-way, the anchor is killed but may be left for the
    /// reaper to take.
    pub(crate) async fn end(&self) {
        if !self.kill() {
            return;
        }
        // Err: no reactor registration; the reap below then blocks, for
        // the moment a killed process takes to exit.
        let _ = self.pidfd.wait_exit().await;
        self.reap_blocking();
    }

    /// As [`end`](Self::end), blocking the thread (the kernel's drop).
    pub(crate) fn end_blocking(&self) {
        if self.kill() {
            self.reap_blocking();
        }
    }

    fn reap_blocking(&self) {
        let mut state = lock(&self.state);
        if !state.reaped {
            self.pidfd.reap_if_child();
            state.reaped = true;
        }
    }
}

/// Reads the signals the anchor writes to its socket and passes each to
/// the job, until the anchor is gone (end of file).
pub(crate) async fn relay(anchor: Arc<Anchor>, link: OwnedFd, events: Arc<Publisher>) {
    // SAFETY: `link` is an open descriptor only the AsyncFd owns, so it
    // keeps its number until the AsyncFd drops it.
    let Ok(fd) = (unsafe { AsyncFd::register_with_interest(link, Interest::READABLE) }) else {
        return;
    };
    let mut buf = [0u8; 64];
    loop {
        let Ok(mut ready) = fd.readable().await else {
            return;
        };
        match ready.try_io(|fd| sys::read(fd.get_ref().as_fd(), &mut buf)) {
            Ok(Ok(0)) | Ok(Err(_)) => return,
            Ok(Ok(n)) => {
                let state = lock(&anchor.state);
                for &signal in &buf[..n] {
                    anchor.pass_on(&state, &events, i32::from(signal));
                }
            }
            // Not readable after all: wait again.
            Err(_would_block) => {}
        }
    }
}
