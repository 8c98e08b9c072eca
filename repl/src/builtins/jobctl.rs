//! jobs, fg, bg, kill, wait, disown.

use corral_kernel::{Error as KernelError, JobState, Pid, Signal};

use crate::jobs::JobNum;

use super::{complain, out};
use crate::exec::BoxFut;
use crate::io::{os_message, Streams};
use crate::jobs::{format, signals, ListFormat, Snapshot, StateFilter};
use crate::shell::Shell;

/// fg and bg need an interactive shell on a terminal (else status 1, as
/// bash); the job table is brought up to date first, from the returned snapshot.
async fn job_control(shell: &mut Shell, io: &mut Streams, builtin: &str) -> Result<Snapshot, i32> {
    if !(shell.interactive && shell.terminal.is_some()) {
        complain(shell, io, &format!("{builtin}: no job control")).await;
        return Err(1);
    }
    Ok(shell.look_at_jobs())
}

pub(super) fn jobs<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = shell.look_at_jobs();
        let (mut long, mut pids_only, mut running, mut stopped) = (false, false, false, false);
        // `-S`/`--supervise` (corral's): each job's line plus its supervision.
        let mut supervise = false;
        let mut specs = Vec::new();
        for a in &args[1..] {
            if a == "--supervise" {
                supervise = true;
                continue;
            }
            match a.strip_prefix('-') {
                Some(flags) if !flags.is_empty() && !a.starts_with("--") => {
                    for c in flags.chars() {
                        match c {
                            'l' => long = true,
                            'p' => pids_only = true,
                            'r' => running = true,
                            's' => stopped = true,
                            'S' => supervise = true,
                            other => {
                                complain(shell, io, &format!("jobs: -{other}: invalid option"))
                                    .await;
                                io.err_line("jobs: usage: jobs [-lprsS] [jobspec ...]")
                                    .await;
                                return 2;
                            }
                        }
                    }
                }
                _ => specs.push(a.clone()),
            }
        }
        let format = if pids_only {
            ListFormat::Pids
        } else if long {
            ListFormat::Long
        } else {
            ListFormat::Standard
        };
        let filter = match (running, stopped) {
            (true, false) => StateFilter::Running,
            (false, true) => StateFilter::Stopped,
            _ => StateFilter::Any,
        };
        if supervise && !pids_only {
            return jobs_supervised(shell, io, &snap, &specs, format, filter).await;
        }
        let mut status = 0;
        let mut lines = Vec::new();
        if specs.is_empty() {
            lines = shell.jobs.list(&snap, format, filter);
        } else {
            for s in &specs {
                match shell.jobs.resolve(s, &snap) {
                    Ok(id) => lines.extend(shell.jobs.list_one(id, &snap, format)),
                    Err(e) => {
                        for m in e.messages("jobs") {
                            complain(shell, io, &m).await;
                        }
                        status = 1;
                    }
                }
            }
        }
        let mut text = String::new();
        for l in lines {
            text.push_str(&l);
            text.push('\n');
        }
        match out(io, &text).await {
            Ok(()) => status,
            Err(s) => s,
        }
    })
}

/// `jobs -S`: each job's `jobs` (or `jobs -l`) text, then its supervision
/// line from the kernel's info.
async fn jobs_supervised(
    shell: &mut Shell,
    io: &mut Streams,
    snap: &Snapshot,
    specs: &[String],
    format: ListFormat,
    filter: StateFilter,
) -> i32 {
    let mut status = 0;
    let mut ids = Vec::new();
    if specs.is_empty() {
        for e in shell.jobs.iter() {
            let state = shell.jobs.state(e.id, snap);
            let wanted = match filter {
                StateFilter::Any => true,
                StateFilter::Running => state == Some(JobState::Running),
                StateFilter::Stopped => state.is_some_and(JobState::is_stopped),
            };
            if wanted {
                ids.push(e.id);
            }
        }
    } else {
        for s in specs {
            match shell.jobs.resolve(s, snap) {
                Ok(id) => ids.push(id),
                Err(e) => {
                    for m in e.messages("jobs") {
                        complain(shell, io, &m).await;
                    }
                    status = 1;
                }
            }
        }
    }
    let mut text = String::new();
    for id in ids {
        let Some(line) = shell.jobs.list_one(id, snap, format) else {
            continue;
        };
        text.push_str(&line);
        text.push('\n');
        if let Some(job) = shell.env.kernel.job_by_number(id.0) {
            text.push_str(&format::supervision_line(&job.info()));
            text.push('\n');
        }
    }
    match out(io, &text).await {
        Ok(()) => status,
        Err(s) => s,
    }
}

