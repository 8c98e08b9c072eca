//! History expansion, as bash (readline's `history_expand`) does it on an
//! interactive line before the line is parsed.
//!
//! The model: a line is scanned once. Outside single quotes, an unescaped
//! `!` starts an *event* (`!!`, `!N`, `!-N`, `!prefix`, `!?text?`, `!#`),
//! optionally followed by a *word designator* (`:N`, `:x-y`, `^`, `$`, `*`,
//! `%`) and *modifiers* (`:h :t :r :e :p :q :x :s/old/new/ :& :g…`). A line
//! starting with `^old^new^` is `!!:s^old^new^`. The event is looked up in
//! the history (oldest first, numbered from 1), its words taken as bash's
//! history tokenizer splits them. The result replaces the designator text.
//!
//! A `!` is literal before a blank, `=` or `(`, at the end of the line,
//! before the closing `"` of a double-quoted string, in `$!` and `${!…}`,
//! and in a bracket pattern `[!…]`, as in bash. Any failure expands nothing
//! and carries bash's message. Pure: no shell state is read.

/// What expanding a line gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expansion {
    /// No history reference in the line: run it as typed.
    Unchanged,
    /// The expanded line: it is echoed, stored in the history, and run
    /// unless `print_only` (a `:p` modifier), as bash does.
    Expanded {
        /// The line after expansion.
        line: String,
        /// A `:p` modifier: show and store the line, run nothing.
        print_only: bool,
    },
}

/// Why a line could not be expanded; nothing runs (bash's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistError {
    /// No event matches (`!nope: event not found`).
    #[error("{0}: event not found")]
    EventNotFound(String),
    /// A word designator beyond the event's words (`:9: bad word specifier`).
    #[error("{0}: bad word specifier")]
    BadWordSpecifier(String),
    /// `:s` or `^old^new` found nothing to replace.
    #[error("{0}: substitution failed")]
    SubstitutionFailed(String),
    /// An unknown `:x` modifier.
    #[error("{0}: unrecognized history modifier")]
    BadModifier(String),
}

/// Expands the history references in `line` against `history` (oldest first).
///
/// # Errors
/// [`HistError`] with bash's message when an event, a word or a
/// substitution is not found.
pub fn expand(line: &str, history: &[String]) -> Result<Expansion, HistError> {
    if !line.contains('!') && !line.starts_with('^') {
        return Ok(Expansion::Unchanged);
    }
    let mut x = Expander {
        chars: line.chars().collect(),
        history,
        out: String::with_capacity(line.len()),
        changed: false,
        print_only: false,
        last_search: None,
        subst: None,
    };
    x.run()?;
    Ok(if x.changed {
        Expansion::Expanded {
            line: x.out,
            print_only: x.print_only,
        }
    } else {
        Expansion::Unchanged
    })
}

struct Expander<'a> {
    chars: Vec<char>,
    history: &'a [String],
    out: String,
    changed: bool,
    print_only: bool,
    /// The text of the last `!?text?` search (for the `%` designator).
    last_search: Option<String>,
    /// The last `:s` pair (for `:&` and an empty `old`).
    subst: Option<(String, String)>,
}

