//! `set`, `shift`, `unset` and `let`: the builtins of this module that do
//! not go through the declare family's one parser (`declare_common`).

use super::super::declare_print::listing;
use super::super::out;
use crate::exec::BoxFut;
use crate::expand::Value;
use crate::interp::valid_name;
use crate::io::Streams;
use crate::shell::Shell;

pub(in crate::builtins) fn set<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        if args.len() == 1 {
            let text = listing(shell);
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

pub(in crate::builtins) fn shift<'a>(
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
        if args.len() > 2 {
            return super::super::control::too_many_arguments(shell, io, "shift").await;
        }
        let p = &mut shell.env.lang.positional;
        if n > p.len() {
            return 1;
        }
        p.drain(..n);
        0
    })
}

pub(in crate::builtins) fn unset<'a>(
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
                        let key = match crate::expand::assoc_key(shell, index).await {
                            Ok(k) => k,
                            Err(e) => {
                                status = shell.expand_failed(&e);
                                continue;
                            }
                        };
                        if let Err(e) = shell.env.vars.unset_key(base, &key) {
                            io.err_line(&format!("{}unset: {e}", shell.err_prefix()))
                                .await;
                            status = 1;
                        }
                        continue;
                    }
                    let i = match shell.arith_text(index) {
                        Ok(n) => shell.env.vars.element_at(base, n),
                        Err(msg) => {
                            io.err_line(&format!("{}{msg}", shell.err_prefix())).await;
                            status = 1;
                            continue;
                        }
                    };
                    let Some(i) = i else {
                        io.err_line(&format!(
                            "{}unset: [{index}]: bad array subscript",
                            shell.err_prefix()
                        ))
                        .await;
                        status = 1;
                        continue;
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

pub(in crate::builtins) fn let_<'a>(
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
