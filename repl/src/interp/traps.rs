//! Signals the shell receives, and when their traps run.
//!
//! The model, as bash's. A signal's disposition belongs to the process:
//! default, ignored or trapped. Each shell copy keeps its table of trap
//! actions (`Lang::traps`), but only the top-level shell (subshell level 0)
//! sets dispositions and runs signal traps: subshells run in-process here,
//! and a signal sent to the shell's pid is the top-level shell's.
//! - Ignored (`trap '' SIG`): the process ignores it for real (SIG_IGN), so
//!   nothing races the table and children inherit it. `trap - SIG` or a new
//!   trap puts the previous handler back.
//! - Trapped: a listener marks the signal pending and wakes waiters. The
//!   interpreter runs pending traps after each command
//!   ([`Shell::run_signal_traps`]), so after a foreground program ends,
//!   while `wait` returns 128+N at once ([`interrupted`]).
//! - Default: listeners exist only for the signals the shell cleans up
//!   after (TERM, HUP, INT, QUIT; every terminating one once an EXIT trap
//!   is set). They end the jobs and die of the signal, or, with an EXIT
//!   trap, hand the death to the interpreter, which runs the trap first.
//!
//! A non-interactive shell keeps the signals ignored when it started
//! ignored (POSIX): `trap` shows them as `''` and cannot change them.
//! A CHLD trap runs once per finished job (kernel `Exited` events of
//! numbered jobs, and each foreground program), counted at the same points.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use corral_kernel::{EventError, JobEvent, Kernel, Pid, Signal};
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::Notify;

use crate::builtins::trapspec::TrapTarget;
use crate::shell::Shell;
use crate::sys::signals as os;

/// A signal's disposition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Disposition {
    /// The shell's default handling.
    Default = 0,
    /// `trap '' SIG`.
    Ignore = 1,
    /// `trap ACTION SIG`.
    Trap = 2,
}

/// What the listeners need of the top-level shell.
struct Ctx {
    kernel: Kernel,
    interactive: bool,
    sigint: Arc<AtomicBool>,
    fg_pgid: Arc<AtomicI32>,
    interrupt: Arc<Notify>,
}

struct State {
    /// Trapped signals received and not yet run (bit N-1 for signal N).
    pending: AtomicU64,
    /// Woken when a signal is marked pending or a death is handed over.
    arrived: Notify,
    disposition: [AtomicU8; 65],
    /// Signals ignored when the (non-interactive) shell started.
    entry_ignored: AtomicU64,
    /// Signals with a listener.
    listening: Mutex<u64>,
    /// Handlers replaced by SIG_IGN, to put back.
    saved: Mutex<HashMap<i32, os::SavedAction>>,
    /// An EXIT trap is set: a fatal signal goes to the interpreter.
    exit_trap: AtomicBool,
    /// A fatal signal the interpreter is to die of (after the EXIT trap).
    fatal: AtomicI32,
    /// A CHLD trap is set: `chld` holds the events it counts.
    chld_on: AtomicBool,
    /// Foreground programs that ended since the last CHLD count.
    children_done: AtomicU64,
    chld: Mutex<Option<corral_kernel::Events>>,
    ctx: OnceLock<Ctx>,
}

static STATE: LazyLock<State> = LazyLock::new(|| State {
    pending: AtomicU64::new(0),
    arrived: Notify::new(),
    disposition: std::array::from_fn(|_| AtomicU8::new(Disposition::Default as u8)),
    entry_ignored: AtomicU64::new(0),
    listening: Mutex::new(0),
    saved: Mutex::new(HashMap::new()),
    exit_trap: AtomicBool::new(false),
    fatal: AtomicI32::new(0),
    chld_on: AtomicBool::new(false),
    children_done: AtomicU64::new(0),
    chld: Mutex::new(None),
    ctx: OnceLock::new(),
});

