//! Pipelines: `!`, `$PIPESTATUS`, `pipefail`; the members of a multi-command
//! pipeline joined by pipes, its externals one process job, the others
//! in-process tasks on subshell copies.

use std::os::fd::OwnedFd;
use std::sync::Arc;

use corral_kernel::Error as KernelError;
use tokio::task::{JoinHandle, JoinSet};

use super::simple::finish_pumps;
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::io::{Input, Output};
use crate::lang::ast::{Command, CompoundKind, Pipeline};
use crate::shell::Shell;

/// One member of a multi-command pipeline, ready to run.
enum Member {
    /// An external program: the command, its pumps, where its errors go.
    /// The last field: found on the command's own `PATH=…` (already checked).
    External(corral_kernel::Cmd, Vec<JoinHandle<()>>, Output, bool),
    /// Runs in-process on a subshell.
    Task(Box<Shell>, Command, Option<Vec<String>>),
    /// Failed before it ran (the message was printed).
    Failed(i32),
}

impl Shell {
    /// Runs a pipeline in the foreground: its status, negated by `!`.
    pub(crate) async fn run_pipeline(&mut self, p: &Pipeline) -> i32 {
        let timing = p
            .timed
            .map(|t| (t, std::time::Instant::now(), crate::sys::cpu_times()));
        let statuses = if p.commands.len() == 1 {
            vec![self.run_command(&p.commands[0]).await]
        } else {
            Box::pin(self.run_members(p)).await
        };
        let mut status = *statuses.last().unwrap_or(&0);
        if self.env.lang.opts.pipefail {
            status = statuses
                .iter()
                .rev()
                .copied()
                .find(|s| *s != 0)
                .unwrap_or(0);
        }
        // A compound command leaves `$PIPESTATUS` to the commands it ran
        // (bash); a definition sets nothing.
        let own_status = match p.commands.as_slice() {
            [Command::Function(_)] => false,
            _ => super::hooks::fails_alone(p),
        };
        if own_status {
            self.env.vars.set_statuses("PIPESTATUS", &statuses);
        }
        // Writes to /v files (`echo TERM > /v/jobs/1/ctl`) land when the command is done.
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
        if let Some((timed, start, before)) = timing {
            let after = crate::sys::cpu_times();
            let used = |i: usize, j: usize| {
                after[i].saturating_sub(before[i]) + after[j].saturating_sub(before[j])
            };
            let report = crate::exec::time_report(
                self.env.vars.get("TIMEFORMAT"),
                timed == crate::lang::ast::Timed::Posix,
                start.elapsed(),
                used(0, 2),
                used(1, 3),
            );
            self.write_err(&report);
        }
        if p.bang {
            i32::from(status == 0)
        } else {
            status
        }
    }

    /// Runs any command in this shell.
    pub(crate) fn run_command<'a>(&'a mut self, c: &'a Command) -> BoxFut<'a, i32> {
        if let Command::Simple(s) = c {
            // Its own box: a simple command's future is half a compound one's.
            return Box::pin(self.run_simple(s));
        }
        Box::pin(async move {
            match c {
                Command::Simple(s) => self.run_simple(s).await,
                Command::Compound(cc, redirects) => {
                    if self.wants_foreground_job()
                        && !matches!(cc.kind, CompoundKind::Cond(_) | CompoundKind::Arith(_))
                    {
                        let cmd = c.clone();
                        let text = crate::lang::print::command(c);
                        return Box::pin(self.foreground_job(text, move |mut sub| {
                            Box::pin(async move {
                                let status = sub.run_command(&cmd).await;
                                (sub, status)
                            })
                        }))
                        .await;
                    }
                    // One await of run_compound: two would each take room in this future.
                    let undo = match Box::pin(self.push_redirects(redirects)).await {
                        Ok(u) => u,
                        Err(status) => {
                            self.env.lang.redirect_failed = true;
                            return status;
                        }
                    };
                    let status = self.run_compound(cc).await;
                    self.pop_redirects(undo);
                    status
                }
                Command::Function(def) => {
                    // A name written with an expansion or quotes is no
                    // identifier (bash's W_HASDOLLAR / W_QUOTED).
                    if def.name.contains(['$', '`', '\'', '"', '\\']) {
                        let name = &def.name;
                        return self.fail(&format!("corral: `{name}': not a valid identifier"));
                    }
                    if self.env.lang.opts.posix && super::options::is_special_builtin(&def.name) {
                        let name = &def.name;
                        let status = self.fail(&format!("corral: `{name}': is a special builtin"));
                        if !self.interactive {
                            self.exit_status = Some(2);
                        }
                        return status;
                    }
                    let mut def = def.clone();
                    def.defined = crate::lang::ast::DefinedAt {
                        source: self.env.lang.source.clone(),
                        line_base: self.env.lang.line_base,
                    };
                    self.env
                        .lang
                        .functions
                        .insert(def.name.clone(), Arc::new(def));
                    0
                }
            }
        })
    }

