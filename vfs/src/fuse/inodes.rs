//! Path ↔ inode numbers for the FUSE server.
//!
//! The mount table names files by path; the kernel names them by inode.
//! Each path the kernel looks up gets a number (the served subtree is
//! [`ROOT`]) that it keeps until the kernel forgets it (its lookup count
//! drops to zero), so the table stays as small as what the kernel caches,
//! however many jobs come and go. A path forgotten and looked up again gets
//! a new number.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// The inode of the served subtree's root (FUSE's fixed root number).
pub(crate) const ROOT: u64 = 1;

struct Node {
    path: String,
    /// Lookups the kernel holds; the root is never forgotten.
    lookups: u64,
}

struct Inner {
    by_path: HashMap<String, u64>,
    nodes: HashMap<u64, Node>,
    next: u64,
}

/// The inode table. Shared by every request.
pub(crate) struct Inodes {
    inner: Mutex<Inner>,
}

impl Inodes {
    /// A table whose root inode is `root` (an absolute, normalised path).
    pub(crate) fn new(root: &str) -> Inodes {
        let mut inner = Inner {
            by_path: HashMap::new(),
            nodes: HashMap::new(),
            next: ROOT + 1,
        };
        inner.by_path.insert(root.to_string(), ROOT);
        inner.nodes.insert(
            ROOT,
            Node {
                path: root.to_string(),
                lookups: 1,
            },
        );
        Inodes {
            inner: Mutex::new(inner),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Nothing panics while holding it; recover rather than propagate a poison.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The path of `ino`, if the kernel still holds it.
    pub(crate) fn path(&self, ino: u64) -> Option<String> {
        self.lock().nodes.get(&ino).map(|n| n.path.clone())
    }

    /// The inode of `path`, counting one more kernel lookup of it.
    pub(crate) fn lookup(&self, path: &str) -> u64 {
        let mut inner = self.lock();
        if let Some(&ino) = inner.by_path.get(path) {
            if let Some(node) = inner.nodes.get_mut(&ino) {
                node.lookups = node.lookups.saturating_add(1);
            }
            return ino;
        }
        let ino = inner.next;
        inner.next += 1;
        inner.by_path.insert(path.to_string(), ino);
        inner.nodes.insert(
            ino,
            Node {
                path: path.to_string(),
                lookups: 1,
            },
        );
        ino
    }

    /// The inode of `path` if it has one, without counting a lookup (for
    /// directory listings, which the kernel does not count).
    pub(crate) fn known(&self, path: &str) -> Option<u64> {
        self.lock().by_path.get(path).copied()
    }

    /// The kernel dropped `n` lookups of `ino`; at zero it is gone.
    pub(crate) fn forget(&self, ino: u64, n: u64) {
        if ino == ROOT {
            return;
        }
        let mut inner = self.lock();
        let gone = match inner.nodes.get_mut(&ino) {
            Some(node) => {
                node.lookups = node.lookups.saturating_sub(n);
                node.lookups == 0
            }
            None => false,
        };
        if gone {
            if let Some(node) = inner.nodes.remove(&ino) {
                inner.by_path.remove(&node.path);
            }
        }
    }

    /// How many inodes are held (the root included).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().nodes.len()
    }
}

/// `parent/name` for a parent path and one component.
pub(crate) fn child(parent: &str, name: &str) -> String {
    if parent == "/" {
        format!("/{name}")
    } else {
        format!("{parent}/{name}")
    }
}

/// The parent of an absolute path (`/` for `/` itself).
pub(crate) fn parent(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &path[..i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_are_counted_and_forgotten() {
        let t = Inodes::new("/v");
        assert_eq!(t.path(ROOT).as_deref(), Some("/v"));
        let a = t.lookup("/v/jobs");
        assert_eq!(t.lookup("/v/jobs"), a);
        assert_eq!(t.known("/v/jobs"), Some(a));
        assert_eq!(t.len(), 2);
        t.forget(a, 1);
        assert_eq!(t.path(a).as_deref(), Some("/v/jobs"));
        t.forget(a, 1);
        assert_eq!(t.path(a), None);
        assert_eq!(t.known("/v/jobs"), None);
        assert_eq!(t.len(), 1);
        // A new number after being forgotten; the root stays.
        assert_ne!(t.lookup("/v/jobs"), a);
        t.forget(ROOT, 10);
        assert_eq!(t.path(ROOT).as_deref(), Some("/v"));
    }

    #[test]
    fn paths_join_and_split() {
        assert_eq!(child("/", "v"), "/v");
        assert_eq!(child("/v", "jobs"), "/v/jobs");
        assert_eq!(parent("/v/jobs"), "/v");
        assert_eq!(parent("/v"), "/");
        assert_eq!(parent("/"), "/");
    }
}
