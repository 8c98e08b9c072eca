//! Variables and options: set, shift, local, export, unset, readonly,
//! declare/typeset, let.

use super::out;
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::interp::{valid_name, Var};
use crate::io::Streams;
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
fn declaration(name: &str, var: &Var) -> String {
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
    if flags.is_empty() {
        flags.push('-');
    }
    match &var.value {
        None => format!("declare -{flags} {name}"),
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

pub(super) fn set<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        if args.len() == 1 {
            let mut text = String::new();
            for (name, var) in shell.env.vars.all() {
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
            return out(io, &text).await.err().unwrap_or(0);
        }
        let mut i = 1;
        let mut positional: Option<Vec<String>> = None;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                positional = Some(args[i + 1..].to_vec());
                break;
            }
            if a == "-" {
                // bash: `-` ends the options and turns off -x and -v; with
                // no words after it the positional parameters stay.
                shell.env.lang.opts.xtrace = false;
                shell.env.lang.opts.verbose = false;
                shell.sync_option_vars();
                if i + 1 < args.len() {
                    positional = Some(args[i + 1..].to_vec());
                }
                break;
            }
            if a == "+" {
                i += 1;
                continue;
            }
            let on = a.starts_with('-');
            if !(on || a.starts_with('+')) || a.len() < 2 {
                positional = Some(args[i..].to_vec());
                break;
            }
            i += 1;
            for c in a[1..].chars() {
                if c == 'o' {
                    let Some(name) = args.get(i) else {
                        let text = shell.env.lang.opts.listing(!on);
                        return out(io, &text).await.err().unwrap_or(0);
                    };
                    i += 1;
                    if !shell.env.lang.opts.set_named(name, on) {
                        io.err_line(&format!(
                            "{}set: {name}: invalid option name",
                            shell.err_prefix()
                        ))
                        .await;
                        return 2;
                    }
                    shell.sync_option_vars();
                    continue;
                }
                match shell.env.lang.opts.letter(c) {
                    Some(v) => {
                        *v = on;
                        shell.sync_option_vars();
                    }
                    None => {
                        let sign = if on { '-' } else { '+' };
                        io.err_line(&format!(
                            "{}set: {sign}{c}: invalid option",
                            shell.err_prefix()
                        ))
                        .await;
                        io.err_line("set: usage: set [-abefhkmnptuvxBCEHPT] [-o option-name] [--] [-] [arg ...]").await;
                        return 2;
                    }
                }
            }
        }
        if let Some(p) = positional {
            shell.env.lang.positional = p;
        }
        0
    })
}

pub(super) fn shift<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let n = match args.get(1) {
            None => 1,
            Some(a) => match a.parse::<i64>().map(usize::try_from) {
                Ok(Ok(n)) => n,
                Ok(Err(_)) => {
                    io.err_line(&format!(
                        "{}shift: {a}: shift count out of range",
                        shell.err_prefix()
                    ))
                    .await;
                    return 1;
                }
                Err(_) => {
                    io.err_line(&format!(
                        "{}shift: {a}: numeric argument required",
                        shell.err_prefix()
                    ))
                    .await;
                    return 1;
                }
            },
        };
        let p = &mut shell.env.lang.positional;
        if n > p.len() {
            return 1;
        }
        p.drain(..n);
        0
    })
}

/// What `declare` and its relatives were asked to do.
#[derive(Default)]
#[allow(clippy::struct_excessive_bools)]
struct Decl {
    array: bool,
    assoc: bool,
    nameref: Option<bool>,
    export: Option<bool>,
    readonly: bool,
    integer: Option<bool>,
    print: bool,
    functions: bool,
    /// `-F`: names only.
    names_only: bool,
    global: bool,
}

