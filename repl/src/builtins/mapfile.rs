//! `mapfile` / `readarray`: the lines (or `-d` records) of stdin into an
//! indexed array.

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
}

fn parse(args: &[String]) -> Result<Opts, String> {
    let mut o = Opts {
        delim: b'\n',
        count: 0,
        origin: 0,
        skip: 0,
        trim: false,
        fd: None,
        name: "MAPFILE".into(),
    };
    let mut i = 0;
    let number = |v: Option<&String>, flag: char| -> Result<usize, String> {
        let v = v.ok_or_else(|| format!("-{flag}: option requires an argument"))?;
        v.parse().map_err(|_| {
            format!(
                "{v}: invalid {}",
                if flag == 'u' {
                    "file descriptor specification"
                } else {
                    "number"
                }
            )
        })
    };
    while let Some(a) = args.get(i) {
        i += 1;
        match a.as_str() {
            "--" => break,
            "-t" => o.trim = true,
            "-d" => {
                let d = args.get(i).ok_or("-d: option requires an argument")?;
                o.delim = d.bytes().next().unwrap_or(0);
                i += 1;
            }
            "-n" => {
                o.count = number(args.get(i), 'n')?;
                i += 1;
            }
            "-O" => {
                o.origin = number(args.get(i), 'O')?;
                i += 1;
            }
            "-s" => {
                o.skip = number(args.get(i), 's')?;
                i += 1;
            }
            "-u" => {
                o.fd = Some(i32::try_from(number(args.get(i), 'u')?).map_err(|e| e.to_string())?);
                i += 1;
            }
            f if f.starts_with('-') && f.len() > 1 => {
                return Err(format!("{f}: invalid option"));
            }
            _ => {
                i -= 1;
                break;
            }
        }
    }
    if let Some(n) = args.get(i) {
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

/// `mapfile [-d delim] [-n count] [-O origin] [-s count] [-t] [-u fd] [array]`.
pub(super) fn mapfile<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let o = match parse(&args[1..]) {
            Ok(o) => o,
            Err(e) => {
                let p = shell.err_prefix();
                io.err_line(&format!("{p}{}: {e}", args[0])).await;
                return 2;
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
    use super::*;

    fn opts(s: &str) -> Opts {
        parse(&s.split_whitespace().map(str::to_owned).collect::<Vec<_>>()).unwrap()
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
