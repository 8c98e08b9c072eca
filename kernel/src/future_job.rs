//! Future jobs: an embedder's future run as a job, with signals mapped onto it.
//!
//! INT, TERM, HUP (and any other signal whose default action ends a process)
//! cancel the job's token; the job then ends as killed by that signal
//! (status 128+N) when the future returns. KILL cancels the token too (so
//! work the future handed it to stops as well) and drops the future at once.
//! STOP, TSTP, TTIN and TTOU pause it: it is not polled again until CONT.
//! CHLD, URG, WINCH and CONT by itself are ignored, as a process would.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::{pin, Pin};
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use tokio::sync::Notify;

use crate::cancel::CancelToken;
use crate::job::JobState;
use crate::signal::Signal;
use crate::stream::OutputStream;

/// What a future job is given: its output streams and its cancellation token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct FutureContext {
    /// The job's stdout stream; writes never block.
    pub stdout: OutputStream,
    /// The job's stderr stream.
    pub stderr: OutputStream,
    /// Cancelled when the job is asked to stop (see [`CancelToken`]).
    pub cancel: CancelToken,
}

/// The controls a signal reaches in a running future job.
#[derive(Debug, Default)]
pub(crate) struct FutureControl {
    paused: AtomicBool,
    waker: Mutex<Option<Waker>>,
    pub(crate) cancel: CancelToken,
    /// KILL: set, then `kill` wakes the task, which drops the future.
    /// (A flag and a Notify cost no allocation, unlike a second token.)
    killed: AtomicBool,
    kill: Notify,
    /// The signal that cancelled the job (0: none).
    cancelled_by: AtomicI32,
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
            let waker = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take();
            if let Some(w) = waker {
                w.wake();
            }
        }
        was
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Ordering::Acquire)
    }

    /// The final state for a future that returned `code`.
    pub(crate) fn final_state(&self, code: i32) -> JobState {
        match Signal::from_number(self.cancelled_by.load(Ordering::Acquire)) {
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
    pub(crate) ctl: std::sync::Arc<FutureControl>,
    pub(crate) stderr: OutputStream,
}

impl<F: Future<Output = i32>> Future for Controlled<F> {
    type Output = i32;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<i32> {
        if self.ctl.is_paused() {
            *self.ctl.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
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
