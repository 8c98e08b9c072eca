//! `test` and `[`, as bash 5.2 evaluates them.
//!
//! With 0 to 4 operands POSIX's rules by argument count apply (so `test ! =
//! a` compares `!` with `a`); with more, bash's grammar: `-o` binds looser
//! than `-a`, `!` and `( … )` nest. Filesystem, variable, option and
//! terminal questions go through [`FileTests`], which the interpreter
//! implements so that relative paths resolve from the shell's cwd.
//!
//! Errors are bash's words without the `corral: test: ` prefix; the wrapper
//! prints `corral: test: {error}` (or `[: …`) and returns status 2.

use std::os::unix::fs::MetadataExt;

/// What `stat(2)` said about a file, as far as `test` needs it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileInfo {
    /// `st_mode`: type and permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Size in bytes.
    pub size: u64,
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
    /// Modification time (seconds, nanoseconds).
    pub mtime: (i64, i64),
    /// Access time (seconds, nanoseconds).
    pub atime: (i64, i64),
}

impl FileInfo {
    /// The fields of a `std::fs::Metadata`.
    #[must_use]
    pub fn from_metadata(m: &std::fs::Metadata) -> FileInfo {
        FileInfo {
            mode: m.mode(),
            uid: m.uid(),
            gid: m.gid(),
            size: m.size(),
            dev: m.dev(),
            ino: m.ino(),
            mtime: (m.mtime(), m.mtime_nsec()),
            atime: (m.atime(), m.atime_nsec()),
        }
    }

    fn kind(&self) -> u32 {
        self.mode & 0o170_000
    }
}

const S_IFSOCK: u32 = 0o140_000;
const S_IFLNK: u32 = 0o120_000;
const S_IFREG: u32 = 0o100_000;
const S_IFBLK: u32 = 0o060_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFCHR: u32 = 0o020_000;
const S_IFIFO: u32 = 0o010_000;

/// Which permission `-r`, `-w` or `-x` asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `-r`
    Read,
    /// `-w`
    Write,
    /// `-x`
    Execute,
}

/// The shell's answers to `test`'s questions. Paths are as the user wrote
/// them; the implementation resolves relative ones from the shell's cwd.
pub trait FileTests {
    /// `stat(2)` (following symlinks); `None` when it fails.
    fn stat(&self, path: &str) -> Option<FileInfo>;
    /// `lstat(2)`; `None` when it fails.
    fn lstat(&self, path: &str) -> Option<FileInfo>;
    /// `eaccess(2)`-style permission check with the effective ids.
    fn access(&self, path: &str, access: Access) -> bool;
    /// `-v name`: the variable (or `name[i]` element) is set.
    fn is_set(&self, name: &str) -> bool;
    /// `-R name`: the variable is a name reference.
    fn is_nameref(&self, _name: &str) -> bool {
        false
    }
    /// `-o name`: the shell option (`set -o` name) is on.
    fn option_on(&self, name: &str) -> bool;
    /// `-t fd`: the shell's fd is a terminal.
    fn isatty(&self, fd: i32) -> bool;
    /// The effective user id (`-O`).
    fn euid(&self) -> u32;
    /// The effective group id (`-G`).
    fn egid(&self) -> u32;
}

/// Why `test` failed (status 2), in bash's words.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TestError {
    /// An operand of `-eq` & co. is not a decimal integer.
    #[error("{0}: integer expression expected")]
    Integer(String),
    /// Two operands, the first of which is not a unary operator.
    #[error("{0}: unary operator expected")]
    UnaryExpected(String),
    /// Three operands, the middle of which is not a binary operator.
    #[error("{0}: binary operator expected")]
    BinaryExpected(String),
    /// Operands left over after a complete expression.
    #[error("too many arguments")]
    TooMany,
    /// An operator left over after a complete expression.
    #[error("syntax error: `{0}' unexpected")]
    Unexpected(String),
    /// The expression ended where an operand was needed.
    #[error("argument expected")]
    ArgumentExpected,
    /// `( …` ran to the end.
    #[error("`)' expected")]
    CloseParen,
    /// `( …` followed by something else than `)`.
    #[error("`)' expected, found {0}")]
    CloseParenFound(String),
    /// `[` without a last `]`.
    #[error("missing `]'")]
    MissingBracket,
}

