//! The OS calls of the expander: the password database (`~user`) and
//! directory listings (pathname expansion).

use std::path::Path;

use nix::unistd::{Uid, User};

/// `~user`: the user's home directory, if the user exists.
pub(super) fn user_home(name: &str) -> Option<String> {
    let user = User::from_name(name).ok()??;
    Some(crate::rawbytes::from_path(&user.dir).into_owned())
}

/// `~` with `HOME` unset: the home directory of the real user.
pub(crate) fn own_home() -> Option<String> {
    let user = User::from_uid(Uid::current()).ok()??;
    Some(crate::rawbytes::from_path(&user.dir).into_owned())
}

/// The names in `dir` (without `.` and `..`); empty when it cannot be read.
/// Bytes that are not UTF-8 are escaped ([`crate::rawbytes`]).
pub(super) fn dir_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| Some(crate::rawbytes::from_os(e.ok()?.file_name())))
        .collect()
}

/// Whether `path` names something (a dangling symlink counts).
pub(super) fn exists(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok()
}

/// Whether `path` is a directory (following symlinks).
pub(super) fn is_dir(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_dir())
}

/// The real user's login name (`\u` in prompts).
pub(super) fn user_name() -> Option<String> {
    User::from_uid(Uid::current())
        .ok()
        .flatten()
        .map(|u| u.name)
}

/// Whether the shell runs as root (`\$` in prompts is `#`).
pub(super) fn is_root() -> bool {
    Uid::effective().is_root()
}

/// The host name (`\H`; `\h` is up to the first dot).
pub(super) fn host_name() -> String {
    crate::sys::hostname()
}
