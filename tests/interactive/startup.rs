//! Startup files: `--rcfile`, `~/.corralrc`, `--norc`, and a startup file that
//! fails or blocks.

use super::*;

/// Writes `text` as a startup file in a directory of its own.
fn rc_file(text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("rc dir");
    let path = dir.path().join(".corralrc");
    std::fs::write(&path, text).expect("write rc");
    (dir, path)
}

/// Issue 10: the startup file runs before the first prompt. A failing
/// command is reported as at the prompt and the file goes on; a syntax
/// error names the file and line and ends the file (bash reads it command
/// by command, so what came before has run). Functions, aliases and PS1
/// from it are in force at the prompt.
#[test]
fn issue_10_startup_file_runs_before_the_first_prompt() {
    let (_dir, rc) = rc_file(
        "echo rc-ran\n\
         greet() { echo hello-$1; }\n\
         alias ll='echo aliased'\n\
         not_a_command_xyz\n\
         PS1='rc> '\n\
         if then\n\
         echo after-the-error\n",
    );
    let sh = Shell::spawn_with_rc(&rc);
    sh.expect_line("rc-ran");
    sh.expect_line(&format!(
        "{}: not_a_command_xyz: command not found",
        sh.name()
    ));
    let error = format!("{}: {}: line 6: syntax error", sh.name(), rc.display());
    sh.expect_line_matching(&error, |l| l.starts_with(&error));
    sh.expect("rc> ");
    sh.send_line("greet x; ll");
    sh.expect_line("hello-x");
    sh.expect_line("aliased");
    sh.expect("rc> ");
    assert!(
        !sh.view().contains("after-the-error\r") && !sh.view().contains("after-the-error\n"),
        "the file went on after its syntax error:\n{}",
        sh.view()
    );
}

/// Issue 10: `~/.corralrc` is read by default; `--norc` skips it.
#[test]
fn issue_10_corralrc_in_home_and_norc() {
    if Shell::kind() == Kind::Bash {
        return; // bash reads ~/.bashrc: the same rule under another name
    }
    let (dir, _) = rc_file("echo from-home-rc\n");
    let home = dir.path().display().to_string();
    let sh = Shell::spawn(|cmd| cmd.env("HOME", &home));
    sh.expect_line("from-home-rc");
    sh.prompt();

    let sh = Shell::spawn(|cmd| cmd.arg("--norc").env("HOME", &home));
    sh.prompt();
    sh.send_line("echo marker-$((6*7))");
    sh.expect_line("marker-42");
    sh.prompt();
    assert!(
        !sh.view().contains("from-home-rc"),
        "--norc read the file:\n{}",
        sh.view()
    );
}

/// `--norc` and `--rcfile FILE` are accepted before the other options, as
/// bash takes them; a script or `-c` reads no startup file.
#[test]
fn issue_10_rc_options_on_the_command_line() {
    let (_dir, rc) = rc_file("echo rc-ran\n");
    let rc = rc.display().to_string();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_corral"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--rcfile", &rc, "-c", "echo ok"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let out = run(&["--norc", "-c", "echo ok"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let out = run(&["--rcfile"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "corral: --rcfile: option requires an argument\n"
    );
}

/// A startup file that blocks (a FIFO nobody writes to) does not freeze
/// the shell: a SIGHUP still ends it, as it ends bash.
#[test]
fn issue_10_blocking_startup_file_still_hangs_up() {
    let dir = tempfile::tempdir().expect("rc dir");
    use std::os::unix::fs::OpenOptionsExt;
    let fifo = dir.path().join("rc.fifo");
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
    let sh = Shell::spawn_with_rc(&fifo);
    // A writer can open the FIFO once the shell has it open for reading;
    // holding it (and writing nothing) keeps the shell's read blocked.
    let writer = procfs::wait_for(
        sh.timeout(),
        "the shell to open its startup file",
        || {
            std::fs::OpenOptions::new()
                .write(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(&fifo)
                .ok()
        },
        || sh.describe_session(),
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(sh.pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .expect("SIGHUP");
    let status = sh.wait_exit(sh.timeout());
    drop(writer);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGHUP), "{status:?}");
}
