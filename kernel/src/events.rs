//! [`Events`]: a subscriber's view of the job table's changes, and the
//! kernel's side of it.

use tokio::sync::broadcast;

use crate::job::JobEvent;

/// Why [`Events::recv`] returned no event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// This many events were lost because the subscriber fell behind; the
    /// next call returns the oldest event still buffered.
    #[error("missed {0} job events")]
    Lagged(u64),
    /// The kernel is gone: no more events will come.
    #[error("the kernel is gone")]
    Closed,
}

/// A stream of job events, from [`Kernel::subscribe`](crate::Kernel::subscribe).
///
/// Every subscriber gets every [`JobEvent`] published after it subscribed,
/// in order. Each one has a buffer of
/// [`KernelConfig::event_capacity`](crate::KernelConfig::event_capacity)
/// events; a subscriber that falls further behind loses the oldest ones and
/// is told how many with [`EventError::Lagged`], then continues with the
/// oldest event still buffered. After a lag, re-read the table
/// ([`Kernel::list`](crate::Kernel::list)) for the current state. The stream
/// ends ([`EventError::Closed`]) when the kernel is gone.
#[derive(Debug)]
pub struct Events {
    rx: broadcast::Receiver<JobEvent>,
}

impl Events {
    pub(crate) fn new(rx: broadcast::Receiver<JobEvent>) -> Events {
        Events { rx }
    }

    /// The next event, waiting for one.
    ///
    /// # Errors
    /// [`EventError::Lagged`] after a lag, [`EventError::Closed`] at the end.
    ///
    /// # Cancel safety
    /// Cancel safe: an event is never lost by dropping the future.
    pub async fn recv(&mut self) -> Result<JobEvent, EventError> {
        self.rx.recv().await.map_err(|e| match e {
            broadcast::error::RecvError::Lagged(n) => EventError::Lagged(n),
            broadcast::error::RecvError::Closed => EventError::Closed,
        })
    }

    /// The next event if one is buffered, without waiting.
    ///
    /// # Errors
    /// As [`recv`](Self::recv).
    pub fn try_recv(&mut self) -> Result<Option<JobEvent>, EventError> {
        match self.rx.try_recv() {
            Ok(ev) => Ok(Some(ev)),
            Err(broadcast::error::TryRecvError::Empty) => Ok(None),
            Err(broadcast::error::TryRecvError::Lagged(n)) => Err(EventError::Lagged(n)),
            Err(broadcast::error::TryRecvError::Closed) => Err(EventError::Closed),
        }
    }
}

/// Where events are published: the kernel's side of [`Events`]. Records and
/// handles hold this rather than the kernel itself.
#[derive(Debug)]
pub(crate) struct Publisher {
    tx: broadcast::Sender<JobEvent>,
}

impl Publisher {
    pub(crate) fn new(capacity: usize) -> Publisher {
        Publisher {
            tx: broadcast::channel(capacity.max(1)).0,
        }
    }

    pub(crate) fn publish(&self, event: JobEvent) {
        // No subscriber is not an error.
        let _ = self.tx.send(event);
    }

    pub(crate) fn subscribe(&self) -> Events {
        Events::new(self.tx.subscribe())
    }
}
