//! [`Events`]: a subscriber's view of the job table's changes, and the
//! kernel's side of it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::job::{JobEvent, JobId};

/// An event as published: with the owner of its job, for subscribers
/// that filter by owner.
#[derive(Clone, Debug)]
pub(crate) struct Envelope {
    event: JobEvent,
    owner: Option<Arc<str>>,
}

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
///
/// [`Events::owned_by`] (or [`Scope::subscribe`](crate::Scope::subscribe))
/// keeps only the events of one owner's jobs; a lag still counts every
/// event lost.
#[derive(Debug)]
pub struct Events {
    rx: broadcast::Receiver<Envelope>,
    owner: Option<Arc<str>>,
}

impl Events {
    pub(crate) fn new(rx: broadcast::Receiver<Envelope>) -> Events {
        Events { rx, owner: None }
    }

    /// Only the events of jobs owned by `owner` from now on.
    pub fn owned_by(mut self, owner: impl AsRef<str>) -> Events {
        self.owner = Some(Arc::from(owner.as_ref()));
        self
    }

    fn wanted(&self, env: &Envelope) -> bool {
        match &self.owner {
            None => true,
            Some(o) => env.owner.as_deref() == Some(&**o),
        }
    }

    /// The next event, waiting for one.
    ///
    /// # Errors
    /// [`EventError::Lagged`] after a lag, [`EventError::Closed`] at the end.
    ///
    /// # Cancel safety
    /// Cancel safe: an event is never lost by dropping the future.
    pub async fn recv(&mut self) -> Result<JobEvent, EventError> {
        loop {
            let env = self.rx.recv().await.map_err(|e| match e {
                broadcast::error::RecvError::Lagged(n) => EventError::Lagged(n),
                broadcast::error::RecvError::Closed => EventError::Closed,
            })?;
            if self.wanted(&env) {
                return Ok(env.event);
            }
        }
    }

    /// The next event if one is buffered, without waiting.
    ///
    /// # Errors
    /// As [`recv`](Self::recv).
    pub fn try_recv(&mut self) -> Result<Option<JobEvent>, EventError> {
        loop {
            match self.rx.try_recv() {
                Ok(env) if self.wanted(&env) => return Ok(Some(env.event)),
                Ok(_) => continue,
                Err(broadcast::error::TryRecvError::Empty) => return Ok(None),
                Err(broadcast::error::TryRecvError::Lagged(n)) => {
                    return Err(EventError::Lagged(n))
                }
                Err(broadcast::error::TryRecvError::Closed) => return Err(EventError::Closed),
            }
        }
    }
}

/// Where events are published: the kernel's side of [`Events`]. Records and
/// handles hold this rather than the kernel itself.
#[derive(Debug)]
pub(crate) struct Publisher {
    tx: broadcast::Sender<Envelope>,
    /// The owners of the jobs that have one, until their record is removed.
    owners: Mutex<HashMap<JobId, Arc<str>>>,
    /// Whether `owners` was ever used: publishing costs a lookup only then.
    any_owner: AtomicBool,
}

impl Publisher {
    pub(crate) fn new(capacity: usize) -> Publisher {
        Publisher {
            tx: broadcast::channel(capacity.max(1)).0,
            owners: Mutex::new(HashMap::new()),
            any_owner: AtomicBool::new(false),
        }
    }

    /// Tags the events of job `id` with its owner from now on.
    pub(crate) fn set_owner(&self, id: JobId, owner: Arc<str>) {
        self.any_owner.store(true, Ordering::Release);
        self.owners
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, owner);
    }

    pub(crate) fn publish(&self, event: JobEvent) {
        let owner = if self.any_owner.load(Ordering::Acquire) {
            let mut owners = self.owners.lock().unwrap_or_else(|e| e.into_inner());
            match event {
                JobEvent::Removed(id) => owners.remove(&id),
                _ => owners.get(&event.job()).cloned(),
            }
        } else {
            None
        };
        // No subscriber is not an error.
        let _ = self.tx.send(Envelope { event, owner });
    }

    pub(crate) fn subscribe(&self) -> Events {
        Events::new(self.tx.subscribe())
    }
}
