//! A stand-in for the expander (`crate::expand`) with the same functions,
//! until it lands: parameters with the POSIX operators, `$(…)`, `$((…))`,
//! tilde, quotes and IFS field splitting. No brace or pathname expansion.

use crate::expand::{ExpandEnv, SubstError, Value};
use crate::lang::ast::{Arith, Param, ParamExpansion, ParamOp, Tilde, Word, WordPart};

/// Why a word could not be expanded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ExpandError {
    /// `x: unbound variable`, `x: parameter null or not set`, bad substitution:
    /// a non-interactive shell exits.
    #[error("{0}")]
    Fatal(String),
    /// Any other failure (the command fails with status 1).
    #[error("{0}")]
    Failed(String),
    /// `$(…)` ended the shell.
    #[error("{0}")]
    Subst(#[from] SubstError),
}

impl ExpandError {
    /// Whether a non-interactive shell exits on it.
    #[must_use]
    pub fn is_fatal(&self) -> bool {
        matches!(
            self,
            ExpandError::Fatal(_) | ExpandError::Subst(SubstError::Exiting)
        )
    }
}

/// A `case` / `[[ == ]]` pattern: quoted characters match themselves.
#[derive(Clone, Debug)]
pub struct Pattern(Vec<(char, bool)>);

impl Pattern {
    /// Whether the whole of `s` matches.
    #[must_use]
    pub fn matches(&self, s: &str) -> bool {
        let text: Vec<char> = s.chars().collect();
        glob_match(&self.0, &text)
    }
}

fn glob_match(p: &[(char, bool)], t: &[char]) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        let step = match p.get(pi) {
            Some(('*', false)) => {
                star = Some((pi, ti));
                pi += 1;
                continue;
            }
            Some(('?', false)) => Some(1),
            Some(('[', false)) => class(&p[pi..], t[ti]),
            Some((c, _)) if *c == t[ti] => Some(1),
            _ => None,
        };
        match step {
            Some(len) => {
                pi += len;
                ti += 1;
            }
            None => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == ('*', false))
}

/// Matches a `[…]` class at the start of `p`; the pattern length on a match.
fn class(p: &[(char, bool)], c: char) -> Option<usize> {
    let mut i = 1;
    let negate = matches!(p.get(1), Some(('!' | '^', false)));
    if negate {
        i += 1;
    }
    let mut hit = false;
    let mut first = true;
    while let Some(&(ch, q)) = p.get(i) {
        if ch == ']' && !q && !first {
            return (hit != negate).then_some(i + 1);
        }
        first = false;
        if matches!(p.get(i + 1), Some(('-', false))) && p.get(i + 2).is_some_and(|x| x.0 != ']') {
            let hi = p[i + 2].0;
            hit |= ch <= c && c <= hi;
            i += 3;
        } else {
            hit |= ch == c;
            i += 1;
        }
    }
    // No closing bracket: `[` is literal.
    (c == '[').then_some(1)
}

/// Command words → fields.
///
/// # Errors
/// [`ExpandError`].
pub async fn fields<E: ExpandEnv + ?Sized>(
    env: &mut E,
    words: &[Word],
) -> Result<Vec<String>, ExpandError> {
    let mut out = Vec::new();
    for w in words {
        let mut f = Fields::default();
        expand_parts(env, &w.parts, false, &mut f).await?;
        let mut fields = Vec::new();
        f.finish(&mut fields);
        if w.has_glob_chars() && !env.option(crate::expand::ExpandOption::NoGlob) {
            for field in fields {
                let mut matches = glob(env.cwd(), &field);
                if matches.is_empty() {
                    out.push(field);
                } else {
                    matches.sort();
                    out.append(&mut matches);
                }
            }
        } else {
            out.append(&mut fields);
        }
    }
    Ok(out)
}

/// Pathname expansion of `pattern` (every character unquoted), relative to `cwd`.
fn glob(cwd: &std::path::Path, pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let mut paths = vec![String::new()];
    let parts: Vec<&str> = pattern.split('/').filter(|p| !p.is_empty()).collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let mut next = Vec::new();
        for base in &paths {
            let prefix = match (base.is_empty(), absolute) {
                (true, true) => "/".to_string(),
                (true, false) => String::new(),
                (false, _) => format!("{base}/"),
            };
            if !part.contains(['*', '?', '[']) {
                next.push(format!("{prefix}{part}"));
                continue;
            }
            let dir = cwd.join(if prefix.is_empty() { "." } else { &prefix });
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let pat = Pattern(part.chars().map(|c| (c, false)).collect());
            for e in entries.flatten() {
                let name = e.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') && !part.starts_with('.') {
                    continue;
                }
                if pat.matches(&name) && (last || e.path().is_dir()) {
                    next.push(format!("{prefix}{name}"));
                }
            }
        }
        paths = next;
    }
    paths.retain(|p| !p.is_empty() && std::path::Path::new(&cwd.join(p)).exists());
    paths
}

