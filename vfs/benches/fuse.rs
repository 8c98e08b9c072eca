//! FUSE benchmark (`cargo bench -p corral-vfs --bench fuse`): `cat` of a full
//! 1 MiB stdout ring through the FUSE mount against `cat` of a plain 1 MiB
//! file on the host, as medians and their ratio; the same less the cost of
//! starting `cat` (timed on an empty file), and the same reads done in this
//! process. Skipped, with the reason, where /dev/fuse is missing.

use std::error::Error;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corral_kernel::{JobOptions, Kernel};
use corral_vfs::fuse::FuseMount;
use corral_vfs::MountTable;

const MIB: usize = 1 << 20;
const RUNS: usize = 41;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Milliseconds for one `cat PATH > /dev/null`.
fn cat_once(path: &Path) -> Result<f64, String> {
    let t = Instant::now();
    let status = Command::new("cat")
        .arg(path)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    let ms = t.elapsed().as_secs_f64() * 1e3;
    if !status.success() {
        return Err(format!("cat {} failed: {status}", path.display()));
    }
    Ok(ms)
}

/// Milliseconds to read `path` whole in this process, 128 KiB at a time (as
/// `cat` does), without a process start.
fn read_once(path: &Path, len: usize) -> Result<f64, String> {
    let t = Instant::now();
    let mut file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut buf = vec![0u8; 128 * 1024];
    let mut total = 0;
    loop {
        match file.read(&mut buf).map_err(|e| e.to_string())? {
            0 => break,
            n => total += n,
        }
    }
    let ms = t.elapsed().as_secs_f64() * 1e3;
    if total != len {
        return Err(format!(
            "{}: read {total} bytes, expected {len}",
            path.display()
        ));
    }
    Ok(ms)
}

/// Median milliseconds of `cat` and of an in-process read for each path,
/// the paths taken in turn in every round so that load on the machine
/// hits them alike. Runs on a blocking thread: the runtime serves the mount.
async fn measure(paths: Vec<(PathBuf, usize)>) -> Result<Vec<(f64, f64)>, Box<dyn Error>> {
    let result = tokio::task::spawn_blocking(move || -> Result<Vec<(f64, f64)>, String> {
        let mut cat = vec![Vec::new(); paths.len()];
        let mut read = vec![Vec::new(); paths.len()];
        for _ in 0..RUNS {
            for (i, (path, len)) in paths.iter().enumerate() {
                cat[i].push(cat_once(path)?);
                read[i].push(read_once(path, *len)?);
            }
        }
        Ok(cat
            .into_iter()
            .map(median)
            .zip(read.into_iter().map(median))
            .collect())
    })
    .await?;
    result.map_err(Into::into)
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

    let empty = tmp.path().join("empty");
    std::fs::write(&empty, b"")?;

    let m = measure(vec![(plain, MIB), (ring, MIB), (empty, 0)]).await?;
    let [(plain_cat, plain_read), (ring_cat, ring_read), (empty_cat, _)] = m[..] else {
        return Err("three measures expected".into());
    };
    println!("medians of {RUNS} rounds, one of each per round");
    println!("cat, plain 1 MiB file:               {plain_cat:8.3} ms");
    println!("cat, 1 MiB ring through FUSE:        {ring_cat:8.3} ms");
    println!("cat, empty file (process start):     {empty_cat:8.3} ms");
    println!(
        "ratio FUSE / plain, cat:             {:8.2}x",
        ring_cat / plain_cat
    );
    println!(
        "ratio FUSE / plain, cat less start:  {:8.2}x",
        (ring_cat - empty_cat) / (plain_cat - empty_cat)
    );
    println!("read in process, plain 1 MiB file:   {plain_read:8.3} ms");
    println!("read in process, ring through FUSE:  {ring_read:8.3} ms");
    println!(
        "ratio FUSE / plain, read:            {:8.2}x",
        ring_read / plain_read
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
