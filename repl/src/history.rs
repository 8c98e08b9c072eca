//! The command history, shared by the line editor and the shell.
//!
//! One [`FileBackedHistory`] behind a mutex: reedline reads it for the
//! arrow keys and Ctrl-R through [`EditorHistory`]; the shell adds each line
//! through [`SharedHistory`] once history expansion has made it final
//! (bash stores the expanded line, and nothing when the expansion failed),
//! so reedline's own save on Enter stores nothing. Each line is on disk
//! before it runs: a SIGHUP or a closed terminal loses nothing. The file is
//! `$XDG_DATA_HOME/corral/history` (else `~/.local/share/corral/history`),
//! 0600 in a 0700 directory, since it keeps whatever secrets were typed.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use reedline::{
    FileBackedHistory, History, HistoryItem, HistoryItemId, HistorySessionId, SearchDirection,
    SearchQuery,
};

/// Entries kept (in memory and in the file).
const CAPACITY: usize = 10_000;

/// The shell's handle on the history.
#[derive(Clone)]
pub struct SharedHistory(Arc<Mutex<FileBackedHistory>>);

impl SharedHistory {
    /// The history in the user's file, else one in memory only; read on
    /// the blocking pool.
    pub async fn open() -> SharedHistory {
        let file = tokio::task::spawn_blocking(|| {
            history_path().and_then(|p| FileBackedHistory::with_file(CAPACITY, p).ok())
        })
        .await
        .ok()
        .flatten();
        let h = match file {
            Some(h) => h,
            None => FileBackedHistory::new(CAPACITY).unwrap_or_default(),
        };
        SharedHistory(Arc::new(Mutex::new(h)))
    }

    fn lock(&self) -> MutexGuard<'_, FileBackedHistory> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every entry, oldest first (entry N is `!N`).
    pub fn entries(&self) -> Vec<String> {
        self.lock()
            .search(SearchQuery::everything(SearchDirection::Forward, None))
            .map(|items| items.into_iter().map(|i| i.command_line).collect())
            .unwrap_or_default()
    }

    /// How many entries there are (`\!` is one more).
    pub fn len(&self) -> usize {
        self.lock()
            .count_all()
            .map_or(0, |n| usize::try_from(n).unwrap_or(0))
    }

    /// Adds a line (not when it repeats the last one) and writes it out,
    /// on the blocking pool (the file write must not hold up the runtime).
    pub async fn add(&self, line: String) {
        let this = self.clone();
        let _ = tokio::task::spawn_blocking(move || this.add_now(&line)).await;
    }

    fn add_now(&self, line: &str) {
        let mut h = self.lock();
        let _ = h.save(HistoryItem::from_command_line(line));
        let _ = h.sync();
    }

    /// The view the line editor gets.
    pub fn for_editor(&self) -> EditorHistory {
        EditorHistory(Arc::clone(&self.0))
    }
}

/// The line editor's view: it browses and searches, but stores nothing
/// itself (the shell adds each line after history expansion).
pub struct EditorHistory(Arc<Mutex<FileBackedHistory>>);

impl EditorHistory {
    fn lock(&self) -> MutexGuard<'_, FileBackedHistory> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl History for EditorHistory {
    fn save(&mut self, h: HistoryItem) -> reedline::Result<HistoryItem> {
        // Not stored here; an item without an id is what reedline gets back
        // for a line it did not keep.
        Ok(HistoryItem { id: None, ..h })
    }

    fn load(&self, id: HistoryItemId) -> reedline::Result<HistoryItem> {
        self.lock().load(id)
    }

    fn count(&self, query: SearchQuery) -> reedline::Result<i64> {
        self.lock().count(query)
    }

    fn search(&self, query: SearchQuery) -> reedline::Result<Vec<HistoryItem>> {
        self.lock().search(query)
    }

    fn update(
        &mut self,
        id: HistoryItemId,
        updater: &dyn Fn(HistoryItem) -> HistoryItem,
    ) -> reedline::Result<()> {
        self.lock().update(id, updater)
    }

    fn clear(&mut self) -> reedline::Result<()> {
        self.lock().clear()
    }

    fn delete(&mut self, h: HistoryItemId) -> reedline::Result<()> {
        self.lock().delete(h)
    }

    fn sync(&mut self) -> std::io::Result<()> {
        self.lock().sync()
    }

    fn session(&self) -> Option<HistorySessionId> {
        self.lock().session()
    }
}

/// The history file, its directory made 0700 and the file 0600 before
/// reedline opens it.
fn history_path() -> Option<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))?;
    let dir = base.join("corral");
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(&dir)
        .ok()?;
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).ok()?;
    let file = dir.join("history");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(&file)
        .ok()?;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).ok()?;
    Some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_stores_nothing_and_the_shell_numbers_entries() {
        let shared = SharedHistory(Arc::new(Mutex::new(
            FileBackedHistory::new(CAPACITY).unwrap(),
        )));
        let mut editor = shared.for_editor();
        let saved = editor
            .save(HistoryItem::from_command_line("echo typed"))
            .unwrap();
        assert_eq!(saved.id, None);
        assert_eq!(shared.len(), 0);
        shared.add_now("echo one");
        shared.add_now("echo two");
        shared.add_now("echo two");
        assert_eq!(shared.entries(), ["echo one", "echo two"]);
        assert_eq!(shared.len(), 2);
        let found = editor
            .search(SearchQuery::everything(SearchDirection::Backward, None))
            .unwrap();
        assert_eq!(found[0].command_line, "echo two");
    }
}
