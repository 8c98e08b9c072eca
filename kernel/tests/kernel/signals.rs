use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use corral_kernel::{Cmd, JobEvent, JobOptions, JobState, ProcessSpec, Signal};

use crate::util::*;

#[tokio::test]
async fn kill_reaches_every_pipeline_member_and_grandchildren() {
    let k = TestKernel::new();
    // Three members; the first also starts a grandchild in the group.
    let spec = ProcessSpec::new("sh -c 'sleep 1000 & sleep 1000' | cat | cat")
        .pipe(
            Cmd::new("sh")
                .arg("-c")
                .arg("sleep 1000 & echo $!; sleep 1000"),
        )
        .pipe(Cmd::new("cat"))
        .pipe(Cmd::new("cat"));
    let job = k.spawn_process(spec).unwrap();
    let pgid = job.pgid().unwrap();
    let mut follow = job.stdout().follow(0);
    let line = within("grandchild pid", follow.next_chunk()).await.unwrap();
    let grandchild: u32 = String::from_utf8_lossy(&line.data).trim().parse().unwrap();
    until("4 processes in the group", || {
        group_members(pgid).len() >= 4
    })
    .await;
    assert!(group_members(pgid).contains(&grandchild));

    k.signal(job.id(), Signal::TERM).unwrap();
    let state = finished(&job).await;
    assert_eq!(state.exit_status(), Some(143), "{state:?}");
    until("every member and the grandchild gone", || {
        job.pids().iter().all(|&p| !alive(p)) && !alive(grandchild)
    })
    .await;
}

#[tokio::test]
async fn term_ignorer_dies_by_kill_after_grace() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(fixture_job("term_ignorer.sh", &[]))
        .unwrap();
    let mut f = job.stdout().follow(0);
    within("ready", f.next_chunk()).await;
    let started = Instant::now();
    let state = within(
        "terminate",
        k.terminate(job.id(), Duration::from_millis(300)),
    )
    .await
    .unwrap()
    .state;
    assert_eq!(
        state,
        JobState::Signaled {
            signal: Signal::KILL,
            core_dumped: false
        }
    );
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "waited the grace period"
    );
    assert_eq!(state.exit_status(), Some(137));
}

#[tokio::test]
async fn stop_and_cont_are_observed_for_process_jobs() {
    let k = TestKernel::new();
    let mut events = k.subscribe();
    let job = k.spawn_process(sleeper()).unwrap();
    let id = job.id();
    k.signal(id, Signal::STOP).unwrap();
    assert_eq!(
        within("stopped", job.wait_change(JobState::Running)).await,
        JobState::Stopped(Signal::STOP)
    );
    k.signal(id, Signal::CONT).unwrap();
    assert_eq!(
        within(
            "continued",
            job.wait_change(JobState::Stopped(Signal::STOP))
        )
        .await,
        JobState::Running
    );
    let mut seen = Vec::new();
    while seen.len() < 4 {
        seen.push(within("events", events.recv()).await.unwrap());
    }
    assert_eq!(
        seen,
        vec![
            JobEvent::Spawned(id),
            JobEvent::Numbered(id, job.number().unwrap()),
            JobEvent::Stopped(id, Signal::STOP),
            JobEvent::Continued(id)
        ]
    );
    k.signal(id, Signal::KILL).unwrap();
    assert_eq!(finished(&job).await.exit_status(), Some(137));
}

#[tokio::test]
async fn a_job_stopped_from_outside_reads_stopped() {
    let k = TestKernel::new();
    let job = k.spawn_process(fixture_job("stopper.sh", &[])).unwrap();
    assert_eq!(
        within("self-stop", job.wait_change(JobState::Running)).await,
        JobState::Stopped(Signal::STOP)
    );
    // The pipe may be read a moment after the stop is reported.
    until("'before' read", || {
        &job.stdout().snapshot().data[..] == b"before\n"
    })
    .await;
    // Continued by someone else, not through the kernel.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(job.pids()[0].as_raw()),
        nix::sys::signal::Signal::SIGCONT,
    )
    .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    assert_eq!(&job.stdout().snapshot().data[..], b"before\nafter\n");
}

