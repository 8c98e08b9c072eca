//! bash 5.2's job texts, byte for byte: `jobs`, `jobs -l`, `jobs -p`, notices, and
//! the lines `&`, `fg`, `bg` and `disown` print. Nothing here has a trailing newline.
//!
//! The status column (bash's `print_pipeline`): the status word, padded with spaces
//! to 24 columns (a 24-character word such as `File size limit exceeded` is followed
//! by nothing at all, as in bash), then `(core dumped) ` when the job left a core,
//! then the command. Plain `jobs` and notices say just `Stopped`; `jobs -l` gives
//! the stop signal's text (`Stopped (tty input)`, `Stopped (signal)`, and `Stopped`
//! for SIGTSTP).

use corral_kernel::{JobInfo, JobState, Signal};

use super::JobNum;

use super::view::JobView;

/// bash's `LONGEST_SIGNAL_DESC`: the width of the status column.
const STATUS_WIDTH: usize = 24;

/// Where `jobs -l` continuation lines start: under the pid column.
const CONTINUATION_INDENT: &str = "     ";

/// The status word without the core note: `Running`, `Stopped`, `Stopped (tty input)`
/// (`long` only), `Done`, `Exit 3`, `Terminated`, `Segmentation fault`.
fn status_word(state: JobState, long: bool) -> String {
    match state {
        JobState::Running => "Running".to_string(),
        JobState::Stopped(sig) if long => sig.description(),
        JobState::Stopped(_) => "Stopped".to_string(),
        JobState::Exited(0) => "Done".to_string(),
        JobState::Exited(code) => format!("Exit {code}"),
        JobState::Signaled { signal, .. } => signal.description(),
        _ => "Unknown".to_string(),
    }
}

fn core_dumped(state: JobState) -> bool {
    matches!(
        state,
        JobState::Signaled {
            core_dumped: true,
            ..
        }
    )
}

/// A job's status as one phrase: `Running`, `Stopped`, `Stopped (tty input)` (`long`
/// only; plain `Stopped` otherwise), `Done`, `Exit 3`, `Terminated`,
/// `Killed (core dumped)`.
pub fn status_text(state: JobState, long: bool) -> String {
    let word = status_word(state, long);
    if core_dumped(state) {
        format!("{word} (core dumped)")
    } else {
        word
    }
}

/// `text` padded to the status column as bash's `printf("%*s", 24 - len, "")` does:
/// a longer text gets `len - 24` spaces (a negative width left-justifies).
fn pad(text: &str, out: &mut String) {
    out.push_str(text);
    let width = STATUS_WIDTH.abs_diff(text.len());
    out.extend(std::iter::repeat_n(' ', width));
}

/// The status column: padded word, then `(core dumped) ` if the job left a core.
fn status_field(state: JobState, long: bool, out: &mut String) {
    pad(&status_word(state, long), out);
    if core_dumped(state) {
        out.push_str("(core dumped) ");
    }
}

/// ` &` while the job runs in the background.
fn amp(entry: &JobView, background: bool) -> &'static str {
    if entry.state == JobState::Running && background {
        " &"
    } else {
        ""
    }
}

/// `jobs`: `[1]+  Running                 sleep 30 &` (` &` for a running job in
/// the `background`).
pub fn jobs_line(entry: &JobView, background: bool, marker: char) -> String {
    let mut out = format!("[{}]{marker}  ", entry.id);
    status_field(entry.state, false, &mut out);
    out.push_str(&entry.command);
    out.push_str(amp(entry, background));
    out
}

/// `jobs -l`: the pid right-aligned in 5 columns and the stop cause; a pipeline
/// takes one line per member (pid, then `| member`), ` &` after the last:
///
/// ```text
/// [3]+  5891 Running                 sleep 300
///       5893                       | cat &
/// ```
///
/// Member texts come from [`JobView::member_commands`] when there is one per pid;
/// otherwise the whole command is on the first line. A job without pids (a future job) leaves the pid column blank.
/// bash prints a member's own status when it differs from the first member's; the
/// table keeps one state per job, so continuation lines never carry one.
pub fn jobs_long(entry: &JobView, background: bool, marker: char) -> String {
    let mut out = format!("[{}]{marker} ", entry.id);
    let first_pid = entry.pids.first().copied();
    match first_pid {
        Some(pid) => out.push_str(&format!("{pid:>5} ")),
        None => out.push_str("      "),
    }
    status_field(entry.state, true, &mut out);
    let members = member_texts(entry);
    if entry.pids.len() < 2 {
        out.push_str(&entry.command);
    } else {
        let mut texts = members.iter().map(String::as_str);
        out.push_str(texts.next().unwrap_or(&entry.command));
        for &pid in entry.pids.iter().skip(1) {
            // bash pads an empty status as if it were 2 wide, then prints `| `.
            let blank = STATUS_WIDTH - 2;
            out.push_str(&format!("\n{CONTINUATION_INDENT}{pid:>5} {:blank$}| ", ""));
            match texts.next() {
                Some(t) => out.push_str(t),
                None => {
                    // No member text: drop the trailing space after `|`.
                    out.pop();
                }
            }
        }
    }
    out.push_str(amp(entry, background));
    out
}

