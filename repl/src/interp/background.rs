//! `cmd &`: one job per and-or list. A pipeline of external programs is a
//! process job (one process group); anything else (a builtin, a compound
//! command, a function, an and-or list) is a future job running a subshell.
//!
//! `$!` is the last process's pid for a process job. A future job gets a
//! pid from an anchor process the kernel starts with it
//! ([`JobOptions::anchor`]): signals sent to that pid from anywhere reach
//! the job, and `wait $!` and `kill $!` resolve it to the job.
//!
//! In a script (`set +o bgquiet`, the default when not interactive) a
//! background job's output is also copied to the shell's own stdout and
//! stderr, as sh scripts expect; it stays in the job's rings either way.

use corral_kernel::{Job, JobOptions, OutputStream};
use tokio::io::AsyncWriteExt;
use tokio::sync::{mpsc, watch};

use crate::builtins;
use crate::exec::use_program;
use crate::io::{Input, Output, Ring};
use crate::jobs::JobNum;
use crate::lang::ast::{AndOr, Command};
use crate::redirect::Fds;
use crate::shell::Shell;

impl Shell {
    /// Whether `name` runs as an external program here.
    pub(crate) fn is_external(&self, name: &str, args: &[String], prefer_external: bool) -> bool {
        !self.env.lang.functions.contains_key(name)
            && (builtins::lookup(name).is_none()
                || use_program(&self.env, name, args, prefer_external))
    }

    /// Starts `and_or &`; returns 0 (or the failure's status).
    pub(crate) async fn start_background(&mut self, and_or: &AndOr) -> i32 {
        if let (true, [Command::Simple(s)]) = (and_or.rest.is_empty(), &and_or.first.commands[..]) {
            if s.words
                .first()
                .and_then(|w| w.literal())
                .is_some_and(|w| w.starts_with('%'))
            {
                // `%N &` is `bg %N` (bash).
                let Ok(mut words) = self.expand_words(s).await else {
                    return 1;
                };
                words.insert(0, "bg".to_string());
                return self.run_argv(words, true).await;
            }
        }
        let text = crate::lang::print::job_text(and_or);
        let piped = and_or.first.commands.len() > 1;
        let externals_only = and_or.rest.is_empty()
            && !and_or.first.bang
            && and_or.first.commands.iter().all(|c| match c {
                Command::Simple(s) => s
                    .words
                    .first()
                    .and_then(|w| self.static_name(w))
                    .is_some_and(|name| {
                        let args: Vec<String> =
                            s.words[1..].iter().filter_map(|w| w.literal()).collect();
                        self.is_external(&name, &args, piped)
                            && self.program_found(&name)
                            && !s.assignments.iter().any(|a| a.name == "PATH")
                    }),
                _ => false,
            });
        let job = if externals_only {
            match self.background_process(and_or, &text).await {
                Ok(job) => job,
                Err(status) => return status,
            }
        } else {
            match self.background_future(and_or, &text) {
                Ok(job) => job,
                Err(status) => return status,
            }
        };
        if self.adopt_background(&job).is_none() {
            return 0;
        }
        if !self.env.lang.opts.bgquiet && !externals_only {
            // Let an in-process job and its copiers run now (`echo x &`
            // is done at once): its output is copied out before the
            // next command, not piled up in thousands of rings.
            tokio::task::yield_now().await;
        }
        0
    }

    /// Whether the program `name` would be found. One that would not runs
    /// as an in-process job, which reports the failure on the job's own
    /// stderr and ends with its status (127), as bash's child does; a
    /// temporary `PATH=…` takes the same way.
    /// So does one the kernel cannot exec: a directory, a file without
    /// execute permission, or one that is neither a binary nor a `#!`
    /// script (bash runs that as a shell script, in the job).
    pub(crate) fn program_found(&self, name: &str) -> bool {
        let file = if name.contains('/') {
            Some(self.env.absolute_path(name))
        } else {
            let path = self.env.vars.get("PATH");
            match self.env.lang.hashed.pinned(path, name) {
                Some(f) => Some(std::path::PathBuf::from(f)),
                None => crate::exec::find_on_path(&self.env, name),
            }
        };
        file.is_some_and(|f| execs_directly(&f))
    }

