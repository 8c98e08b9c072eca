//! Parameter expansion: `$x`, `${…}` with every operator, special and
//! positional parameters, arrays, indirection.

use super::arith;
use super::env::{ExpandEnv, ExpandOption, Value};
use super::error::ExpandError;
use super::fields::{Builder, Mode};
use super::ops::{convert_case, quote, replace, slice};
use super::pattern::{Pattern, Quoted};
use super::word::{emit, ifs, nounset, parts_boxed, Q};
use crate::lang::ast::{CaseOp, Param, ParamExpansion, ParamOp, Word};

/// A parameter's value before its operator is applied.
#[derive(Debug)]
enum PVal {
    Unset,
    Str(String),
    /// `$@`, `$*`, `${a[@]}`, `${a[*]}`, `${!p@}`…: `star` joins in quotes.
    List(Vec<String>, bool),
}

/// Expands `pe` into `b`.
pub(super) async fn expand<E: ExpandEnv + ?Sized>(
    env: &mut E,
    b: &mut Builder,
    pe: &ParamExpansion,
    q: Q,
) -> Result<(), ExpandError> {
    let mut target = std::borrow::Cow::Borrowed(&pe.param);
    let value = match &pe.op {
        ParamOp::Names { prefix, concat } => {
            let mut names = env.names_with_prefix(prefix);
            names.sort_unstable();
            names.dedup();
            PVal::List(names, *concat)
        }
        ParamOp::Keys { name, concat } => {
            let keys = env.value(name).map(|v| v.keys()).unwrap_or_default();
            PVal::List(keys, *concat)
        }
        // `${!ref}` of a nameref is the name it holds (bash inverts).
        _ if pe.indirect && matches!(&pe.param, Param::Named(n) if env.nameref(n).is_some()) => {
            match &pe.param {
                Param::Named(n) => env.nameref(n).map_or(PVal::Unset, PVal::Str),
                _ => PVal::Unset,
            }
        }
        _ if pe.indirect => {
            let name = match fetch(env, &pe.param).await? {
                PVal::Unset => return Err(ExpandError::InvalidIndirect(display(&pe.param))),
                PVal::Str(s) => s,
                PVal::List(v, _) => v.join(" "),
            };
            let p = parse_name(&name).ok_or(ExpandError::InvalidName(name))?;
            let v = fetch(env, &p).await?;
            target = std::borrow::Cow::Owned(p);
            v
        }
        _ => fetch(env, &pe.param).await?,
    };
    let target: &Param = &target;
    let unbound = |env: &E, v: &PVal| -> Result<(), ExpandError> {
        if matches!(v, PVal::Unset) && nounset(env) {
            return Err(ExpandError::Unbound(unbound_name(target)));
        }
        Ok(())
    };
    match &pe.op {
        ParamOp::Value | ParamOp::Names { .. } | ParamOp::Keys { .. } => {
            unbound(env, &value)?;
            put(env, b, value, q);
        }
        ParamOp::Length => {
            unbound(env, &value)?;
            if let Param::AllElements { name, .. } = target {
                if nounset(env) && env.value(name).is_none() {
                    return Err(ExpandError::Unbound(name.clone()));
                }
            }
            // bash 5.2 looks up a nameref to an element (`declare -n r='a[1]'`)
            // as a variable named `a[1]` here, which never exists: `${#r}`
            // is 0, except under `set -u`, where it takes the element's
            // (or the joined elements') length.
            let element_ref = matches!(&pe.param, Param::Named(n)
                if !pe.indirect && env.nameref(n).is_some_and(|t| t.contains('[')));
            let n = match &value {
                _ if element_ref && !nounset(env) => 0,
                PVal::List(v, _) if element_ref => v.join(" ").chars().count(),
                PVal::Unset => 0,
                PVal::Str(s) => s.chars().count(),
                PVal::List(v, _) => v.len(),
            };
            emit(env, b, &n.to_string(), q);
        }
        ParamOp::Default { colon, word } => {
            if missing(&value, *colon, || q.quoted() && ifs_empty(env)) {
                operand_into(env, b, word, q).await?;
            } else {
                put(env, b, value, q);
            }
        }
        ParamOp::Alternative { colon, word } => {
            if missing(&value, *colon, || q.quoted() && ifs_empty(env)) {
                // `"${a[@]+x}"` of no elements is no word, like `"${a[@]}"`.
                let no_words = matches!(&value, PVal::List(v, false) if v.is_empty());
                if q.quoted() && !no_words {
                    b.touch();
                }
            } else {
                operand_into(env, b, word, q).await?;
            }
        }
        ParamOp::Assign { colon, word } => {
            if missing(&value, *colon, || q.quoted() && ifs_empty(env)) {
                let s = operand_string(env, word).await?;
                assign(env, target, s.clone()).await?;
                emit(env, b, &s, q);
            } else {
                put(env, b, value, q);
            }
        }
        ParamOp::Error { colon, word } => {
            if missing(&value, *colon, || q.quoted() && ifs_empty(env)) {
                let message = if word.parts.is_empty() {
                    if *colon {
                        "parameter null or not set".to_owned()
                    } else {
                        "parameter not set".to_owned()
                    }
                } else {
                    operand_string(env, word).await?
                };
                return Err(ExpandError::NullOrUnset {
                    name: display(target),
                    message,
                });
            }
            put(env, b, value, q);
        }
        ParamOp::RemovePrefix { longest, pattern } | ParamOp::RemoveSuffix { longest, pattern } => {
            unbound(env, &value)?;
            let prefix = matches!(pe.op, ParamOp::RemovePrefix { .. });
            let p = operand_pattern(env, pattern).await?;
            let v = map(value, |s| {
                if prefix {
                    match p.match_prefix(&s, *longest) {
                        Some(e) => s[e..].to_owned(),
                        None => s,
                    }
                } else {
                    match p.match_suffix(&s, *longest) {
                        Some(st) => s[..st].to_owned(),
                        None => s,
                    }
                }
            });
            put(env, b, v, q);
        }
        ParamOp::Replace {
            at,
            pattern,
            replacement,
        } => {
            unbound(env, &value)?;
            let p = operand_pattern(env, pattern).await?;
            let r = match replacement {
                Some(w) => operand_field(env, w, Mode::Pattern).await?,
                None => Default::default(),
            };
            let v = map(value, |s| replace(&s, &p, *at, &r.text, &r.quoted));
            put(env, b, v, q);
        }
        ParamOp::Substring {
            offset,
            length: None,
        } if offset.text.is_empty() => {
            // `${x:}`: bash's grammar wants an offset.
            return Err(ExpandError::BadSubstitution(format!(
                "${{{}:}}",
                display(target)
            )));
        }
        ParamOp::Substring { offset, length } => {
            unbound(env, &value)?;
            let off = arith::eval(env, &offset.text).await?;
            let len = match length {
                Some(l) => Some((arith::eval(env, &l.text).await?, l.text.trim())),
                None => None,
            };
            let v = match value {
                PVal::Unset => PVal::Unset,
                PVal::Str(s) => {
                    let chars: Vec<char> = s.chars().collect();
                    let (a, z) = slice(chars.len(), off, len)?;
                    PVal::Str(chars[a..z].iter().collect())
                }
                PVal::List(items, star) if matches!(target, Param::AllElements { .. }) => {
                    PVal::List(array_slice(env, target, items, off, len)?, star)
                }
                PVal::List(mut items, star) => {
                    if matches!(target, Param::All { .. }) {
                        items.insert(0, env.arg0().to_owned());
                    }
                    let (a, z) = slice(items.len(), off, len)?;
                    PVal::List(items.drain(a..z).collect(), star)
                }
            };
            put(env, b, v, q);
        }
        ParamOp::Case { op, pattern } => {
            unbound(env, &value)?;
            let p = match pattern {
                Some(w) => Some(operand_pattern(env, w).await?),
                None => None,
            };
            let v = map(value, |s| convert_case(&s, *op, p.as_ref()));
            put(env, b, v, q);
        }
        ParamOp::Transform(c) => {
            unbound(env, &value)?;
            let v = transform(env, target, value, *c)?;
            put(env, b, v, q);
        }
    }
    Ok(())
}

