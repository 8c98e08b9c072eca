//! corral's syntax tree: what the interpreter runs, independent of the parser
//! that built it. Every node carries the [`Span`] of the source it came from.

/// A point in the source: 1-based line and column (in characters), and the
/// byte offset into the text given to [`parse`](super::parse).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    /// 1-based line number (`$LINENO`).
    pub line: u32,
    /// 1-based column, counted in characters.
    pub column: u32,
    /// Byte offset into the parsed text.
    pub offset: usize,
}

/// A half-open range of the source, `start..end`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Span {
    /// First character of the node.
    pub start: Pos,
    /// Just past its last character.
    pub end: Pos,
}

impl Span {
    /// The smallest span covering both.
    #[must_use]
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The text this span covers in `source` (empty if out of range).
    #[must_use]
    pub fn text(self, source: &str) -> &str {
        source.get(self.start.offset..self.end.offset).unwrap_or("")
    }
}

/// A whole script or command line: a list of commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Program {
    /// The commands, in order.
    pub body: List,
    /// The whole input.
    pub span: Span,
}

/// Commands separated by `;`, `&` or newlines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct List {
    /// The items, in order.
    pub items: Vec<Item>,
}

/// One and-or list with its terminator: run in the background when it ended with `&`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Item {
    /// The commands joined by `&&`/`||`.
    pub and_or: AndOr,
    /// Ended with `&`: this is one job.
    pub background: bool,
    /// Source of the and-or list (without the separator).
    pub span: Span,
}

/// `p1 && p2 || p3 …`, evaluated left to right.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    /// The first pipeline.
    pub first: Pipeline,
    /// The pipelines after it, each with the operator before it.
    pub rest: Vec<(Connector, Pipeline)>,
}

/// The operator between two pipelines of an and-or list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`
    And,
    /// `||`
    Or,
}

/// How `time` prefixes a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timed {
    /// `time`
    Bash,
    /// `time -p`
    Posix,
}

/// `[time [-p]] [!] c1 | c2 | …`. A `c1 |& c2` is `c1 2>&1 | c2`: the
/// redirection is appended to `c1`, as bash does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `time` before the pipeline.
    pub timed: Option<Timed>,
    /// `!`: the status is negated.
    pub bang: bool,
    /// The commands, left to right; at least one.
    pub commands: Vec<Command>,
    /// Source of the pipeline.
    pub span: Span,
}

/// One command of a pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// Assignments, words and redirections.
    Simple(SimpleCommand),
    /// A compound command and the redirections after it.
    Compound(CompoundCommand, Vec<Redirect>),
    /// `name() body` or `function name body`.
    Function(FunctionDef),
}

impl Command {
    /// Whether the command is a `( … )` (with any redirections).
    #[must_use]
    pub fn is_subshell(&self) -> bool {
        matches!(self, Command::Compound(c, _) if matches!(c.kind, CompoundKind::Subshell(_)))
    }

    /// Where the command is in the source.
    #[must_use]
    pub fn span(&self) -> Span {
        match self {
            Command::Simple(c) => c.span,
            Command::Compound(c, redirects) => redirects.iter().fold(c.span, |s, r| s.join(r.span)),
            Command::Function(f) => f.span,
        }
    }
}

/// `NAME=value … word … redirection …`; redirections keep their order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// Assignments before the command name.
    pub assignments: Vec<Assignment>,
    /// The command name and arguments (empty for assignments or redirections alone).
    pub words: Vec<Word>,
    /// Redirections, in source order.
    pub redirects: Vec<Redirect>,
    /// Source of the whole command.
    pub span: Span,
    /// The line bash counts the command on (`$LINENO`, messages, `eval`'s
    /// first line): where its parser reads the token after the first
    /// element, which may end lines after the command's start
    /// (`echo "a⏎b"` is on the second).
    pub line: u32,
}

/// `name=value`, `name+=value`, `name[i]=value`, `name=(a b [k]=c)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// `name[index]=`: the subscript, unexpanded.
    pub index: Option<Word>,
    /// `+=` rather than `=`.
    pub append: bool,
    /// What is assigned.
    pub value: AssignValue,
    /// Source of the assignment.
    pub span: Span,
}

/// The right side of an assignment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AssignValue {
    /// A scalar: one word, not field-split.
    Scalar(Word),
    /// An array `( … )`: elements with optional `[key]=`.
    Array(Vec<(Option<Word>, Word)>),
}

/// A compound command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompoundCommand {
    /// Which one.
    pub kind: CompoundKind,
    /// Source of the command (without trailing redirections).
    pub span: Span,
}

