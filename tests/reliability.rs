//! Reliability of the `corral` binary: nothing left behind (the tini test),
//! broken pipes that must not take the shell down, a follower that stops
//! reading, and hundreds of jobs listed by `jobs` and /v/jobs at once.
//!
//! A script that must pause while the test looks at processes waits on a
//! *gate*: a `sleep 1000` job whose pid it writes to a file, followed by
//! `wait %N`; the test kills the gate to let it go on. No fixed sleeps.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::procfs;
use crate::util::pty::{Pty, PtyCommand};
use crate::util::run::*;

/// A `corral` run in the background, its stdout and stderr in files (or
/// stdout in a pipe the test holds), stopped on drop with everything it
/// was seen to start.
struct Background {
    child: Option<Child>,
    dir: tempfile::TempDir,
    /// Killed on drop (processes the test learned about).
    pids: Vec<u32>,
    /// `KEY=value` in the environment of everything the shell starts: a pid
    /// is killed on drop only while it still carries it (pids get reused).
    tag: Option<String>,
}

impl Background {
    /// `corral -c SCRIPT`; `script` may name files in [`Background::dir`]
    /// as `{d}`. With `stdout_pipe`, stdout is a pipe left to the test.
    fn start(script: &str, stdout_pipe: bool) -> Background {
        let dir = tempfile::tempdir().unwrap();
        let script = script.replace("{d}", dir.path().to_str().unwrap());
        let out: Stdio = if stdout_pipe {
            Stdio::piped()
        } else {
            std::fs::File::create(dir.path().join("stdout"))
                .unwrap()
                .into()
        };
        let tag = format!("CORRAL_RELIABILITY_TAG={}", dir.path().display());
        let child = Command::new(corral_bin())
            .args(["-c", &script])
            .env("CORRAL_RELIABILITY_TAG", dir.path().as_os_str())
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap())
            .spawn()
            .unwrap();
        Background {
            child: Some(child),
            dir,
            pids: Vec::new(),
            tag: Some(tag),
        }
    }

    fn pid(&self) -> u32 {
        self.child.as_ref().unwrap().id()
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_default()
    }

    /// Waits until file `name` satisfies `done`; returns its text. Fails
    /// at once if corral exits first.
    fn wait_file(&mut self, name: &str, done: impl Fn(&str) -> bool) -> String {
        let (path, stderr) = (self.path(name), self.path("stderr"));
        wait_file(self.child.as_mut().unwrap(), &path, &stderr, done)
    }

    /// The pid a gate wrote to `name`, once it is there.
    fn gate(&mut self, name: &str) -> u32 {
        let pid = self
            .wait_file(name, |t| t.ends_with('\n'))
            .trim()
            .parse()
            .unwrap();
        self.pids.push(pid);
        pid
    }

    /// Lets the script go on past the gate whose pid is `pid`.
    fn open(&self, pid: u32) {
        nix::sys::signal::kill(
            nix::unistd::Pid::from_raw(pid as i32),
            nix::sys::signal::Signal::SIGKILL,
        )
        .unwrap();
    }

    /// Waits for corral to exit; returns its status.
    fn finish(&mut self) -> i32 {
        // On a timeout the child stays for Drop to stop.
        let status = wait_exit(self.child.as_mut().unwrap(), "corral");
        self.child = None;
        status
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // TERM first: corral then terminates its jobs itself.
            let pid = nix::unistd::Pid::from_raw(c.id() as i32);
            let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
            let start = Instant::now();
            while c.try_wait().ok().flatten().is_none() && start.elapsed() < Duration::from_secs(5)
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
        for &pid in &self.pids {
            let ours = self
                .tag
                .as_ref()
                .is_none_or(|tag| procfs::has_env(pid as i32, tag));
            if alive(pid) && ours {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid as i32),
                    nix::sys::signal::Signal::SIGKILL,
                );
            }
        }
    }
}

/// Pids, one per line.
fn pids_of(text: &str) -> Vec<u32> {
    text.lines().map(|l| l.trim().parse().unwrap()).collect()
}

/// Children of `parent` that are zombies.
fn zombie_children(parent: u32) -> Vec<i32> {
    procfs::all()
        .into_iter()
        .filter(|p| p.ppid == parent as i32 && p.state == 'Z')
        .map(|p| p.pid)
        .collect()
}

