//! Terminal job control: the shell owns the terminal, hands it to a foreground
//! job's process group and takes it back, saving and restoring modes.
//!
//! [`Terminal`] hands the terminal back to the shell (and restores the shell's
//! modes) when dropped, so no exit path leaves a job owning it.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd, RawFd};

use crate::sys;

/// Saved terminal modes.
#[derive(Clone)]
pub struct Modes(nix::sys::termios::Termios);

/// The controlling terminal, while the shell does job control on it.
pub struct Terminal {
    fd: OwnedFd,
    shell_pgid: i32,
    shell_modes: std::sync::Mutex<Modes>,
}

impl Terminal {
    /// Takes control of the terminal on stdin, if stdin is one: waits until the
    /// shell is in the foreground, moves it to its own process group and makes
    /// that group the terminal's foreground group. `None` when stdin is not a terminal.
    ///
    /// # Errors
    /// When the terminal cannot be taken.
    pub fn acquire(own_group: bool) -> io::Result<Option<Terminal>> {
        let stdin = io::stdin();
        if !sys::isatty(stdin.as_fd()) {
            return Ok(None);
        }
        let fd = sys::dup_fd(stdin.as_fd())?;
        if own_group {
            // Like bash: if we were started in the background, stop until we are not.
            loop {
                let fg = sys::foreground_pgrp(fd.as_fd())?;
                if fg == sys::own_pgrp() {
                    break;
                }
                sys::stop_for_tty();
            }
            sys::own_group()?;
            sys::give_terminal(fd.as_fd(), sys::own_pgrp())?;
        } else if sys::foreground_pgrp(fd.as_fd())? != sys::own_pgrp() {
            return Ok(None);
        }
        let shell_modes = Modes(sys::get_modes(fd.as_fd())?);
        Ok(Some(Terminal {
            shell_pgid: sys::own_pgrp(),
            fd,
            shell_modes: std::sync::Mutex::new(shell_modes),
        }))
    }

    /// The descriptor children use to take the terminal themselves.
    pub fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Makes `pgid` the foreground process group.
    ///
    /// # Errors
    /// The OS error.
    pub fn give_to(&self, pgid: i32) -> io::Result<()> {
        sys::give_terminal(self.fd.as_fd(), pgid)
    }

    /// The window size as (rows, columns), if the terminal has one.
    pub fn size(&self) -> Option<(u16, u16)> {
        sys::tty::window_size(self.fd.as_fd())
    }

    /// Makes the shell the foreground process group again.
    pub fn take_back(&self) {
        let _ = sys::give_terminal(self.fd.as_fd(), self.shell_pgid);
    }

    /// The terminal's modes now (a job's, right after it stopped).
    pub fn modes(&self) -> Option<Modes> {
        sys::get_modes(self.fd.as_fd()).ok().map(Modes)
    }

    /// Applies saved modes.
    pub fn set_modes(&self, modes: &Modes) {
        let _ = sys::set_modes(self.fd.as_fd(), &modes.0);
    }

    /// Restores the modes the shell had when it took the terminal.
    pub fn restore_shell_modes(&self) {
        let modes = self
            .shell_modes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        self.set_modes(&modes);
    }

    /// Records the current modes as the shell's (after a job exited normally,
    /// its `stty` changes are kept, as in bash), unless they are raw (no
    /// canonical input): those are a full-screen program's leftovers, e.g.
    /// the line editor's own modes, which a job started with `&` read while
    /// the editor had the terminal and put back when it exited. Then the
    /// shell's modes are restored instead.
    pub fn keep_current_modes(&self) {
        use nix::sys::termios::LocalFlags;
        match self.modes() {
            Some(m) if m.0.local_flags.contains(LocalFlags::ICANON) => {
                *self.shell_modes.lock().unwrap_or_else(|e| e.into_inner()) = m;
            }
            Some(_) => self.restore_shell_modes(),
            None => {}
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        self.take_back();
        self.restore_shell_modes();
    }
}
