//! Assignments: `x=v`, `a[i]=v`, `a=(…)`, `x+=v`, alone (they set the
//! shell's variables) or before a command (they last for that command).

use super::ex;
use crate::builtins::{literal_value, Element};
use crate::expand::Value;
use crate::lang::ast::{AssignValue, Assignment};
use crate::shell::Shell;

impl Shell {
    /// Sets `assigns` for one builtin, in a layer of their own that
    /// [`super::Vars::pop_frame`] removes; `false` when there were none.
    pub(crate) fn temporary_assignments(&mut self, assigns: Vec<(&Assignment, Value)>) -> bool {
        if assigns.is_empty() {
            return false;
        }
        self.env.vars.push_layer();
        for (a, v) in assigns {
            self.env.vars.make_temporary(&a.name);
            let _ = self.assign(a, v);
            self.env.vars.export(&a.name, None);
        }
        true
    }

    /// The environment entries an external gets from its assignments.
    /// `x+=v` extends the variable's value; an array literal is passed as
    /// its text (`B=(b b) cmd` gives `cmd` `B=(b b)`), as bash does.
    pub(crate) fn assignment_env(
        &self,
        assigns: Vec<(&Assignment, Value)>,
    ) -> Vec<(String, String)> {
        assigns
            .into_iter()
            .map(|(a, v)| {
                let text = match (v, &a.value) {
                    (_, AssignValue::Array(items)) => {
                        let items: Vec<String> = items
                            .iter()
                            .map(|(k, w)| match k {
                                Some(k) => format!("[{}]={}", k.raw, w.raw),
                                None => w.raw.clone(),
                            })
                            .collect();
                        format!("({})", items.join(" "))
                    }
                    (Value::Scalar(s), _) if a.append => {
                        format!("{}{s}", self.env.vars.get(&a.name).unwrap_or(""))
                    }
                    (Value::Scalar(s), _) => s,
                    (Value::Indexed(items), _) => {
                        items.into_iter().next().map(|(_, s)| s).unwrap_or_default()
                    }
                    (Value::Assoc(items), _) => {
                        items.into_iter().next().map(|(_, s)| s).unwrap_or_default()
                    }
                };
                (a.name.clone(), text)
            })
            .collect()
    }

    /// Expands an assignment's right side.
    ///
    /// `a[i]=v` of an indexed array comes back as the one element
    /// `Value::Indexed([(i, v)])`, its subscript expanded and evaluated here
    /// (`a[$((i/3))]=v`), since a list is never assigned to an element.
    pub(crate) async fn assignment_value(&mut self, a: &Assignment) -> Result<Value, i32> {
        if let (Some(index), AssignValue::Array(_)) = (&a.index, &a.value) {
            let msg = format!(
                "corral: {}[{}]: cannot assign list to array member",
                a.name, index.raw
            );
            let status = self.fail(&msg);
            if !self.interactive {
                self.discard(status);
            }
            return Err(status);
        }
        match &a.value {
            AssignValue::Scalar(w) => {
                let v = match ex::string(self, w).await {
                    Ok(s) => s,
                    Err(e) => return Err(self.expand_failed(&e)),
                };
                match &a.index {
                    Some(index)
                        if matches!(self.env.vars.value(&a.name), Some(Value::Assoc(_))) =>
                    {
                        // The key is the subscript expanded as a word.
                        let key = match index.literal() {
                            Some(k) => k,
                            None => ex::assoc_key(self, &index.raw)
                                .await
                                .map_err(|e| self.expand_failed(&e))?,
                        };
                        Ok(Value::Assoc(vec![(key, v)]))
                    }
                    Some(index) => {
                        let i = self.element_index(&a.name, index).await?;
                        Ok(Value::Indexed(vec![(i, v)]))
                    }
                    None => Ok(Value::Scalar(v)),
                }
            }
            AssignValue::Array(items) => {
                let mut elements = Vec::with_capacity(items.len());
                for (key, w) in items {
                    let (key, append, value) = match key {
                        Some(k) => (Some(self.expand_text(k).await?), false, None),
                        None => match ex::literal_key(&w.raw) {
                            Some((k, append, at)) => {
                                let whole = self.expand_text(w).await?;
                                let value = ex::literal_value_text(&w.raw, at, whole);
                                let key = ex::simple_text(self, k).unwrap_or_else(|| k.to_string());
                                (Some(key), append, Some(value))
                            }
                            None => (None, false, None),
                        },
                    };
                    if let Some(value) = value {
                        elements.push(Element { key, append, value });
                    } else if key.is_some() {
                        let value = self.expand_text(w).await?;
                        elements.push(Element { key, append, value });
                    } else {
                        let values = match ex::fields(self, std::slice::from_ref(w)).await {
                            Ok(v) => v,
                            Err(e) => return Err(self.expand_failed(&e)),
                        };
                        elements.extend(values.into_iter().map(|value| Element {
                            key: None,
                            append: false,
                            value,
                        }));
                    }
                }
                literal_value(self, &a.name, elements, a.append)
                    .map_err(|msg| self.fail(&format!("corral: {msg}")))
            }
        }
    }

