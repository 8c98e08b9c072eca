//! Word expansion, in bash's order: brace, tilde, parameter, arithmetic and
//! command substitution, field splitting, pathname expansion, quote removal.
//!
//! The model: a [`Word`]'s parts expand into a builder of fields. Quoted
//! text is appended as is; the results of unquoted expansions are split on
//! IFS as they are appended (so `a$x` joins `a` to the first piece of `$x`);
//! `"$@"` and `"${a[@]}"` end a field between their elements. Each field
//! remembers which pattern characters were quoted, and whether an unquoted
//! `*`, `?` or `[` makes it a glob; pathname expansion runs on those fields
//! only. [`string`], [`pattern`] and [`heredoc`] use the same parts
//! expansion without splitting. Everything the shell knows (variables,
//! options, `$(…)`) comes through [`ExpandEnv`].
//!
//! Nested words (operands of `${x:-…}`, `$(…)`, arithmetic text) recurse
//! through boxed futures; a word without them allocates only its fields.

pub(crate) mod arith;
mod brace;
mod env;
mod error;
mod fields;
mod glob;
mod ops;
mod param;
mod pattern;
pub(crate) mod prompt;
mod sys;
pub(crate) use sys::own_home;
mod word;

#[cfg(test)]
mod tests;

pub(crate) use arith::unquote_subscripts;
pub use env::{assoc_set, BoxFuture, ExpandEnv, ExpandOption, SubstError, Value};
pub use error::ExpandError;
pub(crate) use param::assoc_key;
pub use pattern::Pattern;

use crate::lang::ast::{Arith, Word, WordPart};
use fields::{Builder, Mode};
use word::Q;

/// Expands command words (or `for` words) into fields: every expansion,
/// field splitting, pathname expansion and quote removal.
///
/// # Errors
/// [`ExpandError`]: `set -u` on an unset parameter, `${x:?}`, a bad
/// substitution, an arithmetic error, failglob without a match, a failed
/// `$(…)`.
///
/// # Cancel safety
/// Not cancel safe: a `$(…)` or `${x:=w}` may have run or assigned.
pub async fn fields<E: ExpandEnv + ?Sized>(
    env: &mut E,
    words: &[Word],
) -> Result<Vec<String>, ExpandError> {
    let extglob = env.option(ExpandOption::ExtGlob);
    let braces = !env.option(ExpandOption::NoBraceExpand);
    let mut b = Builder::new(Mode::Split, extglob);
    b.out.reserve(words.len());
    for w in words {
        if let [WordPart::Literal(t)] = &w.parts[..] {
            if !t.contains(['{', '~']) {
                b.literal(t);
                b.end_word();
                continue;
            }
        }
        if braces && has_open_brace(&w.parts) {
            // Words brace expansion made are no longer assignment-like.
            for alt in brace::expand(&w.parts) {
                word::parts(env, &mut b, &alt, Q::No).await?;
                b.end_word();
            }
        } else {
            let tilded = word::assignment_tildes(&w.parts);
            let parts = tilded.as_deref().unwrap_or(&w.parts);
            word::parts(env, &mut b, parts, Q::No).await?;
            b.end_word();
        }
    }
    if b.globs.is_empty() || env.option(ExpandOption::NoGlob) {
        return Ok(b.out);
    }
    // GLOBIGNORE: matches of any of its `:`-separated patterns are dropped,
    // and `*` then also matches names starting with `.` (bash).
    let ignore: Vec<Vec<Pattern>> = match env.value("GLOBIGNORE") {
        Some(v) => split_globignore(v.first().unwrap_or(""))
            .into_iter()
            .map(|p| {
                p.split('/')
                    .map(|c| Pattern::compile(c, pattern::Quoted(&[]), extglob, false))
                    .collect()
            })
            .collect(),
        None => Vec::new(),
    };
    let opts = glob::GlobOpts {
        dotglob: env.option(ExpandOption::DotGlob) || !ignore.is_empty(),
        nocase: env.option(ExpandOption::NoCaseGlob),
        extglob,
        globstar: env.option(ExpandOption::GlobStar),
        // With GLOBIGNORE set and not null, `.` and `..` never match (bash).
        dots: env.option(ExpandOption::GlobDots) && ignore.is_empty(),
    };
    let (nullglob, failglob) = (
        env.option(ExpandOption::NullGlob),
        env.option(ExpandOption::FailGlob),
    );
    let mut out = Vec::with_capacity(b.out.len());
    let mut globs = b.globs.into_iter().peekable();
    for (k, text) in b.out.into_iter().enumerate() {
        let Some((_, quoted)) = globs.next_if(|(i, _)| *i == k) else {
            out.push(text);
            continue;
        };
        let found = glob::expand(&text, &quoted, env.cwd(), opts).map(|mut f| {
            f.retain(|path| !ignore.iter().any(|p| ignores(p, path)));
            f
        });
        match found {
            Some(found) if !found.is_empty() => out.extend(found),
            Some(_) if failglob => return Err(ExpandError::NoMatch(text)),
            Some(_) if nullglob => {}
            _ => out.push(text),
        }
    }
    Ok(out)
}

