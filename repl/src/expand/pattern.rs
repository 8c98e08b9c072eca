//! Shell patterns: `*`, `?`, `[…]` (with `!`/`^`, ranges and `[:class:]`)
//! and, with `extglob`, `?(…)`, `*(…)`, `+(…)`, `@(…)`, `!(…)`.
//!
//! A pattern is compiled from expanded text plus the byte offsets of the
//! characters that were quoted (those match literally). Without extglob the
//! matcher is the iterative star-backtracking one, O(len × pattern) at
//! worst; extglob alternatives use a recursive matcher.

/// A pattern component longer than this never matches (bounds hostile input).
const MAX_PATTERN: usize = 64 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
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
    Word,
}

impl Class {
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
            "word" => Self::Word,
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
            Self::Word => c.is_alphanumeric() || c == '_',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    Char(char),
    Range(char, char),
    Named(Class),
}

/// The kind of an extglob group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ext {
    /// `?(…)`: zero or one.
    Optional,
    /// `*(…)`: zero or more.
    Star,
    /// `+(…)`: one or more.
    Plus,
    /// `@(…)`: exactly one.
    One,
    /// `!(…)`: anything but one.
    Not,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Lit(char),
    Any,
    Star,
    Class { negated: bool, items: Vec<Item> },
    Group(Ext, Vec<Vec<Tok>>),
}

/// A compiled shell pattern: `case` arms, `[[ x == p ]]`, `${x#p}`, globs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    toks: Vec<Tok>,
    /// No special character at all: plain string comparisons.
    literal: Option<String>,
    /// Any extglob group (needs the recursive matcher).
    ext: bool,
    nocase: bool,
}

/// Which characters of a text were quoted: sorted byte offsets.
#[derive(Clone, Copy)]
pub(super) struct Quoted<'a>(pub &'a [usize]);

impl Quoted<'_> {
    pub(super) fn at(&self, offset: usize) -> bool {
        self.0.binary_search(&offset).is_ok()
    }
}

/// Characters a pattern may treat specially; quoted ones are remembered.
pub(super) fn is_special(c: char) -> bool {
    matches!(
        c,
        '*' | '?' | '[' | ']' | '\\' | '!' | '^' | '-' | '(' | ')' | '|' | '@' | '+' | '&'
    )
}

struct Compiler<'a> {
    text: &'a str,
    chars: Vec<(usize, char)>,
    quoted: Quoted<'a>,
    extglob: bool,
    ext: bool,
}

