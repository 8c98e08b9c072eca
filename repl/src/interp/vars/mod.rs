//! Shell variables: scalars and indexed arrays with bash's attributes
//! (exported, readonly, integer), and function-local scopes.
//!
//! Scoping is bash's dynamic scoping: there is one table of variables;
//! `local x` inside a function saves the caller's `x` in the function's
//! frame, and returning restores it. Exported variables reach children:
//! while the exported set still equals the process environment
//! ([`Vars::changed`] is false) a child simply inherits ours, which is
//! cheaper than building an environment for every spawn.
//!
//! The variables the shell computes or seeds itself (`RANDOM`, `SECONDS`,
//! `LINENO`, the startup defaults) live in [`special`].

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::expand::Value;

mod scope;
mod special;
use scope::Frame;
pub(crate) use special::special_value;

/// A map keyed by variable name, hashed with [`NameHasher`].
type Table<V> = HashMap<String, V, BuildHasherDefault<NameHasher>>;

/// A fast multiply-rotate hash (the Fx hash of rustc) for the short names
/// every command looks up; SipHash's resistance to chosen keys buys nothing
/// for names a script chose itself.
#[derive(Clone, Copy, Default)]
struct NameHasher(u64);

impl NameHasher {
    const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(Self::K);
    }
}

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    fn write_u8(&mut self, b: u8) {
        self.add(u64::from(b));
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// One variable and its attributes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Var {
    /// Its value; `None` when declared (`local x`, `export x`) but unset.
    pub value: Option<Value>,
    /// `export` / `declare -x`.
    pub exported: bool,
    /// `readonly` / `declare -r`.
    pub readonly: bool,
    /// `declare -i`: assignments are evaluated arithmetically.
    pub integer: bool,
    /// `declare -n`: its value names the variable it stands for.
    pub nameref: bool,
    /// `declare -l` / `-u`: assigned values are converted to this case.
    pub case: Option<LetterCase>,
    /// `declare -a x` / `-A x` without a value: an empty array that is not
    /// set yet (`declare -p` shows no `=()`); any assignment sets it.
    pub unset_array: bool,
}

/// The case `declare -l` (lower) or `-u` (upper) converts values to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LetterCase {
    /// `declare -l`
    Lower,
    /// `declare -u`
    Upper,
}

impl LetterCase {
    fn apply(self, s: &mut String) {
        let converted = match self {
            LetterCase::Lower => s.to_lowercase(),
            LetterCase::Upper => s.to_uppercase(),
        };
        *s = converted;
    }

    fn apply_value(self, v: &mut Value) {
        match v {
            Value::Scalar(s) => self.apply(s),
            Value::Indexed(items) => items.iter_mut().for_each(|(_, s)| self.apply(s)),
            Value::Assoc(items) => items.iter_mut().for_each(|(_, s)| self.apply(s)),
        }
    }
}

impl Var {
    fn new(value: Value) -> Var {
        Var {
            value: Some(value),
            ..Var::default()
        }
    }
}

/// Why an assignment or `unset` was refused (bash's wording, without `corral: `).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum VarError {
    /// `x: readonly variable`
    #[error("{0}: readonly variable")]
    Readonly(String),
    /// `warning: x: circular name reference` (bash's words; the assignment fails)
    #[error("warning: {0}: circular name reference")]
    Circular(String),
    /// `unset: x: cannot unset: readonly variable`
    #[error("{0}: cannot unset: readonly variable")]
    CannotUnset(String),
}

/// The shell's variables.
#[derive(Clone, Debug, Default)]
pub struct Vars {
    table: Table<Var>,
    /// One frame per running function, and one per builtin run with
    /// temporary assignments (`v=x eval …`): the variables they hid.
    frames: Vec<Frame>,
    changed: bool,
    /// Some variable is (or was) a nameref: names must be resolved.
    refs: bool,
    /// `$RANDOM`'s generator.
    random: special::Random,
}

impl Vars {
    /// The process environment, all exported.
    #[must_use]
    pub fn from_env() -> Vars {
        let mut v = Vars::default();
        for (k, val) in std::env::vars_os() {
            // Bytes that are not UTF-8 (and names that are not identifiers)
            // go on to children unchanged, as in bash.
            let mut var = Var::new(Value::Scalar(crate::rawbytes::from_os(val)));
            var.exported = true;
            v.table.insert(crate::rawbytes::from_os(k), var);
        }
        v
    }

