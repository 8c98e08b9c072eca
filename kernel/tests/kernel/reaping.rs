use std::time::Duration;

use corral_kernel::{JobState, KernelConfig, Signal};

use crate::util::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_concurrent_jobs_are_all_reaped() {
    let k = TestKernel::new();
    let mut jobs = Vec::new();
    for i in 0..200 {
        jobs.push(
            k.spawn_process(sh(&format!("sleep 0.{:02}; exit {}", i % 30, i % 5)))
                .unwrap(),
        );
    }
    for (i, job) in jobs.iter().enumerate() {
        assert_eq!(finished(job).await, JobState::Exited((i % 5) as i32));
    }
    for job in &jobs {
        for pid in job.pids() {
            assert_eq!(
                proc_state(pid),
                None,
                "pid {pid} left behind (zombie or alive)"
            );
        }
    }
}

#[tokio::test]
async fn the_embedders_own_children_are_not_stolen() {
    let k = TestKernel::new();
    // Kernel jobs ending around the embedder's own child, so SIGCHLDs interleave.
    let jobs: Vec<_> = (0..10)
        .map(|_| k.spawn_process(sh("sleep 0.05")).unwrap())
        .collect();
    let mut mine = tokio::process::Command::new("sh")
        .arg("-c")
        .arg("sleep 0.1; exit 42")
        .spawn()
        .unwrap();
    let status = within("embedder's child", mine.wait()).await.unwrap();
    assert_eq!(status.code(), Some(42));
    for j in &jobs {
        finished(j).await;
    }
}

#[tokio::test]
async fn max_running_limit_is_a_clear_error_and_starts_nothing() {
    let mut config = KernelConfig::default();
    config.max_running = 2;
    let k = TestKernel::with(config);
    let a = k.spawn_process(sleeper()).unwrap();
    let _b = k.spawn_process(sleeper()).unwrap();
    let err = k.spawn_process(sh("echo never")).unwrap_err();
    assert!(matches!(
        err,
        corral_kernel::Error::LimitReached { limit: 2 }
    ));
    assert_eq!(k.job_ids().len(), 2);
    k.signal(a.id(), Signal::KILL).unwrap();
    finished(&a).await;
    let c = k.spawn_process(sh("true")).unwrap();
    assert_eq!(finished(&c).await, JobState::Exited(0));
}

#[tokio::test]
async fn retention_evicts_the_oldest_finished_jobs() {
    let mut config = KernelConfig::default();
    config.retention = 3;
    let k = TestKernel::with(config);
    let mut ids = Vec::new();
    for _ in 0..5 {
        let j = k.spawn_process(sh("true")).unwrap();
        finished(&j).await;
        ids.push(j.id());
    }
    assert_eq!(k.job_ids(), ids[2..].to_vec());
    // Ids are never reused.
    let next = k.spawn_process(sh("true")).unwrap();
    assert!(next.id() > ids[4]);
}

#[tokio::test]
async fn shutdown_leaves_nothing_of_any_group() {
    let k = TestKernel::new();
    let ignorer = k
        .spawn_process(fixture_job("term_ignorer.sh", &[]))
        .unwrap();
    let mut f = ignorer.stdout().follow(0);
    within("ready", f.next_chunk()).await;
    let stopped = k.spawn_process(sleeper()).unwrap();
    k.signal(stopped.id(), Signal::STOP).unwrap();
    within("stopped", stopped.wait_change(JobState::Running)).await;
    let leaver = k
        .spawn_process(fixture_job("spawn_many.sh", &["5"]))
        .unwrap();
    finished(&leaver).await;
    let disowned = k.spawn_process(sleeper()).unwrap();
    k.disown(disowned.id()).unwrap();

    let groups: Vec<u32> = [&ignorer, &stopped, &leaver]
        .iter()
        .map(|j| j.pgid().unwrap().into())
        .collect();
    assert!(
        !group_members(groups[2]).is_empty(),
        "leftovers in the finished job's group"
    );
    within("shutdown", k.shutdown(Duration::from_millis(300))).await;
    for g in groups {
        until("group empty", || {
            group_members(g).iter().all(|&p| !alive(p))
        })
        .await;
    }
    assert!(alive(disowned.pids()[0]), "disowned jobs are left alone");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(disowned.pids()[0].as_raw()),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    assert!(
        k.spawn_process(sh("true")).is_err(),
        "no new jobs after shutdown"
    );
    let _ = Duration::ZERO;
}
