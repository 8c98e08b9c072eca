//! The command history, shared by the line editor and the shell.
//!
//! One in-memory [`FileBackedHistory`] behind a mutex: reedline reads it for
//! the arrow keys and Ctrl-R through [`EditorHistory`]; the shell adds each
//! line through [`SharedHistory`] once history expansion has made it final
//! (bash stores the expanded line, and nothing when the expansion failed),
//! so reedline's own save on Enter stores nothing.
//!
//! The file is the shell's, not reedline's: `$HISTFILE`, which an
//! interactive shell sets before its startup file runs, when unset, to
//! `$XDG_DATA_HOME/corral/corral_history` (else under `~/.local/share`),
//! named as bash's, zsh's and fish's files are (`NAME_history`, which
//! history tools look for), 0600 in a 0700 directory, since it keeps whatever secrets were typed. It
//! is read once, after the startup file (as bash reads it), as bytes: one
//! entry a line (a newline inside an entry is written `<\n>`, reedline's
//! form), bytes that are not UTF-8 carried through [`crate::rawbytes`], so a
//! line bash or another program wrote is kept as it is and runs as those
//! bytes. Each new entry is appended to the `$HISTFILE` of that moment (one
//! `write` under an advisory lock; nothing when it is unset or empty) before
//! it runs: a SIGHUP or a closed terminal loses nothing, and other sessions'
//! lines are never rewritten. Past [`CAPACITY`] lines the oldest are dropped
//! from the file when it is read.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use reedline::{
    FileBackedHistory, History, HistoryItem, HistoryItemId, HistorySessionId, SearchDirection,
    SearchQuery,
};

/// Entries kept (in memory and in the file).
const CAPACITY: usize = 10_000;

/// How a newline inside an entry is written in the file (reedline's form).
const NEWLINE_ESCAPE: &str = "<\\n>";

/// The shell's handle on the history.
#[derive(Clone)]
pub struct SharedHistory {
    mem: Arc<Mutex<FileBackedHistory>>,
}

impl Default for SharedHistory {
    fn default() -> SharedHistory {
        SharedHistory::new()
    }
}

impl SharedHistory {
    /// An empty history ([`SharedHistory::load`] fills it).
    pub fn new() -> SharedHistory {
        SharedHistory {
            mem: Arc::new(Mutex::new(
                FileBackedHistory::new(CAPACITY).unwrap_or_default(),
            )),
        }
    }

    /// Adds the entries of `file` (see [`SharedHistory::file_for`]), read
    /// on the blocking pool; a missing or unreadable file adds nothing.
    pub async fn load(&self, file: Option<PathBuf>) {
        let Some(path) = file else { return };
        let lines = tokio::task::spawn_blocking(move || {
            if default_file().as_deref() == Some(path.as_path()) {
                prepare_default(&path)?;
            }
            read_file(&path).ok()
        })
        .await
        .ok()
        .flatten()
        .unwrap_or_default();
        let mut mem = self.lock();
        for line in lines {
            let _ = mem.save(HistoryItem::from_command_line(line));
        }
    }

    /// The file a `$HISTFILE` value names (relative to `cwd`); `None` for
    /// an unset or empty one: the history then stays in memory.
    pub fn file_for(histfile: Option<&str>, cwd: &Path) -> Option<PathBuf> {
        let f = histfile.filter(|f| !f.is_empty())?;
        Some(cwd.join(crate::rawbytes::path(f)))
    }

    fn lock(&self) -> MutexGuard<'_, FileBackedHistory> {
        self.mem.lock().unwrap_or_else(|e| e.into_inner())
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

    /// Adds a line (not when it repeats the last one) and appends it to
    /// `file`, on the blocking pool (the file write must not hold up the
    /// runtime). Whether the line was kept (a repeat is not).
    pub async fn add(&self, line: String, file: Option<PathBuf>) -> bool {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.add_now(&line, file.as_deref()))
            .await
            .unwrap_or(false)
    }

    fn add_now(&self, line: &str, file: Option<&Path>) -> bool {
        let kept = self
            .lock()
            .save(HistoryItem::from_command_line(line))
            .is_ok_and(|item| item.id.is_some());
        if let (true, Some(path)) = (kept, file) {
            // A failed write leaves the entry in memory only, as bash does.
            let _ = append_line(path, line);
        }
        kept
    }

    /// The view the line editor gets.
    pub fn for_editor(&self) -> EditorHistory {
        EditorHistory(Arc::clone(&self.mem))
    }
}

