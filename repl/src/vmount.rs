//! The session's `/v`, shown to every program: a FUSE mount of the shell's
//! mount table, and the translation of `/v/...` words for external programs.
//!
//! # The model
//!
//! One shell process is one session with one mount (a process-wide
//! [`VMount`], see [`session`]): the shell's table's `/v` is served at
//! `$XDG_RUNTIME_DIR/corral/<pid>/v` (else `/tmp/corral-<uid>/<pid>/v`),
//! every directory on the way 0700 and owned by us, and the path is exported
//! as `CORRAL_V`. An interactive shell mounts at start; a script when a
//! command first names `/v` (a mount and unmount cost more than the rest of
//! `corral -c true`), and exports `CORRAL_V` from then on. Mounts left by sessions whose process is gone are removed
//! from the same parent directory first. [`shutdown`] unmounts (the exit
//! path and the SIGHUP/SIGTERM handler call it); after a SIGKILL the next
//! session cleans up.
//!
//! The shell keeps `/v` as its own name: `$PWD`, `pwd` and the words a user
//! types say `/v/jobs/1/stdout`. Only what reaches an external program is
//! translated (see [`VMount::translate`]):
//! - an argument naming `/v` or a path below it becomes the mount path;
//!   one that climbs out (`/v/../etc`) becomes the host path it names;
//! - a logical cwd under `/v` is the mount path as the child's real cwd
//!   ([`real_dir`]); relative words then resolve there by themselves;
//! - a `< /v/...` redirection is a pipe fed from the table ([`read_redirect`]).
//!
//! # Without FUSE
//!
//! No `/dev/fuse`, a refused mount, or `CORRAL_NO_FUSE=1`: `CORRAL_V` is not
//! set, an interactive shell says so once, and an argument naming a `/v`
//! *file* becomes `/dev/fd/N`, the read end of a pipe that a task fills from
//! the table: the bytes held when the command starts, in 64 KiB chunks, then
//! end of file (a `cat` of the moment, never the whole file in memory; a
//! reader that stops early ends the task). Directories, seeks, `tail -f`,
//! writes through the path and `cd /v` need the mount; `> /v/jobs/N/ctl`
//! works either way (the shell writes it).

use std::borrow::Cow;
use std::ffi::OsString;
use std::future::Future;
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::task::{Context, Poll, Waker};

use corral_vfs::fuse::{clean_stale, FuseMount};
use corral_vfs::MountTable;

use crate::sys::vmount as sys;

/// The environment variable that forces the no-FUSE path (for tests, and
/// for machines where mounting is unwanted).
pub const NO_FUSE_VAR: &str = "CORRAL_NO_FUSE";
/// The environment variable that carries the mount path to programs.
pub const PATH_VAR: &str = "CORRAL_V";

/// How big a chunk the no-FUSE pipe feeder reads at a time.
const CHUNK: usize = 64 * 1024;

/// The session's mount, or why there is none.
pub struct VMount {
    table: MountTable,
    /// `<base>/<pid>`, removed on shutdown.
    session_dir: Mutex<Option<PathBuf>>,
    state: Mutex<State>,
}

enum State {
    /// A script's mount, made when a command first names `/v` (a script
    /// that never does never pays for it).
    Lazy,
    Mounted(FuseMount),
    /// No mount; the reason, as the start-up line says it.
    Fallback(String),
}

static SESSION: OnceLock<VMount> = OnceLock::new();

/// The session's mount, once [`start`] ran.
pub fn session() -> Option<&'static VMount> {
    SESSION.get()
}

/// An interactive shell's mount path, exported before the shell reads its
/// environment (so children inherit it without an environment of their
/// own). `None` for a script, or when FUSE is off or no private directory
/// can be made.
pub fn prepare(interactive: bool) -> Option<PathBuf> {
    if !interactive || forced_off() || !Path::new("/dev/fuse").exists() {
        return None;
    }
    let base = base_dir().ok()?;
    let path = base.join(std::process::id().to_string()).join("v");
    std::env::set_var(PATH_VAR, &path);
    Some(path)
}

