//! `ulimit`: show or set the shell's resource limits, which its children
//! inherit. Values are in bash's units (blocks of 512 bytes for `-f` and
//! `-c`, kilobytes for memory sizes); setting without `-S`/`-H` sets both.

use super::getopts::{BuiltinOptError, BuiltinOpts};
use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

/// (letter, description, unit shown, bytes per unit), in `ulimit -a`'s order.
const LIMITS: &[(char, &str, &str, u64)] = &[
    ('R', "real-time non-blocking time", "microseconds", 1),
    ('c', "core file size", "blocks", 512),
    ('d', "data seg size", "kbytes", 1024),
    ('e', "scheduling priority", "", 1),
    ('f', "file size", "blocks", 512),
    ('i', "pending signals", "", 1),
    ('l', "max locked memory", "kbytes", 1024),
    ('m', "max memory size", "kbytes", 1024),
    ('n', "open files", "", 1),
    ('p', "pipe size", "512 bytes", 1),
    ('q', "POSIX message queues", "bytes", 1),
    ('r', "real-time priority", "", 1),
    ('s', "stack size", "kbytes", 1024),
    ('t', "cpu time", "seconds", 1),
    ('u', "max user processes", "", 1),
    ('v', "virtual memory", "kbytes", 1024),
    ('x', "file locks", "", 1),
];

/// Why `ulimit` failed: bash's message and status.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
enum UlimitError {
    #[error("{0}")]
    Options(BuiltinOptError),
    #[error("{0}: invalid number")]
    InvalidNumber(String),
    #[error("{0}: limit out of range")]
    OutOfRange(String),
    #[error("{0}: cannot modify limit: {1}")]
    Refused(String, String),
    #[error("{0}: cannot get limit: {1}")]
    Unreadable(String, String),
}

impl UlimitError {
    fn status(&self) -> i32 {
        match self {
            UlimitError::Options(_) => 2,
            _ => 1,
        }
    }
}

/// The parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
struct Args {
    soft: bool,
    hard: bool,
    all: bool,
    letters: Vec<char>,
    value: Option<String>,
}

fn parse(args: &[String]) -> Result<Args, UlimitError> {
    let mut a = Args::default();
    let argv: Vec<String> = std::iter::once("ulimit".to_owned())
        .chain(args.iter().cloned())
        .collect();
    let optstring: String = "SHa".chars().chain(LIMITS.iter().map(|l| l.0)).collect();
    let mut opts = BuiltinOpts::new(&argv, &optstring);
    for opt in opts.by_ref() {
        match opt.map_err(UlimitError::Options)?.letter {
            'S' => a.soft = true,
            'H' => a.hard = true,
            'a' => a.all = true,
            c => a.letters.push(c),
        }
    }
    a.value = opts.rest().first().cloned();
    if a.letters.is_empty() {
        a.letters.push('f');
    }
    Ok(a)
}

fn show(n: u64, unit: u64) -> String {
    if n == u64::MAX {
        "unlimited".into()
    } else {
        (n / unit).to_string()
    }
}

fn get(letter: char, hard: bool) -> Result<String, UlimitError> {
    let (_, desc, _, unit) = LIMITS
        .iter()
        .find(|l| l.0 == letter)
        .copied()
        .unwrap_or(LIMITS[4]);
    if letter == 'p' {
        // The pipe buffer bash reports: PIPE_BUF in 512-byte blocks.
        return Ok("8".into());
    }
    match crate::sys::rlimit(letter) {
        Some(Ok((s, h))) => Ok(show(if hard { h } else { s }, unit)),
        Some(Err(e)) => Err(UlimitError::Unreadable(
            desc.into(),
            crate::io::os_message(&e),
        )),
        None => Ok("unlimited".into()),
    }
}