impl Compiler<'_> {
    fn unquoted(&self, i: usize, c: char) -> bool {
        self.chars
            .get(i)
            .is_some_and(|&(o, x)| x == c && !self.quoted.at(o))
    }

    fn is_quoted(&self, i: usize) -> bool {
        self.chars.get(i).is_some_and(|&(o, _)| self.quoted.at(o))
    }

    /// Compiles `chars[i..]` until the end or (inside a group) an unquoted
    /// `|` or `)`. Returns the tokens and where it stopped.
    fn seq(&mut self, mut i: usize, in_group: bool) -> (Vec<Tok>, usize) {
        let mut toks = Vec::new();
        while let Some(&(off, c)) = self.chars.get(i) {
            let q = self.quoted.at(off);
            if q {
                toks.push(Tok::Lit(c));
                i += 1;
                continue;
            }
            if in_group && (c == '|' || c == ')') {
                return (toks, i);
            }
            if self.extglob && matches!(c, '?' | '*' | '+' | '@' | '!') && self.unquoted(i + 1, '(')
            {
                if let Some((tok, next)) = self.group(i, c) {
                    toks.push(tok);
                    i = next;
                    continue;
                }
            }
            match c {
                '*' => {
                    if toks.last() != Some(&Tok::Star) {
                        toks.push(Tok::Star);
                    }
                    i += 1;
                }
                '?' => {
                    toks.push(Tok::Any);
                    i += 1;
                }
                '[' => match self.bracket(i) {
                    Some((tok, next)) => {
                        toks.push(tok);
                        i = next;
                    }
                    None => {
                        toks.push(Tok::Lit('['));
                        i += 1;
                    }
                },
                '\\' => match self.chars.get(i + 1) {
                    Some(&(_, e)) => {
                        toks.push(Tok::Lit(e));
                        i += 2;
                    }
                    None => {
                        toks.push(Tok::Lit('\\'));
                        i += 1;
                    }
                },
                _ => {
                    toks.push(Tok::Lit(c));
                    i += 1;
                }
            }
        }
        (toks, i)
    }

    /// `X(a|b…)` at `i`; `None` when the group is not closed.
    fn group(&mut self, i: usize, kind: char) -> Option<(Tok, usize)> {
        let mut alts = Vec::new();
        let mut j = i + 2;
        loop {
            let (alt, stop) = self.seq(j, true);
            alts.push(alt);
            let &(_, c) = self.chars.get(stop)?;
            j = stop + 1;
            if c == ')' {
                break;
            }
        }
        let ext = match kind {
            '?' => Ext::Optional,
            '*' => Ext::Star,
            '+' => Ext::Plus,
            '@' => Ext::One,
            _ => Ext::Not,
        };
        self.ext = true;
        Some((Tok::Group(ext, alts), j))
    }

    /// A bracket expression at `i` (`chars[i] == '['`); `None` if unclosed.
    fn bracket(&self, i: usize) -> Option<(Tok, usize)> {
        let mut j = i + 1;
        let negated = self.unquoted(j, '!') || self.unquoted(j, '^');
        if negated {
            j += 1;
        }
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let &(_, mut c) = self.chars.get(j)?;
            let q = self.is_quoted(j);
            if c == ']' && !q && !first {
                return Some((Tok::Class { negated, items }, j + 1));
            }
            first = false;
            if c == '['
                && !q
                && (self.unquoted(j + 1, ':')
                    || self.unquoted(j + 1, '=')
                    || self.unquoted(j + 1, '.'))
            {
                let delim = self.chars.get(j + 1).map_or(':', |&(_, d)| d);
                let start = j + 2;
                let mut k = start;
                while self
                    .chars
                    .get(k)
                    .is_some_and(|&(_, x)| x != delim && x != ']')
                {
                    k += 1;
                }
                if self.unquoted(k, delim) && self.unquoted(k + 1, ']') {
                    let name: String = self.chars.get(start..k)?.iter().map(|&(_, x)| x).collect();
                    if delim == ':' {
                        // An unknown class name matches nothing, as in bash.
                        match Class::from_name(&name) {
                            Some(class) => items.push(Item::Named(class)),
                            None => items.push(Item::Range('\u{1}', '\u{0}')),
                        }
                        j = k + 2;
                        continue;
                    }
                    let mut it = name.chars();
                    if let (Some(one), None) = (it.next(), it.next()) {
                        items.push(Item::Char(one));
                        j = k + 2;
                        continue;
                    }
                }
            }
            if c == '\\' && !q {
                if let Some(&(_, e)) = self.chars.get(j + 1) {
                    c = e;
                    j += 1;
                }
            }
            match (self.chars.get(j + 1), self.chars.get(j + 2)) {
                (Some(&(o, '-')), Some(&(eo, end)))
                    if !self.quoted.at(o) && (end != ']' || self.quoted.at(eo)) =>
                {
                    items.push(Item::Range(c, end));
                    j += 3;
                }
                _ => {
                    items.push(Item::Char(c));
                    j += 1;
                }
            }
        }
    }
}

impl Pattern {
    /// Compiles `text`, whose characters at the byte offsets in `quoted`
    /// were quoted (they match themselves).
    pub(super) fn compile(text: &str, quoted: Quoted<'_>, extglob: bool, nocase: bool) -> Pattern {
        let special = text.char_indices().any(|(o, c)| {
            (matches!(c, '*' | '?' | '[' | '\\') || (extglob && c == '(')) && !quoted.at(o)
        });
        if !special && !nocase {
            return Pattern::literal(text);
        }
        if text.len() > MAX_PATTERN {
            // Too long to be a real pattern: it matches nothing.
            return Pattern {
                toks: vec![Tok::Class {
                    negated: false,
                    items: Vec::new(),
                }],
                literal: None,
                ext: false,
                nocase,
            };
        }
        let mut c = Compiler {
            text,
            chars: text.char_indices().collect(),
            quoted,
            extglob,
            ext: false,
        };
        let (toks, _) = c.seq(0, false);
        let _ = c.text;
        let literal = if nocase || c.ext {
            None
        } else {
            toks.iter()
                .map(|t| match t {
                    Tok::Lit(ch) => Some(*ch),
                    _ => None,
                })
                .collect::<Option<String>>()
        };
        Pattern {
            toks,
            literal,
            ext: c.ext,
            nocase,
        }
    }

