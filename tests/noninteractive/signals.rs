//! Signals the shell gets or sends itself, traps, and their exit statuses
//! as bash gives them.

use super::same_as_bash;
use crate::util::run::*;

#[test]
fn issue_10_a_shell_that_signals_itself_dies_of_it() {
    for (sig, status) in [
        ("TERM", 143),
        ("HUP", 129),
        ("INT", 130),
        ("PIPE", 141),
        ("USR1", 138),
    ] {
        let r = corral(&format!("kill -{sig} $$; echo after"));
        assert_eq!(
            (r.stdout.as_str(), r.status),
            ("", status),
            "kill -{sig} $$"
        );
    }
    // As the last command too, and the EXIT trap runs first (bash).
    let r = corral("trap 'echo trap' EXIT; kill $$");
    assert_eq!((r.stdout.as_str(), r.status), ("trap\n", 143));
    // A signal that does not kill changes nothing.
    let r = corral("kill -CHLD $$; echo after");
    assert_eq!((r.stdout.as_str(), r.status), ("after\n", 0));
}

#[test]
fn issue_10_sigterm_ends_a_long_script_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("long.sh");
    let mut text = String::from("echo started\n");
    for _ in 0..200_000 {
        text.push_str("x=$((x+1))\n");
    }
    std::fs::write(&f, text).unwrap();
    let mut child = std::process::Command::new(corral_bin())
        .arg(&f)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    std::io::Read::read_exact(&mut out, &mut first).unwrap();
    assert_eq!(&first, b"started\n");
    let pid = nix::unistd::Pid::from_raw(child.id() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    // The script would run for minutes: TERM ends it within the deadline.
    let mut status = None;
    eventually("corral to exit after TERM", || {
        status = child.try_wait().unwrap();
        status.is_some()
    });
    // Dead of TERM, as bash would be.
    let status = status.unwrap();
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    assert_eq!(status.code().unwrap_or(128 + signal.unwrap_or(0)), 143);
}

#[test]
fn issue_10_traps_exit_err_and_signals_the_shell_sends_itself() {
    for script in [
        "trap 'echo err $?' ERR; false; true; echo end",
        "set -e; trap 'echo err' ERR; false; echo no",
        "trap 'echo got TERM' TERM; kill $$; echo after",
        "trap '' INT; kill -INT $$; echo survived",
        "trap 'echo caught' INT; kill -INT $$; echo survived",
        "trap 'echo bye $?' EXIT; (exit 4); exit 2",
        "trap -- 'echo x' EXIT; trap; trap - EXIT; trap",
    ] {
        same_as_bash(script);
    }
}

/// A script run by `shell` (corral or bash) from a file, its stdout going to
/// a file the test watches; killed (with its group) if the test fails.
struct Signalled {
    child: Option<std::process::Child>,
    dir: tempfile::TempDir,
}

impl Signalled {
    fn start(shell: &str, script: &str) -> Signalled {
        use std::os::unix::process::CommandExt;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("s.sh");
        std::fs::write(&f, script).unwrap();
        let out = std::fs::File::create(dir.path().join("out")).unwrap();
        let err = std::fs::File::create(dir.path().join("err")).unwrap();
        let child = std::process::Command::new(shell)
            .arg(&f)
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(out)
            .stderr(err)
            .process_group(0)
            .spawn()
            .unwrap();
        Signalled {
            child: Some(child),
            dir,
        }
    }

    fn child(&mut self) -> &mut std::process::Child {
        self.child.as_mut().unwrap()
    }

    /// Waits until stdout contains `text`; returns it.
    fn expect(&mut self, text: &str) -> String {
        let (out, err) = (self.dir.path().join("out"), self.dir.path().join("err"));
        let child = self.child.as_mut().unwrap();
        wait_file(child, &out, &err, |s| s.contains(text))
    }

    fn send(&mut self, sig: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(self.child().id() as i32);
        nix::sys::signal::kill(pid, sig).unwrap();
    }

    /// Closes the shell's stdin (a `read` in the script returns).
    fn close_stdin(&mut self) {
        drop(self.child().stdin.take());
    }

    /// Waits for the exit; stdout and the status (128 + a signal).
    fn finish(mut self) -> (String, i32) {
        let mut child = self.child.take().unwrap();
        let status = wait_exit(&mut child, "the script");
        let out = std::fs::read_to_string(self.dir.path().join("out")).unwrap();
        (out, status)
    }
}

impl Drop for Signalled {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let group = nix::unistd::Pid::from_raw(-(c.id() as i32));
            let _ = nix::sys::signal::kill(group, nix::sys::signal::Signal::SIGKILL);
            let _ = c.wait();
        }
    }
}

/// Runs `scenario` on bash and on corral; they must end the same.
fn like_bash(scenario: impl Fn(&str) -> (String, i32)) {
    let bash = scenario("bash");
    let ours = scenario(corral_bin());
    assert_eq!(ours, bash, "corral (left) against bash (right)");
}

#[test]
fn issue_10_trap_term_from_outside() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap 'echo got USR1' USR1\ntrap 'echo got TERM; exit 3' TERM\necho ready\n\
             while :; do :; done\n",
        );
        s.expect("ready\n");
        s.send(Signal::SIGUSR1);
        s.expect("got USR1\n");
        s.send(Signal::SIGTERM);
        s.finish()
    });
}

