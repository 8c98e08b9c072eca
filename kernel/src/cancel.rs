//! [`CancelToken`]: how a future job learns it was asked to stop.

use std::future::Future;

use tokio_util::sync::CancellationToken;

/// A future job's cancellation token (see [`FutureContext`](crate::FutureContext)).
///
/// It is cancelled when the job is sent INT, TERM, HUP or another signal
/// whose default action ends a process, when [`Job::cancel`](crate::Job::cancel)
/// is called, when the job is sent KILL (the future is also dropped then),
/// and when the kernel is shut down or dropped. Clones share one state.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(CancellationToken);

impl CancelToken {
    /// A token not yet cancelled.
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    /// Cancels the token (idempotent).
    pub fn cancel(&self) {
        self.0.cancel();
    }

    /// Whether the token was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }

    /// Resolves once the token is cancelled (at once if it already was).
    ///
    /// # Cancel safety
    /// Cancel safe.
    pub async fn cancelled(&self) {
        self.0.cancelled().await;
    }

    /// Like [`cancelled`](Self::cancelled), owning a clone of the token, so
    /// the future can be moved into a task of its own.
    pub fn cancelled_owned(&self) -> impl Future<Output = ()> + Send + 'static {
        self.0.clone().cancelled_owned()
    }
}
