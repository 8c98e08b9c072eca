//! A script read command by command, as bash reads one: each complete
//! command runs before the next line is read. On stdin this lets a command
//! read the rest of the script itself (`cat` in the script prints the lines
//! after it, as POSIX requires); for a script file it means a long script
//! starts at once and never blocks the runtime in one huge parse (signals
//! keep being handled), and the lines before a syntax error run.
//!
//! From a pipe, lines are read a byte at a time (nothing beyond the command
//! is consumed), on the blocking pool. From a regular file, blocks are read
//! with `pread` and the shared offset is set just past the command before
//! it runs; if the command moved it, reading goes on from there.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::AsFd;
use std::os::unix::fs::FileExt;
use std::sync::Arc;

use crate::shell::Shell;

struct Reader {
    file: Arc<File>,
    seekable: bool,
    buf: Vec<u8>,
    pos: usize,
    /// File offset of `buf[0]`.
    base: u64,
    eof: bool,
}

impl Reader {
    /// The next line, newline included; `None` at the end.
    async fn line(&mut self) -> Option<Vec<u8>> {
        if !self.seekable {
            let file = Arc::clone(&self.file);
            return tokio::task::spawn_blocking(move || {
                let mut line = Vec::new();
                let mut byte = [0u8; 1];
                loop {
                    match (&*file).read(&mut byte) {
                        Ok(1) => {
                            line.push(byte[0]);
                            if byte[0] == b'\n' {
                                return Some(line);
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        _ => return (!line.is_empty()).then_some(line),
                    }
                }
            })
            .await
            .ok()
            .flatten();
        }
        loop {
            if let Some(n) = self.buf[self.pos..].iter().position(|&b| b == b'\n') {
                let line = self.buf[self.pos..=self.pos + n].to_vec();
                self.pos += n + 1;
                return Some(line);
            }
            if self.eof {
                let rest = self.buf[self.pos..].to_vec();
                self.pos = self.buf.len();
                return (!rest.is_empty()).then_some(rest);
            }
            let at = self.base + self.buf.len() as u64;
            let mut chunk = vec![0u8; 64 * 1024];
            match self.file.read_at(&mut chunk, at) {
                Ok(0) | Err(_) => self.eof = true,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// Before a command runs: stdin's offset is just past it.
    fn sync(&mut self) -> u64 {
        let at = self.base + self.pos as u64;
        if self.seekable {
            let _ = (&*self.file).seek(SeekFrom::Start(at));
        }
        at
    }

    /// After a command ran: if it read stdin, go on from where it stopped.
    fn resync(&mut self, before: u64) {
        if !self.seekable {
            return;
        }
        if let Ok(now) = (&*self.file).stream_position() {
            if now != before {
                self.buf.clear();
                self.pos = 0;
                self.base = now;
                self.eof = false;
            }
        }
        if self.pos > 1 << 20 {
            self.buf.drain(..self.pos);
            self.base += self.pos as u64;
            self.pos = 0;
        }
    }
}

/// Runs the script on stdin; returns the last status.
pub(crate) async fn run_stdin(shell: &mut Shell) -> i32 {
    let file = match crate::sys::dup_fd(std::io::stdin().as_fd()) {
        Ok(fd) => File::from(fd),
        Err(e) => {
            eprintln!("corral: stdin: {}", crate::io::os_message(&e));
            return 1;
        }
    };
    run_file(shell, file).await
}

/// Runs the script read from `file`; returns the last status.
pub(crate) async fn run_file(shell: &mut Shell, file: File) -> i32 {
    let seekable = file.metadata().is_ok_and(|m| m.is_file());
    let base = if seekable {
        (&file).stream_position().unwrap_or(0)
    } else {
        0
    };
    let mut reader = Reader {
        file: Arc::new(file),
        seekable,
        buf: Vec::new(),
        pos: 0,
        base,
        eof: false,
    };
    let mut status = 0;
    let mut text = String::new();
    let mut first_line: u32 = 1;
    loop {
        let line = reader.line().await;
        let at_end = line.is_none();
        if let Some(l) = line {
            if shell.env.lang.opts.verbose {
                shell.verbose_echo(&l).await;
            }
            text.push_str(&crate::rawbytes::encode(&l));
        }
        if text.is_empty() {
            break;
        }
        // A line ending in `\` continues on the next (one command, whose
        // aliases expand across the join).
        if !at_end && continued(&text) {
            continue;
        }
        let expanded;
        let src =
            if shell.env.lang.shopt.get("expand_aliases") && !shell.env.lang.aliases.is_empty() {
                expanded = shell.expand_aliases(&text);
                expanded.as_str()
            } else {
                text.as_str()
            };
        let parsed = if at_end {
            crate::lang::parse_to_end(src)
        } else {
            crate::lang::parse(src).map(|p| (p, Vec::new()))
        };
        match parsed {
            Err(e) if e.is_incomplete() && !at_end => continue,
            Ok((program, open_heredocs)) => {
                shell.env.lang.line_base = first_line - 1;
                shell.heredoc_warnings(&open_heredocs);
                let before = reader.sync();
                status = shell.run_program(&program).await;
                if shell.flow == Some(crate::interp::Flow::Discard) {
                    shell.flow = None;
                }
                reader.resync(before);
            }
            Err(e) => {
                shell.env.lang.line_base = first_line - 1;
                shell.syntax_error(&e, &text);
                return 2;
            }
        }
        first_line += u32::try_from(text.matches('\n').count()).unwrap_or(0);
        text.clear();
        if shell.exit_status.is_some() || shell.interrupted || at_end {
            break;
        }
    }
    status
}

/// Whether `text` ends with a backslash-newline (the line goes on).
fn continued(text: &str) -> bool {
    let Some(body) = text.strip_suffix('\n') else {
        return false;
    };
    body.bytes().rev().take_while(|&b| b == b'\\').count() % 2 == 1
}
