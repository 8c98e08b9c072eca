//! Property test: an output stream against a trivial model (every byte ever
//! written, plus the cap). Any writes, caps, reads, snapshots and followers
//! must agree with it on content, counters and missed bytes.

use std::future::Future;
use std::pin::{pin, Pin};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

use corral_kernel::stream::{Chunk, Follow, OutputStream, FOLLOW_CHUNK};
use proptest::prelude::*;
use tokio::io::{AsyncRead, ReadBuf};

/// How a test picks an offset, relative to the stream's state at the time.
#[derive(Clone, Debug)]
enum Off {
    /// Anywhere in `0..=written + 1`.
    Within(u64),
    /// A little before `start`.
    BeforeStart(u64),
    /// Past the end.
    PastEnd(u64),
    /// Near `u64::MAX`.
    Huge(u64),
}

#[derive(Clone, Debug)]
enum Op {
    Write(usize, u8),
    Read(Off, usize),
    Snapshot,
    Follow(Off, bool),
    /// Poll follower `i % n` up to `k` times.
    Poll(usize, usize),
    Close,
}

fn off() -> impl Strategy<Value = Off> {
    prop_oneof![
        4 => any::<u64>().prop_map(Off::Within),
        2 => (0u64..100).prop_map(Off::BeforeStart),
        1 => (0u64..100).prop_map(Off::PastEnd),
        1 => (0u64..3).prop_map(Off::Huge),
    ]
}

fn size(max: usize) -> impl Strategy<Value = usize> {
    prop_oneof![0usize..=4, 0usize..2000, 0usize..max]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (size(200 * 1024), any::<u8>()).prop_map(|(n, s)| Op::Write(n, s)),
        2 => (off(), prop_oneof![Just(0usize), 0usize..1000, 0usize..400_000, Just(usize::MAX)])
            .prop_map(|(o, m)| Op::Read(o, m)),
        1 => Just(Op::Snapshot),
        2 => (off(), any::<bool>()).prop_map(|(o, r)| Op::Follow(o, r)),
        3 => (any::<usize>(), 1usize..5).prop_map(|(i, k)| Op::Poll(i, k)),
        1 => Just(Op::Close),
    ]
}

struct Noop;
impl Wake for Noop {
    fn wake(self: Arc<Self>) {}
}

/// The model: everything written, the cap, closed, lossless.
struct Model {
    all: Vec<u8>,
    cap: usize,
    closed: bool,
    lossless: bool,
}

impl Model {
    fn end(&self) -> u64 {
        self.all.len() as u64
    }
    fn start(&self) -> u64 {
        self.end() - (self.all.len().min(self.cap) as u64)
    }
    fn bytes(&self, from: u64, len: usize) -> &[u8] {
        &self.all[from as usize..from as usize + len]
    }
    fn pick(&self, o: &Off) -> u64 {
        match *o {
            Off::Within(x) => x % (self.end() + 2),
            Off::BeforeStart(x) => self.start().saturating_sub(x),
            Off::PastEnd(x) => self.end() + 1 + x,
            Off::Huge(x) => u64::MAX - x,
        }
    }
    /// Where a reader at `o` continues: evicted bytes are skipped unless
    /// the stream is lossless.
    fn resume(&self, o: u64) -> u64 {
        if self.lossless {
            o
        } else {
            o.max(self.start())
        }
    }
}

struct Follower {
    f: Follow,
    from: u64,
    /// Use `AsyncRead` (else `next_chunk`).
    read: bool,
    /// Model position and missed bytes not yet reported in a chunk.
    pos: u64,
    unreported: u64,
    missed: u64,
    data: u64,
    done: bool,
}

fn check_stats(s: &OutputStream, m: &Model) -> Result<(), TestCaseError> {
    let st = s.stats();
    prop_assert_eq!(st.written, m.end());
    prop_assert_eq!(st.start, m.start());
    prop_assert_eq!(st.dropped, m.start());
    prop_assert_eq!(st.held, m.end() - m.start());
    prop_assert_eq!(st.cap, m.cap);
    prop_assert_eq!(st.closed, m.closed);
    prop_assert!(s.allocated() <= m.cap + 2 * 64 * 1024);
    Ok(())
}

