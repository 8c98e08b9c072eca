//! Future jobs: an embedder's future run as a job, with signals mapped onto it.
//!
//! INT, TERM, HUP (and any other signal whose default action ends a process)
//! cancel the job's token; the job then ends as killed by that signal
//! (status 128+N) when the future returns. KILL cancels the token too (so
//! work the future handed it to stops as well) and drops the future at once.
//! STOP, TSTP, TTIN and TTOU pause it: it is not polled again until CONT.
//! CHLD, URG, WINCH and CONT by itself are ignored, as a process would.
//!
//! Every signal also goes to the live process jobs the future started
//! with [`FutureContext::spawn_process`] (see [`crate::supervise`]).
//!
//! A future job spawned with [`JobOptions::anchor`](crate::JobOptions::anchor)
//! also has a pid: an anchor process that stands for it (see [`anchor`]).

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll, Waker};

use tokio::sync::Notify;

use crate::cancel::CancelToken;
use crate::error::{Error, Result};
use crate::job::{JobId, JobState, Pid};
use crate::kernel::{Inner, Kernel};
use crate::record::{Job, JobCore};
use crate::signal::Signal;
use crate::spec::ProcessSpec;
use crate::stream::OutputStream;

mod anchor;
pub(crate) use anchor::{relay, Anchor};

/// What a future job is given: its output streams, its cancellation token,
/// and the means to start process jobs of its own.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FutureContext {
    /// The job's stdout stream; writes never block.
    pub stdout: OutputStream,
    /// The job's stderr stream.
    pub stderr: OutputStream,
    /// Cancelled when the job is asked to stop (see [`CancelToken`]).
    pub cancel: CancelToken,
    pub(crate) id: JobId,
    /// The anchor's pid (0: none).
    pub(crate) pid: i32,
    /// Weak: a running future must not keep its kernel alive (dropping the
    /// kernel is what ends it).
    pub(crate) kernel: Weak<Inner>,
    pub(crate) ctl: Arc<FutureControl>,
}

impl FutureContext {
    /// The future job's id.
    pub fn job_id(&self) -> JobId {
        self.id
    }

    /// The job's pid: its anchor process's, when it was spawned with
    /// [`JobOptions::anchor`](crate::JobOptions::anchor) (a shell's
    /// `$BASHPID` in the job).
    pub fn pid(&self) -> Option<Pid> {
        Pid::from_raw(self.pid)
    }

    /// Starts a process job as a child of this future job: hidden (no
    /// number) unless the spec's options called
    /// [`hidden`](crate::JobOptions::hidden), with
    /// [`JobInfo::parent`](crate::JobInfo::parent) naming this job. Signals
    /// sent to this job reach the child's process group while it lives; a
    /// child started while this job is stopped is stopped at once.
    ///
    /// # Errors
    /// As [`Kernel::spawn_process`]; [`Error::ShuttingDown`] once the kernel
    /// is gone; [`Error::JobFinished`] if this job has finished (a context
    /// kept past its future).
    pub fn spawn_process(&self, mut spec: ProcessSpec) -> Result<Job> {
        let inner = self.kernel.upgrade().ok_or(Error::ShuttingDown)?;
        if !spec.options.hidden_given {
            spec.options.hidden = true;
        }
        spec.options.parent = Some(self.id);
        Kernel::from_inner(inner).spawn_process(spec)
    }

    /// Starts a future job as a child of this one (a subshell inside a
    /// subshell): hidden unless `options` called
    /// [`hidden`](crate::JobOptions::hidden), its parent this job. Signals
    /// sent to this job reach it (and, through it, its own children).
    ///
    /// # Errors
    /// As [`Kernel::spawn_future`]; [`Error::ShuttingDown`] once the kernel
    /// is gone; [`Error::JobFinished`] if this job has finished.
    pub fn spawn_future<M, F>(
        &self,
        command: impl Into<String>,
        mut options: crate::JobOptions,
        make: M,
    ) -> Result<Job>
    where
        M: FnOnce(FutureContext) -> F,
        F: Future<Output = i32> + Send + 'static,
    {
        let inner = self.kernel.upgrade().ok_or(Error::ShuttingDown)?;
        if !options.hidden_given {
            options.hidden = true;
        }
        options.parent = Some(self.id);
        Kernel::from_inner(inner).spawn_future(command, options, make)
    }

