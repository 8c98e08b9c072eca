//! Starting a process job: resolve every program first (so a missing one starts
//! nothing), then spawn the members into one new process group, wiring pipes
//! between them and capture pipes into the job's rings (stdout through a
//! pseudo-terminal instead when the spec asks: see [`ProcessSpec::stdout_pty`]).

use std::cell::OnceCell;
use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::task::{Context, Poll};

use crate::error::{Error, Result};
use crate::job::JobId;
use crate::record::{Body, JobCore, ProcPart};
use crate::spec::{Cmd, Io, ProcessSpec};
use crate::stream::{Filled, OutputStream, RingBudget};
use crate::sys;

mod launch;
mod watch;

use launch::{JobSetup, MemberSetup};
pub(crate) use watch::Captures;
use watch::Watched;

/// Settings the spawner takes from the kernel.
pub(crate) struct SpawnSettings<'a> {
    pub(crate) output_cap: usize,
    pub(crate) lossless: bool,
    pub(crate) pipe_size: usize,
    /// The kernel's /dev/null, duplicated for each job that needs it
    /// (cheaper than opening it each time); `None`: open it.
    pub(crate) dev_null: Option<&'a OwnedFd>,
    /// The kernel's ring budget, shared by every stream it makes.
    pub(crate) ring_budget: &'a RingBudget,
    /// The kernel's watch on its capture pipes.
    pub(crate) captures: &'a Captures,
}

/// A freshly started process job and the pumps of its capture pipes
/// (stdout, stderr), for the job's task to drive.
pub(crate) struct Started {
    pub(crate) core: Arc<JobCore>,
    pub(crate) pumps: [Option<Pump>; 2],
}

/// The read end of a capture pipe and the stream it fills.
pub(crate) struct Pump {
    fd: Watched,
    stream: OutputStream,
    /// Pipe size to ask for once the stream is a heavy writer's (0: done,
    /// or never): only big producers gain from a big pipe.
    grow_to: u32,
    /// What the pipe was grown by, counted against the process-wide bound
    /// until the pump (and with it the pipe) is dropped.
    grown: Option<sys::PipeGrant>,
    /// Bytes read since the pump last went to sleep (saturating): a
    /// stream that gave [`HOT`] bytes in one go is a flood's.
    streak: u32,
}

/// Bytes read in one wake-up that make a stream hot: only then does the
/// pump, finding the pipe empty, wait [`SPIN`] for more before sleeping.
/// A trickling stream never spins.
const HOT: u32 = 32 << 10;

/// How long a hot pump looks for more bytes before it sleeps: a writer
/// that keeps producing refills the pipe sooner than a sleep and a
/// wake-up would take (each costs a context switch).
const SPIN: std::time::Duration = std::time::Duration::from_micros(10);

impl Pump {
    fn new(
        read: OwnedFd,
        stream: OutputStream,
        grow_to: usize,
        captures: &Captures,
    ) -> io::Result<Pump> {
        let grow_to = u32::try_from(grow_to).unwrap_or(u32::MAX);
        let fd = captures.watch(read)?;
        Ok(Pump {
            fd,
            stream,
            grow_to,
            grown: None,
            streak: 0,
        })
    }

    /// Registers `cx` for the pipe's readiness; `Ready` if there is
    /// something to read already (bytes, end of file or an error).
    pub(crate) fn poll_news(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.fd.poll_ready(cx).map(|_| ())
    }

    /// Moves what the pipe holds into the stream, reading until it is empty.
    /// `Ready` at end of file (or on an error: the pipe is given up).
    pub(crate) fn poll_pump(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        loop {
            match self.fd.poll_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok(())) => {}
                Poll::Ready(Err(_)) => return Poll::Ready(()),
            }
            let got = self.stream.fill_from(self.fd.get_ref());
            if let Ok(filled) = &got {
                if filled.heavy && self.grow_to > 0 {
                    // Best effort: the bound or the system may refuse.
                    self.grown = sys::grow_pipe(self.fd.get_ref(), self.grow_to as usize);
                    self.grow_to = 0;
                }
            }
            let emptied = match got {
                Ok(Filled { n: 0, .. }) => return Poll::Ready(()),
                // A short read emptied the pipe: wait for the next write
                // rather than spend a read(2) on EAGAIN.
                Ok(Filled { n, asked, .. }) => {
                    self.streak = self.streak.saturating_add(n as u32);
                    n < asked
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => false,
                Err(_) => return Poll::Ready(()),
            };
            if emptied {
                if self.streak >= HOT && sys::wait_readable(self.fd.get_ref(), SPIN) {
                    continue;
                }
                self.streak = 0;
                self.fd.clear_ready();
            }
        }
    }

    /// Reads what the pipe holds now, without waiting for the reactor to
    /// report it; true at end of file. Used once the job's members are
    /// gone: what they wrote is in the pipe already, at most a pipe's
    /// capacity, so it stops once the pipe is empty or that much is read
    /// (a leftover process may keep writing).
    pub(crate) fn drain_now(&mut self) -> bool {
        let mut read = 0;
        // Asked only of a big writer's pipe (most jobs write little).
        let mut budget = None;
        loop {
            match self.stream.fill_from(self.fd.get_ref()) {
                Ok(Filled { n: 0, .. }) => return true,
                Ok(Filled { n, .. }) => read += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return e.kind() != io::ErrorKind::WouldBlock,
            }
            if read >= 1 << 16
                && read > *budget.get_or_insert_with(|| sys::pipe_capacity(self.fd.get_ref()))
            {
                return false;
            }
        }
    }
}

