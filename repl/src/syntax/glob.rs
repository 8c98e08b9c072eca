//! Pathname expansion (globbing) of expanded fields.
//!
//! A field is a sequence of `(char, quoted)`. Only unquoted `*`, `?` and
//! `[…]` are special. Components are matched one at a time against directory
//! listings obtained from [`ExpandContext::read_dir`].

use std::path::PathBuf;

use super::ast::WordPart;
use super::expand::{ExpandContext, PathKind};

/// A component pattern longer than this (in chars) never matches: no file
/// name is that long, and it bounds the work done on hostile input.
const MAX_COMPONENT: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NamedClass {
    Alpha,
    Digit,
    Alnum,
    Upper,
    Lower,
    Space,
    Blank,
    Punct,
    Xdigit,
    Cntrl,
    Graph,
    Print,
}

impl NamedClass {
    fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "alpha" => Self::Alpha,
            "digit" => Self::Digit,
            "alnum" => Self::Alnum,
            "upper" => Self::Upper,
            "lower" => Self::Lower,
            "space" => Self::Space,
            "blank" => Self::Blank,
            "punct" => Self::Punct,
            "xdigit" => Self::Xdigit,
            "cntrl" => Self::Cntrl,
            "graph" => Self::Graph,
            "print" => Self::Print,
            _ => return None,
        })
    }

    fn contains(self, c: char) -> bool {
        match self {
            Self::Alpha => c.is_alphabetic(),
            Self::Digit => c.is_ascii_digit(),
            Self::Alnum => c.is_alphanumeric(),
            Self::Upper => c.is_uppercase(),
            Self::Lower => c.is_lowercase(),
            Self::Space => c.is_whitespace(),
            Self::Blank => c == ' ' || c == '\t',
            Self::Punct => c.is_ascii_punctuation(),
            Self::Xdigit => c.is_ascii_hexdigit(),
            Self::Cntrl => c.is_control(),
            Self::Graph => !c.is_control() && !c.is_whitespace(),
            Self::Print => !c.is_control(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ClassItem {
    Char(char),
    Range(char, char),
    Named(NamedClass),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,
    Star,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
}

impl Tok {
    fn matches(&self, c: char) -> bool {
        match self {
            Tok::Lit(l) => *l == c,
            Tok::Any => true,
            Tok::Star => false,
            Tok::Class { negated, items } => {
                let hit = items.iter().any(|item| match item {
                    ClassItem::Char(x) => *x == c,
                    ClassItem::Range(a, b) => *a <= c && c <= *b,
                    ClassItem::Named(n) => n.contains(c),
                });
                hit != *negated
            }
        }
    }
}

/// The result of compiling one path component.
enum Compiled {
    /// No unquoted pattern character: the component is this literal name.
    Literal(String),
    /// A pattern.
    Pattern(Vec<Tok>),
    /// A pattern too long to match anything.
    Hopeless,
}

fn unquoted(comp: &[(char, bool)], i: usize, c: char) -> bool {
    comp.get(i) == Some(&(c, false))
}

/// Parses a bracket expression starting at `comp[i] == '['`. Returns the
/// class and the index after the closing `]`, or `None` if it is not closed.
fn bracket(comp: &[(char, bool)], i: usize) -> Option<(Tok, usize)> {
    let mut j = i + 1;
    let negated = unquoted(comp, j, '!') || unquoted(comp, j, '^');
    if negated {
        j += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let &(c, q) = comp.get(j)?;
        if c == ']' && !q && !first {
            return Some((Tok::Class { negated, items }, j + 1));
        }
        first = false;
        if c == '[' && !q && unquoted(comp, j + 1, ':') {
            // [:name:]
            let start = j + 2;
            let mut k = start;
            while comp.get(k).is_some_and(|&(c, _)| c.is_ascii_lowercase()) {
                k += 1;
            }
            if unquoted(comp, k, ':') && unquoted(comp, k + 1, ']') {
                let name: String = comp.get(start..k)?.iter().map(|&(c, _)| c).collect();
                if let Some(class) = NamedClass::from_name(&name) {
                    items.push(ClassItem::Named(class));
                    j = k + 2;
                    continue;
                }
            }
        }
        match (comp.get(j + 1), comp.get(j + 2)) {
            (Some(&('-', false)), Some(&(end, end_q))) if end != ']' || end_q => {
                items.push(ClassItem::Range(c, end));
                j += 3;
            }
            _ => {
                items.push(ClassItem::Char(c));
                j += 1;
            }
        }
    }
}

fn compile(comp: &[(char, bool)]) -> Compiled {
    let has_meta = comp
        .iter()
        .any(|&(c, q)| !q && matches!(c, '*' | '?' | '['));
    if !has_meta {
        return Compiled::Literal(comp.iter().map(|&(c, _)| c).collect());
    }
    if comp.len() > MAX_COMPONENT {
        return Compiled::Hopeless;
    }
    let mut toks = Vec::with_capacity(comp.len());
    let mut active = false;
    let mut i = 0;
    while let Some(&(c, q)) = comp.get(i) {
        i += 1;
        if q {
            toks.push(Tok::Lit(c));
            continue;
        }
        match c {
            '*' => {
                active = true;
                if toks.last() != Some(&Tok::Star) {
                    toks.push(Tok::Star);
                }
            }
            '?' => {
                active = true;
                toks.push(Tok::Any);
            }
            '[' => match bracket(comp, i - 1) {
                Some((class, next)) => {
                    active = true;
                    toks.push(class);
                    i = next;
                }
                None => toks.push(Tok::Lit('[')),
            },
            // An unquoted backslash can only come from a variable's value;
            // as in bash it quotes the next pattern character.
            '\\' => match comp.get(i) {
                Some(&(e, _)) => {
                    toks.push(Tok::Lit(e));
                    i += 1;
                }
                None => toks.push(Tok::Lit('\\')),
            },
            _ => toks.push(Tok::Lit(c)),
        }
    }
    if active {
        Compiled::Pattern(toks)
    } else {
        Compiled::Literal(comp.iter().map(|&(c, _)| c).collect())
    }
}

/// Matches `name` against `toks` (iterative, with single-star backtracking:
/// O(len(name) × len(pattern)) at worst).
fn matches(toks: &[Tok], name: &[char]) -> bool {
    let fixed = toks.iter().filter(|t| **t != Tok::Star).count();
    if fixed > name.len() {
        return false;
    }
    let (mut p, mut s) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while s < name.len() {
        let tok = toks.get(p);
        if let (Some(t), Some(&c)) = (tok, name.get(s)) {
            if t.matches(c) {
                p += 1;
                s += 1;
                continue;
            }
        }
        if tok == Some(&Tok::Star) {
            star = Some((p, s));
            p += 1;
        } else if let Some((sp, ss)) = star {
            p = sp + 1;
            s = ss + 1;
            star = Some((sp, ss + 1));
        } else {
            return false;
        }
    }
    while toks.get(p) == Some(&Tok::Star) {
        p += 1;
    }
    p == toks.len()
}

/// True if the literal parts of `parts` contain an unquoted glob pattern.
pub(crate) fn has_unquoted_pattern(parts: &[WordPart]) -> bool {
    let mut field = Vec::new();
    for part in parts {
        if let WordPart::Literal { text, quoted } = part {
            field.extend(text.chars().map(|c| (c, *quoted)));
        }
    }
    field
        .split(|&(c, _)| c == '/')
        .any(|comp| !matches!(compile(comp), Compiled::Literal(_)))
}

/// Expands `field` as a pathname pattern. `None` if it is not a pattern;
/// otherwise the matches, sorted (possibly none).
pub(crate) fn glob(field: &[(char, bool)], ctx: &dyn ExpandContext) -> Option<Vec<String>> {
    if !field
        .iter()
        .any(|&(c, q)| !q && matches!(c, '*' | '?' | '['))
    {
        return None;
    }
    let comps: Vec<Compiled> = field.split(|&(c, _)| c == '/').map(compile).collect();
    if comps.iter().all(|c| matches!(c, Compiled::Literal(_))) {
        return None;
    }
    let absolute = field.first().is_some_and(|&(c, _)| c == '/');
    let base = if absolute {
        PathBuf::from("/")
    } else {
        ctx.cwd()
    };
    let mut cands: Vec<String> = vec![String::new()];
    for (idx, comp) in comps.iter().enumerate() {
        let mut next = Vec::new();
        for cand in &cands {
            let prefix = if idx == 0 {
                String::new()
            } else {
                format!("{cand}/")
            };
            match comp {
                Compiled::Literal(name) => next.push(format!("{prefix}{name}")),
                Compiled::Hopeless => {}
                Compiled::Pattern(toks) => {
                    let dir = if cand.is_empty() {
                        base.clone()
                    } else {
                        base.join(cand)
                    };
                    let dot_ok = toks.first() == Some(&Tok::Lit('.'));
                    for name in ctx.read_dir(&dir) {
                        if name.starts_with('.') && !dot_ok {
                            continue;
                        }
                        let chars: Vec<char> = name.chars().collect();
                        if matches(toks, &chars) {
                            next.push(format!("{prefix}{name}"));
                        }
                    }
                }
            }
        }
        cands = next;
        if cands.is_empty() {
            return Some(Vec::new());
        }
    }
    // A literal last component (`*/Cargo.toml`, `*/`) must exist.
    if let Some(Compiled::Literal(last)) = comps.last() {
        let want_dir = last.is_empty();
        cands.retain(|c| {
            let kind = ctx.path_kind(&base.join(c));
            if want_dir {
                kind == Some(PathKind::Directory)
            } else {
                kind.is_some()
            }
        });
    }
    cands.sort();
    cands.dedup();
    Some(cands)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Vec<Tok> {
        let comp: Vec<(char, bool)> = s.chars().map(|c| (c, false)).collect();
        match compile(&comp) {
            Compiled::Pattern(t) => t,
            Compiled::Literal(l) => l.chars().map(Tok::Lit).collect(),
            Compiled::Hopeless => Vec::new(),
        }
    }

    fn m(p: &str, name: &str) -> bool {
        matches(&pat(p), &name.chars().collect::<Vec<_>>())
    }

    #[test]
    fn star_and_question() {
        assert!(m("*", "abc"));
        assert!(m("*", ""));
        assert!(m("a*c", "abbbc"));
        assert!(m("a*c", "ac"));
        assert!(!m("a*c", "acb"));
        assert!(m("?b?", "abc"));
        assert!(!m("?b?", "abcd"));
        assert!(m("*.rs", "main.rs"));
        assert!(m("**a**b", "xxaxxb"));
        assert!(m("é*", "été"));
    }

    #[test]
    fn brackets() {
        assert!(m("[abc]x", "bx"));
        assert!(!m("[abc]x", "dx"));
        assert!(m("[a-c]", "b"));
        assert!(!m("[!a-c]", "b"));
        assert!(m("[^a-c]", "d"));
        assert!(m("[]]", "]"));
        assert!(m("[!]]", "a"));
        assert!(m("[a-]", "-"));
        assert!(m("[[:digit:]]x", "7x"));
        assert!(!m("[[:digit:]]x", "ax"));
        assert!(m("[[:upper:][:digit:]]", "Q"));
        // Unclosed bracket: a literal '['.
        assert!(m("[ab", "[ab"));
        assert!(!m("[ab", "a"));
    }

    #[test]
    fn quoted_meta_is_literal() {
        let comp = vec![('*', true), ('.', false), ('r', false)];
        assert!(matches!(compile(&comp), Compiled::Literal(_)));
        let comp = vec![('a', false), ('*', false), ('?', true)];
        let Compiled::Pattern(toks) = compile(&comp) else {
            panic!("expected a pattern");
        };
        assert!(matches(&toks, &['a', 'b', '?']));
        assert!(!matches(&toks, &['a', 'b', 'c']));
    }

    #[test]
    fn long_patterns_are_fast() {
        let p: String = "*a".repeat(2000);
        let name: Vec<char> = "a".repeat(200).chars().collect();
        assert!(!matches(&pat(&p), &name));
        let p: String = "[".repeat(100_000);
        let comp: Vec<(char, bool)> = p.chars().map(|c| (c, false)).collect();
        assert!(matches!(compile(&comp), Compiled::Hopeless));
    }
}
