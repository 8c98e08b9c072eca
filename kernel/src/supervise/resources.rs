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
//!   process jobs, applied right after spawn (posix_spawn allows no
//!   pre_exec). [`JobEvent::LimitWarning`] is published once at 80% of a
//!   limit; at 100% the job ends as [`Kernel::terminate`](crate::Kernel::terminate)
//!   ends it, with cause [`StopCause::Limit`](crate::StopCause::Limit).
//! - **CPU**: the job's limit, over all members, is enforced by the
//!   kernel on the figure it reports (the members' /proc times, then
//!   their rusage), so a job ended by its limit has used at least the
//!   limit. The check is a deadline, not a sample: a single-threaded
//!   member uses at most one CPU second per second, so it sleeps
//!   (threshold − used) ÷ live members and wakes no sooner than the
//!   budget could be spent. Each member also gets `RLIMIT_CPU` by
//!   `prlimit(2)` as a backstop, at twice the limit plus a second
//!   (rounded up to whole seconds; SIGXCPU, SIGKILL a second later; a
//!   member SIGXCPU ended counts as cause `limit`), for when the kernel
//!   cannot act (its process gone). Not at the limit itself: the system
//!   checks `RLIMIT_CPU` against tick-sampled CPU time, which on a busy
//!   machine runs ahead of the time rusage reports (measured on the
//!   development machine: SIGXCPU at 730–790 ms of reported CPU for a
//!   1 s rlimit).
//! - **Memory** takes the best path the system offers
//!   ([`memory_limit_path`]):
//!   - [`MemoryLimitPath::Cgroup`]: a writable cgroup v1 memory controller.
//!     Each limited job gets a memory cgroup holding its members (and
//!     every process they start): the system enforces the limit on the
//!     whole job, page cache included, and holds it there (OOM killer off
//!     in the group) while eventfds registered in `cgroup.event_control`
//!     report usage crossing 80% (the warning) and the group reaching its
//!     limit (the end). Event-driven, nothing is read on a timer. What
//!     the members held before they were moved in stays charged outside
//!     the group, so their resident sets are read once, when the limit is
//!     applied, and count against it (a job already past it ends at once,
//!     on both paths). Each
//!     member also gets `RLIMIT_DATA` at the limit plus a quarter (at
//!     least 32 MiB) as a per-process backstop for what it allocates
//!     before it is moved in. The group is removed when the job ends.
//!   - [`MemoryLimitPath::PerMember`]: no usable cgroup (cgroup v2's memory
//!     controller is not driven by this kernel; v1 absent or read-only).
//!     Each member gets `RLIMIT_DATA` at the limit: the system refuses
//!     the allocation that would pass it (`ENOMEM`; the program decides
//!     what follows). That bound is per member, not per job, and the
//!     system gives no event on the way to it, so no 80% warning is
//!     published and the job is not ended with cause `limit`: the only
//!     way to see a threshold crossed would be to sample, which the
//!     kernel does not do. `RLIMIT_DATA` rather than `RLIMIT_AS`: address
//!     space counts reservations that use no memory (thread arenas,
//!     runtimes that map a large heap up front), refusing programs that fit.
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
    /// Nothing used.
    pub const ZERO: Resources = Resources {
        cpu_user: Duration::ZERO,
        cpu_system: Duration::ZERO,
        memory: 0,
        memory_peak: 0,
    };

    /// User plus system CPU time.
    pub fn cpu(&self) -> Duration {
        self.cpu_user + self.cpu_system
    }
}

/// How a memory limit is enforced on this system (see the [module docs](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MemoryLimitPath {
    /// A memory cgroup per job: whole-job limit, 80% warning, cause `limit`.
    Cgroup,
    /// `RLIMIT_DATA` on each member only.
    PerMember,
}

impl MemoryLimitPath {
    /// `cgroup` or `per-member`.
    pub fn as_str(self) -> &'static str {
        match self {
            MemoryLimitPath::Cgroup => "cgroup",
            MemoryLimitPath::PerMember => "per-member",
        }
    }
}

