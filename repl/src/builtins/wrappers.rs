//! The builtins whose cores live in their own modules: `test`, `[`, `printf`.

use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

fn test_or_bracket<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let result = if args[0] == "[" {
            super::test::bracket(&args[1..], shell)
        } else {
            super::test::test(&args[1..], shell)
        };
        match result {
            Ok(b) => i32::from(!b),
            Err(e) => {
                let line = format!("{}{}: {e}", shell.err_prefix(), args[0]);
                io.err_line(&line).await;
                2
            }
        }
    })
}

pub(super) fn test<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    test_or_bracket(shell, args, io)
}

pub(super) fn printf<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let mut rest = &args[1..];
        let mut var = None;
        if rest.first().is_some_and(|a| a == "-v") {
            let Some(name) = rest.get(1) else {
                io.err_line(&format!(
                    "{}printf: -v: option requires an argument",
                    shell.err_prefix()
                ))
                .await;
                return 2;
            };
            let base = match name.split_once('[') {
                Some((base, sub)) if sub.ends_with(']') => base,
                Some(_) => "",
                None => name.as_str(),
            };
            if !crate::interp::valid_name(base) {
                io.err_line(&format!(
                    "{}printf: `{name}': not a valid identifier",
                    shell.err_prefix()
                ))
                .await;
                return 2;
            }
            var = Some(name.clone());
            rest = &rest[2..];
        }
        if rest.first().is_some_and(|a| a == "--") {
            rest = &rest[1..];
        }
        let Some(format) = rest.first() else {
            io.err_line(&format!(
                "{}printf: usage: printf [-v var] format [arguments]",
                shell.err_prefix()
            ))
            .await;
            return 2;
        };
        let tz = shell.env.vars.var("TZ").filter(|v| v.exported);
        let clock = super::wired::ShellClock {
            started: shell.env.lang.started,
            tz: tz
                .and_then(|v| v.value.as_ref()?.first())
                .map(str::to_owned),
        };
        let (bytes, errors) = super::printf::printf_with(format, &rest[1..], &clock);
        for e in &errors {
            let line = format!("{}printf: {e}", shell.err_prefix());
            io.err_line(&line).await;
        }
        let status = super::printf::status(&errors);
        match var {
            Some(name) => {
                let text = crate::rawbytes::encode_vec(bytes);
                if let Err(e) = assign_target(shell, &name, text) {
                    io.err_line(&format!("{}printf: {e}", shell.err_prefix()))
                        .await;
                    return 1;
                }
                status
            }
            None => match io.out(&bytes).await {
                Ok(()) => status,
                Err(e) => super::write_error_status(&io.stdout, &e),
            },
        }
    })
}

/// `printf -v NAME` / `NAME[SUB]`: an element's subscript is a key for an
/// associative array, else arithmetic.
fn assign_target(shell: &mut Shell, name: &str, text: String) -> Result<(), String> {
    use crate::expand::ExpandEnv;
    let Some((base, sub)) = name
        .split_once('[')
        .and_then(|(b, s)| Some((b, s.strip_suffix(']')?)))
    else {
        return shell
            .env
            .vars
            .assign(name, crate::expand::Value::Scalar(text))
            .map_err(|e| e.to_string());
    };
    if matches!(
        shell.env.vars.value(base),
        Some(crate::expand::Value::Assoc(_))
    ) {
        let key = crate::expand::simple_text(shell, sub).unwrap_or_else(|| sub.to_string());
        return shell.assign_key(base, &key, text);
    }
    let index = shell.arith_text(sub)?;
    ExpandEnv::assign(shell, base, Some(index), text)
}
