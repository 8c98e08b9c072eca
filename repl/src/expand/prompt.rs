//! Prompt strings (`PS1`, `PS2`, `PS4` and `${x@P}`): bash's backslash
//! escapes are decoded first, then `$name` and `${name}` in the result are
//! expanded (bash's `promptvars`); the text a variable brings is not
//! decoded again.

use super::env::ExpandEnv;
use super::sys;

/// The prompt `text` decoded and expanded.
pub(crate) fn decode<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> String {
    let decoded = escapes(env, text);
    if decoded.contains('$') {
        super::arith::simple(env, &decoded).unwrap_or(decoded)
    } else {
        decoded
    }
}

fn var<E: ExpandEnv + ?Sized>(env: &E, name: &str) -> Option<String> {
    env.value(name)?.first().map(str::to_owned)
}

/// `\w`: the working directory with `$HOME` shown as `~`.
fn tilde_dir<E: ExpandEnv + ?Sized>(env: &E) -> String {
    let pwd = var(env, "PWD").unwrap_or_else(|| env.cwd().to_string_lossy().into_owned());
    crate::prompt::tilde_cwd(&pwd, var(env, "HOME").as_deref())
}

/// `text` with its backslash escapes decoded (no `$` expansion).
pub(crate) fn escapes<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            'a' => out.push('\x07'),
            'e' => out.push('\x1b'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            '\\' => out.push('\\'),
            '[' | ']' => {}
            '$' => out.push(if sys::is_root() { '#' } else { '$' }),
            'u' => out.push_str(&var(env, "USER").or_else(sys::user_name).unwrap_or_default()),
            'h' => {
                let h = sys::host_name();
                out.push_str(h.split('.').next().unwrap_or(""));
            }
            'H' => out.push_str(&sys::host_name()),
            'w' => out.push_str(&tilde_dir(env)),
            'W' => {
                let d = tilde_dir(env);
                let base = if d == "/" || d == "~" {
                    d.as_str()
                } else {
                    d.rsplit('/').next().unwrap_or("")
                };
                out.push_str(base);
            }
            's' => {
                let a = env.arg0();
                out.push_str(a.rsplit('/').next().unwrap_or(a));
            }
            'v' => out.push_str(crate::prompt::VERSION_SHORT),
            'V' => out.push_str(env!("CARGO_PKG_VERSION")),
            'j' => out.push_str(&env.job_count().to_string()),
            'l' => out.push_str("tty"),
            '#' | '!' => out.push('1'),
            't' => out.push_str(&sys::now_formatted("%H:%M:%S")),
            'T' => out.push_str(&sys::now_formatted("%I:%M:%S")),
            '@' => out.push_str(&sys::now_formatted("%I:%M %p")),
            'A' => out.push_str(&sys::now_formatted("%H:%M")),
            'd' => out.push_str(&sys::now_formatted("%a %b %d")),
            'D' if chars.peek() == Some(&'{') => {
                chars.next();
                let mut fmt = String::new();
                for f in chars.by_ref() {
                    if f == '}' {
                        break;
                    }
                    fmt.push(f);
                }
                if fmt.is_empty() {
                    fmt.push_str("%X");
                }
                out.push_str(&sys::now_formatted(&fmt));
            }
            '0'..='7' => {
                // Up to three octal digits, the byte wrapped to 8 bits.
                let mut n = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            n = n * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.push(char::from((n & 0xff) as u8));
            }
            other => {
                out.push('\\');
                out.push(other);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::tests::TestEnv;
    use super::*;

    #[test]
    fn escapes_then_variables() {
        let mut env = TestEnv::empty();
        env.set("x", "\\");
        env.set("y", "h");
        assert_eq!(decode(&env, "$x$y"), "\\h");
        assert_eq!(decode(&env, "\\[foo\\]>"), "foo>");
        assert_eq!(decode(&env, "[\\045]"), "[%]");
        assert_eq!(decode(&env, "\\555"), "m");
        assert_eq!(decode(&env, "[\\x55]"), "[\\x55]");
        assert_eq!(decode(&env, "\\a\\e"), "\x07\x1b");
    }
}