impl Decl {
    /// Whether `declare -p` (or `declare -r` …) without names lists `var`:
    /// it must have every attribute asked for.
    fn lists(&self, var: &Var) -> bool {
        (!self.array || matches!(var.value, Some(Value::Indexed(_))))
            && (!self.assoc || matches!(var.value, Some(Value::Assoc(_))))
            && (self.nameref != Some(true) || var.nameref)
            && (self.export != Some(true) || var.exported)
            && (!self.readonly || var.readonly)
            && (self.integer != Some(true) || var.integer)
    }
}

/// `declare a[sub]=v`.
fn assign_element(
    shell: &mut Shell,
    name: &str,
    sub: &str,
    value: String,
    append: bool,
) -> Result<(), String> {
    match shell.env.vars.value(name).cloned() {
        Some(Value::Assoc(items)) => {
            let key = crate::expand::simple_text(shell, sub).unwrap_or_else(|| sub.to_string());
            let old = items
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone());
            let v = if append {
                old.unwrap_or_default() + &value
            } else {
                value
            };
            shell
                .env
                .vars
                .assign_key(name, &key, v)
                .map_err(|e| e.to_string())
        }
        other => {
            let i = shell.arith_text(sub)?;
            let i =
                usize::try_from(i).map_err(|_| format!("{name}[{sub}]: bad array subscript"))?;
            let old = match other {
                Some(Value::Indexed(items)) => {
                    items.iter().find(|(k, _)| *k == i).map(|(_, v)| v.clone())
                }
                Some(Value::Scalar(s)) if i == 0 => Some(s.clone()),
                _ => None,
            };
            let v = if append {
                old.unwrap_or_default() + &value
            } else {
                value
            };
            shell
                .env
                .vars
                .assign_element(name, i, v)
                .map_err(|e| e.to_string())
        }
    }
}

/// `declare a=(…)`: the elements as the array literal's expansion quoted them.
fn assign_compound(shell: &mut Shell, name: &str, inner: &str, append: bool) -> Result<(), String> {
    let items = split_elements(inner);
    let old = shell.env.vars.value(name).cloned();
    let value = if let Some(Value::Assoc(old)) = old {
        let mut out = if append { old } else { Vec::new() };
        let mut put = |k: String, v: String| crate::expand::assoc_set(&mut out, k, v);
        let mut pending: Option<String> = None;
        for (k, v) in items {
            match (k, pending.take()) {
                (Some(k), _) => put(k, v),
                (None, Some(k)) => put(k, v),
                (None, None) => pending = Some(v),
            }
        }
        if let Some(k) = pending {
            put(k, String::new());
        }
        Value::Assoc(out)
    } else {
        let mut out: Vec<(usize, String)> = match old {
            Some(Value::Indexed(o)) if append => o,
            Some(Value::Scalar(s)) if append => vec![(0, s)],
            _ => Vec::new(),
        };
        let mut next = out.last().map_or(0, |(i, _)| i + 1);
        for (k, v) in items {
            if let Some(k) = k {
                let i = shell.arith_text(&k)?;
                next =
                    usize::try_from(i).map_err(|_| format!("{name}[{k}]: bad array subscript"))?;
            }
            out.retain(|(i, _)| *i != next);
            out.push((next, v));
            next += 1;
        }
        out.sort_by_key(|(i, _)| *i);
        Value::Indexed(out)
    };
    shell
        .env
        .vars
        .assign(name, value)
        .map_err(|e| e.to_string())
}

