//! The syntax tree produced by [`parse`](super::parse).
//!
//! Every node that a user may want to see "as typed" carries a [`Span`]: a byte
//! range into the source string given to `parse`. Spans are tight: they start at
//! the node's first token and end right after its last token, so they never
//! include surrounding blanks, separators (`;`, `&`, newline) or comments after
//! the last token.
//!
//! The `Display` impls print a canonical, single-line-per-list form of the tree
//! that parses back to the same tree (spans aside). It is meant for debugging
//! and error messages; use spans to show a command exactly as the user typed it.

/// A byte range `start..end` into the parsed source string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end` (byte offsets).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The span covering `self` and `other` and everything between.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The source text this span covers, with surrounding blanks and newlines
    /// trimmed (spans are tight already, so this rarely changes anything).
    /// Returns `""` if the span does not fit `src` (e.g. another string).
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        src.get(self.start..self.end)
            .unwrap_or("")
            .trim_matches(|c| c == ' ' || c == '\t' || c == '\n')
    }
}

/// A list: and-or lists separated by `;`, `&` or newlines. A whole input line
/// (or script) is a `List`, and so is the body of a `( … )` group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct List {
    /// The items, in source order. Empty for blank or comment-only input.
    pub items: Vec<ListItem>,
    /// From the first item's start to the last item's end (`0..0`-like and
    /// empty when there are no items).
    pub span: Span,
}

/// One and-or list of a [`List`] and how it is terminated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// The commands.
    pub and_or: AndOr,
    /// True when terminated by `&`: the whole and-or list runs as one
    /// background job, and the shell goes on with the next item at once.
    pub background: bool,
}

/// Pipelines joined by `&&` and `||`, evaluated left to right with equal
/// precedence (`a || b && c` is `(a || b) && c`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AndOr {
    /// The first pipeline, always run.
    pub first: Pipeline,
    /// The following pipelines, each with the connector before it.
    pub rest: Vec<(Connector, Pipeline)>,
    /// Source span, e.g. `sleep 30 | cat` in `sleep 30 | cat &`.
    pub span: Span,
}

/// The operator joining two pipelines of an [`AndOr`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Connector {
    /// `&&`: run the next pipeline if the status so far is 0.
    And,
    /// `||`: run the next pipeline if the status so far is not 0.
    Or,
}

/// Commands joined by `|`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pipeline {
    /// At least one command.
    pub commands: Vec<Command>,
    /// Source span of the whole pipeline.
    pub span: Span,
}

/// One command of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `A=1 prog arg >file`.
    Simple(SimpleCommand),
    /// `( list ) >file`.
    Group(GroupCommand),
}

/// A simple command: assignments, words and redirections.
///
/// At least one of the three vectors is non-empty. With no words, the
/// assignments set shell variables and the redirections are still performed
/// (`>file` creates/truncates `file`), as in sh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments (before expansion).
    pub words: Vec<Word>,
    /// Redirections, in source order (the order matters: `>f 2>&1`).
    pub redirections: Vec<Redirection>,
    /// Source span.
    pub span: Span,
}

/// A `( … )` group: its list runs as one command (in a subshell-like job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCommand {
    /// The commands inside the parentheses (never empty).
    pub body: List,
    /// Redirections after the `)`, applying to the whole group.
    pub redirections: Vec<Redirection>,
    /// Source span, from `(` to the end of the last redirection.
    pub span: Span,
}

/// `NAME=value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name (`[A-Za-z_][A-Za-z0-9_]*`).
    pub name: String,
    /// The value; may have no parts (`NAME=`). Expand it with
    /// [`expand_word_single`](super::expand_word_single).
    pub value: Word,
    /// Source span of the whole `NAME=value` word.
    pub span: Span,
}

/// A redirection and its source span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirection {
    /// What to do.
    pub kind: RedirectionKind,
    /// Source span, e.g. `2>>log` or `2>&1`.
    pub span: Span,
}

