//! `compgen -W`'s word list, read as bash reads it: split at `$IFS`
//! outside quotes, backslash escapes and `$(…)`/`${…}`/`` `…` `` (blanks
//! collapse, a non-blank delimiter takes the blanks around it), then each
//! piece expanded as a command word is (parameters, `$(…)`, splitting,
//! globbing). A piece reaches the parser as one word: its unquoted blanks
//! and operator characters are escaped first.

use crate::expand;
use crate::io::Streams;
use crate::lang::ast::{Command, Word};
use crate::shell::Shell;

/// The words of `: TEXT` as the parser reads them.
pub(super) fn parse_words(text: &str) -> Result<Vec<Word>, String> {
    let program = crate::lang::parse(&format!(": {text}")).map_err(|e| match e {
        // bash finds an open `${` when it expands the word, and says so
        // as its expander does.
        crate::lang::SyntaxError::Unterminated { closer: '}', .. } => match text.rfind("${") {
            Some(at) => {
                let open = &text[at..];
                if open[2..]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
                {
                    format!("{open}: bad substitution")
                } else {
                    format!("bad substitution: no closing `}}' in {open}")
                }
            }
            None => e.message(),
        },
        _ => e.message(),
    })?;
    let cmd = program
        .body
        .items
        .first()
        .and_then(|i| i.and_or.first.commands.first());
    match cmd {
        Some(Command::Simple(s)) => Ok(s.words.iter().skip(1).cloned().collect()),
        _ => Ok(Vec::new()),
    }
}

/// `-W`: the list split at `$IFS` (quotes, backslashes and `$(…)` hold
/// delimiters in), then each piece expanded as a command word is.
pub(super) async fn expand(
    shell: &mut Shell,
    list: &str,
    io: &mut Streams,
) -> Result<Vec<String>, i32> {
    let ifs = shell.env.vars.get("IFS").unwrap_or(" \t\n").to_string();
    let text = split_at_ifs(list, &ifs)
        .iter()
        .map(|p| escape_blanks(p))
        .collect::<Vec<_>>()
        .join(" ");
    let words = match parse_words(&text) {
        Ok(w) => w,
        Err(e) => {
            let prefix = shell.err_prefix();
            let who = if e.contains("bad substitution") {
                ""
            } else {
                "compgen: "
            };
            io.err_line(&format!("{prefix}{who}{e}")).await;
            return Err(1);
        }
    };
    match expand::fields(shell, &words).await {
        Ok(w) => Ok(w),
        Err(e) => {
            let prefix = shell.err_prefix();
            io.err_line(&format!("{prefix}{e}")).await;
            Err(1)
        }
    }
}

/// Splits at `ifs` outside quotes, backslash escapes and `$(…)`/`${…}`/`` `…` ``,
/// as field splitting does (blanks collapse; a non-blank delimiter takes
/// the blanks around it).
fn split_at_ifs(text: &str, ifs: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let n = chars.len();
    let blank = |c: char| ifs.contains(c) && c.is_ascii_whitespace();
    let mut pieces = Vec::new();
    let mut i = 0;
    while i < n && blank(chars[i]) {
        i += 1;
    }
    while i < n {
        let mut cur = String::new();
        while i < n && !ifs.contains(chars[i]) {
            let end = unit_end(&chars, i);
            cur.extend(&chars[i..end]);
            i = end;
        }
        pieces.push(cur);
        while i < n && blank(chars[i]) {
            i += 1;
        }
        if i < n && ifs.contains(chars[i]) {
            i += 1;
            while i < n && blank(chars[i]) {
                i += 1;
            }
        }
    }
    pieces
}

/// The end of the quoted or nested unit starting at `i` (one char if none).
fn unit_end(chars: &[char], i: usize) -> usize {
    let n = chars.len();
    match chars[i] {
        '\\' => (i + 2).min(n),
        '\'' => chars[i + 1..]
            .iter()
            .position(|c| *c == '\'')
            .map_or(n, |p| i + 1 + p + 1),
        '"' => {
            let mut j = i + 1;
            while j < n && chars[j] != '"' {
                j = if chars[j] == '\\' || chars[j] == '$' {
                    unit_end(chars, j)
                } else {
                    j + 1
                };
            }
            (j + 1).min(n)
        }
        '`' => chars[i + 1..]
            .iter()
            .position(|c| *c == '`')
            .map_or(n, |p| i + 1 + p + 1),
        '$' if matches!(chars.get(i + 1), Some('(' | '{')) => {
            let (open, close) = if chars[i + 1] == '(' {
                ('(', ')')
            } else {
                ('{', '}')
            };
            let mut depth = 0usize;
            let mut j = i + 1;
            while j < n {
                let c = chars[j];
                if c == open {
                    depth += 1;
                } else if c == close {
                    depth -= 1;
                    if depth == 0 {
                        return j + 1;
                    }
                } else if matches!(c, '\'' | '"' | '\\' | '`') {
                    j = unit_end(chars, j);
                    continue;
                }
                j += 1;
            }
            n
        }
        _ => i + 1,
    }
}

/// A piece of the list as one parser word: blanks and operator characters
/// outside quotes and substitutions are escaped.
pub(super) fn escape_blanks(piece: &str) -> String {
    let chars: Vec<char> = piece.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(
            c,
            ' ' | '\t' | '\n' | ';' | '&' | '|' | '<' | '>' | '(' | ')' | '#'
        ) {
            out.push('\\');
            out.push(c);
            i += 1;
            continue;
        }
        let end = unit_end(&chars, i);
        out.extend(&chars[i..end]);
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_splits_at_ifs_outside_quotes() {
        assert_eq!(split_at_ifs(" a  b\tc ", " \t\n"), ["a", "b", "c"]);
        assert_eq!(
            split_at_ifs("spam:eggs%ham cheese\\:colon", ":%"),
            ["spam", "eggs", "ham cheese\\:colon"]
        );
        assert_eq!(
            split_at_ifs("$(echo \"a:b\"):'c:d'", ":"),
            ["$(echo \"a:b\")", "'c:d'"]
        );
        assert_eq!(split_at_ifs("a : b", " :"), ["a", "b"]);
    }

    #[test]
    fn pieces_become_single_words() {
        assert_eq!(escape_blanks("ham cheese"), "ham\\ cheese");
        assert_eq!(escape_blanks("$(echo a b)"), "$(echo a b)");
        assert_eq!(escape_blanks("'x y'#"), "'x y'\\#");
    }
}
