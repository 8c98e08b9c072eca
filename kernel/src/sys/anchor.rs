//! The anchor process: a child that gives an in-process job a pid.
//!
//! The child leads a process group of its own, blocks every signal and
//! takes them from a signalfd, writing each one's number (one byte) to its
//! end of a socket pair. SIGSTOP and SIGKILL cannot be blocked: they act
//! on the child, and its parent sees them through waitid (stopped,
//! killed). A SIGCONT the parent sends itself, to undo such a stop, carries
//! a mark ([`continue_quietly`]) and is not written back.
//!
//! The child exits when the parent's end of the socket closes: when the
//! kernel lets go of it, and when the parent process ends (which closes
//! every descriptor). Not PR_SET_PDEATHSIG, which fires when the forking
//! *thread* ends, and a runtime's threads come and go.
//!
//! On x86-64 the child is cloned sharing our memory (`CLONE_VM`: no page
//! tables to copy and no copy-on-write faults afterwards; a fork of a
//! large shell cost most of a background job's start) on a small stack of
//! its own ([`SharedStack`]), making raw system calls only: no libc call,
//! no `errno`, no lock, no allocation. Elsewhere, or where clone3 is
//! refused, it is forked and makes async-signal-safe calls only. Either
//! way it closes every descriptor it inherited (a pipe end held open would
//! keep another job's reader from its end of file).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use super::pidfd::PidFd;

#[cfg(target_arch = "x86_64")]
mod shared;

/// The `sigval` of the parent's own SIGCONT (see [`continue_quietly`]).
const MARK: u64 = 0x636f_7272_616c_4100;

/// What the anchor polls: its signalfd and its end of the socket.
fn watched(sfd: RawFd, link: RawFd) -> [libc::pollfd; 2] {
    [sfd, link].map(|fd| libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    })
}

/// The byte the anchor writes for the signal `info` reports: its number;
/// `None` for the parent's own quiet CONT (see [`continue_quietly`]).
/// Pure: it runs in the anchor.
fn relayed(info: &libc::signalfd_siginfo, parent: u32) -> Option<u8> {
    let echo = info.ssi_code == libc::SI_QUEUE && info.ssi_pid == parent && info.ssi_ptr == MARK;
    (!echo).then_some(info.ssi_signo as u8)
}

/// The stack of an anchor that shares our memory, its block (what the
/// child reads, and the word the kernel clears at its exit) at the top.
/// Unmapped on drop once that word is clear; left mapped otherwise, as the
/// child may still run on it.
#[derive(Debug)]
pub(crate) struct SharedStack {
    base: std::ptr::NonNull<u8>,
}

// SAFETY: the mapping is only read through atomics (the block's word)
// and unmapped once, by drop.
unsafe impl Send for SharedStack {}
// SAFETY: as above.
unsafe impl Sync for SharedStack {}

/// The anchor's stack: its code uses a few small frames.
#[cfg(target_arch = "x86_64")]
const STACK_BYTES: usize = 32 << 10;
/// Room for the block at the top (16-byte aligned below it).
#[cfg(target_arch = "x86_64")]
const BLOCK_ROOM: usize = 64;

#[cfg(target_arch = "x86_64")]
impl SharedStack {
    fn new() -> io::Result<SharedStack> {
        // SAFETY: an anonymous private mapping at an address of the
        // kernel's choosing; it touches none of ours.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                STACK_BYTES,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_STACK | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            return Err(io::Error::last_os_error());
        }
        std::ptr::NonNull::new(p.cast())
            .map(|base| SharedStack { base })
            .ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))
    }

    fn base(&self) -> *mut u8 {
        self.base.as_ptr()
    }

    /// The stack's bytes below the block (the child's stack pointer starts there).
    fn below_block(&self) -> usize {
        STACK_BYTES - BLOCK_ROOM
    }

    fn block(&self) -> *mut shared::Block {
        // SAFETY: within the mapping (BLOCK_ROOM holds a Block), aligned
        // to 64 as the mapping is page-aligned.
        unsafe { self.base().add(self.below_block()).cast() }
    }
}

