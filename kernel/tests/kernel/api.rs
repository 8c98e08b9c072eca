//! The kernel's public surface: numbers and hidden jobs, waits that return
//! the final snapshot, terminate that outlives its caller, cancellation
//! tokens, spawning without a runtime, failed spawns, leftovers that keep a
//! record, and signals by any name. Real processes, bounded waits, nothing
//! left behind.

use std::future::Future;
use std::os::unix::fs::PermissionsExt;
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use corral_kernel::{
    kill_group, Cmd, Error, Job, JobEvent, JobId, JobInfo, JobOptions, JobState, KernelConfig,
    ProcessSpec, Signal,
};

use crate::util::*;

/// Polls `fut` once: its result if it is ready without waiting.
fn poll_once<F: Future>(fut: F) -> Option<F::Output> {
    let mut fut = pin!(fut);
    match fut.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// Every event buffered for `events` right now.
fn drain(events: &mut corral_kernel::Events) -> Vec<JobEvent> {
    let mut out = Vec::new();
    while let Some(ev) = events.try_recv().unwrap() {
        out.push(ev);
    }
    out
}

fn ids(jobs: &[Job]) -> Vec<JobId> {
    jobs.iter().map(Job::id).collect()
}

fn killed_by(signal: Signal) -> JobState {
    JobState::Signaled {
        signal,
        core_dumped: false,
    }
}

/// SIGKILL to a job's processes, leftovers included, when the test ends,
/// pass or fail. Through the kernel: once the group is gone its id may name
/// another test's process.
struct KillGroupOnDrop(Job);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        let _ = self.0.signal(Signal::KILL);
    }
}

// 1. Numbering.

#[tokio::test]
async fn hidden_jobs_get_no_number_until_shown() {
    let k = TestKernel::new();
    let mut events = k.subscribe();

    // `sleep 0.01; sleep 1000 &`: the foreground command, hidden, uses no number.
    let fg = k
        .spawn_process(
            ProcessSpec::command(Cmd::new("sleep").arg("0.01"))
                .options(JobOptions::new().hidden(true)),
        )
        .unwrap();
    assert_eq!(fg.number(), None);
    assert_eq!(fg.info().number, None);
    assert!(k.visible_jobs().is_empty());
    assert!(k.job_by_number(1).is_none());
    assert_eq!(
        ids(&k.jobs()),
        vec![fg.id()],
        "hidden jobs are in the table"
    );
    assert_eq!(finished(&fg).await, JobState::Exited(0));
    assert_eq!(fg.number(), None, "finishing does not number it");

    let bg = k.spawn_process(sleeper()).unwrap();
    assert_eq!(bg.number(), Some(1), "the first visible job is [1]");
    assert_eq!(bg.info().number, Some(1));
    assert!(
        bg.id() > fg.id(),
        "ids count every job, numbers only visible ones"
    );
    assert_eq!(k.job_by_number(1).map(|j| j.id()), Some(bg.id()));
    assert_eq!(ids(&k.visible_jobs()), vec![bg.id()]);

    // Events so far: the hidden job's Spawned and Exited, no Numbered; the
    // visible job's Numbered right after its Spawned.
    assert_eq!(
        drain(&mut events),
        vec![
            JobEvent::Spawned(fg.id()),
            JobEvent::Exited(fg.id(), JobState::Exited(0)),
            JobEvent::Spawned(bg.id()),
            JobEvent::Numbered(bg.id(), 1),
        ]
    );

    // A hidden job still running (a foreground job stopped with Ctrl-Z) is
    // shown: it gets the next number, once.
    let stopped = k
        .spawn_process(sleeper().options(JobOptions::new().hidden(true)))
        .unwrap();
    assert_eq!(stopped.number(), None);
    assert!(k.job_by_number(2).is_none());
    assert_eq!(drain(&mut events), vec![JobEvent::Spawned(stopped.id())]);
    assert_eq!(k.show(stopped.id()).unwrap(), 2);
    assert_eq!(stopped.number(), Some(2));
    assert_eq!(stopped.info().number, Some(2));
    assert_eq!(
        drain(&mut events),
        vec![JobEvent::Numbered(stopped.id(), 2)]
    );
    // Idempotent: same number, no second event; a visible job keeps its own.
    assert_eq!(k.show(stopped.id()).unwrap(), 2);
    assert_eq!(k.show(bg.id()).unwrap(), 1);
    assert_eq!(drain(&mut events), vec![]);
    assert_eq!(k.job_by_number(2).map(|j| j.id()), Some(stopped.id()));
    assert_eq!(ids(&k.visible_jobs()), vec![bg.id(), stopped.id()]);
    assert_eq!(
        ids(&k.jobs()),
        vec![fg.id(), bg.id(), stopped.id()],
        "every job, by id"
    );

    assert!(matches!(
        k.show(JobId(999_999)),
        Err(Error::NoSuchJob(JobId(999_999)))
    ));
    // The next visible job continues the count.
    let next = k
        .spawn_future("next", JobOptions::new(), |_| async { 0 })
        .unwrap();
    assert_eq!(next.number(), Some(3));
    finished(&next).await;
    within("shutdown", k.shutdown(Duration::from_secs(1))).await;
}