/// Waits until the job's leader `leader` has exited (and been reaped) and
/// `count` processes are left alive in its group; returns their pids.
fn leftovers_ready(leader: u32, count: usize) -> Vec<i32> {
    procfs::assert_exits(leader as i32, DEADLINE, "the intermediate");
    procfs::wait_for(
        DEADLINE,
        &format!("{count} sleeps in group {leader}"),
        || {
            let members: Vec<i32> = procfs::group_members(leader as i32)
                .iter()
                .map(|p| p.pid)
                .collect();
            (members.len() == count).then_some(members)
        },
        || format!("{:?}", procfs::group_members(leader as i32)),
    )
}

/// The tini test: a job's intermediate process starts 100 sleeps in the
/// job's process group and exits. `kill %1` must reach every one of them,
/// though the job itself has finished.
#[test]
fn tini_kill_reaches_all_hundred_sleeps_the_intermediate_left() {
    // `tail --pid` of the job's stdout ends when the intermediate is gone;
    // the sleeps still run.
    let mut bg = Background::start(
        &format!(
            "set -o bgquiet; sh {} 100 & echo $! > {{d}}/leader; tail -n +1 -s 0.1 -f --pid=$! /v/jobs/1/stdout > {{d}}/followed; \
             sleep 1000 & echo $! > {{d}}/gate1; wait %2; \
             cat /v/jobs/1/status > {{d}}/status; cat /v/jobs/1/stdout > {{d}}/pids; \
             kill %1; echo $? > {{d}}/killed; \
             sleep 1000 & echo $! > {{d}}/gate2; wait %3; echo done",
            fixture("spawn_many.sh")
        ),
        false,
    );
    let leader = bg.gate("leader");
    let gate1 = bg.gate("gate1");
    let sleeps = leftovers_ready(leader, 100);
    bg.pids.extend(sleeps.iter().map(|&p| p as u32));
    // The follower ends when the intermediate's pid is gone, which is when
    // corral reaps it, before the pipe's last bytes reach the ring; the
    // ring is complete once the job counts finished, so the pids are read
    // from a snapshot taken after the status says so.
    let followed = pids_of(&bg.read("followed"));
    bg.open(gate1);
    let pids = bg.wait_file("pids", |t| t.lines().count() >= 100);
    assert_eq!(bg.read("status"), "done:0\n", "the job has finished");
    let printed: BTreeSet<i32> = pids_of(&pids).iter().map(|&p| p as i32).collect();
    assert_eq!(
        printed,
        sleeps.iter().copied().collect(),
        "the 100 it started"
    );
    assert!(
        followed.iter().all(|&p| printed.contains(&(p as i32))),
        "the follower saw only pids the job printed"
    );
    assert_eq!(
        bg.wait_file("killed", |t| t.ends_with('\n')),
        "0\n",
        "{}",
        bg.read("stderr")
    );
    for &pid in &sleeps {
        procfs::assert_exits(pid, DEADLINE, "a sleep after kill %1");
    }
    let gate2 = bg.gate("gate2");
    // corral itself holds no zombie of its own.
    assert_eq!(zombie_children(bg.pid()), Vec::<i32>::new());
    bg.open(gate2);
    assert_eq!(bg.finish(), 0);
    assert_eq!(bg.read("stdout"), "done\n", "{}", bg.read("stderr"));
}

/// The tini test at exit: corral ends while the 100 sleeps still run in the
/// finished job's group; none may outlive it.
#[test]
fn tini_exit_leaves_none_of_the_hundred_sleeps() {
    let started = Instant::now();
    let r = corral(&format!(
        "set -o bgquiet; sh {} 100 & wait %1; cat /v/jobs/1/stdout",
        fixture("spawn_many.sh")
    ));
    let took = started.elapsed();
    let sleeps = pids_of(&r.stdout);
    assert_eq!(sleeps.len(), 100, "{r:?}");
    assert_eq!(r.status, 0, "{}", r.stderr);
    for &pid in &sleeps {
        procfs::assert_exits(pid as i32, DEADLINE, "a sleep after corral exited");
    }
    // Exiting costs corral the whole exit grace (1 s) here: see the
    // kernel's faults::terminate_returns_once_leftovers_obeying_term_are_gone.
    println!("corral ran and exited in {took:?}");
}

