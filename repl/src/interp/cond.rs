//! `[[ … ]]`: operands are expanded without splitting or globbing; the
//! right side of `==`/`!=` is a pattern. Status 0 true, 1 false, 2 error.

use super::ex;
use crate::exec::BoxFut;
use crate::lang::ast::CondExpr;
use crate::shell::Shell;

impl Shell {
    /// Evaluates `[[ expr ]]`: its status.
    pub(crate) fn eval_cond<'a>(&'a mut self, e: &'a CondExpr) -> BoxFut<'a, i32> {
        Box::pin(async move {
            match e {
                CondExpr::And(a, b) => {
                    let s = self.eval_cond(a).await;
                    if s != 0 {
                        return s;
                    }
                    self.eval_cond(b).await
                }
                CondExpr::Or(a, b) => {
                    let s = self.eval_cond(a).await;
                    if s == 0 || s == 2 {
                        return s;
                    }
                    self.eval_cond(b).await
                }
                CondExpr::Not(a) => match self.eval_cond(a).await {
                    2 => 2,
                    s => i32::from(s == 0),
                },
                CondExpr::Group(a) => self.eval_cond(a).await,
                CondExpr::Unary(op, w) => {
                    let v = match ex::string(self, w).await {
                        Ok(v) => v,
                        Err(e) => return self.expand_failed(&e).max(2),
                    };
                    match unary(self, op, &v) {
                        Some(b) => i32::from(!b),
                        None => {
                            eprintln!("corral: {op}: unary operator not supported");
                            2
                        }
                    }
                }
                CondExpr::Binary(op, l, r) => {
                    let lv = match ex::string(self, l).await {
                        Ok(v) => v,
                        Err(e) => return self.expand_failed(&e).max(2),
                    };
                    if matches!(op.as_str(), "==" | "=" | "!=") {
                        let pat = match ex::pattern(self, r).await {
                            Ok(p) => p,
                            Err(e) => return self.expand_failed(&e).max(2),
                        };
                        let m = pat.matches(&lv);
                        return i32::from(m == (op == "!="));
                    }
                    let rv = match ex::string(self, r).await {
                        Ok(v) => v,
                        Err(e) => return self.expand_failed(&e).max(2),
                    };
                    match binary(self, op, &lv, &rv) {
                        Ok(b) => i32::from(!b),
                        Err(msg) => {
                            eprintln!("corral: {msg}");
                            2
                        }
                    }
                }
            }
        })
    }
}

fn unary(shell: &Shell, op: &str, v: &str) -> Option<bool> {
    let meta = || std::fs::metadata(shell.env.absolute(v)).ok();
    Some(match op {
        "-n" => !v.is_empty(),
        "-z" => v.is_empty(),
        "-e" | "-a" => meta().is_some(),
        "-f" => meta().is_some_and(|m| m.is_file()),
        "-d" => meta().is_some_and(|m| m.is_dir()),
        "-s" => meta().is_some_and(|m| m.len() > 0),
        "-r" | "-w" | "-x" => {
            use std::os::unix::fs::PermissionsExt;
            let bit = match op {
                "-r" => 0o444,
                "-w" => 0o222,
                _ => 0o111,
            };
            meta().is_some_and(|m| m.permissions().mode() & bit != 0)
        }
        "-L" | "-h" => std::fs::symlink_metadata(shell.env.absolute(v))
            .is_ok_and(|m| m.file_type().is_symlink()),
        "-v" => shell.env.vars.value(v).is_some(),
        _ => return None,
    })
}

fn binary(shell: &mut Shell, op: &str, l: &str, r: &str) -> Result<bool, String> {
    let num = |shell: &mut Shell, s: &str| shell.arith_text(s);
    Ok(match op {
        "<" => l < r,
        ">" => l > r,
        "-eq" | "-ne" | "-lt" | "-le" | "-gt" | "-ge" => {
            let a = num(shell, l)?;
            let b = num(shell, r)?;
            match op {
                "-eq" => a == b,
                "-ne" => a != b,
                "-lt" => a < b,
                "-le" => a <= b,
                "-gt" => a > b,
                _ => a >= b,
            }
        }
        "-nt" | "-ot" => {
            let t = |p: &str| {
                std::fs::metadata(shell.env.absolute(p))
                    .and_then(|m| m.modified())
                    .ok()
            };
            match (t(l), t(r)) {
                (Some(a), Some(b)) => (op == "-nt" && a > b) || (op == "-ot" && a < b),
                _ => false,
            }
        }
        _ => return Err(format!("{op}: binary operator not supported")),
    })
}
