//! The shell's own traps: DEBUG, ERR and RETURN (bash's pseudo-signals).
//!
//! The model, as bash 5.2's:
//! - DEBUG runs before each simple command, each `for` iteration, `case`,
//!   `((…))`, `[[…]]` and each part of `for ((…))`, with `BASH_COMMAND`
//!   set to the command about to run. A pipeline's simple members get it
//!   in the parent, before the members start; its other members are
//!   subshells. Under `shopt -s extdebug` a non-zero status of the trap
//!   skips the command.
//! - ERR runs where `set -e` would end the shell ([`fails_alone`]): after
//!   a simple command, `( … )`, `((…))`, `[[…]]` or a pipeline of several
//!   that fails outside a condition; the status of `{ }`, `if`, loops and
//!   `case` is their last command's, which already had its chance.
//! - RETURN runs when a function or a sourced file returns.
//! - Functions, `( … )` and `$(…)` inherit DEBUG and RETURN only with
//!   `set -T` (a function also with `declare -ft`), ERR only with `set -E`.
//!   A function's caller gets a trap back when the function returns,
//!   unless the function set one itself.
//! - A trap does not run inside itself; DEBUG does run inside other traps.
//!   `$?` is kept. DEBUG and ERR count `$LINENO` on from the command's
//!   line, RETURN from the function's or the `source` command's, other
//!   traps from their own first line.
//! - With none of the three set, the cost is one test of [`Lang::hooks`].

use super::Lang;
use crate::lang::ast::{Command, CompoundCommand, CompoundKind, Pipeline, SimpleCommand};
use crate::shell::Shell;

/// [`Lang::hooks`] bit: a DEBUG trap is set.
pub(crate) const DEBUG: u8 = 1;
/// [`Lang::hooks`] bit: an ERR trap is set.
pub(crate) const ERR: u8 = 2;
/// [`Lang::hooks`] bit: a RETURN trap is set.
pub(crate) const RETURN: u8 = 4;

const KEYS: [(&str, u8); 3] = [("DEBUG", DEBUG), ("ERR", ERR), ("RETURN", RETURN)];

impl Lang {
    /// Recomputes [`Lang::hooks`] from the table of traps; called after
    /// every change to it.
    pub fn sync_hooks(&mut self) {
        self.hooks = KEYS
            .iter()
            .filter(|(k, _)| self.traps.get(*k).is_some_and(|a| !a.is_empty()))
            .fold(0, |h, (_, b)| h | b);
    }

    /// A subshell's traps: ignored signals, and DEBUG/RETURN under
    /// `set -T`, ERR under `set -E`.
    pub(crate) fn keep_for_subshell(&mut self) {
        let (functrace, errtrace) = (self.opts.functrace, self.opts.errtrace);
        self.traps.retain(|k, action| {
            action.is_empty()
                || (functrace && (k == "DEBUG" || k == "RETURN"))
                || (errtrace && k == "ERR")
        });
        self.sync_hooks();
    }
}

/// Whether a failure of `p` itself counts for ERR and `set -e`: a compound
/// command other than `( … )`, `((…))` and `[[…]]` reports only its
/// commands' failures.
pub(crate) fn fails_alone(p: &Pipeline) -> bool {
    match p.commands.as_slice() {
        [Command::Compound(c, _)] => matches!(
            c.kind,
            CompoundKind::Subshell(_) | CompoundKind::Arith(_) | CompoundKind::Cond(_)
        ),
        _ => true,
    }
}

