//! The variables the shell computes rather than stores: `$RANDOM` (bash's
//! generator and its seeding by assignment), `SRANDOM`, `EPOCHSECONDS`,
//! `EPOCHREALTIME`, `SECONDS`, `LINENO`, `PPID`, `BASH_SUBSHELL`, the
//! call-stack arrays, the defaults bash supplies while the user has not set
//! them (`BASH`, `BASH_ARGV0`, `OSTYPE`…), and the ones it sets at startup.
//!
//! A read goes through [`special_value`] before the store; an assignment
//! to `RANDOM` reseeds the generator ([`Random::assigned`]).

use std::cell::Cell;

use super::Vars;
use crate::expand::Value;
use crate::shell::Shell;

/// `PATH` when the environment has none (bash's default).
pub(super) const DEFAULT_PATH: &str =
    "/usr/local/bin:/usr/local/sbin:/usr/bin:/usr/sbin:/bin:/sbin:.";

/// The bash release whose behaviour corral follows (its differential tests
/// run against bash 5.2). Scripts that refuse to run unless `$BASH_VERSION`
/// is set then run; `$CORRAL_VERSION` tells corral apart.
const BASH_VERSION: &str = "5.2.0(1)-release";

/// `BASH_VERSINFO`: the parts of [`BASH_VERSION`] and the machine type.
fn bash_versinfo() -> Value {
    let machine = match std::env::consts::ARCH {
        "x86_64" => "x86_64-pc-linux-gnu".to_string(),
        arch => format!("{arch}-unknown-linux-gnu"),
    };
    let parts = ["5", "2", "0", "1", "release"].map(String::from);
    Value::Indexed(parts.into_iter().chain([machine]).enumerate().collect())
}

/// `$RANDOM`'s state: bash's seed and the last value given (read through
/// `&self` by the expander, hence the cell).
#[derive(Clone, Debug)]
pub(super) struct Random(Cell<(u32, u32)>);

impl Default for Random {
    fn default() -> Random {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.subsec_nanos())
            ^ std::process::id();
        Random(Cell::new((seed, 0)))
    }
}

impl Random {
    /// `RANDOM=n`: the numbers that follow are bash's for that seed (the
    /// number's low 32 bits); a value that is not a number changes nothing.
    pub(super) fn assigned(&self, value: &Value) {
        if let Value::Scalar(v) = value {
            if let Ok(n) = v.trim().parse::<i64>() {
                let seed = u32::try_from(n & 0xffff_ffff).unwrap_or(0);
                self.0.set((seed, 0));
            }
        }
    }

    /// The next number (0..32767): bash 5.2's generator (Park and Miller's
    /// minimal standard, its halves folded), never the same number twice in
    /// a row.
    fn next(&self) -> u32 {
        let (mut seed, last) = self.0.get();
        loop {
            let s = if seed == 0 {
                123_459_876
            } else {
                i64::from(seed)
            };
            let (h, l) = (s / 127_773, s % 127_773);
            let mut t = 16_807 * l - 2_836 * h;
            if t < 0 {
                t += 0x7fff_ffff;
            }
            seed = u32::try_from(t).unwrap_or(0);
            let r = ((seed >> 16) ^ (seed & 0xffff)) & 0x7fff;
            if r != last {
                self.0.set((seed, r));
                return r;
            }
        }
    }
}

impl Vars {
    /// The next `$RANDOM`.
    #[must_use]
    pub fn next_random(&self) -> u32 {
        self.random.next()
    }

    /// Where `$RANDOM`'s generator stands, for [`Vars::rewind_random`].
    #[must_use]
    pub fn random_position(&self) -> (u32, u32) {
        self.random.0.get()
    }

    /// Puts the generator back where [`Vars::random_position`] read it: a
    /// subshell's draws do not advance the shell's.
    pub fn rewind_random(&self, position: (u32, u32)) {
        self.random.0.set(position);
    }

    /// The variables bash sets at startup when the environment has none:
    /// `OPTIND=1`, a default `PATH`, and `PWD` exported (the working directory,
    /// already set).
    pub fn startup_defaults(&mut self) {
        self.set("OPTIND", "1");
        self.set("BASH_VERSION", BASH_VERSION);
        self.set("CORRAL_VERSION", env!("CARGO_PKG_VERSION"));
        let info = self.entry("BASH_VERSINFO");
        info.value = Some(bash_versinfo());
        info.readonly = true;
        if !self.table.contains_key("PATH") {
            self.set("PATH", DEFAULT_PATH);
        }
        let pwd = self.get("PWD").map(str::to_owned);
        let inherited = std::env::var_os("PWD").map(crate::rawbytes::from_os);
        if pwd.is_some() && pwd != inherited {
            self.export("PWD", None);
        }
    }
}

/// The value of `name` as the expander reads it: a computed variable, or
/// the store's, or one of bash's defaults while the user has not set it.
pub(crate) fn special_value(shell: &Shell, name: &str) -> Option<Value> {
    let lang = &shell.env.lang;
    let scalar = |s: String| Some(Value::Scalar(s));
    match name {
        "RANDOM" => scalar(shell.env.vars.next_random().to_string()),
        "LINENO" => scalar(lang.lineno.to_string()),
        "_" => scalar(lang.last_arg.clone()),
        "PPID" => scalar(std::os::unix::process::parent_id().to_string()),
        "BASH_SUBSHELL" => scalar(lang.subshell.to_string()),
        "SRANDOM" => scalar(crate::sys::random_u32().to_string()),
        "EPOCHSECONDS" => scalar(crate::builtins::wired::now().to_string()),
        "EPOCHREALTIME" => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default();
            scalar(format!("{}.{:06}", now.as_secs(), now.subsec_micros()))
        }
        "BASHPID" if lang.own_pid.is_some_and(|(_, at)| at == lang.subshell) => {
            scalar(lang.own_pid.map_or(0, |(pid, _)| pid).to_string())
        }
        "FUNCNAME" | "BASH_SOURCE" | "BASH_LINENO" => lang
            .stack_array(name)
            .map(|v| Value::Indexed(v.into_iter().enumerate().collect())),
        _ if shell.env.vars.element_ref(name).is_some() => shell.referenced_element(name),
        _ => shell.env.vars.value(name).cloned().or_else(|| match name {
            "OSTYPE" => scalar("linux-gnu".into()),
            "BASH" => scalar(crate::sys::own_binary()),
            "BASH_ARGV0" => scalar(shell.env.arg0.clone()),
            "HOSTNAME" => scalar(crate::sys::hostname()),
            "SECONDS" => scalar((crate::builtins::wired::now() - lang.started).to_string()),
            _ => None,
        }),
    }
}
