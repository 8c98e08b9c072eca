//! `wait [-fn] [-p VAR] [ID ...]` and how it reports the jobs it reaped.
//!
//! Waiting is on the kernel's jobs; reporting is the shell's: an
//! interactive shell queues the notices for the prompt, a script prints
//! what bash prints once it has reaped a job (a death by signal) on wait's
//! stderr. The jobs waited for are reported and leave `jobs` (bash).
//! Before `wait` returns, what the jobs wrote so far is passed through to
//! the shell's output (scripts), so it comes before the next command's.

use corral_kernel::Pid;

use super::super::complain;
use super::super::getopts::{BuiltinOpt, BuiltinOpts};
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::io::Streams;
use crate::jobs::{JobNum, Snapshot};
use crate::shell::Shell;

const USAGE: &str = "wait: usage: wait [-fn] [-p var] [id ...]";

/// What the options asked for.
struct WaitOpts {
    /// `-n`: the next job to finish.
    any: bool,
    /// `-p VAR`: the waited job's id goes there.
    var: Option<String>,
    targets: Vec<String>,
}

pub(in crate::builtins) fn wait<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = format!("{}wait: ", shell.err_prefix());
        let mut opts = WaitOpts {
            any: false,
            var: None,
            targets: Vec::new(),
        };
        let mut scan = BuiltinOpts::new(&args, "fnp:");
        for o in scan.by_ref() {
            match o {
                Ok(BuiltinOpt { letter: 'n', .. }) => opts.any = true,
                Ok(BuiltinOpt {
                    letter: 'p', value, ..
                }) => opts.var = value,
                // Always waits for the end, even with job control on.
                Ok(_) => {}
                Err(e) => return e.report(io, &prefix, USAGE).await,
            }
        }
        opts.targets = scan.rest().to_vec();
        if let Some(var) = &opts.var {
            if !crate::interp::valid_name(var) {
                io.err_line(&format!("{prefix}`{var}': not a valid identifier"))
                    .await;
                return 1;
            }
            let _ = shell.env.vars.unset(var);
        }
        let var = opts.var.clone();
        // A trapped signal ends the wait at once with 128+N; its trap runs next.
        let (status, waited) = if shell.env.lang.subshell == 0 {
            tokio::select! {
                r = wait_jobs(shell, opts, io) => r,
                sig = crate::interp::traps::interrupted() => (128 + sig, None),
            }
        } else {
            wait_jobs(shell, opts, io).await
        };
        if let (Some(var), Some(id)) = (var, waited) {
            if let Err(e) = shell.env.vars.assign(&var, Value::Scalar(id)) {
                complain(shell, io, &e.to_string()).await;
            }
        }
        // What the jobs printed (passed through in scripts) comes first.
        shell.settle_passthrough().await;
        status
    })
}

/// Waits as `opts` asks; returns the status and the id (`$!`'s form) of
/// the job whose status it is, for `-p`.
fn wait_jobs<'a>(
    shell: &'a mut Shell,
    opts: WaitOpts,
    io: &'a mut Streams,
) -> BoxFut<'a, (i32, Option<String>)> {
    Box::pin(async move {
        let snap = shell.look_at_jobs();
        let mut ids = Vec::new();
        let mut status = 0;
        for t in &opts.targets {
            match resolve_wait_target(shell, &snap, t) {
                Ok(id) => ids.push(id),
                Err((msg, s)) => {
                    complain(shell, io, &msg).await;
                    status = s;
                }
            }
        }
        if !opts.targets.is_empty() && ids.is_empty() {
            return (status, None);
        }
        if opts.any {
            return wait_any(shell, ids, &snap, io).await;
        }
        if ids.is_empty() {
            let all: Vec<JobNum> = shell.jobs.iter().map(|e| e.id).collect();
            for n in all {
                if let Some(job) = shell.kernel_job(n) {
                    job.wait().await;
                }
            }
            report_waited(shell, io).await;
            // The jobs it waited for leave `jobs` (bash).
            let finished: Vec<JobNum> = shell.jobs.iter().map(|e| e.id).collect();
            let snap = shell.job_snapshot();
            for n in finished {
                if shell.jobs.state(n, &snap).is_some_and(|s| s.is_finished()) {
                    shell.jobs.mark_notified(n);
                }
            }
            return (0, None);
        }
        let mut last = None;
        for n in ids {
            status = match shell.kernel_job(n) {
                Some(job) => {
                    let info = job.wait().await;
                    last = Some(job_id(&job, n));
                    report_waited(shell, io).await;
                    shell.jobs.mark_notified(n);
                    info.state.exit_status().unwrap_or(0)
                }
                None => 127,
            };
        }
        (status, last)
    })
}

