//! Thin wrappers over the cores of `read`, `getopts`, `times`, `trap` and
//! `umask`: they take the shell's state and streams, call the core, print
//! and assign.

use std::fs::File;
use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::FileTypeExt;

use super::getopts as go;
use super::out;
use super::read::{self as rd, RecordEnd};
use super::trapspec as ts;
use super::umask as um;
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::interp::valid_name;
use crate::io::{Input, Output, Streams};
use crate::redirect::Slot;
use crate::shell::Shell;

/// `getopts optstring name [arg ...]`.
pub(super) fn getopts<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let operands = match go::scan(io, &prefix, &args, "").await {
            Ok((_, operands)) => operands,
            Err(status) => return status,
        };
        let [optstring, name, rest @ ..] = operands else {
            io.err_line(&super::help::usage("getopts")).await;
            return 2;
        };
        let words = if rest.is_empty() {
            shell.env.lang.positional.clone()
        } else {
            rest.to_vec()
        };
        let optind = shell.env.vars.get("OPTIND").map(str::to_owned);
        shell.env.lang.getopts.sync(optind.as_deref());
        let r = go::getopts(optstring, &words, &mut shell.env.lang.getopts);
        if let Some(d) = &r.diagnostic {
            io.err_line(&d.message(&shell.env.arg0)).await;
        }
        let mut status = r.status;
        // bash scans (and sets OPTARG and OPTIND) before it refuses NAME.
        let named = if valid_name(name) {
            shell.env.vars.assign(name, Value::Scalar(r.name))
        } else {
            let line = format!(
                "{}getopts: `{name}': not a valid identifier",
                shell.err_prefix()
            );
            io.err_line(&line).await;
            status = 1;
            Ok(())
        };
        let optarg = match r.optarg {
            Some(a) => shell.env.vars.assign("OPTARG", Value::Scalar(a)),
            None => shell.env.vars.unset("OPTARG"),
        };
        for result in [
            named,
            optarg,
            shell
                .env
                .vars
                .assign("OPTIND", Value::Scalar(r.optind.to_string())),
        ] {
            if let Err(e) = result {
                io.err_line(&format!("{}{e}", shell.err_prefix())).await;
                status = 1;
            }
        }
        status
    })
}

/// `times`.
pub(super) fn times<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        // No options, but a word like `-x` is refused as one (bash).
        let prefix = shell.err_prefix();
        if let Err(status) = go::scan(io, &prefix, &args, "").await {
            return status;
        }
        let [user, sys, child_user, child_sys] = crate::sys::cpu_times();
        let text = super::times::times(user, sys, child_user, child_sys);
        out(io, &text).await.err().unwrap_or(0)
    })
}

/// Where `read` reads from, by what the descriptor is.
enum Source {
    /// Nothing: end of file at once.
    Empty,
    /// A FIFO, read without blocking the runtime.
    Fifo(OwnedFd),
    /// A regular file: reads never wait.
    File(File),
    /// A terminal or anything else: read on a blocking thread.
    Other(File),
}

fn source(input: Input) -> io::Result<Source> {
    let fd = match input {
        Input::Null | Input::Pipeline => return Ok(Source::Empty),
        Input::Inherit => crate::sys::dup_fd(io::stdin().as_fd())?,
        Input::Fd(fd) => fd,
    };
    let file = File::from(fd);
    let kind = file.metadata()?.file_type();
    Ok(if kind.is_fifo() {
        Source::Fifo(OwnedFd::from(file))
    } else if kind.is_file() {
        Source::File(file)
    } else {
        Source::Other(file)
    })
}

/// A FIFO read through tokio puts the shared description in non-blocking
/// mode; this puts it back when the read ends or is abandoned.
struct Fifo(Option<tokio::net::unix::pipe::Receiver>);

impl Drop for Fifo {
    fn drop(&mut self) {
        if let Some(rx) = self.0.take() {
            let _ = rx.into_blocking_fd();
        }
    }
}

/// Puts a terminal's echo (`read -s`) and line mode (`read -n`) back as
/// they were, also when the read is abandoned.
#[derive(Default)]
struct Modes {
    echo: Option<(File, bool)>,
    canonical: Option<(File, bool)>,
}

