//! The shell as the expander sees it ([`ExpandEnv`]), command substitution,
//! subshell copies, and the `EXIT` trap.

use std::path::Path;
use std::sync::Arc;

use crate::expand::{BoxFuture, ExpandEnv, ExpandOption, SubstError, Value};
use crate::io::Output;
use crate::lang::ast::Program;
use crate::redirect::Fds;
use crate::shell::Shell;

impl ExpandEnv for Shell {
    fn value(&self, name: &str) -> Option<Value> {
        super::vars::special_value(self, name)
    }

    fn assign(&mut self, name: &str, index: Option<i64>, value: String) -> Result<(), String> {
        self.note_write(name);
        let r = match index {
            Some(i) => {
                let i = self
                    .env
                    .vars
                    .element_at(name, i)
                    .ok_or_else(|| format!("{name}[{i}]: bad array subscript"))?;
                self.env.vars.assign_element(name, i, value)
            }
            // `a++` of an array changes its element 0 (key "0").
            None => match self.env.vars.value(name) {
                Some(Value::Indexed(_)) => self.env.vars.assign_element(name, 0, value),
                Some(Value::Assoc(_)) => self.env.vars.assign_key(name, "0", value),
                _ => self.env.vars.assign(name, Value::Scalar(value)),
            },
        };
        r.map_err(|e| e.to_string())
    }

    fn assign_key(&mut self, name: &str, key: &str, value: String) -> Result<(), String> {
        self.note_write(name);
        self.env
            .vars
            .assign_key(name, key, value)
            .map_err(|e| e.to_string())
    }

    fn nameref(&self, name: &str) -> Option<String> {
        match self.env.vars.var(name)? {
            super::Var {
                nameref: true,
                value: Some(Value::Scalar(t)),
                ..
            } => Some(t.clone()),
            _ => None,
        }
    }

    fn attributes(&self, name: &str) -> Option<String> {
        let var = self.env.vars.var(self.env.vars.resolve(name))?;
        let mut flags = String::new();
        match var.value {
            Some(Value::Indexed(_)) => flags.push('a'),
            Some(Value::Assoc(_)) => flags.push('A'),
            _ => {}
        }
        let lower = var.case == Some(super::LetterCase::Lower);
        let upper = var.case == Some(super::LetterCase::Upper);
        for (on, c) in [
            (var.integer, 'i'),
            (var.nameref, 'n'),
            (var.readonly, 'r'),
            (var.exported, 'x'),
            (lower, 'l'),
            (upper, 'u'),
        ] {
            if on {
                flags.push(c);
            }
        }
        Some(flags)
    }

    fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        self.env
            .vars
            .all()
            .into_iter()
            .filter(|(name, var)| name.starts_with(prefix) && var.value.is_some())
            .map(|(name, _)| name.to_string())
            .collect()
    }

    fn warn(&mut self, msg: &str) {
        self.fail(&format!("corral: {msg}"));
    }

    fn job_count(&self) -> usize {
        self.jobs.len()
    }

    fn positional(&self) -> &[String] {
        &self.env.lang.positional
    }

    fn arg0(&self) -> &str {
        &self.env.arg0
    }

    fn last_status(&self) -> i32 {
        self.env.last_status
    }

    fn shell_pid(&self) -> u32 {
        std::process::id()
    }

    fn last_background(&self) -> Option<String> {
        self.env.last_bg.clone()
    }

    fn flags(&self) -> String {
        self.env.lang.opts.flags()
    }

    fn option(&self, option: ExpandOption) -> bool {
        match option {
            ExpandOption::NoUnset => self.env.lang.opts.nounset,
            ExpandOption::NoGlob => self.env.lang.opts.noglob,
            ExpandOption::NullGlob => self.env.lang.shopt.get("nullglob"),
            ExpandOption::FailGlob => self.env.lang.shopt.get("failglob"),
            ExpandOption::DotGlob => self.env.lang.shopt.get("dotglob"),
            ExpandOption::NoCaseGlob => self.env.lang.shopt.get("nocaseglob"),
            ExpandOption::ExtGlob => self.env.lang.shopt.get("extglob"),
            ExpandOption::NoCaseMatch => self.env.lang.shopt.get("nocasematch"),
            ExpandOption::GlobStar => self.env.lang.shopt.get("globstar"),
            ExpandOption::GlobDots => !self.env.lang.shopt.get("globskipdots"),
            ExpandOption::NoBraceExpand => !self.env.lang.opts.braceexpand,
        }
    }

    fn cwd(&self) -> &Path {
        &self.env.cwd
    }

    fn process_substitution<'a>(
        &'a mut self,
        program: &'a Program,
        read: bool,
    ) -> BoxFuture<'a, Result<String, SubstError>> {
        Box::pin(async move {
            use std::os::fd::{AsFd, AsRawFd};
            let (r, w) = crate::sys::pipe().map_err(|e| SubstError::Failed(e.to_string()))?;
            // The command's end stays open in the shell as descriptor N
            // (programs get it as N too) until the command is done.
            let (ours, theirs) = if read { (r, w) } else { (w, r) };
            // Its number is also its slot in the shell's table: above 9 (the
            // script's) and above the slots taken there.
            let mut ours = crate::sys::dup_from(ours.as_fd(), 10)
                .map_err(|e| SubstError::Failed(e.to_string()))?;
            let mut spare = Vec::new();
            while self.fds.extra.contains_key(&ours.as_raw_fd()) {
                let next = crate::sys::dup_from(ours.as_fd(), ours.as_raw_fd() + 1)
                    .map_err(|e| SubstError::Failed(e.to_string()))?;
                spare.push(std::mem::replace(&mut ours, next));
            }
            drop(spare);
            let n = ours.as_raw_fd();
            let mut sub = self.subshell();
            for fd in &self.env.lang.proc_fds {
                sub.fds.extra.remove(fd);
            }
            if read {
                sub.fds.std.stdout = Output::Fd(theirs);
            } else {
                sub.fds.std.stdin = crate::io::Input::Fd(theirs);
            }
            let program = program.clone();
            let task = tokio::spawn(async move {
                let status = sub.run_program(&program).await;
                let status = sub.exit_status.unwrap_or(status);
                sub.run_exit_trap(status).await;
            });
            self.keep_procsub(task);
            let slot = if read {
                crate::redirect::Slot::In(crate::io::Input::Fd(ours))
            } else {
                crate::redirect::Slot::Out(Output::Fd(ours))
            };
            self.fds.extra.insert(n, slot);
            self.env.lang.proc_fds.push(n);
            Ok(format!("/dev/fd/{n}"))
        })
    }

    fn command_substitution<'a>(
        &'a mut self,
        program: &'a Program,
    ) -> BoxFuture<'a, Result<String, SubstError>> {
        Box::pin(async move {
            use tokio::io::AsyncReadExt;
            if let Some(r) = lone_input_redirect(program) {
                // `$(< file)`: the file's contents, with no command run.
                let mut sub = self.subshell();
                let (out, status) = match sub.fds.try_clone() {
                    Err(e) => (Vec::new(), sub.fail_io(&e)),
                    Ok(mut fds) => match sub.redirect(std::slice::from_ref(r), &mut fds).await {
                        Err(status) => (Vec::new(), status),
                        Ok(()) => match fds.std.stdin.read_all().await {
                            Ok(out) => (out, 0),
                            Err(e) => (Vec::new(), sub.fail_io(&e)),
                        },
                    },
                };
                drop(sub);
                return self.substituted(out, status);
            }
            let (r, w) = crate::sys::pipe().map_err(|e| SubstError::Failed(e.to_string()))?;
            let mut rx = tokio::net::unix::pipe::Receiver::from_owned_fd(r)
                .map_err(|e| SubstError::Failed(e.to_string()))?;
            let reader = tokio::spawn(async move {
                let mut buf = Vec::new();
                let _ = rx.read_to_end(&mut buf).await;
                buf
            });
            let mut sub = self.subshell();
            sub.fds.std.stdout = Output::Fd(w);
            sub.env.lang.trace_depth += 1;
            // bash outside POSIX mode: `set -e` does not reach into `$(…)`.
            if !sub.env.lang.shopt.get("inherit_errexit") {
                sub.env.lang.opts.errexit = false;
            }
            let status = sub.run_program(program).await;
            let status = sub.exit_status.unwrap_or(status);
            let status = sub.run_exit_trap(status).await;
            self.interrupted |= sub.interrupted;
            drop(sub);
            let out = reader.await.unwrap_or_default();
            self.substituted(out, status)
        })
    }
}

/// The `< file` of a substitution that is nothing else (`$(< file)`).
fn lone_input_redirect(program: &Program) -> Option<&crate::lang::ast::Redirect> {
    use crate::lang::ast::{Command, RedirectKind};
    let [item] = program.body.items.as_slice() else {
        return None;
    };
    let p = &item.and_or.first;
    if item.background || !item.and_or.rest.is_empty() || p.bang || p.timed.is_some() {
        return None;
    }
    let [Command::Simple(c)] = p.commands.as_slice() else {
        return None;
    };
    let [r] = c.redirects.as_slice() else {
        return None;
    };
    let plain = c.words.is_empty() && c.assignments.is_empty();
    (plain && matches!(r.kind, RedirectKind::Read(_)) && r.target_fd() == 0).then_some(r)
}

