//! Every OS call the REPL makes itself (the kernel makes its own), behind plain types.

use std::io;
use std::os::fd::{BorrowedFd, OwnedFd, RawFd};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::sys::signal::{SigSet, SigmaskHow, Signal};
use nix::sys::termios::{self, SetArg, Termios};
use nix::unistd::{self, Pid};

pub mod prompt;
pub mod signals;
pub mod startup;
pub mod tty;
pub mod vmount;

fn to_io(e: Errno) -> io::Error {
    io::Error::from_raw_os_error(e as i32)
}

/// A close-on-exec pipe `(read, write)`.
pub fn pipe() -> io::Result<(OwnedFd, OwnedFd)> {
    unistd::pipe2(OFlag::O_CLOEXEC).map_err(to_io)
}

/// A close-on-exec duplicate of `fd` numbered `min` or above: the shell's
/// own descriptors stay out of 0–9, which scripts use.
pub fn dup_from(fd: BorrowedFd<'_>, min: RawFd) -> io::Result<OwnedFd> {
    use std::os::fd::FromRawFd;
    let raw = nix::fcntl::fcntl(fd, nix::fcntl::FcntlArg::F_DUPFD_CLOEXEC(min)).map_err(to_io)?;
    // SAFETY: fcntl(F_DUPFD_CLOEXEC) returned a new descriptor that nothing
    // else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(raw) })
}

/// Whether `fd` is a terminal.
pub fn isatty(fd: BorrowedFd<'_>) -> bool {
    unistd::isatty(fd).unwrap_or(false)
}

/// The real user id (`$UID`).
pub fn uid() -> u32 {
    unistd::getuid().as_raw()
}

/// Sets the file mode creation mask; returns the previous one (`umask`).
pub fn set_umask(mask: u32) -> u32 {
    let m = nix::sys::stat::Mode::from_bits_truncate(mask as libc::mode_t);
    nix::sys::stat::umask(m).bits() as u32
}

/// CPU time used by this process and by its waited-for children: user,
/// system, children's user, children's system (`times`).
pub fn cpu_times() -> [std::time::Duration; 4] {
    use nix::sys::resource::{getrusage, UsageWho};
    use nix::sys::time::TimeValLike;
    let d = |t: nix::sys::time::TimeVal| {
        std::time::Duration::from_micros(u64::try_from(t.num_microseconds()).unwrap_or(0))
    };
    let of = |who| match getrusage(who) {
        Ok(u) => [d(u.user_time()), d(u.system_time())],
        Err(_) => [std::time::Duration::ZERO; 2],
    };
    let [a, b] = of(UsageWho::RUSAGE_SELF);
    let [c, e] = of(UsageWho::RUSAGE_CHILDREN);
    [a, b, c, e]
}

/// Whether a read of `fd` would return at once (data or end of file): `read -t 0`.
pub fn readable_now(fd: BorrowedFd<'_>) -> bool {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    matches!(poll(&mut fds, PollTimeout::ZERO), Ok(n) if n > 0)
}

/// Waits until `fd` has input (or end of file), or `cancel` becomes
/// readable (its write end was closed), for at most `timeout`. `Ok(true)`:
/// `fd` is ready and the wait was not cancelled (`read` on a terminal).
pub fn wait_readable(
    fd: BorrowedFd<'_>,
    cancel: BorrowedFd<'_>,
    timeout: Option<std::time::Duration>,
) -> io::Result<bool> {
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    loop {
        let wait = match deadline {
            None => PollTimeout::NONE,
            Some(d) => {
                PollTimeout::try_from(d.saturating_duration_since(std::time::Instant::now()))
                    .unwrap_or(PollTimeout::MAX)
            }
        };
        let mut fds = [
            PollFd::new(fd, PollFlags::POLLIN),
            PollFd::new(cancel, PollFlags::POLLIN),
        ];
        match poll(&mut fds, wait) {
            Ok(0) => return Ok(false),
            Ok(_) => {
                let fired = |p: &PollFd<'_>| p.revents().is_some_and(|r| !r.is_empty());
                return Ok(fired(&fds[0]) && !fired(&fds[1]));
            }
            Err(Errno::EINTR) => {}
            Err(e) => return Err(to_io(e)),
        }
    }
}