/// The redirection operations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedirectionKind {
    /// `[n]<file`: open `file` for reading as descriptor `fd` (default 0).
    Read {
        /// The descriptor being set.
        fd: u32,
        /// The file name (expand with [`expand_redirect_target`](super::expand_redirect_target)).
        target: Word,
    },
    /// `[n]>file` (truncate) or `[n]>>file` (append); `fd` defaults to 1.
    /// `>|file` is accepted as `>file`.
    Write {
        /// The descriptor being set.
        fd: u32,
        /// The file name.
        target: Word,
        /// `>>`: open in append mode, creating the file if needed.
        append: bool,
    },
    /// `&>file`, `&>>file`, `>&file`: stdout and stderr both to `file`.
    WriteBoth {
        /// The file name.
        target: Word,
        /// `&>>`: append.
        append: bool,
    },
    /// `[n]>&m` or `[n]<&m`: make `fd` a copy of descriptor `copy_of`
    /// (`2>&1`: fd 2 = copy of fd 1). `fd` defaults to 1 for `>&`, 0 for `<&`.
    Duplicate {
        /// The descriptor being set.
        fd: u32,
        /// The descriptor it becomes a copy of.
        copy_of: u32,
    },
}

/// A word before expansion: a sequence of parts that keep their quoting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The parts, in order. Adjacent literals with the same quoting are merged.
    pub parts: Vec<WordPart>,
    /// Source span of the word (for an assignment value: after the `=`).
    pub span: Span,
}

/// One piece of a [`Word`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WordPart {
    /// Literal text after quote removal. `quoted` is true for text that came
    /// from `'…'`, `"…"`, `$'…'` or a backslash escape: it is never
    /// glob-expanded. A lone `$` that starts no expansion is stored quoted.
    /// An empty quoted literal (`""`) makes the word produce a field even if
    /// everything else expands to nothing.
    Literal {
        /// The text.
        text: String,
        /// Whether the text was quoted.
        quoted: bool,
    },
    /// `$NAME`, `${NAME}`, `$?`, `$!`, `$$`, `$#`, `$@`, `$*`, `$-`, `$0`–`$9`,
    /// `${10}`…: the value of [`ExpandContext::var`](super::ExpandContext::var)
    /// for `name` (the part after `$`, without braces). Unquoted (`quoted:
    /// false`) values are field-split and globbed; quoted ones are not.
    Param {
        /// The parameter name: an identifier, digits, or one of `? ! $ # @ * -`.
        name: String,
        /// True inside double quotes.
        quoted: bool,
    },
    /// An unquoted `~` at the start of a word (or of an assignment value),
    /// alone or followed by `/`: the home directory.
    Tilde,
}

impl Word {
    /// The word's text if it has no expansions at all: only literal parts and
    /// no unquoted glob pattern (`*`, `?`, or a complete `[…]`). Quotes are
    /// removed: `'ec'ho` gives `Some("echo")`. Useful to recognise builtins.
    pub fn literal(&self) -> Option<String> {
        let mut text = String::new();
        for part in &self.parts {
            match part {
                WordPart::Literal { text: t, .. } => text.push_str(t),
                WordPart::Param { .. } | WordPart::Tilde => return None,
            }
        }
        if super::glob::has_unquoted_pattern(&self.parts) {
            return None;
        }
        Some(text)
    }

    /// True if some part is quoted (`''`, `"…"`, `\x`, `$'…'`).
    pub fn is_quoted(&self) -> bool {
        self.parts.iter().any(|p| match p {
            WordPart::Literal { quoted, .. } | WordPart::Param { quoted, .. } => *quoted,
            WordPart::Tilde => false,
        })
    }
}

impl Command {
    /// The command's source span.
    pub fn span(&self) -> Span {
        match self {
            Command::Simple(c) => c.span,
            Command::Group(g) => g.span,
        }
    }

    /// The command's redirections, in source order.
    pub fn redirections(&self) -> &[Redirection] {
        match self {
            Command::Simple(c) => &c.redirections,
            Command::Group(g) => &g.redirections,
        }
    }
}

impl Pipeline {
    /// The pipeline as typed (see [`Span::text`]).
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        self.span.text(src)
    }
}

impl AndOr {
    /// The and-or list as typed, e.g. `sleep 30 | cat` for `sleep 30 | cat &`:
    /// the text a background job is shown with.
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        self.span.text(src)
    }

    /// All pipelines in order, the first one included.
    pub fn pipelines(&self) -> impl Iterator<Item = &Pipeline> {
        std::iter::once(&self.first).chain(self.rest.iter().map(|(_, p)| p))
    }
}

impl List {
    /// True for blank or comment-only input.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}
