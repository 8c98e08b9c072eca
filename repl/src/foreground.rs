//! Foreground jobs: hand the terminal over, wait until the job exits or
//! stops, take the terminal back, and restore the right terminal modes.

use std::sync::Arc;

use tokio::io::AsyncWriteExt;

use corral_kernel::{Job, JobOptions, JobState, OutputStream, ProcessSpec, Signal};

use crate::jobs::{JobNum, JobView};

use crate::shell::Shell;

/// Kills a foreground job's process group if its waiter is dropped (a
/// cancelled future job, a dropped subshell): nothing outlives its shell.
struct KillOnDrop(Option<Job>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(job) = self.0.take() {
            if !job.state().is_finished() {
                let _ = job.signal(Signal::KILL);
            }
        }
    }
}

impl Shell {
    /// Spawns `spec` as a foreground job and waits for it; returns its status
    /// and whether it stopped (rather than finished).
    pub(crate) async fn run_foreground(
        &mut self,
        spec: ProcessSpec,
        err: &mut crate::io::Output,
    ) -> (i32, bool) {
        // The shell's foreground command: not a numbered job unless it stops.
        let mut spec = spec
            .inherit_stdio(true)
            .options(JobOptions::new().hidden(true));
        if let Some(t) = &self.terminal {
            let hook = crate::sys::child_take_terminal(t.raw_fd());
            // SAFETY: the hook only calls sigprocmask, getpgrp and tcsetpgrp,
            // all async-signal-safe (see sys::child_take_terminal).
            spec = unsafe { spec.pre_exec(hook) };
        }
        let spawned = self.env.kernel.spawn_process(spec);
        let job = match spawned {
            Ok(j) => j,
            Err(e) => return (self.report_spawn_error(&e, err).await, false),
        };
        let status = self.wait_foreground(job.clone(), None).await;
        (status, job.state().is_stopped())
    }

    /// Waits for a job that has the terminal (or would have, interactively).
    /// `resumed_from` is the stopped state a `fg` just continued it from.
    pub(crate) async fn wait_foreground(
        &mut self,
        job: Job,
        resumed_from: Option<JobState>,
    ) -> i32 {
        let guard = KillOnDrop(Some(job.clone()));
        let pgid = job.pgid().map_or(0, |p| p.as_raw());
        let outer = self.fg_pgid.swap(pgid, std::sync::atomic::Ordering::AcqRel);
        if let (Some(t), Some(pgid)) = (&self.terminal, job.pgid()) {
            // Also done in the child: whichever runs first wins the race.
            let _ = t.give_to(pgid.as_raw());
        }
        // Show a captured job's output while it is in the foreground.
        let (followers, caught_up) = self.follow_output(&job);
        let mut seen = resumed_from.unwrap_or(JobState::Running);
        // A future job has no process group to hand the terminal to: the shell
        // gets Ctrl-C and Ctrl-Z itself and passes them on.
        let relay = job.pgid().is_none();
        let (interrupt, suspend) = (Arc::clone(&self.interrupt), Arc::clone(&self.suspend));
        let state = loop {
            let state = tokio::select! {
                s = job.wait_change(seen) => s,
                _ = interrupt.notified(), if relay => {
                    let _ = job.signal(Signal::INT);
                    continue;
                }
                _ = suspend.notified(), if relay => {
                    let _ = job.signal(Signal::TSTP);
                    continue;
                }
            };
            match state {
                JobState::Running => seen = JobState::Running,
                other => break other,
            }
        };
        // A finished job's leftover may hold its pipes open: show what was
        // written up to now, not wait for their end.
        let _ = caught_up.send(true);
        for f in followers {
            if state.is_finished() {
                let _ = f.await;
            } else {
                f.abort();
            }
        }
        self.fg_pgid
            .store(outer, std::sync::atomic::Ordering::Release);
        let mut guard = guard;
        guard.0 = None;
        if job.number().is_some() {
            let shown = (job.stdout().stats().written, job.stderr().stats().written);
            self.shown.insert(job.id(), shown);
        }
        match state {
            JobState::Stopped(sig) => self.foreground_stopped(&job, sig),
            _ => {
                self.member_statuses = crate::interp::child::member_statuses(&job);
                // A command that never became a job leaves no record
                // (unless processes it left still live in its group).
                let script_line = if self.interactive {
                    None
                } else {
                    self.script_death_line(&job, state)
                };
                if job.number().is_none() {
                    let _ = self.env.kernel.remove(job.id());
                }
                let status = match script_line {
                    Some(line) => {
                        eprintln!("{line}");
                        state.exit_status().unwrap_or(0)
                    }
                    None => self.foreground_finished(state),
                };
                if !self.interactive {
                    self.report_script_jobs();
                }
                status
            }
        }
    }

