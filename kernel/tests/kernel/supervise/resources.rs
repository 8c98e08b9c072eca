//! Resources: CPU and memory accounting, limits (prlimit, a memory cgroup
//! where the system offers one, 80% warning, cause `limit`), output files.

use std::time::Duration;

use corral_kernel::{
    Cmd, JobEvent, JobOptions, LimitKind, MemoryLimitPath, OutputFile, ProcessSpec, StopCause,
};

use crate::util::*;

const BURN: &str = "while :; do :; done";

/// Grows by 2 MiB every 20 ms; at its RLIMIT_DATA it stops growing and
/// waits (so only the kernel's check ends it, however loaded the machine).
const HOG: &str = "import time\nb = []\nwhile True:\n    try:\n        b.append(b'x' * (2 << 20))\n    except MemoryError:\n        pass\n    time.sleep(0.02)";

fn python(code: &str) -> ProcessSpec {
    ProcessSpec::new("hog").pipe(Cmd::new("python3").arg("-c").arg(code))
}

/// A soft and hard limit line of /proc/PID/limits.
fn limit_line(pid: u32, name: &str) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/limits")).ok()?;
    s.lines().find(|l| l.starts_with(name)).map(str::to_owned)
}

async fn next_warning(events: &mut corral_kernel::Events) -> LimitKind {
    loop {
        if let Ok(JobEvent::LimitWarning(_, kind)) = events.recv().await {
            return kind;
        }
    }
}

#[tokio::test]
async fn cpu_time_counts_live_members_and_then_reaped_ones() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh(BURN)).unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    until("the burner to use 200 ms of CPU", || {
        job.resources().cpu() >= Duration::from_millis(200)
    })
    .await;
    let live = job.resources();
    assert!(live.cpu_user > Duration::ZERO);
    assert!(live.memory > 0 && live.memory_peak >= live.memory);
    job.signal(corral_kernel::Signal::KILL).unwrap();
    finished(&job).await;
    let done = job.info().resources();
    // From the reaped member's rusage now: at least what /proc showed.
    assert!(done.cpu() >= live.cpu(), "{done:?} < {live:?}");
    assert_eq!(done.memory, 0);
    assert!(done.memory_peak > 0);
}

/// A listing reads nothing from /proc: a running job's figures there are
/// what its reaped members left (none yet); one job's info reads them live.
#[tokio::test]
async fn list_leaves_live_figures_to_one_jobs_info() {
    let k = TestKernel::new();
    let job = k.spawn_process(sh(BURN)).unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    until("the burner to use 100 ms of CPU", || {
        job.resources().cpu() >= Duration::from_millis(100)
    })
    .await;
    // (The peak keeps what earlier reads saw.)
    let listed = k.list().into_iter().find(|i| i.id == job.id()).unwrap();
    assert_eq!(listed.resources().cpu(), Duration::ZERO);
    assert_eq!(listed.resources().memory, 0);
    let snap = job.snapshot().resources();
    assert_eq!((snap.cpu(), snap.memory), (Duration::ZERO, 0));
    let info = job.info();
    assert!(info.resources().cpu() >= Duration::from_millis(100));
    assert!(info.resources().memory > 0);
    let with = k.list_with_resources();
    let live = with.iter().find(|i| i.id == job.id()).unwrap();
    assert!(live.resources().cpu() >= Duration::from_millis(100));
}

#[tokio::test]
async fn memory_is_the_live_members_resident_sets() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(python(
            "import sys, time\nb = b'x' * (64 << 20)\nprint('ready', flush=True)\ntime.sleep(1000)",
        ))
        .unwrap();
    let _guard = KillOnDrop::new(&[u32::from(job.pids()[0])]);
    until("64 MiB resident", || job.resources().memory >= 64 << 20).await;
    let info = job.info();
    assert!(info.resources().memory >= 64 << 20);
    assert!(info.resources().memory_peak >= info.resources().memory);
}

