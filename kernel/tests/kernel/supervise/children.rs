//! Future jobs with process children.

use std::time::Duration;

use corral_kernel::{
    Error, FutureContext, Job, JobEvent, JobOptions, JobState, Kernel, KernelConfig, Signal,
};
use tokio::sync::{mpsc, oneshot};

use crate::util::*;

/// A future job that starts `spec`s as its children on request and hands
/// back the child's handle; it ends when its token is cancelled.
struct Parent {
    job: Job,
    ctx: FutureContext,
    spawn: mpsc::UnboundedSender<(corral_kernel::ProcessSpec, oneshot::Sender<Job>)>,
}

impl Parent {
    async fn new(k: &Kernel) -> Parent {
        let (tx, mut rx) =
            mpsc::unbounded_channel::<(corral_kernel::ProcessSpec, oneshot::Sender<Job>)>();
        let (ctx_tx, ctx_rx) = oneshot::channel();
        let job = k
            .spawn_future("( … ) &", JobOptions::new(), move |ctx| async move {
                let _ = ctx_tx.send(ctx.clone());
                loop {
                    tokio::select! {
                        _ = ctx.cancel.cancelled() => return 0,
                        got = rx.recv() => match got {
                            Some((spec, reply)) => {
                                let _ = reply.send(ctx.spawn_process(spec).unwrap());
                            }
                            None => return 0,
                        },
                    }
                }
            })
            .unwrap();
        let ctx = within("the context", ctx_rx).await.unwrap();
        Parent {
            job,
            ctx,
            spawn: tx,
        }
    }

    async fn child(&self, spec: corral_kernel::ProcessSpec) -> Job {
        let (tx, rx) = oneshot::channel();
        self.spawn.send((spec, tx)).unwrap();
        within("the child", rx).await.unwrap()
    }
}

fn pid_of(job: &Job) -> u32 {
    u32::from(job.pids()[0])
}

#[tokio::test]
async fn a_future_job_child_is_hidden_and_names_its_parent() {
    let k = TestKernel::new();
    let parent = Parent::new(&k).await;
    let child = parent.child(sleeper()).await;
    let _guard = KillOnDrop::new(&[pid_of(&child)]);
    let info = child.info();
    assert_eq!(info.parent(), Some(parent.job.id()));
    assert_eq!(info.number, None);
    assert_eq!(parent.ctx.job_id(), parent.job.id());
    let shown = parent
        .child(sleeper().options(JobOptions::new().hidden(false)))
        .await;
    let _guard2 = KillOnDrop::new(&[pid_of(&shown)]);
    assert!(shown.number().is_some());
    assert_eq!(shown.info().parent(), Some(parent.job.id()));
    within("terminate", k.terminate(parent.job.id(), DEADLINE))
        .await
        .unwrap();
    assert!(child.state().is_finished() && shown.state().is_finished());
}

#[tokio::test]
async fn stop_and_continue_reach_a_future_jobs_child() {
    let k = TestKernel::new();
    let mut events = k.subscribe();
    let parent = Parent::new(&k).await;
    let child = parent.child(sleeper()).await;
    let pid = pid_of(&child);
    let _guard = KillOnDrop::new(&[pid]);
    let id = parent.job.id();
    until("the child sleeps", || proc_state(pid) == Some('S')).await;

    k.signal(id, Signal::TSTP).unwrap();
    assert_eq!(parent.job.state(), JobState::Stopped(Signal::TSTP));
    until("the child is stopped", || proc_state(pid) == Some('T')).await;
    let stopped = within("the child's stop", child.wait_change(JobState::Running)).await;
    assert_eq!(stopped, JobState::Stopped(Signal::TSTP));
    let seen = within("the future's Stopped event", async {
        loop {
            if let Ok(JobEvent::Stopped(j, s)) = events.recv().await {
                if j == id {
                    return s;
                }
            }
        }
    })
    .await;
    assert_eq!(seen, Signal::TSTP);

    k.signal(id, Signal::CONT).unwrap();
    assert_eq!(parent.job.state(), JobState::Running);
    until("the child sleeps again", || proc_state(pid) == Some('S')).await;
    let continued = within("the child's continue", child.wait_change(stopped)).await;
    assert_eq!(continued, JobState::Running);
    parent.job.signal(Signal::KILL).unwrap();
    assert!(finished(&parent.job).await.is_finished());
    assert!(finished(&child).await.is_finished());
}