    fn foreground_stopped(&mut self, job: &Job, sig: Signal) -> i32 {
        let Ok(number) = self.env.kernel.show(job.id()) else {
            return 128 + sig.number();
        };
        let id = JobNum(number);
        let mut snapshot = self.job_snapshot();
        snapshot.insert(JobView::from_info(id, &job.info()));
        self.jobs.add_stopped(id, &snapshot);
        if let Some(t) = &self.terminal {
            if let Some(modes) = t.modes() {
                self.job_modes.insert(id, modes);
            }
            t.take_back();
            t.restore_shell_modes();
        }
        // The stop notice now, before the prompt, as bash prints it.
        for notice in self.jobs.take_notices(&snapshot) {
            eprint!("{}", notice.text());
        }
        128 + sig.number()
    }

    /// A script's report of a foreground program killed by a signal the
    /// shell does not trap: `NAME: line N: PID Quit  command` (bash).
    fn script_death_line(&self, job: &Job, state: JobState) -> Option<String> {
        let JobState::Signaled { signal, .. } = state else {
            return None;
        };
        if crate::interp::traps::disposition(signal.number())
            == crate::interp::traps::Disposition::Trap
        {
            return None;
        }
        let pid = job.pids().last().copied().map_or(0, u32::from);
        crate::jobs::format::script_death_line(state, pid, job.command())
            .map(|l| format!("{}{l}", self.err_prefix()))
    }

    fn foreground_finished(&mut self, state: JobState) -> i32 {
        if let Some(t) = &self.terminal {
            t.take_back();
            match state {
                JobState::Signaled { .. } => t.restore_shell_modes(),
                _ => t.keep_current_modes(),
            }
        }
        if let Some(line) = crate::jobs::format::foreground_death_line(state) {
            eprintln!("{line}");
        } else if matches!(state, JobState::Signaled { signal, .. } if signal == Signal::INT) {
            // Ctrl-C stops the rest of the line too, as in bash.
            if self.terminal.is_some() {
                self.interrupted = true;
            }
            if self.interactive {
                // End the line the terminal echoed ^C on.
                eprintln!();
            }
        }
        state.exit_status().unwrap_or(0)
    }

    /// Copies a background job's captured output to the terminal while it is
    /// in the foreground, from where the last `fg` left off.
    /// Sending on the returned channel tells the copies to stop once they
    /// have copied what was written by then.
    fn follow_output(
        &mut self,
        job: &Job,
    ) -> (
        Vec<tokio::task::JoinHandle<()>>,
        tokio::sync::watch::Sender<bool>,
    ) {
        let (stop, stop_rx) = tokio::sync::watch::channel(false);
        if job.number().is_none() {
            return (Vec::new(), stop);
        }
        let (out_from, err_from) = self.shown.get(&job.id()).copied().unwrap_or((0, 0));
        let mut handles = Vec::new();
        for (stream, from, is_err) in [
            (job.stdout().clone(), out_from, false),
            (job.stderr().clone(), err_from, true),
        ] {
            if stream.is_closed() && stream.stats().written == 0 {
                continue;
            }
            let resize = match (&self.terminal, is_err) {
                (Some(t), false) => Some(SizeSync {
                    terminal: Arc::clone(t),
                    job: job.clone(),
                }),
                _ => None,
            };
            handles.push(tokio::spawn(copy_out(
                stream,
                from,
                is_err,
                stop_rx.clone(),
                resize,
            )));
        }
        (handles, stop)
    }
}

/// Keeps a foreground job's stdout pty at the terminal's size. The shell
/// is not told of a resize while the job has the terminal (only the job
/// gets SIGWINCH), so it compares sizes whenever the job writes: a job
/// that redraws after a resize, or echoes the next key, then gets the
/// new size and a SIGWINCH of its own.
struct SizeSync {
    terminal: Arc<crate::terminal::Terminal>,
    job: Job,
}

impl SizeSync {
    fn sync(&self) {
        if let Some((rows, cols)) = self.terminal.size() {
            let _ = self.job.set_window_size(rows, cols);
        }
    }
}

async fn copy_out(
    stream: OutputStream,
    from: u64,
    is_err: bool,
    mut stop: tokio::sync::watch::Receiver<bool>,
    resize: Option<SizeSync>,
) {
    let mut follow = stream.follow(from);
    let mut until = None;
    let mut out: Box<dyn tokio::io::AsyncWrite + Send + Unpin> = if is_err {
        Box::new(tokio::io::stderr())
    } else {
        Box::new(tokio::io::stdout())
    };
    loop {
        if until.is_some_and(|u| follow.offset() >= u) {
            break;
        }
        let chunk = tokio::select! {
            c = follow.next_chunk() => c,
            _ = stop.changed(), if until.is_none() => {
                until = Some(stream.stats().written);
                continue;
            }
        };
        let Some(chunk) = chunk else { break };
        if let Some(r) = &resize {
            r.sync();
        }
        if out.write_all(&chunk.data).await.is_err() || out.flush().await.is_err() {
            break;
        }
    }
}
