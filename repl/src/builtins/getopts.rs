//! `getopts OPTSTRING NAME [ARG…]`, as bash 5.2 steps through options.
//!
//! The state between calls is bash's: the index of the argument being
//! scanned (`OPTIND`'s internal twin) and the position inside a cluster
//! like `-abc`. The shell keeps one [`GetoptsState`] and either
//! [`GetoptsState::reset`]s it whenever `OPTIND` is assigned (bash's
//! `sv_optind`: `OPTIND=1` starts over, also mid-cluster), or calls
//! [`GetoptsState::sync`] with `OPTIND`'s value before each call.
//!
//! The wrapper: fewer than two operands → `getopts: usage: …`,
//! status 2; an invalid NAME → `` `NAME': not a valid identifier ``, 1;
//! otherwise it passes the arguments (or the positional parameters) here,
//! assigns NAME, sets or unsets `OPTARG`, sets `OPTIND`, prints
//! [`GetoptsResult::diagnostic`] (with `$0`, not `corral: getopts:`) and
//! returns [`GetoptsResult::status`]. Options are characters (bash steps
//! through bytes; they differ only for non-ASCII option letters).
//!
//! [`BuiltinOpts`] runs the same scan for the builtins' own options, as bash's
//! `internal_getopt` does: it yields the options and stops at the first
//! operand, and on an error gives `NAME: -x: invalid option` or `NAME: -x:
//! option requires an argument`, which the builtin prints with its usage
//! line before returning 2 ([`BuiltinOptError::report`]). `--help` where an
//! option word could start is [`BuiltinOptError::Help`]: the builtin prints
//! its help and returns 2, as bash does. [`scan`] runs the whole scan and
//! reports, with the usage line from the builtin table.

use crate::io::Streams;

/// Where the scan is: bash's `sh_optind` and the offset in the cluster.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GetoptsState {
    /// 1-based index of the argument being scanned (0: not started).
    optind: usize,
    /// Byte offset of the next option letter in that argument (0: none).
    next: usize,
    /// The `OPTIND` the last call returned (see [`GetoptsState::sync`]).
    published: Option<usize>,
}

impl GetoptsState {
    /// For a shell without a hook on `OPTIND` assignments: resets (as
    /// [`GetoptsState::reset`]) unless `OPTIND` still holds what the last
    /// call returned. Misses only `OPTIND=1` inside a cluster that started
    /// at word 1 (bash restarts there).
    pub fn sync(&mut self, optind: Option<&str>) {
        let same = self.published.is_some()
            && optind.and_then(|v| v.parse::<usize>().ok()) == self.published;
        if !same {
            *self = GetoptsState::reset(optind);
        }
    }

    /// The state after `OPTIND` is assigned `value` (unset: `None`).
    #[must_use]
    pub fn reset(value: Option<&str>) -> GetoptsState {
        let n = value.map_or(0, atoi);
        GetoptsState {
            optind: if n < 0 || n == 1 {
                0
            } else {
                usize::try_from(n).unwrap_or(0)
            },
            next: 0,
            published: None,
        }
    }
}

/// C's `atoi`: leading blanks, sign, digits; 0 when none.
fn atoi(s: &str) -> i64 {
    let t = s.trim_start_matches([' ', '\t', '\n']);
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let n = digits
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0i64, |acc, d| {
            acc.saturating_mul(10).saturating_add(i64::from(d - b'0'))
        });
    if neg {
        -n
    } else {
        n
    }
}

/// A message bash prints to stderr, prefixed by `$0` (not by `getopts:`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum GetoptsDiagnostic {
    /// A letter not in OPTSTRING.
    #[error("illegal option -- {0}")]
    Illegal(char),
    /// An option that takes an argument came last.
    #[error("option requires an argument -- {0}")]
    NeedsArgument(char),
}

impl GetoptsDiagnostic {
    /// The line bash prints: `$0: illegal option -- x`.
    #[must_use]
    pub fn message(&self, arg0: &str) -> String {
        format!("{arg0}: {self}")
    }
}