    /// The kernel, while it lives.
    pub(crate) fn kernel(&self) -> Option<Kernel> {
        self.kernel.upgrade().map(Kernel::from_inner)
    }

    /// Resolves at once while the job runs; while it is stopped, waits
    /// until it is continued (or killed). For work the future does outside
    /// its own polls (a task it started): the kernel stops polling a
    /// stopped future by itself.
    ///
    /// # Cancel safety
    /// Cancel safe: it only listens.
    pub fn checkpoint(&self) -> impl Future<Output = ()> + Send + 'static {
        let ctl = Arc::clone(&self.ctl);
        async move { ctl.running().await }
    }
}

/// The controls a signal reaches in a running future job.
#[derive(Default)]
pub(crate) struct FutureControl {
    paused: AtomicBool,
    /// The waker of a paused task, and the children; one lock for both
    /// keeps the controls (allocated for every future job) small.
    held: Mutex<Held>,
    pub(crate) cancel: CancelToken,
    /// KILL: set, then `kill` wakes the task, which drops the future.
    /// (A flag and a Notify cost no allocation, unlike a second token.)
    /// `kill` is also woken on resume, for [`FutureContext::checkpoint`]
    /// (its listeners re-check their condition).
    killed: AtomicBool,
    kill: Notify,
    /// The signal that cancelled the job (0: none).
    cancelled_by: AtomicI32,
}

/// What [`FutureControl`] keeps under its lock.
#[derive(Default)]
struct Held {
    /// The task's waker while it is paused.
    waker: Option<Waker>,
    /// The process jobs the future started, while they may be live, and
    /// its anchor (boxed: most future jobs have neither).
    children: Option<Box<Children>>,
}

/// See [`Held::children`].
#[derive(Default)]
struct Children {
    jobs: Vec<Arc<JobCore>>,
    anchor: Option<Arc<Anchor>>,
}

