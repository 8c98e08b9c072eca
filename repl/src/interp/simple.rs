//! Simple commands: expansion, assignments, then a function, a builtin or
//! an external program (a foreground process job).

mod external;

pub(crate) use external::finish_pumps;

use std::sync::Arc;

use super::ex;
use crate::builtins;
use crate::exec::{use_program, BoxFut};
use crate::expand::Value;
use crate::lang::ast::{Assignment, SimpleCommand};
use crate::redirect::Fds;
use crate::shell::Shell;

/// What `$_` becomes after `s` ran with `words`: the last word, or the
/// name alone for `declare a=(…)` (bash); empty for assignments alone.
fn last_argument(s: &SimpleCommand, words: &[String]) -> String {
    let Some(last) = words.last() else {
        return String::new();
    };
    let array = s.words.last().is_some_and(|w| {
        w.parts
            .iter()
            .any(|p| matches!(p, crate::lang::ast::WordPart::ArrayLiteral(_)))
    });
    match last.split_once('=') {
        Some((name, _)) if array => name.trim_end_matches('+').to_string(),
        _ => last.clone(),
    }
}

impl Shell {
    /// Runs a simple command in this shell.
    pub(crate) async fn run_simple(&mut self, s: &SimpleCommand) -> i32 {
        self.env.lang.lineno = s.line + self.env.lang.line_base;
        if self.env.lang.hooks != 0 {
            if let Some(status) = self.before_simple(s).await {
                return status;
            }
        }
        // `$?` of `x=$(false)` and of a lone `$(false)` is the substitution's.
        self.subst_status = None;
        let words = match self.expand_words(s).await {
            Ok(w) => w,
            Err(status) => return status,
        };
        let mut words = words;
        if words.first().is_some_and(|w| w == "alias") {
            self.alias_array_arguments(s, &mut words);
        }
        let last = last_argument(s, &words);
        // Awaited in place: a command is one boxed future, not two.
        let status = self.expanded(s, words).await;
        // `$_`: set once the command is done (a function still sees the previous one).
        self.env.lang.last_arg = last;
        for fd in std::mem::take(&mut self.env.lang.proc_fds) {
            self.fds.extra.remove(&fd);
        }
        status
    }

    /// `alias name=(…)`: bash assigns the array and hands `alias` the name.
    fn alias_array_arguments(&mut self, s: &SimpleCommand, words: &mut [String]) {
        if s.words.len() != words.len() {
            return;
        }
        for (w, field) in s.words.iter().zip(words.iter_mut()).skip(1) {
            let array = w
                .parts
                .iter()
                .any(|p| matches!(p, crate::lang::ast::WordPart::ArrayLiteral(_)));
            let Some((head, value)) = field.split_once('=') else {
                continue;
            };
            let Some(inner) = value.strip_prefix('(').and_then(|v| v.strip_suffix(')')) else {
                continue;
            };
            if !array {
                continue;
            }
            let (name, append) = match head.strip_suffix('+') {
                Some(n) => (n.to_string(), true),
                None => (head.to_string(), false),
            };
            if let Err(e) =
                crate::builtins::array_literal::assign_compound(self, &name, inner, append)
            {
                self.fail(&format!("corral: {name}: {e}"));
            }
            *field = name;
        }
    }

    /// Expands a command's words; on failure prints the error and returns the status.
    pub(crate) async fn expand_words(&mut self, s: &SimpleCommand) -> Result<Vec<String>, i32> {
        if s.words.is_empty() {
            return Ok(Vec::new());
        }
        match ex::fields(self, &s.words).await {
            // A NUL cannot reach execve; drop it as bash does.
            Ok(mut w) => {
                for w in w.iter_mut().filter(|w| w.contains('\0')) {
                    *w = w.replace('\0', "");
                }
                Ok(w)
            }
            Err(e) => Err(self.expand_failed(&e)),
        }
    }

