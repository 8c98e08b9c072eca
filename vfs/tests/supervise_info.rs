//! `/v/jobs/N/info` carries a job's supervision settings and context: its
//! directory and environment, limits, reminder, quiet flag, output file,
//! and the CPU time and memory it used (live, then final).

#[path = "jobfs/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use std::time::Duration;

use corral_kernel::{Cmd, JobOptions, OutputFile, ProcessSpec};
use helpers::*;
use serde_json::json;

#[tokio::test]
async fn info_carries_context_limits_resources_and_the_output_file() {
    let env = Env::new();
    let dir = std::env::temp_dir();
    let script = "echo $GREETING; pwd; exec sleep 1000";
    let options = JobOptions::new()
        .quiet(true)
        .reminder(Duration::from_secs(3600))
        .cpu_limit(Duration::from_secs(30))
        .memory_limit(512 << 20)
        .output_file(OutputFile::Temp, false);
    let spec = ProcessSpec::new(script)
        .pipe(Cmd::new("sh").arg("-c").arg(script))
        .cwd(&dir)
        .env("GREETING", "hi")
        .options(options);
    let job = env.kernel.spawn_process(spec).expect("spawn");
    let pwd = dir.canonicalize().expect("temp dir");
    until_output(&env.vfs, "/v/jobs/1/stdout", &pwd.to_string_lossy()).await;

    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["cwd"], dir.to_string_lossy().as_ref());
    assert_eq!(info["env"], json!([["GREETING", "hi"]]));
    assert_eq!(info["env_clear"], false);
    assert_eq!(info["quiet"], true);
    assert_eq!(info["reminder_ms"], 3_600_000);
    assert_eq!(info["cpu_limit_ms"], 30_000);
    assert_eq!(info["memory_limit_bytes"], 512u64 << 20);
    // The live member's resident set, read from /proc when asked.
    assert!(info["memory_bytes"].as_u64().expect("memory") > 0, "{info}");
    let file = info["output_file"]
        .as_str()
        .expect("output file")
        .to_string();
    let text = std::fs::read_to_string(&file).expect("the output file exists");
    assert!(text.starts_with("hi\n"), "{text:?}");

    job.cancel().expect("cancel");
    within("the end", job.wait()).await;
    let info = env.json("/v/jobs/1/info").await;
    assert_eq!(info["memory_bytes"], 0);
    assert!(
        info["memory_peak_bytes"].as_u64().expect("peak") > 0,
        "{info}"
    );
    assert!(info["cpu_user_ms"].is_u64() && info["cpu_system_ms"].is_u64());
    assert_eq!(info["stop_cause"], "embedder");
    assert_eq!(info["last_exit_code"], 143);

    // A job that uses none of it shows the defaults.
    let plain = env.sh("exit 0");
    within("exit", plain.wait()).await;
    let info = env.json("/v/jobs/2/info").await;
    assert!(info["cwd"].is_null() && info["output_file"].is_null());
    assert_eq!(info["env"], json!([]));
    assert!(info["cpu_limit_ms"].is_null() && info["memory_limit_bytes"].is_null());
    assert!(info["reminder_ms"].is_null());
    assert_eq!(info["quiet"], false);

    // Removing the job deletes its output file (it was not kept).
    env.kernel.remove(job.id()).expect("remove");
    assert!(
        !std::path::Path::new(&file).exists(),
        "{file} is still there"
    );
    env.finish().await;
}
