//! Timeouts: TERM, grace, KILL; status 124 and cause `timeout`.

use std::time::Duration;

use corral_kernel::{JobOptions, JobState, Kernel, KernelConfig, StopCause};

use crate::util::*;

#[tokio::test]
async fn a_process_job_times_out_with_status_124() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(sleeper().options(JobOptions::new().timeout(Duration::from_millis(100))))
        .unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    assert_eq!(job.info().timeout(), Some(Duration::from_millis(100)));
    assert_eq!(finished(&job).await, JobState::Exited(124));
    let info = job.info();
    assert_eq!(info.stop_cause(), Some(StopCause::Timeout));
    assert_eq!(info.state.exit_status(), Some(124));
    assert!(!alive(pid));
}

#[tokio::test]
async fn a_term_ignorer_is_killed_after_the_timeouts_grace() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            fixture_job("term_ignorer.sh", &[]).options(
                JobOptions::new()
                    .timeout(Duration::from_millis(300))
                    .timeout_grace(Duration::from_millis(100)),
            ),
        )
        .unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    assert_eq!(finished(&job).await, JobState::Exited(124));
    assert_eq!(job.info().stop_cause(), Some(StopCause::Timeout));
    assert!(!alive(pid));
}

#[tokio::test]
async fn a_job_done_before_its_timeout_keeps_its_status() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(sh("exit 3").options(JobOptions::new().timeout(Duration::from_secs(3600))))
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(3));
    assert_eq!(job.info().stop_cause(), None);
}

#[tokio::test]
async fn the_kernels_default_timeout_applies_unless_a_job_sets_its_own() {
    let k = TestKernel::with(KernelConfig::default().default_timeout(Duration::from_millis(100)));
    let short = k.spawn_process(sleeper()).unwrap();
    let long = k
        .spawn_process(sleeper().options(JobOptions::new().timeout(Duration::from_secs(3600))))
        .unwrap();
    let _guard = KillOnDrop::new(&[u32::from(short.pids()[0]), u32::from(long.pids()[0])]);
    assert_eq!(short.info().timeout(), Some(Duration::from_millis(100)));
    assert_eq!(finished(&short).await, JobState::Exited(124));
    assert!(!long.state().is_finished());
    assert_eq!(long.info().timeout(), Some(Duration::from_secs(3600)));
}

/// Paused time: an hour's timeout and a 10 s grace pass at once, and the
/// future that ignores its token is dropped at the KILL, not before.
#[tokio::test(start_paused = true)]
async fn a_future_job_times_out_on_the_paused_clock() {
    let k = Kernel::new().unwrap();
    let start = tokio::time::Instant::now();
    let job = k
        .spawn_future(
            "stubborn",
            JobOptions::new()
                .timeout(Duration::from_secs(3600))
                .timeout_grace(Duration::from_secs(10)),
            |_ctx| async move {
                std::future::pending::<()>().await;
                0
            },
        )
        .unwrap();
    let info = job.wait().await;
    assert_eq!(info.state, JobState::Exited(124));
    assert_eq!(info.stop_cause(), Some(StopCause::Timeout));
    assert!(
        start.elapsed() >= Duration::from_secs(3610),
        "{:?}",
        start.elapsed()
    );
    assert!(
        start.elapsed() < Duration::from_secs(3620),
        "{:?}",
        start.elapsed()
    );
}
