//! Terminal output modes the line editor needs kept.

use std::os::fd::BorrowedFd;

use nix::sys::termios::{self, OutputFlags, SetArg};

/// Turns output post-processing (`OPOST`, `ONLCR`) back on if raw mode
/// turned it off, so a background job writing `\n` to the terminal while
/// the user edits starts each line at column 0, as under readline. Errors
/// are ignored: not a terminal, or not ours right now.
pub fn keep_newline_translation(tty: BorrowedFd<'_>) {
    let Ok(mut modes) = termios::tcgetattr(tty) else {
        return;
    };
    let want = OutputFlags::OPOST | OutputFlags::ONLCR;
    if modes.output_flags.contains(want) {
        return;
    }
    modes.output_flags.insert(want);
    let _ = termios::tcsetattr(tty, SetArg::TCSANOW, &modes);
}
