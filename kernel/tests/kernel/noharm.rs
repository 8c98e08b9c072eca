//! No harm, no loss: a process left behind by a finished job keeps its
//! output and its life; the kernel never signals a group that is no longer
//! a job's (tested with a forced pid reuse where the machine allows it);
//! dropping the kernel at process exit leaves no job process alive.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use corral_kernel::{Error, JobEvent, JobState, Kernel, KernelConfig, Signal};
use tokio::io::AsyncReadExt;

use crate::util::*;

fn pids_in(text: &[u8]) -> Vec<u32> {
    String::from_utf8_lossy(text)
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

/// A launcher's worker outlives its job: the job is final (Exited event,
/// waiters woken) while the worker still holds the pipe; the worker then
/// writes, is not killed by SIGPIPE, and its output lands in the job's
/// stream, which closes only at end of file.
#[tokio::test]
async fn a_leftover_keeps_writing_into_its_finished_jobs_stream() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let k = TestKernel::new();
    let mut events = k.subscribe();
    // The worker waits for a file the test creates once the job is final.
    let job = k
        .spawn_process(sh(&format!(
            "(while [ ! -e {d}/go ]; do sleep 0.02; done; echo late; touch {d}/alive) & echo $!"
        )))
        .unwrap();
    let mut follow = job.stdout().follow(0);
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let id = job.id();
    within("the Exited event", async {
        loop {
            if let Ok(JobEvent::Exited(got, _)) = events.recv().await {
                if got == id {
                    break;
                }
            }
        }
    })
    .await;
    until("the worker's pid in stdout", || {
        !pids_in(&job.stdout().snapshot().data).is_empty()
    })
    .await;
    let worker = pids_in(&job.stdout().snapshot().data)[0];
    let _guard = KillOnDrop::new(&[worker]);
    assert!(alive(worker), "the worker outlives its job");
    assert!(
        !job.stdout().is_closed(),
        "the stream stays open while the worker holds the pipe"
    );
    std::fs::write(dir.path().join("go"), b"").unwrap();
    until("the worker's file", || dir.path().join("alive").exists()).await;
    let mut all = Vec::new();
    within("the follower to end at EOF", follow.read_to_end(&mut all))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&all);
    assert!(text.ends_with("late\n"), "stdout: {text:?}");
    assert!(job.stdout().is_closed());
    assert_eq!(job.state(), JobState::Exited(0), "the job's status is kept");
}

/// Each stream closes at its own pipe's end: a leftover holding only
/// stderr leaves stdout's followers free to end.
#[tokio::test]
async fn a_leftover_holding_stderr_only_lets_stdout_close() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(sh("sleep 100000 >/dev/null & echo $!"))
        .unwrap();
    let mut out = Vec::new();
    within(
        "stdout's follower to end",
        job.stdout().follow(0).read_to_end(&mut out),
    )
    .await
    .unwrap();
    let leftover = pids_in(&out)[0];
    let _guard = KillOnDrop::new(&[leftover]);
    assert!(job.state().is_finished(), "final before its stream closed");
    assert!(alive(leftover));
    assert!(!job.stderr().is_closed(), "the leftover holds stderr");
    k.signal(job.id(), Signal::KILL).unwrap();
    until("stderr closed once the leftover is gone", || {
        job.stderr().is_closed()
    })
    .await;
}

/// The issue's own case, with the time it names: `alive` appears a second
/// after the job is final and `late` is in its stdout.
#[tokio::test]
async fn sh_c_with_a_sleeping_background_worker_creates_alive() {
    let dir = tempfile::tempdir().unwrap();
    let alive_file = dir.path().join("alive");
    let k = TestKernel::new();
    let job = k
        .spawn_process(sh(&format!(
            "(sleep 1; echo late; touch {}) &",
            alive_file.display()
        )))
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    until("alive", || alive_file.exists()).await;
    until("late in stdout", || {
        job.stdout().snapshot().data.as_ref() == b"late\n"
    })
    .await;
}

