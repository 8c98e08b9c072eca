//! Mounts: an embedder's filesystem beside the defaults, and the host
//! passthrough.

use std::io::ErrorKind;
use std::os::unix::fs::symlink;

use corral_kernel::JobOptions;
use corral_vfs::{FileKind, MountDir, PathError, WriteMode};
use tokio::io::AsyncReadExt;

use crate::helpers::*;

#[tokio::test]
async fn an_embedder_mount_works_beside_the_defaults() {
    let env = Env::new();
    let job = env.future("x", b"job out".to_vec(), 0, JobOptions::default());
    // Its output is read below: all of it is there once it has finished.
    within("future", job.wait()).await;
    let mem = MemFs::new(&[("hello", "hi\n"), ("bye", "ciao\n")]);
    assert!(env.vfs.mount("/v/mem", mem).unwrap().is_none());
    env.vfs
        .mount("/data//", MemFs::new(&[("x", "data x")]))
        .unwrap();

    assert_eq!(env.read_str("/v/mem/hello").await, "hi\n");
    assert_eq!(env.read_str("/v/mem/../mem/bye").await, "ciao\n");
    assert_eq!(env.read_str("/data/x").await, "data x");
    assert_eq!(env.names("/v/mem").await, ["bye", "hello"]);
    assert_eq!(env.names("/v").await, ["jobs", "mem"]);
    let root = env.names("/").await;
    assert!(
        root.contains(&"v".into()) && root.contains(&"data".into()),
        "{root:?}"
    );
    let e = env.vfs.read("/v/mem/nope").await.unwrap_err();
    assert_err(&e, ErrorKind::NotFound, "/v/mem/nope: no such memory file");
    let e = env
        .vfs
        .write("/v/mem/hello", b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_err(
        &e,
        ErrorKind::PermissionDenied,
        "/v/mem/hello: read-only file",
    );
    // Default follow of an embedder file: its content, then the end.
    let mut f = env.vfs.follow("/v/mem/hello", 1).await.unwrap();
    assert_eq!(&f.next_chunk().await.unwrap().unwrap().data[..], b"i\n");
    assert!(f.next_chunk().await.unwrap().is_none());
    // The defaults are untouched.
    assert_eq!(env.read_str("/v/jobs/1/stdout").await, "job out");
    assert_eq!(env.vfs.mounts(), ["/", "/data", "/v", "/v/jobs", "/v/mem"]);

    // Mount points deeper than one level make their parents directories.
    env.vfs
        .mount("/v/a/b", MemFs::new(&[("f", "deep")]))
        .unwrap();
    assert_eq!(env.names("/v").await, ["a", "jobs", "mem"]);
    assert_eq!(env.names("/v/a").await, ["b"]);
    assert!(env.vfs.stat("/v/a").await.unwrap().is_dir());
    assert_eq!(
        env.vfs.read("/v/a").await.unwrap_err().kind(),
        ErrorKind::IsADirectory
    );
    assert_eq!(env.read_str("/v/a/b/f").await, "deep");

    // Unmounting: the path falls back to what is beneath.
    env.vfs.unmount("/v/mem").unwrap();
    let e = env.vfs.read("/v/mem/hello").await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotFound,
        "/v/mem/hello: no such file or directory",
    );
    assert_eq!(
        env.vfs.unmount("/v/mem").err().map(|e| e.kind()),
        Some(ErrorKind::NotFound)
    );
    assert_eq!(
        env.vfs.mount("relative", MountDir).err().map(|e| e.kind()),
        Some(ErrorKind::InvalidInput)
    );
    // Replacing a mount returns the old one.
    assert!(env.vfs.mount("/data", MountDir).unwrap().is_some());
    assert!(env.names("/data").await.is_empty());
    env.finish().await;
}

#[tokio::test]
async fn host_passthrough_reads_lists_stats_and_writes_real_files() {
    let env = Env::new();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap().to_string();
    let f = format!("{dir}/f.txt");
    let vfs = &env.vfs;

    vfs.write(&f, b"hello\n", WriteMode::Truncate)
        .await
        .unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), b"hello\n");
    vfs.write(&f, b"world\n", WriteMode::Append).await.unwrap();
    assert_eq!(env.read_str(&f).await, "hello\nworld\n");
    let m = vfs.stat(&f).await.unwrap();
    assert_eq!((m.kind, m.len, m.writable), (FileKind::File, 12, true));
    assert!(m.modified.is_some());

    let c = vfs.read_at(&f, 6, 3).await.unwrap();
    assert_eq!((c.offset, c.missed, &c.data[..]), (6, 0, &b"wor"[..]));
    assert!(vfs.read_at(&f, 100, 3).await.unwrap().data.is_empty());

    let binary: Vec<u8> = (0..=255u8).collect();
    vfs.write(&format!("{dir}/bin"), &binary, WriteMode::Truncate)
        .await
        .unwrap();
    assert_eq!(env.read(&format!("{dir}/bin")).await, binary);

    std::fs::create_dir(format!("{dir}/sub")).unwrap();
    symlink(format!("{dir}/sub"), format!("{dir}/link")).unwrap();
    symlink(format!("{dir}/gone"), format!("{dir}/dangling")).unwrap();
    let entries = vfs.list(&dir).await.unwrap();
    let got: Vec<(&str, FileKind)> = entries.iter().map(|e| (e.name.as_str(), e.kind)).collect();
    assert_eq!(
        got,
        [
            ("bin", FileKind::File),
            ("dangling", FileKind::Other),
            ("f.txt", FileKind::File),
            ("link", FileKind::Dir),
            ("sub", FileKind::Dir),
        ]
    );
    assert!(vfs.stat(&format!("{dir}/sub")).await.unwrap().is_dir());
    assert_eq!(
        env.read_str(&format!("{dir}/sub/../f.txt")).await,
        "hello\nworld\n"
    );
    assert_eq!(vfs.host_path(&f).unwrap(), Some(f.clone().into()));

    let missing = format!("{dir}/missing");
    let e = vfs.read(&missing).await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotFound,
        &format!("{missing}: No such file or directory"),
    );
    let e = vfs.stat(&missing).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);
    assert_names(&e, &missing);
    let e = vfs.read(&format!("{dir}/sub")).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::IsADirectory);
    assert_eq!(PathError::of(&e).unwrap().path(), format!("{dir}/sub"));
    let e = vfs.list(&f).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotADirectory);
    let e = vfs.read(&format!("{f}/")).await.unwrap_err();
    assert_err(
        &e,
        ErrorKind::NotADirectory,
        &format!("{f}/: not a directory"),
    );
    let e = vfs
        .write(&format!("{dir}/nodir/x"), b"x", WriteMode::Truncate)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound);

    // Following a host file reads it to its end, then ends.
    let mut follow = vfs.follow(&f, 0).await.unwrap();
    let mut all = Vec::new();
    while let Some(c) = within("host follow", follow.next_chunk()).await.unwrap() {
        assert_eq!(c.offset, all.len() as u64);
        all.extend_from_slice(&c.data);
    }
    assert_eq!(all, b"hello\nworld\n");
    let mut rest = Vec::new();
    vfs.follow(&f, 6)
        .await
        .unwrap()
        .read_to_end(&mut rest)
        .await
        .unwrap();
    assert_eq!(rest, b"world\n");
    assert_eq!(
        vfs.follow(&format!("{dir}/sub"), 0)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::IsADirectory
    );
    env.finish().await;
}
