//! The scale curve: 10, 100, 1,000 and 4,000 live jobs, corral against bash
//! in the same run (`sleep 1000 &` × N, then `jobs`, `kill` + `wait`),
//! printed as medians and ratios. Per N: the cost of one spawn, memory
//! per live job, the time to list the jobs, and the wake-up of a wait
//! after a KILL. Then two curves that each vary one thing and hold the
//! rest: the cost of one spawn (over a burst of [`BURST`]) with N jobs
//! already live, and with 0, 8,000 and 16,000 descriptors open.
//!
//! `cargo bench -p corral-kernel --bench scale`. CORRAL_BENCH_RUNS sets
//! the runs per figure (default 11), CORRAL_BENCH_QUICK=1 makes it 3, and
//! CORRAL_SCALE_NS=10,1000 (say) picks the job counts.
//!
//! Each corral sample runs in a fresh copy of this binary, as each bash
//! sample is a fresh bash: memory figures then start from the same
//! point, not from a heap an earlier sample grew.
//!
//! In the first table, spawn cost is timed over at least [`MIN_SPAWNS`]
//! spawns per sample: a count below that starts its N jobs, kills and
//! reaps them, and again, timing only the starts (each batch starts with
//! no live job), so ten jobs are not timed by ten spawns. RSS and heap
//! come from the first batch (later ones reuse what earlier ones freed),
//! listing and wake-up from the last, each with its N jobs live.
//!
//! That first table times N spawns in a row, so its per-spawn figure
//! grows with the length of the burst, not with the jobs held: a batch of
//! ten is over before its children exec, while in a longer one the
//! children exec beside the spawner on the same two cores (the wall time
//! is then mostly theirs) and every kernel object is a fresh one. The
//! flatness target (spawn cost independent of the job count) is judged on
//! the live-jobs curve, where the burst is the same at every N and the
//! jobs already live have started (each asleep in its program); the
//! first table's ratio is printed beside it, with bash's, for reference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use corral_kernel::{Cmd, Job, Kernel, KernelConfig, ProcessSpec, Signal};

/// How many wake-ups each sample measures.
const WAKES: usize = 5;

/// Spawns each sample times at least (in batches of N live jobs).
const MIN_SPAWNS: usize = 1_000;

/// Batches of `n` spawns one sample times.
fn batches(n: usize) -> usize {
    MIN_SPAWNS.div_ceil(n.max(1))
}

fn runs() -> usize {
    std::env::var("CORRAL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if std::env::var_os("CORRAL_BENCH_QUICK").is_some() {
            3
        } else {
            11
        })
}

