//! Alias expansion (interactive shells, as bash): the first word of a
//! simple command that names an alias is replaced by its text, and the line
//! is parsed again. Each alias expands once per line, so `alias ls='ls -F'`
//! does not recurse.

use std::collections::HashSet;

use crate::lang::ast::{Command, CompoundKind, List};
use crate::shell::Shell;

/// How many rounds of expansion one line gets.
const ROUNDS: usize = 16;

impl Shell {
    /// `src` with its aliases expanded (unchanged when none applies).
    pub(crate) fn expand_aliases(&self, src: &str) -> String {
        let mut text = src.to_string();
        let mut used: HashSet<String> = HashSet::new();
        for _ in 0..ROUNDS {
            let Ok(program) = crate::lang::parse(&text) else {
                return text;
            };
            let mut words = Vec::new();
            first_words(&program.body, &mut words);
            let mut hits: Vec<(usize, usize, String, String)> = words
                .into_iter()
                .filter(|(_, _, name)| !used.contains(name))
                .filter_map(|(start, end, name)| {
                    let value = self.env.lang.aliases.get(&name)?;
                    Some((start, end, name, value.clone()))
                })
                .collect();
            if hits.is_empty() {
                return text;
            }
            hits.sort_by_key(|h| std::cmp::Reverse(h.0));
            for (start, end, name, value) in hits {
                if text.get(start..end) == Some(name.as_str()) {
                    text.replace_range(start..end, &value);
                }
                used.insert(name);
            }
        }
        text
    }
}

/// (start, end, text) of every simple command's first word, when it is a
/// plain unquoted word.
fn first_words(list: &List, out: &mut Vec<(usize, usize, String)>) {
    for item in &list.items {
        let a = &item.and_or;
        for p in std::iter::once(&a.first).chain(a.rest.iter().map(|(_, p)| p)) {
            for c in &p.commands {
                command(c, out);
            }
        }
    }
}

fn command(c: &Command, out: &mut Vec<(usize, usize, String)>) {
    match c {
        Command::Simple(s) => {
            if let Some(w) = s.words.first() {
                if w.literal().as_deref() == Some(w.raw.as_str()) {
                    out.push((w.span.start.offset, w.span.end.offset, w.raw.clone()));
                }
            }
        }
        Command::Function(f) => command(&f.body, out),
        Command::Compound(cc, _) => match &cc.kind {
            CompoundKind::Brace(l) | CompoundKind::Subshell(l) => first_words(l, out),
            CompoundKind::If {
                branches,
                otherwise,
            } => {
                for (c, b) in branches {
                    first_words(c, out);
                    first_words(b, out);
                }
                if let Some(o) = otherwise {
                    first_words(o, out);
                }
            }
            CompoundKind::For { body, .. } | CompoundKind::ArithFor { body, .. } => {
                first_words(body, out);
            }
            CompoundKind::While { cond, body } | CompoundKind::Until { cond, body } => {
                first_words(cond, out);
                first_words(body, out);
            }
            CompoundKind::Case { arms, .. } => {
                for arm in arms {
                    first_words(&arm.body, out);
                }
            }
            CompoundKind::Cond(_) | CompoundKind::Arith(_) => {}
        },
    }
}