/// A parameter's value.
async fn fetch<E: ExpandEnv + ?Sized>(env: &mut E, p: &Param) -> Result<PVal, ExpandError> {
    Ok(match p {
        Param::Named(n) => match env.value(n) {
            None => PVal::Unset,
            Some(Value::Scalar(s)) => PVal::Str(s),
            // A nameref to `a[@]` (`a[*]`) reads as `${a[@]}` (`${a[*]}`).
            Some(v)
                if env
                    .nameref(n)
                    .is_some_and(|t| t.ends_with("[@]") || t.ends_with("[*]")) =>
            {
                let star = env.nameref(n).is_some_and(|t| t.ends_with("[*]"));
                PVal::List(v.values(), star)
            }
            Some(v) => match v.first() {
                Some(s) => PVal::Str(s.to_owned()),
                None => PVal::Unset,
            },
        },
        Param::Positional(0) => PVal::Str(env.arg0().to_owned()),
        Param::Positional(k) => match env.positional().get(*k as usize - 1) {
            Some(s) => PVal::Str(s.clone()),
            None => PVal::Unset,
        },
        Param::All { concat } => PVal::List(env.positional().to_vec(), *concat),
        Param::Count => PVal::Str(env.positional().len().to_string()),
        Param::Status => PVal::Str(env.last_status().to_string()),
        Param::Flags => PVal::Str(env.flags()),
        Param::Pid => PVal::Str(env.shell_pid().to_string()),
        Param::LastBackground => match env.last_background() {
            Some(s) => PVal::Str(s),
            None => PVal::Unset,
        },
        Param::Element { name, index } if index.trim().is_empty() => {
            return Err(ExpandError::BadSubstitution(format!(
                "${{{name}[{index}]}}"
            )));
        }
        // `${ref[i]}` of a nameref to an element names nothing (bash).
        Param::Element { name, .. } | Param::AllElements { name, .. }
            if env.nameref(name).is_some_and(|t| t.contains('[')) =>
        {
            match p {
                Param::AllElements { concat, .. } => PVal::List(Vec::new(), *concat),
                _ => PVal::Unset,
            }
        }
        Param::Element { name, index } => match env.value(name) {
            None => {
                // The subscript is still evaluated (it may assign).
                arith::eval(env, index).await?;
                PVal::Unset
            }
            Some(Value::Scalar(s)) => match arith::eval(env, index).await? {
                0 => PVal::Str(s),
                i if i < 0 => {
                    env.warn(&format!("{name}: bad array subscript"));
                    PVal::Unset
                }
                _ => PVal::Unset,
            },
            Some(Value::Indexed(v)) => {
                let i = arith::eval(env, index).await?;
                let i = if i < 0 {
                    // An index may be i64::MAX: one past it needs i128.
                    let top = v.last().map_or(0, |(k, _)| *k as i128 + 1);
                    if top + i128::from(i) < 0 {
                        env.warn(&format!("{name}: bad array subscript"));
                    }
                    i64::try_from(top + i128::from(i)).unwrap_or(-1)
                } else {
                    i
                };
                match usize::try_from(i)
                    .ok()
                    .and_then(|i| v.iter().find(|(k, _)| *k == i))
                {
                    Some((_, s)) => PVal::Str(s.clone()),
                    None => PVal::Unset,
                }
            }
            Some(Value::Assoc(v)) => {
                let key = assoc_key(env, index).await?;
                match v.into_iter().find(|(k, _)| *k == key) {
                    Some((_, s)) => PVal::Str(s),
                    None => PVal::Unset,
                }
            }
        },
        Param::AllElements { name, concat } => match env.value(name) {
            None => PVal::List(Vec::new(), *concat),
            Some(Value::Scalar(s)) => PVal::List(vec![s], *concat),
            Some(v) => PVal::List(v.values(), *concat),
        },
    })
}