/// bash's terminating signals that can be caught: an EXIT trap runs on them.
const TERMINATING: [i32; 13] = [
    libc::SIGHUP,
    libc::SIGINT,
    libc::SIGTRAP,
    libc::SIGABRT,
    libc::SIGBUS,
    libc::SIGSYS,
    libc::SIGALRM,
    libc::SIGTERM,
    libc::SIGXCPU,
    libc::SIGXFSZ,
    libc::SIGVTALRM,
    libc::SIGUSR1,
    libc::SIGUSR2,
];

/// Signals whose default action does not end the shell.
const HARMLESS: [i32; 8] = [
    libc::SIGCHLD,
    libc::SIGCONT,
    libc::SIGURG,
    libc::SIGWINCH,
    libc::SIGSTOP,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
];

/// Whether `sig`'s default action leaves the shell running.
pub(crate) fn harmless(sig: i32) -> bool {
    HARMLESS.contains(&sig)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn bit(sig: i32) -> u64 {
    match u32::try_from(sig - 1) {
        Ok(n) if n < 64 => 1 << n,
        _ => 0,
    }
}

fn slot(sig: i32) -> Option<&'static AtomicU8> {
    STATE.disposition.get(usize::try_from(sig).ok()?)
}

/// The process's disposition of `sig`.
pub(crate) fn disposition(sig: i32) -> Disposition {
    match slot(sig).map(|d| d.load(Ordering::Acquire)) {
        Some(1) => Disposition::Ignore,
        Some(2) => Disposition::Trap,
        _ => Disposition::Default,
    }
}

/// Whether some signal is trapped (not CHLD, which needs no listener).
pub(crate) fn any_trapped() -> bool {
    STATE.disposition.iter().enumerate().any(|(n, d)| {
        i32::try_from(n).ok() != Some(libc::SIGCHLD)
            && d.load(Ordering::Acquire) == Disposition::Trap as u8
    })
}

/// Whether `sig` was ignored when this non-interactive shell started.
pub(crate) fn ignored_at_entry(sig: i32) -> bool {
    STATE.entry_ignored.load(Ordering::Acquire) & bit(sig) != 0
}

/// Sets the process's disposition of `sig` (the top-level shell's `trap`).
pub(crate) fn set_disposition(sig: i32, d: Disposition) {
    let s = &*STATE;
    if sig == libc::SIGKILL || sig == libc::SIGSTOP {
        return;
    }
    let Some(slot) = slot(sig) else { return };
    if sig == libc::SIGCHLD {
        // Never SIG_IGN: the kernel reaps its children through SIGCHLD.
        slot.store(d as u8, Ordering::Release);
        return;
    }
    match d {
        Disposition::Ignore => {
            slot.store(d as u8, Ordering::Release);
            if let std::collections::hash_map::Entry::Vacant(e) = lock(&s.saved).entry(sig) {
                if let Some(old) = os::ignore(sig) {
                    e.insert(old);
                }
            }
        }
        Disposition::Default | Disposition::Trap => {
            if let Some(old) = lock(&s.saved).remove(&sig) {
                os::restore(sig, old);
            }
            slot.store(d as u8, Ordering::Release);
            if d == Disposition::Trap {
                listen(sig);
            }
        }
    }
    if d != Disposition::Trap {
        s.pending.fetch_and(!bit(sig), Ordering::AcqRel);
    }
}

/// Sets or clears the EXIT trap flag: with one, every terminating signal is
/// caught so the trap can run before the shell dies of it.
pub(crate) fn set_exit_trap(on: bool) {
    STATE.exit_trap.store(on, Ordering::Release);
    if on {
        let interactive = STATE.ctx.get().is_some_and(|c| c.interactive);
        for sig in TERMINATING {
            if interactive || !ignored_at_entry(sig) {
                listen(sig);
            }
        }
    }
}

/// Starts or stops counting finished jobs for a CHLD trap.
pub(crate) fn set_chld_trap(kernel: &Kernel, on: bool) {
    let mut chld = lock(&STATE.chld);
    match (on, chld.is_some()) {
        (true, false) => *chld = Some(kernel.subscribe()),
        (false, _) => *chld = None,
        _ => {}
    }
    STATE.chld_on.store(on, Ordering::Release);
}

