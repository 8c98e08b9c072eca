use std::os::unix::fs::PermissionsExt;

use corral_kernel::{Cmd, Error, Io, JobState, ProcessSpec};

use crate::util::*;

#[tokio::test]
async fn command_not_found_and_not_executable() {
    let k = TestKernel::new();
    let err = k
        .spawn_process(ProcessSpec::command(Cmd::new("no-such-command-xyz")))
        .unwrap_err();
    assert!(matches!(&err, Error::CommandNotFound { command } if command == "no-such-command-xyz"));
    assert_eq!(err.to_string(), "no-such-command-xyz: command not found");

    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("noexec.sh");
    std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = k
        .spawn_process(ProcessSpec::command(Cmd::new(script.to_str().unwrap())))
        .unwrap_err();
    assert!(matches!(err, Error::PermissionDenied { .. }), "{err}");

    // A missing member in a pipeline starts nothing at all.
    let err = k
        .spawn_process(
            ProcessSpec::new("sleep 1000 | nope-nope")
                .pipe(Cmd::new("sleep").arg("1000"))
                .pipe(Cmd::new("nope-nope")),
        )
        .unwrap_err();
    assert!(matches!(err, Error::CommandNotFound { .. }));
    assert!(k.job_ids().is_empty());
    // And the kernel keeps working.
    let ok = k.spawn_process(sh("echo fine")).unwrap();
    assert_eq!(finished(&ok).await, JobState::Exited(0));
}

#[tokio::test]
async fn cwd_env_and_bad_directory() {
    let k = TestKernel::new();
    let dir = tempfile::tempdir().unwrap();
    let job = k
        .spawn_process(
            sh("pwd; echo $GREETING")
                .cwd(dir.path())
                .env("GREETING", "hi"),
        )
        .unwrap();
    finished(&job).await;
    let want = format!("{}\nhi\n", dir.path().canonicalize().unwrap().display());
    assert_eq!(String::from_utf8_lossy(&job.stdout().snapshot().data), want);

    let err = k.spawn_process(sh("true").cwd("/no/such/dir")).unwrap_err();
    assert!(matches!(err, Error::BadDirectory { .. }), "{err}");
}

#[tokio::test]
async fn pipeline_status_is_the_last_members_and_all_share_a_group() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            ProcessSpec::new("printf 'b\\na\\n' | sort | false")
                .pipe(Cmd::new("printf").arg("b\\na\\n"))
                .pipe(Cmd::new("sort"))
                .pipe(Cmd::new("sh").arg("-c").arg("cat; exit 5")),
        )
        .unwrap();
    let pids = job.pids();
    assert_eq!(pids.len(), 3);
    assert_eq!(job.pgid(), Some(pids[0]));
    assert_eq!(finished(&job).await, JobState::Exited(5));
    assert_eq!(&job.stdout().snapshot().data[..], b"a\nb\n");
}

#[tokio::test]
async fn redirections_per_member() {
    let k = TestKernel::new();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.txt");
    let file = std::fs::File::create(&out).unwrap();
    let job = k
        .spawn_process(
            ProcessSpec::new("sh -c 'echo o; echo e >&2' 2>&1 > out.txt").pipe(
                Cmd::new("sh")
                    .arg("-c")
                    .arg("echo o; echo e >&2")
                    .stdout(Io::File(file))
                    .stderr(Io::ToStdout),
            ),
        )
        .unwrap();
    finished(&job).await;
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "o\ne\n");
    assert!(job.stdout().snapshot().data.is_empty());
    assert!(job.stderr().snapshot().data.is_empty());
}

#[tokio::test]
async fn background_stdin_is_dev_null() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh("cat; echo done")).unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    assert_eq!(&job.stdout().snapshot().data[..], b"done\n");
}

/// Children start with the default action for the job-control signals even
/// when the embedder ignores them (an ignored disposition survives exec).
#[test]
fn children_start_with_default_job_control_signals() {
    if std::env::var_os("CORRAL_CHILD_IGNORES").is_none() {
        // Ignoring is process-wide: check it in a copy of this test binary.
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "spawning::children_start_with_default_job_control_signals",
                "--exact",
                "--test-threads=1",
            ])
            .env("CORRAL_CHILD_IGNORES", "1")
            .status()
            .unwrap();
        assert!(status.success());
        return;
    }
    // SAFETY: SIG_IGN is a valid disposition for SIGINT; nothing else runs in
    // this copy of the test binary.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let k = TestKernel::new();
        let job = k
            .spawn_process(ProcessSpec::command(
                Cmd::new("sh")
                    .arg("-c")
                    .arg("grep -E '^SigIgn' /proc/self/status"),
            ))
            .unwrap();
        finished(&job).await;
        let line = String::from_utf8_lossy(&job.stdout().snapshot().data).into_owned();
        let mask = u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap();
        assert_eq!(
            mask & (1 << (libc::SIGINT - 1)),
            0,
            "SIGINT ignored in the child: {line}"
        );
    });
}
