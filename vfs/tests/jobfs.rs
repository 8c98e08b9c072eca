//! Contract tests of corral-vfs: JobFs files over real jobs, following,
//! errors, path normalisation, embedder mounts and the host passthrough.

#[path = "jobfs/helpers.rs"]
mod helpers;

use std::future::Future;
use std::io::ErrorKind;
use std::os::unix::fs::symlink;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use corral_kernel::{JobId, JobOptions, JobState, KernelConfig};
use corral_vfs::{FileKind, MountDir, PathError, WriteMode};
use helpers::*;
use tokio::io::AsyncReadExt;

fn cap(n: usize) -> JobOptions {
    JobOptions::new().output_cap(n)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

// ---------------------------------------------------------------- listing

/// The table's futures can be spawned: an embedder reads from any task.
#[test]
fn mount_table_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let vfs = corral_vfs::MountTable::empty();
    send(&vfs);
    send(&vfs.read("/"));
    send(&vfs.read_at("/", 0, 1));
    send(&vfs.follow("/", 0));
    send(&vfs.list("/"));
    send(&vfs.stat("/"));
    send(&vfs.write("/", b"", WriteMode::Append));
}

#[tokio::test]
async fn root_lists_job_ids_in_numeric_order() {
    let env = Env::new();
    assert!(env.names("/v/jobs").await.is_empty());
    for i in 0..12 {
        env.future(&format!("j{i}"), Vec::new(), 0, JobOptions::default());
    }
    let want: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
    let entries = env.vfs.list("/v/jobs").await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
        want
    );
    assert!(entries.iter().all(|e| e.kind == FileKind::Dir));
    // The same through a trailing slash and a detour.
    assert_eq!(env.names("/v/jobs/").await, want);
    assert_eq!(env.names("/v/jobs/3/..").await, want);
    env.finish().await;
}

#[tokio::test]
async fn job_directory_holds_the_seven_files() {
    let env = Env::new();
    env.future("x", Vec::new(), 0, JobOptions::default());
    let entries = env.vfs.list("/v/jobs/1").await.unwrap();
    let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["stdout", "stderr", "status", "command", "pid", "info", "ctl"]
    );
    assert!(entries.iter().all(|e| e.kind == FileKind::File));
    assert!(env.vfs.stat("/v/jobs/1").await.unwrap().is_dir());
    assert!(env.vfs.stat("/v/jobs").await.unwrap().is_dir());
    assert!(env.vfs.stat("/v").await.unwrap().is_dir());
    assert_eq!(env.names("/v").await, ["jobs"]);
    assert!(env.names("/").await.contains(&"v".to_string()));
    env.finish().await;
}

// ---------------------------------------------------------------- stdout / stderr

#[tokio::test]
async fn stdout_is_live_while_the_job_runs_and_complete_after() {
    let env = Env::new();
    // Prints `first`, then blocks reading a FIFO (a builtin `read`: no child
    // process to leave behind); what the test writes there releases `last`.
    let tmp = tempfile::tempdir().unwrap();
    let fifo = mkfifo(tmp.path(), "gate");
    let script = "printf 'first\\n'; read line < \"$0\"; printf '%s\\n' \"$line\" last";
    let spec = corral_kernel::ProcessSpec::new(script).pipe(
        corral_kernel::Cmd::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&fifo),
    );
    let job = env.kernel.spawn_process(spec).unwrap();

    until_output(&env.vfs, "/v/jobs/1/stdout", "first\n").await;
    let live = env.read_str("/v/jobs/1/stdout").await;
    assert_eq!(live, "first\n", "the first line is there, the last not yet");
    assert_eq!(env.read_str("/v/jobs/1/status").await, "running\n");
    assert_eq!(env.vfs.stat("/v/jobs/1/stdout").await.unwrap().len, 6);

    // Through the host passthrough: opening the FIFO meets the blocked reader.
    within("fifo", env.vfs.write(&fifo, b"middle\n", WriteMode::Append))
        .await
        .unwrap();
    assert_eq!(
        within("job end", job.wait()).await.state,
        JobState::Exited(0)
    );
    assert_eq!(
        env.read_str("/v/jobs/1/stdout").await,
        "first\nmiddle\nlast\n"
    );
    assert_eq!(env.read_str("/v/jobs/1/status").await, "done:0\n");
    assert_eq!(env.read("/v/jobs/1/stderr").await, b"");
    env.finish().await;
}