/// The compound commands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompoundKind {
    /// `{ list; }`
    Brace(List),
    /// `( list )`
    Subshell(List),
    /// `if c; then b; [elif c; then b;]… [else e;] fi`: the `(condition, body)`
    /// pairs of `if` and every `elif`, in order.
    If {
        /// `if` and `elif` branches.
        branches: Vec<(List, List)>,
        /// The `else` body.
        otherwise: Option<List>,
    },
    /// `for name [in words]; do body; done`; no `in` means `"$@"`.
    For {
        /// The loop variable.
        name: String,
        /// The words after `in`, if there is an `in`.
        words: Option<Vec<Word>>,
        /// The loop body.
        body: List,
    },
    /// `for ((init; cond; step)); do body; done`.
    ArithFor {
        /// Run once first.
        init: Option<Arith>,
        /// Tested before each pass; empty means true.
        cond: Option<Arith>,
        /// Run after each pass.
        step: Option<Arith>,
        /// The loop body.
        body: List,
    },
    /// `while cond; do body; done`
    While {
        /// The condition list.
        cond: List,
        /// The loop body.
        body: List,
    },
    /// `until cond; do body; done`
    Until {
        /// The condition list.
        cond: List,
        /// The loop body.
        body: List,
    },
    /// `case word in pattern) list ;; … esac`
    Case {
        /// The word matched.
        word: Word,
        /// The arms, in order.
        arms: Vec<CaseArm>,
    },
    /// `[[ expression ]]`
    Cond(CondExpr),
    /// `(( expression ))`
    Arith(Arith),
}

/// One arm of a `case`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    /// `p1 | p2 …`
    pub patterns: Vec<Word>,
    /// The commands (possibly empty).
    pub body: List,
    /// What follows when the arm ran.
    pub end: CaseEnd,
}

/// How a `case` arm ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseEnd {
    /// `;;`: leave the `case`.
    Break,
    /// `;&`: run the next arm's body too.
    FallThrough,
    /// `;;&`: go on testing the next patterns.
    Continue,
}

/// The expression inside `[[ … ]]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CondExpr {
    /// `a && b`
    And(Box<CondExpr>, Box<CondExpr>),
    /// `a || b`
    Or(Box<CondExpr>, Box<CondExpr>),
    /// `! a`
    Not(Box<CondExpr>),
    /// `( a )`
    Group(Box<CondExpr>),
    /// `-f word`, `-n word`…; a lone word is `-n word`.
    Unary(String, Word),
    /// `a == b`, `a =~ re`, `a -lt b`…: the operator as bash spells it.
    /// The right side of `==`/`!=` is a pattern and of `=~` a regex; quoted
    /// parts of it match literally.
    Binary(String, Word, Word),
}

/// An arithmetic expression as written (expanded before it is evaluated,
/// as bash does: `$((x + $y))`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arith {
    /// The text between the parentheses.
    pub text: String,
    /// Where the expression is.
    pub span: Span,
}

/// `name() compound [redirections]` or `function name compound`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionDef {
    /// The function's name.
    pub name: String,
    /// The body and the redirections applied at each call.
    pub body: Box<Command>,
    /// Source of the whole definition.
    pub span: Span,
    /// Where the definition ran: the parser leaves the default, the
    /// interpreter fills it in when it defines the function.
    pub defined: DefinedAt,
}

/// The file a function was defined in (`BASH_SOURCE`) and the lines before
/// the text its spans count from (`LINENO` inside it).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DefinedAt {
    /// The file, as `BASH_SOURCE` names it; `None` for the shell's own input.
    pub source: Option<std::sync::Arc<str>>,
    /// Lines before the text the definition was parsed from.
    pub line_base: u32,
}

/// A redirection: `[n]op target`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The explicit fd before the operator (`3>f`), if any.
    pub fd: Option<i32>,
    /// `{name}>f`: the shell picks a free fd (10 and up) and stores its
    /// number in `name`; `{name}>&-` closes the one `name` holds. Such a
    /// descriptor stays open after the command, as in bash.
    pub fd_var: Option<String>,
    /// The operator and its target.
    pub kind: RedirectKind,
    /// Source of the redirection (operator and target).
    pub span: Span,
}

impl Redirect {
    /// The fd redirected: the explicit one or the operator's default.
    #[must_use]
    pub fn target_fd(&self) -> i32 {
        self.fd.unwrap_or(match &self.kind {
            RedirectKind::Read(_)
            | RedirectKind::ReadWrite(_)
            | RedirectKind::DupIn(_)
            | RedirectKind::HereDoc(_)
            | RedirectKind::HereString(_) => 0,
            _ => 1,
        })
    }
}