/// Traps a function call takes from its caller, to give back on return.
#[derive(Default)]
pub(crate) struct Saved(Vec<(&'static str, String)>);

impl Shell {
    /// Before a simple command (its line is `$LINENO`): sets `BASH_COMMAND`
    /// and runs the DEBUG trap. `Some(status)`: do not run the command.
    pub(crate) async fn before_simple(&mut self, s: &SimpleCommand) -> Option<i32> {
        self.before(|| crate::lang::print::command(&Command::Simple(s.clone())))
            .await
    }

    /// Before `case`, `((…))`, `[[…]]`: as [`Shell::before_simple`].
    pub(crate) async fn before_compound(&mut self, c: &CompoundCommand) -> Option<i32> {
        self.before(|| head_text(c)).await
    }

    /// Sets `BASH_COMMAND` to `text()` (not inside a trap: there it stays
    /// the command the trap interrupted) and runs the DEBUG trap.
    /// `Some(status)`: the command is not to run (the trap exited,
    /// returned, or failed under extdebug).
    pub(crate) async fn before(&mut self, text: impl FnOnce() -> String) -> Option<i32> {
        let lang = &self.env.lang;
        if lang.trapping.is_empty() {
            let text = text();
            self.env.vars.set("BASH_COMMAND", text);
        }
        if self.env.lang.hooks & DEBUG == 0 {
            return None;
        }
        let status = self.env.last_status;
        let trap = Box::pin(self.run_trap("DEBUG", status)).await;
        if self.unwinding() {
            return Some(status);
        }
        (trap.is_some_and(|s| s != 0) && self.env.lang.shopt.get("extdebug")).then_some(status)
    }

    /// Runs the ERR trap after `p` failed with `status` at the list level.
    pub(crate) async fn err_trap(&mut self, p: &Pipeline, status: i32) {
        if let Some(c) = p.commands.first() {
            self.env.lang.lineno = c.span().start.line + self.env.lang.line_base;
        }
        Box::pin(self.run_trap("ERR", status)).await;
    }

    /// Entering function `name`: takes away the traps it does not inherit.
    pub(crate) fn enter_function(&mut self, name: &str) -> Saved {
        let lang = &mut self.env.lang;
        let mut saved = Saved::default();
        if lang.hooks == 0 {
            return saved;
        }
        let traced = lang.opts.functrace || lang.traced.contains(name);
        let in_debug = lang.trapping.iter().any(|t| t == "DEBUG");
        for (key, bit) in KEYS {
            let inherits = match bit {
                ERR => lang.opts.errtrace,
                RETURN => traced && !in_debug,
                _ => traced,
            };
            if lang.hooks & bit != 0 && !inherits {
                if let Some(action) = lang.traps.remove(key) {
                    saved.0.push((key, action));
                }
            }
        }
        lang.sync_hooks();
        saved
    }

    /// Leaving a function: gives back the traps [`Shell::enter_function`]
    /// took, unless the function set its own.
    pub(crate) fn leave_function(&mut self, saved: Saved) {
        if saved.0.is_empty() {
            return;
        }
        let lang = &mut self.env.lang;
        for (key, action) in saved.0 {
            lang.traps.entry(key.to_owned()).or_insert(action);
        }
        lang.sync_hooks();
    }

    /// A function or sourced file returned: runs the RETURN trap (in its
    /// context, `$FUNCNAME` still the function's; `$LINENO` counts from
    /// the current line, the definition's or the `source` command's).
    pub(crate) async fn return_trap(&mut self, status: i32) {
        if self.env.lang.hooks & RETURN != 0 {
            let flow = self.flow.take();
            Box::pin(self.run_trap("RETURN", status)).await;
            if self.flow.is_none() {
                self.flow = flow;
            }
        }
    }
}

/// `BASH_COMMAND` for a compound command's head, as bash prints it.
fn head_text(c: &CompoundCommand) -> String {
    match &c.kind {
        CompoundKind::Case { word, .. } => format!("case {} in ", word.raw),
        CompoundKind::For { name, words, .. } => {
            let words = words.as_ref().map_or_else(
                || "\"$@\"".to_owned(),
                |ws| {
                    ws.iter()
                        .map(|w| w.raw.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                },
            );
            format!("for {name} in {words}")
        }
        CompoundKind::Arith(a) => format!("(({}))", a.text),
        _ => crate::lang::print::command(&Command::Compound(c.clone(), Vec::new())),
    }
}
