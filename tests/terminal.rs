//! The terminal stays intact: corral's line editor in a real PTY with
//! output post-processing kept on (a `bg`'d job's lines start at column 0),
//! `exit` with running jobs, the history file after SIGHUP, completion of a
//! name with a space, and the one-line notice when /v cannot be mounted.
//!
//! Every wait has a deadline; the harness kills the whole session on drop.

use std::os::unix::fs::PermissionsExt;

use nix::sys::termios::{LocalFlags, OutputFlags};

use crate::util::gate::Gate;
use crate::util::procfs;
use crate::util::pty::{Pty, PtyCommand};

const PROMPT: &str = "corral> ";

fn start(cmd: PtyCommand) -> Pty {
    let pty = Pty::spawn(cmd);
    pty.expect(PROMPT);
    pty
}

fn corral() -> PtyCommand {
    PtyCommand::new(env!("CARGO_BIN_EXE_corral"))
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Ctrl-Z on a foreground job, `bg`, and the job's later output while the
/// user is at the prompt: the terminal translates its `\n` to `\r\n` (no
/// staircase), because OPOST/ONLCR stay on while the editor is active.
#[test]
fn bg_output_while_editing_starts_at_column_zero() {
    let sh = start(corral());
    assert!(
        sh.termios()
            .output_flags
            .contains(OutputFlags::OPOST | OutputFlags::ONLCR),
        "output processing is off at the prompt"
    );
    let mut gate = Gate::new();
    let cmd = format!("sh -c '{}; echo line-one; echo line-two'", gate.command());
    sh.send_line(&cmd);
    let head = sh.wait_foreground(&gate.argv().iter().map(String::as_str).collect::<Vec<_>>());
    sh.ctrl_z();
    sh.expect_line(&format!("[1]+  Stopped                 {cmd}"));
    procfs::wait_state(head, 'T', sh.timeout());
    sh.expect(PROMPT);
    sh.send_line("bg");
    sh.expect_line(&format!("[1]+ {cmd} &"));
    sh.expect(PROMPT);
    // The editor is waiting for a line, in raw mode, when the job writes.
    procfs::wait_blocked_on_input(sh.pid(), sh.timeout());
    assert!(sh
        .termios()
        .output_flags
        .contains(OutputFlags::OPOST | OutputFlags::ONLCR));
    gate.open();
    sh.expect_line("line-two");
    let raw = sh.raw();
    assert!(
        contains(&raw, b"line-one\r\nline-two\r\n"),
        "a staircase: {:?}",
        String::from_utf8_lossy(&raw[raw.len().saturating_sub(300)..])
    );
}

/// `exit` with a running job warns (`There are running jobs.`, bash's
/// checkjobs); another command in between resets the warning; an `exit`
/// right after the warning exits and terminates the job.
#[test]
fn exit_with_running_jobs_warns_then_terminates_them() {
    let sh = start(corral());
    sh.send_line("sleep 100 &");
    let line = sh.expect_line_starting("[1] ");
    let pid: i32 = line.trim()[4..].parse().expect("[1] PID");
    sh.expect(PROMPT);

    sh.send_line("exit");
    sh.expect_line("There are running jobs.");
    sh.expect(PROMPT);
    sh.send_line("echo between");
    sh.expect_line("between");
    sh.expect(PROMPT);
    sh.send_line("exit");
    sh.expect_line("There are running jobs.");
    sh.expect(PROMPT);
    assert!(procfs::is_alive(pid));

    sh.send_line("exit");
    sh.wait_exit(sh.timeout());
    procfs::assert_exits(pid, sh.timeout(), "the running job after the second exit");
}

/// Each line is in the history file before it runs, so a SIGHUP loses
/// nothing; the file is 0600 in a 0700 directory.
#[test]
fn history_is_written_per_command_and_private() {
    let sh = start(corral());
    sh.send_line("echo first-secret");
    sh.expect_line("first-secret");
    sh.expect(PROMPT);
    sh.send_line("echo second-secret");
    sh.expect_line("second-secret");
    sh.expect(PROMPT);
    let dir = sh.home().join(".local/share/corral");
    let file = dir.join("corral_history");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(sh.pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    sh.wait_exit(sh.timeout());
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("echo first-secret") && text.contains("echo second-secret"),
        "{text:?}"
    );
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&file), 0o600);
    assert_eq!(mode(&dir), 0o700);
}

