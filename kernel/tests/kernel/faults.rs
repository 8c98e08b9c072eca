//! Fault tests: leaders that leave processes behind, processes changed from
//! outside the kernel, spawns that fail half-way, the running-job limit, and
//! followers that stop reading. Each is bounded in time; each checks that
//! nothing is left behind.

use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use corral_kernel::{
    CancelToken, Cmd, Error, Events, Job, JobEvent, JobOptions, JobState, KernelConfig,
    ProcessSpec, Signal,
};
use nix::sys::resource::{getrlimit, setrlimit, Resource};

use crate::util::*;

/// How soon a change made outside the kernel must show in the job's state.
const PROMPT: Duration = Duration::from_secs(1);

/// Awaits `fut`, failing unless it completes within [`PROMPT`].
async fn promptly<T>(what: &str, fut: impl std::future::Future<Output = T>) -> T {
    match tokio::time::timeout(PROMPT, fut).await {
        Ok(v) => v,
        Err(_) => panic!("not within {PROMPT:?}: {what}"),
    }
}

fn kill_pid(pid: impl Into<u32>, sig: nix::sys::signal::Signal) {
    let pid: u32 = pid.into();
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid as i32), sig).unwrap();
}

/// A job whose leader starts a `sleep` that inherits (and holds open) the
/// job's stdout and stderr, prints its pid and exits. Checks that the job's
/// status becomes final promptly although the pipe stays open, and that the
/// sleep is still alive in the job's process group. With `ignore_term`, the
/// sleep ignores SIGTERM (the ignore survives exec).
async fn leader_gone_grandchild_left(k: &TestKernel, ignore_term: bool) -> (Job, u32, KillOnDrop) {
    let script = if ignore_term {
        "trap '' TERM; sleep 100000 & echo $!"
    } else {
        "sleep 100000 & echo $!"
    };
    let job = k.spawn_process(sh(script)).unwrap();
    // Timed from the spawn's return: under load, starting sh can itself take a while.
    let started = Instant::now();
    assert_eq!(
        promptly("final status with the pipe held open", job.wait())
            .await
            .state,
        JobState::Exited(0)
    );
    let took = started.elapsed();
    let pid: u32 = String::from_utf8_lossy(&job.stdout().snapshot().data)
        .trim()
        .parse()
        .unwrap();
    let guard = KillOnDrop::new(&[pid]);
    assert!(took < PROMPT, "status final after {took:?}");
    assert!(alive(pid), "the grandchild keeps running");
    assert!(
        group_members(job.pgid().unwrap()).contains(&pid),
        "the grandchild is in the job's process group"
    );
    (job, pid, guard)
}

#[tokio::test]
async fn kill_of_a_finished_job_reaches_the_grandchild_holding_its_pipe() {
    let k = TestKernel::new();
    let (job, pid, _guard) = leader_gone_grandchild_left(&k, false).await;
    // `kill %N`: TERM to the group (wait.rs covers KILL).
    k.signal(job.id(), Signal::TERM).unwrap();
    until("grandchild gone after TERM", || !alive(pid)).await;
    until("group empty", || {
        group_members(job.pgid().unwrap())
            .iter()
            .all(|&p| !alive(p))
    })
    .await;
    assert_eq!(
        job.state(),
        JobState::Exited(0),
        "the job's own status is kept"
    );
}

#[tokio::test]
async fn terminate_of_a_finished_job_reaches_the_grandchild_holding_its_pipe() {
    let k = TestKernel::new();
    // One that obeys TERM, one that ignores it and needs the KILL.
    let (obeys, obeys_pid, _g1) = leader_gone_grandchild_left(&k, false).await;
    let (ignores, ignores_pid, _g2) = leader_gone_grandchild_left(&k, true).await;

    let grace = Duration::from_millis(300);
    let started = Instant::now();
    let state = within("terminate", k.terminate(ignores.id(), grace))
        .await
        .unwrap()
        .state;
    assert_eq!(
        state,
        JobState::Exited(0),
        "terminate returns the job's own status"
    );
    assert!(
        started.elapsed() >= grace,
        "a TERM-ignorer gets the grace period"
    );
    until("TERM-ignoring grandchild killed", || !alive(ignores_pid)).await;

    let state = within("terminate", k.terminate(obeys.id(), Duration::from_secs(5)))
        .await
        .unwrap()
        .state;
    assert_eq!(state, JobState::Exited(0));
    until("grandchild gone after terminate", || !alive(obeys_pid)).await;
}