pub(crate) fn make_stream(cap: usize, lossless: bool, budget: &RingBudget) -> Result<OutputStream> {
    if lossless {
        OutputStream::with_spill_and_budget(cap, budget).map_err(|source| Error::Io {
            context: "creating the output spill file".into(),
            source,
        })
    } else {
        Ok(OutputStream::with_budget(cap, budget))
    }
}

/// The capture pipe of one stream, made on first use and shared by every member
/// that writes to it.
#[derive(Default)]
struct Capture {
    read: Option<OwnedFd>,
    write: Option<OwnedFd>,
    /// Set while the last member is wired: it gets our write end itself
    /// (no one needs a copy after it), saving a dup and a close.
    last: bool,
    /// A pseudo-terminal of this size instead of a pipe (the read end is
    /// then its master, the write end its slave).
    pty: Option<(u16, u16)>,
}

impl Capture {
    fn writer(&mut self) -> io::Result<OwnedFd> {
        if self.read.is_none() {
            let (r, w) = match self.pty {
                Some((rows, cols)) => sys::capture_pty(rows, cols)?,
                None => sys::capture_pipe()?,
            };
            self.read = Some(r);
            self.write = Some(w);
        }
        match (&self.write, self.last) {
            (Some(_), true) => self
                .write
                .take()
                .ok_or_else(|| io::Error::other("capture pipe missing")),
            (Some(w), false) => w.try_clone(),
            (None, _) => Err(io::Error::other("capture pipe already handed out")),
        }
    }
}