/// 300 ms: the kernel's own check ends the job (the rlimit backstop is
/// at 2 s); short enough for a burner starved by a busy machine.
#[tokio::test]
async fn a_cpu_limit_warns_at_80_percent_then_ends_the_job_with_cause_limit() {
    let k = TestKernel::new();
    let mut events = k.subscribe();
    let limit = Duration::from_millis(300);
    let job = k
        .spawn_process(sh(BURN).options(JobOptions::new().cpu_limit(limit)))
        .unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    let line = limit_line(pid, "Max cpu time").unwrap();
    // Soft 2 s (twice the limit plus a second, rounded up), hard 3 s.
    let secs: Vec<&str> = line.split_whitespace().skip(3).take(2).collect();
    assert_eq!(secs, ["2", "3"], "{line}");
    assert_eq!(job.info().cpu_limit(), Some(limit));
    assert_eq!(
        within("the warning", next_warning(&mut events)).await,
        LimitKind::Cpu
    );
    assert!(job.resources().cpu() >= Duration::from_millis(240));
    finished(&job).await;
    let info = job.info();
    assert_eq!(info.stop_cause(), Some(StopCause::Limit));
    assert!(info.resources().cpu() >= limit, "{:?}", info.resources());
    assert!(!alive(pid));
}

/// The job's memory cgroup, from /proc/PID/cgroup (v1 `memory` line).
fn memory_cgroup(pid: u32) -> Option<String> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/cgroup")).ok()?;
    s.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (_, ctl, path) = (f.next()?, f.next()?, f.next()?);
        ctl.split(',')
            .any(|c| c == "memory")
            .then(|| path.to_owned())
    })
}

/// The path this system offers: a memory cgroup per job (warning and
/// cause `limit` from its events) or each member's RLIMIT_DATA alone.
#[tokio::test]
async fn a_memory_limit_takes_the_systems_path() {
    let path = corral_kernel::memory_limit_path();
    println!("memory limit path: {}", path.as_str());
    let k = TestKernel::new();
    let mut events = k.subscribe();
    let limit = 100 << 20;
    let job = k
        .spawn_process(python(HOG).options(JobOptions::new().memory_limit(limit)))
        .unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    let data = limit_line(pid, "Max data size").unwrap();
    match path {
        MemoryLimitPath::Cgroup => {
            // The backstop: RLIMIT_DATA a quarter (at least 32 MiB) above.
            assert!(data.contains(&((limit + (32 << 20)).to_string())), "{data}");
            let group = memory_cgroup(pid).unwrap();
            assert!(group.contains("/corral-"), "{group}");
            assert_eq!(
                within("the warning", next_warning(&mut events)).await,
                LimitKind::Memory
            );
            finished(&job).await;
            let info = job.info();
            assert_eq!(info.stop_cause(), Some(StopCause::Limit));
            assert!(
                info.resources().memory_peak >= limit / 4 * 3,
                "{:?}",
                info.resources()
            );
            assert!(!alive(pid));
        }
        MemoryLimitPath::PerMember => per_member_bound(&job, pid, limit, &data).await,
        _ => unreachable!("a path this test does not know"),
    }
}

/// Without cgroups (or where the system has none): RLIMIT_DATA at the
/// limit on each member; the hog's allocations are refused and it lives on.
#[tokio::test]
async fn a_memory_limit_without_cgroups_bounds_each_member() {
    let k = TestKernel::with(corral_kernel::KernelConfig::default().memory_cgroups(false));
    let limit = 100 << 20;
    let job = k
        .spawn_process(python(HOG).options(JobOptions::new().memory_limit(limit)))
        .unwrap();
    let pid = u32::from(job.pids()[0]);
    let _guard = KillOnDrop::new(&[pid]);
    let data = limit_line(pid, "Max data size").unwrap();
    if let Some(group) = memory_cgroup(pid) {
        assert!(!group.contains("/corral-"), "{group}");
    }
    per_member_bound(&job, pid, limit, &data).await;
}

