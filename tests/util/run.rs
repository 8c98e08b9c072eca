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

/// Kills the child if the test fails while it runs (take it out to keep it).
pub struct Reap(pub Option<Child>);

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
    cmd.args(args);
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    finish(cmd, stdin, &format!("corral {args:?}"))
}

/// Runs `corral ARGS` in `dir` with `input` on a pipe as its stdin (so
/// `-i` reads it line by line), its home `dir` and no `HISTFILE` or
/// `XDG_DATA_HOME` (an interactive shell's history stays in `dir`), then
/// `env` set; waits with the deadline.
pub fn corral_piped(
    args: &[&str],
    input: &str,
    dir: &std::path::Path,
    env: &[(&str, &str)],
) -> Run {
    let mut cmd = Command::new(corral_bin());
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("HISTFILE")
        .env_remove("XDG_DATA_HOME")
        .envs(env.iter().copied());
    finish(cmd, input.as_bytes(), &format!("corral {args:?}"))
}

/// Spawns `cmd` with `stdin` fed on a pipe and its output collected; waits
/// with the deadline, killing it if the test fails first.
pub fn finish(mut cmd: Command, stdin: &[u8], what: &str) -> Run {
    cmd.stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
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
    let status = wait_exit(guard.0.as_mut().unwrap(), what);
    guard.0 = None;
    let _ = writer.join();
    let stdout = String::from_utf8_lossy(&out_t.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_t.join().unwrap()).into_owned();
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

/// Waits (with the deadline) for `child` to exit; its status as a shell
/// reports it (the code, or 128 + the signal).
pub fn wait_exit(child: &mut std::process::Child, what: &str) -> i32 {
    let start = Instant::now();
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            use std::os::unix::process::ExitStatusExt;
            return st.code().unwrap_or_else(|| 128 + st.signal().unwrap_or(0));
        }
        assert!(start.elapsed() < DEADLINE, "{what} did not exit in time");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Waits until the file at `path` satisfies `done` and returns its text;
/// fails at once (with `stderr`'s text) if `child` exits first.
pub fn wait_file(
    child: &mut std::process::Child,
    path: &std::path::Path,
    stderr: &std::path::Path,
    done: impl Fn(&str) -> bool,
) -> String {
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();
    let start = Instant::now();
    loop {
        let text = read(path);
        if done(&text) {
            return text;
        }
        if let Some(st) = child.try_wait().unwrap() {
            panic!(
                "corral exited ({st}) before {} was written; stderr:\n{}",
                path.display(),
                read(stderr)
            );
        }
        assert!(
            start.elapsed() < DEADLINE,
            "timed out waiting for {}: {text:?}; stderr:\n{}",
            path.display(),
            read(stderr)
        );
        std::thread::sleep(Duration::from_millis(5));
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
