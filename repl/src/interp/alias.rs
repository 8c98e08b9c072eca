//! Alias expansion, as bash does it on tokens before parsing: a word in
//! command position that names an alias is replaced by the alias's text,
//! which is read again as input (so an alias may hold keywords, `{`, `(`
//! or half a loop). An alias whose text ends in a blank makes the next word
//! eligible too. An alias is not expanded again inside its own text, so
//! `alias ls='ls -F'` does not recurse. Command substitutions `$(…)` are
//! expanded as programs of their own; quoted words, here-document bodies,
//! `case` patterns and the words after `for`/`case` are left alone.

use std::collections::HashMap;

use crate::shell::Shell;

impl Shell {
    /// `src` with its aliases expanded (unchanged when none applies).
    pub(crate) fn expand_aliases(&self, src: &str) -> String {
        let mut x = Expander {
            aliases: &self.env.lang.aliases,
            active: Vec::new(),
            state: State::default(),
            heredocs: Vec::new(),
        };
        let mut out = String::with_capacity(src.len());
        x.scan(src, &mut out);
        out
    }

    /// Runs `text` one complete command at a time, expanding aliases in
    /// each just before it runs, so an alias defined on one line applies
    /// on the next, and the commands before a syntax error run (bash's
    /// `eval` and `-c`). A syntax error is reported as `eval`'s when
    /// `eval` is set; its status is 2.
    pub(crate) async fn run_text_by_command(&mut self, text: &str, eval: bool) -> i32 {
        let mut status = 0;
        let mut chunk = String::new();
        let mut lines = text.split_inclusive('\n').peekable();
        let mut line_base = 0u32;
        // `eval`'s text counts on from the `eval` command's line (bash).
        let eval_line = self.env.lang.lineno;
        let outer = if eval {
            eval_line.saturating_sub(1)
        } else {
            self.env.lang.line_base
        };
        while let Some(line) = lines.next() {
            chunk.push_str(line);
            let at_end = lines.peek().is_none();
            let expanded;
            let src =
                if self.env.lang.shopt.get("expand_aliases") && !self.env.lang.aliases.is_empty() {
                    expanded = self.expand_aliases(&chunk);
                    expanded.as_str()
                } else {
                    chunk.as_str()
                };
            let parsed = if at_end {
                crate::lang::parse_to_end(src)
            } else {
                crate::lang::parse(src).map(|p| (p, Vec::new()))
            };
            let saved = self.env.lang.line_base;
            match parsed {
                Err(e) if e.is_incomplete() && !at_end => continue,
                Ok((program, open_heredocs)) => {
                    self.env.lang.line_base = outer + line_base;
                    self.heredoc_warnings(&open_heredocs);
                    status = self.run_program(&program).await;
                    self.env.lang.line_base = saved;
                }
                Err(e) if eval => {
                    self.env.lang.lineno = eval_line;
                    self.eval_syntax_error(&e, src, line_base);
                    return 2;
                }
                Err(e) => {
                    self.env.lang.line_base = outer + line_base;
                    self.syntax_error(&e, src);
                    self.env.lang.line_base = saved;
                    return 2;
                }
            }
            line_base += u32::try_from(chunk.matches('\n').count()).unwrap_or(0);
            chunk.clear();
            if self.unwinding() {
                break;
            }
        }
        if !eval && self.env.lang.discard_to_top && self.flow == Some(super::Flow::Discard) {
            // `-c`: bash's top level ends the command string.
            self.flow = None;
            self.env.lang.discard_to_top = false;
            return 1;
        }
        status
    }
}

/// Where a `case` is: its word, its patterns, or an arm's commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CaseAt {
    Subject,
    Patterns,
    Body,
}

#[derive(Clone, Debug, Default)]
struct State {
    /// The next word starts a command.
    command: bool,
    /// The previous alias ended in a blank: the next word may be one too.
    after_blank_alias: bool,
    /// Words that name no command (after `for`, `select`, `function`, `in`).
    skip_words: bool,
    /// Open `case` commands, innermost last.
    cases: Vec<CaseAt>,
    /// The next word is the first of an alias's text (always checked).
    alias_start: bool,
    /// Inside `[[ … ]]`: its `&&`, `||` and `(` start no command.
    cond: bool,
}