/// Turns a terminal's canonical (line) mode on or off (`read -n` reads
/// characters as they are typed); returns whether it was on.
pub fn set_canonical(tty: BorrowedFd<'_>, on: bool) -> io::Result<bool> {
    let mut modes = termios::tcgetattr(tty).map_err(to_io)?;
    let was = modes.local_flags.contains(termios::LocalFlags::ICANON);
    modes.local_flags.set(termios::LocalFlags::ICANON, on);
    if !on {
        modes.control_chars[termios::SpecialCharacterIndices::VMIN as usize] = 1;
        modes.control_chars[termios::SpecialCharacterIndices::VTIME as usize] = 0;
    }
    termios::tcsetattr(tty, SetArg::TCSANOW, &modes).map_err(to_io)?;
    Ok(was)
}

/// Turns a terminal's echo on or off (`read -s`); returns whether it was on.
pub fn set_echo(tty: BorrowedFd<'_>, on: bool) -> io::Result<bool> {
    let mut modes = termios::tcgetattr(tty).map_err(to_io)?;
    let was = modes.local_flags.contains(termios::LocalFlags::ECHO);
    modes.local_flags.set(termios::LocalFlags::ECHO, on);
    termios::tcsetattr(tty, SetArg::TCSANOW, &modes).map_err(to_io)?;
    Ok(was)
}

extern "C" {
    /// POSIX `tzset` (the libc crate does not declare it on Linux).
    fn tzset();
}

/// Makes local time follow `tz`, the shell's exported `TZ` (`None`: unset,
/// the system's zone), as bash's `tzset` on every change of `TZ` does. The
/// process environment then holds the same `TZ` a child would be given.
pub fn set_tz(tz: Option<&str>) {
    let now = std::env::var_os("TZ");
    if now.as_deref() == tz.map(std::ffi::OsStr::new) {
        return;
    }
    match tz {
        Some(tz) => std::env::set_var("TZ", tz),
        None => std::env::remove_var("TZ"),
    }
    // SAFETY: tzset takes no arguments and only rereads `TZ` into libc's
    // zone state, which localtime_r reads.
    unsafe { tzset() };
}

/// `strftime(format, localtime(secs))` (`printf %(fmt)T`); empty when the
/// time cannot be converted.
pub fn strftime_local(format: &str, secs: i64) -> String {
    let Ok(fmt) = std::ffi::CString::new(format) else {
        return String::new();
    };
    let t: libc::time_t = secs;
    let mut tm = std::mem::MaybeUninit::<libc::tm>::zeroed();
    // SAFETY: both pointers are valid for the call: `t` is a local and `tm`
    // is writable storage for one `struct tm`.
    if unsafe { libc::localtime_r(&t, tm.as_mut_ptr()) }.is_null() {
        return String::new();
    }
    // SAFETY: localtime_r succeeded, so it filled `tm` (which was zeroed
    // before, so every field holds a valid value anyway).
    let tm = unsafe { tm.assume_init() };
    let mut buf = vec![0u8; 256 + 64 * format.len()];
    // SAFETY: `buf` is writable for `buf.len()` bytes, `fmt` is
    // NUL-terminated and `tm` is initialised; strftime writes at most
    // `buf.len()` bytes and returns how many (0 when they did not fit).
    let n = unsafe { libc::strftime(buf.as_mut_ptr().cast(), buf.len(), fmt.as_ptr(), &tm) };
    buf.truncate(n);
    String::from_utf8_lossy(&buf).into_owned()
}