#[tokio::test]
async fn stdout_and_stderr_after_completion() {
    let env = Env::new();
    let job = env.sh("printf 'out\\n'; printf 'err\\n' >&2; exit 3");
    assert_eq!(within("exit", job.wait()).await.state, JobState::Exited(3));
    assert_eq!(env.read_str("/v/jobs/1/stdout").await, "out\n");
    assert_eq!(env.read_str("/v/jobs/1/stderr").await, "err\n");
    assert_eq!(env.read_str("/v/jobs/1/status").await, "failed:3\n");
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["exit_code"], 3);
    assert_eq!(info["status"], "failed:3");
    assert_eq!(info["stderr"]["bytes_written"], 4);
    env.finish().await;
}

#[tokio::test]
async fn eviction_keeps_the_last_cap_bytes_and_counts_the_rest() {
    let env = Env::new();
    let job = env.sh_with("seq 1 3000", cap(4096));
    within("seq", job.wait()).await;
    let all: String = (1..=3000).map(|i| format!("{i}\n")).collect();
    let all = all.as_bytes();
    let dropped = all.len() - 4096;

    assert_eq!(env.read("/v/jobs/1/stdout").await, &all[dropped..]);
    assert_eq!(env.vfs.stat("/v/jobs/1/stdout").await.unwrap().len, 4096);
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["stdout"]["bytes_written"], all.len() as u64);
    assert_eq!(info["stdout"]["bytes_dropped"], dropped as u64);
    assert_eq!(info["stdout"]["bytes_held"], 4096);

    // Reading from an evicted offset starts at the oldest byte held.
    let chunk = env.vfs.read_at("/v/jobs/1/stdout", 0, 100).await.unwrap();
    assert_eq!(chunk.offset, dropped as u64);
    assert_eq!(chunk.missed, dropped as u64);
    assert_eq!(&chunk.data[..], &all[dropped..dropped + 100]);
    env.finish().await;
}

#[tokio::test]
async fn binary_bytes_come_back_exact() {
    let env = Env::new();
    let job = env.sh("printf '\\000\\001\\002\\177\\200\\377\\r\\n\\033[0m'");
    within("printf", job.wait()).await;
    assert_eq!(
        env.read("/v/jobs/1/stdout").await,
        b"\x00\x01\x02\x7f\x80\xff\r\n\x1b[0m"
    );

    let every: Vec<u8> = (0..=255u8).cycle().take(256 * 4).collect();
    let job = env.future("bytes", every.clone(), 0, JobOptions::default());
    within("future", job.wait()).await;
    assert_eq!(env.read("/v/jobs/2/stdout").await, every);
    env.finish().await;
}

#[tokio::test]
async fn read_at_addresses_absolute_offsets() {
    let env = Env::new();
    let job = env.future("digits", b"0123456789".to_vec(), 0, JobOptions::default());
    within("future", job.wait()).await;
    let c = env.vfs.read_at("/v/jobs/1/stdout", 3, 4).await.unwrap();
    assert_eq!((c.offset, c.missed, &c.data[..]), (3, 0, &b"3456"[..]));
    let c = env.vfs.read_at("/v/jobs/1/stdout", 20, 4).await.unwrap();
    assert_eq!((c.offset, c.data.len()), (20, 0));
    let c = env.vfs.read_at("/v/jobs/1/status", 2, 100).await.unwrap();
    assert_eq!(&c.data[..], b"ne:0\n");
    env.finish().await;
}

#[tokio::test]
async fn stat_sizes_are_true_at_the_time_of_the_call() {
    let env = Env::new();
    let (job, tx) = env.lockstep(cap(16));
    let mut follow = env.vfs.follow("/v/jobs/1/stdout", 0).await.unwrap();
    let stat = |env: &Env| {
        let vfs = env.vfs.clone();
        async move { vfs.stat("/v/jobs/1/stdout").await.unwrap().len }
    };
    assert_eq!(stat(&env).await, 0);
    for (data, held) in [
        (&b"0123456789"[..], 10),
        (b"abcde", 15),
        (b"0123456789", 16),
    ] {
        tx.send(data.to_vec()).unwrap();
        // The follower wakes once the bytes are in the ring.
        within("chunk", follow.next_chunk()).await.unwrap().unwrap();
        assert_eq!(stat(&env).await, held);
        assert_eq!(env.read("/v/jobs/1/stdout").await.len() as u64, held);
    }
    let m = env.vfs.stat("/v/jobs/1/stdout").await.unwrap();
    assert_eq!((m.kind, m.writable), (FileKind::File, false));
    let m = env.vfs.stat("/v/jobs/1/ctl").await.unwrap();
    assert_eq!((m.kind, m.len, m.writable), (FileKind::File, 0, true));
    let m = env.vfs.stat("/v/jobs/1/status").await.unwrap();
    assert_eq!(m.len, "running\n".len() as u64);
    drop(tx);
    within("job end", job.wait()).await;
    env.finish().await;
}

