//! cat, ls and tail over the mount table, so `/v/jobs/N/stdout` reads like a file.

use std::io;

use corral_vfs::FileKind;

use super::out;
use crate::exec::BoxFut;
use crate::io::{os_message, Streams};
use crate::shell::Shell;

/// `cmd: PATH: message`, naming the path as the user typed it.
fn vfs_error(cmd: &str, typed: &str, abs: &str, e: &io::Error) -> String {
    let msg = e.to_string();
    let msg = match msg.strip_prefix(abs) {
        Some(rest) => format!("{typed}{rest}"),
        None if e.raw_os_error().is_some() => format!("{typed}: {}", os_message(e)),
        None => msg,
    };
    format!("{cmd}: {msg}")
}

pub(super) fn cat<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let files: Vec<&String> = args[1..].iter().collect();
        if files.is_empty() || files.iter().all(|f| *f == "-") && files.len() == 1 {
            return match io.stdin.read_all().await {
                Ok(data) => match io.out(&data).await {
                    Ok(()) => 0,
                    Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 141,
                    Err(_) => 1,
                },
                Err(e) => {
                    io.err_line(&format!("cat: -: {}", os_message(&e))).await;
                    1
                }
            };
        }
        let mut status = 0;
        for typed in files {
            let abs = shell.env.absolute(typed);
            match shell.env.vfs.read(&abs).await {
                Ok(data) => {
                    if let Err(e) = io.out(&data).await {
                        return if e.kind() == io::ErrorKind::BrokenPipe {
                            141
                        } else {
                            1
                        };
                    }
                }
                Err(e) => {
                    io.err_line(&vfs_error("cat", typed, &abs, &e)).await;
                    status = 1;
                }
            }
        }
        status
    })
}

pub(super) fn ls<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut all = false;
        let mut paths = Vec::new();
        for a in &args[1..] {
            match a.as_str() {
                "-a" => all = true,
                "-1" => {}
                s if s.starts_with('-') && s.len() > 1 => {
                    io.err_line(&format!("ls: invalid option -- '{}'", &s[1..]))
                        .await;
                    io.err_line("usage: ls [-a] [path ...]").await;
                    return 2;
                }
                _ => paths.push(a.clone()),
            }
        }
        if paths.is_empty() {
            paths.push(".".to_string());
        }
        let many = paths.len() > 1;
        let mut status = 0;
        let mut text = String::new();
        for (i, typed) in paths.iter().enumerate() {
            let abs = shell.env.absolute(typed);
            let meta = match shell.env.vfs.stat(&abs).await {
                Ok(m) => m,
                Err(e) => {
                    io.err_line(&vfs_error("ls", typed, &abs, &e)).await;
                    status = 2;
                    continue;
                }
            };
            if meta.kind != FileKind::Dir {
                text.push_str(typed);
                text.push('\n');
                continue;
            }
            match shell.env.vfs.list(&abs).await {
                Ok(mut entries) => {
                    if many {
                        if i > 0 {
                            text.push('\n');
                        }
                        text.push_str(&format!("{typed}:\n"));
                    }
                    entries.sort_by(|a, b| a.name.cmp(&b.name));
                    for e in entries {
                        if all || !e.name.starts_with('.') {
                            text.push_str(&e.name);
                            text.push('\n');
                        }
                    }
                }
                Err(e) => {
                    io.err_line(&vfs_error("ls", typed, &abs, &e)).await;
                    status = 2;
                }
            }
        }
        match out(io, &text).await {
            Ok(()) => status,
            Err(s) => s,
        }
    })
}

/// The offset where the last `n` lines of `data` start.
fn last_lines_start(data: &[u8], n: usize) -> usize {
    if n == 0 {
        return data.len();
    }
    let body = match data.last() {
        Some(b'\n') => &data[..data.len() - 1],
        _ => data,
    };
    let mut seen = 0;
    for (i, b) in body.iter().enumerate().rev() {
        if *b == b'\n' {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    0
}

pub(super) fn tail<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut lines = 10usize;
        let mut follow = false;
        let mut file = None;
        let mut it = args[1..].iter();
        while let Some(a) = it.next() {
            match a.as_str() {
                "-f" => follow = true,
                "-n" => match it.next().map(|n| n.trim_start_matches('+').parse()) {
                    Some(Ok(n)) => lines = n,
                    _ => {
                        io.err_line("tail: -n needs a number of lines").await;
                        return 1;
                    }
                },
                s if s.starts_with("-n") => match s[2..].parse() {
                    Ok(n) => lines = n,
                    Err(_) => {
                        io.err_line(&format!("tail: invalid number of lines: '{}'", &s[2..]))
                            .await;
                        return 1;
                    }
                },
                s if s.starts_with('-')
                    && s.len() > 1
                    && s[1..].chars().all(|c| c.is_ascii_digit()) =>
                {
                    lines = s[1..].parse().unwrap_or(10);
                }
                s if s.starts_with('-') && s.len() > 1 => {
                    io.err_line(&format!("tail: invalid option -- '{}'", &s[1..]))
                        .await;
                    return 1;
                }
                _ if file.is_some() => {
                    io.err_line("tail: only one file is supported").await;
                    return 1;
                }
                _ => file = Some(a.clone()),
            }
        }
        let Some(typed) = file else {
            let data = match io.stdin.read_all().await {
                Ok(d) => d,
                Err(e) => {
                    io.err_line(&format!("tail: -: {}", os_message(&e))).await;
                    return 1;
                }
            };
            let start = last_lines_start(&data, lines);
            return match io.out(&data[start..]).await {
                Ok(()) => 0,
                Err(_) => 1,
            };
        };
        let abs = shell.env.absolute(&typed);
        // Read from offset 0: the chunk says where the held bytes really start.
        let chunk = match shell.env.vfs.read_at(&abs, 0, usize::MAX).await {
            Ok(c) => c,
            Err(e) => {
                io.err_line(&vfs_error("tail", &typed, &abs, &e)).await;
                return 1;
            }
        };
        let data = chunk.data;
        let start = last_lines_start(&data, lines);
        if let Err(e) = io.out(&data[start..]).await {
            return if e.kind() == io::ErrorKind::BrokenPipe {
                141
            } else {
                1
            };
        }
        if !follow {
            return 0;
        }
        let from = chunk.offset + data.len() as u64;
        let mut stream = match shell.env.vfs.follow(&abs, from).await {
            Ok(s) => s,
            Err(e) => {
                io.err_line(&vfs_error("tail", &typed, &abs, &e)).await;
                return 1;
            }
        };
        loop {
            match stream.next_chunk().await {
                Ok(Some(chunk)) => {
                    if let Err(e) = io.out(&chunk.data).await {
                        return if e.kind() == io::ErrorKind::BrokenPipe {
                            141
                        } else {
                            1
                        };
                    }
                }
                Ok(None) => return 0,
                Err(e) => {
                    io.err_line(&vfs_error("tail", &typed, &abs, &e)).await;
                    return 1;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::last_lines_start;

    #[test]
    fn last_lines() {
        let d = b"a\nb\nc\n";
        assert_eq!(&d[last_lines_start(d, 2)..], b"b\nc\n");
        assert_eq!(&d[last_lines_start(d, 10)..], b"a\nb\nc\n");
        assert_eq!(&d[last_lines_start(d, 0)..], b"");
        assert_eq!(&b"x\ny"[last_lines_start(b"x\ny", 1)..], b"y");
    }
}
