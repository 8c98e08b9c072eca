//! The `serde` feature: specs, snapshots, states and events as JSON.

use std::time::Duration;

use corral_kernel::{Cmd, Io, JobOptions, JobState, ProcessSpec, Signal};
use serde_json::{json, Value};

use crate::util::*;

#[tokio::test]
async fn specs_infos_states_and_events_serialize() {
    let k = TestKernel::new();
    let mut events = k.subscribe();
    let dir = std::env::temp_dir();
    let spec = ProcessSpec::new("echo $GREETING")
        .pipe(
            Cmd::new("sh")
                .arg("-c")
                .arg("echo $GREETING; pwd")
                .stderr(Io::ToStdout),
        )
        .cwd(&dir)
        .env("GREETING", "hi")
        .env_remove("NOPE")
        .options(
            JobOptions::new()
                .owner("agent")
                .label("tool", "echo")
                .timeout(Duration::from_secs(60)),
        );
    let s = serde_json::to_value(&spec).unwrap();
    assert_eq!(s["text"], "echo $GREETING");
    assert_eq!(s["members"][0]["program"], "sh");
    assert_eq!(
        s["members"][0]["args"],
        json!(["-c", "echo $GREETING; pwd"])
    );
    assert_eq!(s["members"][0]["stderr"], "to_stdout");
    assert_eq!(s["env"], json!([["GREETING", "hi"], ["NOPE", null]]));
    assert_eq!(s["options"]["owner"], "agent");
    assert_eq!(s["options"]["labels"], json!({"tool": "echo"}));

    let job = k.spawn_process(spec).unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let info: Value = serde_json::to_value(job.info()).unwrap();
    assert_eq!(info["id"], job.id().0);
    assert_eq!(info["kind"], "process");
    assert_eq!(info["state"], json!({"state": "exited", "code": 0}));
    assert_eq!(info["exit_status"], 0);
    assert_eq!(info["owner"], "agent");
    assert_eq!(info["labels"]["tool"], "echo");
    assert_eq!(info["cwd"], dir.to_string_lossy().as_ref());
    assert_eq!(info["env"], json!([["GREETING", "hi"], ["NOPE", null]]));
    assert_eq!(info["timeout"], json!({"secs": 60, "nanos": 0}));
    assert_eq!(info["stop_cause"], Value::Null);
    assert!(info["stdout"]["written"].as_u64().unwrap() > 0);

    let killed = k.spawn_process(sleeper()).unwrap();
    k.signal(killed.id(), Signal::TERM).unwrap();
    finished(&killed).await;
    let info = serde_json::to_value(killed.info()).unwrap();
    assert_eq!(
        info["state"],
        json!({"state": "signaled", "signal": "TERM", "core_dumped": false})
    );
    assert_eq!(
        info["stop_cause"],
        json!({"cause": "signal", "signal": "TERM"})
    );

    let mut seen = Vec::new();
    while let Some(e) = events.try_recv().unwrap() {
        seen.push(serde_json::to_value(e).unwrap());
    }
    assert!(seen.contains(&json!({"event": "spawned", "job": job.id().0})));
    assert!(seen.contains(&json!({
        "event": "stopping", "job": killed.id().0,
        "cause": {"cause": "signal", "signal": "TERM"}
    })));
    assert!(seen.contains(&json!({
        "event": "exited", "job": job.id().0,
        "state": {"state": "exited", "code": 0}
    })));
}
