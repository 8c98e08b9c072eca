//! The process's start: what std's runtime would set up (the binary
//! skips it, see src/main.rs), and a large stack for the interpreter.
//!
//! [`prepare_process`] does the part of std's start the shell relies on:
//! SIGPIPE ignored (a write to a closed pipe is an EPIPE error, not death)
//! and descriptors 0, 1 and 2 open (on /dev/null if they were closed), so
//! none of the shell's own descriptors lands on a standard stream. It
//! leaves out the main thread's stack guard lookup, which reads and parses
//! all of /proc/self/maps. It also keeps up to [`TRIM_THRESHOLD`] of
//! freed memory at the top of the heap instead of returning it at once:
//! the interpreter and the job pumps share the main thread's heap, and a
//! capture frees and allocates 64 KiB ring blocks all the time; returning
//! each to the system made the next one fault its pages in again. Setting
//! it stops glibc from raising its mmap threshold as it goes, so that is
//! set too ([`MMAP_THRESHOLD`]): a megabyte string copied around is then
//! reused from the heap rather than mapped and faulted in each time.
//!
//! [`run_on_stack`] runs a closure on a large stack of its own, on the
//! calling thread.
//! The interpreter recurses (functions, nested compound commands) and needs
//! far more stack than the main thread's 8 MiB. A second thread would give
//! it one, but starting a thread is most of what `corral -c true` costs
//! beyond exec: the clone, a futex hash and a malloc arena for the new
//! thread, and two hand-offs between threads, each a wait for a core on a
//! busy machine. Switching the main thread onto a mapping of ours costs one
//! `mmap` and one `mprotect` (the shell exits on it: see `crate::main`).
//!
//! The mapping is reserved, not committed (`MAP_NORESERVE`): only the pages
//! the interpreter touches cost memory. Its lowest page is a guard page,
//! so running off the end faults instead of writing into a neighbour.

use std::any::Any;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Freed memory the heap keeps before giving its top back to the system
/// (glibc's default is 128 KiB, raised as large blocks are freed).
pub const TRIM_THRESHOLD: i32 = 8 << 20;

/// Allocations at least this big get a mapping of their own (glibc's
/// default is 128 KiB, raised as large blocks are freed).
pub const MMAP_THRESHOLD: i32 = 4 << 20;

/// Ignores SIGPIPE, sets the heap's [`TRIM_THRESHOLD`] and
/// [`MMAP_THRESHOLD`], maps its first pages in ([`populate_heap`]) and opens
/// /dev/null on any of descriptors 0, 1 and 2 that is closed. Best effort: a step
/// that fails is skipped.
pub fn prepare_process() {
    // SAFETY: mallopt only sets an allocator parameter, under the
    // allocator's own lock.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
    #[cfg(target_env = "gnu")]
    populate_heap();
    // SAFETY: SIG_IGN for SIGPIPE installs no handler of ours.
    unsafe { libc::signal(libc::SIGPIPE, libc::SIG_IGN) };
    let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
        fd,
        events: 0,
        revents: 0,
    });
    // SAFETY: `fds` is valid for three entries for the whole call; timeout 0.
    let rc = unsafe { libc::poll(fds.as_mut_ptr(), 3, 0) };
    if rc <= 0 {
        return;
    }
    for p in fds.iter().filter(|p| p.revents & libc::POLLNVAL != 0) {
        // SAFETY: a NUL-terminated path; the lowest free descriptor is
        // the closed one (lower ones are open), which the process keeps.
        let fd = unsafe { libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) };
        if fd != p.fd {
            return;
        }
    }
}

/// Maps in, with one system call, the pages of the heap glibc's start
/// made, which the shell's own start fills (the kernel's event ring, the
/// runtime, the variables): some thirty page faults fewer, 6% of `corral -c
/// true`. Contents are kept (it faults pages in as writes would). A kernel
/// before 5.14 refuses the advice, and the pages fault in as before.
#[cfg(target_env = "gnu")]
fn populate_heap() {
    // SAFETY: sbrk(0) only reads the break, mallinfo only the allocator's
    // statistics (mallinfo, not mallinfo2: glibc before 2.33 has only it,
    // and the heap at start is far below its 2 GiB range).
    let (top, arena) = unsafe { (libc::sbrk(0) as usize, libc::mallinfo().arena) };
    let arena = usize::try_from(arena).unwrap_or(0);
    let start = top.saturating_sub(arena) & !(page_size() - 1);
    if arena == 0 || start == 0 {
        return;
    }
    // SAFETY: [start, top) is the heap's own mapping, read-write; the
    // advice faults its pages in and changes no byte of them.
    unsafe {
        libc::madvise(
            start as *mut libc::c_void,
            top - start,
            libc::MADV_POPULATE_WRITE,
        )
    };
}

/// The result of the closure, or the payload of its panic.
pub type Outcome<R> = Result<R, Box<dyn Any + Send + 'static>>;

/// Runs `f` on a fresh stack of `size` bytes (plus a guard page) on this
/// thread; a panic in `f` is caught and returned.
///
/// # Errors
/// The stack could not be mapped (then `f` has not run).
pub fn run_on_stack<R>(size: usize, f: impl FnOnce() -> R) -> io::Result<Outcome<R>> {
    let page = page_size();
    let size = size.div_ceil(page).saturating_mul(page);
    let total = size.saturating_add(page);
    // SAFETY: a fresh anonymous private mapping at an address the kernel
    // chooses: it overlaps nothing of ours.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            total,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE | libc::MAP_STACK,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    let mapping = Mapping { base, total };
    // SAFETY: the first page of the mapping just made, which nothing uses.
    if unsafe { libc::mprotect(base, page, libc::PROT_NONE) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the stack starts above the guard page and is `size` bytes,
    // page-aligned, inside the mapping, which outlives the call (it is
    // unmapped after `on_stack` returns). The callback never unwinds out of
    // `on_stack`: every panic is caught inside it.
    let outcome = unsafe {
        let stack = base.cast::<u8>().add(page);
        psm::on_stack(stack, size, move || catch_unwind(AssertUnwindSafe(f)))
    };
    drop(mapping);
    Ok(outcome)
}

fn page_size() -> usize {
    // SAFETY: sysconf takes a constant and reads no memory of ours.
    let n = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    usize::try_from(n).ok().filter(|&n| n > 0).unwrap_or(4096)
}

/// The stack's mapping, unmapped when dropped.
struct Mapping {
    base: *mut libc::c_void,
    total: usize,
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: exactly the mapping mmap returned; no code runs on it any more.
        unsafe { libc::munmap(self.base, self.total) };
    }
}
