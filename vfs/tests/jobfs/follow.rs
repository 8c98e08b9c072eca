//! Following a job's output as it is written.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use corral_kernel::JobOptions;
use corral_vfs::WriteMode;
use tokio::io::AsyncReadExt;

use crate::cap;
use crate::helpers::*;

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
    let job = env.sh_gated(script, &fifo);
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

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}
