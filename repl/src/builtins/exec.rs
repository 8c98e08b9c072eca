//! `exec [-cl] [-a name] [command [argument ...]]`: the shell becomes the
//! command (or, with no command, keeps the redirections, which the
//! interpreter applies before calling it).

use super::getopts::scan;

use crate::exec::{find_on_path, BoxFut};
use crate::io::Streams;
use crate::shell::Shell;

pub(super) fn exec<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (mut arg0, mut login, mut clear_env) = (None, false, false);
        let prefix = shell.err_prefix();
        let (opts, words) = match scan(io, &prefix, &args, "cla:").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        for o in opts {
            match o.letter {
                'l' => login = true,
                'c' => clear_env = true,
                _ => arg0 = o.value,
            }
        }
        let words: Vec<String> = words.to_vec();
        if words.is_empty() {
            return 0;
        }
        let name = words[0].clone();
        if !name.contains('/')
            && find_on_path(&shell.env, &name).is_none()
            && super::lookup(&name).is_none()
        {
            shell.fail(&format!("corral: exec: {name}: not found"));
            if !shell.interactive {
                shell.exit_status = Some(127);
            }
            return 127;
        }
        // The shell ends with the command: no job is left to warn about.
        let is_builtin = super::lookup(&name).is_some()
            && !crate::exec::use_program(&shell.env, &name, &words[1..], false);
        let status = if (arg0.is_some() || login || clear_env) && !is_builtin {
            let arg0 = arg0.unwrap_or_else(|| name.clone());
            let arg0 = if login { format!("-{arg0}") } else { arg0 };
            shell.run_program_as(&words, Some(arg0), clear_env).await
        } else {
            shell.run_argv(words, true).await
        };
        shell.exit_status = Some(status);
        status
    })
}