    /// A command name known without running anything: a literal word, or
    /// a plain `$NAME` / `"$NAME"` holding one field (`$SH -c … &` is then a
    /// process job with a pid for `$!`).
    fn static_name(&self, w: &crate::lang::ast::Word) -> Option<String> {
        use crate::lang::ast::{Param, ParamOp, WordPart};
        if let Some(name) = w.literal() {
            return Some(name);
        }
        let part = match w.parts.as_slice() {
            [WordPart::DoubleQuoted(inner)] => match inner.as_slice() {
                [p] => p,
                _ => return None,
            },
            [p] => p,
            _ => return None,
        };
        let WordPart::Param(p) = part else {
            return None;
        };
        let (Param::Named(name), ParamOp::Value, false) = (&p.param, &p.op, p.indirect) else {
            return None;
        };
        let value = self.env.vars.get(name)?;
        let plain = !value.is_empty()
            && !value
                .chars()
                .any(|c| c.is_whitespace() || "*?[]\\".contains(c));
        plain.then(|| value.to_owned())
    }

    /// Makes a started job the shell's like `cmd &`: `$!`, the job table,
    /// `[N] PID` when interactive, and the output passed through unless
    /// `bgquiet`. `None` for a job without a number.
    pub(crate) fn adopt_background(&mut self, job: &Job) -> Option<JobNum> {
        let id = job.number().map(JobNum)?;
        let pids: Vec<u32> = job.pids().into_iter().map(u32::from).collect();
        self.env.last_bg = Some(match pids.last() {
            Some(pid) => pid.to_string(),
            // A job without a pid (the shell starts none: a future
            // job's anchor failing fails its spawn).
            None => format!("%{}", id.0),
        });
        self.jobs.add_background(id);
        if self.interactive {
            eprintln!(
                "{}",
                crate::jobs::format::started_line(id, pids.last().copied())
            );
        }
        if !self.env.lang.opts.bgquiet {
            self.pass_through(job);
        }
        Some(id)
    }

    async fn background_process(&mut self, and_or: &AndOr, text: &str) -> Result<Job, i32> {
        let mut spec = self.spec(text);
        if !self.env.lang.opts.monitor {
            // Without job control, an asynchronous command ignores the
            // keyboard's signals (bash).
            spec = spec
                .ignore_signal(corral_kernel::Signal::INT)
                .ignore_signal(corral_kernel::Signal::QUIT);
        }
        // On a terminal with job control the job gets it as stdin and a pty
        // as stdout, so a program wanting a terminal stops at once (SIGTTOU,
        // SIGTTIN) and works fully after `fg` (see foreground.rs).
        let on_tty = (self.env.lang.opts.bgtty)
            .then_some(self.terminal.as_ref())
            .flatten()
            .map(|t| t.size().unwrap_or((24, 80)));
        if let Some((rows, cols)) = on_tty {
            spec = spec.stdout_pty(rows, cols);
        }
        let n = and_or.first.commands.len();
        let piped = n > 1;
        for (i, cmd) in and_or.first.commands.iter().enumerate() {
            let Command::Simple(s) = cmd else {
                return Err(1);
            };
            let mut fds = Fds::from_streams(crate::io::Streams {
                stdin: match i {
                    0 if on_tty.is_some() && matches!(self.fds.std.stdin, Input::Inherit) => {
                        Input::Inherit
                    }
                    0 => Input::Null,
                    _ => Input::Pipeline,
                },
                stdout: if i + 1 == n {
                    Output::JobRing(Ring::Out)
                } else {
                    Output::Pipeline
                },
                stderr: Output::JobRing(Ring::Err),
            });
            for (k, v) in &self.fds.extra {
                if let Ok(v) = match v {
                    crate::redirect::Slot::In(i) => i.try_clone().map(crate::redirect::Slot::In),
                    crate::redirect::Slot::Out(o) => o.try_clone().map(crate::redirect::Slot::Out),
                } {
                    fds.extra.insert(*k, v);
                }
            }
            let words = self.expand_words(s).await?;
            for n in std::mem::take(&mut self.env.lang.proc_fds) {
                if let Some(slot) = self.fds.extra.remove(&n) {
                    fds.extra.insert(n, slot);
                }
            }
            if words.is_empty() {
                return Err(0);
            }
            self.redirect(&s.redirects, &mut fds).await?;
            let mut env = Vec::new();
            for a in &s.assignments {
                if let crate::expand::Value::Scalar(v) = self.assignment_value(a).await? {
                    env.push((a.name.clone(), v));
                }
            }
            let _ = piped;
            let p = self.prepare_external(&words, env, &fds)?;
            spec = spec.pipe(p.cmd.text(super::pipeline::member_text(cmd)));
        }
        let spawned = self.env.kernel.spawn_process(spec);
        match spawned {
            Ok(job) => Ok(job),
            Err(e) => Err(self.report_spawn_error(&e, &mut Output::Stderr).await),
        }
    }