pub(crate) fn spawn(id: JobId, spec: ProcessSpec, settings: &SpawnSettings<'_>) -> Result<Started> {
    if spec.members.is_empty() || spec.members.iter().any(|m| m.program.is_empty()) {
        return Err(Error::EmptyCommand);
    }
    let cap = spec.options.output_cap.unwrap_or(settings.output_cap);
    let lossless = spec.options.lossless.unwrap_or(settings.lossless);
    let stdout = make_stream(cap, lossless, settings.ring_budget)?;
    let stderr = make_stream(cap, lossless, settings.ring_budget)?;

    let cwd = match &spec.cwd {
        Some(dir) => {
            check_dir(dir)?;
            Some(dir.clone())
        }
        None => None,
    };
    // Only relative names need the directory: look it up on first use.
    let base_dir = OnceCell::new();
    let base_dir = || {
        base_dir
            .get_or_init(|| match &cwd {
                Some(d) => d.clone(),
                None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
            })
            .as_path()
    };
    let path_var = job_path(&spec);
    let programs = spec
        .members
        .iter()
        .map(|m| {
            // `PATH=/x cmd`: the member's own PATH finds it (execvp's rule).
            let own = m.env.iter().rev().find(|(k, _)| k == "PATH");
            let path = own.map_or(path_var.as_deref(), |(_, v)| v.as_deref());
            resolve(&m.program, path, &base_dir)
        })
        .collect::<Result<Vec<_>>>()?;
    let null = || Target::null(settings.dev_null);

    let mut out_cap = Capture {
        pty: spec.stdout_pty.filter(|_| !spec.inherit_stdio),
        ..Capture::default()
    };
    let mut err_cap = Capture::default();
    let mut started = Abandon {
        pids: Vec::with_capacity(spec.members.len()),
    };
    let pids = &mut started.pids;
    let count = spec.members.len();
    let member_texts: Vec<String> = spec.members.iter().map(Cmd::display_text).collect();
    let fg = spec.inherit_stdio;
    let setup = JobSetup {
        cwd: cwd.as_deref(),
        env_clear: spec.env_clear,
        env: &spec.env,
        pre_exec: spec.pre_exec.as_ref(),
        ignored: spec.ignored,
    };

    let result = (|| -> Result<()> {
        let mut prev_read: Option<OwnedFd> = None;
        for (i, (member, program)) in spec.members.into_iter().zip(programs).enumerate() {
            let spawn_err = |source: io::Error| Error::Spawn {
                command: member.program.to_string_lossy().into_owned(),
                source,
            };
            let last = i + 1 == count;
            out_cap.last = last;
            err_cap.last = last;
            let from_prev = prev_read.take();
            let stdin = match (member.stdin, from_prev) {
                (Io::Default, Some(fd)) => Target::Fd(fd),
                (Io::Default, None) if fg => Target::Inherit,
                (Io::Default, None) => null().map_err(spawn_err)?,
                (other, _) => Target::open(other, None, null).map_err(spawn_err)?,
            };
            let to_next = if last {
                None
            } else {
                let (r, w) = sys::plain_pipe().map_err(spawn_err)?;
                prev_read = Some(r);
                Some(w)
            };
            let captured = |cap: &mut Capture| -> io::Result<Target> {
                if fg {
                    Ok(Target::Inherit)
                } else {
                    cap.writer().map(Target::Fd)
                }
            };
            let stdout = match (member.stdout, to_next) {
                (Io::Default, Some(w)) => Some(Target::Fd(w)),
                (Io::Default, None) => Some(captured(&mut out_cap).map_err(spawn_err)?),
                (Io::ToStderr, _) => None,
                (other, _) => {
                    Some(Target::open(other, Some(&mut out_cap), null).map_err(spawn_err)?)
                }
            };
            let stderr = match (member.stderr, &stdout) {
                (Io::Default, _) => captured(&mut err_cap).map_err(spawn_err)?,
                (Io::ToStdout, Some(out)) => out.dup(1).map_err(spawn_err)?,
                (Io::ToStdout, None) => {
                    return Err(spawn_err(io::Error::new(
                        io::ErrorKind::InvalidInput,
                        "stdout and stderr redirected to each other",
                    )))
                }
                (other, _) => Target::open(other, Some(&mut err_cap), null).map_err(spawn_err)?,
            };
            let stdout = match stdout {
                Some(t) => t,
                None => stderr.dup(2).map_err(spawn_err)?,
            };
            let pid = launch::launch(
                &setup,
                MemberSetup {
                    path: &program,
                    program: &member.program,
                    arg0: member.arg0.as_deref().unwrap_or(&member.program),
                    args: &member.args,
                    env: &member.env,
                    stdio: [stdin, stdout, stderr],
                    fds: &member.fds,
                    pgid: pids.first().copied().unwrap_or(0),
                },
            )?;
            pids.push(pid);
        }
        Ok(())
    })();

    result?;
    // Parent copies of the capture write ends must go, or the pumps never see EOF.
    drop(out_cap.write.take());
    drop(err_cap.write.take());
    // A copy of the pty master, for window-size changes while the pump reads.
    let terminal = match (&out_cap.pty, &out_cap.read) {
        (Some(_), Some(master)) => Some(master.try_clone().map_err(|source| Error::Io {
            context: "keeping the job's terminal".into(),
            source,
        })?),
        _ => None,
    };
    let pump = |cap: Capture, stream: &OutputStream, grow_to| match cap.read {
        Some(read) => Pump::new(read, stream.clone(), grow_to, settings.captures)
            .map(Some)
            .map_err(|source| Error::Io {
                context: "watching a capture pipe".into(),
                source,
            }),
        None => {
            stream.close();
            Ok(None)
        }
    };
    let pumps = [
        pump(out_cap, &stdout, settings.pipe_size)?,
        pump(err_cap, &stderr, 0)?,
    ];

    let pids = std::mem::take(&mut started.pids);
    let pgid = pids.first().copied().unwrap_or(0);
    let part = ProcPart::new(pgid, pids, member_texts, &spec.text).with_terminal(terminal);
    let core = Arc::new(JobCore::new(
        id,
        spec.text,
        stdout,
        stderr,
        Body::Process(Box::new(part)),
    ));
    Ok(Started { core, pumps })
}

/// Where one standard stream of a child goes.
enum Target {
    Inherit,
    Fd(OwnedFd),
}

impl Target {
    /// /dev/null: a duplicate of `shared` if given, else freshly opened.
    fn null(shared: Option<&OwnedFd>) -> io::Result<Target> {
        if let Some(fd) = shared {
            return fd.try_clone().map(Target::Fd);
        }
        Ok(Target::Fd(open_dev_null()?))
    }

