//! bash's canonical form of a command, as `jobs` and `declare -f` show it
//! (bash's `print_cmd.c` layout): one line for simple commands, pipelines,
//! lists, `( … )` and `{ …; }`; loops, `if` and `case` over several lines
//! with four-space indentation; here-document bodies after the line that
//! names them. Words are printed as written.

use super::ast::*;

/// The text of a whole list (`a; b & c`).
#[must_use]
pub fn list(l: &List) -> String {
    let mut p = Printer::default();
    p.list(l);
    p.flush_deferred("");
    p.out
}

/// The text of one and-or list (`a && b | c`).
#[must_use]
pub fn and_or(a: &AndOr) -> String {
    let mut p = Printer::default();
    p.and_or(a, a.rest.len() + 1);
    p.flush_deferred("");
    p.out
}

/// The command text bash gives a job started from this and-or list. A lone
/// pipeline's text is its commands' texts joined by ` | ` (bash builds it
/// from the job's processes), so its `!` is not shown and each command's
/// here-document bodies follow that command; anything else prints as
/// [`and_or`].
#[must_use]
pub fn job_text(a: &AndOr) -> String {
    if !a.rest.is_empty() {
        return and_or(a);
    }
    let mut out = String::new();
    match a.first.timed {
        Some(Timed::Bash) => out.push_str("time "),
        Some(Timed::Posix) => out.push_str("time -p "),
        None => {}
    }
    let texts: Vec<String> = a.first.commands.iter().map(command).collect();
    out.push_str(&texts.join(" | "));
    out
}

/// The body of a `$(…)` or `<(…)` as bash prints it: a list at the left
/// margin whose commands keep the newlines that separated them.
/// `source` is the text the program's offsets count from, with the offset
/// of its first byte, to tell `a;` + newline + `b` (printed `a; b`) from
/// `a` + newline + `b`.
pub(super) fn substitution(program: &Program, source: (&str, usize)) -> String {
    let mut p = Printer {
        substitution: Some(source),
        ..Printer::default()
    };
    p.list(&program.body);
    p.flush_deferred("");
    p.out
}

/// The text of one command.
#[must_use]
pub fn command(c: &Command) -> String {
    let mut p = Printer::default();
    p.command(c, "");
    p.flush_deferred("");
    p.out
}

const INDENT: usize = 4;

#[derive(Default)]
struct Printer<'a> {
    out: String,
    indentation: usize,
    skip_indent: usize,
    in_function: usize,
    in_connection: usize,
    deferred: Vec<&'a HereDoc>,
    /// Printing a substitution's body (its source text and where that
    /// starts): a newline between two commands stays.
    substitution: Option<(&'a str, usize)>,
}

impl<'a> Printer<'a> {
    /// Every command starts at the indentation unless a connector asked to skip it.
    fn entry(&mut self) {
        if self.skip_indent > 0 {
            self.skip_indent -= 1;
        } else {
            self.indent();
        }
    }

    fn indent(&mut self) {
        for _ in 0..self.indentation {
            self.out.push(' ');
        }
    }

    fn newline(&mut self, s: &str) {
        self.out.push('\n');
        self.indent();
        self.out.push_str(s);
    }

    fn semicolon(&mut self) {
        if self.out.is_empty() || self.out.ends_with('&') || self.out.ends_with('\n') {
            return;
        }
        self.out.push(';');
    }

    /// Prints a connector, then any here-document bodies waiting for it.
    fn flush_deferred(&mut self, connector: &str) {
        let printable = !connector.is_empty() && connector != ";";
        if printable {
            self.out.push_str(connector);
        }
        if !self.deferred.is_empty() {
            let docs = std::mem::take(&mut self.deferred);
            self.heredoc_bodies(&docs);
            if printable {
                self.out.push(' ');
            }
        }
    }

    fn list(&mut self, l: &'a List) {
        if let Some(last) = l.items.last() {
            self.items(&l.items, last.background);
        }
    }

