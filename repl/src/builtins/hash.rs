//! bash's table of remembered programs (`hash`).
//!
//! Each program the shell runs by name is remembered with the file PATH gave
//! for it and how many times it was looked up; `hash NAME` adds one
//! (0 hits), `hash -p FILE NAME` pins a file to a name (which then runs
//! that file). `type` says `NAME is hashed (FILE)`. bash empties the table
//! when PATH is assigned; here the table remembers the PATH it was filled
//! under and empties itself when it is consulted under another (so
//! `PATH=$PATH` alone keeps it).

use crate::exec::{find_on_path, BoxFut};
use crate::io::Streams;
use crate::shell::Shell;

/// One remembered program.
#[derive(Clone, Debug)]
struct Entry {
    name: String,
    file: String,
    hits: u32,
    /// Set by `hash -p`: the name runs this file.
    pinned: bool,
}

/// The table, in the order programs were remembered.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// The PATH the entries were found under.
    path: Option<String>,
    entries: Vec<Entry>,
}

impl Table {
    /// The entries, emptied first when PATH is not the one they were found on.
    fn under(&mut self, path: Option<&str>) -> &mut Vec<Entry> {
        if self.path.as_deref() != path {
            self.entries.clear();
            self.path = path.map(str::to_owned);
        }
        &mut self.entries
    }

    /// The file remembered for `name` under `path`.
    #[must_use]
    pub fn file(&self, path: Option<&str>, name: &str) -> Option<&str> {
        if self.path.as_deref() != path {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.file.as_str())
    }

    /// A file `hash -p` pinned to `name` (the program to run for it).
    #[must_use]
    pub fn pinned(&self, path: Option<&str>, name: &str) -> Option<&str> {
        if self.path.as_deref() != path {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.name == name && e.pinned)
            .map(|e| e.file.as_str())
    }

    /// Counts a lookup of `name`, remembering `found()` the first time.
    pub fn hit(&mut self, path: Option<&str>, name: &str, found: impl FnOnce() -> Option<String>) {
        let entries = self.under(path);
        if let Some(e) = entries.iter_mut().find(|e| e.name == name) {
            e.hits += 1;
        } else if let Some(file) = found() {
            entries.push(Entry {
                name: name.to_owned(),
                file,
                hits: 1,
                pinned: false,
            });
        }
    }

    fn put(&mut self, path: Option<&str>, name: &str, file: String, pinned: bool) {
        let entries = self.under(path);
        entries.retain(|e| e.name != name);
        entries.push(Entry {
            name: name.to_owned(),
            file,
            hits: 0,
            pinned,
        });
    }
}

impl Shell {
    /// Counts running `name` as a program (not for a name with `/` or one
    /// run with its own `PATH=`).
    pub(crate) fn note_program(&mut self, name: &str) {
        if name.contains('/') {
            return;
        }
        let path = self.env.vars.get("PATH").map(str::to_owned);
        let mut table = std::mem::take(&mut self.env.lang.hashed);
        let env = &self.env;
        let found = || find_on_path(env, name).map(|p| crate::rawbytes::from_path(&p).into_owned());
        table.hit(path.as_deref(), name, found);
        self.env.lang.hashed = table;
    }
}

/// `hash [-lr] [-p pathname] [-dt] [name ...]`
pub(super) fn hash<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let (mut reset, mut delete, mut list, mut show) = (false, false, false, false);
        let mut pin: Option<String> = None;
        let prefix = shell.err_prefix();
        let (opts, names) = match super::getopts::scan(io, &prefix, &args, "lrp:dt").await {
            Ok(o) => o,
            Err(status) => return status,
        };
        for o in opts {
            match o.letter {
                'r' => reset = true,
                'd' => delete = true,
                'l' => list = true,
                't' => show = true,
                _ => pin = o.value,
            }
        }
        let path = shell.env.vars.get("PATH").map(str::to_owned);
        let path = path.as_deref();
        if reset {
            shell.env.lang.hashed.under(path).clear();
        }
        let mut status = 0;
        let mut out = String::new();
        if names.is_empty() {
            if reset || delete || show || pin.is_some() {
                return 0;
            }
            let entries = shell.env.lang.hashed.under(path);
            if entries.is_empty() {
                if !list {
                    out.push_str("hash: hash table empty\n");
                }
            } else if list {
                for e in entries.iter() {
                    out.push_str(&format!("builtin hash -p {} {}\n", e.file, e.name));
                }
            } else {
                out.push_str("hits\tcommand\n");
                for e in entries.iter() {
                    out.push_str(&format!("{:4}\t{}\n", e.hits, e.file));
                }
            }
            return match super::out(io, &out).await {
                Ok(()) => 0,
                Err(s) => s,
            };
        }
        for name in names {
            if let Some(file) = &pin {
                shell.env.lang.hashed.put(path, name, file.clone(), true);
                continue;
            }
            if delete {
                let entries = shell.env.lang.hashed.under(path);
                let before = entries.len();
                entries.retain(|e| &e.name != name);
                if entries.len() == before {
                    super::complain(shell, io, &format!("hash: {name}: not found")).await;
                    status = 1;
                }
                continue;
            }
            if show || list {
                let entries = shell.env.lang.hashed.under(path);
                match entries.iter_mut().find(|e| &e.name == name) {
                    Some(e) => {
                        // bash counts a `-t` lookup as a hit.
                        e.hits += 1;
                        if list {
                            out.push_str(&format!("builtin hash -p {} {}\n", e.file, e.name));
                        } else if names.len() > 1 {
                            out.push_str(&format!("{name}\t{}\n", e.file));
                        } else {
                            out.push_str(&format!("{}\n", e.file));
                        }
                    }
                    None => {
                        super::complain(shell, io, &format!("hash: {name}: not found")).await;
                        status = 1;
                    }
                }
                continue;
            }
            if name.contains('/')
                || super::lookup(name).is_some()
                || shell.env.lang.functions.contains_key(name)
            {
                continue;
            }
            match find_on_path(&shell.env, name) {
                Some(p) => {
                    let file = crate::rawbytes::from_path(&p).into_owned();
                    shell.env.lang.hashed.put(path, name, file, false);
                }
                None => {
                    super::complain(shell, io, &format!("hash: {name}: not found")).await;
                    status = 1;
                }
            }
        }
        if let Err(s) = super::out(io, &out).await {
            return s;
        }
        status
    })
}
