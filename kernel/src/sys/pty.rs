//! Pseudo-terminals for captured stdout: the job writes to the slave
//! (so it sees a terminal), the kernel reads the master into the ring.

use std::io;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};

use nix::fcntl::{fcntl, open, FcntlArg, OFlag};
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::stat::Mode;
use nix::sys::termios::{tcgetattr, tcsetattr, OutputFlags, SetArg};

use super::errno_to_io;

/// A new pseudo-terminal as (master, slave), both close-on-exec; the
/// master is non-blocking (for the kernel's reader). The slave's output
/// post-processing is off, so what a program writes reaches the ring
/// byte for byte (no `\n` to `\r\n`); its window size is `rows` x `cols`.
/// Neither end becomes anyone's controlling terminal.
pub(crate) fn capture_pty(rows: u16, cols: u16) -> io::Result<(OwnedFd, OwnedFd)> {
    let flags = OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC;
    let master = posix_openpt(flags).map_err(errno_to_io)?;
    grantpt(&master).map_err(errno_to_io)?;
    unlockpt(&master).map_err(errno_to_io)?;
    let name = ptsname_r(&master).map_err(errno_to_io)?;
    let slave = open(name.as_str(), flags, Mode::empty()).map_err(errno_to_io)?;
    let master = OwnedFd::from(master);
    let mut modes = tcgetattr(slave.as_fd()).map_err(errno_to_io)?;
    modes.output_flags.remove(OutputFlags::OPOST);
    tcsetattr(slave.as_fd(), SetArg::TCSANOW, &modes).map_err(errno_to_io)?;
    set_window_size(master.as_fd(), rows, cols)?;
    fcntl(master.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(errno_to_io)?;
    Ok((master, slave))
}

/// Sets the window size of the terminal `fd` (either end of a pty);
/// true if that changed it.
pub(crate) fn set_window_size(fd: BorrowedFd<'_>, rows: u16, cols: u16) -> io::Result<bool> {
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCGWINSZ writes one `winsize` through the pointer, which
    // points at a live local for the whole call; `fd` is open (borrowed).
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCGWINSZ, &mut size) };
    if rc == 0 && (size.ws_row, size.ws_col) == (rows, cols) {
        return Ok(false);
    }
    size.ws_row = rows;
    size.ws_col = cols;
    // SAFETY: TIOCSWINSZ reads one `winsize` through the pointer, which
    // points at a live local for the whole call; `fd` is open (borrowed).
    let rc = unsafe { libc::ioctl(fd.as_raw_fd(), libc::TIOCSWINSZ, &size) };
    if rc < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_slave_is_a_terminal_of_the_given_size_without_newline_translation() {
        let (master, slave) = capture_pty(33, 101).unwrap();
        let mut size = libc::winsize {
            ws_row: 0,
            ws_col: 0,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCGWINSZ writes one `winsize` into the live local.
        let rc = unsafe { libc::ioctl(slave.as_raw_fd(), libc::TIOCGWINSZ, &mut size) };
        assert_eq!(rc, 0);
        assert_eq!((size.ws_row, size.ws_col), (33, 101));
        assert_eq!(nix::unistd::write(&slave, b"a\nb\n").unwrap(), 4);
        let mut buf = [0u8; 16];
        let n = nix::unistd::read(&master, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"a\nb\n");
    }
}
