//! Kernel benchmarks, each measured against bash in the same run and printed
//! as ratios (medians of several runs; these machines are small and noisy).
//!
//! `cargo bench -p corral-kernel --bench kernel`; set CORRAL_BENCH_QUICK=1 for
//! a smaller, faster run, and CORRAL_BENCH_ONLY=spawn,futures (say) to run
//! only some of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;
use std::time::{Duration, Instant};

use corral_kernel::{Cmd, JobOptions, Kernel, KernelConfig, ProcessSpec, RestartPolicy, Signal};

fn quick() -> bool {
    std::env::var_os("CORRAL_BENCH_QUICK").is_some()
}

/// Whether the benchmark `name` runs: all of them unless CORRAL_BENCH_ONLY
/// (a comma-separated list: capture, capture_pty, spawn, futures, wakeup,
/// supervise) says otherwise.
fn wanted(name: &str) -> bool {
    match std::env::var("CORRAL_BENCH_ONLY") {
        Ok(list) => list.split(',').any(|w| w.trim() == name),
        Err(_) => true,
    }
}

/// Runs per figure: CORRAL_BENCH_RUNS, or the default for the mode.
fn runs(quick_runs: usize, full_runs: usize) -> usize {
    std::env::var("CORRAL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick() { quick_runs } else { full_runs })
}

/// Whether to print CPU times too (CORRAL_BENCH_VERBOSE): steadier than wall
/// time on a busy machine.
fn verbose() -> bool {
    std::env::var_os("CORRAL_BENCH_VERBOSE").is_some()
}

/// CPU seconds (user + system) used so far by this process and by its
/// reaped children.
fn cpu() -> (f64, f64) {
    let get = |who| {
        // SAFETY: rusage is plain old data and getrusage only writes into it.
        let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `ru` is a valid, writable rusage.
        unsafe { libc::getrusage(who, &mut ru) };
        let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        tv(ru.ru_utime) + tv(ru.ru_stime)
    };
    (get(libc::RUSAGE_SELF), get(libc::RUSAGE_CHILDREN))
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn bash(script: &str) -> Duration {
    let t = Instant::now();
    let st = Command::new("bash").arg("-c").arg(script).status().unwrap();
    assert!(st.success());
    t.elapsed()
}

/// (VmRSS, VmHWM) of this process in KiB.
fn rss() -> (u64, u64) {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| {
        s.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn capture(kernel: &Kernel, bytes: u64) -> Duration {
    capture_through(kernel, bytes, false).await
}

/// Captures `bytes` from `head`, through a pipe or (`pty`) a pseudo-terminal.
async fn capture_through(kernel: &Kernel, bytes: u64, pty: bool) -> Duration {
    let t = Instant::now();
    let mut spec = ProcessSpec::command(
        Cmd::new("head")
            .arg("-c")
            .arg(bytes.to_string())
            .arg("/dev/zero"),
    );
    if pty {
        spec = spec.stdout_pty(24, 80);
    }
    let job = kernel.spawn_process(spec).unwrap();
    job.wait().await;
    let el = t.elapsed();
    assert_eq!(job.stdout().stats().written, bytes);
    el
}

async fn bench_capture(kernel: &Kernel) {
    let bytes: u64 = if quick() { 1 << 28 } else { 1 << 30 };
    let runs = runs(3, 5);
    let (idle, _) = rss();
    reset_peak_rss();
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let (mut our_cpu, mut their_cpu) = (0.0, 0.0);
    for _ in 0..runs {
        let (s0, c0) = cpu();
        ours.push(capture(kernel, bytes).await.as_secs_f64());
        let (s1, c1) = cpu();
        theirs.push(bash(&format!("head -c {bytes} /dev/zero | cat > /dev/null")).as_secs_f64());
        let (_, c2) = cpu();
        our_cpu += s1 - s0;
        their_cpu += c2 - c1;
        if verbose() {
            println!(
                "  capture cpu: producer {:.3}s, corral {:.3}s, producer+cat+bash {:.3}s",
                c1 - c0,
                s1 - s0,
                c2 - c1
            );
        }
    }
    if verbose() {
        println!("  capture cpu total: corral process {our_cpu:.3}s, bash side {their_cpu:.3}s");
    }
    let (_, peak) = rss();
    kernel.shutdown(Duration::from_secs(1)).await;
    let (o, b) = (median(ours), median(theirs));
    println!(
        "capture {} MiB: corral {:.3}s, bash pipe {:.3}s, ratio {:.2} (target <= 1.3); peak RSS {} KiB above idle (target <= 32768)",
        bytes >> 20,
        o,
        b,
        o / b,
        peak.saturating_sub(idle)
    );
}

/// The cost of a background job's stdout going through a pty (as an
/// interactive shell's do) rather than a pipe: same bytes, same ring.
async fn bench_capture_pty(kernel: &Kernel) {
    let bytes: u64 = if quick() { 1 << 26 } else { 1 << 28 };
    let runs = runs(3, 5);
    let (mut pipe, mut pty) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        pipe.push(capture_through(kernel, bytes, false).await.as_secs_f64());
        pty.push(capture_through(kernel, bytes, true).await.as_secs_f64());
    }
    kernel.shutdown(Duration::from_secs(1)).await;
    let (a, b) = (median(pipe), median(pty));
    let mib = (bytes >> 20) as f64;
    println!(
        "capture_pty {} MiB: pipe {:.3}s ({:.0} MiB/s), pty {:.3}s ({:.0} MiB/s), ratio {:.2}",
        bytes >> 20,
        a,
        mib / a,
        b,
        mib / b,
        b / a
    );
}

async fn bench_spawn() {
    let n = 500;
    let runs = runs(3, 7);
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for _ in 0..runs {
        let kernel = Kernel::with_config(KernelConfig::default().retention(n)).unwrap();
        let (s0, c0) = cpu();
        let t = Instant::now();
        for _ in 0..n {
            kernel
                .spawn_process(ProcessSpec::command(Cmd::new("/bin/true")))
                .unwrap();
        }
        let spawned = t.elapsed();
        kernel.wait_all().await;
        ours.push(t.elapsed().as_secs_f64());
        let (s1, c1) = cpu();
        kernel.shutdown(Duration::from_secs(1)).await;
        theirs.push(bash(&format!("for i in $(seq {n}); do /bin/true & done; wait")).as_secs_f64());
        let (_, c2) = cpu();
        if verbose() {
            println!(
                "  spawn: loop {:.3}s of {:.3}s; cpu corral {:.3}s + children {:.3}s, bash side {:.3}s",
                spawned.as_secs_f64(),
                ours[ours.len() - 1],
                s1 - s0,
                c1 - c0,
                c2 - c1
            );
        }
    }
    let (o, b) = (median(ours), median(theirs));
    println!(
        "spawn {n} x /bin/true & + wait: corral {:.3}s ({:.0}/s), bash {:.3}s ({:.0}/s), ratio {:.2} (target <= 1.0)",
        o,
        n as f64 / o,
        b,
        n as f64 / b,
        o / b
    );
}

async fn bench_futures() {
    let n: usize = if quick() { 20_000 } else { 100_000 };
    let kernel = Kernel::with_config(KernelConfig::default().retention(n).max_running(n)).unwrap();
    // Warm the allocator and runtime with a first small batch.
    for _ in 0..100 {
        kernel
            .spawn_future("warm", JobOptions::default(), |_| async { 0 })
            .unwrap();
    }
    kernel.wait_all().await;
    let (before, _) = rss();
    let t = Instant::now();
    for _ in 0..n {
        kernel
            .spawn_future("f", JobOptions::default(), |_| async { 0 })
            .unwrap();
    }
    kernel.wait_all().await;
    let el = t.elapsed();
    let (after, _) = rss();
    let per = (after.saturating_sub(before) * 1024) as f64 / n as f64;
    println!(
        "futures {n} spawned and completed: {:.3}s (target < 0.5s for 100000); {:.0} bytes per finished record (target < 1024)",
        el.as_secs_f64(),
        per
    );
    kernel.shutdown(Duration::from_secs(1)).await;
}

async fn bench_wakeup() {
    let n = if quick() { 50 } else { 300 };
    let kernel = Kernel::with_config(KernelConfig::default().retention(10)).unwrap();
    let mut lat = Vec::new();
    for _ in 0..n {
        let job = kernel
            .spawn_process(ProcessSpec::command(Cmd::new("sleep").arg("100")))
            .unwrap();
        let pid = job.pids()[0];
        let t = Instant::now();
        corral_kernel::kill_pid(pid, Signal::KILL).unwrap();
        job.wait().await;
        lat.push(t.elapsed().as_secs_f64() * 1e6);
    }
    lat.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| lat[((lat.len() as f64 - 1.0) * q) as usize];
    println!(
        "wake-up from SIGKILL to wait's return: p50 {:.0} us, p99 {:.0} us (target p99 < 1000 us; a 100 ms poller averages 50000 us)",
        p(0.5),
        p(0.99)
    );
    kernel.shutdown(Duration::from_secs(1)).await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        if wanted("capture") {
            let kernel = Kernel::new().unwrap();
            bench_capture(&kernel).await;
        }
        if wanted("capture_pty") {
            let kernel = Kernel::new().unwrap();
            bench_capture_pty(&kernel).await;
        }
        if wanted("spawn") {
            bench_spawn().await;
        }
        if wanted("futures") {
            bench_futures().await;
        }
        if wanted("wakeup") {
            bench_wakeup().await;
        }
        if wanted("supervise") {
            bench_supervise().await;
        }
    });
}

/// Supervision: listing and filtering 10,000 owned, labelled jobs; the
/// cost of a restart with zero backoff (a future's, and a process's
/// against a plain spawn and wait of the same program).
async fn bench_supervise() {
    let n = 10_000;
    let kernel = Kernel::with_config(KernelConfig::default().retention(n).max_running(n)).unwrap();
    for i in 0..n {
        let opts = JobOptions::new()
            .owner(format!("agent-{}", i % 10))
            .label("tool", format!("t{}", i % 100));
        kernel.spawn_future("f", opts, |_| async { 0 }).unwrap();
    }
    kernel.wait_all().await;
    let time = |f: &dyn Fn() -> usize| {
        let mut v = Vec::new();
        let mut got = 0;
        let mut c = Vec::new();
        for _ in 0..runs(5, 11) {
            let (c0, _) = cpu();
            let t = Instant::now();
            got = f();
            v.push(t.elapsed().as_secs_f64() * 1e3);
            c.push((cpu().0 - c0) * 1e3);
        }
        if verbose() {
            println!("  cpu {:.2} ms", median(c));
        }
        (median(v), got)
    };
    let scope = kernel.scope("agent-3");
    let (list_all, a) = time(&|| kernel.list().len());
    let (by_owner, b) = time(&|| scope.list().len());
    let (by_label, c) = time(&|| kernel.jobs_labelled("tool", "t7").len());
    println!(
        "supervise {n} owned, labelled jobs: filter and list one owner's {by_owner:.2} ms ({b} jobs), one label's {by_label:.2} ms ({c} jobs) (target < 10 ms); every snapshot of the table {list_all:.2} ms ({a} jobs, no target)"
    );
    kernel.shutdown(Duration::from_secs(1)).await;

    let restarts = 2_000;
    let kernel = Kernel::new().unwrap();
    let policy = RestartPolicy::always()
        .budget(restarts, Duration::from_secs(3600))
        .backoff(Duration::ZERO, Duration::ZERO);
    let t = Instant::now();
    let job = kernel
        .spawn_future_restarting("r", JobOptions::new(), policy, |_| async { 1 })
        .unwrap();
    job.wait().await;
    let per_future = t.elapsed().as_secs_f64() * 1e6 / f64::from(restarts);

    // Alternating rounds, medians: the machine is shared and noisy.
    let runs_n = 100;
    let (mut plain, mut restarted) = (Vec::new(), Vec::new());
    for _ in 0..runs(3, 7) {
        let t = Instant::now();
        for _ in 0..runs_n {
            kernel
                .spawn_process(ProcessSpec::command(Cmd::new("/bin/true")))
                .unwrap()
                .wait()
                .await;
        }
        plain.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(runs_n));
        let policy = RestartPolicy::always()
            .budget(runs_n - 1, Duration::from_secs(3600))
            .backoff(Duration::ZERO, Duration::ZERO);
        let t = Instant::now();
        let job = kernel
            .spawn_restarting(ProcessSpec::command(Cmd::new("/bin/true")), policy)
            .unwrap();
        job.wait().await;
        restarted.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(runs_n));
    }
    let (plain, restarted) = (median(plain), median(restarted));
    println!(
        "restart, zero backoff: future {per_future:.1} us per restart; /bin/true {restarted:.0} us per run vs {plain:.0} us per plain spawn+wait, +{:.0} us (target < 1000 us)",
        restarted - plain
    );
    kernel.shutdown(Duration::from_secs(1)).await;
}
