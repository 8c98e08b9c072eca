//! Running parsed command lines: lists, and-or lists, pipelines, commands,
//! redirections, and background jobs.
//!
//! Externals of one pipeline run as one kernel process job (one process group).
//! Builtins and `( … )` groups run in-process; inside a multi-command pipeline
//! or in the background they run on a copy of the shell (a subshell), as bash
//! runs them in forked subshells. A background and-or list that is one
//! pipeline of externals is a process job; anything else is a future job.

use std::future::Future;
use std::os::fd::OwnedFd;
use std::pin::Pin;
use std::sync::Arc;

use corral_kernel::{Cmd, Error as KernelError, Io, JobOptions, ProcessSpec};
use tokio::task::{JoinHandle, JoinSet};

use crate::builtins;
use crate::io::{os_message, Input, Output, Ring, Streams};
use crate::jobs::JobNum;
use crate::shell::{Env, Shell};
use crate::syntax::{self, AndOr, Command, Connector, List, Pipeline, SimpleCommand};

/// A boxed, sendable future (the executor recurses through groups).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A simple command after expansion.
pub(crate) struct Expanded {
    pub(crate) assignments: Vec<(String, String)>,
    pub(crate) words: Vec<String>,
}

/// One pipeline member, ready to run.
enum Prepared {
    /// The command, and the tasks copying its output into a ring (for a
    /// command inside a future job); they end when the process closes the pipe.
    /// The last field is where the command's own errors go (its stderr).
    External(Cmd, Vec<JoinHandle<()>>, Output),
    Builtin(Vec<String>, Streams),
    Group(List, Streams),
    /// Assignments or redirections only.
    Nothing,
    /// Expansion or redirection failed; the message was printed.
    Failed(i32),
}

impl Shell {
    /// Parses and runs one line or script. A syntax error runs nothing and
    /// gives status 2.
    pub async fn run_text(&mut self, src: &str, multi_line: bool) -> i32 {
        let list = match syntax::parse(src) {
            Ok(l) => l,
            Err(e) => {
                let msg = if multi_line {
                    e.display_with_line()
                } else {
                    e.to_string()
                };
                eprintln!("corral: {msg}");
                self.env.last_status = 2;
                return 2;
            }
        };
        let src: Arc<str> = Arc::from(src);
        let io = Streams::inherit();
        self.interrupted = false;
        self.run_list(&list, &src, &io).await
    }