impl Drop for Modes {
    fn drop(&mut self) {
        if let Some((tty, was)) = self.echo.take() {
            let _ = crate::sys::set_echo(tty.as_fd(), was);
        }
        if let Some((tty, was)) = self.canonical.take() {
            let _ = crate::sys::set_canonical(tty.as_fd(), was);
        }
    }
}

/// Reads one record; `None` when the timeout passed first (the partial
/// record stays in `buf`).
async fn read_from(
    src: Source,
    opts: &rd::ReadOptions,
    buf: &mut Vec<u8>,
) -> io::Result<Option<RecordEnd>> {
    let (delim, nchars, raw) = (opts.delim, opts.nchars, opts.raw);
    let limit = opts.timeout;
    match src {
        Source::Empty => Ok(Some(RecordEnd::Eof)),
        Source::File(mut f) => rd::read_record_blocking(&mut f, delim, nchars, raw, buf).map(Some),
        Source::Fifo(fd) => {
            let mut fifo = Fifo(Some(tokio::net::unix::pipe::Receiver::from_owned_fd(fd)?));
            let Some(rx) = fifo.0.as_mut() else {
                return Ok(Some(RecordEnd::Eof));
            };
            let reading = rd::read_record(rx, delim, nchars, raw, buf);
            match limit {
                None => reading.await.map(Some),
                Some(t) => match tokio::time::timeout(t, reading).await {
                    Ok(r) => r.map(Some),
                    Err(_) => Ok(None),
                },
            }
        }
        Source::Other(f) => {
            // A terminal cannot be read without blocking: a blocking thread
            // reads the record, waiting for input with poll(2) so that the
            // timeout, or this future being dropped (which closes `cancel`),
            // ends it without leaving a reader behind to eat the next line.
            let (cancel_rx, cancel) = crate::sys::pipe()?;
            let task = tokio::task::spawn_blocking(move || {
                let mut b = Vec::new();
                let end = read_terminal(&f, &cancel_rx, delim, nchars, raw, limit, &mut b);
                (b, end)
            });
            let joined = task.await;
            drop(cancel);
            let (b, end) = joined.map_err(io::Error::other)?;
            buf.extend_from_slice(&b);
            end
        }
    }
}