    /// `text` as a pattern, a backslash quoting the next character
    /// (`compgen -X`).
    #[must_use]
    pub fn from_text(text: &str, extglob: bool) -> Pattern {
        Pattern::compile(text, Quoted(&[]), extglob, false)
    }

    /// A pattern matching exactly `text`.
    #[must_use]
    pub fn literal(text: &str) -> Pattern {
        Pattern {
            toks: text.chars().map(Tok::Lit).collect(),
            literal: Some(text.to_owned()),
            ext: false,
            nocase: false,
        }
    }

    /// Whether the pattern has no special character (it matches only itself).
    #[must_use]
    pub fn is_literal(&self) -> bool {
        self.literal.is_some()
    }

    /// The text a literal pattern matches (empty for other patterns).
    pub(super) fn literal_text(&self) -> &str {
        self.literal.as_deref().unwrap_or("")
    }

    /// Whether the pattern is empty (matches only the empty string).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Whether the pattern starts with a literal `.` (it may match hidden files).
    pub(super) fn starts_with_dot(&self) -> bool {
        matches!(self.toks.first(), Some(Tok::Lit('.')))
    }

    /// Whether the whole of `text` matches.
    #[must_use]
    pub fn matches(&self, text: &str) -> bool {
        if let Some(l) = &self.literal {
            return l == text;
        }
        if self.ext {
            return match_rec(&self.toks, text, self.nocase);
        }
        match_iter(&self.toks, text, self.nocase)
    }

    /// The length in bytes of the shortest (or longest) prefix of `text`
    /// that matches, if any (`${x#p}`, `${x##p}`).
    #[must_use]
    pub fn match_prefix(&self, text: &str, longest: bool) -> Option<usize> {
        if let Some(l) = &self.literal {
            return text.starts_with(l.as_str()).then_some(l.len());
        }
        let ends = boundaries(text);
        if longest {
            ends.rev().find(|&e| self.matches(&text[..e]))
        } else {
            ends.into_iter().find(|&e| self.matches(&text[..e]))
        }
    }

    /// The byte offset where the shortest (or longest) matching suffix of
    /// `text` starts, if any (`${x%p}`, `${x%%p}`).
    #[must_use]
    pub fn match_suffix(&self, text: &str, longest: bool) -> Option<usize> {
        if let Some(l) = &self.literal {
            return text.ends_with(l.as_str()).then(|| text.len() - l.len());
        }
        let starts = boundaries(text);
        if longest {
            starts.into_iter().find(|&s| self.matches(&text[s..]))
        } else {
            starts.rev().find(|&s| self.matches(&text[s..]))
        }
    }

    /// The first (leftmost, then longest) match in `text` at or after byte
    /// `from`: `(start, end)`. Empty matches count only when `allow_empty`.
    pub(super) fn find(
        &self,
        text: &str,
        from: usize,
        allow_empty: bool,
    ) -> Option<(usize, usize)> {
        if let Some(l) = &self.literal {
            if l.is_empty() {
                return allow_empty.then_some((from, from));
            }
            return text
                .get(from..)
                .and_then(|rest| rest.find(l.as_str()))
                .map(|i| (from + i, from + i + l.len()));
        }
        let all = boundaries(text);
        for s in all.clone().filter(|&s| s >= from) {
            let found = all
                .clone()
                .rev()
                .take_while(|&e| e >= s)
                .filter(|&e| allow_empty || e > s)
                .find(|&e| self.matches(&text[s..e]));
            if let Some(e) = found {
                return Some((s, e));
            }
        }
        None
    }

    /// Whether one character matches (for `${x^^p}`).
    pub(super) fn matches_char(&self, c: char) -> bool {
        let mut buf = [0u8; 4];
        self.matches(c.encode_utf8(&mut buf))
    }
}

/// Every char boundary of `text`, 0 and `len` included, ascending.
fn boundaries(text: &str) -> Boundaries<'_> {
    Boundaries {
        text,
        front: 0,
        back: text.len(),
        done: false,
    }
}