/// Polls one follower once and checks the result against the model.
fn poll(
    fl: &mut Follower,
    m: &Model,
    cx: &mut Context<'_>,
    buf: usize,
) -> Result<(), TestCaseError> {
    prop_assert_eq!(fl.f.offset(), fl.pos);
    prop_assert_eq!(fl.f.missed(), fl.missed);
    let at = m.resume(fl.pos);
    let skipped = at - fl.pos;
    let avail = m.end().saturating_sub(at);
    if fl.read {
        let mut mem = vec![0u8; buf];
        let mut rb = ReadBuf::new(&mut mem);
        // Skips happen at the poll, whatever its outcome.
        fl.missed += skipped;
        fl.pos = at;
        match Pin::new(&mut fl.f).poll_read(cx, &mut rb) {
            Poll::Pending => prop_assert!(avail == 0 && !m.closed, "pending with {} bytes", avail),
            Poll::Ready(r) => {
                prop_assert!(r.is_ok());
                let got = rb.filled();
                if got.is_empty() {
                    prop_assert!(avail == 0 && m.closed, "EOF with {} bytes", avail);
                    fl.done = true;
                } else {
                    prop_assert!(got.len() as u64 <= avail.min(buf as u64));
                    prop_assert_eq!(got, m.bytes(at, got.len()));
                    fl.data += got.len() as u64;
                    fl.pos = at + got.len() as u64;
                }
            }
        }
        return Ok(());
    }
    let fut = pin!(fl.f.next_chunk());
    match fut.poll(cx) {
        Poll::Pending => {
            prop_assert!(avail == 0 && !m.closed, "pending with {} bytes", avail);
            fl.unreported += skipped;
            fl.missed += skipped;
            fl.pos = at;
        }
        Poll::Ready(None) => {
            prop_assert!(avail == 0 && m.closed, "end with {} bytes", avail);
            fl.missed += skipped;
            fl.pos = at;
            fl.done = true;
        }
        Poll::Ready(Some(Chunk {
            offset,
            missed,
            data,
            ..
        })) => {
            prop_assert_eq!(offset, at);
            prop_assert_eq!(missed, fl.unreported + skipped);
            prop_assert!(!data.is_empty() && data.len() <= FOLLOW_CHUNK);
            prop_assert!(data.len() as u64 <= avail);
            prop_assert_eq!(&data[..], m.bytes(at, data.len()));
            fl.unreported = 0;
            fl.missed += skipped;
            fl.data += data.len() as u64;
            fl.pos = at + data.len() as u64;
        }
    }
    Ok(())
}

fn run(cap: usize, lossless: bool, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let s = if lossless {
        OutputStream::with_spill(cap).map_err(|e| TestCaseError::fail(e.to_string()))?
    } else {
        OutputStream::new(cap)
    };
    let mut m = Model {
        all: Vec::new(),
        cap,
        closed: false,
        lossless,
    };
    let mut fls: Vec<Follower> = Vec::new();
    let waker = Waker::from(Arc::new(Noop));
    let mut cx = Context::from_waker(&waker);
    for op in ops {
        match op {
            Op::Write(n, seed) => {
                let base = m.end();
                let data: Vec<u8> = (0..n as u64)
                    .map(|i| ((base + i).wrapping_mul(2_654_435_761) >> 7) as u8 ^ seed)
                    .collect();
                s.write(&data);
                if !m.closed {
                    m.all.extend_from_slice(&data);
                }
            }
            Op::Read(o, max) => {
                let o = m.pick(&o);
                let c = s.read_from(o, max);
                if o >= m.end() {
                    prop_assert_eq!((c.offset, c.missed, c.data.len()), (o, 0, 0));
                } else {
                    let at = m.resume(o);
                    prop_assert_eq!(c.offset, at);
                    prop_assert_eq!(c.missed, at - o);
                    let len = (m.end() - at).min(max as u64) as usize;
                    prop_assert_eq!(c.data.len(), len);
                    prop_assert_eq!(&c.data[..], m.bytes(at, len));
                }
            }
            Op::Snapshot => {
                let c = s.snapshot();
                prop_assert_eq!(c.offset, m.start());
                prop_assert_eq!(c.missed, 0);
                prop_assert_eq!(&c.data[..], &m.all[m.start() as usize..]);
            }
            Op::Follow(o, read) => {
                let from = m.pick(&o);
                fls.push(Follower {
                    f: s.follow(from),
                    from,
                    read,
                    pos: from,
                    unreported: 0,
                    missed: 0,
                    data: 0,
                    done: false,
                });
            }
            Op::Poll(i, k) => {
                if !fls.is_empty() {
                    let n = fls.len();
                    let fl = &mut fls[i % n];
                    for j in 0..k {
                        if fl.done {
                            break;
                        }
                        poll(fl, &m, &mut cx, 1 + (i / n + j * 7919) % 100_000)?;
                    }
                }
            }
            Op::Close => {
                s.close();
                m.closed = true;
            }
        }
        check_stats(&s, &m)?;
    }
    s.close();
    m.closed = true;
    check_stats(&s, &m)?;
    for fl in &mut fls {
        let mut guard = 0;
        while !fl.done {
            poll(fl, &m, &mut cx, 65_536)?;
            guard += 1;
            prop_assert!(guard < 100_000, "follower never ended");
        }
        let end = fl.from.max(m.end());
        prop_assert_eq!(fl.f.offset(), end);
        prop_assert_eq!(fl.f.missed(), fl.missed);
        if fl.from <= m.end() {
            prop_assert_eq!(fl.missed + fl.data, end - fl.from);
        }
        if lossless {
            prop_assert_eq!(fl.missed, 0);
        }
    }
    prop_assert_eq!(s.spill_errors(), 0);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn stream_agrees_with_model(
        cap in prop_oneof![0usize..=3, 0usize..3000, 0usize..300 * 1024],
        lossless in any::<bool>(),
        ops in prop::collection::vec(op(), 0..60),
    ) {
        run(cap, lossless, ops)?;
    }
}
