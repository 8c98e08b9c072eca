//! The reader thread's terminal model: turns the program's bytes into the
//! plain view the tests match against and answers the queries programs
//! wait for.

/// A minimal terminal: strips escape sequences into a plain view, tracks the
/// cursor well enough to give a plausible answer to `ESC[6n`, and produces
/// the answers to queries.
pub(super) struct Vt {
    state: VtState,
    params: Vec<u8>,
    rows: u16,
    cols: u16,
    row: u16,
    col: u16,
    saved: (u16, u16),
    /// Nothing has been added to the view since its last line break.
    at_line_start: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum VtState {
    Ground,
    Esc,
    /// ESC followed by an intermediate byte (charset selection etc.): one more byte.
    EscIntermediate,
    Csi,
    Osc,
    OscEsc,
    /// DCS, SOS, PM, APC: a string ended by ST (ESC \).
    Str,
    StrEsc,
}

impl Vt {
    pub(super) fn new(rows: u16, cols: u16) -> Vt {
        Vt {
            state: VtState::Ground,
            params: Vec::new(),
            rows,
            cols,
            row: 0,
            col: 0,
            saved: (0, 0),
            at_line_start: true,
        }
    }

    /// Ends the view's current line, unless it is empty (the view is fed
    /// chunk by chunk, so this is tracked here, not read off `view`).
    fn line_break(&mut self, view: &mut Vec<u8>) {
        if !self.at_line_start {
            view.push(b'\n');
            self.at_line_start = true;
        }
    }

    fn down(&mut self, n: u16) {
        self.row = self.row.saturating_add(n).min(self.rows - 1);
    }

    /// Feeds bytes from the program; appends to `view`; returns the replies.
    pub(super) fn feed(&mut self, bytes: &[u8], view: &mut Vec<u8>) -> Vec<Vec<u8>> {
        let mut replies = Vec::new();
        for &b in bytes {
            match self.state {
                VtState::Ground => match b {
                    0x1b => self.state = VtState::Esc,
                    b'\r' => {
                        self.col = 0;
                        self.line_break(view);
                    }
                    b'\n' | 0x0b | 0x0c => {
                        self.down(1);
                        self.line_break(view);
                    }
                    0x08 => self.col = self.col.saturating_sub(1),
                    b'\t' => {
                        self.col = ((self.col / 8 + 1) * 8).min(self.cols - 1);
                        view.push(b'\t');
                        self.at_line_start = false;
                    }
                    0..=0x1f | 0x7f => {}
                    _ => {
                        view.push(b);
                        self.at_line_start = false;
                        // Count characters, not UTF-8 continuation bytes.
                        if b & 0xC0 != 0x80 {
                            self.col += 1;
                            if self.col >= self.cols {
                                self.col = 0;
                                self.down(1);
                            }
                        }
                    }
                },
                VtState::Esc => {
                    self.state = VtState::Ground;
                    match b {
                        b'[' => {
                            self.params.clear();
                            self.state = VtState::Csi;
                        }
                        b']' => self.state = VtState::Osc,
                        b'P' | b'X' | b'^' | b'_' => self.state = VtState::Str,
                        b' '..=b'/' => self.state = VtState::EscIntermediate,
                        b'7' => self.saved = (self.row, self.col),
                        b'8' => (self.row, self.col) = self.saved,
                        b'D' => self.down(1),
                        b'E' => {
                            self.down(1);
                            self.col = 0;
                            self.line_break(view);
                        }
                        b'M' => self.row = self.row.saturating_sub(1),
                        b'c' => (self.row, self.col) = (0, 0),
                        _ => {}
                    }
                }
                VtState::EscIntermediate => self.state = VtState::Ground,
                VtState::Csi => match b {
                    0x20..=0x3f => self.params.push(b),
                    0x40..=0x7e => {
                        self.state = VtState::Ground;
                        if let Some(reply) = self.csi(b, view) {
                            replies.push(reply);
                        }
                    }
                    0x1b => self.state = VtState::Esc,
                    _ => {} // C0 controls inside a sequence: ignore
                },
                VtState::Osc => match b {
                    0x07 => self.state = VtState::Ground,
                    0x1b => self.state = VtState::OscEsc,
                    _ => {}
                },
                VtState::OscEsc => self.state = VtState::Ground,
                VtState::Str => {
                    if b == 0x1b {
                        self.state = VtState::StrEsc;
                    }
                }
                VtState::StrEsc => {
                    self.state = if b == b'\\' {
                        VtState::Ground
                    } else {
                        VtState::Str
                    }
                }
            }
        }
        replies
    }