    /// Runs a list; returns the last status.
    pub fn run_list<'a>(
        &'a mut self,
        list: &'a List,
        src: &'a Arc<str>,
        io: &'a Streams,
    ) -> BoxFut<'a, i32> {
        Box::pin(async move {
            let mut status = self.env.last_status;
            for item in &list.items {
                self.sync_jobs();
                status = if item.background {
                    self.start_background(&item.and_or, src, io).await
                } else {
                    self.run_and_or(&item.and_or, src, io).await
                };
                if self.sigint.swap(false, std::sync::atomic::Ordering::AcqRel) {
                    // A script stops at Ctrl-C, as bash -c does.
                    self.interrupted = true;
                    status = 130;
                }
                self.env.last_status = status;
                if self.exit_status.is_some() || self.interrupted {
                    break;
                }
            }
            status
        })
    }

    async fn run_and_or(&mut self, and_or: &AndOr, src: &Arc<str>, io: &Streams) -> i32 {
        let mut status = self.run_pipeline(&and_or.first, src, io).await;
        for (conn, pipeline) in &and_or.rest {
            self.env.last_status = status;
            if self.exit_status.is_some() || self.interrupted {
                break;
            }
            let run = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run {
                status = self.run_pipeline(pipeline, src, io).await;
            }
        }
        status
    }

    /// Runs a pipeline in the foreground.
    async fn run_pipeline(&mut self, p: &Pipeline, src: &Arc<str>, io: &Streams) -> i32 {
        let status = self.run_pipeline_inner(p, src, io).await;
        // Writes to /v files (`echo TERM > /v/jobs/1/ctl`) land when the command is done.
        let mut status = status;
        for (name, write) in std::mem::take(&mut self.vfs_writes) {
            match write.await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    let msg = e.to_string();
                    let msg = msg
                        .strip_prefix(&self.env.absolute(&name))
                        .map_or(msg.clone(), |rest| format!("{name}{rest}"));
                    status = self.fail(&format!("corral: {msg}"));
                }
                Err(_) => status = 1,
            }
        }
        status
    }

    async fn run_pipeline_inner(&mut self, p: &Pipeline, src: &Arc<str>, io: &Streams) -> i32 {
        let text = p.text(src).to_string();
        if p.commands.len() == 1 {
            let streams = match io.try_clone() {
                Ok(s) => s,
                Err(e) => return self.fail(&format!("corral: {}", os_message(&e))),
            };
            return match self.prepare(&p.commands[0], streams, true, false) {
                Prepared::External(cmd, pumps, mut err) => {
                    let spec = self.spec(&text).pipe(cmd);
                    let (status, stopped) = self.run_foreground(spec, &mut err).await;
                    finish_pumps(pumps, stopped).await;
                    status
                }
                Prepared::Builtin(args, mut streams) if args[0] == "fg" => {
                    // fg passes Ctrl-C/Ctrl-Z on to the job itself.
                    builtins::run(self, args, &mut streams).await
                }
                Prepared::Builtin(args, mut streams) => {
                    // Ctrl-C reaches the shell itself while a builtin runs.
                    let interrupt = Arc::clone(&self.interrupt);
                    let notified = interrupt.notified();
                    tokio::select! {
                        s = builtins::run(self, args, &mut streams) => s,
                        _ = notified => {
                            self.interrupted = true;
                            eprintln!();
                            130
                        }
                    }
                }
                Prepared::Group(body, streams) => {
                    // A foreground group's commands get the terminal in turn, so
                    // Ctrl-C and terminal reads reach them.
                    let mut sub = self.subshell();
                    sub.terminal = self.terminal.clone();
                    let status = sub.run_list(&body, src, &streams).await;
                    self.interrupted |= sub.interrupted;
                    drop(streams);
                    status
                }
                Prepared::Nothing => 0,
                Prepared::Failed(s) => s,
            };
        }
        match self.pipeline_members(p, src, io) {
            Ok(members) => self.run_members(members, &text, src).await,
            Err(status) => status,
        }
    }

    /// Prepares every member of a multi-command pipeline with pipes between them.
    fn pipeline_members(
        &mut self,
        p: &Pipeline,
        src: &str,
        io: &Streams,
    ) -> Result<Vec<Prepared>, i32> {
        let n = p.commands.len();
        let mut members = Vec::with_capacity(n);
        let mut prev: Option<OwnedFd> = None;
        for (i, cmd) in p.commands.iter().enumerate() {
            let stdin = match prev.take() {
                Some(fd) => Input::Fd(fd),
                None => io.stdin.try_clone().map_err(|e| self.fail_io(&e))?,
            };
            let stdout = if i + 1 == n {
                io.stdout.try_clone().map_err(|e| self.fail_io(&e))?
            } else {
                let (r, w) = crate::sys::pipe().map_err(|e| self.fail_io(&e))?;
                prev = Some(r);
                Output::Fd(w)
            };
            let stderr = io.stderr.try_clone().map_err(|e| self.fail_io(&e))?;
            let streams = Streams {
                stdin,
                stdout,
                stderr,
            };
            members.push(match self.prepare(cmd, streams, false, false) {
                Prepared::External(c, pumps, err) => {
                    Prepared::External(c.text(member_text(cmd, src)), pumps, err)
                }
                other => other,
            });
        }
        Ok(members)
    }

    /// Runs prepared pipeline members: externals as one process job, the rest
    /// as in-process tasks on subshells. The status is the last member's.
    async fn run_members(&mut self, members: Vec<Prepared>, text: &str, src: &Arc<str>) -> i32 {
        let last = members.len().saturating_sub(1);
        let mut spec = self.spec(text);
        let mut externals = 0;
        let mut last_is_external = false;
        let mut all_pumps = Vec::new();
        let mut last_err = Output::Stderr;
        let mut tasks: JoinSet<(usize, i32)> = JoinSet::new();
        let mut last_status = 0;
        for (i, m) in members.into_iter().enumerate() {
            match m {
                Prepared::External(cmd, pumps, mut err) => {
                    // A missing program fails alone, as in bash: its neighbours
                    // see its pipe ends close and run on.
                    let program = cmd.program().to_string_lossy().into_owned();
                    if !self.program_exists(&program) {
                        let e = KernelError::CommandNotFound { command: program };
                        let s = self.report_spawn_error(&e, &mut err).await;
                        if i == last {
                            last_status = s;
                        }
                        continue;
                    }
                    spec = spec.pipe(cmd);
                    all_pumps.extend(pumps);
                    last_err = err;
                    externals += 1;
                    last_is_external = i == last;
                }
                Prepared::Builtin(args, mut streams) => {
                    let mut sub = self.subshell();
                    tasks.spawn(async move {
                        let s = builtins::run(&mut sub, args, &mut streams).await;
                        (i, s)
                    });
                }
                Prepared::Group(body, streams) => {
                    let mut sub = self.subshell();
                    let src = Arc::clone(src);
                    tasks.spawn(async move {
                        let s = sub.run_list(&body, &src, &streams).await;
                        (i, s)
                    });
                }
                Prepared::Nothing => {
                    if i == last {
                        last_status = 0;
                    }
                }
                Prepared::Failed(s) => {
                    if i == last {
                        last_status = s;
                    }
                }
            }
        }
        let mut status = last_status;
        if externals > 0 {
            let (s, stopped) = self.run_foreground(spec, &mut last_err).await;
            finish_pumps(all_pumps, stopped).await;
            if stopped {
                // The processes are stopped; the in-process members go on with
                // them when they are continued (a builtin reading their pipe
                // simply waits), so they are not waited for now.
                tokio::spawn(async move { while tasks.join_next().await.is_some() {} });
                return s;
            }
            if last_is_external {
                status = s;
            }
        }
        // Ctrl-C ends the in-process members too (the processes got SIGINT).
        if self.interrupted {
            tasks.abort_all();
        }
        let interrupt = Arc::clone(&self.interrupt);
        loop {
            tokio::select! {
                done = tasks.join_next() => match done {
                    None => break,
                    Some(Ok((i, s))) if i == last => status = s,
                    Some(_) => {}
                },
                _ = interrupt.notified() => {
                    tasks.abort_all();
                    self.interrupted = true;
                    status = 130;
                }
            }
        }
        status
    }

    /// Starts `cmd &`: a process job for a pipeline of externals, a future job otherwise.
    async fn start_background(&mut self, and_or: &AndOr, src: &Arc<str>, io: &Streams) -> i32 {
        let text = and_or.text(src).to_string();
        let piped = and_or.first.commands.len() > 1;
        let externals_only = and_or.rest.is_empty()
            && and_or.first.commands.iter().all(|c| match c {
                Command::Simple(s) => {
                    let words = syntax::expand_words(&s.words, &self.env);
                    words.first().is_some_and(|name| {
                        builtins::lookup(name).is_none()
                            || use_program(&self.env, name, &words[1..], piped)
                    })
                }
                Command::Group(_) => false,
            });
        let job = if externals_only {
            let mut spec = self.spec(&text);
            let n = and_or.first.commands.len();
            for (i, cmd) in and_or.first.commands.iter().enumerate() {
                let streams = Streams {
                    stdin: if i == 0 { Input::Null } else { Input::Pipeline },
                    stdout: if i + 1 == n {
                        Output::JobRing(Ring::Out)
                    } else {
                        Output::Pipeline
                    },
                    stderr: Output::JobRing(Ring::Err),
                };
                match self.prepare(cmd, streams, false, piped) {
                    Prepared::External(c, _, _) => spec = spec.pipe(c.text(member_text(cmd, src))),
                    Prepared::Failed(s) => return s,
                    _ => return self.fail("corral: cannot run this in the background"),
                }
            }
            let spawned = self.env.kernel.spawn_process(spec);
            crate::vmount::spawned();
            match spawned {
                Ok(job) => job,
                Err(e) => return self.report_spawn_error(&e, &mut Output::Stderr).await,
            }
        } else {
            let mut sub = self.subshell();
            let and_or = and_or.clone();
            let src = Arc::clone(src);
            let stdin = match io.stdin.try_clone() {
                // Background jobs read /dev/null unless redirected, like process jobs.
                Ok(Input::Inherit) | Err(_) => Input::Null,
                Ok(other) => other,
            };
            let spawned = self.env.kernel.spawn_future(
                text.clone(),
                JobOptions::default(),
                move |ctx| async move {
                    let streams = Streams {
                        stdin,
                        stdout: Output::Stream(ctx.stdout.clone()),
                        stderr: Output::Stream(ctx.stderr.clone()),
                    };
                    tokio::select! {
                        s = sub.run_and_or(&and_or, &src, &streams) => s,
                        _ = ctx.cancel.cancelled() => 0,
                    }
                },
            );
            match spawned {
                Ok(job) => job,
                Err(e) => return self.fail(&format!("corral: {e}")),
            }
        };
        let Some(id) = job.number().map(JobNum) else {
            return 0;
        };
        let pids: Vec<u32> = job.pids().into_iter().map(u32::from).collect();
        self.env.last_bg_pid = pids.last().copied();
        self.jobs.add_background(id);
        if self.interactive {
            eprintln!(
                "{}",
                crate::jobs::format::started_line(id, pids.last().copied())
            );
        }
        0
    }

    /// A process spec carrying the shell's cwd and exported variables.
    fn spec(&self, text: &str) -> ProcessSpec {
        let mut spec = ProcessSpec::new(text);
        // Children inherit our cwd and environment unless the shell's differ:
        // building them for every spawn is measurable in a `cmd &` loop.
        if self.env.cwd != self.env.process_cwd {
            spec = spec.cwd(crate::vmount::real_dir(&self.env.cwd));
        }
        if self.env.vars.changed() {
            spec = spec.env_clear();
            for (k, v) in self.env.vars.exported() {
                spec = spec.env(k, v);
            }
            if let (None, Some(v)) = (self.env.vars.get("CORRAL_V"), crate::vmount::mounted_v()) {
                spec = spec.env("CORRAL_V", v);
            }
        }
        spec
    }

    /// Expands a command and applies its redirections to `streams`.
    /// `prefer_external`: run `cat`, `echo`… as the programs when they will do
    /// (see [`external_will_do`]), so a background pipeline stays one process group.
    fn prepare(
        &mut self,
        cmd: &Command,
        mut streams: Streams,
        alone: bool,
        prefer_external: bool,
    ) -> Prepared {
        match cmd {
            Command::Group(g) => match self.redirect(&g.redirections, &mut streams) {
                Ok(()) => Prepared::Group(g.body.clone(), streams),
                Err(s) => Prepared::Failed(s),
            },
            Command::Simple(s) => {
                let expanded = match self.expand(s) {
                    Ok(e) => e,
                    Err(status) => return Prepared::Failed(status),
                };
                if let Err(status) = self.redirect(&s.redirections, &mut streams) {
                    return Prepared::Failed(status);
                }
                let Some(name) = expanded.words.first() else {
                    if alone {
                        for (k, v) in expanded.assignments {
                            self.env.vars.set(&k, v);
                        }
                    }
                    return Prepared::Nothing;
                };
                let program = use_program(&self.env, name, &expanded.words[1..], prefer_external);
                if builtins::lookup(name).is_some() && !program {
                    return Prepared::Builtin(expanded.words, streams);
                }
                let mut pumps = Vec::new();
                let stdin = streams.stdin.to_kernel();
                let stdout = streams.stdout.to_kernel(1, &mut pumps);
                // `2>&1` into a ring: one pipe for both keeps their order.
                let stderr = match (&streams.stdout, &streams.stderr) {
                    (Output::Stream(o), Output::Stream(e)) if o.same_as(e) => Ok(Io::ToStdout),
                    _ => streams.stderr.to_kernel(2, &mut pumps),
                };
                let (stdin, stdout, stderr) = match (stdin, stdout, stderr) {
                    (Ok(a), Ok(b), Ok(c)) => (a, b, c),
                    (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
                        return Prepared::Failed(self.fail_io(&e))
                    }
                };
                let mut c = Cmd::new(name.as_str())
                    .args(crate::vmount::external_args(
                        &expanded.words[1..],
                        &self.env.cwd,
                    ))
                    .stdin(stdin)
                    .stdout(stdout)
                    .stderr(stderr);
                for (k, v) in expanded.assignments {
                    c = c.env(k, v);
                }
                let err = streams.stderr.try_clone().unwrap_or(Output::Stderr);
                Prepared::External(c, pumps, err)
            }
        }
    }

    pub(crate) fn expand(&mut self, s: &SimpleCommand) -> Result<Expanded, i32> {
        let mut assignments = Vec::new();
        for a in &s.assignments {
            let v = syntax::expand_word_single(&a.value, &self.env);
            assignments.push((a.name.clone(), v));
        }
        let words = syntax::expand_words(&s.words, &self.env)
            .into_iter()
            // A NUL cannot reach execve; drop it as bash does.
            .map(|w| w.replace('\0', ""))
            .collect();
        Ok(Expanded { assignments, words })
    }

    /// Prints `msg` on stderr; returns status 1.
    pub(crate) fn fail(&mut self, msg: &str) -> i32 {
        eprintln!("{msg}");
        1
    }

    pub(crate) fn fail_io(&mut self, e: &std::io::Error) -> i32 {
        self.fail(&format!("corral: {}", os_message(e)))
    }

    /// Whether `program` names something to run (as execvp would find it).
    fn program_exists(&self, program: &str) -> bool {
        if program.contains('/') {
            std::path::Path::new(&self.env.absolute(program)).exists()
        } else {
            on_path(&self.env, program)
        }
    }

    /// Prints a spawn error as bash would, to the command's own stderr, and
    /// returns its status.
    pub(crate) async fn report_spawn_error(&mut self, e: &KernelError, err: &mut Output) -> i32 {
        let (msg, status) = match e {
            KernelError::CommandNotFound { command } if command.contains('/') => {
                (format!("corral: {command}: No such file or directory"), 127)
            }
            KernelError::CommandNotFound { command } => {
                (format!("corral: {command}: command not found"), 127)
            }
            KernelError::PermissionDenied { command } => {
                let path = std::path::Path::new(command);
                let what = if path.is_dir() {
                    "Is a directory"
                } else {
                    "Permission denied"
                };
                (format!("corral: {command}: {what}"), 126)
            }
            KernelError::Spawn { command, source } => {
                (format!("corral: {command}: {}", os_message(source)), 126)
            }
            other => (format!("corral: {other}"), 1),
        };
        let _ = crate::io::write_to(err, format!("{msg}\n").as_bytes()).await;
        status
    }

    /// A copy of the shell for a subshell: same variables and cwd, no job control.
    pub(crate) fn subshell(&self) -> Shell {
        Shell {
            env: self.env.clone(),
            // A copy, as a forked bash subshell has: `jobs -p | wc -l` works.
            jobs: self.jobs.clone(),
            events: self.env.kernel.subscribe(),
            interactive: false,
            terminal: None,
            job_modes: Default::default(),
            exit_status: None,
            exit_warned_line: None,
            line_no: 0,
            notices: Vec::new(),
            shown: Default::default(),
            interrupt: Arc::clone(&self.interrupt),
            suspend: Arc::clone(&self.suspend),
            vfs_writes: Vec::new(),
            interrupted: false,
            sigint: Arc::clone(&self.sigint),
            fg_pgid: Arc::clone(&self.fg_pgid),
        }
    }
}

