//! `/v` for every program: the session's FUSE mount read by real programs
//! (`grep`, `wc`, `head`, `python3`, GNU `tail -f`, `cat` from a second
//! process through `CORRAL_V`), `ctl` written by a program, `cd /v/jobs`,
//! the mount's cleanup on exit, on SIGTERM and after a SIGKILL, and the
//! no-FUSE path (`CORRAL_NO_FUSE=1`: pipes at `/dev/fd/N`).
//!
//! Each run gets its own `XDG_RUNTIME_DIR`, so the session directories it
//! makes and cleans are its own. The FUSE tests are skipped, with a printed
//! reason, where /dev/fuse is missing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use crate::util::run::{corral_bin, fixture, wait_exit, wait_file, DEADLINE};

fn fuse_here() -> bool {
    if Path::new("/dev/fuse").exists() {
        return true;
    }
    eprintln!("skipped: /dev/fuse is missing, the session cannot mount /v here");
    false
}

/// A corral run with its own runtime directory; killed on drop.
struct Session {
    child: Option<Child>,
    runtime: tempfile::TempDir,
    out: tempfile::TempDir,
}

impl Session {
    fn start(script: &str, envs: &[(&str, &str)]) -> Session {
        let runtime = tempfile::tempdir().unwrap();
        let out = tempfile::tempdir().unwrap();
        let script = script.replace("{d}", &out.path().to_string_lossy());
        let mut cmd = Command::new(corral_bin());
        // Background output stays in the rings these tests read.
        cmd.args(["-o", "bgquiet", "-c"])
            .arg(&script)
            .env("XDG_RUNTIME_DIR", runtime.path())
            .env_remove("CORRAL_NO_FUSE")
            .env_remove("CORRAL_V")
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(out.path().join("stdout")).unwrap())
            .stderr(std::fs::File::create(out.path().join("stderr")).unwrap());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        Session {
            child: Some(cmd.spawn().unwrap()),
            runtime,
            out,
        }
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.out.path().join(name)).unwrap_or_default()
    }

    /// Waits until `done` holds on file `name`; fails if corral exits first.
    fn wait_file(&mut self, name: &str, done: impl Fn(&str) -> bool) -> String {
        let (path, stderr) = (self.out.path().join(name), self.out.path().join("stderr"));
        wait_file(self.child.as_mut().unwrap(), &path, &stderr, done)
    }

    /// Waits for corral to exit; its status.
    fn finish(&mut self) -> i32 {
        let status = wait_exit(self.child.as_mut().unwrap(), "corral");
        self.child = None;
        status
    }

    fn pid(&self) -> i32 {
        self.child.as_ref().unwrap().id() as i32
    }

    /// The runtime directory's `corral` directory (the sessions' parent).
    fn base(&self) -> PathBuf {
        self.runtime.path().join("corral")
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Runs a script to its end; (stdout, stderr, status).
fn run(script: &str, envs: &[(&str, &str)]) -> (String, String, i32, Session) {
    let mut s = Session::start(script, envs);
    let status = s.finish();
    (s.read("stdout"), s.read("stderr"), status, s)
}

fn mounted_at(dir: &Path) -> bool {
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap();
    let dir = dir.to_string_lossy();
    table
        .lines()
        .any(|l| l.split(' ').nth(4).is_some_and(|p| p == dir))
}

/// Kills a process it started on drop.
struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn programs_read_job_files_through_the_mount() {
    if !fuse_here() {
        return;
    }
    let (out, err, status, _s) = run(
        "set -o bgquiet; printf 'a x\\nb\\nc x\\n' & wait; grep x /v/jobs/1/stdout; wc -l < /v/jobs/1/stdout; \
         wc -c /v/jobs/1/stdout | cut -d' ' -f1; head -n 1 /v/jobs/1/stdout; cat /v/jobs/1/status; \
         python3 -c 'import json,sys; i=json.load(open(sys.argv[1])); print(i[\"id\"], i[\"status\"])' /v/jobs/1/info; \
         ls /v; ls /v/jobs",
        &[],
    );
    assert_eq!(
        out, "a x\nc x\n3\n10\na x\ndone:0\n1 done:0\njobs\n1\n",
        "{err}"
    );
    assert_eq!(status, 0, "{err}");
}

#[test]
fn a_program_signals_a_job_through_ctl() {
    if !fuse_here() {
        return;
    }
    let (out, err, _, _s) = run(
        "sleep 100 & sleep 100 & sh -c 'echo TERM > \"$1\"' sh /v/jobs/1/ctl; wait %1; echo $?; \
         sh -c 'echo KILL > \"$CORRAL_V/jobs/2/ctl\"'; wait %2; echo $?; cat /v/jobs/2/status",
        &[],
    );
    assert_eq!(out, "143\n137\nkilled:137\n", "{err}");
}

#[test]
fn cd_into_v_keeps_the_logical_path() {
    if !fuse_here() {
        return;
    }
    let (out, err, _, _s) = run(
        "printf hi & wait; cd /v/jobs; pwd; echo $PWD; ls; cd 1; cat stdout; echo; /bin/pwd -P | grep -c /v/jobs/1; \
         cat ../../../etc/hostname > /dev/null && echo escaped; cd ..; pwd; cd /tmp; pwd",
        &[],
    );
    assert_eq!(
        out, "/v/jobs\n/v/jobs\n1\nhi\n1\nescaped\n/v/jobs\n/tmp\n",
        "{err}"
    );
}

/// Another process finds the mount through `CORRAL_V` and reads a live
/// job; GNU `tail -f` on it shows new lines as the job writes them; SIGTERM
/// to the shell unmounts and removes the session directory.
#[test]
fn a_second_process_follows_a_live_job_through_corral_v() {
    if !fuse_here() {
        return;
    }
    let mut s = Session::start(
        "sh -c 'i=0; while :; do i=$((i+1)); echo \"line $i\"; sleep 0.05; done' & \
         ls /v > /dev/null; sh -c 'echo \"$CORRAL_V\"' > {d}/path; wait",
        &[],
    );
    let path = PathBuf::from(s.wait_file("path", |t| t.ends_with('\n')).trim());
    assert!(
        path.starts_with(s.base()),
        "{path:?} is not under {:?}",
        s.base()
    );
    let meta = std::fs::metadata(&path).unwrap();
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(meta.permissions().mode() & 0o777, 0o700);
    let stdout = path.join("jobs/1/stdout");
    let first = Command::new("cat").arg(&stdout).output().unwrap();
    assert!(first.status.success());

    let tail = Command::new("tail")
        .args(["-s", "0.1", "-n", "+1", "-f"])
        .arg(&stdout)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut tail = Kill(tail);
    let mut lines = BufReader::new(tail.0.stdout.take().unwrap()).lines();
    // Lines the job wrote after tail started: it follows, not just reads.
    let held = String::from_utf8_lossy(&first.stdout).lines().count();
    let want = format!("line {}", held + 20);
    let start = Instant::now();
    loop {
        let line = lines.next().expect("tail ended").unwrap();
        if line == want {
            break;
        }
        assert!(start.elapsed() < DEADLINE, "tail -f never showed {want}");
    }
    drop(tail);

    let session_dir = path.parent().unwrap().to_path_buf();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(s.pid()),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    // (The status races the script's own end: `wait` returns as the jobs go.)
    s.finish();
    assert!(!mounted_at(&path), "{path:?} still mounted");
    assert!(!session_dir.exists(), "{session_dir:?} left behind");
}

/// A session killed with SIGKILL leaves its mount; the next one removes it.
#[test]
fn a_killed_sessions_mount_is_cleaned_by_the_next() {
    if !fuse_here() {
        return;
    }
    let mut s = Session::start(
        "ls /v > /dev/null; sh -c 'echo \"$CORRAL_V\"' > {d}/path; sleep 100",
        &[],
    );
    let path = PathBuf::from(s.wait_file("path", |t| t.ends_with('\n')).trim());
    assert!(mounted_at(&path));
    s.child.as_mut().unwrap().kill().unwrap();
    s.finish();
    assert!(mounted_at(&path), "a SIGKILL cannot unmount");
    let mut next = Command::new(corral_bin())
        .args(["-c", "ls /v > /dev/null"])
        .env("XDG_RUNTIME_DIR", s.runtime.path())
        .env_remove("CORRAL_NO_FUSE")
        .spawn()
        .unwrap();
    assert!(next.wait().unwrap().success());
    assert!(!mounted_at(&path), "{path:?} still mounted");
    assert!(!path.parent().unwrap().exists());
    // The next session removed its own on exit too.
    assert_eq!(std::fs::read_dir(s.base()).unwrap().count(), 0);
}

/// A script that never names /v never mounts, and exports no CORRAL_V;
/// once it does, its programs get CORRAL_V (also with an environment of
/// their own, after an `export`).
#[test]
fn a_script_mounts_only_when_it_names_v() {
    let (out, _, _, s) = run("echo \"[$CORRAL_V]\"; sh -c 'echo \"[$CORRAL_V]\"'", &[]);
    assert_eq!(out, "[]\n[]\n");
    let left = std::fs::read_dir(s.base()).map(|d| d.count()).unwrap_or(0);
    assert_eq!(left, 0);
    if !fuse_here() {
        return;
    }
    let (out, err, _, s) = run(
        "export FOO=1; ls /v; sh -c 'echo \"$CORRAL_V\"; ls \"$CORRAL_V\"'",
        &[],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 3, "{out}{err}");
    assert_eq!(lines[0], "jobs");
    assert!(Path::new(lines[1]).starts_with(s.base()), "{out}");
    assert_eq!(lines[2], "jobs");
}

/// Without FUSE, a `/v` file given to a program is a pipe at /dev/fd/N
/// holding what the file holds; `< /v/...` is a pipe too; CORRAL_V is unset.
#[test]
fn without_fuse_programs_read_v_files_through_pipes() {
    let no_fuse = [("CORRAL_NO_FUSE", "1")];
    let (out, err, _, s) = run(
        "set -o bgquiet; printf 'a x\\nb\\nc x\\n' & wait; grep x /v/jobs/1/stdout; wc -l /v/jobs/1/stdout; \
         head -c 1 /v/jobs/1/stdout; echo; cat /v/jobs/1/status; wc -l < /v/jobs/1/stdout; \
         echo \"[$CORRAL_V]\"; cat /v/jobs/7/stdout; cd /v/jobs",
        &no_fuse,
    );
    let wc_name = out.lines().nth(2).unwrap_or_default();
    assert!(wc_name.starts_with("3 /dev/fd/"), "{out}");
    let rest: Vec<&str> = out.lines().filter(|l| *l != wc_name).collect();
    assert_eq!(rest, ["a x", "c x", "a", "done:0", "3", "[]"], "{err}");
    assert!(
        err.contains("/v/jobs/7/stdout: No such file or directory"),
        "{err}"
    );
    assert!(err.contains("cd: /v/jobs:"), "{err}");
    assert!(!s.base().exists() || std::fs::read_dir(s.base()).unwrap().count() == 0);

    // A big ring read by a reader that stops early: the feeder stops too,
    // and the shell goes on.
    let (out, err, status, _s) = run(
        "head -c 3000000 /dev/zero & wait; head -c 5 /v/jobs/1/stdout | wc -c; cat /v/jobs/1/stdout | wc -c; echo alive",
        &no_fuse,
    );
    assert_eq!(out, "5\n1048576\nalive\n", "{err}");
    assert_eq!(status, 0);
}

/// The slow printer fixture through GNU `tail -f --pid` on the mount: every
/// line, in order, and tail ends with the job.
#[test]
fn tail_f_on_the_mount_ends_with_pid() {
    if !fuse_here() {
        return;
    }
    let (out, err, _, _s) = run(
        &format!(
            "sh {} 4 0.1 & tail -n +1 -s 0.1 -f --pid=$! /v/jobs/1/stdout; wait %1; cat /v/jobs/1/status",
            fixture("slow_printer.sh")
        ),
        &[],
    );
    assert_eq!(out, "line 1\nline 2\nline 3\nline 4\ndone:0\n", "{err}");
}
