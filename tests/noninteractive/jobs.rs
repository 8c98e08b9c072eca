//! Background jobs through the builtins and `/v/jobs`: status, output,
//! listings, signals, `wait`, `disown` and the cleanup at exit.

use crate::util::run::*;

#[test]
fn background_jobs_status_and_wait() {
    let r = corral(
        "sleep 100 & cat /v/jobs/1/status; ls /v/jobs; kill %1; wait %1; echo $?; cat /v/jobs/1/status",
    );
    assert_eq!(r.stdout, "running\n1\n143\nkilled:143\n", "{}", r.stderr);
    let r = corral("sh -c 'exit 3' & wait %1; echo $?; cat /v/jobs/1/status; wait %1; echo $?");
    assert_eq!(r.stdout, "3\nfailed:3\n3\n");
    let r = corral("wait %3; echo $?");
    assert_eq!(r.stderr, "corral: line 1: wait: %3: no such job\n");
    assert_eq!(r.stdout, "127\n");
}

/// GNU `tail -f` on the mount follows a live job; `--pid` ends it with the job.
#[test]
fn tail_follows_a_job_until_it_ends() {
    let r = corral(&format!(
        "set -o bgquiet; sh {} 3 0.2 & tail -n +1 -s 0.1 -f --pid=$! /v/jobs/1/stdout; wait %1; cat /v/jobs/1/status",
        fixture("slow_printer.sh")
    ));
    assert_eq!(r.stdout, "line 1\nline 2\nline 3\ndone:0\n", "{}", r.stderr);
    let r = corral("set -o bgquiet; printf '1\\n2\\n3\\n' & wait; tail -n 2 /v/jobs/1/stdout");
    assert_eq!(r.stdout, "2\n3\n");
}

#[test]
fn job_output_through_v_jobs() {
    let r = corral(
        "set -o bgquiet; sh -c 'echo out; echo err >&2' & wait; cat /v/jobs/1/stdout; cat /v/jobs/1/stderr; cat /v/jobs/1/command; cat /v/jobs/1/stdout | wc -c",
    );
    assert_eq!(r.stdout, "out\nerr\nsh -c 'echo out; echo err >&2'\n4\n");
    // A builtin's job has a pid: its anchor process's.
    let r = corral("set -o bgquiet; echo from a builtin & p=$!; wait; cat /v/jobs/1/stdout; [ \"$(cat /v/jobs/1/pid)\" = \"$p\" ] && echo pid");
    assert_eq!(r.stdout, "from a builtin\npid\n");
    let r =
        corral("set -o bgquiet; ( echo grouped; sh -c 'echo inner' ) & wait; cat /v/jobs/1/stdout");
    assert_eq!(r.stdout, "grouped\ninner\n");
    // The program names the path it was given: the mount's.
    let r = corral("cat /v/jobs/99/status");
    assert!(
        r.stderr.starts_with("cat: /")
            && r.stderr
                .ends_with("/v/jobs/99/status: No such file or directory\n"),
        "{}",
        r.stderr
    );
    assert_eq!(r.status, 1);
}

#[test]
fn jobs_listing_formats() {
    let r =
        corral("sleep 100 & sleep 101 & jobs; jobs -p | wc -l; jobs %1; jobs %9; kill %1 %2; wait");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "[1]-  Running                 sleep 100 &");
    assert_eq!(lines[1], "[2]+  Running                 sleep 101 &");
    assert_eq!(lines[2].trim(), "2");
    assert_eq!(lines[3], "[1]-  Running                 sleep 100 &");
    assert_eq!(r.stderr, "corral: line 1: jobs: %9: no such job\n");
}

#[test]
fn kill_builtin_and_its_errors() {
    let r = corral("kill -l 143; kill -l TERM; kill -l | head -n 1");
    assert_eq!(r.stdout.lines().take(2).collect::<Vec<_>>(), ["TERM", "15"]);
    assert!(r.stdout.contains("1) SIGHUP"), "{}", r.stdout);
    let r = corral("kill");
    assert_eq!(r.status, 2);
    assert!(r.stderr.starts_with("kill: usage: kill [-s sigspec"));
    let r = corral("sleep 100 & kill -s QQQ %1; echo $?; kill %9; echo $?; kill abc; echo $?; kill 999999; echo $?; kill -9 %1");
    assert_eq!(r.stdout, "1\n1\n1\n1\n");
    assert_eq!(
        r.stderr,
        "corral: line 1: kill: QQQ: invalid signal specification\n\
         corral: line 1: kill: %9: no such job\n\
         corral: line 1: kill: abc: arguments must be process or job IDs\n\
         corral: line 1: kill: (999999) - No such process\n"
    );
}

#[test]
fn fg_and_bg_need_job_control() {
    let r = corral("fg; echo $?; bg; echo $?");
    assert_eq!(
        r.stderr,
        "corral: line 1: fg: no job control\ncorral: line 1: bg: no job control\n"
    );
    assert_eq!(r.stdout, "1\n1\n");
}

#[test]
fn disown_and_exit_cleanup() {
    // A job left running at exit is terminated; a disowned one is left alone.
    let r = corral("sleep 100 & echo $!; sleep 100 & echo $!; disown %2; jobs");
    let pids: Vec<u32> = r
        .stdout
        .lines()
        .take(2)
        .map(|l| l.parse().unwrap())
        .collect();
    assert_eq!(
        r.stdout.lines().nth(2),
        Some("[1]+  Running                 sleep 100 &")
    );
    eventually("the job is terminated at exit", || !alive(pids[0]));
    assert!(alive(pids[1]), "disowned job survives");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pids[1] as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
}

