//! An INT trap at the idle prompt: Ctrl-C there runs it at once (not when
//! the next command ends), and `$?` is 130 afterwards, as in bash.

use super::*;

#[test]
fn int_trap_runs_on_ctrl_c_at_the_idle_prompt() {
    let sh = Shell::start();
    sh.send_line("trap 'echo got-int' INT; echo armed");
    // The prompt painted after the output: the editor has the terminal.
    sh.expect_line("armed");
    sh.prompt();
    sh.send("echo partial");
    sh.expect("echo partial");
    if sh.is_bash() {
        // bash loses a SIGINT that comes between its echo and its pselect.
        procfs::wait_blocked_on_input(sh.pid(), sh.timeout());
    }
    sh.skip_all();
    sh.ctrl_c();
    // Nothing else is typed: the trap's output must come by itself.
    sh.expect_line("got-int");
    sh.prompt();
    sh.send_line("echo \"status $?\"");
    sh.expect_line("status 130");
    sh.prompt();
    // The dropped line did not run.
    sh.send_line("echo \"after\"");
    let line = sh.expect_line_matching("the output of echo after", |l| l.ends_with("after"));
    assert_eq!(line, "after");
    sh.prompt();
}

#[test]
fn ctrl_c_at_the_idle_prompt_without_a_trap_sets_130() {
    let sh = Shell::start();
    sh.send_line("echo ready");
    sh.expect_line("ready");
    sh.prompt();
    sh.send("true");
    sh.expect("true");
    if sh.is_bash() {
        procfs::wait_blocked_on_input(sh.pid(), sh.timeout());
    }
    sh.skip_all();
    sh.ctrl_c();
    sh.prompt();
    sh.send_line("echo \"status $?\"");
    sh.expect_line("status 130");
    sh.prompt();
}
