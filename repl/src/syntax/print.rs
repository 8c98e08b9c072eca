//! `Display` for the syntax tree: a canonical form that parses back to the
//! same tree (spans aside). Quoted text is printed inside `"…"`, parameters
//! as `$NAME` or `${NAME}`, lists on one line separated by `; ` or ` & `.

use std::fmt;

use super::ast::{
    AndOr, Assignment, Command, Connector, GroupCommand, List, Pipeline, Redirection,
    RedirectionKind, SimpleCommand, Word, WordPart,
};

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Writes `$name` or `${name}` so that it lexes back as the same parameter
/// even when followed by `next`.
fn write_param(f: &mut fmt::Formatter<'_>, name: &str, next: Option<char>) -> fmt::Result {
    let single_special = name.chars().count() == 1 && !name.starts_with(is_identifier_start);
    let ident = name.starts_with(is_identifier_start);
    if single_special || (ident && !next.is_some_and(is_name_char)) {
        write!(f, "${name}")
    } else {
        write!(f, "${{{name}}}")
    }
}

fn is_identifier_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn part_is_quoted(p: &WordPart) -> bool {
    matches!(
        p,
        WordPart::Literal { quoted: true, .. } | WordPart::Param { quoted: true, .. }
    )
}

/// The first character `part` prints as when it is printed unquoted or
/// inside double quotes.
fn first_char(part: Option<&WordPart>) -> Option<char> {
    match part? {
        WordPart::Literal {
            text,
            quoted: false,
        } => text.chars().next(),
        WordPart::Literal { .. } | WordPart::Param { .. } | WordPart::Tilde => None,
    }
}

impl fmt::Display for Word {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts = &self.parts;
        let mut i = 0;
        while i < parts.len() {
            if part_is_quoted(&parts[i]) {
                // A run of quoted parts prints as one "…" string.
                f.write_str("\"")?;
                while i < parts.len() && part_is_quoted(&parts[i]) {
                    match &parts[i] {
                        WordPart::Literal { text, .. } => {
                            for c in text.chars() {
                                if matches!(c, '$' | '`' | '"' | '\\') {
                                    f.write_str("\\")?;
                                }
                                write!(f, "{c}")?;
                            }
                        }
                        WordPart::Param { name, .. } => {
                            let next = match parts.get(i + 1) {
                                Some(WordPart::Literal { text, quoted: true }) => {
                                    text.chars().next()
                                }
                                _ => None,
                            };
                            write_param(f, name, next)?;
                        }
                        WordPart::Tilde => {}
                    }
                    i += 1;
                }
                f.write_str("\"")?;
                continue;
            }
            match &parts[i] {
                WordPart::Literal { text, .. } => f.write_str(text)?,
                WordPart::Param { name, .. } => write_param(f, name, first_char(parts.get(i + 1)))?,
                WordPart::Tilde => f.write_str("~")?,
            }
            i += 1;
        }
        Ok(())
    }
}

impl fmt::Display for Assignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

impl fmt::Display for Redirection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.kind, f)
    }
}

impl fmt::Display for RedirectionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RedirectionKind::Read { fd: 0, target } => write!(f, "<{target}"),
            RedirectionKind::Read { fd, target } => write!(f, "{fd}<{target}"),
            RedirectionKind::Write { fd, target, append } => {
                let op = if *append { ">>" } else { ">" };
                if *fd == 1 {
                    write!(f, "{op}{target}")
                } else {
                    write!(f, "{fd}{op}{target}")
                }
            }
            RedirectionKind::WriteBoth { target, append } => {
                let op = if *append { "&>>" } else { "&>" };
                write!(f, "{op}{target}")
            }
            RedirectionKind::Duplicate { fd: 0, copy_of } => write!(f, "<&{copy_of}"),
            RedirectionKind::Duplicate { fd: 1, copy_of } => write!(f, ">&{copy_of}"),
            RedirectionKind::Duplicate { fd, copy_of } => write!(f, "{fd}>&{copy_of}"),
        }
    }
}

fn write_spaced<T: fmt::Display>(
    f: &mut fmt::Formatter<'_>,
    first: &mut bool,
    items: &[T],
) -> fmt::Result {
    for item in items {
        if !*first {
            f.write_str(" ")?;
        }
        *first = false;
        write!(f, "{item}")?;
    }
    Ok(())
}

impl fmt::Display for SimpleCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        write_spaced(f, &mut first, &self.assignments)?;
        write_spaced(f, &mut first, &self.words)?;
        write_spaced(f, &mut first, &self.redirections)
    }
}

impl fmt::Display for GroupCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "( {} )", self.body)?;
        for r in &self.redirections {
            write!(f, " {r}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Command::Simple(c) => fmt::Display::fmt(c, f),
            Command::Group(g) => fmt::Display::fmt(g, f),
        }
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.commands.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for AndOr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.first)?;
        for (conn, p) in &self.rest {
            let op = match conn {
                Connector::And => "&&",
                Connector::Or => "||",
            };
            write!(f, " {op} {p}")?;
        }
        Ok(())
    }
}

impl fmt::Display for List {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                let prev_bg = self.items.get(i - 1).is_some_and(|p| p.background);
                f.write_str(if prev_bg { " " } else { "; " })?;
            }
            write!(f, "{}", item.and_or)?;
            if item.background {
                f.write_str(" &")?;
            }
        }
        Ok(())
    }
}
