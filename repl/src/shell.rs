//! The shell's state: variables, working directory, last status, the kernel,
//! the mount table, and the job table the builtins work on.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use corral_kernel::{Events, Job, JobId, Kernel};
use corral_vfs::MountTable;

use crate::interp::{Lang, Vars};
use crate::jobs::{JobNum, JobTable};
use crate::rawbytes;
use crate::redirect::Fds;
use crate::terminal::Terminal;

/// How long jobs get between TERM and KILL when the shell exits.
pub const EXIT_GRACE: Duration = Duration::from_secs(1);

/// What a command line may change in the shell; cloned for subshells
/// (`( … )` groups, pipeline members and background builtins).
#[derive(Clone)]
pub struct Env {
    /// Shell variables.
    pub vars: Vars,
    /// The logical working directory (the process itself never chdirs).
    pub cwd: PathBuf,
    /// `$?`.
    pub last_status: i32,
    /// `$!`: the last pid of a process job, `%N` for a future job.
    pub last_bg: Option<String>,
    /// The job engine.
    pub kernel: Kernel,
    /// `/v/jobs`, `/v`, and the host filesystem.
    pub vfs: Arc<MountTable>,
    /// The script name, `$0`.
    pub arg0: String,
    /// The process's own working directory (children started elsewhere need a chdir).
    pub process_cwd: PathBuf,
    /// Functions, positional parameters, options, traps, aliases.
    pub lang: Lang,
}

impl Env {
    /// An absolute path for `p` (relative to the shell's cwd); `~` is not expanded here.
    pub fn absolute(&self, p: &str) -> String {
        if p.starts_with('/') {
            p.to_string()
        } else {
            let joined = self.cwd.join(rawbytes::path(p));
            rawbytes::from_path(&joined).into_owned()
        }
    }

    /// `p` (shell text) as a path, relative to the logical cwd.
    pub fn absolute_path(&self, p: &str) -> PathBuf {
        let p = rawbytes::path(p);
        if p.is_absolute() {
            p.into_owned()
        } else {
            self.cwd.join(p)
        }
    }
}

/// The interactive or script shell: an `Env` plus job control.
pub struct Shell {
    /// Variables, cwd, kernel, mounts.
    pub env: Env,
    /// The jobs as `jobs`, `fg`, `%N` see them.
    pub jobs: JobTable,
    /// Kernel events not yet folded into `jobs`.
    pub events: Events,
    /// Whether this shell reads commands from a user at a terminal.
    pub interactive: bool,
    /// The controlling terminal, when the shell does job control.
    pub terminal: Option<Arc<Terminal>>,
    /// Saved terminal modes of stopped jobs, restored on `fg`.
    pub job_modes: HashMap<JobNum, crate::terminal::Modes>,
    /// Set by `exit`: the status to exit with.
    pub exit_status: Option<i32>,
    /// The line (by `line_no`) on which `exit` last refused because of stopped jobs.
    pub exit_warned_line: Option<u64>,
    /// Lines run so far.
    pub line_no: u64,
    /// How far `fg` has shown each captured job's stdout and stderr.
    pub shown: HashMap<JobId, (u64, u64)>,
    /// Notices (Done, Stopped…) waiting to be printed before the next prompt.
    pub notices: Vec<String>,
    /// Woken on each SIGINT the shell itself receives (Ctrl-C while a builtin
    /// runs in the foreground).
    pub interrupt: Arc<tokio::sync::Notify>,
    /// Woken on each SIGTSTP the shell itself receives (Ctrl-Z while a future
    /// job is in the foreground).
    pub suspend: Arc<tokio::sync::Notify>,
    /// Writes to /v files by redirection, waiting for their command to end.
    pub vfs_writes: Vec<(String, tokio::task::JoinHandle<std::io::Result<()>>)>,
    /// The user interrupted the current line: the rest of it does not run.
    pub interrupted: bool,
    /// The shell's open descriptors (0, 1, 2 and those `exec 3>f` opened).
    pub fds: Fds,
    /// `break`, `continue` or `return` unwinding to its loop or function.
    pub flow: Option<crate::interp::Flow>,
    /// Copies of background jobs' output to the shell's own (`set +o bgquiet`).
    pub(crate) passthrough: Vec<crate::interp::background::Copier>,
    /// The future job this shell copy runs as (its processes are the job's children).
    pub future: Option<corral_kernel::FutureContext>,
    /// The task writing passed-through output to the shell's stdout/stderr.
    pub(crate) passthrough_sink: Option<crate::interp::background::Sink>,
    /// Commands run since the interpreter last yielded to the runtime.
    pub budget: u32,
    /// The last spawn failed with ENOEXEC (the file runs as a script).
    pub enoexec: bool,
    /// The status of the last `$(…)` of the current command.
    pub subst_status: Option<i32>,
    /// Each member's status of the last foreground process job that ended.
    pub member_statuses: Vec<i32>,
    /// While a pipeline member is expanded here: each variable its
    /// expansions wrote, as it was before (see `Shell::note_write`).
    pub(crate) member_writes: Option<Vec<(String, Option<crate::interp::Var>)>>,
    /// The running process substitutions of this shell and its subshells.
    pub(crate) procsubs: crate::exec::ProcSubs,
    /// A non-interactive shell got SIGINT (forwarded to its foreground job):
    /// the script stops once that job is gone.
    pub sigint: Arc<std::sync::atomic::AtomicBool>,
    /// The process group of the foreground job (0: none), for forwarding signals.
    pub fg_pgid: Arc<std::sync::atomic::AtomicI32>,
}