/// The path memory limits take on this system (probed once per process)
/// in a kernel whose [`KernelConfig::memory_cgroups`](crate::KernelConfig::memory_cgroups)
/// is on; [`MemoryLimitPath::PerMember`] where it is off.
pub fn memory_limit_path() -> MemoryLimitPath {
    if sys::cgroup::memory_groups() {
        MemoryLimitPath::Cgroup
    } else {
        MemoryLimitPath::PerMember
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

/// A limited job's enforcement: its memory cgroup, if it has one.
#[derive(Debug)]
pub(crate) struct Enforcer {
    cpu: Option<Duration>,
    memory: Option<u64>,
    group: Option<sys::cgroup::MemoryGroup>,
}

impl Enforcer {
    /// Sets up the limits of a job (its memory cgroup, where the system
    /// offers one and `cgroups` allows it). Within a tokio runtime.
    pub(crate) fn new(cpu: Option<Duration>, memory: Option<u64>, cgroups: bool) -> Enforcer {
        // A cgroup that cannot be made leaves the per-member bound.
        let group = memory
            .filter(|_| cgroups)
            .and_then(|m| sys::cgroup::MemoryGroup::create(m, m / 5 * 4).ok())
            .flatten();
        Enforcer { cpu, memory, group }
    }

    /// Applies the job's limits to its member `pid`. Best effort: a member
    /// that exited already cannot be limited.
    pub(crate) fn limit_member(&self, pid: i32) {
        if let Some(g) = &self.group {
            let _ = g.add(pid);
        }
        if let Some(cpu) = self.cpu {
            let _ = sys::limit_cpu(pid, cpu_backstop_secs(cpu));
        }
        if let Some(mem) = self.memory {
            let bound = if self.group.is_some() {
                mem.saturating_add((mem / 4).max(32 << 20))
            } else {
                mem
            };
            let _ = sys::limit_data(pid, bound);
        }
    }

    /// Watches the job until it ends or reaches a limit; returns the limit
    /// reached. Publishes the 80% warnings on the way.
    pub(crate) async fn watch(&self, core: &JobCore, events: &Publisher) -> Option<LimitKind> {
        let memory = async {
            let Some(limit) = self.memory else {
                return std::future::pending().await;
            };
            // What the members hold already was charged before they were
            // limited (a cgroup counts only what is charged in it): one
            // look now, when the limit is applied.
            let held = of(core, true).0.memory;
            if held >= limit {
                return;
            }
            let warned = held >= limit / 5 * 4;
            if warned {
                events.publish(JobEvent::LimitWarning(core.id(), LimitKind::Memory));
            }
            let Some(g) = &self.group else {
                return std::future::pending().await;
            };
            if warned {
                return g.full().await;
            }
            tokio::select! {
                () = g.full() => {}
                () = g.warned() => {
                    events.publish(JobEvent::LimitWarning(core.id(), LimitKind::Memory));
                    g.full().await;
                }
            }
        };
        tokio::select! {
            _ = core.wait_for(crate::job::JobState::is_finished) => None,
            () = memory => Some(LimitKind::Memory),
            () = watch_cpu(core, events, self.cpu) => Some(LimitKind::Cpu),
        }
    }
}

/// The `RLIMIT_CPU` soft limit in seconds for a job's CPU `limit`: twice
/// it plus one second, rounded up (see the [module docs](self)).
pub(crate) fn cpu_backstop_secs(limit: Duration) -> u64 {
    let twice = limit.saturating_mul(2);
    twice.as_secs() + u64::from(twice.subsec_nanos() > 0) + 1
}

/// The accounted figures of a job now (zero for a future job); with
/// `live` false, only those its reaped members left (nothing is read).
pub(crate) fn of(core: &JobCore, live: bool) -> (Resources, usize) {
    let Some(p) = core.proc() else {
        return (Resources::default(), 0);
    };
    let (usage, rss, live) = p.usage(live);
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

/// Returns once the job's CPU time reaches `limit` (never without one),
/// publishing the warning at 80% on the way.
async fn watch_cpu(core: &JobCore, events: &Publisher, limit: Option<Duration>) {
    let Some(limit) = limit else {
        return std::future::pending().await;
    };
    let warn_at = limit.mul_f64(0.8);
    let mut warned = false;
    loop {
        let (r, live) = of(core, true);
        let used = r.cpu();
        if used >= limit {
            return;
        }
        if used >= warn_at && !warned {
            warned = true;
            events.publish(JobEvent::LimitWarning(core.id(), LimitKind::Cpu));
        }
        let target = if warned { limit } else { warn_at };
        let per = u32::try_from(live.max(1)).unwrap_or(u32::MAX);
        tokio::time::sleep(((target - used) / per).max(CPU_MIN_CHECK)).await;
    }
}