/// The same with a foreground job: its leftovers are in a process group
/// corral made, so they must not outlive corral either (DESIGN: shutdown
/// leaves no process of any job's process group running). Interactive
/// shells, no subreaper either, lose them the same way.
#[test]
fn foreground_job_leftovers_do_not_outlive_corral() {
    // To a file: leftovers holding corral's stdout would keep the test's
    // pipe from ever reaching end of file.
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let r = corral(&format!(
        "sh {} 20 > {} 2> /dev/null",
        fixture("spawn_many.sh"),
        pids.display()
    ));
    assert_eq!(r.status, 0, "{r:?}");
    let sleeps = pids_of(&std::fs::read_to_string(&pids).unwrap());
    // Kills them only if an assertion fails: once they have exited, their
    // pids may name other processes.
    let mut guard = Background {
        child: None,
        dir,
        pids: sleeps.clone(),
        tag: None,
    };
    assert_eq!(sleeps.len(), 20);
    for &pid in &sleeps {
        procfs::assert_exits(
            pid as i32,
            DEADLINE,
            "a foreground job's leftover after corral exited",
        );
    }
    guard.pids.clear();
}

/// The tini test in the interactive shell: the orphaned sleeps (children
/// of init now) are reached through their group once the job is announced
/// Done, and at exit; corral is left with no zombie of its own.
#[test]
fn tini_in_the_interactive_shell_leaves_none_of_the_sleeps() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let pty = Pty::spawn(PtyCommand::new(corral_bin()));
    pty.expect("corral> ");
    let shell = pty.pid() as u32;
    let spawn_many = fixture("spawn_many.sh");

    // Once the job is announced Done, `%1` names nothing (as in bash): its
    // leftovers are reached through their process group.
    pty.send_line(&format!("sh {spawn_many} 100 > {d}/pids1 &"));
    let line = pty.expect_line_matching("[1] PID", |l| l.starts_with("[1] "));
    let leader: u32 = line[4..].trim().parse().unwrap();
    let sleeps = leftovers_ready(leader, 100);
    pty.expect_line_matching("the Done notice", |l| l.starts_with("[1]+  Done "));
    pty.send_line(&format!(
        "kill -- -{leader}; echo kill-status $? | tr a-z A-Z"
    ));
    pty.expect_line("KILL-STATUS 0");
    for &pid in &sleeps {
        procfs::assert_exits(pid, DEADLINE, "a sleep after kill -- -PGID");
    }
    eventually("corral has no zombie child", || {
        zombie_children(shell).is_empty()
    });

    // At exit, while they still run in the finished job's group.
    pty.send_line(&format!("sh {spawn_many} 100 > {d}/pids2 &"));
    let line = pty.expect_line_matching("[2] PID", |l| l.starts_with("[2] "));
    let leader: u32 = line[4..].trim().parse().unwrap();
    let sleeps = leftovers_ready(leader, 100);
    pty.expect_line_matching("the Done notice", |l| l.starts_with("[2]+  Done "));
    pty.send_line("exit");
    for &pid in &sleeps {
        procfs::assert_exits(pid, DEADLINE, "a sleep after exit");
    }
    let st = pty.wait_exit(DEADLINE);
    assert!(st.success(), "{st}");
}

/// `cat /v/jobs/1/stdout | head -c 1` on a large ring (`cat` reading the
/// session mount): the pipeline ends, corral lives on.
#[test]
fn sigpipe_through_a_builtin_does_not_kill_corral() {
    let r = corral(
        "set -o bgquiet; head -c 3000000 /dev/zero | tr '\\0' x & wait; cat /v/jobs/1/stdout | head -c 1; echo \" $?\"; echo alive",
    );
    assert_eq!(r.stdout, "x 0\nalive\n", "{}", r.stderr);
    assert_eq!(r.status, 0);
    assert_eq!(r.stderr, "");
}

