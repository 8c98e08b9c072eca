//! Building fields: the text of a word as its parts expand, split on IFS
//! where bash splits (unquoted expansion results only), with what globbing
//! and pattern matching need to know (which characters were quoted).
//!
//! Field-splitting model: a field is *live* once anything was appended to
//! it, or a quoted part (even empty) was. An unquoted expansion's IFS
//! whitespace ends a live field; a non-whitespace IFS character ends the
//! field even when empty, unless whitespace just ended one (`a : b` is two
//! fields). At the end of the word a live field is kept: unquoted empty
//! results vanish, `""` stays.

use super::pattern::is_special;

/// What the builder produces.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mode {
    /// Command words: split, remember quoting for globbing.
    Split,
    /// One string, no splitting, quoting forgotten.
    Join,
    /// One string with its quoted characters remembered (a pattern).
    Pattern,
}

/// The field being built (and the one string of a join or pattern build).
#[derive(Debug, Default)]
pub(super) struct Field {
    /// The text, quotes removed.
    pub text: String,
    /// Byte offsets of quoted pattern-special characters.
    pub quoted: Vec<usize>,
    /// An unquoted `*` or `?` (or extglob `(`) is in it, or a `[` closed later.
    pub glob: bool,
    /// An unquoted `[` is in it (a glob if a `]` follows).
    bracket: bool,
}

/// The field separators in effect.
#[derive(Debug, Clone)]
pub(super) enum Ifs {
    /// IFS unset or `" \t\n"`.
    Default,
    /// Any other value (empty: no splitting).
    Custom(String),
}

impl Ifs {
    pub fn from_value(v: Option<String>) -> Ifs {
        match v {
            None => Ifs::Default,
            Some(s) if s == " \t\n" => Ifs::Default,
            Some(s) => Ifs::Custom(s),
        }
    }

    fn contains(&self, c: char) -> bool {
        match self {
            Ifs::Default => matches!(c, ' ' | '\t' | '\n'),
            Ifs::Custom(s) => s.contains(c),
        }
    }

    /// The separator `"$*"` joins with: IFS's first character (space when unset).
    pub fn joiner(&self) -> Option<char> {
        match self {
            Ifs::Default => Some(' '),
            Ifs::Custom(s) => s.chars().next(),
        }
    }
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n')
}

/// Accumulates the fields of one or more words.
pub(super) struct Builder {
    pub mode: Mode,
    pub extglob: bool,
    /// Finished fields.
    pub out: Vec<String>,
    /// The finished fields to glob: their index in `out` and quoted offsets.
    pub globs: Vec<(usize, Vec<usize>)>,
    /// IFS, loaded when a split first needs it.
    pub ifs: Option<Ifs>,
    cur: Field,
    live: bool,
    ws_term: bool,
}

impl Builder {
    pub fn new(mode: Mode, extglob: bool) -> Builder {
        Builder {
            mode,
            extglob,
            out: Vec::new(),
            globs: Vec::new(),
            ifs: None,
            cur: Field::default(),
            live: false,
            ws_term: false,
        }
    }

    /// Unquoted text of the word itself (never split).
    pub fn literal(&mut self, t: &str) {
        if t.is_empty() {
            return;
        }
        self.note_meta(t);
        self.cur.text.push_str(t);
        self.live = true;
        self.ws_term = false;
    }

    /// Notes unquoted pattern characters (the cheap test before globbing).
    fn note_meta(&mut self, t: &str) {
        if self.mode != Mode::Split || self.cur.glob {
            return;
        }
        for b in t.bytes() {
            match b {
                b'*' | b'?' => {
                    self.cur.glob = true;
                    return;
                }
                b'(' if self.extglob => {
                    self.cur.glob = true;
                    return;
                }
                b'[' => self.cur.bracket = true,
                _ => {}
            }
        }
    }

    /// Quoted text: literal for patterns, never split.
    pub fn quoted(&mut self, t: &str) {
        if self.mode != Mode::Join {
            let base = self.cur.text.len();
            for (o, c) in t.char_indices() {
                if is_special(c) {
                    self.cur.quoted.push(base + o);
                }
            }
        }
        self.cur.text.push_str(t);
        self.live = true;
        self.ws_term = false;
    }

    /// A quoted part that expanded to nothing still makes a field (`""`).
    pub fn touch(&mut self) {
        self.live = true;
        self.ws_term = false;
    }

    /// The result of an unquoted expansion: split on `ifs` (in split mode).
    pub fn expansion(&mut self, t: &str, ifs: &Ifs) {
        if self.mode != Mode::Split {
            self.literal_active(t);
            return;
        }
        let mut rest = t;
        while !rest.is_empty() {
            let cut = rest.find(|c| ifs.contains(c)).unwrap_or(rest.len());
            if cut > 0 {
                self.literal(&rest[..cut]);
            }
            let Some(c) = rest[cut..].chars().next() else {
                break;
            };
            if is_ws(c) {
                if self.live {
                    self.finish();
                    self.ws_term = true;
                }
            } else {
                if self.live || !self.ws_term {
                    self.finish();
                }
                self.ws_term = false;
            }
            rest = &rest[cut + c.len_utf8()..];
        }
    }

    /// Text whose pattern characters stay active, not split.
    pub fn expansion_unsplit(&mut self, t: &str) {
        self.note_meta(t);
        self.literal_active(t);
    }

    fn literal_active(&mut self, t: &str) {
        self.cur.text.push_str(t);
        if !t.is_empty() {
            self.live = true;
            self.ws_term = false;
        }
    }

    /// Ends the current field unconditionally (between the words of `"$@"`).
    pub fn split_here(&mut self) {
        self.finish();
    }

    /// Ends the current field if it is live (between the words of `$@`).
    pub fn soft_break(&mut self) {
        if self.live {
            self.finish();
        }
        self.ws_term = false;
    }

    /// Ends a word: keeps the field in progress if it is live.
    pub fn end_word(&mut self) {
        if self.live {
            self.finish();
        }
        self.ws_term = false;
    }

    fn finish(&mut self) {
        if self.cur.bracket {
            self.cur.bracket = false;
            let after = self.cur.text.find('[').map_or("", |i| &self.cur.text[i..]);
            self.cur.glob |= after.contains(']');
        }
        let text = std::mem::take(&mut self.cur.text);
        if self.cur.glob {
            self.cur.glob = false;
            let quoted = std::mem::take(&mut self.cur.quoted);
            self.globs.push((self.out.len(), quoted));
        } else {
            self.cur.quoted.clear();
        }
        self.out.push(text);
        self.live = false;
    }

    /// The one string of a join or pattern build.
    pub fn take_string(&mut self) -> Field {
        let mut f = std::mem::take(&mut self.cur);
        // Join and pattern builds never end a field; if one did, keep its text.
        if !self.out.is_empty() {
            let head = self.out.concat();
            self.out.clear();
            f.text.insert_str(0, &head);
        }
        f
    }
}