/// `wait -n`: the first of `ids` (all jobs when empty) to finish; one that
/// finished and was not reported yet is the one (bash).
async fn wait_any(
    shell: &mut Shell,
    mut ids: Vec<JobNum>,
    snap: &Snapshot,
    io: &mut Streams,
) -> (i32, Option<String>) {
    if ids.is_empty() {
        ids = shell.jobs.iter().map(|e| e.id).collect();
    }
    let done = ids.iter().copied().find(|&n| {
        shell.jobs.get(n).is_some_and(|e| !e.notified)
            && shell.jobs.state(n, snap).is_some_and(|s| s.is_finished())
    });
    if let Some(n) = done {
        let job = shell.kernel_job(n);
        let status = job
            .as_ref()
            .and_then(|j| j.state().exit_status())
            .unwrap_or(0);
        let id = job.map(|j| job_id(&j, n));
        report_reaped(shell, n, io).await;
        return (status, id);
    }
    let kernel_ids: Vec<_> = ids
        .iter()
        .filter(|&&n| shell.jobs.state(n, snap).is_some_and(|s| !s.is_finished()))
        .filter_map(|&n| shell.kernel_job(n))
        .map(|j| j.id())
        .collect();
    match shell.env.kernel.wait_any(&kernel_ids).await {
        Ok(info) => {
            let mut id = None;
            if let Some(n) = info.number.map(JobNum) {
                id = shell.kernel_job(n).map(|j| job_id(&j, n));
                report_reaped(shell, n, io).await;
            }
            (info.state.exit_status().unwrap_or(0), id)
        }
        Err(_) => (127, None),
    }
}

/// A job's id as `$!` gives it: its last process's pid, or `%N`.
fn job_id(job: &corral_kernel::Job, n: JobNum) -> String {
    match job.pids().last() {
        Some(pid) => pid.as_raw().to_string(),
        None => format!("%{}", n.0),
    }
}

/// `wait -n` reaped job `n`: an interactive shell prints its notice now
/// (with any other pending one), as bash does; a script reports what
/// [`Shell::script_notices`] says and forgets it.
async fn report_reaped(shell: &mut Shell, n: JobNum, io: &mut Streams) {
    let snap = shell.refresh_jobs();
    let lines: Vec<String> = if shell.interactive {
        shell
            .jobs
            .take_notices(&snap)
            .iter()
            .map(|n| n.text())
            .collect()
    } else {
        shell.script_notices(&snap)
    };
    for line in lines {
        io.err(line.as_bytes()).await;
    }
    shell.jobs.mark_notified(n);
}

/// After `wait` reaped jobs: an interactive shell queues their notices for
/// the prompt; a script reports them on wait's stderr as bash does.
async fn report_waited(shell: &mut Shell, io: &mut Streams) {
    if shell.interactive {
        shell.look_at_jobs();
        return;
    }
    let snap = shell.refresh_jobs();
    for line in shell.script_notices(&snap) {
        io.err(line.as_bytes()).await;
    }
}

/// A `wait` operand: a jobspec (finished jobs too, while the kernel keeps
/// them) or the pid of one of our jobs' processes.
fn resolve_wait_target(shell: &Shell, snap: &Snapshot, t: &str) -> Result<JobNum, (String, i32)> {
    if t.starts_with('%') {
        if let Ok(id) = shell.jobs.resolve_any(t, snap) {
            return Ok(id);
        }
        if let Some(Ok(n)) = t.strip_prefix('%').map(str::parse::<u64>) {
            if shell.kernel_job(JobNum(n)).is_some() {
                return Ok(JobNum(n));
            }
        }
        return Err((format!("wait: {t}: no such job"), 127));
    }
    let Some(pid) = t.parse::<i32>().ok().and_then(Pid::from_raw) else {
        return Err((format!("wait: `{t}': not a pid or valid job spec"), 1));
    };
    shell
        .env
        .kernel
        .visible_jobs()
        .into_iter()
        .find(|j| j.pids().contains(&pid))
        .and_then(|j| j.number())
        .map(JobNum)
        .ok_or((format!("wait: pid {pid} is not a child of this shell"), 127))
}