/// The member texts when there is one per pid (the kernel's, from each `Cmd`'s
/// text); empty otherwise.
fn member_texts(entry: &JobView) -> Vec<String> {
    if entry.member_commands.len() == entry.pids.len() {
        entry
            .member_commands
            .iter()
            .map(|m| m.trim().to_string())
            .collect()
    } else {
        Vec::new()
    }
}

/// `jobs -p`: the group leader's pid (the first member), or `None` for a job with
/// no process.
pub fn pid_line(entry: &JobView) -> Option<String> {
    entry.leader_pid().map(|p| p.to_string())
}

/// A Done/Exit/Terminated/Stopped notice: the `jobs` line, except that a stop
/// gives its cause (`[1]+  Stopped (tty input)     cat`).
/// bash 5.2 itself prints plain `Stopped` here; corral follows its contract.
/// A Stopped notice is preceded by an empty line (see `Notice::text`).
pub fn notice_line(entry: &JobView, background: bool, marker: char) -> String {
    let mut out = format!("[{}]{marker}  ", entry.id);
    status_field(entry.state, entry.state.is_stopped(), &mut out);
    out.push_str(&entry.command);
    out.push_str(amp(entry, background));
    out
}

/// `bg`: `[1]+ sleep 30 &` (`[1] sleep 30 &` for a job that is neither `+` nor `-`).
/// `marker` is the one the job had before `bg` changed anything.
pub fn bg_line(entry: &JobView, marker: char) -> String {
    match marker {
        '+' | '-' => format!("[{}]{marker} {} &", entry.id, entry.command),
        _ => format!("[{}] {} &", entry.id, entry.command),
    }
}

/// `fg`: the command, without ` &`.
pub fn fg_line(entry: &JobView) -> String {
    entry.command.clone()
}

/// `cmd &` on an interactive shell: `[1] 12345`, the pid being the last member's
/// (`$!`); `[1]` for a job without a process.
pub fn started_line(id: JobNum, last_pid: Option<u32>) -> String {
    match last_pid {
        Some(pid) => format!("[{id}] {pid}"),
        None => format!("[{id}]"),
    }
}

/// What bash prints when a foreground job dies from a signal: `Terminated`,
/// `Killed`, `Segmentation fault (core dumped)`. `None` for a normal exit, SIGINT
/// (bash writes just a newline to end the `^C` line) and SIGPIPE (not reported).
pub fn foreground_death_line(state: JobState) -> Option<String> {
    match state {
        JobState::Signaled { signal, .. } if signal != Signal::INT && signal != Signal::PIPE => {
            Some(status_text(state, true))
        }
        _ => None,
    }
}

/// What a non-interactive bash prints (after `NAME: line N: `) when a
/// foreground job dies of a signal other than INT, TERM and PIPE:
/// `12345 Quit                    sh -c 'kill -QUIT $$'`. `None` otherwise.
pub fn script_death_line(state: JobState, pid: u32, command: &str) -> Option<String> {
    match state {
        JobState::Signaled { signal, .. }
            if signal != Signal::INT && signal != Signal::PIPE && signal != Signal::TERM =>
        {
            let mut out = format!("{pid:5} ");
            status_field(state, true, &mut out);
            out.push_str(command);
            Some(out)
        }
        _ => None,
    }
}

/// `disown` of a stopped job: `warning: deleting stopped job 1 with process group
/// 4242` (bash prints it after the shell's name, without `disown:`). `None` when the
/// job is not stopped.
pub fn disown_warning(entry: &JobView) -> Option<String> {
    if !entry.state.is_stopped() {
        return None;
    }
    Some(match entry.pgid.or(entry.leader_pid()) {
        Some(pgid) => format!(
            "warning: deleting stopped job {} with process group {pgid}",
            entry.id
        ),
        None => format!("warning: deleting stopped job {}", entry.id),
    })
}

