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
    within(&format!("job {:?} to finish", job.command()), job.wait()).await
}

/// The process state letter from /proc (R, S, T, Z…), or None if gone.
pub fn proc_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after = stat.rsplit_once(')')?.1;
    after.trim_start().chars().next()
}

/// Alive and not a zombie.
pub fn alive(pid: u32) -> bool {
    matches!(proc_state(pid), Some(c) if c != 'Z' && c != 'X')
}

/// Every pid whose process group is `pgid` (zombies included).
pub fn group_members(pgid: u32) -> Vec<u32> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        let Some((_, after)) = stat.rsplit_once(')') else {
            continue;
        };
        let fields: Vec<&str> = after.split_whitespace().collect();
        // fields: state ppid pgrp ...
        if fields.get(2).and_then(|f| f.parse::<u32>().ok()) == Some(pgid) {
            out.push(pid);
        }
    }
    out
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
            kernel: Kernel::with_config(KernelConfig {
                drop_grace: Duration::from_millis(200),
                ..config
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
        for job in self.kernel.jobs() {
            if let Some(pgid) = job.pgid() {
                let _ = nix::sys::signal::killpg(
                    nix::unistd::Pid::from_raw(pgid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
}

/// `sleep 1000` as the job's only process. (Not `sh -c`: dash vforks its
/// child, and a STOP that lands between vfork and exec leaves the shell in
/// uninterruptible sleep, never reporting the stop.)
pub fn sleeper() -> ProcessSpec {
    ProcessSpec::command(Cmd::new("sleep").arg("1000"))
}