    /// A word expanded as an assignment's value is (no splitting).
    async fn expand_text(&mut self, w: &crate::lang::ast::Word) -> Result<String, i32> {
        match ex::string(self, w).await {
            Ok(s) => Ok(s),
            Err(e) => Err(self.expand_failed(&e)),
        }
    }

    /// The index `name[index]=` assigns: the subscript expanded and
    /// evaluated; a negative one counts back from the end (bash).
    async fn element_index(
        &mut self,
        name: &str,
        index: &crate::lang::ast::Word,
    ) -> Result<usize, i32> {
        // As arithmetic: `$x` and double quotes go, single quotes stay (an error).
        let text = index.raw.clone();
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
        match self.env.vars.element_at(name, n) {
            Some(i) => Ok(i),
            None => Err(self.fail(&format!(
                "corral: {name}[{}]: bad array subscript",
                index.raw
            ))),
        }
    }

    /// The element `name[text]` names: the subscript evaluated, a negative
    /// one counting back from the end.
    pub(crate) fn eval_index(&mut self, name: &str, text: &str) -> Result<usize, i32> {
        match self.arith_text(text) {
            Ok(n) => match self.env.vars.element_at(name, n) {
                Some(i) => Ok(i),
                None => Err(self.fail(&format!("corral: {name}[{text}]: bad array subscript"))),
            },
            Err(msg) => Err(self.fail(&format!("corral: {msg}"))),
        }
    }

