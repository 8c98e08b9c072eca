//! Future jobs with an anchor process (`JobOptions::anchor`): signals sent
//! to the anchor from another process reach the job and its children, and
//! no anchor outlives its job (no orphan, no zombie).

use corral_kernel::{Job, JobOptions, JobState, Kernel, KernelConfig, Signal};
use tokio::sync::oneshot;

use crate::util::*;

/// Kills the listed processes when the test ends, pass or fail (a pid is
/// only signalled while it is still the process the test started).
struct Reaped(Vec<(u32, Option<u64>)>);

impl Reaped {
    fn new() -> Reaped {
        Reaped(Vec::new())
    }

    fn watch(&mut self, pid: u32) {
        self.0.push((pid, start_time(pid)));
    }
}

impl Drop for Reaped {
    fn drop(&mut self) {
        for &(pid, started) in &self.0 {
            if started.is_some() && start_time(pid) == started {
                // SAFETY: kill(2) takes plain integers.
                unsafe {
                    libc::kill(pid as i32, libc::SIGKILL);
                }
            }
        }
    }
}

/// An anchored future job that starts `sleep 1000` as its child, then
/// waits for its token; returns the job, its child and the anchor's pid.
async fn anchored_with_child(k: &Kernel, guard: &mut Reaped) -> (Job, Job, u32) {
    let (tx, rx) = oneshot::channel();
    let job = k
        .spawn_future(
            "{ sleep 1000; } &",
            JobOptions::new().anchor(true),
            move |ctx| async move {
                let child = ctx.spawn_process(sh("exec sleep 1000"));
                let _ = tx.send((child, ctx.pid()));
                ctx.cancel.cancelled().await;
                0
            },
        )
        .unwrap();
    let (child, ctx_pid) = within("the child", rx).await.unwrap();
    let child = child.unwrap();
    let pid = u32::from(job.pids()[0]);
    guard.watch(pid);
    guard.watch(u32::from(child.pids()[0]));
    assert_eq!(
        ctx_pid,
        job.pids().first().copied(),
        "the context's pid is the job's"
    );
    (job, child, pid)
}

/// Sends `sig` from another process (a shell's `kill`), as a user would.
fn outside_kill(args: &str) {
    let status = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("kill {args}"))
        .status()
        .unwrap();
    assert!(status.success(), "kill {args}");
}

/// The anchor is gone: not in /proc, or the pid names another process now.
fn gone(pid: u32, started: Option<u64>) -> bool {
    start_time(pid).is_none() || start_time(pid) != started
}

#[tokio::test]
async fn an_anchor_is_a_live_child_leading_its_own_group() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, _child, pid) = anchored_with_child(&k, &mut guard).await;
    let (state, ppid, pgrp) = stat(pid).unwrap();
    assert_ne!(state, 'Z');
    assert_eq!(ppid, std::process::id());
    assert_eq!(pgrp, pid, "the anchor leads a group of its own");
    let info = job.info();
    assert_eq!(info.pids, job.pids());
    assert_eq!(info.pgid, None, "the job's children keep their own groups");
    // A plain future job has none.
    let plain = k
        .spawn_future("true", JobOptions::new(), |_| async { 0 })
        .unwrap();
    assert!(plain.pids().is_empty());
    finished(&plain).await;
}

#[tokio::test]
async fn term_to_the_anchor_ends_the_job_and_its_child() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, child, pid) = anchored_with_child(&k, &mut guard).await;
    let started = start_time(pid);
    outside_kill(&format!("-TERM {pid}"));
    let signaled = |s: Signal| JobState::Signaled {
        signal: s,
        core_dumped: false,
    };
    assert_eq!(finished(&job).await, signaled(Signal::TERM));
    assert_eq!(finished(&child).await, signaled(Signal::TERM));
    // Reaped before the job's end was announced.
    assert!(gone(pid, started), "the anchor outlived its job");
}

#[tokio::test]
async fn term_to_the_anchors_group_ends_the_job() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, child, pid) = anchored_with_child(&k, &mut guard).await;
    outside_kill(&format!("-TERM -{pid}"));
    assert!(matches!(
        finished(&job).await,
        JobState::Signaled {
            signal: Signal::TERM,
            ..
        }
    ));
    assert!(finished(&child).await.is_finished());
}