    fn background_future(&mut self, and_or: &AndOr, text: &str) -> Result<Job, i32> {
        let mut sub = self.subshell();
        // Programs of an asynchronous pipeline of simple commands ignore
        // INT and QUIT without job control; those of a subshell or a
        // function do not (bash).
        let simple = and_or.rest.is_empty()
            && and_or.first.commands.iter().all(|c| match c {
                Command::Simple(s) => s
                    .words
                    .first()
                    .and_then(|w| self.static_name(w))
                    .is_none_or(|name| !self.env.lang.functions.contains_key(&name)),
                _ => false,
            });
        sub.env.lang.async_ignore |= simple && !self.env.lang.opts.monitor;
        if and_or.rest.is_empty() && matches!(and_or.first.commands[..], [Command::Simple(_)]) {
            // bash forks the command itself: no ERR trap runs for it (`set -E`).
            sub.env.lang.traps.remove("ERR");
            sub.env.lang.sync_hooks();
        }
        sub.env.lang.loop_depth = 0;
        // `$BASHPID` is the anchor's in the job's shell; for `( … ) &`, in
        // the subshell it runs (bash forks once for both).
        let lone_subshell = and_or.rest.is_empty()
            && !and_or.first.bang
            && matches!(&and_or.first.commands[..], [c] if c.is_subshell());
        sub.env.lang.subshell_is_copy = lone_subshell;
        let depth = sub.env.lang.subshell;
        let and_or = and_or.clone();
        // Background jobs read /dev/null unless redirected, like process jobs.
        if matches!(sub.fds.std.stdin, Input::Inherit) {
            sub.fds.std.stdin = Input::Null;
        }
        let spawned = self.env.kernel.spawn_future(
            text.to_string(),
            JobOptions::default().anchor(true),
            move |ctx| async move {
                sub.fds.std.stdout = Output::Stream(ctx.stdout.clone());
                sub.fds.std.stderr = Output::Stream(ctx.stderr.clone());
                sub.future = Some(ctx.clone());
                sub.env.lang.own_pid = ctx.pid().map(|p| (p.as_raw(), depth));
                tokio::select! {
                    s = sub.run_and_or(&and_or) => {
                        let s = sub.exit_status.unwrap_or(s);
                        sub.run_exit_trap(s).await
                    }
                    () = ctx.cancel.cancelled() => 0,
                }
            },
        );
        spawned.map_err(|e| self.fail(&format!("corral: {e}")))
    }

    /// Copies a background job's output to the shell's stdout and stderr
    /// as it is written.
    fn pass_through(&mut self, job: &Job) {
        self.passthrough.retain(|c| !c.task.is_finished());
        for (stream, fd) in [(job.stdout().clone(), 1), (job.stderr().clone(), 2)] {
            let target = if fd == 1 {
                &self.fds.std.stdout
            } else {
                &self.fds.std.stderr
            };
            let sink = match target {
                // The shell's own stdout/stderr: one writer task for all jobs
                // (one blocking-pool thread, not one per job).
                Output::Stdout | Output::Stderr => {
                    let err = matches!(target, Output::Stderr);
                    Target::Shared(self.passthrough_writer(), err)
                }
                other => match other.try_clone() {
                    Ok(o) => Target::Own(o),
                    Err(_) => continue,
                },
            };
            let (copied_tx, copied) = watch::channel(0);
            self.passthrough.push(Copier {
                job: job.id(),
                stream: stream.clone(),
                copied,
                task: tokio::spawn(copy_stream(stream, sink, copied_tx)),
            });
        }
    }

    /// The task writing passed-through output to the shell's stdout/stderr.
    fn passthrough_writer(&mut self) -> Chunks {
        if let Some((tx, _)) = &self.passthrough_sink {
            return tx.clone();
        }
        let (tx, mut rx) = mpsc::channel::<Piece>(64);
        let task = tokio::spawn(async move {
            let (mut out, mut err) = (tokio::io::stdout(), tokio::io::stderr());
            while let Some(piece) = rx.recv().await {
                let (to_err, data) = match piece {
                    Piece::Data(to_err, data) => (to_err, data),
                    Piece::Barrier(written) => {
                        let _ = written.send(());
                        continue;
                    }
                };
                let r = if to_err {
                    match err.write_all(&data).await {
                        Ok(()) => err.flush().await,
                        Err(e) => Err(e),
                    }
                } else {
                    match out.write_all(&data).await {
                        Ok(()) => out.flush().await,
                        Err(e) => Err(e),
                    }
                };
                if r.is_err() {
                    break;
                }
            }
        });
        self.passthrough_sink = Some((tx.clone(), task));
        tx
    }