/// `test ARGS…` (operands only, without `test` itself).
///
/// # Errors
/// A [`TestError`] when the expression is malformed (bash's status 2).
pub fn test(args: &[String], fs: &dyn FileTests) -> Result<bool, TestError> {
    let mut p = Parser {
        argv: args,
        pos: 0,
        fs,
    };
    p.posix()
}

/// `[ ARGS… ]` (operands only, without `[`): the last must be `]`.
///
/// # Errors
/// [`TestError::MissingBracket`], or what [`test`] returns.
pub fn bracket(args: &[String], fs: &dyn FileTests) -> Result<bool, TestError> {
    match args.split_last() {
        Some((last, rest)) if last == "]" => test(rest, fs),
        _ => Err(TestError::MissingBracket),
    }
}

/// Whether `op` is one of `test`'s unary operators (`-f`, `-z`, …).
#[must_use]
pub fn is_unary_op(op: &str) -> bool {
    let b = op.as_bytes();
    b.len() == 2
        && b[0] == b'-'
        && matches!(
            b[1],
            b'a' | b'b'
                | b'c'
                | b'd'
                | b'e'
                | b'f'
                | b'g'
                | b'h'
                | b'k'
                | b'n'
                | b'o'
                | b'p'
                | b'r'
                | b's'
                | b't'
                | b'u'
                | b'v'
                | b'w'
                | b'x'
                | b'z'
                | b'G'
                | b'L'
                | b'O'
                | b'S'
                | b'N'
                | b'R'
        )
}

/// Whether `op` is one of `test`'s binary operators (`=`, `-lt`, …; not `-a`/`-o`).
#[must_use]
pub fn is_binary_op(op: &str) -> bool {
    matches!(
        op,
        "=" | "=="
            | "!="
            | "<"
            | ">"
            | "-nt"
            | "-ot"
            | "-ef"
            | "-eq"
            | "-ne"
            | "-lt"
            | "-le"
            | "-gt"
            | "-ge"
    )
}