    /// `items` as bash's left-nested connections; `trailing_bg`: the last ends with `&`.
    fn items(&mut self, items: &'a [Item], trailing_bg: bool) {
        if trailing_bg {
            self.entry();
            self.skip_indent += 1;
            self.in_connection += 1;
            self.items(items, false);
            self.flush_deferred(" &");
            self.in_connection -= 1;
            return;
        }
        let Some((last, init)) = items.split_last() else {
            return;
        };
        let Some(before) = init.last() else {
            self.and_or(&last.and_or, last.and_or.rest.len() + 1);
            return;
        };
        self.entry();
        self.skip_indent += 1;
        self.in_connection += 1;
        self.items(init, false);
        if before.background {
            self.flush_deferred(" &");
            self.out.push(' ');
            self.skip_indent += 1;
        } else {
            if self.deferred.is_empty() {
                // Right after a here-document body the line end separates.
                if !self.out.ends_with('\n') {
                    self.out.push(';');
                }
            } else {
                let c = if self.in_function > 0 { "" } else { ";" };
                self.flush_deferred(c);
            }
            let by_newline = self
                .substitution
                .is_some_and(|source| separated_by_newline(source, before.span, last.span));
            if self.in_function > 0 {
                self.out.push('\n');
            } else if by_newline {
                if self.out.ends_with(';') {
                    self.out.pop();
                }
                self.out.push('\n');
            } else {
                self.out.push(' ');
                self.skip_indent += 1;
            }
        }
        self.and_or(&last.and_or, last.and_or.rest.len() + 1);
        self.flush_deferred("");
        self.in_connection -= 1;
    }

    /// The first `n` pipelines of `a`.
    fn and_or(&mut self, a: &'a AndOr, n: usize) {
        if n <= 1 {
            self.pipeline(&a.first);
            return;
        }
        let Some((op, p)) = a.rest.get(n - 2) else {
            return;
        };
        self.entry();
        self.skip_indent += 1;
        self.in_connection += 1;
        self.and_or(a, n - 1);
        self.flush_deferred(match op {
            Connector::And => " && ",
            Connector::Or => " || ",
        });
        self.skip_indent += 1;
        self.pipeline(p);
        self.flush_deferred("");
        self.in_connection -= 1;
    }

    fn pipeline(&mut self, p: &'a Pipeline) {
        let mut prefix = String::new();
        match p.timed {
            Some(Timed::Bash) => prefix.push_str("time "),
            Some(Timed::Posix) => prefix.push_str("time -p "),
            None => {}
        }
        if p.bang {
            prefix.push_str("! ");
        }
        if p.commands.is_empty() {
            // `!` or `time` alone: a valid, empty pipeline.
            self.entry();
            self.out.push_str(prefix.trim_end());
            return;
        }
        self.pipe(&p.commands, &prefix);
    }

    fn pipe(&mut self, cmds: &'a [Command], prefix: &str) {
        let Some((last, init)) = cmds.split_last() else {
            return;
        };
        if init.is_empty() {
            self.command(last, prefix);
            return;
        }
        self.entry();
        self.out.push_str(prefix);
        self.skip_indent += 1;
        self.in_connection += 1;
        self.pipe(init, "");
        self.flush_deferred(" |");
        self.out.push(' ');
        self.skip_indent += 1;
        self.command(last, "");
        self.flush_deferred("");
        self.in_connection -= 1;
    }

    fn command(&mut self, c: &'a Command, prefix: &str) {
        self.entry();
        self.out.push_str(prefix);
        match c {
            Command::Simple(s) => {
                let mut first = true;
                for a in &s.assignments {
                    if !first {
                        self.out.push(' ');
                    }
                    first = false;
                    self.assignment(a);
                }
                for w in &s.words {
                    if !first {
                        self.out.push(' ');
                    }
                    first = false;
                    self.word(w);
                }
                if !s.redirects.is_empty() {
                    if !first {
                        self.out.push(' ');
                    }
                    self.redirects(&s.redirects);
                }
            }
            Command::Compound(cc, redirects) => {
                self.compound(cc);
                if !redirects.is_empty() {
                    self.out.push(' ');
                    self.redirects(redirects);
                }
            }
            Command::Function(f) => self.function(f),
        }
    }

