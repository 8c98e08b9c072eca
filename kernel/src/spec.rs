//! What to run: [`ProcessSpec`] (a pipeline of [`Cmd`]s) and job options.

use std::ffi::{OsStr, OsString};
use std::fs::File;
use std::io;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

/// Where one of a process's standard streams goes.
#[derive(Debug, Default)]
#[non_exhaustive]
pub enum Io {
    /// Not given: the pipeline default (a pipe between members; at the ends,
    /// the spec's default: /dev/null for stdin, the job's ring for stdout/stderr).
    #[default]
    Default,
    /// /dev/null.
    Null,
    /// The embedder's own stream (e.g. a shell's foreground job on a terminal).
    Inherit,
    /// The job's output ring (stdout or stderr ring, by the stream it is used for).
    Capture,
    /// For stderr only: the same place as this member's stdout (`2>&1`).
    ToStdout,
    /// For stdout only: the same place as this member's stderr (`>&2`).
    ToStderr,
    /// An open file or pipe end the embedder made (redirections, builtin pipes).
    File(File),
}

/// One command of a pipeline: a program, its arguments, and its own redirections.
#[derive(Debug)]
pub struct Cmd {
    pub(crate) program: OsString,
    pub(crate) args: Vec<OsString>,
    pub(crate) stdin: Io,
    pub(crate) stdout: Io,
    pub(crate) stderr: Io,
    pub(crate) env: Vec<(OsString, Option<OsString>)>,
    pub(crate) text: Option<String>,
    pub(crate) fds: Vec<(i32, OwnedFd)>,
    pub(crate) arg0: Option<OsString>,
}

impl Cmd {
    /// A command running `program` (looked up on the job's PATH unless it contains `/`).
    pub fn new(program: impl Into<OsString>) -> Cmd {
        Cmd {
            program: program.into(),
            args: Vec::new(),
            stdin: Io::Default,
            stdout: Io::Default,
            stderr: Io::Default,
            env: Vec::new(),
            text: None,
            fds: Vec::new(),
            arg0: None,
        }
    }

    /// The program's `argv[0]` (`exec -a NAME`); default: the program as given.
    pub fn arg0(mut self, name: impl Into<OsString>) -> Cmd {
        self.arg0 = Some(name.into());
        self
    }

    /// The text this member is shown as (`jobs -l` lists pipeline members
    /// one per line); default: the program and arguments joined by spaces.
    pub fn text(mut self, text: impl Into<String>) -> Cmd {
        self.text = Some(text.into());
        self
    }

    /// The text this member is shown as (see [`Cmd::text`](Self::text)).
    pub fn display_text(&self) -> String {
        if let Some(t) = &self.text {
            return t.clone();
        }
        let mut text = self.program.to_string_lossy().into_owned();
        for a in &self.args {
            text.push(' ');
            text.push_str(&a.to_string_lossy());
        }
        text
    }

    /// Appends one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Cmd {
        self.args.push(arg.into());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets this command's stdin (overrides the pipe from the previous member).
    pub fn stdin(mut self, io: Io) -> Cmd {
        self.stdin = io;
        self
    }

    /// Sets this command's stdout (overrides the pipe to the next member).
    pub fn stdout(mut self, io: Io) -> Cmd {
        self.stdout = io;
        self
    }

    /// Sets this command's stderr.
    pub fn stderr(mut self, io: Io) -> Cmd {
        self.stderr = io;
        self
    }

