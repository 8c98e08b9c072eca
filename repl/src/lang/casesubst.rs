//! `case` inside parentheses, for brush-parser 0.4.0, which misreads it
//! twice:
//!
//! - it counts parentheses to find the end of a `$(…)` (its tokenizer and
//!   its word parser alike, upstream issue reubeno/brush#1052), so the `)`
//!   ending a case pattern written without its optional `(` ends the
//!   substitution: `$(case x in x) echo y;; esac)` fails at `;;`. bash's
//!   grammar reads `x)` and `(x)` the same way, so brush gets `(x)`;
//! - its grammar takes an `esac` followed by `)` for one more pattern
//!   (`esac)`) after an item ending in `;;`, so `(case a in a) :;; esac)`
//!   fails at the end of the input; brush gets `esac;)`, the same list.
//!
//! [`insertions`] finds where those characters go: it follows the shell's
//! quoting, nesting and `case` grammar far enough to tell a pattern's `)`
//! from the one closing a substitution or subshell, as bash's parser does.
//! It gives up (no insertion) on a here-document, whose body it does not
//! delimit, and on a `)` it cannot place; brush then sees the text
//! unchanged.

/// Character indexes of `text` and the character to insert before each: a
/// `(` at the start of every case pattern without one inside a command or
/// process substitution, a `;` after every `esac` right before a `)`.
pub(super) fn insertions(text: &str) -> Vec<(usize, char)> {
    if !text.contains("case") {
        return Vec::new();
    }
    let mut scan = Scan {
        c: text.chars().collect(),
        i: 0,
        out: Vec::new(),
        bail: false,
    };
    scan.code(false, false);
    if scan.bail {
        Vec::new()
    } else {
        scan.out
    }
}

/// Just past the `)` that closes the substitution whose body starts at
/// `start` in `c` (`procsub`: a process substitution); `None` when the
/// scan cannot tell (a here-document) or the text ends first.
pub(super) fn substitution_end(c: &[char], start: usize, procsub: bool) -> Option<usize> {
    let mut scan = Scan {
        c: c.to_vec(),
        i: start,
        out: Vec::new(),
        bail: false,
    };
    scan.code(true, procsub);
    let closed = !scan.bail && scan.i > start && c.get(scan.i - 1) == Some(&')');
    closed.then_some(scan.i)
}

/// Where a piece of shell code is, as far as `case` goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Open {
    /// `( …`: a subshell, a function's `()`, a group in `[[ … ]]`.
    Paren,
    /// After `case`: its word, then `in`.
    Subject { seen_word: bool },
    /// Reading a pattern list: `paren` when it began with `(`, `started`
    /// once a pattern word came.
    Pattern { paren: bool, started: bool },
    /// The commands of a case item.
    Body,
}

struct Scan {
    c: Vec<char>,
    i: usize,
    out: Vec<(usize, char)>,
    bail: bool,
}

/// Reserved words after which a command starts.
const LEADING: &[&str] = &[
    "if", "then", "else", "elif", "do", "while", "until", "{", "!", "time",
];

impl Scan {
    fn at(&self, k: usize) -> Option<char> {
        self.c.get(self.i + k).copied()
    }