struct Expander<'a> {
    aliases: &'a HashMap<String, String>,
    /// Aliases being expanded (not expanded again inside themselves).
    active: Vec<String>,
    state: State,
    /// Here-document delimiters whose bodies start after the next newline:
    /// (delimiter, strip leading tabs).
    heredocs: Vec<(String, bool)>,
}

const OPERATOR_CHARS: &str = ";&|()<>";

impl Expander<'_> {
    /// Expands a program: its first word starts a command.
    fn scan(&mut self, text: &str, out: &mut String) {
        self.state.command = true;
        self.scan_continuing(text, out);
    }

    /// Expands `text` as more input in the current state (an alias's text
    /// continues the command it appeared in).
    fn scan_continuing(&mut self, text: &str, out: &mut String) {
        let mut i = 0;
        let b = text.as_bytes();
        while i < b.len() {
            let c = b[i];
            match c {
                b' ' | b'\t' => {
                    out.push(char::from(c));
                    i += 1;
                }
                b'\\' if b.get(i + 1) == Some(&b'\n') => {
                    out.push_str("\\\n");
                    i += 2;
                }
                b'\n' => {
                    out.push('\n');
                    i += 1;
                    self.newline();
                    i = self.heredoc_bodies(text, i, out);
                }
                b'#' => {
                    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
                    out.push_str(&text[i..end]);
                    i = end;
                }
                c if OPERATOR_CHARS.contains(char::from(c)) => {
                    i = self.operator(text, i, out);
                }
                _ => {
                    let end = word_end(text, i);
                    self.word(&text[i..end], out);
                    i = end;
                }
            }
        }
    }

    fn newline(&mut self) {
        self.state.skip_words = false;
        self.state.after_blank_alias = false;
        match self.state.cases.last() {
            Some(CaseAt::Patterns) => {}
            Some(CaseAt::Subject) => {}
            _ => self.state.command = true,
        }
    }

    /// Copies the bodies of pending here-documents, starting at `i` (a
    /// line start); returns where the text after them starts.
    fn heredoc_bodies(&mut self, text: &str, mut i: usize, out: &mut String) -> usize {
        for (delim, strip) in std::mem::take(&mut self.heredocs) {
            while i < text.len() {
                let end = text[i..].find('\n').map_or(text.len(), |n| i + n + 1);
                let line = &text[i..end];
                out.push_str(line);
                i = end;
                let body = line.strip_suffix('\n').unwrap_or(line);
                let body = if strip {
                    body.trim_start_matches('\t')
                } else {
                    body
                };
                if body == delim {
                    break;
                }
            }
        }
        i
    }

    fn operator(&mut self, text: &str, i: usize, out: &mut String) -> usize {
        let rest = &text[i..];
        self.state.alias_start = false;
        // `((` starting a command or after `for`: arithmetic, copied whole.
        if (self.state.command || self.state.skip_words) && rest.starts_with("((") {
            let end = matching_close(rest).map_or(text.len(), |n| i + n + 1);
            out.push_str(&text[i..end]);
            self.state.command = false;
            return end;
        }
        for op in [";;&", ";;", ";&", "&&", "||", "|&"] {
            if rest.starts_with(op) {
                out.push_str(op);
                if self.state.cond {
                    return i + op.len();
                }
                if op.starts_with(";;") || op == ";&" {
                    if let Some(c) = self.state.cases.last_mut() {
                        *c = CaseAt::Patterns;
                    }
                    self.state.command = false;
                } else {
                    self.state.command = true;
                }
                self.state.after_blank_alias = false;
                self.state.skip_words = false;
                return i + op.len();
            }
        }
        for op in [
            "<<<", "<<-", "<<", "<&", ">&", "<>", ">|", ">>", "&>>", "&>", "<", ">",
        ] {
            if rest.starts_with(op) {
                out.push_str(op);
                let mut j = i + op.len();
                if self.state.cond {
                    return j;
                }
                while matches!(text.as_bytes().get(j), Some(b' ' | b'\t')) {
                    out.push(char::from(text.as_bytes()[j]));
                    j += 1;
                }
                if j < text.len() && !OPERATOR_CHARS.contains(char::from(text.as_bytes()[j])) {
                    let end = word_end(text, j);
                    let target = &text[j..end];
                    if op == "<<" || op == "<<-" {
                        let delim: String = target
                            .chars()
                            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
                            .collect();
                        self.heredocs.push((delim, op == "<<-"));
                    }
                    out.push_str(&self.substitutions(target));
                    j = end;
                }
                return j;
            }
        }
        let c = char::from(text.as_bytes()[i]);
        // `name ()` (a function's body follows) versus `)` ending a subshell.
        let empty_parens = c == ')' && out.trim_end_matches([' ', '\t']).ends_with('(');
        out.push(c);
        if self.state.cond {
            return i + 1;
        }
        self.state.after_blank_alias = false;
        self.state.skip_words = false;
        match (c, self.state.cases.last().copied()) {
            (')', Some(CaseAt::Patterns)) => {
                if let Some(at) = self.state.cases.last_mut() {
                    *at = CaseAt::Body;
                }
                self.state.command = true;
            }
            ('(' | '|', Some(CaseAt::Patterns)) => self.state.command = false,
            (')', _) => self.state.command = empty_parens,
            _ => self.state.command = true,
        }
        i + 1
    }

    fn word(&mut self, word: &str, out: &mut String) {
        let eligible = self.state.command || self.state.after_blank_alias || self.state.alias_start;
        self.state.after_blank_alias = false;
        self.state.alias_start = false;
        if self.state.cond {
            if word == "]]" {
                self.state.cond = false;
                self.state.command = false;
            }
            out.push_str(&self.substitutions(word));
            return;
        }
        let case_at = self.state.cases.last().copied();
        if case_at == Some(CaseAt::Subject) {
            out.push_str(&self.substitutions(word));
            if word == "in" {
                if let Some(at) = self.state.cases.last_mut() {
                    *at = CaseAt::Patterns;
                }
            }
            return;
        }
        if case_at == Some(CaseAt::Patterns) {
            if word == "esac" {
                self.state.cases.pop();
                self.state.command = false;
            }
            out.push_str(&self.substitutions(word));
            return;
        }
        if eligible && is_plain(word) && !self.active.iter().any(|a| a == word) {
            if let Some(value) = self.aliases.get(word) {
                let value = value.clone();
                self.active.push(word.to_string());
                self.state.alias_start = true;
                self.scan_continuing(&value, out);
                self.state.alias_start = false;
                self.active.pop();
                if value.ends_with([' ', '\t']) {
                    self.state.after_blank_alias = true;
                }
                return;
            }
        }
        if self.state.skip_words && !self.state.command {
            if word == "{" {
                self.state.skip_words = false;
                self.state.command = true;
            }
            out.push_str(&self.substitutions(word));
            return;
        }
        if self.state.command {
            match word {
                "case" => {
                    self.state.cases.push(CaseAt::Subject);
                    self.state.command = false;
                }
                "for" | "select" | "function" => {
                    self.state.skip_words = true;
                    self.state.command = false;
                }
                "[[" => {
                    self.state.cond = true;
                    self.state.command = false;
                }
                "if" | "then" | "else" | "elif" | "do" | "while" | "until" | "{" | "!" | "time" => {
                }
                "esac" => {
                    self.state.cases.pop();
                    self.state.command = false;
                }
                w if is_assignment(w) => {}
                _ => self.state.command = false,
            }
        }
        out.push_str(&self.substitutions(word));
    }

    /// `word` with the programs of its `$(…)` alias-expanded.
    fn substitutions(&self, word: &str) -> String {
        if !word.contains("$(") {
            return word.to_string();
        }
        let mut out = String::with_capacity(word.len());
        let mut i = 0;
        let b = word.as_bytes();
        let mut quote = false;
        while i < b.len() {
            match b[i] {
                b'\\' => {
                    let end = (i + 2).min(b.len());
                    out.push_str(&word[i..end]);
                    i = end;
                    continue;
                }
                b'\'' if !quote => {
                    let end = word[i + 1..].find('\'').map_or(word.len(), |n| i + n + 2);
                    out.push_str(&word[i..end]);
                    i = end;
                    continue;
                }
                b'"' => quote = !quote,
                b'$' if word[i..].starts_with("$((") => {
                    let end = matching_close(&word[i + 1..]).map_or(word.len(), |n| i + n + 2);
                    out.push_str(&word[i..end]);
                    i = end;
                    continue;
                }
                b'$' if word[i..].starts_with("$(") => {
                    if let Some(len) = matching_close(&word[i + 1..]) {
                        let inner = &word[i + 2..i + 1 + len];
                        let mut x = Expander {
                            aliases: self.aliases,
                            active: Vec::new(),
                            state: State::default(),
                            heredocs: Vec::new(),
                        };
                        let mut expanded = String::new();
                        x.scan(inner, &mut expanded);
                        out.push_str("$(");
                        out.push_str(&expanded);
                        out.push(')');
                        i += len + 2;
                        continue;
                    }
                }
                _ => {}
            }
            let ch = word[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }
}

/// Whether `w` could name an alias: no quoting, expansion or glob.
fn is_plain(w: &str) -> bool {
    !w.is_empty() && !w.contains(['\'', '"', '\\', '$', '`', '=', '/'])
}

fn is_assignment(w: &str) -> bool {
    match w.split_once('=') {
        Some((name, _)) => {
            let name = name.strip_suffix('+').unwrap_or(name);
            let name = name.split('[').next().unwrap_or(name);
            crate::interp::valid_name(name)
        }
        None => false,
    }
}

/// Where the word starting at `i` ends: an unquoted blank, newline or
/// operator character outside `$(…)`, `${…}` and quotes.
fn word_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\n' => return i,
            b'\\' => i += 2,
            b'\'' => {
                i = text[i + 1..].find('\'').map_or(b.len(), |n| i + n + 2);
            }
            b'"' => i = dquote_end(text, i + 1),
            b'`' => {
                i = text[i + 1..].find('`').map_or(b.len(), |n| i + n + 2);
            }
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                let open = b[i + 1];
                let len = if open == b'(' {
                    matching_close(&text[i + 1..])
                } else {
                    brace_close(&text[i + 1..])
                };
                i = len.map_or(b.len(), |n| i + 1 + n + 1);
            }
            b'<' | b'>' if b.get(i + 1) == Some(&b'(') => {
                i = matching_close(&text[i + 1..]).map_or(b.len(), |n| i + 1 + n + 1);
            }
            c if OPERATOR_CHARS.contains(char::from(c)) => return i,
            _ => i += 1,
        }
    }
    b.len().min(i)
}

