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

/// The terminal's window size as (rows, columns); `None` if it has none.
pub fn window_size(tty: BorrowedFd<'_>) -> Option<(u16, u16)> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which
    // points at a live local for the whole call; `tty` is open (borrowed).
    let rc = unsafe {
        libc::ioctl(
            std::os::fd::AsRawFd::as_raw_fd(&tty),
            libc::TIOCGWINSZ,
            &mut size,
        )
    };
    (rc == 0 && size.ws_row > 0 && size.ws_col > 0).then_some((size.ws_row, size.ws_col))
}