/// corral's own stdout closed by its reader: programs writing to it (cat,
/// tail -f on the mount) die of SIGPIPE (141), a builtin's write fails, the
/// shell does not die, and it goes on with the script.
#[test]
fn corral_survives_its_own_stdout_closing() {
    let mut bg = Background::start(
        "head -c 3000000 /dev/zero & wait; cat /v/jobs/1/stdout; echo cat $? >&2; \
         tail -f /v/jobs/1/stdout; echo tail $? >&2; echo x; echo echo $? >&2",
        true,
    );
    let mut out = bg.child.as_mut().unwrap().stdout.take().unwrap();
    let mut one = [0u8; 1];
    out.read_exact(&mut one).unwrap();
    drop(out);
    assert_eq!(bg.finish(), 0);
    let err = bg.read("stderr");
    assert!(
        err.contains("cat 141\n") && err.contains("tail 141\n"),
        "{err}"
    );
    assert!(
        err.ends_with("echo 1\n") || err.ends_with("echo 141\n"),
        "{err}"
    );
}

/// A `tail -f /v/jobs/1/stdout` whose reader never reads (corral's stdout
/// is a pipe nobody drains): the job's writer is not held up, corral's
/// memory stays bounded, and once the pipe breaks the follower ends.
#[test]
fn a_stalled_tail_follower_does_not_hold_up_the_job_or_grow_memory() {
    const BYTES: &str = "200000000";
    let flood = fixture("flood.sh");
    let hwm = |pid: u32| -> u64 {
        let s = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        s.lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    };
    // The same flood with nobody following, for comparison.
    let mut base = Background::start(
        &format!("sh {flood} {BYTES} & echo $! > {{d}}/flood; sleep 1000 & echo $! > {{d}}/gate; wait %2"),
        false,
    );
    let started = Instant::now();
    let pid: u32 = base
        .wait_file("flood", |t| t.ends_with('\n'))
        .trim()
        .parse()
        .unwrap();
    let gate = base.gate("gate");
    procfs::assert_exits(pid as i32, DEADLINE, "the flood");
    let base_took = started.elapsed();
    let base_hwm = hwm(base.pid());
    base.open(gate);
    assert_eq!(base.finish(), 137);

    let mut bg = Background::start(
        &format!(
            "sh {flood} {BYTES} & echo $! > {{d}}/flood; tail -f /v/jobs/1/stdout; echo tail $? >&2; wait %1; cat /v/jobs/1/status >&2"
        ),
        true,
    );
    let started = Instant::now();
    let pid: u32 = bg
        .wait_file("flood", |t| t.ends_with('\n'))
        .trim()
        .parse()
        .unwrap();
    // The follower never reads, so a writer it could hold up would never
    // finish: finishing is the proof. (The times are printed, not compared:
    // on a loaded machine they say more about the load than about corral.)
    procfs::assert_exits(
        pid as i32,
        DEADLINE,
        "the flood, followed by a stalled tail -f",
    );
    let took = started.elapsed();
    let stalled_hwm = hwm(bg.pid());
    println!(
        "flood of {BYTES} B: {base_took:?} and peak RSS {base_hwm} kB unfollowed; \
         {took:?} and {stalled_hwm} kB with a stalled tail -f"
    );
    assert!(
        stalled_hwm < base_hwm + 16 * 1024,
        "memory grew: {stalled_hwm} kB against {base_hwm} kB"
    );
    // Break the pipe: the follower ends with 141 and the script goes on.
    drop(bg.child.as_mut().unwrap().stdout.take());
    assert_eq!(bg.finish(), 0);
    assert_eq!(bg.read("stderr"), "tail 141\ndone:0\n");
}