/// terminate(grace) on a finished job whose leftover obeys TERM at once
/// returns once the leftover is gone, not after the whole grace: the
/// leftover is not our child (no subreaper), and its pidfd reports its exit.
#[tokio::test]
async fn terminate_returns_once_leftovers_obeying_term_are_gone() {
    let k = TestKernel::new();
    let (job, pid, _guard) = leader_gone_grandchild_left(&k, false).await;
    let grace = Duration::from_secs(5);
    let started = Instant::now();
    within("terminate", k.terminate(job.id(), grace))
        .await
        .unwrap();
    let took = started.elapsed();
    assert!(!alive(pid));
    assert!(
        took < Duration::from_secs(1),
        "terminate took {took:?} for a leftover that died at TERM"
    );
}

#[tokio::test]
async fn shutdown_reaches_grandchildren_holding_the_pipes_of_finished_jobs() {
    let k = TestKernel::new();
    let (_a, obeys, _g1) = leader_gone_grandchild_left(&k, false).await;
    let (_b, ignores, _g2) = leader_gone_grandchild_left(&k, true).await;
    within("shutdown", k.shutdown(Duration::from_millis(300))).await;
    // Not our children: the KILL sent at the deadline lands a moment later.
    until("TERM reached the grandchild", || !alive(obeys)).await;
    until("KILL reached the TERM-ignoring grandchild", || {
        !alive(ignores)
    })
    .await;
}

/// Waits until the kernel has announced `jobs` as finished: their `Exited`
/// events, published once their slots of the running-job limit are free.
async fn counted_finished(events: &mut Events, jobs: &[&Job]) {
    let mut ids: Vec<_> = jobs.iter().map(|j| j.id()).collect();
    within("the Exited events", async {
        while !ids.is_empty() {
            match events.recv().await {
                Ok(JobEvent::Exited(got, _)) => ids.retain(|&i| i != got),
                Ok(_) => {}
                Err(e) => panic!("events: {e}"),
            }
        }
    })
    .await;
}

/// A job that closes its stdout and stderr early and keeps running, stops
/// itself, is continued, stopped (TSTP and STOP) and finally SIGKILLed from
/// outside the kernel: every change shows in its state within a second,
/// and closed pipes never make it look finished.
#[tokio::test]
async fn changes_made_outside_the_kernel_show_within_a_second() {
    use nix::sys::signal::Signal as S;
    let k = TestKernel::new();
    let job = k
        .spawn_process(sh(
            "echo out; echo err >&2; exec >&- 2>&-; kill -STOP $$; exec sleep 100000",
        ))
        .unwrap();
    let pid: u32 = job.pids()[0].into();
    let _guard = KillOnDrop::new(&[pid]);

    // Stops itself, after closing both pipes.
    let s = promptly("self-stop", job.wait_change(JobState::Running)).await;
    assert_eq!(s, JobState::Stopped(Signal::STOP));
    until("output read", || {
        &job.stdout().snapshot().data[..] == b"out\n"
            && &job.stderr().snapshot().data[..] == b"err\n"
    })
    .await;

    // Continued from outside: running again, although both pipes are at EOF.
    kill_pid(pid, S::SIGCONT);
    let s = promptly("continue from outside", job.wait_change(s)).await;
    assert_eq!(s, JobState::Running);
    // It has exec'd sleep (same pid) with its pipes closed.
    until("exec'd sleep", || {
        std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|c| c.trim() == "sleep")
    })
    .await;
    assert_eq!(
        job.state(),
        JobState::Running,
        "closed pipes do not finish a job"
    );

    // Stopped from outside, by TSTP then (after a CONT) by STOP: the cause is kept.
    for (sig, want) in [(S::SIGTSTP, Signal::TSTP), (S::SIGSTOP, Signal::STOP)] {
        kill_pid(pid, sig);
        let s = promptly("stop from outside", job.wait_change(JobState::Running)).await;
        assert_eq!(s, JobState::Stopped(want));
        kill_pid(pid, S::SIGCONT);
        let s = promptly("continue from outside", job.wait_change(s)).await;
        assert_eq!(s, JobState::Running);
    }

    // Killed from outside.
    kill_pid(pid, S::SIGKILL);
    let s = promptly("kill from outside", job.wait()).await.state;
    assert_eq!(
        s,
        JobState::Signaled {
            signal: Signal::KILL,
            core_dumped: false
        }
    );
    assert_eq!(s.exit_status(), Some(137));
    assert_eq!(proc_state(pid), None, "reaped, not a zombie");
}

