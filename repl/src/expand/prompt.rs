//! `${x@P}`: a string expanded as a prompt, as bash's
//! `decode_prompt_string` and `promptvars` make it. The escapes go through
//! the one decoder the interactive prompt uses ([`crate::prompt::decode`]),
//! fed from what the expander knows; then `$name`, `${name}` and the
//! special parameters in the result are expanded, and the backslashes the
//! decoder put before `$`, `` ` ``, `\` and `"` in the values of `\w`, `\s`,
//! `\h`… (so that a `$` in a directory name stays one) are removed, as a
//! double-quoted word removes them. The text a variable brings is not
//! decoded again.
//!
//! Limits: a command substitution, an arithmetic expansion or a `${…}`
//! with an operator is left as written (the expander cannot run commands
//! here); `\#` is 0 and `\!` 1, as in a non-interactive bash.

use super::env::{ExpandEnv, Value};
use super::sys;
use crate::prompt::PromptInfo;

/// The prompt `text` decoded and expanded.
pub(crate) fn decode<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> String {
    let decoded = crate::prompt::decode(text, &info(env), crate::sys::strftime_local);
    expand_names(env, &decoded)
}

fn var<E: ExpandEnv + ?Sized>(env: &E, name: &str) -> Option<String> {
    env.value(name)?.first().map(str::to_owned)
}

/// What the escapes show, from the expander's view of the shell.
fn info<E: ExpandEnv + ?Sized>(env: &E) -> PromptInfo {
    let arg0 = env.arg0();
    PromptInfo {
        user: var(env, "USER").or_else(sys::user_name).unwrap_or_default(),
        host: sys::host_name(),
        cwd: var(env, "PWD").unwrap_or_else(|| env.cwd().to_string_lossy().into_owned()),
        home: var(env, "HOME"),
        dirtrim: var(env, "PROMPT_DIRTRIM")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        jobs: env.job_count(),
        history_number: 1,
        command_number: 0,
        shell_name: arg0.rsplit('/').next().unwrap_or(arg0).to_owned(),
        root: sys::is_root(),
        tty: "tty".to_owned(),
        now: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
    }
}

/// The `$`-step on decoded text: parameters expanded, `\$ \` \\ \"` made
/// the character they quote; anything else kept as written.
fn expand_names<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['\\', '$']) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if rest.as_bytes()[i] == b'\\' {
            match after.chars().next() {
                Some(c @ ('$' | '`' | '\\' | '"')) => {
                    out.push(c);
                    rest = &after[1..];
                }
                _ => {
                    out.push('\\');
                    rest = after;
                }
            }
            continue;
        }
        match parameter(after) {
            Some((name, next)) => {
                out.push_str(&lookup(env, name));
                rest = next;
            }
            None => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The parameter a `$` starts (`name`, `{name}`, `1`, `?`…) and the text
/// after it; `None` for anything else (`$(`, `${x:-y}`, a lone `$`).
fn parameter(after: &str) -> Option<(&str, &str)> {
    let simple = |name: &str| {
        let first = name.chars().next()?;
        let ok = if first.is_ascii_digit() {
            name.chars().all(|c| c.is_ascii_digit())
        } else if first.is_ascii_alphabetic() || first == '_' {
            name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        } else {
            name.len() == 1 && "#?$!-".contains(first)
        };
        ok.then_some(())
    };
    if let Some(inner) = after.strip_prefix('{') {
        let end = inner.find('}')?;
        let name = &inner[..end];
        simple(name)?;
        return Some((name, &inner[end + 1..]));
    }
    let first = after.chars().next()?;
    let end = if first.is_ascii_alphabetic() || first == '_' {
        after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len())
    } else {
        first.len_utf8()
    };
    simple(&after[..end])?;
    Some((&after[..end], &after[end..]))
}

/// A parameter's value; empty when unset.
fn lookup<E: ExpandEnv + ?Sized>(env: &E, name: &str) -> String {
    if let Ok(k) = name.parse::<usize>() {
        return if k == 0 {
            env.arg0().to_owned()
        } else {
            env.positional().get(k - 1).cloned().unwrap_or_default()
        };
    }
    match name {
        "#" => env.positional().len().to_string(),
        "?" => env.last_status().to_string(),
        "$" => env.shell_pid().to_string(),
        "!" => env.last_background().unwrap_or_default(),
        "-" => env.flags(),
        _ => env
            .value(name)
            .as_ref()
            .and_then(Value::first)
            .unwrap_or_default()
            .to_owned(),
    }
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
        assert_eq!(decode(&env, "${y}-$unset-"), "h--");
        assert_eq!(decode(&env, "\\[foo\\]>"), "foo>");
        assert_eq!(decode(&env, "[\\045]"), "[%]");
        assert_eq!(decode(&env, "\\555"), "m");
        assert_eq!(decode(&env, "[\\x55]"), "[\\x55]");
        assert_eq!(decode(&env, "\\a\\e"), "\x07\x1b");
        assert_eq!(decode(&env, "\"q\" $(cmd) ${y:-z}"), "\"q\" $(cmd) ${y:-z}");
        assert_eq!(decode(&env, "[\\# \\! \\l]"), "[0 1 tty]");
    }

    #[test]
    fn a_dollar_in_the_directory_stays() {
        let mut env = TestEnv::empty();
        env.set("PWD", "/tmp/a$y\\b");
        env.set("y", "h");
        assert_eq!(decode(&env, "\\w"), "/tmp/a$y\\b");
    }
}
