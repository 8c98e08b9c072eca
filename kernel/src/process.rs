//! Starting a process job: resolve every program first (so a missing one starts
//! nothing), then spawn the members into one new process group, wiring pipes
//! between them and capture pipes into the job's rings.

use std::ffi::{OsStr, OsString};
use std::io;
use std::os::fd::OwnedFd;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use tokio::io::AsyncReadExt;
use tokio::net::unix::pipe;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::record::{Body, JobCore, Member, ProcPart};
use crate::spec::{Io, ProcessSpec};
use crate::stream::OutputStream;
use crate::sys;

/// Settings the spawner takes from the kernel.
pub(crate) struct SpawnSettings {
    pub(crate) output_cap: usize,
    pub(crate) lossless: bool,
    pub(crate) pipe_size: usize,
}

/// A freshly started process job and the tasks pumping its output.
pub(crate) struct Started {
    pub(crate) core: Arc<JobCore>,
    pub(crate) pumps: Vec<JoinHandle<()>>,
}

pub(crate) fn make_stream(cap: usize, lossless: bool) -> Result<OutputStream> {
    if lossless {
        OutputStream::with_spill(cap).map_err(|source| Error::Io {
            context: "creating the output spill file".into(),
            source,
        })
    } else {
        Ok(OutputStream::new(cap))
    }
}

/// The capture pipe of one stream, made on first use and shared by every member
/// that writes to it.
struct Capture {
    read: Option<OwnedFd>,
    write: Option<OwnedFd>,
    size: usize,
}

impl Capture {
    fn new(size: usize) -> Self {
        Capture {
            read: None,
            write: None,
            size,
        }
    }

    fn writer(&mut self) -> io::Result<OwnedFd> {
        if self.write.is_none() {
            let (r, w) = sys::capture_pipe(self.size)?;
            self.read = Some(r);
            self.write = Some(w);
        }
        match &self.write {
            Some(w) => w.try_clone(),
            None => Err(io::Error::other("capture pipe missing")),
        }
    }
}

pub(crate) fn spawn(spec: ProcessSpec, settings: &SpawnSettings) -> Result<Started> {
    if spec.members.is_empty() || spec.members.iter().any(|m| m.program.is_empty()) {
        return Err(Error::EmptyCommand);
    }
    let cap = spec.options.output_cap.unwrap_or(settings.output_cap);
    let lossless = spec.options.lossless.unwrap_or(settings.lossless);
    let stdout = make_stream(cap, lossless)?;
    let stderr = make_stream(cap, lossless)?;

    let cwd = match &spec.cwd {
        Some(dir) => {
            check_dir(dir)?;
            Some(dir.clone())
        }
        None => None,
    };
    let base_dir = match &cwd {
        Some(d) => d.clone(),
        None => std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")),
    };
    let path_var = job_path(&spec);
    let programs = spec
        .members
        .iter()
        .map(|m| resolve(&m.program, path_var.as_deref(), &base_dir))
        .collect::<Result<Vec<_>>>()?;

    let mut out_cap = Capture::new(settings.pipe_size);
    let mut err_cap = Capture::new(0);
    let mut pids: Vec<i32> = Vec::with_capacity(spec.members.len());
    let count = spec.members.len();
    let fg = spec.foreground;

    let result = (|| -> Result<()> {
        let mut prev_read: Option<OwnedFd> = None;
        for (i, (member, program)) in spec.members.into_iter().zip(programs).enumerate() {
            let name = member.program.to_string_lossy().into_owned();
            let spawn_err = |source: io::Error| Error::Spawn {
                command: name.clone(),
                source,
            };
            let last = i + 1 == count;
            let mut cmd = Command::new(&program);
            cmd.arg0(&member.program).args(&member.args);
            if let Some(dir) = &cwd {
                cmd.current_dir(dir);
            }
            if spec.env_clear {
                cmd.env_clear();
            }
            for (k, v) in spec.env.iter().chain(member.env.iter()) {
                match v {
                    Some(v) => cmd.env(k, v),
                    None => cmd.env_remove(k),
                };
            }

            let from_prev = prev_read.take();
            let stdin = match (member.stdin, from_prev) {
                (Io::Default, Some(fd)) => Target::Fd(fd),
                (Io::Default, None) if fg => Target::Inherit,
                (Io::Default, None) => Target::null().map_err(spawn_err)?,
                (other, _) => Target::open(other, None).map_err(spawn_err)?,
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
                (other, _) => Some(Target::open(other, Some(&mut out_cap)).map_err(spawn_err)?),
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
                (other, _) => Target::open(other, Some(&mut err_cap)).map_err(spawn_err)?,
            };
            let stdout = match stdout {
                Some(t) => t,
                None => stderr.dup(2).map_err(spawn_err)?,
            };
            cmd.stdin(stdin.into_stdio())
                .stdout(stdout.into_stdio())
                .stderr(stderr.into_stdio());
            cmd.process_group(pids.first().copied().unwrap_or(0));
            if let Some(hook) = &spec.pre_exec {
                let hook = Arc::clone(hook);
                // SAFETY: the embedder promised (ProcessSpec::pre_exec is unsafe) that the
                // hook only makes async-signal-safe calls; we add nothing else.
                unsafe {
                    cmd.pre_exec(move || hook());
                }
            }
            let child = cmd.spawn().map_err(|source| match source.kind() {
                io::ErrorKind::NotFound => Error::CommandNotFound {
                    command: name.clone(),
                },
                io::ErrorKind::PermissionDenied => Error::PermissionDenied {
                    command: name.clone(),
                },
                _ => Error::Spawn {
                    command: name.clone(),
                    source,
                },
            })?;
            // std's Child neither kills nor waits on drop; the reaper owns the pid now.
            pids.push(child.id() as i32);
        }
        Ok(())
    })();

    if let Err(e) = result {
        abandon(&pids);
        return Err(e);
    }

    let pgid = pids.first().copied().unwrap_or(0);
    let core = Arc::new(JobCore::new(
        spec.text,
        stdout.clone(),
        stderr.clone(),
        Body::Process(ProcPart {
            pgid,
            members: Mutex::new(vec![Member::Running; pids.len()]),
            pids,
            members_done: Notify::new(),
        }),
    ));
    // Parent copies of the capture write ends must go, or the pumps never see EOF.
    drop(out_cap.write.take());
    drop(err_cap.write.take());
    let mut pumps = Vec::with_capacity(2);
    for (cap, stream) in [(out_cap, stdout), (err_cap, stderr)] {
        match cap.read {
            Some(read) => match start_pump(read, stream.clone()) {
                Ok(handle) => pumps.push(handle),
                Err(_) => stream.close(),
            },
            None => stream.close(),
        }
    }
    Ok(Started { core, pumps })
}

