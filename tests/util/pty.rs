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
use std::time::{Duration, Instant};

use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
use nix::sys::termios::Termios;

use super::procfs;

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

    // ---- reading ----

    /// Waits until `needle` appears in the view after the cursor; moves the
    /// cursor past it and returns the view from the old cursor to the end of
    /// the match. Panics at the deadline.
    pub fn expect(&self, needle: &str) -> String {
        self.expect_with(&format!("{needle:?}"), |view, from| {
            find(&view[from..], needle.as_bytes()).map(|at| from + at + needle.len())
        })
    }

    /// Waits until a complete line (ended by a line break, trailing blanks
    /// ignored) after the cursor equals `line` exactly. Moves the cursor past
    /// that line; returns the view from the old cursor to the end of it.
    pub fn expect_line(&self, line: &str) -> String {
        self.expect_with(&format!("the line {line:?}"), |view, from| {
            find_line(view, from, &|l: &str| l == line).map(|(_, end)| end)
        })
    }

    /// Waits until a complete line after the cursor satisfies `pred` (given
    /// the line without its break and trailing blanks); moves the cursor past
    /// it and returns that line. `what` names it in the timeout message.
    pub fn expect_line_matching(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let mut matched = String::new();
        self.expect_with(what, |view, from| {
            let (line, end) = find_line(view, from, &pred)?;
            matched = line;
            Some(end)
        });
        matched
    }

    /// Waits until a complete line after the cursor begins with `prefix`;
    /// returns the line (see [`Pty::expect_line_matching`]).
    pub fn expect_line_starting(&self, prefix: &str) -> String {
        self.expect_line_matching(&format!("a line starting with {prefix:?}"), |l| {
            l.starts_with(prefix)
        })
    }

    /// Like [`Pty::expect_line_matching`], but gives up after `timeout`
    /// (returns `None`, cursor unchanged) instead of panicking. For retry
    /// loops; prefer the panicking forms.
    pub fn try_expect_line_matching(
        &self,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let mut matched = String::new();
        self.wait_match(timeout, |view, from| {
            let (line, end) = find_line(view, from, &pred)?;
            matched = line;
            Some(end)
        })
        .ok()?;
        Some(matched)
    }

    /// Panicking form of [`Pty::wait_match`] with the default deadline.
    fn expect_with(&self, what: &str, locate: impl FnMut(&[u8], usize) -> Option<usize>) -> String {
        match self.wait_match(self.timeout, locate) {
            Ok(text) => text,
            Err(Failed::Eof(tail)) => panic!(
                "EOF (the program exited: {:?}) while waiting for {what}; output (⟦▶⟧ marks the cursor):\n{tail}",
                self.try_exit_status()
            ),
            Err(Failed::Timeout(tail)) => panic!(
                "timed out after {:?} waiting for {what}; {}output (⟦▶⟧ marks the cursor):\n{tail}",
                self.timeout,
                self.describe_processes()
            ),
        }
    }

    /// The general form: `locate` gets the whole view and the cursor, and
    /// returns where the match ends. On a match, moves the cursor there and
    /// returns the view from the old cursor; woken by the reader thread.
    fn wait_match(
        &self,
        timeout: Duration,
        mut locate: impl FnMut(&[u8], usize) -> Option<usize>,
    ) -> Result<String, Failed> {
        let deadline = Instant::now() + timeout;
        let mut out = self.shared.lock();
        loop {
            let from = out.cursor;
            if let Some(end) = locate(&out.view, from) {
                out.cursor = end;
                return Ok(String::from_utf8_lossy(&out.view[from..end]).into_owned());
            }
            if out.eof {
                return Err(Failed::Eof(render_tail(&out)));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Failed::Timeout(render_tail(&out)));
            }
            out = self
                .shared
                .changed
                .wait_timeout(out, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Moves the cursor to the end of what has been read so far (skips it).
    pub fn skip_all(&self) {
        let mut out = self.shared.lock();
        out.cursor = out.view.len();
    }

    /// The whole view read so far.
    pub fn view(&self) -> String {
        String::from_utf8_lossy(&self.shared.lock().view).into_owned()
    }

    /// The view after the cursor (not consumed).
    pub fn pending(&self) -> String {
        let out = self.shared.lock();
        String::from_utf8_lossy(&out.view[out.cursor..]).into_owned()
    }

    /// The raw bytes read so far (escape sequences included).
    pub fn raw(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// The last ~2 KB of the view with the cursor marked, for messages.
    pub fn tail(&self) -> String {
        render_tail(&self.shared.lock())
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

    // ---- processes ----

    /// Live processes of the child's session.
    pub fn session_processes(&self) -> Vec<procfs::ProcStat> {
        procfs::session_members(self.pid)
    }

    /// Live processes started from this PTY: in the child's session, or
    /// carrying its tag (inherited by everything it started, even processes
    /// that left the session). Used to check that nothing is left behind.
    pub fn started_processes(&self) -> Vec<procfs::ProcStat> {
        let me = std::process::id() as i32;
        procfs::all()
            .into_iter()
            .filter(|p| p.is_alive() && p.pid != me)
            .filter(|p| p.session == self.pid || procfs::has_env(p.pid, &self.tag))
            .collect()
    }

    /// Waits until a process of the session with exactly this argv exists;
    /// returns its pid (the lowest if several).
    pub fn wait_process(&self, argv: &[&str]) -> i32 {
        procfs::wait_for(
            self.timeout,
            &format!("a process {argv:?} in session {}", self.pid),
            || {
                procfs::find_in_session(self.pid, argv)
                    .iter()
                    .map(|p| p.pid)
                    .min()
            },
            || self.describe_session(),
        )
    }

    /// Waits until a process with exactly this argv is in the terminal's
    /// foreground process group (it has been exec'd AND handed the terminal,
    /// so a Ctrl-C/Ctrl-Z typed now reaches it); returns its pid.
    pub fn wait_foreground(&self, argv: &[&str]) -> i32 {
        procfs::wait_for(
            self.timeout,
            &format!("a process {argv:?} in the terminal's foreground group"),
            || {
                let fg = self.foreground_pgrp()?;
                procfs::find_in_session(self.pid, argv)
                    .into_iter()
                    .find(|p| p.pgrp == fg)
                    .map(|p| p.pid)
            },
            || self.describe_session(),
        )
    }

    /// Waits until the terminal's foreground group is the child's own (the
    /// shell has taken the terminal back).
    pub fn wait_shell_foreground(&self) {
        procfs::wait_for(
            self.timeout,
            "the shell to own the terminal",
            || (self.foreground_pgrp() == Some(self.pid)).then_some(()),
            || self.describe_session(),
        );
    }

    /// One line per session member: pid, pgrp, state, argv; and the tty's
    /// foreground group.
    pub fn describe_session(&self) -> String {
        let mut s = self.describe_processes();
        s.push_str("output (⟦▶⟧ marks the cursor):\n");
        s.push_str(&self.tail());
        s
    }

    /// The session's processes (pid, pgrp, state, argv) and the terminal's
    /// foreground group, for messages.
    pub fn describe_processes(&self) -> String {
        let mut s = format!(
            "terminal foreground pgrp {:?}; session {}:\n",
            self.foreground_pgrp(),
            self.pid
        );
        for p in self.session_processes() {
            s.push_str(&format!(
                "  pid {} pgrp {} state {} {:?}\n",
                p.pid,
                p.pgrp,
                p.state,
                procfs::cmdline(p.pid).unwrap_or_default()
            ));
        }
        s
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

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The first complete line of `view` (one that ends with `\n`) that starts
/// at or after `from`, at the view's beginning or right after a `\n`, and
/// satisfies `pred` once trailing blanks are trimmed. If `from` is mid-line,
/// the rest of that line is not a line of its own. Returns the line and the
/// offset just past its `\n`.
fn find_line(view: &[u8], from: usize, pred: &impl Fn(&str) -> bool) -> Option<(String, usize)> {
    let mut start = from;
    if start > 0 && view[start - 1] != b'\n' {
        start += view[start..].iter().position(|&b| b == b'\n')? + 1;
    }
    while let Some(nl) = view[start..].iter().position(|&b| b == b'\n') {
        let end = start + nl;
        let line = String::from_utf8_lossy(&view[start..end]);
        let line = line.trim_end_matches([' ', '\t']);
        if pred(line) {
            return Some((line.to_string(), end + 1));
        }
        start = end + 1;
    }
    None
}

fn render_tail(out: &Output) -> String {
    let from = out.view.len().saturating_sub(TAIL);
    let from = (from..out.view.len())
        .find(|&i| out.view[i] & 0xC0 != 0x80)
        .unwrap_or(out.view.len());
    if out.cursor >= from {
        format!(
            "{}⟦▶⟧{}",
            String::from_utf8_lossy(&out.view[from..out.cursor]),
            String::from_utf8_lossy(&out.view[out.cursor..])
        )
    } else {
        format!(
            "(cursor is before this)\n{}",
            String::from_utf8_lossy(&out.view[from..])
        )
    }
}

/// Why a wait ended without a match; each carries the tail of the view.
enum Failed {
    Eof(String),
    Timeout(String),
}

/// A minimal terminal: strips escape sequences into a plain view, tracks the
/// cursor well enough to give a plausible answer to `ESC[6n`, and produces
/// the answers to queries.
struct Vt {
    state: VtState,
    params: Vec<u8>,
    rows: u16,
    cols: u16,
    row: u16,
    col: u16,
    saved: (u16, u16),
    /// Nothing has been added to the view since its last line break.
    at_line_start: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VtState {
    Ground,
    Esc,
    /// ESC followed by an intermediate byte (charset selection etc.): one more byte.
    EscIntermediate,
    Csi,
    Osc,
    OscEsc,
    /// DCS, SOS, PM, APC: a string ended by ST (ESC \).
    Str,
    StrEsc,
}

impl Vt {
    fn new(rows: u16, cols: u16) -> Vt {
        Vt {
            state: VtState::Ground,
            params: Vec::new(),
            rows,
            cols,
            row: 0,
            col: 0,
            saved: (0, 0),
            at_line_start: true,
        }
    }

    /// Ends the view's current line, unless it is empty (the view is fed
    /// chunk by chunk, so this is tracked here, not read off `view`).
    fn line_break(&mut self, view: &mut Vec<u8>) {
        if !self.at_line_start {
            view.push(b'\n');
            self.at_line_start = true;
        }
    }

    fn down(&mut self, n: u16) {
        self.row = self.row.saturating_add(n).min(self.rows - 1);
    }

    /// Feeds bytes from the program; appends to `view`; returns the replies.
    fn feed(&mut self, bytes: &[u8], view: &mut Vec<u8>) -> Vec<Vec<u8>> {
        let mut replies = Vec::new();
        for &b in bytes {
            match self.state {
                VtState::Ground => match b {
                    0x1b => self.state = VtState::Esc,
                    b'\r' => {
                        self.col = 0;
                        self.line_break(view);
                    }
                    b'\n' | 0x0b | 0x0c => {
                        self.down(1);
                        self.line_break(view);
                    }
                    0x08 => self.col = self.col.saturating_sub(1),
                    b'\t' => {
                        self.col = ((self.col / 8 + 1) * 8).min(self.cols - 1);
                        view.push(b'\t');
                        self.at_line_start = false;
                    }
                    0..=0x1f | 0x7f => {}
                    _ => {
                        view.push(b);
                        self.at_line_start = false;
                        // Count characters, not UTF-8 continuation bytes.
                        if b & 0xC0 != 0x80 {
                            self.col += 1;
                            if self.col >= self.cols {
                                self.col = 0;
                                self.down(1);
                            }
                        }
                    }
                },
                VtState::Esc => {
                    self.state = VtState::Ground;
                    match b {
                        b'[' => {
                            self.params.clear();
                            self.state = VtState::Csi;
                        }
                        b']' => self.state = VtState::Osc,
                        b'P' | b'X' | b'^' | b'_' => self.state = VtState::Str,
                        b' '..=b'/' => self.state = VtState::EscIntermediate,
                        b'7' => self.saved = (self.row, self.col),
                        b'8' => (self.row, self.col) = self.saved,
                        b'D' => self.down(1),
                        b'E' => {
                            self.down(1);
                            self.col = 0;
                            self.line_break(view);
                        }
                        b'M' => self.row = self.row.saturating_sub(1),
                        b'c' => (self.row, self.col) = (0, 0),
                        _ => {}
                    }
                }
                VtState::EscIntermediate => self.state = VtState::Ground,
                VtState::Csi => match b {
                    0x20..=0x3f => self.params.push(b),
                    0x40..=0x7e => {
                        self.state = VtState::Ground;
                        if let Some(reply) = self.csi(b, view) {
                            replies.push(reply);
                        }
                    }
                    0x1b => self.state = VtState::Esc,
                    _ => {} // C0 controls inside a sequence: ignore
                },
                VtState::Osc => match b {
                    0x07 => self.state = VtState::Ground,
                    0x1b => self.state = VtState::OscEsc,
                    _ => {}
                },
                VtState::OscEsc => self.state = VtState::Ground,
                VtState::Str => {
                    if b == 0x1b {
                        self.state = VtState::StrEsc;
                    }
                }
                VtState::StrEsc => {
                    self.state = if b == b'\\' {
                        VtState::Ground
                    } else {
                        VtState::Str
                    }
                }
            }
        }
        replies
    }

    /// Handles a CSI sequence ending in `fin`; returns a reply for queries.
    fn csi(&mut self, fin: u8, view: &mut Vec<u8>) -> Option<Vec<u8>> {
        let params = String::from_utf8_lossy(&self.params).into_owned();
        let private = params.starts_with(['?', '>', '<', '=']);
        let nums: Vec<u16> = params
            .trim_start_matches(['?', '>', '<', '='])
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let n = |i: usize| nums.get(i).copied().filter(|&v| v > 0).unwrap_or(1);
        let pos = |row: u16, col: u16| format!("\x1b[{};{}R", row + 1, col + 1).into_bytes();
        match (fin, private) {
            // Device status report: cursor position, and "are you OK".
            (b'n', false) if params == "6" => return Some(pos(self.row, self.col)),
            (b'n', false) if params == "5" => return Some(b"\x1b[0n".to_vec()),
            (b'n', true) if params == "?6" => {
                return Some(format!("\x1b[?{};{}R", self.row + 1, self.col + 1).into_bytes())
            }
            // Primary device attributes: a VT100 with advanced video.
            (b'c', false) if nums == [0] => return Some(b"\x1b[?1;2c".to_vec()),
            (b'H' | b'f', false) => {
                self.row = (n(0) - 1).min(self.rows - 1);
                self.col = (n(1) - 1).min(self.cols - 1);
                self.line_break(view);
            }
            (b'A', false) => {
                self.row = self.row.saturating_sub(n(0));
                self.line_break(view);
            }
            (b'B', false) => {
                self.down(n(0));
                self.line_break(view);
            }
            (b'C', false) => self.col = (self.col + n(0)).min(self.cols - 1),
            (b'D', false) => self.col = self.col.saturating_sub(n(0)),
            (b'E', false) => {
                self.down(n(0));
                self.col = 0;
                self.line_break(view);
            }
            (b'F', false) => {
                self.row = self.row.saturating_sub(n(0));
                self.col = 0;
                self.line_break(view);
            }
            (b'G' | b'`', false) => {
                self.col = (n(0) - 1).min(self.cols - 1);
                self.line_break(view);
            }
            (b'd', false) => {
                self.row = (n(0) - 1).min(self.rows - 1);
                self.line_break(view);
            }
            (b's', false) => self.saved = (self.row, self.col),
            (b'u', false) => (self.row, self.col) = self.saved,
            _ => {} // SGR, erase, modes, kitty keyboard query (unanswered = unsupported)…
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> (String, Vec<Vec<u8>>) {
        let mut vt = Vt::new(ROWS, COLS);
        let mut view = Vec::new();
        let replies = vt.feed(input, &mut view);
        (String::from_utf8(view).unwrap(), replies)
    }

    #[test]
    fn strips_and_answers() {
        let (view, replies) = run(b"\x1b[1;32mcorral> \x1b[0m\x1b[6n\x1b]133;A\x07ok\r\ndone");
        assert_eq!(view, "corral> ok\ndone");
        assert_eq!(replies, vec![b"\x1b[1;9R".to_vec()]);
    }

    #[test]
    fn query_split_across_chunks() {
        let mut vt = Vt::new(ROWS, COLS);
        let mut view = Vec::new();
        assert!(vt.feed(b"ab\x1b[", &mut view).is_empty());
        assert_eq!(vt.feed(b"6n", &mut view), vec![b"\x1b[1;3R".to_vec()]);
    }

    #[test]
    fn repaints_become_lines() {
        let (view, _) = run(b"corral> ec\x1b[1;1H\x1b[Jcorral> echo hi\r\n");
        assert_eq!(view, "corral> ec\ncorral> echo hi\n");
    }

    #[test]
    fn breaks_do_not_double_across_chunks() {
        let mut vt = Vt::new(ROWS, COLS);
        let mut view = Vec::new();
        vt.feed(b"out:hello\r\n", &mut view);
        vt.feed(b"\x1b[3;1H\x1b[Jcorral> ", &mut view);
        assert_eq!(view, b"out:hello\ncorral> ");
    }

    #[test]
    fn line_search() {
        let view = b"corral> echo $?\n130\ncorral> ";
        let (line, end) = find_line(view, 0, &|l: &str| l == "130").unwrap();
        assert_eq!(line, "130");
        assert_eq!(&view[end..], b"corral> ");
        assert!(find_line(b"1305\n", 0, &|l: &str| l == "130").is_none());
        // Mid-line cursor: the fragment "130" after "x" is not a line.
        assert!(find_line(b"x130\n", 1, &|l: &str| l == "130").is_none());
        assert_eq!(
            find_line(b"x\n130  \n", 1, &|l: &str| l == "130")
                .unwrap()
                .1,
            8
        );
    }
}
