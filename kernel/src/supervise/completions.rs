//! [`Completions`]: finished jobs, each delivered once to each consumer,
//! with its final snapshot, how long it ran and a tail of its output.
//!
//! A consumer listens to the kernel's events ([`Kernel::completions`], or
//! [`Scope::completions`](crate::Scope::completions) for one owner's jobs)
//! and, for each job that finishes after it was made, yields one
//! [`Completion`]. It remembers what it delivered (forgetting a job once
//! its record is removed), so a job is never delivered twice; after a lag
//! it looks at the table again and delivers the finished jobs it missed,
//! in the order they ended. A job whose record was removed before the
//! consumer looked (retention, [`Kernel::remove`]) is not delivered: keep
//! enough [retention](crate::KernelConfig::retention) for slow consumers.
//! Jobs spawned [quiet](crate::JobOptions::quiet) are never delivered.

use std::collections::{HashSet, VecDeque};
use std::time::{Duration, SystemTime};

use crate::events::{EventError, Events};
use crate::job::{JobEvent, JobId, JobInfo};
use crate::kernel::Kernel;
use crate::record::{Job, JobCore};
use crate::stream::OutputStream;

/// The last bytes of a stream, cut at a UTF-8 character boundary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Preview {
    /// The tail as text (invalid UTF-8 inside it replaced by U+FFFD).
    pub text: String,
    /// Whether the stream held more before the tail (or lost bytes).
    pub truncated: bool,
}

impl Preview {
    /// The last `max` bytes of `stream` (fewer, to start on a character).
    pub fn of(stream: &OutputStream, max: usize) -> Preview {
        let end = stream.stats().written;
        let want = u64::try_from(max).unwrap_or(u64::MAX);
        let chunk = stream.read_from(end.saturating_sub(want), max);
        let data = &chunk.data[..];
        // Skip continuation bytes: a character cut in half is left out.
        let skip = data
            .iter()
            .take(3)
            .take_while(|&&b| b & 0xC0 == 0x80)
            .count();
        Preview {
            text: String::from_utf8_lossy(&data[skip..]).into_owned(),
            truncated: chunk.offset > 0 || chunk.missed > 0 || skip > 0,
        }
    }
}

/// One finished job, as a [`Completions`] consumer receives it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Completion {
    /// The final snapshot.
    pub info: JobInfo,
    /// From start to end.
    pub duration: Duration,
    /// The tail of stdout.
    pub stdout: Preview,
    /// The tail of stderr.
    pub stderr: Preview,
}

/// A consumer of finished jobs (see [`crate::supervise`]).
#[derive(Debug)]
pub struct Completions {
    kernel: Kernel,
    events: Events,
    owner: Option<String>,
    since: SystemTime,
    preview: usize,
    delivered: HashSet<JobId>,
    pending: VecDeque<JobId>,
}

impl Kernel {
    /// A consumer of the jobs that finish from now on, with previews of
    /// 1 KiB per stream (see [`Completions`]).
    pub fn completions(&self) -> Completions {
        Completions::new(self.clone(), self.subscribe(), None)
    }
}

impl Completions {
    pub(crate) fn new(kernel: Kernel, events: Events, owner: Option<String>) -> Completions {
        Completions {
            kernel,
            events,
            owner,
            since: SystemTime::now(),
            preview: 1024,
            delivered: HashSet::new(),
            pending: VecDeque::new(),
        }
    }

    /// Sets the preview size: the last `bytes` of each stream.
    pub fn preview_bytes(mut self, bytes: usize) -> Completions {
        self.preview = bytes;
        self
    }

    fn wanted(&self, core: &JobCore) -> bool {
        let meta = core.meta();
        if meta.is_some_and(|m| m.quiet) {
            return false;
        }
        match &self.owner {
            None => true,
            Some(o) => meta.and_then(|m| m.owner.as_deref()) == Some(o.as_str()),
        }
    }

    /// The completion of `id`, if it is one to deliver now.
    fn take(&mut self, id: JobId) -> Option<Completion> {
        let job = self.kernel.job(id).ok()?;
        if self.delivered.contains(&id) || !self.wanted(&job.core) {
            return None;
        }
        if !job.state().is_finished() {
            return None;
        }
        let info = job.info();
        self.delivered.insert(id);
        Some(completion(&job, info, self.preview))
    }

    /// After a lag: every finished job not delivered yet, in the order they ended.
    fn rescan(&mut self) {
        let jobs = self.kernel.jobs();
        self.delivered
            .retain(|id| jobs.iter().any(|j| j.id() == *id));
        let mut missed: Vec<(SystemTime, JobId)> = jobs
            .iter()
            .filter(|j| !self.delivered.contains(&j.id()))
            .filter_map(|j| {
                let i = j.snapshot();
                let ended = i.ended_at?;
                (i.state.is_finished() && ended >= self.since).then_some((ended, i.id))
            })
            .collect();
        missed.sort();
        self.pending.extend(missed.into_iter().map(|(_, id)| id));
    }

    /// The next finished job, waiting for one. `None` once the kernel is gone.
    ///
    /// # Cancel safety
    /// Cancel safe: a completion is delivered only when this returns it.
    pub async fn next(&mut self) -> Option<Completion> {
        loop {
            while let Some(id) = self.pending.pop_front() {
                if let Some(c) = self.take(id) {
                    return Some(c);
                }
            }
            match self.events.recv().await {
                Ok(JobEvent::Exited(id, _)) => self.pending.push_back(id),
                Ok(JobEvent::Removed(id)) => {
                    self.delivered.remove(&id);
                }
                Ok(_) => {}
                Err(EventError::Lagged(_)) => self.rescan(),
                Err(_) => return None,
            }
        }
    }

    /// The next finished job if one is ready, without waiting.
    pub fn try_next(&mut self) -> Option<Completion> {
        loop {
            while let Some(id) = self.pending.pop_front() {
                if let Some(c) = self.take(id) {
                    return Some(c);
                }
            }
            match self.events.try_recv() {
                Ok(Some(JobEvent::Exited(id, _))) => self.pending.push_back(id),
                Ok(Some(JobEvent::Removed(id))) => {
                    self.delivered.remove(&id);
                }
                Ok(Some(_)) => {}
                Err(EventError::Lagged(_)) => self.rescan(),
                Ok(None) | Err(_) => return None,
            }
        }
    }
}

fn completion(job: &Job, info: JobInfo, preview: usize) -> Completion {
    let duration = info
        .ended_at
        .and_then(|e| e.duration_since(info.started_at).ok())
        .unwrap_or_default();
    Completion {
        duration,
        stdout: Preview::of(job.stdout(), preview),
        stderr: Preview::of(job.stderr(), preview),
        info,
    }
}
