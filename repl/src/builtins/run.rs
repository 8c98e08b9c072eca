//! `run`: start a program as a supervised background job.
//!
//! ```text
//! run [--timeout D] [--cpu D] [--mem SIZE] [--restart never|on-failure|always[:N]]
//!     [--owner O] [--label K=V]... [--] CMD [ARGS...]
//! ```
//!
//! CMD ARGS (already expanded words) run as one process job, exactly like
//! `CMD ARGS &` — `[N] PID` when interactive, `$!`, the job table, `wait`,
//! `kill`, `jobs` — with the kernel's supervision on top: a timeout (the
//! job then ends with status 124), CPU and memory limits, a restart policy
//! (`:N` caps the restarts, default the kernel's budget), an owner and
//! labels. Options take their value as the next word or after `=`
//! (`--timeout=5s`). Durations are `500ms`, `10s`, `2m`, `1h`, or plain
//! seconds (`1.5`); sizes are bytes with an optional `K`, `M`, `G` (powers
//! of 1024). A bad option or value is status 2 and nothing starts.
//!
//! The job's stdout and stderr go to its rings (and, in a script, to the
//! shell's output, as for `&`); redirections on `run` itself apply to its
//! own messages only.

use std::time::Duration;

use corral_kernel::{JobOptions, RestartPolicy};

use crate::exec::BoxFut;
use crate::io::{Input, Output, Ring, Streams};
use crate::redirect::Fds;
use crate::shell::Shell;

/// What `run`'s options asked for.
#[derive(Debug, Default)]
struct Settings {
    options: JobOptions,
    restart: Option<RestartPolicy>,
}

/// `run`'s usage line (also in `help`).
const USAGE: &str = "run [--timeout D] [--cpu D] [--mem SIZE] [--restart never|on-failure|always[:N]] [--owner O] [--label K=V]... [--] command [arg ...]";

pub(super) fn run<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (settings, words) = match parse(&args[1..]) {
            Ok(parsed) => parsed,
            Err(msg) => {
                let prefix = shell.err_prefix();
                io.err_line(&format!("{prefix}run: {msg}")).await;
                io.err_line(&format!("run: usage: {USAGE}")).await;
                return 2;
            }
        };
        start(shell, settings, &words, io).await
    })
}

async fn start(shell: &mut Shell, settings: Settings, words: &[String], io: &mut Streams) -> i32 {
    let fds = Fds::from_streams(Streams {
        stdin: Input::Null,
        stdout: Output::JobRing(Ring::Out),
        stderr: Output::JobRing(Ring::Err),
    });
    let text = words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" ");
    let prepared = match shell.prepare_external(words, Vec::new(), &fds) {
        Ok(p) => p,
        Err(status) => return status,
    };
    let spec = shell
        .spec(&text)
        .pipe(prepared.cmd.text(text.clone()))
        .options(settings.options);
    let spawned = match settings.restart {
        Some(policy) => shell.env.kernel.spawn_restarting(spec, policy),
        None => shell.env.kernel.spawn_process(spec),
    };
    match spawned {
        Ok(job) => {
            shell.adopt_background(&job);
            0
        }
        Err(e) => shell.report_spawn_error(&e, &mut io.stderr).await,
    }
}

/// Splits `run`'s arguments into settings and the command's words.
fn parse(args: &[String]) -> Result<(Settings, Vec<String>), String> {
    let mut s = Settings::default();
    let mut i = 0;
    while let Some(arg) = args.get(i) {
        if arg == "--" {
            i += 1;
            break;
        }
        let Some(long) = arg.strip_prefix("--") else {
            if arg.starts_with('-') && arg.len() > 1 {
                return Err(format!("{arg}: invalid option"));
            }
            break;
        };
        let (name, inline) = match long.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (long, None),
        };
        if !matches!(
            name,
            "timeout" | "cpu" | "mem" | "restart" | "owner" | "label"
        ) {
            return Err(format!("--{name}: invalid option"));
        }
        let value = match inline {
            Some(v) => v,
            None => {
                i += 1;
                args.get(i)
                    .cloned()
                    .ok_or_else(|| format!("--{name}: option requires an argument"))?
            }
        };
        let bad = |what: &str| format!("--{name}: invalid {what} `{value}'");
        match name {
            "timeout" => s.options.timeout = Some(duration(&value).ok_or_else(|| bad("duration"))?),
            "cpu" => s.options.cpu_limit = Some(duration(&value).ok_or_else(|| bad("duration"))?),
            "mem" => s.options.memory_limit = Some(size(&value).ok_or_else(|| bad("size"))?),
            "restart" => s.restart = restart(&value).ok_or_else(|| bad("policy"))?,
            "owner" if !value.is_empty() => s.options.owner = Some(value),
            "owner" => return Err(bad("owner")),
            _ => match value.split_once('=') {
                Some((k, v)) if !k.is_empty() => {
                    s.options.labels.insert(k.to_string(), v.to_string());
                }
                _ => return Err(bad("label")),
            },
        }
        i += 1;
    }
    let words = args[i.min(args.len())..].to_vec();
    if words.is_empty() {
        return Err("a command is required".to_string());
    }
    Ok((s, words))
}

