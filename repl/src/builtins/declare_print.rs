//! How `declare -p`, `declare` and `set` print variables: values quoted
//! as bash quotes them (`'…'`, `"…"`, `$'…'`), one declaration per line.

use crate::expand::Value;
use crate::interp::{LetterCase, Var};
use crate::shell::Shell;

/// A value quoted as `set` and `declare -p` print it.
fn quoted(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:,+@%^=".contains(c));
    if plain {
        v.to_string()
    } else if v.chars().any(unprintable) {
        super::printf::ansi_c_quote(v)
    } else {
        format!("'{}'", v.replace('\'', "'\\''"))
    }
}

/// A control character or a byte that is not UTF-8: bash shows the value
/// as `$'…'`.
fn unprintable(c: char) -> bool {
    c.is_control() || crate::rawbytes::escaped_byte(c).is_some()
}

fn dquoted(v: &str) -> String {
    if v.chars().any(unprintable) {
        return super::printf::ansi_c_quote(v);
    }
    let mut s = String::from('"');
    for c in v.chars() {
        if matches!(c, '"' | '\\' | '$' | '`') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('"');
    s
}

/// A key as `declare -p` shows it: bare when it needs no quoting.
fn assoc_key_text(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./:@%+,".contains(c))
    {
        k.to_string()
    } else {
        dquoted(k)
    }
}

/// `declare -p`'s line for one variable.
pub(super) fn declaration(name: &str, var: &Var) -> String {
    let mut flags = String::new();
    match var.value {
        Some(Value::Indexed(_)) => flags.push('a'),
        Some(Value::Assoc(_)) => flags.push('A'),
        _ => {}
    }
    if var.integer {
        flags.push('i');
    }
    if var.nameref {
        flags.push('n');
    }
    if var.readonly {
        flags.push('r');
    }
    if var.exported {
        flags.push('x');
    }
    match var.case {
        Some(LetterCase::Lower) => flags.push('l'),
        Some(LetterCase::Upper) => flags.push('u'),
        None => {}
    }
    if flags.is_empty() {
        flags.push('-');
    }
    match &var.value {
        None => format!("declare -{flags} {name}"),
        Some(_) if var.unset_array => format!("declare -{flags} {name}"),
        Some(Value::Scalar(s)) => format!("declare -{flags} {name}={}", dquoted(s)),
        Some(Value::Indexed(items)) => {
            let inner: Vec<String> = items
                .iter()
                .map(|(i, v)| format!("[{i}]={}", dquoted(v)))
                .collect();
            format!("declare -{flags} {name}=({})", inner.join(" "))
        }
        Some(Value::Assoc(items)) => {
            let inner: String = items
                .iter()
                .map(|(k, v)| format!("[{}]={} ", assoc_key_text(k), dquoted(v)))
                .collect();
            format!("declare -{flags} {name}=({inner})")
        }
    }
}

/// What `set` and `declare` without arguments print: every variable as
/// `name=value`, then every function (bash).
pub(super) fn listing(shell: &Shell) -> String {
    let mut text = String::new();
    for (name, var) in shell.env.vars.all() {
        if var.unset_array {
            continue;
        }
        match &var.value {
            Some(Value::Scalar(s)) => text.push_str(&format!("{name}={}\n", quoted(s))),
            Some(Value::Indexed(items)) => {
                let inner: Vec<String> = items
                    .iter()
                    .map(|(i, v)| format!("[{i}]={}", dquoted(v)))
                    .collect();
                text.push_str(&format!("{name}=({})\n", inner.join(" ")));
            }
            Some(Value::Assoc(items)) => {
                let inner: String = items
                    .iter()
                    .map(|(k, v)| format!("[{}]={} ", assoc_key_text(k), dquoted(v)))
                    .collect();
                text.push_str(&format!("{name}=({inner})\n"));
            }
            None => {}
        }
    }
    let functions = &shell.env.lang.functions;
    let mut names: Vec<&String> = functions.keys().collect();
    names.sort();
    for def in names.into_iter().filter_map(|n| functions.get(n)) {
        text.push_str(&crate::interp::compound::function_text(def));
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations_print_as_bash() {
        let mut v = crate::interp::Vars::default();
        v.set("x", "a \"b\"");
        v.assign_element("a", 1, "one".into()).unwrap();
        v.entry("x").exported = true;
        assert_eq!(
            declaration("x", v.var("x").unwrap()),
            "declare -x x=\"a \\\"b\\\"\""
        );
        assert_eq!(
            declaration("a", v.var("a").unwrap()),
            "declare -a a=([1]=\"one\")"
        );
        assert_eq!(quoted("it's"), "'it'\\''s'");
        assert_eq!(quoted("plain"), "plain");
    }
}