fn set(letter: char, value: &str, soft: bool, hard: bool) -> Result<(), UlimitError> {
    let (_, desc, _, unit) = LIMITS
        .iter()
        .find(|l| l.0 == letter)
        .copied()
        .unwrap_or(LIMITS[4]);
    let n = if value == "unlimited" {
        u64::MAX
    } else {
        let k: u64 = value
            .parse()
            .map_err(|_| UlimitError::InvalidNumber(value.into()))?;
        k.checked_mul(unit)
            .filter(|n| i64::try_from(*n).is_ok())
            .ok_or_else(|| UlimitError::OutOfRange(value.into()))?
    };
    let refused = |e: std::io::Error| UlimitError::Refused(desc.into(), crate::io::os_message(&e));
    let (old_soft, old_hard) = match crate::sys::rlimit(letter) {
        Some(r) => r.map_err(refused)?,
        None => return Err(UlimitError::Refused(desc.into(), "Invalid argument".into())),
    };
    // Neither -S nor -H: both.
    let (s, h) = match (soft, hard) {
        (true, false) => (n, old_hard),
        (false, true) => (old_soft.min(n), n),
        _ => (n, n),
    };
    crate::sys::set_rlimit(letter, s, h).map_err(refused)
}

fn line(letter: char, value: &str) -> String {
    let (_, desc, unit, _) = LIMITS
        .iter()
        .find(|l| l.0 == letter)
        .copied()
        .unwrap_or(LIMITS[4]);
    let label = if unit.is_empty() {
        format!("(-{letter})")
    } else {
        format!("({unit}, -{letter})")
    };
    format!("{desc:<20}{label:>20} {value}\n")
}

/// `ulimit [-SHa] [-LETTER...] [limit]`.
pub(super) fn ulimit<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let result = (|| -> Result<String, (String, UlimitError)> {
            let a = parse(&args[1..]).map_err(|e| (String::new(), e))?;
            if a.all {
                let mut text = String::new();
                for (c, ..) in LIMITS {
                    let v = get(*c, a.hard).map_err(|e| (String::new(), e))?;
                    text.push_str(&line(*c, &v));
                }
                return Ok(text);
            }
            // The value belongs to the last letter; the others are shown.
            let (shown, last) = match (&a.value, a.letters.split_last()) {
                (Some(v), Some((last, rest))) => (rest, Some((*last, v))),
                _ => (&a.letters[..], None),
            };
            let mut text = String::new();
            for c in shown {
                let v = get(*c, a.hard).map_err(|e| (String::new(), e))?;
                if a.letters.len() > 1 {
                    text.push_str(&line(*c, &v));
                } else {
                    text.push_str(&v);
                    text.push('\n');
                }
            }
            if let Some((c, v)) = last {
                if let Err(e) = set(c, v, a.soft, a.hard) {
                    return Err((text, e));
                }
            }
            Ok(text)
        })();
        match result {
            Ok(text) => out(io, &text).await.err().unwrap_or(0),
            Err((text, e)) => {
                if let Err(s) = out(io, &text).await {
                    return s;
                }
                if let UlimitError::Options(e) = e {
                    let usage = super::help::usage("ulimit");
                    return e.report(io, &format!("{prefix}ulimit: "), &usage).await;
                }
                io.err_line(&format!("{prefix}ulimit: {e}")).await;
                e.status()
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn parses_like_bash() {
        let a = parse(&words("-H -n 10")).unwrap();
        assert!(a.hard && !a.soft);
        assert_eq!(a.letters, vec!['n']);
        assert_eq!(a.value.as_deref(), Some("10"));
        assert_eq!(parse(&[]).unwrap().letters, vec!['f']);
        assert_eq!(
            parse(&words("-f -42")),
            Err(UlimitError::Options(BuiltinOptError::Invalid('-', '4')))
        );
        assert_eq!(
            parse(&words("-f -- -42")).unwrap().value.as_deref(),
            Some("-42")
        );
    }

    #[test]
    fn lines_align_as_bash_prints_them() {
        assert_eq!(
            line('f', "unlimited"),
            "file size                   (blocks, -f) unlimited\n"
        );
        assert_eq!(
            line('n', "1024"),
            "open files                          (-n) 1024\n"
        );
        assert_eq!(
            line('R', "unlimited"),
            "real-time non-blocking time  (microseconds, -R) unlimited\n"
        );
    }

    #[test]
    fn bad_numbers_are_refused_before_any_change() {
        assert_eq!(
            set('f', "zz", false, false),
            Err(UlimitError::InvalidNumber("zz".into()))
        );
        let big = ((1u64 << 62) + 1).to_string();
        assert_eq!(
            set('f', &big, false, false),
            Err(UlimitError::OutOfRange(big.clone()))
        );
    }
}