fn counts() -> Vec<usize> {
    match std::env::var("CORRAL_SCALE_NS") {
        Ok(list) => list
            .split(',')
            .filter_map(|n| n.trim().parse().ok())
            .collect(),
        Err(_) => vec![10, 100, 1_000, 4_000],
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// VmRSS of this process in KiB.
fn rss_kib() -> f64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap()
}

/// Heap bytes in use (glibc's count over every arena).
fn heap_bytes() -> f64 {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let m = unsafe { libc::mallinfo2() };
    (m.uordblks + m.hblkhd) as f64
}

/// CPU microseconds (user + system) this process has used.
fn cpu_us() -> f64 {
    // SAFETY: rusage is plain old data and getrusage only writes into it.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable rusage.
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1e6 + t.tv_usec as f64;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

fn raise_nofile() {
    // SAFETY: rlimit is plain old data; getrlimit/setrlimit only read and
    // write it.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
    }
}

fn sleeper() -> ProcessSpec {
    ProcessSpec::command(Cmd::new("sleep").arg("1000"))
}

/// One sample's figures.
#[derive(Default)]
struct Sample {
    /// Microseconds per spawn.
    spawn_us: f64,
    /// CPU microseconds (user + system) of the spawning process per spawn.
    cpu_us: f64,
    /// KiB of RSS per live job.
    rss_kib: f64,
    /// Heap bytes per live job (corral only).
    heap: f64,
    /// Microseconds to list every job.
    list_us: f64,
    /// Median microseconds from KILL to the wait's return.
    wake_us: f64,
}

impl Sample {
    fn parse(line: &str) -> Sample {
        let v: Vec<f64> = line
            .split_whitespace()
            .map(|x| x.parse().unwrap())
            .collect();
        Sample {
            spawn_us: v[0],
            rss_kib: v[1],
            heap: v[2],
            list_us: v[3],
            wake_us: v[4],
            cpu_us: v[5],
        }
    }
}

/// In a fresh copy of this binary: N live jobs in a kernel.
async fn corral_sample(n: usize) {
    let kernel = Kernel::with_config(
        KernelConfig::default()
            .max_running(n + 16)
            .retention(n + 16),
    )
    .unwrap();
    // Warm up: the runtime, the reaper, the spawner's slots.
    let warm = kernel.spawn_process(sleeper()).unwrap();
    warm.signal(Signal::KILL).unwrap();
    warm.wait().await;
    kernel.remove(warm.id()).unwrap();
    let reps = batches(n);
    let (mut spawn, mut cpu) = (Duration::ZERO, 0.0);
    let (rss0, heap0) = (rss_kib(), heap_bytes());
    let (mut rss1, mut heap1) = (0.0, 0.0);
    let mut jobs: Vec<Job> = Vec::new();
    for rep in 0..reps {
        let (t, c) = (Instant::now(), cpu_us());
        jobs = (0..n)
            .map(|_| kernel.spawn_process(sleeper()).unwrap())
            .collect();
        (spawn, cpu) = (spawn + t.elapsed(), cpu + cpu_us() - c);
        if rep == 0 {
            (rss1, heap1) = (rss_kib(), heap_bytes());
        }
        if rep + 1 < reps {
            for job in &jobs {
                job.signal(Signal::KILL).unwrap();
            }
            for job in jobs.drain(..) {
                job.wait().await;
                kernel.remove(job.id()).unwrap();
            }
        }
    }
    let t = Instant::now();
    let listed = kernel.list();
    let list = t.elapsed();
    assert_eq!(listed.len(), n);
    drop(listed);
    let mut wakes = Vec::new();
    for job in jobs.iter().rev().take(WAKES) {
        let t = Instant::now();
        job.signal(Signal::KILL).unwrap();
        job.wait().await;
        wakes.push(t.elapsed().as_secs_f64() * 1e6);
    }
    println!(
        "{} {} {} {} {} {}",
        spawn.as_secs_f64() * 1e6 / (n * reps) as f64,
        (rss1 - rss0) / n as f64,
        (heap1 - heap0) / n as f64,
        list.as_secs_f64() * 1e6,
        median(wakes),
        cpu / (n * reps) as f64
    );
    kernel.shutdown(Duration::from_secs(1)).await;
}

/// In a fresh copy of this binary: the cost of one spawn with `fds`
/// descriptors held open (each sample spawns 200 jobs).
async fn fd_sample(fds: usize) {
    let kernel = Kernel::new().unwrap();
    let warm = kernel.spawn_process(sleeper()).unwrap();
    warm.signal(Signal::KILL).unwrap();
    warm.wait().await;
    let held: Vec<_> = (0..fds / 2).map(|_| nix::unistd::pipe().unwrap()).collect();
    let jobs = timed_burst(&kernel);
    for job in &jobs {
        let _ = job.signal(Signal::KILL);
    }
    kernel.shutdown(Duration::from_secs(1)).await;
    drop(held);
}

/// In a fresh copy of this binary: the cost of one spawn with `n` jobs
/// live and settled (each has exec'd its program), over [`BURST`] spawns.
async fn live_sample(n: usize) {
    let room = n + BURST + 16;
    let kernel =
        Kernel::with_config(KernelConfig::default().max_running(room).retention(room)).unwrap();
    let warm = kernel.spawn_process(sleeper()).unwrap();
    warm.signal(Signal::KILL).unwrap();
    warm.wait().await;
    let live: Vec<Job> = (0..n)
        .map(|_| kernel.spawn_process(sleeper()).unwrap())
        .collect();
    settle(&live);
    let burst = timed_burst(&kernel);
    for job in live.iter().chain(&burst) {
        let _ = job.signal(Signal::KILL);
    }
    kernel.shutdown(Duration::from_secs(1)).await;
}

/// Spawns [`BURST`] jobs and prints the wall and CPU time per spawn (as a
/// sample line).
fn timed_burst(kernel: &Kernel) -> Vec<Job> {
    let (t, c) = (Instant::now(), cpu_us());
    let jobs: Vec<Job> = (0..BURST)
        .map(|_| kernel.spawn_process(sleeper()).unwrap())
        .collect();
    let (spawn, cpu) = (t.elapsed(), cpu_us() - c);
    println!(
        "{} 0 0 0 0 {}",
        spawn.as_secs_f64() * 1e6 / BURST as f64,
        cpu / BURST as f64
    );
    jobs
}

/// Waits until every job's process sleeps in `clock_nanosleep` (its
/// exec and start-up done): a burst timed while earlier children still
/// start would time their start too. A condition with a deadline: a
/// start gives no event to wait on.
fn settle(jobs: &[Job]) {
    let deadline = Instant::now() + Duration::from_secs(120);
    let asleep = format!("{} ", libc::SYS_clock_nanosleep);
    for job in jobs {
        let pid = job.pids()[0].as_raw();
        let path = format!("/proc/{pid}/syscall");
        while !std::fs::read_to_string(&path).is_ok_and(|s| s.starts_with(&asleep)) {
            assert!(
                Instant::now() < deadline,
                "{pid} did not reach its sleep in time"
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// Runs one sample in a fresh copy of this binary.
fn child_sample(mode: &str, n: usize) -> Sample {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("CORRAL_SCALE_CHILD", format!("{mode}:{n}"))
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "{mode} sample for {n} failed");
    let text = String::from_utf8(out.stdout).unwrap();
    Sample::parse(text.lines().last().unwrap())
}

/// bash: N `sleep 1000 &` (in `reps` batches, as the corral sample),
/// `jobs`, then `kill -9` + `wait` of some. Prints the spawn time as one
/// span from 0 to the sum of the batches' times.
const BASH: &str = r#"
n=$1 wakes=$2 reps=$3
rss() { while read -r k v _; do if [[ $k == VmRSS: ]]; then RSS=$v; return; fi; done < /proc/$$/status; }
tf=/tmp/corral-scale-times.$$
: > $tf
spent=0
rss; r0=$RSS
for ((r = 0; r < reps; r++)); do
  times >> $tf
  a=$EPOCHREALTIME
  for ((i = 0; i < n; i++)); do sleep 1000 & done
  b=$EPOCHREALTIME
  times >> $tf
  if ((r == 0)); then rss; r1=$RSS; fi
  spent=$(( spent + ${b/./} - ${a/./} ))
  if ((r + 1 < reps)); then kill -9 $(jobs -p); wait; fi
done
t0=0 t1=$(printf '%d.%06d' $((spent / 1000000)) $((spent % 1000000)))
t2=$EPOCHREALTIME; jobs > /dev/null; t3=$EPOCHREALTIME
pids=($(jobs -p))
w=""
for ((i = n - 1; i >= n - wakes; i--)); do
  p=${pids[i]}; a=$EPOCHREALTIME; kill -9 $p; wait $p; b=$EPOCHREALTIME; w+="$a $b "
done
kill -9 $(jobs -p) 2> /dev/null; wait
echo "$t0 $t1 $t2 $t3 $r0 $r1 $w"
# The shell's own times (every other line), before and after each batch.
while read -r u s; do echo "$u $s"; read -r _; done < $tf
rm -f $tf
"#;

/// bash: N `sleep 1000 &`, a wait until each sleeps, then
/// [`BURST`] more timed (as [`live_sample`]).
const BASH_LIVE: &str = r#"
n=$1 burst=$2 nanosleep=$3
for ((i = 0; i < n; i++)); do sleep 1000 & done
for p in $(jobs -p); do until read -r c _ < /proc/$p/syscall && ((c == nanosleep)); do :; done; done
tf=/tmp/corral-scale-live.$$
times > $tf
a=$EPOCHREALTIME
for ((i = 0; i < burst; i++)); do sleep 1000 & done
b=$EPOCHREALTIME
times >> $tf
kill -9 $(jobs -p); wait
echo "$a $b"
# The shell's own times (every other line), before and after.
while read -r u s; do echo "$u $s"; read -r _; done < $tf
rm -f $tf
"#;

fn bash_live_sample(n: usize) -> Sample {
    let nanosleep = libc::SYS_clock_nanosleep as usize;
    let (span, t) = run_bash(BASH_LIVE, &[n, BURST, nanosleep]);
    Sample {
        spawn_us: (span[1] - span[0]) * 1e6 / BURST as f64,
        cpu_us: (t[1] - t[0]) / BURST as f64,
        ..Sample::default()
    }
}

/// A line of bash's `times` (user and system, as `0m0.004s 0m0.012s`) in
/// microseconds.
fn times_us(line: &str) -> f64 {
    line.split_whitespace()
        .map(|x| {
            let (m, s) = x.trim_end_matches('s').split_once('m').unwrap();
            m.parse::<f64>().unwrap() * 60e6 + s.parse::<f64>().unwrap() * 1e6
        })
        .sum()
}

/// Runs one of the bash scripts above with `args`; returns the numbers on
/// its first line and, in microseconds, each later line of `times`.
fn run_bash(script: &str, args: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("bash")
        .args(args.iter().map(usize::to_string))
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success(), "bash sample {args:?} failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let mut lines = text.lines();
    let first = lines
        .next()
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (first, lines.map(times_us).collect())
}

fn bash_sample(n: usize) -> Sample {
    // `times`: the shell's user and system time before and after each batch.
    let (v, t) = run_bash(BASH, &[n, WAKES, batches(n)]);
    let cpu: f64 = t.chunks(2).map(|p| p[1] - p[0]).sum();
    let wakes: Vec<f64> = v[6..].chunks(2).map(|p| (p[1] - p[0]) * 1e6).collect();
    let spawns = (n * batches(n)) as f64;
    Sample {
        spawn_us: (v[1] - v[0]) * 1e6 / spawns,
        cpu_us: cpu / spawns,
        rss_kib: (v[5] - v[4]) / n as f64,
        heap: 0.0,
        list_us: (v[3] - v[2]) * 1e6,
        wake_us: median(wakes),
    }
}

/// "PASS" or "FAIL": whether `value` is at most `target`.
fn verdict(value: f64, target: f64) -> &'static str {
    if value <= target {
        "PASS"
    } else {
        "FAIL"
    }
}

/// Spawns timed by each live-jobs and descriptor sample.
const BURST: usize = 200;

/// Memory a live process job may hold beyond its pipes, in KiB.
const KIB_PER_JOB: f64 = 1.5;

fn curve() {
    let runs = runs();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!(
        "scale: {runs} alternating runs per figure, medians; ratio = corral / bash; load average {}",
        load.join(" ")
    );
    println!(
        "{:>6} | {:>24} | {:>24} | {:>22} | {:>10} | {:>24} | {:>22}",
        "jobs",
        "spawn us/job (ratio)",
        "spawn cpu us/job",
        "RSS KiB/job (ratio)",
        "heap B/job",
        "list us (ratio)",
        "wake us (ratio)"
    );
    let rows = alternate("jobs", bash_sample);
    for (n, ours, theirs) in &rows {
        let cell = |f: fn(&Sample) -> f64| {
            let (o, b) = (med(ours, f), med(theirs, f));
            format!("{o:.1} / {b:.1} ({:.2})", o / b)
        };
        println!(
            "{n:>6} | {:>24} | {:>24} | {:>22} | {:>10.0} | {:>24} | {:>22}",
            cell(|s| s.spawn_us),
            cell(|s| s.cpu_us),
            cell(|s| s.rss_kib),
            med(ours, |s| s.heap),
            cell(|s| s.list_us),
            cell(|s| s.wake_us),
        );
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let wall = growth(first, last, |s| s.spawn_us);
        let cpu = growth(first, last, |s| s.cpu_us);
        println!(
            "spawn per job in a burst of {} / of {}: wall {:.2}, cpu {:.2}; bash's: wall {:.2}, cpu {:.2} (burst length, not a target: module docs)",
            last.0,
            first.0,
            wall.0,
            cpu.0,
            wall.1,
            cpu.1,
        );
        let ratio = med(&last.1, |s| s.spawn_us) / med(&last.2, |s| s.spawn_us);
        let rss = med(&last.1, |s| s.rss_kib);
        println!(
            "at {} jobs: spawn per job {ratio:.2} of bash's (target <= 1.0) {}; RSS {rss:.2} KiB per job (target <= {KIB_PER_JOB}) {}",
            last.0,
            verdict(ratio, 1.0),
            verdict(rss, KIB_PER_JOB),
        );
    }
}

/// Per job count: corral's samples and bash's.
type Row = (usize, Vec<Sample>, Vec<Sample>);

/// For each job count, `runs()` samples of corral (in `mode`) and of
/// bash, alternating.
fn alternate(mode: &str, bash: fn(usize) -> Sample) -> Vec<Row> {
    let runs = runs();
    counts()
        .into_iter()
        .map(|n| {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            for _ in 0..runs {
                ours.push(child_sample(mode, n));
                theirs.push(bash(n));
            }
            (n, ours, theirs)
        })
        .collect()
}

/// How much one figure grew from the first row to the last: corral's, bash's.
fn growth(first: &Row, last: &Row, f: fn(&Sample) -> f64) -> (f64, f64) {
    (
        med(&last.1, f) / med(&first.1, f),
        med(&last.2, f) / med(&first.2, f),
    )
}

/// The median of one figure over samples.
fn med(v: &[Sample], f: fn(&Sample) -> f64) -> f64 {
    median(v.iter().map(f).collect())
}

/// The flatness target: [`BURST`] spawns with N jobs live, against 10 live.
fn live_curve() {
    println!(
        "{BURST} spawns with N jobs live (each already running its program); ratio = corral / bash"
    );
    let rows = alternate("live", bash_live_sample);
    for (n, ours, theirs) in &rows {
        let (w, c) = (med(ours, |s| s.spawn_us), med(ours, |s| s.cpu_us));
        let (bw, bc) = (med(theirs, |s| s.spawn_us), med(theirs, |s| s.cpu_us));
        println!(
            "{n:>6} live | wall {w:.1} / {bw:.1} us/job ({:.2}) | cpu {c:.1} / {bc:.1} us/job ({:.2})",
            w / bw,
            c / bc
        );
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        let wall = growth(first, last, |s| s.spawn_us);
        let cpu = growth(first, last, |s| s.cpu_us);
        println!(
            "spawn per job with {} live / with {} live: wall {:.2} {}, cpu {:.2} {} (target <= 1.5); bash's: wall {:.2}, cpu {:.2}",
            last.0,
            first.0,
            wall.0,
            verdict(wall.0, 1.5),
            cpu.0,
            verdict(cpu.0, 1.5),
            wall.1,
            cpu.1,
        );
    }
}

fn fd_curve() {
    let runs = runs();
    let levels = [0, 8_000, 16_000];
    let mut wall: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); levels.len()];
    for _ in 0..runs {
        for (i, &fds) in levels.iter().enumerate() {
            let s = child_sample("fds", fds);
            wall[i].push(s.spawn_us);
            cpu[i].push(s.cpu_us);
        }
    }
    let (wall0, cpu0) = (median(wall[0].clone()), median(cpu[0].clone()));
    for (i, &fds) in levels.iter().enumerate() {
        let (w, c) = (median(wall[i].clone()), median(cpu[i].clone()));
        println!(
            "spawn with {fds:>5} descriptors open: {w:.1} us/job wall ({:.2} of none), {c:.1} us/job cpu ({:.2} of none); target flat (<= 1.5) {}",
            w / wall0,
            c / cpu0,
            verdict((w / wall0).max(c / cpu0), 1.5)
        );
    }
}

fn main() {
    if let Ok(what) = std::env::var("CORRAL_SCALE_CHILD") {
        raise_nofile();
        let (mode, n) = what.split_once(':').unwrap();
        let n: usize = n.parse().unwrap();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            match mode {
                "jobs" => corral_sample(n).await,
                "live" => live_sample(n).await,
                _ => fd_sample(n).await,
            }
        });
        return;
    }
    curve();
    live_curve();
    fd_curve();
}