#[test]
fn issue_10_trap_runs_after_the_foreground_program() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap 'echo got HUP' HUP\nsh -c 'echo ready; read x; echo child done'\necho after\n",
        );
        // The shell waits on its foreground program when the signal comes.
        s.expect("ready\n");
        s.send(Signal::SIGHUP);
        s.close_stdin();
        s.finish()
    });
}

#[test]
fn issue_10_wait_returns_128_plus_n_then_the_trap_runs() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap 'echo got USR1' USR1\nsleep 100 &\necho ready\nwait\necho \"wait=$?\"\n\
             kill %1\n",
        );
        s.expect("ready\n");
        // Until `wait` has started, each signal only runs the trap.
        let start = std::time::Instant::now();
        while !s.expect("").contains("wait=") {
            s.send(Signal::SIGUSR1);
            assert!(start.elapsed() < DEADLINE, "wait never returned");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let (out, status) = s.finish();
        // Signals sent before `wait` started, or after it returned, only
        // run the trap; the one that came during `wait` ends it with 138
        // after its trap ran.
        let lines: Vec<&str> = out.lines().collect();
        let at = lines.iter().position(|l| *l == "wait=138");
        let at = at.unwrap_or_else(|| panic!("no wait=138 in {out:?}"));
        assert!(at >= 2 && lines[at - 1] == "got USR1", "{out}");
        assert!(
            lines[1..]
                .iter()
                .all(|l| *l == "got USR1" || *l == "wait=138"),
            "{out}"
        );
        ("ready got USR1 wait=138".to_owned(), status)
    });
}

#[test]
fn issue_10_trap_ignore_term_from_outside() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(
            shell,
            "trap '' TERM\necho ready\nread x\nsh -c 'kill -TERM $$; echo child ignores it too'\n\
             trap - TERM\nsh -c 'kill -TERM $$; echo never'\necho survived\nkill $$\necho never\n",
        );
        s.expect("ready\n");
        s.send(Signal::SIGTERM);
        s.close_stdin();
        s.finish()
    });
}

#[test]
fn issue_10_exit_trap_runs_on_term_during_a_foreground_program() {
    // bash 5.2 run from a terminal prints the same and dies of TERM at once
    // (started from this test binary it sometimes waits for its `sleep`).
    let mut s = Signalled::start(
        corral_bin(),
        "trap 'echo bye $?' EXIT\necho ready\nsleep 100\n",
    );
    s.expect("ready\n");
    s.send(nix::sys::signal::Signal::SIGTERM);
    assert_eq!(s.finish(), ("ready\nbye 0\n".to_owned(), 143));
}

#[test]
fn issue_10_ignored_at_entry_stays_ignored() {
    // POSIX: a non-interactive shell cannot trap or reset what it started with ignored.
    let script = "trap 'echo x' USR1; trap -p USR1; kill -USR1 $$; echo after; \
                  trap - USR1; kill -USR1 $$; echo after2; (trap -p)";
    let run = |shell: &str| {
        std::process::Command::new("sh")
            .args(["-c", "trap '' USR1; exec \"$0\" -c \"$1\"", shell, script])
            .output()
            .unwrap()
    };
    let (bash, ours) = (run("bash"), run(corral_bin()));
    assert_eq!(
        String::from_utf8_lossy(&ours.stdout),
        String::from_utf8_lossy(&bash.stdout)
    );
    assert_eq!(ours.status.code(), bash.status.code());
    assert_eq!(
        String::from_utf8_lossy(&bash.stdout),
        "trap -- '' SIGUSR1\nafter\nafter2\ntrap -- '' SIGUSR1\n"
    );
}

#[test]
fn issue_11_sighup_during_a_script_gives_129() {
    use nix::sys::signal::Signal;
    like_bash(|shell| {
        let mut s = Signalled::start(shell, "echo ready\nsleep 100\necho never\n");
        s.expect("ready\n");
        s.send(Signal::SIGHUP);
        s.finish()
    });
}

#[test]
fn issue_11_sigquit_status_131() {
    let r = corral("sh -c 'kill -QUIT $$'; echo $?");
    assert_eq!(r.stdout, "131\n");
    assert!(r.stderr.contains("Quit"), "{}", r.stderr);
}

#[test]
fn issue_11_closed_stdout_or_stderr_never_panics() {
    use std::os::fd::OwnedFd;
    use std::process::Stdio;
    let closed = || -> OwnedFd {
        let (r, w) = nix::unistd::pipe().unwrap();
        drop(r);
        w
    };
    // `corral --help | true`: the help goes nowhere, quietly.
    let st = std::process::Command::new(corral_bin())
        .arg("--help")
        .stdout(Stdio::from(closed()))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    // The death notice of a child cannot be written: the script goes on.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let st = std::process::Command::new(corral_bin())
        .args([
            "-c",
            "sh -c 'kill -9 $$'; echo \"after $?\" > \"$1\"; exit 3",
            "corral",
        ])
        .arg(&out)
        .stderr(Stdio::from(closed()))
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "after 137\n");
    // A builtin writing to a closed stdout fails with bash's message and
    // status 1; the shell goes on.
    let r = std::process::Command::new(corral_bin())
        .args(["-c", "echo hi; echo st=$? >&2; printf x; echo st=$? >&2"])
        .stdout(Stdio::from(closed()))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&r.stderr),
        "corral: line 1: echo: write error: Broken pipe\nst=1\n\
         corral: line 1: printf: write error: Broken pipe\nst=1\n"
    );
    assert_eq!(r.status.code(), Some(0));
}