/// Whether the builtin `name` should run as the same-named program: `echo`
/// and `pwd` stay builtins except in a background pipeline
/// (`prefer_external`), which then stays one process group.
fn use_program(env: &Env, name: &str, _args: &[String], prefer_external: bool) -> bool {
    prefer_external && matches!(name, "echo" | "pwd") && on_path(env, name)
}

/// Whether `name` is an executable file in one of PATH's directories.
pub(crate) fn on_path(env: &Env, name: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let Some(path) = env.vars.get("PATH") else {
        return false;
    };
    std::env::split_paths(path).any(|dir| {
        std::fs::metadata(dir.join(name))
            .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
            .unwrap_or(false)
    })
}

/// A pipeline member's source text, which `jobs -l` shows on its line.
fn member_text(cmd: &Command, src: &str) -> String {
    cmd.span().text(src).trim().to_string()
}

/// Waits until a finished command's output is in its ring (with a deadline,
/// for a pipe a leftover process keeps open, as the kernel does); a stopped
/// command's pumps go on by themselves.
async fn finish_pumps(pumps: Vec<JoinHandle<()>>, stopped: bool) {
    if stopped {
        return;
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(100);
    for mut p in pumps {
        if tokio::time::timeout_at(deadline, &mut p).await.is_err() {
            p.abort();
        }
    }
}