/// bash's `legal_number`: optional blanks, sign, decimal digits, blanks; no overflow.
#[must_use]
pub fn parse_integer(s: &str) -> Option<i64> {
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t' || c == '\n');
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

fn integer(s: &str) -> Result<i64, TestError> {
    parse_integer(s).ok_or_else(|| TestError::Integer(s.to_owned()))
}

/// A unary file/string test (`op` as `-f`), as `test` and `[[` share it.
#[must_use]
pub fn unary(op: &str, arg: &str, fs: &dyn FileTests) -> bool {
    let stat = || fs.stat(arg);
    let kind = |k: u32| stat().is_some_and(|i| i.kind() == k);
    let bit = |b: u32| stat().is_some_and(|i| i.mode & b != 0);
    match op {
        "-a" | "-e" => stat().is_some(),
        "-f" => kind(S_IFREG),
        "-d" => kind(S_IFDIR),
        "-b" => kind(S_IFBLK),
        "-c" => kind(S_IFCHR),
        "-p" => kind(S_IFIFO),
        "-S" => kind(S_IFSOCK),
        "-h" | "-L" => fs.lstat(arg).is_some_and(|i| i.kind() == S_IFLNK),
        "-s" => stat().is_some_and(|i| i.size > 0),
        "-u" => bit(0o4000),
        "-g" => bit(0o2000),
        "-k" => bit(0o1000),
        "-r" => fs.access(arg, Access::Read),
        "-w" => fs.access(arg, Access::Write),
        "-x" => fs.access(arg, Access::Execute),
        "-O" => stat().is_some_and(|i| i.uid == fs.euid()),
        "-G" => stat().is_some_and(|i| i.gid == fs.egid()),
        "-N" => stat().is_some_and(|i| i.mtime > i.atime),
        "-t" => parse_integer(arg)
            .and_then(|n| i32::try_from(n).ok())
            .is_some_and(|fd| fs.isatty(fd)),
        "-z" => arg.is_empty(),
        "-n" => !arg.is_empty(),
        "-v" => fs.is_set(arg),
        "-R" => fs.is_nameref(arg),
        "-o" => fs.option_on(arg),
        _ => false,
    }
}

/// `-nt`, `-ot`, `-ef` on two paths.
#[must_use]
pub fn file_compare(op: &str, a: &str, b: &str, fs: &dyn FileTests) -> bool {
    let (sa, sb) = (fs.stat(a), fs.stat(b));
    match op {
        "-nt" => match (sa, sb) {
            (Some(x), Some(y)) => x.mtime > y.mtime,
            (Some(_), None) => true,
            _ => false,
        },
        "-ot" => match (sa, sb) {
            (Some(x), Some(y)) => x.mtime < y.mtime,
            (None, Some(_)) => true,
            _ => false,
        },
        "-ef" => match (sa, sb) {
            (Some(x), Some(y)) => x.dev == y.dev && x.ino == y.ino,
            _ => false,
        },
        _ => false,
    }
}

/// Integer comparison by operator (`-eq` …); `None` for another operator.
#[must_use]
pub fn int_compare(op: &str, a: i64, b: i64) -> Option<bool> {
    Some(match op {
        "-eq" => a == b,
        "-ne" => a != b,
        "-lt" => a < b,
        "-le" => a <= b,
        "-gt" => a > b,
        "-ge" => a >= b,
        _ => return None,
    })
}

struct Parser<'a> {
    argv: &'a [String],
    pos: usize,
    fs: &'a dyn FileTests,
}