    /// The variables of a shell started with `env` as its environment (all
    /// exported), and bash's startup defaults.
    #[must_use]
    pub fn from_pairs(env: &[(String, String)]) -> Vars {
        let mut v = Vars::default();
        for (k, val) in env {
            let mut var = Var::new(Value::Scalar(val.clone()));
            var.exported = true;
            v.table.insert(k.clone(), var);
        }
        v.startup_defaults();
        v
    }

    /// The variable `name` stands for: itself, or what its nameref chain names.
    #[must_use]
    pub fn resolve<'a>(&'a self, name: &'a str) -> &'a str {
        if !self.refs {
            return name;
        }
        let mut at = name;
        for _ in 0..8 {
            match self.table.get(at) {
                Some(Var {
                    nameref: true,
                    value: Some(Value::Scalar(t)),
                    ..
                }) if t != at && valid_name(t) => at = t,
                _ => return at,
            }
        }
        // A cycle (`declare -n a=b b=a`): the name stands for nothing.
        ""
    }

    /// The array element a nameref stands for (`declare -n r='a[2]'`):
    /// the array's name and the subscript as written.
    #[must_use]
    pub fn element_ref(&self, name: &str) -> Option<(&str, &str)> {
        if !self.refs {
            return None;
        }
        let at = self.resolve(name);
        match self.table.get(at)? {
            Var {
                nameref: true,
                value: Some(Value::Scalar(t)),
                ..
            } => {
                let (base, rest) = t.split_once('[')?;
                let sub = rest.strip_suffix(']')?;
                valid_name(base).then_some((base, sub))
            }
            _ => None,
        }
    }

    /// The name a nameref `name` stands for, when it is one.
    fn target(&self, name: &str) -> Option<String> {
        if !self.refs {
            return None;
        }
        let t = self.resolve(name);
        (t != name).then(|| t.to_string())
    }

    /// As [`Vars::target`], refusing a cycle of namerefs.
    fn writable_target(&self, name: &str) -> Result<Option<String>, VarError> {
        match self.target(name) {
            Some(t) if t.is_empty() => Err(VarError::Circular(name.to_string())),
            t => Ok(t),
        }
    }

    /// Makes `name` a nameref (`declare -n`) or a plain variable again (`+n`).
    pub fn set_nameref(&mut self, name: &str, on: bool) {
        if on {
            self.refs = true;
        }
        self.entry(name).nameref = on;
    }

