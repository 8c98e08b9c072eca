//! Resources: what a job's processes use, and limits on it.
//!
//! - **Accounting**, read when asked ([`Job::resources`](crate::Job::resources),
//!   [`JobInfo::resources`](crate::JobInfo::resources)), never sampled in
//!   the background. CPU time (user and system) is the members' own plus
//!   that of the children they waited for: from `/proc/PID/stat` while a
//!   member lives, and from the rusage the reaper's `waitid` returns when
//!   it is reaped (kept in the job's record), so members already gone still
//!   count. Memory is the members' resident sets summed (`VmRSS`), and the
//!   peak is the largest of that sum's `VmHWM` seen by any read and each
//!   reaped member's own peak. A future job uses no processes of its own:
//!   its figures are zero (its children are jobs with their own).
//! - **Limits** ([`JobOptions::cpu_limit`](crate::JobOptions::cpu_limit),
//!   [`JobOptions::memory_limit`](crate::JobOptions::memory_limit)) on
//!   process jobs. Right after spawn each member gets, by `prlimit(2)`
//!   from the kernel (posix_spawn allows no pre_exec), `RLIMIT_CPU` at the
//!   limit (SIGXCPU, then SIGKILL a second later) and `RLIMIT_DATA` at
//!   the limit plus a quarter (at least 32 MiB more): a hard bound on each
//!   member's heap between two of the kernel's checks. `RLIMIT_DATA`
//!   rather than `RLIMIT_AS`: address space counts reservations that use
//!   no memory (thread arenas, runtimes that map a large heap up front),
//!   so it refuses programs that would fit. The job's limit itself is
//!   the kernel's: one task per limited job checks the accounted figures
//!   on a timer, publishes [`JobEvent::LimitWarning`]
//!   once at 80% of a limit and, at 100%, ends the job as
//!   [`Kernel::terminate`](crate::Kernel::terminate) does with cause
//!   [`StopCause::Limit`](crate::StopCause::Limit) (a member SIGXCPU
//!   ended counts as that cause too). The CPU timer is set from the
//!   budget left: a single-threaded member cannot use more than one CPU
//!   second per second, so it sleeps (threshold − used) ÷ live members,
//!   then recomputes; no busy loop. Memory has no such bound and, with no
//!   cgroup event source, is checked every [`MEMORY_CHECK`].
//! - **cgroups** are not used: memory and CPU controllers in a writable
//!   cgroup v2 would give whole-group limits and `memory.events`
//!   notifications, but the kernel does not create cgroups.
//! - **Output files** ([`JobOptions::output_file`](crate::JobOptions::output_file)):
//!   one file per job holding stdout and stderr interleaved as they arrive
//!   (what a terminal would show), appended by the same pumps that fill
//!   the rings; its path is [`JobInfo::output_file`](crate::JobInfo::output_file).
//!   [`Kernel::remove`](crate::Kernel::remove) deletes it unless `keep`.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use crate::events::Publisher;
use crate::job::JobEvent;
use crate::record::JobCore;
use crate::sys;

/// How often a memory limit is checked (no event source without cgroups).
pub const MEMORY_CHECK: Duration = Duration::from_millis(100);

/// The shortest CPU timer: a job near its limit is not checked more often.
const CPU_MIN_CHECK: Duration = Duration::from_millis(10);

/// What a job's processes have used (see the [module docs](self)).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Resources {
    /// User CPU time, members reaped or alive.
    pub cpu_user: Duration,
    /// System CPU time, members reaped or alive.
    pub cpu_system: Duration,
    /// Resident memory of the live members now, bytes.
    pub memory: u64,
    /// The peak of that (see the module docs), bytes.
    pub memory_peak: u64,
}

impl Resources {
    /// User plus system CPU time.
    pub fn cpu(&self) -> Duration {
        self.cpu_user + self.cpu_system
    }
}

/// Which limit a [`JobEvent::LimitWarning`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// [`JobOptions::cpu_limit`](crate::JobOptions::cpu_limit).
    Cpu,
    /// [`JobOptions::memory_limit`](crate::JobOptions::memory_limit).
    Memory,
}