/// The blocking thread's loop for [`read_from`]: `None` on timeout or
/// cancellation.
fn read_terminal(
    mut f: &File,
    cancel: &OwnedFd,
    delim: Option<u8>,
    nchars: Option<usize>,
    raw: bool,
    limit: Option<std::time::Duration>,
    buf: &mut Vec<u8>,
) -> io::Result<Option<RecordEnd>> {
    use std::io::Read;
    let mut record = rd::Record::new(delim, nchars, raw);
    if record.is_done() {
        return Ok(Some(RecordEnd::Count));
    }
    let start = std::time::Instant::now();
    let mut byte = [0u8; 1];
    loop {
        let left = limit.map(|l| l.saturating_sub(start.elapsed()));
        if !crate::sys::wait_readable(f.as_fd(), cancel.as_fd(), left)? {
            return Ok(None);
        }
        match f.read(&mut byte) {
            Ok(0) => return Ok(Some(RecordEnd::Eof)),
            Ok(_) => {
                if let Some(end) = record.push(byte[0], buf) {
                    return Ok(Some(end));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// `read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars]
/// [-p prompt] [-t timeout] [-u fd] [name ...]`.
pub(super) fn read<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let opts = match rd::parse_options(&args[1..]) {
            Ok(o) => o,
            Err(rd::ReadError::Usage(e)) => {
                return e
                    .report(io, &format!("{prefix}read: "), &super::help::usage("read"))
                    .await;
            }
            Err(e) => {
                io.err_line(&format!("{prefix}read: {e}")).await;
                return e.status();
            }
        };
        let input = match opts.fd {
            0 => io.stdin.try_clone(),
            n => match shell.fds.extra.get(&n) {
                Some(Slot::In(i)) => i.try_clone(),
                Some(Slot::Out(Output::Fd(fd))) => fd.try_clone().map(Input::Fd),
                _ => Err(io::Error::from_raw_os_error(libc::EBADF)),
            },
        };
        let src = match input.and_then(source) {
            Ok(s) => s,
            Err(e) => {
                let msg = crate::io::os_message(&e);
                let line = format!("{prefix}read: {}: invalid file descriptor: {msg}", opts.fd);
                io.err_line(&line).await;
                return 1;
            }
        };
        if opts.timeout == Some(std::time::Duration::ZERO) {
            // `-t 0`: only whether input is there; nothing is read.
            let ready = match &src {
                Source::Empty => true,
                Source::Fifo(fd) => crate::sys::readable_now(fd.as_fd()),
                Source::File(f) | Source::Other(f) => crate::sys::readable_now(f.as_fd()),
            };
            return i32::from(!ready);
        }
        let mut modes = Modes::default();
        if let Source::Other(f) = &src {
            if crate::sys::isatty(f.as_fd()) {
                if opts.silent {
                    if let (Ok(was), Ok(dup)) =
                        (crate::sys::set_echo(f.as_fd(), false), f.try_clone())
                    {
                        modes.echo = Some((dup, was));
                    }
                }
                if opts.nchars.is_some() {
                    if let (Ok(was), Ok(dup)) =
                        (crate::sys::set_canonical(f.as_fd(), false), f.try_clone())
                    {
                        modes.canonical = Some((dup, was));
                    }
                }
                // After the modes: what is typed once the prompt shows is
                // read with them.
                if let Some(p) = &opts.prompt {
                    io.err(&crate::rawbytes::decode(p)).await;
                }
            }
        }
        let mut buf = Vec::new();
        let mut status = match read_from(src, &opts, &mut buf).await {
            Ok(Some(RecordEnd::Eof)) => 1,
            Ok(Some(_)) => 0,
            Ok(None) => 142,
            Err(e) => {
                let line = format!(
                    "{prefix}read: read error: {}: {}",
                    opts.fd,
                    crate::io::os_message(&e)
                );
                io.err_line(&line).await;
                return 1;
            }
        };
        let text = crate::rawbytes::encode(&buf);
        let ifs = shell.env.vars.get("IFS").unwrap_or(" \t\n").to_owned();
        let ifs = opts.split_ifs(&ifs);
        if let Some(array) = &opts.array {
            if !valid_name(array) {
                io.err_line(&format!("{prefix}read: `{array}': not a valid identifier"))
                    .await;
                return 1;
            }
            let fields = rd::split_array(&text, ifs, opts.raw);
            let value = Value::Indexed(fields.into_iter().enumerate().collect());
            if let Err(e) = shell.env.vars.assign(array, value) {
                io.err_line(&format!("{prefix}{e}")).await;
                return 1;
            }
            return status;
        }
        let values = rd::split_fields(&text, ifs, opts.names.len(), opts.raw);
        let names = if opts.names.is_empty() {
            vec!["REPLY".to_owned()]
        } else {
            opts.names.clone()
        };
        for (name, value) in names.iter().zip(values) {
            if !valid_name(name) {
                io.err_line(&format!("{prefix}read: `{name}': not a valid identifier"))
                    .await;
                return 1;
            }
            if let Err(e) = shell.env.vars.assign(name, Value::Scalar(value)) {
                io.err_line(&format!("{prefix}{e}")).await;
                status = 1;
            }
        }
        status
    })
}

/// Sets (`Some(action)`, `Some("")` to ignore) or resets (`None`) the traps
/// on `targets`; the top-level shell also sets the process's dispositions.
/// A script cannot change a signal ignored when it started (POSIX).
fn set_traps(shell: &mut Shell, targets: &[ts::TrapTarget], action: Option<&str>) {
    use crate::interp::traps::{self, Disposition};
    let top = shell.env.lang.subshell == 0;
    shell.env.lang.inherited_traps = None;
    for &t in targets {
        if let ts::TrapTarget::Signal(sig) = t {
            if !shell.interactive && traps::ignored_at_entry(sig) {
                continue;
            }
            if top {
                traps::set_disposition(
                    sig,
                    match action {
                        None => Disposition::Default,
                        Some("") => Disposition::Ignore,
                        Some(_) => Disposition::Trap,
                    },
                );
                if sig == libc::SIGCHLD {
                    let on = action.is_some_and(|a| !a.is_empty());
                    traps::set_chld_trap(&shell.env.kernel, on);
                }
            }
        } else if t == ts::TrapTarget::Exit && top {
            traps::set_exit_trap(action.is_some_and(|a| !a.is_empty()));
        }
        match action {
            Some(a) => shell.env.lang.traps.insert(t.key(), a.to_owned()),
            None => shell.env.lang.traps.remove(&t.key()),
        };
    }
    shell.env.lang.sync_hooks();
}

/// `trap [-lp] [[action] signal_spec ...]`, over the table of traps keyed
/// by [`ts::TrapTarget::key`] (`EXIT`, `INT`, `DEBUG`…).
pub(super) fn trap<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let (command, errors) = match ts::parse_trap(&args[1..]) {
            Ok(parsed) => parsed,
            Err(ts::TrapError::Options(e)) => {
                return e
                    .report(io, &format!("{prefix}trap: "), &super::help::usage("trap"))
                    .await;
            }
            Err(e) => {
                io.err_line(&super::help::usage("trap")).await;
                return e.status();
            }
        };
        let text = match command {
            ts::TrapCommand::List => ts::list(),
            ts::TrapCommand::Print(targets) => {
                let lang = &shell.env.lang;
                let shown = match &lang.inherited_traps {
                    Some(parent) if lang.subshell > 0 => parent,
                    _ => &lang.traps,
                };
                let mut set: Vec<(ts::TrapTarget, String)> = shown
                    .iter()
                    .filter_map(|(k, a)| ts::parse_sigspec(k).map(|t| (t, a.clone())))
                    .collect();
                set.sort_by_key(|(t, _)| *t);
                if targets.is_empty() {
                    set.iter().map(|(t, a)| ts::print_line(a, *t)).collect()
                } else {
                    targets
                        .iter()
                        .filter_map(|t| set.iter().find(|(s, _)| s == t))
                        .map(|(t, a)| ts::print_line(a, *t))
                        .collect()
                }
            }
            ts::TrapCommand::Set(action, targets) => {
                set_traps(shell, &targets, Some(&action));
                String::new()
            }
            ts::TrapCommand::Ignore(targets) => {
                set_traps(shell, &targets, Some(""));
                String::new()
            }
            ts::TrapCommand::Reset(targets) => {
                set_traps(shell, &targets, None);
                String::new()
            }
        };
        let mut status = 0;
        for e in errors {
            io.err_line(&format!("{prefix}trap: {e}")).await;
            status = 1;
        }
        match out(io, &text).await {
            Ok(()) => status,
            Err(s) => s,
        }
    })
}

