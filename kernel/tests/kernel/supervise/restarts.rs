//! Restart policies: mode, budget, backoff; one id and one pair of
//! streams across runs.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use corral_kernel::{JobEvent, JobKind, JobOptions, JobState, Kernel, RestartPolicy, Signal};

use crate::util::*;

/// Paused time: fails twice, then succeeds; backoff 100 ms, 200 ms.
#[tokio::test(start_paused = true)]
async fn on_failure_restarts_with_backoff_until_a_run_succeeds() {
    let k = Kernel::new().unwrap();
    let mut events = k.subscribe();
    let runs = Arc::new(AtomicU32::new(0));
    let r = Arc::clone(&runs);
    let start = tokio::time::Instant::now();
    let job = k
        .spawn_future_restarting(
            "flaky",
            JobOptions::new(),
            RestartPolicy::on_failure()
                .backoff(Duration::from_millis(100), Duration::from_secs(30)),
            move |ctx| {
                let n = r.fetch_add(1, Ordering::SeqCst);
                async move {
                    ctx.stdout.write(format!("run {n}\n").as_bytes());
                    if n < 2 {
                        1
                    } else {
                        0
                    }
                }
            },
        )
        .unwrap();
    let info = job.wait().await;
    assert_eq!(info.state, JobState::Exited(0));
    assert_eq!(info.restarts(), 2);
    assert_eq!(info.last_exit(), Some(JobState::Exited(0)));
    assert_eq!(runs.load(Ordering::SeqCst), 3);
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_millis(300) && waited < Duration::from_millis(400),
        "{waited:?}"
    );
    assert_eq!(&job.stdout().snapshot().data[..], b"run 0\nrun 1\nrun 2\n");
    let mut restarted = Vec::new();
    while let Some(e) = events.try_recv().unwrap() {
        if let JobEvent::Restarted(id, n) = e {
            assert_eq!(id, job.id());
            restarted.push(n);
        }
    }
    assert_eq!(restarted, vec![1, 2]);
}

/// Paused time: the budget stops an always-failing job; the backoff doubles
/// up to its cap.
#[tokio::test(start_paused = true)]
async fn the_budget_ends_a_job_that_keeps_failing() {
    let k = Kernel::new().unwrap();
    let start = tokio::time::Instant::now();
    let job = k
        .spawn_future_restarting(
            "broken",
            JobOptions::new(),
            RestartPolicy::always()
                .budget(4, Duration::from_secs(3600))
                .backoff(Duration::from_secs(1), Duration::from_secs(3)),
            |_ctx| async { 7 },
        )
        .unwrap();
    let info = job.wait().await;
    assert_eq!(info.state, JobState::Exited(7));
    assert_eq!(info.restarts(), 4);
    assert_eq!(info.restart().map(|p| p.max_restarts), Some(4));
    // 1 + 2 + 3 (capped) + 3 (capped) seconds.
    let waited = start.elapsed();
    assert!(
        waited >= Duration::from_secs(9) && waited < Duration::from_secs(10),
        "{waited:?}"
    );

    let never = k
        .spawn_future_restarting(
            "once",
            JobOptions::new(),
            RestartPolicy::never(),
            |_ctx| async { 3 },
        )
        .unwrap();
    let info = never.wait().await;
    assert_eq!((info.state, info.restarts()), (JobState::Exited(3), 0));
    let ok = k
        .spawn_future_restarting(
            "ok",
            JobOptions::new(),
            RestartPolicy::on_failure(),
            |_ctx| async { 0 },
        )
        .unwrap();
    assert_eq!(ok.wait().await.restarts(), 0);
}

#[tokio::test]
async fn a_process_job_restarts_from_its_spec_keeping_id_and_output() {
    let k = TestKernel::new();
    let job = k
        .spawn_restarting(
            sh("echo run; echo oops >&2; exit 3"),
            RestartPolicy::on_failure()
                .budget(2, Duration::from_secs(3600))
                .backoff(Duration::ZERO, Duration::ZERO),
        )
        .unwrap();
    assert_eq!(job.kind(), JobKind::Future);
    assert!(job.number().is_some());
    let info = finished(&job).await;
    assert_eq!(info, JobState::Exited(3));
    let info = job.info();
    assert_eq!(info.restarts(), 2);
    assert_eq!(info.last_exit(), Some(JobState::Exited(3)));
    assert_eq!(&job.stdout().snapshot().data[..], b"run\nrun\nrun\n");
    assert_eq!(&job.stderr().snapshot().data[..], b"oops\noops\noops\n");
    // The runs were hidden children, removed after each run.
    assert!(k.children(job.id()).unwrap().is_empty());
    assert_eq!(k.visible_jobs().len(), 1);

    let missing = k
        .spawn_restarting(
            corral_kernel::ProcessSpec::command(corral_kernel::Cmd::new("corral-no-such-program")),
            RestartPolicy::on_failure()
                .budget(1, Duration::from_secs(3600))
                .backoff(Duration::ZERO, Duration::ZERO),
        )
        .unwrap();
    assert_eq!(finished(&missing).await, JobState::Exited(127));
    assert_eq!(missing.info().restarts(), 1);
    let err = String::from_utf8_lossy(&missing.stderr().snapshot().data).into_owned();
    assert_eq!(err.matches("command not found").count(), 2, "{err}");
}