impl Shell {
    /// The kernel's job behind a number of the shell's table.
    pub fn kernel_job(&self, number: JobNum) -> Option<Job> {
        self.env.kernel.job_by_number(number.0)
    }

    /// A shell over a fresh kernel and the default mounts.
    ///
    /// # Errors
    /// When the kernel cannot start (no SIGCHLD listener).
    pub fn new(interactive: bool, arg0: String) -> Result<Shell, corral_kernel::Error> {
        let kernel = Kernel::new()?;
        let vfs = Arc::new(MountTable::new(kernel.clone()));
        // `/v/jobs/%%` and `%-` follow this shell's job table.
        let marks = corral_vfs::JobMarks::new();
        let _ = vfs.mount(
            "/v/jobs",
            corral_vfs::JobFs::new(kernel.clone()).with_marks(marks.clone()),
        );
        let mut jobs = JobTable::default();
        jobs.publish_to(marks);
        let events = kernel.subscribe();
        let cwd = inherited_pwd().unwrap_or_else(|| {
            normalize(&std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/")))
        });
        let process_cwd = cwd.clone();
        let mut vars = Vars::from_env();
        // `set -x`'s prefix; as bash, root does not take it from the environment.
        if crate::sys::effective_ids().0 == 0 {
            let _ = vars.unset("PS4");
        }
        if vars.get("PS4").is_none() {
            vars.set("PS4", "+ ");
        }
        // bash exports both at startup, OLDPWD unset until the first `cd`.
        vars.export("PWD", Some(rawbytes::from_path(&cwd).into_owned()));
        vars.export("OLDPWD", None);
        if std::env::var_os("PWD").as_deref() == Some(cwd.as_os_str()) {
            vars.mark_unchanged();
        }
        vars.startup_defaults();
        // bash's UID and EUID: readonly integers the environment cannot set.
        let ids = [
            ("UID", crate::sys::uid()),
            ("EUID", crate::sys::effective_ids().0),
        ];
        for (name, id) in ids {
            vars.set(name, id.to_string());
            let v = vars.entry(name);
            v.readonly = true;
            v.integer = true;
            v.exported = false;
        }
        Ok(Shell {
            env: Env {
                vars,
                cwd,
                last_status: 0,
                last_bg: None,
                kernel,
                vfs,
                arg0,
                process_cwd,
                lang: Lang::new(interactive),
            },
            jobs,
            events,
            interactive,
            terminal: None,
            job_modes: HashMap::new(),
            exit_status: None,
            exit_warned_line: None,
            line_no: 0,
            shown: HashMap::new(),
            notices: Vec::new(),
            interrupt: Arc::new(tokio::sync::Notify::new()),
            suspend: Arc::new(tokio::sync::Notify::new()),
            vfs_writes: Vec::new(),
            interrupted: false,
            fds: Fds::inherit(),
            flow: None,
            passthrough: Vec::new(),
            passthrough_sink: None,
            future: None,
            budget: 0,
            subst_status: None,
            member_statuses: Vec::new(),
            member_writes: None,
            procsubs: Arc::default(),
            enoexec: false,
            sigint: Arc::default(),
            fg_pgid: Arc::default(),
        })
    }

    /// Changes the logical working directory (`cd -L`).
    ///
    /// # Errors
    /// A message naming the directory when it is not one.
    pub fn chdir(&mut self, dir: &Path) -> Result<(), String> {
        self.chdir_with(dir, false)
    }

    /// Changes the working directory: lexically (`..` drops the last component, which
    /// must be a directory, as bash checks), or with symlinks resolved if `physical`
    /// (`cd -P`).
    ///
    /// # Errors
    /// A message naming the directory when it is not one.
    pub fn chdir_with(&mut self, dir: &Path, physical: bool) -> Result<(), String> {
        let target = if dir.is_absolute() {
            dir.to_path_buf()
        } else {
            self.env.cwd.join(dir)
        };
        let failed = |e: &std::io::Error| {
            let dir = rawbytes::from_path(dir);
            format!("{dir}: {}", crate::io::os_message(e))
        };
        let normal = if physical {
            match crate::vmount::real_dir(&target) {
                // A mount's paths have no host symlinks to resolve.
                std::borrow::Cow::Owned(_) => normalize(&target),
                std::borrow::Cow::Borrowed(_) => {
                    std::fs::canonicalize(&target).map_err(|e| failed(&e))?
                }
            }
        } else {
            checked_normalize(&target).map_err(|e| failed(&e))?
        };
        match std::fs::metadata(crate::vmount::real_dir(&normal)) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(format!("{}: Not a directory", rawbytes::from_path(dir))),
            Err(e) => return Err(failed(&e)),
        }
        let old = rawbytes::from_path(&self.env.cwd).into_owned();
        self.env.vars.set("OLDPWD", old);
        self.env.cwd = normal;
        let pwd = rawbytes::from_path(&self.env.cwd).into_owned();
        self.env.vars.set("PWD", pwd);
        Ok(())
    }
}

/// [`normalize`], failing as bash's `cd` does when a component a `..` removes
/// is not a directory (`cd nonexistent/..`).
fn checked_normalize(p: &Path) -> std::io::Result<PathBuf> {
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                if !std::fs::metadata(crate::vmount::real_dir(&out))?.is_dir() {
                    return Err(std::io::Error::from_raw_os_error(libc::ENOTDIR));
                }
                out.pop();
            }
            std::path::Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    Ok(out)
}

/// An inherited `$PWD` naming the process's directory (maybe through symlinks),
/// kept as the logical cwd as bash keeps it; no `getcwd` then.
fn inherited_pwd() -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let pwd = PathBuf::from(std::env::var_os("PWD")?);
    if !pwd.is_absolute() {
        return None;
    }
    let (named, here) = (std::fs::metadata(&pwd).ok()?, std::fs::metadata(".").ok()?);
    (named.dev() == here.dev() && named.ino() == here.ino()).then(|| normalize(&pwd))
}

/// Lexical normalisation of an absolute path (`.`, `..`, `//`), as `cd` does.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::Normal(n) => out.push(n),
            _ => {}
        }
    }
    out
}
