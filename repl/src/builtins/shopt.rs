//! `shopt`: bash's second set of options, by name. Every name bash 5.2
//! knows is accepted and listed; the ones corral acts on are those
//! [`Shopts`] has an accessor for (globbing, matching, alias expansion in
//! scripts, `lastpipe`…). `shopt -o` reaches the `set -o` options.

use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

/// bash 5.2's option names and their defaults in a non-interactive shell,
/// sorted (the order `shopt` lists them in).
const NAMES: &[(&str, bool)] = &[
    ("autocd", false),
    ("assoc_expand_once", false),
    ("cdable_vars", false),
    ("cdspell", false),
    ("checkhash", false),
    ("checkjobs", false),
    ("checkwinsize", true),
    ("cmdhist", true),
    ("compat31", false),
    ("compat32", false),
    ("compat40", false),
    ("compat41", false),
    ("compat42", false),
    ("compat43", false),
    ("compat44", false),
    ("complete_fullquote", true),
    ("direxpand", false),
    ("dirspell", false),
    ("dotglob", false),
    ("execfail", false),
    ("expand_aliases", false),
    ("extdebug", false),
    ("extglob", false),
    ("extquote", true),
    ("failglob", false),
    ("force_fignore", true),
    ("globasciiranges", true),
    ("globskipdots", true),
    ("globstar", false),
    ("gnu_errfmt", false),
    ("histappend", false),
    ("histreedit", false),
    ("histverify", false),
    ("hostcomplete", true),
    ("huponexit", false),
    ("inherit_errexit", false),
    ("interactive_comments", true),
    ("lastpipe", false),
    ("lithist", false),
    ("localvar_inherit", false),
    ("localvar_unset", false),
    ("login_shell", false),
    ("mailwarn", false),
    ("no_empty_cmd_completion", false),
    ("nocaseglob", false),
    ("nocasematch", false),
    ("noexpand_translation", false),
    ("nullglob", false),
    ("patsub_replacement", true),
    ("progcomp", true),
    ("progcomp_alias", false),
    ("promptvars", true),
    ("restricted_shell", false),
    ("shift_verbose", false),
    ("sourcepath", true),
    ("varredir_close", false),
    ("xpg_echo", false),
];

/// The `shopt` options' values, one bit per entry of the name table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shopts(u64);

impl Shopts {
    /// bash's defaults; an interactive shell also expands aliases.
    #[must_use]
    pub fn new(interactive: bool) -> Shopts {
        let mut s = Shopts(0);
        for (i, (_, on)) in NAMES.iter().enumerate() {
            if *on {
                s.0 |= 1 << i;
            }
        }
        if interactive {
            s.set("expand_aliases", true);
        }
        s
    }

    fn index(name: &str) -> Option<usize> {
        NAMES.iter().position(|(n, _)| *n == name)
    }

    /// Whether the option `name` is on (false for an unknown name).
    #[must_use]
    pub fn get(&self, name: &str) -> bool {
        Self::index(name).is_some_and(|i| self.0 & (1 << i) != 0)
    }

    /// Turns `name` on or off; false when there is no such option.
    pub fn set(&mut self, name: &str, on: bool) -> bool {
        let Some(i) = Self::index(name) else {
            return false;
        };
        if on {
            self.0 |= 1 << i;
        } else {
            self.0 &= !(1 << i);
        }
        true
    }

    /// The names of the options that are on, `:`-separated (`$BASHOPTS`).
    #[must_use]
    pub fn on_names(&self) -> String {
        NAMES
            .iter()
            .filter(|(n, _)| self.get(n))
            .map(|(n, _)| *n)
            .collect::<Vec<_>>()
            .join(":")
    }
}

/// Every option name, sorted (`compgen -A shopt`).
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    NAMES.iter().map(|(n, _)| *n)
}

/// `shopt [-pqsuo] [optname ...]`.
pub(super) fn shopt<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (mut set, mut unset, mut print, mut quiet, mut setopt) =
            (false, false, false, false, false);
        let prefix = shell.err_prefix();
        let (opts, names) = match super::getopts::scan(io, &prefix, &args, "pqsuo").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        for o in opts {
            match o.letter {
                's' => set = true,
                'u' => unset = true,
                'p' => print = true,
                'q' => quiet = true,
                _ => setopt = true,
            }
        }
        if set && unset {
            let p = shell.err_prefix();
            io.err_line(&format!(
                "{p}shopt: cannot set and unset shell options simultaneously"
            ))
            .await;
            return 1;
        }
        let mut status = 0;
        let mut text = String::new();
        if set || unset {
            for name in names {
                let ok = if setopt {
                    shell.env.lang.opts.set_named(name, set)
                } else {
                    shell.env.lang.shopt.set(name, set)
                };
                if !ok {
                    let p = shell.err_prefix();
                    let what = if setopt { "option" } else { "shell option" };
                    io.err_line(&format!("{p}shopt: {name}: invalid {what} name"))
                        .await;
                    status = 1;
                }
            }
            shell.sync_option_vars();
            if names.is_empty() {
                // `shopt -s`: list the options that are on (or off).
                for (n, _) in NAMES {
                    if shell.env.lang.shopt.get(n) == set {
                        push_line(&mut text, n, set, print);
                    }
                }
            }
        } else {
            let listed: Vec<String> = if names.is_empty() {
                if setopt {
                    super::super::interp::options::NAMES
                        .iter()
                        .map(|s| (*s).to_string())
                        .collect()
                } else {
                    NAMES.iter().map(|(n, _)| (*n).to_string()).collect()
                }
            } else {
                names.to_vec()
            };
            for name in &listed {
                let on = if setopt {
                    let mut copy = shell.env.lang.opts;
                    copy.named(name).map(|v| *v)
                } else if Shopts::index(name).is_some() {
                    Some(shell.env.lang.shopt.get(name))
                } else {
                    None
                };
                match on {
                    Some(on) => {
                        // Listing every option succeeds; naming one that is off fails.
                        if !on && !names.is_empty() {
                            status = 1;
                        }
                        if !quiet {
                            if setopt && print {
                                let sign = if on { '-' } else { '+' };
                                text.push_str(&format!("set {sign}o {name}\n"));
                            } else {
                                push_line(&mut text, name, on, print);
                            }
                        }
                    }
                    None => {
                        status = 1;
                        if !quiet {
                            let p = shell.err_prefix();
                            let what = if setopt { "option" } else { "shell option" };
                            io.err_line(&format!("{p}shopt: {name}: invalid {what} name"))
                                .await;
                        }
                    }
                }
            }
        }
        if let Err(s) = out(io, &text).await {
            return s;
        }
        status
    })
}

fn push_line(text: &mut String, name: &str, on: bool, print: bool) {
    if print {
        let sign = if on { 's' } else { 'u' };
        text.push_str(&format!("shopt -{sign} {name}\n"));
    } else {
        let state = if on { "on" } else { "off" };
        text.push_str(&format!("{name:<15}\t{state}\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_toggles() {
        let mut s = Shopts::new(false);
        assert!(!s.get("extglob"));
        assert!(s.get("globskipdots"));
        assert!(s.set("extglob", true));
        assert!(s.get("extglob"));
        assert!(!s.set("nosuch", true));
        assert!(Shopts::new(true).get("expand_aliases"));
        assert!(NAMES.len() <= 64);
    }
}