/// Splits the inside of `( … )` into elements, each with its `[key]=`:
/// whitespace separates, `'…'`, `"…"` and `\` quote.
fn split_elements(text: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        if chars.peek().is_none() {
            return out;
        }
        let mut key = None;
        let mut cur = String::new();
        let mut at_start = true;
        let mut in_key = false;
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() && !in_key {
                break;
            }
            chars.next();
            match c {
                '[' if at_start => in_key = true,
                ']' if in_key && chars.peek() == Some(&'=') => {
                    chars.next();
                    in_key = false;
                    key = Some(std::mem::take(&mut cur));
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
        if in_key {
            // `[` without `]=`: a plain element after all.
            cur.insert(0, '[');
        }
        out.push((key, cur));
    }
}

/// Whether a nameref may name `t`: a variable or an array element (`a[2]`).
fn nameref_target(t: &str) -> bool {
    let name = match t.split_once('[') {
        Some((n, rest)) if rest.ends_with(']') => n,
        _ => t,
    };
    valid_name(name)
}

/// `declare -f` / `-F` [NAME…]: definitions, or names (with `shopt -s
/// extdebug`, the line and file of a named one); 1 when a name is no function.
async fn declare_functions(
    shell: &mut Shell,
    names: &[String],
    io: &mut Streams,
    names_only: bool,
) -> i32 {
    let lang = &shell.env.lang;
    let mut text = String::new();
    let mut status = 0;
    let listed: Vec<&String> = if names.is_empty() {
        let mut all: Vec<&String> = lang.functions.keys().collect();
        all.sort();
        all
    } else {
        names.iter().collect()
    };
    for name in listed {
        let Some(def) = lang.functions.get(name) else {
            status = 1;
            continue;
        };
        if !names_only {
            text.push_str(&crate::interp::compound::function_text(def));
        } else if names.is_empty() {
            text.push_str("declare -f ");
            text.push_str(name);
        } else if lang.shopt.get("extdebug") {
            let line = def.span.start.line + def.defined.line_base;
            let file = lang.source_name(def.defined.source.as_ref());
            text.push_str(&format!("{name} {line} {file}"));
        } else {
            text.push_str(name);
        }
        text.push('\n');
    }
    out(io, &text).await.err().unwrap_or(status)
}

/// Shared by declare, typeset, local, export and readonly.
async fn declare_common(
    shell: &mut Shell,
    args: &[String],
    io: &mut Streams,
    mut d: Decl,
    builtin: &str,
    local: bool,
) -> i32 {
    let mut names = Vec::new();
    let mut trace = None;
    let mut options_done = false;
    for a in &args[1..] {
        if a == "--" && !options_done && names.is_empty() {
            options_done = true;
            continue;
        }
        let on = a.starts_with('-') && !options_done;
        if names.is_empty()
            && !options_done
            && (on || a.starts_with('+'))
            && a.len() > 1
            && !a.contains('=')
        {
            for c in a[1..].chars() {
                match c {
                    'a' => d.array = true,
                    'A' => d.assoc = true,
                    'x' => d.export = Some(on),
                    'r' => d.readonly = true,
                    'i' => d.integer = Some(on),
                    'p' => d.print = true,
                    'f' => d.functions = true,
                    'F' => {
                        d.functions = true;
                        d.names_only = true;
                    }
                    'g' => d.global = true,
                    't' => trace = Some(on),
                    'n' if builtin == "export" => d.export = Some(false),
                    'n' => d.nameref = Some(on),
                    _ => {
                        io.err_line(&format!(
                            "{}{builtin}: -{c}: invalid option",
                            shell.err_prefix()
                        ))
                        .await;
                        return 2;
                    }
                }
            }
            continue;
        }
        names.push(a.clone());
    }
    if let (true, Some(on), false) = (d.functions, trace, names.is_empty()) {
        // `declare -ft f`: f inherits the DEBUG and RETURN traps.
        for n in names
            .into_iter()
            .filter(|n| shell.env.lang.functions.contains_key(n))
        {
            if on {
                shell.env.lang.traced.insert(n);
            } else {
                shell.env.lang.traced.remove(&n);
            }
        }
        return 0;
    }
    if d.functions {
        return declare_functions(shell, &names, io, d.names_only).await;
    }
    if names.is_empty() || d.print {
        let mut text = String::new();
        let mut status = 0;
        if names.is_empty() {
            for (name, var) in shell.env.vars.all() {
                if d.lists(var) {
                    text.push_str(&declaration(name, var));
                    text.push('\n');
                }
            }
        } else {
            for n in &names {
                match shell.env.vars.var(n) {
                    Some(var) => {
                        text.push_str(&declaration(n, var));
                        text.push('\n');
                    }
                    None => {
                        io.err_line(&format!("{}{builtin}: {n}: not found", shell.err_prefix()))
                            .await;
                        status = 1;
                    }
                }
            }
        }
        return out(io, &text).await.err().unwrap_or(status);
    }
    let make_local = local
        || (builtin != "export"
            && builtin != "readonly"
            && !d.global
            && shell.env.vars.in_function());
    let mut status = 0;
    for arg in names {
        let (name, value) = match arg.split_once('=') {
            Some((n, v)) => (n.to_string(), Some(v.to_string())),
            None => (arg.clone(), None),
        };
        let (name, append) = match name.strip_suffix('+') {
            Some(n) => (n.to_string(), true),
            None => (name, false),
        };
        let (name, sub) = match name.strip_suffix(']').and_then(|n| n.split_once('[')) {
            Some((n, s)) if value.is_some() => (n.to_string(), Some(s.to_string())),
            _ => (name, None),
        };
        if !valid_name(&name) {
            io.err_line(&format!(
                "{}{builtin}: `{arg}': not a valid identifier",
                shell.err_prefix()
            ))
            .await;
            status = 1;
            continue;
        }
        if d.nameref == Some(true) && sub.is_none() {
            let target = match &value {
                Some(v) => Some(v.clone()),
                None => shell.env.vars.var(&name).and_then(|v| match &v.value {
                    Some(Value::Scalar(s)) if !v.nameref => Some(s.clone()),
                    _ => None,
                }),
            };
            if let Some(t) = target.filter(|t| !t.is_empty() && !nameref_target(t)) {
                io.err_line(&format!(
                    "{}{builtin}: `{t}': invalid variable name for name reference",
                    shell.err_prefix()
                ))
                .await;
                status = 1;
                continue;
            }
        }
        if make_local {
            shell.env.vars.make_local(&name);
        } else if value.is_none() && shell.env.vars.var(&name).is_none() {
            // `declare x`: declared, still unset (`declare -p x` shows it).
            shell.env.vars.entry(&name);
        }
        if let Some(v) = d.integer {
            shell.env.vars.entry(&name).integer = v;
        }
        if d.nameref.is_some() {
            // The value names the target: it is assigned to the reference itself.
            shell.env.vars.set_nameref(&name, false);
        }
        if d.array && shell.env.vars.value(&name).is_none() && value.is_none() {
            let _ = shell.env.vars.assign(&name, Value::Indexed(Vec::new()));
        }
        let is_assoc = matches!(shell.env.vars.value(&name), Some(Value::Assoc(_)));
        if d.assoc && !is_assoc {
            let _ = shell.env.vars.assign(&name, Value::Assoc(Vec::new()));
        }
        let compound = value
            .as_deref()
            .and_then(|v| v.strip_prefix('(')?.strip_suffix(')'));
        let compound = compound.filter(|_| sub.is_none());
        let r = match (&sub, compound) {
            (Some(sub), _) => Some(assign_element(
                shell,
                &name,
                sub,
                value.clone().unwrap_or_default(),
                append,
            )),
            (None, Some(inner)) => Some(assign_compound(shell, &name, inner, append)),
            _ => None,
        };
        if let Some(r) = r {
            if let Err(e) = r {
                io.err_line(&format!("{}{builtin}: {e}", shell.err_prefix()))
                    .await;
                status = 1;
                continue;
            }
        } else if let Some(v) = value {
            let v = if shell.env.vars.var(&name).is_some_and(|x| x.integer) {
                match shell.arith_text(&v) {
                    Ok(n) => n.to_string(),
                    Err(msg) => {
                        io.err_line(&format!("{}{msg}", shell.err_prefix())).await;
                        status = 1;
                        continue;
                    }
                }
            } else {
                v
            };
            let v = if append {
                format!("{}{v}", shell.env.vars.get(&name).unwrap_or(""))
            } else {
                v
            };
            let r = if d.array {
                shell.env.vars.assign_element(&name, 0, v)
            } else {
                shell.env.vars.assign(&name, Value::Scalar(v))
            };
            if let Err(e) = r {
                io.err_line(&format!("{}{builtin}: {e}", shell.err_prefix()))
                    .await;
                status = 1;
                continue;
            }
        }
        match d.export {
            Some(true) => shell.env.vars.export(&name, None),
            Some(false) => shell.env.vars.unexport(&name),
            None => {}
        }
        if d.readonly {
            shell.env.vars.entry(&name).readonly = true;
        }
        if d.nameref == Some(true) {
            shell.env.vars.set_nameref(&name, true);
        }
    }
    status
}

pub(super) fn declare<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let name = args[0].clone();
        declare_common(shell, &args, io, Decl::default(), &name, false).await
    })
}

