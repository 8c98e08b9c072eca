//! Spawning future jobs (see [`crate::future_job`]), with their anchors.

use std::future::Future;
use std::sync::{Arc, Mutex};

use super::{finish, runtime, Kernel};
use crate::error::{Error, Result};
use crate::future_job::{relay, Anchor, Controlled, FutureContext, FutureControl};
use crate::job::JobState;
use crate::process::make_stream;
use crate::record::{Body, Job, JobCore};
use crate::signal::Signal;
use crate::spec::JobOptions;

impl Kernel {
    /// Starts a future job: `make` is given the job's [`FutureContext`] and returns
    /// the future to run; its output is the job's exit code.
    ///
    /// With [`JobOptions::anchor`], the job gets a pid: its anchor process
    /// is started first (see [`FutureContext::pid`]).
    ///
    /// # Errors
    /// [`Error::NoRuntime`], [`Error::LimitReached`], [`Error::ShuttingDown`],
    /// [`Error::Io`] (spill file), [`Error::Spawn`] (the anchor). On error
    /// `make` is not called.
    pub fn spawn_future<M, F>(
        &self,
        command: impl Into<String>,
        options: JobOptions,
        make: M,
    ) -> Result<Job>
    where
        M: FnOnce(FutureContext) -> F,
        F: Future<Output = i32> + Send + 'static,
    {
        let rt = runtime()?;
        let command = command.into();
        let mut reservation = self.inner.reserve()?;
        let meta = self.inner.meta_for(&options, reservation.id, None)?;
        let cap = options.output_cap.unwrap_or(self.inner.config.output_cap);
        let lossless = options.lossless.unwrap_or(self.inner.config.lossless);
        let budget = &self.inner.config.ring_budget;
        let streams = make_stream(cap, lossless, budget)
            .and_then(|out| Ok((out, make_stream(cap, lossless, budget)?)));
        let (stdout, stderr) = match streams {
            Ok(s) => s,
            Err(e) => {
                self.inner.unlink(reservation.id, meta.as_ref());
                return Err(e);
            }
        };
        let anchor = match options.anchor.then(Anchor::start).transpose() {
            Ok(a) => a,
            Err(source) => {
                self.inner.unlink(reservation.id, meta.as_ref());
                return Err(Error::Spawn { command, source });
            }
        };
        let pid = anchor.as_ref().map_or(0, |(a, _)| a.pid());
        let ctl = Arc::new(FutureControl::default());
        if let Some((a, _)) = &anchor {
            ctl.set_anchor(Arc::clone(a));
        }
        let fut = make(FutureContext {
            stdout: stdout.clone(),
            stderr: stderr.clone(),
            cancel: ctl.cancel.clone(),
            id: reservation.id,
            pid,
            kernel: Arc::downgrade(&self.inner),
            ctl: Arc::clone(&ctl),
        });
        let mut core = JobCore::new(
            reservation.id,
            command,
            stdout,
            stderr,
            Body::Future(Mutex::new(Some(Arc::clone(&ctl)))),
        );
        core.set_anchor_pid(pid);
        // A job that uses no supervision skips its steps (and a move of the
        // record to set its data).
        let core = match meta {
            None => {
                let core = Arc::new(core);
                self.inner.insert(&core, &mut reservation, options.hidden);
                core
            }
            Some(meta) => {
                let mut core = core;
                core.set_meta(Some(meta));
                let core = Arc::new(core);
                self.inner.register(&core);
                self.inner.insert(&core, &mut reservation, options.hidden);
                self.supervise_started(&core);
                core
            }
        };
        let anchor = anchor.map(|(a, link)| {
            a.bind(&core);
            self.inner.adopt_anchor(&a);
            rt.spawn(relay(Arc::clone(&a), link, Arc::clone(&self.inner.events)));
            a
        });
        let weak = Arc::downgrade(&self.inner);
        let task_core = Arc::clone(&core);
        rt.spawn(async move {
            let controlled = Controlled {
                inner: Box::pin(fut),
                ctl: Arc::clone(&ctl),
                stderr: task_core.stderr().clone(),
            };
            let state = tokio::select! {
                biased;
                _ = ctl.killed() => JobState::Signaled { signal: Signal::KILL, core_dumped: false },
                code = controlled => ctl.final_state(code),
            };
            // Gone before the end is announced: a waiter finds the pid free.
            if let Some(a) = anchor {
                a.end().await;
                if let Some(inner) = weak.upgrade() {
                    inner.forget_anchor(&a);
                }
            }
            finish(&weak, &task_core, state, true);
            task_core.release_control();
        });
        Ok(self.handle(core))
    }
}