#[tokio::test]
async fn signals_reach_the_current_run_and_an_ending_one_is_not_restarted() {
    let k = TestKernel::new();
    let job = k
        .spawn_restarting(
            sleeper(),
            RestartPolicy::always().backoff(Duration::ZERO, Duration::ZERO),
        )
        .unwrap();
    until("the first run", || {
        !k.children(job.id()).unwrap().is_empty()
    })
    .await;
    let run = k.job(k.children(job.id()).unwrap()[0]).unwrap();
    let pid = u32::from(run.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    k.signal(job.id(), Signal::STOP).unwrap();
    until("the run is stopped", || proc_state(pid) == Some('T')).await;
    k.signal(job.id(), Signal::CONT).unwrap();
    until("the run goes on", || proc_state(pid) == Some('S')).await;
    k.signal(job.id(), Signal::TERM).unwrap();
    let state = finished(&job).await;
    assert_eq!(state.exit_status(), Some(128 + Signal::TERM.number()));
    assert_eq!(job.info().restarts(), 0);
    assert!(!alive(pid));
}

/// Every finished job's info says how it ended (`last_exit`), and why it
/// was asked to, if it was (`last_stop_cause`); nothing while it runs.
#[tokio::test]
async fn every_finished_job_has_its_last_exit_and_stop_cause() {
    let k = TestKernel::new();
    let plain = k.spawn_process(sh("exit 3")).unwrap();
    let sleeper_job = k.spawn_process(sleeper()).unwrap();
    let _guard = KillOnDrop::new(&[u32::from(sleeper_job.pids()[0])]);
    assert_eq!(finished(&plain).await, JobState::Exited(3));
    let info = plain.info();
    assert_eq!(info.last_exit(), Some(JobState::Exited(3)));
    assert_eq!(info.last_stop_cause(), None);
    let live = sleeper_job.info();
    assert_eq!((live.last_exit(), live.last_stop_cause()), (None, None));
    let ended = k
        .terminate(sleeper_job.id(), Duration::from_secs(5))
        .await
        .unwrap();
    assert!(ended.state.is_finished());
    assert_eq!(ended.last_exit(), Some(ended.state));
    assert_eq!(
        ended.last_stop_cause(),
        Some(corral_kernel::StopCause::Embedder)
    );
}

/// A run its CPU limit ends: the restarting job runs on, its info shows
/// that run's end and cause, and its resources count the finished run.
#[tokio::test]
async fn a_restarting_job_shows_each_runs_cause_and_all_runs_usage() {
    let k = TestKernel::new();
    let limit = Duration::from_millis(300);
    let spec = sh("while :; do :; done").options(JobOptions::new().cpu_limit(limit));
    let job = k
        .spawn_restarting(
            spec,
            RestartPolicy::on_failure()
                .budget(5, Duration::from_secs(60))
                .backoff(Duration::ZERO, Duration::ZERO),
        )
        .unwrap();
    // TestKernel's drop kills the job, and a KILL to it reaches its run.
    until("the first run to end by its limit", || {
        job.info().restarts() >= 1
    })
    .await;
    let info = job.info();
    assert!(!info.state.is_finished());
    assert_eq!(info.stop_cause(), None);
    assert!(
        matches!(info.last_exit(), Some(s) if s.is_finished() && s != JobState::Exited(0)),
        "{:?}",
        info.last_exit()
    );
    assert_eq!(
        info.last_stop_cause(),
        Some(corral_kernel::StopCause::Limit)
    );
    assert!(info.resources().cpu() >= limit, "{:?}", info.resources());
    let ended = k.terminate(job.id(), Duration::from_secs(5)).await.unwrap();
    assert_eq!(ended.stop_cause(), Some(corral_kernel::StopCause::Embedder));
    assert!(ended.resources().cpu() >= limit);
}
