//! Helpers: fixture paths, deadline waits, /proc inspection, a kernel that is
//! always shut down.

use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

use corral_kernel::{Cmd, Job, Kernel, KernelConfig, ProcessSpec};

/// How long any condition in these tests may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(10);

pub fn fixture(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "..", "fixtures", name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

/// A process spec running `sh -c script`, with the script as its command text.
pub fn sh(script: &str) -> ProcessSpec {
    ProcessSpec::new(script).pipe(Cmd::new("sh").arg("-c").arg(script))
}

/// A spec running a fixture script with arguments.
pub fn fixture_job(name: &str, args: &[&str]) -> ProcessSpec {
    let mut cmd = Cmd::new("sh").arg(fixture(name));
    for a in args {
        cmd = cmd.arg(*a);
    }
    ProcessSpec::new(format!("{name} {}", args.join(" "))).pipe(cmd)
}

/// Polls `cond` until it holds; panics with `what` after [`DEADLINE`].
pub async fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let end = tokio::time::Instant::now() + DEADLINE;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < end,
            "timed out waiting for: {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Awaits `fut` with [`DEADLINE`].
pub async fn within<T>(what: &str, fut: impl Future<Output = T>) -> T {
    match tokio::time::timeout(DEADLINE, fut).await {
        Ok(v) => v,
        Err(_) => panic!("timed out: {what}"),
    }
}

/// Waits for the job to finish, with the deadline.
pub async fn finished(job: &Job) -> corral_kernel::JobState {
    within(&format!("job {:?} to finish", job.command()), job.wait())
        .await
        .state
}

/// What /proc/<pid>/stat says of a process: (state, ppid, pgrp).
pub fn stat(pid: impl Into<u32>) -> Option<(char, u32, u32)> {
    let pid: u32 = pid.into();
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    let state = fields.next()?.chars().next()?;
    let ppid = fields.next()?.parse().ok()?;
    let pgrp = fields.next()?.parse().ok()?;
    Some((state, ppid, pgrp))
}

/// When the process started (clock ticks after boot, /proc/<pid>/stat's
/// 22nd field): with the pid, names one process even if the pid is reused.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name start with the state (field 3).
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()
}

/// Every pid in /proc.
pub fn all_pids() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .map(|dir| {
            dir.flatten()
                .filter_map(|e| e.file_name().to_string_lossy().parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The process state letter from /proc (R, S, T, Z…), or None if gone.
pub fn proc_state(pid: impl Into<u32>) -> Option<char> {
    stat(pid).map(|(state, _, _)| state)
}

/// Alive and not a zombie.
pub fn alive(pid: impl Into<u32>) -> bool {
    matches!(proc_state(pid), Some(c) if c != 'Z' && c != 'X')
}

/// Every pid whose process group is `pgid` (zombies included).
pub fn group_members(pgid: impl Into<u32>) -> Vec<u32> {
    let pgid: u32 = pgid.into();
    all_pids()
        .into_iter()
        .filter(|&pid| stat(pid).is_some_and(|(_, _, pgrp)| pgrp == pgid))
        .collect()
}

/// A kernel whose jobs are all killed when the test ends, pass or fail.
pub struct TestKernel {
    pub kernel: Kernel,
}

impl TestKernel {
    pub fn new() -> TestKernel {
        TestKernel::with(KernelConfig::default())
    }

    pub fn with(config: KernelConfig) -> TestKernel {
        TestKernel {
            kernel: Kernel::with_config({
                let mut config = config;
                config.drop_grace = Duration::from_millis(200);
                config
            })
            .unwrap(),
        }
    }
}

impl std::ops::Deref for TestKernel {
    type Target = Kernel;
    fn deref(&self) -> &Kernel {
        &self.kernel
    }
}

impl Drop for TestKernel {
    fn drop(&mut self) {
        // Through the kernel: it never signals a group that is no longer
        // the job's (a finished job's pgid may belong to a stranger now).
        for job in self.kernel.jobs() {
            let _ = job.signal(corral_kernel::Signal::KILL);
        }
    }
}

/// `sleep 1000` as the job's only process. (Not `sh -c`: dash vforks its
/// child, and a STOP that lands between vfork and exec leaves the shell in
/// uninterruptible sleep, never reporting the stop.)
pub fn sleeper() -> ProcessSpec {
    ProcessSpec::command(Cmd::new("sleep").arg("1000"))
}

/// Pids of the live or zombie children of `parent` (from /proc).
pub fn children_of(parent: u32) -> Vec<(u32, char)> {
    all_pids()
        .into_iter()
        .filter_map(|pid| match stat(pid) {
            Some((state, ppid, _)) if ppid == parent => Some((pid, state)),
            _ => None,
        })
        .collect()
}

/// Processes whose command line contains `needle` as one argument (alive or zombie).
pub fn processes_with_arg(needle: &str) -> Vec<u32> {
    all_pids()
        .into_iter()
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .is_ok_and(|c| c.split(|&b| b == 0).any(|a| a == needle.as_bytes()))
        })
        .collect()
}

/// A field of /proc/self/status in KiB (VmRSS, VmHWM, RssAnon…).
pub fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in /proc/self/status"))
}

