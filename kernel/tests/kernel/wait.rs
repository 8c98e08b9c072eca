use std::time::{Duration, Instant};

use corral_kernel::{JobOptions, JobState, Signal};

use crate::util::*;

#[tokio::test]
async fn wait_one_returns_the_final_state() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh("exit 7")).unwrap();
    let info = within("wait", k.wait(job.id())).await.unwrap();
    assert_eq!(info.state, JobState::Exited(7));
    assert!(info.ended_at.is_some());
}

#[tokio::test]
async fn wait_timeout_leaves_a_live_snapshot() {
    let k = TestKernel::new();
    let job = k.spawn_process(sleeper()).unwrap();
    let waited = tokio::time::timeout(Duration::from_millis(50), k.wait(job.id())).await;
    assert!(waited.is_err(), "a sleeper finished: {waited:?}");
    let info = k.job(job.id()).unwrap().info();
    assert_eq!(info.state, JobState::Running);
    assert!(info.ended_at.is_none());
}

#[tokio::test]
async fn wait_any_returns_the_first_to_finish() {
    let k = TestKernel::new();
    let slow = k.spawn_process(sleeper()).unwrap();
    let fast = k.spawn_process(sh("sleep 0.05; exit 3")).unwrap();
    let ids = [slow.id(), fast.id()];
    let first = within("wait any", k.wait_any(&ids)).await.unwrap();
    assert_eq!(first.id, fast.id());
    assert_eq!(first.state, JobState::Exited(3));
    // Timeout: only the slow one left.
    let none = tokio::time::timeout(Duration::from_millis(50), k.wait_any(&[slow.id()])).await;
    assert!(none.is_err(), "{none:?}");
    assert!(matches!(
        k.wait_any(&[]).await,
        Err(corral_kernel::Error::NoJobs)
    ));
}

#[tokio::test]
async fn wait_all_and_its_timeout() {
    let k = TestKernel::new();
    for i in 0..5 {
        k.spawn_process(sh(&format!("sleep 0.0{i}"))).unwrap();
    }
    let all = within("wait all", k.wait_all()).await;
    assert_eq!(all.len(), 5);
    assert!(all.iter().all(|j| j.state.is_finished()));
    assert!(k.list().iter().all(|j| j.state.is_finished()));
    k.spawn_process(sleeper()).unwrap();
    assert!(
        tokio::time::timeout(Duration::from_millis(50), k.wait_all())
            .await
            .is_err()
    );
}

#[tokio::test]
async fn signal_deaths_report_128_plus_n() {
    let k = TestKernel::new();
    // Under nohup, HUP stays ignored in children (that is nohup's point).
    let hup_ignored = {
        // SAFETY: an all-zero sigaction is a valid value to receive the old action.
        let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
        // SAFETY: a null new action only queries; `old` is valid for writes.
        unsafe { libc::sigaction(libc::SIGHUP, std::ptr::null(), &mut old) };
        old.sa_sigaction == libc::SIG_IGN
    };
    for sig in [Signal::HUP, Signal::INT, Signal::KILL, Signal::TERM] {
        if sig == Signal::HUP && hup_ignored {
            continue;
        }
        let job = k.spawn_process(sleeper()).unwrap();
        k.signal(job.id(), sig).unwrap();
        assert_eq!(finished(&job).await.exit_status(), Some(128 + sig.number()));
    }
    let fut = k
        .spawn_future("f", JobOptions::default(), |ctx| async move {
            ctx.cancel.cancelled().await;
            0
        })
        .unwrap();
    k.signal(fut.id(), Signal::HUP).unwrap();
    assert_eq!(finished(&fut).await.exit_status(), Some(129));
}

#[tokio::test]
async fn a_grandchild_holding_the_pipe_does_not_keep_the_job_running() {
    let k = TestKernel::new();
    let job = k.spawn_process(fixture_job("grandchild.sh", &[])).unwrap();
    let started = Instant::now();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    assert!(started.elapsed() < Duration::from_secs(2));
    let pid: u32 = String::from_utf8_lossy(&job.stdout().snapshot().data)
        .trim()
        .parse()
        .unwrap();
    assert!(
        alive(pid),
        "the grandchild is still running in the job's group"
    );
    // The finished job's group is still addressable: kill reaches the grandchild.
    k.signal(job.id(), Signal::KILL).unwrap();
    until("grandchild killed", || !alive(pid)).await;
}

#[tokio::test]
async fn wake_up_is_prompt() {
    let k = TestKernel::new();
    let job = k.spawn_process(sleeper()).unwrap();
    let id = job.id();
    let waiter = {
        let k = k.kernel.clone();
        tokio::spawn(async move { k.wait(id).await })
    };
    k.signal(id, Signal::KILL).unwrap();
    let info = within("woken", waiter).await.unwrap().unwrap();
    assert_eq!(info.state.exit_status(), Some(137));
}
