//! Running `corral` non-interactively with a deadline, and inspecting processes.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long one `corral` run may take before the test fails.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

pub fn corral_bin() -> &'static str {
    env!("CARGO_BIN_EXE_corral")
}

pub fn fixture(name: &str) -> String {
    let p: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fixtures", name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}

/// Kills the child if the test fails while it runs.
struct Reap(Option<Child>);

impl Drop for Reap {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Runs `corral` with `args`, feeding `stdin`, and waits with the deadline.
pub fn corral_with(args: &[&str], stdin: &[u8], cwd: Option<&std::path::Path>) -> Run {
    let mut cmd = Command::new(corral_bin());
    cmd.args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().expect("corral starts");
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let mut guard = Reap(Some(child));
    let start = Instant::now();
    let status = loop {
        if let Some(st) = guard.0.as_mut().unwrap().try_wait().unwrap() {
            break st;
        }
        assert!(
            start.elapsed() < DEADLINE,
            "corral {args:?} did not finish in time"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    guard.0 = None;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
    use std::os::unix::process::ExitStatusExt;
    let status = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Run {
        stdout,
        stderr,
        status,
    }
}

/// `corral -c LINE`.
pub fn corral(line: &str) -> Run {
    corral_with(&["-c", line], b"", None)
}

/// Whether a pid is alive and not a zombie.
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => !matches!(
            s.rsplit_once(')')
                .and_then(|(_, r)| r.trim_start().chars().next()),
            Some('Z' | 'X') | None
        ),
        Err(_) => false,
    }
}

/// Polls `cond` until it holds or the deadline passes.
pub fn eventually(what: &str, mut cond: impl FnMut() -> bool) {
    let start = Instant::now();
    while !cond() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}
