//! Starting a child with `clone3`, without the cost of `posix_spawn`.
//!
//! The child is cloned with `CLONE_VM | CLONE_FILES | CLONE_CLEAR_SIGHAND
//! | CLONE_CHILD_CLEARTID`: it runs on a small stack of ours, in our
//! memory and at first on our descriptor table. The kernel resets every
//! caught signal to its default in the child (`CLONE_CLEAR_SIGHAND` keeps
//! ignored ones ignored, so `nohup` still works), which spares the child
//! the hundred-odd `rt_sigaction` calls glibc's `posix_spawn` makes.
//!
//! The calling thread is not suspended until the child's `execve` (no
//! `CLONE_VFORK`), nor until the child has left our descriptor table: it
//! carries on at once (but for a burst that finds every set of slots
//! held: see *slots* below). What the child reads
//! (its stack, path, argv, envp, working directory) is a [`Kept`] block
//! that stays allocated and untouched until the kernel has cleared the
//! block's *progress* word, which it does (and futex-wakes) when the child
//! is done with our memory: at the point of no return of its `execve`, or
//! at its exit. Only then is the block reused or freed.
//!
//! In the child, only raw system calls run (no libc function, no `errno`
//! write, no allocation, no thread-local), with every signal blocked from
//! the clone on, in this order (see `child.rs`):
//!
//! 1. `close_range(TOP, ~0, CLOSE_RANGE_UNSHARE)`, TOP just above its own
//!    set of slots: the child leaves our table, taking a copy of the
//!    descriptors below TOP only, so its cost does not grow with the
//!    descriptors we hold (every other job's pipes, and the sets added
//!    above them); it then marks that in the progress word (a futex);
//! 2. its standard streams from its set of three fixed low *slots*, where
//!    the parent put them just before the clone, then every descriptor
//!    above 2 closed: a child starts with descriptors 0, 1 and 2 only;
//! 3. SIGPIPE and the job-control signals (INT, QUIT, TSTP, TTIN, TTOU,
//!    CHLD) to their default action, ignored or not in the parent;
//! 4. `setpgid` into the job's group (the parent sets it too);
//! 5. `chdir`, then the signal mask emptied, then `execve`.
//!
//! A step that fails leaves its errno in the block and the child exits
//! with bash's status (127 when exec finds no file, else 126).
//!
//! An exec failure is only known once the child has got that far, so by
//! default [`spawn`] waits for the progress word to clear and returns the
//! failure. With [`Exec::detach`] it returns right after the clone: the
//! caller asks for that only where it has checked in
//! advance what exec would refuse (a readable ELF file it may execute, a
//! directory it may enter), so that a failure is left to races and
//! resource limits, and then shows in the exit status only.
//!
//! The slots are sets of three descriptors the process holds for good
//! ([`SETS`](slots::SETS) at first), on /dev/null when unused; a lock serialises their
//! use. A set filled for a child is not touched again until that child
//! has left our table; then it goes back to /dev/null (so we hold no job's
//! pipe end and readers see EOF) at the first of: the next spawn, or a
//! reap (an exited child has left; the reaper calls [`release_left`]). A
//! spawn that finds every set held by a child still on our table adds a
//! set (up to [`MAX_SETS`](slots::MAX_SETS); beyond, the caller uses std's spawn), closed
//! again once free. A set lands at our lowest free descriptors: while
//! that is low (below [`LOW_TOP`]) it is added at once; higher, each child
//! given it would copy every descriptor we hold (and hold our table's
//! lock meanwhile), so the spawn first waits for any child to leave (each
//! one counts and wakes [`LEAVES`] as it does): in a burst on a busy
//! machine the holders are children not yet run, gone the moment they
//! run. The wait is bounded ([`LEAVE_WAIT`]), then the set is added high:
//! a child stopped before it leaves (a SIGSTOP to its group) holds its
//! set until it is continued.
//! A child that copies our table while other sets are filled closes those
//! copies before its exec, so no stream of another job reaches a program.
//! Where clone3 or
//! close_range is missing (kernels before 5.9) or the architecture is not
//! x86-64, [`spawn`] answers [`Failure::Unsupported`] and the caller uses
//! std's spawn instead.