impl std::fmt::Debug for FutureControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FutureControl")
            .field("paused", &self.is_paused())
            .field("killed", &self.killed.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// What delivering a signal did to a future job.
pub(crate) enum Effect {
    None,
    Paused(Signal),
    Resumed,
}

impl FutureControl {
    pub(crate) fn deliver(&self, sig: Signal) -> Effect {
        if sig == Signal::KILL {
            self.cancelled_by
                .compare_exchange(0, sig.number(), Ordering::AcqRel, Ordering::Acquire)
                .ok();
            self.kill();
            return Effect::None;
        }
        if sig.is_stop() {
            self.paused.store(true, Ordering::Release);
            return Effect::Paused(sig);
        }
        if sig == Signal::CONT {
            return if self.resume() {
                Effect::Resumed
            } else {
                Effect::None
            };
        }
        let ignored = [libc::SIGCHLD, libc::SIGURG, libc::SIGWINCH];
        if !ignored.contains(&sig.number()) {
            self.cancelled_by
                .compare_exchange(0, sig.number(), Ordering::AcqRel, Ordering::Acquire)
                .ok();
            self.cancel.cancel();
        }
        Effect::None
    }

    /// Makes the task drop the future at once (its next wake-up), and
    /// cancels the token for whatever the future handed it to.
    pub(crate) fn kill(&self) {
        self.cancel.cancel();
        self.killed.store(true, Ordering::Release);
        self.kill.notify_waiters();
    }

    /// Resolves while the job is not paused (or once it is killed). Cancel safe.
    pub(crate) async fn running(&self) {
        loop {
            let mut woken = pin!(self.kill.notified());
            woken.as_mut().enable();
            if !self.is_paused() || self.killed.load(Ordering::Acquire) {
                return;
            }
            woken.await;
        }
    }

    fn held(&self) -> std::sync::MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a child in: its signals now reach it. Forgets finished ones.
    /// Returns whether the job is paused (the caller stops the child then).
    pub(crate) fn adopt(&self, child: Arc<JobCore>) -> bool {
        let mut held = self.held();
        let kids = &mut held.children.get_or_insert_with(Box::default).jobs;
        kids.retain(|c| !c.state().is_finished());
        kids.push(child);
        drop(held);
        self.is_paused()
    }

    /// The children not yet finished.
    pub(crate) fn live_children(&self) -> Vec<Arc<JobCore>> {
        self.held()
            .children
            .iter()
            .flat_map(|c| &c.jobs)
            .filter(|c| !c.state().is_finished())
            .cloned()
            .collect()
    }

    /// Gives the job its anchor (at spawn).
    pub(crate) fn set_anchor(&self, anchor: Arc<Anchor>) {
        self.held().children.get_or_insert_with(Box::default).anchor = Some(anchor);
    }

    /// The job's anchor, if it has one.
    pub(crate) fn anchor(&self) -> Option<Arc<Anchor>> {
        self.held().children.as_ref()?.anchor.clone()
    }

    /// Resolves once [`kill`](Self::kill) was called. Cancel safe.
    pub(crate) async fn killed(&self) {
        loop {
            // Listen before looking, so a kill in between still wakes us.
            let mut woken = pin!(self.kill.notified());
            woken.as_mut().enable();
            if self.killed.load(Ordering::Acquire) {
                return;
            }
            woken.await;
        }
    }

    /// Unpauses; returns whether it was paused.
    pub(crate) fn resume(&self) -> bool {
        let was = self.paused.swap(false, Ordering::AcqRel);
        if was {
            let waker = self.held().waker.take();
            if let Some(w) = waker {
                w.wake();
            }
            // Checkpoints listen on `kill` too (one Notify per job is enough).
            self.kill.notify_waiters();
        }
        was
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// The final state for a future that returned `code`.
    pub(crate) fn final_state(&self, code: i32) -> JobState {
        let by = self.cancelled_by.load(Ordering::Acquire);
        // Not cancelled, the usual end: no error value to build and drop.
        if by == 0 {
            return JobState::Exited(code);
        }
        match Signal::from_number(by) {
            Ok(signal) => JobState::Signaled {
                signal,
                core_dumped: false,
            },
            Err(_) => JobState::Exited(code),
        }
    }
}

/// Runs the job's future unless paused; turns a panic into exit status 101
/// (what a Rust program that panics exits with) and a message on stderr.
pub(crate) struct Controlled<F> {
    pub(crate) inner: Pin<Box<F>>,
    pub(crate) ctl: Arc<FutureControl>,
    pub(crate) stderr: OutputStream,
}

impl<F: Future<Output = i32>> Future for Controlled<F> {
    type Output = i32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<i32> {
        if self.ctl.is_paused() {
            self.ctl.held().waker = Some(cx.waker().clone());
            // Re-check: a CONT between the first check and storing the waker would be lost.
            if self.ctl.is_paused() {
                return Poll::Pending;
            }
        }
        let this = &mut *self;
        match catch_unwind(AssertUnwindSafe(|| this.inner.as_mut().poll(cx))) {
            Ok(p) => p,
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_string());
                this.stderr
                    .write(format!("future job panicked: {msg}\n").as_bytes());
                Poll::Ready(101)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    /// Every future job allocates its controls: an `Arc` of them stays in
    /// a 112-byte malloc chunk (the children list is boxed, when any).
    #[test]
    fn the_controls_stay_small() {
        assert!(std::mem::size_of::<super::FutureControl>() <= 80);
    }
}
