//! Lowering words: each goes through the word parser ([`crate::lang::word`]).

use brush_parser::ast as b;

use super::Lower;
use super::Result;
use crate::lang::ast::*;
use crate::lang::source::Frame;
use crate::lang::word;

impl Lower<'_, '_> {
    /// A word of this frame.
    pub(in crate::lang) fn word(
        &self,
        frame: &Frame<'_>,
        w: &b::Word,
        ctx: word::Context,
    ) -> Result<Word> {
        let (start, written) = match &w.loc {
            Some(loc) => {
                self.span_of(frame, Some(loc));
                let start = frame.offset(loc.start.index);
                let end = frame.offset(loc.end.index);
                (start, self.src.text.get(start..end))
            }
            None => (self.fallback().start.offset, None),
        };
        // brush rebuilds a `${…}` from its tokens, one space for each run of
        // blanks (`${x%a  b}`); the text as written keeps them.
        let text = match written {
            Some(src)
                if w.value.contains("${") && src != w.value && same_but_blanks(src, &w.value) =>
            {
                src
            }
            _ => &w.value,
        };
        self.word_at(text, start, ctx)
    }

    /// A word given as text with no location: placed at `near`.
    pub(super) fn text_word(&self, _frame: &Frame<'_>, text: &str, near: Span) -> Result<Word> {
        self.word_at(text, near.start.offset, word::Context::Normal)
    }

    /// A word whose text starts at byte `start` of the source.
    pub(in crate::lang) fn word_at(
        &self,
        text: &str,
        start: usize,
        ctx: word::Context,
    ) -> Result<Word> {
        word::lower(self, text, start, ctx)
    }
}

/// Whether `a` and `b` are the same text but for the runs of blanks and
/// newlines between their other characters.
pub(super) fn same_but_blanks(a: &str, b: &str) -> bool {
    let squeeze = |s: &str| -> String {
        let mut out = String::with_capacity(s.len());
        let mut blank = false;
        for c in s.chars() {
            if c.is_ascii_whitespace() {
                blank = true;
                continue;
            }
            if blank {
                out.push(' ');
                blank = false;
            }
            out.push(c);
        }
        out
    };
    squeeze(a) == squeeze(b)
}
