//! The line editor: reedline on a thread of its own, one line per request.
//!
//! Each [`Request`] carries the prompts the shell made for that line and
//! gets one [`Read`] back. Keys are emacs's, with Tab completing (one match
//! at once, no menu) and one change from reedline: Enter in a Ctrl-R search
//! runs the line found, as readline's does, instead of only putting it in
//! the buffer. [`SearchKeys`] sees the keys before reedline acts on them,
//! tracks whether a search is on, and on such an Enter raises reedline's
//! break signal: reedline takes the found line into the buffer, then
//! returns it as a break, and the thread submits it with one
//! immediately-accepting read, which paints and moves on as Enter does.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use reedline::{
    default_emacs_keybindings, ColumnarMenu, EditMode, Emacs, ExternalPrinter, KeyCode,
    KeyModifiers, MenuBuilder, PromptEditMode, Reedline, ReedlineEvent, ReedlineMenu,
    ReedlineRawEvent, Signal as EditSignal,
};
use tokio::sync::{mpsc, oneshot};

use crate::completion::{JobList, ShellCompleter};
use crate::history::EditorHistory;
use crate::prompt::{CorralPrompt, LineValidator};

/// What the editor thread hands back for one prompt.
pub(crate) enum Read {
    /// A line (possibly several, for a multi-line command) to run.
    Line(String),
    /// Ctrl-C: the line was dropped.
    Interrupted,
    /// Ctrl-D on an empty line.
    Eof,
    /// The terminal could not be read.
    Failed(String),
}

/// One line to read, with its prompts.
pub(crate) struct Request {
    /// `PS1` and `PS2`, already made.
    pub prompt: CorralPrompt,
    /// Where the line goes.
    pub reply: oneshot::Sender<Read>,
}

/// Whether a Ctrl-R search is on, as far as the keys tell.
#[derive(Default)]
struct SearchState {
    searching: AtomicBool,
    /// reedline's break signal: raised by Enter during a search.
    accept: Arc<AtomicBool>,
}

impl SearchState {
    fn reset(&self) {
        self.searching.store(false, Ordering::Release);
        self.accept.store(false, Ordering::Release);
    }
}

/// Emacs keys, watching for Enter during a history search.
struct SearchKeys {
    inner: Emacs,
    state: Arc<SearchState>,
}

impl SearchKeys {
    fn track(&self, event: &ReedlineEvent) {
        let searching = self.state.searching.load(Ordering::Acquire);
        match event {
            ReedlineEvent::SearchHistory => self.state.searching.store(true, Ordering::Release),
            ReedlineEvent::Enter | ReedlineEvent::Submit | ReedlineEvent::SubmitOrNewline
                if searching =>
            {
                self.state.searching.store(false, Ordering::Release);
                self.state.accept.store(true, Ordering::Release);
            }
            ReedlineEvent::Esc | ReedlineEvent::CtrlC | ReedlineEvent::HistoryHintComplete => {
                self.state.searching.store(false, Ordering::Release);
            }
            _ => {}
        }
    }
}

impl EditMode for SearchKeys {
    fn parse_event(&mut self, event: ReedlineRawEvent) -> ReedlineEvent {
        let event = self.inner.parse_event(event);
        self.track(&event);
        event
    }

    fn edit_mode(&self) -> PromptEditMode {
        self.inner.edit_mode()
    }
}

fn editor(
    printer: ExternalPrinter<String>,
    jobs: JobList,
    cwd: Arc<Mutex<PathBuf>>,
    history: EditorHistory,
    search: Arc<SearchState>,
    programmable: crate::progcomp::Client,
) -> Reedline {
    let mut keys = default_emacs_keybindings();
    keys.add_binding(
        KeyModifiers::NONE,
        KeyCode::Tab,
        ReedlineEvent::UntilFound(vec![
            ReedlineEvent::Menu("completion_menu".to_string()),
            ReedlineEvent::MenuNext,
        ]),
    );
    let menu = ColumnarMenu::default().with_name("completion_menu");
    Reedline::create()
        .with_edit_mode(Box::new(SearchKeys {
            inner: Emacs::new(keys),
            state: Arc::clone(&search),
        }))
        .with_break_signal(Arc::clone(&search.accept))
        .with_completer(Box::new(
            ShellCompleter::new(jobs, cwd).with_programmable(programmable),
        ))
        .with_menu(ReedlineMenu::EngineCompleter(Box::new(menu)))
        // One match completes on one Tab with no menu; several complete
        // their common prefix first.
        .with_quick_completions(true)
        .with_partial_completions(true)
        .with_validator(Box::new(LineValidator))
        .with_history(Box::new(history))
        .with_external_printer(printer)
}

/// Starts the editor thread: each request gets one line.
pub(crate) fn spawn(
    printer: ExternalPrinter<String>,
    jobs: JobList,
    cwd: Arc<Mutex<PathBuf>>,
    history: EditorHistory,
    programmable: crate::progcomp::Client,
) -> mpsc::UnboundedSender<Request> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Request>();
    let search = Arc::new(SearchState::default());
    let mut ed = editor(
        printer,
        jobs,
        cwd,
        history,
        Arc::clone(&search),
        programmable,
    );
    let _ = std::thread::Builder::new()
        .name("corral-editor".into())
        .spawn(move || {
            while let Some(req) = rx.blocking_recv() {
                search.reset();
                let mut result = ed.read_line(&req.prompt);
                if let Ok(EditSignal::ExternalBreak(_)) = result {
                    // Enter in a Ctrl-R search: the found line is in the
                    // buffer; submit it as Enter would.
                    ed = ed.with_immediately_accept(true);
                    result = ed.read_line(&req.prompt);
                    ed = ed.with_immediately_accept(false);
                }
                let read = match result {
                    Ok(EditSignal::Success(line)) => Read::Line(line),
                    Ok(EditSignal::CtrlD) => Read::Eof,
                    Ok(_) => Read::Interrupted,
                    Err(e) => Read::Failed(e.to_string()),
                };
                if req.reply.send(read).is_err() {
                    break;
                }
            }
        });
    tx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> SearchKeys {
        SearchKeys {
            inner: Emacs::default(),
            state: Arc::new(SearchState::default()),
        }
    }

    #[test]
    fn enter_during_a_search_raises_the_break_signal() {
        let k = keys();
        k.track(&ReedlineEvent::Enter);
        assert!(!k.state.accept.load(Ordering::Acquire), "a plain Enter");
        k.track(&ReedlineEvent::SearchHistory);
        k.track(&ReedlineEvent::Edit(vec![]));
        k.track(&ReedlineEvent::Up);
        k.track(&ReedlineEvent::Enter);
        assert!(k.state.accept.load(Ordering::Acquire));
        assert!(!k.state.searching.load(Ordering::Acquire));
        k.state.reset();
        for end in [ReedlineEvent::Esc, ReedlineEvent::CtrlC] {
            k.track(&ReedlineEvent::SearchHistory);
            k.track(&end);
            k.track(&ReedlineEvent::Enter);
            assert!(
                !k.state.accept.load(Ordering::Acquire),
                "{end:?} ended the search"
            );
        }
    }
}
