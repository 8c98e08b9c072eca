//! Load: a thousand process jobs of mixed lifetimes and ten thousand future
//! jobs live at once, beside children of the embedder's own. Every job ends
//! with the state its treatment implies, every process is reaped (no child
//! of the test left in /proc, zombie or not), the embedder gets its own
//! children's statuses, the table and its events stay consistent
//! throughout, and memory comes back once the records are removed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use corral_kernel::{
    CancelToken, Cmd, Job, JobEvent, JobId, JobKind, JobOptions, JobState, KernelConfig,
    ProcessSpec, Signal,
};
use nix::sys::resource::{getrlimit, setrlimit, Resource};

use crate::util::*;

const PROCESSES: usize = 1_000;
const FUTURES: usize = 10_000;
/// Events a subscriber may fall behind by: more than the test publishes
/// without yielding (its 10,000 futures' Spawned and Numbered events), so
/// its gatherer keeps up also when it gets no core for a while.
const EVENT_CAPACITY: usize = 32768;

/// What a process job runs and what happens to it; decides its final state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Treatment {
    /// `true`: ends at once.
    Instant,
    /// `false`: exit 1.
    Fails,
    /// A short sleep, 0.1 to 0.5 s.
    Short,
    /// Writes 100,000 bytes.
    Writes,
    /// `sleep 1000`, KILLed.
    Killed,
    /// `sleep 1000`, TERMed.
    Termed,
    /// `sleep 1000`, stopped, then terminated (CONT and TERM).
    StoppedThenTerminated,
    /// `sleep 0.2 | cat`.
    Pipeline,
}

const TREATMENTS: [Treatment; 8] = [
    Treatment::Instant,
    Treatment::Fails,
    Treatment::Short,
    Treatment::Writes,
    Treatment::Killed,
    Treatment::Termed,
    Treatment::StoppedThenTerminated,
    Treatment::Pipeline,
];

impl Treatment {
    fn spec(self, i: usize) -> ProcessSpec {
        match self {
            Treatment::Instant => ProcessSpec::command(Cmd::new("true")),
            Treatment::Fails => ProcessSpec::command(Cmd::new("false")),
            Treatment::Short => {
                ProcessSpec::command(Cmd::new("sleep").arg(format!("0.{}", i % 5 + 1)))
            }
            Treatment::Writes => {
                ProcessSpec::command(Cmd::new("head").args(["-c", "100000", "/dev/zero"]))
            }
            Treatment::Killed | Treatment::Termed | Treatment::StoppedThenTerminated => sleeper(),
            Treatment::Pipeline => ProcessSpec::new("sleep 0.2 | cat")
                .pipe(Cmd::new("sleep").arg("0.2"))
                .pipe(Cmd::new("cat")),
        }
    }

    fn expected(self) -> JobState {
        let by = |signal| JobState::Signaled {
            signal,
            core_dumped: false,
        };
        match self {
            Treatment::Fails => JobState::Exited(1),
            Treatment::Killed => by(Signal::KILL),
            Treatment::Termed | Treatment::StoppedThenTerminated => by(Signal::TERM),
            _ => JobState::Exited(0),
        }
    }
}

/// What a future job is made to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FutureFate {
    /// Runs to the end: writes its number, returns it mod 7.
    Completes,
    /// TERMed while waiting: cancelled, ends as killed by TERM.
    Cancelled,
    /// KILLed while waiting: dropped at once.
    Dropped,
    /// Paused (STOP) when the gate opens, then continued: completes.
    Paused,
}

fn fate(i: usize) -> FutureFate {
    match i % 10 {
        0 => FutureFate::Cancelled,
        1 => FutureFate::Dropped,
        2 => FutureFate::Paused,
        _ => FutureFate::Completes,
    }
}

/// Everything the event stream said about one job, in order.
#[derive(Default, Debug)]
struct Seen {
    spawned: usize,
    /// The numbers given to it (visible jobs get exactly one, at spawn).
    numbered: Vec<u64>,
    exited: Vec<JobState>,
    removed: usize,
    /// An event other than Removed came after Exited.
    after_exit: bool,
}

