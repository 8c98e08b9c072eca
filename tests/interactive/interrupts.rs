//! Ctrl-C and SIGHUP: what each reaches (the foreground job, a builtin, a
//! group, the rest of the line; never a background job) and what the shell
//! does after.

use super::*;

/// 7. Ctrl-C at the prompt clears the line and gives a new prompt; a
///    background job is not touched.
#[test]
fn ctrl_c_at_prompt_clears_line_and_spares_jobs() {
    let sh = Shell::start();
    let (_, pid) = sh.start_bg("sleep 100");

    sh.send("echo junk");
    sh.expect("echo junk");
    if sh.is_bash() {
        // bash 5.2 loses a SIGINT that arrives between its echo and its
        // pselect (no new prompt until the next key). corral's line editor
        // reads Ctrl-C as a key in raw mode: no such race to wait out.
        procfs::wait_blocked_on_input(sh.pid(), sh.timeout());
    }
    // Only a prompt painted after the Ctrl-C counts: skip the echo's repaints.
    sh.skip_all();
    sh.ctrl_c();
    sh.prompt();

    // Had the line survived, this would run `echo junkecho clean`.
    sh.send_line("echo \"cl\"ean");
    let line = sh.expect_line_matching("the output of echo clean", |l| l.ends_with("clean"));
    assert_eq!(line, "clean", "the line was not cleared by Ctrl-C");
    sh.prompt();

    sh.send_line("jobs");
    sh.expect_line("[1]+  Running                 sleep 100 &");
    sh.prompt();
    assert_running(pid, "the background sleep after Ctrl-C at the prompt");
}

/// 9. Ctrl-C reaches only the foreground job, not a background one.
#[test]
fn ctrl_c_reaches_only_the_foreground_job() {
    let sh = Shell::start();
    let (_, bg) = sh.start_bg("sleep 100");
    sh.send_line("sleep 100");
    let fg = sh.wait_foreground(&["sleep", "100"]);
    assert_ne!(fg, bg);
    sh.ctrl_c();
    procfs::assert_exits(fg, sh.timeout(), "the foreground sleep after Ctrl-C");
    sh.prompt();
    sh.send_line("echo $?");
    sh.expect_line("130");
    sh.prompt();
    assert_running(bg, "the background sleep after Ctrl-C");
    sh.send_line("jobs");
    sh.expect_line("[1]+  Running                 sleep 100 &");
    sh.prompt();
}

/// Ctrl-C while a builtin runs in the foreground (`wait` for a job) ends
/// the builtin, not the job, and the prompt comes back with status 130.
#[test]
fn ctrl_c_interrupts_a_foreground_builtin() {
    let sh = Shell::start();
    if sh.kind == Kind::Bash {
        return; // bash has no /v/jobs
    }
    let (_, bg) = sh.start_bg("sh -c 'exec sleep 100'");
    sh.send_line("echo started; wait %1");
    sh.expect_line("started");
    sh.wait_shell_foreground();
    procfs::wait_blocked_on_input(sh.pid(), sh.timeout());
    sh.ctrl_c();
    sh.prompt();
    sh.send_line("echo $?");
    sh.expect_line("130");
    sh.prompt();
    assert_running(bg, "the followed job after Ctrl-C");
}

/// Ctrl-C on a foreground job also stops the rest of the line, as in bash.
#[test]
fn ctrl_c_stops_the_rest_of_the_line() {
    let sh = Shell::start();
    sh.send_line("sleep 100; echo after-the-sleep");
    let fg = sh.wait_foreground(&["sleep", "100"]);
    sh.ctrl_c();
    procfs::assert_exits(fg, sh.timeout(), "the foreground sleep after Ctrl-C");
    sh.prompt();
    sh.send_line("echo done-$?");
    sh.expect_line("done-130");
    assert!(
        !sh.view().lines().any(|l| l.trim() == "after-the-sleep"),
        "the rest of the line ran: {}",
        sh.view()
    );
}

/// Ctrl-C reaches a command inside a foreground `( … )` group, and the rest
/// of the group does not run.
#[test]
fn ctrl_c_reaches_a_foreground_group() {
    let sh = Shell::start();
    sh.send_line("(sleep 100; echo after-in-group)");
    let fg = sh.wait_foreground(&["sleep", "100"]);
    sh.ctrl_c();
    procfs::assert_exits(fg, sh.timeout(), "the sleep in the group after Ctrl-C");
    sh.prompt();
    sh.send_line("echo group-$?");
    sh.expect_line("group-130");
    assert!(
        !sh.view().lines().any(|l| l.trim() == "after-in-group"),
        "the rest of the group ran: {}",
        sh.view()
    );
}

/// Ctrl-C on a pipeline of a builtin into a program ends both.
#[test]
fn ctrl_c_ends_a_builtin_feeding_a_program() {
    let sh = Shell::start();
    if sh.kind == Kind::Bash {
        return; // bash has no /v/jobs
    }
    let (_, bg) = sh.start_bg("sh -c 'exec sleep 100'");
    sh.send_line("( echo started; wait %1 ) | grep started");
    sh.expect_line("started");
    let grep = sh.wait_foreground(&["grep", "started"]);
    sh.ctrl_c();
    procfs::assert_exits(grep, sh.timeout(), "grep after Ctrl-C");
    sh.prompt();
    sh.send_line("echo pipe-$?");
    sh.expect_line("pipe-130");
    assert_running(bg, "the followed job");
}

/// SIGHUP to an interactive shell is sent on to its jobs before it dies of
/// it (129), as bash does. The job ignores TERM, so only the HUP can have
/// written its mark.
#[test]
fn issue_11_sighup_is_sent_on_to_jobs() {
    let sh = Shell::start();
    let mark = sh.home().join("hup");
    let (_, pid) = sh.start_bg(&format!(
        "sh -c 'trap \"echo hup > {}; exit 0\" HUP; trap \"\" TERM; sleep 100 & wait'",
        mark.display()
    ));
    // The job's shell is waiting (its traps set) once its sleep runs.
    procfs::wait_for(
        sh.timeout(),
        "the job's sleep",
        || {
            sh.session_processes()
                .iter()
                .any(|p| p.ppid == pid && p.comm == "sleep")
                .then_some(())
        },
        || sh.describe_processes(),
    );
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(sh.pid()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    let st = sh.wait_exit(sh.timeout());
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&st),
        Some(libc::SIGHUP)
    );
    procfs::assert_exits(pid, sh.timeout(), "the job after SIGHUP");
    assert_eq!(std::fs::read_to_string(&mark).unwrap(), "hup\n");
}
