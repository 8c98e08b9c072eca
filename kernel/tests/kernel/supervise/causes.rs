//! The visible stop request and its cause.

use std::time::Duration;

use corral_kernel::{JobEvent, JobOptions, JobState, Signal, StopCause};

use crate::util::*;

#[tokio::test]
async fn a_stop_request_is_visible_until_reaped_and_kept() {
    let k = TestKernel::new();
    let mut events = k.subscribe();
    let job = k
        .spawn_process(fixture_job("term_ignorer.sh", &[]))
        .unwrap();
    let _guard = KillOnDrop::new(&[u32::from(job.pids()[0])]);
    until("the TERM-ignorer's trap", || {
        job.stdout().snapshot().data.as_ref() == b"ready\n"
    })
    .await;
    assert_eq!(job.info().stop_cause(), None);
    assert!(!job.info().is_stopping());
    let kernel = k.kernel.clone();
    let id = job.id();
    let term = tokio::spawn(async move { kernel.terminate(id, Duration::from_secs(30)).await });
    // TERM is ignored: the job lives on, stopping, until the KILL.
    within("the request", async {
        loop {
            if let Ok(JobEvent::Stopping(j, cause)) = events.recv().await {
                if j == id {
                    return cause;
                }
            }
        }
    })
    .await;
    let info = job.info();
    assert!(info.is_stopping(), "{info:?}");
    assert_eq!(info.stop_cause(), Some(StopCause::Embedder));
    // A later signal does not change the cause.
    job.signal(Signal::KILL).unwrap();
    let done = within("terminate", term).await.unwrap().unwrap();
    assert!(done.state.is_finished());
    assert!(!done.is_stopping());
    assert_eq!(done.stop_cause(), Some(StopCause::Embedder));
}

#[tokio::test]
async fn signal_and_outside_signal_causes() {
    let k = TestKernel::new();
    let job = k.spawn_process(sleeper()).unwrap();
    k.signal(job.id(), Signal::INT).unwrap();
    finished(&job).await;
    assert_eq!(
        job.info().stop_cause(),
        Some(StopCause::Signal(Signal::INT))
    );

    // Stop and continue ask nothing.
    let job = k.spawn_process(sleeper()).unwrap();
    let pid = job.pids()[0];
    let _guard = KillOnDrop::new(&[u32::from(pid)]);
    job.signal(Signal::STOP).unwrap();
    within("stopped", job.wait_change(JobState::Running)).await;
    job.signal(Signal::CONT).unwrap();
    assert_eq!(job.info().stop_cause(), None);
    // Killed from outside the kernel: the cause is known at reap.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid.as_raw()),
        nix::sys::signal::Signal::SIGHUP,
    )
    .unwrap();
    finished(&job).await;
    assert_eq!(
        job.info().stop_cause(),
        Some(StopCause::Signal(Signal::HUP))
    );

    // A future cancelled by the embedder.
    let fut = k
        .spawn_future("f", JobOptions::new(), |ctx| async move {
            ctx.cancel.cancelled().await;
            0
        })
        .unwrap();
    fut.cancel().unwrap();
    assert_eq!(finished(&fut).await, JobState::Exited(0));
    assert_eq!(fut.info().stop_cause(), Some(StopCause::Embedder));
    // A job that exits by itself has none.
    let ok = k.spawn_process(sh("exit 0")).unwrap();
    finished(&ok).await;
    assert_eq!(ok.info().stop_cause(), None);
}
