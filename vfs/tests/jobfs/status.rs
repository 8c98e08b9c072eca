//! A job's `status`, `command`, `pid`, `info` and `ctl` files.

use std::io::ErrorKind;
use std::time::Duration;

use corral_kernel::{JobOptions, JobState};
use corral_vfs::WriteMode;

use crate::helpers::*;

#[tokio::test]
async fn status_goes_running_stopped_running_killed() {
    let env = Env::new();
    let job = stoppable(&env);
    let ctl = "/v/jobs/1/ctl";
    assert_eq!(env.read_str("/v/jobs/1/status").await, "running\n");

    env.vfs
        .write(ctl, b"STOP", WriteMode::Truncate)
        .await
        .unwrap();
    until_state(&job, "stopped", JobState::is_stopped).await;
    assert_eq!(env.read_str("/v/jobs/1/status").await, "stopped\n");
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["status"], "stopped");
    assert_eq!(info["signal"], "STOP");
    assert!(info["exit_code"].is_null() && info["ended_at"].is_null());

    env.vfs
        .write(ctl, b"SIGCONT\n", WriteMode::Truncate)
        .await
        .unwrap();
    until_state(&job, "continued", |s| s == JobState::Running).await;
    assert_eq!(env.read_str("/v/jobs/1/status").await, "running\n");

    env.vfs
        .write(ctl, b"15\n", WriteMode::Append)
        .await
        .unwrap();
    let end = within("kill", job.wait()).await;
    assert_eq!(end.state.exit_status(), Some(143));
    assert_eq!(env.read_str("/v/jobs/1/status").await, "killed:143\n");
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["status"], "killed:143");
    assert_eq!(info["exit_code"], 143);
    assert_eq!(info["signal"], "TERM");
    assert!(is_rfc3339(info["ended_at"].as_str().unwrap()));
    env.finish().await;
}

#[tokio::test]
async fn future_jobs_stop_continue_and_die_by_ctl_too() {
    let env = Env::new();
    let (job, _tx) = env.lockstep(JobOptions::default());
    env.vfs
        .write("/v/jobs/1/ctl", b"stop", WriteMode::Truncate)
        .await
        .unwrap();
    until_state(&job, "stopped", JobState::is_stopped).await;
    assert_eq!(env.read_str("/v/jobs/1/status").await, "stopped\n");
    env.vfs
        .write("/v/jobs/1/ctl", b"cont", WriteMode::Truncate)
        .await
        .unwrap();
    until_state(&job, "running", |s| s == JobState::Running).await;
    env.vfs
        .write("/v/jobs/1/ctl", b"KILL", WriteMode::Truncate)
        .await
        .unwrap();
    within("kill", job.wait()).await;
    assert_eq!(env.read_str("/v/jobs/1/status").await, "killed:137\n");
    env.finish().await;
}

#[tokio::test]
async fn command_pid_and_info_of_a_pipeline() {
    let env = Env::new();
    let text = "printf 'a  b\\n' | cat";
    let spec = corral_kernel::ProcessSpec::new(text)
        .pipe(corral_kernel::Cmd::new("printf").arg("a  b\\n"))
        .pipe(corral_kernel::Cmd::new("cat"));
    let job = env.kernel.spawn_process(spec).unwrap();
    within("pipeline", job.wait()).await;

    assert_eq!(env.read_str("/v/jobs/1/command").await, format!("{text}\n"));
    let pids = job.pids();
    assert_eq!(pids.len(), 2);
    let want: String = pids.iter().map(|p| format!("{p}\n")).collect();
    assert_eq!(env.read_str("/v/jobs/1/pid").await, want);
    assert_eq!(env.read_str("/v/jobs/1/stdout").await, "a  b\n");

    let raw = env.read_str("/v/jobs/1/info").await;
    assert!(
        raw.ends_with("}\n") && raw.matches('\n').count() == 1,
        "{raw}"
    );
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["id"], 1);
    assert_eq!(info["command"], text);
    assert_eq!(info["kind"], "process");
    assert_eq!(info["status"], "done:0");
    assert_eq!(info["exit_code"], 0);
    assert!(info["signal"].is_null());
    let raw: Vec<i32> = pids.iter().map(|p| p.as_raw()).collect();
    assert_eq!(info["pids"], serde_json::json!(raw));
    assert_eq!(info["pgid"], raw[0]);
    let started = info["started_at"].as_str().unwrap();
    let ended = info["ended_at"].as_str().unwrap();
    assert!(
        is_rfc3339(started) && is_rfc3339(ended),
        "{started} {ended}"
    );
    assert!(started <= ended);
    assert_eq!(info["stdout"]["bytes_written"], 5);
    assert_eq!(info["stdout"]["bytes_dropped"], 0);
    assert_eq!(info["stderr"]["bytes_written"], 0);
    env.finish().await;
}