    /// Shell code up to its end or (`subst`) the `)` closing the
    /// substitution it is the body of (`procsub`: a process substitution,
    /// whose body brush parses as a subshell's).
    fn code(&mut self, subst: bool, procsub: bool) {
        let mut open: Vec<Open> = Vec::new();
        let mut command = true;
        let mut redirect = false;
        while !self.bail {
            let Some(c) = self.at(0) else { return };
            match c {
                ' ' | '\t' => self.i += 1,
                '\\' if self.at(1) == Some('\n') => self.i += 2,
                '\n' => {
                    self.i += 1;
                    command = true;
                }
                '#' => {
                    while self.at(0).is_some_and(|c| c != '\n') {
                        self.i += 1;
                    }
                }
                ';' => {
                    self.i += 1;
                    let item_end = match self.at(0) {
                        Some(';') => {
                            self.i += 1;
                            if self.at(0) == Some('&') {
                                self.i += 1;
                            }
                            true
                        }
                        Some('&') => {
                            self.i += 1;
                            true
                        }
                        _ => false,
                    };
                    if item_end {
                        if let Some(top @ Open::Body) = open.last_mut() {
                            *top = Open::Pattern {
                                paren: false,
                                started: false,
                            };
                        }
                    }
                    command = true;
                }
                '&' | '|' => {
                    self.i += 1;
                    if !matches!(open.last(), Some(Open::Pattern { .. })) {
                        command = true;
                    }
                }
                '<' | '>' => {
                    if self.at(1) == Some('(') {
                        self.i += 2;
                        self.code(true, true);
                        command = false;
                        continue;
                    }
                    if c == '<' && self.at(1) == Some('<') && self.at(2) != Some('<') {
                        self.bail = true;
                        return;
                    }
                    while self.at(0).is_some_and(|c| "<>&|-".contains(c)) {
                        self.i += 1;
                    }
                    redirect = true;
                }
                '(' => match open.last_mut() {
                    Some(Open::Pattern {
                        paren: paren @ false,
                        started: false,
                    }) => {
                        *paren = true;
                        self.i += 1;
                    }
                    _ if command && self.at(1) == Some('(') => {
                        self.balanced();
                        command = false;
                    }
                    _ => {
                        open.push(Open::Paren);
                        self.i += 1;
                        command = true;
                    }
                },
                ')' => {
                    self.i += 1;
                    match open.last() {
                        Some(Open::Pattern { .. }) => {
                            open.pop();
                            open.push(Open::Body);
                            command = true;
                        }
                        Some(Open::Paren) => {
                            open.pop();
                            command = false;
                        }
                        None if subst => return,
                        _ => {
                            self.bail = true;
                            return;
                        }
                    }
                }
                _ => {
                    let start = self.i;
                    let (word, quoted) = self.word();
                    if redirect {
                        redirect = false;
                        continue;
                    }
                    let keyword = (!quoted).then_some(word.as_str());
                    match open.last_mut() {
                        Some(Open::Subject { seen_word }) => {
                            if !*seen_word {
                                *seen_word = true;
                            } else if keyword == Some("in") {
                                open.pop();
                                open.push(Open::Pattern {
                                    paren: false,
                                    started: false,
                                });
                            } else {
                                self.bail = true;
                                return;
                            }
                        }
                        Some(Open::Pattern { paren, started }) => {
                            if !*started && !*paren && keyword == Some("esac") {
                                open.pop();
                                command = false;
                                self.esac_before_paren(&open, procsub);
                            } else {
                                if !*started && !*paren && subst {
                                    self.out.push((start, '('));
                                }
                                *started = true;
                            }
                        }
                        _ if command => match keyword {
                            Some("case") => {
                                open.push(Open::Subject { seen_word: false });
                                command = false;
                            }
                            Some("esac") if open.last() == Some(&Open::Body) => {
                                open.pop();
                                command = false;
                                self.esac_before_paren(&open, procsub);
                            }
                            Some(w) if LEADING.contains(&w) => {}
                            _ => command = false,
                        },
                        _ => {}
                    }
                }
            }
        }
    }

    /// After an `esac` that closes a case: a `;` when a `)` closing a
    /// subshell (`open`'s top) or process substitution follows on the line.
    fn esac_before_paren(&mut self, open: &[Open], procsub: bool) {
        let closes = match open.last() {
            Some(Open::Paren) => true,
            None => procsub,
            _ => false,
        };
        if !closes {
            return;
        }
        let mut k = 0;
        while matches!(self.at(k), Some(' ' | '\t')) {
            k += 1;
        }
        if self.at(k) == Some(')') {
            self.out.push((self.i, ';'));
        }
    }

    /// One word, with its quotes and expansions; whether any of it was
    /// quoted (then it is no reserved word).
    fn word(&mut self) -> (String, bool) {
        let start = self.i;
        let mut quoted = false;
        while let Some(c) = self.at(0) {
            match c {
                ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')' => break,
                '\\' => {
                    quoted = true;
                    self.i += 2;
                }
                '\'' => {
                    quoted = true;
                    self.single_quoted();
                }
                '"' => {
                    quoted = true;
                    self.double_quoted();
                }
                '`' => self.backquoted(),
                '$' => self.dollar(),
                '@' | '!' | '+' | '*' | '?' if self.at(1) == Some('(') => {
                    self.i += 1;
                    self.balanced();
                }
                _ => self.i += 1,
            }
        }
        let end = self.i.min(self.c.len());
        (self.c[start..end].iter().collect(), quoted)
    }

    /// `'…'` from its opening quote.
    fn single_quoted(&mut self) {
        self.i += 1;
        while self.at(0).is_some_and(|c| c != '\'') {
            self.i += 1;
        }
        self.i += 1;
    }

    /// `"…"` from its opening quote.
    fn double_quoted(&mut self) {
        self.i += 1;
        while let Some(c) = self.at(0) {
            match c {
                '"' => break,
                '\\' => self.i += 2,
                '`' => self.backquoted(),
                '$' => self.dollar(),
                _ => self.i += 1,
            }
        }
        self.i += 1;
    }

    /// `` `…` `` from its opening backquote (its body is not scanned).
    fn backquoted(&mut self) {
        self.i += 1;
        while let Some(c) = self.at(0) {
            self.i += 1;
            match c {
                '\\' => self.i += 1,
                '`' => return,
                _ => {}
            }
        }
    }

