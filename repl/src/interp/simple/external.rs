//! External programs of a simple command: building the kernel command,
//! running it as a foreground process job, and reporting spawn errors.

use std::os::fd::AsRawFd;

use corral_kernel::{Cmd, Error as KernelError, Io};
use tokio::task::JoinHandle;

use crate::exec::BoxFut;
use crate::expand::Value;
use crate::io::{os_message, Input, Output};
use crate::lang::ast::{Assignment, SimpleCommand};
use crate::redirect::{Fds, Slot};
use crate::shell::Shell;

/// An external command ready for a process spec: the command, the tasks
/// copying its output into a ring (inside a future job), and where its own
/// errors go.
pub(crate) struct Prepared {
    pub(crate) cmd: Cmd,
    pub(crate) pumps: Vec<JoinHandle<()>>,
    pub(crate) err: Output,
}

impl Shell {
    /// Runs a program as a foreground process job. Out of line (boxed): its
    /// future is large, and the builtins and functions of the same command
    /// need not carry it.
    pub(super) fn run_external<'a>(
        &'a mut self,
        s: &'a SimpleCommand,
        words: Vec<String>,
        assigns: Vec<(&'a Assignment, Value)>,
    ) -> BoxFut<'a, i32> {
        Box::pin(async move {
            let mut fds = match self.fds.try_clone() {
                Ok(f) => f,
                Err(e) => return self.fail_io(&e),
            };
            if let Err(status) = self.redirect(&s.redirects, &mut fds).await {
                return status;
            }
            let env = self.assignment_env(assigns);
            let text = crate::lang::print::command(&crate::lang::ast::Command::Simple(s.clone()));
            self.run_program_or_script(&text, words, env, fds).await
        })
    }

    /// Runs the program `words` in the foreground (its job's text `text`),
    /// or, when exec finds it has no `#!` (ENOEXEC), as a shell script.
    pub(super) async fn run_program_or_script(
        &mut self,
        text: &str,
        words: Vec<String>,
        env: Vec<(String, String)>,
        fds: Fds,
    ) -> i32 {
        let script_env = env.clone();
        // A pipeline's spawn may have left the flag set: only this spawn counts.
        self.enoexec = false;
        let status = match self.prepare_external(&words, env, &fds) {
            Ok(mut p) => {
                let spec = self.spec(text).pipe(p.cmd);
                let (status, stopped) = self.run_process(spec, &mut p.err).await;
                finish_pumps(p.pumps, stopped).await;
                status
            }
            Err(status) => status,
        };
        if std::mem::take(&mut self.enoexec) {
            return self.run_as_script(words, fds, script_env).await;
        }
        status
    }

    /// Runs an executable without `#!` as a shell script in a subshell,
    /// which starts over from the environment the program would have got
    /// (the exported variables and `env`), as bash's does.
    pub(super) async fn run_as_script(
        &mut self,
        words: Vec<String>,
        fds: Fds,
        env: Vec<(String, String)>,
    ) -> i32 {
        let hashed = (self.env.lang.hashed).file(self.env.vars.get("PATH"), &words[0]);
        let own_path = env.iter().rev().find(|(k, _)| k == "PATH");
        let path = if words[0].contains('/') {
            self.env.absolute_path(&words[0])
        } else if let Some((_, p)) = own_path {
            match crate::exec::find_in(p, &words[0]) {
                Some(p) => p,
                None => return 127,
            }
        } else if let Some(file) = hashed {
            self.env.absolute_path(file)
        } else {
            match crate::exec::find_on_path(&self.env, &words[0]) {
                Some(p) => p,
                None => return 127,
            }
        };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => return self.fail(&format!("corral: {}: {}", words[0], os_message(&e))),
        };
        let mut sub = self.subshell();
        sub.fds = fds;
        // Found on PATH, the script is named by the file found (bash).
        let name = if words[0].contains('/') {
            words[0].clone()
        } else {
            crate::rawbytes::from_path(&path).into_owned()
        };
        sub.env.arg0.clone_from(&name);
        sub.env.lang.name = name;
        sub.env.lang.positional = words[1..].to_vec();
        sub.env.lang.functions.clear();
        let mut pairs = self.env.vars.exported();
        for (k, v) in env {
            pairs.retain(|(name, _)| *name != k);
            pairs.push((k, v));
        }
        sub.env.vars = super::super::vars::Vars::from_pairs(&pairs);
        let status = crate::script::run_file(&mut sub, file).await;
        let status = sub.exit_status.unwrap_or(status);
        sub.run_exit_trap(status).await
    }

    /// Builds an external command on `fds` (its environment additions in `env`).
    pub(crate) fn prepare_external(
        &mut self,
        words: &[String],
        env: Vec<(String, String)>,
        fds: &Fds,
    ) -> Result<Prepared, i32> {
        let mut pumps = Vec::new();
        let streams = &fds.std;
        let stdin = streams.stdin.to_kernel();
        let stdout = streams.stdout.to_kernel(1, &mut pumps);
        // `2>&1` into a ring: one pipe for both keeps their order.
        let stderr = match (&streams.stdout, &streams.stderr) {
            (Output::Stream(o), Output::Stream(e)) if o.same_as(e) => Ok(Io::ToStdout),
            _ => streams.stderr.to_kernel(2, &mut pumps),
        };
        let (stdin, stdout, stderr) = match (stdin, stdout, stderr) {
            (Ok(a), Ok(b), Ok(c)) => (a, b, c),
            (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => return Err(self.fail_io(&e)),
        };
        let (args, pipes) = crate::vmount::external_args(&words[1..], &self.env.cwd);
        // `hash -p FILE NAME` runs FILE for NAME; a name run on the shell's
        // PATH is counted in `hash`'s table.
        let path = self.env.vars.get("PATH");
        let pinned = self
            .env
            .lang
            .hashed
            .pinned(path, &words[0])
            .map(str::to_owned);
        // bash runs the file it remembered for the name, even when another
        // comes first on PATH now or the file is gone (until `hash -r`).
        let mut hashed = None;
        if !env.iter().any(|(k, _)| k == "PATH") {
            self.note_program(&words[0]);
            if !words[0].contains('/') {
                hashed = (self.env.lang.hashed)
                    .file(self.env.vars.get("PATH"), &words[0])
                    .map(str::to_owned);
            }
        }
        let program = pinned.as_deref().or(hashed.as_deref()).unwrap_or(&words[0]);
        let mut c = Cmd::new(crate::rawbytes::to_os(program));
        if program != words[0] {
            // The program sees the name it was run by as its argv[0] (bash).
            c = c.arg0(crate::rawbytes::to_os(&words[0]));
        }
        let mut c = c.args(args).stdin(stdin).stdout(stdout).stderr(stderr);
        for (k, v) in env {
            c = c.env(k, crate::rawbytes::into_os(v));
        }
        // `cmd 3<f`, `exec 4>log; cmd`: the program gets 3 and up too.
        for (n, slot) in &fds.extra {
            let fd = match slot {
                Slot::In(Input::Fd(fd)) | Slot::Out(Output::Fd(fd)) => fd.try_clone(),
                _ => continue,
            };
            match fd {
                Ok(fd) => c = c.pass_fd(*n, fd),
                Err(e) => return Err(self.fail_io(&e)),
            }
        }
        for fd in pipes {
            let n = fd.as_raw_fd();
            c = c.pass_fd(n, fd);
        }
        let err = streams.stderr.try_clone().unwrap_or(Output::Stderr);
        Ok(Prepared { cmd: c, pumps, err })
    }

    /// A program name looked up on a temporary `PATH=…` (`PATH=/x cmd | …`)
    /// that is not there: reports it to the command's stderr as bash does
    /// and returns the status.
    pub(crate) async fn missing_on_temp_path(
        &mut self,
        name: &str,
        env: &[(String, String)],
        fds: &Fds,
    ) -> Option<i32> {
        let (_, path) = env.iter().find(|(k, _)| k == "PATH")?;
        if name.contains('/') || crate::exec::find_in(path, name).is_some() {
            return None;
        }
        let mut err = fds.std.stderr.try_clone().unwrap_or(Output::Stderr);
        let e = KernelError::CommandNotFound {
            command: crate::rawbytes::to_os(name),
        };
        Some(self.report_spawn_error(&e, &mut err).await)
    }

    /// Prints a spawn error as bash would, to the command's own stderr, and
    /// returns its status.
    pub(crate) async fn report_spawn_error(&mut self, e: &KernelError, err: &mut Output) -> i32 {
        let (msg, status) = match e {
            KernelError::CommandNotFound { command } => {
                let name = crate::rawbytes::from_os(command.clone());
                if name.contains('/') {
                    (format!("corral: {name}: No such file or directory"), 127)
                } else {
                    // bash quotes a name it cannot print as it is.
                    let shown = if name
                        .chars()
                        .any(|c| c.is_control() || crate::rawbytes::escaped_byte(c).is_some())
                    {
                        crate::builtins::printf::ansi_c_quote(&name)
                    } else {
                        name
                    };
                    (format!("corral: {shown}: command not found"), 127)
                }
            }
            KernelError::PermissionDenied { command } => {
                let path = std::path::Path::new(command);
                let command = crate::rawbytes::from_os(command.clone());
                let what = if path.is_dir() {
                    "Is a directory"
                } else {
                    "Permission denied"
                };
                (format!("corral: {command}: {what}"), 126)
            }
            KernelError::Spawn { source, .. } if source.raw_os_error() == Some(libc::ENOEXEC) => {
                // Not a binary nor a `#!` script: the caller runs it as a
                // shell script, as bash does.
                self.enoexec = true;
                return 126;
            }
            KernelError::Spawn { command, source } => {
                (format!("corral: {command}: {}", os_message(source)), 126)
            }
            other => (format!("corral: {other}"), 1),
        };
        let msg = match msg.strip_prefix("corral: ") {
            Some(rest) => format!("{}{rest}\n", self.err_prefix()),
            None => format!("{msg}\n"),
        };
        let _ = crate::io::write_to(err, &crate::rawbytes::decode(&msg)).await;
        status
    }
}

/// Waits until a finished command's output is in its ring (with a deadline,
/// for a pipe a leftover process keeps open, as the kernel does); a stopped
/// command's pumps go on by themselves.
pub(crate) async fn finish_pumps(pumps: Vec<JoinHandle<()>>, stopped: bool) {
    if stopped || pumps.is_empty() {
        return;
    }
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_millis(100);
    for mut p in pumps {
        if tokio::time::timeout_at(deadline, &mut p).await.is_err() {
            p.abort();
        }
    }
}