// 2. Waits.

#[tokio::test]
async fn wait_returns_the_final_info() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh("echo out; exit 4")).unwrap();
    let info: JobInfo = within("wait", job.wait()).await;
    assert_eq!(info.id, job.id());
    assert_eq!(info.number, job.number());
    assert_eq!(info.state, JobState::Exited(4));
    assert_eq!(info.state.exit_status(), Some(4));
    assert!(info.ended_at.is_some());
    assert_eq!(info.pids, job.pids());
    assert_eq!(info.pgid, Some(job.pids()[0]));
    assert_eq!(info.stdout.written, 4, "the output is all in: {info:?}");

    let by_kernel = within("Kernel::wait", k.wait(job.id())).await.unwrap();
    assert_eq!(
        (by_kernel.id, by_kernel.state, by_kernel.ended_at),
        (info.id, info.state, info.ended_at)
    );
}

#[tokio::test]
async fn waits_on_unknown_ids_fail_at_once() {
    let k = TestKernel::new();
    let unknown = JobId(999_999);
    // Ready at the first poll: an error, not something to wait out.
    assert!(matches!(
        poll_once(k.wait(unknown)),
        Some(Err(Error::NoSuchJob(id))) if id == unknown
    ));
    assert!(matches!(
        poll_once(k.wait_any(&[])),
        Some(Err(Error::NoJobs))
    ));
    assert!(matches!(
        poll_once(k.wait_any(&[unknown, JobId(1_000_000)])),
        Some(Err(Error::NoJobs))
    ));
    // An unknown id beside a real one is ignored.
    let job = k.spawn_process(sh("exit 2")).unwrap();
    let got = within("wait_any", k.wait_any(&[unknown, job.id()]))
        .await
        .unwrap();
    assert_eq!((got.id, got.state), (job.id(), JobState::Exited(2)));
    // A removed job is unknown again.
    k.remove(job.id()).unwrap();
    assert!(matches!(
        poll_once(k.wait(job.id())),
        Some(Err(Error::NoSuchJob(id))) if id == job.id()
    ));
    assert!(matches!(
        poll_once(k.wait_any(&[job.id()])),
        Some(Err(Error::NoJobs))
    ));
}

#[tokio::test]
async fn wait_all_returns_every_final_info_by_ascending_id() {
    let k = TestKernel::new();
    // The first spawned ends last.
    let a = k.spawn_process(sh("sleep 0.3; exit 1")).unwrap();
    let b = k.spawn_process(sh("sleep 0.1; exit 2")).unwrap();
    let c = k.spawn_process(sh("exit 3")).unwrap();
    let d = k
        .spawn_future("d", JobOptions::new().hidden(true), |_| async { 4 })
        .unwrap();
    let all = within("wait_all", k.wait_all()).await;
    let got: Vec<(JobId, JobState)> = all.iter().map(|i| (i.id, i.state)).collect();
    assert_eq!(
        got,
        vec![
            (a.id(), JobState::Exited(1)),
            (b.id(), JobState::Exited(2)),
            (c.id(), JobState::Exited(3)),
            (d.id(), JobState::Exited(4)),
        ]
    );
    assert!(all.iter().all(|i| i.ended_at.is_some()), "{all:?}");
}

