//! The OS calls of the per-session /v mount: who we are, whether a session's
//! process still runs, and handing a pipe's read end to a child.

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{fcntl, FcntlArg, FdFlag};
use nix::sys::signal::kill;
use nix::unistd::{self, Pid};

fn to_io(e: Errno) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

/// This process's real uid.
pub fn uid() -> u32 {
    unistd::getuid().as_raw()
}

/// Whether process `pid` exists (ours or another user's).
pub fn alive(pid: u32) -> bool {
    let Ok(raw) = i32::try_from(pid) else {
        return false;
    };
    if raw <= 0 {
        return false;
    }
    !matches!(kill(Pid::from_raw(raw), None), Err(Errno::ESRCH))
}

/// Owner uid and permission bits of `dir`, not following a symlink.
pub fn owner_and_mode(dir: &Path) -> io::Result<(u32, u32)> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(dir)?;
    if !m.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::NotADirectory,
            format!("{}: not a directory", dir.display()),
        ));
    }
    Ok((m.uid(), m.mode() & 0o7777))
}

/// A close-on-exec pipe whose read end a child inherits: `(read, write)`.
/// The read end stays open across exec, at its own number, until dropped.
pub fn inheritable_pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = super::pipe()?;
    fcntl(r.as_fd(), FcntlArg::F_SETFD(FdFlag::empty())).map_err(to_io)?;
    Ok((r, w))
}

/// `/dev/fd/N` for an open descriptor.
pub fn dev_fd_path(fd: &OwnedFd) -> String {
    format!("/dev/fd/{}", fd.as_raw_fd())
}