#[tokio::test]
async fn future_jobs_pause_resume_and_cancel() {
    let k = TestKernel::new();
    let ticks = Arc::new(AtomicU64::new(0));
    let t = Arc::clone(&ticks);
    let job = k
        .spawn_future("ticker", JobOptions::default(), move |ctx| async move {
            loop {
                tokio::select! {
                    _ = ctx.cancel.cancelled() => return 0,
                    _ = tokio::time::sleep(Duration::from_millis(1)) => {
                        t.fetch_add(1, Ordering::SeqCst);
                    }
                }
            }
        })
        .unwrap();
    let id = job.id();
    until("ticking", || ticks.load(Ordering::SeqCst) > 3).await;
    k.signal(id, Signal::TSTP).unwrap();
    assert_eq!(job.state(), JobState::Stopped(Signal::TSTP));
    // At most one poll already in flight may still land.
    let at_stop = ticks.load(Ordering::SeqCst);
    let paused_for = tokio::time::sleep(Duration::from_millis(100));
    paused_for.await;
    assert!(
        ticks.load(Ordering::SeqCst) <= at_stop + 1,
        "a paused future makes no progress"
    );
    k.signal(id, Signal::CONT).unwrap();
    assert_eq!(job.state(), JobState::Running);
    let resumed_at = ticks.load(Ordering::SeqCst);
    until("ticking again", || {
        ticks.load(Ordering::SeqCst) > resumed_at + 3
    })
    .await;
    k.signal(id, Signal::INT).unwrap();
    assert_eq!(finished(&job).await.exit_status(), Some(130));
}

#[tokio::test]
async fn kill_drops_a_future_at_once_even_when_paused() {
    let k = TestKernel::new();
    let job = k
        .spawn_future("stuck", JobOptions::default(), |_ctx| async move {
            std::future::pending::<()>().await;
            0
        })
        .unwrap();
    let id = job.id();
    k.signal(id, Signal::STOP).unwrap();
    k.signal(id, Signal::TERM).unwrap();
    // TERM cancels the token but the future ignores it and is paused anyway.
    assert!(tokio::time::timeout(Duration::from_millis(50), job.wait())
        .await
        .is_err());
    k.signal(id, Signal::KILL).unwrap();
    let state = finished(&job).await;
    assert!(state.is_finished());
}

#[tokio::test]
async fn terminate_continues_a_stopped_job_so_it_can_die() {
    let k = TestKernel::new();
    let job = k.spawn_process(sleeper()).unwrap();
    let id = job.id();
    k.signal(id, Signal::STOP).unwrap();
    within("stopped", job.wait_change(JobState::Running)).await;
    let state = within("terminate", k.terminate(id, Duration::from_secs(5)))
        .await
        .unwrap()
        .state;
    assert_eq!(state.exit_status(), Some(143));
}

#[tokio::test]
async fn bad_signals_and_finished_jobs_are_clear_errors() {
    let k = TestKernel::new();
    assert!(matches!(
        Signal::parse("QQQ"),
        Err(corral_kernel::Error::InvalidSignal(s)) if s == "QQQ"
    ));
    let job = k.spawn_process(sh("true")).unwrap();
    finished(&job).await;
    let id = job.id();
    assert!(matches!(
        k.signal(id, Signal::TERM),
        Err(corral_kernel::Error::JobFinished(j)) if j == id
    ));
    assert!(matches!(
        k.signal(corral_kernel::JobId(9999), Signal::TERM),
        Err(corral_kernel::Error::NoSuchJob(_))
    ));
}

/// A CONT followed by a stop before the reaper looks leaves only the stop
/// to report (Linux drops the continue): the job counts as running from
/// the CONT on, so the stop is a change its waiters see. A shell's `fg`
/// then Ctrl-Z hung on this under load.
#[tokio::test(flavor = "current_thread")]
async fn issue_10_stop_right_after_cont_is_seen() {
    let k = TestKernel::new();
    let job = k.spawn_process(sleeper()).unwrap();
    let pid = job.pids()[0];
    k.signal(job.id(), Signal::STOP).unwrap();
    assert_eq!(
        within("stopped", job.wait_change(JobState::Running)).await,
        JobState::Stopped(Signal::STOP)
    );
    // One thread: the reaper cannot run between these three lines.
    k.signal(job.id(), Signal::CONT).unwrap();
    assert_eq!(job.state(), JobState::Running);
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid.as_raw()),
        nix::sys::signal::Signal::SIGTSTP,
    )
    .unwrap();
    assert_eq!(
        within("stopped again", job.wait_change(JobState::Running)).await,
        JobState::Stopped(Signal::TSTP)
    );
    k.signal(job.id(), Signal::KILL).unwrap();
    finished(&job).await;
}