pub(super) fn local<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        if !shell.env.vars.in_function() {
            io.err_line(&format!(
                "{}local: can only be used in a function",
                shell.err_prefix()
            ))
            .await;
            return 1;
        }
        declare_common(shell, &args, io, Decl::default(), "local", true).await
    })
}

pub(super) fn export<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let d = Decl {
            export: Some(true),
            ..Decl::default()
        };
        declare_common(shell, &args, io, d, "export", false).await
    })
}

pub(super) fn readonly<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let d = Decl {
            readonly: true,
            ..Decl::default()
        };
        declare_common(shell, &args, io, d, "readonly", false).await
    })
}

pub(super) fn unset<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut status = 0;
        let mut functions = false;
        let mut vars_only = false;
        for name in &args[1..] {
            match name.as_str() {
                "-f" => {
                    functions = true;
                    continue;
                }
                "-v" => {
                    vars_only = true;
                    continue;
                }
                _ => {}
            }
            if functions {
                shell.env.lang.functions.remove(name);
                continue;
            }
            if let Some((base, rest)) = name.split_once('[') {
                if let Some(index) = rest.strip_suffix(']') {
                    if let Some(Value::Assoc(_)) = shell.env.vars.value(base) {
                        let key = crate::expand::simple_text(shell, index)
                            .unwrap_or_else(|| index.to_string());
                        if let Err(e) = shell.env.vars.unset_key(base, &key) {
                            io.err_line(&format!("{}unset: {e}", shell.err_prefix()))
                                .await;
                            status = 1;
                        }
                        continue;
                    }
                    let i = match shell.eval_index(index) {
                        Ok(i) => i,
                        Err(s) => {
                            status = s;
                            continue;
                        }
                    };
                    if let Err(e) = shell.env.vars.unset_element(base, i) {
                        io.err_line(&format!("{}unset: {e}", shell.err_prefix()))
                            .await;
                        status = 1;
                    }
                    continue;
                }
            }
            if !valid_name(name) {
                io.err_line(&format!(
                    "{}unset: `{name}': not a valid identifier",
                    shell.err_prefix()
                ))
                .await;
                status = 1;
                continue;
            }
            if shell.env.vars.var(name).is_none() && !vars_only {
                shell.env.lang.functions.remove(name);
                continue;
            }
            if let Err(e) = shell.env.vars.unset(name) {
                io.err_line(&format!("{}unset: {e}", shell.err_prefix()))
                    .await;
                status = 1;
            }
        }
        status
    })
}

pub(super) fn let_<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        if args.len() < 2 {
            io.err_line(&format!("{}let: expression expected", shell.err_prefix()))
                .await;
            return 1;
        }
        let mut last = 0;
        for a in &args[1..] {
            match shell.arith_text(a) {
                Ok(n) => last = n,
                Err(msg) => {
                    io.err_line(&format!("{}let: {msg}", shell.err_prefix()))
                        .await;
                    return 1;
                }
            }
        }
        i32::from(last == 0)
    })
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