    /// Sets an environment variable for this command only (`VAR=value cmd`).
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Cmd {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    /// Hands the program `fd` as its descriptor `target` (3 and up: `cmd 3<f`,
    /// or a `/dev/fd/N` path). Such a command starts through a forked child,
    /// which costs more than the usual start; 0, 1 and 2 are set with
    /// [`Cmd::stdin`] and friends, so a `target` below 3 is ignored.
    pub fn pass_fd(mut self, target: i32, fd: impl Into<OwnedFd>) -> Cmd {
        if target > 2 {
            self.fds.push((target, fd.into()));
        }
        self
    }

    /// The program as given.
    pub fn program(&self) -> &OsStr {
        &self.program
    }
}

/// A process job: one command or a pipeline, all in one new process group.
///
/// ```
/// use corral_kernel::{Cmd, ProcessSpec};
/// let spec = ProcessSpec::new("seq 3 | tac")
///     .pipe(Cmd::new("seq").arg("3"))
///     .pipe(Cmd::new("tac"));
/// assert_eq!(spec.command_text(), "seq 3 | tac");
/// ```
pub struct ProcessSpec {
    pub(crate) text: String,
    pub(crate) members: Vec<Cmd>,
    pub(crate) cwd: Option<PathBuf>,
    pub(crate) env_clear: bool,
    pub(crate) env: Vec<(OsString, Option<OsString>)>,
    pub(crate) inherit_stdio: bool,
    /// Window size of the pty captured stdout goes through (see [`ProcessSpec::stdout_pty`]).
    pub(crate) stdout_pty: Option<(u16, u16)>,
    pub(crate) options: JobOptions,
    pub(crate) pre_exec: Option<PreExec>,
    /// Signals the members start ignoring (bit N-1 for signal N).
    pub(crate) ignored: u64,
}

impl std::fmt::Debug for ProcessSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessSpec")
            .field("text", &self.text)
            .field("members", &self.members)
            .field("cwd", &self.cwd)
            .field("inherit_stdio", &self.inherit_stdio)
            .finish_non_exhaustive()
    }
}

pub(crate) type PreExec = std::sync::Arc<dyn Fn() -> io::Result<()> + Send + Sync + 'static>;

/// Per-job settings that override the kernel's.
///
/// ```
/// use corral_kernel::JobOptions;
/// let opts = JobOptions::new().output_cap(64 * 1024).hidden(true);
/// assert_eq!(opts.output_cap, Some(65536));
/// ```
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct JobOptions {
    /// Cap of each output ring in bytes (default: the kernel's).
    pub output_cap: Option<usize>,
    /// Keep the full output in a temp file as well (default: the kernel's).
    pub lossless: Option<bool>,
    /// Spawn without a number: the job is in the table (waits, signals,
    /// events, shutdown) but gets its user-visible number only when
    /// [`Kernel::show`](crate::Kernel::show) is called (default: false).
    pub hidden: bool,
    /// The job to start this one under (see [`JobInfo::parent`](crate::JobInfo::parent)).
    /// A future job parent's signals reach its children.
    pub parent: Option<crate::JobId>,
    /// The job's owner: an opaque id (an agent, a session, a tool call);
    /// see [`Scope`](crate::Scope).
    pub owner: Option<String>,
    /// `key=value` labels.
    pub labels: std::collections::BTreeMap<String, String>,
    /// End the job (TERM, grace, KILL) when it has run this long; its
    /// final state is then `Exited(124)` (default: the kernel's
    /// [`default_timeout`](crate::KernelConfig::default_timeout)).
    pub timeout: Option<std::time::Duration>,
    /// The grace between TERM and KILL when the timeout runs out
    /// (default: the kernel's [`timeout_grace`](crate::KernelConfig::timeout_grace)).
    pub timeout_grace: Option<std::time::Duration>,
    /// What terminating this job does to its subtree (default: leave it).
    pub orphans: crate::OrphanPolicy,
    /// Leave the job out of [`Completions`](crate::Completions) (default: false).
    pub quiet: bool,
    /// Publish [`JobEvent::StillRunning`](crate::JobEvent::StillRunning)
    /// at this interval while the job runs (default: the kernel's
    /// [`reminder`](crate::KernelConfig::reminder)).
    pub reminder: Option<std::time::Duration>,
    /// A process job's CPU time limit, user plus system over its members
    /// (see [`crate::supervise::resources`]).
    pub cpu_limit: Option<std::time::Duration>,
    /// A process job's memory limit in bytes, the resident sets of its
    /// members summed (see [`crate::supervise::resources`]).
    pub memory_limit: Option<u64>,
    /// Also write the job's output to this file (see [`OutputFile`](crate::OutputFile)).
    pub output_file: Option<crate::OutputFile>,
    /// Keep the output file when the job is removed (default: delete it).
    pub keep_output_file: bool,
    /// A future job only: give it a pid, that of an anchor process started
    /// with it, which stands for the job until it ends. Signals sent to
    /// that process from outside reach the job (see
    /// [`Kernel::signal`](crate::Kernel::signal)): SIGSTOP and SIGKILL
    /// too. Costs one process per job, cloned into ours on x86-64 (no copy
    /// of our memory), forked elsewhere (default: false).
    pub anchor: bool,
    /// Set by the restarting spawns (see [`crate::supervise::restart`]).
    pub(crate) restart: Option<std::sync::Arc<crate::supervise::restart::RestartState>>,
    /// `hidden` was set with the builder: a future job's children are
    /// hidden unless their options said so.
    pub(crate) hidden_given: bool,
}

