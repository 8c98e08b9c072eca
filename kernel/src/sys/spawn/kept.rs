//! The kept block: what one child reads of our memory (its stack, path,
//! argv, envp, working directory) and writes back (its progress word,
//! failed step and errno), kept until the kernel says the child is done
//! with it (see the parent module's docs).

use std::ffi::{c_char, CStr, CString};
use std::io;
use std::os::fd::RawFd;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};

#[cfg(test)]
use super::GATE_NEXT;
use super::{Exec, DONE, IN_TABLE, STACK_BYTES};

/// Which step of the child failed.
#[repr(i32)]
#[derive(Clone, Copy)]
pub(super) enum Step {
    None = 0,
    Pgid,
    Fds,
    Chdir,
    Exec,
}

/// What the child reads (and writes its progress and failure into).
#[repr(C)]
pub(super) struct Shared {
    pub(super) path: *const c_char,
    pub(super) argv: *const *const c_char,
    pub(super) envp: *const *const c_char,
    pub(super) cwd: *const c_char,
    pub(super) pgid: i32,
    /// The slot holding each standard stream, or -1 to keep ours.
    pub(super) stdio: [RawFd; 3],
    /// The first descriptor the child's copy of our table leaves out.
    pub(super) keep_below: u32,
    pub(super) ignored: u64,
    pub(super) step: AtomicI32,
    pub(super) errno: AtomicI32,
    /// [`IN_TABLE`], [`LEFT`](super::LEFT) or [`DONE`]; a futex.
    pub(super) progress: AtomicU32,
    /// Tests: the child waits (futex) at each point whose bit is set.
    #[cfg(test)]
    pub(super) gate: AtomicU32,
}

/// What one child uses of our memory: its stack, what [`Shared`] points
/// to, and `Shared` itself. Owned through a raw pointer, so no Rust
/// reference asserts exclusive access while a child uses it; freed only
/// by [`Kept::drop`], which the spawner calls only on a block whose
/// progress word is [`DONE`] (or that no child ever used).
pub(super) struct Kept(pub(super) NonNull<Block>);

pub(super) struct Block {
    pub(super) shared: Shared,
    /// STACK_BYTES, 16-byte aligned, written only by the child.
    pub(super) stack: NonNull<u8>,
    pub(super) path: CString,
    pub(super) argv: Vec<CString>,
    pub(super) envp: Vec<CString>,
    pub(super) cwd: Option<CString>,
    pub(super) argv_ptrs: Vec<*const c_char>,
    pub(super) envp_ptrs: Vec<*const c_char>,
    /// Tests: the child using the block, once detached.
    #[cfg(test)]
    pub(super) pid: i32,
}

pub(super) fn stack_layout() -> std::alloc::Layout {
    // 64 KiB aligned to 16 is a valid layout; the fallback is never taken.
    std::alloc::Layout::from_size_align(STACK_BYTES, 16)
        .unwrap_or_else(|_| std::alloc::Layout::new::<u128>())
}

impl Kept {
    pub(super) fn new() -> io::Result<Kept> {
        // SAFETY: the layout has a non-zero size.
        let stack = NonNull::new(unsafe { std::alloc::alloc(stack_layout()) })
            .ok_or_else(|| io::Error::from(io::ErrorKind::OutOfMemory))?;
        let block = Box::new(Block {
            shared: Shared {
                path: std::ptr::null(),
                argv: std::ptr::null(),
                envp: std::ptr::null(),
                cwd: std::ptr::null(),
                pgid: 0,
                stdio: [-1; 3],
                keep_below: 0,
                ignored: 0,
                step: AtomicI32::new(0),
                errno: AtomicI32::new(0),
                progress: AtomicU32::new(DONE),
                #[cfg(test)]
                gate: AtomicU32::new(0),
            },
            stack,
            path: CString::default(),
            argv: Vec::new(),
            envp: Vec::new(),
            cwd: None,
            argv_ptrs: Vec::new(),
            envp_ptrs: Vec::new(),
            #[cfg(test)]
            pid: 0,
        });
        Ok(Kept(NonNull::from(Box::leak(block))))
    }

    pub(super) fn shared_ptr(&self) -> *const Shared {
        // SAFETY: the block is live; this takes an address, reads nothing.
        unsafe { std::ptr::addr_of!((*self.0.as_ptr()).shared) }
    }

    /// The shared part, for its atomics (and fields no child writes).
    pub(super) fn shared(&self) -> &Shared {
        // SAFETY: the block is live; a child writes only its atomics.
        unsafe { &*self.shared_ptr() }
    }