#[derive(Clone)]
struct Boundaries<'a> {
    text: &'a str,
    front: usize,
    back: usize,
    done: bool,
}

impl Iterator for Boundaries<'_> {
    type Item = usize;
    fn next(&mut self) -> Option<usize> {
        if self.done {
            return None;
        }
        let at = self.front;
        if at == self.back {
            self.done = true;
        } else {
            self.front += self.text[at..].chars().next().map_or(1, char::len_utf8);
        }
        Some(at)
    }
}

impl DoubleEndedIterator for Boundaries<'_> {
    fn next_back(&mut self) -> Option<usize> {
        if self.done {
            return None;
        }
        let at = self.back;
        if at == self.front {
            self.done = true;
        } else {
            self.back -= self.text[..at]
                .chars()
                .next_back()
                .map_or(1, char::len_utf8);
        }
        Some(at)
    }
}

fn fold(c: char, nocase: bool) -> char {
    if nocase {
        c.to_lowercase().next().unwrap_or(c)
    } else {
        c
    }
}

impl Tok {
    fn matches_char(&self, c: char, nocase: bool) -> bool {
        match self {
            Tok::Lit(l) => *l == c || (nocase && fold(*l, true) == fold(c, true)),
            Tok::Any => true,
            Tok::Star | Tok::Group(..) => false,
            Tok::Class { negated, items } => {
                let hit = |c: char| {
                    items.iter().any(|item| match item {
                        Item::Char(x) => *x == c,
                        Item::Range(a, b) => *a <= c && c <= *b,
                        Item::Named(n) => n.contains(c),
                    })
                };
                let found = hit(c)
                    || (nocase && (hit(fold(c, true)) || c.to_uppercase().next().is_some_and(hit)));
                found != *negated
            }
        }
    }
}

/// Whole-string match without groups: iterative, one star remembered.
fn match_iter(toks: &[Tok], text: &str, nocase: bool) -> bool {
    let (mut p, mut i) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while i < text.len() {
        let c = text[i..].chars().next().unwrap_or('\0');
        match toks.get(p) {
            Some(Tok::Star) => {
                star = Some((p, i));
                p += 1;
                continue;
            }
            Some(t) if t.matches_char(c, nocase) => {
                p += 1;
                i += c.len_utf8();
                continue;
            }
            _ => {}
        }
        match star {
            Some((sp, si)) => {
                let next = si + text[si..].chars().next().map_or(1, char::len_utf8);
                star = Some((sp, next));
                p = sp + 1;
                i = next;
            }
            None => return false,
        }
    }
    toks[p.min(toks.len())..].iter().all(|t| *t == Tok::Star)
}

/// Whole-string match with extglob groups: recursive backtracking.
fn match_rec(toks: &[Tok], text: &str, nocase: bool) -> bool {
    let Some((first, rest)) = toks.split_first() else {
        return text.is_empty();
    };
    match first {
        Tok::Star => boundaries(text).any(|e| match_rec(rest, &text[e..], nocase)),
        Tok::Group(kind, alts) => {
            let one = |s: &str| alts.iter().any(|a| match_rec(a, s, nocase));
            boundaries(text).any(|e| {
                let (head, tail) = text.split_at(e);
                let head_ok = match kind {
                    Ext::One => one(head),
                    Ext::Optional => head.is_empty() || one(head),
                    Ext::Not => !one(head),
                    Ext::Star => head.is_empty() || repeat(alts, head, nocase),
                    Ext::Plus => repeat(alts, head, nocase),
                };
                head_ok && match_rec(rest, tail, nocase)
            })
        }
        t => match text.chars().next() {
            Some(c) if t.matches_char(c, nocase) => match_rec(rest, &text[c.len_utf8()..], nocase),
            _ => false,
        },
    }
}

/// Whether non-empty `text` is a concatenation of one or more alternatives.
fn repeat(alts: &[Vec<Tok>], text: &str, nocase: bool) -> bool {
    boundaries(text).skip(1).any(|e| {
        let (head, tail) = text.split_at(e);
        alts.iter().any(|a| match_rec(a, head, nocase))
            && (tail.is_empty() || repeat(alts, tail, nocase))
    })
}
