//! Assignments: `x=v`, `a[i]=v`, `a=(…)`, `x+=v`, alone (they set the
//! shell's variables) or before a command (they last for that command).

use super::ex;
use crate::expand::Value;
use crate::lang::ast::{AssignValue, Assignment};
use crate::shell::Shell;

impl Shell {
    /// Sets `assigns` for one command; returns what to restore afterwards.
    pub(crate) fn temporary_assignments(
        &mut self,
        assigns: Vec<(&Assignment, Value)>,
    ) -> Vec<(String, Option<super::Var>)> {
        let mut saved = Vec::new();
        for (a, v) in assigns {
            saved.push((a.name.clone(), self.env.vars.var(&a.name).cloned()));
            let _ = self.assign(a, v);
            self.env.vars.export(&a.name, None);
        }
        saved
    }

    /// The environment entries an external gets from its assignments.
    pub(crate) fn assignment_env(
        &self,
        assigns: Vec<(&Assignment, Value)>,
    ) -> Vec<(String, String)> {
        assigns
            .into_iter()
            .filter_map(|(a, v)| match v {
                Value::Scalar(s) => Some((a.name.clone(), s)),
                Value::Indexed(_) | Value::Assoc(_) => None,
            })
            .collect()
    }

    /// Expands an assignment's right side.
    ///
    /// `a[i]=v` of an indexed array comes back as the one element
    /// `Value::Indexed([(i, v)])`, its subscript expanded and evaluated here
    /// (`a[$((i/3))]=v`), since a list is never assigned to an element.
    pub(crate) async fn assignment_value(&mut self, a: &Assignment) -> Result<Value, i32> {
        match &a.value {
            AssignValue::Scalar(w) => {
                let v = match ex::string(self, w).await {
                    Ok(s) => s,
                    Err(e) => return Err(self.expand_failed(&e)),
                };
                match &a.index {
                    Some(index)
                        if !matches!(self.env.vars.value(&a.name), Some(Value::Assoc(_))) =>
                    {
                        let i = self.element_index(&a.name, index).await?;
                        Ok(Value::Indexed(vec![(i, v)]))
                    }
                    _ => Ok(Value::Scalar(v)),
                }
            }
            AssignValue::Array(items)
                if matches!(self.env.vars.value(&a.name), Some(Value::Assoc(_))) =>
            {
                let mut out: Vec<(String, String)> = Vec::new();
                let mut pending: Option<String> = None;
                for (key, w) in items {
                    let key = match key {
                        Some(k) => Some(
                            ex::string(self, k)
                                .await
                                .map_err(|e| self.expand_failed(&e))?,
                        ),
                        None => None,
                    };
                    let values = match key {
                        Some(_) => vec![ex::string(self, w)
                            .await
                            .map_err(|e| self.expand_failed(&e))?],
                        None => ex::fields(self, std::slice::from_ref(w))
                            .await
                            .map_err(|e| self.expand_failed(&e))?,
                    };
                    // `([k]=v …)`, or bash 5.1's `(k1 v1 k2 v2)`.
                    let mut put = |k: String, v: String| crate::expand::assoc_set(&mut out, k, v);
                    match key {
                        Some(k) => put(k, values.into_iter().next().unwrap_or_default()),
                        None => {
                            for v in values {
                                match pending.take() {
                                    Some(k) => put(k, v),
                                    None => pending = Some(v),
                                }
                            }
                        }
                    }
                }
                if let Some(k) = pending {
                    crate::expand::assoc_set(&mut out, k, String::new());
                }
                Ok(Value::Assoc(out))
            }
            AssignValue::Array(items) => {
                let mut out: Vec<(usize, String)> = Vec::new();
                let mut next = 0usize;
                for (key, w) in items {
                    if let Some(k) = key {
                        let k = match ex::string(self, k).await {
                            Ok(k) => k,
                            Err(e) => return Err(self.expand_failed(&e)),
                        };
                        next = self.eval_index(&k)?;
                        let v = match ex::string(self, w).await {
                            Ok(v) => v,
                            Err(e) => return Err(self.expand_failed(&e)),
                        };
                        out.retain(|(i, _)| *i != next);
                        out.push((next, v));
                        next += 1;
                    } else {
                        let vs = match ex::fields(self, std::slice::from_ref(w)).await {
                            Ok(v) => v,
                            Err(e) => return Err(self.expand_failed(&e)),
                        };
                        for v in vs {
                            out.retain(|(i, _)| *i != next);
                            out.push((next, v));
                            next += 1;
                        }
                    }
                }
                out.sort_by_key(|(i, _)| *i);
                Ok(Value::Indexed(out))
            }
        }
    }

    /// The index `name[index]=` assigns: the subscript expanded and
    /// evaluated; a negative one counts back from the end (bash).
    async fn element_index(
        &mut self,
        name: &str,
        index: &crate::lang::ast::Word,
    ) -> Result<usize, i32> {
        let text = index.literal().unwrap_or_else(|| index.raw.clone());
        if text.trim().is_empty() {
            return Err(self.fail(&format!("corral: {name}[{text}]: bad array subscript")));
        }
        let arith = crate::lang::ast::Arith {
            text,
            span: index.span,
        };
        let n = match ex::arith(self, &arith).await {
            Ok(n) => n,
            // A bad subscript fails the command; the shell goes on (bash).
            Err(e @ ex::ExpandError::Arith { .. }) => {
                return Err(self.fail(&format!("corral: {e}")))
            }
            Err(e) => return Err(self.expand_failed(&e)),
        };
        if let Ok(i) = usize::try_from(n) {
            return Ok(i);
        }
        let end = match self.env.vars.value(name) {
            Some(Value::Indexed(items)) => items.last().map_or(0, |(i, _)| i + 1),
            Some(Value::Scalar(_)) => 1,
            _ => 0,
        };
        let back = usize::try_from(n.unsigned_abs()).unwrap_or(usize::MAX);
        match end.checked_sub(back) {
            Some(i) => Ok(i),
            None => Err(self.fail(&format!(
                "corral: {name}[{}]: bad array subscript",
                index.raw
            ))),
        }
    }

