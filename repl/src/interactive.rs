//! The interactive front end: the line editor on a thread of its own
//! ([`crate::editor`]), the shell on the runtime, and job notices printed
//! while the prompt is idle through reedline's external printer (so the line
//! being edited is not corrupted).
//!
//! The loop, as bash's: the startup file runs once; then before each line
//! the jobs are synced and their notices printed, `PROMPT_COMMAND` runs, and
//! `PS1`/`PS2` are made ([`crate::prompt`]); the line read goes through
//! history expansion ([`crate::histexpand`], when `set -H` is on), is echoed
//! if that changed it, is added to the history ([`crate::history`]), and runs.

use std::os::fd::AsFd;
use std::path::PathBuf;
use std::sync::mpsc::SyncSender;
use std::sync::{Arc, Mutex};

use reedline::ExternalPrinter;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::oneshot;

use crate::completion::JobList;
use crate::editor::{Read, Request};
use crate::histexpand::Expansion;
use crate::history::SharedHistory;
use crate::prompt::{CorralPrompt, PromptInfo};
use crate::shell::Shell;
use crate::terminal::Terminal;

/// The startup file an interactive shell runs before its first prompt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rc {
    /// `~/.corralrc`, when it exists.
    Default,
    /// `--rcfile FILE` (nothing when it does not exist, as bash).
    File(PathBuf),
    /// `--norc`.
    None,
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

/// Runs the startup file command by command, as bash reads `~/.bashrc`:
/// the commands before a syntax error run; the error names the file and
/// line, and the rest of the file is skipped. Errors of the commands
/// themselves are reported as at the prompt.
pub(crate) async fn run_rc(shell: &mut Shell, rc: Rc) {
    // Before the startup file, which may change it (bash).
    if shell.env.vars.get("HISTFILE").is_none() {
        if let Some(f) = crate::history::default_file() {
            let f = crate::rawbytes::from_path(&f).into_owned();
            shell.env.vars.set("HISTFILE", f);
        }
    }
    let path = match rc {
        Rc::None => return,
        Rc::File(p) => p,
        Rc::Default => match shell.env.vars.get("HOME").filter(|h| !h.is_empty()) {
            Some(home) => PathBuf::from(home).join(".corralrc"),
            None => return,
        },
    };
    // Through the blocking pool: the file may be slow or a FIFO.
    let Ok(bytes) = tokio::fs::read(&path).await else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    let shown = path.display().to_string();
    let mut chunk = String::new();
    let mut first_line: u32 = 1;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        chunk.push_str(line);
        let at_end = lines.peek().is_none();
        match crate::lang::parse(&chunk) {
            Err(e) if e.is_incomplete() && !at_end => continue,
            Ok(program) => {
                shell.env.lang.line_base = first_line - 1;
                shell.run_program(&program).await;
            }
            Err(e) => {
                let n = e.pos().line + first_line - 1;
                eprintln!("corral: {shown}: line {n}: {}", e.message());
                if let crate::lang::SyntaxError::UnexpectedToken { .. } = e {
                    let bad = chunk
                        .lines()
                        .nth(e.pos().line.saturating_sub(1) as usize)
                        .unwrap_or("");
                    eprintln!("corral: {shown}: line {n}: `{bad}'");
                }
                shell.env.last_status = 2;
                break;
            }
        }
        first_line += u32::try_from(chunk.matches('\n').count()).unwrap_or(0);
        chunk.clear();
        if shell.exit_status.is_some() {
            break;
        }
    }
    shell.env.lang.line_base = 0;
}

/// What the prompt escapes show that does not change while the shell runs;
/// the user and host lookups (NSS, possibly the network) run on the
/// blocking pool.
async fn fixed_prompt_info(shell: &Shell) -> PromptInfo {
    use crate::sys::prompt::{host_name, is_root, tty_basename, user_name};
    let (user, host, root, tty) =
        tokio::task::spawn_blocking(|| (user_name(), host_name(), is_root(), tty_basename()))
            .await
            .unwrap_or_default();
    PromptInfo {
        user,
        host,
        shell_name: std::path::Path::new(&shell.env.arg0)
            .file_name()
            .map_or_else(
                || shell.env.arg0.clone(),
                |n| n.to_string_lossy().into_owned(),
            ),
        root,
        tty,
        ..PromptInfo::default()
    }
}