    /// Handles a CSI sequence ending in `fin`; returns a reply for queries.
    fn csi(&mut self, fin: u8, view: &mut Vec<u8>) -> Option<Vec<u8>> {
        let params = String::from_utf8_lossy(&self.params).into_owned();
        let private = params.starts_with(['?', '>', '<', '=']);
        let nums: Vec<u16> = params
            .trim_start_matches(['?', '>', '<', '='])
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let n = |i: usize| nums.get(i).copied().filter(|&v| v > 0).unwrap_or(1);
        let pos = |row: u16, col: u16| format!("\x1b[{};{}R", row + 1, col + 1).into_bytes();
        match (fin, private) {
            // Device status report: cursor position, and "are you OK".
            (b'n', false) if params == "6" => return Some(pos(self.row, self.col)),
            (b'n', false) if params == "5" => return Some(b"\x1b[0n".to_vec()),
            (b'n', true) if params == "?6" => {
                return Some(format!("\x1b[?{};{}R", self.row + 1, self.col + 1).into_bytes())
            }
            // Primary device attributes: a VT100 with advanced video.
            (b'c', false) if nums == [0] => return Some(b"\x1b[?1;2c".to_vec()),
            (b'H' | b'f', false) => {
                self.row = (n(0) - 1).min(self.rows - 1);
                self.col = (n(1) - 1).min(self.cols - 1);
                self.line_break(view);
            }
            (b'A', false) => {
                self.row = self.row.saturating_sub(n(0));
                self.line_break(view);
            }
            (b'B', false) => {
                self.down(n(0));
                self.line_break(view);
            }
            (b'C', false) => self.col = (self.col + n(0)).min(self.cols - 1),
            (b'D', false) => self.col = self.col.saturating_sub(n(0)),
            (b'E', false) => {
                self.down(n(0));
                self.col = 0;
                self.line_break(view);
            }
            (b'F', false) => {
                self.row = self.row.saturating_sub(n(0));
                self.col = 0;
                self.line_break(view);
            }
            (b'G' | b'`', false) => {
                self.col = (n(0) - 1).min(self.cols - 1);
                self.line_break(view);
            }
            (b'd', false) => {
                self.row = (n(0) - 1).min(self.rows - 1);
                self.line_break(view);
            }
            (b's', false) => self.saved = (self.row, self.col),
            (b'u', false) => (self.row, self.col) = self.saved,
            _ => {} // SGR, erase, modes, kitty keyboard query (unanswered = unsupported)…
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::pty::{COLS, ROWS};

    fn run(input: &[u8]) -> (String, Vec<Vec<u8>>) {
        let mut vt = Vt::new(ROWS, COLS);
        let mut view = Vec::new();
        let replies = vt.feed(input, &mut view);
        (String::from_utf8(view).unwrap(), replies)
    }

    #[test]
    fn strips_and_answers() {
        let (view, replies) = run(b"\x1b[1;32mcorral> \x1b[0m\x1b[6n\x1b]133;A\x07ok\r\ndone");
        assert_eq!(view, "corral> ok\ndone");
        assert_eq!(replies, vec![b"\x1b[1;9R".to_vec()]);
    }

    #[test]
    fn query_split_across_chunks() {
        let mut vt = Vt::new(ROWS, COLS);
        let mut view = Vec::new();
        assert!(vt.feed(b"ab\x1b[", &mut view).is_empty());
        assert_eq!(vt.feed(b"6n", &mut view), vec![b"\x1b[1;3R".to_vec()]);
    }

    #[test]
    fn repaints_become_lines() {
        let (view, _) = run(b"corral> ec\x1b[1;1H\x1b[Jcorral> echo hi\r\n");
        assert_eq!(view, "corral> ec\ncorral> echo hi\n");
    }

    #[test]
    fn breaks_do_not_double_across_chunks() {
        let mut vt = Vt::new(ROWS, COLS);
        let mut view = Vec::new();
        vt.feed(b"out:hello\r\n", &mut view);
        vt.feed(b"\x1b[3;1H\x1b[Jcorral> ", &mut view);
        assert_eq!(view, b"out:hello\ncorral> ");
    }
}