/// A foreground program of the top-level shell ended (a CHLD trap counts it).
pub(crate) fn note_child_exit() {
    if STATE.chld_on.load(Ordering::Acquire) {
        STATE.children_done.fetch_add(1, Ordering::AcqRel);
    }
}

/// Installs a listener for `sig` (once; the runtime's handler stays).
fn listen(sig: i32) {
    let mut on = lock(&STATE.listening);
    if *on & bit(sig) != 0 || tokio::runtime::Handle::try_current().is_err() {
        return;
    }
    let Ok(mut stream) = signal(SignalKind::from_raw(sig)) else {
        return;
    };
    *on |= bit(sig);
    tokio::spawn(async move {
        while stream.recv().await.is_some() {
            received(sig).await;
        }
    });
}

async fn received(sig: i32) {
    let s = &*STATE;
    let Some(ctx) = s.ctx.get() else {
        if disposition(sig) == Disposition::Trap {
            s.pending.fetch_or(bit(sig), Ordering::AcqRel);
            s.arrived.notify_waiters();
        }
        return;
    };
    // Ctrl-C or Ctrl-\ on a script: its foreground job gets it too, as if
    // the terminal had signalled the whole group.
    let keyboard = sig == libc::SIGINT || sig == libc::SIGQUIT;
    match disposition(sig) {
        Disposition::Ignore => {}
        Disposition::Trap => {
            if keyboard && !ctx.interactive {
                forward(ctx, sig);
            }
            s.pending.fetch_or(bit(sig), Ordering::AcqRel);
            s.arrived.notify_waiters();
        }
        Disposition::Default => {
            if HARMLESS.contains(&sig) || super::SELF_KILL.load(Ordering::Acquire) {
                return;
            }
            if ctx.interactive && (keyboard || sig == libc::SIGTERM) {
                return;
            }
            if keyboard {
                ctx.sigint.store(true, Ordering::Release);
                forward(ctx, sig);
                ctx.interrupt.notify_waiters();
                s.arrived.notify_waiters();
                return;
            }
            if s.exit_trap.load(Ordering::Acquire) && !ctx.interactive {
                s.fatal.store(sig, Ordering::Release);
                ctx.interrupt.notify_waiters();
                s.arrived.notify_waiters();
                return;
            }
            terminate(ctx, sig).await;
        }
    }
}

/// Sends `sig` to the foreground job's process group.
fn forward(ctx: &Ctx, sig: i32) {
    let pgid = ctx.fg_pgid.load(Ordering::Acquire);
    if let (Some(pgid), Ok(sig)) = (Pid::from_raw(pgid), Signal::from_number(sig)) {
        let _ = corral_kernel::kill_group(pgid, sig);
    }
}

/// Dies of `sig` with no EXIT trap to run: an interactive shell first sends
/// SIGHUP on to every job (bash); every job is then terminated.
async fn terminate(ctx: &Ctx, sig: i32) -> ! {
    if sig == libc::SIGHUP && ctx.interactive {
        for job in ctx.kernel.visible_jobs() {
            let _ = job.signal(Signal::HUP);
            if job.state().is_stopped() {
                let _ = job.signal(Signal::CONT);
            }
        }
    }
    ctx.kernel.shutdown(crate::shell::EXIT_GRACE).await;
    crate::vmount::shutdown();
    crate::sys::die_of(sig)
}

/// The first trapped signal pending (or the fatal one, or INT after an
/// untrapped Ctrl-C), once there is one: `wait` returns 128 + it.
///
/// # Cancel safety
/// Cancel-safe: it takes nothing.
pub(crate) async fn interrupted() -> i32 {
    let s = &*STATE;
    loop {
        let notified = s.arrived.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let fatal = s.fatal.load(Ordering::Acquire);
        if fatal != 0 {
            return fatal;
        }
        let bits = s.pending.load(Ordering::Acquire);
        if bits != 0 {
            return i32::try_from(bits.trailing_zeros()).unwrap_or(0) + 1;
        }
        if s.ctx
            .get()
            .is_some_and(|c| c.sigint.load(Ordering::Acquire))
        {
            return libc::SIGINT;
        }
        notified.await;
    }
}