    fn assignment(&mut self, a: &Assignment) {
        self.out.push_str(&a.name);
        if let Some(i) = &a.index {
            self.out.push('[');
            self.out.push_str(&i.raw);
            self.out.push(']');
        }
        self.out.push_str(if a.append { "+=" } else { "=" });
        match &a.value {
            AssignValue::Scalar(w) => self.word(w),
            AssignValue::Array(elems) => {
                self.out.push('(');
                for (i, (key, value)) in elems.iter().enumerate() {
                    if i > 0 {
                        self.out.push(' ');
                    }
                    if let Some(k) = key {
                        self.out.push('[');
                        self.out.push_str(&k.raw);
                        self.out.push_str("]=");
                    }
                    self.word(value);
                }
                self.out.push(')');
            }
        }
    }

    fn function(&mut self, f: &'a FunctionDef) {
        self.out.push_str("function ");
        self.out.push_str(&f.name);
        self.out.push_str(" () \n");
        self.indent();
        self.out.push_str("{ \n");
        self.in_function += 1;
        self.indentation += INDENT;
        let mut func_redirects: &'a [Redirect] = &[];
        match &*f.body {
            Command::Compound(
                CompoundCommand {
                    kind: CompoundKind::Brace(body),
                    ..
                },
                redirects,
            ) => {
                func_redirects = redirects;
                self.list(body);
            }
            other => self.command(other, ""),
        }
        self.flush_deferred("");
        self.indentation -= INDENT;
        self.in_function -= 1;
        if func_redirects.is_empty() {
            self.newline("}");
        } else {
            self.newline("} ");
            self.redirects(func_redirects);
        }
    }

    fn compound(&mut self, c: &'a CompoundCommand) {
        match &c.kind {
            CompoundKind::Subshell(l) => {
                self.out.push_str("( ");
                self.skip_indent += 1;
                self.list(l);
                self.flush_deferred("");
                self.out.push_str(" )");
            }
            CompoundKind::Brace(l) => {
                self.out.push_str("{ ");
                if self.in_function == 0 {
                    self.skip_indent += 1;
                } else {
                    self.out.push('\n');
                    self.indentation += INDENT;
                }
                self.list(l);
                self.flush_deferred("");
                if self.in_function > 0 {
                    self.out.push('\n');
                    self.indentation -= INDENT;
                    self.indent();
                } else {
                    self.semicolon();
                    self.out.push(' ');
                }
                self.out.push('}');
            }
            CompoundKind::For { name, words, body } => {
                self.out.push_str("for ");
                self.out.push_str(name);
                self.out.push_str(" in ");
                match words {
                    Some(ws) => {
                        let raw: Vec<_> = ws.iter().map(super::print_word::word_text).collect();
                        self.out.push_str(&raw.join(" "));
                    }
                    None => self.out.push_str("\"$@\""),
                }
                self.out.push(';');
                self.do_done(body);
            }
            CompoundKind::ArithFor {
                init,
                cond,
                step,
                body,
            } => {
                let text =
                    |a: &Option<Arith>| a.as_ref().map_or("1".to_owned(), |a| a.text.clone());
                self.out.push_str("for ((");
                self.out.push_str(&text(init));
                self.out.push_str("; ");
                self.out.push_str(&text(cond));
                self.out.push_str("; ");
                self.out.push_str(&text(step));
                self.out.push_str("))");
                self.do_done(body);
            }
            CompoundKind::While { cond, body } => self.while_until("while", cond, body),
            CompoundKind::Until { cond, body } => self.while_until("until", cond, body),
            CompoundKind::If {
                branches,
                otherwise,
            } => self.if_(branches, otherwise.as_ref()),
            CompoundKind::Case { word, arms } => {
                self.out.push_str("case ");
                self.word(word);
                self.out.push_str(" in ");
                if !arms.is_empty() {
                    self.indentation += INDENT;
                    for arm in arms {
                        self.newline("");
                        let pats: Vec<&str> = arm.patterns.iter().map(|w| w.raw.as_str()).collect();
                        self.out.push_str(&pats.join(" | "));
                        self.out.push_str(")\n");
                        self.indentation += INDENT;
                        self.list(&arm.body);
                        self.indentation -= INDENT;
                        self.flush_deferred("");
                        self.newline(match arm.end {
                            CaseEnd::Break => ";;",
                            CaseEnd::FallThrough => ";&",
                            CaseEnd::Continue => ";;&",
                        });
                    }
                    self.indentation -= INDENT;
                }
                self.newline("esac");
            }
            CompoundKind::Cond(e) => {
                self.out.push_str("[[ ");
                self.cond(e);
                self.out.push_str(" ]]");
            }
            CompoundKind::Arith(a) => {
                self.out.push_str("((");
                self.out.push_str(&a.text);
                self.out.push_str("))");
            }
        }
    }

