//! Property test: many streams sharing one small ring budget, against a
//! model (each stream's bytes are a function of its absolute offset).
//! Whatever the writes and drops, the budget is never exceeded, every
//! stream's counters are exact, it holds its newest bytes (at least the
//! part of its last block written), memory stays within the budget plus
//! one block per stream, and dropped streams give everything back.

use corral_kernel::stream::{OutputStream, RingBudget};
use proptest::prelude::*;

/// Block size of rings with caps of 64 KiB or more.
const BLOCK: usize = 64 * 1024;
const STREAMS: usize = 6;

#[derive(Clone, Debug)]
enum Op {
    /// Write `n` bytes to stream `i % STREAMS`.
    Write(usize, usize),
    /// Drop stream `i % STREAMS` and start a new one in its place.
    Replace(usize),
    /// Read from an offset of stream `i % STREAMS`.
    Read(usize, u64, usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (any::<usize>(), prop_oneof![0usize..100, 0usize..5000, 0usize..300_000])
            .prop_map(|(i, n)| Op::Write(i, n)),
        1 => any::<usize>().prop_map(Op::Replace),
        2 => (any::<usize>(), any::<u64>(), 0usize..200_000).prop_map(|(i, o, m)| Op::Read(i, o, m)),
    ]
}

fn byte(generation: u64, offset: u64) -> u8 {
    (offset.wrapping_mul(0x9E37_79B9) >> 11).wrapping_add(generation) as u8
}

fn bytes(generation: u64, from: u64, len: usize) -> Vec<u8> {
    (from..from + len as u64)
        .map(|o| byte(generation, o))
        .collect()
}

struct Model {
    stream: OutputStream,
    generation: u64,
    written: u64,
}

fn check(m: &Model) {
    let st = m.stream.stats();
    assert_eq!(st.written, m.written);
    assert_eq!(st.written, st.held + st.dropped);
    assert!(st.held <= st.cap as u64);
    if m.written > 0 {
        let floor = ((m.written - 1) % BLOCK as u64 + 1).min(st.cap as u64);
        assert!(st.held >= floor, "{st:?}");
    }
    let snap = m.stream.snapshot();
    assert_eq!(snap.offset, st.start);
    assert_eq!(
        &snap.data[..],
        &bytes(m.generation, st.start, st.held as usize)[..]
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn streams_share_a_budget(
        limit in prop_oneof![Just(0usize), 0usize..5 * BLOCK, Just(40 * BLOCK)],
        caps in proptest::collection::vec(prop_oneof![Just(1usize << 20), BLOCK..400_000], STREAMS),
        ops in proptest::collection::vec(op(), 1..60),
    ) {
        let budget = RingBudget::new(limit);
        let mut generation = 0;
        let mut models: Vec<Model> = caps
            .iter()
            .map(|&cap| {
                generation += 1;
                Model { stream: OutputStream::with_budget(cap, &budget), generation, written: 0 }
            })
            .collect();
        for op in ops {
            match op {
                Op::Write(i, n) => {
                    let m = &mut models[i % STREAMS];
                    m.stream.write(&bytes(m.generation, m.written, n));
                    m.written += n as u64;
                }
                Op::Replace(i) => {
                    generation += 1;
                    let i = i % STREAMS;
                    models[i] = Model {
                        stream: OutputStream::with_budget(caps[i], &budget),
                        generation,
                        written: 0,
                    };
                }
                Op::Read(i, offset, max) => {
                    let m = &models[i % STREAMS];
                    let offset = offset % (m.written + 2);
                    let c = m.stream.read_from(offset, max);
                    let st = m.stream.stats();
                    prop_assert_eq!(c.offset, offset.max(st.start).min(offset.max(st.written)));
                    prop_assert_eq!(c.missed, c.offset - offset);
                    prop_assert_eq!(&c.data[..], &bytes(m.generation, c.offset, c.data.len())[..]);
                    let expect = (st.written.saturating_sub(c.offset)).min(max as u64);
                    prop_assert_eq!(c.data.len() as u64, expect);
                }
            }
            prop_assert!(budget.in_use() <= budget.limit());
            let allocated: usize = models.iter().map(|m| m.stream.allocated()).sum();
            prop_assert!(allocated <= limit + STREAMS * BLOCK, "{} > {}", allocated, limit);
            for m in &models {
                check(m);
            }
        }
        drop(models);
        prop_assert_eq!(budget.in_use(), 0);
    }
}
