//! Starting a child with `clone3`, without the cost of `posix_spawn`.
//!
//! The child is cloned with `CLONE_VM | CLONE_VFORK | CLONE_FILES |
//! CLONE_CLEAR_SIGHAND`: it runs on a small stack of ours, in our memory
//! and on our descriptor table, while the calling thread is suspended
//! until it has called `execve` (or exited). The kernel resets every
//! caught signal to its default in the child (`CLONE_CLEAR_SIGHAND`
//! keeps ignored ones ignored, so `nohup` still works), which spares the
//! child the hundred-odd `rt_sigaction` calls glibc's `posix_spawn` makes.
//!
//! In the child, only raw system calls run (no libc function, no `errno`
//! write, no allocation), in this order:
//!
//! 1. SIGPIPE and the job-control signals (INT, QUIT, TSTP, TTIN, TTOU,
//!    CHLD) to their default action, ignored or not in the parent;
//! 2. `setpgid` into the job's group (the parent sets it too);
//! 3. `close_range(FIRST, ~0, CLOSE_RANGE_UNSHARE)`: the child leaves our
//!    table, taking a copy of its first few slots only, so its cost does
//!    not grow with the descriptors we hold (every other job's pipes);
//! 4. its standard streams from three fixed low *slots*, where the parent
//!    put them just before the clone, then every descriptor above 2 closed:
//!    a child starts with descriptors 0, 1 and 2 only;
//! 5. `chdir`, then the signal mask emptied, then `execve`.
//!
//! A step that fails leaves its errno in memory the parent reads once it
//! resumes (the memory is shared), and the child exits with status 127;
//! the parent reaps it at once.
//!
//! The slots are three descriptors the process holds for good, all on
//! /dev/null between spawns; a lock serialises their use. Where clone3 or
//! close_range is missing (kernels before 5.9) or the architecture is not
//! x86-64, [`spawn`] answers [`Failure::Unsupported`] and the caller uses
//! std's spawn instead.

use std::ffi::{c_char, CStr};
use std::io;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, MutexGuard};

/// What the child is to run, and how.
pub(crate) struct Exec<'a> {
    /// The file to execute (already resolved on the PATH).
    pub(crate) path: &'a CStr,
    /// The arguments, null-terminated.
    pub(crate) argv: &'a [*const c_char],
    /// The environment (`KEY=value`), null-terminated.
    pub(crate) envp: &'a [*const c_char],
    /// The working directory, if not ours.
    pub(crate) cwd: Option<&'a CStr>,
    /// The process group to join; 0: a new one led by the child.
    pub(crate) pgid: i32,
    /// Standard input, output and error; `None`: ours (inherited).
    pub(crate) stdio: [Option<BorrowedFd<'a>>; 3],
    /// Signals the child starts ignoring (bit N-1 for signal N), after
    /// the reset of [`RESET`].
    pub(crate) ignored: u64,
}

/// Why no child was started.
#[derive(Debug)]
pub(crate) enum Failure {
    /// This path is not available here (or not now): use another.
    Unsupported,
    /// clone3 refused the call: never try it again.
    NoClone3,
    /// Making the child failed (EAGAIN, ENOMEM…), or a descriptor could
    /// not be placed.
    Os(io::Error),
    /// The child could not join its process group or take its streams.
    Setup(io::Error),
    /// The child could not change to the working directory.
    Chdir(io::Error),
    /// `execve` failed.
    Exec(io::Error),
}

/// Starts a child as the module docs describe and returns its pid. On any
/// error nothing is left running (a child that failed is reaped).
///
/// # Errors
/// See [`Failure`].
pub(crate) fn spawn(exec: &Exec<'_>) -> Result<i32, Failure> {
    if exec.argv.last().is_none_or(|p| !p.is_null())
        || exec.envp.last().is_none_or(|p| !p.is_null())
    {
        return Err(Failure::Os(io::Error::from(io::ErrorKind::InvalidInput)));
    }
    let mut state = lock();
    if matches!(*state, State::Untried) {
        if !imp::supported() {
            *state = State::Unsupported;
            return Err(Failure::Unsupported);
        }
        *state = State::Ready(Spawner::new().map_err(Failure::Os)?);
    }
    let State::Ready(spawner) = &mut *state else {
        return Err(Failure::Unsupported);
    };
    match spawner.spawn(exec) {
        Err(Failure::NoClone3) => {
            *state = State::Unsupported;
            Err(Failure::Unsupported)
        }
        other => other,
    }
}

enum State {
    Untried,
    Ready(Spawner),
    Unsupported,
}

static STATE: Mutex<State> = Mutex::new(State::Untried);

fn lock() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The child's stack size: its code is a few small frames.
const STACK_BYTES: usize = 64 << 10;

