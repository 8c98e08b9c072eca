//! Terminal modes: the shell keeps its own and gives each job its own.

use super::*;

/// 6. Terminal modes: a job that turns echo off and is stopped does not leave
///    the shell's commands without echo; `fg` gives the job its own modes
///    back; after it dies from Ctrl-C the shell's modes are restored again.
#[test]
fn terminal_modes_saved_and_restored() {
    let sh = Shell::start();
    assert!(sh.stty_echo_on(), "echo is on to start with");

    let script = fixture("stty_noecho.sh");
    let cmd = format!("sh {script}");
    sh.send_line(&cmd);
    sh.expect_line("echo-off-ready");
    let pid = sh.wait_foreground(&["sleep", "100"]);
    assert!(!termios_echo(&sh), "the job turned echo off");

    sh.ctrl_z();
    sh.expect_line(&format!("[1]+  Stopped                 {cmd}"));
    procfs::wait_state(pid, 'T', sh.timeout());
    sh.prompt();
    assert!(
        sh.stty_echo_on(),
        "the shell's modes (echo on) are restored after the job stops"
    );

    sh.send_line("fg");
    sh.expect_line(&cmd);
    assert_eq!(sh.wait_foreground(&["sleep", "100"]), pid);
    procfs::wait_state(pid, 'S', sh.timeout());
    if !sh.is_bash() {
        // corral saves a stopped job's modes and gives them back on fg; bash
        // 5.2 does not (the job resumes with the shell's modes, echo on).
        assert!(
            !termios_echo(&sh),
            "fg restores the job's own modes (echo off)"
        );
    }

    sh.ctrl_c();
    procfs::assert_exits(pid, sh.timeout(), "the job after Ctrl-C");
    sh.prompt();
    assert!(
        sh.stty_echo_on(),
        "the shell's modes are restored after the job dies from a signal"
    );
}
