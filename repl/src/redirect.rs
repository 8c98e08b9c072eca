//! Redirections: opening their targets (host files, or /v files written
//! through the mount table once the command is done) and applying them in order.

use std::fs::OpenOptions;
use std::os::fd::OwnedFd;
use std::sync::Arc;

use crate::io::{os_message, Input, Output, Streams};
use crate::shell::Shell;
use crate::syntax::{self, RedirectionKind};

impl Shell {
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

    /// Applies redirections in order; prints the error and returns status 1 on failure.
    pub(crate) fn redirect(
        &mut self,
        redirs: &[syntax::Redirection],
        streams: &mut Streams,
    ) -> Result<(), i32> {
        for r in redirs {
            let target = |shell: &mut Shell, w: &syntax::Word| -> Result<String, i32> {
                match syntax::expand_redirect_target(w, &shell.env) {
                    Ok(t) => Ok(t),
                    Err(e) => Err(shell.fail(&format!("corral: {e}"))),
                }
            };
            match &r.kind {
                RedirectionKind::Read { fd, target: w } => {
                    let name = target(self, w)?;
                    let file = match crate::vmount::read_redirect(&self.env.absolute(&name)) {
                        Some(r) => r.map_err(|e| self.fail(&format!("corral: {name}: {e}")))?,
                        None => self.open(&name, OpenOptions::new().read(true))?,
                    };
                    self.set_fd(streams, *fd, Some(Input::Fd(file)), None)?;
                }
                RedirectionKind::Write {
                    fd,
                    target: w,
                    append,
                } => {
                    let name = target(self, w)?;
                    let file = match self.vfs_target(&name, *append) {
                        Some(pipe) => pipe.map_err(|e| self.fail_io(&e))?,
                        None => self.open(&name, write_options(*append))?,
                    };
                    self.set_fd(streams, *fd, None, Some(Output::Fd(file)))?;
                }
                RedirectionKind::WriteBoth { target: w, append } => {
                    let name = target(self, w)?;
                    let file = self.open(&name, write_options(*append))?;
                    let copy = file.try_clone().map_err(|e| self.fail_io(&e))?;
                    streams.stdout = Output::Fd(file);
                    streams.stderr = Output::Fd(copy);
                }
                RedirectionKind::Duplicate { fd, copy_of } => {
                    let result = match copy_of {
                        0 => streams.stdin.try_clone().map(|i| (Some(i), None)),
                        1 => streams.stdout.try_clone().map(|o| (None, Some(o))),
                        2 => streams.stderr.try_clone().map(|o| (None, Some(o))),
                        other => {
                            return Err(self.fail(&format!("corral: {other}: Bad file descriptor")))
                        }
                    };
                    let (i, o) = result.map_err(|e| self.fail_io(&e))?;
                    match (*fd, i, o) {
                        (0, Some(i), _) => streams.stdin = i,
                        (1 | 2, _, Some(o)) => self.set_fd(streams, *fd, None, Some(o))?,
                        (f, _, _) => {
                            return Err(self
                                .fail(&format!("corral: {f}>&{copy_of}: unsupported redirection")))
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn set_fd(
        &mut self,
        streams: &mut Streams,
        fd: u32,
        input: Option<Input>,
        output: Option<Output>,
    ) -> Result<(), i32> {
        match (fd, input, output) {
            (0, Some(i), _) => streams.stdin = i,
            (1, _, Some(o)) => streams.stdout = o,
            (2, _, Some(o)) => streams.stderr = o,
            (f, _, _) => {
                return Err(self.fail(&format!(
                    "corral: {f}: only descriptors 0, 1 and 2 can be redirected"
                )))
            }
        }
        Ok(())
    }

    fn open(&mut self, name: &str, opts: &OpenOptions) -> Result<OwnedFd, i32> {
        let path = self.env.absolute(name);
        match opts.open(&path) {
            Ok(f) => Ok(OwnedFd::from(f)),
            Err(e) => Err(self.fail(&format!("corral: {name}: {}", os_message(&e)))),
        }
    }
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