mod child;
mod elf;
mod kept;
mod slots;
#[cfg(test)]
mod tests;

use std::ffi::CString;
use std::io;
use std::os::fd::BorrowedFd;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use child as imp;
#[cfg(target_arch = "x86_64")]
pub(super) use child::{clone_vm, syscall4, CLONE_CLEAR_SIGHAND};
pub(crate) use elf::exec_ready;
use kept::{Kept, Shared, Step};
use slots::Slots;
#[cfg(test)]
use slots::SETS;

/// What the child is to run, and how. The strings are moved into the
/// spawner, which keeps them until the child no longer needs them.
pub(crate) struct Exec<'a> {
    /// The file to execute (already resolved on the PATH).
    pub(crate) path: CString,
    /// The arguments.
    pub(crate) argv: Vec<CString>,
    /// The environment (`KEY=value`).
    pub(crate) envp: Vec<CString>,
    /// The working directory, if not ours.
    pub(crate) cwd: Option<CString>,
    /// The process group to join; 0: a new one led by the child.
    pub(crate) pgid: i32,
    /// Standard input, output and error; `None`: ours (inherited).
    pub(crate) stdio: [Option<BorrowedFd<'a>>; 3],
    /// Signals the child starts ignoring (bit N-1 for signal N), after
    /// the reset of [`reset`].
    pub(crate) ignored: u64,
    /// Return before the child has exec'd (module docs).
    pub(crate) detach: bool,
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
/// error nothing is left running (a child that failed is reaped). When
/// every set of slots is held it may wait up to [`LEAVE_WAIT`] (without
/// the spawner's lock) for one; with [`MAX_SETS`](slots::MAX_SETS) held that long it
/// answers [`Failure::Unsupported`].
///
/// # Errors
/// See [`Failure`].
pub(crate) fn spawn(exec: Exec<'_>) -> Result<i32, Failure> {
    let mut state = lock();
    if matches!(*state, State::Untried) {
        if !imp::supported() {
            *state = State::Unsupported;
            return Err(Failure::Unsupported);
        }
        *state = State::Ready(Spawner::new().map_err(Failure::Os)?);
    }
    // A free set, else a wait for a child to leave our table (without the
    // lock: the reaper releases sets too), bounded (module docs).
    let mut deadline = None;
    let set = loop {
        let State::Ready(spawner) = &mut *state else {
            return Err(Failure::Unsupported);
        };
        let seen = LEAVES.load(Ordering::Acquire);
        spawner.sweep();
        if let Some(set) = spawner.slots.free() {
            break set;
        }
        let end = match deadline {
            Some(end) => end,
            None => {
                if let Some(set) = spawner.slots.added(spawner.low_top)? {
                    break set;
                }
                *deadline.insert(Instant::now() + spawner.leave_wait)
            }
        };
        let Some(left) = end.checked_duration_since(Instant::now()) else {
            match spawner.slots.added(u32::MAX)? {
                Some(set) => break set,
                None => return Err(Failure::Unsupported),
            }
        };
        // Counted, so no free set is closed (trimmed) while we wait for it.
        spawner.waiting += 1;
        drop(state);
        #[cfg(test)]
        WAITING.store(true, Ordering::Release);
        kept::futex_wait(&LEAVES, seen, Some(left));
        state = lock();
        if let State::Ready(spawner) = &mut *state {
            spawner.waiting -= 1;
        }
    };
    let State::Ready(spawner) = &mut *state else {
        return Err(Failure::Unsupported);
    };
    match spawner.spawn(exec, set) {
        Err(Failure::NoClone3) => {
            *state = State::Unsupported;
            Err(Failure::Unsupported)
        }
        other => other,
    }
}

/// Puts back on /dev/null the slots of children that have left our
/// descriptor table, so that we hold none of their streams. The reaper
/// calls it before it takes exits (an exited child has left), and every
/// spawn does; between the two a slot may keep a stream of a live child.
/// Frees the kept blocks of children that are done too, and when none
/// is left in flight all free blocks but one.
pub(crate) fn release_left() {
    if let State::Ready(s) = &mut *lock() {
        s.release_left();
        s.sweep();
        // No child in flight: a burst is over; keep one block for the next.
        if s.flight.is_empty() {
            s.pool.truncate(1);
        }
    }
}

/// Tests: the gate bit that holds a child before its exec.
#[cfg(test)]
pub(crate) const GATE_EXEC: u32 = 1;
/// Tests: the gate bit that holds a child before it leaves our table.
#[cfg(test)]
pub(crate) const GATE_TABLE: u32 = 2;

/// Tests: the gate bits the next child starts with ([`GATE_EXEC`],
/// [`GATE_TABLE`]); it waits at each point whose bit is set until
/// [`open_gates`] clears it.
#[cfg(test)]
pub(crate) static GATE_NEXT: AtomicU32 = AtomicU32::new(0);

/// Tests: clears `bits` in every gate, letting children past those points.
#[cfg(test)]
pub(crate) fn open_gates_bits(bits: u32) {
    if let State::Ready(s) = &*lock() {
        for b in &s.flight {
            let gate = &b.shared().gate;
            gate.fetch_and(!bits, Ordering::AcqRel);
            // SAFETY: FUTEX_WAKE on a live, aligned u32.
            unsafe { libc::syscall(libc::SYS_futex, gate.as_ptr(), libc::FUTEX_WAKE, i32::MAX) };
        }
    }
}

/// Tests: lets every child waiting at a gate go on.
#[cfg(test)]
pub(crate) fn open_gates() {
    open_gates_bits(!0);
}

/// Tests: sets added beyond the first [`SETS`](slots::SETS), ever.
#[cfg(test)]
pub(crate) static SETS_ADDED: std::sync::atomic::AtomicUsize =
    std::sync::atomic::AtomicUsize::new(0);

/// Tests: set when a spawn has waited for a child to leave our table.
#[cfg(test)]
pub(crate) static WAITING: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Tests: the bounds of a spawn's wait for a set (a new set lands below
/// the first without waiting; the wait lasts at most the second), or with
/// `None` those in use ([`LOW_TOP`], [`LEAVE_WAIT`]).
#[cfg(test)]
pub(crate) fn wait_bounds(bounds: Option<(u32, Duration)>) {
    if let State::Ready(s) = &mut *lock() {
        (s.low_top, s.leave_wait) = bounds.unwrap_or((LOW_TOP, LEAVE_WAIT));
    }
}

/// Tests: the blocks kept for children that may still use them, and the
/// free ones, after a sweep.
#[cfg(test)]
pub(crate) fn kept_blocks() -> (usize, usize) {
    match &mut *lock() {
        State::Ready(s) => {
            s.sweep();
            (s.flight.len(), s.pool.len())
        }
        _ => (0, 0),
    }
}

/// Tests: the kept block of child `pid`, if still kept (no sweep): its
/// progress word, failed step and errno.
#[cfg(test)]
pub(crate) fn kept_state(pid: i32) -> Option<(u32, i32, i32)> {
    match &*lock() {
        State::Ready(s) => s.flight.iter().find(|b| b.pid() == pid).map(|b| {
            let sh = b.shared();
            (
                sh.progress.load(Ordering::Acquire),
                sh.step.load(Ordering::Acquire),
                sh.errno.load(Ordering::Acquire),
            )
        }),
        _ => None,
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

/// Free blocks kept for reuse; more are freed.
const POOL: usize = 4;

/// Whether `sig` is set to its default action in every child: SIGPIPE
/// (Rust programs ignore it) and the job-control signals (a shell ignores
/// them).
fn reset(sig: i32) -> bool {
    sig == libc::SIGPIPE || super::JOB_SIGNALS.contains(&sig)
}

/// The progress word: the child is on our descriptor table.
const IN_TABLE: u32 = 2;
/// The child has its own table; it may still use our memory.
const LEFT: u32 = 1;
/// Written by the kernel (`CLONE_CHILD_CLEARTID`): the child has exec'd
/// or exited and will not touch our memory again.
const DONE: u32 = 0;

/// A set added below this descriptor costs its children little to copy:
/// a spawn that finds every set held adds one there at once (module docs).
const LOW_TOP: u32 = 256;

/// How long a spawn that finds every set held waits for a child to leave
/// our table before it adds a set high up (module docs).
const LEAVE_WAIT: Duration = Duration::from_millis(2);

/// A count each child raises (and wakes) when it leaves our table, or
/// gives up before it has, for a [`spawn`] waiting for a set.
static LEAVES: AtomicU32 = AtomicU32::new(0);

/// The process-wide means of spawning: the slots and the kept blocks.
struct Spawner {
    /// Where children find their standard streams.
    slots: Slots,
    /// Blocks of children that may still use them.
    flight: Vec<Kept>,
    /// Blocks no child uses, for reuse.
    pool: Vec<Kept>,
    /// [`LOW_TOP`] and [`LEAVE_WAIT`] (other values in some tests).
    low_top: u32,
    leave_wait: Duration,
    /// Spawns waiting for a set without the lock: while there are any,
    /// free sets are kept open.
    waiting: usize,
}

// SAFETY: the raw pointers in the kept blocks (and in the slots' holders) point
// into memory the blocks own (or, for a block in flight, that a child
// reads); the spawner is only used under its lock.
unsafe impl Send for Spawner {}

impl Spawner {
    fn new() -> io::Result<Spawner> {
        Ok(Spawner {
            slots: Slots::new()?,
            flight: Vec::new(),
            pool: Vec::new(),
            low_top: LOW_TOP,
            leave_wait: LEAVE_WAIT,
            waiting: 0,
        })
    }

    /// Releases every set whose child has left our table.
    fn release_left(&mut self) {
        self.slots.release_gone();
        if self.waiting == 0 {
            self.slots.trim();
        }
    }

    /// Moves the blocks of children that are done with them to the pool.
    fn sweep(&mut self) {
        let mut i = 0;
        while i < self.flight.len() {
            if self.flight[i].shared().progress.load(Ordering::Acquire) == DONE {
                let block = self.flight.swap_remove(i);
                // Done implies left: its set (if still held) may go.
                self.slots.release_held_by(block.0);
                self.recycle(block);
            } else {
                i += 1;
            }
        }
    }

    fn recycle(&mut self, mut block: Kept) {
        if self.pool.len() < POOL {
            block.clear();
            self.pool.push(block);
        }
    }

    /// Starts a child on set `set` (a free one).
    fn spawn(&mut self, exec: Exec<'_>, set: usize) -> Result<i32, Failure> {
        let stdio = self.slots.fill(set, &exec.stdio)?;
        let mut block = match self.pool.pop() {
            Some(b) => b,
            None => match Kept::new() {
                Ok(b) => b,
                Err(e) => {
                    self.slots.release(set);
                    return Err(Failure::Os(e));
                }
            },
        };
        let (pgid, detach) = (exec.pgid, exec.detach);
        block.fill(exec, stdio, self.slots.top(set));
        let pid = match imp::clone(block.shared_ptr(), block.stack().as_ptr(), STACK_BYTES) {
            Ok(pid) => pid,
            Err(f) => {
                self.slots.release(set);
                self.recycle(block);
                return Err(f);
            }
        };
        // Joins the child to its group whatever its progress, so the next
        // member can join it; harmless (EACCES) once the child has exec'd.
        // SAFETY: setpgid takes plain integers.
        let rc = unsafe { libc::setpgid(pid, pgid) };
        // EPERM or ESRCH: the child fails (or failed) too; wait for it.
        let group_ok = rc == 0 || io::Error::last_os_error().raw_os_error() == Some(libc::EACCES);
        if detach && group_ok {
            #[cfg(test)]
            block.set_pid(pid);
            // The set stays ours until the child has left our table: the
            // next spawn or reap that sees it gone releases it.
            self.slots.hold(set, block.0);
            self.flight.push(block);
            return Ok(pid);
        }
        block.wait_done();
        self.slots.release(set);
        let shared = block.shared();
        let errno = shared.errno.load(Ordering::Acquire);
        let step = shared.step.load(Ordering::Acquire);
        self.recycle(block);
        if step == Step::None as i32 {
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
