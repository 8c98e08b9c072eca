//! Arithmetic expansion: `$x`, `${…}` and `$(…)` in the text are expanded
//! first (as bash does), then [`crate::lang::arith`] evaluates it with
//! variables read and assigned through the [`ExpandEnv`].

use std::borrow::Cow;
use std::cell::RefCell;

use super::env::{ExpandEnv, ExpandOption, Value};
use super::error::ExpandError;
use super::fields::{Builder, Mode};
use super::word::{parts_boxed, Q};
use crate::lang::arith::{self as la, ArithError};
use crate::lang::ast::{Command, HereDocBody, RedirectKind};

/// Evaluates the arithmetic text `text`.
pub(super) async fn eval<E: ExpandEnv + ?Sized>(
    env: &mut E,
    text: &str,
) -> Result<i64, ExpandError> {
    let expanded: Cow<'_, str> = if text.contains(['$', '`', '"']) {
        Cow::Owned(expand_text(env, text).await?)
    } else {
        Cow::Borrowed(text)
    };
    evaluate(env, &expanded)
}

/// [`eval`] for the arithmetic command `command` (`((`): an error of the
/// evaluation itself is the command's ([`ExpandError::InCommand`]), one of
/// an expansion inside stays an expansion error.
pub(super) async fn eval_command<E: ExpandEnv + ?Sized>(
    env: &mut E,
    text: &str,
    command: &'static str,
) -> Result<i64, ExpandError> {
    let expanded: Cow<'_, str> = if text.contains(['$', '`', '"']) {
        Cow::Owned(expand_text(env, text).await?)
    } else {
        Cow::Borrowed(text)
    };
    evaluate(env, &expanded).map_err(|e| {
        if e.is_fatal() {
            return e;
        }
        ExpandError::InCommand {
            // bash names the command only for an error of the expression itself.
            command: if matches!(e, ExpandError::Arith { .. }) {
                command
            } else {
                ""
            },
            error: Box::new(e),
        }
    })
}

/// Evaluates expanded arithmetic text.
fn evaluate<E: ExpandEnv + ?Sized>(env: &mut E, expanded: &str) -> Result<i64, ExpandError> {
    if let Some(n) = fast(env, expanded) {
        return Ok(n);
    }
    let mut vars = Vars {
        nounset: env.option(ExpandOption::NoUnset),
        env,
        err: RefCell::new(None),
        warnings: RefCell::new(Vec::new()),
    };
    let r = la::eval(&unquote_subscripts(expanded), &mut vars);
    let Vars { err, warnings, .. } = vars;
    for w in warnings.into_inner() {
        env.warn(&w);
    }
    if let Some(e) = err.into_inner() {
        return Err(e);
    }
    r.map_err(|e| error(expanded, e))
}

/// `A['k']` in arithmetic: quotes inside a subscript are removed (bash),
/// so that a quoted key reads the element.
pub(crate) fn unquote_subscripts(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['\'', '"']) || !text.contains('[') {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '\'' | '"' if depth > 0 => continue,
            _ => {}
        }
        out.push(c);
    }
    std::borrow::Cow::Owned(out)
}

/// A decimal integer as bash reads one (no leading zero: that is octal).
fn int(text: &str) -> Option<i64> {
    let t = text.trim_matches([' ', '\t', '\n']);
    let d = t.strip_prefix(['-', '+']).unwrap_or(t);
    let decimal =
        !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) && (d == "0" || !d.starts_with('0'));
    if decimal {
        t.parse().ok()
    } else {
        None
    }
}

/// The value of a text that is a number, or a set variable holding one
/// (`${x:0:2}`, `${a[i]}`, `$((n))`), without parsing an expression.
fn fast<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> Option<i64> {
    if let Some(n) = int(text) {
        return Some(n);
    }
    let name = text.trim();
    let mut c = name.chars();
    let ident = c
        .next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_');
    if !ident {
        return None;
    }
    match env.value(name)? {
        Value::Scalar(v) => int(&v),
        Value::Indexed(_) | Value::Assoc(_) => None,
    }
}