#[test]
fn a_thousand_process_jobs_and_ten_thousand_futures_at_once() {
    alone(
        "load::a_thousand_process_jobs_and_ten_thousand_futures_at_once",
        || async {
            let started = Instant::now();
            // Each running process job holds two pipe read ends; be sure they fit.
            let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
            let want = (4 * PROCESSES as u64 + 256).min(hard);
            if soft < want {
                setrlimit(Resource::RLIMIT_NOFILE, want, hard).unwrap();
            }
            assert!(
                want >= 2 * PROCESSES as u64 + 256,
                "RLIMIT_NOFILE hard limit {hard} too low"
            );

            let mut config = KernelConfig::default();
            config.max_running = PROCESSES + FUTURES + 100;
            // Keep every record until this test removes it.
            config.retention = usize::MAX;
            config.event_capacity = EVENT_CAPACITY;
            let k = TestKernel::with(config);
            let me = std::process::id();

            // Every event, per job, gathered as they come.
            let seen: Arc<std::sync::Mutex<HashMap<JobId, Seen>>> = Arc::default();
            let mut events = k.subscribe();
            let gather = {
                let seen = Arc::clone(&seen);
                tokio::spawn(async move {
                    loop {
                        let ev = match events.recv().await {
                            Ok(ev) => ev,
                            Err(corral_kernel::EventError::Closed) => return,
                            Err(e) => panic!("event subscriber: {e}"),
                        };
                        let mut seen = seen.lock().unwrap();
                        let s = seen.entry(ev.job()).or_default();
                        match ev {
                            JobEvent::Spawned(_) => s.spawned += 1,
                            JobEvent::Exited(_, st) => s.exited.push(st),
                            JobEvent::Removed(_) => s.removed += 1,
                            JobEvent::Numbered(_, n) => {
                                s.numbered.push(n);
                                s.after_exit |= !s.exited.is_empty()
                            }
                            _ => s.after_exit |= !s.exited.is_empty(),
                        }
                    }
                })
            };

            // Warm up every path (spawning, reaping, futures, signals,
            // removal), so the baseline has the runtime's and allocator's
            // fixed costs in it; then measure.
            for t in TREATMENTS {
                let j = k.spawn_process(t.spec(0)).unwrap();
                if matches!(
                    t,
                    Treatment::Killed | Treatment::Termed | Treatment::StoppedThenTerminated
                ) {
                    j.signal(Signal::KILL).unwrap();
                }
                finished(&j).await;
                let f = k
                    .spawn_future("warm", JobOptions::default(), |ctx| async move {
                        ctx.stdout.write(b"warm\n");
                        0
                    })
                    .unwrap();
                finished(&f).await;
            }
            // Also one lap of the event channel's ring (four events a job:
            // Spawned, Numbered, Exited, Removed),
            // one job at a time: its slots are allocated up front but only
            // become resident once written.
            let mut warm_events = k.subscribe();
            for _ in 0..=EVENT_CAPACITY / 4 {
                let f = k
                    .spawn_future("warm", JobOptions::default(), |_| async { 0 })
                    .unwrap();
                let id = f.id();
                // The Exited event: the record is counted as finished then.
                loop {
                    match within("warm-up exit", warm_events.recv()).await.unwrap() {
                        JobEvent::Exited(got, _) if got == id => break,
                        _ => {}
                    }
                }
                k.remove(id).unwrap();
            }
            drop(warm_events);
            until("warm-up events", || {
                seen.lock()
                    .unwrap()
                    .values()
                    .filter(|s| !s.exited.is_empty())
                    .count()
                    == 2 * TREATMENTS.len() + EVENT_CAPACITY / 4 + 1
            })
            .await;
            for id in k.job_ids() {
                k.remove(id).unwrap();
            }
            until("warm-up removals", || {
                seen.lock().unwrap().values().all(|s| s.removed == 1)
            })
            .await;
            *seen.lock().unwrap() = HashMap::new();
            trim_heap();
            let rss_start = status_kb("VmRSS");
            let anon_start = status_kb("RssAnon");
            let heap_start = heap_in_use();

            // A reader of the table, all along: ids ascend, a finished job
            // has an end time and never runs again, kinds and pids agree.
            let stop_checking = Arc::new(AtomicBool::new(false));
            let checker = {
                let kernel = k.kernel.clone();
                let stop = Arc::clone(&stop_checking);
                tokio::spawn(async move {
                    let mut done: HashMap<JobId, JobState> = HashMap::new();
                    let mut rounds = 0u32;
                    let mut most = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let list = kernel.list();
                        most = most.max(list.len());
                        let mut last = None;
                        for info in &list {
                            let id = info.id;
                            assert!(Some(id) > last, "ids ascend: {id:?} after {last:?}");
                            last = Some(id);
                            assert_eq!(
                                info.state.is_finished(),
                                info.ended_at.is_some(),
                                "{info:?}"
                            );
                            if let Some(before) = done.get(&id) {
                                assert_eq!(*before, info.state, "a final state changed: {info:?}");
                            } else if info.state.is_finished() {
                                done.insert(id, info.state);
                            }
                            match info.kind {
                                JobKind::Process => {
                                    assert!(!info.pids.is_empty());
                                    assert_eq!(info.pgid, Some(info.pids[0]));
                                }
                                JobKind::Future => {
                                    assert!(info.pids.is_empty() && info.pgid.is_none())
                                }
                                other => panic!("a job of unknown kind {other:?}: {info:?}"),
                            }
                        }
                        rounds += 1;
                        tokio::time::sleep(Duration::from_millis(20)).await;
                    }
                    (rounds, most)
                })
            };

            // The process jobs.
            let t0 = Instant::now();
            let mut procs: Vec<(Treatment, Job)> = Vec::with_capacity(PROCESSES);
            for i in 0..PROCESSES {
                let t = TREATMENTS[i % TREATMENTS.len()];
                procs.push((t, k.spawn_process(t.spec(i)).unwrap()));
            }
            let spawn_procs = t0.elapsed();
            // The embedder's own children, spawned beside the jobs while
            // they start and end: the kernel must leave them to their owner.
            let mine: Vec<_> = (0..20)
                .map(|i| {
                    tokio::process::Command::new("sh")
                        .arg("-c")
                        .arg(format!("sleep 0.{}; exit {i}", i % 5))
                        .spawn()
                        .unwrap()
                })
                .collect();

            // The futures, all waiting for one gate.
            let t0 = Instant::now();
            let gate = CancelToken::new();
            let mut futs: Vec<(usize, Job)> = Vec::with_capacity(FUTURES);
            for i in 0..FUTURES {
                let gate = gate.clone();
                let job = k
                    .spawn_future(
                        format!("future {i}"),
                        JobOptions::default(),
                        move |ctx| async move {
                            tokio::select! {
                                _ = gate.cancelled() => {
                                    ctx.stdout.write(format!("{i}\n").as_bytes());
                                    (i % 7) as i32
                                }
                                _ = ctx.cancel.cancelled() => 0,
                            }
                        },
                    )
                    .unwrap();
                futs.push((i, job));
            }
            let spawn_futs = t0.elapsed();

            // All at once: every future and every long process job is live.
            let live = k.list().iter().filter(|j| !j.state.is_finished()).count();
            assert!(
                live >= FUTURES + 3 * PROCESSES / 8,
                "{live} jobs live at the peak"
            );
            assert_eq!(k.job_ids().len(), PROCESSES + FUTURES);

            // Signals.
            for (t, job) in &procs {
                match t {
                    Treatment::Killed => job.signal(Signal::KILL).unwrap(),
                    Treatment::Termed => job.signal(Signal::TERM).unwrap(),
                    Treatment::StoppedThenTerminated => job.signal(Signal::STOP).unwrap(),
                    _ => {}
                }
            }
            for (i, job) in &futs {
                match fate(*i) {
                    FutureFate::Cancelled => job.signal(Signal::TERM).unwrap(),
                    FutureFate::Dropped => job.signal(Signal::KILL).unwrap(),
                    FutureFate::Paused => job.signal(Signal::STOP).unwrap(),
                    FutureFate::Completes => {}
                }
            }
            gate.cancel();
            for (t, job) in &procs {
                if *t == Treatment::StoppedThenTerminated {
                    within("stopped", job.wait_change(JobState::Running)).await;
                }
            }
            let terminations: Vec<_> = procs
                .iter()
                .filter(|(t, _)| *t == Treatment::StoppedThenTerminated)
                .map(|(_, job)| {
                    let (kernel, id) = (k.kernel.clone(), job.id());
                    tokio::spawn(async move { kernel.terminate(id, Duration::from_secs(5)).await })
                })
                .collect();
            for (i, job) in &futs {
                if fate(*i) == FutureFate::Paused {
                    assert!(job.state().is_stopped());
                    job.signal(Signal::CONT).unwrap();
                }
            }
            for t in terminations {
                let state = within("terminate", t).await.unwrap().unwrap().state;
                assert_eq!(state, Treatment::StoppedThenTerminated.expected());
            }
            let t0 = Instant::now();
            let all = tokio::time::timeout(Duration::from_secs(30), k.wait_all())
                .await
                .expect("every job ends");
            assert_eq!(all.len(), PROCESSES + FUTURES);
            assert!(all.iter().all(|j| j.state.is_finished()), "every job ends");
            // 11,000 snapshots: not to be counted as memory the kernel kept.
            drop(all);
            let drain = t0.elapsed();

            // Final states, output, and the processes: reaped, none left.
            for (t, job) in &procs {
                assert_eq!(job.state(), t.expected(), "{t:?}: {:?}", job.info());
                if *t == Treatment::Writes {
                    assert_eq!(job.stdout().stats().written, 100_000);
                }
            }
            for (i, job) in &futs {
                let state = job.state();
                match fate(*i) {
                    FutureFate::Completes | FutureFate::Paused => {
                        assert_eq!(state, JobState::Exited((i % 7) as i32));
                        assert_eq!(job.stdout().snapshot().data, format!("{i}\n").as_bytes());
                    }
                    FutureFate::Cancelled => assert_eq!(state.exit_status(), Some(143), "{i}"),
                    FutureFate::Dropped => assert_eq!(state.exit_status(), Some(137), "{i}"),
                }
            }
            for (i, mut child) in mine.into_iter().enumerate() {
                let status = within("the embedder's child", child.wait()).await.unwrap();
                assert_eq!(
                    status.code(),
                    Some(i as i32),
                    "the embedder reaps its own child"
                );
            }
            until("no child of ours left, zombie or alive", || {
                children_of(me).is_empty()
            })
            .await;
            for (_, job) in &procs {
                for pid in job.pids() {
                    assert_eq!(proc_state(pid), None, "pid {pid} left behind");
                }
            }

            // The events: one Spawned, one Numbered (its number) and one
            // Exited (the final state) each,
            // nothing after Exited.
            until("every Exited event", || {
                seen.lock()
                    .unwrap()
                    .values()
                    .filter(|s| !s.exited.is_empty())
                    .count()
                    == PROCESSES + FUTURES
            })
            .await;
            {
                let seen = seen.lock().unwrap();
                for job in procs
                    .iter()
                    .map(|(_, j)| j)
                    .chain(futs.iter().map(|(_, j)| j))
                {
                    let s = &seen[&job.id()];
                    assert_eq!(s.spawned, 1, "{:?}", job.info());
                    assert_eq!(s.numbered, vec![job.number().unwrap()], "{:?}", job.info());
                    assert_eq!(s.exited, vec![job.state()], "{:?}", job.info());
                    assert!(!s.after_exit);
                }
            }

            // Remove every record; nothing may be left of them.
            let ids = k.job_ids();
            assert_eq!(ids.len(), PROCESSES + FUTURES);
            let t0 = Instant::now();
            for id in ids {
                k.remove(id).unwrap();
            }
            let removal = t0.elapsed();
            assert!(k.job_ids().is_empty() && k.list().is_empty());
            until("every Removed event", || {
                seen.lock()
                    .unwrap()
                    .values()
                    .filter(|s| s.removed == 1)
                    .count()
                    == PROCESSES + FUTURES
            })
            .await;
            stop_checking.store(true, Ordering::Relaxed);
            let (rounds, most) = within("checker", checker).await.unwrap();
            assert!(
                rounds > 2 && most >= PROCESSES + FUTURES,
                "checker: {rounds} rounds, {most} jobs at most"
            );
            drop(procs);
            drop(futs);
            assert!(seen.lock().unwrap().values().all(|s| s.removed == 1));
            *seen.lock().unwrap() = HashMap::new();

            trim_heap();
            let rss_end = status_kb("VmRSS");
            let anon_end = status_kb("RssAnon");
            let heap_end = heap_in_use();
            println!(
                "{PROCESSES} process jobs spawned in {spawn_procs:?}, {FUTURES} futures in {spawn_futs:?}, \
                 all ended {drain:?} after the signals, removed in {removal:?}, total {:?}; table read {rounds} times; \
                 VmRSS {rss_start} -> {rss_end} kB, RssAnon {anon_start} -> {anon_end} kB, \
                 heap in use {heap_start} -> {heap_end} B, peak VmHWM {} kB",
                started.elapsed(),
                status_kb("VmHWM")
            );
            assert!(
                rss_end * 10 <= rss_start * 11,
                "RSS did not come back: {rss_start} kB before, {rss_end} kB after"
            );
            // Sharper than RSS, which the allocator blurs: what is still
            // allocated. The table's collections keep their grown capacity
            // (a few hundred kB after 11,000 jobs); a record or task kept per
            // job would be megabytes. The spawn path also keeps up to 8
            // children's 64 KiB stacks for reuse.
            const SPAWN_POOL: usize = 8 * (64 + 4) * 1024;
            assert!(
                heap_end <= heap_start + 512 * 1024 + SPAWN_POOL,
                "heap in use grew from {heap_start} to {heap_end} B"
            );
            assert!(started.elapsed() < Duration::from_secs(60));
            drop(k);
            gather.abort();
        },
    );
}

