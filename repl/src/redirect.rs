//! Descriptors and redirections.
//!
//! The shell keeps its open descriptors in [`Fds`]: 0, 1 and 2 as the
//! [`Streams`] builtins use, and any other number `exec 3>f` opened. A
//! command's redirections are applied, in order, to a copy of them (so they
//! end with the command); `exec` without a command applies them to the
//! shell's own. Targets under `/v` are written through the mount table once
//! the command is done. Here-documents and here-strings are pipes fed by a
//! task, so a large body never blocks the runtime.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::interp::ex;
use crate::io::{os_message, Input, Output, Streams};
use crate::lang::ast::{HereDocBody, Redirect, RedirectKind};
use crate::shell::Shell;

/// One open descriptor above 2.
#[derive(Debug)]
pub enum Slot {
    /// Opened for reading.
    In(Input),
    /// Opened for writing.
    Out(Output),
}

impl Slot {
    fn try_clone(&self) -> std::io::Result<Slot> {
        Ok(match self {
            Slot::In(i) => Slot::In(i.try_clone()?),
            Slot::Out(o) => Slot::Out(o.try_clone()?),
        })
    }
}

/// The descriptors a command runs with.
#[derive(Debug)]
pub struct Fds {
    /// 0, 1 and 2.
    pub std: Streams,
    /// 3 and up.
    pub extra: BTreeMap<i32, Slot>,
}

impl Fds {
    /// The shell's own 0, 1 and 2.
    #[must_use]
    pub fn inherit() -> Fds {
        Fds {
            std: Streams::inherit(),
            extra: BTreeMap::new(),
        }
    }

    /// Wraps streams.
    #[must_use]
    pub fn from_streams(std: Streams) -> Fds {
        Fds {
            std,
            extra: BTreeMap::new(),
        }
    }

    /// Duplicates every descriptor.
    ///
    /// # Errors
    /// The OS error of a failed dup.
    pub fn try_clone(&self) -> std::io::Result<Fds> {
        let mut extra = BTreeMap::new();
        for (k, v) in &self.extra {
            extra.insert(*k, v.try_clone()?);
        }
        Ok(Fds {
            std: self.std.try_clone()?,
            extra,
        })
    }

    /// A copy of descriptor `n`, `None` when it is not open.
    fn get(&self, n: i32) -> std::io::Result<Option<Slot>> {
        Ok(match n {
            0 => Some(Slot::In(self.std.stdin.try_clone()?)),
            1 => Some(Slot::Out(self.std.stdout.try_clone()?)),
            2 => Some(Slot::Out(self.std.stderr.try_clone()?)),
            _ => match self.extra.get(&n) {
                Some(s) => Some(s.try_clone()?),
                None => None,
            },
        })
    }

    /// Makes `n` refer to `slot` (`None`: closes it).
    fn set(&mut self, n: i32, slot: Option<Slot>) -> Result<(), String> {
        match (n, slot) {
            (0, None) => self.std.stdin = closed(false).map_or(Input::Null, Input::Fd),
            (1, None) => self.std.stdout = closed(true).map_or(Output::Null, Output::Fd),
            (2, None) => self.std.stderr = closed(true).map_or(Output::Null, Output::Fd),
            (_, None) => {
                self.extra.remove(&n);
            }
            (0, Some(Slot::In(i))) => self.std.stdin = i,
            (0, Some(Slot::Out(Output::Fd(fd)))) => self.std.stdin = Input::Fd(fd),
            (0, Some(Slot::Out(Output::Null))) => self.std.stdin = Input::Null,
            (1 | 2, Some(Slot::In(Input::Fd(fd)))) => {
                self.set(n, Some(Slot::Out(Output::Fd(fd))))?
            }
            (1 | 2, Some(Slot::In(Input::Null))) => self.set(n, Some(Slot::Out(Output::Null)))?,
            (1, Some(Slot::Out(o))) => self.std.stdout = o,
            (2, Some(Slot::Out(o))) => self.std.stderr = o,
            (n, Some(s)) if n > 2 => {
                self.extra.insert(n, s);
            }
            _ => return Err(format!("{n}: Bad file descriptor")),
        }
        Ok(())
    }
}

/// The descriptor a `/dev/fd/N`, `/dev/stdin`, `/dev/stdout` or
/// `/dev/stderr` target names.
fn dev_fd(target: &str) -> Option<i32> {
    match target {
        "/dev/stdin" => Some(0),
        "/dev/stdout" => Some(1),
        "/dev/stderr" => Some(2),
        _ => {
            let n = target.strip_prefix("/dev/fd/")?;
            if n.is_empty() || !n.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            n.parse().ok()
        }
    }
}

