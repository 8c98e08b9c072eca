use std::fs::File;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::time::timeout;

use super::*;

const DEADLINE: Duration = Duration::from_secs(10);

fn pattern(from: u64, len: usize) -> Vec<u8> {
    (from..from + len as u64)
        .map(|i| (i.wrapping_mul(0x9E37_79B9) >> 13) as u8)
        .collect()
}

struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// Polls `next_chunk` once.
fn poll_once(f: &mut Follow) -> Poll<Option<Chunk>> {
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    let fut = std::pin::pin!(f.next_chunk());
    fut.poll(&mut cx)
}

use std::future::Future as _;

#[test]
fn overflow_keeps_exact_tail_and_counters() {
    let s = OutputStream::new(10);
    s.write(b"0123456789");
    s.write(b"abc");
    assert_eq!(
        s.stats(),
        StreamStats {
            written: 13,
            dropped: 3,
            held: 10,
            start: 3,
            cap: 10,
            closed: false,
            spill_error: None,
        }
    );
    let snap = s.snapshot();
    assert_eq!(snap.offset, 3);
    assert_eq!(snap.missed, 0);
    assert_eq!(&snap.data[..], b"3456789abc");
    // One write larger than the cap.
    s.write(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ");
    assert_eq!(s.stats().written, 39);
    assert_eq!(s.stats().dropped, 29);
    assert_eq!(&s.snapshot().data[..], b"QRSTUVWXYZ");
}

#[test]
fn read_from_reports_missed() {
    let s = OutputStream::new(4);
    s.write(b"abcdefgh");
    let c = s.read_from(1, 100);
    assert_eq!(
        c,
        Chunk {
            offset: 4,
            missed: 3,
            data: Bytes::from_static(b"efgh")
        }
    );
    let c = s.read_from(5, 2);
    assert_eq!(
        c,
        Chunk {
            offset: 5,
            missed: 0,
            data: Bytes::from_static(b"fg")
        }
    );
    let c = s.read_from(8, 10);
    assert_eq!(
        c,
        Chunk {
            offset: 8,
            missed: 0,
            data: Bytes::new()
        }
    );
    let c = s.read_from(0, 0);
    assert_eq!(
        c,
        Chunk {
            offset: 4,
            missed: 4,
            data: Bytes::new()
        }
    );
}

#[test]
fn no_panic_on_extreme_inputs() {
    for s in [
        OutputStream::new(0),
        OutputStream::new(3),
        OutputStream::with_spill(3).unwrap(),
    ] {
        s.write(b"hello world");
        for off in [0, 1, 10, 11, 12, u64::MAX - 1, u64::MAX] {
            for max in [0, 1, 5, usize::MAX] {
                let c = s.read_from(off, max);
                assert!(c.data.len() <= max);
            }
        }
        let mut f = s.follow(u64::MAX);
        assert!(poll_once(&mut f).is_pending());
        s.close();
        assert_eq!(poll_once(&mut f), Poll::Ready(None));
    }
}

#[test]
fn cap_zero_holds_nothing() {
    let s = OutputStream::new(0);
    s.write(b"abc");
    s.write(b"");
    assert_eq!(
        s.stats(),
        StreamStats {
            written: 3,
            dropped: 3,
            held: 0,
            start: 3,
            cap: 0,
            closed: false,
            spill_error: None,
        }
    );
    assert_eq!(
        s.snapshot(),
        Chunk {
            offset: 3,
            missed: 0,
            data: Bytes::new()
        }
    );
    assert_eq!(
        s.read_from(0, 10),
        Chunk {
            offset: 3,
            missed: 3,
            data: Bytes::new()
        }
    );
    assert_eq!(s.allocated(), 0);
    let mut f = s.follow(0);
    s.close();
    assert_eq!(poll_once(&mut f), Poll::Ready(None));
    assert_eq!(f.missed(), 3);
    assert_eq!(f.offset(), 3);
}

#[test]
fn close_is_idempotent_and_ignores_later_writes() {
    let s = OutputStream::new(100);
    s.write(b"abc");
    s.close();
    s.close();
    s.write(b"def");
    assert!(s.is_closed());
    assert_eq!(s.stats().written, 3);
    assert_eq!(&s.snapshot().data[..], b"abc");
}

#[test]
fn binary_bytes_exact() {
    let s = OutputStream::new(1 << 20);
    let all: Vec<u8> = (0..=255u8).cycle().take(300_000).collect();
    for piece in all.chunks(777) {
        s.write(piece);
    }
    assert_eq!(&s.snapshot().data[..], &all[..]);
    assert_eq!(
        &s.read_from(12_345, 100_000).data[..],
        &all[12_345..112_345]
    );
}

#[test]
fn memory_is_lazy() {
    let s = OutputStream::new(1 << 30);
    assert_eq!(s.allocated(), 0);
    s.write(b"0123456789");
    assert!(s.allocated() <= 64, "{}", s.allocated());
    // Many tiny writes share blocks.
    for _ in 0..10_000 {
        s.write(b"x");
    }
    assert!(s.allocated() <= 16 * 1024, "{}", s.allocated());
    // Full ring: held plus at most one block of slack.
    let s = OutputStream::new(1 << 20);
    for i in 0..40u64 {
        s.write(&pattern(i, 100_000));
    }
    assert_eq!(s.stats().held, 1 << 20);
    assert!(s.allocated() <= (1 << 20) + 64 * 1024, "{}", s.allocated());
}

#[tokio::test]
async fn follow_reads_then_ends_at_close() {
    let s = OutputStream::new(1 << 20);
    s.write(b"hello ");
    let mut f = s.follow(0);
    let c = f.next_chunk().await.unwrap();
    assert_eq!(
        c,
        Chunk {
            offset: 0,
            missed: 0,
            data: Bytes::from_static(b"hello ")
        }
    );
    s.write(b"world");
    s.close();
    let c = f.next_chunk().await.unwrap();
    assert_eq!(&c.data[..], b"world");
    assert_eq!(c.offset, 6);
    assert_eq!(f.next_chunk().await, None);
    assert_eq!(f.next_chunk().await, None);
    assert_eq!(f.offset(), 11);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn follower_is_woken_by_another_task() {
    let s = OutputStream::new(1 << 20);
    let mut f = s.follow(s.stats().written);
    let reader = tokio::spawn(async move {
        let mut got = Vec::new();
        while let Some(c) = f.next_chunk().await {
            got.extend_from_slice(&c.data);
        }
        got
    });
    let w = s.clone();
    let writer = tokio::spawn(async move {
        // Give the reader a chance to park first (not required for
        // correctness: it would find the bytes either way).
        tokio::task::yield_now().await;
        let mut sw = w.writer();
        sw.write_all(b"ping").await.unwrap();
        sw.write_all(b"pong").await.unwrap();
        w.close();
    });
    timeout(DEADLINE, writer).await.unwrap().unwrap();
    let got = timeout(DEADLINE, reader).await.unwrap().unwrap();
    assert_eq!(got, b"pingpong");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parked_follower_wakes_on_write_and_on_close() {
    let s = OutputStream::new(16);
    let mut f = s.follow(0);
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let first = f.next_chunk().await;
        tx.send(()).unwrap();
        let second = f.next_chunk().await;
        (first, second)
    });
    // Give the follower time to park on an empty stream: a write must wake it.
    tokio::time::sleep(Duration::from_millis(20)).await;
    s.write(b"x");
    timeout(DEADLINE, rx).await.unwrap().unwrap();
    s.close();
    let (first, second) = timeout(DEADLINE, task).await.unwrap().unwrap();
    assert_eq!(&first.unwrap().data[..], b"x");
    assert_eq!(second, None);
}

#[tokio::test]
async fn lagging_follower_skips_and_counts() {
    let s = OutputStream::new(10);
    let mut f = s.follow(0);
    s.write(b"0123456789abcdef");
    let c = f.next_chunk().await.unwrap();
    assert_eq!(
        c,
        Chunk {
            offset: 6,
            missed: 6,
            data: Bytes::from_static(b"6789abcdef")
        }
    );
    assert_eq!(f.missed(), 6);
    s.write(&[b'z'; 25]);
    let c = f.next_chunk().await.unwrap();
    assert_eq!((c.offset, c.missed, c.data.len()), (31, 15, 10));
    assert_eq!(f.missed(), 21);
}

#[tokio::test]
async fn async_read_skips_silently() {
    let s = OutputStream::new(5);
    let mut f = s.follow(0);
    s.write(b"abcdefgh");
    s.close();
    let mut out = Vec::new();
    f.read_to_end(&mut out).await.unwrap();
    assert_eq!(out, b"defgh");
    assert_eq!(f.missed(), 3);
}

#[tokio::test]
async fn spill_returns_every_byte() {
    let s = OutputStream::with_spill(1000).unwrap();
    assert!(s.is_lossless());
    let mut all = Vec::new();
    let mut w = s.writer();
    for i in 0..200u64 {
        let p = pattern(i * 7, (i as usize * 37) % 900);
        std::io::Write::write_all(&mut w, &p).unwrap();
        all.extend_from_slice(&p);
    }
    assert_eq!(s.stats().held, 1000);
    assert_eq!(s.stats().dropped, all.len() as u64 - 1000);
    // read_from spans the file and memory in one chunk.
    let c = s.read_from(0, usize::MAX);
    assert_eq!((c.offset, c.missed), (0, 0));
    assert_eq!(&c.data[..], &all[..]);
    let c = s.read_from(100, 5000);
    assert_eq!(&c.data[..], &all[100..5100]);
    // A follower from 0 reads everything, nothing missed.
    let mut f = s.follow(0);
    s.close();
    let mut got = Vec::new();
    while let Some(c) = f.next_chunk().await {
        assert_eq!(c.missed, 0);
        assert_eq!(c.offset, got.len() as u64);
        got.extend_from_slice(&c.data);
    }
    assert_eq!(got, all);
    assert_eq!(f.missed(), 0);
    assert_eq!(s.spill_errors(), 0);
}

#[tokio::test]
async fn spill_write_error_degrades_to_memory() {
    // A read-only handle: every write fails.
    let path = tempfile::NamedTempFile::new().unwrap();
    let file = File::open(path.path()).unwrap();
    let s = OutputStream::with_spill_file(4, file);
    s.write(b"abcdefgh");
    s.write(b"ij");
    assert!(!s.is_lossless());
    assert_eq!(s.spill_errors(), 1);
    assert_eq!(&s.snapshot().data[..], b"ghij");
    assert_eq!(
        s.read_from(0, 100),
        Chunk {
            offset: 6,
            missed: 6,
            data: "ghij".into()
        }
    );
    let mut f = s.follow(0);
    s.close();
    let c = f.next_chunk().await.unwrap();
    assert_eq!((c.offset, c.missed), (6, 6));
}

#[test]
fn std_writer_and_clones_share_the_stream() {
    let s = OutputStream::default();
    let mut w = s.writer();
    std::io::Write::write_fmt(&mut w, format_args!("{}-{}", 1, 2)).unwrap();
    std::io::Write::flush(&mut w).unwrap();
    let s2 = s.clone();
    s2.write(b"!");
    assert_eq!(&s.snapshot().data[..], b"1-2!");
    assert_eq!(s.stats().cap, OutputStream::DEFAULT_CAP);
}

#[test]
fn dropped_follower_releases_its_waker() {
    let s = OutputStream::new(8);
    let mut f = s.follow(0);
    assert!(poll_once(&mut f).is_pending());
    assert!(poll_once(&mut f).is_pending());
    assert_eq!(s.shared.lock().waiters.len(), 1);
    drop(f);
    assert_eq!(s.shared.lock().waiters.len(), 0);
}

#[test]
fn handles_are_send_sync_static() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn send<T: Send + 'static>() {}
    send_sync::<OutputStream>();
    send::<Follow>();
    send::<StreamWriter>();
}