/// Redirection operators, each with its target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `< file`
    Read(Word),
    /// `> file`
    Write(Word),
    /// `>> file`
    Append(Word),
    /// `<> file`
    ReadWrite(Word),
    /// `>| file` (ignores noclobber)
    Clobber(Word),
    /// `<& word`: an fd number, `-` to close, or (after expansion) invalid.
    DupIn(Word),
    /// `>& word`: an fd number or `-`; a file name when no fd was given (`>&file` is `&>file`).
    DupOut(Word),
    /// `&> file`: stdout and stderr.
    OutErr(Word),
    /// `&>> file`
    AppendOutErr(Word),
    /// `<<delim` / `<<-delim`
    HereDoc(HereDoc),
    /// `<<< word`
    HereString(Word),
}

/// A here-document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereDoc {
    /// The delimiter as written (quotes included).
    pub delimiter: String,
    /// `<<-`: leading tabs were stripped from the body and delimiter lines.
    pub strip_tabs: bool,
    /// The body, without the delimiter line.
    pub body: HereDocBody,
}

/// The body of a here-document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HereDocBody {
    /// Quoted delimiter: the body is used as is.
    Literal(String),
    /// Unquoted delimiter: `$…`, `` `…` `` and `\` are expanded (quotes are literal).
    Expand(Word),
}

impl HereDocBody {
    /// The body's text as written.
    #[must_use]
    pub fn raw(&self) -> &str {
        match self {
            HereDocBody::Literal(text) => text,
            HereDocBody::Expand(word) => &word.raw,
        }
    }
}

/// A word: the pieces it is made of, with their quoting, so that the
/// expander can apply bash's rules (field splitting and globbing only on
/// unquoted results).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The pieces, in order.
    pub parts: Vec<WordPart>,
    /// The text as written.
    pub raw: String,
    /// Where the word is.
    pub span: Span,
}

impl Word {
    /// The word's literal value when it has no expansion at all (quote
    /// removal only), e.g. for `for NAME` or a function name.
    #[must_use]
    pub fn literal(&self) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                WordPart::Literal(t) | WordPart::SingleQuoted(t) | WordPart::Escaped(t) => {
                    out.push_str(t);
                }
                WordPart::DoubleQuoted(inner) => {
                    let w = Word {
                        parts: inner.clone(),
                        raw: String::new(),
                        span: self.span,
                    };
                    out.push_str(&w.literal()?);
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether brace expansion may apply: an unquoted `{` followed by an
    /// unquoted `,` or `..` and an unquoted `}`.
    #[must_use]
    pub fn has_brace_candidate(&self) -> bool {
        let text: String = self
            .parts
            .iter()
            .map(|p| match p {
                WordPart::Literal(t) => t.as_str(),
                _ => "\u{0}",
            })
            .collect();
        match (text.find('{'), text.rfind('}')) {
            (Some(open), Some(close)) if open < close => {
                let inner = text.get(open..close).unwrap_or("");
                inner.contains(',') || inner.contains("..")
            }
            _ => false,
        }
    }

    /// Whether pathname expansion may apply: an unquoted `*`, `?` or `[`.
    #[must_use]
    pub fn has_glob_chars(&self) -> bool {
        self.parts.iter().any(|p| match p {
            WordPart::Literal(t) => t.contains(['*', '?', '[']),
            _ => false,
        })
    }
}

/// A piece of a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Unquoted text: subject to brace expansion, field splitting of
    /// nothing (it is literal) but globbing (`*`, `?`, `[`).
    Literal(String),
    /// `\c` outside quotes (or `\$`, `\\`, `` \` ``, `\"` inside them): the character, quoted.
    Escaped(String),
    /// `'text'`: quoted, no expansion.
    SingleQuoted(String),
    /// `$'text'`: the escapes already decoded; quoted.
    AnsiC(String),
    /// `"…"`: the pieces inside (no field splitting or globbing on them).
    DoubleQuoted(Vec<WordPart>),
    /// `~` or `~user` at the start of a word (or after `:` / `=` in assignments).
    Tilde(Tilde),
    /// `$name`, `${…}`.
    Param(ParamExpansion),
    /// `$(…)` (or `` `…` `` when `backquoted`), parsed.
    CommandSubst {
        /// The commands inside.
        program: Box<Program>,
        /// Written with backquotes.
        backquoted: bool,
    },
    /// `$((…))`
    Arith(Arith),
    /// A `${…}` brush's word grammar rejects: expanding it fails with bash's
    /// `TEXT: bad substitution` (status 1), which bash reports when it
    /// expands the word, not when it parses it.
    BadSubstitution(String),
    /// `( … )` of a declaration's argument (`declare a=(x [k]=y)`): its
    /// elements, each with its `[key]=` when written. It expands to one
    /// field, `(…)` with every element quoted, which the declaration builtin
    /// parses back.
    ArrayLiteral(Vec<(Option<Word>, Word)>),
    /// `<(…)` or `>(…)`
    ProcessSubst {
        /// `<(…)`: the command's output is read.
        read: bool,
        /// The commands inside.
        program: Box<Program>,
    },
}