#[test]
fn sigpipe_does_not_kill_corral() {
    let r = corral(
        "set -o bgquiet; head -c 3000000 /dev/zero & wait; cat /v/jobs/1/stdout | head -c 1 | wc -c; echo alive",
    );
    assert_eq!(r.stdout, "1\nalive\n", "{}", r.stderr);
}

#[test]
fn wait_n_returns_the_first_to_finish() {
    let r = corral(
        "sleep 100 & sh -c 'exit 4' & wait -n; echo $?; kill %1; wait -n; echo $?; wait -n; echo $?",
    );
    assert_eq!(r.stdout, "4\n143\n127\n", "{}", r.stderr);
}

#[test]
fn jobs_long_shows_pids_and_pipeline_members() {
    let r = corral("sleep 100 | cat & jobs -l; kill %1");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    assert!(lines[0].starts_with("[1]+ "), "{}", lines[0]);
    assert!(
        lines[0].ends_with(" Running                 sleep 100"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].ends_with("                       | cat &"),
        "{}",
        lines[1]
    );
}

#[test]
fn stderr_redirections_apply_to_background_jobs_and_errors() {
    let r = corral(
        "set -o bgquiet; sh -c 'echo e >&2' 2>&1 & wait; cat /v/jobs/1/stdout; seq 2 >&2 & wait; cat /v/jobs/2/stderr",
    );
    assert_eq!(r.stdout, "e\n1\n2\n", "{}", r.stderr);
    let r = corral("set -o bgquiet; (sh -c 'for i in 1 2 3; do echo o$i; echo e$i >&2; done' 2>&1) & wait; cat /v/jobs/1/stdout");
    assert_eq!(r.stdout, "o1\ne1\no2\ne2\no3\ne3\n", "2>&1 keeps the order");
    let r = corral("nonexist-xyz 2>/dev/null; echo $?");
    assert_eq!((r.stdout.as_str(), r.stderr.as_str()), ("127\n", ""));
}

/// Issue 8: `kill` goes through the kernel, so it sends real-time signals to
/// a group and accepts every name `/v/jobs/N/ctl` accepts (`IOT`).
#[test]
fn issue_8_kill_sends_realtime_signals_to_groups_and_takes_iot() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("ready");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    let rt1 = libc::SIGRTMIN() + 1;
    let script = format!(
        "set -o bgquiet; sh -c 'trap \"exit 7\" {rt1}; echo ready > {f}; while :; do sleep 1; done' & \
         cat {f}; kill -s RTMIN+1 -- -$!; wait $!; echo $?; \
         sleep 100 & kill -s IOT %2; wait %2; echo $?",
        f = fifo.display()
    );
    let r = corral(&script);
    assert_eq!(r.stdout, "ready\n7\n134\n", "stderr: {}", r.stderr);
    // A script reports a job killed by SIGABRT, as bash does.
    let report = r
        .stderr
        .strip_prefix("corral: line 1: ")
        .unwrap_or_default();
    assert!(
        report.ends_with(" Aborted                 sleep 100\n"),
        "{}",
        r.stderr
    );
}

/// Issue 8: a foreground command is a hidden record, not a numbered job:
/// after `true; sleep 2 &` the job is `[1]`, and `/v/jobs/1` is that job.
#[test]
fn issue_8_foreground_commands_use_no_job_number() {
    let r = corral(
        "/bin/true; sh -c 'exit 3'; sleep 30 & jobs; cat /v/jobs/1/command; ls /v/jobs; kill %1",
    );
    assert_eq!(
        r.stdout, "[1]+  Running                 sleep 30 &\nsleep 30\n1\n",
        "stderr: {}",
        r.stderr
    );
}

#[test]
fn issue_10_background_jobs_in_the_language() {
    // Output of background jobs reaches a script's stdout (bash does this).
    let r = corral("echo bg & wait; echo fg");
    assert_eq!(r.stdout, "bg\nfg\n");
    // Every kind of job gets a $! that wait accepts, with the job's status.
    let r = corral("{ exit 3; } & wait $!; echo $?; f() { return 4; }; f & wait $!; echo $?; sh -c 'exit 5' & wait $!; echo $?");
    assert_eq!(r.stdout, "3\n4\n5\n", "{}", r.stderr);
    // A loop makes one job per `&`, and kill $(jobs -p) reaches them.
    let r = corral("for i in 1 2 3; do sleep 100 & done; jobs | wc -l; kill $(jobs -p); wait %3; echo $?; wait; echo $?");
    assert_eq!(
        r.stdout.split_whitespace().collect::<Vec<_>>(),
        ["3", "143", "0"],
        "{}",
        r.stderr
    );
    // set -o bgquiet keeps the output in the ring only.
    let r = corral("set -o bgquiet; echo quiet & wait; cat /v/jobs/1/stdout");
    assert_eq!(r.stdout, "quiet\n");
}

#[test]
fn issue_10_stop_and_continue_reach_a_background_group_and_its_processes() {
    // STOP pauses the interpreter and its running process; CONT resumes
    // both: `done` is printed once the job is continued, not before.
    let r = corral(
        "set -o bgquiet; ( sleep 1; echo done ) & sleep 0.2; kill -STOP %1; cat /v/jobs/1/status; \
         cat /v/jobs/1/stdout; kill -CONT %1; wait %1; echo $?; cat /v/jobs/1/stdout",
    );
    assert_eq!(r.stdout, "stopped\n0\ndone\n", "{}", r.stderr);
    // kill %N ends the group's processes too.
    let r = corral("( sleep 100; echo never ) & p=$!; sleep 0.2; kill %1; wait $p; echo $?");
    assert_eq!(r.stdout, "143\n", "{}", r.stderr);
}
