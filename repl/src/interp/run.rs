//! Lists and and-or lists; parsing and running a text; `set -e`.

use std::sync::atomic::Ordering;

use crate::exec::BoxFut;
use crate::lang::ast::{AndOr, Connector, List, Program};
use crate::shell::Shell;

/// Commands run between two yields to the runtime.
const BUDGET: u32 = 64;

impl Shell {
    /// Parses and runs one line or script. A syntax error runs nothing and
    /// gives status 2.
    pub async fn run_text(&mut self, src: &str) -> i32 {
        let expanded;
        let src = if (self.interactive || self.env.lang.shopt.get("expand_aliases"))
            && !self.env.lang.aliases.is_empty()
        {
            expanded = self.expand_aliases(src);
            expanded.as_str()
        } else {
            src
        };
        let program = match crate::lang::parse(src) {
            Ok(p) => p,
            Err(e) => {
                self.syntax_error(&e, src);
                return 2;
            }
        };
        self.interrupted = false;
        self.run_program(&program).await
    }

    /// Reports a syntax error in `src` as bash does (`corral: -c: line 1: …`,
    /// `script: line 3: …` and the offending line); `$?` becomes 2.
    pub(crate) fn syntax_error(&mut self, e: &crate::lang::SyntaxError, src: &str) {
        let n = e.pos().line;
        if self.env.lang.opts.interactive {
            eprintln!("corral: {}", e.message());
        } else {
            let line = n + self.env.lang.line_base;
            let prefix = if self.env.lang.opts.command {
                format!("{}: -c: line {line}: ", self.env.lang.name)
            } else {
                format!("{}: line {line}: ", self.env.lang.name)
            };
            eprintln!("{prefix}{}", e.message());
            if let crate::lang::SyntaxError::UnexpectedToken { .. } = e {
                let text = src.lines().nth(n.saturating_sub(1) as usize).unwrap_or("");
                eprintln!("{prefix}`{text}'");
            }
        }
        self.env.last_status = 2;
    }

    /// Runs a parsed program in this shell.
    pub async fn run_program(&mut self, program: &Program) -> i32 {
        if self.env.lang.opts.noexec {
            return 0;
        }
        self.run_list(&program.body).await
    }

    /// Runs a list; returns the last status.
    pub fn run_list<'a>(&'a mut self, list: &'a List) -> BoxFut<'a, i32> {
        Box::pin(async move {
            let mut status = self.env.last_status;
            for item in &list.items {
                self.budget += 1;
                if self.budget >= BUDGET {
                    self.budget = 0;
                    tokio::task::yield_now().await;
                }
                self.sync_jobs();
                self.env.lang.lineno = item.span.start.line + self.env.lang.line_base;
                status = if item.background {
                    Box::pin(self.start_background(&item.and_or)).await
                } else {
                    self.run_and_or(&item.and_or).await
                };
                if self.sigint.swap(false, Ordering::AcqRel) {
                    if self.env.lang.traps.contains_key("INT") {
                        // Trapped (or ignored with ''): the script goes on.
                        Box::pin(self.run_trap("INT", status)).await;
                    } else {
                        // A script stops at Ctrl-C, as bash -c does.
                        self.interrupted = true;
                        status = 130;
                    }
                }
                self.env.last_status = status;
                if self.traps_due() {
                    self.run_signal_traps().await;
                }
                if self.unwinding() {
                    break;
                }
            }
            status
        })
    }

    /// Runs `p1 && p2 || p3 …`.
    pub(crate) async fn run_and_or(&mut self, and_or: &AndOr) -> i32 {
        let last = and_or.rest.len();
        let mut status = self.run_guarded(&and_or.first, last == 0).await;
        for (k, (conn, pipeline)) in and_or.rest.iter().enumerate() {
            self.env.last_status = status;
            if self.unwinding() {
                break;
            }
            let run = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if run {
                status = self.run_guarded(pipeline, k + 1 == last).await;
            }
        }
        status
    }

    /// Runs one pipeline of an and-or list; only the last one is subject to
    /// `set -e`, and not when negated.
    async fn run_guarded(&mut self, p: &crate::lang::ast::Pipeline, last: bool) -> i32 {
        let exempt = !last || p.bang;
        if exempt {
            self.env.lang.cond_depth += 1;
        }
        let status = self.run_pipeline(p).await;
        if exempt {
            self.env.lang.cond_depth -= 1;
        } else {
            // Functions do not inherit the ERR trap (bash without `set -E`);
            // one set in a function holds there, and after it returns.
            let depth = self.env.lang.funcnames.len();
            let lang = &mut self.env.lang;
            lang.err_trap_depth = lang.err_trap_depth.min(depth);
            if status != 0
                && self.env.lang.cond_depth == 0
                && self.flow.is_none()
                && self.env.lang.err_trap_depth == depth
            {
                Box::pin(self.run_trap("ERR", status)).await;
            }
            if !status_from_inside(p) {
                self.check_errexit(status);
            }
        }
        status
    }

    /// Runs the trap set for `name` (not EXIT), keeping `$?` as it was. A
    /// trap does not trigger itself.
    pub(crate) async fn run_trap(&mut self, name: &str, status: i32) {
        if self.env.lang.trapping.iter().any(|t| t == name) {
            return;
        }
        let Some(action) = self.env.lang.traps.get(name).cloned() else {
            return;
        };
        if let Ok(p) = crate::lang::parse(&action) {
            self.env.lang.trapping.push(name.to_string());
            self.env.last_status = status;
            self.run_program(&p).await;
            self.env.lang.trapping.retain(|t| t != name);
        }
        self.env.last_status = status;
    }

    /// `set -e`: a failed command outside a condition ends the shell.
    pub(crate) fn check_errexit(&mut self, status: i32) {
        if status != 0
            && self.env.lang.opts.errexit
            && self.env.lang.cond_depth == 0
            && self.flow.is_none()
            && self.exit_status.is_none()
        {
            self.exit_status = Some(status);
        }
    }

    /// Runs `list` as a condition (`if`, `while`): `set -e` does not apply.
    pub(crate) async fn run_condition(&mut self, list: &List) -> i32 {
        self.env.lang.cond_depth += 1;
        let status = self.run_list(list).await;
        self.env.lang.cond_depth -= 1;
        status
    }
}

/// Whether `p` is one compound command whose status is that of the last
/// command it ran (`{ …; }`, `if`, loops, `case`): bash applies `set -e` to
/// the commands inside, not again to the compound (`{ false && true; }` goes
/// on). Subshells, functions, `[[ ]]` and `(( ))` fail like simple commands.
fn status_from_inside(p: &crate::lang::ast::Pipeline) -> bool {
    use crate::lang::ast::{Command, CompoundKind};
    match p.commands.as_slice() {
        [Command::Compound(c, _)] => matches!(
            c.kind,
            CompoundKind::Brace(_)
                | CompoundKind::If { .. }
                | CompoundKind::For { .. }
                | CompoundKind::ArithFor { .. }
                | CompoundKind::While { .. }
                | CompoundKind::Until { .. }
                | CompoundKind::Case { .. }
        ),
        _ => false,
    }
}