    /// The element a nameref to `a[sub]` stands for: `a[@]` and `a[*]`
    /// give the whole array; a key of an associative array is the
    /// subscript with its quotes removed and `$x` expanded.
    pub(crate) fn referenced_element(&self, name: &str) -> Option<Value> {
        let (base, sub) = self.env.vars.element_ref(name)?;
        let value = self.env.vars.value(base)?;
        if sub == "@" || sub == "*" {
            return Some(value.clone());
        }
        let text = match value {
            Value::Assoc(items) => {
                let key = ex::simple_text(self, sub).unwrap_or_else(|| sub.to_string());
                items
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v.clone())
            }
            Value::Indexed(items) => {
                let i = self.env.vars.element_at(base, self.peek_arith(sub)?)?;
                items.iter().find(|(k, _)| *k == i).map(|(_, v)| v.clone())
            }
            Value::Scalar(s) => (self.peek_arith(sub)? == 0).then(|| s.clone()),
        };
        text.map(Value::Scalar)
    }

    /// Evaluates a subscript without changing anything (for `-v a[i]`):
    /// assignments inside it are dropped; `None` on an error.
    pub(crate) fn peek_arith(&self, text: &str) -> Option<i64> {
        struct V<'s>(&'s Shell);
        impl crate::lang::arith::Vars for V<'_> {
            fn get(&self, name: &str, index: Option<i64>) -> Option<String> {
                let vars = &self.0.env.vars;
                match (crate::expand::ExpandEnv::value(self.0, name)?, index) {
                    (Value::Scalar(s), None | Some(0)) => Some(s),
                    (Value::Scalar(_), _) => None,
                    (Value::Indexed(items), i) => {
                        let i = vars.element_at(name, i.unwrap_or(0))?;
                        items.into_iter().find(|(k, _)| *k == i).map(|(_, v)| v)
                    }
                    (Value::Assoc(items), i) => {
                        let key = i.unwrap_or(0).to_string();
                        items.into_iter().find(|(k, _)| *k == key).map(|(_, v)| v)
                    }
                }
            }
            fn set(&mut self, _: &str, _: Option<i64>, _: i64) {}
        }
        crate::lang::arith::eval(text, &mut V(self)).ok()
    }

    /// Performs an assignment (`x=v`, `x+=v`, `a[i]=v`, `a=(…)`).
    pub(crate) fn assign(&mut self, a: &Assignment, value: Value) -> Result<(), i32> {
        if let (Some(_), Some((base, sub))) = (&a.index, self.env.vars.element_ref(&a.name)) {
            // `ref[i]=v` where ref names an element.
            let msg = format!("corral: `{base}[{sub}]': not a valid identifier");
            let status = self.fail(&msg);
            if !self.interactive {
                self.discard(status);
            }
            return Err(status);
        }
        if let (None, Some((base, sub))) = (&a.index, self.env.vars.element_ref(&a.name)) {
            let (base, sub) = (base.to_string(), sub.to_string());
            return match value {
                Value::Scalar(v) => self.assign_referenced(&base, &sub, a.append, v),
                // `ref=(…)` where ref names an element.
                _ => Err(self.fail(&format!("corral: `{base}[{sub}]': not a valid identifier"))),
            };
        }
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
                let i = self.eval_index(&a.name, &text)?;
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
            (Some(_), Value::Assoc(items)) => {
                let Some((key, v)) = items.into_iter().next() else {
                    return Ok(());
                };
                let v = match self.env.vars.value(&a.name) {
                    Some(Value::Assoc(old)) if a.append => {
                        let old = old.iter().find(|(k, _)| *k == key).map(|(_, s)| s.as_str());
                        format!("{}{v}", old.unwrap_or(""))
                    }
                    _ => v,
                };
                self.env.vars.assign_key(&a.name, &key, v)
            }
            // `a+=(…)`: the literal's value already holds the old elements.
            (_, Value::Indexed(items)) => self.env.vars.assign(&a.name, Value::Indexed(items)),
            (_, Value::Assoc(items)) => self.env.vars.assign(&a.name, Value::Assoc(items)),
        };
        if result.is_ok() && self.env.lang.opts.allexport {
            self.env.vars.export(&a.name, None);
        }
        if result.is_ok() && matches!(a.name.as_str(), "HISTSIZE" | "HISTFILESIZE") {
            crate::builtins::history::on_assign(self, &a.name);
        }
        result.map_err(|e| {
            let status = self.fail(&format!("corral: {e}"));
            if !self.interactive && self.env.lang.opts.posix {
                // POSIX: an assignment error ends a non-interactive shell.
                self.exit_status = Some(status);
            } else if !self.interactive {
                // bash: assigning a readonly variable abandons the command line.
                self.discard(status);
            }
            status
        })
    }

    /// `ref=v` where `ref` is a nameref to `base[sub]`.
    fn assign_referenced(
        &mut self,
        base: &str,
        sub: &str,
        append: bool,
        v: String,
    ) -> Result<(), i32> {
        let result = match self.env.vars.value(base) {
            Some(Value::Assoc(items)) => {
                let key = ex::simple_text(self, sub).unwrap_or_else(|| sub.to_string());
                let old = items
                    .iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, s)| s.clone());
                let v = if append {
                    old.unwrap_or_default() + &v
                } else {
                    v
                };
                self.env.vars.assign_key(base, &key, v)
            }
            _ => {
                let i = self.eval_index(base, sub)?;
                let v = if append {
                    self.element_text(base, i) + &v
                } else {
                    v
                };
                self.env.vars.assign_element(base, i, v)
            }
        };
        result.map_err(|e| self.fail(&format!("corral: {e}")))
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