    /// An explicit `Io`; `cap` is the ring `Io::Capture` means here (None for stdin).
    fn open(
        io: Io,
        cap: Option<&mut Capture>,
        null: impl FnOnce() -> io::Result<Target>,
    ) -> io::Result<Target> {
        match (io, cap) {
            (Io::Inherit, _) => Ok(Target::Inherit),
            (Io::File(f), _) => Ok(Target::Fd(OwnedFd::from(f))),
            (Io::Capture | Io::Default, Some(cap)) => cap.writer().map(Target::Fd),
            (Io::Null | Io::Default | Io::Capture, _) => null(),
            (Io::ToStdout | Io::ToStderr, _) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "this redirection does not apply to this stream",
            )),
        }
    }

    /// A copy for `2>&1` / `>&2`; an inherited stream duplicates our own `fd`.
    fn dup(&self, fd: i32) -> io::Result<Target> {
        match self {
            Target::Fd(f) => f.try_clone().map(Target::Fd),
            Target::Inherit => sys::dup_own(fd).map(Target::Fd),
        }
    }

    fn into_stdio(self) -> Stdio {
        match self {
            Target::Inherit => Stdio::inherit(),
            Target::Fd(fd) => Stdio::from(fd),
        }
    }
}

/// /dev/null, open for reading and writing (close-on-exec, as std opens files).
pub(crate) fn open_dev_null() -> io::Result<OwnedFd> {
    Ok(OwnedFd::from(
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")?,
    ))
}

/// The members started so far. Until they are handed to the job's record,
/// dropping this kills and reaps them, so a spawn that fails at any step
/// leaves nothing behind.
struct Abandon {
    pids: Vec<i32>,
}

impl Drop for Abandon {
    fn drop(&mut self) {
        if let Some(&pgid) = self.pids.first() {
            let _ = sys::killpg(pgid, libc::SIGKILL);
            for &pid in &self.pids {
                sys::reap_blocking(pid);
            }
        }
    }
}

fn check_dir(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => Ok(()),
        Ok(_) => Err(Error::BadDirectory {
            path: dir.display().to_string(),
            source: io::Error::new(io::ErrorKind::NotADirectory, "Not a directory"),
        }),
        Err(source) => Err(Error::BadDirectory {
            path: dir.display().to_string(),
            source,
        }),
    }
}

/// The PATH the job will see.
fn job_path(spec: &ProcessSpec) -> Option<OsString> {
    let mut path = if spec.env_clear {
        None
    } else {
        std::env::var_os("PATH")
    };
    for (k, v) in &spec.env {
        if k == "PATH" {
            path = v.clone();
        }
    }
    path
}

/// Finds the file `program` names, as execvp would, and checks it can be executed.
/// `cwd` gives the directory relative names are resolved against.
fn resolve<'a>(
    program: &OsStr,
    path: Option<&OsStr>,
    cwd: &impl Fn() -> &'a Path,
) -> Result<PathBuf> {
    let name = program.to_os_string();
    let bytes = program.as_encoded_bytes();
    if bytes.contains(&b'/') {
        let p = Path::new(program);
        let p = if p.is_absolute() {
            p.to_path_buf()
        } else {
            cwd().join(p)
        };
        return match std::fs::metadata(&p) {
            Ok(m) if m.is_dir() || m.permissions().mode() & 0o111 == 0 => {
                Err(Error::PermissionDenied { command: name })
            }
            Ok(_) if !sys::can_execute(&p) => Err(Error::PermissionDenied { command: name }),
            Ok(_) => Ok(p),
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
                Err(Error::PermissionDenied { command: name })
            }
            Err(_) => Err(Error::CommandNotFound { command: name }),
        };
    }
    let search = path.unwrap_or(OsStr::new("/usr/local/bin:/usr/bin:/bin"));
    let mut denied = false;
    for dir in std::env::split_paths(search) {
        let dir = if dir.as_os_str().is_empty() {
            cwd().to_path_buf()
        } else if dir.is_absolute() {
            dir
        } else {
            cwd().join(dir)
        };
        let candidate = dir.join(program);
        if let Ok(m) = std::fs::metadata(&candidate) {
            if m.is_file() && m.permissions().mode() & 0o111 != 0 && sys::can_execute(&candidate) {
                return Ok(candidate);
            }
            if m.is_file() {
                denied = true;
            }
        }
    }
    if denied {
        Err(Error::PermissionDenied { command: name })
    } else {
        Err(Error::CommandNotFound { command: name })
    }
}
