//! A pseudo-terminal harness: runs a program as the session leader of a new
//! session whose controlling terminal is a PTY we hold the master of, and lets
//! a test type at it and wait for what it prints.
//!
//! - The child gets TERM=xterm, a 40x120 window, and HOME/XDG_* in a fresh temp
//!   dir (so a shell's history file lands there).
//! - A reader thread reads the master, answers the terminal queries programs
//!   wait for (`ESC[6n` cursor position, `ESC[5n` status, `ESC[c` device
//!   attributes), and appends to two buffers: the raw bytes and a *view* with
//!   escape sequences removed and line-moving controls (`\r`, cursor
//!   positioning) turned into `\n`, so each repaint of a prompt lands on a line
//!   of its own.
//! - `expect*` wait on a condvar the reader signals, with a deadline; they
//!   match from a cursor that advances past each match. On timeout they panic
//!   with the last ~2 KB of the view, the cursor marked `⟦▶⟧`.
//! - Drop SIGKILLs every process of the session, their descendants, and any
//!   process carrying this PTY's `CORRAL_PTY_TAG` environment entry (set on
//!   the child, inherited by everything it starts, so even setsid daemons are
//!   found); then reaps the child and stops the reader, also when the test
//!   panics.
//!
//! Set CORRAL_PTY_DEBUG=1 to see every chunk read and every write on stderr.
#![allow(dead_code)] // a toolbox: not every test uses every helper

use std::ffi::OsStr;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::termios::Termios;

use super::procfs;

mod expect;
mod procs;
mod vt;

use vt::Vt;

/// Window size given to every PTY.
pub const ROWS: u16 = 40;
/// Window size given to every PTY.
pub const COLS: u16 = 120;

/// The environment variable that tags every process a [`Pty`] started.
pub const TAG_KEY: &str = "CORRAL_PTY_TAG";

/// How much of the view a timeout panic shows.
const TAIL: usize = 2048;