/// An entry as its line in the file, without the line break.
fn to_file_line(entry: &str) -> Vec<u8> {
    crate::rawbytes::decode(&entry.replace('\n', NEWLINE_ESCAPE)).into_owned()
}

/// A line of the file (without its break) as an entry.
fn from_file_line(line: &[u8]) -> String {
    crate::rawbytes::encode(line).replace(NEWLINE_ESCAPE, "\n")
}

/// The entries in the file at `path`, oldest first; drops all but the last
/// [`CAPACITY`] lines from the file.
fn read_file(path: &Path) -> std::io::Result<Vec<String>> {
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)?;
    file.lock()?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.len() > CAPACITY {
        lines.drain(..lines.len() - CAPACITY);
        let mut kept = Vec::with_capacity(bytes.len());
        for l in &lines {
            kept.extend_from_slice(l);
            kept.push(b'\n');
        }
        file.rewind()?;
        file.write_all(&kept)?;
        file.set_len(u64::try_from(kept.len()).unwrap_or(u64::MAX))?;
    }
    Ok(lines
        .into_iter()
        .filter(|l| !l.is_empty())
        .map(from_file_line)
        .collect())
}

/// Appends `entry` to the file at `path` in one write, under the lock a
/// starting shell takes to trim the file.
fn append_line(path: &Path, entry: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    file.lock()?;
    let mut line = to_file_line(entry);
    line.push(b'\n');
    file.write_all(&line)
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

/// The default `$HISTFILE` of an interactive shell.
pub fn default_file() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            // HOME unset: the password database's, as bash does.
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .or_else(|| crate::expand::own_home().map(PathBuf::from))?;
            Some(home.join(".local/share"))
        })?;
    Some(base.join("corral").join("corral_history"))
}

/// The default file's name before it was `corral_history`.
const EARLIER_NAME: &str = "history";

/// Makes the default file's directory 0700 and the file 0600 (created if
/// missing, or moved from its earlier name so no history is lost).
fn prepare_default(file: &Path) -> Option<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    let dir = file.parent()?;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .ok()?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).ok()?;
    let earlier = dir.join(EARLIER_NAME);
    if !file.exists() && earlier.is_file() {
        // A failed move leaves the earlier file where it was.
        let _ = std::fs::rename(&earlier, file);
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(file)
        .ok()?;
    std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editor_stores_nothing_and_the_shell_numbers_entries() {
        let shared = SharedHistory::new();
        let mut editor = shared.for_editor();
        let saved = editor
            .save(HistoryItem::from_command_line("echo typed"))
            .unwrap();
        assert_eq!(saved.id, None);
        assert_eq!(shared.len(), 0);
        assert!(shared.add_now("echo one", None));
        assert!(shared.add_now("echo two", None));
        assert!(!shared.add_now("echo two", None));
        assert_eq!(shared.entries(), ["echo one", "echo two"]);
        assert_eq!(shared.len(), 2);
        let found = editor
            .search(SearchQuery::everything(SearchDirection::Backward, None))
            .unwrap();
        assert_eq!(found[0].command_line, "echo two");
    }
}

#[cfg(test)]
mod file_tests {
    use super::*;

    #[test]
    fn lines_that_are_not_utf8_load_and_stay_as_they_are() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let before: &[u8] = b"echo one\n\necho caf\xe9\nprintf '%s\\n' a<\\n>b\n";
        std::fs::write(&path, before).unwrap();
        let entries = read_file(&path).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0], "echo one");
        assert_eq!(
            crate::rawbytes::decode(&entries[1]).as_ref(),
            b"echo caf\xe9"
        );
        assert_eq!(entries[2], "printf '%s\\n' a\nb");
        append_line(&path, "echo new\u{e9}").unwrap();
        append_line(&path, &entries[1]).unwrap();
        let mut after = before.to_vec();
        after.extend_from_slice("echo new\u{e9}\n".as_bytes());
        after.extend_from_slice(b"echo caf\xe9\n");
        assert_eq!(std::fs::read(&path).unwrap(), after);
    }

    #[test]
    fn a_file_past_capacity_keeps_its_newest_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let mut text = Vec::new();
        for i in 0..CAPACITY + 5 {
            text.extend_from_slice(format!("echo {i}\n").as_bytes());
        }
        std::fs::write(&path, &text).unwrap();
        let entries = read_file(&path).unwrap();
        assert_eq!(entries.len(), CAPACITY);
        assert_eq!(entries[0], "echo 5");
        let kept = std::fs::read_to_string(&path).unwrap();
        assert!(kept.starts_with("echo 5\n"), "{}", &kept[..20]);
        assert_eq!(kept.lines().count(), CAPACITY);
    }
}
