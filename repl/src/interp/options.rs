//! Shell options (`set -e`, `set -o pipefail`, …), their letters for `$-`,
//! and the listing `set -o` / `set +o` print.

/// The options `set` changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)]
pub struct Options {
    /// `-a`: every variable assigned is exported.
    pub allexport: bool,
    /// `-e`: exit when a command fails outside a condition.
    pub errexit: bool,
    /// `-u`: expanding an unset variable is an error.
    pub nounset: bool,
    /// `-x`: print commands as they run.
    pub xtrace: bool,
    /// `-C`: `>` does not overwrite a file.
    pub noclobber: bool,
    /// `-f`: no pathname expansion.
    pub noglob: bool,
    /// `-n`: read commands, run nothing.
    pub noexec: bool,
    /// `-b`: report finished jobs at once.
    pub notify: bool,
    /// `-m`: job control.
    pub monitor: bool,
    /// `-o pipefail`: a pipeline fails with its last failing member.
    pub pipefail: bool,
    /// `-E`: functions, `( … )` and `$(…)` inherit the ERR trap.
    pub errtrace: bool,
    /// `-T`: functions, `( … )` and `$(…)` inherit the DEBUG and RETURN traps.
    pub functrace: bool,
    /// `-o bgquiet`: background output goes to the job's rings only.
    pub bgquiet: bool,
    /// `-H`: `!` history expansion (interactive shells only).
    pub histexpand: bool,
    /// `-o bgtty` (on a terminal with job control): a background process
    /// job gets the terminal as stdin and a pty as stdout (see
    /// `foreground.rs`); off, /dev/null and a pipe (faster capture).
    pub bgtty: bool,
    /// `-v`: print input lines as they are read.
    pub verbose: bool,
    /// `-o emacs` / `-o vi`: the line editor's key bindings (one at most).
    pub emacs: bool,
    /// `-o vi`.
    pub vi: bool,
    /// `-o posix`: special builtins come before functions.
    pub posix: bool,
    /// `-i`: interactive (shown in `$-`, not settable).
    pub interactive: bool,
    /// `-s`: commands from stdin (shown in `$-`).
    pub stdin: bool,
    /// `-c`: commands from an argument (shown in `$-`).
    pub command: bool,
    /// `-B`: brace expansion (on by default).
    pub braceexpand: bool,
}

impl Options {
    /// The defaults: notify, job control and quiet backgrounds when interactive.
    #[must_use]
    pub fn new(interactive: bool) -> Options {
        Options {
            allexport: false,
            errexit: false,
            nounset: false,
            xtrace: false,
            noclobber: false,
            noglob: false,
            noexec: false,
            notify: interactive,
            monitor: interactive,
            pipefail: false,
            errtrace: false,
            functrace: false,
            bgquiet: interactive,
            histexpand: interactive,
            bgtty: true,
            verbose: false,
            emacs: interactive,
            vi: false,
            posix: false,
            interactive,
            stdin: false,
            command: false,
            braceexpand: true,
        }
    }

    /// The option a `set -X` letter names.
    pub fn letter(&mut self, c: char) -> Option<&mut bool> {
        Some(match c {
            'a' => &mut self.allexport,
            'e' => &mut self.errexit,
            'u' => &mut self.nounset,
            'x' => &mut self.xtrace,
            'C' => &mut self.noclobber,
            'f' => &mut self.noglob,
            'n' => &mut self.noexec,
            'b' => &mut self.notify,
            'm' => &mut self.monitor,
            'H' => &mut self.histexpand,
            'E' => &mut self.errtrace,
            'T' => &mut self.functrace,
            'v' => &mut self.verbose,
            'B' => &mut self.braceexpand,
            _ => return None,
        })
    }

    /// The option `set -o NAME` names.
    pub fn named(&mut self, name: &str) -> Option<&mut bool> {
        Some(match name {
            "allexport" => &mut self.allexport,
            "errexit" => &mut self.errexit,
            "nounset" => &mut self.nounset,
            "xtrace" => &mut self.xtrace,
            "noclobber" => &mut self.noclobber,
            "noglob" => &mut self.noglob,
            "noexec" => &mut self.noexec,
            "notify" => &mut self.notify,
            "monitor" => &mut self.monitor,
            "pipefail" => &mut self.pipefail,
            "errtrace" => &mut self.errtrace,
            "functrace" => &mut self.functrace,
            "bgquiet" => &mut self.bgquiet,
            "histexpand" => &mut self.histexpand,
            "bgtty" => &mut self.bgtty,
            "verbose" => &mut self.verbose,
            "emacs" => &mut self.emacs,
            "vi" => &mut self.vi,
            "posix" => &mut self.posix,
            "braceexpand" => &mut self.braceexpand,
            _ => return None,
        })
    }

    /// `set -o NAME` / `set +o NAME`: false for an unknown name. `emacs`
    /// and `vi` exclude each other.
    pub fn set_named(&mut self, name: &str, on: bool) -> bool {
        let Some(v) = self.named(name) else {
            return false;
        };
        *v = on;
        match (name, on) {
            ("emacs", true) => self.vi = false,
            ("vi", true) => self.emacs = false,
            _ => {}
        }
        true
    }

