//! Job control at the prompt: Ctrl-Z stops a foreground job (a pipeline or
//! a compound command as one job), `fg`/`bg`/`%N` resume it, background jobs'
//! notices, `exit` with stopped jobs, `wait -n`.

use super::*;

/// 1. Ctrl-Z stops the foreground job, `jobs` lists it, `fg` resumes it,
///    Ctrl-C ends it with status 130.
#[test]
fn ctrl_z_stops_foreground_then_fg_resumes() {
    let sh = Shell::start();
    // The notice is a line of its own: the shell starts a new line first.
    let pid = sh.start_and_stop(
        "sleep 100",
        &["sleep", "100"],
        "[1]+  Stopped                 sleep 100",
    );
    sh.prompt();
    sh.wait_shell_foreground();

    sh.send_line("jobs");
    sh.expect_line("[1]+  Stopped                 sleep 100");
    sh.prompt();

    sh.resume_foreground("fg", "sleep 100", &["sleep", "100"], pid);

    sh.ctrl_c();
    procfs::assert_exits(pid, sh.timeout(), "the resumed sleep after Ctrl-C");
    sh.prompt();
    sh.send_line("echo $?");
    sh.expect_line("130");
    sh.prompt();
}

/// 2. Ctrl-Z on a pipeline of two external processes stops both, as one
///    job; `kill %1` ends it.
#[test]
fn ctrl_z_stops_whole_pipeline() {
    let sh = Shell::start();
    sh.send_line("sleep 100 | tr a b");
    let sleep = sh.wait_foreground(&["sleep", "100"]);
    let tr = sh.wait_foreground(&["tr", "a", "b"]);
    assert_eq!(
        procfs::stat(sleep).unwrap().pgrp,
        procfs::stat(tr).unwrap().pgrp,
        "one process group for the pipeline"
    );
    stop_as_one_job_then_kill(&sh, "sleep 100 | tr a b", &[(sleep, "sleep"), (tr, "tr")]);
}

/// 2b. Ctrl-Z on a pipeline into the program `cat`: the job stops as one, the prompt
///     comes back, `kill %1` ends it (status of the last member: Terminated).
#[test]
fn ctrl_z_stops_pipeline_into_cat() {
    let sh = Shell::start();
    sh.send_line("sleep 100 | cat");
    let sleep = sh.wait_foreground(&["sleep", "100"]);
    // Ctrl-Z reaches the processes in the foreground group when it is typed:
    // wait until cat has been exec'd in that group and is blocked reading.
    let cat = sh.wait_foreground(&["cat"]);
    procfs::wait_blocked_on_input(cat, sh.timeout());
    stop_as_one_job_then_kill(&sh, "sleep 100 | cat", &[(sleep, "sleep"), (cat, "cat")]);
}

/// Ctrl-Z on the foreground pipeline `cmd` (its `members`: pid and name)
/// stops every member as job 1, which `jobs` lists alone; `kill %1` ends
/// them all.
fn stop_as_one_job_then_kill(sh: &Shell, cmd: &str, members: &[(i32, &str)]) {
    let stopped = format!("[1]+  Stopped                 {cmd}");
    sh.ctrl_z();
    sh.expect_line(&stopped);
    for &(pid, _) in members {
        procfs::wait_state(pid, 'T', sh.timeout());
    }
    sh.prompt();

    // One job, not two.
    sh.send_line("jobs");
    sh.expect_line(&stopped);
    let rest = sh.expect(PROMPT);
    assert!(!rest.contains('['), "a second job appeared:\n{rest}");

    sh.send_line("kill %1");
    for &(pid, name) in members {
        procfs::assert_exits(
            pid,
            sh.timeout(),
            &format!("the pipeline's {name} after kill %1"),
        );
    }
    let pids: Vec<i32> = members.iter().map(|&(pid, _)| pid).collect();
    sh.terminated_notice(cmd, &pids);
}

/// 3. `cmd &` prints `[1] PID`; the Done notice arrives while the prompt
///    is idle (bash: at the next prompt). Job ids are not reused (bash: 1 again).
///    The job ends when the test opens its gate, once the prompt is back.
#[test]
fn background_done_notice_while_idle() {
    let sh = Shell::start();
    let mut gate = Gate::new();
    let cmd = gate.command();
    let (id, pid) = sh.start_bg(&cmd);
    assert_eq!(id, 1);
    // `[1] PID` names the job's process (bash reports the pid before the
    // child has exec'd, so wait for the exec).
    procfs::wait_for(
        sh.timeout(),
        "the `[1] PID` process to be the gated job",
        || (procfs::cmdline(pid).unwrap_or_default() == gate.argv()).then_some(()),
        || format!("{:?} {:?}", procfs::stat(pid), procfs::cmdline(pid)),
    );
    gate.open();
    // Nothing typed: corral announces it by itself.
    sh.idle_notice(&format!("[1]+  Done                    {cmd}"), &[pid]);

    let (id, _) = sh.start_bg("sleep 1");
    // corral never reuses an id; bash starts again at 1.
    assert_eq!(id, if sh.is_bash() { 1 } else { 2 });
}