    /// Waits until what every job has written so far is passed through,
    /// and the copies of finished jobs are done, so that `cmd & wait; echo`
    /// prints cmd's output first, and output a job wrote before another
    /// job ended comes before what the shell prints next, as with bash's
    /// direct writes. A leftover process holding a job's pipe open gets a
    /// deadline, as the kernel gives it.
    pub(crate) async fn settle_passthrough(&mut self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
        let mut live = Vec::new();
        for mut c in std::mem::take(&mut self.passthrough) {
            let finished = self
                .env
                .kernel
                .job(c.job)
                .map_or(true, |j| j.state().is_finished());
            if finished {
                if tokio::time::timeout_at(deadline, &mut c.task).await.is_ok() {
                    continue;
                }
            } else {
                let written = c.stream.stats().written;
                let mut copied = c.copied.clone();
                // Err: the copier ended (its sink closed); nothing more comes.
                let _ = tokio::time::timeout_at(deadline, copied.wait_for(|&n| n >= written)).await;
            }
            live.push(c);
        }
        self.passthrough = live;
        if let Some((tx, _)) = &self.passthrough_sink {
            let (written, done) = tokio::sync::oneshot::channel();
            if tx.send(Piece::Barrier(written)).await.is_ok() {
                let _ = tokio::time::timeout_at(deadline, done).await;
            }
        }
    }

    /// Waits (briefly) for background output still being copied out, before
    /// the shell exits.
    pub(crate) async fn finish_passthrough(&mut self) {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(200);
        for mut c in std::mem::take(&mut self.passthrough) {
            if tokio::time::timeout_at(deadline, &mut c.task)
                .await
                .is_err()
            {
                c.task.abort();
            }
        }
        if let Some((tx, mut task)) = self.passthrough_sink.take() {
            drop(tx);
            if tokio::time::timeout_at(deadline, &mut task).await.is_err() {
                task.abort();
            }
        }
    }
}

/// One stream of a background job being copied out.
pub(crate) struct Copier {
    job: corral_kernel::JobId,
    stream: OutputStream,
    /// The stream offset up to which the copy has been handed on.
    copied: watch::Receiver<u64>,
    task: tokio::task::JoinHandle<()>,
}

/// What the shell's passthrough writer is sent.
pub(crate) enum Piece {
    /// Bytes for the shell's stdout (`false`) or stderr (`true`).
    Data(bool, bytes::Bytes),
    /// Answered once everything sent before it is written.
    Barrier(tokio::sync::oneshot::Sender<()>),
}

/// The passthrough writer's channel.
type Chunks = mpsc::Sender<Piece>;

/// The shell's writer of passed-through output: its channel and task.
pub(crate) type Sink = (Chunks, tokio::task::JoinHandle<()>);

/// Where a copy of a job's stream goes.
enum Target {
    /// The shared writer: (channel, to stderr).
    Shared(Chunks, bool),
    /// A file or pipe of the shell's.
    Own(Output),
}

async fn copy_stream(stream: OutputStream, mut sink: Target, copied: watch::Sender<u64>) {
    let mut follow = stream.follow(0);
    while let Some(chunk) = follow.next_chunk().await {
        let end = chunk.offset + chunk.data.len() as u64;
        let ok = match &mut sink {
            Target::Shared(tx, err) => tx.send(Piece::Data(*err, chunk.data)).await.is_ok(),
            Target::Own(out) => crate::io::write_to(out, &chunk.data).await.is_ok(),
        };
        if !ok {
            break;
        }
        copied.send_replace(end);
    }
}

/// Whether `file` is a regular file with execute permission that starts as
/// a binary or a `#!` script.
fn execs_directly(file: &std::path::Path) -> bool {
    use std::io::Read;
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(file) else {
        return false;
    };
    if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
        return false;
    }
    let mut head = [0u8; 4];
    let Ok(mut f) = std::fs::File::open(file) else {
        return false;
    };
    let n = f.read(&mut head).unwrap_or(0);
    head[..n].starts_with(b"#!") || head[..n] == *b"\x7fELF"
}