/// `umask [-p] [-S] [mode]`.
pub(super) fn umask<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let parsed = match um::parse_args(&args[1..]).and_then(|a| {
            let mask = match &a.mode {
                Some(mode) => um::new_mask(mode, shell.env.lang.umask)?,
                None => shell.env.lang.umask,
            };
            Ok((a, mask))
        }) {
            Ok(p) => p,
            Err(um::UmaskError::Usage(e)) => {
                return e
                    .report(
                        io,
                        &format!("{prefix}umask: "),
                        &super::help::usage("umask"),
                    )
                    .await;
            }
            Err(e) => {
                io.err_line(&format!("{prefix}umask: {e}")).await;
                return e.status();
            }
        };
        let (a, mask) = parsed;
        if a.mode.is_some() {
            crate::sys::set_umask(mask);
            shell.env.lang.umask = mask & 0o777;
        }
        out(io, &a.output(mask & 0o777)).await.err().unwrap_or(0)
    })
}

/// Seconds since the epoch now.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// `printf`'s clock for `%(fmt)T`: local time, and the shell's start.
pub(super) struct ShellClock {
    /// The shell's start (`-2`).
    pub(super) started: i64,
    /// The exported `TZ` (`None`: unset or not exported).
    pub(super) tz: Option<String>,
}

impl super::printf::Clock for ShellClock {
    fn now(&self) -> i64 {
        now()
    }
    fn shell_start(&self) -> i64 {
        self.started
    }
    fn strftime(&self, format: &str, secs: i64) -> String {
        // bash formats into 128 bytes (with the NUL): a longer result is
        // nothing at all.
        crate::sys::set_tz(self.tz.as_deref());
        let s = crate::sys::strftime_local(format, secs);
        if s.len() >= 128 {
            String::new()
        } else {
            s
        }
    }
}
