use corral_kernel::{JobOptions, JobState, KernelConfig};

use crate::util::*;

#[tokio::test]
async fn output_arrives_live_line_by_line() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(fixture_job("slow_printer.sh", &["3", "0.3"]))
        .unwrap();
    let mut follow = job.stdout().follow(0);
    let first = within("first line", follow.next_chunk()).await.unwrap();
    assert_eq!(&first.data[..], b"line 1\n");
    assert_eq!(
        job.state(),
        JobState::Running,
        "first line seen while running"
    );
    let mut rest = Vec::new();
    while let Some(c) = within("rest", follow.next_chunk()).await {
        rest.extend_from_slice(&c.data);
    }
    assert_eq!(rest, b"line 2\nline 3\n");
    assert_eq!(finished(&job).await, JobState::Exited(0));
}

#[tokio::test]
async fn binary_output_is_byte_exact() {
    let k = TestKernel::new();
    let job = k.spawn_process(fixture_job("bytes.sh", &[])).unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let want: Vec<u8> = (0..=255u8).collect();
    assert_eq!(&job.stdout().snapshot().data[..], &want[..]);
}

#[tokio::test]
async fn stdout_and_stderr_are_separate() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(sh("echo out; echo err >&2; exit 3"))
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(3));
    assert_eq!(&job.stdout().snapshot().data[..], b"out\n");
    assert_eq!(&job.stderr().snapshot().data[..], b"err\n");
}

/// Expected bytes of flood.sh from absolute offset `from` to `to`.
fn pattern(from: u64, to: u64) -> Vec<u8> {
    const LINE: &[u8] = b"0123456789abcdef\n";
    (from..to).map(|i| LINE[(i % 17) as usize]).collect()
}

#[tokio::test]
async fn flood_keeps_exactly_the_last_cap_bytes() {
    let total: u64 = 50_000_000;
    let cap = 1 << 20;
    let k = TestKernel::new();
    let job = k
        .spawn_process(fixture_job("flood.sh", &[&total.to_string()]))
        .unwrap();
    // A follower that never reads until the end falls behind and must learn how much.
    let mut late = job.stdout().follow(0);
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let stats = job.stdout().stats();
    assert_eq!(stats.written, total);
    assert_eq!(stats.held, cap as u64);
    assert_eq!(stats.dropped, total - cap as u64);
    let snap = job.stdout().snapshot();
    assert_eq!(snap.offset, total - cap as u64);
    assert!(snap.data[..] == pattern(total - cap as u64, total)[..]);

    let first = late.next_chunk().await.unwrap();
    assert_eq!(first.offset, total - cap as u64);
    assert_eq!(first.missed, total - cap as u64);
    let mut got = first.data.len() as u64;
    while let Some(c) = within("follow to end", late.next_chunk()).await {
        got += c.data.len() as u64;
    }
    assert_eq!(
        got, cap as u64,
        "follow ends when the job ends, after the held bytes"
    );
    assert_eq!(late.missed(), total - cap as u64);

    let from = job.stdout().read_from(10, 100);
    assert_eq!(from.missed, total - cap as u64 - 10);
}

#[tokio::test]
async fn per_job_cap_and_lossless_spill() {
    let mut config = KernelConfig::default();
    config.output_cap = 4096;
    let k = TestKernel::with(config);
    let spec = fixture_job("flood.sh", &["100000"])
        .options(JobOptions::new().output_cap(1000).lossless(true));
    let job = k.spawn_process(spec).unwrap();
    finished(&job).await;
    let stats = job.stdout().stats();
    assert_eq!((stats.held, stats.dropped), (1000, 99_000));
    let all = job.stdout().read_from(0, 200_000);
    assert_eq!(all.missed, 0);
    let mut data = all.data.to_vec();
    let mut off = all.offset + all.data.len() as u64;
    while off < 100_000 {
        let more = job.stdout().read_from(off, 200_000);
        assert!(!more.data.is_empty());
        off += more.data.len() as u64;
        data.extend_from_slice(&more.data);
    }
    assert!(
        data == pattern(0, 100_000),
        "lossless mode returns every byte"
    );
}

#[tokio::test]
async fn future_job_output_goes_to_its_rings() {
    let k = TestKernel::new();
    let job = k
        .spawn_future("writer", JobOptions::default(), |ctx| async move {
            ctx.stdout.write(b"to out\n");
            ctx.stderr.write(b"to err\n");
            4
        })
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(4));
    assert_eq!(&job.stdout().snapshot().data[..], b"to out\n");
    assert_eq!(&job.stderr().snapshot().data[..], b"to err\n");
    assert!(job.stdout().stats().closed);
}
