//! Starting one pipeline member, its program resolved and its streams
//! chosen: by `clone3` ([`sys::spawn`]), or by std's spawn where that is
//! not available or the embedder gave a `pre_exec` hook (which needs a
//! forked child).
//!
//! Either way the child gets the same start: its own standard streams and
//! no other descriptor of ours (all are close-on-exec), the job's process
//! group, an empty signal mask, SIGPIPE and the job-control signals at
//! their default action, and other ignored signals still ignored.

use std::ffi::{CString, OsStr, OsString};
use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use super::Target;
use crate::error::{Error, Result};
use crate::spec::PreExec;
use crate::sys;
use crate::sys::spawn::{Exec, Failure};

/// What every member of a job shares.
pub(super) struct JobSetup<'a> {
    pub(super) cwd: Option<&'a Path>,
    pub(super) env_clear: bool,
    pub(super) env: &'a [(OsString, Option<OsString>)],
    pub(super) pre_exec: Option<&'a PreExec>,
    /// Signals the members start ignoring (bit N-1 for signal N).
    pub(super) ignored: u64,
}

/// One member to start.
pub(super) struct MemberSetup<'a> {
    /// The file to execute.
    pub(super) path: &'a Path,
    /// The program as given (the name errors use).
    pub(super) program: &'a OsStr,
    /// The program's `argv[0]`.
    pub(super) arg0: &'a OsStr,
    pub(super) args: &'a [OsString],
    pub(super) env: &'a [(OsString, Option<OsString>)],
    /// stdin, stdout, stderr.
    pub(super) stdio: [Target; 3],
    /// Further descriptors the program gets, by number.
    pub(super) fds: &'a [(i32, OwnedFd)],
    /// The job's group; 0 for the first member, which leads it.
    pub(super) pgid: i32,
}

/// Starts the member; returns its pid.
///
/// # Errors
/// [`Error::CommandNotFound`] / [`Error::PermissionDenied`] when exec
/// says so, [`Error::BadDirectory`] when the child cannot change to the
/// job's directory, else [`Error::Spawn`].
pub(super) fn launch(job: &JobSetup<'_>, m: MemberSetup<'_>) -> Result<i32> {
    if job.pre_exec.is_none() && m.fds.is_empty() {
        match launch_clone(job, &m) {
            Ok(pid) => return Ok(pid),
            Err(Failure::Unsupported) => {}
            Err(f) => return Err(failure_error(job, &m, f)),
        }
    }
    launch_std(job, m)
}

fn name(m: &MemberSetup<'_>) -> String {
    m.program.to_string_lossy().into_owned()
}

fn failure_error(job: &JobSetup<'_>, m: &MemberSetup<'_>, f: Failure) -> Error {
    match f {
        Failure::Chdir(source) => Error::BadDirectory {
            path: job.cwd.map(|d| d.display().to_string()).unwrap_or_default(),
            source,
        },
        Failure::Exec(source) => exec_error(m.program, source),
        Failure::Os(source) | Failure::Setup(source) => Error::Spawn {
            command: name(m),
            source,
        },
        Failure::Unsupported | Failure::NoClone3 => Error::Spawn {
            command: name(m),
            source: io::Error::from(io::ErrorKind::Unsupported),
        },
    }
}

/// The error for an exec (or std spawn) that failed with `source`.
fn exec_error(program: &std::ffi::OsStr, source: io::Error) -> Error {
    let command = program.to_os_string();
    match source.kind() {
        io::ErrorKind::NotFound => Error::CommandNotFound { command },
        io::ErrorKind::PermissionDenied => Error::PermissionDenied { command },
        _ => Error::Spawn {
            command: program.to_string_lossy().into_owned(),
            source,
        },
    }
}

fn nul_error() -> Failure {
    Failure::Os(io::Error::new(
        io::ErrorKind::InvalidInput,
        "nul byte found in provided data",
    ))
}

fn cstring(bytes: &[u8]) -> std::result::Result<CString, Failure> {
    CString::new(bytes).map_err(|_| nul_error())
}