/// Removing finished records one by one costs about the same per record
/// however many are kept. (`Kernel::remove` used to scan the whole queue of
/// finished ids: here 1,000 removals took 44 ms, 16,000 took 10 s; linear,
/// 20,000 take well under 0.1 s.)
#[tokio::test]
async fn removing_many_records_is_not_quadratic() {
    let mut config = KernelConfig::default();
    config.retention = usize::MAX;
    config.max_running = 100_000;
    // Every event of the 20,000 jobs (Spawned, Numbered, Exited) fits.
    config.event_capacity = 60_000;
    let k = TestKernel::with(config);
    let time_removal = |n: usize| {
        let k = k.kernel.clone();
        async move {
            let mut events = k.subscribe();
            let mut ids = Vec::with_capacity(n);
            for _ in 0..n {
                ids.push(
                    k.spawn_future("f", JobOptions::default(), |_| async { 0 })
                        .unwrap()
                        .id(),
                );
            }
            let mut left = n;
            while left > 0 {
                if let JobEvent::Exited(..) = within("exits", events.recv()).await.unwrap() {
                    left -= 1;
                }
            }
            let t0 = Instant::now();
            for id in ids {
                k.remove(id).unwrap();
            }
            t0.elapsed()
        }
    };
    let took = time_removal(20_000).await;
    assert!(
        took < Duration::from_secs(2),
        "removing 20,000 records took {took:?}"
    );
}
