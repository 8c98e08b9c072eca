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
        let start = match &w.loc {
            Some(loc) => {
                self.span_of(frame, Some(loc));
                frame.offset(loc.start.index)
            }
            None => self.fallback().start.offset,
        };
        self.word_at(&w.value, start, ctx)
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
