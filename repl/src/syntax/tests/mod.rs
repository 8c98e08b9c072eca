//! Tests for the syntax module.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::*;

mod error_tests;
mod expand_tests;
mod parse_tests;
mod prop_tests;

/// Parses `src`, panicking on error.
pub(super) fn p(src: &str) -> List {
    match parse(src) {
        Ok(l) => l,
        Err(e) => panic!("parse of {src:?} failed: {e}"),
    }
}

/// Parses `src`, panicking if it succeeds.
pub(super) fn perr(src: &str) -> SyntaxError {
    match parse(src) {
        Ok(l) => panic!("parse of {src:?} unexpectedly succeeded: {l}"),
        Err(e) => e,
    }
}

/// The canonical printed form of `src`'s tree.
pub(super) fn canon(src: &str) -> String {
    p(src).to_string()
}

/// The only simple command of `src`.
pub(super) fn simple(src: &str) -> SimpleCommand {
    let list = p(src);
    assert_eq!(list.items.len(), 1, "{src:?}");
    let item = &list.items[0];
    assert!(item.and_or.rest.is_empty());
    assert_eq!(item.and_or.first.commands.len(), 1);
    match &item.and_or.first.commands[0] {
        Command::Simple(s) => s.clone(),
        Command::Group(g) => panic!("expected a simple command, got {g}"),
    }
}

/// The first word of `src`'s only simple command.
pub(super) fn word(src: &str) -> Word {
    simple(src).words[0].clone()
}

/// An in-memory context: variables, HOME, cwd and a tiny filesystem.
pub(super) struct TestCtx {
    pub vars: HashMap<String, String>,
    pub home: Option<String>,
    pub cwd: PathBuf,
    /// directory → entries (name, is_dir)
    pub fs: HashMap<PathBuf, Vec<(String, bool)>>,
}

impl TestCtx {
    pub fn new() -> Self {
        let mut fs = HashMap::new();
        let e = |n: &str, d: bool| (n.to_string(), d);
        fs.insert(
            PathBuf::from("/w"),
            vec![
                e("a.rs", false),
                e("b.rs", false),
                e("c.txt", false),
                e(".hidden.rs", false),
                e("src", true),
                e("docs", true),
                e("Ünï.rs", false),
            ],
        );
        fs.insert(
            PathBuf::from("/w/src"),
            vec![e("main.rs", false), e("lib.rs", false), e("x", true)],
        );
        fs.insert(PathBuf::from("/w/docs"), vec![e("lib.rs", false)]);
        fs.insert(PathBuf::from("/w/src/x"), vec![]);
        fs.insert(PathBuf::from("/"), vec![e("w", true), e("etc", true)]);
        fs.insert(
            PathBuf::from("/etc"),
            vec![e("hosts", false), e("passwd", false)],
        );
        let mut vars = HashMap::new();
        for (k, v) in [
            ("X", "hello"),
            ("SP", "a b  c"),
            ("LEAD", "  lead"),
            ("TRAIL", "trail  "),
            ("EMPTY", ""),
            ("BLANK", "   "),
            ("STAR", "*.rs"),
            ("?", "3"),
            ("!", "4242"),
            ("$", "100"),
            ("0", "corral"),
            ("1", "one"),
            ("10", "ten"),
            ("NL", "x\ny"),
        ] {
            vars.insert(k.to_string(), v.to_string());
        }
        TestCtx {
            vars,
            home: Some("/home/me".to_string()),
            cwd: PathBuf::from("/w"),
            fs,
        }
    }

    fn normalize(p: &Path) -> PathBuf {
        let s = p.to_string_lossy();
        let t = s.trim_end_matches('/');
        PathBuf::from(if t.is_empty() { "/" } else { t })
    }
}

impl ExpandContext for TestCtx {
    fn var(&self, name: &str) -> Option<String> {
        self.vars.get(name).cloned()
    }
    fn home(&self) -> Option<String> {
        self.home.clone()
    }
    fn cwd(&self) -> PathBuf {
        self.cwd.clone()
    }
    fn read_dir(&self, dir: &Path) -> Vec<String> {
        self.fs
            .get(&Self::normalize(dir))
            .map(|v| v.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default()
    }
    fn path_kind(&self, path: &Path) -> Option<PathKind> {
        let path = Self::normalize(path);
        if self.fs.contains_key(&path) {
            return Some(PathKind::Directory);
        }
        let parent = path.parent()?;
        let name = path.file_name()?.to_str()?;
        let entries = self.fs.get(parent)?;
        entries.iter().find(|(n, _)| n == name).map(|(_, d)| {
            if *d {
                PathKind::Directory
            } else {
                PathKind::Other
            }
        })
    }
}

/// Expands the first word of `src` with [`TestCtx`].
pub(super) fn ex(src: &str) -> Vec<String> {
    expand_word(&word(src), &TestCtx::new())
}

/// Expands all words of `src`'s only simple command.
pub(super) fn argv(src: &str) -> Vec<String> {
    expand_words(&simple(src).words, &TestCtx::new())
}