/// The default deadline of every wait (override with CORRAL_PTY_TIMEOUT_SECS).
pub fn default_timeout() -> Duration {
    std::env::var("CORRAL_PTY_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map_or(Duration::from_secs(10), Duration::from_secs)
}

fn debug() -> bool {
    std::env::var_os("CORRAL_PTY_DEBUG").is_some_and(|v| !v.is_empty() && v != "0")
}

/// What the reader thread has gathered.
#[derive(Default)]
struct Output {
    /// Every byte read from the master.
    raw: Vec<u8>,
    /// `raw` without escape sequences, `\r` and cursor jumps turned into `\n`.
    view: Vec<u8>,
    /// Where the next `expect` starts looking in `view`.
    cursor: usize,
    /// The slave side is closed (every process holding it has gone).
    eof: bool,
}

struct Shared {
    out: Mutex<Output>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Output> {
        // A panic elsewhere while holding the lock leaves plain data behind; keep going.
        self.out.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The master side, written by the test thread and by the reader (replies).
struct Master {
    file: File,
    write_lock: Mutex<()>,
}

impl Master {
    fn write_all(&self, bytes: &[u8]) -> std::io::Result<()> {
        let _guard = self.write_lock.lock().unwrap_or_else(|e| e.into_inner());
        (&self.file).write_all(bytes)
    }
}

/// Describes how to start the program in the PTY.
pub struct PtyCommand {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: Option<PathBuf>,
}

impl PtyCommand {
    /// A program to run, found by path or in PATH.
    pub fn new(program: impl AsRef<Path>) -> Self {
        PtyCommand {
            program: program.as_ref().to_path_buf(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
        }
    }

    /// Adds an argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }

    /// Sets an environment variable (on top of the harness's clean environment).
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Sets the working directory.
    pub fn cwd(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_path_buf());
        self
    }
}

/// A program running in a pseudo-terminal.
pub struct Pty {
    master: Arc<Master>,
    shared: Arc<Shared>,
    child: Mutex<Option<Child>>,
    exit: Mutex<Option<ExitStatus>>,
    pid: i32,
    reader: Option<JoinHandle<()>>,
    /// Writing a byte here wakes the reader so it can stop.
    wake: Option<OwnedFd>,
    home: tempfile::TempDir,
    timeout: Duration,
    /// `CORRAL_PTY_TAG=<unique>`, in the environment of everything started.
    tag: String,
}

impl Pty {
    /// Starts `cmd` as the leader of a new session with the PTY slave as its
    /// controlling terminal and stdin/stdout/stderr.
    pub fn spawn(cmd: PtyCommand) -> Pty {
        // The master is opened close-on-exec atomically: tests run in parallel
        // threads, and another test's fork must not inherit it.
        let master =
            posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC).expect("posix_openpt");
        grantpt(&master).expect("grantpt");
        unlockpt(&master).expect("unlockpt");
        let slave_name = ptsname_r(&master).expect("ptsname_r");
        let slave: OwnedFd = nix::fcntl::open(
            slave_name.as_str(),
            OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC,
            nix::sys::stat::Mode::empty(),
        )
        .expect("open pty slave");
        let master: OwnedFd = master.into();

        let ws = libc::winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads one `winsize` through the pointer, which
        // points at a live local; the fd is our open master.
        let rc = unsafe { libc::ioctl(master.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        assert_eq!(rc, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());

        let home = tempfile::tempdir().expect("temp HOME");
        let data = home.path().join(".local/share");
        let config = home.path().join(".config");
        std::fs::create_dir_all(&data).expect("mkdir XDG_DATA_HOME");
        std::fs::create_dir_all(&config).expect("mkdir XDG_CONFIG_HOME");

        // A tag every descendant inherits, so Drop finds even processes that
        // left the session (setsid daemons reparented to init).
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let tag_value = format!(
            "{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let tag = format!("{TAG_KEY}={tag_value}");

        let mut command = Command::new(&cmd.program);
        command
            .args(&cmd.args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm")
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", &data)
            .env("XDG_CONFIG_HOME", &config)
            .env(TAG_KEY, &tag_value)
            .env("LINES", ROWS.to_string())
            .env("COLUMNS", COLS.to_string());
        for key in ["RUST_BACKTRACE", "RUST_LOG", "LLVM_PROFILE_FILE"] {
            if let Some(v) = std::env::var_os(key) {
                command.env(key, v);
            }
        }
        for (k, v) in &cmd.env {
            command.env(OsStr::new(k), OsStr::new(v));
        }
        command.current_dir(cmd.cwd.as_deref().unwrap_or(home.path()));
        command
            .stdin(Stdio::from(slave.try_clone().expect("dup slave")))
            .stdout(Stdio::from(slave.try_clone().expect("dup slave")))
            .stderr(Stdio::from(slave));
        // SAFETY: the closure runs in the forked child before exec and only
        // makes async-signal-safe system calls (signal, setsid, ioctl) on fd
        // 0, which std has already made the PTY slave.
        unsafe {
            command.pre_exec(|| {
                // Default dispositions, whatever the test runner inherited: a
                // SIG_IGN survives exec (e.g. SIGINT/SIGQUIT ignored by a
                // non-interactive `cargo test &`), and a shell passes it on to
                // its jobs, so Ctrl-C would do nothing. std already empties
                // the signal mask.
                for sig in [
                    libc::SIGINT,
                    libc::SIGQUIT,
                    libc::SIGTSTP,
                    libc::SIGTTIN,
                    libc::SIGTTOU,
                    libc::SIGHUP,
                    libc::SIGTERM,
                    libc::SIGCHLD,
                    libc::SIGPIPE,
                ] {
                    libc::signal(sig, libc::SIG_DFL);
                }
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {:?}: {e}", cmd.program));
        // `command` still holds the slave dups; drop them so only the child
        // side keeps the slave open (EOF on the master when it all exits).
        drop(command);
        let pid = child.id() as i32;

        let master = Arc::new(Master {
            file: File::from(master),
            write_lock: Mutex::new(()),
        });
        let shared = Arc::new(Shared {
            out: Mutex::new(Output::default()),
            changed: Condvar::new(),
        });
        let (wake_rx, wake_tx) = nix::unistd::pipe2(OFlag::O_CLOEXEC).expect("pipe2");
        let reader = {
            let master = Arc::clone(&master);
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name(format!("pty-reader-{pid}"))
                .spawn(move || reader_loop(&master, &shared, &wake_rx))
                .expect("spawn reader thread")
        };
        Pty {
            master,
            shared,
            child: Mutex::new(Some(child)),
            exit: Mutex::new(None),
            pid,
            reader: Some(reader),
            wake: Some(wake_tx),
            home,
            timeout: default_timeout(),
            tag,
        }
    }

    /// Resizes the terminal (the system sends SIGWINCH to its foreground group).
    pub fn resize(&self, rows: u16, cols: u16) {
        let ws = libc::winsize {
            ws_row: rows,
            ws_col: cols,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: TIOCSWINSZ reads one `winsize` through the pointer, which
        // points at a live local; the fd is our open master.
        let rc = unsafe { libc::ioctl(self.master.file.as_raw_fd(), libc::TIOCSWINSZ, &ws) };
        assert_eq!(rc, 0, "TIOCSWINSZ: {}", std::io::Error::last_os_error());
    }

    /// The child's pid, which is also its session id and process group id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// The temp dir used as HOME.
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// The deadline every wait uses.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Changes the deadline every wait uses.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    // ---- typing ----

    /// Writes bytes to the terminal, as if typed.
    pub fn send(&self, bytes: impl AsRef<[u8]>) {
        let bytes = bytes.as_ref();
        if debug() {
            eprintln!("pty[{}]> {:?}", self.pid, String::from_utf8_lossy(bytes));
        }
        self.master
            .write_all(bytes)
            .unwrap_or_else(|e| panic!("write to pty: {e}\n{}", self.tail()));
    }

    /// Types `text` and Enter (`\r`, what a terminal sends).
    pub fn send_line(&self, text: &str) {
        self.send(format!("{text}\r"));
    }

    /// Types Ctrl-C.
    pub fn ctrl_c(&self) {
        self.send([0x03]);
    }

    /// Types Ctrl-Z.
    pub fn ctrl_z(&self) {
        self.send([0x1a]);
    }

    /// Types Ctrl-D.
    pub fn ctrl_d(&self) {
        self.send([0x04]);
    }

    // ---- the terminal ----

    /// The terminal's foreground process group (TIOCGPGRP on the master).
    pub fn foreground_pgrp(&self) -> Option<i32> {
        nix::unistd::tcgetpgrp(self.master.file.as_fd())
            .ok()
            .map(|p| p.as_raw())
    }

    /// The terminal's current modes (TCGETS on the master reads the slave's).
    pub fn termios(&self) -> Termios {
        nix::sys::termios::tcgetattr(self.master.file.as_fd()).expect("tcgetattr on pty master")
    }

    // ---- exit ----

    fn try_exit_status(&self) -> Option<ExitStatus> {
        if let Some(st) = *self.exit.lock().unwrap_or_else(|e| e.into_inner()) {
            return Some(st);
        }
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let st = child.as_mut()?.try_wait().ok().flatten()?;
        *self.exit.lock().unwrap_or_else(|e| e.into_inner()) = Some(st);
        Some(st)
    }

    /// Waits (event-driven) for the child to exit and reaps it; panics with
    /// the output tail if it still runs after `timeout`.
    pub fn wait_exit(&self, timeout: Duration) -> ExitStatus {
        if let Some(st) = self.try_exit_status() {
            return st;
        }
        if !procfs::wait_exited(self.pid, timeout) {
            panic!(
                "{} did not exit within {timeout:?}\n{}",
                self.pid,
                self.describe_session()
            );
        }
        let mut child = self.child.lock().unwrap_or_else(|e| e.into_inner());
        let st = child
            .as_mut()
            .expect("child already reaped")
            .wait()
            .expect("wait for pty child");
        *self.exit.lock().unwrap_or_else(|e| e.into_inner()) = Some(st);
        st
    }
}

impl Drop for Pty {
    fn drop(&mut self) {
        // Everything in the session first (the leader too), while the leader's
        // pid still names the session; then reap the leader.
        procfs::kill_session(self.pid, Some(&self.tag), Duration::from_secs(5));
        if let Some(mut child) = self.child.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(wake) = self.wake.take() {
            let _ = nix::unistd::write(&wake, b"x");
        }
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }
}

fn reader_loop(master: &Master, shared: &Shared, wake: &OwnedFd) {
    let mut vt = Vt::new(ROWS, COLS);
    let mut buf = [0u8; 8192];
    let mut view = Vec::new();
    loop {
        let mut fds = [
            PollFd::new(master.file.as_fd(), PollFlags::POLLIN),
            PollFd::new(wake.as_fd(), PollFlags::POLLIN),
        ];
        match poll(&mut fds, PollTimeout::NONE) {
            Ok(_) => {}
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
        }
        if fds[1].any().unwrap_or(false) {
            break;
        }
        let n = match (&master.file).read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            // EIO: every slave fd is closed.
            Err(_) => break,
        };
        let chunk = &buf[..n];
        if debug() {
            eprintln!("pty< {:?}", String::from_utf8_lossy(chunk));
        }
        view.clear();
        let replies = vt.feed(chunk, &mut view);
        // Answer before publishing, so a test that saw the prompt knows the
        // program has its answer.
        for reply in replies {
            if debug() {
                eprintln!("pty[reply]> {:?}", String::from_utf8_lossy(&reply));
            }
            let _ = master.write_all(&reply);
        }
        let mut out = shared.lock();
        out.raw.extend_from_slice(chunk);
        out.view.extend_from_slice(&view);
        drop(out);
        shared.changed.notify_all();
    }
    shared.lock().eof = true;
    shared.changed.notify_all();
}