/// Where one standard stream of a child goes.
enum Target {
    Inherit,
    Fd(OwnedFd),
}

impl Target {
    fn null() -> io::Result<Target> {
        Ok(Target::Fd(OwnedFd::from(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open("/dev/null")?,
        )))
    }

    /// An explicit `Io`; `cap` is the ring `Io::Capture` means here (None for stdin).
    fn open(io: Io, cap: Option<&mut Capture>) -> io::Result<Target> {
        match (io, cap) {
            (Io::Inherit, _) => Ok(Target::Inherit),
            (Io::File(f), _) => Ok(Target::Fd(OwnedFd::from(f))),
            (Io::Capture | Io::Default, Some(cap)) => cap.writer().map(Target::Fd),
            (Io::Null | Io::Default | Io::Capture, _) => Target::null(),
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

/// Kills and reaps members already started when a later one failed to start,
/// so a failed spawn leaves nothing behind.
fn abandon(pids: &[i32]) {
    if let Some(&pgid) = pids.first() {
        let _ = sys::killpg(pgid, libc::SIGKILL);
        for &pid in pids {
            sys::reap_blocking(pid);
        }
    }
}

fn start_pump(read: OwnedFd, stream: OutputStream) -> io::Result<JoinHandle<()>> {
    let mut rx = pipe::Receiver::from_owned_fd(read)?;
    Ok(tokio::spawn(async move {
        // Start small (most jobs print little) and grow while reads fill the buffer.
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            match rx.read(&mut buf).await {
                Ok(0) => break,
                Ok(n) => {
                    stream.write(&buf[..n]);
                    if n == buf.len() && buf.len() < 256 * 1024 {
                        buf.resize(buf.len() * 4, 0);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    }))
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
fn resolve(program: &OsStr, path: Option<&OsStr>, cwd: &Path) -> Result<PathBuf> {
    let name = program.to_string_lossy().into_owned();
    let bytes = program.as_encoded_bytes();
    if bytes.contains(&b'/') {
        let p = cwd.join(program);
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
            cwd.to_path_buf()
        } else {
            cwd.join(dir)
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
