//! What the builtin cores ask of the shell: file questions for `test`/`[`
//! and `[[ ]]` ([`FileTests`]), and expansion for `[[ ]]` ([`CondEnv`]).

use std::os::fd::AsRawFd;

use super::ex;
use crate::builtins::cond::{CondEnv, RegexPiece};
use crate::builtins::test::{Access, FileInfo, FileTests};
use crate::expand::{BoxFuture, Value};
use crate::io::{Input, Output};
use crate::lang::ast::{Word, WordPart};
use crate::shell::Shell;

impl FileTests for Shell {
    fn stat(&self, path: &str) -> Option<FileInfo> {
        std::fs::metadata(self.env.absolute_path(path))
            .ok()
            .map(|m| FileInfo::from_metadata(&m))
    }

    fn lstat(&self, path: &str) -> Option<FileInfo> {
        std::fs::symlink_metadata(self.env.absolute_path(path))
            .ok()
            .map(|m| FileInfo::from_metadata(&m))
    }

    fn access(&self, path: &str, access: Access) -> bool {
        let mode = match access {
            Access::Read => libc::R_OK,
            Access::Write => libc::W_OK,
            Access::Execute => libc::X_OK,
        };
        crate::sys::access(&self.env.absolute_path(path), mode)
    }

    fn is_set(&self, name: &str) -> bool {
        let (base, index) = match name.split_once('[') {
            Some((base, rest)) => match rest.strip_suffix(']') {
                Some(index) => (base, Some(index)),
                None => return false,
            },
            None => (name, None),
        };
        match self.env.vars.value(base) {
            Some(Value::Assoc(items)) => {
                let key = index.map_or_else(
                    || "0".to_string(),
                    |i| crate::expand::simple_text(self, i).unwrap_or_else(|| i.to_string()),
                );
                items.iter().any(|(k, _)| *k == key)
            }
            Some(value) => {
                let n = match index {
                    Some(i) => match self.peek_arith(i) {
                        Some(n) => n,
                        None => return false,
                    },
                    None => 0,
                };
                let Some(i) = self.env.vars.element_at(base, n) else {
                    if n < 0 && matches!(value, Value::Indexed(_)) {
                        // Before the first element (bash).
                        let p = self.err_prefix();
                        self.write_err(&format!("{p}{base}: bad array subscript\n"));
                    }
                    return false;
                };
                match value {
                    Value::Indexed(items) => items.iter().any(|(k, _)| *k == i),
                    _ => i == 0,
                }
            }
            None => index.is_none() && crate::expand::ExpandEnv::value(self, name).is_some(),
        }
    }

    fn option_on(&self, name: &str) -> bool {
        let mut opts = self.env.lang.opts;
        opts.named(name).is_some_and(|v| *v)
    }

    fn isatty(&self, fd: i32) -> bool {
        let raw = match fd {
            0 => match &self.fds.std.stdin {
                Input::Inherit => Some(0),
                Input::Fd(f) => Some(f.as_raw_fd()),
                _ => None,
            },
            1 | 2 => match if fd == 1 {
                &self.fds.std.stdout
            } else {
                &self.fds.std.stderr
            } {
                Output::Stdout => Some(1),
                Output::Stderr => Some(2),
                Output::Fd(f) => Some(f.as_raw_fd()),
                _ => None,
            },
            _ => None,
        };
        raw.is_some_and(crate::sys::isatty_raw)
    }

    fn euid(&self) -> u32 {
        crate::sys::effective_ids().0
    }

    fn egid(&self) -> u32 {
        crate::sys::effective_ids().1
    }
}

impl CondEnv for Shell {
    /// The status, the message already printed.
    type Error = i32;

    fn expand<'a>(&'a mut self, word: &'a Word) -> BoxFuture<'a, Result<String, i32>> {
        Box::pin(async move {
            ex::string(self, word)
                .await
                .map_err(|e| self.expand_failed(&e))
        })
    }

    fn matches<'a>(
        &'a mut self,
        pattern: &'a Word,
        text: &'a str,
    ) -> BoxFuture<'a, Result<bool, i32>> {
        Box::pin(async move {
            match ex::cond_pattern(self, pattern).await {
                Ok(p) => Ok(p.matches(text)),
                Err(e) => Err(self.expand_failed(&e)),
            }
        })
    }

    fn regex_pieces<'a>(
        &'a mut self,
        word: &'a Word,
    ) -> BoxFuture<'a, Result<Vec<RegexPiece>, i32>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for part in &word.parts {
                let quoted = !matches!(
                    part,
                    WordPart::Literal(_)
                        | WordPart::Param(_)
                        | WordPart::CommandSubst { .. }
                        | WordPart::Arith(_)
                );
                let w = Word {
                    parts: vec![part.clone()],
                    raw: String::new(),
                    span: word.span,
                };
                let text = ex::string(self, &w)
                    .await
                    .map_err(|e| self.expand_failed(&e))?;
                out.push(RegexPiece { text, quoted });
            }
            Ok(out)
        })
    }

    fn arith(&mut self, expr: &str) -> Result<i64, i32> {
        self.arith_text(expr)
            .map_err(|msg| self.fail(&format!("corral: {msg}")))
    }

    fn tracing(&self) -> bool {
        self.env.lang.opts.xtrace
    }

    fn nocasematch(&self) -> bool {
        self.env.lang.shopt.get("nocasematch")
    }

    fn trace(&mut self, text: String) -> BoxFuture<'_, ()> {
        self.trace_lines(vec![text])
    }

    fn set_rematch(&mut self, groups: Vec<String>) {
        let items = groups.into_iter().enumerate().collect();
        let _ = self.env.vars.assign("BASH_REMATCH", Value::Indexed(items));
    }
}
