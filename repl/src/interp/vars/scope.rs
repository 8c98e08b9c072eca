//! Function scopes: the frames that `local`, temporary assignments
//! (`v=x f`) and returning push and pop over the one table of variables
//! (bash's dynamic scoping; see the parent module).

use super::{Table, Var, Vars};

/// A caller's variable that a function's binding of the same name hides.
#[derive(Clone, Debug)]
pub(super) struct Hidden {
    /// The caller's variable (`None`: it had none).
    pub(super) var: Option<Var>,
    /// The binding is the function's temporary assignment (`v=x f`), not a
    /// `local`: `unset` removes it even in the function itself, and a
    /// `local v` below it starts with its value (bash).
    pub(super) temp: bool,
}

/// The bindings of one function call, or a builtin's temporary assignments.
#[derive(Clone, Debug, Default)]
pub(super) struct Frame {
    pub(super) hidden: Table<Hidden>,
    /// A function's frame (`local` and `return` belong to it).
    pub(super) function: bool,
}

impl Vars {
    /// Enters a function: its `local`s are undone by [`Vars::pop_frame`].
    pub fn push_frame(&mut self) {
        self.frames.push(Frame {
            hidden: Table::default(),
            function: true,
        });
    }

    /// Enters a builtin's temporary assignments ([`Vars::make_temporary`]),
    /// undone by [`Vars::pop_frame`].
    pub fn push_layer(&mut self) {
        self.frames.push(Frame::default());
    }

    /// Leaves a function (or a builtin's temporary assignments), restoring
    /// the variables it hid.
    pub fn pop_frame(&mut self) {
        let Some(frame) = self.frames.pop() else {
            return;
        };
        for (name, saved) in frame.hidden {
            let was_exported = self.table.get(&name).is_some_and(|v| v.exported);
            match saved.var {
                Some(var) => {
                    self.changed |= was_exported || var.exported;
                    self.table.insert(name, var);
                }
                None => {
                    self.changed |= was_exported;
                    self.table.remove(&name);
                }
            }
        }
    }

    /// Whether a function is running (`local` is allowed).
    #[must_use]
    pub fn in_function(&self) -> bool {
        self.frames.iter().any(|f| f.function)
    }

    /// `local name`: hides the caller's `name` until the function returns.
    /// The local starts unset (bash), unless a value follows, or the name's
    /// visible binding is a temporary assignment (`v=x f`), whose value it
    /// keeps. A temporary assignment above the function's frame
    /// (`v=x eval 'local v'`) becomes the local, and ends with it (bash).
    pub fn make_local(&mut self, name: &str) {
        let Some(func) = self.frames.iter().rposition(|f| f.function) else {
            return;
        };
        self.bind(name, func);
    }

    /// Hides `name` in frame `at`, or turns its temporary binding in a frame
    /// at or above `at` into a local one.
    fn bind(&mut self, name: &str, at: usize) {
        let owner = self
            .frames
            .iter()
            .rposition(|f| f.hidden.contains_key(name));
        let inherit = match owner {
            Some(k) if k >= at => {
                if let Some(h) = self.frames[k].hidden.get_mut(name) {
                    h.temp = false;
                }
                return;
            }
            Some(k) => self.frames[k].hidden.get(name).is_some_and(|h| h.temp),
            None => false,
        };
        let saved = self.table.remove(name);
        if saved.as_ref().is_some_and(|v| v.exported) {
            self.changed = true;
        }
        let value = if inherit {
            saved.as_ref().and_then(|v| v.value.clone())
        } else {
            None
        };
        self.frames[at].hidden.insert(
            name.to_string(),
            Hidden {
                var: saved,
                temp: false,
            },
        );
        self.table.insert(
            name.to_string(),
            Var {
                value,
                ..Var::default()
            },
        );
    }

    /// Whether `name` is a local of the running function.
    #[must_use]
    pub fn is_local(&self, name: &str) -> bool {
        self.frames
            .iter()
            .rposition(|f| f.function)
            .is_some_and(|k| self.frames[k..].iter().any(|f| f.hidden.contains_key(name)))
    }

    /// A temporary assignment (`v=x f`, `v=x eval …`), bound in the newest
    /// frame: as a local, except that `unset` anywhere removes it.
    pub fn make_temporary(&mut self, name: &str) {
        let Some(last) = self.frames.len().checked_sub(1) else {
            return;
        };
        if !self.frames[last].hidden.contains_key(name) {
            self.bind(name, last);
        }
        if let Some(h) = self.frames[last].hidden.get_mut(name) {
            h.temp = true;
        }
    }
}