    /// An array subscript's value.
    pub(crate) fn eval_index(&mut self, text: &str) -> Result<usize, i32> {
        match self.arith_text(text) {
            Ok(n) if n >= 0 => Ok(usize::try_from(n).unwrap_or(0)),
            Ok(_) => Err(self.fail(&format!("corral: {text}: bad array subscript"))),
            Err(msg) => Err(self.fail(&format!("corral: {msg}"))),
        }
    }

    /// Performs an assignment (`x=v`, `x+=v`, `a[i]=v`, `a=(…)`).
    pub(crate) fn assign(&mut self, a: &Assignment, value: Value) -> Result<(), i32> {
        let integer = self.env.vars.var(&a.name).is_some_and(|v| v.integer);
        let result = match (&a.index, value) {
            (Some(index), Value::Scalar(v))
                if matches!(self.env.vars.value(&a.name), Some(Value::Assoc(_))) =>
            {
                let key = index
                    .literal()
                    .or_else(|| ex::simple_text(self, &index.raw))
                    .unwrap_or_else(|| index.raw.clone());
                let v = if a.append {
                    let old = match self.env.vars.value(&a.name) {
                        Some(Value::Assoc(items)) => items
                            .iter()
                            .find(|(k, _)| *k == key)
                            .map(|(_, s)| s.clone()),
                        _ => None,
                    };
                    old.unwrap_or_default() + &v
                } else {
                    v
                };
                self.env.vars.assign_key(&a.name, &key, v)
            }
            (Some(index), Value::Scalar(v)) => {
                let Some(text) = index.literal().or_else(|| Some(index.raw.clone())) else {
                    return Err(1);
                };
                let i = self.eval_index(&text)?;
                let v = if a.append {
                    self.element_text(&a.name, i) + &v
                } else {
                    v
                };
                self.env.vars.assign_element(&a.name, i, v)
            }
            (_, Value::Scalar(v)) => {
                let v = if integer {
                    let expr = if a.append {
                        format!("{}+({v})", self.env.vars.get(&a.name).unwrap_or("0"))
                    } else {
                        v
                    };
                    match self.arith_text(&expr) {
                        Ok(n) => n.to_string(),
                        Err(msg) => return Err(self.fail(&format!("corral: {msg}"))),
                    }
                } else if a.append {
                    format!("{}{v}", self.env.vars.get(&a.name).unwrap_or(""))
                } else {
                    v
                };
                match self.env.vars.value(&a.name) {
                    Some(Value::Indexed(_)) => self.env.vars.assign_element(&a.name, 0, v),
                    Some(Value::Assoc(_)) => self.env.vars.assign_key(&a.name, "0", v),
                    _ => self.env.vars.assign(&a.name, Value::Scalar(v)),
                }
            }
            (Some(_), Value::Indexed(items)) => {
                let Some((i, v)) = items.into_iter().next() else {
                    return Ok(());
                };
                let v = if a.append {
                    self.element_text(&a.name, i) + &v
                } else {
                    v
                };
                self.env.vars.assign_element(&a.name, i, v)
            }
            (_, Value::Indexed(items)) => {
                let items = if a.append {
                    let mut old = match self.env.vars.value(&a.name) {
                        Some(Value::Indexed(o)) => o.clone(),
                        Some(Value::Scalar(s)) => vec![(0, s.clone())],
                        Some(Value::Assoc(_)) | None => Vec::new(),
                    };
                    let base = old.last().map_or(0, |(i, _)| i + 1);
                    old.extend(items.into_iter().map(|(i, v)| (base + i, v)));
                    old
                } else {
                    items
                };
                self.env.vars.assign(&a.name, Value::Indexed(items))
            }
            (_, Value::Assoc(items)) => {
                let items = match self.env.vars.value(&a.name) {
                    Some(Value::Assoc(old)) if a.append => {
                        let mut old = old.clone();
                        for (k, v) in items {
                            crate::expand::assoc_set(&mut old, k, v);
                        }
                        old
                    }
                    _ => items,
                };
                self.env.vars.assign(&a.name, Value::Assoc(items))
            }
        };
        if result.is_ok() && self.env.lang.opts.allexport {
            self.env.vars.export(&a.name, None);
        }
        if result.is_ok() && matches!(a.name.as_str(), "HISTSIZE" | "HISTFILESIZE") {
            crate::builtins::history::on_assign(self, &a.name);
        }
        result.map_err(|e| {
            let status = self.fail(&format!("corral: {e}"));
            if !self.interactive {
                // bash: assigning a readonly variable abandons the command line.
                self.discard(status);
            }
            status
        })
    }

    /// Element `i` of `name` as `a[i]+=v` extends it: a scalar is element 0.
    fn element_text(&self, name: &str, i: usize) -> String {
        match self.env.vars.value(name) {
            Some(Value::Indexed(items)) => items
                .iter()
                .find(|(k, _)| *k == i)
                .map(|(_, s)| s.clone())
                .unwrap_or_default(),
            Some(Value::Scalar(s)) if i == 0 => s.clone(),
            _ => String::new(),
        }
    }
}
