//! A job's `stdout` and `stderr`: live and finished reads, eviction,
//! binary bytes, offsets and sizes.

use corral_kernel::{JobOptions, JobState};
use corral_vfs::{FileKind, WriteMode};

use crate::cap;
use crate::helpers::*;

#[tokio::test]
async fn stdout_is_live_while_the_job_runs_and_complete_after() {
    let env = Env::new();
    // Prints `first`, then blocks reading a FIFO (a builtin `read`: no child
    // process to leave behind); what the test writes there releases `last`.
    let tmp = tempfile::tempdir().unwrap();
    let fifo = mkfifo(tmp.path(), "gate");
    let script = "printf 'first\\n'; read line < \"$0\"; printf '%s\\n' \"$line\" last";
    let job = env.sh_gated(script, &fifo);

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
