//! Lists and and-or lists; parsing and running a text; `set -e`.

use std::sync::atomic::Ordering;

use crate::exec::BoxFut;
use crate::interp::Flow;
use crate::lang::ast::{AndOr, Connector, Item, List, Program};
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
        let program = match crate::lang::parse_to_end(src) {
            Ok((p, open_heredocs)) => {
                self.heredoc_warnings(&open_heredocs);
                p
            }
            Err(e) => {
                self.syntax_error(&e, src);
                return 2;
            }
        };
        self.interrupted = false;
        self.run_program(&program).await
    }

    /// Runs the code a variable holds (`PROMPT_COMMAND`): as
    /// [`Shell::run_text`], but a syntax error is reported as bash does for
    /// it, `corral: NAME: line N: …`, N counted on from `line` (the lines
    /// read so far).
    pub async fn run_named_text(&mut self, name: &str, src: &str, line: u32) -> i32 {
        if let Err(e) = crate::lang::parse_to_end(src) {
            let n = line + e.pos().line.saturating_sub(1);
            let prefix = format!("corral: {name}: line {n}: ");
            self.write_err(&format!("{prefix}{}\n", e.message()));
            if let crate::lang::SyntaxError::UnexpectedToken { .. } = e {
                let bad = src.lines().nth(e.pos().line.saturating_sub(1) as usize);
                self.write_err(&format!("{prefix}`{}'\n", bad.unwrap_or("")));
            }
            self.env.last_status = 2;
            return 2;
        }
        self.run_text(src).await
    }

    /// Warns of here-documents the input ended in, as bash does.
    pub(crate) fn heredoc_warnings(&self, open: &[crate::lang::HereDocAtEof]) {
        let base = self.env.lang.line_base;
        for h in open {
            let h = crate::lang::HereDocAtEof {
                line: h.line + base,
                last_line: h.last_line + base,
                delimiter: h.delimiter.clone(),
            };
            if self.env.lang.opts.interactive {
                eprintln!("{}: {h}", self.env.lang.name);
            } else {
                eprintln!("{}: line {}: {h}", self.env.lang.name, h.last_line);
            }
        }
    }

    /// Reports a syntax error in `eval`'s text as bash does: `eval: line
    /// N:`, N counted on from the `eval`'s line (`before`: lines of the
    /// text before `src`).
    pub(crate) fn eval_syntax_error(
        &mut self,
        e: &crate::lang::SyntaxError,
        src: &str,
        before: u32,
    ) {
        let lang = &self.env.lang;
        let name = if lang.opts.interactive {
            "corral"
        } else {
            lang.name.as_str()
        };
        let line = lang.lineno + before + e.pos().line.saturating_sub(1);
        let prefix = format!("{name}: eval: line {line}: ");
        self.write_err(&format!("{prefix}{}\n", e.message()));
        if let crate::lang::SyntaxError::UnexpectedToken { .. } = e {
            let n = e.pos().line.saturating_sub(1) as usize;
            let bad = src.lines().nth(n).unwrap_or("");
            self.write_err(&format!("{prefix}`{bad}'\n"));
        }
        self.env.last_status = 2;
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

    /// Runs a parsed program in this shell. An error that discards (see
    /// `Flow::Discard`) drops the rest of its line, and the
    /// program goes on with the next line, as bash does.
    pub fn run_program<'a>(&'a mut self, program: &'a Program) -> BoxFut<'a, i32> {
        Box::pin(async move {
            if self.env.lang.opts.noexec {
                return 0;
            }
            let mut status = self.env.last_status;
            let mut dropped_to = 0;
            if self.flow.is_none() {
                self.env.lang.discard_to_top = false;
            }
            for item in &program.body.items {
                if item.span.start.line <= dropped_to {
                    continue;
                }
                status = self.run_item(item).await;
                if self.flow == Some(Flow::Discard) && !self.env.lang.discard_to_top {
                    self.flow = None;
                    dropped_to = item.span.end.line;
                }
                if self.unwinding() {
                    break;
                }
            }
            status
        })
    }

    /// Runs a list; returns the last status.
    pub fn run_list<'a>(&'a mut self, list: &'a List) -> BoxFut<'a, i32> {
        Box::pin(async move {
            let mut status = self.env.last_status;
            for item in &list.items {
                status = self.run_item(item).await;
                if self.unwinding() {
                    break;
                }
            }
            status
        })
    }

    /// Runs one item of a list (in the background if it ends with `&`).
    async fn run_item(&mut self, item: &Item) -> i32 {
        self.budget += 1;
        if self.budget >= BUDGET {
            self.budget = 0;
            tokio::task::yield_now().await;
        }
        self.sync_jobs();
        self.env.lang.lineno = item.span.start.line + self.env.lang.line_base;
        let mut status = if item.background {
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
        if self.env.lang.subshell == 0
            && super::PARENT_STOP.swap(false, std::sync::atomic::Ordering::AcqRel)
        {
            let me = i32::try_from(std::process::id()).ok();
            if let Some(me) = me.and_then(corral_kernel::Pid::from_raw) {
                let _ = corral_kernel::kill_pid(me, corral_kernel::Signal::STOP);
            }
        }
        if self.traps_due() {
            self.run_signal_traps().await;
        }
        status
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
        self.env.lang.redirect_failed = false;
        let status = self.run_pipeline(p).await;
        if exempt {
            self.env.lang.cond_depth -= 1;
        } else if super::hooks::fails_alone(p) || self.env.lang.redirect_failed {
            if status != 0
                && self.env.lang.hooks & super::hooks::ERR != 0
                && self.env.lang.cond_depth == 0
                && self.flow.is_none()
                && self.exit_status.is_none()
            {
                self.err_trap(p, status).await;
            }
            if self.env.lang.redirect_failed || !status_from_inside(p) {
                self.check_errexit(status);
            }
        }
        status
    }

    /// Runs the trap set for `name` (not EXIT), keeping `$?` as it was;
    /// the trap's own status, if it ran. A trap does not trigger itself.
    /// DEBUG, ERR and RETURN count `$LINENO` on from the current line
    /// (bash); the others count the lines of their own text.
    pub(crate) async fn run_trap(&mut self, name: &str, status: i32) -> Option<i32> {
        let lang = &self.env.lang;
        if lang.trapping.iter().any(|t| t == name) {
            return None;
        }
        let p = match lang.traps.get(name) {
            Some(action) if !action.is_empty() => crate::lang::parse(action).ok(),
            _ => None,
        }?;
        let lang = &mut self.env.lang;
        let lines = (lang.lineno, lang.line_base);
        lang.line_base = if matches!(name, "DEBUG" | "ERR" | "RETURN") {
            lang.lineno.saturating_sub(1)
        } else {
            0
        };
        lang.trapping.push(name.to_string());
        self.env.last_status = status;
        let trap_status = self.run_program(&p).await;
        let lang = &mut self.env.lang;
        lang.trapping.retain(|t| t != name);
        (lang.lineno, lang.line_base) = lines;
        self.env.last_status = status;
        Some(trap_status)
    }

    /// `set -e`: a failed command outside a condition ends the shell.
    pub(crate) fn check_errexit(&mut self, status: i32) {
        if std::mem::take(&mut self.env.lang.discard_exempt) && self.flow == Some(Flow::Discard) {
            return;
        }
        if status != 0
            && self.env.lang.opts.errexit
            && self.env.lang.cond_depth == 0
            && matches!(self.flow, None | Some(Flow::Discard))
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