#[tokio::test]
async fn checkpoint_waits_while_the_future_job_is_stopped() {
    let k = TestKernel::new();
    let parent = Parent::new(&k).await;
    let id = parent.job.id();
    within("checkpoint while running", parent.ctx.checkpoint()).await;
    k.signal(id, Signal::STOP).unwrap();
    let mut waiting = Box::pin(parent.ctx.checkpoint());
    // It must not resolve while stopped: poll it once, it stays pending.
    assert!(futures_poll_once(waiting.as_mut()).await.is_none());
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(async move {
        waiting.await;
        let _ = tx.send(());
    });
    k.signal(id, Signal::CONT).unwrap();
    within("checkpoint after CONT", rx).await.unwrap();
    task.await.unwrap();
    parent.job.cancel().unwrap();
    assert_eq!(finished(&parent.job).await, JobState::Exited(0));
}

/// Polls `fut` once: its output if it was ready.
async fn futures_poll_once<F: std::future::Future + Unpin>(fut: F) -> Option<F::Output> {
    let mut fut = fut;
    std::future::poll_fn(|cx| {
        std::task::Poll::Ready(match std::pin::Pin::new(&mut fut).poll(cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        })
    })
    .await
}

#[tokio::test]
async fn stopping_the_future_while_its_child_stopped_itself_works() {
    let k = TestKernel::new();
    let parent = Parent::new(&k).await;
    let child = parent.child(sleeper()).await;
    let pid = pid_of(&child);
    let _guard = KillOnDrop::new(&[pid]);
    let id = parent.job.id();
    // Ctrl-Z reaches the child's group only.
    child.signal(Signal::TSTP).unwrap();
    within("the child's stop", child.wait_change(JobState::Running)).await;
    assert_eq!(child.state(), JobState::Stopped(Signal::TSTP));
    assert_eq!(parent.job.state(), JobState::Running);
    // The owner stops the whole job.
    k.signal(id, Signal::TSTP).unwrap();
    assert_eq!(parent.job.state(), JobState::Stopped(Signal::TSTP));
    assert_eq!(proc_state(pid), Some('T'));
    // bg: the whole job continues.
    k.signal(id, Signal::CONT).unwrap();
    until("the child sleeps again", || proc_state(pid) == Some('S')).await;
    assert_eq!(parent.job.state(), JobState::Running);
    // A child stopped by itself while the future runs is continued by a CONT
    // to the future as well.
    child.signal(Signal::STOP).unwrap();
    until("stopped again", || proc_state(pid) == Some('T')).await;
    k.signal(id, Signal::CONT).unwrap();
    until("continued again", || proc_state(pid) == Some('S')).await;
    parent.job.signal(Signal::KILL).unwrap();
    assert!(finished(&child).await.is_finished());
}

#[tokio::test]
async fn ending_signals_fan_out_to_the_children() {
    let k = TestKernel::new();
    for sig in [Signal::TERM, Signal::INT, Signal::HUP, Signal::KILL] {
        let parent = Parent::new(&k).await;
        let a = parent.child(sleeper()).await;
        let b = parent.child(sleeper()).await;
        let _guard = KillOnDrop::new(&[pid_of(&a), pid_of(&b)]);
        k.signal(parent.job.id(), sig).unwrap();
        for child in [&a, &b] {
            assert_eq!(
                finished(child).await,
                JobState::Signaled {
                    signal: sig,
                    core_dumped: false
                },
                "{sig:?}"
            );
        }
        assert_eq!(
            finished(&parent.job).await.exit_status(),
            Some(128 + sig.number()),
            "{sig:?}"
        );
        assert!(parent.ctx.cancel.is_cancelled());
    }
}

