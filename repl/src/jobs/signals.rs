//! Signal names and numbers as bash 5.2's `kill` reads and prints them
//! (`decode_signal`, `display_signal_list`, `legal_number`).
//!
//! bash's table has one name per number: `EXIT` (0), `SIGHUP`…`SIGSYS`,
//! `SIGRTMIN`, `SIGRTMIN+1`…`SIGRTMIN+15`, `SIGRTMAX-14`…`SIGRTMAX`, and the
//! pseudo-signals `DEBUG` (65), `ERR` (66), `RETURN` (67). Names match in any case,
//! with or without `SIG` (not `SIGEXIT`); `RTMIN+N` / `SIGRTMIN+N` take any N up to
//! RTMAX-RTMIN. Aliases (`IOT`, `CLD`, `POLL`) are not accepted. Numbers may carry
//! spaces around them and a sign.

use std::fmt::Write as _;

use corral_kernel::Signal;

/// bash's `NSIG` on Linux: signal numbers are below it.
const NSIG: i64 = 65;

/// The pseudo-signals after `NSIG`, in number order.
const PSEUDO: [&str; 3] = ["DEBUG", "ERR", "RETURN"];

/// A word that is not a signal: `QQQ: invalid signal specification`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{0}: invalid signal specification")]
pub struct InvalidSignalSpec(pub String);

impl InvalidSignalSpec {
    /// The full message: `kill: QQQ: invalid signal specification`.
    pub fn message(&self, builtin: &str) -> String {
        format!("{builtin}: {self}")
    }
}