/// A pipeline member killed from outside leaves the job running while
/// another member lives; the job ends with the last member's status.
#[tokio::test]
async fn a_pipeline_member_killed_from_outside() {
    use nix::sys::signal::Signal as S;
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            ProcessSpec::new("sleep 100000 | sleep 100000")
                .pipe(Cmd::new("sleep").arg("100000"))
                .pipe(Cmd::new("sleep").arg("100000")),
        )
        .unwrap();
    let pids: Vec<u32> = job.pids().into_iter().map(u32::from).collect();
    let _guard = KillOnDrop::new(&pids);
    kill_pid(pids[1], S::SIGKILL);
    // Our child: gone from /proc once the kernel has reaped it.
    until("last member reaped", || proc_state(pids[1]).is_none()).await;
    assert_eq!(
        job.state(),
        JobState::Running,
        "the first member still runs"
    );
    kill_pid(pids[0], S::SIGTERM);
    let s = promptly("job final", job.wait()).await.state;
    assert_eq!(
        s.exit_status(),
        Some(137),
        "the last member's status: {s:?}"
    );
    assert_eq!(proc_state(pids[0]), None);
}

/// The lowest descriptor numbers free, up to `limit`.
fn free_below(limit: u64) -> u64 {
    let used = std::fs::read_dir("/proc/self/fd")
        .unwrap()
        .flatten()
        .filter_map(|e| e.file_name().to_string_lossy().parse::<u64>().ok())
        .filter(|&fd| fd < limit)
        .count() as u64;
    // read_dir's own descriptor was counted and is closed again.
    limit - used.saturating_sub(1)
}

/// With RLIMIT_NOFILE lowered so that pipes (or /dev/null, or the exec)
/// cannot get descriptors, spawning fails with a clear error at whichever
/// step runs out, leaves no process and no job, holds no slot of the
/// running-job limit, and the next job works. Runs alone: the limit is
/// process-wide.
#[test]
fn descriptor_exhaustion_is_a_clear_error_and_leaves_nothing() {
    alone(
        "faults::descriptor_exhaustion_is_a_clear_error_and_leaves_nothing",
        || async {
            // max_running 1: a slot lost by a failed spawn would show at once.
            let mut config = KernelConfig::default();
            config.max_running = 1;
            let k = TestKernel::with(config);
            let mut events = k.subscribe();
            let warm = k.spawn_process(sh("echo warm")).unwrap();
            counted_finished(&mut events, &[&warm]).await;
            k.remove(warm.id()).unwrap();

            let me = std::process::id();
            let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
            // Fail at every step: no descriptor free, one, two… until it works.
            let base = std::fs::read_dir("/proc/self/fd").unwrap().count() as u64;
            let (mut failed, mut worked) = (0, 0);
            for (n, marker) in ["1234.5", "1234.75"].iter().enumerate() {
                let mut budget = 0;
                loop {
                    let spec = if n == 0 {
                        ProcessSpec::command(Cmd::new("sleep").arg(*marker))
                    } else {
                        ProcessSpec::new("sleep | cat | cat")
                            .pipe(Cmd::new("sleep").arg(*marker))
                            .pipe(Cmd::new("cat"))
                            .pipe(Cmd::new("cat"))
                    };
                    // Find the limit that leaves exactly `budget` descriptors free.
                    let mut limit = base;
                    while free_below(limit) < budget {
                        limit += 1;
                    }
                    setrlimit(Resource::RLIMIT_NOFILE, limit, hard).unwrap();
                    let got = k.spawn_process(spec);
                    setrlimit(Resource::RLIMIT_NOFILE, soft, hard).unwrap();
                    match got {
                        Err(e) => {
                            failed += 1;
                            let text = e.to_string();
                            println!(
                                "{} member(s), {budget} descriptor(s) free: {text}",
                                n * 2 + 1
                            );
                            assert!(
                                matches!(&e, Error::Spawn { source, .. } if source.raw_os_error() == Some(libc::EMFILE)),
                                "budget {budget}: {e:?}"
                            );
                            assert!(text.contains("Too many open files"), "{text}");
                            assert!(k.job_ids().is_empty(), "no job entered for a failed spawn");
                            assert!(
                                processes_with_arg(marker).is_empty(),
                                "budget {budget}: a member was left half-started"
                            );
                            assert!(
                                children_of(me).is_empty(),
                                "budget {budget}: {:?}",
                                children_of(me)
                            );
                        }
                        Ok(job) => {
                            worked += 1;
                            k.signal(job.id(), Signal::KILL).unwrap();
                            counted_finished(&mut events, &[&job]).await;
                            k.remove(job.id()).unwrap();
                            break;
                        }
                    }
                    budget += 1;
                    assert!(budget < 64, "spawning never worked");
                }
            }
            assert!(
                failed >= 2 && worked == 2,
                "failed {failed}, worked {worked}"
            );
            // The kernel keeps working: output, status, reaping.
            let job = k.spawn_process(sh("echo still working; exit 3")).unwrap();
            assert_eq!(finished(&job).await, JobState::Exited(3));
            assert_eq!(&job.stdout().snapshot().data[..], b"still working\n");
            until("no child left", || children_of(me).is_empty()).await;
        },
    );
}

