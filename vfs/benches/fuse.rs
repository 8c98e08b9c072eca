//! FUSE benchmark (`cargo bench -p corral-vfs --bench fuse`): `cat` of a full
//! 1 MiB stdout ring through the FUSE mount against `cat` of a plain 1 MiB
//! file on the host, each the median of several runs, and their ratio.
//! Skipped, with the reason, where /dev/fuse is missing.

use std::error::Error;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corral_kernel::{JobOptions, Kernel};
use corral_vfs::fuse::FuseMount;
use corral_vfs::MountTable;

const MIB: usize = 1 << 20;
const RUNS: usize = 31;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median milliseconds for `cat PATH > /dev/null`, after checking it reads
/// `len` bytes. Runs on a blocking thread: the mount is served by the runtime.
async fn time_cat(path: &Path, len: usize) -> Result<f64, Box<dyn Error>> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || -> Result<f64, String> {
        let out = Command::new("cat")
            .arg(&path)
            .output()
            .map_err(|e| e.to_string())?;
        if out.stdout.len() != len {
            return Err(format!(
                "{}: read {} bytes, expected {len}",
                path.display(),
                out.stdout.len()
            ));
        }
        let mut ms = Vec::new();
        for _ in 0..RUNS {
            let t = Instant::now();
            let status = Command::new("cat")
                .arg(&path)
                .stdout(Stdio::null())
                .status()
                .map_err(|e| e.to_string())?;
            ms.push(t.elapsed().as_secs_f64() * 1e3);
            if !status.success() {
                return Err(format!("cat {} failed: {status}", path.display()));
            }
        }
        Ok(median(ms))
    })
    .await?
    .map_err(Into::into)
}

async fn bench() -> Result<(), Box<dyn Error>> {
    let kernel = Kernel::new()?;
    let table = MountTable::new(kernel.clone());
    // A little more than the cap, so the ring is full and has wrapped.
    let job = kernel.spawn_future("flood", JobOptions::default(), |ctx| async move {
        let block: Vec<u8> = (0..64 * 1024).map(|i| (i % 251) as u8).collect();
        for _ in 0..17 {
            ctx.stdout.write(&block);
        }
        0
    })?;
    job.wait().await;

    let tmp = tempfile::tempdir()?;
    let plain = tmp.path().join("plain");
    std::fs::write(&plain, vec![7u8; MIB])?;
    let mount = FuseMount::mount(table, "/v", &tmp.path().join("v"))?;
    let ring = mount.path().join("jobs/1/stdout");

    let plain_ms = time_cat(&plain, MIB).await?;
    let ring_ms = time_cat(&ring, MIB).await?;
    println!("cat of a plain 1 MiB file:          {plain_ms:.3} ms (median of {RUNS})");
    println!("cat of a 1 MiB ring through FUSE:   {ring_ms:.3} ms (median of {RUNS})");
    println!(
        "ratio FUSE / plain:                 {:.2}x",
        ring_ms / plain_ms
    );
    drop(mount);
    kernel.shutdown(Duration::from_secs(1)).await;
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    if !Path::new("/dev/fuse").exists() {
        println!("skipped: /dev/fuse is missing, FUSE cannot be served here");
        return Ok(());
    }
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?
        .block_on(bench())
}
