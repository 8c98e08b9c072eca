//! `/v/jobs/N/info` reports why a lossless stream stopped spilling. The
//! test re-runs itself under `ulimit -f` (RLIMIT_FSIZE) so the limit does
//! not reach the other tests, and a job floods past it there: the process
//! survives (no SIGXFSZ) and `info` names the limit.

#[path = "jobfs/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use corral_kernel::KernelConfig;
use helpers::*;

/// Set in the re-run copy.
const CHILD: &str = "CORRAL_VFS_SPILL_CHILD";

#[test]
fn info_names_the_spill_error() {
    if std::env::var_os(CHILD).is_some() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(flood_past_the_limit());
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 2048 && exec \"$0\" info_names_the_spill_error --exact --nocapture")
        .arg(exe)
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("--- run under ulimit -f ---\n{text}");
    assert!(
        out.status.success() && text.contains("1 passed"),
        "failed under the limit ({:?})",
        out.status
    );
}

async fn flood_past_the_limit() {
    let env = Env::with_config(KernelConfig::default().lossless(true).output_cap(64 * 1024));
    let job = env.cmd(&["head", "-c", "5000000", "/dev/zero"]);
    within("the flood", job.wait()).await;
    // A follower ends when the stream closes, at the pipe's end.
    let mut end = job.stdout().follow(u64::MAX);
    within("the pipe's end", async {
        while end.next_chunk().await.is_some() {}
    })
    .await;
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["stdout"]["bytes_written"], 5_000_000);
    let err = info["stdout"]["spill_error"].as_str().unwrap_or_default();
    assert!(
        err.starts_with("spill file reached the file size limit ("),
        "{info}"
    );
    assert!(info["stderr"]["spill_error"].is_null(), "{info}");

    let ok = env.sh("echo fine");
    within("a later job", ok.wait()).await;
    let info = env.json("/v/jobs/2/info").await;
    assert!(info["stdout"]["spill_error"].is_null(), "{info}");
    assert_eq!(env.read_str("/v/jobs/2/stdout").await, "fine\n");
    env.finish().await;
}