    /// Prepares and runs every member of a multi-command pipeline; returns
    /// each member's status.
    async fn run_members(&mut self, p: &Pipeline) -> Vec<i32> {
        let n = p.commands.len();
        let mut members = Vec::with_capacity(n);
        let mut prev: Option<OwnedFd> = None;
        for (i, cmd) in p.commands.iter().enumerate() {
            let mut fds = match self.fds.try_clone() {
                Ok(f) => f,
                Err(e) => {
                    members.push(Member::Failed(self.fail_io(&e)));
                    continue;
                }
            };
            if let Some(fd) = prev.take() {
                fds.std.stdin = Input::Fd(fd);
            }
            if i + 1 < n {
                match crate::sys::pipe() {
                    Ok((r, w)) => {
                        prev = Some(r);
                        fds.std.stdout = Output::Fd(w);
                    }
                    Err(e) => {
                        members.push(Member::Failed(self.fail_io(&e)));
                        continue;
                    }
                }
            }
            members.push(self.member(cmd, fds).await);
        }
        self.run_prepared(members, p).await
    }

    /// Turns one pipeline command into a member: a simple command is
    /// expanded here (and a program prepared), then the variables its
    /// expansions wrote are put back; anything else runs on a subshell.
    async fn member(&mut self, cmd: &Command, fds: crate::redirect::Fds) -> Member {
        if let Command::Simple(s) = cmd {
            // Each member is a subshell: what its expansions assign
            // (`${cmd=echo} hi | wc -l`) does not reach this shell. A DEBUG
            // trap may change anything, so with one the store is copied.
            if self.env.lang.hooks != 0 {
                let saved = self.env.vars.clone();
                let member = self.simple_member(cmd, s, fds).await;
                self.env.vars = saved;
                return member;
            }
            let random = self.env.vars.random_position();
            self.member_writes = Some(Vec::new());
            let member = self.simple_member(cmd, s, fds).await;
            for (name, var) in self
                .member_writes
                .take()
                .unwrap_or_default()
                .into_iter()
                .rev()
            {
                self.env.vars.put_back(&name, var);
            }
            self.env.vars.rewind_random(random);
            return member;
        }
        let mut sub = self.subshell();
        sub.fds = fds;
        sub.env.lang.subshell_is_copy = cmd.is_subshell();
        Member::Task(Box::new(sub), cmd.clone(), None)
    }

    async fn simple_member(
        &mut self,
        cmd: &Command,
        s: &crate::lang::ast::SimpleCommand,
        fds: crate::redirect::Fds,
    ) -> Member {
        self.env.lang.lineno = s.line + self.env.lang.line_base;
        if self.env.lang.hooks != 0 {
            if let Some(status) = self.before_simple(s).await {
                return Member::Failed(status);
            }
        }
        let words = match self.expand_words(s).await {
            Ok(w) => w,
            Err(status) => return Member::Failed(status),
        };
        // `<(…)` / `>(…)` descriptors belong to this member only.
        let mut fds = fds;
        for n in std::mem::take(&mut self.env.lang.proc_fds) {
            if let Some(slot) = self.fds.extra.remove(&n) {
                fds.extra.insert(n, slot);
            }
        }
        // A file the kernel cannot exec (a directory, no `#!`) runs as a
        // task, which reports the failure or runs the script.
        let external = words.first().is_some_and(|name| {
            self.is_external(name, &words[1..], false)
                && (self.program_found(name) || !self.program_exists(name))
        });
        if !external {
            let mut sub = self.subshell();
            sub.fds = fds;
            return Member::Task(Box::new(sub), cmd.clone(), Some(words));
        }
        let mut fds = fds;
        if let Err(status) = self.redirect(&s.redirects, &mut fds).await {
            return Member::Failed(status);
        }
        let mut env = Vec::new();
        let mut traced = Vec::new();
        for a in &s.assignments {
            match self.assignment_value(a).await {
                Ok(v) => {
                    if let Value::Scalar(text) = &v {
                        env.push((a.name.clone(), text.clone()));
                    }
                    traced.push((a, v));
                }
                Err(status) => return Member::Failed(status),
            }
        }
        if self.env.lang.opts.xtrace {
            self.trace_simple(&traced, &words).await;
        }
        if let Some(status) = self.missing_on_temp_path(&words[0], &env, &fds).await {
            return Member::Failed(status);
        }
        let own_path = env.iter().any(|(k, _)| k == "PATH");
        match self.prepare_external(&words, env, &fds) {
            Ok(p) => Member::External(p.cmd.text(member_text(cmd)), p.pumps, p.err, own_path),
            Err(status) => Member::Failed(status),
        }
    }