/// `kill -l` with no argument, exactly as bash prints it (trailing newline
/// included: write it with `print!`).
pub fn kill_list() -> String {
    super::signals::kill_list()
}

/// `kill -l ARG`: `143` → `TERM`, `9` → `KILL`, `TERM` → `15`, `0` → `EXIT`.
/// An empty string means bash prints nothing at all (32 and 33, reserved by glibc).
///
/// # Errors
/// The whole message: `kill: QQQ: invalid signal specification`.
pub fn kill_l_arg(arg: &str) -> Result<String, String> {
    match super::signals::kill_l_arg(arg) {
        Ok(name) => Ok(name.unwrap_or_default()),
        Err(e) => Err(e.message("kill")),
    }
}

/// `jobs -S`'s second line for a job (corral's own, not bash's): its limits,
/// restart policy and count, why it was asked to end, how its last run
/// ended and what it used, as `key=value` words (`-` for none):
/// `      timeout=10s cpu=1s mem=64M restart=on-failure:2 restarts=2 cause=timeout last=failed:3 cpu_used=0.01s mem_peak=3M`.
pub fn supervision_line(info: &JobInfo) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".to_string());
    let restart = info.restart().map_or_else(
        || "never".to_string(),
        |p| format!("{}:{}", p.mode.as_str(), p.max_restarts),
    );
    let cause = info.stop_cause().map(|c| match c {
        corral_kernel::StopCause::Signal(sig) => format!("signal:{}", sig.name()),
        other => other.as_str().to_string(),
    });
    let used = info.resources().cpu_user + info.resources().cpu_system;
    let used =
        std::time::Duration::from_millis(u64::try_from(used.as_millis()).unwrap_or(u64::MAX));
    format!(
        "      timeout={} cpu={} mem={} restart={restart} restarts={} cause={} last={} cpu_used={} mem_peak={}",
        opt(info.timeout().map(duration_text)),
        opt(info.cpu_limit().map(duration_text)),
        opt(info.memory_limit().map(size_text)),
        info.restarts(),
        opt(cause),
        opt(info.last_exit().map(JobState::status_word)),
        duration_text(used),
        size_text(info.resources().memory_peak),
    )
}

