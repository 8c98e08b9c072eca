//! A job's context in its info: the directory and the environment it was
//! given on top of the embedder's, which the process really ran with.

use corral_kernel::JobState;

use crate::util::*;

#[tokio::test]
async fn info_shows_the_cwd_and_environment_the_process_ran_with() {
    let k = TestKernel::new();
    let dir = std::env::temp_dir().canonicalize().unwrap();
    let spec = sh("echo \"$GREETING-${HOME-unset}\"; pwd -P")
        .cwd(&dir)
        .env("GREETING", "hi")
        .env_remove("HOME");
    let job = k.spawn_process(spec).unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let out = job.stdout().snapshot().data;
    assert_eq!(
        String::from_utf8_lossy(&out),
        format!("hi-unset\n{}\n", dir.display())
    );
    let info = job.info();
    assert_eq!(info.cwd(), Some(dir.as_path()));
    assert_eq!(
        info.env(),
        [
            ("GREETING".to_string(), Some("hi".to_string())),
            ("HOME".to_string(), None),
        ]
    );
    assert!(!info.env_clear());

    // An empty environment: only what was given reaches the process.
    let clean = sh("echo \"${GREETING-unset} ${HOME-nohome}\"")
        .env_clear()
        .env("GREETING", "only");
    let clean = k.spawn_process(clean).unwrap();
    assert_eq!(finished(&clean).await, JobState::Exited(0));
    assert_eq!(&clean.stdout().snapshot().data[..], b"only nohome\n");
    let info = clean.info();
    assert!(info.env_clear());
    assert_eq!(info.cwd(), None);

    // A job given nothing shows nothing.
    let plain = k.spawn_process(sh("exit 0")).unwrap();
    finished(&plain).await;
    let info = plain.info();
    assert_eq!(
        (info.cwd(), info.env().len(), info.env_clear()),
        (None, 0, false)
    );
}