impl Drop for SharedStack {
    fn drop(&mut self) {
        #[cfg(target_arch = "x86_64")]
        if shared::exited(self.block()) {
            // SAFETY: our own mapping, which no child uses any more.
            unsafe { libc::munmap(self.base().cast(), STACK_BYTES) };
        }
    }
}

/// A started anchor: its pidfd (and pid), the parent's end of the socket
/// (non-blocking, close-on-exec), readable with one byte per signal, and
/// the stack it runs on if it shares our memory.
#[derive(Debug)]
pub(crate) struct AnchorProc {
    pub(crate) pidfd: PidFd,
    pub(crate) link: OwnedFd,
    pub(crate) stack: Option<SharedStack>,
}

/// Forks an anchor.
///
/// # Errors
/// What the OS said: socket pair, fork, or pidfd (then the child is
/// killed and reaped before returning).
pub(crate) fn start() -> io::Result<AnchorProc> {
    let (ours, theirs) = UnixStream::pair()?;
    ours.set_nonblocking(true)?;
    #[cfg(target_arch = "x86_64")]
    if let Some((pid, stack)) = shared::clone_anchor(theirs.as_raw_fd())? {
        return adopt(pid, ours, theirs, Some(stack));
    }
    fork_anchor(ours, theirs)
}

/// Forks an anchor (see the module docs).
fn fork_anchor(ours: UnixStream, theirs: UnixStream) -> io::Result<AnchorProc> {
    let parent = std::process::id();
    let link = theirs.as_raw_fd();
    let top = close_limit();
    // SAFETY: all-zero sigset_t values are valid; sigfillset fills one and
    // pthread_sigmask reads it and writes the old mask to the other.
    let (mut all, mut old): (libc::sigset_t, libc::sigset_t) =
        unsafe { (std::mem::zeroed(), std::mem::zeroed()) };
    // SAFETY: as above; both sets are valid for the calls. Blocking every
    // signal in this thread across fork makes the child start with them
    // blocked: none can run an inherited handler in it.
    unsafe {
        libc::sigfillset(&mut all);
        libc::pthread_sigmask(libc::SIG_SETMASK, &all, &mut old);
    }
    // SAFETY: the child runs `anchor_main` only, which makes
    // async-signal-safe system calls and never returns.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        anchor_main(link, parent, top);
    }
    let forked = if pid < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(pid)
    };
    // SAFETY: `old` holds the mask read above.
    unsafe {
        libc::pthread_sigmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
    }
    let pid = forked?;
    adopt(pid, ours, theirs, None)
}

/// The parent's side of a started anchor `pid`.
fn adopt(
    pid: i32,
    ours: UnixStream,
    theirs: UnixStream,
    stack: Option<SharedStack>,
) -> io::Result<AnchorProc> {
    // Also here, as shells do: the group exists when start returns, not
    // only once the child has run.
    let _ = nix::unistd::setpgid(
        nix::unistd::Pid::from_raw(pid),
        nix::unistd::Pid::from_raw(pid),
    );
    drop(theirs);
    match PidFd::open(pid) {
        Ok(pidfd) => Ok(AnchorProc {
            pidfd,
            link: OwnedFd::from(ours),
            stack,
        }),
        Err(e) => {
            // No pidfd (a kernel before 5.3): the child is ours and
            // unreaped, so its pid is still its.
            let _ = super::kill_pid(pid, libc::SIGKILL);
            super::reap_blocking(pid);
            Err(e)
        }
    }
}

