//! Errors: plain `io::Error`s with the right [`ErrorKind`](io::ErrorKind) whose
//! message names the path exactly as the user typed it.
//!
//! Every error the crate makes carries a [`PathError`] inside, so an embedder
//! can get the path and the bare message back with [`PathError::of`], and an
//! OS error keeps its original `io::Error` as the source.

use std::io;

/// What is inside every error of this crate: the path as typed and what went wrong.
///
/// Displays as `<path>: <message>`, e.g. `/v/jobs/99/status: no such job`.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct PathError {
    path: String,
    message: String,
    #[source]
    source: Option<io::Error>,
}

impl PathError {
    /// The path as the user passed it.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The message without the path (`no such job`).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The `PathError` inside an `io::Error` made by this crate, if it is one.
    pub fn of(err: &io::Error) -> Option<&PathError> {
        err.get_ref()?.downcast_ref()
    }
}

/// An `io::Error` of `kind` whose message is `<path>: <message>`.
///
/// Embedders writing their own [`Filesystem`](crate::Filesystem) can use this
/// (or the shorthands on [`VPath`](crate::VPath)) to match the crate's errors.
pub fn path_error(kind: io::ErrorKind, path: &str, message: impl Into<String>) -> io::Error {
    io::Error::new(
        kind,
        PathError {
            path: path.to_string(),
            message: message.into(),
            source: None,
        },
    )
}

/// Wraps an OS error so its message names `path`, keeping its kind and the
/// original error as the source. An error that already names a path is
/// returned as it is.
pub fn os_error(path: &str, err: io::Error) -> io::Error {
    if PathError::of(&err).is_some() {
        return err;
    }
    let message = match err.raw_os_error() {
        // "No such file or directory (os error 2)" -> "No such file or directory",
        // as a shell prints it.
        Some(code) => {
            let text = io::Error::from_raw_os_error(code).to_string();
            match text.rfind(" (os error ") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
        None => err.to_string(),
    };
    let kind = err.kind();
    io::Error::new(
        kind,
        PathError {
            path: path.to_string(),
            message,
            source: Some(err),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_read_like_a_shell() {
        let e = os_error("/x", io::Error::from_raw_os_error(libc_enoent()));
        assert_eq!(e.kind(), io::ErrorKind::NotFound);
        assert_eq!(e.to_string(), "/x: No such file or directory");
        assert_eq!(PathError::of(&e).map(PathError::path), Some("/x"));
        // Already wrapped: unchanged.
        let again = os_error("/y", e);
        assert_eq!(again.to_string(), "/x: No such file or directory");
    }

    fn libc_enoent() -> i32 {
        2
    }
}