/// The end (just past the closing `"`) of a double-quoted string whose body
/// starts at `i`.
fn dquote_end(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{')) => {
                let len = if b[i + 1] == b'(' {
                    matching_close(&text[i + 1..])
                } else {
                    brace_close(&text[i + 1..])
                };
                i = len.map_or(b.len(), |n| i + 1 + n + 1);
            }
            b'`' => i = text[i + 1..].find('`').map_or(b.len(), |n| i + n + 2),
            _ => i += 1,
        }
    }
    b.len()
}

/// In `s` (starting with `(`), the index of the `)` closing it (for
/// `((…))`, the last one). Quotes are skipped.
fn matching_close(s: &str) -> Option<usize> {
    closing(s, b'(', b')')
}

/// In `s` (starting with `{`), the index of the `}` closing it.
fn brace_close(s: &str) -> Option<usize> {
    closing(s, b'{', b'}')
}

/// In `s` (starting with `open`), the index of the `close` that balances
/// it; quotes and backslash-escaped bytes are skipped.
fn closing(s: &str, open: u8, close: u8) -> Option<usize> {
    let b = s.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'\'' => i += s[i + 1..].find('\'')? + 1,
            b'"' => i = dquote_end(s, i + 1) - 1,
            c if c == open => depth += 1,
            c if c == close => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}
