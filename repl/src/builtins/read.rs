//! `read`, as bash 5.2 reads and splits.
//!
//! Three parts, each usable alone by the interpreter's wrapper:
//! - [`parse_options`]: `read [-ers] [-a array] [-d delim] [-i text] [-n
//!   nchars] [-N nchars] [-p prompt] [-t timeout] [-u fd] [name …]`.
//! - [`read_record`] (and [`read_record_blocking`], and the [`Record`]
//!   they drive): reads one record a byte at a time (the fd may be a pipe
//!   shared with other processes: nothing past the delimiter is consumed),
//!   handling `\`-newline continuation and escaped delimiters unless raw,
//!   and `-n`/`-N` character counts.
//! - [`split_fields`] / [`split_array`]: bash's assignment of the record to
//!   the names (or `REPLY`, or the `-a` array) by `IFS`.
//!
//! The wrapper prints the prompt (`-p`, only when the input is a
//! terminal), turns echo off for `-s`, applies `-t` with a timer around
//! [`read_record`] (the partial record stays in the caller's buffer; the
//! status is then 142), answers `-t 0` by polling the fd, validates the
//! names (`` `1x': not a valid identifier ``) and assigns. Status: 0, or 1
//! at end of file (the variables are still assigned).

use std::time::Duration;

use super::getopts::{BuiltinOptError, BuiltinOpts};

use tokio::io::{AsyncRead, AsyncReadExt};

/// What `read`'s options asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOptions {
    /// `-r`: backslashes are ordinary characters.
    pub raw: bool,
    /// `-s`: do not echo (terminal input).
    pub silent: bool,
    /// `-e`: use the line editor (interactive terminal only).
    pub editor: bool,
    /// `-i text`: the editor's initial text.
    pub initial: Option<String>,
    /// `-p prompt`.
    pub prompt: Option<String>,
    /// `-a name`: assign the fields to this indexed array.
    pub array: Option<String>,
    /// The record delimiter (`-d`; `-d ''` is NUL); `None` with `-N`.
    pub delim: Option<u8>,
    /// `-n`/`-N`: at most (exactly, with `-N`) this many characters.
    pub nchars: Option<usize>,
    /// `-t`: give up after this long (`Some(ZERO)`: only test for input).
    pub timeout: Option<Duration>,
    /// `-u fd` (default 0).
    pub fd: i32,
    /// The variable names (empty: `REPLY`).
    pub names: Vec<String>,
}

impl ReadOptions {
    /// The `IFS` to split with: `-N` does no splitting.
    #[must_use]
    pub fn split_ifs<'a>(&self, ifs: &'a str) -> &'a str {
        if self.delim.is_none() {
            ""
        } else {
            ifs
        }
    }
}

/// `read`'s option errors, in bash's words (without `corral: read: `).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// An unknown option letter or one without its argument (status 2,
    /// then the usage line), or `--help`.
    #[error("{0}")]
    Usage(BuiltinOptError),
    /// `-t` not a non-negative decimal (status 1).
    #[error("{0}: invalid timeout specification")]
    InvalidTimeout(String),
    /// `-n`/`-N` not a non-negative integer (status 1).
    #[error("{0}: invalid number")]
    InvalidNumber(String),
    /// `-u` not a non-negative integer (status 1).
    #[error("{0}: invalid file descriptor specification")]
    InvalidFd(String),
}

impl ReadError {
    /// bash's status for this error.
    #[must_use]
    pub fn status(&self) -> i32 {
        if self.shows_usage() {
            2
        } else {
            1
        }
    }

    /// Whether bash follows the message with `read: usage: …`.
    #[must_use]
    pub fn shows_usage(&self) -> bool {
        matches!(self, ReadError::Usage(_))
    }
}

/// Parses `read`'s arguments (without `read` itself).
///
/// # Errors
/// A [`ReadError`]; see [`ReadError::status`].
pub fn parse_options(args: &[String]) -> Result<ReadOptions, ReadError> {
    let mut o = ReadOptions {
        raw: false,
        silent: false,
        editor: false,
        initial: None,
        prompt: None,
        array: None,
        delim: Some(b'\n'),
        nchars: None,
        timeout: None,
        fd: 0,
        names: Vec::new(),
    };
    let mut exact = false;
    let mut delim = b'\n';
    let argv: Vec<String> = std::iter::once("read".to_owned())
        .chain(args.iter().cloned())
        .collect();
    let mut opts = BuiltinOpts::new(&argv, "ersa:d:i:n:N:p:t:u:");
    for opt in opts.by_ref() {
        let opt = opt.map_err(ReadError::Usage)?;
        let value = opt.value.unwrap_or_default();
        match opt.letter {
            'r' => o.raw = true,
            's' => o.silent = true,
            'e' => o.editor = true,
            'a' => o.array = Some(value),
            'd' => delim = value.bytes().next().unwrap_or(0),
            'i' => o.initial = Some(value),
            'p' => o.prompt = Some(value),
            c @ ('n' | 'N') => {
                o.nchars = Some(count(&value)?);
                exact |= c == 'N';
            }
            't' => o.timeout = Some(timeout(&value)?),
            _ => {
                o.fd = super::test::parse_integer(&value)
                    .and_then(|n| i32::try_from(n).ok())
                    .filter(|n| *n >= 0)
                    .ok_or(ReadError::InvalidFd(value))?;
            }
        }
    }
    o.names = opts.rest().to_vec();
    o.delim = if exact { None } else { Some(delim) };
    Ok(o)
}