/// 4. `bg` resumes a stopped job in the background; its Done notice arrives
///    while idle. The job waits on a gate the test opens once it has been
///    resumed, so it cannot end before Ctrl-Z however slow the machine.
#[test]
fn bg_resumes_stopped_job() {
    let sh = Shell::start();
    let mut gate = Gate::new();
    let cmd = gate.command();
    let argv = gate.argv();
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let pid = sh.start_and_stop(&cmd, &argv, &format!("[1]+  Stopped                 {cmd}"));
    sh.prompt();

    sh.send_line("bg");
    sh.expect_line(&format!("[1]+ {cmd} &"));
    sh.prompt();
    assert!(
        matches!(procfs::state(pid), Some('S' | 'R')),
        "resumed: {:?}",
        procfs::stat(pid)
    );
    gate.open();
    sh.idle_notice(&format!("[1]+  Done                    {cmd}"), &[pid]);
}

/// 5. A background job reading the terminal stops with `Stopped (tty input)`;
///    `fg` gives it the terminal and it reads a typed line.
#[test]
fn background_tty_reader_stops_then_fg_reads() {
    let sh = Shell::start();
    let script = fixture("tty_reader.sh");
    let cmd = format!("sh {script}");
    sh.send_line(&format!("{cmd} &"));
    let line = sh.expect_line_matching("a `[N] PID` line", |l| parse_job_start(l).is_some());
    let (id, pid) = parse_job_start(&line).expect("parsed above");
    assert_eq!(id, 1);
    procfs::wait_state(pid, 'T', sh.timeout());
    if !sh.is_bash() {
        // corral announces the stop at once (bash: at the next prompt), before
        // or after painting the prompt: either way a prompt follows it.
        sh.expect(&format!("[1]+  Stopped (tty input)     {cmd}"));
    }
    sh.prompt();

    sh.send_line("jobs -l");
    sh.expect_line(&format!("[1]+ {pid:>5} Stopped (tty input)     {cmd}"));
    sh.prompt();

    sh.send_line("fg");
    sh.expect_line(&cmd);
    assert_eq!(sh.wait_foreground(&["sh", &script]), pid);
    procfs::wait_state(pid, 'S', sh.timeout());
    sh.send_line("hello from the pty");
    sh.expect_line("got: hello from the pty");
    procfs::assert_exits(pid, sh.timeout(), "the tty reader");
    sh.prompt();
    sh.send_line("echo $?");
    sh.expect_line("0");
    sh.prompt();
}

/// 8. `exit` with a stopped job warns once and stays; the second `exit`
///    exits, and no process of any job is left (bash leaves the running
///    background job behind: that part is corral-only).
#[test]
fn exit_with_stopped_jobs_warns_then_kills_everything() {
    let sh = Shell::start();
    let (_, running) = sh.start_bg("sleep 100");
    let stopped = sh.start_and_stop(
        "sleep 200",
        &["sleep", "200"],
        "[2]+  Stopped                 sleep 200",
    );
    sh.prompt();

    sh.send_line("exit");
    sh.expect_line("There are stopped jobs.");
    sh.prompt();
    assert!(procfs::is_alive(stopped) && procfs::is_alive(running));

    sh.send_line("exit");
    sh.wait_exit(sh.timeout());
    procfs::assert_exits(stopped, sh.timeout(), "the stopped job after exit");
    if sh.is_bash() {
        // bash leaves running background jobs running; corral must not.
        assert!(procfs::is_alive(running));
    } else {
        procfs::assert_exits(running, sh.timeout(), "the background job after exit");
        let left = sh.started_processes();
        assert!(left.is_empty(), "processes left after exit: {left:?}");
    }
}

/// 10. A notice that arrives while a line is being typed does not corrupt
///     it: the line is repainted after the notice and runs as typed.
///     corral-only in substance (bash prints the notice only after Enter).
///     The job ends when the test opens its gate, once the half line shows.
#[test]
fn done_notice_while_typing_keeps_the_line() {
    let sh = Shell::start();
    let mut gate = Gate::new();
    let cmd = gate.command();
    let (_, pid) = sh.start_bg(&cmd);
    sh.send("echo \"par");
    sh.expect("echo \"par");
    gate.open();
    if sh.is_bash() {
        procfs::assert_exits(pid, sh.timeout(), "the gated job");
    } else {
        // The notice arrives mid-line...
        sh.expect_line(&format!("[1]+  Done                    {cmd}"));
    }
    // ...and the half-typed line is still there to finish.
    sh.send_line("t\"ial");
    sh.expect_line("partial");
    sh.prompt();
}