// ---------------------------------------------------------------- status / command / pid / info / ctl

#[tokio::test]
async fn status_goes_running_stopped_running_killed() {
    let env = Env::new();
    // `sleep` itself, not `sh -c`: a STOP that lands while dash is in vfork
    // stops the child only, and the kernel (tracking members) sees the
    // shell as running.
    let job = env.cmd(&["sleep", "30"]);
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
    // `sleep` itself, not `sh -c`: a STOP that lands while dash is in vfork
    // stops the child only, and the kernel (tracking members) sees the
    // shell as running.
    let job = env.cmd(&["sleep", "30"]);
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

// ---------------------------------------------------------------- follow

#[tokio::test]
async fn follower_sees_every_byte_of_a_slow_printer_and_ends_with_it() {
    let env = Env::new();
    // Four lines, a gate (a FIFO read) the test opens once it has followed
    // them, four more: so bytes provably arrive as printed, in two parts at
    // least, whatever the load.
    let tmp = tempfile::tempdir().unwrap();
    let fifo = mkfifo(tmp.path(), "gate");
    let script = "for i in 1 2 3 4; do printf 'line %s\\n' $i; sleep 0.02; done; \
                  read gate < \"$0\"; \
                  for i in 5 6 7 8; do printf 'line %s\\n' $i; sleep 0.02; done";
    let spec = corral_kernel::ProcessSpec::new(script).pipe(
        corral_kernel::Cmd::new("sh")
            .arg("-c")
            .arg(script)
            .arg(&fifo),
    );
    let job = env.kernel.spawn_process(spec).unwrap();
    let mut follow = env.vfs.follow("/v/jobs/1/stdout", 0).await.unwrap();
    let mut got = Vec::new();
    let mut chunks = 0;
    let mut released = false;
    while let Some(chunk) = within("next chunk", follow.next_chunk()).await.unwrap() {
        assert_eq!(chunk.offset, got.len() as u64, "in order, no gap");
        assert_eq!(chunk.missed, 0);
        got.extend_from_slice(&chunk.data);
        chunks += 1;
        if !released && got.ends_with(b"line 4\n") {
            assert_eq!(got, b"line 1\nline 2\nline 3\nline 4\n");
            released = true;
            within("gate", env.vfs.write(&fifo, b"go\n", WriteMode::Append))
                .await
                .unwrap();
        }
    }
    assert!(released, "the follower saw the first four lines live");
    let want: String = (1..=8).map(|i| format!("line {i}\n")).collect();
    assert_eq!(String::from_utf8(got).unwrap(), want);
    assert!(chunks >= 2, "bytes arrived as printed, not all at the end");
    assert_eq!(follow.missed(), 0);
    assert!(within("job end", job.wait()).await.state.is_finished());
    env.finish().await;
}

#[tokio::test]
async fn follower_gets_each_write_as_it_happens() {
    let env = Env::new();
    let (job, tx) = env.lockstep(JobOptions::default());
    let mut follow = env.vfs.follow("/v/jobs/1/stdout", 0).await.unwrap();
    for i in 0..5 {
        let line = format!("step {i}\n");
        tx.send(line.clone().into_bytes()).unwrap();
        let chunk = within("chunk", follow.next_chunk()).await.unwrap().unwrap();
        assert_eq!(&chunk.data[..], line.as_bytes());
    }
    drop(tx);
    assert!(within("end", follow.next_chunk()).await.unwrap().is_none());
    within("job end", job.wait()).await;
    env.finish().await;
}

#[tokio::test]
async fn late_follower_gets_what_is_held_and_how_much_it_missed() {
    let env = Env::new();
    let data = pattern(5000);
    let job = env.future("big", data.clone(), 0, cap(1024));
    within("future", job.wait()).await;
    let mut follow = env.vfs.follow("/v/jobs/1/stdout", 0).await.unwrap();
    let chunk = follow.next_chunk().await.unwrap().unwrap();
    assert_eq!(chunk.offset, 3976);
    assert_eq!(chunk.missed, 3976);
    assert_eq!(&chunk.data[..], &data[3976..]);
    assert!(follow.next_chunk().await.unwrap().is_none());
    assert_eq!(follow.missed(), 3976);

    // Late on a live job too: the held tail, then new bytes as they come.
    let (job, tx) = env.lockstep(cap(16));
    tx.send(pattern(40)).unwrap();
    // A probe following from the last byte wakes once all 40 are written.
    let mut probe = env.vfs.follow("/v/jobs/2/stdout", 39).await.unwrap();
    within("probe", probe.next_chunk()).await.unwrap().unwrap();
    let mut follow = env.vfs.follow("/v/jobs/2/stdout", 0).await.unwrap();
    let chunk = follow.next_chunk().await.unwrap().unwrap();
    assert_eq!((chunk.offset, chunk.missed), (24, 24));
    assert_eq!(&chunk.data[..], &pattern(40)[24..]);
    tx.send(b"more".to_vec()).unwrap();
    let chunk = within("more", follow.next_chunk()).await.unwrap().unwrap();
    assert_eq!(
        (chunk.offset, chunk.missed, &chunk.data[..]),
        (40, 0, &b"more"[..])
    );
    drop(tx);
    assert!(within("end", follow.next_chunk()).await.unwrap().is_none());
    assert_eq!(follow.missed(), 24);
    within("job end", job.wait()).await;
    env.finish().await;
}

#[tokio::test]
async fn follow_reads_as_async_read_and_from_an_offset() {
    let env = Env::new();
    let job = env.sh("printf 'hello '; printf 'world'");
    let mut follow = env.vfs.follow("/v/jobs/1/stdout", 0).await.unwrap();
    let mut all = Vec::new();
    within("read_to_end", follow.read_to_end(&mut all))
        .await
        .unwrap();
    assert_eq!(all, b"hello world");
    within("job", job.wait()).await;

    // Continue exactly where a read stopped.
    let c = env.vfs.read_at("/v/jobs/1/stdout", 0, 6).await.unwrap();
    let end = c.offset + c.data.len() as u64;
    let mut rest = Vec::new();
    let mut follow = env.vfs.follow("/v/jobs/1/stdout", end).await.unwrap();
    follow.read_to_end(&mut rest).await.unwrap();
    assert_eq!(rest, b"world");

    // Other files follow as their current text, then end.
    let mut follow = env.vfs.follow("/v/jobs/1/status", 0).await.unwrap();
    assert_eq!(
        &follow.next_chunk().await.unwrap().unwrap().data[..],
        b"done:0\n"
    );
    assert!(follow.next_chunk().await.unwrap().is_none());
    env.finish().await;
}

#[tokio::test]
async fn an_idle_follower_in_another_task_is_not_polled() {
    let env = Env::new();
    let (job, tx) = env.lockstep(JobOptions::default());
    let polls = Arc::new(AtomicUsize::new(0));
    let follow = env.vfs.follow("/v/jobs/1/stdout", 0).await.unwrap();
    let counter = Arc::clone(&polls);
    let reader = tokio::spawn(async move {
        let mut follow = follow;
        let mut got = Vec::new();
        loop {
            let next = CountPolls {
                inner: Box::pin(follow.next_chunk()),
                polls: &counter,
            };
            match next.await.unwrap() {
                Some(chunk) => got.extend_from_slice(&chunk.data),
                None => return got,
            }
        }
    });
    // Measuring, not waiting for a condition: over this window an idle
    // follower must not be woken at all (no timer, no polling).
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(
        polls.load(Ordering::SeqCst) <= 1,
        "polled {polls:?} times while idle"
    );
    tx.send(b"wake".to_vec()).unwrap();
    drop(tx);
    assert_eq!(within("reader", reader).await.unwrap(), b"wake");
    within("job end", job.wait()).await;
    env.finish().await;
}

/// Counts how often the wrapped future is polled.
struct CountPolls<'a, F> {
    inner: Pin<Box<F>>,
    polls: &'a AtomicUsize,
}