    /// Runs prepared members: externals as one process job, the rest as
    /// in-process tasks.
    async fn run_prepared(&mut self, members: Vec<Member>, p: &Pipeline) -> Vec<i32> {
        let text = crate::lang::print::job_text(&crate::lang::ast::AndOr {
            first: p.clone(),
            rest: Vec::new(),
        });
        let mut statuses = vec![0; members.len()];
        let mut spec = self.spec(&text);
        let mut external_at = Vec::new();
        let mut all_pumps = Vec::new();
        let mut last_err = Output::Stderr;
        let mut tasks: JoinSet<(usize, i32, Option<Box<Shell>>)> = JoinSet::new();
        // `shopt -s lastpipe` without job control: the last member's
        // changes (variables, cwd, `exit`) are the shell's, as if it ran here.
        let last = members.len() - 1;
        let lastpipe = !self.env.lang.opts.monitor && self.env.lang.shopt.get("lastpipe");
        for (i, m) in members.into_iter().enumerate() {
            match m {
                Member::External(cmd, pumps, mut err, own_path) => {
                    // A missing program fails alone, as in bash: its neighbours
                    // see its pipe ends close and run on.
                    let program = cmd.program();
                    if !own_path
                        && !self.program_exists(&crate::rawbytes::from_os(program.to_os_string()))
                    {
                        let e = KernelError::CommandNotFound {
                            command: program.to_os_string(),
                        };
                        statuses[i] = self.report_spawn_error(&e, &mut err).await;
                        continue;
                    }
                    spec = spec.pipe(cmd);
                    all_pumps.extend(pumps);
                    last_err = err;
                    external_at.push(i);
                }
                Member::Task(mut sub, cmd, words) => {
                    let keep = lastpipe && i == last;
                    tasks.spawn(async move {
                        let s = match (&cmd, words) {
                            (Command::Simple(s), Some(words)) => sub.run_expanded(s, words).await,
                            _ => sub.run_command(&cmd).await,
                        };
                        (i, sub.exit_status.unwrap_or(s), keep.then_some(sub))
                    });
                }
                Member::Failed(s) => statuses[i] = s,
            }
        }
        if !external_at.is_empty() {
            let (s, stopped) = self.run_process(spec, &mut last_err).await;
            finish_pumps(all_pumps, stopped).await;
            if stopped {
                // The in-process members go on when the processes are continued.
                tokio::spawn(async move { while tasks.join_next().await.is_some() {} });
                for i in &external_at {
                    statuses[*i] = s;
                }
                return statuses;
            }
            // Each process's own status; the job's is its last process's.
            let each = std::mem::take(&mut self.member_statuses);
            for (k, i) in external_at.iter().enumerate() {
                statuses[*i] = each.get(k).copied().unwrap_or(s);
            }
        }
        if self.interrupted {
            tasks.abort_all();
        }
        let interrupt = Arc::clone(&self.interrupt);
        loop {
            tokio::select! {
                done = tasks.join_next() => match done {
                    None => break,
                    Some(Ok((i, s, kept))) => {
                        statuses[i] = s;
                        if let Some(sub) = kept {
                            self.adopt_last_member(*sub);
                        }
                    }
                    Some(Err(_)) => {}
                },
                () = interrupt.notified() => {
                    tasks.abort_all();
                    self.interrupted = true;
                    if let Some(last) = statuses.last_mut() {
                        *last = 130;
                    }
                }
            }
        }
        statuses
    }
}

impl Shell {
    /// Before an expansion writes variable `name`: while a pipeline member
    /// is expanded, notes each variable the write may change (`name`, the
    /// one its nameref names, an element's array) as it was.
    pub(crate) fn note_write(&mut self, name: &str) {
        let Some(log) = &mut self.member_writes else {
            return;
        };
        let vars = &self.env.vars;
        let base = vars.element_ref(name).map(|(b, _)| b);
        for n in [Some(name), Some(vars.resolve(name)), base]
            .into_iter()
            .flatten()
        {
            if !n.is_empty() && !log.iter().any(|(k, _)| k == n) {
                log.push((n.to_string(), vars.var(n).cloned()));
            }
        }
    }

    /// `lastpipe`: the last member's shell state becomes this shell's.
    fn adopt_last_member(&mut self, sub: Shell) {
        let mut env = sub.env;
        let lang = &mut env.lang;
        lang.subshell = self.env.lang.subshell;
        lang.traps = std::mem::take(&mut self.env.lang.traps);
        lang.inherited_traps = self.env.lang.inherited_traps.take();
        lang.sync_hooks();
        lang.async_ignore = self.env.lang.async_ignore;
        self.env = env;
        if sub.exit_status.is_some() {
            self.exit_status = sub.exit_status;
        }
    }
}

/// A pipeline member's text, which `jobs -l` shows on its line.
pub(crate) fn member_text(cmd: &Command) -> String {
    crate::lang::print::command(cmd)
}
