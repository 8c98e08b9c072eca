//! What the expander asks of the shell: variables, positional and special
//! parameters, options, and running `$(…)`. The interpreter implements
//! [`ExpandEnv`]; the expander never sees the shell's own types.

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use crate::lang::ast::Program;

/// A boxed, sendable future (command substitution recurses into the interpreter).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a variable holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A plain string.
    Scalar(String),
    /// An indexed array: (index, value) pairs in ascending index order (sparse).
    Indexed(Vec<(usize, String)>),
    /// An associative array (`declare -A`): (key, value) pairs in the order
    /// the keys were first assigned.
    Assoc(Vec<(String, String)>),
}

impl Value {
    /// What `$a` reads: the scalar, element 0 of an indexed array, key `0` of
    /// an associative one.
    #[must_use]
    pub fn first(&self) -> Option<&str> {
        match self {
            Value::Scalar(s) => Some(s),
            Value::Indexed(v) => v.iter().find(|(i, _)| *i == 0).map(|(_, s)| s.as_str()),
            Value::Assoc(v) => v.iter().find(|(k, _)| k == "0").map(|(_, s)| s.as_str()),
        }
    }

    /// The values of the elements (`${a[@]}`), in order.
    #[must_use]
    pub fn values(&self) -> Vec<String> {
        match self {
            Value::Scalar(s) => vec![s.clone()],
            Value::Indexed(v) => v.iter().map(|(_, s)| s.clone()).collect(),
            Value::Assoc(v) => v.iter().map(|(_, s)| s.clone()).collect(),
        }
    }

    /// The keys (`${!a[@]}`), in order.
    #[must_use]
    pub fn keys(&self) -> Vec<String> {
        match self {
            Value::Scalar(_) => vec!["0".to_owned()],
            Value::Indexed(v) => v.iter().map(|(i, _)| i.to_string()).collect(),
            Value::Assoc(v) => v.iter().map(|(k, _)| k.clone()).collect(),
        }
    }
}

/// Sets `key` of an associative array's items. A new key goes where bash's
/// hash table lists it (bash 5.2: 1024 buckets by FNV-1 hash, the newest
/// key first within a bucket), so `${!A[@]}` and `declare -p` keep bash's order.
pub fn assoc_set(items: &mut Vec<(String, String)>, key: String, value: String) {
    if let Some(item) = items.iter_mut().find(|(k, _)| *k == key) {
        item.1 = value;
        return;
    }
    let bucket = assoc_bucket(&key);
    let at = items
        .iter()
        .position(|(k, _)| assoc_bucket(k) >= bucket)
        .unwrap_or(items.len());
    items.insert(at, (key, value));
}

/// The bucket of bash's associative-array table that `key` falls in.
fn assoc_bucket(key: &str) -> u32 {
    let mut h: u32 = 2_166_136_261;
    for b in key.bytes() {
        h = h.wrapping_mul(16_777_619) ^ u32::from(b);
    }
    h & 1023
}

/// Shell options the expander obeys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpandOption {
    /// `set -u`: expanding an unset parameter is an error.
    NoUnset,
    /// `set -f`: no pathname expansion.
    NoGlob,
    /// `shopt -s nullglob`: a pattern matching nothing expands to nothing.
    NullGlob,
    /// `shopt -s failglob`: a pattern matching nothing is an error.
    FailGlob,
    /// `shopt -s dotglob`: `*` matches names starting with `.`.
    DotGlob,
    /// `shopt -s nocaseglob`.
    NoCaseGlob,
    /// `shopt -s extglob`: `@(…)`, `!(…)`, `*(…)`, `+(…)`, `?(…)`.
    ExtGlob,
    /// `shopt -s nocasematch`: `case` and `[[ == ]]` ignore case.
    NoCaseMatch,
    /// `shopt -s globstar`: `**` matches any depth of directories.
    GlobStar,
    /// `shopt -u globskipdots`: a pattern starting with `.` also matches
    /// `.` and `..`.
    GlobDots,
    /// `set +B`: no brace expansion.
    NoBraceExpand,
}