/// Issue 10: Ctrl-Z on a foreground `( … )`, loop or function stops all of
/// it as one job: the interpreter pauses (nothing after the stopped command
/// runs), `fg` resumes the process and the rest of the commands after it.
#[test]
fn issue_10_ctrl_z_stops_a_compound_command_as_one_job() {
    let sh = Shell::start();
    if sh.is_bash() {
        // bash stops only the process and runs on (the defect corral fixes).
        return;
    }
    for (line, text) in [
        (
            "( sleep 100; echo after-group )",
            "( sleep 100; echo after-group )",
        ),
        ("f() { sleep 100; echo after-f; }; f", "f"),
    ] {
        sh.send_line(line);
        let pid = sh.wait_foreground(&["sleep", "100"]);
        sh.ctrl_z();
        sh.expect_line_matching("the Stopped notice", |l| {
            l.contains("Stopped") && l.ends_with(text)
        });
        procfs::wait_state(pid, 'T', sh.timeout());
        sh.prompt();
        sh.send_line("fg");
        sh.expect_line(text);
        procfs::wait_state(pid, 'S', sh.timeout());
        sh.ctrl_c();
        procfs::assert_exits(pid, sh.timeout(), "the resumed sleep after Ctrl-C");
        sh.prompt();
    }
    // A loop's variable changes reach the shell when it is not stopped.
    sh.send_line("x=1; for i in 1 2; do x=$((x+1)); done; echo x=$x");
    sh.expect_line("x=3");
    sh.prompt();
}

/// Issue 10: `%N` alone is `fg %N`; `%N &` is `bg %N`; the other job
/// specs (`%+`, `%?text`, `%prefix`) work the same way.
#[test]
fn issue_10_percent_n_is_fg_and_percent_n_amp_is_bg() {
    let sh = Shell::start();
    let mut gate = Gate::new();
    let cmd = gate.command();
    let argv = gate.argv();
    let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
    let gated = sh.start_and_stop(&cmd, &argv, &format!("[1]+  Stopped                 {cmd}"));
    sh.prompt();

    sh.send_line("%1 &");
    sh.expect_line(&format!("[1]+ {cmd} &"));
    sh.prompt();
    procfs::wait_for(
        sh.timeout(),
        "the job to run again after `%1 &`",
        || matches!(procfs::state(gated), Some('S' | 'R')).then_some(()),
        || format!("{:?}", procfs::stat(gated)),
    );

    let stopped = "[2]+  Stopped                 sleep 100";
    let sleep = sh.start_and_stop("sleep 100", &["sleep", "100"], stopped);
    sh.prompt();
    for spec in ["%2", "%%", "%+", "%?100", "%sle"] {
        sh.resume_foreground(spec, "sleep 100", &["sleep", "100"], sleep);
        sh.stop_foreground(sleep, stopped);
        sh.prompt();
    }
    sh.send_line("kill %2");
    procfs::assert_exits(sleep, sh.timeout(), "sleep after kill %2");
    gate.open();
    procfs::assert_exits(gated, sh.timeout(), "the gated job");
}

/// `wait -n` prints the notice of the job it reaped before the next
/// command's output, as bash does; the job then leaves `jobs`.
#[test]
fn issue_11_wait_n_prints_the_done_notice() {
    let sh = Shell::start();
    sh.send_line("sleep 0.2 & wait -n; echo st=$?");
    sh.expect_line_matching("a `[N] PID` line", |l| parse_job_start(l).is_some());
    sh.expect_line("[1]+  Done                    sleep 0.2");
    sh.expect_line("st=0");
    sh.prompt();
    sh.send_line("jobs; echo end");
    sh.expect_line("end");
    sh.prompt();
}

/// The job-control builtins' errors, `exit`'s and `hash`'s name the shell
/// as bash's do at a prompt (`bash: kill: %9: no such job`: no line
/// number); a usage line that follows goes out bare.
#[test]
fn issue_11_builtin_errors_name_the_shell() {
    let sh = Shell::start();
    let name = sh.name();
    for (cmd, msg) in [
        ("kill %9", "kill: %9: no such job"),
        ("fg %9", "fg: %9: no such job"),
        ("bg %9", "bg: %9: no such job"),
        ("wait %9", "wait: %9: no such job"),
        ("jobs %9", "jobs: %9: no such job"),
        ("disown %9", "disown: %9: no such job"),
        ("hash nosuch_pty_cmd", "hash: nosuch_pty_cmd: not found"),
    ] {
        sh.send_line(&format!("{cmd}; echo st=$?"));
        sh.expect_line(&format!("{name}: {msg}"));
        sh.expect_line_starting("st=");
        sh.prompt();
    }
    sh.send_line("disown -x");
    sh.expect_line(&format!("{name}: disown: -x: invalid option"));
    sh.expect_line("disown: usage: disown [-h] [-ar] [jobspec ... | pid ...]");
    sh.prompt();
    sh.send_line("exit 1 2");
    sh.expect_line(&format!("{name}: exit: too many arguments"));
    sh.prompt();
}
