//! Owners, labels and scopes.

use std::time::Duration;

use corral_kernel::{Error, JobEvent, JobOptions, Signal, StopCause};

use crate::util::*;

#[tokio::test]
async fn a_scope_sees_and_touches_only_its_owners_jobs() {
    let k = TestKernel::new();
    let a = k.scope("agent-a");
    let b = k.scope("agent-b");
    let ja = a
        .spawn_process(sleeper().options(JobOptions::new().label("tool", "grep")))
        .unwrap();
    let jb = b.spawn_process(sleeper()).unwrap();
    let free = k.spawn_process(sleeper()).unwrap();
    let _guard = KillOnDrop::new(&[
        u32::from(ja.pids()[0]),
        u32::from(jb.pids()[0]),
        u32::from(free.pids()[0]),
    ]);

    let info = ja.info();
    assert_eq!(info.owner(), Some("agent-a"));
    assert_eq!(info.labels().get("tool").map(String::as_str), Some("grep"));
    assert_eq!(
        a.list().iter().map(|i| i.id).collect::<Vec<_>>(),
        vec![ja.id()]
    );
    assert_eq!(a.jobs_labelled("tool", "grep").len(), 1);
    assert!(b.jobs_labelled("tool", "grep").is_empty());
    assert_eq!(k.jobs_labelled("tool", "grep")[0].id(), ja.id());

    // Another owner's job, and a job with no owner: Forbidden, untouched.
    for id in [jb.id(), free.id()] {
        assert!(
            matches!(a.signal(id, Signal::KILL), Err(Error::Forbidden { job, .. }) if job == id)
        );
        assert!(matches!(a.remove(id), Err(Error::Forbidden { .. })));
        assert!(matches!(a.job(id), Err(Error::Forbidden { .. })));
        assert!(matches!(
            a.terminate(id, Duration::ZERO).await,
            Err(Error::Forbidden { .. })
        ));
        assert!(matches!(a.wait(id).await, Err(Error::Forbidden { .. })));
    }
    assert!(matches!(
        a.wait_any(&[ja.id(), jb.id()]).await,
        Err(Error::Forbidden { .. })
    ));
    assert!(matches!(
        a.spawn_process(sleeper().options(JobOptions::new().parent(jb.id()))),
        Err(Error::Forbidden { .. })
    ));
    assert!(!jb.state().is_finished() && !free.state().is_finished());
    assert_eq!(proc_state(jb.pids()[0]).map(|c| c != 'T'), Some(true));

    a.signal(ja.id(), Signal::TERM).unwrap();
    let done = within("a's job", a.wait(ja.id())).await.unwrap();
    assert!(done.state.is_finished());
    a.remove(ja.id()).unwrap();
    assert!(a.list().is_empty());
    assert!(!jb.state().is_finished());
}

#[tokio::test]
async fn terminate_all_counts_the_jobs_it_hit_and_is_idempotent() {
    let k = TestKernel::new();
    let a = k.scope("a");
    let b = k.scope("b");
    let jobs: Vec<_> = (0..3)
        .map(|_| a.spawn_process(sleeper()).unwrap())
        .collect();
    let ignorer = a
        .spawn_process(fixture_job("term_ignorer.sh", &[]))
        .unwrap();
    let other = b.spawn_process(sleeper()).unwrap();
    let mut pids: Vec<u32> = jobs.iter().map(|j| u32::from(j.pids()[0])).collect();
    pids.push(u32::from(ignorer.pids()[0]));
    pids.push(u32::from(other.pids()[0]));
    let _guard = KillOnDrop::new(&pids);
    until("the TERM-ignorer's trap", || {
        ignorer.stdout().snapshot().data.as_ref() == b"ready\n"
    })
    .await;
    // A finished job of the owner is not hit.
    let done = a.spawn_process(sh("true")).unwrap();
    finished(&done).await;

    let hit = within("terminate_all", a.terminate_all(Duration::from_millis(200))).await;
    assert_eq!(hit, 4);
    for j in jobs.iter().chain([&ignorer]) {
        assert!(j.state().is_finished());
        assert_eq!(j.info().stop_cause(), Some(StopCause::Embedder));
    }
    assert!(!other.state().is_finished(), "b's job untouched");
    assert_eq!(
        within("again", a.terminate_all(Duration::from_millis(200))).await,
        0
    );
}

#[tokio::test]
async fn events_filter_by_owner() {
    let k = TestKernel::new();
    let a = k.scope("a");
    let b = k.scope("b");
    let mut only_a = a.subscribe();
    let mut also_a = k.subscribe().owned_by("a");
    let mut all = k.subscribe();
    let jb = b.spawn_process(sh("exit 3")).unwrap();
    finished(&jb).await;
    let ja = a.spawn_process(sh("exit 4")).unwrap();
    finished(&ja).await;
    k.remove(ja.id()).unwrap();
    for events in [&mut only_a, &mut also_a] {
        let mut seen = Vec::new();
        while let Some(e) = events.try_recv().unwrap() {
            seen.push(e);
        }
        assert!(seen.iter().all(|e| e.job() == ja.id()), "{seen:?}");
        assert!(seen.contains(&JobEvent::Spawned(ja.id())));
        assert!(seen.contains(&JobEvent::Removed(ja.id())));
        assert!(seen.iter().any(
            |e| matches!(e, JobEvent::Exited(id, s) if *id == ja.id() && s.exit_status() == Some(4))
        ));
    }
    let mut ids = Vec::new();
    while let Some(e) = all.try_recv().unwrap() {
        ids.push(e.job());
    }
    assert!(ids.contains(&jb.id()) && ids.contains(&ja.id()));
}

#[tokio::test]
async fn a_future_jobs_children_inherit_its_owner() {
    let k = TestKernel::new();
    let a = k.scope("a");
    let (tx, rx) = tokio::sync::oneshot::channel();
    let fut = a
        .spawn_future("f", JobOptions::new(), move |ctx| async move {
            let child = ctx.spawn_process(sh("exit 0")).unwrap();
            let _ = tx.send(child.clone());
            child.wait().await.state.exit_status().unwrap_or(1)
        })
        .unwrap();
    let child = within("child", rx).await.unwrap();
    assert_eq!(child.info().owner(), Some("a"));
    assert!(a.job(child.id()).is_ok());
    assert_eq!(finished(&fut).await.exit_status(), Some(0));
}
