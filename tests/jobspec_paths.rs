//! Shorthands for "my last job" in /v paths: `/v/jobs/last`, `%%`, `%+`,
//! `%-`, `%N`, `%name`, `%?text`, read by external programs (translated
//! to the FUSE mount, or without FUSE to pipes), by redirections and by
//! the shell's own builtins.

use std::process::{Command, Stdio};

use crate::util::run::{corral_bin, wait_exit};

/// Runs `script` with `corral -o bgquiet -c` in its own runtime
/// directory; (stdout, stderr, status). Killed if the test fails first.
fn run(script: &str, no_fuse: bool) -> (String, String, i32) {
    let runtime = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (o, e) = (out.path().join("out"), out.path().join("err"));
    let mut cmd = Command::new(corral_bin());
    cmd.args(["-o", "bgquiet", "-c", script])
        .env("XDG_RUNTIME_DIR", runtime.path())
        .env_remove("CORRAL_V")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&o).unwrap())
        .stderr(std::fs::File::create(&e).unwrap());
    if no_fuse {
        cmd.env("CORRAL_NO_FUSE", "1");
    } else {
        cmd.env_remove("CORRAL_NO_FUSE");
    }
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Kill(cmd.spawn().unwrap());
    let status = wait_exit(&mut child.0, script);
    let read = |p| std::fs::read_to_string(p).unwrap();
    (read(&o), read(&e), status)
}

const SCRIPT: &str = r#"
/bin/echo one & wait
sh -c 'echo two >&2; echo out-two' & wait
grep two /v/jobs/%%/stderr
cat /v/jobs/%+/stdout
wc -c < /v/jobs/%1/stdout
head -n 1 /v/jobs/last/command
grep -c two /v/jobs/%?two/stderr
cat /v/jobs/%sh/command
cat /v/jobs/%/stdout
"#;

const WANT: &str = "two\nout-two\n4\nsh -c 'echo two >&2; echo out-two'\n1\nsh -c 'echo two >&2; echo out-two'\nout-two\n";

#[test]
fn job_shorthands_name_the_last_jobs_for_programs_through_the_mount() {
    if !std::path::Path::new("/dev/fuse").exists() {
        eprintln!("skipped: /dev/fuse is missing, the session cannot mount /v here");
        return;
    }
    let (out, err, status) = run(SCRIPT, false);
    assert_eq!((out.as_str(), err.as_str(), status), (WANT, "", 0));
}

#[test]
fn job_shorthands_name_the_last_jobs_for_programs_without_fuse() {
    let (out, err, status) = run(SCRIPT, true);
    assert_eq!((out.as_str(), err.as_str(), status), (WANT, "", 0));
}

/// A name that fits two jobs, or none, names no job; a shorthand follows
/// the jobs as they start (`last` is the newest at each read).
#[test]
fn job_shorthands_refuse_ambiguity_and_follow_new_jobs() {
    let script = r#"
sh -c 'echo a' & wait
sh -c 'echo b' & wait
cat /v/jobs/%sh/stdout 2>/dev/null || echo ambiguous
cat /v/jobs/%nothing/stdout 2>/dev/null || echo missing
cat /v/jobs/last/stdout
/bin/echo c & wait
cat /v/jobs/last/stdout
cat < /v/jobs/%sh/stdout
"#;
    let (out, err, status) = run(script, true);
    assert_eq!((out.as_str(), status), ("ambiguous\nmissing\nb\nc\n", 1));
    assert!(
        err.ends_with(": /v/jobs/%sh/stdout: ambiguous job spec\n"),
        "{err:?}"
    );
}