impl Expander<'_> {
    fn text(&self, from: usize, to: usize) -> String {
        self.chars[from..to.min(self.chars.len())].iter().collect()
    }

    fn run(&mut self) -> Result<(), HistError> {
        let mut i = 0;
        if self.chars.first() == Some(&'^') {
            i = self.quick_substitution()?;
        }
        let (mut single, mut double) = (false, false);
        while let Some(&c) = self.chars.get(i) {
            match c {
                '\\' if !single => {
                    self.out.push(c);
                    if let Some(&n) = self.chars.get(i + 1) {
                        self.out.push(n);
                    }
                    i += 2;
                    continue;
                }
                '\'' if !double => single = !single,
                '"' if !single => double = !double,
                '!' if !single && self.expands_at(i, double) => {
                    i = self.reference(i, double)?;
                    continue;
                }
                _ => {}
            }
            self.out.push(c);
            i += 1;
        }
        Ok(())
    }

    /// Whether the `!` at `i` starts a history reference.
    fn expands_at(&self, i: usize, double: bool) -> bool {
        let next = self.chars.get(i + 1).copied();
        let prev = i.checked_sub(1).and_then(|p| self.chars.get(p)).copied();
        match next {
            None | Some(' ' | '\t' | '\n' | '\r' | '=' | '(') => return false,
            Some('"') if double => return false,
            _ => {}
        }
        if prev == Some('$') {
            return false;
        }
        if prev == Some('{') && i >= 2 && self.chars.get(i - 2) == Some(&'$') {
            return false;
        }
        if prev == Some('[') && self.chars[i + 1..].contains(&']') {
            return false;
        }
        true
    }

    /// `^old^new^…` at the start of the line: `!!:s^old^new^…`.
    fn quick_substitution(&mut self) -> Result<usize, HistError> {
        let (old, new, end) = self.delimited(1, '^');
        let shown = format!(":s{}", self.text(0, end));
        let event = self.event_line(self.history.len(), "!!")?;
        let old = if old.is_empty() {
            match &self.subst {
                Some((o, _)) => o.clone(),
                None => return Err(HistError::SubstitutionFailed(shown)),
            }
        } else {
            old
        };
        let Some(replaced) = substitute(&event, &old, &new, false) else {
            return Err(HistError::SubstitutionFailed(shown));
        };
        self.subst = Some((old, new));
        self.out.push_str(&replaced);
        self.changed = true;
        Ok(end)
    }

    /// Reads `old<d>new[<d>]` starting at `from`; returns (old, new, end).
    /// `\<d>` stands for the delimiter itself.
    fn delimited(&self, from: usize, d: char) -> (String, String, usize) {
        let mut parts = [String::new(), String::new()];
        let mut i = from;
        for part in &mut parts {
            while let Some(&c) = self.chars.get(i) {
                if c == d {
                    break;
                }
                if c == '\\' && self.chars.get(i + 1) == Some(&d) {
                    part.push(d);
                    i += 2;
                    continue;
                }
                if c == '\n' {
                    break;
                }
                part.push(c);
                i += 1;
            }
            if self.chars.get(i) == Some(&d) {
                i += 1;
            }
        }
        let [old, new] = parts;
        (old, new, i)
    }

    /// Expands the reference whose `!` is at `start`; returns where the line goes on.
    fn reference(&mut self, start: usize, double: bool) -> Result<usize, HistError> {
        let mut i = start + 1;
        let len = self.history.len();
        // (event index, shown text); `None` index: the line so far (`!#`).
        let (index, shown): (Option<usize>, String) = match self.chars.get(i).copied() {
            Some('!') => {
                i += 1;
                (Some(len), "!!".into())
            }
            Some('#') => {
                i += 1;
                (None, "!#".into())
            }
            Some(':' | '^' | '$' | '*' | '%') => (Some(len), "!".into()),
            Some(c) if c.is_ascii_digit() || c == '-' => {
                let neg = c == '-';
                let from = if neg { i + 1 } else { i };
                let mut j = from;
                while self.chars.get(j).is_some_and(char::is_ascii_digit) {
                    j += 1;
                }
                if j == from {
                    // `!-` alone: a prefix search for `-`.
                    return self.prefix_event(start, double);
                }
                let n: usize = self.text(from, j).parse().unwrap_or(usize::MAX);
                i = j;
                let shown = self.text(start, j);
                let index = if neg {
                    len.checked_sub(n).map(|k| k + 1)
                } else {
                    Some(n).filter(|&n| n >= 1 && n <= len)
                };
                match index {
                    Some(k) if k >= 1 => (Some(k), shown),
                    _ => return Err(HistError::EventNotFound(shown)),
                }
            }
            Some('?') => {
                let mut j = i + 1;
                while self.chars.get(j).is_some_and(|&c| c != '?' && c != '\n') {
                    j += 1;
                }
                let needle = self.text(i + 1, j);
                let closed = self.chars.get(j) == Some(&'?');
                let end = if closed { j + 1 } else { j };
                let shown = self.text(start, end);
                i = end;
                let found = self
                    .history
                    .iter()
                    .rposition(|h| !needle.is_empty() && h.contains(&needle));
                self.last_search = Some(needle);
                match found {
                    Some(k) => (Some(k + 1), shown),
                    None => return Err(HistError::EventNotFound(shown)),
                }
            }
            _ => return self.prefix_event(start, double),
        };
        self.finish(i, index, shown)
    }

    /// `!prefix`: the most recent line starting with `prefix`.
    fn prefix_event(&mut self, start: usize, double: bool) -> Result<usize, HistError> {
        let mut j = start + 1;
        while let Some(&c) = self.chars.get(j) {
            let ends = c.is_whitespace()
                || c == ':'
                || "^$*%".contains(c)
                || (c == '-' && j > start + 1)
                || ";&()|<>".contains(c)
                || (double && c == '"');
            if ends {
                break;
            }
            j += 1;
        }
        let prefix = self.text(start + 1, j);
        let shown = self.text(start, j);
        match self.history.iter().rposition(|h| h.starts_with(&prefix)) {
            Some(k) => self.finish(j, Some(k + 1), shown),
            None => Err(HistError::EventNotFound(shown)),
        }
    }

    /// The event's line; `index` is 1-based.
    fn event_line(&self, index: usize, shown: &str) -> Result<String, HistError> {
        index
            .checked_sub(1)
            .and_then(|k| self.history.get(k))
            .cloned()
            .ok_or_else(|| HistError::EventNotFound(shown.to_string()))
    }

    /// Applies the word designator and modifiers after an event ending at `i`.
    fn finish(
        &mut self,
        mut i: usize,
        index: Option<usize>,
        shown: String,
    ) -> Result<usize, HistError> {
        let line = match index {
            Some(k) => self.event_line(k, &shown)?,
            None => self.out.clone(),
        };
        let words = tokenize(&line);
        // A designator: `:` then one, or `^ $ * %` right after the event.
        let mut text = line.clone();
        let here = self.chars.get(i).copied();
        let next = self.chars.get(i + 1).copied();
        let designator_after_colon =
            here == Some(':') && next.is_some_and(|c| c.is_ascii_digit() || "^$*%-".contains(c));
        if designator_after_colon || here.is_some_and(|c| "^$*%".contains(c)) {
            let from = if here == Some(':') { i + 1 } else { i };
            let (range, end) = self.designator(from, words.len());
            let spec = self.text(if here == Some(':') { i } else { from }, end);
            i = end;
            text = match range {
                Designator::Words(a, b) if a <= b && b < words.len() => words[a..=b].join(" "),
                Designator::Words(a, b) if a > b && a <= words.len() => String::new(),
                Designator::Search => match &self.last_search {
                    Some(s) => words
                        .iter()
                        .find(|w| w.contains(s.as_str()))
                        .cloned()
                        .ok_or(HistError::BadWordSpecifier(spec))?,
                    None => return Err(HistError::BadWordSpecifier(spec)),
                },
                _ => return Err(HistError::BadWordSpecifier(spec)),
            };
        }
        // Modifiers.
        while self.chars.get(i) == Some(&':') {
            let (next_i, new_text) = self.modifier(i, text)?;
            i = next_i;
            text = new_text;
        }
        self.out.push_str(&text);
        self.changed = true;
        Ok(i)
    }

    /// Parses a word designator at `from` for an event of `n` words.
    fn designator(&self, from: usize, n: usize) -> (Designator, usize) {
        let last = n.saturating_sub(1);
        let num = |at: usize| -> (Option<usize>, usize) {
            let mut j = at;
            while self.chars.get(j).is_some_and(char::is_ascii_digit) {
                j += 1;
            }
            (self.text(at, j).parse().ok(), j)
        };
        match self.chars.get(from).copied() {
            Some('^') => (Designator::Words(1, 1), from + 1),
            Some('$') => (Designator::Words(last, last), from + 1),
            Some('%') => (Designator::Search, from + 1),
            // `*`: all but the command word; empty (no error) when there are none.
            Some('*') => (Designator::Words(1, last), from + 1),
            Some('-') => {
                // `-y`: `0-y`.
                let (y, j) = self.range_end(from + 1, last);
                (Designator::Words(0, y.unwrap_or(last.saturating_sub(1))), j)
            }
            _ => {
                let (x, j) = num(from);
                let Some(x) = x else {
                    return (Designator::Bad, from);
                };
                match self.chars.get(j).copied() {
                    Some('*') => (Designator::Words(x, last), j + 1),
                    Some('-') => {
                        let (y, k) = self.range_end(j + 1, last);
                        // `x-`: up to the word before the last.
                        (Designator::Words(x, y.unwrap_or(last.wrapping_sub(1))), k)
                    }
                    _ => (Designator::Words(x, x), j),
                }
            }
        }
    }

    /// The end of `x-y`: a number or `$`; `None` when absent (`x-`).
    fn range_end(&self, at: usize, last: usize) -> (Option<usize>, usize) {
        if self.chars.get(at) == Some(&'$') {
            return (Some(last), at + 1);
        }
        let mut j = at;
        while self.chars.get(j).is_some_and(char::is_ascii_digit) {
            j += 1;
        }
        (self.text(at, j).parse().ok(), j)
    }

    /// One `:m` modifier at `colon`; returns where it ends and the new text.
    fn modifier(&mut self, colon: usize, text: String) -> Result<(usize, String), HistError> {
        let mut i = colon + 1;
        let mut global = false;
        if matches!(self.chars.get(i), Some('g' | 'a')) {
            global = true;
            i += 1;
        }
        let Some(m) = self.chars.get(i).copied() else {
            return Err(HistError::BadModifier(self.text(colon, i)));
        };
        i += 1;
        let out = match m {
            'h' if !global => match text.rfind('/') {
                Some(0) => "/".to_string(),
                Some(k) => text[..k].to_string(),
                None => text,
            },
            't' if !global => match text.rfind('/') {
                Some(k) => text[k + 1..].to_string(),
                None => text,
            },
            'r' if !global => match suffix_dot(&text) {
                Some(k) => text[..k].to_string(),
                None => text,
            },
            'e' if !global => match suffix_dot(&text) {
                Some(k) => text[k..].to_string(),
                None => String::new(),
            },
            'p' if !global => {
                self.print_only = true;
                text
            }
            'q' if !global => single_quote(&text),
            'x' if !global => tokenize(&text)
                .iter()
                .map(|w| single_quote(w))
                .collect::<Vec<_>>()
                .join(" "),
            's' => {
                let Some(d) = self.chars.get(i).copied() else {
                    return Err(HistError::SubstitutionFailed(self.text(colon, i)));
                };
                let (old, new, end) = self.delimited(i + 1, d);
                let shown = self.text(colon, end);
                i = end;
                let old = if old.is_empty() {
                    match (&self.subst, &self.last_search) {
                        (Some((o, _)), _) => o.clone(),
                        (None, Some(s)) => s.clone(),
                        (None, None) => return Err(HistError::SubstitutionFailed(shown)),
                    }
                } else {
                    old
                };
                let replaced = substitute(&text, &old, &new, global)
                    .ok_or(HistError::SubstitutionFailed(shown))?;
                self.subst = Some((old, new));
                replaced
            }
            '&' => {
                let shown = self.text(colon, i);
                let Some((old, new)) = self.subst.clone() else {
                    return Err(HistError::SubstitutionFailed(shown));
                };
                substitute(&text, &old, &new, global).ok_or(HistError::SubstitutionFailed(shown))?
            }
            _ => return Err(HistError::BadModifier(self.text(colon, i))),
        };
        Ok((i, out))
    }
}