pub(super) fn fg<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = match job_control(shell, io, "fg").await {
            Ok(snap) => snap,
            Err(status) => return status,
        };
        let resolved = match args.get(1) {
            Some(spec) => shell.jobs.resolve(spec, &snap),
            None => shell.jobs.resolve_current(),
        };
        let id = match resolved {
            Ok(id) => id,
            Err(e) => {
                complain(shell, io, &e.message("fg")).await;
                return e.status("fg");
            }
        };
        if let Err(e) = shell.jobs.can_resume(id, &snap, true) {
            complain(shell, io, &e.message("fg")).await;
            return e.status();
        }
        let job = match shell.kernel_job(id) {
            Some(j) if !j.state().is_finished() => j,
            _ => {
                complain(shell, io, "fg: job has terminated").await;
                shell.jobs.mark_notified(id);
                return 1;
            }
        };
        let line = snap
            .get(id)
            .map(format::fg_line)
            .unwrap_or_else(|| job.command().to_string());
        let _ = out(io, &format!("{line}\n")).await;
        let before = job.state();
        shell.jobs.set_foreground(id, &snap);
        if let (Some(t), Some(modes)) = (&shell.terminal, shell.job_modes.remove(&id)) {
            t.set_modes(&modes);
        }
        if let (Some(t), Some(pgid)) = (&shell.terminal, job.pgid()) {
            // A job whose stdout is a pty reads its size there.
            if let Some((rows, cols)) = t.size() {
                let _ = job.set_window_size(rows, cols);
            }
            let _ = t.give_to(pgid.as_raw());
        }
        let _ = job.signal(Signal::CONT);
        let resumed_from = before.is_stopped().then_some(before);
        let status = shell.wait_foreground(job.clone(), resumed_from).await;
        if job.state().is_finished() {
            shell.refresh_jobs();
            shell.jobs.mark_notified(id);
        }
        status
    })
}

pub(super) fn bg<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = match job_control(shell, io, "bg").await {
            Ok(snap) => snap,
            Err(status) => return status,
        };
        let specs: Vec<Option<String>> = if args.len() > 1 {
            args[1..].iter().cloned().map(Some).collect()
        } else {
            vec![None]
        };
        let mut status = 0;
        for spec in specs {
            let resolved = match &spec {
                Some(s) => shell.jobs.resolve(s, &snap),
                None => shell.jobs.resolve_current(),
            };
            let id = match resolved {
                Ok(id) => id,
                Err(e) => {
                    complain(shell, io, &e.message("bg")).await;
                    status = e.status("bg");
                    continue;
                }
            };
            if let Err(e) = shell.jobs.can_resume(id, &snap, false) {
                complain(shell, io, &e.message("bg")).await;
                if e.status() != 0 {
                    status = e.status();
                }
                continue;
            }
            if let Some(line) = shell.jobs.set_background(id, &snap) {
                let _ = out(io, &format!("{line}\n")).await;
            }
            shell.job_modes.remove(&id);
            let sent = match shell.kernel_job(id) {
                Some(job) => job.signal(Signal::CONT),
                None => Err(KernelError::NoJobs),
            };
            if let Err(e) = sent {
                complain(shell, io, &format!("bg: {e}")).await;
                status = 1;
            }
        }
        status
    })
}

const KILL_USAGE: &str =
    "kill: usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ... or kill -l [sigspec]";

pub(super) fn kill<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut rest = &args[1..];
        if rest.is_empty() {
            io.err_line(KILL_USAGE).await;
            return 2;
        }
        let mut sig = libc::SIGTERM;
        let bad = |spec: &str| format!("kill: {spec}: invalid signal specification");
        match rest[0].as_str() {
            "-l" | "-L" => {
                if rest.len() == 1 {
                    return out(io, &format::kill_list()).await.err().unwrap_or(0);
                }
                let mut status = 0;
                let mut text = String::new();
                for a in &rest[1..] {
                    match format::kill_l_arg(a) {
                        Ok(s) if s.is_empty() => {}
                        Ok(s) => {
                            text.push_str(&s);
                            text.push('\n');
                        }
                        Err(msg) => {
                            complain(shell, io, &msg).await;
                            status = 1;
                        }
                    }
                }
                return match out(io, &text).await {
                    Ok(()) => status,
                    Err(s) => s,
                };
            }
            "-s" | "-n" => {
                let Some(spec) = rest.get(1) else {
                    let msg = format!("kill: {}: option requires an argument", rest[0]);
                    complain(shell, io, &msg).await;
                    return 1;
                };
                match signals::kill_signal(spec) {
                    Some(n) => sig = n,
                    None => {
                        complain(shell, io, &bad(spec)).await;
                        return 1;
                    }
                }
                rest = &rest[2..];
            }
            "--" => rest = &rest[1..],
            first if first.starts_with('-') && first.len() > 1 => {
                let spec = &first[1..];
                match signals::kill_signal(spec) {
                    Some(n) => sig = n,
                    None => {
                        complain(shell, io, &bad(spec)).await;
                        return 1;
                    }
                }
                rest = &rest[1..];
            }
            _ => {}
        }
        // `kill -s SIG -- -PGID`: the end of options may follow the signal.
        if rest.first().is_some_and(|a| a == "--") && rest.len() + 1 < args.len() {
            rest = &rest[1..];
        }
        if rest.is_empty() {
            io.err_line(KILL_USAGE).await;
            return 2;
        }
        let snap = shell.look_at_jobs();
        let mut status = 0;
        for target in rest {
            if let Err(msgs) = kill_one(shell, &snap, target, sig) {
                for m in msgs {
                    complain(shell, io, &m).await;
                }
                status = 1;
            }
        }
        status
    })
}