    fn do_done(&mut self, body: &'a List) {
        self.newline("do\n");
        self.indentation += INDENT;
        self.list(body);
        self.flush_deferred("");
        self.semicolon();
        self.indentation -= INDENT;
        self.newline("done");
    }

    fn while_until(&mut self, which: &str, cond: &'a List, body: &'a List) {
        self.out.push_str(which);
        self.out.push(' ');
        self.skip_indent += 1;
        self.list(cond);
        self.flush_deferred("");
        self.semicolon();
        self.out.push_str(" do\n");
        self.indentation += INDENT;
        self.list(body);
        self.flush_deferred("");
        self.indentation -= INDENT;
        self.semicolon();
        self.newline("done");
    }

    /// `if` with `elif`s printed as bash does: nested `if`s in `else`.
    fn if_(&mut self, branches: &'a [(List, List)], otherwise: Option<&'a List>) {
        let Some(((cond, then), rest)) = branches.split_first() else {
            return;
        };
        self.out.push_str("if ");
        self.skip_indent += 1;
        self.list(cond);
        self.semicolon();
        self.out.push_str(" then\n");
        self.indentation += INDENT;
        self.list(then);
        self.flush_deferred("");
        self.indentation -= INDENT;
        if !rest.is_empty() || otherwise.is_some() {
            self.semicolon();
            self.newline("else\n");
            self.indentation += INDENT;
            if rest.is_empty() {
                if let Some(e) = otherwise {
                    self.list(e);
                }
            } else {
                self.entry();
                self.if_(rest, otherwise);
            }
            self.flush_deferred("");
            self.indentation -= INDENT;
        }
        self.semicolon();
        self.newline("fi");
    }

    fn cond(&mut self, e: &CondExpr) {
        match e {
            CondExpr::And(l, r) => {
                self.cond(l);
                self.out.push_str(" && ");
                self.cond(r);
            }
            CondExpr::Or(l, r) => {
                self.cond(l);
                self.out.push_str(" || ");
                self.cond(r);
            }
            CondExpr::Not(x) => {
                self.out.push_str("! ");
                self.cond(x);
            }
            CondExpr::Group(x) => {
                self.out.push_str("( ");
                self.cond(x);
                self.out.push_str(" )");
            }
            CondExpr::Unary(op, w) => {
                self.out.push_str(op);
                self.out.push(' ');
                self.word(w);
            }
            CondExpr::Binary(op, l, r) => {
                self.word(l);
                self.out.push(' ');
                self.out.push_str(op);
                self.out.push(' ');
                self.word(r);
            }
        }
    }