fn count(v: &str) -> Result<usize, ReadError> {
    super::test::parse_integer(v)
        .and_then(|n| i32::try_from(n).ok())
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(|| ReadError::InvalidNumber(v.to_owned()))
}

/// `-t`'s argument: decimal seconds with an optional fraction.
fn timeout(v: &str) -> Result<Duration, ReadError> {
    let bad = || ReadError::InvalidTimeout(v.to_owned());
    let (int, frac) = v.split_once('.').unwrap_or((v, ""));
    if int.is_empty() && frac.is_empty()
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let secs: u64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let micros = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(6)
        .fold(0u32, |acc, d| acc * 10 + u32::from(d - b'0'));
    Ok(Duration::from_secs(secs) + Duration::from_micros(u64::from(micros)))
}

/// How [`read_record`] ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordEnd {
    /// The delimiter was read (and dropped).
    Delimiter,
    /// `-n`/`-N` characters were read.
    Count,
    /// End of file first: `read` returns 1.
    Eof,
}

/// The record being read, fed a byte at a time: up to the delimiter, or
/// `nchars` characters (a UTF-8 character counts once). Unless `raw`, a
/// backslash escapes the next byte (both are kept, for [`split_fields`])
/// and `\`-newline is dropped. [`read_record`] and [`read_record_blocking`]
/// drive it; a caller with its own I/O can too.
#[derive(Clone, Debug)]
pub struct Record {
    delim: Option<u8>,
    nchars: Option<usize>,
    raw: bool,
    chars: usize,
    escaped: bool,
    /// Continuation bytes still expected for the current UTF-8 character.
    pending: u8,
}

impl Record {
    /// A record ending at `delim` (`None`: only at the count or end of
    /// file), after at most `nchars` characters.
    #[must_use]
    pub fn new(delim: Option<u8>, nchars: Option<usize>, raw: bool) -> Record {
        Record {
            delim,
            nchars,
            raw,
            chars: 0,
            escaped: false,
            pending: 0,
        }
    }

    /// Already complete before any byte (`-n 0`).
    #[must_use]
    pub fn is_done(&self) -> bool {
        self.nchars == Some(0)
    }

    /// Takes byte `b` into `buf`; `Some` when the record is complete.
    pub fn push(&mut self, b: u8, buf: &mut Vec<u8>) -> Option<RecordEnd> {
        if self.pending > 0 && b & 0xc0 == 0x80 {
            self.pending -= 1;
            buf.push(b);
        } else {
            self.pending = 0;
            if self.escaped {
                self.escaped = false;
                if b == b'\n' {
                    buf.pop();
                    return None;
                }
                buf.push(b);
            } else if !self.raw && b == b'\\' {
                self.escaped = true;
                buf.push(b);
                return None;
            } else if Some(b) == self.delim {
                return Some(RecordEnd::Delimiter);
            } else if b == 0 {
                // bash drops a NUL that does not end the record (nor counts it for -n).
                return None;
            } else {
                buf.push(b);
            }
            self.pending = match b {
                0xc0..=0xdf => 1,
                0xe0..=0xef => 2,
                0xf0..=0xf7 => 3,
                _ => 0,
            };
            self.chars += 1;
        }
        (self.pending == 0 && self.nchars.is_some_and(|n| self.chars >= n))
            .then_some(RecordEnd::Count)
    }
}

/// Reads one [`Record`] into `buf` (appending) from `input`, a byte at a
/// time, so nothing past it is consumed.
///
/// # Errors
/// The read error.
///
/// # Cancel safety
/// Cancel safe: every byte read is in `buf` at once, so a timeout wrapped
/// around it leaves the partial record there.
pub async fn read_record<R: AsyncRead + Unpin>(
    input: &mut R,
    delim: Option<u8>,
    nchars: Option<usize>,
    raw: bool,
    buf: &mut Vec<u8>,
) -> std::io::Result<RecordEnd> {
    let mut record = Record::new(delim, nchars, raw);
    if record.is_done() {
        return Ok(RecordEnd::Count);
    }
    let mut byte = [0u8; 1];
    loop {
        if input.read(&mut byte).await? == 0 {
            return Ok(RecordEnd::Eof);
        }
        if let Some(end) = record.push(byte[0], buf) {
            return Ok(end);
        }
    }
}

