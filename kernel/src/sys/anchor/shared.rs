//! The anchor cloned into our memory (x86-64): its stack, and its code,
//! which makes raw system calls only (see the parent module's docs).

use std::io;
use std::os::fd::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::super::spawn::{clone_vm, syscall4, CLONE_CLEAR_SIGHAND};
use super::{relayed, watched, SharedStack};

/// clone3 was refused here once (no clone3, a seccomp filter): fork.
static REFUSED: AtomicBool = AtomicBool::new(false);

/// What the child reads at the top of its stack; `alive` is its
/// `CLONE_CHILD_CLEARTID` word.
#[repr(C)]
pub(super) struct Block {
    pub(super) alive: AtomicU32,
    link: RawFd,
    parent: u32,
}

/// Clones an anchor that will keep `link` (its end of the socket) and
/// returns its pid and stack; `None` when this path is not available, so
/// the caller forks instead.
///
/// # Errors
/// What mmap or clone3 said.
pub(super) fn clone_anchor(link: RawFd) -> io::Result<Option<(i32, SharedStack)>> {
    if REFUSED.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let stack = SharedStack::new()?;
    let block = stack.block();
    // SAFETY: `block` points into the mapping we own, aligned for Block,
    // and no child uses it yet.
    unsafe {
        block.write(Block {
            alive: AtomicU32::new(1),
            link,
            parent: std::process::id(),
        });
    }
    let flags = libc::CLONE_VM as u64 | libc::CLONE_CHILD_CLEARTID as u64 | CLONE_CLEAR_SIGHAND;
    // SAFETY: the stack below `block` and the block are the child's alone
    // and stay mapped until the kernel clears `alive` (SharedStack's
    // drop); `anchor` makes raw system calls only and ends in exit.
    let cloned = unsafe {
        clone_vm(
            flags,
            (*block).alive.as_ptr(),
            stack.base(),
            stack.below_block(),
            anchor,
            block as usize,
        )
    };
    if cloned.is_err() {
        // No child: the stack may go.
        // SAFETY: as above.
        unsafe { (*block).alive.store(0, Ordering::Release) };
    }
    match cloned {
        Ok(pid) => Ok(Some((pid, stack))),
        Err(libc::ENOSYS | libc::EINVAL | libc::EPERM) => {
            REFUSED.store(true, Ordering::Relaxed);
            Ok(None)
        }
        Err(e) => Err(io::Error::from_raw_os_error(e)),
    }
}

/// Whether the child using the stack's block has exited (or never ran).
pub(super) fn exited(block: *const Block) -> bool {
    // SAFETY: the block lives in the mapping, which is still mapped.
    unsafe { (*block).alive.load(Ordering::Acquire) == 0 }
}

fn exit(code: usize) -> ! {
    loop {
        // SAFETY: exit_group takes a plain integer and does not return.
        unsafe { syscall4(libc::SYS_exit_group, code, 0, 0, 0) };
    }
}

/// The anchor: the parent module's protocol in raw system calls. Runs on
/// its own stack in our memory, with every signal blocked.
extern "C" fn anchor(block: usize) -> ! {
    // SAFETY: the parent passed its Block, which stays mapped until we exit.
    let (link, parent) = unsafe {
        let b = &*(block as *const Block);
        (b.link, b.parent)
    };
    // SAFETY: every call below is a raw system call with plain integers
    // or pointers to this function's own stack variables.
    unsafe {
        syscall4(libc::SYS_setpgid, 0, 0, 0, 0);
        // Our table is a copy (no CLONE_FILES): close all of it but `link`.
        if link > 0 {
            syscall4(libc::SYS_close_range, 0, (link - 1) as usize, 0, 0);
        }
        syscall4(
            libc::SYS_close_range,
            (link + 1) as usize,
            u32::MAX as usize,
            0,
            0,
        );
        let all: u64 = !0;
        let sfd = syscall4(
            libc::SYS_signalfd4,
            usize::MAX,
            &all as *const u64 as usize,
            8,
            libc::SFD_CLOEXEC as usize,
        );
        if sfd < 0 {
            exit(1);
        }
        let mut fds = watched(sfd as i32, link);
        let mut infos = [const { std::mem::MaybeUninit::<libc::signalfd_siginfo>::uninit() }; 8];
        let size = std::mem::size_of::<libc::signalfd_siginfo>();
        loop {
            let rc = syscall4(libc::SYS_poll, fds.as_mut_ptr() as usize, 2, usize::MAX, 0);
            if rc < 0 {
                if rc == -(libc::EINTR as isize) {
                    continue;
                }
                exit(1);
            }
            // The parent never writes: readable means its end closed.
            if fds[1].revents != 0 {
                exit(0);
            }
            if fds[0].revents & libc::POLLIN == 0 {
                continue;
            }
            let n = syscall4(
                libc::SYS_read,
                sfd as usize,
                infos.as_mut_ptr() as usize,
                size * infos.len(),
                0,
            );
            if n <= 0 {
                continue;
            }
            let count = (n as usize / size).min(infos.len());
            for slot in infos.iter().take(count) {
                let Some(byte) = relayed(slot.assume_init_ref(), parent) else {
                    continue;
                };
                loop {
                    let w = syscall4(
                        libc::SYS_write,
                        link as usize,
                        &byte as *const u8 as usize,
                        1,
                        0,
                    );
                    if w == 1 {
                        break;
                    }
                    if w != -(libc::EINTR as isize) {
                        exit(0);
                    }
                }
            }
        }
    }
}