    fn redirects(&mut self, redirects: &'a [Redirect]) {
        let mut docs: Vec<&'a HereDoc> = Vec::new();
        for (i, r) in redirects.iter().enumerate() {
            if i > 0 {
                self.out.push(' ');
            }
            if let RedirectKind::HereDoc(h) = &r.kind {
                if let Some(fd) = r.fd.filter(|&fd| fd != 0) {
                    self.out.push_str(&fd.to_string());
                }
                self.out.push_str(if h.strip_tabs { "<<-" } else { "<<" });
                match &h.body {
                    HereDocBody::Literal(_) => {
                        self.out.push_str(&single_quote(&unquote(&h.delimiter)))
                    }
                    HereDocBody::Expand(_) => self.out.push_str(&h.delimiter),
                }
                docs.push(h);
            } else {
                self.redirect(r);
            }
        }
        if docs.is_empty() {
            return;
        }
        if self.in_connection > 0 {
            self.deferred.extend(docs);
        } else {
            self.heredoc_bodies(&docs);
        }
    }

    fn heredoc_bodies(&mut self, docs: &[&HereDoc]) {
        self.out.push('\n');
        for h in docs {
            self.out.push_str(h.body.raw());
            self.out.push_str(&unquote(&h.delimiter));
            self.out.push('\n');
        }
    }

    fn redirect(&mut self, r: &Redirect) {
        let fd = match &r.fd_var {
            Some(name) => format!("{{{name}}}"),
            None => r.target_fd().to_string(),
        };
        let fd_unless = |default: i32, out: &mut String| {
            if r.fd_var.is_some() || fd != default.to_string() {
                out.push_str(&fd);
            }
        };
        let (op, w) = match &r.kind {
            RedirectKind::Read(w) => {
                fd_unless(0, &mut self.out);
                ("< ", w)
            }
            RedirectKind::Write(w) => {
                fd_unless(1, &mut self.out);
                ("> ", w)
            }
            RedirectKind::Append(w) => {
                fd_unless(1, &mut self.out);
                (">> ", w)
            }
            // bash prints the fd of `<>` unless it is 1.
            RedirectKind::ReadWrite(w) => {
                fd_unless(1, &mut self.out);
                ("<> ", w)
            }
            RedirectKind::Clobber(w) => {
                fd_unless(1, &mut self.out);
                (">| ", w)
            }
            RedirectKind::HereString(w) => {
                fd_unless(0, &mut self.out);
                ("<<< ", w)
            }
            RedirectKind::OutErr(w) => ("&> ", w),
            RedirectKind::AppendOutErr(w) => ("&>> ", w),
            RedirectKind::DupIn(w) | RedirectKind::DupOut(w) => {
                let input = matches!(r.kind, RedirectKind::DupIn(_));
                let op = if input { "<&" } else { ">&" };
                if w.raw == "-" {
                    self.out.push_str(&format!("{fd}>&-"));
                } else if !w.raw.is_empty() && w.raw.bytes().all(|b| b.is_ascii_digit()) {
                    self.out.push_str(&format!("{fd}{op}{}", w.raw));
                } else {
                    fd_unless(if input { 0 } else { 1 }, &mut self.out);
                    self.out.push_str(op);
                    self.out.push_str(&w.raw);
                }
                return;
            }
            RedirectKind::HereDoc(_) => return,
        };
        self.out.push_str(op);
        self.word(w);
    }

    fn word(&mut self, w: &Word) {
        self.out.push_str(&super::print_word::word_text(w));
    }
}

/// Whether only a newline (no `;`) separates two commands of `source`.
fn separated_by_newline((text, base): (&str, usize), before: Span, after: Span) -> bool {
    let between = before
        .end
        .offset
        .checked_sub(base)
        .zip(after.start.offset.checked_sub(base))
        .and_then(|(a, b)| text.get(a..b));
    let Some(between) = between else {
        return after.start.line > before.end.line;
    };
    let mut comment = false;
    let mut newline = false;
    for c in between.chars() {
        match c {
            '\n' => {
                comment = false;
                newline = true;
            }
            '#' => comment = true,
            ';' if !comment => return false,
            _ => {}
        }
    }
    newline
}

/// A here-document delimiter with its quoting removed.
fn unquote(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None | Some('"'), '\\') => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn single_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
