//! Output stream throughput: `cargo bench --bench ring`.
//!
//! Plain `main` (no harness): each figure is the median of 5 runs, in MB/s
//! (10^6 bytes per second).

use std::hint::black_box;
use std::time::Instant;

use corral_kernel::stream::{OutputStream, RingBudget};

const RUNS: usize = 5;
const MIB: usize = 1 << 20;

/// Median MB/s of `RUNS` runs of `f`, each moving `bytes` bytes.
fn measure(bytes: usize, mut f: impl FnMut()) -> f64 {
    f(); // warm-up: page faults, allocator
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            bytes as f64 / t.elapsed().as_secs_f64() / 1e6
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[RUNS / 2]
}

fn write_bench(s: &OutputStream, piece: usize, total: usize) -> f64 {
    let data: Vec<u8> = (0..piece).map(|i| i as u8).collect();
    measure(total, || {
        for _ in 0..total / piece {
            s.write(black_box(&data));
        }
    })
}

fn main() {
    let w64k = write_bench(&OutputStream::new(MIB), 64 * 1024, 1 << 30);
    println!("write 64 KiB pieces, cap 1 MiB:   {w64k:>8.0} MB/s");
    let w100 = write_bench(&OutputStream::new(MIB), 100, 200 * MIB);
    println!("write 100 B pieces, cap 1 MiB:    {w100:>8.0} MB/s");
    // A kernel's streams draw on a budget: room to spare, and spent (the
    // ring keeps only its first block and recycles it).
    let budget = RingBudget::default();
    let b64k = write_bench(&OutputStream::with_budget(MIB, &budget), 64 * 1024, 1 << 30);
    println!("write 64 KiB pieces, budget:      {b64k:>8.0} MB/s");
    let b100 = write_bench(&OutputStream::with_budget(MIB, &budget), 100, 200 * MIB);
    println!("write 100 B pieces, budget:       {b100:>8.0} MB/s");
    let spent = RingBudget::new(0);
    let s64k = write_bench(&OutputStream::with_budget(MIB, &spent), 64 * 1024, 1 << 30);
    println!("write 64 KiB, budget spent:       {s64k:>8.0} MB/s");
    let s100 = write_bench(&OutputStream::with_budget(MIB, &spent), 100, 200 * MIB);
    println!("write 100 B, budget spent:        {s100:>8.0} MB/s");
    // Lossless: the same stream grows a temp file (in $TMPDIR) run after run.
    match OutputStream::with_spill(MIB) {
        Ok(s) => {
            let rate = write_bench(&s, 64 * 1024, 128 * MIB);
            println!("write 64 KiB pieces, lossless:    {rate:>8.0} MB/s");
        }
        Err(e) => println!("write 64 KiB pieces, lossless:    skipped ({e})"),
    }

    let s = OutputStream::new(MIB);
    let data: Vec<u8> = (0..3 * MIB).map(|i| (i * 7) as u8).collect();
    s.write(&data);
    let snaps = 512;
    let snap = measure(snaps * MIB, || {
        for _ in 0..snaps {
            black_box(s.snapshot());
        }
    });
    println!("snapshot of a full 1 MiB ring:    {snap:>8.0} MB/s");
}