/// A finished job's leftover starts a process after the job became final:
/// a signal to the job reaches it too (the group is scanned again, while a
/// held leftover proves it still the job's).
#[tokio::test]
async fn a_signal_reaches_what_a_leftover_started_after_the_job_ended() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let k = TestKernel::new();
    let job = k
        .spawn_process(sh(&format!(
            "(while [ ! -e {d}/go ]; do sleep 0.02; done; sleep 100000 & echo $! > {d}/grand; wait) \
             >/dev/null 2>&1 & echo $!"
        )))
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let worker = pids_in(&job.stdout().snapshot().data)[0];
    let mut guard = KillOnDrop::new(&[worker]);
    std::fs::write(dir.path().join("go"), b"").unwrap();
    let grand_file = dir.path().join("grand");
    until("the grandchild's pid", || {
        std::fs::read(&grand_file).is_ok_and(|b| !pids_in(&b).is_empty())
    })
    .await;
    let grand = pids_in(&std::fs::read(&grand_file).unwrap())[0];
    guard.push(grand);
    k.signal(job.id(), Signal::KILL).unwrap();
    until("worker and grandchild killed", || {
        !alive(worker) && !alive(grand)
    })
    .await;
    assert!(matches!(
        k.signal(job.id(), Signal::TERM),
        Err(Error::JobFinished(_))
    ));
}

const NS_LAST_PID: &str = "/proc/sys/kernel/ns_last_pid";

/// Places the next process's pid through ns_last_pid, if this process may
/// write it (root, and /proc/sys writable).
struct PidPlacer;

impl PidPlacer {
    fn open() -> Result<PidPlacer, String> {
        Self::last_pid_was(
            std::fs::read_to_string(NS_LAST_PID)
                .unwrap_or_default()
                .trim(),
        )
        .map(|()| PidPlacer)
        .map_err(|e| format!("{NS_LAST_PID} is not writable: {e}"))
    }

    fn last_pid_was(n: &str) -> std::io::Result<()> {
        std::fs::OpenOptions::new()
            .write(true)
            .open(NS_LAST_PID)?
            .write_all(n.as_bytes())
    }