/// What one `getopts` call assigns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GetoptsResult {
    /// NAME's new value: the option letter, `?` (error or end) or `:`
    /// (missing argument in silent mode).
    pub name: String,
    /// `OPTARG`: `Some` sets it, `None` unsets it.
    pub optarg: Option<String>,
    /// `OPTIND`'s new value.
    pub optind: usize,
    /// 0 while options remain, 1 at their end.
    pub status: i32,
    /// Printed when not in silent mode (OPTSTRING without a leading `:`).
    pub diagnostic: Option<GetoptsDiagnostic>,
}

/// One step of `getopts`: `args` are the words scanned (not `$0`).
#[must_use]
pub fn getopts(optstring: &str, args: &[String], state: &mut GetoptsState) -> GetoptsResult {
    let result = step(optstring, false, args, state);
    state.published = Some(result.optind);
    result
}

/// `plus`: words starting with `+` hold options too (`compopt +o`).
fn step(optstring: &str, plus: bool, args: &[String], state: &mut GetoptsState) -> GetoptsResult {
    let (silent, spec) = match optstring.strip_prefix(':') {
        Some(rest) => (true, rest),
        None => (false, optstring),
    };
    let argc = args.len() + 1;
    let arg = |i: usize| args.get(i.wrapping_sub(1)).map_or("", String::as_str);
    let done = |state: &GetoptsState| GetoptsResult {
        name: "?".to_owned(),
        optarg: None,
        optind: state.optind,
        status: 1,
        diagnostic: None,
    };
    if state.optind >= argc {
        state.optind = argc;
        state.next = 0;
        return done(state);
    }
    if state.optind == 0 {
        state.optind = 1;
        state.next = 0;
    }
    if state.next == 0 || state.next >= arg(state.optind).len() {
        let word = arg(state.optind);
        if word == "--" {
            state.optind += 1;
            state.next = 0;
            return done(state);
        }
        let signed = word.starts_with('-') || plus && word.starts_with('+');
        if !signed || word.len() == 1 {
            state.next = 0;
            return done(state);
        }
        state.next = 1;
    }
    let word = arg(state.optind);
    let Some(c) = word.get(state.next..).and_then(|s| s.chars().next()) else {
        state.next = 0;
        return done(state);
    };
    state.next += c.len_utf8();
    if state.next >= word.len() {
        state.optind += 1;
        state.next = 0;
    }
    let found = spec.find(c).filter(|_| c != ':');
    let Some(at) = found else {
        return GetoptsResult {
            name: "?".to_owned(),
            optarg: silent.then(|| c.to_string()),
            optind: state.optind,
            status: 0,
            diagnostic: (!silent).then_some(GetoptsDiagnostic::Illegal(c)),
        };
    };
    let takes_arg = spec[at + c.len_utf8()..].starts_with(':');
    let mut optarg = None;
    if takes_arg {
        if state.next != 0 {
            optarg = Some(word[state.next..].to_owned());
            state.optind += 1;
        } else if state.optind == argc {
            state.next = 0;
            return GetoptsResult {
                name: if silent { ":" } else { "?" }.to_owned(),
                optarg: silent.then(|| c.to_string()),
                optind: state.optind,
                status: 0,
                diagnostic: (!silent).then_some(GetoptsDiagnostic::NeedsArgument(c)),
            };
        } else {
            optarg = Some(arg(state.optind).to_owned());
            state.optind += 1;
        }
        state.next = 0;
    }
    GetoptsResult {
        name: c.to_string(),
        optarg,
        optind: state.optind,
        status: 0,
        diagnostic: None,
    }
}

/// One option of a builtin: its letter, whether it was written `+x`, and
/// its argument when OPTSTRING gives it one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BuiltinOpt {
    pub letter: char,
    pub plus: bool,
    pub value: Option<String>,
}

/// A builtin's bad option, as bash words it (`-x` or `+x`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BuiltinOptError {
    /// A letter not in OPTSTRING.
    #[error("{0}{1}: invalid option")]
    Invalid(char, char),
    /// An option that takes an argument came last.
    #[error("{0}{1}: option requires an argument")]
    NeedsArgument(char, char),
    /// `--help` where an option word could start: the builtin prints its
    /// help instead (bash's `GETOPT_HELP`).
    #[error("--help")]
    Help(&'static str),
}