#[tokio::test]
async fn waits_that_time_out_leave_the_job_alone() {
    let k = TestKernel::new();
    let job = k.spawn_process(sleeper()).unwrap();
    let pid = job.pids()[0];
    let id = job.id();
    let short = Duration::from_millis(50);
    assert!(tokio::time::timeout(short, job.wait()).await.is_err());
    assert!(tokio::time::timeout(short, k.wait(id)).await.is_err());
    assert!(tokio::time::timeout(short, k.wait_any(&[id]))
        .await
        .is_err());
    assert!(tokio::time::timeout(short, k.wait_all()).await.is_err());
    // The dropped waits changed nothing.
    assert_eq!(job.state(), JobState::Running);
    assert!(alive(pid));
    assert_eq!(k.job_ids(), vec![id]);
    assert_eq!(k.job(id).unwrap().info().ended_at, None);

    // And waiting again works: every kind of wait sees the end.
    let waiters = {
        let (k1, k2, k3, j) = (
            k.kernel.clone(),
            k.kernel.clone(),
            k.kernel.clone(),
            job.clone(),
        );
        (
            tokio::spawn(async move { k1.wait(id).await }),
            tokio::spawn(async move { k2.wait_any(&[id]).await }),
            tokio::spawn(async move { k3.wait_all().await }),
            tokio::spawn(async move { j.wait().await }),
        )
    };
    k.signal(id, Signal::KILL).unwrap();
    let want = killed_by(Signal::KILL);
    assert_eq!(
        within("wait", waiters.0).await.unwrap().unwrap().state,
        want
    );
    assert_eq!(
        within("wait_any", waiters.1).await.unwrap().unwrap().state,
        want
    );
    let all = within("wait_all", waiters.2).await.unwrap();
    assert_eq!(
        all.iter().map(|i| (i.id, i.state)).collect::<Vec<_>>(),
        vec![(id, want)]
    );
    assert_eq!(within("Job::wait", waiters.3).await.unwrap().state, want);
    until("the sleeper reaped", || proc_state(pid).is_none()).await;
}

// 3. terminate is not stopped by dropping its future.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminate_finishes_when_its_caller_gives_up() {
    let k = TestKernel::new();
    // Through the kernel and through the handle.
    for through_handle in [false, true] {
        let job = k
            .spawn_process(fixture_job("term_ignorer.sh", &[]))
            .unwrap();
        let mut f = job.stdout().follow(0);
        within("ready", f.next_chunk()).await;
        let pid = job.pids()[0];
        let grace = Duration::from_secs(3);
        let started = Instant::now();
        let gave_up = if through_handle {
            tokio::time::timeout(Duration::from_millis(100), job.terminate(grace)).await
        } else {
            tokio::time::timeout(Duration::from_millis(100), k.terminate(job.id(), grace)).await
        };
        assert!(gave_up.is_err(), "terminate returned early: {gave_up:?}");
        if started.elapsed() < grace {
            assert_eq!(job.state(), JobState::Running, "TERM is ignored");
        }
        let state = within("the KILL after the grace", job.wait()).await.state;
        assert_eq!(
            state,
            killed_by(Signal::KILL),
            "through handle: {through_handle}"
        );
        assert!(
            started.elapsed() >= grace,
            "killed after the grace, not before: {:?}",
            started.elapsed()
        );
        until("the ignorer reaped", || proc_state(pid).is_none()).await;
    }
}

// 4. Cancellation tokens.