/// One word, no splitting.
///
/// # Errors
/// [`ExpandError`].
pub async fn string<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<String, ExpandError> {
    let mut f = Fields {
        no_split: true,
        ..Fields::default()
    };
    expand_parts(env, &word.parts, false, &mut f).await?;
    let mut out = Vec::new();
    f.finish(&mut out);
    Ok(out.join(" "))
}

/// A redirection's target.
///
/// # Errors
/// [`ExpandError`], `ambiguous redirect`.
pub async fn redirect_target<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<String, ExpandError> {
    let mut f = fields(env, std::slice::from_ref(word)).await?;
    if f.len() != 1 {
        return Err(ExpandError::Failed(format!(
            "{}: ambiguous redirect",
            word.raw
        )));
    }
    Ok(f.remove(0))
}

/// A pattern word.
///
/// # Errors
/// [`ExpandError`].
pub async fn pattern<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<Pattern, ExpandError> {
    let mut chars = Vec::new();
    for part in &word.parts {
        let quoted = !matches!(
            part,
            WordPart::Literal(_) | WordPart::Param(_) | WordPart::CommandSubst { .. }
        );
        let w = Word {
            parts: vec![part.clone()],
            raw: String::new(),
            span: word.span,
        };
        let s = string(env, &w).await?;
        chars.extend(s.chars().map(|c| (c, quoted)));
    }
    // `\x` in a literal part quotes x.
    let mut out = Vec::new();
    let mut it = chars.into_iter();
    while let Some((c, q)) = it.next() {
        if c == '\\' && !q {
            if let Some((n, _)) = it.next() {
                out.push((n, true));
            }
        } else {
            out.push((c, q));
        }
    }
    Ok(Pattern(out))
}

/// A here-document body.
///
/// # Errors
/// [`ExpandError`].
pub async fn heredoc<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<String, ExpandError> {
    string(env, word).await
}

/// An arithmetic expression.
///
/// # Errors
/// [`ExpandError`].
pub async fn arith<E: ExpandEnv + ?Sized>(env: &mut E, a: &Arith) -> Result<i64, ExpandError> {
    let text = substitute_dollars(env, &a.text);
    struct V<'e, E: ?Sized>(&'e mut E);
    impl<E: ExpandEnv + ?Sized> crate::lang::arith::Vars for V<'_, E> {
        fn get(&self, name: &str, index: Option<i64>) -> Option<String> {
            match (self.0.value(name)?, index) {
                (Value::Scalar(s), None | Some(0)) => Some(s),
                (Value::Scalar(_), _) => None,
                (Value::Indexed(items), i) => {
                    let i = usize::try_from(i.unwrap_or(0)).ok()?;
                    items.into_iter().find(|(k, _)| *k == i).map(|(_, v)| v)
                }
            }
        }
        fn set(&mut self, name: &str, index: Option<i64>, value: i64) {
            let _ = self.0.assign(name, index, value.to_string());
        }
    }
    crate::lang::arith::eval(&text, &mut V(env))
        .map_err(|e| ExpandError::Failed(format!("{}: {e}", a.text.trim())))
}

fn substitute_dollars<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        let braced = chars.peek() == Some(&'{');
        if braced {
            chars.next();
        }
        let mut name = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_alphanumeric() || n == '_' || (name.is_empty() && "#?".contains(n)) {
                name.push(n);
                chars.next();
                if "#?".contains(n) {
                    break;
                }
            } else {
                break;
            }
        }
        if braced {
            chars.next();
        }
        let v = match name.as_str() {
            "#" => env.positional().len().to_string(),
            "?" => env.last_status().to_string(),
            n if n.chars().all(|c| c.is_ascii_digit()) && !n.is_empty() => {
                let i: usize = n.parse().unwrap_or(0);
                if i == 0 {
                    env.arg0().to_string()
                } else {
                    env.positional().get(i - 1).cloned().unwrap_or_default()
                }
            }
            n => match env.value(n) {
                Some(Value::Scalar(s)) => s,
                Some(Value::Indexed(items)) => items
                    .into_iter()
                    .find(|(k, _)| *k == 0)
                    .map(|(_, v)| v)
                    .unwrap_or_default(),
                None => String::new(),
            },
        };
        out.push_str(&v);
    }
    out
}

#[derive(Default)]
struct Fields {
    done: Vec<String>,
    cur: String,
    /// The current field exists even if empty (quotes were seen).
    have: bool,
    no_split: bool,
}