/// `$GLOBIGNORE`'s patterns: split at each `:` outside a bracket expression
/// (`[[:alnum:]]*` is one pattern).
fn split_globignore(v: &str) -> Vec<&str> {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'[' => {
                if let Some(end) = bracket_end(b, i) {
                    i = end;
                }
            }
            b':' => {
                out.push(&v[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&v[start..]);
    out.retain(|p| !p.is_empty());
    out
}

/// The index of the `]` closing the bracket expression opened at `open`.
fn bracket_end(b: &[u8], open: usize) -> Option<usize> {
    let mut i = open + 1;
    if matches!(b.get(i), Some(b'!' | b'^')) {
        i += 1;
    }
    if b.get(i) == Some(&b']') {
        i += 1;
    }
    while i < b.len() {
        match b[i] {
            b']' => return Some(i),
            b'[' if matches!(b.get(i + 1), Some(b':' | b'=' | b'.')) => {
                let delim = b[i + 1];
                let close = (i + 2..b.len().saturating_sub(1))
                    .find(|&k| b[k] == delim && b[k + 1] == b']')?;
                i = close + 2;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Whether a `$GLOBIGNORE` pattern (split at `/`) matches `path`: component
/// by component, so `*` does not match a `/` (bash).
fn ignores(pattern: &[Pattern], path: &str) -> bool {
    let parts = path.split('/');
    parts.clone().count() == pattern.len() && pattern.iter().zip(parts).all(|(p, c)| p.matches(c))
}

/// `text` with `$name`, `${name}` and simple specials expanded and quotes
/// removed, without running anything; `None` when it holds more (`$(…)`,
/// operators). For subscripts of associative arrays where no await is possible.
pub fn simple_text<E: ExpandEnv + ?Sized>(env: &E, text: &str) -> Option<String> {
    if text.len() >= 2 && text.starts_with('\'') && text.ends_with('\'') {
        return Some(text[1..text.len() - 1].to_owned());
    }
    arith::simple(env, text)
}

/// Where a literal element's `[key]=` or `[key]+=` ends, when its text
/// starts with one: the key (brackets inside it balanced), whether it
/// appends, and the offset of the value.
pub(crate) fn literal_key(text: &str) -> Option<(&str, bool, usize)> {
    let rest = text.strip_prefix('[')?;
    let mut depth = 0usize;
    for (i, c) in rest.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth > 0 => depth -= 1,
            ']' => {
                let after = &rest[i + 1..];
                let key = &rest[..i];
                return if after.starts_with('=') {
                    Some((key, false, i + 3))
                } else if after.starts_with("+=") {
                    Some((key, true, i + 4))
                } else {
                    None
                };
            }
            _ => {}
        }
    }
    None
}

/// The value of an element `[key]=value` that expanded to `whole`: what
/// follows the first `]=` (`]+=`) when the key expanded to other text.
pub(crate) fn literal_value_text(raw: &str, at: usize, whole: String) -> String {
    match raw.get(..at) {
        Some(prefix) if whole.starts_with(prefix) => whole[at..].to_string(),
        _ => match literal_key(&whole) {
            Some((_, _, at)) => whole[at..].to_string(),
            None => whole,
        },
    }
}

/// Whether an unquoted `{` is in the word (the cheap test before brace expansion).
fn has_open_brace(parts: &[WordPart]) -> bool {
    parts
        .iter()
        .any(|p| matches!(p, WordPart::Literal(t) if t.contains('{')))
}

/// Expands one word to one string without field splitting or pathname
/// expansion: assignment values (whose tildes after `=` and `:` the front
/// end marked), `case` subjects, `[[ ]]` operands, here-strings. `$@`
/// joins with spaces, `$*` with IFS's first character.
///
/// # Errors
/// As [`fields`], except failglob.
///
/// # Cancel safety
/// As [`fields`].
pub async fn string<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<String, ExpandError> {
    if let [WordPart::Literal(t)] = &word.parts[..] {
        return Ok(t.clone());
    }
    let mut b = Builder::new(Mode::Join, false);
    word::parts(env, &mut b, &word.parts, Q::No).await?;
    Ok(b.take_string().text)
}

/// Expands a redirection target as bash does: all expansions and globbing;
/// anything but exactly one field is an ambiguous redirect.
///
/// # Errors
/// [`ExpandError::AmbiguousRedirect`] naming the word as written, or any
/// error of [`fields`].
///
/// # Cancel safety
/// As [`fields`].
pub async fn redirect_target<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<String, ExpandError> {
    let mut f = fields(env, std::slice::from_ref(word)).await?;
    match f.len() {
        1 => Ok(f.pop().unwrap_or_default()),
        _ => Err(ExpandError::AmbiguousRedirect(word.raw.clone())),
    }
}

/// Expands a pattern word (`case` arms, the right of `[[ x == p ]]`): quoted
/// parts match literally, unquoted `*`, `?`, `[…]` (and extglob groups with
/// `shopt -s extglob`) are special, also when they come from a variable.
///
/// # Errors
/// As [`string`].
///
/// # Cancel safety
/// As [`fields`].
pub async fn pattern<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<Pattern, ExpandError> {
    let extglob = env.option(ExpandOption::ExtGlob);
    pattern_with(env, word, extglob).await
}

/// The right of `[[ x == p ]]`: as [`pattern`], with extglob groups always
/// special (bash parses `[[ ]]` with extglob on).
///
/// # Errors
/// As [`string`].
///
/// # Cancel safety
/// As [`fields`].
pub async fn cond_pattern<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
) -> Result<Pattern, ExpandError> {
    pattern_with(env, word, true).await
}

async fn pattern_with<E: ExpandEnv + ?Sized>(
    env: &mut E,
    word: &Word,
    extglob: bool,
) -> Result<Pattern, ExpandError> {
    let mut b = Builder::new(Mode::Pattern, extglob);
    word::parts(env, &mut b, &word.parts, Q::No).await?;
    let f = b.take_string();
    Ok(Pattern::compile(
        &f.text,
        pattern::Quoted(&f.quoted),
        extglob,
        env.option(ExpandOption::NoCaseMatch),
    ))
}

/// Expands a here-document body: `$…`, `$(…)`, backquotes, `$((…))` and
/// the backslash escapes `\$`, `` \` ``, `\\`; quotes stay as written.
///
/// # Errors
/// As [`string`].
///
/// # Cancel safety
/// As [`fields`].
pub async fn heredoc<E: ExpandEnv + ?Sized>(
    env: &mut E,
    body: &Word,
) -> Result<String, ExpandError> {
    let mut b = Builder::new(Mode::Join, false);
    word::parts(env, &mut b, &body.parts, Q::HereDoc).await?;
    Ok(b.take_string().text)
}

/// Evaluates `$((…))`, `((…))` and `for ((…))` parts: expands `$x` and
/// `$(…)` in the text, then evaluates it (variables through `env`).
///
/// # Errors
/// [`ExpandError::Arith`] with bash's message, or an expansion error.
///
/// # Cancel safety
/// As [`fields`].
pub async fn arith<E: ExpandEnv + ?Sized>(env: &mut E, a: &Arith) -> Result<i64, ExpandError> {
    arith::eval(env, &a.text).await
}

/// Evaluates the arithmetic of the command `command` (`((`, `for ((`).
///
/// # Errors
/// An expansion error inside, or the command's own evaluation error
/// ([`ExpandError::InCommand`]).
pub async fn arith_command<E: ExpandEnv + ?Sized>(
    env: &mut E,
    a: &Arith,
    command: &'static str,
) -> Result<i64, ExpandError> {
    arith::eval_command(env, &a.text, command).await
}
