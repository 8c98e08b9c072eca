//! Readiness of the jobs' capture pipes, from one epoll set for all of them
//! ([`ReadySet`]) rather than a reactor registration for each: a live job
//! then costs a slot here (a waker and two flags) instead of the reactor's
//! state for two descriptors.
//!
//! A dispatcher task, started with the first pipe, waits on the set and
//! wakes each pipe's waker as its pipe reports. Every pipe is watched
//! one-shot: it reports once, is marked ready until its pump empties it
//! ([`Watched::clear_ready`]), and is armed again when the pump next waits
//! ([`Watched::poll_ready`]). A key carries the slot's generation, so a
//! report for a pipe that is gone never reaches the slot's next pipe.
//!
//! When the runtime shuts down (the dispatcher is dropped) every waiting
//! pump is woken and finds the set closed, as with the reactor's own
//! registrations: a job waiting to start then starts on a runtime that
//! drops it, and with it its pipes.

use std::io;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, Weak};
use std::task::{Context, Poll, Waker};

use crate::sys::ready_set::ReadySet;

/// The capture pipes of one kernel. Cheap to clone; the set is made, and
/// the dispatcher started, with the first pipe.
#[derive(Clone, Default)]
pub(crate) struct Captures {
    shared: Arc<Shared>,
}

#[derive(Default)]
struct Shared {
    set: OnceLock<ReadySet>,
    slots: Mutex<Slots>,
    /// The dispatcher, started with the first pipe; aborted when the last
    /// pipe and the kernel are gone.
    dispatcher: OnceLock<tokio::task::AbortHandle>,
}

#[derive(Default)]
struct Slots {
    entries: Vec<Entry>,
    free: Vec<u32>,
    /// The dispatcher is gone (the runtime is shutting down).
    closed: bool,
}

#[derive(Default)]
struct Entry {
    generation: u32,
    /// Reported and not yet emptied.
    ready: bool,
    /// In the set, waiting for a report.
    armed: bool,
    waker: Option<Waker>,
}

fn lock(m: &Mutex<Slots>) -> MutexGuard<'_, Slots> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(index: u32, generation: u32) -> u64 {
    (u64::from(generation) << 32) | u64::from(index)
}

impl Captures {
    /// Watches the read end of a capture pipe (armed: its first input
    /// reports). Must run in the runtime's context.
    ///
    /// # Errors
    /// The set could not be made, the dispatcher could not start (no
    /// runtime), or the set refused the descriptor.
    pub(crate) fn watch(&self, fd: OwnedFd) -> io::Result<Watched> {
        let shared = &self.shared;
        let mut slots = lock(&shared.slots);
        // Under the lock: one set and one dispatcher, whoever comes first.
        let set = self.start()?;
        if slots.closed {
            return Err(io::Error::other("the runtime is shutting down"));
        }
        let index = match slots.free.pop() {
            Some(i) => i,
            None => {
                let i = u32::try_from(slots.entries.len())
                    .map_err(|_| io::Error::other("too many capture pipes"))?;
                slots.entries.push(Entry::default());
                i
            }
        };
        let entry = &mut slots.entries[index as usize];
        let key = key(index, entry.generation);
        if let Err(e) = set.add(fd.as_fd(), key) {
            slots.free.push(index);
            return Err(e);
        }
        entry.armed = true;
        drop(slots);
        Ok(Watched {
            shared: Arc::clone(shared),
            key,
            fd,
        })
    }

    /// The set, made and its dispatcher started on first use (called
    /// under the slots' lock).
    fn start(&self) -> io::Result<&ReadySet> {
        let shared = &self.shared;
        if let (Some(set), Some(_)) = (shared.set.get(), shared.dispatcher.get()) {
            return Ok(set);
        }
        let set = match shared.set.get() {
            Some(set) => set,
            None => {
                let _ = shared.set.set(ReadySet::new()?);
                shared.set.get().ok_or_else(|| io::Error::other("no set"))?
            }
        };
        let ready = set.readiness()?;
        let weak = Arc::downgrade(shared);
        let task = tokio::runtime::Handle::try_current()
            .map_err(io::Error::other)?
            .spawn(dispatch(CloseOnDrop(weak), ready));
        let _ = shared.dispatcher.set(task.abort_handle());
        Ok(set)
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(task) = self.dispatcher.get() {
            task.abort();
        }
    }
}