/// Record `seq` of writer `w`: 16 bytes, all derived from (w, seq).
fn record(w: u8, seq: u32) -> [u8; 16] {
    let mut r = [w; 16];
    r[1..5].copy_from_slice(&seq.to_le_bytes());
    r[15] = (seq as u8) ^ w;
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_and_followers() {
    const WRITERS: u8 = 3;
    const RECORDS: u32 = 20_000;
    for lossless in [true, false] {
        let s = if lossless {
            OutputStream::with_spill(4096).unwrap()
        } else {
            OutputStream::new(4096)
        };
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let mut f = s.follow(0);
                tokio::spawn(async move {
                    let (mut got, mut pos) = (Vec::new(), 0u64);
                    while let Some(c) = f.next_chunk().await {
                        assert_eq!(c.offset, pos + c.missed);
                        pos = c.offset + c.data.len() as u64;
                        if c.missed == 0 {
                            got.extend_from_slice(&c.data);
                        }
                    }
                    (got, f.missed(), f.offset())
                })
            })
            .collect();
        let threads: Vec<_> = (0..WRITERS)
            .map(|w| {
                let s = s.clone();
                std::thread::spawn(move || {
                    for seq in 0..RECORDS {
                        s.write(&record(w, seq));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        s.close();
        let total = u64::from(WRITERS) * u64::from(RECORDS) * 16;
        assert_eq!(s.stats().written, total);
        for r in readers {
            let (got, missed, end) = timeout(DEADLINE, r).await.unwrap().unwrap();
            assert_eq!(end, total);
            if lossless {
                assert_eq!(missed, 0);
                // Every record whole, each writer's in order.
                let mut next = [0u32; WRITERS as usize];
                for r in got.chunks(16) {
                    let w = r[0];
                    let seq = u32::from_le_bytes([r[1], r[2], r[3], r[4]]);
                    assert_eq!(r, record(w, seq));
                    assert_eq!(seq, next[w as usize]);
                    next[w as usize] += 1;
                }
                assert_eq!(next, [RECORDS; WRITERS as usize]);
            }
        }
    }
}

/// Drains a non-blocking pipe into the stream with `fill_from`; returns
/// the bytes read.
fn fill_all(s: &OutputStream, fd: std::os::fd::BorrowedFd<'_>) -> usize {
    let mut total = 0;
    loop {
        match s.fill_from(fd) {
            Ok(f) if f.n == 0 => panic!("unexpected end of file"),
            Ok(f) => {
                assert!(f.n <= f.asked);
                total += f.n;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return total,
            Err(e) => panic!("{e}"),
        }
    }
}

#[test]
fn reads_from_a_pipe_land_like_writes() {
    use std::io::Write as _;
    use std::os::fd::AsFd;
    for cap in [0usize, 1, 7, 100, 4096, 65_536, 100_000, 1 << 20] {
        for lossless in [false, true] {
            let s = if lossless {
                OutputStream::with_spill(cap).unwrap()
            } else {
                OutputStream::new(cap)
            };
            let (r, w) = crate::sys::capture_pipe().unwrap();
            let mut w = File::from(w);
            let mut all = Vec::new();
            // Sizes below the pipe's 64 KiB, so the writes never block.
            for (i, size) in [1usize, 3, 1000, 60_000, 17, 65_000, 5, 40_000]
                .iter()
                .cycle()
                .take(40)
                .enumerate()
            {
                let data = pattern(i as u64 * 7919, *size);
                w.write_all(&data).unwrap();
                all.extend_from_slice(&data);
                assert_eq!(fill_all(&s, r.as_fd()), *size);
                let st = s.stats();
                assert_eq!(st.written, all.len() as u64, "cap {cap}");
                assert_eq!(st.held, (all.len() as u64).min(cap as u64));
                let snap = s.snapshot();
                assert_eq!(&snap.data[..], &all[all.len() - st.held as usize..]);
                let block = cap.clamp(1, 64 * 1024);
                assert!(
                    s.allocated() <= cap + 2 * block,
                    "cap {cap}: {}",
                    s.allocated()
                );
            }
            if lossless && cap > 0 {
                assert_eq!(&s.read_from(0, all.len()).data[..], &all[..]);
            }
            drop(w);
            assert_eq!(s.fill_from(r.as_fd()).unwrap().n, 0, "end of file");
        }
    }
}

#[test]
fn reads_after_close_drain_the_pipe_and_keep_nothing() {
    use std::io::Write as _;
    use std::os::fd::AsFd;
    let s = OutputStream::new(1 << 20);
    s.write(&pattern(0, 100_000));
    s.close();
    let (r, w) = crate::sys::capture_pipe().unwrap();
    let mut w = File::from(w);
    w.write_all(&pattern(0, 50_000)).unwrap();
    assert_eq!(fill_all(&s, r.as_fd()), 50_000);
    assert_eq!(s.stats().written, 100_000);
}

#[test]
fn snapshots_and_reads_are_exact_while_the_ring_grows() {
    let s = OutputStream::new(1 << 20);
    let mut all = Vec::new();
    for i in 0..50u64 {
        let data = pattern(i, 33_333);
        s.write(&data);
        all.extend_from_slice(&data);
        let snap = s.snapshot();
        assert_eq!(snap.data.len() as u64, s.stats().held);
        assert_eq!(&snap.data[..], &all[snap.offset as usize..]);
        let c = s.read_from(i * 1000, 70_000);
        assert_eq!(
            &c.data[..],
            &all[c.offset as usize..c.offset as usize + c.data.len()]
        );
    }
}

/// Checks a stream whose bytes are `pattern(0, written)`: exact counters,
/// the newest bytes held, and at least the part of the last block written
/// (every ring keeps its first block, whatever the budget).
fn check_budgeted(s: &OutputStream, written: u64) {
    let st = s.stats();
    assert_eq!(st.written, written);
    assert_eq!(st.written, st.held + st.dropped, "{st:?}");
    assert!(st.held <= st.cap as u64);
    if written > 0 && st.cap > 0 {
        let block = st.cap.clamp(1, ring::MAX_BLOCK) as u64;
        let floor = ((written - 1) % block + 1).min(st.cap as u64);
        assert!(st.held >= floor, "{st:?} holds less than its block");
    }
    let snap = s.snapshot();
    assert_eq!(snap.offset, st.start);
    assert_eq!(&snap.data[..], &pattern(st.start, st.held as usize)[..]);
}

#[test]
fn a_spent_budget_makes_rings_recycle_their_own_blocks() {
    let block = ring::MAX_BLOCK;
    let budget = RingBudget::new(4 * block);
    let streams: Vec<OutputStream> = (0..10)
        .map(|i| OutputStream::with_budget(if i % 3 == 0 { 100_000 } else { 1 << 20 }, &budget))
        .collect();
    let mut written = vec![0u64; streams.len()];
    for (round, size) in [1usize, 1000, 70_000, 7, 65_536, 300_000, 64]
        .iter()
        .cycle()
        .take(60)
        .enumerate()
    {
        for (i, s) in streams.iter().enumerate() {
            if (round + i) % 4 == 0 {
                continue;
            }
            s.write(&pattern(written[i], *size));
            written[i] += *size as u64;
            check_budgeted(s, written[i]);
            assert!(budget.in_use() <= budget.limit());
            let allocated: usize = streams.iter().map(OutputStream::allocated).sum();
            assert!(allocated <= budget.limit() + streams.len() * block);
        }
    }
    assert_eq!(
        budget.in_use(),
        budget.limit(),
        "the flood spent the budget"
    );
    // A new stream still holds its first block.
    let late = OutputStream::with_budget(1 << 20, &budget);
    late.write(&pattern(0, 5000));
    check_budgeted(&late, 5000);
    assert_eq!(late.stats().held, 5000);
    drop(streams);
    drop(late);
    assert_eq!(budget.in_use(), 0, "dropped rings give their blocks back");
}

#[test]
fn pipe_reads_with_a_spent_budget_land_like_writes() {
    use std::io::Write as _;
    use std::os::fd::AsFd;
    for limit in [0, ring::MAX_BLOCK, 3 * ring::MAX_BLOCK] {
        let budget = RingBudget::new(limit);
        // Another stream takes the budget first.
        let hog = OutputStream::with_budget(1 << 20, &budget);
        hog.write(&vec![0; 1 << 20]);
        let s = OutputStream::with_budget(1 << 20, &budget);
        let (r, w) = crate::sys::capture_pipe().unwrap();
        let mut w = File::from(w);
        let mut written = 0u64;
        for size in [1usize, 3, 1000, 60_000, 17, 65_000, 5, 40_000]
            .iter()
            .cycle()
            .take(60)
        {
            w.write_all(&pattern(written, *size)).unwrap();
            written += *size as u64;
            assert_eq!(fill_all(&s, r.as_fd()), *size);
            check_budgeted(&s, written);
            assert!(budget.in_use() <= budget.limit());
            assert!(s.allocated() <= limit + ring::MAX_BLOCK, "limit {limit}");
        }
        drop((hog, s));
        assert_eq!(budget.in_use(), 0);
    }
}

#[test]
fn spill_stops_at_the_file_size_limit() {
    let file = tempfile::tempfile().unwrap();
    let probe = file.try_clone().unwrap();
    let s = OutputStream::with_spill_limit(100, file, 1000);
    for i in 0..5 {
        s.write(&pattern(i * 300, 300));
    }
    let st = s.stats();
    assert_eq!(
        st.spill_error,
        Some(SpillError::FileSizeLimit { limit: 1000 })
    );
    assert_eq!((st.written, st.held, st.dropped), (1500, 100, 1400));
    assert!(!s.is_lossless());
    assert_eq!(s.spill_errors(), 1);
    assert_eq!(
        probe.metadata().unwrap().len(),
        1000,
        "filled up to the limit"
    );
    // Below the limit from the file, then the gap, then memory.
    assert_eq!(
        s.read_from(0, 5000),
        Chunk {
            offset: 0,
            missed: 0,
            data: pattern(0, 1000).into()
        }
    );
    assert_eq!(
        s.read_from(1000, 5000),
        Chunk {
            offset: 1400,
            missed: 400,
            data: pattern(1400, 100).into()
        }
    );
    assert_eq!(
        SpillError::FileSizeLimit { limit: 1000 }.to_string(),
        "spill file reached the file size limit (1000 bytes)"
    );
}

#[test]
fn spill_errors_are_kept_in_the_stats() {
    // A read-only handle: the first write fails.
    let path = tempfile::NamedTempFile::new().unwrap();
    let s = OutputStream::with_spill_file(4, File::open(path.path()).unwrap());
    assert_eq!(s.stats().spill_error, None);
    s.write(b"abcdefgh");
    let err = s.stats().spill_error.unwrap();
    assert!(
        matches!(
            err,
            SpillError::Write {
                errno: Some(libc::EBADF),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().starts_with("spill file write failed: "),
        "{err}"
    );
    assert_eq!(OutputStream::new(4).stats().spill_error, None);
}