/// The text with its expansions done and double quotes removed.
async fn expand_text<E: ExpandEnv + ?Sized>(
    env: &mut E,
    text: &str,
) -> Result<String, ExpandError> {
    if let Some(done) = simple(env, text) {
        return Ok(done);
    }
    // The front end parses words only as parts of a program: the text
    // becomes a here-document body, whose expansions are those bash does
    // in arithmetic (`$`, backquotes, `\`; quotes are not special).
    const DELIM: &str = "__CORRAL_ARITH_END__";
    let program = crate::lang::parse(&format!(": <<{DELIM}\n{text}\n{DELIM}\n")).map_err(|_| {
        ExpandError::Arith {
            text: text.trim().to_owned(),
            reason: "syntax error: operand expected".into(),
            token: text.trim().to_owned(),
        }
    })?;
    let body =
        program
            .body
            .items
            .first()
            .and_then(|item| match item.and_or.first.commands.first() {
                Some(Command::Simple(s)) => s.redirects.first().and_then(|r| match &r.kind {
                    RedirectKind::HereDoc(h) => Some(h.body.clone()),
                    _ => None,
                }),
                _ => None,
            });
    let out = match body {
        Some(HereDocBody::Expand(w)) => {
            let mut b = Builder::new(Mode::Join, false);
            parts_boxed(env, &mut b, &w.parts, Q::HereDoc).await?;
            b.take_string().text
        }
        Some(HereDocBody::Literal(t)) => t,
        None => text.to_owned(),
    };
    let out = out.strip_suffix('\n').unwrap_or(&out);
    Ok(out.replace('"', ""))
}

/// `$name`, `${name}`, `$1` and the one-character specials, done without
/// parsing; `None` when the text holds anything else (`$(`, `${x…}`, backquotes).
pub(super) fn simple<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> Option<String> {
    if text.contains('`') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['$', '"']) {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if rest.as_bytes()[i] == b'"' {
            rest = after;
            continue;
        }
        let (name, next) = if let Some(inner) = after.strip_prefix('{') {
            let end = inner.find('}')?;
            (&inner[..end], &inner[end + 1..])
        } else {
            let first = after.chars().next()?;
            if first.is_ascii_alphabetic() || first == '_' {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            } else if first.is_ascii_digit() || "#?$!".contains(first) {
                (&after[..1], &after[1..])
            } else {
                return None;
            }
        };
        out.push_str(&lookup(env, name)?);
        rest = next;
    }
    out.push_str(rest);
    Some(out)
}

fn lookup<E: ExpandEnv + ?Sized>(env: &E, name: &str) -> Option<String> {
    let first = name.chars().next()?;
    if first.is_ascii_digit() {
        let k: usize = name.parse().ok()?;
        return Some(if k == 0 {
            env.arg0().to_owned()
        } else {
            env.positional().get(k - 1).cloned().unwrap_or_default()
        });
    }
    Some(match name {
        "#" => env.positional().len().to_string(),
        "?" => env.last_status().to_string(),
        "$" => env.shell_pid().to_string(),
        "!" => env.last_background().unwrap_or_default(),
        _ if first.is_ascii_alphabetic() || first == '_' => {
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return None;
            }
            // Unset under `set -u` is reported by the slow path.
            env.value(name)?.first().unwrap_or_default().to_owned()
        }
        _ => return None,
    })
}

struct Vars<'e, E: ?Sized> {
    env: &'e mut E,
    nounset: bool,
    err: RefCell<Option<ExpandError>>,
    /// Messages that do not stop the evaluation (bash's `a: bad array
    /// subscript` for a negative index before the first element).
    warnings: RefCell<Vec<String>>,
}