/// One Tab completes the only name that matches, quoted, with no menu.
#[test]
fn tab_completes_a_name_with_a_space() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my file (1).txt"), "in-the-file\n").unwrap();
    std::fs::write(dir.path().join("other"), "x").unwrap();
    let sh = start(corral().cwd(dir.path()));
    sh.send("cat my\t");
    sh.expect("cat my\\ file\\ \\(1\\).txt");
    sh.send("\r");
    sh.expect_line("in-the-file");
    sh.expect(PROMPT);
    let view = sh.view();
    assert!(!view.contains("other"), "a menu was shown: {view}");
}

/// Without FUSE, an interactive shell says so in one line at start.
#[test]
fn an_unmounted_v_is_announced_once() {
    let sh = Pty::spawn(corral().env("CORRAL_NO_FUSE", "1"));
    sh.expect_line(
        "corral: /v is not mounted (CORRAL_NO_FUSE is set); programs read /v files through pipes",
    );
    sh.expect(PROMPT);
    sh.send_line("echo [$CORRAL_V]");
    sh.expect_line("[]");
}

/// With FUSE, an interactive shell mounts at start: another process finds
/// the job files through CORRAL_V.
#[test]
fn an_interactive_shell_exports_its_mount() {
    if !std::path::Path::new("/dev/fuse").exists() {
        eprintln!("skipped: /dev/fuse is missing");
        return;
    }
    let sh = start(corral());
    sh.send_line("echo started & ");
    sh.expect_line_starting("[1]");
    sh.expect(PROMPT);
    sh.send_line("cat $CORRAL_V/jobs/1/stdout");
    sh.expect_line("started");
    sh.expect(PROMPT);
}

