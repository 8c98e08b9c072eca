//! The anchor process: a forked child that gives an in-process job a pid.
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
//! The child is a copy of a multi-threaded process: between fork and its
//! end it makes raw system calls only (async-signal-safe), touching no
//! lock, no allocator and no memory but its stack. It closes every
//! descriptor it inherited (a pipe end held open would keep another job's
//! reader from its end of file).

use std::io;
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use super::pidfd::PidFd;

/// The `sigval` of the parent's own SIGCONT (see [`continue_quietly`]).
const MARK: u64 = 0x636f_7272_616c_4100;

/// A started anchor: its pidfd (and pid) and the parent's end of the socket
/// (non-blocking, close-on-exec), readable with one byte per signal.
#[derive(Debug)]
pub(crate) struct AnchorProc {
    pub(crate) pidfd: PidFd,
    pub(crate) link: OwnedFd,
}

/// Forks an anchor.
///
/// # Errors
/// What the OS said: socket pair, fork, or pidfd (then the child is
/// killed and reaped before returning).
pub(crate) fn start() -> io::Result<AnchorProc> {
    let (ours, theirs) = UnixStream::pair()?;
    ours.set_nonblocking(true)?;
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
        let mut fds = [
            libc::pollfd {
                fd: sfd,
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: link,
                events: libc::POLLIN,
                revents: 0,
            },
        ];
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
                let echo = info.ssi_code == libc::SI_QUEUE
                    && info.ssi_pid == parent
                    && info.ssi_ptr == MARK;
                if echo {
                    continue;
                }
                let byte = info.ssi_signo as u8;
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
