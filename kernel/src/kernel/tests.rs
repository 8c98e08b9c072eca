//! The kernel's own unit tests (scenarios that need its internals).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::spec::Cmd;

const DEADLINE: Duration = Duration::from_secs(10);

fn sh(script: &str) -> ProcessSpec {
    ProcessSpec::command(Cmd::new("sh").arg("-c").arg(script))
}

/// Blocks until `pid` (our child) has exited, without reaping it.
fn wait_exited_unreaped(pid: u32) {
    // SAFETY: siginfo_t is plain old data; all-zero is valid.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: `info` is valid and writable; WNOWAIT leaves the child a zombie.
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOWAIT,
        )
    };
    assert_eq!(rc, 0);
}

/// An embedder's child that ended first is first in line for every
/// peek: the kernel reaps its own jobs anyway (by asking group by group)
/// and leaves that child's status to the embedder.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_zombie_first_in_line_is_left_alone() {
    let mut mine = std::process::Command::new("sh")
        .args(["-c", "exit 7"])
        .spawn()
        .unwrap();
    wait_exited_unreaped(mine.id());
    let kernel = Kernel::new().unwrap();
    let jobs: Vec<Job> = (0..20)
        .map(|i| {
            kernel
                .spawn_process(sh(&format!("exit {}", i % 3)))
                .unwrap()
        })
        .collect();
    for (i, job) in jobs.iter().enumerate() {
        let state = tokio::time::timeout(DEADLINE, job.wait())
            .await
            .unwrap()
            .state;
        assert_eq!(state, JobState::Exited(i as i32 % 3));
    }
    assert_eq!(mine.wait().unwrap().code(), Some(7));
    kernel.shutdown(Duration::from_secs(1)).await;
}

const SCENARIO: &str = "CORRAL_KERNEL_SUBREAPER_SCENARIO";

/// As a child subreaper, terminate does not sit out the grace period
/// once the reaper has collected the last process left in a finished
/// job's group. (Being a subreaper is process-wide: the scenario runs
/// in a fresh copy of this test binary.)
#[test]
fn terminate_wakes_when_a_subreapers_leftovers_are_gone() {
    if std::env::var_os(SCENARIO).is_some() {
        return subreaper_scenario();
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "kernel::tests::terminate_wakes_when_a_subreapers_leftovers_are_gone",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(SCENARIO, "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 passed"));
}

fn subreaper_scenario() {
    crate::sys::set_child_subreaper().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let kernel = Kernel::new().unwrap();
        let job = kernel
            .spawn_process(sh("sleep 100 & sleep 100 & exit 0"))
            .unwrap();
        let state = tokio::time::timeout(DEADLINE, job.wait())
            .await
            .unwrap()
            .state;
        assert_eq!(state, JobState::Exited(0));
        let pgid = job.pgid().unwrap().as_raw();
        assert!(sys::group_exists(pgid), "the sleeps are left in the group");
        let t = std::time::Instant::now();
        let grace = Duration::from_secs(30);
        kernel.terminate(job.id(), grace).await.unwrap();
        assert!(
            t.elapsed() < Duration::from_secs(5),
            "terminate took {:?}",
            t.elapsed()
        );
        assert!(!sys::group_exists(pgid));
        kernel.shutdown(Duration::from_secs(1)).await;
    });
}