    /// Starts `sleep 100000` in a process group of its own with pid `pid`
    /// (other processes, and threads, race for pids: a few tries).
    fn place_stranger(&mut self, pid: u32) -> Option<std::process::Child> {
        for _ in 0..50 {
            if Self::last_pid_was(&format!("{}", pid - 1)).is_err() {
                return None;
            }
            let mut child = std::process::Command::new("sleep")
                .arg("100000")
                .process_group(0)
                .spawn()
                .ok()?;
            if child.id() == pid {
                return Some(child);
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        None
    }
}

/// A finished job's group held a leftover, which then died unseen (killed
/// from outside; not our child, so init reaped it). The group id is then
/// free, and a stranger placed at it gets the same number as its own
/// group: signal, terminate, shutdown and dropping the kernel must all
/// leave it alone.
///
/// Runs in a pid namespace of its own ([`in_own_pid_namespace`]).
#[test]
fn a_stranger_at_a_finished_jobs_old_group_id_is_never_signalled() {
    const NAME: &str = "noharm::a_stranger_at_a_finished_jobs_old_group_id_is_never_signalled";
    in_own_pid_namespace(NAME, stranger_scenario);
}

async fn stranger_scenario() {
    let mut placer = match PidPlacer::open() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let kernel =
        Kernel::with_config(KernelConfig::default().drop_grace(Duration::from_millis(200)))
            .unwrap();
    let job = kernel
        .spawn_process(sh("sleep 100000 >/dev/null 2>&1 & echo $!"))
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    let id = job.id();
    let pgid = u32::from(job.pgid().unwrap());
    let leftover = pids_in(&job.stdout().snapshot().data)[0];
    let mut guard = KillOnDrop::new(&[leftover]);
    // While the leftover lives, the group is the job's.
    kernel.signal(id, Signal::CONT).unwrap();
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(leftover as i32),
        nix::sys::signal::Signal::SIGKILL,
    )
    .unwrap();
    let end = Instant::now() + DEADLINE;
    while stat(leftover).is_some() || stat(pgid).is_some() {
        if Instant::now() > end {
            println!("skipped: the killed leftover {leftover} was never reaped by its new parent");
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let Some(mut stranger) = placer.place_stranger(pgid) else {
        println!("skipped: could not place a process at pid {pgid}");
        return;
    };
    guard.push(stranger.id());
    println!("a stranger leads group {pgid}, the finished job's old group id");
    assert_eq!(
        stat(pgid).map(|(_, _, g)| g),
        Some(pgid),
        "the stranger leads group {pgid}"
    );

    for sig in [Signal::TERM, Signal::KILL, Signal::STOP] {
        assert!(
            matches!(kernel.signal(id, sig), Err(Error::JobFinished(_))),
            "{sig:?} to the finished job"
        );
    }
    assert!(matches!(
        kernel.terminate(id, Duration::from_millis(100)).await,
        Err(Error::JobFinished(_))
    ));
    within("shutdown", kernel.shutdown(Duration::from_millis(200))).await;
    drop(job);
    drop(kernel);
    assert!(
        matches!(proc_state(pgid), Some('S' | 'R')),
        "the stranger was left alone (not stopped, not killed): {:?}",
        proc_state(pgid)
    );
    assert!(stranger.try_wait().unwrap().is_none());
    let _ = stranger.kill();
    let _ = stranger.wait();
}

const DROP_SCENARIO: &str = "CORRAL_NOHARM_DROP_SCENARIO";

/// In a copy of this test binary: a kernel with a TERM-ignorer, a `sleep`,
/// a running job with a grandchild and a finished job with a leftover;
/// prints every pid, then returns (from the test, then from main) without
/// shutdown.
fn drop_scenario(grace: Duration, ignorer: bool) {
    runtime().block_on(async {
        let kernel = Kernel::with_config(KernelConfig::default().drop_grace(grace)).unwrap();
        let mut pids: Vec<u32> = Vec::new();
        if ignorer {
            let job = kernel
                .spawn_process(fixture_job("term_ignorer.sh", &[]))
                .unwrap();
            until("the TERM-ignorer's trap", || {
                job.stdout().snapshot().data.as_ref() == b"ready\n"
            })
            .await;
            pids.extend(job.pids().into_iter().map(u32::from));
        }
        let sleeper = kernel.spawn_process(sleeper()).unwrap();
        pids.extend(sleeper.pids().into_iter().map(u32::from));
        let running = kernel
            .spawn_process(sh("sleep 100000 & echo $!; exec sleep 100000"))
            .unwrap();
        until("the grandchild's pid", || {
            !pids_in(&running.stdout().snapshot().data).is_empty()
        })
        .await;
        pids.extend(running.pids().into_iter().map(u32::from));
        pids.extend(pids_in(&running.stdout().snapshot().data));
        let done = kernel
            .spawn_process(sh("sleep 100000 >/dev/null 2>&1 & echo $!"))
            .unwrap();
        assert_eq!(finished(&done).await, JobState::Exited(0));
        pids.extend(pids_in(&done.stdout().snapshot().data));
        let list: Vec<String> = pids.iter().map(u32::to_string).collect();
        println!("PIDS {}", list.join(" "));
    });
}

/// Runs the drop scenario in a copy of this binary; returns the pids it
/// printed and how long the copy ran.
fn run_drop_scenario(test: &str, mode: &str) -> (Vec<u32>, Duration) {
    let started = Instant::now();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(DROP_SCENARIO, mode)
        .output()
        .unwrap();
    let took = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let pids: Vec<u32> = stdout
        .lines()
        .find_map(|l| l.split_once("PIDS "))
        .map(|(_, l)| pids_in(l.as_bytes()))
        .unwrap_or_default();
    let mut guard = KillOnDrop::new(&pids);
    assert!(
        out.status.success() && stdout.contains("1 passed") && !pids.is_empty(),
        "scenario failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The caller checks these (and guards them itself).
    guard.0.clear();
    (pids, took)
}

fn none_alive(pids: &[u32]) -> bool {
    pids.iter().all(|&p| !alive(p))
}

/// An embedder returns from main without shutdown: dropping the kernel
/// TERMs, waits out the grace for the TERM-ignorer, KILLs it, and nothing
/// of any job (grandchild and leftover included) outlives the process.
#[test]
fn returning_from_main_without_shutdown_leaves_no_job_process() {
    const NAME: &str = "noharm::returning_from_main_without_shutdown_leaves_no_job_process";
    if std::env::var_os(DROP_SCENARIO).is_some() {
        return drop_scenario(Duration::from_millis(300), true);
    }
    let (pids, _) = run_drop_scenario(NAME, "ignorer");
    let guard = KillOnDrop::new(&pids);
    assert_eq!(pids.len(), 5, "{pids:?}");
    let end = Instant::now() + DEADLINE;
    while !none_alive(&pids) {
        let left: Vec<_> = pids.iter().filter(|&&p| alive(p)).collect();
        assert!(Instant::now() < end, "still alive: {left:?}");
        std::thread::sleep(Duration::from_millis(5));
    }
    drop(guard);
}

/// Drop waits on the processes' exit, not on the clock: with a grace of a
/// minute and no TERM-ignorer, the copy exits as soon as its jobs obeyed TERM.
#[test]
fn drop_returns_when_the_jobs_obeyed_term_not_after_the_grace() {
    const NAME: &str = "noharm::drop_returns_when_the_jobs_obeyed_term_not_after_the_grace";
    if std::env::var_os(DROP_SCENARIO).is_some() {
        return drop_scenario(Duration::from_secs(60), false);
    }
    let (pids, took) = run_drop_scenario(NAME, "obeying");
    let _guard = KillOnDrop::new(&pids);
    assert!(none_alive(&pids), "{pids:?} outlived the drop");
    assert!(took < Duration::from_secs(30), "the copy ran {took:?}");
}

/// A pipeline member exits and is reaped (through its pidfd) while its job
/// lives on; a stranger, a child of this process in a group of its own,
/// then gets the member's pid. The kernel must never wait on it (its exit
/// status stays for its own parent to take, although the reaper sees its
/// SIGCHLD) nor signal it (signals to the job reach the job's group only).
///
/// Runs in a pid namespace of its own, as the test above.
#[test]
fn a_stranger_at_a_reaped_members_pid_is_never_waited_on_or_signalled() {
    const NAME: &str = "noharm::a_stranger_at_a_reaped_members_pid_is_never_waited_on_or_signalled";
    in_own_pid_namespace(NAME, reaped_member_scenario);
}

async fn reaped_member_scenario() {
    let mut placer = match PidPlacer::open() {
        Ok(p) => p,
        Err(why) => {
            println!("skipped: {why}");
            return;
        }
    };
    let kernel = Kernel::new().unwrap();
    let spec = corral_kernel::ProcessSpec::command(corral_kernel::Cmd::new("sleep").arg("100000"))
        .pipe(corral_kernel::Cmd::new("true"));
    let job = kernel.spawn_process(spec).unwrap();
    let pids: Vec<u32> = job.pids().into_iter().map(u32::from).collect();
    let mut guard = KillOnDrop::new(&pids);
    let (leader, member) = (pids[0], pids[1]);
    // The second member is reaped (gone from /proc: it was our child).
    until("the exited member to be reaped", || stat(member).is_none()).await;
    assert!(alive(leader), "the job lives on in its first member");
    let Some(mut stranger) = placer.place_stranger(member) else {
        println!("skipped: could not place a process at pid {member}");
        return;
    };
    guard.push(stranger.id());
    println!("a stranger runs at pid {member}, a reaped member's");

    // Signals to the job reach its group, never the stranger.
    kernel.signal(job.id(), Signal::STOP).unwrap();
    until("the job's leader to stop", || {
        proc_state(leader) == Some('T')
    })
    .await;
    assert!(
        matches!(proc_state(member), Some('S' | 'R')),
        "the stranger was not stopped: {:?}",
        proc_state(member)
    );
    kernel.signal(job.id(), Signal::CONT).unwrap();

    // The stranger exits; its SIGCHLD makes the reaper look while the job
    // lives, and again when the job ends.
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(member as i32),
        nix::sys::signal::Signal::SIGTERM,
    )
    .unwrap();
    until("the stranger to be a zombie", || {
        proc_state(member) == Some('Z')
    })
    .await;
    kernel.signal(job.id(), Signal::KILL).unwrap();
    assert!(finished(&job).await.is_finished());
    // Its status is still there for its parent: no one else took it.
    let status = stranger.try_wait();
    assert!(
        matches!(&status, Ok(Some(s)) if std::os::unix::process::ExitStatusExt::signal(s)
            == Some(libc::SIGTERM)),
        "the stranger's own status (an error: someone else waited on it): {status:?}"
    );
    within("shutdown", kernel.shutdown(Duration::from_millis(200))).await;
}