/// VmData of `pid` in bytes (its heap and private writable mappings).
fn vm_data(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kb = s
        .lines()
        .find_map(|l| l.strip_prefix("VmData:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())?;
    Some(kb * 1024)
}

async fn per_member_bound(job: &corral_kernel::Job, pid: u32, limit: u64, data: &str) {
    assert!(data.contains(&limit.to_string()), "{data}");
    // Its heap stops short of the limit: the kernel refuses the rest.
    until("the hog to reach its bound", || {
        vm_data(pid).is_some_and(|d| d + (4 << 20) > limit)
    })
    .await;
    assert!(vm_data(pid).unwrap() <= limit);
    let info = job.info();
    assert!(!info.state.is_finished());
    assert_eq!(info.stop_cause(), None);
    job.signal(corral_kernel::Signal::KILL).unwrap();
    finished(job).await;
}

#[tokio::test]
async fn a_job_within_its_limits_ends_on_its_own() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            sh("echo hi").options(
                JobOptions::new()
                    .cpu_limit(Duration::from_secs(60))
                    .memory_limit(1 << 30),
            ),
        )
        .unwrap();
    assert_eq!(finished(&job).await, corral_kernel::JobState::Exited(0));
    assert_eq!(job.info().stop_cause(), None);
}

#[tokio::test]
async fn the_output_file_holds_both_streams_and_goes_with_the_job() {
    let k = TestKernel::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("job.log");
    let job = k
        .spawn_process(
            sh("echo out; echo err >&2; echo more")
                .options(JobOptions::new().output_file(OutputFile::Path(path.clone()), false)),
        )
        .unwrap();
    finished(&job).await;
    let info = job.info();
    assert_eq!(info.output_file(), Some(path.as_path()));
    until("the file to hold all output", || {
        std::fs::read_to_string(&path).is_ok_and(|s| s.len() == "out\nerr\nmore\n".len())
    })
    .await;
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    // stdout's order is kept; stderr's line may land anywhere.
    let out: Vec<&str> = lines.iter().copied().filter(|l| *l != "err").collect();
    assert_eq!(out, ["out", "more"]);
    lines.sort_unstable();
    assert_eq!(lines, ["err", "more", "out"]);
    // The ring has the same bytes.
    assert_eq!(&job.stdout().snapshot().data[..], b"out\nmore\n");
    k.remove(job.id()).unwrap();
    assert!(!path.exists());
}

#[tokio::test]
async fn a_kept_or_temp_output_file() {
    let k = TestKernel::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kept.log");
    let kept = k
        .spawn_process(
            sh("echo kept")
                .options(JobOptions::new().output_file(OutputFile::Path(path.clone()), true)),
        )
        .unwrap();
    let temp = k
        .spawn_process(
            sh("echo temp").options(JobOptions::new().output_file(OutputFile::Temp, false)),
        )
        .unwrap();
    finished(&kept).await;
    finished(&temp).await;
    let temp_path = temp.info().output_file().unwrap().to_path_buf();
    assert!(temp_path.starts_with(std::env::temp_dir()));
    until("both files written", || {
        std::fs::read_to_string(&path).is_ok_and(|s| s == "kept\n")
            && std::fs::read_to_string(&temp_path).is_ok_and(|s| s == "temp\n")
    })
    .await;
    k.remove(kept.id()).unwrap();
    k.remove(temp.id()).unwrap();
    assert!(path.exists());
    assert!(!temp_path.exists());
}

#[tokio::test]
async fn a_future_jobs_output_file() {
    let k = TestKernel::new();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.log");
    let job = k
        .spawn_future(
            "writer",
            JobOptions::new().output_file(OutputFile::Path(path.clone()), false),
            |ctx| async move {
                ctx.stdout.write(b"from the future\n");
                0
            },
        )
        .unwrap();
    finished(&job).await;
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "from the future\n");
    assert_eq!(job.info().resources(), corral_kernel::Resources::default());
}