/// A tilde prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tilde {
    /// `~`: `$HOME`.
    Home,
    /// `~user`
    User(String),
    /// `~+`: `$PWD`.
    Pwd,
    /// `~-`: `$OLDPWD`.
    OldPwd,
    /// `~N`, `~+N`, `~-N`: the directory stack (`from_bottom` for `~-N`).
    Dirs {
        /// The index.
        n: usize,
        /// Counted from the bottom of the stack.
        from_bottom: bool,
    },
}

/// Which parameter a `$…` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Param {
    /// `$name`
    Named(String),
    /// `$1`, `${10}`; `$0` is `Positional(0)`.
    Positional(u32),
    /// `$@` (`concat: false`) or `$*` (`concat: true`).
    All {
        /// `$*`
        concat: bool,
    },
    /// `$#`
    Count,
    /// `$?`
    Status,
    /// `$-`
    Flags,
    /// `$$`
    Pid,
    /// `$!`
    LastBackground,
    /// `${name[index]}` (the index unexpanded).
    Element {
        /// The array.
        name: String,
        /// The subscript as written.
        index: String,
    },
    /// `${name[@]}` / `${name[*]}`
    AllElements {
        /// The array.
        name: String,
        /// `[*]`
        concat: bool,
    },
}

/// `$x`, `${x}` or `${x OP …}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParamExpansion {
    /// The parameter.
    pub param: Param,
    /// `${!x…}`: indirect.
    pub indirect: bool,
    /// What is done with the value.
    pub op: ParamOp,
}

/// Case conversion of `${x^…}`, `${x,…}`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CaseOp {
    /// `^`: first character to upper case.
    UpperFirst,
    /// `^^`: all to upper case.
    UpperAll,
    /// `,`: first to lower case.
    LowerFirst,
    /// `,,`: all to lower case.
    LowerAll,
}

/// Where `${x/p/r}` matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplaceWhere {
    /// `${x/p/r}`: first match.
    First,
    /// `${x//p/r}`: every match.
    All,
    /// `${x/#p/r}`: at the start.
    Prefix,
    /// `${x/%p/r}`: at the end.
    Suffix,
}

/// The operators of `${…}`. `colon` is the `:` form (unset *or null*).
/// Operand words are parsed like words (quotes, nested expansions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParamOp {
    /// `$x`, `${x}`
    Value,
    /// `${#x}`
    Length,
    /// `${x-w}` / `${x:-w}`
    Default {
        /// `:` form.
        colon: bool,
        /// The default.
        word: Word,
    },
    /// `${x=w}` / `${x:=w}`
    Assign {
        /// `:` form.
        colon: bool,
        /// The value assigned.
        word: Word,
    },
    /// `${x?w}` / `${x:?w}`
    Error {
        /// `:` form.
        colon: bool,
        /// The message (empty: bash's default).
        word: Word,
    },
    /// `${x+w}` / `${x:+w}`
    Alternative {
        /// `:` form.
        colon: bool,
        /// The alternative.
        word: Word,
    },
    /// `${x#p}` / `${x##p}`
    RemovePrefix {
        /// `##`
        longest: bool,
        /// The pattern.
        pattern: Word,
    },
    /// `${x%p}` / `${x%%p}`
    RemoveSuffix {
        /// `%%`
        longest: bool,
        /// The pattern.
        pattern: Word,
    },
    /// `${x/p/r}` and its forms.
    Replace {
        /// Which matches.
        at: ReplaceWhere,
        /// The pattern.
        pattern: Word,
        /// The replacement (`None`: `${x/p}` deletes).
        replacement: Option<Word>,
    },
    /// `${x:offset[:length]}`
    Substring {
        /// The offset.
        offset: Arith,
        /// The length.
        length: Option<Arith>,
    },
    /// `${x^p}`, `${x^^p}`, `${x,p}`, `${x,,p}`
    Case {
        /// Which conversion.
        op: CaseOp,
        /// Only characters matching this pattern (none: all).
        pattern: Option<Word>,
    },
    /// `${x@Q}` and the other `@` transformations: the operator letter.
    Transform(char),
    /// `${!prefix@}` / `${!prefix*}`
    Names {
        /// The prefix.
        prefix: String,
        /// `*` form.
        concat: bool,
    },
    /// `${!a[@]}` / `${!a[*]}`
    Keys {
        /// The array.
        name: String,
        /// `*` form.
        concat: bool,
    },
}