    /// `$SHELLOPTS`: the options bash also knows that are on, `:`-separated
    /// (with those corral always has on: hashing, comments).
    #[must_use]
    pub fn shellopts(&self) -> String {
        let mut copy = *self;
        let mut on: Vec<&str> = NAMES
            .iter()
            .filter(|n| !matches!(**n, "bgquiet" | "bgtty"))
            .filter(|n| copy.named(n).is_some_and(|v| *v))
            .copied()
            .collect();
        on.extend(["hashall", "interactive-comments"]);
        on.sort_unstable();
        on.join(":")
    }

    /// `$-`: the letters of the options on, in bash's order.
    #[must_use]
    pub fn flags(&self) -> String {
        let mut s = String::new();
        for (on, c) in [
            (self.errexit, 'e'),
            (self.noglob, 'f'),
            (true, 'h'),
            (self.interactive, 'i'),
            (self.monitor, 'm'),
            (self.noexec, 'n'),
            (self.nounset, 'u'),
            (self.verbose, 'v'),
            (self.xtrace, 'x'),
            (self.braceexpand, 'B'),
            (self.noclobber, 'C'),
            (self.errtrace, 'E'),
            (self.histexpand, 'H'),
            (self.functrace, 'T'),
            (self.stdin, 's'),
            (self.command, 'c'),
        ] {
            if on {
                s.push(c);
            }
        }
        if self.notify {
            s.insert(0, 'b');
        }
        if self.allexport {
            s.insert(0, 'a');
        }
        s
    }

    /// `set -o` (`plus`: `set +o`, re-runnable commands), sorted by name.
    #[must_use]
    pub fn listing(&self, plus: bool) -> String {
        let mut copy = *self;
        let mut out = String::new();
        for name in NAMES {
            let on = copy.named(name).is_some_and(|v| *v);
            if plus {
                out.push_str(&format!("set {}o {name}\n", if on { '-' } else { '+' }));
            } else {
                out.push_str(&format!("{name:<15}\t{}\n", if on { "on" } else { "off" }));
            }
        }
        out
    }
}

/// POSIX's special builtins: in POSIX mode a function cannot hide them.
pub(crate) fn is_special_builtin(name: &str) -> bool {
    matches!(
        name,
        "break"
            | ":"
            | "."
            | "continue"
            | "eval"
            | "exec"
            | "exit"
            | "export"
            | "readonly"
            | "return"
            | "set"
            | "shift"
            | "times"
            | "trap"
            | "unset"
    )
}

/// The `-o` names, in `set -o`'s order.
pub(crate) const NAMES: [&str; 20] = [
    "allexport",
    "bgquiet",
    "bgtty",
    "braceexpand",
    "emacs",
    "errexit",
    "errtrace",
    "functrace",
    "histexpand",
    "monitor",
    "noclobber",
    "noexec",
    "noglob",
    "notify",
    "nounset",
    "pipefail",
    "posix",
    "verbose",
    "vi",
    "xtrace",
];

impl crate::shell::Shell {
    /// Brings `$SHELLOPTS` and `$BASHOPTS` (readonly) up to date with the
    /// options, after `set`, `shopt` or the command line changed them.
    pub(crate) fn sync_option_vars(&mut self) {
        let shellopts = self.env.lang.opts.shellopts();
        let bashopts = self.env.lang.shopt.on_names();
        for (name, value) in [("SHELLOPTS", shellopts), ("BASHOPTS", bashopts)] {
            if self.env.vars.get(name) != Some(value.as_str()) {
                self.env.vars.set(name, value);
            }
            self.env.vars.entry(name).readonly = true;
        }
    }

    /// Applies an inherited `$SHELLOPTS` (bash turns on every option it
    /// names, so `export SHELLOPTS` carries `set -x` into child shells).
    pub(crate) fn apply_inherited_shellopts(&mut self) {
        let Some(list) = self.env.vars.get("SHELLOPTS").map(str::to_string) else {
            return;
        };
        for name in list.split(':') {
            self.env.lang.opts.set_named(name, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_follow_bashs_order() {
        let mut o = Options::new(false);
        *o.letter('e').unwrap() = true;
        *o.letter('u').unwrap() = true;
        o.command = true;
        assert_eq!(o.flags(), "ehuBc");
        *o.letter('T').unwrap() = true;
        *o.letter('E').unwrap() = true;
        *o.letter('C').unwrap() = true;
        assert_eq!(o.flags(), "ehuBCETc");
    }

    #[test]
    fn names_and_letters_reach_the_same_option() {
        let mut o = Options::new(false);
        *o.named("noclobber").unwrap() = true;
        assert!(*o.letter('C').unwrap());
        assert!(o.named("nosuch").is_none());
        assert!(o.listing(false).contains("noclobber      \ton\n"));
        assert!(o.listing(true).contains("set -o noclobber\n"));
    }
}
