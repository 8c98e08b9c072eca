//! The `examples/`: each is built (as `cargo test` does), run, and its
//! output checked for what the pattern it shows must do.

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// Builds the examples once (`cargo build --examples`, offline, in this
/// target directory) and returns where their binaries are.
fn examples_dir() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT
        .get_or_init(|| {
            let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
            let status = Command::new(cargo)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .args(["build", "--offline", "--quiet", "--examples"])
                .status()
                .expect("cargo runs");
            assert!(status.success(), "building the examples failed");
            // target/debug/deps/tests-HASH -> target/debug/examples
            let exe = std::env::current_exe().expect("the test's path");
            let debug = exe.parent().and_then(|d| d.parent()).expect("target/debug");
            debug.join("examples")
        })
        .clone()
}

/// Runs example `name` (with a deadline) and returns its stdout.
fn run(name: &str) -> String {
    let child = Command::new(examples_dir().join(name))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the example starts");
    let pid = child.id();
    // Kill it if it hangs (the deadline is generous: the machine is shared).
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if rx.recv_timeout(std::time::Duration::from_secs(60)).is_err() {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    let out = child.wait_with_output().expect("the example runs");
    let _ = tx.send(());
    let _ = watchdog.join();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{name} failed: {text}");
    text
}

fn has(out: &str, line: &str) {
    assert!(
        out.lines().any(|l| l == line),
        "no line {line:?} in:\n{out}"
    );
}

#[test]
fn koda_scopes_background_processes_per_agent() {
    let out = run("koda");
    has(&out, "alice has 2 jobs, bob has 1");
    has(&out, "bob -> alice's server: forbidden");
    has(&out, "server still running: true");
    has(&out, "build: done:0 Some(\"built\")");
    has(&out, "server: killed:143");
    has(&out, "tests: exit Some(3)");
    has(&out, "alice's session ended: stopped 1, then 0");
}

#[test]
fn aft_delivers_completions_with_previews_and_timeouts() {
    let out = run("aft");
    has(&out, "again: true");
    assert!(
        out.contains(
            "grep: exit Some(0), cause -, stdout \"match one\\nmatch two\\n\", stderr \"\""
        ),
        "{out}"
    );
    assert!(out.contains("hang: exit Some(124), cause timeout"), "{out}");
    assert!(
        out.contains("fail: exit Some(2), cause -, stdout \"\", stderr \"no such file\\n\""),
        "{out}"
    );
    assert!(out.contains("build: exit Some(0), cause -, stdout \"97\\n498\\n499\\n500\\nbuild ok\\n\" (truncated)"), "{out}");
}

#[test]
fn systemg_keeps_a_spawn_tree_within_limits() {
    let out = run("systemg");
    has(&out, "third worker refused: limit 2");
    has(&out, "too deep: limit 2");
    has(&out, "tree under the service: 3 jobs");
    has(&out, "runaway: cause Some(\"limit\")");
    // Ended by its limit: it used at least the limit (1 s) by the
    // figure the kernel reports.
    let used: u64 = out
        .lines()
        .find_map(|l| l.strip_prefix("runaway: cpu used ")?.strip_suffix(" ms"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no CPU figure in:\n{out}"));
    assert!(used >= 1000, "the runaway was ended at {used} ms:\n{out}");
    for name in ["worker 1", "worker 2", "helper"] {
        has(
            &out,
            &format!("{name}: killed:143, cause Some(\"embedder\")"),
        );
    }
}

#[test]
fn clawft_restarts_agents_under_limits() {
    let out = run("clawft");
    has(&out, "flaky: done:0 after 2 restarts, last exit Some(0)");
    has(&out, "limits: cpu Some(5s), memory Some(268435456)");
    has(&out, "log: \"run 1\\nrun 2\\nrun 3\\n\"");
    has(&out, "crasher: exit Some(1) after 2 restarts");
}
