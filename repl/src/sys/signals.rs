//! Signal dispositions the shell sets itself (`trap '' SIG` ignores a signal
//! for real, so children inherit it and no handler races the trap table).

use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};

/// A disposition saved to put back later (the runtime's handler while the
/// signal was ignored).
#[derive(Clone, Copy)]
pub struct SavedAction(SigAction);

/// Whether `sig` is ignored now (at startup: ignored when the shell was started).
pub fn is_ignored(sig: i32) -> bool {
    // SAFETY: an all-zero sigaction is a valid value to receive the old action.
    let mut old: libc::sigaction = unsafe { std::mem::zeroed() };
    // SAFETY: a null new action only queries; `old` is valid for writes.
    let rc = unsafe { libc::sigaction(sig, std::ptr::null(), &mut old) };
    rc == 0 && old.sa_sigaction == libc::SIG_IGN
}

/// Ignores `sig` (SIG_IGN, inherited across exec); returns what was there.
pub fn ignore(sig: i32) -> Option<SavedAction> {
    let signal = Signal::try_from(sig).ok()?;
    let ign = SigAction::new(SigHandler::SigIgn, SaFlags::empty(), SigSet::empty());
    // SAFETY: SIG_IGN runs no code in signal context.
    unsafe { sigaction(signal, &ign) }.ok().map(SavedAction)
}

/// Puts back a disposition [`ignore`] replaced.
pub fn restore(sig: i32, saved: SavedAction) {
    if let Ok(signal) = Signal::try_from(sig) {
        // SAFETY: the action was installed before (SIG_DFL, or the runtime's
        // handler, which is still registered and async-signal-safe).
        let _ = unsafe { sigaction(signal, &saved.0) };
    }
}