/// Failures at exec time, after every program resolved: the error is
/// clear, members already started are killed and reaped, nothing enters
/// the table, and the next job works. Also a working directory that is a
/// file, or is gone.
#[tokio::test]
async fn exec_failures_and_bad_directories_leave_nothing_half_started() {
    let k = TestKernel::new();
    let dir = tempfile::tempdir().unwrap();

    // Executable bits on a file that is no program: execve says ENOEXEC.
    let garbage = dir.path().join("garbage");
    std::fs::write(&garbage, [0x7f, b'E', b'L', b'F', 0, 1, 2, 3, 0xff, 0xfe]).unwrap();
    std::fs::set_permissions(&garbage, std::fs::Permissions::from_mode(0o755)).unwrap();
    let err = k
        .spawn_process(ProcessSpec::command(Cmd::new(garbage.to_str().unwrap())))
        .unwrap_err();
    assert!(
        matches!(&err, Error::Spawn { source, .. } if source.raw_os_error() == Some(libc::ENOEXEC)),
        "{err:?}"
    );
    assert!(err.to_string().contains("Exec format error"), "{err}");

    // The same as the second member of a pipeline: the first was already started.
    let marker = "1234.125";
    let err = k
        .spawn_process(
            ProcessSpec::new("sleep | garbage")
                .pipe(Cmd::new("sleep").arg(marker))
                .pipe(Cmd::new(garbage.to_str().unwrap())),
        )
        .unwrap_err();
    assert!(matches!(err, Error::Spawn { .. }), "{err:?}");
    assert!(
        processes_with_arg(marker).is_empty(),
        "the first member was left running"
    );

    // Mode 000: not executable, even for root.
    let locked = dir.path().join("locked");
    std::fs::write(&locked, "#!/bin/sh\necho no\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let err = k
        .spawn_process(ProcessSpec::command(Cmd::new(locked.to_str().unwrap())))
        .unwrap_err();
    assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");

    // A working directory that is a file, and one that is gone.
    let file = dir.path().join("plain");
    std::fs::write(&file, "").unwrap();
    let err = k.spawn_process(sh("true").cwd(&file)).unwrap_err();
    assert!(
        matches!(&err, Error::BadDirectory { path, source } if path == file.to_str().unwrap() && source.kind() == std::io::ErrorKind::NotADirectory),
        "{err:?}"
    );
    let gone = dir.path().join("gone");
    std::fs::create_dir(&gone).unwrap();
    std::fs::remove_dir(&gone).unwrap();
    let err = k.spawn_process(sh("true").cwd(&gone)).unwrap_err();
    assert!(
        matches!(&err, Error::BadDirectory { source, .. } if source.kind() == std::io::ErrorKind::NotFound),
        "{err:?}"
    );
    assert!(err.to_string().starts_with(gone.to_str().unwrap()), "{err}");

    assert!(k.job_ids().is_empty(), "no failed spawn entered the table");
    let ok = k.spawn_process(sh("echo fine").cwd(dir.path())).unwrap();
    assert_eq!(finished(&ok).await, JobState::Exited(0));
    assert_eq!(&ok.stdout().snapshot().data[..], b"fine\n");
}

/// At the running-job limit a spawn is refused before anything starts: no
/// process runs (the pipeline's first member would create a file), no
/// future is built, no id is used, and the refusals cost no slot.
/// Concurrent spawns never get past the limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_limit_refuses_before_anything_starts() {
    let mut config = KernelConfig::default();
    config.max_running = 2;
    let k = TestKernel::with(config);
    let dir = tempfile::tempdir().unwrap();
    let proof = dir.path().join("ran");
    let mut events = k.subscribe();
    let a = k.spawn_process(sleeper()).unwrap();
    let gate = CancelToken::new();
    let g = gate.clone();
    let b = k
        .spawn_future("held", JobOptions::default(), move |_| async move {
            g.cancelled().await;
            0
        })
        .unwrap();

    let built = Arc::new(AtomicBool::new(false));
    for _ in 0..50 {
        let err = k
            .spawn_process(
                ProcessSpec::new("touch ran | sleep")
                    .pipe(Cmd::new("touch").arg(&proof))
                    .pipe(Cmd::new("sleep").arg("1234.0625")),
            )
            .unwrap_err();
        assert!(matches!(err, Error::LimitReached { limit: 2 }), "{err:?}");
        assert_eq!(
            err.to_string(),
            "job limit reached: 2 jobs are already running"
        );
        let flag = Arc::clone(&built);
        let err = k
            .spawn_future("never", JobOptions::default(), move |_| {
                flag.store(true, Ordering::SeqCst);
                async { 0 }
            })
            .unwrap_err();
        assert!(matches!(err, Error::LimitReached { .. }));
    }
    assert!(!built.load(Ordering::SeqCst), "a refused future was built");
    assert!(processes_with_arg("1234.0625").is_empty());
    assert!(!proof.exists(), "a refused pipeline ran");
    assert_eq!(k.job_ids(), vec![a.id(), b.id()]);

    // Free both slots: exactly two more fit, refusals cost nothing.
    k.signal(a.id(), Signal::KILL).unwrap();
    gate.cancel();
    counted_finished(&mut events, &[&a, &b]).await;

    // Many threads racing for the two slots: never more than two get one.
    let ok = Arc::new(AtomicUsize::new(0));
    let hold = CancelToken::new();
    let handle = tokio::runtime::Handle::current();
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let (kernel, ok, hold, handle) = (
                k.kernel.clone(),
                Arc::clone(&ok),
                hold.clone(),
                handle.clone(),
            );
            std::thread::spawn(move || {
                let _rt = handle.enter();
                for _ in 0..100 {
                    let h = hold.clone();
                    if kernel
                        .spawn_future("race", JobOptions::default(), move |_| async move {
                            h.cancelled().await;
                            0
                        })
                        .is_ok()
                    {
                        ok.fetch_add(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(ok.load(Ordering::SeqCst), 2, "exactly the limit got in");
    hold.cancel();
    let all = within("all done", k.wait_all()).await;
    assert!(all.iter().all(|j| j.state.is_finished()), "{all:?}");
}

/// Memory-bounded, non-blocking writer under followers that stop reading:
/// one never polled, one polled once (so its waker stays registered) and
/// abandoned, and one copying into a pipe nobody reads (a `tail -f` whose
/// reader stalled). The flood finishes about as fast as without them, RSS
/// stays within a few caps, and each follower, resumed, learns what it
/// missed and ends with the stream. Runs alone: it measures RSS.
#[test]
fn stalled_followers_neither_slow_the_writer_nor_grow_memory() {
    alone(
        "faults::stalled_followers_neither_slow_the_writer_nor_grow_memory",
        || async {
            const TOTAL: u64 = 100_000_000;
            let k = TestKernel::new();
            let cap = k.config().output_cap as u64;
            let flood = || fixture_job("flood.sh", &[&TOTAL.to_string()]);

            // Alone, for the time it takes; and once to warm everything up.
            let base = k.spawn_process(flood()).unwrap();
            finished(&base).await;
            let started = Instant::now();
            let base = k.spawn_process(flood()).unwrap();
            finished(&base).await;
            let alone_took = started.elapsed();
            k.remove(base.id()).unwrap();
            trim_heap();
            let rss_before = status_kb("VmRSS");

            let started = Instant::now();
            let job = k.spawn_process(flood()).unwrap();
            let mut never = job.stdout().follow(0);
            let mut once = job.stdout().follow(0);
            let mut cx = Context::from_waker(Waker::noop());
            while let Poll::Ready(Some(_)) = once.poll_next_chunk(&mut cx) {}
            let (pipe_in, mut pipe_out) = tokio::io::duplex(4096);
            let mut tail = job.stdout().follow(0);
            let copier = tokio::spawn(async move {
                let mut pipe_in = pipe_in;
                tokio::io::copy(&mut tail, &mut pipe_in).await
            });
            let mut peak = 0;
            while tokio::time::timeout(Duration::from_millis(5), job.wait())
                .await
                .is_err()
            {
                peak = peak.max(status_kb("VmRSS"));
                assert!(started.elapsed() < DEADLINE, "the flood did not finish");
            }
            let stalled_took = started.elapsed();
            peak = peak.max(status_kb("VmRSS"));
            assert_eq!(job.state(), JobState::Exited(0));
            let stats = job.stdout().stats();
            assert_eq!((stats.written, stats.held), (TOTAL, cap));

            let grew_kb = peak.saturating_sub(rss_before);
            println!(
            "flood {TOTAL} B: alone {alone_took:?}, with stalled followers {stalled_took:?}; RSS {rss_before} kB, peak +{grew_kb} kB"
        );
            assert!(
                grew_kb < 16 * 1024,
                "RSS grew by {grew_kb} kB with stalled followers (ring cap {cap} B)"
            );
            assert!(
                stalled_took < alone_took * 3 + Duration::from_secs(1),
                "the writer was slowed: {stalled_took:?} against {alone_took:?} alone"
            );

            // Resumed, each follower skips to what is held, says so, and ends.
            let first = never.next_chunk().await.unwrap();
            assert_eq!((first.offset, first.missed), (TOTAL - cap, TOTAL - cap));
            let mut got = first.data.len() as u64;
            while let Some(c) = within("never-read follower ends", never.next_chunk()).await {
                got += c.data.len() as u64;
            }
            assert_eq!(got, cap);
            let next = once.next_chunk().await.unwrap();
            assert!(
                next.missed > 0 && next.offset == TOTAL - cap,
                "{:?}",
                (next.offset, next.missed)
            );
            let mut sink = Vec::new();
            within(
                "stalled pipe drains",
                tokio::io::AsyncReadExt::read_to_end(&mut pipe_out, &mut sink),
            )
            .await
            .unwrap();
            let copied = within("copier ends", copier).await.unwrap().unwrap();
            assert_eq!(copied, sink.len() as u64);
            assert!(copied <= cap + 2 * 64 * 1024 + 4096, "copied {copied}");
        },
    );
}

/// A job whose waiters have been told it finished no longer counts against
/// the running-job limit: with a limit of one, "wait for it, then start the
/// next" must always work. (It failed within a few dozen rounds while
/// `finish` woke waiters before moving the id out of `live`; a `remove` in
/// that window also left the removed id queued as finished.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_job_frees_its_slot_before_its_waiters_wake() {
    let mut config = KernelConfig::default();
    config.max_running = 1;
    config.retention = 0;
    let k = TestKernel::with(config);
    for round in 0..2000 {
        let job = k
            .spawn_future("quick", JobOptions::default(), |_| async { 0 })
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        finished(&job).await;
    }
    for round in 0..100 {
        let job = k
            .spawn_process(ProcessSpec::command(Cmd::new("true")))
            .unwrap_or_else(|e| panic!("process round {round}: {e}"));
        finished(&job).await;
    }
}

/// A follower that ended (the job's stream closed) must find the job
/// finished: `tail -f /v/jobs/1/stdout; cat /v/jobs/1/status` must not say
/// `running`. (It did, within a few rounds, while `finish` closed the
/// streams before recording the final state.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follower_that_ended_sees_the_final_state() {
    let mut config = KernelConfig::default();
    config.retention = 0;
    let k = TestKernel::with(config);
    for round in 0..300 {
        let job = if round % 2 == 0 {
            k.spawn_future("quick", JobOptions::default(), |ctx| async move {
                ctx.stdout.write(b"x");
                0
            })
            .unwrap()
        } else {
            k.spawn_process(ProcessSpec::command(Cmd::new("true")))
                .unwrap()
        };
        let mut follow = job.stdout().follow(0);
        while within("follow ends", follow.next_chunk()).await.is_some() {}
        let state = job.state();
        assert!(
            state.is_finished(),
            "round {round}: stream ended, state {state:?}"
        );
    }
}

/// A finished job whose group has emptied, and an unrelated process (our
/// own `sleep`, in a group of its own) that now has the job's pgid. The
/// reuse is forced by writing /proc/sys/kernel/ns_last_pid (root only;
/// other processes may take the pid first, so it is retried). `None` if
/// that cannot be arranged here.
async fn stranger_with_a_finished_jobs_pgid(k: &TestKernel) -> Option<(Job, Stranger)> {
    let job = k
        .spawn_process(ProcessSpec::command(Cmd::new("true")))
        .unwrap();
    finished(&job).await;
    let pgid: u32 = job.pgid().unwrap().into();
    until("the job's group is empty", || {
        group_members(pgid).is_empty()
    })
    .await;
    for _ in 0..200 {
        if std::fs::write("/proc/sys/kernel/ns_last_pid", (pgid - 1).to_string()).is_err() {
            println!("cannot write ns_last_pid: not checked");
            return None;
        }
        let child = Stranger(
            std::process::Command::new("sleep")
                .arg("1000")
                .process_group(0)
                .spawn()
                .unwrap(),
        );
        if child.0.id() == pgid {
            return Some((job, child));
        }
    }
    println!("pid {pgid} was never reused: not checked");
    None
}

/// A child of the test's own (not the kernel's), killed and reaped on drop.
struct Stranger(std::process::Child);

impl Drop for Stranger {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits a moment for `pid` to die; true if it did.
async fn dies_soon(pid: u32) -> bool {
    tokio::time::timeout(Duration::from_millis(300), async {
        while alive(pid) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .is_ok()
}

/// Once a finished job's group has emptied, its pgid may be reused by any
/// new process group; signalling the job must then be "job has already
/// finished", never a signal to whoever holds that number now.
#[tokio::test]
async fn a_finished_jobs_reused_pgid_is_never_signalled() {
    let k = TestKernel::new();
    let Some((job, stranger)) = stranger_with_a_finished_jobs_pgid(&k).await else {
        return;
    };
    let pgid = stranger.0.id();
    let got = k.signal(job.id(), Signal::KILL);
    assert!(
        !dies_soon(pgid).await,
        "an unrelated process that reused pgid {pgid} was killed"
    );
    assert!(matches!(got, Err(Error::JobFinished(_))), "{got:?}");
}

/// Likewise at shutdown, which terminates what is left of every finished
/// job's group: a reused pgid is not what is left.
#[tokio::test]
async fn shutdown_never_signals_a_reused_pgid() {
    let k = TestKernel::new();
    let Some((_job, stranger)) = stranger_with_a_finished_jobs_pgid(&k).await else {
        return;
    };
    let pgid = stranger.0.id();
    within("shutdown", k.shutdown(Duration::from_millis(100))).await;
    assert!(
        !dies_soon(pgid).await,
        "shutdown killed an unrelated process that reused pgid {pgid}"
    );
}
