//! `alias` and `unalias`: the shell's table of aliases.

use super::getopts::scan;
use super::out;

use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

pub(super) fn alias<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let fmt = |n: &str, v: &str| format!("alias {n}='{}'\n", v.replace('\'', "'\\''"));
        let mut text = String::new();
        let mut status = 0;
        let prefix = shell.err_prefix();
        let (opts, words) = match scan(io, &prefix, &args, "p").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        if words.is_empty() || !opts.is_empty() {
            let mut all: Vec<_> = shell.env.lang.aliases.iter().collect();
            all.sort();
            for (n, v) in all {
                text.push_str(&fmt(n, v));
            }
        }
        for a in words {
            match a.split_once('=') {
                Some((n, v)) => {
                    shell.env.lang.aliases.insert(n.to_string(), v.to_string());
                }
                None => match shell.env.lang.aliases.get(a) {
                    Some(v) => text.push_str(&fmt(a, v)),
                    None => {
                        io.err_line(&format!("{}alias: {a}: not found", shell.err_prefix()))
                            .await;
                        status = 1;
                    }
                },
            }
        }
        out(io, &text).await.err().unwrap_or(status)
    })
}

pub(super) fn unalias<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut status = 0;
        let prefix = shell.err_prefix();
        let (opts, names) = match scan(io, &prefix, &args, "a").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        if !opts.is_empty() {
            shell.env.lang.aliases.clear();
            return 0;
        }
        if names.is_empty() {
            io.err_line(&super::help::usage("unalias")).await;
            return 2;
        }
        for a in names {
            if shell.env.lang.aliases.remove(a).is_none() {
                io.err_line(&format!("{}unalias: {a}: not found", shell.err_prefix()))
                    .await;
                status = 1;
            }
        }
        status
    })
}
