//! A plain job's snapshot: the methods that read the boxed part give the
//! defaults when a job has none of it, and the part appears once the job
//! has something to put there (a stop cause, CPU time, a setting).

use std::time::Duration;

use corral_kernel::{JobOptions, JobState, StopCause};

use crate::util::*;

#[tokio::test]
async fn a_plain_future_job_reads_as_unsupervised() {
    let k = TestKernel::new();
    let job = k
        .spawn_future("f", JobOptions::default(), |_| async { 3 })
        .unwrap();
    let info = within("the future", job.wait()).await;
    assert_eq!(info.state, JobState::Exited(3));
    assert_eq!(info.stop_cause(), None);
    assert_eq!(info.resources().cpu(), Duration::ZERO);
    assert_eq!(
        (info.owner(), info.parent(), info.timeout()),
        (None, None, None)
    );
    assert!(info.labels().is_empty() && info.env().is_empty());
    assert_eq!((info.restart(), info.restarts()), (None, 0));
    // A plain job's last run is the job itself.
    assert_eq!(info.last_exit(), Some(JobState::Exited(3)));
    assert_eq!(info.last_stop_cause(), None);
    let debug = format!("{info:?}");
    assert!(
        debug.contains("owner: None") && debug.contains("restarts: 0"),
        "{debug}"
    );
}

#[tokio::test]
async fn a_cancelled_plain_job_and_a_process_job_carry_their_part() {
    let k = TestKernel::new();
    let job = k
        .spawn_future("waits", JobOptions::default(), |ctx| async move {
            ctx.cancel.cancelled().await;
            0
        })
        .unwrap();
    job.cancel().unwrap();
    let info = within("the cancelled future", job.wait()).await;
    assert_eq!(info.stop_cause(), Some(StopCause::Embedder));
    assert_eq!(info.last_stop_cause(), Some(StopCause::Embedder));
    assert_eq!(info.owner(), None);

    // CPU time of its own: a process job that spins a little.
    let spin = k
        .spawn_process(sh("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"))
        .unwrap();
    let info = within("the spinning job", spin.wait()).await;
    assert_eq!(info.state, JobState::Exited(0));
    assert!(info.resources().cpu() > Duration::ZERO, "{info:?}");
    assert_eq!(info.labels().len(), 0);
}
