//! Positions: brush reports character indexes into the text it parsed; a
//! [`Frame`] maps them to byte offsets of the whole source, so that nodes
//! inside `$(…)` point into the original text, and [`Source`] turns byte
//! offsets into lines and columns.

use super::ast::{Pos, Span};

/// Maps positions of one parsed text (the script, or the inside of a
/// `$(…)`) into the whole source.
pub(super) struct Frame<'t> {
    /// Byte offset of each character of the text, plus its end.
    chars: Vec<usize>,
    /// Byte offset of the text in the whole source.
    pub(super) base: usize,
    /// The text itself.
    pub(super) text: &'t str,
    /// Character indexes of characters the front end inserted before brush
    /// saw the text (see `patch::for_brush`).
    inserted: Vec<usize>,
}

impl<'t> Frame<'t> {
    pub(super) fn new(text: &'t str, base: usize, inserted: Vec<usize>) -> Self {
        let mut chars: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        chars.push(text.len());
        Frame {
            chars,
            base,
            text,
            inserted,
        }
    }

    /// The character index in the text of brush's character index (in the
    /// text with the inserted characters).
    pub(super) fn original_index(&self, char_index: usize) -> usize {
        char_index.saturating_sub(self.inserted.partition_point(|&i| i < char_index))
    }

    /// The byte offset in the text of a character index of the text itself
    /// (clamped to the end).
    pub(super) fn byte_of(&self, char_index: usize) -> usize {
        self.chars
            .get(char_index)
            .or(self.chars.last())
            .copied()
            .unwrap_or(0)
    }

    /// Absolute byte offset of brush's character index (clamped to the end).
    pub(super) fn offset(&self, char_index: usize) -> usize {
        let char_index =
            char_index.saturating_sub(self.inserted.partition_point(|&i| i <= char_index));
        let local = self
            .chars
            .get(char_index)
            .or(self.chars.last())
            .copied()
            .unwrap_or(0);
        self.base + local
    }
}

/// Line and column lookups over the whole source.
pub(super) struct Source<'s> {
    pub(super) text: &'s str,
    line_starts: Vec<usize>,
}

impl<'s> Source<'s> {
    pub(super) fn new(text: &'s str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { text, line_starts }
    }

    /// The position of a byte offset (clamped to the text, snapped to a char boundary).
    pub(super) fn pos(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(0, |s| s.chars().count())
            + 1;
        Pos {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
            offset,
        }
    }

    pub(super) fn span(&self, start: usize, end: usize) -> Span {
        Span {
            start: self.pos(start),
            end: self.pos(end.max(start)),
        }
    }
}
