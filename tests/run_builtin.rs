//! The `run` builtin (a supervised background job) and `jobs -S`.

use crate::util::run::*;

/// Kills a pid on drop, for a job the test saw started.
struct KillPid(Option<u32>);

impl Drop for KillPid {
    fn drop(&mut self) {
        if let Some(pid) = self.0.filter(|&p| alive(p)) {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .stderr(std::process::Stdio::null())
                .status();
        }
    }
}

#[test]
fn timeout_ends_the_job_with_124() {
    let r = corral(
        "run --timeout 200ms -- sleep 10; p=$!; wait $!; echo $?; \
         case $p in *[!0-9]*) echo nopid;; esac; cat /v/jobs/1/info",
    );
    assert_eq!(r.status, 0, "{r:?}");
    let mut lines = r.stdout.lines();
    assert_eq!(lines.next(), Some("124"), "{r:?}");
    let info = lines.next().unwrap_or_default();
    assert!(info.contains(r#""stop_cause":"timeout""#), "{info}");
    assert!(info.contains(r#""timeout_ms":200"#), "{info}");
}

#[test]
fn restart_on_failure_restarts_twice() {
    let r = corral(
        "run --restart on-failure:2 -- sh -c 'exit 3'; echo \"$!\"; wait $!; echo $?; \
         cat /v/jobs/1/info",
    );
    assert_eq!(r.status, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    // A restarting job has no pid of its own: `$!` is its jobspec.
    assert_eq!(lines[..2], ["%1", "3"], "{r:?}");
    assert!(lines[2].contains(r#""restarts":2"#), "{}", lines[2]);
    assert!(
        lines[2].contains(r#""restart":"on-failure""#),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains(r#""last_exit_code":3"#), "{}", lines[2]);
}

#[test]
fn supervised_listing_shows_limits_owner_and_restarts() {
    let r = corral(
        "run --cpu 5s --mem 64M --timeout 1m --owner me --label k=v -- sleep 100; echo $!; \
         jobs -S; jobs; cat /v/jobs/1/info",
    );
    let mut lines = r.stdout.lines();
    let pid: u32 = lines.next().and_then(|l| l.parse().ok()).unwrap_or(0);
    let _kill = KillPid((pid != 0).then_some(pid));
    assert_eq!(r.status, 0, "{r:?}");
    assert_ne!(pid, 0, "{r:?}");
    let rest: Vec<&str> = lines.collect();
    assert_eq!(
        rest[0], "[1]+  Running                 sleep 100 &",
        "{r:?}"
    );
    assert!(
        rest[1].starts_with(
            "      timeout=1m cpu=5s mem=64M restart=never restarts=0 cause=- last=- "
        ),
        "{}",
        rest[1]
    );
    // Plain `jobs` stays bash's.
    assert_eq!(rest[2], "[1]+  Running                 sleep 100 &");
    assert!(rest[3].contains(r#""owner":"me""#), "{}", rest[3]);
    assert!(rest[3].contains(r#""labels":{"k":"v"}"#), "{}", rest[3]);
    // corral's exit ended the job.
    eventually("the job's process ends", || !alive(pid));
}

#[test]
fn a_memory_limit_stops_the_job_with_cause_limit() {
    let r = corral("run --mem 4K -- sleep 100; wait $!; echo $?; cat /v/jobs/1/info");
    assert_eq!(r.status, 0, "{r:?}");
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "143", "{r:?}");
    assert!(lines[1].contains(r#""stop_cause":"limit""#), "{}", lines[1]);
}

#[test]
fn invalid_options_are_status_2_and_start_nothing() {
    for (args, msg) in [
        (
            "--timeout x -- sleep 100",
            "run: --timeout: invalid duration `x'",
        ),
        ("--cpu 5q sleep 100", "run: --cpu: invalid duration `5q'"),
        ("--mem lots sleep 100", "run: --mem: invalid size `lots'"),
        (
            "--restart often sleep 100",
            "run: --restart: invalid policy `often'",
        ),
        (
            "--label nokey sleep 100",
            "run: --label: invalid label `nokey'",
        ),
        (
            "--frobnicate sleep 100",
            "run: --frobnicate: invalid option",
        ),
        ("--timeout", "run: --timeout: option requires an argument"),
        ("--timeout 1s --", "run: a command is required"),
    ] {
        let r = corral(&format!("run {args}; echo $?; jobs; echo \"[$!]\""));
        assert_eq!(r.stdout, "2\n[]\n", "{args}: {r:?}");
        assert!(
            r.stderr
                .starts_with(&format!("corral: line 1: {msg}\nrun: usage: run ")),
            "{args}: {}",
            r.stderr
        );
    }
}

#[test]
fn run_is_in_help() {
    let r = corral("help run");
    assert_eq!(r.status, 0, "{r:?}");
    assert!(r.stdout.contains("run [--timeout D]"), "{}", r.stdout);
}

/// `[N] PID` as `&` prints it, and the job is the shell's: `$!`, `%1`, `wait`.
#[test]
fn interactive_run_reports_the_job_like_ampersand() {
    use crate::util::pty::{Pty, PtyCommand};
    let sh = Pty::spawn(PtyCommand::new(corral_bin()));
    sh.expect("corral> ");
    sh.send_line("run --timeout 1m -- sleep 100");
    let line = sh.expect_line_matching("a `[N] PID` line", |l| job_start(l).is_some());
    let (n, pid) = job_start(&line).unwrap();
    let _kill = KillPid(Some(pid));
    assert_eq!(n, 1, "{line}");
    sh.expect("corral> ");
    sh.send_line("echo \"<$!>\"");
    sh.expect_line(&format!("<{pid}>"));
    sh.send_line("kill %1; wait %1; echo \"st=$?\"");
    sh.expect_line("st=143");
    eventually("the killed job's process ends", || !alive(pid));
}

fn job_start(line: &str) -> Option<(u32, u32)> {
    let (id, pid) = line.strip_prefix('[')?.split_once("] ")?;
    Some((id.parse().ok()?, pid.parse().ok()?))
}
