//! Assembling word parts in canonical form.

use super::ast::WordPart;

/// Builds the parts of a word, merging adjacent literals with the same
/// quoting and keeping an empty quoted literal only where it matters.
#[derive(Debug, Default)]
pub(crate) struct WordBuilder {
    pub parts: Vec<WordPart>,
}

impl WordBuilder {
    pub fn push_char(&mut self, c: char, quoted: bool) {
        if let Some(WordPart::Literal { text, quoted: q }) = self.parts.last_mut() {
            if *q == quoted {
                text.push(c);
                return;
            }
        }
        self.parts.push(WordPart::Literal {
            text: c.to_string(),
            quoted,
        });
    }

    pub fn push_str(&mut self, s: &str, quoted: bool) {
        for c in s.chars() {
            self.push_char(c, quoted);
        }
        if s.is_empty() && quoted {
            self.push_quoted_empty();
        }
    }

    /// Records `''` / `""`: needed only if the word has no quoted part at its end.
    pub fn push_quoted_empty(&mut self) {
        let last_quoted = matches!(
            self.parts.last(),
            Some(WordPart::Literal { quoted: true, .. } | WordPart::Param { quoted: true, .. })
        );
        if !last_quoted {
            self.parts.push(WordPart::Literal {
                text: String::new(),
                quoted: true,
            });
        }
    }

    pub fn push_param(&mut self, name: String, quoted: bool) {
        if quoted {
            if let Some(WordPart::Literal { text, quoted: true }) = self.parts.last() {
                if text.is_empty() {
                    self.parts.pop();
                }
            }
        }
        self.parts.push(WordPart::Param { name, quoted });
    }

    /// Turns a leading unquoted `~` (alone, or followed by `/`) into [`WordPart::Tilde`].
    pub fn apply_tilde(parts: &mut Vec<WordPart>) {
        let Some(WordPart::Literal {
            text,
            quoted: false,
        }) = parts.first_mut()
        else {
            return;
        };
        let Some(rest) = text.strip_prefix('~') else {
            return;
        };
        if rest.starts_with('/') {
            *text = rest.to_string();
            parts.insert(0, WordPart::Tilde);
        } else if rest.is_empty() && parts.len() == 1 {
            parts[0] = WordPart::Tilde;
        }
    }
}