/// `PS1` and `PS2` for the next line, decoded and expanded (the defaults
/// when unset).
async fn make_prompt(
    shell: &mut Shell,
    fixed: &PromptInfo,
    history: &SharedHistory,
    command_number: u64,
) -> CorralPrompt {
    let ps1 = shell.env.vars.get("PS1").map(str::to_owned);
    let ps2 = shell.env.vars.get("PS2").map(str::to_owned);
    if ps1.is_none() && ps2.is_none() {
        return CorralPrompt::default();
    }
    let info = PromptInfo {
        cwd: shell.env.cwd.to_string_lossy().into_owned(),
        home: shell.env.vars.get("HOME").map(str::to_owned),
        dirtrim: shell
            .env
            .vars
            .get("PROMPT_DIRTRIM")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        jobs: shell.jobs.iter().filter(|e| !e.seen.is_finished()).count(),
        history_number: history.len() + 1,
        command_number,
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
        ..fixed.clone()
    };
    let mut out = CorralPrompt::default();
    for (ps, slot) in [(ps1, &mut out.left), (ps2, &mut out.continuation)] {
        let Some(ps) = ps else { continue };
        let decoded = crate::prompt::decode(&ps, &info, crate::sys::strftime_local);
        *slot = match crate::prompt::expand(shell, &decoded).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("corral: {e}");
                decoded
            }
        };
    }
    out
}

/// Runs `$PROMPT_COMMAND` before a prompt, as bash; `$?` is kept.
/// An array's elements run one after the other (bash 5.1).
async fn prompt_command(shell: &mut Shell) {
    let commands: Vec<String> = match shell.env.vars.value("PROMPT_COMMAND") {
        Some(crate::expand::Value::Indexed(items)) => {
            items.iter().map(|(_, c)| c.clone()).collect()
        }
        Some(crate::expand::Value::Scalar(c)) => vec![c.clone()],
        _ => Vec::new(),
    };
    let status = shell.env.last_status;
    let line = u32::try_from(shell.line_no).unwrap_or(u32::MAX);
    for command in commands.iter().filter(|c| !c.trim().is_empty()) {
        shell.run_named_text("PROMPT_COMMAND", command, line).await;
        if shell.exit_status.is_some() {
            break;
        }
    }
    shell.env.last_status = status;
}

/// Ctrl-C at the prompt (a key to the line editor, not a signal): `$?`
/// becomes 130 and an INT trap runs now, before the next prompt (bash).
async fn ctrl_c_at_prompt(shell: &mut Shell) {
    shell.env.last_status = 130;
    shell.run_trap("INT", 130).await;
    if let Some(s) = shell.exit_status {
        shell.env.last_status = s;
    }
}

/// The file `$HISTFILE` names now (`None` when unset or empty).
fn histfile(shell: &Shell) -> Option<PathBuf> {
    SharedHistory::file_for(shell.env.vars.get("HISTFILE"), &shell.env.cwd)
}

/// A line into both histories: the editor's, appended to `$HISTFILE` at
/// once, and the list the `history` builtin shows.
async fn remember(shell: &mut Shell, history: &SharedHistory, line: &str) {
    let file = histfile(shell);
    let saved = file.is_some();
    if history.add(line.to_owned(), file).await {
        if saved {
            shell.env.lang.history.push_saved(line.to_owned());
        } else {
            shell.env.lang.history.push(line.to_owned());
        }
    }
}

/// Reads `$HISTFILE` as it is after the startup file, into both histories.
async fn load_history(shell: &mut Shell, history: &SharedHistory) {
    history.load(histfile(shell)).await;
    shell.env.lang.history.seed(history.entries());
}

/// History expansion of a typed line, then the line into the history: the
/// line to run, or `None` when the expansion failed (bash's message, nothing
/// stored) or only printed (`:p`). An expanded line is echoed first, as bash.
async fn expand_history(
    shell: &mut Shell,
    history: &SharedHistory,
    memory: &mut crate::histexpand::Memory,
    line: String,
) -> Option<String> {
    if shell.env.lang.opts.histexpand && (line.contains('!') || line.starts_with('^')) {
        match crate::histexpand::expand(&line, &history.entries(), memory) {
            Ok(Expansion::Unchanged) => {}
            Ok(Expansion::Expanded { line, print_only }) => {
                // The bytes the line stands for, as it will run.
                let mut shown = crate::rawbytes::decode(&line).into_owned();
                shown.push(b'\n');
                let _ = std::io::Write::write_all(&mut std::io::stderr(), &shown);
                remember(shell, history, &line).await;
                return (!print_only).then_some(line);
            }
            Err(e) => {
                eprintln!("corral: {e}");
                return None;
            }
        }
    }
    remember(shell, history, &line).await;
    Some(line)
}

