//! Compound commands (`if`, loops, `case`, `{ }`, `( )`, `[[ ]]`, `(( ))`)
//! and function calls.

use super::{ex, Flow, MAX_FUNCTION_DEPTH};
use crate::expand::Value;
use crate::lang::ast::{
    Assignment, CaseArm, CaseEnd, Command, CompoundCommand, CompoundKind, FunctionDef, List,
    Redirect,
};
use crate::shell::Shell;

/// What a loop does after its body ran once.
enum Next {
    Go,
    Stop,
}

impl Shell {
    /// Runs a compound command in this shell (`( … )` on a copy).
    pub(crate) async fn run_compound(&mut self, c: &CompoundCommand) -> i32 {
        self.env.lang.lineno = c.span.start.line + self.env.lang.line_base;
        match &c.kind {
            CompoundKind::Brace(list) => self.run_list(list).await,
            CompoundKind::Subshell(list) => self.run_subshell(list).await,
            CompoundKind::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    let s = self.run_condition(cond).await;
                    if self.unwinding() {
                        return s;
                    }
                    if s == 0 {
                        return self.run_list(body).await;
                    }
                }
                match otherwise {
                    Some(body) => self.run_list(body).await,
                    None => 0,
                }
            }
            CompoundKind::For { name, words, body } => {
                if !crate::interp::vars::valid_name(name) {
                    return self.fail(&format!("corral: `{name}': not a valid identifier"));
                }
                let items = match words {
                    Some(words) => match ex::fields(self, words).await {
                        Ok(w) => w,
                        Err(e) => {
                            // The loop's own failure: `set -e` applies to it.
                            let status = self.expand_failed(&e);
                            self.check_errexit(status);
                            return status;
                        }
                    },
                    None => self.env.lang.positional.clone(),
                };
                let mut status = 0;
                self.env.lang.loop_depth += 1;
                for item in items {
                    if self.env.lang.hooks != 0 {
                        self.env.lang.lineno = c.span.start.line + self.env.lang.line_base;
                        if self.before_compound(c).await.is_some() {
                            if self.unwinding() {
                                break;
                            }
                            continue;
                        }
                    }
                    if self.env.lang.opts.xtrace {
                        let list = match words {
                            Some(w) => w
                                .iter()
                                .map(|w| w.raw.as_str())
                                .collect::<Vec<_>>()
                                .join(" "),
                            None => "\"$@\"".to_string(),
                        };
                        self.trace_text(format!("for {name} in {list}")).await;
                    }
                    if let Err(e) = self.env.vars.assign(name, Value::Scalar(item)) {
                        status = self.fail(&format!("corral: {e}"));
                        break;
                    }
                    status = self.run_list(body).await;
                    if let Next::Stop = self.loop_next() {
                        break;
                    }
                }
                self.env.lang.loop_depth -= 1;
                status
            }
            CompoundKind::ArithFor {
                init,
                cond,
                step,
                body,
            } => {
                if let Some(a) = init {
                    if let Some(s) = self.before_arith(c, a).await {
                        return s;
                    }
                    if let Err(s) = self.arith(a).await {
                        return s;
                    }
                }
                let mut status = 0;
                self.env.lang.loop_depth += 1;
                loop {
                    if let Some(a) = cond {
                        if let Some(s) = self.before_arith(c, a).await {
                            status = s;
                            break;
                        }
                        match self.arith(a).await {
                            Ok(0) => break,
                            Ok(_) => {}
                            Err(s) => {
                                status = s;
                                break;
                            }
                        }
                    }
                    status = self.run_list(body).await;
                    if let Next::Stop = self.loop_next() {
                        break;
                    }
                    if let Some(a) = step {
                        if let Some(s) = self.before_arith(c, a).await {
                            status = s;
                            break;
                        }
                        if let Err(s) = self.arith(a).await {
                            status = s;
                            break;
                        }
                    }
                    self.tick().await;
                }
                self.env.lang.loop_depth -= 1;
                status
            }
            CompoundKind::While { cond, body } => self.run_while(cond, body, false).await,
            CompoundKind::Until { cond, body } => self.run_while(cond, body, true).await,
            CompoundKind::Case { .. } | CompoundKind::Cond(_) | CompoundKind::Arith(_)
                if self.env.lang.hooks != 0 =>
            {
                if let Some(s) = self.before_compound(c).await {
                    return s;
                }
                Box::pin(self.run_compound_unhooked(c)).await
            }
            _ => self.run_compound_unhooked(c).await,
        }
    }

    /// `case`, `[[…]]`, `((…))` once the DEBUG trap ran.
    async fn run_compound_unhooked(&mut self, c: &CompoundCommand) -> i32 {
        match &c.kind {
            CompoundKind::Case { word, arms } => self.run_case(word, arms).await,
            CompoundKind::Cond(expr) => match crate::builtins::cond::eval(expr, self).await {
                Ok(b) => i32::from(!b),
                Err(crate::builtins::cond::CondError::Env(status)) => status,
                Err(e) => {
                    if let crate::builtins::cond::CondError::UnknownOperator(_) = e {
                        self.fail(&format!("corral: {e}"));
                    }
                    e.status()
                }
            },
            CompoundKind::Arith(a) => match self.arith(a).await {
                Ok(n) => i32::from(n == 0),
                Err(s) => s,
            },
            _ => 0,
        }
    }

    /// The DEBUG trap before one part of `for ((…))`.
    async fn before_arith(
        &mut self,
        c: &CompoundCommand,
        a: &crate::lang::ast::Arith,
    ) -> Option<i32> {
        if self.env.lang.hooks == 0 {
            return None;
        }
        self.env.lang.lineno = c.span.start.line + self.env.lang.line_base;
        self.before(|| format!("(({}))", a.text.trim())).await
    }

    /// `((…))` and `for ((…))`: the value, or the failure status after printing it.
    pub(crate) async fn arith(&mut self, a: &crate::lang::ast::Arith) -> Result<i64, i32> {
        self.env.lang.lineno = a.span.start.line + self.env.lang.line_base;
        self.trace_text(format!("(( {} ))", a.text)).await;
        match ex::arith_command(self, a, "((").await {
            Ok(n) => Ok(n),
            Err(e) => Err(self.expand_failed(&e)),
        }
    }

    /// Yields to the runtime now and then (a loop that runs no command).
    pub(crate) async fn tick(&mut self) {
        self.budget += 1;
        if self.budget >= 64 {
            self.budget = 0;
            tokio::task::yield_now().await;
        }
    }

    async fn run_while(&mut self, cond: &List, body: &List, until: bool) -> i32 {
        let mut status = 0;
        self.env.lang.loop_depth += 1;
        loop {
            let c = self.run_condition(cond).await;
            if self.unwinding() {
                if let Next::Stop = self.loop_next() {
                    break;
                }
                continue;
            }
            if (c == 0) == until {
                break;
            }
            status = self.run_list(body).await;
            if let Next::Stop = self.loop_next() {
                break;
            }
            self.tick().await;
        }
        self.env.lang.loop_depth -= 1;
        status
    }

    /// After a loop body: consumes this loop's `break`/`continue`.
    fn loop_next(&mut self) -> Next {
        if self.exit_status.is_some() || self.interrupted {
            return Next::Stop;
        }
        match self.flow {
            None => Next::Go,
            Some(Flow::Return | Flow::Discard) => Next::Stop,
            Some(Flow::Break(n)) => {
                self.flow = (n > 1).then(|| Flow::Break(n - 1));
                Next::Stop
            }
            Some(Flow::Continue(n)) => {
                if n > 1 {
                    self.flow = Some(Flow::Continue(n - 1));
                    Next::Stop
                } else {
                    self.flow = None;
                    Next::Go
                }
            }
        }
    }

    async fn run_case(&mut self, word: &crate::lang::ast::Word, arms: &[CaseArm]) -> i32 {
        self.trace_text(format!("case {} in", word.raw)).await;
        let subject = match ex::string(self, word).await {
            Ok(s) => s,
            Err(e) => {
                let status = self.expand_failed(&e);
                self.check_errexit(status);
                return status;
            }
        };
        let mut status = 0;
        let mut i = 0;
        let mut fall = false;
        while i < arms.len() {
            let arm = &arms[i];
            let mut hit = fall;
            if !hit {
                for p in &arm.patterns {
                    match ex::pattern(self, p).await {
                        Ok(pat) if pat.matches(&subject) => {
                            hit = true;
                            break;
                        }
                        Ok(_) => {}
                        Err(e) => return self.expand_failed(&e),
                    }
                }
            }
            i += 1;
            if !hit {
                continue;
            }
            status = self.run_list(&arm.body).await;
            if self.unwinding() {
                break;
            }
            match arm.end {
                CaseEnd::Break => break,
                CaseEnd::FallThrough => fall = true,
                CaseEnd::Continue => fall = false,
            }
        }
        status
    }

    /// `( list )`: a copy of the shell; nothing it changes leaks out.
    pub(crate) async fn run_subshell(&mut self, list: &List) -> i32 {
        let is_copy = std::mem::take(&mut self.env.lang.subshell_is_copy);
        let mut sub = self.subshell();
        if is_copy {
            sub.env.lang.subshell -= 1;
        }
        sub.terminal = self.terminal.clone();
        // bash: `break`/`continue` in `( … )` see no enclosing loop.
        sub.env.lang.loop_depth = 0;
        let status = sub.run_list(list).await;
        let status = sub.exit_status.unwrap_or(status);
        let status = sub.run_exit_trap(status).await;
        self.interrupted |= sub.interrupted;
        status
    }

    /// Calls a function with `args` (`args[0]` is its name).
    pub(crate) async fn call_function(
        &mut self,
        def: &FunctionDef,
        args: Vec<String>,
        assigns: Vec<(&Assignment, Value)>,
        redirects: &[Redirect],
    ) -> i32 {
        let limit = self
            .env
            .vars
            .get("FUNCNEST")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|&n| n > 0)
            .map_or(MAX_FUNCTION_DEPTH, |n| n.min(MAX_FUNCTION_DEPTH));
        let depth = self.env.lang.funcnames.len();
        if depth >= limit {
            self.fail(&format!(
                "corral: {}: maximum function nesting level exceeded ({depth})",
                def.name
            ));
            // bash drops the rest of the top-level command and goes on.
            self.flow = Some(Flow::Discard);
            self.env.last_status = 1;
            return 1;
        }
        let undo = match Box::pin(self.push_redirects(redirects)).await {
            Ok(u) => u,
            Err(status) => return status,
        };
        let mut args = args.into_iter();
        let name = args.next().unwrap_or_default();
        let positional = std::mem::replace(&mut self.env.lang.positional, args.collect());
        self.env.vars.push_frame();
        for (a, _) in &assigns {
            self.env.vars.make_temporary(&a.name);
        }
        for (a, v) in assigns {
            let _ = self.assign(a, v);
            self.env.vars.export(&a.name, None);
        }
        let traps = self.enter_function(&name);
        let lang = &mut self.env.lang;
        lang.calls.push(super::Call {
            name: name.clone(),
            source: def.defined.source.clone(),
            line: lang.lineno,
            saved_opts: None,
        });
        let line = (lang.lineno, lang.line_base);
        lang.line_base = def.defined.line_base;
        lang.funcnames.push(name);
        let caller_source = std::mem::replace(&mut lang.source, def.defined.source.clone());
        let loops = std::mem::replace(&mut lang.loop_depth, 0);
        if self.env.lang.hooks & super::hooks::DEBUG != 0 {
            Box::pin(self.run_trap("DEBUG", self.env.last_status)).await;
        }
        let status = if self.unwinding() {
            self.env.last_status
        } else {
            self.run_command(&def.body).await
        };
        self.env.lang.loop_depth = loops;
        let status = match self.flow {
            Some(Flow::Return) => {
                self.flow = None;
                self.env.last_status
            }
            Some(Flow::Discard) => status,
            // `break` outside a loop of this function goes no further.
            Some(_) => {
                self.flow = None;
                status
            }
            None => status,
        };
        if self.env.lang.hooks & super::hooks::RETURN != 0 {
            // Its `$LINENO` is the definition's line (bash).
            self.env.lang.lineno = def.span.start.line + self.env.lang.line_base;
            self.return_trap(status).await;
        }
        self.leave_function(traps);
        let lang = &mut self.env.lang;
        (lang.lineno, lang.line_base) = line;
        lang.source = caller_source;
        if let Some(opts) = lang.calls.pop().and_then(|c| c.saved_opts) {
            lang.opts = opts;
        }
        lang.funcnames.pop();
        self.env.vars.pop_frame();
        self.env.lang.positional = positional;
        self.pop_redirects(undo);
        status
    }
}

/// The body of `f` as `type f` / `declare -f` shows it.
#[must_use]
pub(crate) fn function_text(def: &FunctionDef) -> String {
    // `type` and `declare -f` show `f () `; only a definition nested in a
    // printed command keeps the `function` keyword.
    let text = crate::lang::print::command(&Command::Function(def.clone()));
    match text.strip_prefix("function ") {
        Some(rest) => rest.to_string(),
        None => text,
    }
}