/// Wakes every waiting pump when dropped (the runtime dropping the task).
struct CloseOnDrop(Weak<Shared>);

impl Drop for CloseOnDrop {
    fn drop(&mut self) {
        let Some(shared) = self.0.upgrade() else {
            return;
        };
        let wakers: Vec<Waker> = {
            let mut slots = lock(&shared.slots);
            slots.closed = true;
            slots
                .entries
                .iter_mut()
                .filter_map(|e| e.waker.take())
                .collect()
        };
        wakers.into_iter().for_each(Waker::wake);
    }
}

/// Takes `close` in: dropping the task closes the set even if it never ran.
async fn dispatch(close: CloseOnDrop, ready: crate::sys::ready_set::SetReady) {
    let weak = &close.0;
    let mut keys = Vec::new();
    let mut wake = Vec::new();
    loop {
        let served = ready
            .serve(|| {
                let Some(shared) = weak.upgrade() else {
                    return true;
                };
                let Some(set) = shared.set.get() else {
                    return true;
                };
                let all = set.take(&mut keys);
                let mut slots = lock(&shared.slots);
                for k in keys.drain(..) {
                    let (index, generation) = (k as u32, (k >> 32) as u32);
                    let Some(e) = slots.entries.get_mut(index as usize) else {
                        continue;
                    };
                    if e.generation == generation && e.armed {
                        e.armed = false;
                        e.ready = true;
                        wake.extend(e.waker.take());
                    }
                }
                all
            })
            .await;
        wake.drain(..).for_each(Waker::wake);
        if served.is_err() || weak.strong_count() == 0 {
            return;
        }
    }
}

/// One watched capture pipe's read end (closed when dropped).
pub(crate) struct Watched {
    shared: Arc<Shared>,
    key: u64,
    fd: OwnedFd,
}

impl Watched {
    fn index(&self) -> usize {
        self.key as u32 as usize
    }

    /// The pipe.
    pub(crate) fn get_ref(&self) -> BorrowedFd<'_> {
        self.fd.as_fd()
    }

    /// `Ready` once the pipe has input (or end of file) not yet emptied;
    /// otherwise arms the pipe and wakes `cx` on its next report.
    /// `Ready(Err)` once the runtime is shutting down, or if the pipe
    /// could not be armed.
    pub(crate) fn poll_ready(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut slots = lock(&self.shared.slots);
        if slots.closed {
            return Poll::Ready(Err(io::Error::other("the runtime is shutting down")));
        }
        let Some(entry) = slots.entries.get_mut(self.index()) else {
            return Poll::Ready(Err(io::Error::other("capture slot missing")));
        };
        if entry.ready {
            return Poll::Ready(Ok(()));
        }
        // A waker replaced is dropped after the lock: it may own a pump.
        let old = match &entry.waker {
            Some(w) if w.will_wake(cx.waker()) => None,
            _ => entry.waker.replace(cx.waker().clone()),
        };
        let mut armed = Ok(());
        if !entry.armed {
            armed = match self.shared.set.get() {
                Some(set) => set.rearm(self.fd.as_fd(), self.key),
                None => Err(io::Error::other("no set")),
            };
            entry.armed = armed.is_ok();
        }
        drop(slots);
        drop(old);
        match armed {
            Ok(()) => Poll::Pending,
            Err(e) => Poll::Ready(Err(e)),
        }
    }

    /// The pump emptied the pipe: the next [`Watched::poll_ready`] waits
    /// for a new report.
    pub(crate) fn clear_ready(&self) {
        if let Some(entry) = lock(&self.shared.slots).entries.get_mut(self.index()) {
            entry.ready = false;
        }
    }
}

