//! The prompt and the multi-line validator for reedline.

use std::borrow::Cow;
use std::os::fd::AsFd;

use reedline::{Prompt, PromptEditMode, PromptHistorySearch, ValidationResult, Validator};

/// `corral> `, with `> ` for continuation lines.
pub struct CorralPrompt;

impl Prompt for CorralPrompt {
    fn render_prompt_left(&self) -> Cow<'_, str> {
        // reedline paints the prompt once raw mode is on; raw mode cleared
        // OPOST, which readline keeps: put it back before anything is shown.
        crate::sys::tty::keep_newline_translation(std::io::stdin().as_fd());
        Cow::Borrowed("corral> ")
    }

    fn render_prompt_right(&self) -> Cow<'_, str> {
        Cow::Borrowed("")
    }

    fn render_prompt_indicator(&self, _: PromptEditMode) -> Cow<'_, str> {
        Cow::Borrowed("")
    }

    fn render_prompt_multiline_indicator(&self) -> Cow<'_, str> {
        Cow::Borrowed("> ")
    }

    fn render_prompt_history_search_indicator(&self, search: PromptHistorySearch) -> Cow<'_, str> {
        Cow::Owned(format!("(search: {}) ", search.term))
    }
}

/// Asks for another line while the input is an unfinished command
/// (open quote, trailing `|`, `&&`, `(`…).
pub struct LineValidator;

impl Validator for LineValidator {
    fn validate(&self, line: &str) -> ValidationResult {
        if crate::lang::is_incomplete(line) {
            ValidationResult::Incomplete
        } else {
            ValidationResult::Complete
        }
    }
}