/// Whether this process may access `path` (`test -r/-w/-x`): `mode` is
/// `libc::R_OK`, `W_OK` or `X_OK`.
pub fn access(path: &std::path::Path, mode: i32) -> bool {
    let flags = nix::unistd::AccessFlags::from_bits_truncate(mode);
    nix::unistd::access(path, flags).is_ok()
}

/// The effective user and group ids.
pub fn effective_ids() -> (u32, u32) {
    (unistd::geteuid().as_raw(), unistd::getegid().as_raw())
}

/// Whether the raw descriptor `fd` of this process is a terminal.
pub fn isatty_raw(fd: RawFd) -> bool {
    // SAFETY: the descriptor is only borrowed for the isatty call; an fd
    // that is not open makes isatty fail (EBADF), it is not used otherwise.
    let fd = unsafe { BorrowedFd::borrow_raw(fd) };
    isatty(fd)
}

/// Ends this process by `sig` with its default action (the status a parent
/// sees is "killed by sig"); exits 128+sig if the signal does not kill.
pub fn die_of(sig: i32) -> ! {
    if let Ok(signal) = Signal::try_from(sig) {
        // SAFETY: restoring the default disposition installs no handler; no
        // Rust code runs in signal context because of it.
        let _ = unsafe { nix::sys::signal::signal(signal, nix::sys::signal::SigHandler::SigDfl) };
        let mut set = SigSet::empty();
        set.add(signal);
        let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_UNBLOCK, Some(&set), None);
        let _ = nix::sys::signal::raise(signal);
    }
    std::process::exit(128 + sig)
}

/// This process's process group.
pub fn own_pgrp() -> i32 {
    unistd::getpgrp().as_raw()
}

/// The terminal's foreground process group.
pub fn foreground_pgrp(tty: BorrowedFd<'_>) -> io::Result<i32> {
    unistd::tcgetpgrp(tty).map(Pid::as_raw).map_err(to_io)
}

/// Puts this process in a process group of its own.
pub fn own_group() -> io::Result<()> {
    match unistd::setpgid(Pid::from_raw(0), Pid::from_raw(0)) {
        // Already a session leader: it leads its own group anyway.
        Ok(()) | Err(Errno::EPERM) => Ok(()),
        Err(e) => Err(to_io(e)),
    }
}

/// Sends SIGTTIN to our own group (to wait until the terminal is ours, as bash does).
pub fn stop_for_tty() {
    if let Some(own) = corral_kernel::Pid::from_raw(unistd::getpgrp().as_raw()) {
        let _ = corral_kernel::kill_group(own, corral_kernel::Signal::TTIN);
    }
}

/// Gives the terminal to process group `pgid`, with SIGTTOU blocked so a
/// background caller is not stopped by the call.
pub fn give_terminal(tty: BorrowedFd<'_>, pgid: i32) -> io::Result<()> {
    let mut block = SigSet::empty();
    block.add(Signal::SIGTTOU);
    let mut old = SigSet::empty();
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&block), Some(&mut old))
        .map_err(to_io)?;
    let r = unistd::tcsetpgrp(tty, Pid::from_raw(pgid)).map_err(to_io);
    let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
    r
}

/// The terminal's current modes.
pub fn get_modes(tty: BorrowedFd<'_>) -> io::Result<Termios> {
    termios::tcgetattr(tty).map_err(to_io)
}

/// Sets the terminal's modes (after output drains).
pub fn set_modes(tty: BorrowedFd<'_>, modes: &Termios) -> io::Result<()> {
    // Blocked TTOU: tcsetattr from the background would stop us otherwise.
    let mut block = SigSet::empty();
    block.add(Signal::SIGTTOU);
    let mut old = SigSet::empty();
    nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_BLOCK, Some(&block), Some(&mut old))
        .map_err(to_io)?;
    let r = termios::tcsetattr(tty, SetArg::TCSADRAIN, modes).map_err(to_io);
    let _ = nix::sys::signal::pthread_sigmask(SigmaskHow::SIG_SETMASK, Some(&old), None);
    r
}

