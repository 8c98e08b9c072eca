//! Where a command's standard streams go: the shell's own, files, pipes, or a
//! job's output ring; and how builtins read and write them.

use std::fs::File;
use std::io::{self, Read, Write};

use std::os::fd::{AsFd, OwnedFd};

use corral_kernel::{Io, OutputStream};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::task::JoinHandle;

/// Which of a process job's rings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ring {
    /// The stdout ring.
    Out,
    /// The stderr ring.
    Err,
}

/// A command's stdin.
#[derive(Debug)]
pub enum Input {
    /// /dev/null.
    Null,
    /// The shell's own stdin.
    Inherit,
    /// A file or a pipe's read end.
    Fd(OwnedFd),
    /// The kernel's pipe from the previous member of a process job.
    Pipeline,
}

/// A command's stdout or stderr.
#[derive(Debug)]
pub enum Output {
    /// /dev/null.
    Null,
    /// The shell's own stdout.
    Stdout,
    /// The shell's own stderr.
    Stderr,
    /// A file or a pipe's write end.
    Fd(OwnedFd),
    /// A job's output ring (future jobs).
    Stream(OutputStream),
    /// One of the kernel process job's own rings (background process jobs only).
    JobRing(Ring),
    /// The kernel's pipe to the next member of a process job.
    Pipeline,
}

impl Input {
    /// A second handle to the same place.
    pub fn try_clone(&self) -> io::Result<Input> {
        Ok(match self {
            Input::Null => Input::Null,
            Input::Inherit => Input::Inherit,
            Input::Fd(fd) => Input::Fd(fd.try_clone()?),
            Input::Pipeline => Input::Pipeline,
        })
    }

    /// The kernel's view, for an external command.
    pub fn to_kernel(&self) -> io::Result<Io> {
        Ok(match self {
            Input::Null => Io::Null,
            Input::Inherit => Io::Inherit,
            Input::Fd(fd) => Io::File(File::from(fd.try_clone()?)),
            Input::Pipeline => Io::Default,
        })
    }

    /// Reads everything (for builtins like `cat` with no file).
    pub async fn read_all(&self) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        match self {
            Input::Null | Input::Pipeline => {}
            Input::Inherit => {
                buf = tokio::task::spawn_blocking(|| {
                    let mut b = Vec::new();
                    io::stdin().lock().read_to_end(&mut b).map(|_| b)
                })
                .await
                .map_err(io::Error::other)??;
            }
            Input::Fd(fd) => {
                let fd = fd.try_clone()?;
                match pipe::Receiver::from_owned_fd(fd.try_clone()?) {
                    Ok(mut rx) => {
                        rx.read_to_end(&mut buf).await?;
                    }
                    Err(_) => {
                        buf = tokio::task::spawn_blocking(move || {
                            let mut b = Vec::new();
                            File::from(fd).read_to_end(&mut b).map(|_| b)
                        })
                        .await
                        .map_err(io::Error::other)??;
                    }
                }
            }
        }
        Ok(buf)
    }
}

impl Output {
    /// A second handle to the same place (`2>&1`).
    pub fn try_clone(&self) -> io::Result<Output> {
        Ok(match self {
            Output::Null => Output::Null,
            Output::Stdout => Output::Stdout,
            Output::Stderr => Output::Stderr,
            Output::Fd(fd) => Output::Fd(fd.try_clone()?),
            Output::Stream(s) => Output::Stream(s.clone()),
            Output::JobRing(r) => Output::JobRing(*r),
            Output::Pipeline => Output::Pipeline,
        })
    }