impl<F: Future> Future for CountPolls<'_, F> {
    type Output = F::Output;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        self.polls.fetch_add(1, Ordering::SeqCst);
        self.inner.as_mut().poll(cx)
    }
}

// ---------------------------------------------------------------- errors and paths

#[tokio::test]
async fn errors_have_the_right_kind_and_name_the_path() {
    let env = Env::new();
    let job = env.future("x", b"x".to_vec(), 0, JobOptions::default());
    within("future", job.wait()).await;
    let vfs = &env.vfs;
    let read = |p: &'static str| {
        let vfs = vfs.clone();
        async move { vfs.read(p).await.unwrap_err() }
    };

    let e = read("/v/jobs/99/status").await;
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/99/status: no such job");
    assert_names(&e, "/v/jobs/99/status");
    assert_err(
        &read("/v/jobs/abc").await,
        ErrorKind::NotFound,
        "/v/jobs/abc: no such job",
    );
    assert_err(
        &read("/v/jobs/01/status").await,
        ErrorKind::NotFound,
        "/v/jobs/01/status: no such job",
    );
    let e = vfs.stat("/v/jobs/99").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/99: no such job");
    let e = vfs.list("/v/jobs/99/").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/99/: no such job");

    let e = read("/v/jobs/1/nosuch").await;
    assert_err(
        &e,
        ErrorKind::NotFound,
        "/v/jobs/1/nosuch: no such file in job directory",
    );
    let e = read("/v/nosuch").await;
    assert_err(
        &e,
        ErrorKind::NotFound,
        "/v/nosuch: no such file or directory",
    );

    for dir in [
        "/v/jobs/1",
        "/v/jobs/1/",
        "/v/jobs",
        "/v",
        "/v/",
        "/",
        "//v/jobs/1/.",
    ] {
        let e = vfs.read(dir).await.unwrap_err();
        assert_err(
            &e,
            ErrorKind::IsADirectory,
            &format!("{dir}: is a directory"),
        );
        let e = vfs.follow(dir, 0).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::IsADirectory, "{dir}");
    }

    let e = read("/v/jobs/1/status/").await;
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        "/v/jobs/1/status/: not a directory",
    );
    let e = read("/v/jobs/1/status/x").await;
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        "/v/jobs/1/status/x: not a directory",
    );
    let e = vfs.list("/v/jobs/1/status").await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        "/v/jobs/1/status: not a directory",
    );
    let e = vfs.stat("/v/jobs/1/stdout/").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotADirectory);

    for p in ["v/jobs/1/status", "", "./x"] {
        let e = vfs.read(p).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{p}");
        assert_names(&e, p);
    }
    assert_err(
        &read("v/jobs/1/status").await,
        ErrorKind::InvalidInput,
        "v/jobs/1/status: not an absolute path",
    );
    env.finish().await;
}