impl BuiltinOptError {
    /// Prints `{prefix}-x: invalid option` (prefix: the shell's and the
    /// builtin's names, `corral: line 1: fc: `) and the usage line; returns
    /// bash's status for a usage error, 2.
    pub(crate) async fn report(self, io: &mut Streams, prefix: &str, usage: &str) -> i32 {
        if let BuiltinOptError::Help(name) = self {
            return super::help::print_help(io, name).await;
        }
        io.err_line(&format!("{prefix}{self}")).await;
        io.err_line(usage).await;
        2
    }
}

/// The options of one builtin call: `getopts`'s scan over the words after
/// the builtin's name, stopping at the first error.
pub(crate) struct BuiltinOpts<'a> {
    /// The builtin's name when it has help to give for `--help`.
    help: Option<&'static str>,
    optstring: &'a str,
    plus: bool,
    args: &'a [String],
    state: GetoptsState,
    done: bool,
}

impl<'a> BuiltinOpts<'a> {
    /// `argv`: the builtin's words, its name first. `optstring`: as for
    /// `getopts` (letters, `:` after each that takes an argument); a
    /// leading `+` makes `+x` words options too.
    pub(crate) fn new(argv: &'a [String], optstring: &'a str) -> BuiltinOpts<'a> {
        let (plus, optstring) = match optstring.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, optstring),
        };
        BuiltinOpts {
            help: argv.first().and_then(|n| super::help::builtin_name(n)),
            optstring,
            plus,
            args: argv.get(1..).unwrap_or_default(),
            state: GetoptsState::default(),
            done: false,
        }
    }

    /// The word the next option would start, unless the scan is inside a
    /// cluster like `-lnr` or over: for a builtin that ends its options
    /// at some words of its own (`fc -5`).
    pub(crate) fn next_word(&self) -> Option<&'a str> {
        if self.done || self.state.next != 0 {
            return None;
        }
        self.args
            .get(self.state.optind.max(1) - 1)
            .map(String::as_str)
    }

    /// The operands: the words from where the scan stopped.
    pub(crate) fn rest(&self) -> &'a [String] {
        let at = self.state.optind.max(1) - 1;
        self.args.get(at..).unwrap_or_default()
    }
}

impl Iterator for BuiltinOpts<'_> {
    type Item = Result<BuiltinOpt, BuiltinOptError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let word = self.state.optind.max(1) - 1;
        if let Some(name) = self.help.filter(|_| self.state.next == 0) {
            if self.args.get(word).is_some_and(|w| w == "--help") {
                self.done = true;
                return Some(Err(BuiltinOptError::Help(name)));
            }
        }
        let r = step(self.optstring, self.plus, self.args, &mut self.state);
        if r.status != 0 {
            self.done = true;
            return None;
        }
        let sign = match self.args.get(word).and_then(|w| w.chars().next()) {
            Some('+') => '+',
            _ => '-',
        };
        match r.diagnostic {
            Some(d) => {
                self.done = true;
                Some(Err(match d {
                    GetoptsDiagnostic::Illegal(c) => BuiltinOptError::Invalid(sign, c),
                    GetoptsDiagnostic::NeedsArgument(c) => BuiltinOptError::NeedsArgument(sign, c),
                }))
            }
            None => Some(Ok(BuiltinOpt {
                letter: r.name.chars().next().unwrap_or('?'),
                plus: sign == '+',
                value: r.optarg,
            })),
        }
    }
}

/// Scans all of a builtin's options. On an error prints it behind `prefix`
/// (the shell's error prefix) and the builtin's name, then the usage line
/// of `argv[0]` (for `--help`: its help), and gives the status to return.
///
/// # Errors
/// The status the builtin returns after a bad option or `--help`: 2.
pub(crate) async fn scan<'a>(
    io: &mut Streams,
    prefix: &str,
    argv: &'a [String],
    optstring: &'a str,
) -> Result<(Vec<BuiltinOpt>, &'a [String]), i32> {
    let mut opts = BuiltinOpts::new(argv, optstring);
    let mut found = Vec::new();
    for o in opts.by_ref() {
        match o {
            Ok(o) => found.push(o),
            Err(e) => {
                let name = argv.first().map_or("", String::as_str);
                let prefix = format!("{prefix}{name}: ");
                return Err(e.report(io, &prefix, &super::help::usage(name)).await);
            }
        }
    }
    Ok((found, opts.rest()))
}

#[cfg(test)]
#[path = "tests/getopts.rs"]
mod tests;
