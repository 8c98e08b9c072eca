//! The word side of history expansion: bash's history tokenizer, word
//! ranges, and what the modifiers do to a text.

/// The end of a word range, as bash's `history_arg_extract` takes it.
#[derive(Clone, Copy)]
pub(super) enum Last {
    /// Up to word N.
    At(usize),
    /// Up to the last word.
    Dollar,
    /// Up to the word before the last (`x-`).
    Penultimate,
}

/// Words `first` to `last` joined by blanks; `None` when out of range.
pub(super) fn arg_extract(words: &[String], first: usize, last: Last) -> Option<String> {
    let end = match last {
        Last::At(l) => l.checked_add(1)?,
        Last::Dollar => words.len(),
        Last::Penultimate => words.len().checked_sub(1)?,
    };
    if first >= words.len() {
        return None;
    }
    words.get(first..end).map(|w| w.join(" "))
}

/// How many places an `:s` or `:&` replaces.
#[derive(Clone, Copy)]
pub(super) enum Scope {
    /// The first (`:s`).
    Once,
    /// Every one (`:gs`, `:as`).
    Global,
    /// The first in each word (`:Gs`).
    EachWord,
}

/// Where the suffix `.ext` of the last path component starts.
pub(super) fn suffix_dot(text: &str) -> Option<usize> {
    let base = text.rfind('/').map_or(0, |k| k + 1);
    text[base..].rfind('.').map(|k| base + k)
}

/// `'text'`, with each `'` written `'\''`.
pub(super) fn single_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `:s/old/new/`: `&` in `new` is `old`; `None` when `old` does not occur.
pub(super) fn substitute(text: &str, old: &str, new: &str, scope: Scope) -> Option<String> {
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
    Some(match scope {
        Scope::Once => text.replacen(old, &with, 1),
        Scope::Global => text.replace(old, &with),
        Scope::EachWord => tokenize(text)
            .iter()
            .map(|w| w.replacen(old, &with, 1))
            .collect::<Vec<_>>()
            .join(" "),
    })
}

/// Splits a history line into words as bash's history tokenizer does:
/// blanks separate, quotes group, and `; & ( ) | < >` are words of their
/// own (`&&`, `||`, `;;`, `>>`, `<<`, `>&`, `<&`, `&>`, `>|` as one).
pub(super) fn tokenize(line: &str) -> Vec<String> {
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