/// `1h`, `2m`, `10s`, `500ms`, `1.25s`: the shortest exact form `run` reads back.
fn duration_text(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if !d.subsec_nanos().is_multiple_of(1_000_000) {
        format!("{}s", d.as_secs_f64())
    } else if ms == 0 {
        "0s".to_string()
    } else if ms.is_multiple_of(3_600_000) {
        format!("{}h", ms / 3_600_000)
    } else if ms.is_multiple_of(60_000) {
        format!("{}m", ms / 60_000)
    } else if ms.is_multiple_of(1000) {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

/// `1G`, `64M`, `512K` when exact, else bytes.
fn size_text(bytes: u64) -> String {
    for (shift, unit) in [(30, 'G'), (20, 'M'), (10, 'K')] {
        if bytes != 0 && bytes.is_multiple_of(1u64 << shift) {
            return format!("{}{unit}", bytes >> shift);
        }
    }
    bytes.to_string()
}

#[cfg(test)]
mod tests {
    //! Expected strings are copied from GNU bash 5.2.15 run interactively in a pty:
    //! `script -qc "bash --norc -i" /dev/null` with the commands named in each test
    //! piped in (Ctrl-Z sent as \x1a).

    use super::*;

    /// What the kernel reports for `command`: one member text per ` | `-separated
    /// part, as the executor gives each `Cmd` its source text.
    fn entry(id: u64, command: &str, state: JobState, pids: &[u32]) -> JobView {
        let mut e = JobView::new(JobNum(id), command, state);
        e.member_commands = command.split(" | ").map(str::to_string).collect();
        e.pids = pids.to_vec();
        e.pgid = pids.first().copied();
        e
    }

    fn signaled(signal: Signal, core_dumped: bool) -> JobState {
        JobState::Signaled {
            signal,
            core_dumped,
        }
    }

    fn sig(n: i32) -> Signal {
        Signal::from_number(n).unwrap()
    }

    #[test]
    fn jobs_lines_for_running_jobs() {
        // sleep 100 & sleep 200 & sleep 300 | cat & jobs
        let e1 = entry(1, "sleep 100", JobState::Running, &[10458]);
        let e3 = entry(3, "sleep 300 | cat", JobState::Running, &[10542, 10543]);
        assert_eq!(
            jobs_line(&e1, true, ' '),
            "[1]   Running                 sleep 100 &"
        );
        assert_eq!(
            jobs_line(&e3, true, '+'),
            "[3]+  Running                 sleep 300 | cat &"
        );
        // A foreground job (brought back with fg) shows no ` &`.
        assert_eq!(
            jobs_line(&e1, false, '+'),
            "[1]+  Running                 sleep 100"
        );
    }

    #[test]
    fn jobs_lines_for_stopped_and_finished_jobs() {
        // sleep 100, Ctrl-Z, jobs
        let stopped = entry(1, "sleep 100", JobState::Stopped(Signal::TSTP), &[1]);
        assert_eq!(
            jobs_line(&stopped, true, '+'),
            "[1]+  Stopped                 sleep 100"
        );
        // cat & (stops on SIGTTIN); jobs says just Stopped.
        let ttin = entry(1, "cat", JobState::Stopped(Signal::TTIN), &[1]);
        assert_eq!(
            jobs_line(&ttin, true, '+'),
            "[1]+  Stopped                 cat"
        );
        // sleep 100 & kill %1; jobs
        let term = entry(1, "sleep 100", signaled(Signal::TERM, false), &[1]);
        assert_eq!(
            jobs_line(&term, true, ' '),
            "[1]   Terminated              sleep 100"
        );
        // sh -c 'exit 3' &
        let exit3 = entry(4, "sh -c 'exit 3'", JobState::Exited(3), &[1]);
        assert_eq!(
            jobs_line(&exit3, true, ' '),
            "[4]   Exit 3                  sh -c 'exit 3'"
        );
        // sh -c 'kill -USR1 $$' | cat &  (the last member's status counts)
        let done = entry(
            5,
            "sh -c 'kill -USR1 $$' | cat",
            JobState::Exited(0),
            &[1, 2],
        );
        assert_eq!(
            jobs_line(&done, true, '-'),
            "[5]-  Done                    sh -c 'kill -USR1 $$' | cat"
        );
    }

    #[test]
    fn core_dumps_follow_the_padding() {
        // ulimit -c unlimited; sh -c 'kill -SEGV $$' &
        let segv = entry(3, "sh -c 'kill -SEGV $$'", signaled(sig(11), true), &[1]);
        assert_eq!(
            jobs_line(&segv, true, ' '),
            "[3]   Segmentation fault      (core dumped) sh -c 'kill -SEGV $$'"
        );
        assert_eq!(
            jobs_long(&segv, true, '+'),
            "[3]+     1 Segmentation fault      (core dumped) sh -c 'kill -SEGV $$'"
        );
    }

    #[test]
    fn a_24_column_status_touches_the_command() {
        // sh -c 'kill -XFSZ $$' & ...; jobs
        let xfsz = entry(3, "sh -c 'kill -XFSZ $$'", signaled(sig(25), false), &[1]);
        assert_eq!(
            jobs_line(&xfsz, true, '-'),
            "[3]-  File size limit exceededsh -c 'kill -XFSZ $$'"
        );
        // sh -c 'kill -FPE $$' & ...; jobs -l
        let fpe = entry(3, "sh -c 'kill -FPE $$'", signaled(sig(8), false), &[17396]);
        assert_eq!(
            jobs_long(&fpe, true, '-'),
            "[3]- 17396 Floating point exceptionsh -c 'kill -FPE $$'"
        );
    }

    #[test]
    fn long_lines_for_single_jobs() {
        // jobs -l after sleep 100 & sleep 200 &
        let e1 = entry(1, "sleep 100", JobState::Running, &[10458]);
        let e2 = entry(2, "sleep 200", JobState::Running, &[10496]);
        assert_eq!(
            jobs_long(&e1, true, ' '),
            "[1]  10458 Running                 sleep 100 &"
        );
        assert_eq!(
            jobs_long(&e2, true, '-'),
            "[2]- 10496 Running                 sleep 200 &"
        );
        // jobs -l with stop causes
        let cases = [
            (Signal::TTIN, "[1]+ 15947 Stopped (tty input)     cat"),
            (Signal::STOP, "[1]+ 15947 Stopped (signal)        cat"),
            (Signal::TSTP, "[1]+ 15947 Stopped                 cat"),
            (Signal::TTOU, "[1]+ 15947 Stopped (tty output)    cat"),
        ];
        for (s, want) in cases {
            assert_eq!(
                jobs_long(&entry(1, "cat", JobState::Stopped(s), &[15947]), true, '+'),
                want
            );
        }
        // sh -c 'exit 255' &; sh -c 'kill -34 $$' &; jobs -l
        let e = entry(3, "sh -c 'exit 255'", JobState::Exited(255), &[17458]);
        assert_eq!(
            jobs_long(&e, true, '-'),
            "[3]- 17458 Exit 255                sh -c 'exit 255'"
        );
        let e = entry(3, "sh -c 'kill -34 $$'", signaled(sig(34), false), &[17453]);
        assert_eq!(
            jobs_long(&e, true, '-'),
            "[3]- 17453 Real-time signal 0      sh -c 'kill -34 $$'"
        );
    }

    #[test]
    fn long_lines_for_pipelines() {
        // sleep 300 | cat & jobs -l
        let e = entry(3, "sleep 300 | cat", JobState::Running, &[10542, 10543]);
        assert_eq!(
            jobs_long(&e, true, '+'),
            "[3]+ 10542 Running                 sleep 300\n     10543                       | cat &"
        );
        // sleep 100 | sleep 200 | cat & jobs -l; kill -TTOU %1; jobs -l
        let mut e = entry(
            1,
            "sleep 100 | sleep 200 | cat",
            JobState::Running,
            &[14524, 14525, 14526],
        );
        assert_eq!(
            jobs_long(&e, true, '+'),
            "[1]+ 14524 Running                 sleep 100\n     \
             14525                       | sleep 200\n     \
             14526                       | cat &"
        );
        e.state = JobState::Stopped(Signal::TTOU);
        assert_eq!(
            jobs_long(&e, true, '+'),
            "[1]+ 14524 Stopped (tty output)    sleep 100\n     \
             14525                       | sleep 200\n     \
             14526                       | cat"
        );
        // sh -c 'exit 0' | sh -c 'exit 0' & ...; jobs -l
        let e = entry(
            1,
            "sh -c 'exit 0' | sh -c 'exit 0'",
            JobState::Exited(0),
            &[14384, 14385],
        );
        assert_eq!(
            jobs_long(&e, true, '+'),
            "[1]+ 14384 Done                    sh -c 'exit 0'\n     \
             14385                       | sh -c 'exit 0'"
        );
    }

    #[test]
    fn long_lines_use_members_then_the_whole_command() {
        let mut e = entry(2, "a   |b", JobState::Running, &[7, 8]);
        e.member_commands = vec!["a".into(), "b".into()];
        assert_eq!(
            jobs_long(&e, true, ' '),
            "[2]      7 Running                 a\n         8                       | b &"
        );
        // Not one text per pid: the whole command on the first line.
        let e = entry(2, "weird", JobState::Running, &[1, 2]);
        assert_eq!(
            jobs_long(&e, true, ' '),
            "[2]      1 Running                 weird\n         2                       | &"
        );
        // A future job: no pid column content.
        let e = entry(4, "( sleep 1 )", JobState::Running, &[]);
        assert_eq!(
            jobs_long(&e, true, '+'),
            "[4]+       Running                 ( sleep 1 ) &"
        );
    }

    #[test]
    fn pid_bg_fg_and_started_lines() {
        // sleep 300 | cat & jobs -p → the first member
        let e = entry(3, "sleep 300 | cat", JobState::Running, &[10542, 10543]);
        assert_eq!(pid_line(&e).as_deref(), Some("10542"));
        assert_eq!(pid_line(&entry(4, "x", JobState::Running, &[])), None);
        // bg %1 (job 1 was `-`), bg (cat was `+`), bg %1 of a pipeline
        let e = entry(1, "sleep 100", JobState::Stopped(Signal::TSTP), &[1]);
        assert_eq!(bg_line(&e, '-'), "[1]- sleep 100 &");
        assert_eq!(
            bg_line(&entry(1, "cat", JobState::Running, &[1]), '+'),
            "[1]+ cat &"
        );
        let e = entry(1, "sleep 100 | cat", JobState::Running, &[1, 2]);
        assert_eq!(bg_line(&e, '+'), "[1]+ sleep 100 | cat &");
        // jobs.c start_job: a job that is neither + nor - gets one space.
        assert_eq!(bg_line(&e, ' '), "[1] sleep 100 | cat &");
        // fg %1 prints the command alone
        assert_eq!(fg_line(&e), "sleep 100 | cat");
        // sleep 100 &
        assert_eq!(started_line(JobNum(1), Some(10458)), "[1] 10458");
        assert_eq!(started_line(JobNum(2), None), "[2]");
    }

    #[test]
    fn notices() {
        // Done notice; and cat & stopping on SIGTTIN: with its cause (docs/BASH-FORMATS.md:
        // bash 5.2 prints plain `Stopped`).
        let e = entry(1, "sleep 100", JobState::Exited(0), &[1]);
        assert_eq!(
            notice_line(&e, true, '-'),
            "[1]-  Done                    sleep 100"
        );
        let e = entry(1, "cat", JobState::Stopped(Signal::TTIN), &[1]);
        assert_eq!(
            notice_line(&e, true, '+'),
            "[1]+  Stopped (tty input)     cat"
        );
        let e = entry(1, "vim", JobState::Stopped(Signal::TSTP), &[1]);
        assert_eq!(
            notice_line(&e, true, '+'),
            "[1]+  Stopped                 vim"
        );
    }

    #[test]
    fn foreground_deaths() {
        // sh -c 'kill -TERM $$' etc. in the foreground
        let line = |s: Signal, core| foreground_death_line(signaled(s, core));
        assert_eq!(line(Signal::TERM, false).as_deref(), Some("Terminated"));
        assert_eq!(line(Signal::KILL, false).as_deref(), Some("Killed"));
        assert_eq!(line(Signal::HUP, false).as_deref(), Some("Hangup"));
        assert_eq!(
            line(sig(10), false).as_deref(),
            Some("User defined signal 1")
        );
        assert_eq!(
            line(sig(11), true).as_deref(),
            Some("Segmentation fault (core dumped)")
        );
        assert_eq!(
            line(Signal::QUIT, true).as_deref(),
            Some("Quit (core dumped)")
        );
        assert_eq!(line(Signal::INT, false), None);
        assert_eq!(line(Signal::PIPE, false), None);
        assert_eq!(foreground_death_line(JobState::Exited(1)), None);
        assert_eq!(foreground_death_line(JobState::Running), None);
    }

    #[test]
    fn disown_warnings() {
        // sleep 200 (fg, Ctrl-Z) …; disown %3
        let mut e = entry(3, "sleep 200", JobState::Stopped(Signal::TSTP), &[6867]);
        assert_eq!(
            disown_warning(&e).as_deref(),
            Some("warning: deleting stopped job 3 with process group 6867")
        );
        e.pids.clear();
        e.pgid = None;
        assert_eq!(
            disown_warning(&e).as_deref(),
            Some("warning: deleting stopped job 3")
        );
        assert_eq!(
            disown_warning(&entry(1, "x", JobState::Running, &[1])),
            None
        );
    }

    #[test]
    fn status_texts() {
        assert_eq!(status_text(JobState::Running, false), "Running");
        assert_eq!(
            status_text(JobState::Stopped(Signal::TTIN), false),
            "Stopped"
        );
        assert_eq!(
            status_text(JobState::Stopped(Signal::TTIN), true),
            "Stopped (tty input)"
        );
        assert_eq!(status_text(JobState::Exited(0), true), "Done");
        assert_eq!(status_text(JobState::Exited(3), false), "Exit 3");
        assert_eq!(
            status_text(signaled(Signal::KILL, true), false),
            "Killed (core dumped)"
        );
    }

    #[test]
    fn kill_l_wrappers_give_whole_messages() {
        assert_eq!(kill_l_arg("143").as_deref(), Ok("TERM"));
        assert_eq!(kill_l_arg("32").as_deref(), Ok(""));
        assert_eq!(
            kill_l_arg("QQQ"),
            Err("kill: QQQ: invalid signal specification".to_string())
        );
        assert!(kill_list().starts_with(" 1) SIGHUP\t 2) SIGINT\t"));
    }

    #[test]
    fn supervision_durations_and_sizes() {
        use std::time::Duration;
        assert_eq!(duration_text(Duration::from_millis(200)), "200ms");
        assert_eq!(duration_text(Duration::from_millis(1500)), "1500ms");
        assert_eq!(duration_text(Duration::from_secs(5)), "5s");
        assert_eq!(duration_text(Duration::from_secs(120)), "2m");
        assert_eq!(duration_text(Duration::from_secs(7200)), "2h");
        assert_eq!(duration_text(Duration::ZERO), "0s");
        assert_eq!(size_text(64 << 20), "64M");
        assert_eq!(size_text(512 << 10), "512K");
        assert_eq!(size_text(1 << 30), "1G");
        assert_eq!(size_text(1000), "1000");
        assert_eq!(size_text(0), "0");
    }
}