/// Sets up the session's `/v` over `table` (see the module docs): an
/// interactive shell mounts now and prints one line when it cannot; a
/// script mounts when a command first names `/v` (mounting and
/// unmounting cost milliseconds, more than the rest of `corral -c true`). Must run in the
/// runtime that serves the mount; called once (later calls return the
/// first session).
pub fn start(table: &MountTable, interactive: bool) -> &'static VMount {
    let v = SESSION.get_or_init(|| VMount {
        table: table.clone(),
        session_dir: Mutex::new(None),
        state: Mutex::new(State::Lazy),
    });
    if interactive {
        let mut state = v.state();
        v.ensure(&mut state);
        if let State::Fallback(reason) = &*state {
            eprintln!("corral: /v is not mounted ({reason}); programs read /v files through pipes");
        }
    }
    v
}

fn forced_off() -> bool {
    std::env::var_os(NO_FUSE_VAR).is_some_and(|v| !v.is_empty() && v != "0")
}

fn mount(table: &MountTable) -> Result<(FuseMount, PathBuf), String> {
    if forced_off() {
        return Err(format!("{NO_FUSE_VAR} is set"));
    }
    let base = base_dir()?;
    clean_dead_sessions(&base);
    let session_dir = base.join(std::process::id().to_string());
    let dir = session_dir.join("v");
    // A session of a process that had our pid before and was killed.
    let _ = clean_stale(&dir);
    match FuseMount::mount(table.clone(), "/v", &dir) {
        Ok(m) => Ok((m, session_dir)),
        Err(e) => {
            let _ = std::fs::remove_dir(&dir);
            let _ = std::fs::remove_dir(&session_dir);
            Err(e.to_string())
        }
    }
}

/// `$XDG_RUNTIME_DIR/corral` or `/tmp/corral-<uid>`, created 0700 and
/// checked to be ours and private (a shared /tmp may hold someone else's).
fn base_dir() -> Result<PathBuf, String> {
    use std::os::unix::fs::DirBuilderExt;
    let runtime = std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .filter(|d| d.is_absolute() && d.is_dir());
    let base = match runtime {
        Some(d) => d.join("corral"),
        None => PathBuf::from(format!("/tmp/corral-{}", sys::uid())),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&base) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(format!("{}: {e}", base.display())),
    }
    let (owner, mode) = sys::owner_and_mode(&base).map_err(|e| format!("{e}"))?;
    if owner != sys::uid() || mode & 0o077 != 0 {
        return Err(format!(
            "{}: not a private directory of this user",
            base.display()
        ));
    }
    Ok(base)
}

/// Removes the mounts of sessions whose process no longer runs.
fn clean_dead_sessions(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    let own = std::process::id();
    for e in entries.flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
            continue;
        };
        if pid == own || sys::alive(pid) {
            continue;
        }
        let dir = e.path();
        if clean_stale(&dir.join("v")).is_ok() {
            let _ = std::fs::remove_dir(&dir);
        }
    }
}

