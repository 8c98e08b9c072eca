//! Errors (their kinds and the paths they name), read-only files, path
//! normalisation and finished jobs.

use std::io::ErrorKind;

use corral_kernel::{JobId, JobOptions, JobState, KernelConfig};
use corral_vfs::WriteMode;

use crate::helpers::*;

#[tokio::test]
async fn errors_have_the_right_kind_and_name_the_path() {
    let env = Env::new();
    let job = env.future("x", b"x".to_vec(), 0, JobOptions::default());
    within("future", job.wait()).await;
    let vfs = &env.vfs;
    let read = |p: &'static str| {
        let vfs = vfs.clone();
        async move { vfs.read(p).await.unwrap_err() }
    };

    let e = read("/v/jobs/99/status").await;
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/99/status: no such job");
    assert_names(&e, "/v/jobs/99/status");
    assert_err(
        &read("/v/jobs/abc").await,
        ErrorKind::NotFound,
        "/v/jobs/abc: no such job",
    );
    assert_err(
        &read("/v/jobs/01/status").await,
        ErrorKind::NotFound,
        "/v/jobs/01/status: no such job",
    );
    let e = vfs.stat("/v/jobs/99").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/99: no such job");
    let e = vfs.list("/v/jobs/99/").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/99/: no such job");

    let e = read("/v/jobs/1/nosuch").await;
    assert_err(
        &e,
        ErrorKind::NotFound,
        "/v/jobs/1/nosuch: no such file in job directory",
    );
    let e = read("/v/nosuch").await;
    assert_err(
        &e,
        ErrorKind::NotFound,
        "/v/nosuch: no such file or directory",
    );

    for dir in [
        "/v/jobs/1",
        "/v/jobs/1/",
        "/v/jobs",
        "/v",
        "/v/",
        "/",
        "//v/jobs/1/.",
    ] {
        let e = vfs.read(dir).await.unwrap_err();
        assert_err(
            &e,
            ErrorKind::IsADirectory,
            &format!("{dir}: is a directory"),
        );
        let e = vfs.follow(dir, 0).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::IsADirectory, "{dir}");
    }

    let e = read("/v/jobs/1/status/").await;
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        "/v/jobs/1/status/: not a directory",
    );
    let e = read("/v/jobs/1/status/x").await;
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        "/v/jobs/1/status/x: not a directory",
    );
    let e = vfs.list("/v/jobs/1/status").await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        "/v/jobs/1/status: not a directory",
    );
    let e = vfs.stat("/v/jobs/1/stdout/").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotADirectory);

    for p in ["v/jobs/1/status", "", "./x"] {
        let e = vfs.read(p).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidInput, "{p}");
        assert_names(&e, p);
    }
    assert_err(
        &read("v/jobs/1/status").await,
        ErrorKind::InvalidInput,
        "v/jobs/1/status: not an absolute path",
    );
    env.finish().await;
}

#[tokio::test]
async fn writes_to_read_only_files_are_refused() {
    let env = Env::new();
    let (job, tx) = env.lockstep(JobOptions::default());
    for f in ["stdout", "stderr", "status", "command", "pid", "info"] {
        let p = format!("/v/jobs/1/{f}");
        for mode in [WriteMode::Truncate, WriteMode::Append] {
            let e = env.vfs.write(&p, b"TERM", mode).await.unwrap_err();
            assert_err(
                &e,
                ErrorKind::PermissionDenied,
                &format!("{p}: read-only file"),
            );
        }
    }
    let e = env
        .vfs
        .write("/v/jobs/1", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(&e, ErrorKind::IsADirectory, "/v/jobs/1: is a directory");
    let e = env
        .vfs
        .write("/v/jobs", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IsADirectory);
    let e = env
        .vfs
        .write("/v/newfile", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PermissionDenied, "{e}");
    let e = env
        .vfs
        .write("/v/jobs/7/ctl", b"TERM", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/7/ctl: no such job");
    let e = env
        .vfs
        .write("/v/jobs/1/nosuch", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_eq!(job.state(), JobState::Running);
    assert_eq!(env.read("/v/jobs/1/stdout").await, b"");
    drop(tx);
    within("job end", job.wait()).await;
    env.finish().await;
}

#[tokio::test]
async fn paths_are_normalised_before_routing() {
    let env = Env::new();
    let one = env.future("one", b"1".to_vec(), 0, JobOptions::default());
    let two = env.future("two", b"2".to_vec(), 0, JobOptions::default());
    // Both finished before anything is read or removed: only a finished
    // job's record can be removed.
    within("one", one.wait()).await;
    within("two", two.wait()).await;
    for p in [
        "/v/jobs/1/../2/command",
        "//v///jobs/./2//command",
        "/../../v/jobs/2/command",
        "/v/jobs/1/../../jobs/2/command",
        "/v/./jobs/../jobs/2/./command",
    ] {
        assert_eq!(env.read_str(p).await, "two\n", "{p}");
    }
    assert_eq!(env.read_str("/v/jobs/2/../1/command").await, "one\n");
    // `..` above a mount goes to its parent in the namespace, and stops at `/`.
    assert_eq!(env.names("/v/jobs/1/../..").await, ["jobs"]);
    assert!(env
        .names("/v/jobs/../../..")
        .await
        .contains(&"v".to_string()));
    assert_eq!(
        env.vfs.host_path("/v/jobs/../../tmp").unwrap(),
        Some("/tmp".into())
    );
    assert_eq!(env.vfs.host_path("/v/jobs/1/stdout").unwrap(), None);
    // A removed job is gone, and its id is never reused.
    env.kernel.remove(JobId(1)).unwrap();
    let e = env.vfs.read("/v/jobs/1/command").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/jobs/1/command: no such job");
    assert_eq!(env.names("/v/jobs").await, ["2"]);
    env.finish().await;
}

#[tokio::test]
async fn finished_jobs_stay_readable_until_their_record_goes() {
    let env = Env::with_config({
        let mut config = KernelConfig::default();
        config.retention = 2;
        config
    });
    for i in 1..=3 {
        let job = env.future(
            &format!("j{i}"),
            format!("out {i}").into_bytes(),
            0,
            JobOptions::default(),
        );
        within("future", job.wait()).await;
    }
    assert_eq!(env.names("/v/jobs").await, ["2", "3"]);
    assert_eq!(env.read_str("/v/jobs/2/stdout").await, "out 2");
    assert_eq!(
        env.vfs.read("/v/jobs/1/stdout").await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
    env.finish().await;
}
