//! Foreground processes of a future job (`( … ) &`, a loop run with `&`, a
//! compound command stopped with Ctrl-Z): they are the job's process
//! children (the kernel's `FutureContext::spawn_process`), so STOP, CONT
//! and kill sent to the job reach them. When such a process stops by itself
//! (Ctrl-Z at the terminal, a background read of the tty), the whole job
//! stops with it: the interpreter pauses instead of going on to the next
//! command, and goes on waiting for the process once continued.

use corral_kernel::{JobOptions, JobState, ProcessSpec, Signal};

use crate::io::Output;
use crate::shell::Shell;

impl Shell {
    /// Runs `spec` in the foreground: as a child of the future job this
    /// shell runs in, or as the shell's own foreground job. Returns the
    /// status and whether it is left stopped.
    pub(crate) async fn run_process(&mut self, spec: ProcessSpec, err: &mut Output) -> (i32, bool) {
        let top = self.env.lang.subshell == 0;
        // With an EXIT trap, a fatal signal ends the wait (and the shell) at once.
        let done = if top && super::traps::fatal_possible() {
            let status = self.env.last_status;
            let sig = tokio::select! {
                r = self.run_process_now(spec, err) => Err(r),
                sig = super::traps::fatal_arrived() => Ok(sig),
            };
            match sig {
                Ok(sig) => self.die_of_signal(sig, status).await,
                Err(r) => r,
            }
        } else {
            self.run_process_now(spec, err).await
        };
        if top && !done.1 {
            super::traps::note_child_exit();
        }
        if top && super::traps::any_trapped() {
            // A signal that came while the program ran has reached its
            // handler; one yield lets the runtime hand it to its listener
            // (after the I/O driver is polled) before the trap check.
            tokio::task::yield_now().await;
        }
        done
    }

    async fn run_process_now(&mut self, spec: ProcessSpec, err: &mut Output) -> (i32, bool) {
        let Some(ctx) = self.future.clone() else {
            return self.run_foreground(spec, err).await;
        };
        let mut spec = spec
            .inherit_stdio(true)
            .options(JobOptions::new().hidden(true));
        if let Some(t) = &self.terminal {
            let hook = crate::sys::child_take_terminal(t.raw_fd());
            // SAFETY: the hook only calls sigprocmask, getpgrp and tcsetpgrp,
            // all async-signal-safe (see sys::child_take_terminal).
            spec = unsafe { spec.pre_exec(hook) };
        }
        let spawned = ctx.spawn_process(spec);
        let job = match spawned {
            Ok(j) => j,
            Err(e) => return (self.report_spawn_error(&e, err).await, false),
        };
        // Watches the process even while this future is paused: a stop the
        // job did not cause (Ctrl-Z, a tty read) stops the whole job.
        let watcher = tokio::spawn({
            let (job, kernel, id) = (job.clone(), self.env.kernel.clone(), ctx.job_id());
            async move {
                let mut seen = JobState::Running;
                loop {
                    match job.wait_change(seen).await {
                        s @ JobState::Stopped(_) => {
                            let paused = kernel.job(id).is_ok_and(|j| j.state().is_stopped());
                            if !paused {
                                let _ = kernel.signal(id, Signal::TSTP);
                            }
                            seen = s;
                        }
                        JobState::Running => seen = JobState::Running,
                        _ => break,
                    }
                }
            }
        });
        let mut seen = JobState::Running;
        let state = loop {
            let state = job.wait_change(seen).await;
            match state {
                JobState::Stopped(_) => seen = state,
                JobState::Running => {
                    // Continued: the terminal goes back to the process.
                    if let (Some(t), Some(pgid)) = (&self.terminal, job.pgid()) {
                        let _ = t.give_to(pgid.as_raw());
                    }
                    seen = JobState::Running;
                }
                other => break other,
            }
        };
        watcher.abort();
        if matches!(state, JobState::Signaled { signal, .. } if signal == Signal::INT)
            && self.terminal.is_some()
        {
            // Ctrl-C ends the rest of the job too, as in bash.
            self.interrupted = true;
        }
        if let Some(t) = &self.terminal {
            t.take_back();
        }
        self.member_statuses = member_statuses(&job);
        let _ = self.env.kernel.remove(job.id());
        (state.exit_status().unwrap_or(0), false)
    }
}

impl Shell {
    /// Whether a foreground compound command or function call runs as one
    /// (hidden) future job, so that Ctrl-Z stops all of it: in the
    /// interactive shell itself, with a terminal.
    pub(crate) fn wants_foreground_job(&self) -> bool {
        self.interactive && self.terminal.is_some() && self.future.is_none()
    }

    /// Runs `run` on a copy of this shell as a hidden future job in the
    /// foreground (Ctrl-C and Ctrl-Z reach it). When it finishes, the copy's
    /// state (variables, cwd, functions, jobs, descriptors) becomes the
    /// shell's, as if it had run here; when it stops, it is a job (`fg`
    /// resumes it) and its later changes stay in it.
    pub(crate) async fn foreground_job<F>(&mut self, text: String, run: F) -> i32
    where
        F: FnOnce(Box<Shell>) -> crate::exec::BoxFut<'static, (Box<Shell>, i32)> + Send + 'static,
    {
        let mut sub = Box::new(self.subshell());
        sub.terminal = self.terminal.clone();
        sub.env.lang.subshell = self.env.lang.subshell;
        sub.env.lang.traps = self.env.lang.traps.clone();
        sub.env.lang.hooks = self.env.lang.hooks;
        let (tx, rx) = tokio::sync::oneshot::channel();
        let spawned = self.env.kernel.spawn_future(
            text,
            JobOptions::new().hidden(true),
            move |ctx| async move {
                sub.future = Some(ctx.clone());
                tokio::select! {
                    (mut sub, status) = run(sub) => {
                        sub.future = None;
                        let _ = tx.send(sub);
                        status
                    }
                    () = ctx.cancel.cancelled() => 130,
                }
            },
        );
        let job = match spawned {
            Ok(j) => j,
            Err(e) => return self.fail(&format!("corral: {e}")),
        };
        let status = self.wait_foreground(job.clone(), None).await;
        if job.state().is_stopped() {
            return status;
        }
        match rx.await {
            Ok(sub) => {
                let sub = *sub;
                self.env = sub.env;
                self.jobs = sub.jobs;
                self.fds = sub.fds;
                self.exit_status = sub.exit_status;
                self.flow = sub.flow;
                self.interrupted |= sub.interrupted;
                self.passthrough.extend(sub.passthrough);
            }
            Err(_) => self.interrupted = true,
        }
        status
    }
}

/// A finished process job's member statuses, in pipeline order.
pub(crate) fn member_statuses(job: &corral_kernel::Job) -> Vec<i32> {
    job.member_states()
        .into_iter()
        .map(|s| s.and_then(JobState::exit_status).unwrap_or(0))
        .collect()
}
