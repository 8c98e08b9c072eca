//! `set -x` (xtrace) and `set -v` (verbose) output, as bash writes it.
//!
//! A traced line is `PS4` (expanded like a prompt, its first character
//! repeated once per level of `eval`, `source` and `$(…)` nesting), then the
//! command's expanded words, each quoted only when the shell would need it:
//! `$'…'` for unprintable characters, `'…'` for shell metacharacters.
//! Assignments are traced one per line before the command. Lines go to
//! `BASH_XTRACEFD` when it names an open descriptor, else to stderr.

use crate::exec::BoxFut;
use crate::expand::Value;
use crate::lang::ast::{AssignValue, Assignment};
use crate::shell::Shell;

impl Shell {
    /// The prefix of a traced line: PS4 expanded, its first character
    /// repeated for the nesting level; empty when PS4 is unset.
    async fn trace_prefix(&mut self) -> String {
        let Some(ps4) = self.env.vars.get("PS4").map(str::to_string) else {
            return String::new();
        };
        let decoded = crate::expand::prompt::escapes(&*self, &ps4);
        // What PS4 runs (`$(…)`) is not traced itself.
        let xtrace = std::mem::replace(&mut self.env.lang.opts.xtrace, false);
        let expanded = crate::prompt::expand(self, &decoded).await;
        self.env.lang.opts.xtrace = xtrace;
        let expanded = expanded.unwrap_or(decoded);
        let mut chars = expanded.chars();
        let Some(first) = chars.next() else {
            return String::new();
        };
        let depth = self.env.lang.trace_depth as usize;
        let mut out = String::with_capacity(expanded.len() + depth);
        for _ in 0..=depth {
            out.push(first);
        }
        out.push_str(chars.as_str());
        out
    }

    /// Writes traced lines (each already without its prefix). Boxed: the
    /// commands that may trace do not carry this future when they do not.
    pub(crate) fn trace_lines(&mut self, lines: Vec<String>) -> BoxFut<'_, ()> {
        Box::pin(self.write_trace(lines))
    }

    async fn write_trace(&mut self, lines: Vec<String>) {
        if lines.is_empty() {
            return;
        }
        let prefix = self.trace_prefix().await;
        let mut text = String::new();
        for l in &lines {
            text.push_str(&prefix);
            text.push_str(l);
            text.push('\n');
        }
        let bytes = crate::rawbytes::decode(&text);
        let fd = self
            .env
            .vars
            .get("BASH_XTRACEFD")
            .and_then(|v| v.parse::<i32>().ok());
        let out = match fd {
            Some(1) => self.fds.std.stdout.try_clone(),
            Some(n) if n > 2 => match self.fds.extra.get(&n) {
                Some(crate::redirect::Slot::Out(o)) => o.try_clone(),
                _ => self.fds.std.stderr.try_clone(),
            },
            _ => self.fds.std.stderr.try_clone(),
        };
        let written = match out {
            Ok(mut o) => crate::io::write_to(&mut o, &bytes).await.is_ok(),
            Err(_) => false,
        };
        if !written {
            let mut e = crate::io::Output::Stderr;
            let _ = crate::io::write_to(&mut e, &bytes).await;
        }
    }

    /// `set -v`: input as it is read, to stderr.
    pub(crate) async fn verbose_echo(&mut self, bytes: &[u8]) {
        let mut err = crate::io::Output::Stderr;
        let _ = crate::io::write_to(&mut err, bytes).await;
    }

    /// `set -x` for a simple command: its assignments, then its words.
    pub(crate) fn trace_simple(
        &mut self,
        assigns: &[(&Assignment, Value)],
        words: &[String],
    ) -> BoxFut<'_, ()> {
        let mut lines: Vec<String> = assigns.iter().map(|(a, v)| assignment(a, v)).collect();
        if !words.is_empty() {
            lines.push(words.iter().map(|w| quote(w)).collect::<Vec<_>>().join(" "));
            // bash traces the assignments `export`/`readonly` make, too.
            if matches!(words[0].as_str(), "export" | "readonly") {
                for w in words[1..].iter().filter(|w| !w.starts_with('-')) {
                    if let Some((name, value)) = w.split_once('=') {
                        if crate::interp::valid_name(name) {
                            lines.push(format!("{name}={}", quote_value(value)));
                        }
                    }
                }
            }
        }
        self.trace_lines(lines)
    }

    /// `set -x` for one line (`[[ … ]]`, `(( … ))`, `for`, `case`).
    pub(crate) async fn trace_text(&mut self, text: String) {
        if self.env.lang.opts.xtrace {
            self.trace_lines(vec![text]).await;
        }
    }
}

/// An assignment as traced: the value quoted, an array as written.
fn assignment(a: &Assignment, v: &Value) -> String {
    let mut name = a.name.clone();
    if let Some(i) = &a.index {
        name = format!("{name}[{}]", i.raw);
    }
    let op = if a.append { "+=" } else { "=" };
    match (&a.value, v) {
        (_, Value::Scalar(s)) => format!("{name}{op}{}", quote_value(s)),
        (AssignValue::Array(elems), _) => {
            let items: Vec<String> = elems
                .iter()
                .map(|(k, w)| match k {
                    Some(k) => format!("[{}]={}", k.raw, w.raw),
                    None => w.raw.clone(),
                })
                .collect();
            format!("{name}{op}({})", items.join(" "))
        }
        (AssignValue::Scalar(w), _) => format!("{name}{op}{}", w.raw),
    }
}

/// A character bash's `sh_contains_shell_metas` quotes for (`~` and `#`
/// depend on their place: see [`has_metas`]).
fn is_meta(c: char) -> bool {
    " \t\n'\"\\|&;()<>!{}*[?]^$`".contains(c)
}

fn has_metas(s: &str) -> bool {
    let mut prev: Option<char> = None;
    for c in s.chars() {
        let hit = match c {
            '~' => matches!(prev, None | Some('=' | ':')),
            '#' => prev.is_none(),
            c => is_meta(c),
        };
        if hit {
            return true;
        }
        prev = Some(c);
    }
    false
}

/// Whether bash would print `s` as `$'…'`: it holds an unprintable character.
fn needs_ansic(s: &str) -> bool {
    s.chars()
        .any(|c| c.is_control() || crate::rawbytes::escaped_byte(c).is_some())
}

fn single_quote(s: &str) -> String {
    if s == "'" {
        return "\\'".to_string();
    }
    crate::builtins::trapspec::single_quote(s)
}

/// A word as `set -x` shows it (bash's `xtrace_print_word_list`): tabs and
/// newlines are metacharacters, so they stay raw inside `'…'`.
pub(crate) fn quote(s: &str) -> String {
    if s.is_empty() {
        "''".to_string()
    } else if has_metas(s) {
        single_quote(s)
    } else if needs_ansic(s) {
        crate::builtins::printf::ansi_c_quote(s)
    } else {
        s.to_string()
    }
}

/// An assignment's value as `set -x` shows it (empty stays empty).
fn quote_value(s: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        quote(s)
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn words_are_quoted_as_bash_traces_them() {
        assert_eq!(quote("plain-word_1.txt"), "plain-word_1.txt");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("1 2"), "'1 2'");
        assert_eq!(quote("'"), "\\'");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("\\"), "'\\'");
        assert_eq!(quote("a\x03b\x04c"), "$'a\\003b\\004c'");
        assert_eq!(quote("~x"), "'~x'");
        assert_eq!(quote("x~"), "x~");
        assert_eq!(quote("#x"), "'#x'");
        assert_eq!(quote("x#"), "x#");
        assert_eq!(quote("μ"), "μ");
    }
}
