//! `mapfile` / `readarray`: the lines (or `-d` records) of stdin into an
//! indexed array.

use super::getopts::BuiltinOpt;
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::io::{Input, Streams};
use crate::shell::Shell;

/// The parsed options.
#[derive(Debug, PartialEq, Eq)]
struct Opts {
    delim: u8,
    count: usize,
    origin: usize,
    skip: usize,
    trim: bool,
    fd: Option<i32>,
    name: String,
    /// `-C`: code run every `quantum` records, with the index and the record.
    callback: Option<String>,
    quantum: usize,
}

/// The options from `getopts::scan`, the operands after them; an error is
/// bash's message for a bad number (status 1).
fn parse(opts: Vec<BuiltinOpt>, rest: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        delim: b'\n',
        count: 0,
        origin: 0,
        skip: 0,
        trim: false,
        fd: None,
        name: "MAPFILE".into(),
        callback: None,
        quantum: 5000,
    };
    let number = |v: &str, what: &str| -> Result<usize, String> {
        v.parse().map_err(|_| format!("{v}: invalid {what}"))
    };
    for opt in opts {
        let v = opt.value.as_deref().unwrap_or_default();
        match opt.letter {
            't' => o.trim = true,
            'd' => o.delim = v.bytes().next().unwrap_or(0),
            'n' => o.count = number(v, "line count")?,
            'O' => o.origin = number(v, "array origin")?,
            's' => o.skip = number(v, "line count")?,
            'C' => o.callback = Some(v.to_owned()),
            'c' => match number(v, "callback quantum")? {
                0 => return Err(format!("{v}: invalid callback quantum")),
                n => o.quantum = n,
            },
            _ => {
                let fd = number(v, "file descriptor specification")?;
                o.fd = Some(
                    i32::try_from(fd)
                        .map_err(|_| format!("{v}: invalid file descriptor specification"))?,
                );
            }
        }
    }
    if let Some(n) = rest.first() {
        o.name.clone_from(n);
    }
    Ok(o)
}

/// Splits `data` into records ending in `delim` (the last may lack it).
fn records(data: &[u8], o: &Opts) -> Vec<String> {
    let mut out = Vec::new();
    for (k, rec) in data.split_inclusive(|b| *b == o.delim).enumerate() {
        if k < o.skip {
            continue;
        }
        if o.count > 0 && out.len() == o.count {
            break;
        }
        let rec = if o.trim {
            rec.strip_suffix(&[o.delim]).unwrap_or(rec)
        } else {
            rec
        };
        // bash's strings end at a NUL: the rest of the line is lost.
        let rec = rec.split(|b| *b == 0).next().unwrap_or(rec);
        out.push(crate::rawbytes::encode(rec).into_owned());
    }
    out
}

/// `mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [-C
/// callback [-c quantum]] [array]`.
pub(super) fn mapfile<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let p = shell.err_prefix();
        let o = match super::getopts::scan(io, &p, &args, "d:n:O:s:tu:C:c:").await {
            Ok((opts, rest)) => parse(opts, rest),
            Err(status) => return status,
        };
        let o = match o {
            Ok(o) => o,
            Err(e) => {
                io.err_line(&format!("{p}{}: {e}", args[0])).await;
                return 1;
            }
        };
        let data = match o.fd {
            None | Some(0) => io.stdin.read_all().await,
            Some(n) => match shell.fds.extra.get(&n) {
                Some(crate::redirect::Slot::In(Input::Fd(fd))) => match fd.try_clone() {
                    Ok(fd) => Input::Fd(fd).read_all().await,
                    Err(e) => Err(e),
                },
                _ => {
                    let p = shell.err_prefix();
                    io.err_line(&format!(
                        "{p}{}: {n}: invalid file descriptor: Bad file descriptor",
                        args[0]
                    ))
                    .await;
                    return 1;
                }
            },
        };
        let data = match data {
            Ok(d) => d,
            Err(e) => {
                let p = shell.err_prefix();
                io.err_line(&format!("{p}{}: {}", args[0], crate::io::os_message(&e)))
                    .await;
                return 1;
            }
        };
        let mut items: Vec<(usize, String)> = if o.origin > 0 {
            match shell.env.vars.value(&o.name) {
                Some(Value::Indexed(v)) => v.clone(),
                _ => Vec::new(),
            }
        } else {
            Vec::new()
        };
        for (k, rec) in records(&data, &o).into_iter().enumerate() {
            let at = o.origin + k;
            // bash runs the callback before it stores the record; the
            // callback sees the elements stored so far.
            if let Some(cb) = o.callback.as_deref().filter(|_| (k + 1) % o.quantum == 0) {
                items.sort_by_key(|(i, _)| *i);
                if let Err(e) = shell
                    .env
                    .vars
                    .assign(&o.name, Value::Indexed(items.clone()))
                {
                    io.err_line(&format!("{p}{}: {e}", args[0])).await;
                    return 1;
                }
                let quoted = format!("'{}'", rec.replace('\'', "'\\''"));
                shell
                    .run_text_by_command(&format!("{cb} {at} {quoted}"), true)
                    .await;
            }
            items.retain(|(i, _)| *i != at);
            items.push((at, rec));
        }
        items.sort_by_key(|(i, _)| *i);
        match shell.env.vars.assign(&o.name, Value::Indexed(items)) {
            Ok(()) => 0,
            Err(e) => {
                let p = shell.err_prefix();
                io.err_line(&format!("{p}{}: {e}", args[0])).await;
                1
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::getopts::BuiltinOpts;
    use super::*;

    fn opts(s: &str) -> Opts {
        let argv: Vec<String> = std::iter::once("mapfile")
            .chain(s.split_whitespace())
            .map(str::to_owned)
            .collect();
        let mut scan = BuiltinOpts::new(&argv, "d:n:O:s:tu:C:c:");
        let found: Vec<BuiltinOpt> = scan.by_ref().map(Result::unwrap).collect();
        parse(found, scan.rest()).unwrap()
    }

    #[test]
    fn records_honour_skip_count_and_trim() {
        let o = opts("-t -s 1 -n 2 arr");
        assert_eq!(o.name, "arr");
        assert_eq!(records(b"a\nb\nc\nd\n", &o), vec!["b", "c"]);
        assert_eq!(records(b"a\nb", &opts("")), vec!["a\n", "b"]);
        assert_eq!(records(b"x,y,", &opts("-d , -t")), vec!["x", "y"]);
        assert_eq!(records(b"a\0b\nc\n", &opts("")), vec!["a", "c\n"]);
    }
}
