//! The interactive front end: reedline on a thread of its own, the shell on
//! the runtime, and job notices printed while the prompt is idle through
//! reedline's external printer (so the line being edited is not corrupted).

use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

use reedline::{
    default_emacs_keybindings, ColumnarMenu, Emacs, ExternalPrinter, FileBackedHistory, KeyCode,
    KeyModifiers, MenuBuilder, Reedline, ReedlineEvent, ReedlineMenu, Signal as EditSignal,
};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{mpsc, oneshot};

use crate::completion::{JobList, ShellCompleter};
use crate::prompt::{CorralPrompt, LineValidator};
use crate::shell::Shell;
use crate::terminal::Terminal;

/// What the editor thread hands back for one prompt.
enum Read {
    Line(String),
    Interrupted,
    Eof,
    Failed(String),
}

/// Catches the terminal signals an interactive shell must survive while it
/// is itself in the foreground. Caught (not ignored), so children still start
/// with the default dispositions.
fn survive_terminal_signals(
    interrupt: Arc<tokio::sync::Notify>,
    suspend: Arc<tokio::sync::Notify>,
) {
    for (kind, notify) in [
        (SignalKind::interrupt(), interrupt),
        (SignalKind::from_raw(libc::SIGTSTP), suspend),
    ] {
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move {
                while s.recv().await.is_some() {
                    notify.notify_waiters();
                }
            });
        }
    }
    for kind in [
        SignalKind::quit(),
        SignalKind::from_raw(libc::SIGTTIN),
        SignalKind::from_raw(libc::SIGTTOU),
    ] {
        if let Ok(mut s) = signal(kind) {
            tokio::spawn(async move { while s.recv().await.is_some() {} });
        }
    }
}

/// Why `exit` does not exit yet in an interactive shell, as bash with
/// `checkjobs`: `There are stopped jobs.`, else `There are running jobs.`
/// The warning is given once: an `exit` on the very next line exits (and
/// terminates the jobs); any other command in between resets it. `None`:
/// exit now.
pub(crate) fn exit_refusal(shell: &mut Shell) -> Option<&'static str> {
    if !shell.interactive {
        return None;
    }
    if shell.exit_warned_line == Some(shell.line_no.wrapping_sub(1)) {
        return None;
    }
    let warning = if shell.jobs.has_stopped() {
        "There are stopped jobs."
    } else if shell
        .jobs
        .iter()
        .any(|e| e.seen == corral_kernel::JobState::Running)
    {
        "There are running jobs."
    } else {
        return None;
    };
    shell.exit_warned_line = Some(shell.line_no);
    Some(warning)
}

/// `$XDG_DATA_HOME/corral/history` (else `~/.local/share/corral/history`):
/// the directory made 0700 and the file 0600 before reedline opens it, since
/// a history keeps whatever secrets were typed.
fn history_path() -> Option<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    let dir = base.join("corral");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).ok()?;
    let file = dir.join("history");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&file)
        .ok()?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).ok()?;
    Some(file)
}

fn editor(printer: ExternalPrinter<String>, jobs: JobList, cwd: Arc<Mutex<PathBuf>>) -> Reedline {
    let mut keys = default_emacs_keybindings();
    keys.add_binding(
        KeyModifiers::NONE,
        KeyCode::Tab,
        ReedlineEvent::UntilFound(vec![
            ReedlineEvent::Menu("completion_menu".to_string()),
            ReedlineEvent::MenuNext,
        ]),
    );
    let menu = ColumnarMenu::default().with_name("completion_menu");
    let mut ed = Reedline::create()
        .with_edit_mode(Box::new(Emacs::new(keys)))
        .with_completer(Box::new(ShellCompleter::new(jobs, cwd)))
        .with_menu(ReedlineMenu::EngineCompleter(Box::new(menu)))
        // One match completes on one Tab with no menu; several complete
        // their common prefix first.
        .with_quick_completions(true)
        .with_partial_completions(true)
        .with_validator(Box::new(LineValidator))
        .with_external_printer(printer);
    if let Some(path) = history_path() {
        if let Ok(h) = FileBackedHistory::with_file(10_000, path) {
            ed = ed.with_history(Box::new(h));
        }
    }
    ed
}

