//! Lowering compound commands and `[[ … ]]` expressions.

use brush_parser::ast as b;

use std::cell::Cell;

use super::{Lower, Result, MAX_DEPTH};
use crate::lang::ast::*;
use crate::lang::error::SyntaxError;
use crate::lang::source::Frame;
use crate::lang::word;

impl Lower<'_, '_> {
    pub(super) fn compound(
        &self,
        frame: &Frame<'_>,
        c: &b::CompoundCommand,
    ) -> Result<CompoundCommand> {
        let (kind, loc) = match c {
            b::CompoundCommand::Arithmetic(a) => {
                let span = self.span_of(frame, Some(&a.loc));
                let whole = span.text(self.src.text);
                // brush reads `( (` and `) )` as `((` and `))`; bash's
                // arithmetic command needs both pairs adjacent, else it is a
                // subshell in a subshell.
                let arith = whole.starts_with("((") && whole.ends_with("))");
                if !arith && whole.len() >= 2 {
                    if self.depth >= MAX_DEPTH {
                        return Err(SyntaxError::TooDeep { pos: span.start });
                    }
                    let inner = &whole[1..whole.len() - 1];
                    let program = crate::lang::parse_nested(
                        self.src,
                        inner,
                        span.start.offset + 1,
                        self.depth + 1,
                    )?;
                    let kind = CompoundKind::Subshell(program.body);
                    return Ok(CompoundCommand { kind, span });
                }
                let text = span
                    .text(self.src.text)
                    .strip_prefix("((")
                    .and_then(|t| t.strip_suffix("))"))
                    .map_or_else(|| a.expr.value.clone(), str::to_owned);
                (CompoundKind::Arith(Arith { text, span }), &a.loc)
            }
            b::CompoundCommand::ArithmeticForClause(f) => {
                let span = self.span_of(frame, Some(&f.loc));
                let parts = arith_for_parts(span.text(self.src.text));
                let pick = |i: usize, brush: &Option<b::UnexpandedArithmeticExpr>| {
                    let text = match &parts {
                        Some(p) => p.get(i).cloned().unwrap_or_default(),
                        None => brush.as_ref().map(|e| e.value.clone()).unwrap_or_default(),
                    };
                    // bash keeps the trailing blanks (its printer shows them).
                    (!text.trim().is_empty()).then(|| Arith {
                        text: text.trim_start().to_owned(),
                        span,
                    })
                };
                let kind = CompoundKind::ArithFor {
                    init: pick(0, &f.initializer),
                    cond: pick(1, &f.condition),
                    step: pick(2, &f.updater),
                    body: self.list(frame, &f.body.list)?,
                };
                (kind, &f.loc)
            }
            b::CompoundCommand::BraceGroup(g) => {
                (CompoundKind::Brace(self.list(frame, &g.list)?), &g.loc)
            }
            b::CompoundCommand::Subshell(s) => {
                (CompoundKind::Subshell(self.list(frame, &s.list)?), &s.loc)
            }
            b::CompoundCommand::ForClause(f) => {
                self.span_of(frame, Some(&f.loc));
                let words = match &f.values {
                    Some(ws) => {
                        let mut out = Vec::with_capacity(ws.len());
                        for w in ws {
                            out.push(self.word(frame, w, word::Context::Normal)?);
                        }
                        Some(out)
                    }
                    // brush gives `for i in ; do` no words, as if `in` were absent.
                    None if has_in(self.span_of(frame, Some(&f.loc)).text(self.src.text)) => {
                        Some(Vec::new())
                    }
                    None => None,
                };
                let kind = CompoundKind::For {
                    name: f.variable_name.clone(),
                    words,
                    body: self.list(frame, &f.body.list)?,
                };
                (kind, &f.loc)
            }
            b::CompoundCommand::CaseClause(c) => {
                self.span_of(frame, Some(&c.loc));
                let word = self.word(frame, &c.value, word::Context::Normal)?;
                let mut arms = Vec::with_capacity(c.cases.len());
                for item in &c.cases {
                    let mut patterns = Vec::with_capacity(item.patterns.len());
                    for p in &item.patterns {
                        patterns.push(self.word(frame, p, word::Context::Normal)?);
                    }
                    let body = match &item.cmd {
                        Some(l) => self.list(frame, l)?,
                        None => List::default(),
                    };
                    let end = match item.post_action {
                        b::CaseItemPostAction::ExitCase => CaseEnd::Break,
                        b::CaseItemPostAction::UnconditionallyExecuteNextCaseItem => {
                            CaseEnd::FallThrough
                        }
                        b::CaseItemPostAction::ContinueEvaluatingCases => CaseEnd::Continue,
                    };
                    arms.push(CaseArm {
                        patterns,
                        body,
                        end,
                    });
                }
                (CompoundKind::Case { word, arms }, &c.loc)
            }
            b::CompoundCommand::IfClause(i) => {
                self.span_of(frame, Some(&i.loc));
                let mut branches =
                    vec![(self.list(frame, &i.condition)?, self.list(frame, &i.then)?)];
                let mut otherwise = None;
                for e in i.elses.iter().flatten() {
                    let body = self.list(frame, &e.body)?;
                    match &e.condition {
                        Some(cond) => branches.push((self.list(frame, cond)?, body)),
                        None => otherwise = Some(body),
                    }
                }
                (
                    CompoundKind::If {
                        branches,
                        otherwise,
                    },
                    &i.loc,
                )
            }
            b::CompoundCommand::WhileClause(w) => {
                self.span_of(frame, Some(&w.2));
                let kind = CompoundKind::While {
                    cond: self.list(frame, &w.0)?,
                    body: self.list(frame, &w.1.list)?,
                };
                (kind, &w.2)
            }
            b::CompoundCommand::UntilClause(w) => {
                self.span_of(frame, Some(&w.2));
                let kind = CompoundKind::Until {
                    cond: self.list(frame, &w.0)?,
                    body: self.list(frame, &w.1.list)?,
                };
                (kind, &w.2)
            }
            b::CompoundCommand::Coprocess(c) => {
                let span = self.span_of(frame, Some(&c.loc));
                return Err(SyntaxError::Unsupported {
                    what: "coproc",
                    pos: span.start,
                });
            }
        };
        let span = self.span_of(frame, Some(loc));
        Ok(CompoundCommand { kind, span })
    }