/// One `kill` operand; `sig` 0 only checks that the target exists.
fn kill_one(shell: &mut Shell, snap: &Snapshot, target: &str, sig: i32) -> Result<(), Vec<String>> {
    if target.starts_with('%') {
        let id = shell
            .jobs
            .resolve(target, snap)
            .map_err(|e| e.messages("kill"))?;
        let pgid = snap.get(id).and_then(|v| v.pgid).unwrap_or(0);
        let gone = || vec![format!("kill: ({pgid}) - No such process")];
        let job = shell.kernel_job(id).ok_or_else(gone)?;
        let stopped = job.state().is_stopped();
        let Ok(signal) = Signal::from_number(sig) else {
            // Signal 0: does it exist?
            return if job.state().is_finished() {
                Err(gone())
            } else {
                Ok(())
            };
        };
        match job.signal(signal) {
            Ok(()) => {}
            Err(KernelError::JobFinished(_)) | Err(KernelError::NoSuchJob(_)) => return Err(gone()),
            Err(e) => return Err(vec![format!("kill: {e}")]),
        }
        // A stopped job cannot act on TERM or HUP until it is continued (bash).
        if stopped && (signal == Signal::TERM || signal == Signal::HUP) {
            let _ = job.signal(Signal::CONT);
        }
        if signal == Signal::CONT {
            shell.jobs.set_continued(id, snap);
        }
        return Ok(());
    }
    let pid: i32 = target.parse().map_err(|_| {
        vec![format!(
            "kill: {target}: arguments must be process or job IDs"
        )]
    })?;
    let signal = Signal::from_number(sig).ok();
    // A subshell runs in this process: stopping its parent shell (`$$`)
    // would stop the subshell too, which bash's parent, a process of its
    // own, does not. The stop waits until this shell is back at its own
    // commands; a CONT before then cancels it.
    if shell.env.lang.subshell > 0 && u32::try_from(pid).ok() == Some(std::process::id()) {
        if signal == Some(Signal::STOP) {
            crate::interp::PARENT_STOP.store(true, std::sync::atomic::Ordering::Release);
            return Ok(());
        }
        if signal == Some(Signal::CONT) {
            crate::interp::PARENT_STOP.store(false, std::sync::atomic::Ordering::Release);
        }
    }
    let no_such = || std::io::Error::from_raw_os_error(libc::ESRCH);
    let sent = match pid {
        // `kill -- -PGID`: the whole group; `kill 0`: our own group.
        p if p <= 0 => {
            let group = if p == 0 {
                crate::sys::own_pgrp()
            } else {
                p.saturating_neg()
            };
            match Pid::from_raw(group) {
                Some(g) => match signal {
                    Some(s) => corral_kernel::kill_group(g, s),
                    None => corral_kernel::probe_group(g),
                },
                None => Err(no_such()),
            }
        }
        p => match Pid::from_raw(p) {
            Some(p) => match signal {
                Some(s) => corral_kernel::kill_pid(p, s),
                None => corral_kernel::probe_pid(p),
            },
            None => Err(no_such()),
        },
    };
    sent.map_err(|e| vec![format!("kill: ({pid}) - {}", os_message(&e))])
}

pub(super) fn wait<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        // A trapped signal ends the wait at once with 128+N; its trap runs next.
        let status = if shell.env.lang.subshell == 0 {
            tokio::select! {
                s = wait_jobs(shell, args, io) => s,
                sig = crate::interp::traps::interrupted() => 128 + sig,
            }
        } else {
            wait_jobs(shell, args, io).await
        };
        // What the jobs printed (passed through in scripts) comes first.
        shell.settle_passthrough().await;
        status
    })
}