impl JobOptions {
    /// The defaults: everything as the kernel is configured.
    pub fn new() -> JobOptions {
        JobOptions::default()
    }

    /// Sets [`cpu_limit`](#structfield.cpu_limit).
    pub fn cpu_limit(mut self, limit: std::time::Duration) -> JobOptions {
        self.cpu_limit = Some(limit);
        self
    }

    /// Sets [`memory_limit`](#structfield.memory_limit), in bytes.
    pub fn memory_limit(mut self, bytes: u64) -> JobOptions {
        self.memory_limit = Some(bytes);
        self
    }

    /// Writes the job's stdout and stderr, as they arrive, to `file` as
    /// well as to the rings; `keep` leaves the file in place when the job
    /// is removed.
    pub fn output_file(mut self, file: crate::OutputFile, keep: bool) -> JobOptions {
        self.output_file = Some(file);
        self.keep_output_file = keep;
        self
    }

    /// Sets the cap of each output ring in bytes.
    pub fn output_cap(mut self, cap: usize) -> JobOptions {
        self.output_cap = Some(cap);
        self
    }

    /// Keeps (or not) the full output in a temp file as well.
    pub fn lossless(mut self, yes: bool) -> JobOptions {
        self.lossless = Some(yes);
        self
    }

    /// Spawns the job hidden (see [`JobOptions::hidden`](#structfield.hidden)).
    /// A future job's children ([`FutureContext::spawn_process`](crate::FutureContext::spawn_process))
    /// are hidden unless this was called.
    pub fn hidden(mut self, yes: bool) -> JobOptions {
        self.hidden = yes;
        self.hidden_given = true;
        self
    }

    /// Gives a future job a pid (see [`JobOptions::anchor`](#structfield.anchor)).
    pub fn anchor(mut self, yes: bool) -> JobOptions {
        self.anchor = yes;
        self
    }

    /// Sets the job's owner (see [`Scope`](crate::Scope)).
    pub fn owner(mut self, owner: impl Into<String>) -> JobOptions {
        self.owner = Some(owner.into());
        self
    }

    /// Adds (or replaces) the label `key=value`.
    pub fn label(mut self, key: impl Into<String>, value: impl Into<String>) -> JobOptions {
        self.labels.insert(key.into(), value.into());
        self
    }

    /// Ends the job when it has run this long (see [`JobOptions::timeout`](#structfield.timeout)).
    pub fn timeout(mut self, after: std::time::Duration) -> JobOptions {
        self.timeout = Some(after);
        self
    }

    /// Sets the grace between TERM and KILL for the timeout.
    pub fn timeout_grace(mut self, grace: std::time::Duration) -> JobOptions {
        self.timeout_grace = Some(grace);
        self
    }

    /// Leaves the job out of [`Completions`](crate::Completions).
    pub fn quiet(mut self, yes: bool) -> JobOptions {
        self.quiet = yes;
        self
    }

    /// Publishes a "still running" event at this interval while the job runs.
    pub fn reminder(mut self, every: std::time::Duration) -> JobOptions {
        self.reminder = Some(every);
        self
    }

    /// Sets what terminating this job does to its subtree.
    pub fn orphans(mut self, policy: crate::OrphanPolicy) -> JobOptions {
        self.orphans = policy;
        self
    }