#[tokio::test]
async fn writes_to_read_only_files_are_refused() {
    let env = Env::new();
    let (job, tx) = env.lockstep(JobOptions::default());
    for f in ["stdout", "stderr", "status", "command", "pid", "info"] {
        let p = format!("/v/jobs/1/{f}");
        for mode in [WriteMode::Truncate, WriteMode::Append] {
            let e = env.vfs.write(&p, b"TERM", mode).await.unwrap_err();
            assert_err(
                &e,
                ErrorKind::PermissionDenied,
                &format!("{p}: read-only file"),
            );
        }
    }
    let e = env
        .vfs
        .write("/v/jobs/1", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(&e, ErrorKind::IsADirectory, "/v/jobs/1: is a directory");
    let e = env
        .vfs
        .write("/v/jobs", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IsADirectory);
    let e = env
        .vfs
        .write("/v/newfile", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    let e = env
        .vfs
        .write("/v/jobs/7/ctl", b"TERM", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/7/ctl: no such job");
    let e = env
        .vfs
        .write("/v/jobs/1/nosuch", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(job.state(), JobState::Running);
    assert_eq!(env.read("/v/jobs/1/stdout").await, b"");
    drop(tx);
    within("job end", job.wait()).await;
    env.finish().await;
}

#[tokio::test]
async fn paths_are_normalised_before_routing() {
    let env = Env::new();
    let one = env.future("one", b"1".to_vec(), 0, JobOptions::default());
    let two = env.future("two", b"2".to_vec(), 0, JobOptions::default());
    // Both finished before anything is read or removed: only a finished
    // job's record can be removed.
    within("one", one.wait()).await;
    within("two", two.wait()).await;
    for p in [
        "/v/jobs/1/../2/command",
        "//v///jobs/./2//command",
        "/../../v/jobs/2/command",
        "/v/jobs/1/../../jobs/2/command",
        "/v/./jobs/../jobs/2/./command",
    ] {
        assert_eq!(env.read_str(p).await, "two\n", "{p}");
    }
    assert_eq!(env.read_str("/v/jobs/2/../1/command").await, "one\n");
    // `..` above a mount goes to its parent in the namespace, and stops at `/`.
    assert_eq!(env.names("/v/jobs/1/../..").await, ["jobs"]);
    assert!(env
        .names("/v/jobs/../../..")
        .await
        .contains(&"v".to_string()));
    assert_eq!(
        env.vfs.host_path("/v/jobs/../../tmp").unwrap(),
        Some("/tmp".into())
    );
    assert_eq!(env.vfs.host_path("/v/jobs/1/stdout").unwrap(), None);
    // A removed job is gone, and its id is never reused.
    env.kernel.remove(JobId(1)).unwrap();
    let e = env.vfs.read("/v/jobs/1/command").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/1/command: no such job");
    assert_eq!(env.names("/v/jobs").await, ["2"]);
    env.finish().await;
}

#[tokio::test]
async fn finished_jobs_stay_readable_until_their_record_goes() {
    let env = Env::with_config({
        let mut config = KernelConfig::default();
        config.retention = 2;
        config
    });
    for i in 1..=3 {
        let job = env.future(
            &format!("j{i}"),
            format!("out {i}").into_bytes(),
            0,
            JobOptions::default(),
        );
        within("future", job.wait()).await;
    }
    assert_eq!(env.names("/v/jobs").await, ["2", "3"]);
    assert_eq!(env.read_str("/v/jobs/2/stdout").await, "out 2");
    assert_eq!(
        env.vfs.read("/v/jobs/1/stdout").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    env.finish().await;
}

// ---------------------------------------------------------------- mounts

#[tokio::test]
async fn an_embedder_mount_works_beside_the_defaults() {
    let env = Env::new();
    let job = env.future("x", b"job out".to_vec(), 0, JobOptions::default());
    // Its output is read below: all of it is there once it has finished.
    within("future", job.wait()).await;
    let mem = MemFs::new(&[("hello", "hi\n"), ("bye", "ciao\n")]);
    assert!(env.vfs.mount("/v/mem", mem).unwrap().is_none());
    env.vfs
        .mount("/data//", MemFs::new(&[("x", "data x")]))
        .unwrap();

    assert_eq!(env.read_str("/v/mem/hello").await, "hi\n");
    assert_eq!(env.read_str("/v/mem/../mem/bye").await, "ciao\n");
    assert_eq!(env.read_str("/data/x").await, "data x");
    assert_eq!(env.names("/v/mem").await, ["bye", "hello"]);
    assert_eq!(env.names("/v").await, ["jobs", "mem"]);
    let root = env.names("/").await;
    assert!(
        root.contains(&"v".into()) && root.contains(&"data".into()),
        "{root:?}"
    );
    let e = env.vfs.read("/v/mem/nope").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/mem/nope: no such memory file");
    let e = env
        .vfs
        .write("/v/mem/hello", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(
        &e,
        ErrorKind::PermissionDenied,
        "/v/mem/hello: read-only file",
    );
    // Default follow of an embedder file: its content, then the end.
    let mut f = env.vfs.follow("/v/mem/hello", 1).await.unwrap();
    assert_eq!(&f.next_chunk().await.unwrap().unwrap().data[..], b"i\n");
    assert!(f.next_chunk().await.unwrap().is_none());
    // The defaults are untouched.
    assert_eq!(env.read_str("/v/jobs/1/stdout").await, "job out");
    assert_eq!(env.vfs.mounts(), ["/", "/data", "/v", "/v/jobs", "/v/mem"]);

    // Mount points deeper than one level make their parents directories.
    env.vfs
        .mount("/v/a/b", MemFs::new(&[("f", "deep")]))
        .unwrap();
    assert_eq!(env.names("/v").await, ["a", "jobs", "mem"]);
    assert_eq!(env.names("/v/a").await, ["b"]);
    assert!(env.vfs.stat("/v/a").await.unwrap().is_dir());
    assert_eq!(
        env.vfs.read("/v/a").await.unwrap_err().kind(),
        ErrorKind::IsADirectory
    );
    assert_eq!(env.read_str("/v/a/b/f").await, "deep");

    // Unmounting: the path falls back to what is beneath.
    env.vfs.unmount("/v/mem").unwrap();
    let e = env.vfs.read("/v/mem/hello").await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotFound,
        "/v/mem/hello: no such file or directory",
    );
    assert_eq!(
        env.vfs.unmount("/v/mem").err().map(|e| e.kind()),
        Some(ErrorKind::NotFound)
    );
    assert_eq!(
        env.vfs.mount("relative", MountDir).err().map(|e| e.kind()),
        Some(ErrorKind::InvalidInput)
    );
    // Replacing a mount returns the old one.
    assert!(env.vfs.mount("/data", MountDir).unwrap().is_some());
    assert!(env.names("/data").await.is_empty());
    env.finish().await;
}

#[tokio::test]
async fn host_passthrough_reads_lists_stats_and_writes_real_files() {
    let env = Env::new();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap().to_string();
    let f = format!("{dir}/f.txt");
    let vfs = &env.vfs;

    vfs.write(&f, b"hello\n", WriteMode::Truncate)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), b"hello\n");
    vfs.write(&f, b"world\n", WriteMode::Append).await.unwrap();
    assert_eq!(env.read_str(&f).await, "hello\nworld\n");
    let m = vfs.stat(&f).await.unwrap();
    assert_eq!((m.kind, m.len, m.writable), (FileKind::File, 12, true));
    assert!(m.modified.is_some());

    let c = vfs.read_at(&f, 6, 3).await.unwrap();
    assert_eq!((c.offset, c.missed, &c.data[..]), (6, 0, &b"wor"[..]));
    assert!(vfs.read_at(&f, 100, 3).await.unwrap().data.is_empty());

    let binary: Vec<u8> = (0..=255u8).collect();
    vfs.write(&format!("{dir}/bin"), &binary, WriteMode::Truncate)
        .await
        .unwrap();
    assert_eq!(env.read(&format!("{dir}/bin")).await, binary);

    std::fs::create_dir(format!("{dir}/sub")).unwrap();
    symlink(format!("{dir}/sub"), format!("{dir}/link")).unwrap();
    symlink(format!("{dir}/gone"), format!("{dir}/dangling")).unwrap();
    let entries = vfs.list(&dir).await.unwrap();
    let got: Vec<(&str, FileKind)> = entries.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        got,
        [
            ("bin", FileKind::File),
            ("dangling", FileKind::Other),
            ("f.txt", FileKind::File),
            ("link", FileKind::Dir),
            ("sub", FileKind::Dir),
        ]
    );
    assert!(vfs.stat(&format!("{dir}/sub")).await.unwrap().is_dir());
    assert_eq!(
        env.read_str(&format!("{dir}/sub/../f.txt")).await,
        "hello\nworld\n"
    );
    assert_eq!(vfs.host_path(&f).unwrap(), Some(f.clone().into()));

    let missing = format!("{dir}/missing");
    let e = vfs.read(&missing).await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotFound,
        &format!("{missing}: No such file or directory"),
    );
    let e = vfs.stat(&missing).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_names(&e, &missing);
    let e = vfs.read(&format!("{dir}/sub")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IsADirectory);
    assert_eq!(PathError::of(&e).unwrap().path(), format!("{dir}/sub"));
    let e = vfs.list(&f).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotADirectory);
    let e = vfs.read(&format!("{f}/")).await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        &format!("{f}/: not a directory"),
    );
    let e = vfs
        .write(&format!("{dir}/nodir/x"), b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);

    // Following a host file reads it to its end, then ends.
    let mut follow = vfs.follow(&f, 0).await.unwrap();
    let mut all = Vec::new();
    while let Some(c) = within("host follow", follow.next_chunk()).await.unwrap() {
        assert_eq!(c.offset, all.len() as u64);
        all.extend_from_slice(&c.data);
    }
    assert_eq!(all, b"hello\nworld\n");
    let mut rest = Vec::new();
    vfs.follow(&f, 6)
        .await
        .unwrap()
        .read_to_end(&mut rest)
        .await
        .unwrap();
    assert_eq!(rest, b"world\n");
    assert_eq!(
        vfs.follow(&format!("{dir}/sub"), 0)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::IsADirectory
    );
    env.finish().await;
}

// ------------------------------------------------------------ supervision

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
