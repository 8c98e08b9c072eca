//! A memory cgroup per limited job, where the system offers one: the
//! cgroup v1 memory controller, writable below this process's own memory
//! cgroup. The kernel enforces the limit on the whole group
//! (`memory.limit_in_bytes`, OOM killer off so the job is held at the
//! limit instead of losing a random member), and two eventfds registered
//! through `cgroup.event_control` report usage crossing 80% of it and
//! the group reaching it (`memory.oom_control`). No file is read in a loop.
//!
//! Layout: `<mount><own cgroup>/corral-<pid>/job-<n>`. The `corral-<pid>`
//! directories of processes gone are removed when the first group of a
//! process is made (their job directories are empty by then, or hold
//! processes that outlived the kernel and keep their limit).

use std::io;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

/// The directory this process makes its jobs' memory cgroups in, if the
/// system offers a writable cgroup v1 memory controller.
fn root() -> Option<&'static Path> {
    static ROOT: OnceLock<Option<PathBuf>> = OnceLock::new();
    ROOT.get_or_init(find_root).as_deref()
}

/// Whether limited jobs get a memory cgroup.
pub(crate) fn memory_groups() -> bool {
    root().is_some()
}

fn find_root() -> Option<PathBuf> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    // v1 lines are `N:controller[,controller]:/path`.
    let path = own.lines().find_map(|l| {
        let mut f = l.splitn(3, ':');
        let (_, ctl, path) = (f.next()?, f.next()?, f.next()?);
        ctl.split(',')
            .any(|c| c == "memory")
            .then(|| path.to_owned())
    })?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let (mount_root, mount_point) = mounts.lines().find_map(|l| {
        let (pre, post) = l.split_once(" - ")?;
        let mut post = post.split_whitespace();
        let (fstype, _, opts) = (post.next()?, post.next()?, post.next()?);
        if fstype != "cgroup" || !opts.split(',').any(|o| o == "memory") {
            return None;
        }
        let pre: Vec<&str> = pre.split_whitespace().collect();
        Some((pre.get(3)?.to_string(), pre.get(4)?.to_string()))
    })?;
    let rel = path.strip_prefix(mount_root.as_str()).unwrap_or(&path);
    let own_dir = Path::new(&mount_point).join(rel.trim_start_matches('/'));
    clear_stale(&own_dir);
    let dir = own_dir.join(format!("corral-{}", std::process::id()));
    match std::fs::create_dir(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(_) => return None,
    }
    // The controller must take a limit here (a read-only or foreign
    // hierarchy refuses it).
    if std::fs::write(dir.join("memory.limit_in_bytes"), "-1").is_err() {
        let _ = std::fs::remove_dir(&dir);
        return None;
    }
    Some(dir)
}

/// Removes the `corral-<pid>` directories of processes that are gone.
fn clear_stale(own_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(own_dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix("corral-"))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        if let Ok(jobs) = std::fs::read_dir(e.path()) {
            for j in jobs.flatten() {
                if j.path().is_dir() {
                    let _ = std::fs::remove_dir(j.path());
                }
            }
        }
        let _ = std::fs::remove_dir(e.path());
    }
}

type Ready = AsyncFd<OwnedFd>;

/// One job's memory cgroup; removed when dropped (if no process is left in it).
#[derive(Debug)]
pub(crate) struct MemoryGroup {
    dir: PathBuf,
    /// Readable once usage crossed the warning threshold.
    warn: Ready,
    /// Readable once the group reached its limit.
    full: Ready,
}

fn eventfd() -> io::Result<OwnedFd> {
    // SAFETY: eventfd takes two integers and returns a new descriptor or -1.
    let fd = unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `fd` was just returned by eventfd and is owned by nobody else.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

impl MemoryGroup {
    /// A new group limited to `limit` bytes that reports crossing `warn_at`;
    /// `Ok(None)` when the system offers no memory cgroup. Call within a
    /// tokio runtime (the eventfds are registered with it).
    pub(crate) fn create(limit: u64, warn_at: u64) -> io::Result<Option<MemoryGroup>> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let Some(root) = root() else {
            return Ok(None);
        };
        let dir = root.join(format!("job-{}", NEXT.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir(&dir)?;
        match Self::configure(&dir, limit, warn_at) {
            Ok((warn, full)) => Ok(Some(MemoryGroup { dir, warn, full })),
            Err(e) => {
                let _ = std::fs::remove_dir(&dir);
                Err(e)
            }
        }
    }

    fn configure(dir: &Path, limit: u64, warn_at: u64) -> io::Result<(Ready, Ready)> {
        std::fs::write(dir.join("memory.limit_in_bytes"), limit.to_string())?;
        // Held at the limit, not OOM-killed: the kernel ends the job itself,
        // with cause `limit`.
        std::fs::write(dir.join("memory.oom_control"), "1")?;
        let control = dir.join("cgroup.event_control");
        let warn = eventfd()?;
        let usage = std::fs::File::open(dir.join("memory.usage_in_bytes"))?;
        std::fs::write(
            &control,
            format!("{} {} {warn_at}", warn.as_raw_fd(), usage.as_raw_fd()),
        )?;
        let full = eventfd()?;
        let oom = std::fs::File::open(dir.join("memory.oom_control"))?;
        std::fs::write(
            &control,
            format!("{} {}", full.as_raw_fd(), oom.as_raw_fd()),
        )?;
        // SAFETY: each eventfd is a valid open descriptor that only its
        // AsyncFd owns, so it keeps its number until dropped.
        let warn = unsafe { AsyncFd::register_with_interest(warn, Interest::READABLE)? };
        // SAFETY: as above.
        let full = unsafe { AsyncFd::register_with_interest(full, Interest::READABLE)? };
        Ok((warn, full))
    }

    /// Moves the process `pid` (and the threads of it) into the group; its
    /// children from then on are born in it.
    ///
    /// # Errors
    /// The write's error: ESRCH when it is gone.
    pub(crate) fn add(&self, pid: i32) -> io::Result<()> {
        std::fs::write(self.dir.join("cgroup.procs"), pid.to_string())
    }

    /// Waits until usage crosses the warning threshold. Cancel safe.
    pub(crate) async fn warned(&self) {
        wait_readable(&self.warn).await;
    }

    /// Waits until the group reaches its limit. Cancel safe.
    pub(crate) async fn full(&self) {
        wait_readable(&self.full).await;
    }
}

async fn wait_readable(fd: &Ready) {
    loop {
        let Ok(mut ready) = fd.readable().await else {
            // The runtime is going away: never report.
            return std::future::pending().await;
        };
        let mut buf = [0u8; 8];
        match nix::unistd::read(fd.get_ref().as_fd(), &mut buf) {
            Ok(_) => return,
            Err(nix::errno::Errno::EAGAIN) => ready.clear_ready(),
            Err(_) => return std::future::pending().await,
        }
    }
}

impl Drop for MemoryGroup {
    fn drop(&mut self) {
        // Fails while a process outlives its job in the group: it stays
        // limited, and the directory goes with a later clear_stale.
        let _ = std::fs::remove_dir(&self.dir);
    }
}