/// Runs the editor on its own thread: each request gets one line.
fn spawn_editor(mut ed: Reedline) -> mpsc::UnboundedSender<oneshot::Sender<Read>> {
    let (tx, mut rx) = mpsc::unbounded_channel::<oneshot::Sender<Read>>();
    let _ = std::thread::Builder::new()
        .name("corral-editor".into())
        .spawn(move || {
            while let Some(reply) = rx.blocking_recv() {
                let read = match ed.read_line(&CorralPrompt) {
                    Ok(EditSignal::Success(line)) => {
                        // On disk before it runs: a SIGHUP or a closed
                        // terminal during the command loses nothing.
                        let _ = ed.sync_history();
                        Read::Line(line)
                    }
                    Ok(EditSignal::CtrlC) => Read::Interrupted,
                    Ok(EditSignal::CtrlD) => Read::Eof,
                    Ok(_) => Read::Interrupted,
                    Err(e) => Read::Failed(e.to_string()),
                };
                if reply.send(read).is_err() {
                    break;
                }
            }
        });
    tx
}

/// The interactive loop; returns the exit status.
pub async fn run(shell: &mut Shell) -> i32 {
    match Terminal::acquire(true) {
        Ok(t) => shell.terminal = t.map(Arc::new),
        Err(e) => eprintln!("corral: no job control on this terminal: {e}"),
    }
    survive_terminal_signals(Arc::clone(&shell.interrupt), Arc::clone(&shell.suspend));
    let printer = ExternalPrinter::<String>::new(256);
    let notices: SyncSender<String> = printer.sender();
    let jobs: JobList = Arc::new(Mutex::new(Vec::new()));
    let cwd = Arc::new(Mutex::new(shell.env.cwd.clone()));
    let requests = spawn_editor(editor(printer, jobs.clone(), cwd.clone()));
    loop {
        shell.sync_jobs();
        for n in shell.notices.drain(..) {
            eprint!("{n}");
        }
        if let Some(status) = shell.exit_status {
            return status;
        }
        if let Ok(mut j) = jobs.lock() {
            let snapshot = shell.job_snapshot();
            *j = shell
                .jobs
                .iter()
                .filter_map(|e| Some((e.id.0, snapshot.get(e.id)?.command.clone())))
                .collect();
        }
        if let Ok(mut c) = cwd.lock() {
            c.clone_from(&shell.env.cwd);
        }
        let (reply_tx, mut reply_rx) = oneshot::channel();
        if requests.send(reply_tx).is_err() {
            return shell.env.last_status;
        }
        // While the user edits, report jobs as they finish or stop.
        let read = loop {
            tokio::select! {
                read = &mut reply_rx => break read.unwrap_or(Read::Eof),
                // An event only says "look": the state comes from the kernel.
                ev = shell.events.recv() => {
                    shell.wake_on(ev);
                    for n in shell.notices.drain(..) {
                        // The printer adds its own newline.
                        let _ = notices.try_send(n.trim_end_matches('\n').to_string());
                    }
                }
            }
        };
        match read {
            Read::Line(line) => {
                // An empty line is no command: it does not reset `exit`'s warning.
                if line.trim().is_empty() {
                    continue;
                }
                shell.line_no += 1;
                shell.run_text(&line).await;
            }
            Read::Interrupted => continue,
            Read::Eof => {
                shell.line_no += 1;
                shell.run_text("exit").await;
                if shell.exit_status.is_none() {
                    continue;
                }
            }
            Read::Failed(e) => {
                eprintln!("corral: cannot read the terminal: {e}");
                return 1;
            }
        }
    }
}