/// Appends a value (the words of a list stay separate where bash keeps them).
fn put<E: ExpandEnv + ?Sized>(env: &E, b: &mut Builder, v: PVal, q: Q) {
    match v {
        PVal::Unset => {
            if q.quoted() {
                b.touch();
            }
        }
        PVal::Str(s) => emit(env, b, &s, q),
        PVal::List(items, star) => {
            // Unquoted in a command word, bash joins the words with IFS's
            // first character and splits the result (`IFS=:` and `$@` of
            // `"" ""` is one empty field); with IFS empty they stay apart.
            let unquoted_split = b.mode == Mode::Split && !q.quoted() && {
                let i = ifs(env, b);
                let j = i.joiner();
                b.ifs = Some(i);
                j.is_some()
            };
            if b.mode != Mode::Split || (star && q.quoted()) || unquoted_split {
                let sep = if star || unquoted_split {
                    let i = ifs(env, b);
                    let j = i.joiner();
                    b.ifs = Some(i);
                    j
                } else {
                    Some(' ')
                };
                let mut joined = String::new();
                for (k, it) in items.iter().enumerate() {
                    if k > 0 {
                        if let Some(c) = sep {
                            joined.push(c);
                        }
                    }
                    joined.push_str(it);
                }
                emit(env, b, &joined, q);
                return;
            }
            for (k, it) in items.iter().enumerate() {
                if q.quoted() {
                    if k > 0 {
                        b.split_here();
                    }
                    b.quoted(it);
                } else {
                    if k > 0 {
                        b.soft_break();
                    }
                    emit(env, b, it, q);
                }
            }
        }
    }
}

