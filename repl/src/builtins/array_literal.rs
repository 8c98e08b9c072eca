//! Array literals: the elements of `a=(…)` and `declare a=(…)` (`v`,
//! `[k]=v`, `[k]+=v`) and the value they give an indexed or associative
//! array.

use crate::expand::Value;
use crate::shell::Shell;

/// `declare a=(…)`: the elements as the array literal's expansion quoted them.
pub(crate) fn assign_compound(
    shell: &mut Shell,
    name: &str,
    inner: &str,
    append: bool,
) -> Result<(), String> {
    let value = literal_value(shell, name, split_elements(inner), append)?;
    shell
        .env
        .vars
        .assign(name, value)
        .map_err(|e| e.to_string())
}

/// One element of an array literal, expanded: `value`, `[key]=value` or
/// `[key]+=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Element {
    pub key: Option<String>,
    pub append: bool,
    pub value: String,
}

/// The value `name=(…)` (or `name+=(…)`) gives `name`: an associative
/// array when `name` is one (keys and plain `k v` pairs), else an indexed
/// one whose subscripts are evaluated in order, each seeing the elements
/// before it (`a=([0]=3 [a[0]]=x)` sets `a[3]`), as bash does.
///
/// # Errors
/// bash's message for a bad subscript.
pub(crate) fn literal_value(
    shell: &mut Shell,
    name: &str,
    elements: Vec<Element>,
    append: bool,
) -> Result<Value, String> {
    let old = shell.env.vars.value(name).cloned();
    if let Some(Value::Assoc(old)) = old {
        // `[k]+=v` extends the value `k` had before the assignment.
        let mut out = if append { old.clone() } else { Vec::new() };
        let keyed = elements.iter().any(|e| e.key.is_some());
        let mut pending: Option<String> = None;
        for e in elements {
            let key = match (e.key, pending.take()) {
                (Some(k), _) => k,
                (None, _) if keyed => {
                    shell.fail(&format!(
                        "corral: {name}: {}: must use subscript when assigning associative array",
                        e.value
                    ));
                    continue;
                }
                (None, Some(k)) => k,
                (None, None) => {
                    pending = Some(e.value);
                    continue;
                }
            };
            let before = if append { &out } else { &old };
            let value = match before.iter().find(|(k, _)| *k == key) {
                Some((_, v)) if e.append => format!("{v}{}", e.value),
                _ => e.value,
            };
            crate::expand::assoc_set(&mut out, key, value);
        }
        if let Some(k) = pending {
            crate::expand::assoc_set(&mut out, k, String::new());
        }
        return Ok(Value::Assoc(out));
    }
    let mut out: Vec<(usize, String)> = match old {
        Some(Value::Indexed(o)) if append => o,
        Some(Value::Scalar(s)) if append => vec![(0, s)],
        _ => Vec::new(),
    };
    // A subscript that names a variable may read the array being built:
    // it is then visible while the subscripts are evaluated.
    let visible = elements.iter().any(|e| {
        e.key
            .as_ref()
            .is_some_and(|k| k.contains(|c: char| c.is_ascii_alphabetic()))
    });
    let saved = if visible {
        let saved = shell.env.vars.var(name).cloned();
        shell.env.vars.entry(name).value = Some(Value::Indexed(out.clone()));
        Some(saved)
    } else {
        None
    };
    let result = indexed_elements(shell, name, &mut out, elements, visible);
    if let Some(saved) = saved {
        match saved {
            Some(var) => *shell.env.vars.entry(name) = var,
            None => {
                let _ = shell.env.vars.unset(name);
            }
        }
    }
    result.map(|()| Value::Indexed(out))
}

/// Adds the elements of an indexed array literal to `out` (kept sorted).
fn indexed_elements(
    shell: &mut Shell,
    name: &str,
    out: &mut Vec<(usize, String)>,
    elements: Vec<Element>,
    visible: bool,
) -> Result<(), String> {
    let mut next = out.last().map_or(0, |(i, _)| i + 1);
    for e in elements {
        if let Some(k) = &e.key {
            let n = shell.arith_text(k)?;
            let end = out.last().map_or(0, |(i, _)| i + 1);
            next = match usize::try_from(n) {
                Ok(i) => i,
                Err(_) => end
                    .checked_sub(usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX))
                    .ok_or_else(|| format!("[{k}]={}: bad array subscript", e.value))?,
            };
        }
        let value = match out.binary_search_by_key(&next, |(i, _)| *i) {
            Ok(at) if e.append => format!("{}{}", out[at].1, e.value),
            _ => e.value,
        };
        match out.binary_search_by_key(&next, |(i, _)| *i) {
            Ok(at) => out[at].1 = value,
            Err(at) => out.insert(at, (next, value)),
        }
        if visible {
            shell.env.vars.entry(name).value = Some(Value::Indexed(out.clone()));
        }
        next += 1;
    }
    Ok(())
}

/// Splits the inside of `( … )` into elements, each with its `[key]=` or
/// `[key]+=`: whitespace separates, `'…'`, `"…"` and `\` quote.
fn split_elements(text: &str) -> Vec<Element> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return out;
        }
        let mut key = None;
        let mut append = false;
        let mut cur = String::new();
        let mut at_start = true;
        let mut depth = 0usize;
        let bracketed = chars.peek() == Some(&'[');
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() && depth == 0 {
                break;
            }
            chars.next();
            match c {
                '[' if at_start || depth > 0 => {
                    if depth > 0 {
                        cur.push(c);
                    }
                    depth += 1;
                }
                ']' if depth > 1 => {
                    depth -= 1;
                    cur.push(c);
                }
                ']' if depth == 1 && chars.peek() == Some(&'=') => {
                    chars.next();
                    depth = 0;
                    key = Some(std::mem::take(&mut cur));
                }
                ']' if depth == 1 && chars.peek() == Some(&'+') => {
                    let mut ahead = chars.clone();
                    ahead.next();
                    if ahead.peek() == Some(&'=') {
                        chars.next();
                        chars.next();
                        depth = 0;
                        append = true;
                        key = Some(std::mem::take(&mut cur));
                    } else {
                        depth = 0;
                        cur.push(c);
                    }
                }
                ']' if depth == 1 => {
                    depth = 0;
                    cur.push(c);
                }
                '\'' => {
                    for q in chars.by_ref() {
                        if q == '\'' {
                            break;
                        }
                        cur.push(q);
                    }
                }
                '"' => {
                    while let Some(q) = chars.next() {
                        match q {
                            '"' => break,
                            '\\' => {
                                if let Some(n) = chars.next() {
                                    if !matches!(n, '"' | '\\' | '$' | '`') {
                                        cur.push('\\');
                                    }
                                    cur.push(n);
                                }
                            }
                            _ => cur.push(q),
                        }
                    }
                }
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                    }
                }
                _ => cur.push(c),
            }
            at_start = false;
        }
        if bracketed && key.is_none() {
            // `[` without `]=`: a plain element after all.
            cur.insert(0, '[');
        }
        out.push(Element {
            key,
            append,
            value: cur,
        });
    }
}