fn fixture(name: &str) -> String {
    format!("{}/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A vim-like full-screen program started with `&` stops as soon as it
/// sets terminal modes (`Stopped (tty output)`, as in bash); `fg` makes it
/// fully usable: a terminal on stdin and stdout, the window size as it is
/// now (the terminal was resized while the job waited, and again while it
/// ran), raw mode on the real terminal, every key delivered. Afterwards
/// the shell's modes are back.
#[test]
fn issue_11_fullscreen_background_then_fg() {
    let sh = start(corral());
    let prompt_modes = sh.termios();
    let script = fixture("fullscreen.sh");
    sh.send_line(&format!("sh {script} &"));
    sh.expect_line_starting("[1] ");
    sh.expect(PROMPT);
    let pid = sh.wait_process(&["sh", &script]);
    procfs::wait_state(pid, 'T', sh.timeout());
    sh.resize(33, 101);
    sh.send_line("jobs -l");
    sh.expect("Stopped (tty output)");
    sh.expect(PROMPT);

    sh.send_line("fg");
    sh.expect_line("FULLSCREEN 33 101");
    let modes = sh.termios();
    assert!(
        !modes
            .local_flags
            .intersects(LocalFlags::ICANON | LocalFlags::ECHO),
        "the real terminal is not in raw mode: {:?}",
        modes.local_flags
    );
    sh.send("a");
    sh.expect_line("got a");
    // A resize while the job has the terminal reaches its pty by the
    // time it writes again.
    sh.resize(20, 70);
    sh.send("b");
    sh.expect_line("got b");
    sh.send("s");
    sh.expect_line("got s");
    sh.expect_line("size 20 70");
    sh.send("q");
    sh.expect(PROMPT);
    sh.send_line("echo status=$?");
    sh.expect_line("status=43");
    sh.expect(PROMPT);
    let after = sh.termios();
    assert_eq!(after.local_flags, prompt_modes.local_flags);
    assert_eq!(after.input_flags, prompt_modes.input_flags);
    assert_eq!(after.output_flags, prompt_modes.output_flags);
    let raw = sh.raw();
    assert!(!contains(&raw, b"not a terminal"));
    assert!(contains(&raw, b"\x1b[?1049h\x1b[H\x1b[2JFULLSCREEN"));
    assert!(contains(
        &raw,
        b"FULLSCREEN 33 101\r\ngot a\r\ngot b\r\ngot s\r\nsize 20 70\r\n\x1b[?1049l"
    ));
}

/// The same with the real `vim`, if it is installed: no "Output is not to
/// a terminal", keys reach it, and `:wq` writes what was typed.
#[test]
fn issue_11_fullscreen_background_then_fg_real_vim() {
    let Some(vim) = ["/usr/bin/vim", "/bin/vim", "/usr/local/bin/vim"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!("skipped: vim is not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("note.txt");
    let sh = start(corral().cwd(dir.path()));
    sh.send_line(&format!("{vim} -u NONE -i NONE -N -n note.txt &"));
    sh.expect_line_starting("[1] ");
    sh.expect(PROMPT);
    let pid = sh.wait_process(&[vim, "-u", "NONE", "-i", "NONE", "-N", "-n", "note.txt"]);
    procfs::wait_state(pid, 'T', sh.timeout());
    sh.send_line("fg");
    sh.wait_foreground(&[vim, "-u", "NONE", "-i", "NONE", "-N", "-n", "note.txt"]);
    // vim's first screen (after `fg` printed the command line).
    sh.expect("\"note.txt\" [New]");
    sh.send("ihello from vim\x1b");
    sh.expect("hello from vim");
    sh.send(":wq\r");
    sh.expect("written");
    sh.expect(PROMPT);
    sh.send_line("echo status=$?");
    sh.expect_line("status=0");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "hello from vim\n");
    assert!(!contains(&sh.raw(), b"Output is not to a terminal"));
}

/// On a terminal a background job's stdout is a pty (its ring still gets
/// the bytes, `\n` untranslated) and its stderr a pipe with its own ring;
/// `set +o bgtty` gives it a pipe and /dev/null as before.
#[test]
fn background_stdout_is_a_pty_unless_bgtty_is_off() {
    let sh = start(corral());
    let probe =
        "sh -c '[ -t 0 ] && echo in-tty; [ -t 1 ] && echo out-tty; [ -t 2 ] || echo err-pipe >&2'";
    sh.send_line(&format!("{probe} &"));
    sh.expect_line_starting("[1] ");
    sh.expect(PROMPT);
    sh.send_line("wait; od -c /v/jobs/1/stdout | head -n 1; cat /v/jobs/1/stderr");
    sh.expect_line("0000000   i   n   -   t   t   y  \\n   o   u   t   -   t   t   y  \\n");
    sh.expect_line("err-pipe");
    sh.expect(PROMPT);
    sh.send_line(&format!("set +o bgtty; {probe} &"));
    sh.expect_line_starting("[2] ");
    sh.expect(PROMPT);
    sh.send_line("wait; echo [$(cat /v/jobs/%%/stdout)]; cat /v/jobs/%%/stderr");
    sh.expect_line("[]");
    sh.expect_line("err-pipe");
    sh.expect(PROMPT);
}

/// A background job that reads its stdin (the terminal) stops with
/// `Stopped (tty input)`; `fg` gives it the keys (its echo comes back
/// through its pty and ring), and Ctrl-Z stops it again.
#[test]
fn a_background_reader_stops_for_tty_input_and_fg_gives_it_keys() {
    let sh = start(corral());
    sh.send_line("cat &");
    let line = sh.expect_line_starting("[1] ");
    let pid: i32 = line.trim()[4..].parse().expect("[1] PID");
    sh.expect(PROMPT);
    procfs::wait_state(pid, 'T', sh.timeout());
    sh.send_line("jobs -l");
    sh.expect("Stopped (tty input)");
    sh.expect(PROMPT);
    sh.send_line("fg");
    sh.expect_line("cat");
    sh.wait_foreground(&["cat"]);
    sh.send("typed-line\r");
    // The terminal's echo, then cat's copy.
    sh.expect_line("typed-line");
    sh.expect_line("typed-line");
    sh.ctrl_z();
    sh.expect("Stopped");
    procfs::wait_state(pid, 'T', sh.timeout());
    sh.expect(PROMPT);
    sh.send_line("kill %1");
    procfs::assert_exits(pid, sh.timeout(), "cat after kill %1");
}
