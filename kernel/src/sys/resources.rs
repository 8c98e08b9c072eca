//! Per-process resource figures and limits: /proc for live processes,
//! the rusage waitid returns for reaped ones, prlimit(2) for limits.

use std::time::Duration;

/// CPU time and peak memory of one or more processes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Usage {
    pub(crate) user: Duration,
    pub(crate) system: Duration,
    /// Peak resident set, bytes.
    pub(crate) peak: u64,
}

pub(super) fn usage_of(ru: &libc::rusage) -> Usage {
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    Usage {
        user: tv(ru.ru_utime),
        system: tv(ru.ru_stime),
        // ru_maxrss is in KiB on Linux.
        peak: u64::try_from(ru.ru_maxrss)
            .unwrap_or(0)
            .saturating_mul(1024),
    }
}

fn clock_ticks() -> u64 {
    // SAFETY: sysconf takes a plain integer and touches no memory of ours.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    u64::try_from(t).ok().filter(|&t| t > 0).unwrap_or(100)
}

/// A live process's CPU time (its own and its waited-for children's), from
/// /proc/PID/stat; `None` once it is gone.
pub(crate) fn proc_cpu(pid: i32) -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces and parentheses: fields follow the last ')'.
    let rest = &stat[stat.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    // After ')': state is field 3; utime, stime, cutime, cstime are 14..=17.
    let num = |i: usize| f.get(i - 3).and_then(|s| s.parse::<u64>().ok());
    let ticks = clock_ticks();
    let dur = |t: u64| Duration::from_nanos(t.saturating_mul(1_000_000_000 / ticks));
    Some((dur(num(14)? + num(16)?), dur(num(15)? + num(17)?)))
}

/// A live process's resident set and peak resident set in bytes, from
/// /proc/PID/status; `None` once it is gone (or for a zombie).
pub(crate) fn proc_memory(pid: i32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status.lines().find_map(|l| {
            let v = l.strip_prefix(name)?.trim().strip_suffix("kB")?;
            v.trim().parse::<u64>().ok().map(|k| k * 1024)
        })
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

fn prlimit(
    pid: i32,
    resource: libc::__rlimit_resource_t,
    soft: u64,
    hard: u64,
) -> std::io::Result<()> {
    let new = libc::rlimit64 {
        rlim_cur: soft,
        rlim_max: hard,
    };
    // SAFETY: `new` is a valid rlimit64 for the call's duration and the old
    // limit pointer is null (not asked for); prlimit touches nothing else.
    let rc = unsafe { libc::prlimit64(pid, resource, &new, std::ptr::null_mut()) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Sets RLIMIT_CPU of `pid`: SIGXCPU at `secs`, SIGKILL a second later.
/// The system checks it against tick-sampled CPU time, which on a busy
/// machine runs ahead of the time rusage and /proc report.
pub(crate) fn limit_cpu(pid: i32, secs: u64) -> std::io::Result<()> {
    prlimit(pid, libc::RLIMIT_CPU, secs, secs.saturating_add(1))
}

/// Sets RLIMIT_DATA of `pid` (its heap and private writable mappings).
pub(crate) fn limit_data(pid: i32, bytes: u64) -> std::io::Result<()> {
    prlimit(pid, libc::RLIMIT_DATA, bytes, bytes)
}