/// The signals set to their default action in every child (SIGPIPE:
/// Rust programs ignore it; the others: a shell ignores them).
const RESET: [i32; 7] = [
    libc::SIGPIPE,
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
    libc::SIGCHLD,
];

/// The process-wide means of spawning: the slots and the child's stack.
struct Spawner {
    /// Where a child finds its standard streams (each slot is above 2).
    slots: [OwnedFd; 3],
    /// What the slots hold between spawns.
    filler: OwnedFd,
    /// The first descriptor a child does not copy: above every slot.
    first_free: u32,
    /// 16-byte units, so the top is aligned as the ABI wants.
    stack: Box<[u128]>,
}

impl Spawner {
    fn new() -> io::Result<Spawner> {
        let filler = crate::process::open_dev_null()?;
        let slot = || -> io::Result<OwnedFd> {
            // SAFETY: F_DUPFD_CLOEXEC on our open descriptor takes no
            // pointers; it returns a new descriptor (>= 3) or -1.
            let fd = unsafe { libc::fcntl(filler.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 3) };
            if fd < 0 {
                return Err(io::Error::last_os_error());
            }
            // SAFETY: fcntl just returned this descriptor, owned by no one else.
            Ok(unsafe { OwnedFd::from_raw_fd(fd) })
        };
        let slots = [slot()?, slot()?, slot()?];
        let top = slots.iter().map(AsRawFd::as_raw_fd).max().unwrap_or(2);
        Ok(Spawner {
            first_free: u32::try_from(top).unwrap_or(0).saturating_add(1),
            slots,
            filler,
            stack: vec![0u128; STACK_BYTES / 16].into_boxed_slice(),
        })
    }

    fn spawn(&mut self, exec: &Exec<'_>) -> Result<i32, Failure> {
        let mut stdio = [-1; 3];
        let placed = Placed { spawner: self };
        for (i, fd) in exec.stdio.iter().enumerate() {
            if let Some(fd) = fd {
                let slot = placed.spawner.slots[i].as_raw_fd();
                dup3(fd.as_raw_fd(), slot).map_err(|e| match e.raw_os_error() {
                    // A slot above a lowered RLIMIT_NOFILE: std's spawn still works.
                    Some(libc::EBADF) => Failure::Unsupported,
                    _ => Failure::Os(e),
                })?;
                stdio[i] = slot;
            }
        }
        let shared = Shared {
            path: exec.path.as_ptr(),
            argv: exec.argv.as_ptr(),
            envp: exec.envp.as_ptr(),
            cwd: exec.cwd.map_or(std::ptr::null(), CStr::as_ptr),
            pgid: exec.pgid,
            stdio,
            first_free: placed.spawner.first_free,
            ignored: exec.ignored,
            step: AtomicI32::new(Step::None as i32),
            errno: AtomicI32::new(0),
        };
        let stack = &mut placed.spawner.stack;
        let stack_bytes = std::mem::size_of_val(&**stack);
        let pid = imp::clone_vfork(&shared, stack.as_mut_ptr().cast(), stack_bytes)?;
        drop(placed);
        let errno = shared.errno.load(Ordering::Acquire);
        let step = shared.step.load(Ordering::Acquire);
        if step == Step::None as i32 {
            // The child did this already (it had to, before exec); a
            // second call makes the group certain whatever the child's
            // fate, and fails harmlessly (EACCES) after its exec.
            // SAFETY: setpgid takes plain integers.
            unsafe { libc::setpgid(pid, exec.pgid) };
            return Ok(pid);
        }
        super::reap_blocking(pid);
        let err = io::Error::from_raw_os_error(errno);
        Err(match step {
            s if s == Step::Exec as i32 => Failure::Exec(err),
            s if s == Step::Chdir as i32 => Failure::Chdir(err),
            _ => Failure::Setup(err),
        })
    }
}

/// The slots in use; put back on /dev/null when dropped, so the parent
/// holds no job's descriptor beyond the spawn.
struct Placed<'a> {
    spawner: &'a mut Spawner,
}

impl Drop for Placed<'_> {
    fn drop(&mut self) {
        let filler = self.spawner.filler.as_raw_fd();
        for slot in &self.spawner.slots {
            // Cannot fail for two open descriptors below the limit; if it
            // did, the slot would keep a stream open until the next spawn.
            let _ = dup3(filler, slot.as_raw_fd());
        }
    }
}

