//! jobs, fg, bg, kill, wait, disown.
//!
//! Their options are scanned as bash's `internal_getopt` does
//! ([`BuiltinOpts`](super::getopts::BuiltinOpts)): the same messages,
//! usage lines and statuses; `kill` has bash's own loop for its signal forms.

mod list;
mod wait;

pub(super) use list::{disown, jobs};
pub(super) use wait::wait;

use corral_kernel::{Error as KernelError, Pid, Signal};

use crate::jobs::JobNum;

use super::{complain, out};
use crate::exec::BoxFut;
use crate::io::{os_message, Streams};
use crate::jobs::{format, signals, Snapshot};
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

/// What `kill`'s words before its operands asked for.
enum KillArgs {
    /// `-l`/`-L`: list signals (or name the operands).
    List(usize),
    /// Send `signal` to the operands from this index of the words.
    Send { signal: i32, at: usize },
}

/// bash's loop over `kill`'s leading words: `-l`/`-L`, `-s SIG`, `-n SIG`
/// (`-sSIG`, `-nN` too), `--`, and one `-SIG`; the first other word starts
/// the operands. `Err`: (message, status) of a usage error.
fn kill_args(args: &[String]) -> Result<KillArgs, (Option<String>, i32)> {
    let (mut listing, mut saw_signal) = (false, false);
    let mut signal = Some(libc::SIGTERM);
    let mut spec = String::new();
    let mut i = 1;
    while let Some(word) = args.get(i) {
        let mut given = None;
        match word.as_str() {
            "-l" | "-L" => listing = true,
            "-s" | "-n" => {
                i += 1;
                let Some(s) = args.get(i) else {
                    return Err((
                        Some(format!("kill: {word}: option requires an argument")),
                        1,
                    ));
                };
                given = Some(s.as_str());
            }
            "--" => {
                i += 1;
                break;
            }
            w if w.starts_with("-s") && w[2..].starts_with(|c: char| c.is_ascii_alphabetic()) => {
                given = Some(&w[2..]);
            }
            w if w.starts_with("-n") && w[2..].starts_with(|c: char| c.is_ascii_digit()) => {
                given = Some(&w[2..]);
            }
            // Only the first: a later `-N` is a process group.
            w if w.starts_with('-') && !saw_signal && !listing => given = Some(&w[1..]),
            _ => break,
        }
        if let Some(g) = given {
            spec = g.to_owned();
            signal = signals::kill_signal(g);
            saw_signal = true;
        }
        i += 1;
    }
    if listing {
        return Ok(KillArgs::List(i));
    }
    let Some(signal) = signal else {
        return Err((
            Some(format!("kill: {spec}: invalid signal specification")),
            1,
        ));
    };
    if i >= args.len() {
        return Err((None, 2));
    }
    Ok(KillArgs::Send { signal, at: i })
}

pub(super) fn kill<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (sig, rest) = match kill_args(&args) {
            Ok(KillArgs::Send { signal, at }) => (signal, &args[at..]),
            Ok(KillArgs::List(at)) => return kill_list(shell, &args[at..], io).await,
            Err((Some(msg), status)) => {
                complain(shell, io, &msg).await;
                return status;
            }
            Err((None, status)) => {
                io.err_line(KILL_USAGE).await;
                return status;
            }
        };
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

/// `kill -l [SIG...]`: the table, or each operand's name or number.
async fn kill_list(shell: &mut Shell, operands: &[String], io: &mut Streams) -> i32 {
    if operands.is_empty() {
        return out(io, &format::kill_list()).await.err().unwrap_or(0);
    }
    let mut status = 0;
    let mut text = String::new();
    for a in operands {
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
    match out(io, &text).await {
        Ok(()) => status,
        Err(s) => s,
    }
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
    // An in-process job's pid is its anchor's: signal the job itself, so
    // that the signal has acted when `kill` returns.
    if let (Some(sig), Some(job)) = (signal, anchored_job(shell, pid)) {
        if job.signal(sig).is_ok() {
            if let (Signal::CONT, Some(n)) = (sig, job.number()) {
                shell.jobs.set_continued(JobNum(n), snap);
            }
            return Ok(());
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

/// The live future job whose anchor process is `pid`.
fn anchored_job(shell: &Shell, pid: i32) -> Option<corral_kernel::Job> {
    let pid = Pid::from_raw(pid)?;
    shell.env.kernel.jobs().into_iter().find(|j| {
        j.kind() == corral_kernel::JobKind::Future
            && !j.state().is_finished()
            && j.pids().contains(&pid)
    })
}

#[cfg(test)]
mod tests {
    use super::{kill_args, KillArgs};

    fn parse(words: &str) -> Result<(i32, usize), (Option<String>, i32)> {
        let args: Vec<String> = std::iter::once("kill")
            .chain(words.split_whitespace())
            .map(String::from)
            .collect();
        kill_args(&args).map(|k| match k {
            KillArgs::Send { signal, at } => (signal, at),
            KillArgs::List(at) => (-1, at),
        })
    }

    #[test]
    fn kill_signal_forms_as_bash() {
        assert_eq!(parse("5"), Ok((libc::SIGTERM, 1)));
        assert_eq!(parse("-s HUP 5"), Ok((libc::SIGHUP, 3)));
        assert_eq!(parse("-sHUP 5"), Ok((libc::SIGHUP, 2)));
        assert_eq!(parse("-n 9 5"), Ok((libc::SIGKILL, 3)));
        assert_eq!(parse("-n9 5"), Ok((libc::SIGKILL, 2)));
        assert_eq!(parse("-SIGINT 5"), Ok((libc::SIGINT, 2)));
        assert_eq!(parse("-0 5"), Ok((0, 2)));
        // The end of options may follow the signal; a second -N is a group.
        assert_eq!(parse("-s TERM -- -5"), Ok((libc::SIGTERM, 4)));
        assert_eq!(parse("-9 -15"), Ok((libc::SIGKILL, 2)));
        assert_eq!(parse("-l 9 2"), Ok((-1, 2)));
        assert_eq!(parse("-L"), Ok((-1, 2)));
    }

    #[test]
    fn kill_usage_errors_as_bash() {
        let needs = |o: &str| Err((Some(format!("kill: {o}: option requires an argument")), 1));
        assert_eq!(parse("-s"), needs("-s"));
        assert_eq!(parse("-l -n"), needs("-n"));
        let bad = |s: &str| Err((Some(format!("kill: {s}: invalid signal specification")), 1));
        assert_eq!(parse("-z"), bad("z"));
        assert_eq!(parse("-"), bad(""));
        assert_eq!(parse("-s FOO 1"), bad("FOO"));
        assert_eq!(parse(""), Err((None, 2)));
        assert_eq!(parse("-9"), Err((None, 2)));
        assert_eq!(parse("--"), Err((None, 2)));
    }
}