    pub(super) fn stack(&self) -> NonNull<u8> {
        // SAFETY: the block is live; `stack` is never written after new.
        unsafe { (*self.0.as_ptr()).stack }
    }

    /// Takes the child's strings and settings. Only on a block no child uses.
    pub(super) fn fill(&mut self, exec: Exec<'_>, stdio: [RawFd; 3], keep_below: u32) {
        // SAFETY: no child uses this block (it is new or was DONE), and
        // `&mut self` is the only handle to it.
        let b = unsafe { self.0.as_mut() };
        b.path = exec.path;
        b.argv = exec.argv;
        b.envp = exec.envp;
        b.cwd = exec.cwd;
        pointers(&b.argv, &mut b.argv_ptrs);
        pointers(&b.envp, &mut b.envp_ptrs);
        b.shared.path = b.path.as_ptr();
        b.shared.argv = b.argv_ptrs.as_ptr();
        b.shared.envp = b.envp_ptrs.as_ptr();
        b.shared.cwd = b.cwd.as_deref().map_or(std::ptr::null(), CStr::as_ptr);
        b.shared.pgid = exec.pgid;
        b.shared.stdio = stdio;
        b.shared.keep_below = keep_below;
        b.shared.ignored = exec.ignored;
        b.shared.step.store(Step::None as i32, Ordering::Relaxed);
        b.shared.errno.store(0, Ordering::Relaxed);
        #[cfg(test)]
        b.shared
            .gate
            .store(GATE_NEXT.swap(0, Ordering::AcqRel), Ordering::Relaxed);
        #[cfg(test)]
        {
            b.pid = 0;
        }
        b.shared.progress.store(IN_TABLE, Ordering::Release);
    }

    /// Notes the child using the block (for the parent only).
    #[cfg(test)]
    pub(super) fn set_pid(&mut self, pid: i32) {
        // SAFETY: `pid` is a field no child reads; `&mut self` is the only handle.
        unsafe { (*self.0.as_ptr()).pid = pid };
    }

    #[cfg(test)]
    pub(super) fn pid(&self) -> i32 {
        // SAFETY: the block is live; `pid` is only written by the parent.
        unsafe { (*self.0.as_ptr()).pid }
    }

    /// Drops the strings of a block no child uses any more.
    pub(super) fn clear(&mut self) {
        // SAFETY: as in `fill`.
        let b = unsafe { self.0.as_mut() };
        b.path = CString::default();
        b.argv.clear();
        b.envp.clear();
        b.cwd = None;
        b.argv_ptrs.clear();
        b.envp_ptrs.clear();
    }

    /// Sleeps until the child is done with our memory (exec'd or exited).
    pub(super) fn wait_done(&self) {
        let word = &self.shared().progress;
        loop {
            match word.load(Ordering::Acquire) {
                DONE => return,
                v => futex_wait(word, v, None),
            }
        }
    }
}

impl Drop for Kept {
    fn drop(&mut self) {
        // SAFETY: the spawner drops only blocks no child uses (module
        // docs); both allocations were made in `new` with these layouts.
        unsafe {
            let block = Box::from_raw(self.0.as_ptr());
            std::alloc::dealloc(block.stack.as_ptr(), stack_layout());
        }
    }
}

/// Null-terminated pointers to `strings` into `out`.
pub(super) fn pointers(strings: &[CString], out: &mut Vec<*const c_char>) {
    out.clear();
    out.extend(strings.iter().map(|s| s.as_ptr()));
    out.push(std::ptr::null());
}

/// Sleeps while `word` holds `value`, at most `timeout` if given (or
/// until a wake-up or a signal; the callers loop). Not FUTEX_PRIVATE: the
/// kernel's wake-up for `CLONE_CHILD_CLEARTID` is a shared one, and so is
/// the child's for `LEAVES`.
pub(super) fn futex_wait(word: &AtomicU32, value: u32, timeout: Option<std::time::Duration>) {
    let ts = timeout.map(|t| libc::timespec {
        tv_sec: libc::time_t::try_from(t.as_secs()).unwrap_or(libc::time_t::MAX),
        tv_nsec: libc::c_long::from(t.subsec_nanos()),
    });
    let ts = ts
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: FUTEX_WAIT on a live, aligned u32, with a valid relative
    // timeout or none (null).
    unsafe {
        libc::syscall(libc::SYS_futex, word.as_ptr(), libc::FUTEX_WAIT, value, ts);
    }
}