#[tokio::test]
async fn future_jobs_have_no_pids() {
    let env = Env::new();
    let job = env.future("builtin thing", b"x".to_vec(), 0, JobOptions::default());
    within("future", job.wait()).await;
    assert_eq!(env.read_str("/v/jobs/1/pid").await, "");
    assert_eq!(env.read_str("/v/jobs/1/command").await, "builtin thing\n");
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["kind"], "future");
    assert!(info["pgid"].is_null());
    assert_eq!(info["pids"], serde_json::json!([]));
    env.finish().await;
}

#[tokio::test]
async fn ctl_refuses_bad_input_and_leaves_the_job_alone() {
    let env = Env::new();
    let job = stoppable(&env);
    let ctl = "/v/jobs/1/ctl";
    let bad: [&[u8]; 7] = [b"QQQ", b"", b"\n", b"TERM KILL", b"0", b"65", b"\xff\xfe"];
    for input in bad {
        let e = env
            .vfs
            .write(ctl, input, WriteMode::Truncate)
            .await
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{input:?}: {e}");
        let msg = e.to_string();
        assert!(msg.starts_with("/v/jobs/1/ctl: "), "{msg}");
        assert!(msg.contains("invalid signal"), "{msg}");
        for listed in ["TERM", "KILL", "STOP", "CONT", "INT", "HUP"] {
            assert!(msg.contains(listed), "{msg} lacks {listed}");
        }
    }
    let e = env
        .vfs
        .write(ctl, b"QQQ\n", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("'QQQ'"), "{e}");
    assert_eq!(job.state(), JobState::Running);
    assert_eq!(env.read_str("/v/jobs/1/status").await, "running\n");
    // Reading ctl gives nothing.
    assert_eq!(env.read("/v/jobs/1/ctl").await, b"");

    env.vfs.write(ctl, b"9", WriteMode::Truncate).await.unwrap();
    within("kill", job.wait()).await;
    assert_eq!(env.read_str("/v/jobs/1/status").await, "killed:137\n");

    // A finished job cannot be signalled. (A future job: a finished process
    // job's group stays addressable while a leftover member lives.)
    let done = env.future("done", Vec::new(), 0, JobOptions::default());
    within("future", done.wait()).await;
    let e = env
        .vfs
        .write("/v/jobs/2/ctl", b"TERM", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(
        &e,
        ErrorKind::Other,
        "/v/jobs/2/ctl: job has already finished",
    );
    env.finish().await;
}

#[tokio::test]
async fn info_shows_owner_labels_timeout_and_the_stop_cause() {
    let env = Env::new();
    let opts = JobOptions::new()
        .owner("agent-7")
        .label("tool", "grep")
        .timeout(Duration::from_secs(60));
    let job = env.sh_with("exit 0", opts);
    within("exit", job.wait()).await;
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["owner"], "agent-7");
    assert_eq!(info["labels"], serde_json::json!({"tool": "grep"}));
    assert_eq!(info["timeout_ms"], 60_000);
    assert_eq!(info["orphans"], "leave");
    assert!(info["stop_cause"].is_null());
    assert!(info["parent_id"].is_null());
    assert_eq!(info["stopping"], false);
    assert!(info["restart"].is_null());
    assert_eq!(info["restarts"], 0);

    let killed = env.sh("exec sleep 1000");
    env.vfs
        .write("/v/jobs/2/ctl", b"TERM", WriteMode::Append)
        .await
        .unwrap();
    within("TERM", killed.wait()).await;
    let info = env.json("/v/jobs/2/info").await;
    assert_eq!(info["stop_cause"], "signal");
    assert_eq!(info["stop_signal"], "TERM");
    assert_eq!(info["last_exit_code"], 143);
    assert_eq!(info["last_stop_cause"], "signal");
    env.finish().await;
}

/// A job that stops whole: `sleep` itself, not `sh -c` (a STOP that lands
/// while dash is in vfork stops the child only, and the kernel, tracking
/// members, sees the shell as running).
fn stoppable(env: &Env) -> corral_kernel::Job {
    env.cmd(&["sleep", "30"])
}
