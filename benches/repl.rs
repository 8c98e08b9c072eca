//! The `corral` binary against bash, in one run, printed as ratios (medians).
//!
//! `cargo bench --bench repl` (CORRAL_BENCH_QUICK=1 for a smaller run;
//! CORRAL_BENCH_RUNS=N for N alternating runs per figure; CORRAL_BENCH_ONLY=lang,startup
//! for some sections (startup, lang, spawn, bggroup, capture); CORRAL_BENCH_BIN=path to time another corral binary,
//! e.g. one built before a change).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn quick() -> bool {
    std::env::var_os("CORRAL_BENCH_QUICK").is_some()
}

/// Alternating runs per figure: CORRAL_BENCH_RUNS, else `quick` or `full`.
fn runs(quick_runs: usize, full: usize) -> usize {
    std::env::var("CORRAL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick() { quick_runs } else { full })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Runs a command to completion; returns its wall time and peak RSS in KiB.
fn measure(cmd: &mut Command) -> (Duration, i64) {
    let t = Instant::now();
    let child = cmd.stdout(Stdio::null()).spawn().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to fill in.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own unreaped child (std's Child never waited on it),
    // and `status`/`usage` are valid for writes for the duration of the call.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(rc, pid);
    let el = t.elapsed();
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed"
    );
    std::mem::forget(child);
    (el, usage.ru_maxrss)
}

/// The argument that makes this bench binary a measuring helper (see
/// [`measure_fresh`]).
const MEASURE_HELPER: &str = "--corral-bench-measure";

/// [`measure`], run from a fresh copy of this small binary: Linux keeps the
/// spawner's RSS high-water mark in a child's `ru_maxrss` across exec, so a
/// command spawned from this process, grown by the sections before, would
/// report this process's peak instead of its own.
fn measure_fresh(cmd: &Command) -> (Duration, i64) {
    let out = Command::new(std::env::current_exe().unwrap())
        .arg(MEASURE_HELPER)
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .stderr(Stdio::inherit())
        .output()
        .unwrap();
    assert!(out.status.success(), "{cmd:?} failed");
    let text = String::from_utf8(out.stdout).unwrap();
    let (nanos, kib) = text.trim().split_once(' ').unwrap();
    (
        Duration::from_nanos(nanos.parse().unwrap()),
        kib.parse().unwrap(),
    )
}

/// Whether the section `name` runs (all of them unless CORRAL_BENCH_ONLY lists some).
fn wanted(name: &str) -> bool {
    match std::env::var("CORRAL_BENCH_ONLY") {
        Ok(only) => only.split(',').any(|s| s.trim() == name),
        Err(_) => true,
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

fn corral() -> Command {
    match std::env::var_os("CORRAL_BENCH_BIN") {
        Some(bin) => Command::new(bin),
        None => Command::new(env!("CARGO_BIN_EXE_corral")),
    }
}

fn bash() -> Command {
    Command::new("bash")
}

fn spawn_script() {
    let n = 500;
    let runs = runs(3, 11);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("spawn.sh");
    let mut text = "/bin/true &\n".repeat(n);
    text.push_str("wait\n");
    std::fs::write(&script, text).unwrap();
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(measure(corral().arg(&script)).0.as_secs_f64());
        theirs.push(measure(bash().arg(&script)).0.as_secs_f64());
    }
    let (o, b) = (median(ours), median(theirs));
    println!(
        "script of {n} x '/bin/true &' + wait: corral {o:.3}s, bash {b:.3}s, ratio {:.2} (target <= 0.85) {}",
        o / b,
        verdict(o / b, 0.85)
    );
}

/// In-process background jobs: `{ :; } &` runs inside corral (a future
/// job with an anchor process for its pid), in a forked child in bash.
fn background_group() {
    let n: u32 = 500;
    let runs = runs(3, 11);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("group.sh");
    let mut text = "{ :; } &\n".repeat(n as usize);
    text.push_str("wait\n");
    std::fs::write(&script, text).unwrap();
    let single = "{ :; } & wait";
    let (mut ours, mut theirs, mut one, mut one_bash) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(measure(corral().arg(&script)).0.as_secs_f64());
        theirs.push(measure(bash().arg(&script)).0.as_secs_f64());
        one.push(measure(corral().arg("-c").arg(single)).0.as_secs_f64());
        one_bash.push(measure(bash().arg("-c").arg(single)).0.as_secs_f64());
    }
    let (o, b) = (median(ours), median(theirs));
    println!(
        "script of {n} x '{{ :; }} &' + wait: corral {o:.3}s ({:.0} us/job), bash {b:.3}s ({:.0} us/job), ratio {:.2} (target <= 1.0) {}",
        o / f64::from(n) * 1e6,
        b / f64::from(n) * 1e6,
        o / b,
        verdict(o / b, 1.0)
    );
    let (o, b) = (median(one) * 1e3, median(one_bash) * 1e3);
    println!(
        "'{single}' (startup included): corral {o:.2} ms, bash {b:.2} ms, ratio {:.2}",
        o / b
    );
}

fn capture() {
    let bytes: u64 = if quick() { 1 << 28 } else { 1 << 30 };
    let runs = runs(3, 11);
    let (mut ours, mut theirs, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..runs {
        let (t, r) = measure_fresh(
            corral()
                .arg("-c")
                .arg(format!("head -c {bytes} /dev/zero & wait")),
        );
        ours.push(t.as_secs_f64());
        rss.push(r as f64);
        theirs.push(
            measure_fresh(
                bash()
                    .arg("-c")
                    .arg(format!("head -c {bytes} /dev/zero | cat > /dev/null")),
            )
            .0
            .as_secs_f64(),
        );
    }
    let (o, b) = (median(ours), median(theirs));
    let rss = median(rss) / 1024.0;
    println!(
        "corral -c 'head -c {} MiB & wait': {o:.3}s, bash pipe {b:.3}s, ratio {:.2} (target <= 1.15) {}; corral peak RSS {rss:.1} MiB (target <= 40) {}",
        bytes >> 20,
        o / b,
        verdict(o / b, 1.15),
        verdict(rss, 40.0)
    );
}

/// How the corral binary is linked: "static" when its ELF program headers
/// name no interpreter (the dynamic loader), else "dynamic".
fn linkage() -> &'static str {
    let path = match std::env::var_os("CORRAL_BENCH_BIN") {
        Some(bin) => std::path::PathBuf::from(bin),
        None => std::path::PathBuf::from(env!("CARGO_BIN_EXE_corral")),
    };
    let Ok(elf) = std::fs::read(path) else {
        return "unknown";
    };
    let num = |at: usize, len: usize| -> usize {
        elf.get(at..at + len).map_or(0, |b| {
            b.iter().rev().fold(0, |n, &x| (n << 8) | usize::from(x))
        })
    };
    let (phoff, phentsize, phnum) = (num(0x20, 8), num(0x36, 2), num(0x38, 2));
    const PT_INTERP: usize = 3;
    let interp = (0..phnum).any(|i| num(phoff + i * phentsize, 4) == PT_INTERP);
    if interp {
        "dynamic"
    } else {
        "static"
    }
}

fn startup() {
    let runs = runs(20, 101);
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        ours.push(measure(corral().arg("-c").arg("true")).0.as_secs_f64());
        theirs.push(measure(bash().arg("-c").arg("true")).0.as_secs_f64());
    }
    let (o, b) = (median(ours), median(theirs));
    println!(
        "startup 'corral -c true' ({} binary) {:.2} ms vs 'bash -c true' {:.2} ms: ratio {:.2} (target <= 0.85) {}",
        linkage(),
        o * 1e3,
        b * 1e3,
        o / b,
        verdict(o / b, 0.85)
    );
}

/// The shell language itself: the same `-c` script in both shells, runs
/// alternating, medians.
fn lang() {
    let runs = if quick() { 3 } else { 7 };
    let cases = [
        (
            "while loop, 100000 x i=$((i+1))",
            "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done",
        ),
        ("for over 100000 words", "for i in {1..100000}; do :; done"),
        (
            "1000 x $(echo x)",
            "for i in {1..1000}; do x=$(echo x); done",
        ),
        (
            "function called 100000 times",
            "f() { :; }; for i in {1..100000}; do f; done",
        ),
    ];
    for (name, script) in cases {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for _ in 0..runs {
            ours.push(measure(corral().arg("-c").arg(script)).0.as_secs_f64());
            theirs.push(measure(bash().arg("-c").arg(script)).0.as_secs_f64());
        }
        let (o, b) = (median(ours), median(theirs));
        println!(
            "{name}: corral {o:.3}s, bash {b:.3}s, ratio {:.2} (target <= 1.0) {}",
            o / b,
            verdict(o / b, 1.0)
        );
    }
}

fn main() {
    let args: Vec<_> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == MEASURE_HELPER) && args.len() > 2 {
        let (t, rss) = measure(Command::new(&args[2]).args(&args[3..]));
        println!("{} {rss}", t.as_nanos());
        return;
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    println!(
        "corral vs bash, alternating runs, medians; ratio = corral / bash; load average {}",
        load.join(" ")
    );
    if wanted("startup") {
        startup();
    }
    if wanted("lang") {
        lang();
    }
    if wanted("spawn") {
        spawn_script();
    }
    if wanted("bggroup") {
        background_group();
    }
    if wanted("capture") {
        capture();
    }
}