impl LimitKind {
    /// `cpu` or `memory`.
    pub fn as_str(self) -> &'static str {
        match self {
            LimitKind::Cpu => "cpu",
            LimitKind::Memory => "memory",
        }
    }
}

/// Where a job's output file is (see [`JobOptions::output_file`](crate::JobOptions::output_file)).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OutputFile {
    /// This path (created, or truncated if it exists).
    Path(PathBuf),
    /// A new file in the system's temp directory.
    Temp,
}

/// A job's output file once created.
#[derive(Debug)]
pub(crate) struct OutputTarget {
    pub(crate) path: PathBuf,
    pub(crate) keep: bool,
    pub(crate) tee: Arc<crate::stream::Tee>,
}

impl OutputTarget {
    pub(crate) fn create(file: &OutputFile, keep: bool) -> std::io::Result<OutputTarget> {
        let (file, path) = match file {
            OutputFile::Path(p) => (
                std::fs::OpenOptions::new()
                    .create(true)
                    .write(true)
                    .truncate(true)
                    .open(p)?,
                p.clone(),
            ),
            OutputFile::Temp => {
                let t = tempfile::Builder::new()
                    .prefix("corral-job-")
                    .suffix(".out")
                    .tempfile()?;
                let (file, path) = t.keep().map_err(|e| e.error)?;
                (file, path)
            }
        };
        Ok(OutputTarget {
            path,
            keep,
            tee: Arc::new(crate::stream::Tee::new(file)),
        })
    }

    /// Deletes the file unless it is kept.
    pub(crate) fn discard(&self) {
        if !self.keep {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Applies the per-member rlimits of a job's limits to `pid`. Best effort:
/// a member that exited already cannot be limited, and the kernel's own
/// checks still hold for the job.
pub(crate) fn limit_member(pid: i32, cpu: Option<Duration>, memory: Option<u64>) {
    if let Some(cpu) = cpu {
        let secs = cpu.as_secs() + u64::from(cpu.subsec_nanos() > 0);
        let _ = sys::limit_cpu(pid, secs.max(1));
    }
    if let Some(mem) = memory {
        let _ = sys::limit_data(pid, mem.saturating_add((mem / 4).max(32 << 20)));
    }
}

/// The accounted figures of a job now (zero for a future job).
pub(crate) fn of(core: &JobCore) -> (Resources, usize) {
    let Some(p) = core.proc() else {
        return (Resources::default(), 0);
    };
    let (usage, rss, live) = p.usage();
    (
        Resources {
            cpu_user: usage.user,
            cpu_system: usage.system,
            memory: rss,
            memory_peak: usage.peak.max(rss),
        },
        live,
    )
}

/// Watches a limited job until it ends or reaches a limit; returns the
/// limit reached. Publishes the 80% warnings on the way.
pub(crate) async fn watch(
    core: &JobCore,
    events: &Publisher,
    cpu: Option<Duration>,
    memory: Option<u64>,
) -> Option<LimitKind> {
    let (mut cpu_warned, mut mem_warned) = (false, false);
    loop {
        let (r, live) = of(core);
        let mut next: Option<Duration> = None;
        if let Some(limit) = cpu {
            let used = r.cpu();
            if used >= limit {
                return Some(LimitKind::Cpu);
            }
            let warn_at = limit.mul_f64(0.8);
            if used >= warn_at && !cpu_warned {
                cpu_warned = true;
                events.publish(JobEvent::LimitWarning(core.id(), LimitKind::Cpu));
            }
            let target = if cpu_warned { limit } else { warn_at };
            let per = u32::try_from(live.max(1)).unwrap_or(u32::MAX);
            next = Some(((target - used) / per).max(CPU_MIN_CHECK));
        }
        if let Some(limit) = memory {
            if r.memory >= limit {
                return Some(LimitKind::Memory);
            }
            if r.memory >= limit / 5 * 4 && !mem_warned {
                mem_warned = true;
                events.publish(JobEvent::LimitWarning(core.id(), LimitKind::Memory));
            }
            next = Some(next.map_or(MEMORY_CHECK, |n| n.min(MEMORY_CHECK)));
        }
        let next = next?;
        tokio::select! {
            _ = core.wait_for(crate::job::JobState::is_finished) => return None,
            () = tokio::time::sleep(next) => {}
        }
    }
}
