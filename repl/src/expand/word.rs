//! The expansion of word parts into a [`Builder`]: quoting, tildes,
//! substitutions. Recursion (operand words, `$(…)`, arithmetic text) goes
//! through [`parts_boxed`], so only nested words pay for a boxed future.

use super::env::{BoxFuture, ExpandEnv, ExpandOption};
use super::error::ExpandError;
use super::fields::{Builder, Ifs, Mode};
use super::{arith, param, sys};
use crate::lang::ast::{Tilde, WordPart};

/// How the parts being expanded are quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Q {
    /// Unquoted: results are split and globbed.
    No,
    /// An unquoted operand of `${x:-…}`: its literal text is split too.
    NoOperand,
    /// Inside `"…"`.
    Double,
    /// An operand of `${x:-…}` inside `"…"`: single quotes are literal there.
    Operand,
    /// A here-document body: only `\$`, `` \` ``, `\\` (and `\newline`) are escapes.
    HereDoc,
}

impl Q {
    pub fn quoted(self) -> bool {
        !matches!(self, Q::No | Q::NoOperand)
    }
}

/// Loads IFS into the builder the first time a split needs it.
pub(super) fn ifs<E: ExpandEnv + ?Sized>(env: &E, b: &mut Builder) -> Ifs {
    match b.ifs.take() {
        Some(i) => i,
        None => Ifs::from_value(
            env.value("IFS")
                .map(|v| v.first().unwrap_or_default().to_owned()),
        ),
    }
}

/// Appends an expansion's result: quoted, or split on IFS.
pub(super) fn emit<E: ExpandEnv + ?Sized>(env: &E, b: &mut Builder, s: &str, q: Q) {
    if q.quoted() {
        b.quoted(s);
    } else if b.mode != Mode::Split {
        b.expansion_unsplit(s);
    } else {
        let i = ifs(env, b);
        b.expansion(s, &i);
        b.ifs = Some(i);
    }
}

/// Expands `parts` into `b`.
pub(super) async fn parts<E: ExpandEnv + ?Sized>(
    env: &mut E,
    b: &mut Builder,
    parts: &[WordPart],
    q: Q,
) -> Result<(), ExpandError> {
    for part in parts {
        match part {
            WordPart::DoubleQuoted(inner) => {
                let inner_q = if q == Q::HereDoc {
                    Q::HereDoc
                } else {
                    Q::Double
                };
                if inner.is_empty() {
                    b.touch();
                }
                for p in inner {
                    if let WordPart::DoubleQuoted(_) = p {
                        parts_boxed(env, b, std::slice::from_ref(p), inner_q).await?;
                    } else {
                        leaf(env, b, p, inner_q).await?;
                    }
                }
            }
            p => leaf(env, b, p, q).await?,
        }
    }
    Ok(())
}

/// [`parts`] behind a box, for recursion.
pub(super) fn parts_boxed<'a, E: ExpandEnv + ?Sized>(
    env: &'a mut E,
    b: &'a mut Builder,
    p: &'a [WordPart],
    q: Q,
) -> BoxFuture<'a, Result<(), ExpandError>> {
    Box::pin(parts(env, b, p, q))
}

async fn leaf<E: ExpandEnv + ?Sized>(
    env: &mut E,
    b: &mut Builder,
    part: &WordPart,
    q: Q,
) -> Result<(), ExpandError> {
    match part {
        WordPart::Literal(t) => match q {
            Q::No => b.literal(t),
            Q::NoOperand => emit(env, b, t, q),
            _ => b.quoted(t),
        },
        WordPart::Escaped(t) => {
            if q == Q::HereDoc && !matches!(t.as_str(), "$" | "`" | "\\") {
                b.quoted("\\");
            }
            b.quoted(t);
        }
        WordPart::SingleQuoted(t) => {
            if q == Q::Operand || q == Q::HereDoc {
                b.quoted("'");
                b.quoted(t);
                b.quoted("'");
            } else {
                b.quoted(t);
            }
        }
        WordPart::AnsiC(t) => b.quoted(t),
        WordPart::DoubleQuoted(_) => {
            parts_boxed(env, b, std::slice::from_ref(part), q).await?;
        }
        WordPart::Tilde(t) => {
            // Inside `"${x:-~}"` the tilde is text, as in bash.
            let s = if q == Q::Operand {
                tilde_text(t)
            } else {
                tilde(env, t)
            };
            b.quoted(&s);
        }
        WordPart::Param(pe) => param::expand(env, b, pe, q).await?,
        WordPart::CommandSubst { program, .. } => {
            let mut out = env.command_substitution(program).await?;
            let keep = out.trim_end_matches('\n').len();
            out.truncate(keep);
            emit(env, b, &out, q);
        }
        WordPart::Arith(a) => {
            let n = arith::eval(env, &a.text).await?;
            emit(env, b, &n.to_string(), q);
        }
        WordPart::BadSubstitution(t) => return Err(ExpandError::BadSubstitution(t.clone())),
        WordPart::ArrayLiteral(items) => {
            let mut text = String::from("(");
            for (key, w) in items {
                let values = if let Some(k) = key {
                    let mut kb = Builder::new(Mode::Join, false);
                    parts_boxed(env, &mut kb, &k.parts, Q::No).await?;
                    let mut vb = Builder::new(Mode::Join, false);
                    parts_boxed(env, &mut vb, &w.parts, Q::No).await?;
                    text.push('[');
                    text.push_str(&single_quote(&kb.take_string().text));
                    text.push_str("]=");
                    vec![vb.take_string().text]
                } else if let Some((k, append, at)) = super::literal_key(&w.raw) {
                    // `[k]+=v`, `[a[0]]=v`: a key the grammar did not see.
                    let mut vb = Builder::new(Mode::Join, false);
                    parts_boxed(env, &mut vb, &w.parts, Q::No).await?;
                    let whole = vb.take_string().text;
                    let key = super::simple_text(env, k).unwrap_or_else(|| k.to_string());
                    text.push('[');
                    text.push_str(&single_quote(&key));
                    text.push_str(if append { "]+=" } else { "]=" });
                    vec![super::literal_value_text(&w.raw, at, whole)]
                } else {
                    Box::pin(super::fields(env, std::slice::from_ref(w))).await?
                };
                for v in values {
                    text.push_str(&single_quote(&v));
                    text.push(' ');
                }
            }
            text.push(')');
            b.quoted(&text);
        }
        WordPart::ProcessSubst { read, program } => {
            let path = env.process_substitution(program, *read).await?;
            b.quoted(&path);
        }
    }
    Ok(())
}