impl Fields {
    fn push_quoted(&mut self, s: &str) {
        self.cur.push_str(s);
        self.have = true;
    }

    fn push_split(&mut self, s: &str, ifs: &str) {
        if self.no_split {
            self.cur.push_str(s);
            self.have |= !s.is_empty();
            return;
        }
        let pieces = s.split(|c| ifs.contains(c));
        let mut first = true;
        for p in pieces {
            if !first {
                self.end_field();
            }
            first = false;
            if !p.is_empty() {
                self.cur.push_str(p);
                self.have = true;
            }
        }
    }

    fn end_field(&mut self) {
        if self.have || !self.cur.is_empty() {
            self.done.push(std::mem::take(&mut self.cur));
        }
        self.have = false;
    }

    fn finish(mut self, out: &mut Vec<String>) {
        self.end_field();
        out.append(&mut self.done);
    }
}

fn ifs<E: ExpandEnv + ?Sized>(env: &E) -> String {
    match env.value("IFS") {
        Some(Value::Scalar(s)) => s,
        _ => " \t\n".to_string(),
    }
}

fn expand_parts<'a, E: ExpandEnv + ?Sized>(
    env: &'a mut E,
    parts: &'a [WordPart],
    quoted: bool,
    f: &'a mut Fields,
) -> crate::expand::BoxFuture<'a, Result<(), ExpandError>> {
    Box::pin(async move {
        for part in parts {
            match part {
                WordPart::Literal(t) => {
                    if quoted {
                        f.push_quoted(t);
                    } else {
                        f.cur.push_str(t);
                        f.have |= !t.is_empty();
                    }
                }
                WordPart::Escaped(t) | WordPart::SingleQuoted(t) | WordPart::AnsiC(t) => {
                    f.push_quoted(t)
                }
                WordPart::DoubleQuoted(inner) => {
                    f.have = true;
                    expand_parts(env, inner, true, f).await?;
                }
                WordPart::Tilde(t) => {
                    let v = match t {
                        Tilde::Home => env.value("HOME"),
                        Tilde::Pwd => env.value("PWD"),
                        Tilde::OldPwd => env.value("OLDPWD"),
                        _ => None,
                    };
                    match v {
                        Some(Value::Scalar(s)) => f.push_quoted(&s),
                        _ => f.push_quoted("~"),
                    }
                }
                WordPart::Param(p) => {
                    if let (Param::All { concat: false }, ParamOp::Value) = (&p.param, &p.op) {
                        let all = env.positional().to_vec();
                        let ifs = ifs(env);
                        for (i, a) in all.iter().enumerate() {
                            if i > 0 {
                                if quoted {
                                    f.end_field();
                                } else {
                                    f.push_split(" ", &ifs)
                                }
                            }
                            if quoted {
                                f.push_quoted(a)
                            } else {
                                f.push_split(a, &ifs)
                            }
                        }
                        continue;
                    }
                    let v = param(env, p).await?;
                    if quoted {
                        f.push_quoted(&v);
                    } else {
                        let ifs = ifs(env);
                        f.push_split(&v, &ifs);
                    }
                }
                WordPart::CommandSubst { program, .. } => {
                    let out = env.command_substitution(program).await?;
                    let out = out.trim_end_matches('\n');
                    if quoted {
                        f.push_quoted(out);
                    } else {
                        let ifs = ifs(env);
                        f.push_split(out, &ifs);
                    }
                }
                WordPart::Arith(a) => {
                    let n = arith(env, a).await?.to_string();
                    f.push_quoted(&n);
                }
                WordPart::BadSubstitution(t) => {
                    return Err(ExpandError::Fatal(format!("{t}: bad substitution")))
                }
                WordPart::ProcessSubst { .. } => {
                    return Err(ExpandError::Failed(
                        "process substitution is not supported".into(),
                    ))
                }
            }
        }
        Ok(())
    })
}