    /// An expansion or a plain `$`.
    fn dollar(&mut self) {
        match self.at(1) {
            Some('(') if self.at(2) == Some('(') => {
                self.i += 1;
                self.balanced();
            }
            Some('(') => {
                self.i += 2;
                self.code(true, false);
            }
            Some('{') => {
                self.i += 2;
                let mut depth = 1;
                while let Some(c) = self.at(0) {
                    match c {
                        '}' => {
                            self.i += 1;
                            depth -= 1;
                            if depth == 0 {
                                return;
                            }
                        }
                        '{' => {
                            self.i += 1;
                            depth += 1;
                        }
                        '\\' => self.i += 2,
                        '\'' => self.single_quoted(),
                        '"' => self.double_quoted(),
                        '`' => self.backquoted(),
                        '$' => self.dollar(),
                        _ => self.i += 1,
                    }
                }
            }
            Some('\'') => {
                self.i += 2;
                while let Some(c) = self.at(0) {
                    self.i += 1;
                    match c {
                        '\\' => self.i += 1,
                        '\'' => return,
                        _ => {}
                    }
                }
            }
            _ => self.i += 1,
        }
    }

    /// A parenthesized run from its `(` to the matching `)`: arithmetic
    /// (`((…))`, `$((…))`) or an extended glob.
    fn balanced(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.at(0) {
            match c {
                '(' => {
                    depth += 1;
                    self.i += 1;
                }
                ')' => {
                    self.i += 1;
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                '\\' => self.i += 2,
                '\'' => self.single_quoted(),
                '"' => self.double_quoted(),
                '`' => self.backquoted(),
                '$' if self.at(1) != Some('(') || self.at(2) == Some('(') => self.dollar(),
                _ => self.i += 1,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::insertions;

    /// `text` with what [`insertions`] gives inserted.
    fn patched(text: &str) -> String {
        let at = insertions(text);
        let mut out = String::new();
        for (i, c) in text.chars().enumerate() {
            out.extend(at.iter().filter(|(k, _)| *k == i).map(|(_, c)| c));
            out.push(c);
        }
        out.extend(
            at.iter()
                .filter(|(k, _)| *k == text.chars().count())
                .map(|(_, c)| c),
        );
        out
    }

    #[test]
    fn patterns_in_substitutions_get_their_paren() {
        let cases = [
            (
                "echo $(case x in x) echo y;; esac)",
                "echo $(case x in (x) echo y;; esac)",
            ),
            (
                "v=\"$(case $a in a|b) echo 1;; *) echo 2;; esac)\"",
                "v=\"$(case $a in (a|b) echo 1;; (*) echo 2;; esac)\"",
            ),
            (
                "x=$(case a in\n  a) echo ok\n  ;;\n esac\n)",
                "x=$(case a in\n  (a) echo ok\n  ;;\n esac\n)",
            ),
            (
                "$(case a in (a) :;; b) :;& c) :;;& esac)",
                "$(case a in (a) :;; (b) :;& (c) :;;& esac)",
            ),
            // Nested: a substitution and a case in a case body.
            (
                "$(case a in a) $(case b in b) :;; esac) ;; esac)",
                "$(case a in (a) $(case b in (b) :;; esac) ;; esac)",
            ),
            (
                "cat <(case a in a) echo;; esac)",
                "cat <(case a in (a) echo;; esac;)",
            ),
            // Subshells, arithmetic, quoted parens and `esac` as a word.
            (
                "$( (case a in a) echo ')';; esac); echo $((1+(2))) esac )",
                "$( (case a in (a) echo ')';; esac;); echo $((1+(2))) esac )",
            ),
            (
                "$(case a in a) f() { :; };; esac)",
                "$(case a in (a) f() { :; };; esac)",
            ),
            // A subshell ending in a case, outside any substitution.
            (
                "(case a in a) :;; esac ) && f() ( case b in (b) esac)",
                "(case a in a) :;; esac; ) && f() ( case b in (b) esac;)",
            ),
        ];
        for (text, want) in cases {
            assert_eq!(patched(text), want, "{text:?}");
        }
    }

    #[test]
    fn other_text_is_left_alone() {
        for text in [
            "case x in x) echo;; esac",
            "(case x in x) echo;; esac\n)",
            "echo $(echo case x in x)",
            "echo '$(case x in x) y;; esac)'",
            "echo \\$(case x in x)",
            "echo `case x in x) echo;; esac`",
            "echo \"case\" $(echo \"case x in\")",
            // A here-document is not followed: nothing changes.
            "$(cat <<E\ncase x in x)\nE\ncase a in a) :;; esac)",
        ] {
            assert_eq!(insertions(text), Vec::new(), "{text:?}");
        }
    }
}