/// `500ms`, `10s`, `2m`, `1h`, or plain seconds; fractions allowed; more than 0.
fn duration(text: &str) -> Option<Duration> {
    let (num, unit) = split_unit(text);
    let scale = match unit {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "m" => 60.0,
        "h" => 3600.0,
        _ => return None,
    };
    let n: f64 = num.parse().ok()?;
    let secs = n * scale;
    (secs.is_finite() && secs > 0.0 && num.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
        .then(|| Duration::try_from_secs_f64(secs).ok())
        .flatten()
}

/// Bytes with an optional `K`, `M` or `G` (powers of 1024); more than 0.
fn size(text: &str) -> Option<u64> {
    let (num, unit) = split_unit(text);
    let shift = match unit {
        "" | "B" | "b" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        _ => return None,
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = num.parse().ok()?;
    n.checked_mul(1u64 << shift).filter(|&b| b > 0)
}

/// `never`, `on-failure` or `always`, with `:N` for at most N restarts.
/// `Ok(None)` is `never` (a plain job).
fn restart(text: &str) -> Option<Option<RestartPolicy>> {
    let (mode, max) = match text.split_once(':') {
        Some((m, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => {
            (m, Some(n.parse::<u32>().ok()?))
        }
        Some(_) => return None,
        None => (text, None),
    };
    let policy = match mode {
        "never" if max.is_none() => return Some(None),
        "on-failure" => RestartPolicy::on_failure(),
        "always" => RestartPolicy::always(),
        _ => return None,
    };
    Some(Some(match max {
        Some(n) => {
            let window = policy.window;
            policy.budget(n, window)
        }
        None => policy,
    }))
}

/// The number and the unit letters after it.
fn split_unit(text: &str) -> (&str, &str) {
    let at = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    text.split_at(at)
}

/// A word as the job's command text shows it: quoted when it needs to be.
fn quote(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(duration("10s"), Some(Duration::from_secs(10)));
        assert_eq!(duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(duration("1.5"), Some(Duration::from_millis(1500)));
        for bad in ["", "x", "10x", "-1", "0", "1e3", "s"] {
            assert_eq!(duration(bad), None, "{bad}");
        }
        assert_eq!(size("512K"), Some(512 << 10));
        assert_eq!(size("64M"), Some(64 << 20));
        assert_eq!(size("1G"), Some(1 << 30));
        assert_eq!(size("4096"), Some(4096));
        for bad in ["", "1T", "1.5M", "0", "M", "-1"] {
            assert_eq!(size(bad), None, "{bad}");
        }
    }

    #[test]
    fn options_and_command() {
        let (s, w) = parse(&words(
            "--timeout 2s --cpu=1 --mem 64M --restart on-failure:3 --owner a --label k=v -- sleep 1",
        ))
        .unwrap();
        assert_eq!(w, words("sleep 1"));
        assert_eq!(s.options.timeout, Some(Duration::from_secs(2)));
        assert_eq!(s.options.cpu_limit, Some(Duration::from_secs(1)));
        assert_eq!(s.options.memory_limit, Some(64 << 20));
        assert_eq!(s.options.owner.as_deref(), Some("a"));
        assert_eq!(s.options.labels.get("k").map(String::as_str), Some("v"));
        let p = s.restart.unwrap();
        assert_eq!(p.max_restarts, 3);
        // Without `--`, the first non-option word starts the command.
        let (_, w) = parse(&words("--restart never ls -l")).unwrap();
        assert_eq!(w, words("ls -l"));
    }

    #[test]
    fn bad_input_is_an_error() {
        for (args, msg) in [
            ("--timeout x -- a", "--timeout: invalid duration `x'"),
            ("--mem 1T a", "--mem: invalid size `1T'"),
            (
                "--restart sometimes a",
                "--restart: invalid policy `sometimes'",
            ),
            ("--restart never:2 a", "--restart: invalid policy `never:2'"),
            ("--label novalue a", "--label: invalid label `novalue'"),
            ("--bogus 1 a", "--bogus: invalid option"),
            ("-t 1 a", "-t: invalid option"),
            ("--timeout", "--timeout: option requires an argument"),
            ("--timeout 1s --", "a command is required"),
        ] {
            assert_eq!(parse(&words(args)).unwrap_err(), msg, "{args}");
        }
    }
}