fn scalar<E: ExpandEnv + ?Sized>(env: &E, name: &str) -> Option<String> {
    env.value(name)?.first().map(str::to_owned)
}

/// A tilde prefix's directory, or the prefix itself when it names none.
pub(super) fn tilde<E: ExpandEnv + ?Sized>(env: &E, t: &Tilde) -> String {
    match t {
        Tilde::Home => scalar(env, "HOME")
            .or_else(sys::own_home)
            .unwrap_or_else(|| "~".into()),
        Tilde::User(u) => sys::user_home(u).unwrap_or_else(|| format!("~{u}")),
        Tilde::Pwd => scalar(env, "PWD").unwrap_or_else(|| "~+".into()),
        Tilde::OldPwd => scalar(env, "OLDPWD").unwrap_or_else(|| "~-".into()),
        Tilde::Dirs { n: 0, .. } => scalar(env, "PWD").unwrap_or_else(|| tilde_text(t)),
        Tilde::Dirs { .. } => tilde_text(t),
    }
}

/// A tilde prefix as written.
fn tilde_text(t: &Tilde) -> String {
    match t {
        Tilde::Home => "~".into(),
        Tilde::User(u) => format!("~{u}"),
        Tilde::Pwd => "~+".into(),
        Tilde::OldPwd => "~-".into(),
        Tilde::Dirs { n, from_bottom } => format!("~{}{n}", if *from_bottom { "-" } else { "" }),
    }
}

/// Whether `set -u` is on.
pub(super) fn nounset<E: ExpandEnv + ?Sized>(env: &E) -> bool {
    env.option(ExpandOption::NoUnset)
}

/// bash expands tildes after the `=` and `:`s of a command word that looks
/// like an assignment (`make PREFIX=~/x`); the front end marks tildes only
/// in real assignments. Returns the word's parts with those tildes.
pub(super) fn assignment_tildes(parts: &[WordPart]) -> Option<Vec<WordPart>> {
    let WordPart::Literal(t) = parts.first()? else {
        return None;
    };
    if !(t.contains("=~") || t.contains(":~")) {
        return None;
    }
    let eq = t.find('=')?;
    let name = &t[..eq];
    let mut c = name.chars();
    if !c
        .next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        || !c.all(|x| x.is_ascii_alphanumeric() || x == '_')
    {
        return None;
    }
    let mut out = Vec::with_capacity(parts.len() + 2);
    let mut text = String::new();
    text.push_str(&t[..=eq]);
    let mut rest = &t[eq + 1..];
    let mut at_start = true;
    loop {
        if at_start && rest.starts_with('~') {
            let end = rest[1..].find(['/', ':']).map_or(rest.len(), |i| i + 1);
            // A tilde prefix running into the next part is not one.
            if end < rest.len() || parts.len() == 1 {
                let tilde = match &rest[1..end] {
                    "" => Tilde::Home,
                    "+" => Tilde::Pwd,
                    "-" => Tilde::OldPwd,
                    user => Tilde::User(user.to_owned()),
                };
                if !text.is_empty() {
                    out.push(WordPart::Literal(std::mem::take(&mut text)));
                }
                out.push(WordPart::Tilde(tilde));
                rest = &rest[end..];
            }
        }
        match rest.find(':') {
            Some(i) => {
                text.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
                at_start = true;
            }
            None => {
                text.push_str(rest);
                break;
            }
        }
    }
    if !text.is_empty() {
        out.push(WordPart::Literal(text));
    }
    out.extend(parts[1..].iter().cloned());
    Some(out)
}

/// `'text'`, with `'` written `'\''`: what [`WordPart::ArrayLiteral`]
/// expands its elements to.
fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}