/// A word designator's meaning.
enum Designator {
    /// Words `a..=b` (0 is the command word).
    Words(usize, usize),
    /// `%`: the word the last `!?text?` matched.
    Search,
    /// Not a designator.
    Bad,
}

/// Where the suffix `.ext` of the last path component starts.
fn suffix_dot(text: &str) -> Option<usize> {
    let base = text.rfind('/').map_or(0, |k| k + 1);
    text[base..].rfind('.').map(|k| base + k)
}

/// `'text'`, with each `'` written `'\''`.
fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `:s/old/new/`: `&` in `new` is `old`; `None` when `old` does not occur.
fn substitute(text: &str, old: &str, new: &str, global: bool) -> Option<String> {
    if old.is_empty() || !text.contains(old) {
        return None;
    }
    let mut with = String::with_capacity(new.len());
    let mut chars = new.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'&') => {
                with.push('&');
                chars.next();
            }
            '&' => with.push_str(old),
            c => with.push(c),
        }
    }
    Some(if global {
        text.replace(old, &with)
    } else {
        text.replacen(old, &with, 1)
    })
}

/// Splits a history line into words as bash's history tokenizer does:
/// blanks separate, quotes group, and `; & ( ) | < >` are words of their
/// own (`&&`, `||`, `;;`, `>>`, `<<`, `>&`, `<&`, `&>`, `>|` as one).
pub fn tokenize(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut words = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if ";&()|<>".contains(c) {
            let two = chars.get(i + 1).copied();
            let pair = matches!(
                (c, two),
                (';', Some(';'))
                    | ('&', Some('&' | '>'))
                    | ('|', Some('|'))
                    | ('>', Some('>' | '&' | '|'))
                    | ('<', Some('<' | '&'))
            );
            let end = if pair { i + 2 } else { i + 1 };
            words.push(chars[i..end].iter().collect());
            i = end;
            continue;
        }
        let start = i;
        let mut quote: Option<char> = None;
        while i < chars.len() {
            let c = chars[i];
            match quote {
                Some(q) if c == q => quote = None,
                Some('"') if c == '\\' => i += 1,
                Some(_) => {}
                None if c == '\\' => i += 1,
                None if c == '\'' || c == '"' || c == '`' => quote = Some(c),
                None if c.is_whitespace() || ";&()|<>".contains(c) => break,
                None => {}
            }
            i += 1;
        }
        let end = i.min(chars.len());
        words.push(chars[start..end].iter().collect());
    }
    words
}

#[cfg(test)]
#[path = "histexpand_tests.rs"]
mod tests;