/// `N>/dev/fd/M`: the shell's descriptors are its own table, not the
/// process's, so the target is the M a script opened (a copy of it), or a
/// `<(…)` of the command (in `shell`'s table while its redirections are
/// applied). `None` when M is no slot but may be a descriptor the shell
/// holds above 9 for a program (opened as a path then).
fn dup_dev_fd(
    shell: &Fds,
    fds: &mut Fds,
    name: &str,
    m: i32,
    n: i32,
) -> Option<Result<(), String>> {
    let slot = match fds.get(m) {
        Ok(Some(s)) => Ok(s),
        Ok(None) => match shell.get(m) {
            Ok(Some(s)) => Ok(s),
            Ok(None) if m > 9 => return None,
            Ok(None) => Err(format!("{name}: No such file or directory")),
            Err(e) => Err(os_message(&e)),
        },
        Err(e) => Err(os_message(&e)),
    };
    Some(slot.and_then(|s| fds.set(n, Some(s))))
}

/// What stands for a closed 0, 1 or 2 (`>&-`): /dev/null opened the other
/// way, so that every read or write on it fails with EBADF as on a closed
/// descriptor (`echo x >&-` fails, also in a program), while the slot stays
/// filled and nothing the shell opens next can land on it.
fn closed(for_output: bool) -> Option<OwnedFd> {
    let mut o = OpenOptions::new();
    if for_output {
        o.read(true);
    } else {
        o.write(true);
    }
    o.open("/dev/null").ok().map(OwnedFd::from)
}

/// What a command's redirections replaced in the shell's descriptors, to put
/// back when the command is done ([`Shell::push_redirects`]).
pub(crate) struct Undo {
    /// The descriptors before the redirections.
    saved: Fds,
    /// The numbers the redirections changed.
    touched: Vec<i32>,
}