    /// Starts the job under `parent`, which must be live (see
    /// [`JobInfo::parent`](crate::JobInfo::parent)).
    pub fn parent(mut self, parent: crate::JobId) -> JobOptions {
        self.parent = Some(parent);
        self
    }
}

impl ProcessSpec {
    /// An empty pipeline whose command text (shown in `jobs`, /v/jobs) is `text`.
    pub fn new(text: impl Into<String>) -> ProcessSpec {
        ProcessSpec {
            text: text.into(),
            members: Vec::new(),
            cwd: None,
            env_clear: false,
            env: Vec::new(),
            inherit_stdio: false,
            stdout_pty: None,
            options: JobOptions::default(),
            pre_exec: None,
            ignored: 0,
        }
    }

    /// A single command; the text is the program and arguments joined by spaces.
    pub fn command(cmd: Cmd) -> ProcessSpec {
        ProcessSpec::new(cmd.display_text()).pipe(cmd)
    }

    /// Appends a pipeline member: its stdin is the previous member's stdout.
    pub fn pipe(mut self, cmd: Cmd) -> ProcessSpec {
        self.members.push(cmd);
        self
    }

    /// The working directory of every member (default: the embedder's).
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> ProcessSpec {
        self.cwd = Some(dir.into());
        self
    }

    /// Sets a variable in the environment of every member.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> ProcessSpec {
        self.env.push((key.into(), Some(value.into())));
        self
    }

    /// Removes a variable from the environment of every member.
    pub fn env_remove(mut self, key: impl Into<OsString>) -> ProcessSpec {
        self.env.push((key.into(), None));
        self
    }

    /// Starts from an empty environment instead of the embedder's.
    pub fn env_clear(mut self) -> ProcessSpec {
        self.env_clear = true;
        self.env.clear();
        self
    }

    /// Unredirected ends of the pipeline use the embedder's own streams:
    /// stdin is inherited instead of /dev/null, stdout and stderr instead
    /// of the job's rings (which then stay empty). For a shell's foreground
    /// job on a terminal.
    pub fn inherit_stdio(mut self, yes: bool) -> ProcessSpec {
        self.inherit_stdio = yes;
        self
    }

    /// Captured stdout goes through a pseudo-terminal of `rows` x `cols`
    /// instead of a pipe: programs find a terminal on stdout (isatty, a
    /// window size) while their bytes still fill the stdout ring unchanged
    /// (no newline translation). stderr keeps its pipe and its own ring.
    /// [`Job::set_window_size`](crate::Job::set_window_size) changes the
    /// size later. For a shell's background jobs, which `fg` shows on the
    /// real terminal. No effect with [`inherit_stdio`](Self::inherit_stdio).
    pub fn stdout_pty(mut self, rows: u16, cols: u16) -> ProcessSpec {
        self.stdout_pty = Some((rows, cols));
        self
    }

    /// The members start with `signal` ignored, as a shell passes on its
    /// own `trap '' SIG` (and SIGINT/SIGQUIT to background jobs when job
    /// control is off). Otherwise the job-control signals and SIGPIPE
    /// start with their default action, whatever the embedder's.
    pub fn ignore_signal(mut self, signal: crate::Signal) -> ProcessSpec {
        if let Ok(n) = u32::try_from(signal.number() - 1) {
            if n < 64 {
                self.ignored |= 1 << n;
            }
        }
        self
    }

    /// Per-job output settings.
    pub fn options(mut self, options: JobOptions) -> ProcessSpec {
        self.options = options;
        self
    }

    /// Runs `f` in every member between fork and exec (e.g. to take the terminal).
    ///
    /// This forces std's fork path instead of posix_spawn: slower, so meant for
    /// interactive foreground jobs only.
    ///
    /// # Safety
    /// As for [`std::os::unix::process::CommandExt::pre_exec`]: `f` runs in a
    /// forked child and must only make async-signal-safe calls.
    pub unsafe fn pre_exec<F>(mut self, f: F) -> ProcessSpec
    where
        F: Fn() -> io::Result<()> + Send + Sync + 'static,
    {
        self.pre_exec = Some(std::sync::Arc::new(f));
        self
    }

    /// The command text.
    pub fn command_text(&self) -> &str {
        &self.text
    }
}