/// Continues the anchor `pid` (after an outside SIGSTOP) with a SIGCONT it
/// does not report back. `pid` must be our unreaped child.
pub(crate) fn continue_quietly(pid: i32) -> io::Result<()> {
    let value = libc::sigval {
        sival_ptr: MARK as usize as *mut libc::c_void,
    };
    // SAFETY: sigqueue takes plain values; the pointer is never dereferenced
    // (it is only carried to the receiver as a number).
    let rc = unsafe { libc::sigqueue(pid, libc::SIGCONT, value) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// The descriptors the child closes when close_range(2) is missing
/// (before Linux 5.9): all below the soft limit, at most 2^20.
fn close_limit() -> RawFd {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .map_or(1024, |(soft, _)| soft.min(1 << 20) as RawFd)
}

/// The anchor's life, in the forked child. Never returns.
fn anchor_main(link: RawFd, parent: u32, top: RawFd) -> ! {
    // SAFETY: every call below is a system call that is async-signal-safe
    // (setpgid, close_range/close, signalfd, poll, read, write, _exit) on
    // this function's stack; nothing allocates or takes a lock, so the
    // locks other threads held at fork do not matter.
    unsafe {
        libc::setpgid(0, 0);
        close_all_but(link, top);
        let mut all: libc::sigset_t = std::mem::zeroed();
        libc::sigfillset(&mut all);
        let sfd = libc::signalfd(-1, &all, libc::SFD_CLOEXEC);
        if sfd < 0 {
            libc::_exit(1);
        }
        let mut fds = watched(sfd, link);
        let mut infos: [libc::signalfd_siginfo; 8] = std::mem::zeroed();
        let size = std::mem::size_of::<libc::signalfd_siginfo>();
        loop {
            if libc::poll(fds.as_mut_ptr(), 2, -1) < 0 {
                if *libc::__errno_location() == libc::EINTR {
                    continue;
                }
                libc::_exit(1);
            }
            // The parent never writes: readable means its end closed.
            if fds[1].revents != 0 {
                libc::_exit(0);
            }
            if fds[0].revents & libc::POLLIN == 0 {
                continue;
            }
            let n = libc::read(sfd, infos.as_mut_ptr().cast(), size * infos.len());
            let Ok(n) = usize::try_from(n) else { continue };
            for info in &infos[..n / size] {
                let Some(byte) = relayed(info, parent) else {
                    continue;
                };
                loop {
                    let w = libc::write(link, (&raw const byte).cast(), 1);
                    if w == 1 {
                        break;
                    }
                    if w < 0 && *libc::__errno_location() == libc::EINTR {
                        continue;
                    }
                    libc::_exit(0);
                }
            }
        }
    }
}

/// Closes every descriptor but `keep` (in the forked child).
///
/// # Safety
/// Only in the forked child: it closes descriptors other code may own.
unsafe fn close_all_but(keep: RawFd, top: RawFd) {
    let range = |first: RawFd, last: u32| {
        // SAFETY: close_range takes plain numbers (the caller's contract).
        unsafe { libc::syscall(libc::SYS_close_range, first as u32, last, 0u32) == 0 }
    };
    let below = keep == 0 || range(0, (keep - 1) as u32);
    let above = range(keep + 1, u32::MAX);
    if below && above {
        return;
    }
    for fd in (0..top).filter(|&fd| fd != keep) {
        // SAFETY: close takes a number; a closed one fails harmlessly.
        unsafe {
            libc::close(fd);
        }
    }
}

#[cfg(all(test, target_arch = "x86_64"))]
mod tests {
    use std::io::{Read, Seek, SeekFrom};
    use std::sync::atomic::{AtomicU64, Ordering};

    static WRITTEN_AFTER: AtomicU64 = AtomicU64::new(1);

    /// The anchor shares our memory (a value we write after the clone is
    /// what its /proc/PID/mem shows: a fork would show the old one), and
    /// the kernel marks its stack free once it has exited.
    #[test]
    fn a_cloned_anchor_shares_our_memory_and_frees_its_stack_at_exit() {
        let a = super::start().unwrap();
        let pid = a.pidfd.pid();
        let stack = a.stack.as_ref().expect("x86-64 clones the anchor");
        WRITTEN_AFTER.store(0x5eed_cafe, Ordering::SeqCst);
        let mut mem = std::fs::File::open(format!("/proc/{pid}/mem")).unwrap();
        mem.seek(SeekFrom::Start(WRITTEN_AFTER.as_ptr() as u64))
            .unwrap();
        let mut seen = [0u8; 8];
        mem.read_exact(&mut seen).unwrap();
        assert_eq!(u64::from_ne_bytes(seen), 0x5eed_cafe);
        assert!(!super::shared::exited(stack.block()));
        // Our end closed: the anchor exits.
        let super::AnchorProc { pidfd, link, stack } = a;
        drop(link);
        pidfd.reap_if_child();
        let stack = stack.unwrap();
        assert!(super::shared::exited(stack.block()));
    }
}
