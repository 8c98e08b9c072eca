//! Waiting for output: `expect*` match from a cursor in the view that
//! advances past each match; a wait ends at a match, at EOF, or at its
//! deadline (then it panics with the view's tail, the cursor marked `⟦▶⟧`).

use std::time::{Duration, Instant};

use super::{Output, Pty, TAIL};

impl Pty {
    /// Waits until `needle` appears in the view after the cursor; moves the
    /// cursor past it and returns the view from the old cursor to the end of
    /// the match. Panics at the deadline.
    pub fn expect(&self, needle: &str) -> String {
        self.expect_with(&format!("{needle:?}"), |view, from| {
            find(&view[from..], needle.as_bytes()).map(|at| from + at + needle.len())
        })
    }

    /// Waits until a complete line (ended by a line break, trailing blanks
    /// ignored) after the cursor equals `line` exactly. Moves the cursor past
    /// that line; returns the view from the old cursor to the end of it.
    pub fn expect_line(&self, line: &str) -> String {
        self.expect_with(&format!("the line {line:?}"), |view, from| {
            find_line(view, from, &|l: &str| l == line).map(|(_, end)| end)
        })
    }

    /// Waits until a complete line after the cursor satisfies `pred` (given
    /// the line without its break and trailing blanks); moves the cursor past
    /// it and returns that line. `what` names it in the timeout message.
    pub fn expect_line_matching(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let mut matched = String::new();
        self.expect_with(what, |view, from| {
            let (line, end) = find_line(view, from, &pred)?;
            matched = line;
            Some(end)
        });
        matched
    }

    /// Waits until a complete line after the cursor begins with `prefix`;
    /// returns the line (see [`Pty::expect_line_matching`]).
    pub fn expect_line_starting(&self, prefix: &str) -> String {
        self.expect_line_matching(&format!("a line starting with {prefix:?}"), |l| {
            l.starts_with(prefix)
        })
    }

    /// Like [`Pty::expect_line_matching`], but gives up after `timeout`
    /// (returns `None`, cursor unchanged) instead of panicking. For retry
    /// loops; prefer the panicking forms.
    pub fn try_expect_line_matching(
        &self,
        timeout: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> Option<String> {
        let mut matched = String::new();
        self.wait_match(timeout, |view, from| {
            let (line, end) = find_line(view, from, &pred)?;
            matched = line;
            Some(end)
        })
        .ok()?;
        Some(matched)
    }

    /// Panicking form of [`Pty::wait_match`] with the default deadline.
    fn expect_with(&self, what: &str, locate: impl FnMut(&[u8], usize) -> Option<usize>) -> String {
        match self.wait_match(self.timeout, locate) {
            Ok(text) => text,
            Err(Failed::Eof(tail)) => panic!(
                "EOF (the program exited: {:?}) while waiting for {what}; output (⟦▶⟧ marks the cursor):\n{tail}",
                self.try_exit_status()
            ),
            Err(Failed::Timeout(tail)) => panic!(
                "timed out after {:?} waiting for {what}; {}output (⟦▶⟧ marks the cursor):\n{tail}",
                self.timeout,
                self.describe_processes()
            ),
        }
    }

    /// The general form: `locate` gets the whole view and the cursor, and
    /// returns where the match ends. On a match, moves the cursor there and
    /// returns the view from the old cursor; woken by the reader thread.
    fn wait_match(
        &self,
        timeout: Duration,
        mut locate: impl FnMut(&[u8], usize) -> Option<usize>,
    ) -> Result<String, Failed> {
        let deadline = Instant::now() + timeout;
        let mut out = self.shared.lock();
        loop {
            let from = out.cursor;
            if let Some(end) = locate(&out.view, from) {
                out.cursor = end;
                return Ok(String::from_utf8_lossy(&out.view[from..end]).into_owned());
            }
            if out.eof {
                return Err(Failed::Eof(render_tail(&out)));
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(Failed::Timeout(render_tail(&out)));
            }
            out = self
                .shared
                .changed
                .wait_timeout(out, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }

    /// Moves the cursor to the end of what has been read so far (skips it).
    pub fn skip_all(&self) {
        let mut out = self.shared.lock();
        out.cursor = out.view.len();
    }

    /// The whole view read so far.
    pub fn view(&self) -> String {
        String::from_utf8_lossy(&self.shared.lock().view).into_owned()
    }

    /// The view after the cursor (not consumed).
    pub fn pending(&self) -> String {
        let out = self.shared.lock();
        String::from_utf8_lossy(&out.view[out.cursor..]).into_owned()
    }

    /// The raw bytes read so far (escape sequences included).
    pub fn raw(&self) -> Vec<u8> {
        self.shared.lock().raw.clone()
    }

    /// The last ~2 KB of the view with the cursor marked, for messages.
    pub fn tail(&self) -> String {
        render_tail(&self.shared.lock())
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The first complete line of `view` (one that ends with `\n`) that starts
/// at or after `from`, at the view's beginning or right after a `\n`, and
/// satisfies `pred` once trailing blanks are trimmed. If `from` is mid-line,
/// the rest of that line is not a line of its own. Returns the line and the
/// offset just past its `\n`.
fn find_line(view: &[u8], from: usize, pred: &impl Fn(&str) -> bool) -> Option<(String, usize)> {
    let mut start = from;
    if start > 0 && view[start - 1] != b'\n' {
        start += view[start..].iter().position(|&b| b == b'\n')? + 1;
    }
    while let Some(nl) = view[start..].iter().position(|&b| b == b'\n') {
        let end = start + nl;
        let line = String::from_utf8_lossy(&view[start..end]);
        let line = line.trim_end_matches([' ', '\t']);
        if pred(line) {
            return Some((line.to_string(), end + 1));
        }
        start = end + 1;
    }
    None
}

fn render_tail(out: &Output) -> String {
    let from = out.view.len().saturating_sub(TAIL);
    let from = (from..out.view.len())
        .find(|&i| out.view[i] & 0xC0 != 0x80)
        .unwrap_or(out.view.len());
    if out.cursor >= from {
        format!(
            "{}⟦▶⟧{}",
            String::from_utf8_lossy(&out.view[from..out.cursor]),
            String::from_utf8_lossy(&out.view[out.cursor..])
        )
    } else {
        format!(
            "(cursor is before this)\n{}",
            String::from_utf8_lossy(&out.view[from..])
        )
    }
}

/// Why a wait ended without a match; each carries the tail of the view.
enum Failed {
    Eof(String),
    Timeout(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_search() {
        let view = b"corral> echo $?\n130\ncorral> ";
        let (line, end) = find_line(view, 0, &|l: &str| l == "130").unwrap();
        assert_eq!(line, "130");
        assert_eq!(&view[end..], b"corral> ");
        assert!(find_line(b"1305\n", 0, &|l: &str| l == "130").is_none());
        // Mid-line cursor: the fragment "130" after "x" is not a line.
        assert!(find_line(b"x130\n", 1, &|l: &str| l == "130").is_none());
        assert_eq!(
            find_line(b"x\n130  \n", 1, &|l: &str| l == "130")
                .unwrap()
                .1,
            8
        );
    }
}