    /// Reports an expansion error; a fatal one ends a non-interactive shell.
    pub(crate) fn expand_failed(&mut self, e: &ex::ExpandError) -> i32 {
        if matches!(
            e,
            ex::ExpandError::Subst(crate::expand::SubstError::Exiting)
        ) {
            return self.env.last_status;
        }
        self.fail(&format!("corral: {e}"));
        let mut status = e.status();
        // bash exits 127 for an unset parameter under `-c`, 1 in a script.
        let unset = matches!(
            e,
            ex::ExpandError::Unbound(_) | ex::ExpandError::NullOrUnset { .. }
        );
        if unset && !self.env.lang.opts.command && !self.interactive {
            status = 1;
        }
        self.abandon(e, status);
        status
    }

    /// What an expansion error does besides failing its command: a fatal
    /// one ends a script, the others drop the rest of the line.
    pub(crate) fn abandon(&mut self, e: &ex::ExpandError, status: i32) {
        if e.is_fatal() && !self.interactive {
            self.exit_status = Some(status);
        } else if e.discards() {
            self.flow = Some(crate::interp::Flow::Discard);
            self.env.lang.discard_exempt = matches!(e, ex::ExpandError::Arith { .. });
        }
    }

    /// Runs a simple command whose words are expanded.
    pub(crate) fn run_expanded<'a>(
        &'a mut self,
        s: &'a SimpleCommand,
        words: Vec<String>,
    ) -> BoxFut<'a, i32> {
        Box::pin(self.expanded(s, words))
    }

    /// [`Shell::run_expanded`] unboxed.
    async fn expanded(&mut self, s: &SimpleCommand, words: Vec<String>) -> i32 {
        {
            let mut assigns = Vec::with_capacity(s.assignments.len());
            // Assignments are made left to right: `a=1 b=$a` sees the new `a`,
            // also before a command (where they are undone until it runs).
            let alone = words.is_empty();
            let visible = !alone && s.assignments.len() > 1;
            let mut shown = Vec::new();
            for a in &s.assignments {
                match self.assignment_value(a).await {
                    Ok(v) if alone => {
                        if self.env.lang.opts.xtrace {
                            self.trace_simple(&[(a, v.clone())], &[]).await;
                        }
                        if let Err(status) = self.assign(a, v) {
                            return status;
                        }
                    }
                    Ok(v) => {
                        if visible {
                            shown.push((a.name.clone(), self.env.vars.var(&a.name).cloned()));
                            let _ = self.assign(a, v.clone());
                        }
                        assigns.push((a, v));
                    }
                    Err(status) => {
                        self.restore_vars(shown);
                        return status;
                    }
                }
            }
            self.restore_vars(shown);
            if self.env.lang.opts.xtrace && !alone {
                self.trace_simple(&assigns, &words).await;
            }
            if !words.is_empty() && assigns.iter().any(|(a, _)| a.index.is_some()) {
                // `a[0]=x cmd`: bash refuses element assignments for a command.
                let mut kept = Vec::with_capacity(assigns.len());
                for (a, v) in assigns {
                    match &a.index {
                        Some(i) => {
                            let msg =
                                format!("corral: `{}[{}]': not a valid identifier", a.name, i.raw);
                            self.fail(&msg);
                        }
                        None => kept.push((a, v)),
                    }
                }
                assigns = kept;
            }
            let Some(name) = words.first().cloned() else {
                for (a, v) in assigns {
                    if let Err(status) = self.assign(a, v) {
                        return status;
                    }
                }
                // Redirections alone still open (and create) their files.
                if !s.redirects.is_empty() {
                    let mut fds = match self.fds.try_clone() {
                        Ok(f) => f,
                        Err(e) => return self.fail_io(&e),
                    };
                    if let Err(status) = Box::pin(self.redirect(&s.redirects, &mut fds)).await {
                        return status;
                    }
                }
                return self.subst_status.take().unwrap_or(0);
            };
            let special = self.env.lang.opts.posix && super::options::is_special_builtin(&name);
            if let Some(def) = self
                .env
                .lang
                .functions
                .get(&name)
                .cloned()
                .filter(|_| !special)
            {
                if self.wants_foreground_job() {
                    let cmd = s.clone();
                    let text =
                        crate::lang::print::command(&crate::lang::ast::Command::Simple(s.clone()));
                    return Box::pin(self.foreground_job(text, move |mut sub| {
                        Box::pin(async move {
                            let status = sub.run_expanded(&cmd, words).await;
                            (sub, status)
                        })
                    }))
                    .await;
                }
                return self.call_function(&def, words, assigns, &s.redirects).await;
            }
            if name.starts_with('%') && builtins::lookup(&name).is_none() {
                // `%N` alone is `fg %N` (bash).
                let mut fg = vec!["fg".to_string()];
                fg.extend(words);
                return Box::pin(self.run_builtin(fg, assigns, &s.redirects)).await;
            }
            if name == "exec" && (words.len() == 1 || (words.len() == 2 && words[1] == "--")) {
                // `exec 3>f`: the redirections stay for the rest of the shell.
                let mut fds = std::mem::replace(&mut self.fds, Fds::inherit());
                let r = Box::pin(self.redirect(&s.redirects, &mut fds)).await;
                self.fds = fds;
                return r.err().unwrap_or(0);
            }
            let program = use_program(&self.env, &name, &words[1..], false);
            if builtins::lookup(&name).is_some() && !program {
                return self.run_builtin(words, assigns, &s.redirects).await;
            }
            self.run_external(s, words, assigns).await
        }
    }

    /// Abandons the rest of the top-level command after a failed assignment
    /// (bash's discard); under `set -e` outside a condition the shell exits.
    pub(crate) fn discard(&mut self, status: i32) {
        if self.env.lang.opts.errexit && self.env.lang.cond_depth == 0 {
            self.exit_status = Some(status);
        } else {
            self.flow = Some(super::Flow::Discard);
        }
    }

    /// Puts back variables saved before temporary assignments (the last
    /// saved first: `a=1 a=2 cmd` restores the oldest).
    pub(crate) fn restore_vars(&mut self, saved: Vec<(String, Option<super::Var>)>) {
        for (name, old) in saved.into_iter().rev() {
            match old {
                Some(v) => *self.env.vars.entry(&name) = v,
                None => {
                    let _ = self.env.vars.unset(&name);
                }
            }
        }
    }

    /// Runs already expanded words with the shell's descriptors (`command`,
    /// `exec`, `builtin`): a function unless `skip_functions`, a builtin, or a program.
    pub(crate) fn run_argv(&mut self, words: Vec<String>, skip_functions: bool) -> BoxFut<'_, i32> {
        Box::pin(async move {
            let Some(name) = words.first().cloned() else {
                return 0;
            };
            if !skip_functions {
                if let Some(def) = self.env.lang.functions.get(&name).cloned() {
                    return self.call_function(&def, words, Vec::new(), &[]).await;
                }
            }
            if builtins::lookup(&name).is_some()
                && !use_program(&self.env, &name, &words[1..], false)
            {
                return self.run_builtin(words, Vec::new(), &[]).await;
            }
            let fds = match self.fds.try_clone() {
                Ok(f) => f,
                Err(e) => return self.fail_io(&e),
            };
            let text = words.join(" ");
            self.run_program_or_script(&text, words, Vec::new(), fds)
                .await
        })
    }

    /// A builtin with its redirections and temporary assignments.
    async fn run_builtin(
        &mut self,
        words: Vec<String>,
        assigns: Vec<(&Assignment, Value)>,
        redirects: &[crate::lang::ast::Redirect],
    ) -> i32 {
        let undo = match Box::pin(self.push_redirects(redirects)).await {
            Ok(u) => u,
            Err(status) => return status,
        };
        let mut streams = match self.fds.std.try_clone() {
            Ok(s) => s,
            Err(e) => {
                self.pop_redirects(undo);
                return self.fail_io(&e);
            }
        };
        // POSIX: what assignments before a special builtin leave set stays
        // after it (bash also exports it; one the builtin unset is gone).
        let persist: Vec<String> =
            if self.env.lang.opts.posix && super::options::is_special_builtin(&words[0]) {
                assigns.iter().map(|(a, _)| a.name.clone()).collect()
            } else {
                Vec::new()
            };
        let saved_vars = self.temporary_assignments(assigns);
        let self_kill = if words[0] == "kill" && !self.env.lang.opts.interactive {
            self_kill_signal(&words)
        } else {
            None
        };
        if self_kill.is_some() {
            super::SELF_KILL.store(true, std::sync::atomic::Ordering::Release);
        }
        let name = words[0].clone();
        let status = if words[0] == "fg" || !self.interactive {
            // fg passes Ctrl-C/Ctrl-Z on to the job itself; a script has no
            // Ctrl-C to watch for here.
            builtins::run(self, words, &mut streams).await
        } else {
            // Ctrl-C reaches the shell itself while a builtin runs.
            let interrupt = Arc::clone(&self.interrupt);
            let notified = interrupt.notified();
            tokio::select! {
                s = builtins::run(self, words, &mut streams) => s,
                () = notified, if self.interactive => {
                    self.interrupted = true;
                    eprintln!();
                    130
                }
            }
        };
        if builtins::STDOUT_BROKEN.swap(false, std::sync::atomic::Ordering::AcqRel) {
            let line = format!("{}{name}: write error: Broken pipe", self.err_prefix());
            streams.err_line(&line).await;
        }
        let errno = builtins::WRITE_ERROR.swap(0, std::sync::atomic::Ordering::AcqRel);
        if errno != 0 {
            let e = std::io::Error::from_raw_os_error(errno);
            let line = format!(
                "{}{name}: write error: {}",
                self.err_prefix(),
                crate::io::os_message(&e)
            );
            streams.err_line(&line).await;
        }
        drop(streams);
        let kept: Vec<(String, Value)> = persist
            .into_iter()
            .filter_map(|n| {
                let v = self.env.vars.var(&n)?.value.clone()?;
                Some((n, v))
            })
            .collect();
        if saved_vars {
            self.env.vars.pop_frame();
        }
        for (name, value) in kept {
            if self.env.vars.assign(&name, value).is_ok() {
                self.env.vars.export(&name, None);
            }
        }
        self.pop_redirects(undo);
        if let Some(sig) = self_kill {
            if status == 0 {
                Box::pin(self.die_of(sig)).await;
            }
            super::SELF_KILL.store(false, std::sync::atomic::Ordering::Release);
        }
        status
    }

    /// A script that signalled itself (`kill $$`) dies of it at once, as bash
    /// does, unless the signal does not kill (CHLD, WINCH…) or stops it (then
    /// it went on when continued), or is trapped or ignored.
    async fn die_of(&mut self, sig: i32) {
        if self.on_self_signal(sig).await {
            return;
        }
        // A subshell here shares the process: its own table decides.
        if let Ok(name) = corral_kernel::Signal::from_number(sig).map(|s| s.name()) {
            if self
                .env
                .lang
                .traps
                .contains_key(name.trim_start_matches("SIG"))
            {
                self.run_trap(name.trim_start_matches("SIG"), 0).await;
                return;
            }
        }
        if !super::traps::harmless(sig) {
            self.die_of_signal(sig, 0).await;
        }
    }
}

/// The signal `kill ARGS` sends when a target is this shell itself (`$$`,
/// `0`, or its own process group).
fn self_kill_signal(words: &[String]) -> Option<i32> {
    let me = std::process::id().to_string();
    let group = format!("-{}", crate::sys::own_pgrp());
    let mut sig = libc::SIGTERM;
    let mut args = words[1..].iter().peekable();
    let mut hit = false;
    let mut options = true;
    while let Some(a) = args.next() {
        if options && a.starts_with('-') && a.len() > 1 && a != &group {
            match a.as_str() {
                "--" => options = false,
                "-s" | "-n" => {
                    let spec = args.next()?;
                    sig = corral_kernel::Signal::parse(spec).ok()?.number();
                }
                "-l" | "-L" => return None,
                flag => sig = corral_kernel::Signal::parse(&flag[1..]).ok()?.number(),
            }
            continue;
        }
        options = false;
        hit |= *a == me || a == "0" || *a == group;
    }
    hit.then_some(sig)
}