#[tokio::test]
async fn terminate_cascades_to_a_child_that_ignores_term() {
    let k = TestKernel::new();
    let parent = Parent::new(&k).await;
    let child = parent.child(fixture_job("term_ignorer.sh", &[])).await;
    let pid = pid_of(&child);
    let _guard = KillOnDrop::new(&[pid]);
    until("the TERM-ignorer's trap", || {
        child.stdout().snapshot().data.as_ref() == b"ready\n"
    })
    .await;
    // Stopped first: terminate continues the children too.
    k.signal(parent.job.id(), Signal::STOP).unwrap();
    until("the child is stopped", || proc_state(pid) == Some('T')).await;
    let info = within(
        "terminate",
        k.terminate(parent.job.id(), Duration::from_millis(300)),
    )
    .await
    .unwrap();
    assert!(info.state.is_finished());
    assert_eq!(
        child.state(),
        JobState::Signaled {
            signal: Signal::KILL,
            core_dumped: false
        }
    );
    assert!(!alive(pid));
}

#[tokio::test]
async fn a_finished_future_takes_no_more_children() {
    let k = TestKernel::new();
    let parent = Parent::new(&k).await;
    parent.job.cancel().unwrap();
    finished(&parent.job).await;
    assert!(matches!(
        parent.ctx.spawn_process(sleeper()),
        Err(Error::JobFinished(id)) if id == parent.job.id()
    ));
    assert!(matches!(
        k.spawn_process(sleeper().options(JobOptions::new().parent(corral_kernel::JobId(999)))),
        Err(Error::NoSuchJob(_))
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_kernel_leaves_no_child_of_a_future_job() {
    let k = Kernel::with_config(KernelConfig::default().drop_grace(Duration::from_millis(200)))
        .unwrap();
    let parent = Parent::new(&k).await;
    let a = parent.child(sleeper()).await;
    let b = parent.child(fixture_job("term_ignorer.sh", &[])).await;
    let pids = [pid_of(&a), pid_of(&b)];
    let _guard = KillOnDrop::new(&pids);
    until("the TERM-ignorer's trap", || {
        b.stdout().snapshot().data.as_ref() == b"ready\n"
    })
    .await;
    tokio::task::block_in_place(move || drop(k));
    for pid in pids {
        assert!(!alive(pid), "{pid} outlived the kernel");
    }
    drop(parent);
}

#[tokio::test]
async fn shutdown_leaves_no_child_of_a_future_job() {
    let k = TestKernel::new();
    let parent = Parent::new(&k).await;
    let a = parent.child(fixture_job("term_ignorer.sh", &[])).await;
    let pid = pid_of(&a);
    let _guard = KillOnDrop::new(&[pid]);
    until("the TERM-ignorer's trap", || {
        a.stdout().snapshot().data.as_ref() == b"ready\n"
    })
    .await;
    within("shutdown", k.shutdown(Duration::from_millis(200))).await;
    assert!(!alive(pid));
    assert!(parent.job.state().is_finished());
}

#[tokio::test]
async fn signals_reach_through_nested_future_jobs() {
    let k = TestKernel::new();
    let (tx, rx) = oneshot::channel();
    let outer = k
        .spawn_future("( ( sleep ) )", JobOptions::new(), move |ctx| async move {
            let (itx, irx) = oneshot::channel();
            let inner = ctx
                .spawn_future("( sleep )", JobOptions::new(), move |ictx| async move {
                    let child = ictx.spawn_process(sleeper()).unwrap();
                    let _ = itx.send(child.clone());
                    child.wait().await.state.exit_status().unwrap_or(1)
                })
                .unwrap();
            let _ = tx.send((inner.clone(), irx.await.unwrap()));
            inner.wait().await.state.exit_status().unwrap_or(1)
        })
        .unwrap();
    let (inner, child) = within("the nested jobs", rx).await.unwrap();
    let pid = pid_of(&child);
    let _guard = KillOnDrop::new(&[pid]);
    assert_eq!(inner.info().parent(), Some(outer.id()));
    assert_eq!(inner.number(), None);
    until("the child sleeps", || proc_state(pid) == Some('S')).await;
    k.signal(outer.id(), Signal::TSTP).unwrap();
    assert!(inner.state().is_stopped());
    until("the grandchild is stopped", || proc_state(pid) == Some('T')).await;
    k.signal(outer.id(), Signal::CONT).unwrap();
    assert_eq!(inner.state(), JobState::Running);
    until("the grandchild sleeps again", || {
        proc_state(pid) == Some('S')
    })
    .await;
    k.signal(outer.id(), Signal::TERM).unwrap();
    assert!(finished(&child).await.is_finished());
    assert_eq!(
        finished(&outer).await.exit_status(),
        Some(128 + Signal::TERM.number())
    );
}