/// Why `$(…)` produced no output: already reported by the interpreter.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SubstError {
    /// The shell is exiting (`exit` inside, or a fatal error): stop expanding.
    #[error("the shell is exiting")]
    Exiting,
    /// The substitution could not start (no pipe, no runtime): the message.
    #[error("{0}")]
    Failed(String),
}

/// The shell as the expander sees it.
///
/// Special parameters that are plain variables to the shell (`RANDOM`,
/// `LINENO`, `UID`, `PPID`, `FUNCNAME`, `BASH_REMATCH`, `PIPESTATUS`, `IFS`,
/// `HOME`, `PWD`, `OLDPWD`) come through [`ExpandEnv::value`].
pub trait ExpandEnv: Send {
    /// A variable's value; `None` when unset.
    fn value(&self, name: &str) -> Option<Value>;

    /// Assigns `name` (or `name[index]`) for `${x:=w}` and arithmetic.
    ///
    /// # Errors
    /// bash's message, e.g. `x: readonly variable`.
    fn assign(&mut self, name: &str, index: Option<i64>, value: String) -> Result<(), String>;

    /// Assigns `name[key]` of an associative array.
    ///
    /// # Errors
    /// bash's message, e.g. `x: readonly variable`.
    fn assign_key(&mut self, name: &str, key: &str, value: String) -> Result<(), String> {
        let _ = (name, key, value);
        Err(format!("{name}: not an associative array"))
    }

    /// The name a nameref `name` holds (`${!ref}` gives it); `None` when
    /// `name` is no nameref.
    fn nameref(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// `${x@a}`: the attribute letters of a declared variable (`a`, `A`,
    /// `i`, `n`, `r`, `x`, in bash's order); `None` when it is not declared.
    fn attributes(&self, name: &str) -> Option<String> {
        match self.value(name)? {
            Value::Scalar(_) => Some(String::new()),
            Value::Indexed(_) => Some("a".into()),
            Value::Assoc(_) => Some("A".into()),
        }
    }

    /// Prints a message that does not fail the expansion (`a: bad array
    /// subscript` for `${a[-9]}`), bash's prefix added.
    fn warn(&mut self, msg: &str) {
        let _ = msg;
    }

    /// How many jobs the shell has (`\j` in prompts).
    fn job_count(&self) -> usize {
        0
    }

    /// `$1 … $N`.
    fn positional(&self) -> &[String];

    /// `$0`.
    fn arg0(&self) -> &str;

    /// `$?`.
    fn last_status(&self) -> i32;

    /// `$$`: the shell's pid (a subshell keeps its parent's).
    fn shell_pid(&self) -> u32;

    /// `$!`; `None` when no job was started.
    fn last_background(&self) -> Option<String>;

    /// `$-`: the single-letter options in effect.
    fn flags(&self) -> String;

    /// Whether an option is on.
    fn option(&self, option: ExpandOption) -> bool;

    /// The logical working directory (relative globs are matched from it).
    fn cwd(&self) -> &Path;

    /// The names of the set variables starting with `prefix` (`${!prefix@}`),
    /// in any order.
    fn names_with_prefix(&self, prefix: &str) -> Vec<String> {
        let _ = prefix;
        Vec::new()
    }

    /// Starts `<(…)` (`read`) or `>(…)` and returns the path that names
    /// its pipe (`/dev/fd/N`). The default refuses.
    ///
    /// # Errors
    /// [`SubstError::Failed`] with the reason.
    fn process_substitution<'a>(
        &'a mut self,
        program: &'a Program,
        read: bool,
    ) -> BoxFuture<'a, Result<String, SubstError>> {
        let _ = (program, read);
        Box::pin(async {
            Err(SubstError::Failed(
                "process substitution is not supported".into(),
            ))
        })
    }

    /// Runs `$(…)` / backquotes to completion (not as a job) and returns its
    /// whole stdout, trailing newlines included (the expander strips them).
    /// `$?` becomes its status.
    fn command_substitution<'a>(
        &'a mut self,
        program: &'a Program,
    ) -> BoxFuture<'a, Result<String, SubstError>>;
}