#[tokio::test]
async fn cancel_cancels_a_future_jobs_token() {
    let k = TestKernel::new();
    let job = k
        .spawn_future("waits for cancel", JobOptions::new(), |ctx| async move {
            ctx.cancel.cancelled().await;
            assert!(ctx.cancel.is_cancelled());
            3
        })
        .unwrap();
    job.cancel().unwrap();
    let info = within("cancelled future", job.wait()).await;
    assert_eq!(
        info.state,
        JobState::Exited(3),
        "no signal: what it returned"
    );
    assert!(matches!(job.cancel(), Err(Error::JobFinished(id)) if id == job.id()));
}

#[tokio::test]
async fn kill_cancels_the_token_handed_to_other_tasks() {
    let k = TestKernel::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = k
        .spawn_future("hands its token on", JobOptions::new(), |ctx| {
            let cancelled = ctx.cancel.cancelled_owned();
            let token = ctx.cancel.clone();
            tokio::spawn(async move {
                cancelled.await;
                let _ = tx.send(token.is_cancelled());
            });
            async move {
                std::future::pending::<()>().await;
                0
            }
        })
        .unwrap();
    k.signal(job.id(), Signal::KILL).unwrap();
    assert_eq!(finished(&job).await, killed_by(Signal::KILL));
    assert!(within("the helper task sees the cancel", rx).await.unwrap());
}

#[tokio::test]
async fn dropping_the_kernel_cancels_a_running_future_job() {
    let k = TestKernel::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job = k
        .spawn_future("outlives nothing", JobOptions::new(), |ctx| {
            let cancelled = ctx.cancel.cancelled_owned();
            tokio::spawn(async move {
                cancelled.await;
                let _ = tx.send(());
            });
            async move {
                std::future::pending::<()>().await;
                0
            }
        })
        .unwrap();
    assert_eq!(job.state(), JobState::Running);
    // Every kernel handle goes; the job handle is no kernel handle.
    drop(k);
    within("the token cancelled on drop", rx).await.unwrap();
    let state = finished(&job).await;
    assert_eq!(state.exit_status(), Some(137), "{state:?}");
}

// 5. Spawning outside a runtime.

#[test]
fn spawning_without_a_runtime_fails_and_starts_nothing() {
    alone(
        "api::spawning_without_a_runtime_fails_and_starts_nothing",
        || async {
            let mut config = KernelConfig::default();
            config.max_running = 1;
            let k = TestKernel::with(config);
            let dir = tempfile::tempdir().unwrap();
            let marker = dir.path().join("ran");
            let built = Arc::new(AtomicBool::new(false));

            let (kernel, script, b) = (
                k.kernel.clone(),
                format!("touch '{}'; exec sleep 1000", marker.display()),
                Arc::clone(&built),
            );
            let (process, future) = std::thread::spawn(move || {
                assert!(tokio::runtime::Handle::try_current().is_err());
                let process = kernel.spawn_process(sh(&script)).map(|j| j.id());
                let future = kernel
                    .spawn_future("f", JobOptions::new(), move |_| {
                        b.store(true, Ordering::SeqCst);
                        async { 0 }
                    })
                    .map(|j| j.id());
                (process, future)
            })
            .join()
            .unwrap();
            assert!(matches!(process, Err(Error::NoRuntime)), "{process:?}");
            assert!(matches!(future, Err(Error::NoRuntime)), "{future:?}");

            // Nothing started: no child of this process (it runs alone), no
            // future built, no record.
            assert_eq!(children_of(std::process::id()), vec![]);
            assert!(!built.load(Ordering::SeqCst), "a refused future was built");
            assert!(k.job_ids().is_empty());
            // No slot used: the one slot is free.
            let job = k.spawn_process(sh(&format!("test ! -e '{}'", marker.display())));
            let job = job.unwrap();
            assert_eq!(
                finished(&job).await,
                JobState::Exited(0),
                "the marker exists"
            );
            let fut = k
                .spawn_future("f", JobOptions::new(), |_| async { 0 })
                .unwrap();
            assert_eq!(finished(&fut).await, JobState::Exited(0));
            within("shutdown", k.shutdown(Duration::from_secs(1))).await;
        },
    );
}