/// Whether `${x-…}` (or with `colon`, `${x:-…}`) takes the operand.
/// A quoted `"${*:-…}"` tests the joined value: with IFS empty, empty items join to
/// null (`ifs_empty` is asked only then).
fn missing(v: &PVal, colon: bool, ifs_empty: impl FnOnce() -> bool) -> bool {
    match v {
        PVal::Unset => true,
        PVal::Str(s) => colon && s.is_empty(),
        PVal::List(items, star) => {
            items.is_empty()
                || (colon && items.len() == 1 && items[0].is_empty())
                || (colon && *star && items.iter().all(String::is_empty) && ifs_empty())
        }
    }
}

/// Whether IFS is set and empty.
fn ifs_empty<E: ExpandEnv + ?Sized>(env: &E) -> bool {
    env.value("IFS")
        .is_some_and(|v| v.first().unwrap_or_default().is_empty())
}

fn map(v: PVal, mut f: impl FnMut(String) -> String) -> PVal {
    match v {
        PVal::Unset => PVal::Unset,
        PVal::Str(s) => PVal::Str(f(s)),
        PVal::List(items, star) => PVal::List(items.into_iter().map(f).collect(), star),
    }
}

/// The operand of `${x:-w}` / `${x:+w}`, expanded into the word itself.
async fn operand_into<E: ExpandEnv + ?Sized>(
    env: &mut E,
    b: &mut Builder,
    w: &Word,
    q: Q,
) -> Result<(), ExpandError> {
    let inner = if q.quoted() {
        b.touch();
        Q::Operand
    } else {
        Q::NoOperand
    };
    parts_boxed(env, b, &w.parts, inner).await
}