fn wait_jobs<'a>(shell: &'a mut Shell, args: Vec<String>, io: &'a mut Streams) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = shell.look_at_jobs();
        let mut any = false;
        let mut targets = Vec::new();
        let mut options = true;
        for a in &args[1..] {
            match a.strip_prefix('-') {
                Some("-") if options => options = false,
                Some(flags) if options && !flags.is_empty() => {
                    for c in flags.chars() {
                        match c {
                            'n' => any = true,
                            // Always waits for the end, even with job control on.
                            'f' => {}
                            other => {
                                complain(shell, io, &format!("wait: -{other}: invalid option"))
                                    .await;
                                io.err_line("wait: usage: wait [-fn] [id ...]").await;
                                return 2;
                            }
                        }
                    }
                }
                _ => {
                    options = false;
                    targets.push(a.clone());
                }
            }
        }
        let mut ids = Vec::new();
        let mut status = 0;
        for t in &targets {
            match resolve_wait_target(shell, &snap, t) {
                Ok(id) => ids.push(id),
                Err((msg, s)) => {
                    complain(shell, io, &msg).await;
                    status = s;
                }
            }
        }
        if !targets.is_empty() && ids.is_empty() {
            return status;
        }
        if any {
            if ids.is_empty() {
                ids = shell.jobs.iter().map(|e| e.id).collect();
            }
            // A job that finished and was not reported yet is the one (bash).
            let done = ids.iter().copied().find(|&n| {
                shell.jobs.get(n).is_some_and(|e| !e.notified)
                    && shell.jobs.state(n, &snap).is_some_and(|s| s.is_finished())
            });
            if let Some(n) = done {
                let status = shell
                    .kernel_job(n)
                    .and_then(|j| j.state().exit_status())
                    .unwrap_or(0);
                report_reaped(shell, n, io).await;
                return status;
            }
            let kernel_ids: Vec<_> = ids
                .iter()
                .filter(|&&n| shell.jobs.state(n, &snap).is_some_and(|s| !s.is_finished()))
                .filter_map(|&n| shell.kernel_job(n))
                .map(|j| j.id())
                .collect();
            return match shell.env.kernel.wait_any(&kernel_ids).await {
                Ok(info) => {
                    if let Some(n) = info.number.map(JobNum) {
                        report_reaped(shell, n, io).await;
                    }
                    info.state.exit_status().unwrap_or(0)
                }
                Err(_) => 127,
            };
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
            return 0;
        }
        for n in ids {
            status = match shell.kernel_job(n) {
                Some(job) => {
                    let info = job.wait().await;
                    report_waited(shell, io).await;
                    shell.jobs.mark_notified(n);
                    info.state.exit_status().unwrap_or(0)
                }
                None => 127,
            };
        }
        status
    })
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

pub(super) fn disown<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = shell.look_at_jobs();
        let (mut keep, mut all, mut running) = (false, false, false);
        let mut specs = Vec::new();
        for a in &args[1..] {
            match a.strip_prefix('-') {
                Some(flags) if !flags.is_empty() => {
                    for c in flags.chars() {
                        match c {
                            'h' => keep = true,
                            'a' => all = true,
                            'r' => running = true,
                            other => {
                                complain(shell, io, &format!("disown: -{other}: invalid option"))
                                    .await;
                                io.err_line(
                                    "disown: usage: disown [-h] [-ar] [jobspec ... | pid ...]",
                                )
                                .await;
                                return 2;
                            }
                        }
                    }
                }
                _ => specs.push(a.clone()),
            }
        }
        let mut status = 0;
        let ids: Vec<JobNum> = if all || (running && specs.is_empty()) {
            shell
                .jobs
                .iter()
                .filter(|e| !running || shell.jobs.state(e.id, &snap) == Some(JobState::Running))
                .map(|e| e.id)
                .collect()
        } else if specs.is_empty() {
            match shell.jobs.resolve_current() {
                Ok(id) => vec![id],
                Err(e) => {
                    complain(shell, io, &e.message("disown")).await;
                    return 1;
                }
            }
        } else {
            let mut ids = Vec::new();
            for s in &specs {
                match shell.jobs.resolve(s, &snap) {
                    Ok(id) => ids.push(id),
                    Err(e) => {
                        for m in e.messages("disown") {
                            complain(shell, io, &m).await;
                        }
                        status = 1;
                    }
                }
            }
            ids
        };
        for id in ids {
            let Some(view) = shell.jobs.view(id, &snap) else {
                continue;
            };
            if !keep {
                if let Some(w) = format::disown_warning(&view) {
                    complain(shell, io, &w).await;
                }
            }
            if let Some(job) = shell.kernel_job(id) {
                let _ = shell.env.kernel.disown(job.id());
            }
            if !keep {
                shell.jobs.remove(id);
            }
        }
        status
    })
}