fn lookup<E: ExpandEnv + ?Sized>(env: &E, p: &Param) -> Option<String> {
    match p {
        Param::Named(n) => match env.value(n)? {
            Value::Scalar(s) => Some(s),
            Value::Indexed(items) => items.into_iter().find(|(k, _)| *k == 0).map(|(_, v)| v),
        },
        Param::Positional(0) => Some(env.arg0().to_string()),
        Param::Positional(n) => env.positional().get(*n as usize - 1).cloned(),
        Param::All { .. } => {
            let sep: String = ifs(env)
                .chars()
                .next()
                .map(String::from)
                .unwrap_or_default();
            Some(env.positional().join(&sep))
        }
        Param::Count => Some(env.positional().len().to_string()),
        Param::Status => Some(env.last_status().to_string()),
        Param::Flags => Some(env.flags()),
        Param::Pid => Some(env.shell_pid().to_string()),
        Param::LastBackground => env.last_background(),
        Param::Element { name, index } => {
            let i: usize = index.trim().parse().ok()?;
            match env.value(name)? {
                Value::Scalar(s) => (i == 0).then_some(s),
                Value::Indexed(items) => items.into_iter().find(|(k, _)| *k == i).map(|(_, v)| v),
            }
        }
        Param::AllElements { name, .. } => match env.value(name)? {
            Value::Scalar(s) => Some(s),
            Value::Indexed(items) => Some(
                items
                    .into_iter()
                    .map(|(_, v)| v)
                    .collect::<Vec<_>>()
                    .join(" "),
            ),
        },
    }
}

fn param_name(p: &Param) -> String {
    match p {
        Param::Named(n) | Param::Element { name: n, .. } | Param::AllElements { name: n, .. } => {
            n.clone()
        }
        Param::Positional(n) => n.to_string(),
        Param::All { concat } => if *concat { "*" } else { "@" }.into(),
        Param::Count => "#".into(),
        Param::Status => "?".into(),
        Param::Flags => "-".into(),
        Param::Pid => "$".into(),
        Param::LastBackground => "!".into(),
    }
}

async fn param<E: ExpandEnv + ?Sized>(
    env: &mut E,
    p: &ParamExpansion,
) -> Result<String, ExpandError> {
    let v = lookup(env, &p.param);
    let null = |colon: bool, v: &Option<String>| v.is_none() || (colon && v.as_deref() == Some(""));
    Ok(match &p.op {
        ParamOp::Value => match v {
            Some(v) => v,
            None if env.option(crate::expand::ExpandOption::NoUnset)
                && !matches!(p.param, Param::All { .. } | Param::LastBackground) =>
            {
                return Err(ExpandError::Fatal(format!(
                    "{}: unbound variable",
                    param_name(&p.param)
                )))
            }
            None => String::new(),
        },
        ParamOp::Length => v.map_or(0, |v| v.chars().count()).to_string(),
        ParamOp::Default { colon, word } => {
            if null(*colon, &v) {
                string(env, word).await?
            } else {
                v.unwrap_or_default()
            }
        }
        ParamOp::Assign { colon, word } => {
            if null(*colon, &v) {
                let w = string(env, word).await?;
                env.assign(&param_name(&p.param), None, w.clone())
                    .map_err(ExpandError::Failed)?;
                w
            } else {
                v.unwrap_or_default()
            }
        }
        ParamOp::Alternative { colon, word } => {
            if null(*colon, &v) {
                String::new()
            } else {
                string(env, word).await?
            }
        }
        ParamOp::Error { colon, word } => {
            if null(*colon, &v) {
                let msg = string(env, word).await?;
                let msg = if msg.is_empty() {
                    "parameter null or not set".to_string()
                } else {
                    msg
                };
                return Err(ExpandError::Fatal(format!(
                    "{}: {msg}",
                    param_name(&p.param)
                )));
            }
            v.unwrap_or_default()
        }
        ParamOp::RemovePrefix {
            longest,
            pattern: pw,
        } => {
            let v = v.unwrap_or_default();
            let pat = pattern(env, pw).await?;
            let ends: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
            let mut found = None;
            for &e in &ends {
                if pat.matches(&v[..e]) {
                    found = Some(e);
                    if !longest {
                        break;
                    }
                }
            }
            found.map_or(v.clone(), |e| v[e..].to_string())
        }
        ParamOp::RemoveSuffix {
            longest,
            pattern: pw,
        } => {
            let v = v.unwrap_or_default();
            let pat = pattern(env, pw).await?;
            let starts: Vec<usize> = v.char_indices().map(|(i, _)| i).chain([v.len()]).collect();
            let mut found = None;
            for &s in starts.iter().rev() {
                if pat.matches(&v[s..]) {
                    found = Some(s);
                    if !longest {
                        break;
                    }
                }
            }
            found.map_or(v.clone(), |s| v[..s].to_string())
        }
        _ => {
            return Err(ExpandError::Failed(
                "this expansion needs the full expander".into(),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Pattern {
        Pattern(s.chars().map(|c| (c, false)).collect())
    }

    #[test]
    fn globs() {
        assert!(pat("*.log").matches("a.log"));
        assert!(!pat("*.log").matches("a.txt"));
        assert!(pat("a?c").matches("abc"));
        assert!(pat("[a-c]x").matches("bx"));
        assert!(!pat("[!a-c]x").matches("bx"));
        assert!(pat("*").matches(""));
    }
}
