//! System limits the kernel stays under: the user's pipe quota (when
//! growing capture pipes) and the file size limit (when spilling).

use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use nix::fcntl::{fcntl, FcntlArg};
use nix::sys::resource::{getrlimit, Resource, RLIM_INFINITY};

/// Bound on grown pipe bytes when /proc/sys/fs/pipe-user-pages-soft says
/// nothing useful: a quarter of its usual default (16384 4-KiB pages).
const FALLBACK_GROWTH: usize = 16 << 20;

/// Bytes by which capture pipes of this process are grown beyond their
/// size at creation, now. Process-wide, not per kernel: the quota it
/// protects is the user's, shared by every kernel in the process.
static GROWN: AtomicUsize = AtomicUsize::new(0);

/// The most `GROWN` may reach: a quarter of the user's soft pipe quota,
/// so growth alone never takes the user's other programs past it.
fn growth_bound() -> usize {
    static BOUND: OnceLock<usize> = OnceLock::new();
    *BOUND.get_or_init(|| {
        let pages = std::fs::read_to_string("/proc/sys/fs/pipe-user-pages-soft")
            .ok()
            .and_then(|s| s.trim().parse::<usize>().ok())
            .filter(|&p| p > 0);
        match pages {
            Some(p) => p.saturating_mul(page_size()) / 4,
            None => FALLBACK_GROWTH,
        }
    })
}

fn page_size() -> usize {
    // SAFETY: sysconf takes a plain integer and touches no memory of ours.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(p).ok().filter(|&p| p > 0).unwrap_or(4096)
}

fn take(n: usize) -> bool {
    let bound = growth_bound();
    GROWN
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |g| {
            g.checked_add(n).filter(|&t| t <= bound)
        })
        .is_ok()
}

fn give_back(n: usize) {
    GROWN.fetch_sub(n, Ordering::Relaxed);
}

/// Grown pipe bytes now and their bound, for tests and diagnostics.
pub(crate) fn pipe_growth() -> (usize, usize) {
    (GROWN.load(Ordering::Relaxed), growth_bound())
}

/// The bytes one pipe was grown by; given back when dropped (with the
/// pipe: the owner drops both together).
#[derive(Debug)]
pub(crate) struct PipeGrant {
    /// u32: a pipe is never grown by 4 GiB, and every pump carries one.
    bytes: u32,
}

impl Drop for PipeGrant {
    fn drop(&mut self) {
        give_back(self.bytes as usize);
    }
}

/// Enlarges a pipe to `size` bytes (rounded as the system rounds: a power
/// of two, at least a page), best effort: a bigger pipe means fewer
/// wake-ups for a heavy writer's reader. `None` when it stays as it is:
/// the process-wide growth bound is reached, or the system refuses
/// (EPERM past the user's quota, pipe-max-size), quietly.
pub(crate) fn grow_pipe(fd: BorrowedFd<'_>, size: usize) -> Option<PipeGrant> {
    let current = usize::try_from(fcntl(fd, FcntlArg::F_GETPIPE_SZ).ok()?).ok()?;
    let target = size.max(page_size()).checked_next_power_of_two()?;
    let extra = target.checked_sub(current).filter(|&e| e > 0)?;
    let wanted = i32::try_from(target).ok()?;
    if !take(extra) {
        return None;
    }
    let got = fcntl(fd, FcntlArg::F_SETPIPE_SZ(wanted))
        .ok()
        .and_then(|g| usize::try_from(g).ok());
    let Some(got) = got else {
        give_back(extra);
        return None;
    };
    let grown = got.saturating_sub(current);
    let Ok(bytes) = u32::try_from(grown) else {
        give_back(extra);
        let back = i32::try_from(current).unwrap_or(i32::MAX);
        let _ = fcntl(fd, FcntlArg::F_SETPIPE_SZ(back));
        return None;
    };
    if grown <= extra {
        give_back(extra - grown);
        return Some(PipeGrant { bytes });
    }
    // Rounded beyond what was asked: keep it only within the bound.
    if take(grown - extra) {
        return Some(PipeGrant { bytes });
    }
    give_back(extra);
    let back = i32::try_from(current).unwrap_or(i32::MAX);
    let _ = fcntl(fd, FcntlArg::F_SETPIPE_SZ(back));
    None
}

/// The process's file size limit (RLIMIT_FSIZE, soft) in bytes;
/// `u64::MAX` when there is none (or it cannot be read). Writing past it
/// raises SIGXFSZ.
pub(crate) fn file_size_limit() -> u64 {
    match getrlimit(Resource::RLIMIT_FSIZE) {
        Ok((soft, _)) if soft != RLIM_INFINITY => soft,
        _ => u64::MAX,
    }
}
