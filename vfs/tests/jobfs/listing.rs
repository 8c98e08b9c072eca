//! Listing: the mount table's futures, `/v/jobs` and a job's directory.

use corral_kernel::JobOptions;
use corral_vfs::{FileKind, WriteMode};

use crate::helpers::*;

/// The table's futures can be spawned: an embedder reads from any task.
#[test]
fn mount_table_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    let vfs = corral_vfs::MountTable::empty();
    send(&vfs);
    send(&vfs.read("/"));
    send(&vfs.read_at("/", 0, 1));
    send(&vfs.follow("/", 0));
    send(&vfs.list("/"));
    send(&vfs.stat("/"));
    send(&vfs.write("/", b"", WriteMode::Append));
}

#[tokio::test]
async fn root_lists_job_ids_in_numeric_order() {
    let env = Env::new();
    assert!(env.names("/v/jobs").await.is_empty());
    for i in 0..12 {
        env.future(&format!("j{i}"), Vec::new(), 0, JobOptions::default());
    }
    let want: Vec<String> = (1..=12).map(|i| i.to_string()).collect();
    let entries = env.vfs.list("/v/jobs").await.unwrap();
    assert_eq!(
        entries.iter().map(|e| e.name.clone()).collect::<Vec<_>>(),
        want
    );
    assert!(entries.iter().all(|e| e.kind == FileKind::Dir));
    // The same through a trailing slash and a detour.
    assert_eq!(env.names("/v/jobs/").await, want);
    assert_eq!(env.names("/v/jobs/3/..").await, want);
    env.finish().await;
}

#[tokio::test]
async fn job_directory_holds_the_seven_files() {
    let env = Env::new();
    env.future("x", Vec::new(), 0, JobOptions::default());
    let entries = env.vfs.list("/v/jobs/1").await.unwrap();
    let names: Vec<_> = entries.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        ["stdout", "stderr", "status", "command", "pid", "info", "ctl"]
    );
    assert!(entries.iter().all(|e| e.kind == FileKind::File));
    assert!(env.vfs.stat("/v/jobs/1").await.unwrap().is_dir());
    assert!(env.vfs.stat("/v/jobs").await.unwrap().is_dir());
    assert!(env.vfs.stat("/v").await.unwrap().is_dir());
    assert_eq!(env.names("/v").await, ["jobs"]);
    assert!(env.names("/").await.contains(&"v".to_string()));
    env.finish().await;
}
