//! The clone and the child's code (see the parent module's docs).

#[cfg(target_arch = "x86_64")]
pub(super) use imp::{clone, supported};
#[cfg(target_arch = "x86_64")]
pub(in crate::sys) use imp::{clone_vm, syscall4, CLONE_CLEAR_SIGHAND};
#[cfg(not(target_arch = "x86_64"))]
pub(super) use other::{clone, supported};

#[cfg(target_arch = "x86_64")]
mod imp {
    use std::arch::asm;
    use std::sync::atomic::Ordering;

    use super::super::{reset, Failure, Shared, Step, IN_TABLE, LEAVES, LEFT};

    pub(in crate::sys) const CLONE_CLEAR_SIGHAND: u64 = 0x1_0000_0000;
    const FLAGS: u64 = libc::CLONE_VM as u64
        | libc::CLONE_FILES as u64
        | libc::CLONE_CHILD_CLEARTID as u64
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
    pub(in crate::sys) unsafe fn syscall4(
        nr: i64,
        a: usize,
        b: usize,
        c: usize,
        d: usize,
    ) -> isize {
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
    pub(in super::super) fn supported() -> bool {
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

    /// Clones the child (module docs) and returns its pid, without waiting
    /// for it. All signals are blocked around the clone, so none is
    /// delivered to the child before its handlers are reset (it keeps that
    /// mask until just before `execve`).
    ///
    /// `shared` and the `stack_bytes` at `stack` must stay allocated and
    /// unmodified (but for the child's own writes) until the kernel has
    /// cleared `shared.progress`.
    pub(in super::super) fn clone(
        shared: *const Shared,
        stack: *mut u8,
        stack_bytes: usize,
    ) -> Result<i32, Failure> {
        // SAFETY: the caller passes a live Shared; this takes an address.
        let progress = unsafe { (*shared).progress.as_ptr() };
        // SAFETY: `child` runs on the caller's stack with its live Shared,
        // both kept until the kernel clears the progress word (above).
        let got = unsafe { clone_vm(FLAGS, progress, stack, stack_bytes, child, shared as usize) };
        got.map_err(|errno| match errno {
            // No clone3 (ENOSYS), no CLONE_CLEAR_SIGHAND (EINVAL, before
            // 5.5), or a seccomp filter refusing it (EPERM).
            libc::ENOSYS | libc::EINVAL | libc::EPERM => Failure::NoClone3,
            e => Failure::Os(std::io::Error::from_raw_os_error(e)),
        })
    }

    /// Starts a child with clone3 and `flags` (which include `CLONE_VM`),
    /// on `stack`, running `entry(arg)`; returns its pid or the errno. All
    /// signals are blocked around the clone and stay blocked in the child.
    /// `child_tid`, if not null, is the word the kernel clears (and
    /// futex-wakes) when the child execs or exits (`CLONE_CHILD_CLEARTID`
    /// must then be in `flags`).
    ///
    /// # Safety
    /// The `stack_bytes` at `stack` (its top 16-byte aligned) must be used
    /// by no one else and stay allocated, like `child_tid` and whatever
    /// `arg` points to, for as long as the child may use them; `entry`
    /// must make raw system calls only (no libc, no `errno`, no lock, no
    /// allocation: it shares our memory) and end in exit or execve.
    pub(in crate::sys) unsafe fn clone_vm(
        flags: u64,
        child_tid: *mut u32,
        stack: *mut u8,
        stack_bytes: usize,
        entry: extern "C" fn(usize) -> !,
        arg: usize,
    ) -> Result<i32, i32> {
        let args = CloneArgs {
            flags,
            pidfd: 0,
            child_tid: child_tid as u64,
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
        // child starts on `stack` and calls `entry` with `arg`, never
        // returning into this function (the caller's contract). Both
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
                in("r12") entry,
                in("r13") arg,
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
            return i32::try_from(ret).map_err(|_| libc::EINVAL);
        }
        Err(i32::try_from(-ret).unwrap_or(libc::EINVAL))
    }

    /// The child: raw system calls only (see the module docs).
    extern "C" fn child(shared: usize) -> ! {
        // SAFETY: the parent passed a valid Shared that it keeps until the
        // kernel has cleared its progress word, after our exec or exit.
        let s = unsafe { &*(shared as *const Shared) };
        let (step, err) = run(s);
        s.errno.store(err, Ordering::Release);
        s.step.store(step as i32, Ordering::Release);
        // Failed while still on our table: we touch no descriptor again, so
        // our set may go now (a spawn may be waiting for one).
        if s.progress.swap(LEFT, Ordering::AcqRel) == IN_TABLE {
            left();
        }
        // bash's statuses: 127 when exec finds no file, else 126.
        let status = match step {
            Step::Exec if err != libc::ENOENT => 126,
            _ => 127,
        };
        loop {
            // SAFETY: exit_group takes a plain integer and does not return.
            unsafe { syscall4(libc::SYS_exit_group, status, 0, 0, 0) };
        }
    }

    /// Counts this child as gone from our table and wakes a spawn waiting
    /// for a set (see the module docs).
    fn left() {
        LEAVES.fetch_add(1, Ordering::Release);
        // SAFETY: FUTEX_WAKE on a live, aligned static u32; not private,
        // as the waiter's FUTEX_WAIT.
        unsafe {
            syscall4(
                libc::SYS_futex,
                LEAVES.as_ptr() as usize,
                libc::FUTEX_WAKE as usize,
                i32::MAX as usize,
                0,
            )
        };
    }

    /// Tests: waits while `bit` is set in the block's gate.
    #[cfg(test)]
    fn gate(s: &Shared, bit: u32) {
        loop {
            let now = s.gate.load(Ordering::Acquire);
            if now & bit == 0 {
                return;
            }
            // SAFETY: FUTEX_WAIT on a live, aligned u32 while it holds `now`.
            unsafe {
                syscall4(
                    libc::SYS_futex,
                    s.gate.as_ptr() as usize,
                    0,
                    now as usize,
                    0,
                )
            };
        }
    }

    /// The child's steps; returns the one that failed with its errno.
    fn run(s: &Shared) -> (Step, i32) {
        let fail = |step, rc: isize| (step, i32::try_from(rc.wrapping_neg()).unwrap_or(0));
        #[cfg(test)]
        gate(s, super::super::GATE_TABLE);
        // SAFETY: close_range takes plain integers; with UNSHARE it acts on
        // a private copy of the table, never on the parent's.
        let rc = unsafe {
            syscall4(
                libc::SYS_close_range,
                s.keep_below as usize,
                u32::MAX as usize,
                libc::CLOSE_RANGE_UNSHARE as usize,
                0,
            )
        };
        if rc < 0 {
            return fail(Step::Fds, rc);
        }
        // Our table is our own: the parent may reuse its slots.
        s.progress.store(LEFT, Ordering::Release);
        left();
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
            if !keep && !reset(sig) {
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
        if !s.cwd.is_null() {
            // SAFETY: a NUL-terminated path the parent keeps alive.
            let rc = unsafe { syscall4(libc::SYS_chdir, s.cwd as usize, 0, 0, 0) };
            if rc < 0 {
                return fail(Step::Chdir, rc);
            }
        }
        #[cfg(test)]
        gate(s, super::super::GATE_EXEC);
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
mod other {
    use super::super::{Failure, Shared};

    pub(in super::super) fn supported() -> bool {
        false
    }

    pub(in super::super) fn clone(_: *const Shared, _: *mut u8, _: usize) -> Result<i32, Failure> {
        Err(Failure::Unsupported)
    }
}