/// [`read_record`] over a blocking reader (a terminal, read on a blocking
/// thread).
///
/// # Errors
/// The read error (`Interrupted` is retried).
pub fn read_record_blocking<R: std::io::Read>(
    input: &mut R,
    delim: Option<u8>,
    nchars: Option<usize>,
    raw: bool,
    buf: &mut Vec<u8>,
) -> std::io::Result<RecordEnd> {
    let mut record = Record::new(delim, nchars, raw);
    if record.is_done() {
        return Ok(RecordEnd::Count);
    }
    let mut byte = [0u8; 1];
    loop {
        match input.read(&mut byte) {
            Ok(0) => return Ok(RecordEnd::Eof),
            Ok(_) => {
                if let Some(end) = record.push(byte[0], buf) {
                    return Ok(end);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A character of the record and whether a backslash protected it.
type Ch = (char, bool);

/// Removes backslashes (unless `raw`): `\c` is `c`, protected from
/// splitting; `\`-newline disappears; a lone trailing `\` is dropped.
fn dequote(line: &str, raw: bool) -> Vec<Ch> {
    let mut out = Vec::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && !raw {
            match chars.next() {
                Some('\n') | None => {}
                Some(n) => out.push((n, true)),
            }
        } else {
            out.push((c, false));
        }
    }
    out
}

fn text(chs: &[Ch]) -> String {
    chs.iter().map(|(c, _)| *c).collect()
}

struct Ifs<'a>(&'a str);

impl Ifs<'_> {
    fn is_sep(&self, ch: Ch) -> bool {
        !ch.1 && self.0.contains(ch.0)
    }
    /// IFS whitespace: space, tab or newline that is in IFS.
    fn is_white(&self, ch: Ch) -> bool {
        self.is_sep(ch) && matches!(ch.0, ' ' | '\t' | '\n')
    }
}

/// bash's `get_word_from_string`: the word at the start of `s` (which
/// starts after IFS whitespace) and the rest after its delimiter.
fn next_word<'c>(s: &'c [Ch], ifs: &Ifs<'_>) -> (&'c [Ch], &'c [Ch]) {
    let end = s.iter().position(|&c| ifs.is_sep(c)).unwrap_or(s.len());
    let word = &s[..end];
    let mut i = end;
    let white_sep = s.get(i).is_some_and(|&c| ifs.is_white(c));
    if i < s.len() {
        i += 1;
    }
    while s.get(i).is_some_and(|&c| ifs.is_white(c)) {
        i += 1;
    }
    if white_sep && s.get(i).is_some_and(|&c| ifs.is_sep(c) && !ifs.is_white(c)) {
        i += 1;
        while s.get(i).is_some_and(|&c| ifs.is_white(c)) {
            i += 1;
        }
    }
    (word, &s[i..])
}

/// Assigns a record to `names` variables as bash does: each but the last
/// gets a field; the last gets the rest of the line with leading and
/// trailing IFS whitespace removed (or just its one field, when only a
/// trailing delimiter follows it). With `names == 0` (`REPLY`) the line is
/// kept whole. Returns `names.max(1)` values. `line` is the record as
/// [`read_record`] left it (backslashes in place unless `raw`).
#[must_use]
pub fn split_fields(line: &str, ifs: &str, names: usize, raw: bool) -> Vec<String> {
    let chs = dequote(line, raw);
    if names == 0 {
        return vec![text(&chs)];
    }
    let ifs = Ifs(ifs);
    let mut rest: &[Ch] = &chs;
    if !ifs.0.is_empty() {
        let lead = rest.iter().take_while(|&&c| ifs.is_white(c)).count();
        rest = &rest[lead..];
    }
    let mut out = Vec::with_capacity(names);
    for _ in 1..names {
        if rest.is_empty() {
            out.push(String::new());
            continue;
        }
        let (word, after) = next_word(rest, &ifs);
        out.push(text(word));
        rest = after;
    }
    let last = if rest.is_empty() {
        String::new()
    } else {
        let (word, after) = next_word(rest, &ifs);
        if after.is_empty() {
            text(word)
        } else {
            // bash strips escaped IFS whitespace here too, but never the
            // first character.
            let trail = rest[1..]
                .iter()
                .rev()
                .take_while(|&&(c, _)| ifs.is_white((c, false)))
                .count();
            text(&rest[..rest.len() - trail])
        }
    };
    out.push(last);
    out
}

/// `read -a`: the record split into fields as words are split (IFS
/// whitespace runs are one separator and never make empty fields; each
/// other IFS character ends a field).
#[must_use]
pub fn split_array(line: &str, ifs: &str, raw: bool) -> Vec<String> {
    let chs = dequote(line, raw);
    let ifs = Ifs(ifs);
    if ifs.0.is_empty() {
        return if chs.is_empty() {
            Vec::new()
        } else {
            vec![text(&chs)]
        };
    }
    let lead = chs.iter().take_while(|&&c| ifs.is_white(c)).count();
    let mut rest: &[Ch] = &chs[lead..];
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (word, after) = next_word(rest, &ifs);
        out.push(text(word));
        rest = after;
    }
    out
}

#[cfg(test)]
#[path = "tests/read.rs"]
mod tests;
