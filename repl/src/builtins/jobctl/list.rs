//! `jobs` and `disown`: the shell's job table listed and pruned, apart
//! from the builtins that signal or resume jobs.

use corral_kernel::JobState;

use super::super::getopts::BuiltinOpts;
use super::super::{complain, out};
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::jobs::{format, JobNum, ListFormat, Snapshot, StateFilter};
use crate::shell::Shell;

const JOBS_USAGE: &str = "jobs: usage: jobs [-lnprs] [jobspec ...] or jobs -x command [args]";

/// What `jobs` prints: the last of `-l`, `-p`, `-n` wins (bash).
#[derive(Clone, Copy, PartialEq, Eq)]
enum JobsForm {
    Standard,
    Long,
    Pids,
    /// `-n`: standard lines of the jobs not reported since they changed.
    Changed,
}

pub(in crate::builtins) fn jobs<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = shell.look_at_jobs();
        let prefix = format!("{}jobs: ", shell.err_prefix());
        // `--supervise` is corral's long name for `-S`.
        let args: Vec<String> = args
            .into_iter()
            .map(|a| if a == "--supervise" { "-S".into() } else { a })
            .collect();
        let (mut form, mut filter) = (JobsForm::Standard, StateFilter::Any);
        // `-S` (corral's): each job's line plus its supervision.
        let (mut supervise, mut execute) = (false, false);
        let mut opts = BuiltinOpts::new(&args, "lnprsxS");
        for o in opts.by_ref() {
            match o.map(|o| o.letter) {
                Ok('l') => form = JobsForm::Long,
                Ok('p') => form = JobsForm::Pids,
                Ok('n') => form = JobsForm::Changed,
                Ok('r') => filter = StateFilter::Running,
                Ok('s') => filter = StateFilter::Stopped,
                Ok('x') => {
                    if form != JobsForm::Standard {
                        complain(shell, io, "jobs: no other options allowed with `-x'").await;
                        return 1;
                    }
                    execute = true;
                }
                Ok(_) => supervise = true,
                Err(e) => return e.report(io, &prefix, JOBS_USAGE).await,
            }
        }
        let specs = opts.rest().to_vec();
        if execute {
            return jobs_execute(shell, specs, &snap).await;
        }
        let format = match form {
            JobsForm::Pids => ListFormat::Pids,
            JobsForm::Long => ListFormat::Long,
            JobsForm::Standard | JobsForm::Changed => ListFormat::Standard,
        };
        if supervise && form != JobsForm::Pids {
            return jobs_supervised(shell, io, &snap, &specs, format, filter).await;
        }
        let mut status = 0;
        let mut lines = Vec::new();
        if specs.is_empty() && form != JobsForm::Changed {
            lines = shell.jobs.list(&snap, format, filter);
        } else if specs.is_empty() {
            let changed: Vec<JobNum> = shell
                .jobs
                .iter()
                .filter(|e| !e.notified && filter.admits(shell.jobs.state(e.id, &snap)))
                .map(|e| e.id)
                .collect();
            for id in changed {
                lines.extend(shell.jobs.list_one(id, &snap, format));
            }
        } else {
            for s in &specs {
                match resolve_or_complain(shell, io, "jobs", s, &snap).await {
                    Some(id)
                        if form == JobsForm::Changed
                            && shell.jobs.get(id).is_some_and(|e| e.notified) => {}
                    Some(id) => lines.extend(shell.jobs.list_one(id, &snap, format)),
                    None => status = 1,
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

/// The job `spec` names, or `None` after printing why there is none, as
/// builtin `name`.
async fn resolve_or_complain(
    shell: &mut Shell,
    io: &mut Streams,
    name: &str,
    spec: &str,
    snap: &Snapshot,
) -> Option<JobNum> {
    match shell.jobs.resolve(spec, snap) {
        Ok(id) => Some(id),
        Err(e) => {
            for m in e.messages(name) {
                complain(shell, io, &m).await;
            }
            None
        }
    }
}

/// `jobs -x COMMAND [ARGS]`: runs COMMAND with each jobspec among the
/// words replaced by its job's process group (a word naming no job stays).
async fn jobs_execute(shell: &mut Shell, words: Vec<String>, snap: &Snapshot) -> i32 {
    let words = words
        .into_iter()
        .map(|w| {
            if !w.starts_with('%') {
                return w;
            }
            let pgid = shell
                .jobs
                .resolve(&w, snap)
                .ok()
                .and_then(|id| snap.get(id))
                .and_then(|v| v.pgid);
            match pgid {
                Some(g) => g.to_string(),
                None => w,
            }
        })
        .collect();
    shell.run_argv(words, false).await
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
            if filter.admits(shell.jobs.state(e.id, snap)) {
                ids.push(e.id);
            }
        }
    } else {
        for s in specs {
            match resolve_or_complain(shell, io, "jobs", s, snap).await {
                Some(id) => ids.push(id),
                None => status = 1,
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

const DISOWN_USAGE: &str = "disown: usage: disown [-h] [-ar] [jobspec ... | pid ...]";

pub(in crate::builtins) fn disown<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let snap = shell.look_at_jobs();
        let prefix = format!("{}disown: ", shell.err_prefix());
        let (mut keep, mut all, mut running) = (false, false, false);
        let mut opts = BuiltinOpts::new(&args, "ahr");
        for o in opts.by_ref() {
            match o.map(|o| o.letter) {
                Ok('h') => keep = true,
                Ok('a') => all = true,
                Ok(_) => running = true,
                Err(e) => return e.report(io, &prefix, DISOWN_USAGE).await,
            }
        }
        let specs = opts.rest();
        let mut status = 0;
        // Jobspecs given: `-a` and `-r` do not widen them (bash).
        let ids: Vec<JobNum> = if specs.is_empty() && (all || running) {
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
            for s in specs {
                match resolve_or_complain(shell, io, "disown", s, &snap).await {
                    Some(id) => ids.push(id),
                    None => status = 1,
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