    /// A scalar's value, or element 0 of an array (as `$a` reads it).
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        let name = self.resolve(name);
        self.table.get(name)?.value.as_ref()?.first()
    }

    /// A variable's whole value.
    #[must_use]
    pub fn value(&self, name: &str) -> Option<&Value> {
        let name = self.resolve(name);
        self.table.get(name)?.value.as_ref()
    }

    /// A variable and its attributes.
    #[must_use]
    pub fn var(&self, name: &str) -> Option<&Var> {
        self.table.get(name)
    }

    /// Every variable, sorted by name (for `set` and `declare -p`).
    #[must_use]
    pub fn all(&self) -> Vec<(&str, &Var)> {
        let mut v: Vec<_> = self.table.iter().map(|(k, v)| (k.as_str(), v)).collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }

    /// Puts `name` back as it was (`None`: absent) without touching any
    /// function's frame: undoes writes whose effects belong to a subshell.
    pub fn put_back(&mut self, name: &str, var: Option<Var>) {
        let old = match var {
            Some(v) => {
                self.changed |= v.exported;
                self.table.insert(name.to_string(), v)
            }
            None => self.table.remove(name),
        };
        self.changed |= old.is_some_and(|v| v.exported);
    }

    /// Sets a scalar, ignoring `readonly` (for the shell's own `PWD`, `OLDPWD`…).
    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = Value::Scalar(value.into());
        self.store(name, value);
    }

    fn store(&mut self, name: &str, value: Value) {
        let _ = self.store_checked(name, value, false);
    }

    /// Stores `value` in one lookup, refusing a readonly variable if `check`.
    fn store_checked(&mut self, name: &str, mut value: Value, check: bool) -> Result<(), VarError> {
        if name == "RANDOM" {
            self.random.assigned(&value);
        }
        match self.table.get_mut(name) {
            Some(var) => {
                if check && var.readonly {
                    return Err(VarError::Readonly(name.to_string()));
                }
                if let Some(case) = var.case {
                    case.apply_value(&mut value);
                }
                if var.exported && var.value.as_ref() != Some(&value) {
                    self.changed = true;
                }
                var.value = Some(value);
                var.unset_array = false;
            }
            None => {
                self.table.insert(name.to_string(), Var::new(value));
            }
        }
        Ok(())
    }

    /// Assigns a whole value, refusing a readonly variable.
    ///
    /// # Errors
    /// [`VarError::Readonly`].
    pub fn assign(&mut self, name: &str, value: Value) -> Result<(), VarError> {
        let target = self.writable_target(name)?;
        let name = target.as_deref().unwrap_or(name);
        self.store_checked(name, value, true)
    }

    /// Sets an array of exit statuses (`PIPESTATUS`), reusing the strings of
    /// its old value; a readonly one becomes the empty string, as setting it
    /// to "" and then refusing the array did.
    pub fn set_statuses(&mut self, name: &str, statuses: &[i32]) {
        use std::fmt::Write;
        let Some(var) = self.table.get_mut(name) else {
            let items = statuses.iter().enumerate().map(|(i, s)| (i, s.to_string()));
            self.store(name, Value::Indexed(items.collect()));
            return;
        };
        if var.readonly || var.exported {
            self.set(name, "");
            let items = statuses.iter().enumerate().map(|(i, s)| (i, s.to_string()));
            let _ = self.assign(name, Value::Indexed(items.collect()));
            return;
        }
        if !matches!(var.value, Some(Value::Indexed(_))) {
            var.value = Some(Value::Indexed(Vec::new()));
        }
        if let Some(Value::Indexed(items)) = &mut var.value {
            items.truncate(statuses.len());
            for (i, s) in statuses.iter().enumerate() {
                match items.get_mut(i) {
                    Some((k, text)) => {
                        *k = i;
                        text.clear();
                        let _ = write!(text, "{s}");
                    }
                    None => items.push((i, s.to_string())),
                }
            }
        }
    }

    /// The element a subscript `n` of `name` names: a negative one counts
    /// back from one past the highest index (bash); `None` when that is
    /// before the first.
    #[must_use]
    pub fn element_at(&self, name: &str, n: i64) -> Option<usize> {
        if let Ok(i) = usize::try_from(n) {
            return Some(i);
        }
        let end = match self.value(name) {
            Some(Value::Indexed(items)) => items.last().map_or(0, |(i, _)| i + 1),
            Some(Value::Scalar(_)) => 1,
            _ => 0,
        };
        end.checked_sub(usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX))
    }

    /// Assigns `name[index]`, turning a scalar into an array (its value
    /// becomes element 0), as bash does.
    ///
    /// # Errors
    /// [`VarError::Readonly`].
    pub fn assign_element(
        &mut self,
        name: &str,
        index: usize,
        value: String,
    ) -> Result<(), VarError> {
        let target = self.writable_target(name)?;
        let name = target.as_deref().unwrap_or(name);
        self.check_writable(name)?;
        let mut items = match self.value(name) {
            Some(Value::Indexed(items)) => items.clone(),
            Some(Value::Scalar(s)) => vec![(0, s.clone())],
            Some(Value::Assoc(_)) => return self.assign_key(name, &index.to_string(), value),
            None => Vec::new(),
        };
        match items.binary_search_by_key(&index, |(i, _)| *i) {
            Ok(at) => items[at].1 = value,
            Err(at) => items.insert(at, (index, value)),
        }
        self.store(name, Value::Indexed(items));
        Ok(())
    }

    /// Assigns `name[key]` of an associative array (a new key goes last).
    ///
    /// # Errors
    /// [`VarError::Readonly`].
    pub fn assign_key(&mut self, name: &str, key: &str, value: String) -> Result<(), VarError> {
        let target = self.writable_target(name)?;
        let name = target.as_deref().unwrap_or(name);
        self.check_writable(name)?;
        let mut items = match self.value(name) {
            Some(Value::Assoc(items)) => items.clone(),
            _ => Vec::new(),
        };
        crate::expand::assoc_set(&mut items, key.to_string(), value);
        self.store(name, Value::Assoc(items));
        Ok(())
    }

    /// Removes `name[key]` of an associative array.
    ///
    /// # Errors
    /// [`VarError::CannotUnset`].
    pub fn unset_key(&mut self, name: &str, key: &str) -> Result<(), VarError> {
        if self.table.get(name).is_some_and(|v| v.readonly) {
            return Err(VarError::CannotUnset(name.to_string()));
        }
        if let Some(Value::Assoc(items)) = self.table.get_mut(name).and_then(|v| v.value.as_mut()) {
            items.retain(|(k, _)| k != key);
        }
        Ok(())
    }

    /// Removes `name[index]`.
    ///
    /// # Errors
    /// [`VarError::CannotUnset`].
    pub fn unset_element(&mut self, name: &str, index: usize) -> Result<(), VarError> {
        if self.table.get(name).is_some_and(|v| v.readonly) {
            return Err(VarError::CannotUnset(name.to_string()));
        }
        match self.table.get_mut(name).and_then(|v| v.value.as_mut()) {
            Some(Value::Indexed(items)) => items.retain(|(i, _)| *i != index),
            Some(Value::Assoc(items)) => items.retain(|(k, _)| *k != index.to_string()),
            Some(Value::Scalar(_)) if index == 0 => return self.unset(name),
            _ => {}
        }
        Ok(())
    }

    fn check_writable(&self, name: &str) -> Result<(), VarError> {
        match self.table.get(name) {
            Some(v) if v.readonly => Err(VarError::Readonly(name.to_string())),
            _ => Ok(()),
        }
    }

    /// Marks a variable exported (creating it, unset, when it does not exist).
    pub fn export(&mut self, name: &str, value: Option<String>) {
        if let Some(v) = value {
            self.store(name, Value::Scalar(v));
        }
        let var = self.entry(name);
        if !var.exported {
            var.exported = true;
        }
        self.changed = true;
    }

    /// Clears the exported attribute (`export -n`, `declare +x`).
    pub fn unexport(&mut self, name: &str) {
        if let Some(v) = self.table.get_mut(name) {
            if v.exported {
                v.exported = false;
                self.changed = true;
            }
        }
    }

    /// The variable `name`, created unset if needed, to set attributes on.
    pub fn entry(&mut self, name: &str) -> &mut Var {
        self.table.entry(name.to_string()).or_default()
    }

    /// Removes a variable, as bash's `unset` does: a `local` of the running
    /// function becomes unset (and stays local); a binding of a calling
    /// function (or a temporary assignment) is removed, so the variable it
    /// hid shows again.
    ///
    /// # Errors
    /// [`VarError::CannotUnset`] for a readonly variable.
    pub fn unset(&mut self, name: &str) -> Result<(), VarError> {
        let target = self.target(name);
        let name = target.as_deref().unwrap_or(name);
        match self.table.get(name) {
            Some(v) if v.readonly => return Err(VarError::CannotUnset(name.to_string())),
            Some(v) => {
                self.changed |= v.exported;
            }
            None => return Ok(()),
        }
        let current = self.frames.len().wrapping_sub(1);
        let owner = self
            .frames
            .iter()
            .rposition(|f| f.hidden.contains_key(name));
        let revealed = match owner {
            Some(k) if k != current || self.frames[k].hidden.get(name).is_some_and(|h| h.temp) => {
                self.frames[k].hidden.remove(name).and_then(|h| h.var)
            }
            _ => None,
        };
        match revealed {
            Some(var) => {
                self.changed |= var.exported;
                self.table.insert(name.to_string(), var);
            }
            None => {
                self.table.remove(name);
            }
        }
        Ok(())
    }

    /// Whether children need an environment built from these variables.
    #[must_use]
    pub fn changed(&self) -> bool {
        self.changed
    }

    /// Forgets that the exported set changed (it now equals the process's).
    pub fn mark_unchanged(&mut self) {
        self.changed = false;
    }

    /// Exported `name=value` pairs (arrays are not exported), sorted by name.
    #[must_use]
    pub fn exported(&self) -> Vec<(String, String)> {
        let mut out: Vec<_> = self
            .table
            .iter()
            .filter(|(_, v)| v.exported)
            .filter_map(|(k, v)| match v.value.as_ref()? {
                Value::Scalar(s) => Some((k.clone(), s.clone())),
                Value::Indexed(_) | Value::Assoc(_) => None,
            })
            .collect();
        out.sort();
        out
    }
}

/// Whether `name` is a valid variable name.
#[must_use]
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests;
