//! What prompt escapes name about the system: the user, the host, the terminal.

use std::os::fd::AsRawFd;

/// The name of the effective user (`\u`); the uid in decimal when it has none.
pub fn user_name() -> String {
    let uid = nix::unistd::geteuid();
    match nix::unistd::User::from_uid(uid) {
        Ok(Some(u)) => u.name,
        _ => uid.as_raw().to_string(),
    }
}

/// Whether the effective user is root (`\$` shows `#`).
pub fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The host name (`\H`); empty when it cannot be read.
pub fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for `buf.len()` bytes; gethostname writes at
    // most that many and the last byte is never written below, so the
    // result stays NUL-terminated even when the name was truncated.
    let r = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len() - 1) };
    if r != 0 {
        return String::new();
    }
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..end]).into_owned()
}

/// The basename of stdin's terminal device (`\l`: `1` for `/dev/pts/1`),
/// `tty` when stdin is not a terminal.
pub fn tty_basename() -> String {
    let stdin = std::io::stdin();
    if !super::isatty_raw(stdin.as_raw_fd()) {
        return "tty".to_string();
    }
    std::fs::read_link("/proc/self/fd/0")
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "tty".to_string())
}