/// A duplicate of `fd` for keeping the terminal open.
pub fn dup_fd(fd: BorrowedFd<'_>) -> io::Result<OwnedFd> {
    fd.try_clone_to_owned()
}

/// What a child runs between fork and exec to take the terminal itself
/// (closing the race with the parent's own tcsetpgrp). Async-signal-safe:
/// only sigprocmask, getpgrp and tcsetpgrp.
pub fn child_take_terminal(tty: RawFd) -> impl Fn() -> io::Result<()> + Send + Sync + 'static {
    move || {
        // SAFETY: all-zero sigset_t values are valid, and the calls below only
        // read and write these locals; every call is async-signal-safe.
        unsafe {
            let mut block: libc::sigset_t = std::mem::zeroed();
            let mut old: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut block);
            libc::sigaddset(&mut block, libc::SIGTTOU);
            libc::sigprocmask(libc::SIG_BLOCK, &block, &mut old);
            libc::tcsetpgrp(tty, libc::getpgrp());
            libc::sigprocmask(libc::SIG_SETMASK, &old, std::ptr::null_mut());
        }
        Ok(())
    }
}

/// The resource `ulimit -LETTER` names.
fn resource(letter: char) -> Option<nix::sys::resource::Resource> {
    use nix::sys::resource::Resource as R;
    Some(match letter {
        'c' => R::RLIMIT_CORE,
        'd' => R::RLIMIT_DATA,
        'e' => R::RLIMIT_NICE,
        'f' => R::RLIMIT_FSIZE,
        'i' => R::RLIMIT_SIGPENDING,
        'l' => R::RLIMIT_MEMLOCK,
        'm' => R::RLIMIT_RSS,
        'n' => R::RLIMIT_NOFILE,
        'q' => R::RLIMIT_MSGQUEUE,
        'r' => R::RLIMIT_RTPRIO,
        's' => R::RLIMIT_STACK,
        't' => R::RLIMIT_CPU,
        'u' => R::RLIMIT_NPROC,
        'v' => R::RLIMIT_AS,
        'x' => R::RLIMIT_LOCKS,
        'R' => R::RLIMIT_RTTIME,
        _ => return None,
    })
}

/// The (soft, hard) limit of the resource `ulimit -LETTER` names, in the
/// kernel's units; `u64::MAX` is unlimited. `None` for an unknown letter.
pub fn rlimit(letter: char) -> Option<io::Result<(u64, u64)>> {
    let r = resource(letter)?;
    Some(nix::sys::resource::getrlimit(r).map_err(to_io))
}

/// Sets the (soft, hard) limit of the resource `ulimit -LETTER` names.
///
/// # Errors
/// The OS's refusal (raising a hard limit without privilege: EPERM), or
/// EINVAL for an unknown letter.
pub fn set_rlimit(letter: char, soft: u64, hard: u64) -> io::Result<()> {
    let r = resource(letter).ok_or_else(|| io::Error::from_raw_os_error(libc::EINVAL))?;
    nix::sys::resource::setrlimit(r, soft, hard).map_err(to_io)
}

/// Four random bytes from the kernel (`$SRANDOM`); 0 if it has none to give.
pub fn random_u32() -> u32 {
    let mut bytes = [0u8; 4];
    // SAFETY: getrandom writes at most `bytes.len()` bytes into the buffer.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n == 4 {
        u32::from_ne_bytes(bytes)
    } else {
        0
    }
}

/// The path of the running binary (`$BASH`).
pub fn own_binary() -> String {
    std::env::current_exe()
        .map(|p| crate::rawbytes::from_os(p.into_os_string()))
        .unwrap_or_default()
}

/// The host name (`$HOSTNAME`).
pub fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim_end().to_owned())
        .unwrap_or_default()
}