/// bash's `legal_number`: optional leading whitespace, a sign, decimal digits that
/// fit in 64 bits, optional trailing spaces or tabs, nothing else.
pub fn legal_number(text: &str) -> Option<i64> {
    let s = text.trim_start_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    let (negative, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !s[digits..].bytes().all(|b| b == b' ' || b == b'\t') {
        return None;
    }
    let mut value: i64 = 0;
    for b in s[..digits].bytes() {
        let d = i64::from(b - b'0');
        value = value.checked_mul(10)?;
        value = if negative {
            value.checked_sub(d)?
        } else {
            value.checked_add(d)?
        };
    }
    Some(value)
}

/// bash's name for signal `n` (`SIGTERM`, `EXIT`, `DEBUG`); `None` where its table
/// has none (32 and 33 on Linux, out of range).
fn signal_name(n: i64) -> Option<String> {
    match n {
        0 => Some("EXIT".to_string()),
        _ if n < NSIG => {
            let sig = Signal::from_number(i32::try_from(n).ok()?).ok()?;
            Some(format!("SIG{}", sig.name()))
        }
        _ => PSEUDO
            .get(usize::try_from(n - NSIG).ok()?)
            .map(|s| (*s).to_string()),
    }
}

/// bash's `decode_signal` as `kill` calls it (any case, `SIG` optional): the number a
/// signal spec names, 0 (`0`, `EXIT`) included, and 65–67 for `DEBUG`, `ERR`,
/// `RETURN` (which `kill` cannot send). `None` when it names nothing.
pub fn decode_signal(spec: &str) -> Option<i32> {
    if let Some(n) = legal_number(spec) {
        return if (0..NSIG).contains(&n) {
            i32::try_from(n).ok()
        } else {
            None
        };
    }
    for prefix in ["SIGRTMIN+", "RTMIN+"] {
        let head = spec.get(..prefix.len());
        if head.is_some_and(|h| h.eq_ignore_ascii_case(prefix)) {
            let (min, max) = (libc::SIGRTMIN(), libc::SIGRTMAX());
            return legal_number(&spec[prefix.len()..])
                .and_then(|n| i32::try_from(n).ok())
                .filter(|n| (0..=max - min).contains(n))
                .map(|n| min + n);
        }
    }
    (0..NSIG + PSEUDO.len() as i64)
        .find(|&n| {
            signal_name(n).is_some_and(|name| {
                name.strip_prefix("SIG")
                    .is_some_and(|bare| spec.eq_ignore_ascii_case(bare))
                    || spec.eq_ignore_ascii_case(&name)
            })
        })
        .and_then(|n| i32::try_from(n).ok())
}

/// The signal `kill -s SPEC` / `kill -SPEC` sends: bash's [`decode_signal`]
/// (0 checks existence), then any other name the kernel's [`Signal::parse`]
/// knows (`IOT`, `CLD`, `POLL`, `RTMAX-2`…), so `kill` accepts what
/// `/v/jobs/N/ctl` accepts.
pub fn kill_signal(spec: &str) -> Option<i32> {
    decode_signal(spec)
        .filter(|n| *n < 65)
        .or_else(|| Signal::parse(spec).ok().map(Signal::number))
}

/// `kill -l`: five `%2d) SIGNAME` per line separated by tabs, exactly as bash prints
/// them, final newline included.
pub fn kill_list() -> String {
    let mut out = String::new();
    let mut column = 0;
    for sig in Signal::all() {
        let _ = write!(out, "{:2}) SIG{}", sig.number(), sig.name());
        column += 1;
        if column < 5 {
            out.push('\t');
        } else {
            out.push('\n');
            column = 0;
        }
    }
    if column != 0 {
        out.push('\n');
    }
    out
}

/// `kill -l ARG`: a number (an exit status above 128 counts as 128+N) gives the name
/// without `SIG` (`143` → `TERM`, `0` → `EXIT`); a name gives its number (`TERM` →
/// `15`). `Ok(None)`: bash prints nothing, not even a newline (32, 33).
///
/// # Errors
/// [`InvalidSignalSpec`] naming `arg`.
pub fn kill_l_arg(arg: &str) -> Result<Option<String>, InvalidSignalSpec> {
    let invalid = || InvalidSignalSpec(arg.to_string());
    if let Some(mut n) = legal_number(arg) {
        if n > 128 {
            n -= 128;
        }
        if !(0..NSIG).contains(&n) {
            return Err(invalid());
        }
        return Ok(signal_name(n).map(|name| match name.strip_prefix("SIG") {
            Some(bare) => bare.to_string(),
            None => name,
        }));
    }
    decode_signal(arg)
        .map(|n| Some(n.to_string()))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `bash -c 'kill -l'` (GNU bash 5.2.15, Linux x86_64, glibc SIGRTMIN = 34).
    const BASH_KILL_L: &str = " 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 4) SIGILL\t 5) SIGTRAP\n 6) SIGABRT\t 7) SIGBUS\t 8) SIGFPE\t 9) SIGKILL\t10) SIGUSR1\n11) SIGSEGV\t12) SIGUSR2\t13) SIGPIPE\t14) SIGALRM\t15) SIGTERM\n16) SIGSTKFLT\t17) SIGCHLD\t18) SIGCONT\t19) SIGSTOP\t20) SIGTSTP\n21) SIGTTIN\t22) SIGTTOU\t23) SIGURG\t24) SIGXCPU\t25) SIGXFSZ\n26) SIGVTALRM\t27) SIGPROF\t28) SIGWINCH\t29) SIGIO\t30) SIGPWR\n31) SIGSYS\t34) SIGRTMIN\t35) SIGRTMIN+1\t36) SIGRTMIN+2\t37) SIGRTMIN+3\n38) SIGRTMIN+4\t39) SIGRTMIN+5\t40) SIGRTMIN+6\t41) SIGRTMIN+7\t42) SIGRTMIN+8\n43) SIGRTMIN+9\t44) SIGRTMIN+10\t45) SIGRTMIN+11\t46) SIGRTMIN+12\t47) SIGRTMIN+13\n48) SIGRTMIN+14\t49) SIGRTMIN+15\t50) SIGRTMAX-14\t51) SIGRTMAX-13\t52) SIGRTMAX-12\n53) SIGRTMAX-11\t54) SIGRTMAX-10\t55) SIGRTMAX-9\t56) SIGRTMAX-8\t57) SIGRTMAX-7\n58) SIGRTMAX-6\t59) SIGRTMAX-5\t60) SIGRTMAX-4\t61) SIGRTMAX-3\t62) SIGRTMAX-2\n63) SIGRTMAX-1\t64) SIGRTMAX\t\n";

    /// `bash -c 'kill -l "$1"; echo "rc=$?"' _ ARG`: `Some(output)` or `None` for
    /// `invalid signal specification` (status 1). An empty output: nothing printed.
    const BASH_KILL_L_ARG: &[(&str, Option<&str>)] = &[
        ("143", Some("TERM")),
        ("9", Some("KILL")),
        ("TERM", Some("15")),
        ("SIGTERM", Some("15")),
        ("term", Some("15")),
        ("sigterm", Some("15")),
        ("Term", Some("15")),
        ("0", Some("EXIT")),
        ("EXIT", Some("0")),
        ("exit", Some("0")),
        ("32", Some("")),
        ("33", Some("")),
        ("160", Some("")),
        ("34", Some("RTMIN")),
        ("64", Some("RTMAX")),
        ("65", None),
        ("128", None),
        ("129", Some("HUP")),
        ("192", Some("RTMAX")),
        ("193", None),
        ("255", None),
        ("256", None),
        ("RTMIN", Some("34")),
        ("RTMIN+1", Some("35")),
        ("rtmin+1", Some("35")),
        ("RTMIN+0", Some("34")),
        ("RTMIN+30", Some("64")),
        ("RTMIN+31", None),
        ("SIGRTMIN+16", Some("50")),
        ("RTMIN+ 1", Some("35")),
        ("RTMIN+-0", Some("34")),
        ("rtmax", Some("64")),
        ("SIGRTMAX-1", Some("63")),
        ("sigrtmax-14", Some("50")),
        ("RTMAX-0", None),
        ("RTMAX-15", None),
        ("IOT", None),
        ("CLD", None),
        ("POLL", None),
        ("1x", None),
        ("", None),
        (" 9", Some("KILL")),
        ("9 ", Some("KILL")),
        (" +0 ", Some("EXIT")),
        ("+9", Some("KILL")),
        ("15x", None),
        ("0x9", None),
        ("010", Some("USR1")),
        ("STKFLT", Some("16")),
        ("sigstkflt", Some("16")),
        ("SIGEXIT", None),
        ("sigexit", None),
        ("DEBUG", Some("65")),
        ("debug", Some("65")),
        ("SIGDEBUG", None),
        ("ERR", Some("66")),
        ("RETURN", Some("67")),
        ("TERM ", None),
        ("9223372036854775808", None),
        ("18446744073709551745", None),
    ];

    #[test]
    fn kill_list_is_bash_s() {
        assert_eq!(kill_list(), BASH_KILL_L);
    }

    #[test]
    fn kill_l_arg_is_bash_s() {
        for &(arg, want) in BASH_KILL_L_ARG {
            let got = kill_l_arg(arg);
            match want {
                Some(text) => assert_eq!(
                    got,
                    Ok((!text.is_empty()).then(|| text.to_string())),
                    "{arg:?}"
                ),
                None => assert_eq!(got, Err(InvalidSignalSpec(arg.to_string())), "{arg:?}"),
            }
        }
        assert_eq!(
            InvalidSignalSpec("QQQ".into()).message("kill"),
            "kill: QQQ: invalid signal specification"
        );
    }

    #[test]
    fn every_signal_round_trips() {
        for sig in Signal::all() {
            let n = sig.number().to_string();
            assert_eq!(kill_l_arg(&n), Ok(Some(sig.name())));
            assert_eq!(kill_l_arg(&sig.name()), Ok(Some(n.clone())));
            assert_eq!(kill_l_arg(&format!("SIG{}", sig.name())), Ok(Some(n)));
            assert_eq!(
                decode_signal(&sig.name().to_lowercase()),
                Some(sig.number())
            );
        }
    }

    #[test]
    fn decode_signal_as_kill_s_uses_it() {
        // bash -c 'kill -s IOT $$' → invalid; -s 0 and -s exit → 0 (existence check)
        assert_eq!(decode_signal("IOT"), None);
        assert_eq!(decode_signal("0"), Some(0));
        assert_eq!(decode_signal("exit"), Some(0));
        assert_eq!(decode_signal("RTMAX-0"), None);
        assert_eq!(decode_signal("KILL"), Some(9));
        assert_eq!(decode_signal("32"), Some(32));
        assert_eq!(decode_signal("65"), None);
        assert_eq!(decode_signal("-9"), None);
        assert_eq!(decode_signal("RTMIN+ÿ"), None);
        assert_eq!(decode_signal("ΣIGTERM"), None);
    }

    #[test]
    fn legal_numbers() {
        assert_eq!(legal_number("15"), Some(15));
        assert_eq!(legal_number(" \t\n15 \t"), Some(15));
        assert_eq!(legal_number("-15"), Some(-15));
        assert_eq!(legal_number("+015"), Some(15));
        assert_eq!(legal_number("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(legal_number("9223372036854775807"), Some(i64::MAX));
        for bad in [
            "",
            " ",
            "+",
            "-",
            "1 2",
            "15\n",
            "0x1",
            "1e3",
            "١",
            "9223372036854775808",
        ] {
            assert_eq!(legal_number(bad), None, "{bad:?}");
        }
    }

    /// Compares with the bash on this machine, when it is bash 5.2.
    #[test]
    fn matches_live_bash_5_2_when_present() {
        let Ok(version) = std::process::Command::new("bash")
            .args(["-c", "echo ${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"])
            .output()
        else {
            return;
        };
        if String::from_utf8_lossy(&version.stdout).trim() != "5.2" {
            return;
        }
        let run = |script: &str, arg: &str| {
            let out = std::process::Command::new("bash")
                .args(["-c", script, "_", arg])
                .output()
                .unwrap();
            (
                String::from_utf8_lossy(&out.stdout).into_owned(),
                out.status.code(),
            )
        };
        assert_eq!(run("kill -l", "").0, kill_list());
        for &(arg, _) in BASH_KILL_L_ARG {
            let (out, code) = run("kill -l \"$1\" 2>/dev/null", arg);
            let ours = match kill_l_arg(arg) {
                Ok(Some(s)) => (format!("{s}\n"), Some(0)),
                Ok(None) => (String::new(), Some(0)),
                Err(_) => (String::new(), Some(1)),
            };
            assert_eq!((out, code), ours, "kill -l {arg:?}");
        }
    }
}
