//! Captured stdout through a pseudo-terminal (`ProcessSpec::stdout_pty`):
//! the program sees a terminal, the ring gets its bytes unchanged and all
//! of them, stderr keeps its own pipe and ring.

use corral_kernel::{JobOptions, JobState};

use crate::util::*;

#[tokio::test]
async fn stdout_is_a_terminal_of_the_given_size_and_stderr_a_pipe() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            sh("[ -t 1 ] && echo tty; [ -t 2 ] || echo pipe >&2; stty size <&1").stdout_pty(31, 97),
        )
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    assert_eq!(&job.stdout().snapshot().data[..], b"tty\n31 97\n");
    assert_eq!(&job.stderr().snapshot().data[..], b"pipe\n");
}

#[tokio::test]
async fn everything_written_to_the_pty_reaches_the_ring_byte_exact() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            sh("seq 1 200000; printf 'no newline\\r\\tend'")
                .stdout_pty(24, 80)
                .options(JobOptions::new().output_cap(8 << 20)),
        )
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let mut want = Vec::new();
    for i in 1..=200_000 {
        want.extend_from_slice(format!("{i}\n").as_bytes());
    }
    want.extend_from_slice(b"no newline\r\tend");
    let got = job.stdout().snapshot().data;
    assert_eq!(got.len(), want.len());
    assert!(
        got[..] == want[..],
        "the ring differs from what was written"
    );
}

#[tokio::test]
async fn a_new_window_size_reaches_the_job_with_sigwinch() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            sh("trap 'stty size <&1; kill $!; exit 0' WINCH; sleep 100 & echo ready; wait")
                .stdout_pty(24, 80),
        )
        .unwrap();
    let mut follow = job.stdout().follow(0);
    let first = within("ready", follow.next_chunk()).await.unwrap();
    assert_eq!(&first.data[..], b"ready\n");
    assert!(job.set_window_size(50, 132).unwrap());
    assert_eq!(finished(&job).await, JobState::Exited(0));
    assert_eq!(&job.stdout().snapshot().data[..], b"ready\n50 132\n");
}

#[tokio::test]
async fn a_job_without_a_pty_has_no_window_size() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh("exit 0")).unwrap();
    assert!(!job.set_window_size(50, 132).unwrap());
    assert_eq!(finished(&job).await, JobState::Exited(0));
}