/// Many jobs at once in one shell: 400 process jobs and 200 future jobs
/// (`wait %1 || true` builtins in the background) all running; `jobs` and
/// `ls /v/jobs` list exactly them; after they end, nothing is left running,
/// the listings agree with the retention limit, and no process is left.
#[test]
fn six_hundred_jobs_listed_by_jobs_and_v_jobs() {
    const PROCS: usize = 400;
    const FUTS: usize = 200;
    let mut script = String::new();
    for _ in 0..PROCS {
        script.push_str("sleep 1000 & ");
    }
    for _ in 0..FUTS {
        script.push_str("wait %1 || true & ");
    }
    let all = PROCS + FUTS;
    let kill_rest: Vec<String> = (2..=PROCS).map(|i| format!("%{i}")).collect();
    script.push_str(&format!(
        "jobs > {{d}}/jobs1; jobs -r | wc -l > {{d}}/running1; ls /v/jobs > {{d}}/ls1; jobs -p > {{d}}/pids; \
         sleep 1000 & echo $! > {{d}}/gate1; wait %{g1}; \
         kill %1; kill {rest}; wait; echo $? > {{d}}/waited; \
         jobs -r | wc -l > {{d}}/running2; ls /v/jobs > {{d}}/ls2; jobs > {{d}}/jobs2; \
         sleep 1000 & echo $! > {{d}}/gate2; wait %{g2}; echo done",
        g1 = all + 1,
        g2 = all + 2,
        rest = kill_rest.join(" "),
    ));
    let mut bg = Background::start(&script, false);
    let shell = bg.pid();
    let gate1 = bg.gate("gate1");
    let pids = pids_of(&bg.wait_file("pids", |t| t.lines().count() >= all));
    bg.pids.extend(&pids);

    // All running: `jobs` lists every one, in order, as bash formats it.
    let jobs1 = bg.read("jobs1");
    let lines: Vec<&str> = jobs1.lines().collect();
    assert_eq!(lines.len(), all, "{jobs1}");
    for (i, line) in lines.iter().enumerate() {
        let n = i + 1;
        let marker = if n == all {
            '+'
        } else if n == all - 1 {
            '-'
        } else {
            ' '
        };
        let cmd = if n <= PROCS {
            "sleep 1000"
        } else {
            "wait %1 || true"
        };
        assert_eq!(
            *line,
            format!("[{n}]{marker}  Running                 {cmd} &")
        );
    }
    assert_eq!(bg.read("running1").trim(), all.to_string());
    let ls1: BTreeSet<usize> = bg.read("ls1").lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(ls1, (1..=all).collect::<BTreeSet<_>>());
    // A future job's pid is its anchor process's.
    assert_eq!(pids.len(), all, "jobs -p: one pid per job");
    for &pid in &pids {
        assert!(procfs::stat(pid as i32).is_some_and(|s| s.is_alive() && s.ppid == shell as i32));
    }

    bg.open(gate1);
    let gate2 = bg.gate("gate2");
    assert_eq!(bg.read("running2").trim(), "0");
    // Finished records beyond the retention limit (100) are gone from /v/jobs.
    let ls2: Vec<usize> = bg.read("ls2").lines().map(|l| l.parse().unwrap()).collect();
    assert_eq!(ls2.len(), 100, "{ls2:?}");
    // The plain `wait` reaped them all: they left `jobs` (bash), while
    // /v/jobs keeps the last records.
    assert_eq!(bg.read("jobs2"), "");
    for &pid in &pids {
        assert!(!alive(pid), "sleep {pid} still runs");
    }
    assert_eq!(
        zombie_children(shell),
        Vec::<i32>::new(),
        "zombies left in corral"
    );
    bg.open(gate2);
    assert_eq!(bg.finish(), 0, "{}", bg.read("stderr"));
    assert_eq!(bg.read("stdout"), "done\n");
    let _ = bg.read("waited");
}

/// `kill -- -PGID` signals a process group, as in bash: the way to reach
/// what a job left behind once `%N` names nothing any more.
#[test]
fn kill_builtin_reaches_a_process_group_by_negative_pid() {
    let r = corral("sleep 100 & kill -- -$!; echo k=$?; wait %1; echo s=$?");
    assert_eq!(r.stdout, "k=0\ns=143\n", "{}", r.stderr);
}

/// Writing a signal name to /v/jobs/N/ctl signals the job (DESIGN: JobFs),
/// also from the shell's own redirections.
#[test]
fn ctl_is_writable_from_the_shell() {
    let r = corral("sleep 100 & echo TERM > /v/jobs/1/ctl; echo w=$?; wait %1; echo s=$?");
    assert_eq!(r.stdout, "w=0\ns=143\n", "{}", r.stderr);
}

/// `cmd 2> /dev/null` silences "command not found", as in bash: the
/// message belongs to the command's stderr, redirections included.
#[test]
fn command_not_found_honours_the_stderr_redirection() {
    let r = corral("nosuchcommand-xyz 2> /dev/null; echo $?");
    assert_eq!(r.stdout, "127\n");
    assert_eq!(r.stderr, "");
}