    /// The kernel's view for an external command's stream `fd` (1 or 2). A
    /// ring becomes a pipe whose reader task is pushed on `pumps`.
    pub fn to_kernel(&self, fd: i32, pumps: &mut Vec<JoinHandle<()>>) -> io::Result<Io> {
        Ok(match self {
            Output::Null => Io::Null,
            Output::Stdout if fd == 1 => Io::Inherit,
            Output::Stderr if fd == 2 => Io::Inherit,
            Output::Stdout => Io::File(File::from(io::stdout().as_fd().try_clone_to_owned()?)),
            Output::Stderr => Io::File(File::from(io::stderr().as_fd().try_clone_to_owned()?)),
            Output::Fd(f) => Io::File(File::from(f.try_clone()?)),
            // `2>&1` / `>&2` between a job's own rings.
            Output::JobRing(Ring::Out) if fd == 1 => Io::Capture,
            Output::JobRing(Ring::Out) => Io::ToStdout,
            Output::JobRing(Ring::Err) if fd == 2 => Io::Capture,
            Output::JobRing(Ring::Err) => Io::ToStderr,
            Output::Pipeline if fd == 1 => Io::Default,
            // `2>&1` in the middle of a pipeline: stderr follows stdout into the pipe.
            Output::Pipeline => Io::ToStdout,
            Output::Stream(stream) => {
                let (r, w) = crate::sys::pipe()?;
                let mut rx = pipe::Receiver::from_owned_fd(r)?;
                let stream = stream.clone();
                pumps.push(tokio::spawn(async move {
                    let mut buf = vec![0u8; 64 * 1024];
                    while let Ok(n) = rx.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        stream.write(&buf[..n]);
                    }
                }));
                Io::File(File::from(w))
            }
        })
    }
}

/// A builtin's three streams, with async writes that cannot deadlock against
/// an in-process reader on the other end of a pipe.
#[derive(Debug)]
pub struct Streams {
    /// stdin.
    pub stdin: Input,
    /// stdout.
    pub stdout: Output,
    /// stderr.
    pub stderr: Output,
}

impl Streams {
    /// The shell's own three streams.
    pub fn inherit() -> Streams {
        Streams {
            stdin: Input::Inherit,
            stdout: Output::Stdout,
            stderr: Output::Stderr,
        }
    }

    /// Duplicates every handle.
    pub fn try_clone(&self) -> io::Result<Streams> {
        Ok(Streams {
            stdin: self.stdin.try_clone()?,
            stdout: self.stdout.try_clone()?,
            stderr: self.stderr.try_clone()?,
        })
    }

    /// Writes to stdout.
    ///
    /// # Errors
    /// The OS error (EPIPE when the reader is gone).
    pub async fn out(&mut self, data: &[u8]) -> io::Result<()> {
        write_to(&mut self.stdout, data).await
    }

    /// Writes to stderr, ignoring failures (there is nowhere to report them).
    pub async fn err(&mut self, data: &[u8]) {
        let _ = write_to(&mut self.stderr, data).await;
    }

    /// Writes one line (a newline is added) to stderr, as the bytes it
    /// stands for.
    pub async fn err_line(&mut self, line: &str) {
        let mut s = crate::rawbytes::decode(line).into_owned();
        s.push(b'\n');
        self.err(&s).await;
    }
}

/// Writes `data` to `out` without blocking the runtime on a pipe.
pub(crate) async fn write_to(out: &mut Output, data: &[u8]) -> io::Result<()> {
    match out {
        Output::Null => Ok(()),
        // On the blocking pool (tokio's stdout/stderr): a stalled reader of our
        // stdout must not stall the runtime, whose one thread pumps every job.
        Output::Stdout => {
            let mut o = tokio::io::stdout();
            o.write_all(data).await?;
            o.flush().await
        }
        Output::Stderr => {
            let mut e = tokio::io::stderr();
            e.write_all(data).await?;
            e.flush().await
        }
        Output::Stream(s) => {
            s.write(data);
            Ok(())
        }
        Output::JobRing(_) | Output::Pipeline => {
            Err(io::Error::other("no such stream for an in-process command"))
        }
        Output::Fd(fd) => {
            // A pipe is written without blocking the runtime (its reader may be us);
            // a regular file is written directly.
            match pipe::Sender::from_owned_fd(fd.try_clone()?) {
                Ok(mut tx) => {
                    let r = tx.write_all(data).await;
                    // Leave the descriptor blocking again for external users of it.
                    let _ = tx.into_blocking_fd();
                    r
                }
                Err(_) => {
                    let mut f = File::from(fd.try_clone()?);
                    f.write_all(data)
                }
            }
        }
    }
}

/// The message part of an OS error as a shell prints it (`No such file or directory`).
pub fn os_message(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            let s = io::Error::from_raw_os_error(code).to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
        None => e.to_string(),
    }
}
