//! Prompts: PS1's escapes and expansions, PS2, `$PROMPT_COMMAND`.

use super::*;

/// Issue 10: `\j` in PS1 counts the jobs the shell manages: running and
/// stopped ones, not one that has ended.
#[test]
fn issue_10_ps1_j_counts_jobs() {
    let sh = Shell::start();
    sh.send_line("PS1='jobs=\\j> '");
    sh.expect("jobs=0> ");
    let (_, first) = sh.start_bg_at("sleep 100", "jobs=1> ");
    sh.send_line("sleep 200");
    let stopped = sh.wait_foreground(&["sleep", "200"]);
    sh.ctrl_z();
    sh.expect_line("[2]+  Stopped                 sleep 200");
    procfs::wait_state(stopped, 'T', sh.timeout());
    sh.expect("jobs=2> ");
    sh.send_line("kill %1");
    procfs::assert_exits(first, sh.timeout(), "job 1 after kill %1");
    if sh.is_bash() {
        // bash drops the job once it has reported it, before a prompt,
        // which may take an Enter or two (see `bash_enter_until`).
        let deadline = std::time::Instant::now() + sh.timeout();
        let slice = std::time::Duration::from_millis(300);
        while sh
            .try_expect_line_matching(slice, |l| l == "jobs=1>")
            .is_none()
        {
            assert!(std::time::Instant::now() < deadline, "\\j never became 1");
            sh.send_line("");
        }
    } else {
        sh.expect_line_matching("the Terminated notice", |l| {
            l.starts_with("[1]") && l.contains("Terminated")
        });
        sh.send_line("");
        sh.expect("jobs=1> ");
    }
    sh.send_line("kill %2");
    procfs::assert_exits(stopped, sh.timeout(), "job 2 after kill %2");
}

/// Issue 10: PS1's escapes and its expansions, as bash makes them: `\#`
/// and `\!` count, `\w` shows `~`, `$(…)`, `${…}` and `$((…))` run each
/// time the prompt is shown, `$?` is the last command's (until a `$(…)` of
/// the prompt changes it, as in bash; the shell's own is kept), and a `$`
/// from `\w` is not expanded.
#[test]
fn issue_10_ps1_escapes_and_expansions() {
    let sh = Shell::start();
    std::fs::create_dir(sh.home().join("d$x")).unwrap();
    sh.send_line("n=5; PS1='[\\# \\! \\w|\\W $? $(echo sub) ${n}$((n*2)) \\101]> '");
    sh.expect("[2 2 ~|~ 0 sub 510 A]> ");
    sh.send_line("cd 'd$x'; n=6; false");
    sh.expect("[3 3 ~/d$x|d$x 1 sub 612 A]> ");
    // The prompt's own `$(…)` does not change `$?`.
    sh.send_line("echo status=$?");
    sh.expect_line("status=1");
    sh.expect("[4 4 ");
    // PROMPT_DIRTRIM keeps the last components of `\w`.
    sh.send_line("mkdir -p a/b/c/d; cd a/b/c/d; PROMPT_DIRTRIM=2");
    sh.expect("[5 5 ~/.../c/d|d 0 sub 612 A]> ");
}

/// Issue 10: PS2 is the prompt of continuation lines.
#[test]
fn issue_10_ps2_continuation() {
    let sh = Shell::start();
    sh.send_line("PS2='more\\$ '");
    sh.prompt();
    sh.send_line("echo \"one");
    sh.expect("more");
    sh.send_line("two\"");
    sh.expect_line("one");
    sh.expect_line("two");
    sh.prompt();
}

/// `$PROMPT_COMMAND` runs before each prompt and leaves `$?` alone (bash).
#[test]
fn issue_10_prompt_command_runs_before_each_prompt() {
    let sh = Shell::start();
    sh.send_line("PROMPT_COMMAND='echo pc-$?; true'");
    sh.expect_line("pc-0");
    sh.prompt();
    sh.send_line("false");
    sh.expect_line("pc-1");
    sh.prompt();
    sh.send_line("echo status-$?");
    sh.expect_line("status-1");
    sh.expect_line("pc-0");
    sh.prompt();
}
