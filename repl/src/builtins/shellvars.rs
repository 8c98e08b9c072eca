//! Variables and options: set, shift, local, export, unset, readonly,
//! declare/typeset, let.

mod set;

pub(super) use set::{let_, set, shift, unset};

use super::array_literal::assign_compound;
use super::declare_print::{declaration, listing};
use super::out;
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::interp::{valid_name, LetterCase, Var};
use crate::io::Streams;
use crate::shell::Shell;

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
    /// `-l`/`-u` (`Some(None)`: `+l`, `+u`, or both given).
    case: Option<Option<LetterCase>>,
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
    let mut scalar_only = false;
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
                    // `+a`/`+A` remove nothing (bash); `x=(…)` is then a string.
                    'a' | 'A' if !on => scalar_only = true,
                    'a' => d.array = true,
                    'A' => d.assoc = true,
                    'x' => d.export = Some(on),
                    'r' => d.readonly = true,
                    'i' => d.integer = Some(on),
                    // `-l` and `-u` together cancel (bash).
                    'l' | 'u' => {
                        let case = if c == 'l' {
                            LetterCase::Lower
                        } else {
                            LetterCase::Upper
                        };
                        d.case = match d.case {
                            Some(Some(other)) if on && other != case => Some(None),
                            _ if on => Some(Some(case)),
                            _ => Some(None),
                        };
                    }
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
    if names.is_empty() && args.len() == 1 && matches!(builtin, "declare" | "typeset") {
        let text = listing(shell);
        return out(io, &text).await.err().unwrap_or(0);
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
        if let (Some(sub), "export" | "readonly") = (&sub, builtin) {
            // They take names only (bash): `export a[7]=8` sets nothing.
            io.err_line(&format!(
                "{}{builtin}: `{name}[{sub}]': not a valid identifier",
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
        let readonly = shell.env.vars.var(&name).is_some_and(|v| v.readonly);
        if make_local && readonly && !shell.env.vars.is_local(&name) {
            // A function cannot hide a readonly variable (bash).
            io.err_line(&format!(
                "{}{builtin}: {name}: readonly variable",
                shell.err_prefix()
            ))
            .await;
            status = 1;
            continue;
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
        if let Some(case) = d.case {
            shell.env.vars.entry(&name).case = case;
        }
        if d.nameref.is_some() {
            // The value names the target: it is assigned to the reference itself.
            shell.env.vars.set_nameref(&name, false);
        }
        let conversion = match shell.env.vars.value(&name) {
            Some(Value::Indexed(_)) if d.assoc => Some("indexed to associative"),
            Some(Value::Assoc(_)) if d.array => Some("associative to indexed"),
            _ => None,
        };
        if let Some(what) = conversion {
            io.err_line(&format!(
                "{}{name}: cannot convert {what} array",
                shell.err_prefix()
            ))
            .await;
            status = 1;
            continue;
        }
        // `export -a x` / `readonly -A x` of an unset name make no array (bash).
        let typed = value.is_some() || !matches!(builtin, "export" | "readonly");
        let unset = shell.env.vars.value(&name).is_none();
        if d.array && unset && value.is_none() && typed {
            let _ = shell.env.vars.assign(&name, Value::Indexed(Vec::new()));
        }
        // A scalar becomes the array's element 0 (key "0") (bash).
        let scalar = match shell.env.vars.value(&name) {
            Some(Value::Scalar(v)) if typed && sub.is_none() => Some(v.clone()),
            _ => None,
        };
        if let (true, false, Some(v)) = (d.array, d.assoc, &scalar) {
            let _ = shell
                .env
                .vars
                .assign(&name, Value::Indexed(vec![(0, v.clone())]));
        }
        let is_assoc = matches!(shell.env.vars.value(&name), Some(Value::Assoc(_)));
        if d.assoc && !is_assoc && typed {
            let items = scalar
                .map(|v| vec![("0".to_string(), v)])
                .unwrap_or_default();
            let _ = shell.env.vars.assign(&name, Value::Assoc(items));
        }
        if unset && (d.array || d.assoc) && typed {
            shell.env.vars.entry(&name).unset_array = true;
        }
        let assigned = value.is_some();
        let compound = value
            .as_deref()
            .and_then(|v| v.strip_prefix('(')?.strip_suffix(')'));
        let compound = compound.filter(|_| sub.is_none() && !scalar_only);
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
            // `x=v` of an array sets its element 0 (key "0"), keeping the rest.
            let r = match shell.env.vars.value(&name) {
                Some(Value::Assoc(_)) => shell.env.vars.assign_key(&name, "0", v),
                Some(Value::Indexed(_)) => shell.env.vars.assign_element(&name, 0, v),
                _ if d.array => shell.env.vars.assign_element(&name, 0, v),
                _ => shell.env.vars.assign(&name, Value::Scalar(v)),
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
            // `set -a`: a value given here is exported too (bash).
            _ if assigned && shell.env.lang.opts.allexport => {
                shell.env.vars.export(&name, None);
            }
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
        // `local -`: the `set` options become the function's own, put back
        // when it returns.
        let dash = args.iter().skip(1).any(|a| a == "-");
        if dash {
            let args: Vec<String> = std::iter::once(args[0].clone())
                .chain(args[1..].iter().filter(|a| *a != "-").cloned())
                .collect();
            let lang = &mut shell.env.lang;
            let opts = lang.opts;
            if let Some(call) = lang.calls.iter_mut().rev().find(|c| c.name != "source") {
                call.saved_opts.get_or_insert(opts);
            }
            if args.len() == 1 {
                return 0;
            }
            return declare_common(shell, &args, io, Decl::default(), "local", true).await;
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