impl Shell {
    /// A substitution's output and status, as the expansion takes them.
    fn substituted(&mut self, mut out: Vec<u8>, status: i32) -> Result<String, SubstError> {
        {
            if out.contains(&0) {
                // bash's strings end at a NUL: it drops them, with a warning.
                out.retain(|&b| b != 0);
                let msg = "warning: command substitution: ignored null byte in input\n";
                self.write_err(&format!("{}{msg}", self.err_prefix()));
            }
            self.env.last_status = status;
            self.subst_status = Some(status);
            if self.interrupted {
                return Err(SubstError::Exiting);
            }
            Ok(crate::rawbytes::encode_vec(out))
        }
    }
}

impl Shell {
    /// Evaluates arithmetic text (already expanded) over the shell's variables.
    ///
    /// # Errors
    /// bash's message (`1/0: division by 0`).
    pub(crate) fn arith_text(&mut self, text: &str) -> Result<i64, String> {
        struct V<'s>(&'s mut Shell);
        impl crate::lang::arith::Vars for V<'_> {
            fn get(&self, name: &str, index: Option<i64>) -> Option<String> {
                match (self.0.value(name)?, index) {
                    (Value::Scalar(s), None | Some(0)) => Some(s),
                    (Value::Scalar(_), _) => None,
                    (Value::Indexed(items), i) => {
                        let n = i.unwrap_or(0);
                        let Some(i) = self.0.env.vars.element_at(name, n) else {
                            if n < 0 {
                                // Before the first element (bash).
                                let p = self.0.err_prefix();
                                self.0
                                    .write_err(&format!("{p}{name}: bad array subscript\n"));
                            }
                            return None;
                        };
                        items.into_iter().find(|(k, _)| *k == i).map(|(_, v)| v)
                    }
                    (Value::Assoc(items), i) => {
                        let key = i.unwrap_or(0).to_string();
                        items.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
                    }
                }
            }
            fn set(&mut self, name: &str, index: Option<i64>, value: i64) {
                let _ = ExpandEnv::assign(self.0, name, index, value.to_string());
            }
            fn is_assoc(&self, name: &str) -> bool {
                matches!(self.0.env.vars.value(name), Some(Value::Assoc(_)))
            }
            fn get_key(&self, name: &str, key: &str) -> Option<String> {
                match self.0.env.vars.value(name)? {
                    Value::Assoc(items) => {
                        items.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
                    }
                    _ => None,
                }
            }
            fn set_key(&mut self, name: &str, key: &str, value: i64) {
                let _ = ExpandEnv::assign_key(self.0, name, key, value.to_string());
            }
        }
        let unquoted = crate::expand::unquote_subscripts(text);
        crate::lang::arith::eval(&unquoted, &mut V(self))
            .map_err(|e| crate::expand::arith::error(text, e).to_string())
    }

    /// A copy of the shell for a subshell: same variables, functions, cwd
    /// and descriptors; no job control, no traps but ignored signals.
    pub(crate) fn subshell(&self) -> Shell {
        let mut env = self.env.clone();
        // Ignored signals stay ignored in a subshell; other traps reset.
        env.lang.inherited_traps = Some(
            self.env
                .lang
                .inherited_traps
                .clone()
                .unwrap_or_else(|| self.env.lang.traps.clone()),
        );
        env.lang.keep_for_subshell();
        env.lang.subshell += 1;
        Shell {
            env,
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
            fds: self.fds.try_clone().unwrap_or_else(|_| Fds::inherit()),
            flow: None,
            passthrough: Vec::new(),
            passthrough_sink: None,
            future: self.future.clone(),
            budget: 0,
            subst_status: None,
            member_statuses: Vec::new(),
            member_writes: None,
            procsubs: Arc::clone(&self.procsubs),
            enoexec: false,
            sigint: Arc::clone(&self.sigint),
            fg_pgid: Arc::clone(&self.fg_pgid),
        }
    }

    /// Runs the `EXIT` trap, once; returns the shell's exit status (which an
    /// `exit` in the trap changes).
    pub async fn run_exit_trap(&mut self, status: i32) -> i32 {
        let Some(action) = self.env.lang.traps.remove("EXIT") else {
            return status;
        };
        self.exit_status = None;
        self.flow = None;
        self.env.last_status = status;
        self.env.lang.line_base = 0;
        if let Ok(p) = crate::lang::parse(&action) {
            self.run_program(&p).await;
        }
        self.exit_status.take().unwrap_or(status)
    }
}