async fn operand_field<E: ExpandEnv + ?Sized>(
    env: &mut E,
    w: &Word,
    mode: Mode,
) -> Result<super::fields::Field, ExpandError> {
    let mut b = Builder::new(mode, env.option(ExpandOption::ExtGlob));
    parts_boxed(env, &mut b, &w.parts, Q::No).await?;
    Ok(b.take_string())
}

/// An operand expanded to one string (assigned value, error message).
async fn operand_string<E: ExpandEnv + ?Sized>(
    env: &mut E,
    w: &Word,
) -> Result<String, ExpandError> {
    Ok(operand_field(env, w, Mode::Join).await?.text)
}

/// An operand expanded to a pattern (quoted parts literal).
pub(super) async fn operand_pattern<E: ExpandEnv + ?Sized>(
    env: &mut E,
    w: &Word,
) -> Result<Pattern, ExpandError> {
    let f = operand_field(env, w, Mode::Pattern).await?;
    Ok(Pattern::compile(
        &f.text,
        Quoted(&f.quoted),
        env.option(ExpandOption::ExtGlob),
        false,
    ))
}

async fn assign<E: ExpandEnv + ?Sized>(
    env: &mut E,
    p: &Param,
    value: String,
) -> Result<(), ExpandError> {
    match p {
        Param::Named(n) => env.assign(n, None, value).map_err(ExpandError::Assign),
        Param::Element { name, index } => {
            if let Some(Value::Assoc(_)) = env.value(name) {
                let key = assoc_key(env, index).await?;
                return env
                    .assign_key(name, &key, value)
                    .map_err(ExpandError::Assign);
            }
            let i = arith::eval(env, index).await?;
            env.assign(name, Some(i), value)
                .map_err(ExpandError::Assign)
        }
        other => Err(ExpandError::CannotAssign(display(other))),
    }
}

/// `${a[@]:off:len}`: the offset is an index (arrays may be sparse), the
/// length a count of elements; a negative length is an error.
fn array_slice<E: ExpandEnv + ?Sized>(
    env: &E,
    target: &Param,
    items: Vec<String>,
    off: i64,
    len: Option<(i64, &str)>,
) -> Result<Vec<String>, ExpandError> {
    if let Some((l, text)) = len {
        if l < 0 {
            return Err(ExpandError::NegativeLength(text.to_owned()));
        }
    }
    let Param::AllElements { name, .. } = target else {
        return Ok(items);
    };
    let Some(Value::Indexed(v)) = env.value(name) else {
        // A scalar is a one-element array.
        let (a, z) = slice(items.len(), off, len)?;
        return Ok(items.into_iter().skip(a).take(z - a).collect());
    };
    // An index may be i64::MAX: one past it needs i128.
    let top = v.last().map_or(0, |(k, _)| *k as i128 + 1);
    let start = if off < 0 {
        top + i128::from(off)
    } else {
        i128::from(off)
    };
    if start < 0 {
        return Ok(Vec::new());
    }
    let take = len.map_or(usize::MAX, |(l, _)| usize::try_from(l).unwrap_or(0));
    Ok(v.into_iter()
        .filter(|(k, _)| *k as i128 >= start)
        .take(take)
        .map(|(_, s)| s)
        .collect())
}