/// Unmounts the session's `/v` and removes its directory. Idempotent.
pub fn shutdown() {
    let Some(v) = session() else { return };
    let old = std::mem::replace(&mut *v.state(), State::Fallback("shut down".into()));
    if let State::Mounted(m) = old {
        let _ = m.unmount();
        let dir = v
            .session_dir
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(dir) = dir {
            let _ = std::fs::remove_dir(dir.join("v"));
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl VMount {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Mounts now if the mount was left for later.
    fn ensure(&self, state: &mut State) {
        if !matches!(state, State::Lazy) {
            return;
        }
        *state = match mount(&self.table) {
            Ok((m, dir)) => {
                // A script's children from now on (an interactive shell
                // exported it before reading its environment).
                std::env::set_var(PATH_VAR, m.path());
                *self.session_dir.lock().unwrap_or_else(|e| e.into_inner()) = Some(dir);
                State::Mounted(m)
            }
            Err(reason) => {
                std::env::remove_var(PATH_VAR);
                State::Fallback(reason)
            }
        };
    }

    /// The mount path, while mounted (mounting a script's now).
    pub fn mounted(&self) -> Option<PathBuf> {
        let mut state = self.state();
        self.ensure(&mut state);
        match &*state {
            State::Mounted(m) => Some(m.path().to_path_buf()),
            _ => None,
        }
    }

    /// Why `/v` is not mounted (`None` while it is, or before a script needs it).
    pub fn unavailable(&self) -> Option<String> {
        match &*self.state() {
            State::Fallback(reason) => Some(reason.clone()),
            _ => None,
        }
    }

    /// The host path a program must be given for the shell's `logical`
    /// path, or `None` to pass the word unchanged. An absolute word that is
    /// `/v` or starts with `/v/` is normalized first: under `/v` it maps to
    /// the mount (only while mounted); climbing out of it (`/v/../etc`), to
    /// the host path it names. A relative word maps only when `cwd` (the
    /// logical cwd) is under `/v` and the word climbs out of it; other
    /// relative words resolve in the child's real cwd, the mount itself.
    pub fn translate(&self, logical: &str, cwd: &Path) -> Option<PathBuf> {
        map_word(logical, cwd, || self.mounted())
    }

    /// What an external program gets for `word`: the mount path, or without
    /// the mount a `/dev/fd/N` pipe fed from the table for a `/v` file.
    fn external_word(&self, word: &str, cwd: &Path, pipes: &mut Vec<OwnedFd>) -> Option<String> {
        if let Some(p) = self.translate(word, cwd) {
            return Some(crate::rawbytes::from_path(&p).into_owned());
        }
        if !(word == "/v" || word.starts_with("/v/")) || self.mounted().is_some() {
            return None;
        }
        let normal = corral_vfs::normalize(word).ok()?;
        // Only files: a directory or a missing path is left for the program
        // to report ("No such file or directory").
        match now(self.table.stat(&normal))? {
            Ok(m) if !m.is_dir() => {}
            _ => return None,
        }
        let (r, w) = sys::inheritable_pipe().ok()?;
        feed(self.table.clone(), normal, w);
        let name = sys::dev_fd_path(&r);
        pipes.push(r);
        Some(name)
    }
}

/// The arguments an external program gets for `words` (see
/// [`VMount::translate`]; unchanged before [`start`]), and, without the
/// mount, the read ends of the pipes named as `/dev/fd/N`, which the
/// program must get at those numbers (`Cmd::pass_fd`).
pub fn external_args(words: &[String], cwd: &Path) -> (Vec<OsString>, Vec<OwnedFd>) {
    let session = session();
    let mut pipes = Vec::new();
    let args = words
        .iter()
        .map(|w| {
            let mapped = session.and_then(|s| s.external_word(w, cwd, &mut pipes));
            crate::rawbytes::into_os(mapped.unwrap_or_else(|| w.clone()))
        })
        .collect();
    (args, pipes)
}

/// The real directory for the logical cwd `dir`: the mount path for a
/// directory under `/v` (while mounted), else `dir` itself.
pub fn real_dir(dir: &Path) -> Cow<'_, Path> {
    if !under_v(dir) {
        return Cow::Borrowed(dir);
    }
    match session().and_then(|s| s.translate(&dir.to_string_lossy(), Path::new("/"))) {
        Some(p) => Cow::Owned(p),
        None => Cow::Borrowed(dir),
    }
}

/// The mount path if the session has mounted (never mounts): a script's
/// `CORRAL_V`, for children given an environment of their own (the
/// process environment has it already).
pub fn mounted_v() -> Option<PathBuf> {
    match &*session()?.state() {
        State::Mounted(m) => Some(m.path().to_path_buf()),
        _ => None,
    }
}

/// For `< PATH`: a pipe fed from the table when the absolute `path` names
/// a file under `/v` (mounted or not), the host file for a path that
/// climbs out of `/v`, `None` for any other path.
///
/// # Errors
/// Why not, as a message to follow `PATH: ` (`No such file or directory`,
/// `Is a directory`…).
pub fn read_redirect(path: &str) -> Option<Result<OwnedFd, String>> {
    read_redirect_io(path).map(|r| r.map_err(|e| reason(&e, path)))
}

/// An error's text without the path the table puts in front of it.
fn reason(e: &io::Error, path: &str) -> String {
    if let Some(code) = e.raw_os_error() {
        let s = io::Error::from_raw_os_error(code).to_string();
        return match s.find(" (os error") {
            Some(i) => s[..i].to_string(),
            None => s,
        };
    }
    let s = e.to_string();
    match s.split_once(": ") {
        Some((head, rest)) if head.starts_with('/') || head == path => rest.to_string(),
        _ => s,
    }
}

fn read_redirect_io(path: &str) -> Option<io::Result<OwnedFd>> {
    if !(path == "/v" || path.starts_with("/v/")) {
        return None;
    }
    let session = session()?;
    let normal = match corral_vfs::normalize(path) {
        Ok(n) => n,
        Err(e) => return Some(Err(e)),
    };
    if v_rest(&normal).is_none() {
        return Some(std::fs::File::open(&normal).map(OwnedFd::from));
    }
    Some((|| {
        match now(session.table.stat(&normal)) {
            Some(Ok(m)) if m.is_dir() => return Err(io::Error::from_raw_os_error(libc::EISDIR)),
            Some(Err(e)) => return Err(e),
            _ => {}
        }
        let (r, w) = crate::sys::pipe()?;
        feed(session.table.clone(), normal, w);
        Ok(r)
    })())
}

/// [`VMount::translate`] with the mount's root asked of `root` (only when
/// the word names something under `/v`).
fn map_word(logical: &str, cwd: &Path, root: impl FnOnce() -> Option<PathBuf>) -> Option<PathBuf> {
    let abs = if logical.starts_with('/') {
        if !(logical == "/v" || logical.starts_with("/v/")) {
            return None;
        }
        logical.to_string()
    } else {
        if !under_v(cwd) || !(logical == ".." || logical.starts_with("../")) {
            return None;
        }
        format!("{}/{logical}", cwd.to_string_lossy())
    };
    let normal = corral_vfs::normalize(&abs).ok()?;
    match v_rest(&normal) {
        Some("") => root(),
        Some(rest) => root().map(|r| r.join(rest)),
        None => Some(PathBuf::from(normal)),
    }
}

fn under_v(dir: &Path) -> bool {
    dir == Path::new("/v") || dir.starts_with("/v/")
}

/// The part of a normalized path below `/v` (`""` for `/v`), or `None`.
fn v_rest(normal: &str) -> Option<&str> {
    if normal == "/v" {
        Some("")
    } else {
        normal.strip_prefix("/v/")
    }
}

/// A table answer that is ready at once (JobFs and the mount directory
/// never wait), or `None`: the shell's words are mapped synchronously.
fn now<T>(fut: impl Future<Output = T>) -> Option<T> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// Copies what `path` holds now into the pipe `w`, chunk by chunk, then
/// closes it; stops when the reader goes away.
fn feed(table: MountTable, path: String, w: OwnedFd) {
    tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let Ok(mut tx) = tokio::net::unix::pipe::Sender::from_owned_fd(w) else {
            return;
        };
        let Ok(first) = table.read_at(&path, 0, 0).await else {
            return;
        };
        let Ok(meta) = table.stat(&path).await else {
            return;
        };
        let end = first.offset.saturating_add(meta.len);
        let mut at = first.offset;
        while at < end {
            let want = usize::try_from(end - at).map_or(CHUNK, |n| n.min(CHUNK));
            let Ok(chunk) = table.read_at(&path, at, want).await else {
                return;
            };
            if chunk.data.is_empty() || tx.write_all(&chunk.data).await.is_err() {
                return;
            }
            at = chunk.offset.saturating_add(chunk.data.len() as u64);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v_paths() {
        assert_eq!(v_rest("/v"), Some(""));
        assert_eq!(v_rest("/v/jobs/1"), Some("jobs/1"));
        assert_eq!(v_rest("/vv"), None);
        assert!(under_v(Path::new("/v/jobs")));
        assert!(!under_v(Path::new("/var")));
    }

    #[test]
    fn words_map_to_the_mount_or_the_host() {
        let root = || Some(PathBuf::from("/run/m/v"));
        let at = |w: &str, cwd: &str| map_word(w, Path::new(cwd), root);
        let p = |s: &str| Some(PathBuf::from(s));
        assert_eq!(at("/v", "/"), p("/run/m/v"));
        assert_eq!(at("/v/jobs/1/stdout", "/"), p("/run/m/v/jobs/1/stdout"));
        assert_eq!(at("/v/jobs/../jobs/2/", "/"), p("/run/m/v/jobs/2"));
        assert_eq!(at("/v/../etc/hosts", "/"), p("/etc/hosts"));
        assert_eq!(at("/vv/x", "/"), None);
        assert_eq!(at("/etc", "/v/jobs"), None);
        // Relative words resolve in the child's real cwd (the mount)
        // unless they climb out of /v.
        assert_eq!(at("1/stdout", "/v/jobs"), None);
        assert_eq!(at("x", "/v/jobs"), None);
        assert_eq!(at("../..", "/v/jobs"), p("/"));
        assert_eq!(at("../../etc", "/v/jobs"), p("/etc"));
        assert_eq!(at("..", "/v/jobs"), p("/run/m/v"));
        assert_eq!(at("../x", "/tmp"), None);
        // Not mounted: nothing to map a /v word to.
        assert_eq!(map_word("/v/jobs", Path::new("/"), || None), None);
        assert_eq!(map_word("/v/../etc", Path::new("/"), || None), p("/etc"));
    }
}