/// Gives freed heap back to the system before memory is measured: glibc
/// keeps freed chunks in its arenas (one per thread that allocated), so
/// RSS stays up after the jobs are gone although nothing is leaked.
/// `malloc_trim(0)` releases every arena's free pages.
pub fn trim_heap() {
    // SAFETY: malloc_trim takes a plain integer and only touches the
    // allocator's own state, under its own locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The environment variable that tells a re-run of this test binary which
/// test it runs alone.
const ALONE: &str = "CORRAL_KERNEL_TEST_ALONE";

/// Runs the test `name` (its full path, e.g. `faults::fd_limit`) alone in a
/// fresh copy of this test binary, with a tokio runtime of its own, and
/// fails if it fails there. The test calls this as its whole body; in the
/// copy, the call runs `body`.
///
/// For tests that change process-wide state (resource limits), or measure
/// it (RSS, children in /proc), which tests running in parallel threads
/// would see or disturb.
pub fn alone<F>(name: &str, body: impl FnOnce() -> F)
where
    F: Future<Output = ()>,
{
    if std::env::var(ALONE).as_deref() == Ok(name) {
        return runtime().block_on(body());
    }
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(ALONE, name)
        // One malloc arena: glibc's malloc_trim gives back the free top of
        // the main arena only, so memory freed in the arenas of the
        // runtime's worker threads would stay resident (see trim_heap).
        .env("MALLOC_ARENA_MAX", "1")
        .env("GLIBC_TUNABLES", "glibc.malloc.tcache_count=0")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (mut out, mut err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut out, &mut s);
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut err, &mut s);
        s
    });
    // The test's own deadlines come first; this one only stops a hang.
    let end = std::time::Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if std::time::Instant::now() > end {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    // Shown by the harness with the test's own output.
    println!("--- {name}, run alone ---\n{out}{err}");
    let status = status.unwrap_or_else(|| panic!("{name}: no result in 120 s"));
    assert!(
        status.success() && out.contains("1 passed"),
        "{name} failed alone ({status})"
    );
}

/// A runtime for a test body run in a copy of this binary.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// The environment variable that tells a copy of this test binary under
/// `unshare` which test it runs in its pid namespace.
const PIDNS: &str = "CORRAL_KERNEL_TEST_PIDNS";

/// Runs the test `name` (its full path, e.g. `noharm::stranger`) in a pid
/// namespace of its own: a copy of this test binary under `unshare --pid
/// --fork --mount-proc`, with `sh` as its init reaping orphans, so placing
/// a pid there hands no test running alongside a pid it recently used. The
/// test calls this as its whole body; in the copy, the call runs
/// `scenario`. Skipped (with a note) where `unshare` cannot run or gives no
/// namespace; fails if the test fails in the copy.
pub fn in_own_pid_namespace<F>(name: &str, scenario: impl FnOnce() -> F)
where
    F: Future<Output = ()>,
{
    if std::env::var(PIDNS).as_deref() == Ok(name) {
        return runtime().block_on(scenario());
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("unshare")
        .args([
            "--pid",
            "--fork",
            "--mount-proc",
            "sh",
            "-c",
            "\"$@\" & wait",
            "sh",
        ])
        .arg(exe)
        .args([name, "--exact", "--nocapture", "--test-threads=1"])
        .env(PIDNS, name)
        .output();
    let out = match out {
        Ok(out) => out,
        Err(e) => {
            println!("skipped: cannot run unshare: {e}");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stdout.contains("running 1 test") {
        println!("skipped: no pid namespace of our own (unshare: {stderr})");
        return;
    }
    println!("{stdout}");
    assert!(stdout.contains("1 passed"), "{stdout}{stderr}");
}

/// Heap bytes in use (glibc's count over every arena, mmapped blocks included).
pub fn heap_in_use() -> usize {
    // SAFETY: mallinfo2 only reads the allocator's statistics.
    let m = unsafe { libc::mallinfo2() };
    m.uordblks + m.hblkhd
}

/// Kills the given processes when the test ends, pass or fail: each pid
/// only if it still names the process it named when added (same start time).
pub struct KillOnDrop(pub Vec<(u32, Option<u64>)>);

impl KillOnDrop {
    pub fn new(pids: &[u32]) -> KillOnDrop {
        let mut guard = KillOnDrop(Vec::new());
        for &pid in pids {
            guard.push(pid);
        }
        guard
    }

    pub fn push(&mut self, pid: u32) {
        self.0.push((pid, start_time(pid)));
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        for &(pid, started) in &self.0 {
            if started.is_some() && start_time(pid) == started && alive(pid) {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
}