/// Whether a fatal signal may come for the interpreter to handle (an EXIT
/// trap is set).
pub(crate) fn fatal_possible() -> bool {
    STATE.exit_trap.load(Ordering::Acquire)
}

/// A fatal signal handed to the interpreter, once there is one.
///
/// # Cancel safety
/// Cancel-safe: it takes nothing.
pub(crate) async fn fatal_arrived() -> i32 {
    let s = &*STATE;
    loop {
        let notified = s.arrived.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let fatal = s.fatal.load(Ordering::Acquire);
        if fatal != 0 {
            return fatal;
        }
        notified.await;
    }
}

/// Waits (a bounded time) until a trapped `sig` the shell sent itself has
/// reached its listener.
async fn arrival_of(sig: i32) {
    let s = &*STATE;
    let wait = async {
        loop {
            let notified = s.arrived.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if s.pending.load(Ordering::Acquire) & bit(sig) != 0 {
                return;
            }
            notified.await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(5), wait).await;
}

/// The signals a child starts with their default action unless the shell
/// ignores them (the others keep an ignored disposition through exec).
const PASSED_ON: [i32; 6] = [
    libc::SIGINT,
    libc::SIGQUIT,
    libc::SIGTSTP,
    libc::SIGTTIN,
    libc::SIGTTOU,
    libc::SIGPIPE,
];

impl Shell {
    /// Children start with the signals this shell ignores ignored
    /// (`trap '' INT`, or ignored since it started), and, in an
    /// asynchronous command without job control, SIGINT and SIGQUIT.
    pub(crate) fn pass_ignored(
        &self,
        mut spec: corral_kernel::ProcessSpec,
    ) -> corral_kernel::ProcessSpec {
        let lang = &self.env.lang;
        if lang.traps.is_empty() && !lang.async_ignore {
            return spec;
        }
        for sig in PASSED_ON {
            let keyboard = sig == libc::SIGINT || sig == libc::SIGQUIT;
            let ignored = (lang.async_ignore && keyboard)
                || lang
                    .traps
                    .get(&TrapTarget::Signal(sig).key())
                    .is_some_and(String::is_empty);
            if let (true, Ok(s)) = (ignored, Signal::from_number(sig)) {
                spec = spec.ignore_signal(s);
            }
        }
        spec
    }

    /// Takes over the signals the shell handles from the start: records
    /// those ignored at entry (non-interactive), and listens for TERM and
    /// HUP (an interactive shell ignores TERM, as bash does), and, in a
    /// script, INT and QUIT (passed on to the foreground job; the script
    /// stops once it is gone).
    pub fn watch_termination(&mut self) {
        let s = &*STATE;
        let _ = s.ctx.set(Ctx {
            kernel: self.env.kernel.clone(),
            interactive: self.interactive,
            sigint: Arc::clone(&self.sigint),
            fg_pgid: Arc::clone(&self.fg_pgid),
            interrupt: Arc::clone(&self.interrupt),
        });
        if !self.interactive {
            let mut ignored = 0;
            // PIPE is ignored by the Rust runtime itself; CHLD is the kernel's.
            for sig in (1..=64).filter(|&n| n != libc::SIGPIPE && n != libc::SIGCHLD) {
                if os::is_ignored(sig) {
                    ignored |= bit(sig);
                    if let Some(d) = slot(sig) {
                        d.store(Disposition::Ignore as u8, Ordering::Release);
                    }
                    self.env
                        .lang
                        .traps
                        .insert(TrapTarget::Signal(sig).key(), String::new());
                }
            }
            s.entry_ignored.store(ignored, Ordering::Release);
        }
        let mut watched = vec![libc::SIGTERM, libc::SIGHUP];
        if !self.interactive {
            watched.extend([libc::SIGINT, libc::SIGQUIT]);
        }
        for sig in watched {
            if !ignored_at_entry(sig) {
                listen(sig);
            }
        }
    }

    /// Whether a trap may be due: checked after every command, cheaply.
    pub(crate) fn traps_due(&self) -> bool {
        let s = &*STATE;
        self.env.lang.subshell == 0
            && (s.pending.load(Ordering::Acquire) != 0
                || s.fatal.load(Ordering::Acquire) != 0
                || s.chld_on.load(Ordering::Acquire))
    }

    /// Runs what signals asked for since the last command: the death by a
    /// fatal signal (EXIT trap first), then each pending trap in signal
    /// order, then the CHLD trap once per job that finished. `$?` is kept.
    pub(crate) async fn run_signal_traps(&mut self) {
        if self.env.lang.subshell != 0 {
            return;
        }
        let s = &*STATE;
        let status = self.env.last_status;
        let fatal = s.fatal.swap(0, Ordering::AcqRel);
        if fatal != 0 {
            self.die_of_signal(fatal, status).await;
        }
        let bits = s.pending.swap(0, Ordering::AcqRel);
        for sig in (1..=64).filter(|&n| bits & bit(n) != 0) {
            self.run_trap(&TrapTarget::Signal(sig).key(), status).await;
        }
        if s.chld_on.load(Ordering::Acquire) {
            for _ in 0..finished_jobs(&self.env.kernel) {
                self.run_trap("CHLD", status).await;
            }
            // Jobs the trap itself ran do not trigger it again.
            finished_jobs(&self.env.kernel);
        }
    }

    /// `kill -SIG $$` returned: a trapped signal runs its trap now, an
    /// ignored one does nothing, any other ends the shell. `false`: the
    /// caller handles it (a subshell, whose traps are its own).
    pub(crate) async fn on_self_signal(&mut self, sig: i32) -> bool {
        if self.env.lang.subshell != 0 {
            return false;
        }
        match disposition(sig) {
            Disposition::Ignore => {}
            Disposition::Trap if sig == libc::SIGCHLD => {}
            Disposition::Trap => {
                if *lock(&STATE.listening) & bit(sig) != 0 {
                    arrival_of(sig).await;
                    self.run_signal_traps().await;
                } else {
                    // No listener can exist (KILL, STOP): the table decides.
                    self.run_trap(&TrapTarget::Signal(sig).key(), 0).await;
                }
            }
            Disposition::Default => {
                if !HARMLESS.contains(&sig) {
                    self.die_of_signal(sig, 0).await;
                }
            }
        }
        true
    }

    /// Ends the shell as `sig` would, after its EXIT trap (which sees
    /// `status` as `$?`) and its jobs.
    pub(crate) async fn die_of_signal(&mut self, sig: i32, status: i32) -> ! {
        self.run_exit_trap(status).await;
        self.env.kernel.shutdown(crate::shell::EXIT_GRACE).await;
        self.finish_passthrough().await;
        crate::vmount::shutdown();
        crate::sys::die_of(sig)
    }
}

/// Jobs that finished since the last count (a CHLD trap's runs): numbered
/// jobs, and the foreground programs [`note_child_exit`] counted.
fn finished_jobs(kernel: &Kernel) -> usize {
    let mut chld = lock(&STATE.chld);
    let Some(events) = chld.as_mut() else {
        return 0;
    };
    let fg = STATE.children_done.swap(0, Ordering::AcqRel);
    let mut n = usize::try_from(fg).unwrap_or(usize::MAX);
    loop {
        match events.try_recv() {
            Ok(Some(JobEvent::Exited(id, _))) => {
                let counts = kernel.job(id).is_ok_and(|j| j.number().is_some());
                n += usize::from(counts);
            }
            Ok(Some(_)) | Err(EventError::Lagged(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    n
}