impl Parser<'_> {
    fn arg(&self, i: usize) -> &str {
        self.argv.get(i).map_or("", String::as_str)
    }

    fn argc(&self) -> usize {
        self.argv.len()
    }

    /// Moves on; with `need`, an operand must follow.
    fn advance(&mut self, need: bool) -> Result<(), TestError> {
        self.pos += 1;
        if need && self.pos >= self.argc() {
            return Err(TestError::ArgumentExpected);
        }
        Ok(())
    }

    fn posix(&mut self) -> Result<bool, TestError> {
        let value = match self.argc() {
            0 => {
                self.pos = 0;
                false
            }
            1 => {
                self.pos = 1;
                !self.arg(0).is_empty()
            }
            2 => {
                let v = self.two()?;
                self.pos = self.argc();
                v
            }
            3 => self.three()?,
            n => {
                if n == 4 && self.arg(0) == "!" {
                    self.advance(true)?;
                    !self.three()?
                } else if n == 4 && self.arg(0) == "(" && self.arg(3) == ")" {
                    self.advance(true)?;
                    let v = self.two()?;
                    self.pos = self.argc();
                    v
                } else {
                    self.expr()?
                }
            }
        };
        if let Some(extra) = self.argv.get(self.pos) {
            if extra.starts_with('-') {
                return Err(TestError::Unexpected(extra.clone()));
            }
            return Err(TestError::TooMany);
        }
        Ok(value)
    }

    fn two(&mut self) -> Result<bool, TestError> {
        let first = self.arg(self.pos);
        if first == "!" {
            Ok(self.arg(self.pos + 1).is_empty())
        } else if is_unary_op(first) {
            self.unary_operator()
        } else {
            Err(TestError::UnaryExpected(first.to_owned()))
        }
    }

    fn three(&mut self) -> Result<bool, TestError> {
        let p = self.pos;
        let mid = self.arg(p + 1);
        let value = if is_binary_op(mid) {
            self.binary_operator()?
        } else if mid == "-a" {
            !self.arg(p).is_empty() && !self.arg(p + 2).is_empty()
        } else if mid == "-o" {
            !self.arg(p).is_empty() || !self.arg(p + 2).is_empty()
        } else if self.arg(p) == "!" {
            self.advance(true)?;
            !self.two()?
        } else if self.arg(p) == "(" && self.arg(p + 2) == ")" {
            !self.arg(p + 1).is_empty()
        } else {
            return Err(TestError::BinaryExpected(mid.to_owned()));
        };
        self.pos = self.argc();
        Ok(value)
    }

    fn expr(&mut self) -> Result<bool, TestError> {
        if self.pos >= self.argc() {
            return Err(TestError::ArgumentExpected);
        }
        self.or()
    }

    fn or(&mut self) -> Result<bool, TestError> {
        let left = self.and()?;
        if self.pos < self.argc() && self.arg(self.pos) == "-o" {
            self.advance(false)?;
            let right = self.or()?;
            return Ok(left || right);
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<bool, TestError> {
        let left = self.term()?;
        if self.pos < self.argc() && self.arg(self.pos) == "-a" {
            self.advance(false)?;
            let right = self.and()?;
            return Ok(left && right);
        }
        Ok(left)
    }

    fn term(&mut self) -> Result<bool, TestError> {
        if self.pos >= self.argc() {
            return Err(TestError::ArgumentExpected);
        }
        if self.arg(self.pos) == "!" {
            let mut negate = false;
            while self.pos < self.argc() && self.arg(self.pos) == "!" {
                self.advance(true)?;
                negate = !negate;
            }
            let v = self.term()?;
            return Ok(v != negate);
        }
        if self.arg(self.pos) == "(" {
            self.advance(true)?;
            let v = self.expr()?;
            match self.argv.get(self.pos) {
                None => return Err(TestError::CloseParen),
                Some(s) if s != ")" => return Err(TestError::CloseParenFound(s.clone())),
                Some(_) => {}
            }
            self.advance(false)?;
            return Ok(v);
        }
        if self.pos + 3 <= self.argc() && is_binary_op(self.arg(self.pos + 1)) {
            self.binary_operator()
        } else if self.pos + 2 <= self.argc() && is_unary_op(self.arg(self.pos)) {
            self.unary_operator()
        } else {
            let v = !self.arg(self.pos).is_empty();
            self.advance(false)?;
            Ok(v)
        }
    }

    fn unary_operator(&mut self) -> Result<bool, TestError> {
        let op = self.arg(self.pos).to_owned();
        if op == "-t" {
            self.advance(false)?;
            if self.pos < self.argc() {
                if parse_integer(self.arg(self.pos)).is_some() {
                    self.advance(false)?;
                    return Ok(unary("-t", self.arg(self.pos - 1), self.fs));
                }
                return Ok(false);
            }
            return Ok(unary("-t", "1", self.fs));
        }
        self.advance(true)?;
        let v = unary(&op, self.arg(self.pos), self.fs);
        self.advance(false)?;
        Ok(v)
    }

    fn binary_operator(&mut self) -> Result<bool, TestError> {
        let (a, op, b) = (
            self.arg(self.pos),
            self.arg(self.pos + 1),
            self.arg(self.pos + 2),
        );
        let v = match op {
            "=" | "==" => a == b,
            "!=" => a != b,
            "<" => a.as_bytes() < b.as_bytes(),
            ">" => a.as_bytes() > b.as_bytes(),
            "-nt" | "-ot" | "-ef" => file_compare(op, a, b, self.fs),
            _ => {
                let (x, y) = (integer(a)?, integer(b)?);
                int_compare(op, x, y).ok_or_else(|| TestError::BinaryExpected(op.to_owned()))?
            }
        };
        self.pos += 3;
        Ok(v)
    }
}

#[cfg(test)]
#[path = "tests/test.rs"]
mod tests;
