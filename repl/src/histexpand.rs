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
//! The last `:s` pair and `!?text?` search carry over to later lines
//! ([`Memory`]), as bash keeps them.
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
    /// An unknown `:x` modifier (bash names the letter, empty at the end).
    #[error("{0}: unrecognized history modifier")]
    BadModifier(String),
    /// `:&`, or `:s` with an empty `old`, before any substitution or search.
    #[error("{0}: no previous substitution")]
    NoPreviousSubstitution(String),
}

/// What history expansion remembers from one line to the next.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// The text of the last `!?text?` search (an empty `:s` old part).
    search: Option<String>,
    /// The word that search matched (the `%` designator).
    search_match: Option<String>,
    /// The last `:s` pair (for `:&` and an empty `old`).
    subst: Option<(String, String)>,
}

/// Expands the history references in `line` against `history` (oldest
/// first), with what earlier lines left in `memory`.
///
/// # Errors
/// [`HistError`] with bash's message when an event, a word or a
/// substitution is not found.
pub fn expand(line: &str, history: &[String], memory: &mut Memory) -> Result<Expansion, HistError> {
    if !line.contains('!') && !line.starts_with('^') {
        return Ok(Expansion::Unchanged);
    }
    let mut x = Expander {
        chars: line.chars().collect(),
        history,
        out: String::with_capacity(line.len()),
        changed: false,
        print_only: false,
        memory: std::mem::take(memory),
    };
    let result = x.run();
    *memory = x.memory;
    result?;
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
    memory: Memory,
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
            self.previous_old(&shown)?
        } else {
            old
        };
        let Some(replaced) = substitute(&event, &old, &new, Scope::Once) else {
            return Err(HistError::SubstitutionFailed(shown));
        };
        self.memory.subst = Some((old, new));
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
                let Some(k) = found else {
                    return Err(HistError::EventNotFound(shown));
                };
                self.memory.search_match = self
                    .history
                    .get(k)
                    .and_then(|h| tokenize(h).into_iter().find(|w| w.contains(&needle)));
                self.memory.search = Some(needle);
                (Some(k + 1), shown)
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
        // A designator: `:` then one, or one of `^ $ * % -` right after the event.
        let mut text = line;
        let here = self.chars.get(i).copied();
        let next = self.chars.get(i + 1).copied();
        let after_colon =
            here == Some(':') && next.is_some_and(|c| c.is_ascii_digit() || "^$*%-".contains(c));
        if after_colon || here.is_some_and(|c| "^$*%-".contains(c)) {
            let from = if after_colon { i + 1 } else { i };
            let (words, end) = self.designator(from, &words);
            let spec = self.text(i, end);
            i = end;
            text = words.ok_or(HistError::BadWordSpecifier(spec))?;
        }
        // Modifiers; a failed one is shown from the first.
        let first_modifier = i;
        while self.chars.get(i) == Some(&':') {
            let (next_i, new_text) = self.modifier(first_modifier, i, text)?;
            i = next_i;
            text = new_text;
        }
        self.out.push_str(&text);
        self.changed = true;
        Ok(i)
    }

    /// Parses a word designator at `from` as bash's
    /// `get_history_word_specifier`: the words it picks (`None`: a bad
    /// specifier) and where it ends.
    fn designator(&self, from: usize, words: &[String]) -> (Option<String>, usize) {
        let mut i = from;
        match self.chars.get(i) {
            Some('%') => {
                let found = self.memory.search_match.clone().unwrap_or_default();
                return (Some(found), i + 1);
            }
            Some('$') => {
                let last = words.len().checked_sub(1);
                return (
                    last.and_then(|l| arg_extract(words, l, Last::Dollar)),
                    i + 1,
                );
            }
            // `*`: all but the command word; empty (no error) when there are none.
            Some('*') => {
                let all = arg_extract(words, 1, Last::Dollar).unwrap_or_default();
                return (Some(all), i + 1);
            }
            _ => {}
        }
        let first = match self.chars.get(i) {
            Some('-') => 0,
            Some('^') => {
                i += 1;
                1
            }
            Some(c) if c.is_ascii_digit() => {
                let (n, j) = self.number(i);
                i = j;
                n
            }
            _ => return (None, i),
        };
        let last = match self.chars.get(i) {
            Some('^') => {
                i += 1;
                Last::At(1)
            }
            Some('*') => {
                i += 1;
                Last::Dollar
            }
            Some('-') => {
                i += 1;
                match self.chars.get(i) {
                    Some(c) if c.is_ascii_digit() => {
                        let (n, j) = self.number(i);
                        i = j;
                        Last::At(n)
                    }
                    Some('$') => {
                        i += 1;
                        Last::Dollar
                    }
                    Some('^') => {
                        i += 1;
                        Last::At(1)
                    }
                    // `x-`: up to the word before the last.
                    _ => Last::Penultimate,
                }
            }
            _ => Last::At(first),
        };
        if matches!(last, Last::At(l) if l < first) {
            return (None, i);
        }
        (arg_extract(words, first, last), i)
    }

    /// The decimal number at `at` (saturating) and where it ends.
    fn number(&self, at: usize) -> (usize, usize) {
        let mut j = at;
        while self.chars.get(j).is_some_and(char::is_ascii_digit) {
            j += 1;
        }
        (self.text(at, j).parse().unwrap_or(usize::MAX), j)
    }

    /// The `old` of an `:s` whose own is empty: the last one, else the
    /// last search text.
    fn previous_old(&self, shown: &str) -> Result<String, HistError> {
        match (&self.memory.subst, &self.memory.search) {
            (Some((o, _)), _) => Ok(o.clone()),
            (None, Some(s)) if !s.is_empty() => Ok(s.clone()),
            _ => Err(HistError::NoPreviousSubstitution(shown.to_string())),
        }
    }

    /// One `:m` modifier at `colon` (the modifiers began at `first`);
    /// returns where it ends and the new text.
    fn modifier(
        &mut self,
        first: usize,
        colon: usize,
        text: String,
    ) -> Result<(usize, String), HistError> {
        let mut i = colon + 1;
        let mut scope = Scope::Once;
        match self.chars.get(i) {
            Some('g' | 'a') => {
                scope = Scope::Global;
                i += 1;
            }
            Some('G') => {
                scope = Scope::EachWord;
                i += 1;
            }
            _ => {}
        }
        let Some(m) = self.chars.get(i).copied() else {
            return Err(HistError::BadModifier(String::new()));
        };
        i += 1;
        let out = match m {
            'h' => match text.rfind('/') {
                Some(0) => "/".to_string(),
                Some(k) => text[..k].to_string(),
                None => text,
            },
            't' => match text.rfind('/') {
                Some(k) => text[k + 1..].to_string(),
                None => text,
            },
            'r' => match suffix_dot(&text) {
                Some(k) => text[..k].to_string(),
                None => text,
            },
            'e' => match suffix_dot(&text) {
                Some(k) => text[k..].to_string(),
                None => text,
            },
            'p' => {
                self.print_only = true;
                text
            }
            'q' => single_quote(&text),
            'x' => tokenize(&text)
                .iter()
                .map(|w| single_quote(w))
                .collect::<Vec<_>>()
                .join(" "),
            's' => {
                // bash ignores an `:s` that ends the line.
                let Some(d) = self.chars.get(i).copied() else {
                    return Ok((i, text));
                };
                let (old, new, end) = self.delimited(i + 1, d);
                let shown = self.text(first, end);
                i = end;
                let old = if old.is_empty() {
                    self.previous_old(&shown)?
                } else {
                    old
                };
                let replaced = substitute(&text, &old, &new, scope)
                    .ok_or(HistError::SubstitutionFailed(shown))?;
                self.memory.subst = Some((old, new));
                replaced
            }
            '&' => {
                let shown = self.text(first, i);
                let Some((old, new)) = self.memory.subst.clone() else {
                    return Err(HistError::NoPreviousSubstitution(shown));
                };
                substitute(&text, &old, &new, scope).ok_or(HistError::SubstitutionFailed(shown))?
            }
            other => return Err(HistError::BadModifier(other.to_string())),
        };
        Ok((i, out))
    }
}

#[path = "histexpand_words.rs"]
mod words;
use words::{arg_extract, single_quote, substitute, suffix_dot, tokenize, Last, Scope};

#[cfg(test)]
#[path = "histexpand_tests.rs"]
mod tests;