// 6. Failed spawns.

#[test]
fn a_pipeline_whose_second_member_fails_leaves_nothing() {
    alone(
        "api::a_pipeline_whose_second_member_fails_leaves_nothing",
        || async {
            let mut config = KernelConfig::default();
            config.max_running = 1;
            let k = TestKernel::with(config);
            let me = std::process::id();
            let dir = tempfile::tempdir().unwrap();
            // Found and executable, but its interpreter is missing: it fails
            // at exec, after the first member has started.
            let broken = dir.path().join("broken");
            std::fs::write(&broken, "#!/no/such/interpreter\n").unwrap();
            std::fs::set_permissions(&broken, std::fs::Permissions::from_mode(0o755)).unwrap();

            for second in [
                Cmd::new("no-such-program-corral"),
                Cmd::new(broken.to_str().unwrap()),
            ] {
                let what = format!("{:?}", second.program());
                let spec = ProcessSpec::new("sleep 1000.4242 | second")
                    .pipe(Cmd::new("sleep").arg("1000.4242"))
                    .pipe(second);
                let err = k.spawn_process(spec).unwrap_err();
                assert!(
                    matches!(err, Error::CommandNotFound { .. }),
                    "{what}: {err}"
                );
                // Nothing left: no child of ours, live or zombie (this runs
                // alone), and no such sleep anywhere.
                assert_eq!(children_of(me), vec![], "{what}");
                assert_eq!(processes_with_arg("1000.4242"), Vec::<u32>::new(), "{what}");
                assert!(k.job_ids().is_empty(), "{what}");
            }
            // No slot used: the one slot takes a job.
            let ok = k.spawn_process(sh("echo fine")).unwrap();
            assert_eq!(finished(&ok).await, JobState::Exited(0));
            assert_eq!(&ok.stdout().snapshot().data[..], b"fine\n");
        },
    );
}

// 7. Leftovers keep a finished record.

#[tokio::test]
async fn remove_refuses_while_leftovers_live_in_the_group() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh("sleep 100 & exit 0")).unwrap();
    let pgid = job.pgid().unwrap();
    let _guard = KillGroupOnDrop(job.clone());
    assert_eq!(finished(&job).await, JobState::Exited(0));
    assert!(
        group_members(pgid).iter().any(|&p| alive(p)),
        "the sleep is left in the group"
    );
    assert!(matches!(
        k.remove(job.id()),
        Err(Error::StillRunning(id)) if id == job.id()
    ));
    assert_eq!(k.job_ids(), vec![job.id()]);

    kill_group(pgid, Signal::KILL).unwrap();
    until("the group empty", || group_members(pgid).is_empty()).await;
    k.remove(job.id()).unwrap();
    assert!(k.job_ids().is_empty());
}

// 8. Signals by any name.

#[tokio::test]
async fn kill_group_sends_real_time_signals() {
    let k = TestKernel::new();
    let rt = Signal::parse("RTMIN+1").unwrap();
    assert_eq!(rt.number(), libc::SIGRTMIN() + 1);
    let n = rt.number();
    let job = k
        .spawn_process(sh(&format!(
            "trap 'echo got; exit 5' {n}; echo ready; sleep 1000 & wait"
        )))
        .unwrap();
    let _guard = KillGroupOnDrop(job.clone());
    until("ready", || {
        job.stdout().snapshot().data.ends_with(b"ready\n")
    })
    .await;
    kill_group(job.pgid().unwrap(), rt).unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(5));
    assert_eq!(&job.stdout().snapshot().data[..], b"ready\ngot\n");
}

#[test]
fn iot_is_abrt() {
    let iot = Signal::parse("IOT").unwrap();
    assert_eq!(iot.number(), libc::SIGABRT);
    assert_eq!(iot.name(), "ABRT");
    assert_eq!(Signal::parse("SIGIOT").unwrap(), iot);
    assert_eq!(Signal::parse("sigabrt").unwrap(), iot);
}