#[tokio::test]
async fn stop_and_cont_of_the_anchor_stop_and_continue_the_job() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, child, pid) = anchored_with_child(&k, &mut guard).await;
    let child_pid = u32::from(child.pids()[0]);
    outside_kill(&format!("-STOP {pid}"));
    let state = within("the job to stop", job.wait_change(JobState::Running)).await;
    assert_eq!(state, JobState::Stopped(Signal::STOP));
    until("the child to stop", || proc_state(child_pid) == Some('T')).await;
    outside_kill(&format!("-CONT {pid}"));
    let state = within("the job to continue", job.wait_change(state)).await;
    assert_eq!(state, JobState::Running);
    until("the child to run", || {
        proc_state(child_pid).is_some_and(|c| c != 'T')
    })
    .await;

    // TSTP is blocked in the anchor: it arrives as a report, not a stop of its own.
    outside_kill(&format!("-TSTP {pid}"));
    let state = within("the job to stop", job.wait_change(JobState::Running)).await;
    assert_eq!(state, JobState::Stopped(Signal::TSTP));
    assert_ne!(proc_state(pid), Some('T'));
    job.signal(Signal::CONT).unwrap();

    // Stopped from outside, continued by the kernel: the anchor runs again.
    outside_kill(&format!("-STOP {pid}"));
    within("the job to stop", job.wait_change(JobState::Running)).await;
    until("the anchor to stop", || proc_state(pid) == Some('T')).await;
    job.signal(Signal::CONT).unwrap();
    until("the anchor to run", || {
        proc_state(pid).is_some_and(|c| c != 'T')
    })
    .await;
    assert_eq!(job.state(), JobState::Running);
    job.signal(Signal::TERM).unwrap();
    finished(&job).await;
}

#[tokio::test]
async fn kill_of_the_anchor_kills_the_job_and_its_child() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, child, pid) = anchored_with_child(&k, &mut guard).await;
    let started = start_time(pid);
    outside_kill(&format!("-KILL {pid}"));
    assert!(matches!(
        finished(&job).await,
        JobState::Signaled {
            signal: Signal::KILL,
            ..
        }
    ));
    assert!(matches!(
        finished(&child).await,
        JobState::Signaled {
            signal: Signal::KILL,
            ..
        }
    ));
    until("the anchor to be reaped", || gone(pid, started)).await;
}

#[tokio::test]
async fn a_job_that_returns_leaves_no_anchor() {
    let k = TestKernel::new();
    let (tx, rx) = oneshot::channel::<()>();
    let job = k
        .spawn_future("{ :; } &", JobOptions::new().anchor(true), |_| async move {
            let _ = rx.await;
            3
        })
        .unwrap();
    let pid = u32::from(job.pids()[0]);
    let started = start_time(pid);
    let mut guard = Reaped::new();
    guard.watch(pid);
    assert!(alive(pid));
    tx.send(()).unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(3));
    assert!(gone(pid, started), "the anchor outlived its job");
    assert_eq!(
        job.pids(),
        vec![corral_kernel::Pid::from_raw(pid as i32).unwrap()]
    );
}

#[tokio::test]
async fn a_stopped_anchor_ends_with_its_job() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, _child, pid) = anchored_with_child(&k, &mut guard).await;
    let started = start_time(pid);
    outside_kill(&format!("-STOP {pid}"));
    until("the anchor to stop", || proc_state(pid) == Some('T')).await;
    within(
        "terminate",
        k.terminate(job.id(), std::time::Duration::from_secs(5)),
    )
    .await
    .unwrap();
    assert!(gone(pid, started), "the anchor outlived its job");
}

#[tokio::test]
async fn dropping_the_kernel_leaves_no_anchor() {
    let mut guard = Reaped::new();
    let k = Kernel::with_config(KernelConfig::default()).unwrap();
    let (job, child, pid) = anchored_with_child(&k, &mut guard).await;
    let started = start_time(pid);
    let child_pid = u32::from(child.pids()[0]);
    let child_started = start_time(child_pid);
    drop((job, child));
    drop(k);
    assert!(gone(pid, started), "the anchor outlived the kernel");
    until("the child to end", || gone(child_pid, child_started)).await;
}

#[tokio::test]
async fn an_anchor_holds_no_descriptor_of_ours() {
    let k = TestKernel::new();
    let mut guard = Reaped::new();
    let (job, _child, pid) = anchored_with_child(&k, &mut guard).await;
    let fds = || -> Vec<_> {
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .map(|d| {
                d.flatten()
                    .map(|e| std::fs::read_link(e.path()).unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Its signalfd and its end of the socket, nothing inherited, once the
    // forked anchor has closed what it was forked with (a leak never goes).
    until("the anchor to hold two descriptors", || fds().len() == 2).await;
    assert_eq!(fds().len(), 2, "{:?}", fds());
    job.signal(Signal::KILL).unwrap();
    finished(&job).await;
}