/// The interactive loop; returns the exit status.
pub async fn run(shell: &mut Shell, rc: Rc) -> i32 {
    if !crate::sys::isatty(std::io::stdin().as_fd()) {
        return run_without_terminal(shell, rc).await;
    }
    match Terminal::acquire(true) {
        Ok(t) => shell.terminal = t.map(Arc::new),
        Err(e) => eprintln!("corral: no job control on this terminal: {e}"),
    }
    survive_terminal_signals(Arc::clone(&shell.interrupt), Arc::clone(&shell.suspend));
    let printer = ExternalPrinter::<String>::new(256);
    let notices: SyncSender<String> = printer.sender();
    let jobs: JobList = Arc::new(Mutex::new(Vec::new()));
    let cwd = Arc::new(Mutex::new(shell.env.cwd.clone()));
    let history = SharedHistory::new();
    let (completion, mut completions) = crate::progcomp::Client::new();
    let requests = crate::editor::spawn(
        printer,
        jobs.clone(),
        cwd.clone(),
        history.for_editor(),
        completion,
    );
    run_rc(shell, rc).await;
    load_history(shell, &history).await;
    let fixed = fixed_prompt_info(shell).await;
    // `\#`: the number of the command being read.
    let mut command_number: u64 = 1;
    let mut hist_memory = crate::histexpand::Memory::default();
    loop {
        shell.sync_jobs();
        for n in shell.notices.drain(..) {
            eprint!("{n}");
        }
        if let Some(status) = shell.exit_status {
            return status;
        }
        prompt_command(shell).await;
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
        let prompt = make_prompt(shell, &fixed, &history, command_number).await;
        let (reply, mut reply_rx) = oneshot::channel();
        if requests.send(Request { prompt, reply }).is_err() {
            return shell.env.last_status;
        }
        // While the user edits, report jobs as they finish or stop.
        let read = loop {
            tokio::select! {
                read = &mut reply_rx => break read.unwrap_or(Read::Eof),
                // Tab on a command with a `complete` spec.
                Some(req) = completions.recv() => crate::progcomp::serve(shell, req).await,
                // A trapped signal sent while the shell waits for a line
                // (`kill -INT`, or Ctrl-C before the editor took the
                // terminal): its trap runs now, not after the next command.
                _ = crate::interp::traps::interrupted() => {
                    let status = shell.env.last_status;
                    shell.run_signal_traps().await;
                    shell.env.last_status = status;
                }
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
                let Some(line) = expand_history(shell, &history, &mut hist_memory, line).await
                else {
                    continue;
                };
                command_number += 1;
                shell.line_no += 1;
                shell.run_text(&line).await;
            }
            Read::Interrupted => ctrl_c_at_prompt(shell).await,
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

/// `-i` with stdin not a terminal: the lines are read from stdin as bash
/// reads them then (no line editor), the prompts go to stderr, and
/// `PROMPT_COMMAND`, notices and the history work as at a terminal.
/// End of input is `exit` (bash prints it).
async fn run_without_terminal(shell: &mut Shell, rc: Rc) -> i32 {
    eprintln!("corral: no job control in this shell");
    let history = SharedHistory::new();
    run_rc(shell, rc).await;
    load_history(shell, &history).await;
    let fixed = fixed_prompt_info(shell).await;
    let mut command_number: u64 = 1;
    let mut hist_memory = crate::histexpand::Memory::default();
    let mut lines = LineReader::default();
    loop {
        shell.sync_jobs();
        for n in shell.notices.drain(..) {
            eprint!("{n}");
        }
        if let Some(status) = shell.exit_status {
            return status;
        }
        prompt_command(shell).await;
        if let Some(status) = shell.exit_status {
            return status;
        }
        let prompt = make_prompt(shell, &fixed, &history, command_number).await;
        let mut text = String::new();
        let mut ps = prompt.left.clone();
        let at_end = loop {
            eprint!("{ps}");
            let Some(line) = lines.next().await else {
                break true;
            };
            text.push_str(&line);
            match crate::lang::parse(&text) {
                Err(e) if e.is_incomplete() => ps.clone_from(&prompt.continuation),
                _ => break false,
            }
        };
        if at_end && text.is_empty() {
            eprintln!("exit");
            shell.line_no += 1;
            shell.run_text("exit").await;
            return shell.exit_status.unwrap_or(shell.env.last_status);
        }
        let line = text.trim_end_matches('\n').to_owned();
        if !line.trim().is_empty() {
            if let Some(line) = expand_history(shell, &history, &mut hist_memory, line).await {
                command_number += 1;
                shell.line_no += 1;
                shell.run_text(&line).await;
            }
        }
        if at_end {
            eprintln!("exit");
            return shell.exit_status.unwrap_or(shell.env.last_status);
        }
    }
}

/// Lines of stdin, each read on the blocking pool when asked for (a
/// command may read the rest of stdin itself).
#[derive(Default)]
struct LineReader {
    eof: bool,
}

impl LineReader {
    async fn next(&mut self) -> Option<String> {
        if self.eof {
            return None;
        }
        let line = tokio::task::spawn_blocking(|| {
            let mut bytes = Vec::new();
            let Ok(fd) = crate::sys::dup_fd(std::io::stdin().as_fd()) else {
                return bytes;
            };
            let mut file = std::fs::File::from(fd);
            let mut byte = [0u8; 1];
            // Byte by byte: what follows the line stays in stdin for the commands.
            loop {
                match std::io::Read::read(&mut file, &mut byte) {
                    Ok(1) => {
                        bytes.push(byte[0]);
                        if byte[0] == b'\n' {
                            break;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    _ => break,
                }
            }
            bytes
        })
        .await
        .unwrap_or_default();
        if line.is_empty() {
            self.eof = true;
            return None;
        }
        Some(crate::rawbytes::encode(&line).into_owned())
    }
}
