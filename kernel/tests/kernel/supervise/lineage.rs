//! Lineage (parents, children, subtrees, orphan policy) and spawn limits.

use std::time::Duration;

use corral_kernel::{Error, Job, JobId, JobOptions, Kernel, KernelConfig, OrphanPolicy};

use crate::util::*;

fn under(parent: &Job) -> JobOptions {
    JobOptions::new().parent(parent.id())
}

fn pid(job: &Job) -> u32 {
    u32::from(job.pids()[0])
}

#[tokio::test]
async fn children_subtree_and_remove_subtree() {
    let k = TestKernel::new();
    let root = k.spawn_process(sleeper()).unwrap();
    let a = k.spawn_process(sleeper().options(under(&root))).unwrap();
    let b = k.spawn_process(sleeper().options(under(&a))).unwrap();
    let c = k.spawn_process(sleeper().options(under(&root))).unwrap();
    let _guard = KillOnDrop::new(&[pid(&root), pid(&a), pid(&b), pid(&c)]);
    assert_eq!(a.info().parent(), Some(root.id()));
    assert_eq!(b.info().parent(), Some(a.id()));
    assert!(a.number().is_some(), "a parent alone hides nothing");
    assert_eq!(k.children(root.id()).unwrap(), vec![a.id(), c.id()]);
    let mut sub = k.subtree(root.id()).unwrap();
    sub.sort();
    assert_eq!(sub, vec![a.id(), b.id(), c.id()]);
    assert!(k.children(b.id()).unwrap().is_empty());
    assert!(matches!(k.children(JobId(999)), Err(Error::NoSuchJob(_))));
    assert!(matches!(
        k.remove_subtree(root.id()),
        Err(Error::StillRunning(_))
    ));
    for j in [&root, &a, &b, &c] {
        within("terminate", k.terminate(j.id(), Duration::from_secs(1)))
            .await
            .unwrap();
    }
    let mut removed = k.remove_subtree(root.id()).unwrap();
    assert_eq!(removed.len(), 4);
    assert_eq!(removed.last(), Some(&root.id()), "children go first");
    removed.sort();
    assert_eq!(removed, vec![root.id(), a.id(), b.id(), c.id()]);
    assert!(k.job(root.id()).is_err() && k.job(b.id()).is_err());
}

#[tokio::test]
async fn terminate_cascades_or_leaves_the_subtree_by_policy() {
    let k = TestKernel::new();
    let root = k
        .spawn_process(sleeper().options(JobOptions::new().orphans(OrphanPolicy::Cascade)))
        .unwrap();
    let a = k.spawn_process(sleeper().options(under(&root))).unwrap();
    let b = k
        .spawn_process(fixture_job("term_ignorer.sh", &[]).options(under(&a)))
        .unwrap();
    let left_root = k.spawn_process(sleeper()).unwrap();
    let left = k
        .spawn_process(sleeper().options(under(&left_root)))
        .unwrap();
    let _guard = KillOnDrop::new(&[pid(&root), pid(&a), pid(&b), pid(&left_root), pid(&left)]);
    until("the TERM-ignorer's trap", || {
        b.stdout().snapshot().data.as_ref() == b"ready\n"
    })
    .await;
    assert_eq!(root.info().orphans(), OrphanPolicy::Cascade);
    within(
        "terminate",
        k.terminate(root.id(), Duration::from_millis(200)),
    )
    .await
    .unwrap();
    finished(&a).await;
    finished(&b).await;
    assert!(!alive(pid(&b)));

    within(
        "terminate",
        k.terminate(left_root.id(), Duration::from_millis(200)),
    )
    .await
    .unwrap();
    assert!(!left.state().is_finished(), "Leave keeps the child running");
    assert!(alive(pid(&left)));
}

#[tokio::test]
async fn depth_children_and_descendant_limits_start_nothing() {
    let k = TestKernel::with(
        KernelConfig::default()
            .max_depth(2)
            .max_children(2)
            .max_descendants(3),
    );
    let root = k.spawn_process(sleeper()).unwrap();
    let a = k.spawn_process(sleeper().options(under(&root))).unwrap();
    let b = k.spawn_process(sleeper().options(under(&a))).unwrap();
    let mut guard = KillOnDrop::new(&[pid(&root), pid(&a), pid(&b)]);
    let ids = k.job_ids();
    let marker = "corral-limit-marker-7781";
    let refused = || sh(&format!("exec sleep 1000 {marker}"));

    assert!(matches!(
        k.spawn_process(refused().options(under(&b))),
        Err(Error::DepthLimit { parent, limit: 2 }) if parent == b.id()
    ));
    let c = k.spawn_process(sleeper().options(under(&root))).unwrap();
    guard.push(pid(&c));
    assert!(matches!(
        k.spawn_process(refused().options(under(&root))),
        Err(Error::ChildrenLimit { parent, limit: 2 }) if parent == root.id()
    ));
    // root has a, b, c below it: a's second child would be root's fourth.
    assert!(matches!(
        k.spawn_process(refused().options(under(&a))),
        Err(Error::DescendantsLimit { ancestor, limit: 3 }) if ancestor == root.id()
    ));
    let mut now = k.job_ids();
    now.retain(|id| !ids.contains(id));
    assert_eq!(now, vec![c.id()], "refusals entered nothing in the table");
    assert!(
        processes_with_arg(marker).is_empty(),
        "refusals started nothing"
    );

    // A finished child no longer counts.
    within("terminate", k.terminate(c.id(), Duration::from_secs(1)))
        .await
        .unwrap();
    let d = k.spawn_process(sleeper().options(under(&root))).unwrap();
    guard.push(pid(&d));
}

/// Paused time: the window of the spawn rate passes at once.
#[tokio::test(start_paused = true)]
async fn the_spawn_rate_is_per_parent_and_window() {
    let k =
        Kernel::with_config(KernelConfig::default().spawn_rate(2, Duration::from_secs(1))).unwrap();
    let idle = |k: &Kernel, opts: JobOptions| {
        k.spawn_future("idle", opts, |ctx| async move {
            ctx.cancel.cancelled().await;
            0
        })
    };
    let p = idle(&k, JobOptions::new()).unwrap();
    let q = idle(&k, JobOptions::new()).unwrap();
    idle(&k, under(&p)).unwrap();
    idle(&k, under(&p)).unwrap();
    assert!(matches!(
        idle(&k, under(&p)),
        Err(Error::SpawnRate { parent, count: 2, .. }) if parent == p.id()
    ));
    idle(&k, under(&q)).unwrap();
    tokio::time::advance(Duration::from_secs(1)).await;
    idle(&k, under(&p)).unwrap();
    k.shutdown(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn a_parent_must_be_live() {
    let k = TestKernel::new();
    let done = k.spawn_process(sh("exit 0")).unwrap();
    finished(&done).await;
    let marker = "corral-dead-parent-4411";
    assert!(matches!(
        k.spawn_process(sh(&format!("exec sleep 1000 {marker}")).options(under(&done))),
        Err(Error::JobFinished(id)) if id == done.id()
    ));
    assert!(processes_with_arg(marker).is_empty());
}