fn transform<E: ExpandEnv + ?Sized>(
    env: &E,
    p: &Param,
    v: PVal,
    op: char,
) -> Result<PVal, ExpandError> {
    Ok(match op {
        'Q' | 'K' | 'k' => map(v, |s| quote(&s)),
        'E' => map(v, |s| crate::lang::decode_ansi_c(&s)),
        'P' => map(v, |s| super::prompt::decode(env, &s)),
        'U' => map(v, |s| s.chars().map(super::ops::wide_upper).collect()),
        'L' => map(v, |s| s.chars().map(super::ops::wide_lower).collect()),
        'u' => map(v, |s| convert_case(&s, CaseOp::UpperFirst, None)),
        'a' => {
            let attrs = match p {
                Param::Named(n)
                | Param::Element { name: n, .. }
                | Param::AllElements { name: n, .. } => env.attributes(n),
                _ => None,
            };
            match (v, attrs) {
                // `${A@a}` of an associative array without key 0 is still `A`.
                (PVal::Unset, Some(a)) if !a.is_empty() && matches!(p, Param::Named(_)) => {
                    PVal::Str(a)
                }
                (v, a) => {
                    let a = a.unwrap_or_default();
                    map(v, |_| a.clone())
                }
            }
        }
        'A' => match (p, v) {
            (Param::Named(n), PVal::Str(s)) => PVal::Str(format!("{n}={}", quote(&s))),
            (_, v) => v,
        },
        _ => {
            return Err(ExpandError::BadSubstitution(format!(
                "${{{}@{op}}}",
                display(p)
            )))
        }
    })
}

/// The parameter named by `${!x}`'s value.
fn parse_name(s: &str) -> Option<Param> {
    let ident = |t: &str| {
        let mut c = t.chars();
        c.next()
            .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
            && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
    };
    Some(match s {
        "@" => Param::All { concat: false },
        "*" => Param::All { concat: true },
        "#" => Param::Count,
        "?" => Param::Status,
        "-" => Param::Flags,
        "$" => Param::Pid,
        "!" => Param::LastBackground,
        _ if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            Param::Positional(s.parse().ok()?)
        }
        _ if ident(s) => Param::Named(s.to_owned()),
        _ => {
            let (name, rest) = s.split_once('[')?;
            let index = rest.strip_suffix(']')?;
            if !ident(name) {
                return None;
            }
            match index {
                "@" | "*" => Param::AllElements {
                    name: name.to_owned(),
                    concat: index == "*",
                },
                _ => Param::Element {
                    name: name.to_owned(),
                    index: index.to_owned(),
                },
            }
        }
    })
}

/// How bash names a parameter in `${x:?}` messages.
fn display(p: &Param) -> String {
    match p {
        Param::Named(n) => n.clone(),
        Param::Positional(k) => k.to_string(),
        Param::All { concat } => if *concat { "*" } else { "@" }.into(),
        Param::Count => "#".into(),
        Param::Status => "?".into(),
        Param::Flags => "-".into(),
        Param::Pid => "$".into(),
        Param::LastBackground => "!".into(),
        Param::Element { name, index } => format!("{name}[{index}]"),
        Param::AllElements { name, concat } => {
            format!("{name}[{}]", if *concat { "*" } else { "@" })
        }
    }
}

/// How bash names a parameter in `unbound variable` messages.
fn unbound_name(p: &Param) -> String {
    match p {
        Param::Named(_) | Param::Element { .. } | Param::AllElements { .. } => display(p),
        other => format!("${}", display(other)),
    }
}

/// The key of `${a[KEY]}` for an associative array: the subscript expanded
/// as a word (parameters, substitutions, quote removal), not evaluated.
pub(crate) async fn assoc_key<E: ExpandEnv + ?Sized>(
    env: &mut E,
    text: &str,
) -> Result<String, ExpandError> {
    if !text.contains(['$', '`', '\'', '"', '\\']) {
        return Ok(text.to_owned());
    }
    let Ok(program) = crate::lang::parse(&format!(": {text}")) else {
        return Ok(text.to_owned());
    };
    let word =
        program
            .body
            .items
            .first()
            .and_then(|item| match item.and_or.first.commands.first() {
                Some(crate::lang::ast::Command::Simple(s)) if s.words.len() == 2 => s.words.get(1),
                _ => None,
            });
    let Some(word) = word else {
        return Ok(text.to_owned());
    };
    let mut b = Builder::new(Mode::Join, false);
    parts_boxed(env, &mut b, &word.parts, Q::No).await?;
    Ok(b.take_string().text)
}