impl<E: ExpandEnv + ?Sized> la::Vars for Vars<'_, E> {
    fn get(&self, name: &str, index: Option<i64>) -> Option<String> {
        let v = match self.env.value(name) {
            None => None,
            Some(Value::Scalar(s)) => (index.unwrap_or(0) == 0).then_some(s),
            Some(Value::Indexed(v)) => {
                let i = i128::from(index.unwrap_or(0));
                let i = if i < 0 {
                    // An index may be i64::MAX: one past it needs i128.
                    let i = v.last().map_or(0, |(k, _)| *k as i128 + 1) + i;
                    if i < 0 {
                        let msg = format!("{name}: bad array subscript");
                        self.warnings.borrow_mut().push(msg);
                    }
                    i
                } else {
                    i
                };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| v.into_iter().find(|(k, _)| *k == i))
                    .map(|(_, s)| s)
            }
            Some(Value::Assoc(v)) => {
                let key = index.unwrap_or(0).to_string();
                v.into_iter().find(|(k, _)| *k == key).map(|(_, s)| s)
            }
        };
        if v.is_none() && self.nounset {
            let mut e = self.err.borrow_mut();
            if e.is_none() {
                *e = Some(ExpandError::Unbound(match index {
                    Some(i) => format!("{name}[{i}]"),
                    None => name.to_owned(),
                }));
            }
        }
        v
    }

    fn set(&mut self, name: &str, index: Option<i64>, value: i64) {
        if let Err(msg) = self.env.assign(name, index, value.to_string()) {
            // A negative index before the first element: bash says so and
            // goes on with the expression's value.
            if index.is_some_and(|i| i < 0) && msg.ends_with("bad array subscript") {
                self.warnings.get_mut().push(msg);
                return;
            }
            let e = self.err.get_mut();
            if e.is_none() {
                *e = Some(ExpandError::Assign(msg));
            }
        }
    }

    fn is_assoc(&self, name: &str) -> bool {
        matches!(self.env.value(name), Some(Value::Assoc(_)))
    }

    fn get_key(&self, name: &str, key: &str) -> Option<String> {
        let v = match self.env.value(name) {
            Some(Value::Assoc(items)) => items.into_iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        };
        if v.is_none() && self.nounset {
            let mut e = self.err.borrow_mut();
            if e.is_none() {
                *e = Some(ExpandError::Unbound(format!("{name}[{key}]")));
            }
        }
        v
    }

    fn set_key(&mut self, name: &str, key: &str, value: i64) {
        if let Err(msg) = self.env.assign_key(name, key, value.to_string()) {
            let e = self.err.get_mut();
            if e.is_none() {
                *e = Some(ExpandError::Assign(msg));
            }
        }
    }
}

/// bash's message for an arithmetic error, with its "error token": where
/// bash's evaluator stopped, approximated from the text.
pub(crate) fn error(text: &str, e: ArithError) -> ExpandError {
    let mut shown = text.trim_start().to_owned();
    let (reason, token) = match e {
        ArithError::DivisionByZero => {
            let at = text.rfind(['/', '%']).map_or(0, |i| i + 1);
            (
                "division by 0".to_owned(),
                text[at..].trim_start().to_owned(),
            )
        }
        ArithError::NegativeExponent => {
            let at = text.rfind("**").map_or(0, |i| i + 2);
            let t = text[at..].trim_start();
            (
                "exponent less than 0".to_owned(),
                t.strip_prefix('-').unwrap_or(t).to_owned(),
            )
        }
        ArithError::TooDeep { text: inner } => {
            shown.clone_from(&inner);
            ("expression recursion level exceeded".to_owned(), inner)
        }
        ArithError::Syntax { text: bad } => {
            if bad != text.trim() {
                // The error is in a variable's value: bash names the value.
                shown.clone_from(&bad);
            }
            // The text keeps its trailing blanks, which bash's token shows.
            let src = if bad == text.trim() { text } else { &bad };
            if let Some(d) = la::check::diagnose(src) {
                if let Some(end) = d.constant_end {
                    // bash shows the expression up to a bad constant.
                    shown = src[..end].trim_start().to_owned();
                }
                return ExpandError::Arith {
                    text: shown,
                    reason: d.reason.to_owned(),
                    token: d.token,
                };
            }
            let bad = bad.trim_end();
            let ops = "+-*/%<>=&|^!~?:,(";
            if bad.ends_with(|c| ops.contains(c)) {
                let start = bad
                    .rfind(|c| !ops.contains(c))
                    .map_or(0, |i| i + bad[i..].chars().next().map_or(1, char::len_utf8));
                (
                    "syntax error: operand expected".to_owned(),
                    bad[start..].to_owned(),
                )
            } else {
                let rest = bad.trim_start();
                let tok = rest
                    .find(char::is_whitespace)
                    .map_or("", |i| rest[i..].trim_start());
                let tok = if tok.is_empty() { rest } else { tok };
                // bash keeps the expression's trailing blanks in the token.
                let tail = &text[text.trim_end().len()..];
                (
                    "syntax error in expression".to_owned(),
                    format!("{tok}{tail}"),
                )
            }
        }
    };
    ExpandError::Arith {
        text: shown,
        reason,
        token,
    }
}