fn launch_clone(job: &JobSetup<'_>, m: &MemberSetup<'_>) -> std::result::Result<i32, Failure> {
    let path = cstring(m.path.as_os_str().as_bytes())?;
    let cwd = job
        .cwd
        .map(|d| cstring(d.as_os_str().as_bytes()))
        .transpose()?;
    let argv: Vec<CString> = std::iter::once(m.arg0)
        .chain(m.args.iter().map(OsString::as_os_str))
        .map(|a| cstring(a.as_bytes()))
        .collect::<std::result::Result<_, _>>()?;
    let envp = environment(job, m)?;
    fn fd(t: &Target) -> Option<BorrowedFd<'_>> {
        match t {
            Target::Inherit => None,
            Target::Fd(fd) => Some(fd.as_fd()),
        }
    }
    // Not waiting for the exec leaves its failure to the exit status: only
    // where nothing exec or chdir would refuse is known in advance (see
    // `exec_ready`; `resolve` found the file executable).
    let detach = job.cwd.is_none_or(sys::can_search) && sys::spawn::exec_ready(&path, &argv, &envp);
    let [i, o, e] = &m.stdio;
    sys::spawn::spawn(Exec {
        path,
        argv,
        envp,
        cwd,
        pgid: m.pgid,
        stdio: [fd(i), fd(o), fd(e)],
        ignored: job.ignored,
        detach,
    })
}

/// The member's environment as `KEY=value` strings: ours (unless cleared)
/// with the job's changes, then the member's, applied in order.
fn environment(
    job: &JobSetup<'_>,
    m: &MemberSetup<'_>,
) -> std::result::Result<Vec<CString>, Failure> {
    let mut vars: Vec<(OsString, OsString)> = if job.env_clear {
        Vec::new()
    } else {
        std::env::vars_os().collect()
    };
    for (k, v) in job.env.iter().chain(m.env) {
        vars.retain(|(key, _)| key != k);
        if let Some(v) = v {
            vars.push((k.clone(), v.clone()));
        }
    }
    vars.into_iter()
        .map(|(k, v)| {
            // One allocation per variable: room for `=` and the NUL.
            let mut kv = Vec::with_capacity(k.len() + v.len() + 2);
            kv.extend_from_slice(k.as_bytes());
            kv.push(b'=');
            kv.extend_from_slice(v.as_bytes());
            CString::new(kv).map_err(|_| nul_error())
        })
        .collect()
}

/// std's spawn (posix_spawn, or fork where a hook must run in the child).
fn launch_std(job: &JobSetup<'_>, m: MemberSetup<'_>) -> Result<i32> {
    let mut cmd = Command::new(m.path);
    cmd.arg0(m.arg0).args(m.args);
    if let Some(dir) = job.cwd {
        cmd.current_dir(dir);
    }
    if job.env_clear {
        cmd.env_clear();
    }
    for (k, v) in job.env.iter().chain(m.env.iter()) {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    let program = m.program;
    let [i, o, e] = m.stdio;
    cmd.stdin(i.into_stdio())
        .stdout(o.into_stdio())
        .stderr(e.into_stdio());
    cmd.process_group(m.pgid);
    // An ignored job-control signal survives exec; reset those in the
    // child. A hook means a fork, which keeps the mask: empty it too.
    let ignored: Vec<i32> = sys::ignored_job_signals()
        .into_iter()
        .filter(|&sig| job.ignored & (1 << (sig - 1)) == 0)
        .collect();
    if !ignored.is_empty() || job.pre_exec.is_some() || !m.fds.is_empty() || job.ignored != 0 {
        let reset = sys::reset_dispositions(ignored, job.ignored);
        // SAFETY: the hook only calls signal(2) and sigprocmask(2), which are
        // async-signal-safe.
        unsafe {
            cmd.pre_exec(reset);
        }
    }
    if !m.fds.is_empty() {
        let place = sys::place_fds(m.fds).map_err(|source| Error::Spawn {
            command: program.to_string_lossy().into_owned(),
            source,
        })?;
        // SAFETY: the hook only calls dup2(2) and fcntl(2), which are
        // async-signal-safe, on descriptors it owns copies of.
        unsafe {
            cmd.pre_exec(place);
        }
    }
    if let Some(hook) = job.pre_exec {
        let hook = Arc::clone(hook);
        // SAFETY: the embedder promised (ProcessSpec::pre_exec is unsafe) that the
        // hook only makes async-signal-safe calls; we add nothing else.
        unsafe {
            cmd.pre_exec(move || hook());
        }
    }
    let child = cmd.spawn().map_err(|source| exec_error(program, source))?;
    // std's Child neither kills nor waits on drop; the reaper owns the pid now.
    Ok(child.id() as i32)
}
