//! `$!` of a background job that runs inside the shell (`{ …; } &`,
//! `( … ) &`, `f &`): the pid of its anchor process. Signals another
//! process sends to that pid reach the job and the programs it runs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::util::procfs::{self, wait_for};
use crate::util::run::{corral_bin, corral_with, Reap};

const DEADLINE: Duration = Duration::from_secs(10);

/// Kills these processes when the test ends, pass or fail, while each is
/// still the process the test found (same start time).
struct KillAll(Vec<(i32, Option<String>)>);

fn start_of(pid: i32) -> Option<String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)
        .map(str::to_owned)
}

impl KillAll {
    fn watch(&mut self, pid: i32) {
        self.0.push((pid, start_of(pid)));
    }
}

impl Drop for KillAll {
    fn drop(&mut self) {
        for (pid, started) in &self.0 {
            if started.is_some() && start_of(*pid) == *started {
                let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
            }
        }
    }
}

/// The `sleep` a shell with pid `shell` runs (its child, not the anchor).
fn sleep_of(shell: i32) -> i32 {
    wait_for(
        DEADLINE,
        "the job's sleep",
        || {
            procfs::all()
                .into_iter()
                .find(|p| p.ppid == shell && p.comm == "sleep")
                .map(|p| p.pid)
        },
        || {
            format!(
                "{:?}",
                procfs::all()
                    .iter()
                    .filter(|p| p.ppid == shell)
                    .collect::<Vec<_>>()
            )
        },
    )
}

#[test]
fn signals_sent_to_the_pid_reach_the_job_and_its_program() {
    let script = "{ sleep 1000; echo never; } &\necho $!\nwait $!\necho \"status $?\"\n";
    let child = Command::new(corral_bin())
        .arg("-c")
        .arg(script)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let shell = child.id() as i32;
    let mut reap = Reap(Some(child));
    let mut guard = KillAll(Vec::new());
    let stdout = reap.0.as_mut().unwrap().stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let anchor: i32 = lines.next().unwrap().unwrap().trim().parse().unwrap();
    guard.watch(anchor);
    let st = procfs::stat(anchor).expect("the anchor runs");
    assert_eq!(
        (st.ppid, st.pgrp),
        (shell, anchor),
        "a child of the shell, leading its group"
    );
    let sleep = sleep_of(shell);
    guard.watch(sleep);

    kill(Pid::from_raw(anchor), Signal::SIGSTOP).unwrap();
    procfs::wait_state(sleep, 'T', DEADLINE);
    kill(Pid::from_raw(anchor), Signal::SIGCONT).unwrap();
    wait_for(
        DEADLINE,
        "the sleep to run again",
        || (procfs::state(sleep) != Some('T')).then_some(()),
        || format!("{:?}", procfs::stat(sleep)),
    );
    kill(Pid::from_raw(anchor), Signal::SIGTERM).unwrap();
    assert_eq!(lines.next().unwrap().unwrap(), "status 143");
    procfs::assert_exits(sleep, DEADLINE, "the job's sleep");
    let mut child = reap.0.take().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(
        procfs::stat(anchor).is_none(),
        "the anchor outlived the shell"
    );
}

#[test]
fn kill_of_the_pid_in_the_shell_acts_on_the_job_at_once() {
    let run = corral_with(
        &[
            "-c",
            "f() { sleep 1000; }\nf &\np=$!\nkill -STOP $p\njobs -l\n[ \"$(jobs -p)\" = \"$p\" ] && echo jobs-p\nkill $p\nkill -CONT $p\nwait $p\necho \"status $?\"\necho $p",
        ],
        b"",
        None,
    );
    let pid = run.stdout.lines().last().unwrap().to_owned();
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        format!("[1]+ {pid:>5} Stopped (signal)        f"),
        "{run:?}"
    );
    assert!(run.stdout.contains("\njobs-p\nstatus 143\n"), "{run:?}");
}