    pub(super) fn cond(&self, frame: &Frame<'_>, e: &b::ExtendedTestExpr) -> Result<CondExpr> {
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError::TooDeep {
                pos: self.fallback().start,
            });
        }
        let inner = Lower {
            src: self.src,
            last: Cell::new(self.last.get()),
            depth: self.depth + 1,
            named_fd: Cell::new(None),
            here_bodies: std::cell::RefCell::new(Vec::new()),
        };
        let out = match e {
            b::ExtendedTestExpr::And(l, r) => CondExpr::And(
                Box::new(inner.cond(frame, l)?),
                Box::new(inner.cond(frame, r)?),
            ),
            b::ExtendedTestExpr::Or(l, r) => CondExpr::Or(
                Box::new(inner.cond(frame, l)?),
                Box::new(inner.cond(frame, r)?),
            ),
            b::ExtendedTestExpr::Not(x) => CondExpr::Not(Box::new(inner.cond(frame, x)?)),
            b::ExtendedTestExpr::Parenthesized(x) => {
                CondExpr::Group(Box::new(inner.cond(frame, x)?))
            }
            b::ExtendedTestExpr::UnaryTest(p, w) => {
                CondExpr::Unary(unary_op(p), inner.word(frame, w, word::Context::Normal)?)
            }
            b::ExtendedTestExpr::BinaryTest(p, l, r) => {
                let l = inner.word(frame, l, word::Context::Normal)?;
                let r = inner.word(frame, r, word::Context::Normal)?;
                let op = match p {
                    b::BinaryPredicate::StringMatchesRegex
                    | b::BinaryPredicate::StringContainsSubstring => "=~".to_owned(),
                    // brush merges `=` into `==`; bash prints what was written.
                    b::BinaryPredicate::StringExactlyMatchesPattern => {
                        let between = self.src.text.get(l.span.end.offset..r.span.start.offset);
                        if between.map(str::trim) == Some("=") {
                            "="
                        } else {
                            "=="
                        }
                        .to_owned()
                    }
                    other => other.to_string(),
                };
                CondExpr::Binary(op, l, r)
            }
        };
        self.last.set(inner.last.get());
        Ok(out)
    }
}

/// The three clauses of `for ((a; b; c))` as written, from the command's text.
fn arith_for_parts(text: &str) -> Option<Vec<String>> {
    let open = text.find("((")? + 2;
    let rest = text.get(open..)?;
    let mut depth = 0usize;
    let mut parts = vec![String::new()];
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => {
                return (chars.peek() == Some(&')') && parts.len() == 3).then_some(parts);
            }
            ')' => depth -= 1,
            ';' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        parts.last_mut()?.push(c);
    }
    None
}

fn unary_op(p: &b::UnaryPredicate) -> String {
    p.to_string()
}

/// Whether the text of a `for` loop with no words has `in` after its name.
fn has_in(text: &str) -> bool {
    let rest = text
        .trim_start()
        .strip_prefix("for")
        .unwrap_or("")
        .trim_start();
    let rest = rest.trim_start_matches(|c: char| !c.is_whitespace() && c != ';');
    let rest = rest.trim_start_matches([' ', '\t', '\n']);
    rest.strip_prefix("in")
        .is_some_and(|r| r.starts_with([' ', '\t', '\n', ';']) || r.is_empty())
}
