//! corral-vfs benchmarks (`cargo bench -p corral-vfs`): reading a full 1 MiB
//! stdout ring through the mount table, and listing `/v/jobs` with 10,000
//! jobs. Each figure is the median of several runs.

use std::error::Error;
use std::hint::black_box;
use std::time::{Duration, Instant};

use corral_kernel::{JobOptions, Kernel, KernelConfig};
use corral_vfs::MountTable;

const MIB: usize = 1 << 20;
const RUNS: usize = 11;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// GB/s (10^9 bytes per second) reading `/v/jobs/1/stdout` holding 1 MiB.
async fn read_ring() -> Result<f64, Box<dyn Error>> {
    let kernel = Kernel::new()?;
    let vfs = MountTable::new(kernel.clone());
    // A little more than the cap, so the ring is full and has wrapped.
    let job = kernel.spawn_future("flood", JobOptions::default(), |ctx| async move {
        let block: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..17 {
            ctx.stdout.write(&block);
        }
        0
    })?;
    job.wait().await;
    let first = vfs.read("/v/jobs/1/stdout").await?;
    if first.len() != MIB {
        return Err(format!("ring holds {} bytes, expected {MIB}", first.len()).into());
    }
    drop(first);

    const READS: usize = 200;
    for _ in 0..20 {
        black_box(vfs.read("/v/jobs/1/stdout").await?);
    }
    let mut rates = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        for _ in 0..READS {
            black_box(vfs.read("/v/jobs/1/stdout").await?);
        }
        let secs = t.elapsed().as_secs_f64();
        rates.push((READS * MIB) as f64 / secs / 1e9);
    }
    kernel.shutdown(Duration::from_secs(1)).await;
    Ok(median(rates))
}

/// Milliseconds to list `/v/jobs` holding 10,000 finished future jobs.
async fn list_jobs() -> Result<f64, Box<dyn Error>> {
    const JOBS: usize = 10_000;
    let kernel = Kernel::with_config(
        KernelConfig::default()
            .retention(20_000)
            .max_running(20_000),
    )?;
    let vfs = MountTable::new(kernel.clone());
    for i in 0..JOBS {
        kernel.spawn_future(format!("job {i}"), JobOptions::default(), |_| async { 0 })?;
    }
    tokio::time::timeout(Duration::from_secs(60), kernel.wait_all()).await?;
    let n = vfs.list("/v/jobs").await?.len();
    if n != JOBS {
        return Err(format!("listed {n} jobs, expected {JOBS}").into());
    }
    const LISTS: usize = 10;
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        for _ in 0..LISTS {
            black_box(vfs.list("/v/jobs").await?);
        }
        times.push(t.elapsed().as_secs_f64() * 1e3 / LISTS as f64);
    }
    kernel.shutdown(Duration::from_secs(1)).await;
    Ok(median(times))
}

fn main() -> Result<(), Box<dyn Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let gbps = read_ring().await?;
        println!("vfs read 1MiB ring: {gbps:.1} GB/s (target >= 2)");
        let ms = list_jobs().await?;
        println!("vfs list /v/jobs with 10000 jobs: {ms:.2} ms (target < 10)");
        Ok(())
    })
}