impl Drop for Watched {
    fn drop(&mut self) {
        if let Some(set) = self.shared.set.get() {
            set.remove(self.fd.as_fd());
        }
        let mut slots = lock(&self.shared.slots);
        let index = self.index();
        if let Some(entry) = slots.entries.get_mut(index) {
            entry.generation = entry.generation.wrapping_add(1);
            entry.ready = false;
            entry.armed = false;
            let waker = entry.waker.take();
            slots.free.push(index as u32);
            drop(slots);
            drop(waker);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::future::poll_fn;
    use std::time::Duration;

    use super::*;
    use crate::sys;

    fn write(fd: &OwnedFd, bytes: &[u8]) {
        assert_eq!(nix::unistd::write(fd, bytes), Ok(bytes.len()));
    }

    /// Waits (up to 10 s) until `w` reports.
    async fn ready(w: &Watched) -> io::Result<()> {
        tokio::time::timeout(Duration::from_secs(10), poll_fn(|cx| w.poll_ready(cx)))
            .await
            .map_err(io::Error::other)?
    }

    fn pending(w: &Watched) -> bool {
        let waker = Waker::noop();
        w.poll_ready(&mut Context::from_waker(waker)).is_pending()
    }

    #[tokio::test]
    async fn each_pipe_reports_its_own_input_once_per_arming() {
        let captures = Captures::default();
        let (r1, w1) = sys::capture_pipe().unwrap();
        let (r2, w2) = sys::capture_pipe().unwrap();
        let (a, b) = (captures.watch(r1).unwrap(), captures.watch(r2).unwrap());
        assert!(pending(&a) && pending(&b));
        write(&w2, b"x");
        ready(&b).await.unwrap();
        assert!(pending(&a), "input on one pipe woke the other");
        // Ready until emptied, whatever the set says meanwhile.
        assert!(!pending(&b));
        let mut buf = [0u8; 8];
        assert_eq!(nix::unistd::read(b.get_ref(), &mut buf), Ok(1));
        b.clear_ready();
        assert!(pending(&b));
        // Input that came before the pump armed again still reports.
        write(&w2, b"y");
        b.clear_ready();
        ready(&b).await.unwrap();
        // End of file reports too.
        drop(w1);
        ready(&a).await.unwrap();
        drop(w2);
    }

    #[tokio::test]
    async fn a_reused_slot_ignores_its_previous_pipe() {
        let captures = Captures::default();
        let (r1, w1) = sys::capture_pipe().unwrap();
        let first = captures.watch(r1).unwrap();
        let old_key = first.key;
        drop(first);
        let (r2, w2) = sys::capture_pipe().unwrap();
        let second = captures.watch(r2).unwrap();
        assert_eq!(second.index(), old_key as u32 as usize, "slot reused");
        assert_ne!(second.key, old_key, "same generation");
        assert!(pending(&second));
        write(&w2, b"y");
        ready(&second).await.unwrap();
        drop(w1);
    }

    #[test]
    fn a_runtime_shutting_down_wakes_the_waiting_pipes() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let captures = Captures::default();
        let (r, _w) = sys::capture_pipe().unwrap();
        let watched = rt.block_on(async { captures.watch(r) }).unwrap();
        let woken = Arc::new(std::sync::atomic::AtomicBool::new(false));
        struct Flag(Arc<std::sync::atomic::AtomicBool>);
        impl std::task::Wake for Flag {
            fn wake(self: Arc<Self>) {
                self.0.store(true, std::sync::atomic::Ordering::SeqCst);
            }
        }
        let waker = Waker::from(Arc::new(Flag(Arc::clone(&woken))));
        assert!(watched
            .poll_ready(&mut Context::from_waker(&waker))
            .is_pending());
        drop(rt);
        assert!(woken.load(std::sync::atomic::Ordering::SeqCst));
        assert!(matches!(
            watched.poll_ready(&mut Context::from_waker(&waker)),
            Poll::Ready(Err(_))
        ));
    }
}