fn dup3(from: RawFd, to: RawFd) -> io::Result<()> {
    loop {
        // SAFETY: dup3 takes plain integers; `to` is one of our slots,
        // which nothing else owns, so replacing it closes nothing of others.
        let rc = unsafe { libc::dup3(from, to, libc::O_CLOEXEC) };
        if rc >= 0 {
            return Ok(());
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Which step of the child failed.
#[repr(i32)]
#[derive(Clone, Copy)]
enum Step {
    None = 0,
    Pgid,
    Fds,
    Chdir,
    Exec,
}

/// What the child reads (and writes its failure into): in the parent's
/// memory, which the child shares until exec.
#[repr(C)]
struct Shared {
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
    cwd: *const c_char,
    pgid: i32,
    /// The slot holding each standard stream, or -1 to keep ours.
    stdio: [RawFd; 3],
    first_free: u32,
    ignored: u64,
    step: AtomicI32,
    errno: AtomicI32,
}

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::asm;
    use std::sync::atomic::Ordering;

    use super::{Failure, Shared, Step, RESET};

    const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
    const FLAGS: u64 = libc::CLONE_VM as u64
        | libc::CLONE_VFORK as u64
        | libc::CLONE_FILES as u64
        | CLONE_CLEAR_SIGHAND;

    /// `struct clone_args` as of Linux 5.3 (CLONE_ARGS_SIZE_VER0).
    #[repr(C)]
    struct CloneArgs {
        flags: u64,
        pidfd: u64,
        child_tid: u64,
        parent_tid: u64,
        exit_signal: u64,
        stack: u64,
        stack_size: u64,
        tls: u64,
    }

    /// The kernel's `struct sigaction` on x86-64 (not libc's).
    #[repr(C)]
    struct KernelSigaction {
        handler: usize,
        flags: u64,
        restorer: usize,
        mask: u64,
    }

    /// One system call with up to four arguments; returns the raw result
    /// (`-errno` on failure). Touches no `errno` and no libc state.
    ///
    /// # Safety
    /// The arguments must be valid for system call `nr`.
    #[inline(always)]
    unsafe fn syscall4(nr: i64, a: usize, b: usize, c: usize, d: usize) -> isize {
        let ret: isize;
        // SAFETY: the caller vouches for the arguments; `syscall` clobbers
        // only rax, rcx and r11, declared here, and uses no stack.
        unsafe {
            asm!(
                "syscall",
                inlateout("rax") nr as isize => ret,
                in("rdi") a,
                in("rsi") b,
                in("rdx") c,
                in("r10") d,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        ret
    }

    /// Whether close_range exists (clone3 shows at first use). Probed on
    /// an empty range, without CLOSE_RANGE_UNSHARE, so it changes nothing.
    pub(super) fn supported() -> bool {
        // SAFETY: close_range on the range [~0, ~0] closes nothing and
        // takes no pointers.
        let rc = unsafe {
            syscall4(
                libc::SYS_close_range,
                u32::MAX as usize,
                u32::MAX as usize,
                0,
                0,
            )
        };
        rc == 0
    }

    /// Clones the child (module docs), blocking until it has exec'd or
    /// exited; returns its pid. All signals are blocked around the clone,
    /// so none is delivered to the child before its handlers are reset.
    pub(super) fn clone_vfork(
        shared: &Shared,
        stack: *mut u8,
        stack_bytes: usize,
    ) -> Result<i32, Failure> {
        let args = CloneArgs {
            flags: FLAGS,
            pidfd: 0,
            child_tid: 0,
            parent_tid: 0,
            exit_signal: libc::SIGCHLD as u64,
            stack: stack as u64,
            stack_size: stack_bytes as u64,
            tls: 0,
        };
        let all: u64 = !0;
        let mut old: u64 = 0;
        // SAFETY: rt_sigprocmask with valid pointers to 8-byte sets
        // (the kernel's sigset size on x86-64).
        unsafe {
            syscall4(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK as usize,
                &all as *const u64 as usize,
                &mut old as *mut u64 as usize,
                8,
            );
        }
        let ret: isize;
        // SAFETY: clone3 gets a valid clone_args of the size given. The
        // child starts on `stack` (ours, unused by anyone else, its top
        // 16-byte aligned), calls `child` with `shared` and never returns
        // into this function: `child` ends in exit or execve. The parent
        // resumes after the child's exec or exit (CLONE_VFORK), so
        // `shared` and the stack outlive the child's use of them. Both
        // branches clobber only what is declared.
        unsafe {
            asm!(
                "syscall",
                "test rax, rax",
                "jnz 2f",
                "mov rdi, r13",
                "call r12",
                "ud2",
                "2:",
                inlateout("rax") libc::SYS_clone3 as isize => ret,
                in("rdi") &args as *const CloneArgs,
                in("rsi") std::mem::size_of::<CloneArgs>(),
                in("r12") child as extern "C" fn(*const Shared) -> !,
                in("r13") shared as *const Shared,
                lateout("rcx") _,
                lateout("r11") _,
                options(nostack),
            );
        }
        // SAFETY: as above; restores the mask saved there.
        unsafe {
            syscall4(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK as usize,
                &old as *const u64 as usize,
                0,
                8,
            );
        }
        if ret >= 0 {
            return i32::try_from(ret).map_err(|_| Failure::Os(std::io::Error::other("bad pid")));
        }
        let errno = i32::try_from(-ret).unwrap_or(libc::EINVAL);
        Err(match errno {
            // No clone3 (ENOSYS), no CLONE_CLEAR_SIGHAND (EINVAL, before
            // 5.5), or a seccomp filter refusing it (EPERM).
            libc::ENOSYS | libc::EINVAL | libc::EPERM => Failure::NoClone3,
            e => Failure::Os(std::io::Error::from_raw_os_error(e)),
        })
    }

    /// The child: raw system calls only (see the module docs).
    extern "C" fn child(shared: *const Shared) -> ! {
        // SAFETY: the parent passed a valid Shared that outlives us (it is
        // suspended until we exec or exit).
        let s = unsafe { &*shared };
        let (step, err) = run(s);
        s.errno.store(err, Ordering::Release);
        s.step.store(step as i32, Ordering::Release);
        loop {
            // SAFETY: exit_group takes a plain integer and does not return.
            unsafe { syscall4(libc::SYS_exit_group, 127, 0, 0, 0) };
        }
    }

    /// The child's steps; returns the one that failed with its errno.
    fn run(s: &Shared) -> (Step, i32) {
        let fail = |step, rc: isize| (step, i32::try_from(rc.wrapping_neg()).unwrap_or(0));
        let dfl = KernelSigaction {
            handler: libc::SIG_DFL,
            flags: 0,
            restorer: 0,
            mask: 0,
        };
        let ign = KernelSigaction {
            handler: libc::SIG_IGN,
            ..dfl
        };
        for sig in 1..=64 {
            let keep = s.ignored & (1u64 << (sig - 1)) != 0;
            if !keep && !RESET.contains(&sig) {
                continue;
            }
            let action = if keep { &ign } else { &dfl };
            // SAFETY: a valid kernel sigaction giving the default action or
            // ignoring, for a catchable signal; no old action asked for.
            unsafe {
                syscall4(
                    libc::SYS_rt_sigaction,
                    sig as usize,
                    action as *const KernelSigaction as usize,
                    0,
                    8,
                );
            }
        }
        // SAFETY: setpgid(0, pgid) takes plain integers.
        let rc = unsafe { syscall4(libc::SYS_setpgid, 0, s.pgid as usize, 0, 0) };
        if rc < 0 {
            return fail(Step::Pgid, rc);
        }
        // SAFETY: close_range takes plain integers; with UNSHARE it acts on
        // a private copy of the table, never on the parent's.
        let rc = unsafe {
            syscall4(
                libc::SYS_close_range,
                s.first_free as usize,
                u32::MAX as usize,
                libc::CLOSE_RANGE_UNSHARE as usize,
                0,
            )
        };
        if rc < 0 {
            return fail(Step::Fds, rc);
        }
        for (target, &slot) in s.stdio.iter().enumerate() {
            if slot >= 0 {
                // SAFETY: dup3 takes plain integers; the table is our own now.
                let rc = unsafe { syscall4(libc::SYS_dup3, slot as usize, target, 0, 0) };
                if rc < 0 {
                    return fail(Step::Fds, rc);
                }
            }
        }
        // SAFETY: as above, on our own table.
        let rc = unsafe { syscall4(libc::SYS_close_range, 3, u32::MAX as usize, 0, 0) };
        if rc < 0 {
            return fail(Step::Fds, rc);
        }
        if !s.cwd.is_null() {
            // SAFETY: a NUL-terminated path the parent keeps alive.
            let rc = unsafe { syscall4(libc::SYS_chdir, s.cwd as usize, 0, 0, 0) };
            if rc < 0 {
                return fail(Step::Chdir, rc);
            }
        }
        let none: u64 = 0;
        // SAFETY: rt_sigprocmask with a valid 8-byte empty set.
        unsafe {
            syscall4(
                libc::SYS_rt_sigprocmask,
                libc::SIG_SETMASK as usize,
                &none as *const u64 as usize,
                0,
                8,
            );
        }
        // SAFETY: a NUL-terminated path and null-terminated arrays of
        // NUL-terminated strings, all kept alive by the parent.
        let rc = unsafe {
            syscall4(
                libc::SYS_execve,
                s.path as usize,
                s.argv as usize,
                s.envp as usize,
                0,
            )
        };
        fail(Step::Exec, rc)
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    use super::{Failure, Shared};

    pub(super) fn supported() -> bool {
        false
    }

    pub(super) fn clone_vfork(_: &Shared, _: *mut u8, _: usize) -> Result<i32, Failure> {
        Err(Failure::Unsupported)
    }
}
