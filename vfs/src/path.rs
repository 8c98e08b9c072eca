//! Lexical path normalisation for the one namespace the mount table routes.
//!
//! Paths are absolute (`/`-rooted) strings. Normalising removes empty
//! components (`//`), `.`, and a trailing `/`, and resolves `..` against the
//! component before it; `..` at the root stays at the root (`/..` is `/`).
//! This happens before routing, on the whole path, so `..` can leave a
//! mount only towards its parents (`/v/jobs/1/../2/status` is job 2's
//! status, `/v/jobs/..` is `/v`) and a filesystem never sees a `..`.
//!
//! It is lexical, like a shell's logical `cd`: a host symlink followed by
//! `..` goes back to the link's parent, not the target's.

use std::io;

use crate::error::path_error;

/// A normalised path and whether the user marked it as a directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Normalized {
    /// `/` or `/a/b`: no empty, `.` or `..` components, no trailing `/`.
    pub(crate) path: String,
    /// The typed path ends in `/`, `/.` or `/..` (and is not just the root):
    /// it must name a directory, as in POSIX (`file/` is "not a directory").
    pub(crate) dir_hint: bool,
}

/// Normalises an absolute path lexically: `//v/./jobs/1/../2/` becomes `/v/jobs/2`.
///
/// # Errors
/// `InvalidInput` naming the path when it is empty or relative (the caller
/// resolves relative paths against its own working directory).
///
/// ```
/// assert_eq!(corral_vfs::normalize("//v/./jobs/1/../2/").unwrap(), "/v/jobs/2");
/// assert_eq!(corral_vfs::normalize("/../..").unwrap(), "/");
/// assert!(corral_vfs::normalize("v/jobs").is_err());
/// ```
pub fn normalize(path: &str) -> io::Result<String> {
    normalize_hinted(path).map(|n| n.path)
}

pub(crate) fn normalize_hinted(path: &str) -> io::Result<Normalized> {
    if path.is_empty() {
        return Err(path_error(io::ErrorKind::InvalidInput, path, "empty path"));
    }
    if !path.starts_with('/') {
        return Err(path_error(
            io::ErrorKind::InvalidInput,
            path,
            "not an absolute path",
        ));
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let mut out = String::with_capacity(path.len());
    for p in &parts {
        out.push('/');
        out.push_str(p);
    }
    if out.is_empty() {
        out.push('/');
    }
    let last = path.rsplit('/').next().unwrap_or("");
    let dir_hint = out != "/" && matches!(last, "" | "." | "..");
    Ok(Normalized {
        path: out,
        dir_hint,
    })
}

/// Whether `path` is `prefix` or below it (both normalised).
pub(crate) fn is_under(path: &str, prefix: &str) -> bool {
    prefix == "/"
        || path == prefix
        || (path.len() > prefix.len()
            && path.starts_with(prefix)
            && path.as_bytes().get(prefix.len()) == Some(&b'/'))
}

/// The part of `path` below `prefix` without a leading `/` (`""` for
/// `prefix` itself); `path` must be [under](is_under) `prefix`.
pub(crate) fn strip_mount<'a>(path: &'a str, prefix: &str) -> &'a str {
    let cut = if prefix == "/" { 1 } else { prefix.len() + 1 };
    path.get(cut..).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(p: &str) -> String {
        normalize(p).unwrap()
    }

    #[test]
    fn removes_empty_dot_and_trailing() {
        assert_eq!(n("/"), "/");
        assert_eq!(n("//"), "/");
        assert_eq!(n("///v//jobs//"), "/v/jobs");
        assert_eq!(n("/v/./jobs/."), "/v/jobs");
        assert_eq!(n("/./"), "/");
        assert_eq!(n("/v/jobs/1/"), "/v/jobs/1");
    }

    #[test]
    fn dotdot_resolves_lexically_and_stops_at_root() {
        assert_eq!(n("/v/jobs/1/../2/status"), "/v/jobs/2/status");
        assert_eq!(n("/v/jobs/.."), "/v");
        assert_eq!(n("/v/jobs/../.."), "/");
        assert_eq!(n("/.."), "/");
        assert_eq!(n("/../../.."), "/");
        assert_eq!(n("/../v/jobs"), "/v/jobs");
        assert_eq!(n("/v/jobs/1/../../../../tmp"), "/tmp");
        assert_eq!(n("/a/b/../../c/./d/.."), "/c");
        // Names that merely start with dots are names.
        assert_eq!(n("/a/.../..b/.c"), "/a/.../..b/.c");
    }

    #[test]
    fn dir_hint_follows_posix_trailing_slash() {
        let h = |p: &str| normalize_hinted(p).unwrap().dir_hint;
        assert!(h("/v/jobs/1/status/"));
        assert!(h("/v/jobs/1/status/."));
        assert!(h("/v/jobs/1/.."));
        assert!(!h("/v/jobs/1/status"));
        assert!(!h("/"));
        assert!(!h("//"));
        assert!(!h("/.."));
    }

    #[test]
    fn relative_and_empty_are_refused_naming_the_path() {
        for p in ["", "v/jobs", ".", "..", "./x"] {
            let e = normalize(p).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::InvalidInput, "{p}");
            assert!(e.to_string().starts_with(&format!("{p}: ")), "{e}");
        }
    }

    #[test]
    fn prefixes_match_whole_components() {
        assert!(is_under("/v/jobs/1", "/v/jobs"));
        assert!(is_under("/v/jobs", "/v/jobs"));
        assert!(!is_under("/v/jobsx", "/v/jobs"));
        assert!(!is_under("/v", "/v/jobs"));
        assert!(is_under("/anything", "/"));
        assert_eq!(strip_mount("/v/jobs/1/stdout", "/v/jobs"), "1/stdout");
        assert_eq!(strip_mount("/v/jobs", "/v/jobs"), "");
        assert_eq!(strip_mount("/tmp/x", "/"), "tmp/x");
        assert_eq!(strip_mount("/", "/"), "");
    }
}
