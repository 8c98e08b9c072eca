//! `corral -c`, scripts and stdin: every builtin and every error, by their
//! output and exit status.
//!
//! A background `sleep 100` stands for "a job that is still running": it
//! outlives the run's deadline, so it cannot end on its own while a script
//! still expects it to run, however loaded the machine; the script (or
//! corral's exit) kills it.

mod basics;
mod jobs;
mod language;
mod signals;

use crate::util::run::*;

/// Runs `script` under `bash -c` and `corral -c` and compares stdout, stderr
/// (bash's `bash:` read as `corral:`) and the status.
fn same_as_bash(script: &str) {
    let b = std::process::Command::new("bash")
        .args(["-c", script])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("bash runs");
    let expected = Run {
        stdout: String::from_utf8_lossy(&b.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&b.stderr).replace("bash: ", "corral: "),
        status: b.status.code().unwrap_or(-1),
    };
    let r = corral(script);
    assert_eq!(
        (r.stdout.as_str(), r.stderr.as_str(), r.status),
        (
            expected.stdout.as_str(),
            expected.stderr.as_str(),
            expected.status
        ),
        "script: {script}"
    );
}