/// The descriptors `redirs` change: their targets, 1 and 2 for `&>` (and
/// `>&file`), and the source of a move (`N>&M-`).
fn touched(redirs: &[Redirect]) -> Vec<i32> {
    let mut out = Vec::with_capacity(redirs.len());
    for r in redirs {
        // `{name}>f` stays open after the command (bash).
        if r.fd_var.is_some() {
            continue;
        }
        out.push(r.target_fd());
        match &r.kind {
            RedirectKind::OutErr(_) | RedirectKind::AppendOutErr(_) => out.extend([1, 2]),
            RedirectKind::DupOut(w) | RedirectKind::DupIn(w) => {
                match w.raw.strip_suffix('-').map(str::parse::<i32>) {
                    Some(Ok(m)) => out.push(m),
                    _ if r.fd.is_none() => out.extend([1, 2]),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

impl Shell {
    /// Applies a command's redirections to the shell's descriptors; `None`
    /// when there are none. Prints the error and returns the status on
    /// failure.
    pub(crate) async fn push_redirects(
        &mut self,
        redirs: &[Redirect],
    ) -> Result<Option<Undo>, i32> {
        if redirs.is_empty() {
            return Ok(None);
        }
        let mut fds = match self.fds.try_clone() {
            Ok(f) => f,
            Err(e) => return Err(self.fail_io(&e)),
        };
        Box::pin(self.redirect(redirs, &mut fds)).await?;
        let saved = std::mem::replace(&mut self.fds, fds);
        Ok(Some(Undo {
            saved,
            touched: touched(redirs),
        }))
    }

    /// Puts back what [`Shell::push_redirects`] replaced. Other descriptors
    /// keep what the command did to them (`exec 3>f` in a redirected
    /// function or group stays open, as in bash).
    pub(crate) fn pop_redirects(&mut self, undo: Option<Undo>) {
        let Some(Undo { mut saved, touched }) = undo else {
            return;
        };
        for n in touched {
            match n {
                0 => self.fds.std.stdin = std::mem::replace(&mut saved.std.stdin, Input::Null),
                1 => self.fds.std.stdout = std::mem::replace(&mut saved.std.stdout, Output::Null),
                2 => self.fds.std.stderr = std::mem::replace(&mut saved.std.stderr, Output::Null),
                _ => match saved.extra.remove(&n) {
                    Some(slot) => {
                        self.fds.extra.insert(n, slot);
                    }
                    None => {
                        self.fds.extra.remove(&n);
                    }
                },
            }
        }
    }

    /// For a `>`/`>>` target under /v (not the host): a pipe whose contents are
    /// written through the mount table once the command closes it.
    fn vfs_target(&mut self, name: &str, append: bool) -> Option<std::io::Result<OwnedFd>> {
        let abs = self.env.absolute(name);
        if !(abs == "/v" || abs.starts_with("/v/")) {
            return None;
        }
        Some((|| {
            let (r, w) = crate::sys::pipe()?;
            let mut rx = tokio::net::unix::pipe::Receiver::from_owned_fd(r)?;
            let vfs = Arc::clone(&self.env.vfs);
            let mode = if append {
                corral_vfs::WriteMode::Append
            } else {
                corral_vfs::WriteMode::Truncate
            };
            let task = tokio::spawn(async move {
                use tokio::io::AsyncReadExt;
                let mut data = Vec::new();
                rx.read_to_end(&mut data).await?;
                vfs.write(&abs, &data, mode).await
            });
            self.vfs_writes.push((name.to_string(), task));
            Ok(w)
        })())
    }

    /// Applies redirections in order to `fds`; prints the error and returns
    /// status 1 on failure.
    pub(crate) async fn redirect(&mut self, redirs: &[Redirect], fds: &mut Fds) -> Result<(), i32> {
        for r in redirs {
            if let Err(msg) = self.redirect_one(r, fds).await {
                return Err(self.fail(&format!("corral: {msg}")));
            }
        }
        Ok(())
    }

    async fn target(&mut self, w: &crate::lang::ast::Word) -> Result<String, String> {
        ex::redirect_target(self, w).await.map_err(|e| {
            self.abandon(&e, 1);
            e.to_string()
        })
    }

    /// `{name}>f`: the redirection on the lowest free descriptor from 10,
    /// whose number goes into `name`; `{name}>&-` closes the one it holds.
    async fn redirect_named(
        &mut self,
        r: &Redirect,
        name: &str,
        fds: &mut Fds,
    ) -> Result<(), String> {
        let closing = matches!(&r.kind,
            RedirectKind::DupIn(w) | RedirectKind::DupOut(w) if w.raw == "-");
        if closing {
            let n = self
                .env
                .vars
                .get(name)
                .and_then(|v| v.trim().parse::<i32>().ok())
                .filter(|&n| n >= 0)
                .ok_or_else(|| format!("{name}: ambiguous redirect"))?;
            return fds.set(n, None);
        }
        let n = (10..i32::MAX)
            .find(|k| !fds.extra.contains_key(k))
            .unwrap_or(i32::MAX);
        let plain = Redirect {
            fd: Some(n),
            fd_var: None,
            kind: r.kind.clone(),
            span: r.span,
        };
        Box::pin(self.redirect_one(&plain, fds)).await?;
        self.note_write(name);
        self.env
            .vars
            .assign(name, crate::expand::Value::Scalar(n.to_string()))
            .map_err(|e| e.to_string())
    }

    async fn redirect_one(&mut self, r: &Redirect, fds: &mut Fds) -> Result<(), String> {
        if let Some(name) = &r.fd_var {
            return self.redirect_named(r, name, fds).await;
        }
        let n = r.target_fd();
        match &r.kind {
            RedirectKind::Read(w) => {
                let name = self.target(w).await?;
                if let Some(done) =
                    dev_fd(&name).and_then(|m| dup_dev_fd(&self.fds, fds, &name, m, n))
                {
                    return done;
                }
                let file = match crate::vmount::read_redirect(&self.env.absolute(&name)) {
                    Some(r) => r.map_err(|e| format!("{name}: {e}"))?,
                    None => self.open(&name, OpenOptions::new().read(true)).await?,
                };
                fds.set(n, Some(Slot::In(Input::Fd(file))))
            }
            RedirectKind::Write(w) | RedirectKind::Clobber(w) | RedirectKind::Append(w) => {
                let name = self.target(w).await?;
                if let Some(done) =
                    dev_fd(&name).and_then(|m| dup_dev_fd(&self.fds, fds, &name, m, n))
                {
                    return done;
                }
                let append = matches!(r.kind, RedirectKind::Append(_));
                let file = match self.vfs_target(&name, append) {
                    Some(pipe) => pipe.map_err(|e| os_message(&e))?,
                    None => {
                        if matches!(r.kind, RedirectKind::Write(_)) && self.env.lang.opts.noclobber
                        {
                            let path = self.env.absolute_path(&name);
                            if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                                return Err(format!("{name}: cannot overwrite existing file"));
                            }
                        }
                        self.open(&name, write_options(append)).await?
                    }
                };
                fds.set(n, Some(Slot::Out(Output::Fd(file))))
            }
            RedirectKind::ReadWrite(w) => {
                let name = self.target(w).await?;
                if let Some(done) =
                    dev_fd(&name).and_then(|m| dup_dev_fd(&self.fds, fds, &name, m, n))
                {
                    return done;
                }
                let mut o = OpenOptions::new();
                o.read(true).write(true).create(true);
                let file = self.open(&name, &o).await?;
                fds.set(n, Some(Slot::In(Input::Fd(file))))
            }
            RedirectKind::OutErr(w) | RedirectKind::AppendOutErr(w) => {
                let name = self.target(w).await?;
                let append = matches!(r.kind, RedirectKind::AppendOutErr(_));
                if !append && self.env.lang.opts.noclobber {
                    let path = self.env.absolute_path(&name);
                    if std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                        return Err(format!("{name}: cannot overwrite existing file"));
                    }
                }
                let file = self.open(&name, write_options(append)).await?;
                let copy = file.try_clone().map_err(|e| os_message(&e))?;
                fds.std.stdout = Output::Fd(file);
                fds.std.stderr = Output::Fd(copy);
                Ok(())
            }
            RedirectKind::DupIn(w) | RedirectKind::DupOut(w) => {
                let text = ex::string(self, w).await.map_err(|e| e.to_string())?;
                if text == "-" {
                    return fds.set(n, None);
                }
                let output = matches!(r.kind, RedirectKind::DupOut(_));
                // `N>&M-` moves M to N: the copy, then M closed.
                let (digits, moved) = match text.strip_suffix('-') {
                    Some(d) if !d.is_empty() => (d, true),
                    _ => (text.as_str(), false),
                };
                let Ok(from) = digits.parse::<i32>() else {
                    if output && r.fd.is_none() {
                        // `>&file` is `&>file`.
                        let file = self.open(&text, write_options(false)).await?;
                        let copy = file.try_clone().map_err(|e| os_message(&e))?;
                        fds.std.stdout = Output::Fd(file);
                        fds.std.stderr = Output::Fd(copy);
                        return Ok(());
                    }
                    return Err(format!("{text}: ambiguous redirect"));
                };
                let slot = fds.get(from).map_err(|e| os_message(&e))?;
                let Some(slot) = slot else {
                    // bash names the word as written (`$fd`).
                    let shown = if moved {
                        from.to_string()
                    } else {
                        w.raw.clone()
                    };
                    return Err(format!("{shown}: Bad file descriptor"));
                };
                fds.set(n, Some(slot))?;
                if moved && from != n {
                    fds.set(from, None)?;
                }
                Ok(())
            }
            RedirectKind::HereDoc(h) => {
                let body = match &h.body {
                    HereDocBody::Literal(t) => t.clone(),
                    HereDocBody::Expand(w) => {
                        ex::heredoc(self, w).await.map_err(|e| e.to_string())?
                    }
                };
                let input = feed(crate::rawbytes::decode(&body).into_owned())
                    .map_err(|e| os_message(&e))?;
                fds.set(n, Some(Slot::In(input)))
            }
            RedirectKind::HereString(w) => {
                let mut body = ex::string(self, w).await.map_err(|e| e.to_string())?;
                body.push('\n');
                let input = feed(crate::rawbytes::decode(&body).into_owned())
                    .map_err(|e| os_message(&e))?;
                fds.set(n, Some(Slot::In(input)))
            }
        }
    }

    /// Opens a redirection's file. A FIFO is opened on the blocking pool:
    /// its open waits for the other end, which must not stall the runtime.
    async fn open(&mut self, name: &str, opts: &OpenOptions) -> Result<OwnedFd, String> {
        use std::os::unix::fs::FileTypeExt;
        let path = self.env.absolute_path(name);
        let fifo = std::fs::metadata(&path).is_ok_and(|m| m.file_type().is_fifo());
        let opened = if fifo {
            let opts = opts.clone();
            match tokio::task::spawn_blocking(move || opts.open(&path)).await {
                Ok(r) => r,
                Err(e) => Err(std::io::Error::other(e)),
            }
        } else {
            opts.open(&path)
        };
        match opened {
            Ok(f) => Ok(OwnedFd::from(f)),
            Err(e) => Err(format!("{name}: {}", os_message(&e))),
        }
    }
}

/// A pipe whose read end yields `data`, written by a task (a reader that
/// stops early ends it with EPIPE).
fn feed(data: Vec<u8>) -> std::io::Result<Input> {
    use tokio::io::AsyncWriteExt;
    let (r, w) = crate::sys::pipe()?;
    let mut tx = tokio::net::unix::pipe::Sender::from_owned_fd(w)?;
    tokio::spawn(async move {
        let _ = tx.write_all(&data).await;
    });
    Ok(Input::Fd(r))
}

fn write_options(append: bool) -> &'static OpenOptions {
    use std::sync::OnceLock;
    static TRUNC: OnceLock<OpenOptions> = OnceLock::new();
    static APPEND: OnceLock<OpenOptions> = OnceLock::new();
    if append {
        APPEND.get_or_init(|| {
            let mut o = OpenOptions::new();
            o.append(true).create(true);
            o
        })
    } else {
        TRUNC.get_or_init(|| {
            let mut o = OpenOptions::new();
            o.write(true).create(true).truncate(true);
            o
        })
    }
}
