//! The completion queue: once per consumer, previews, quiet jobs, owners,
//! lag; the "still running" reminder.

use std::collections::HashSet;
use std::time::Duration;

use corral_kernel::{
    Completion, Completions, JobEvent, JobOptions, JobState, Kernel, KernelConfig, Signal,
};

use crate::util::*;

async fn next(c: &mut Completions) -> Completion {
    within("a completion", c.next()).await.unwrap()
}

#[tokio::test]
async fn each_consumer_gets_each_finished_job_once_with_previews() {
    let k = TestKernel::new();
    let mut a = k.completions().preview_bytes(7);
    let mut b = k.completions();
    // 'é' is two bytes: the last 7 bytes of "xéééé\n" start inside one.
    let job = k
        .spawn_process(sh(
            "printf 'x\\303\\251\\303\\251\\303\\251\\303\\251\\n'; printf oops >&2; exit 2",
        ))
        .unwrap();
    finished(&job).await;
    let c = next(&mut a).await;
    assert_eq!(c.info.id, job.id());
    assert_eq!(c.info.state, JobState::Exited(2));
    assert_eq!(c.stdout.text, "ééé\n");
    assert!(c.stdout.truncated);
    assert_eq!(c.stderr.text, "oops");
    assert!(!c.stderr.truncated);
    assert!(c.info.ended_at.is_some());
    let c2 = next(&mut b).await;
    assert_eq!(c2.info.id, job.id());
    assert_eq!(c2.stdout.text, "xéééé\n");
    assert!(!c2.stdout.truncated);
    // Once each: nothing more for either.
    assert!(a.try_next().is_none());
    assert!(b.try_next().is_none());
    let slow = k
        .spawn_process(sh("exec sleep 0.2").options(JobOptions::new()))
        .unwrap();
    let c = next(&mut a).await;
    assert_eq!(c.info.id, slow.id());
    assert!(c.duration >= Duration::from_millis(150), "{:?}", c.duration);
}

#[tokio::test]
async fn quiet_jobs_are_left_out_and_scopes_get_their_owners_jobs() {
    let k = TestKernel::new();
    let mut all = k.completions();
    let mut mine = k.scope("me").completions();
    let quiet = k
        .spawn_process(sh("exit 0").options(JobOptions::new().quiet(true)))
        .unwrap();
    finished(&quiet).await;
    let other = k.scope("them").spawn_process(sh("exit 1")).unwrap();
    finished(&other).await;
    let own = k.scope("me").spawn_process(sh("exit 3")).unwrap();
    finished(&own).await;
    assert!(quiet.info().quiet());
    let c = next(&mut all).await;
    assert_eq!(c.info.id, other.id(), "the quiet job is skipped");
    assert_eq!(next(&mut all).await.info.id, own.id());
    let c = next(&mut mine).await;
    assert_eq!(c.info.id, own.id());
    assert_eq!(c.info.owner(), Some("me"));
    assert!(mine.try_next().is_none());
}

#[tokio::test]
async fn a_lagging_consumer_still_gets_every_job_once() {
    let k = TestKernel::with(KernelConfig::default().event_capacity(4));
    let mut c = k.completions();
    let jobs: Vec<_> = (0..20)
        .map(|i| k.spawn_process(sh(&format!("exit {i}"))).unwrap())
        .collect();
    for j in &jobs {
        finished(j).await;
    }
    let mut got = HashSet::new();
    for _ in 0..jobs.len() {
        let done = next(&mut c).await;
        assert!(got.insert(done.info.id), "{:?} twice", done.info.id);
    }
    assert!(c.try_next().is_none());
    let want: HashSet<_> = jobs.iter().map(|j| j.id()).collect();
    assert_eq!(got, want);
}

/// Paused time: reminders come at the interval while the job runs, none
/// while it is stopped.
#[tokio::test(start_paused = true)]
async fn a_still_running_reminder_comes_while_the_job_runs() {
    let k = Kernel::new().unwrap();
    let mut events = k.subscribe();
    let job = k
        .spawn_future(
            "long",
            JobOptions::new().reminder(Duration::from_secs(60)),
            |ctx| async move {
                ctx.cancel.cancelled().await;
                0
            },
        )
        .unwrap();
    assert_eq!(job.info().reminder(), Some(Duration::from_secs(60)));
    let start = tokio::time::Instant::now();
    let mut reminders = 0;
    while reminders < 3 {
        if events.recv().await.unwrap() == JobEvent::StillRunning(job.id()) {
            reminders += 1;
        }
    }
    assert!(start.elapsed() >= Duration::from_secs(180));
    job.signal(Signal::STOP).unwrap();
    tokio::time::advance(Duration::from_secs(600)).await;
    tokio::task::yield_now().await;
    while let Some(e) = events.try_recv().unwrap() {
        assert_ne!(e, JobEvent::StillRunning(job.id()), "none while stopped");
    }
    job.signal(Signal::CONT).unwrap();
    job.cancel().unwrap();
    assert_eq!(job.wait().await.state, JobState::Exited(0));
}
