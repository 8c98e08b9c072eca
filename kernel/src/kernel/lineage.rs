//! The kernel's side of supervision (see [`crate::supervise`]): checking a
//! new job's supervision options before anything starts, and linking a
//! child to its future job parent once it is in the table.

use super::*;
use crate::supervise::Meta;

impl Inner {
    /// The supervision data a job spawned with `options` gets (`None` when
    /// it uses none), or why it may not start.
    pub(super) fn meta_for(&self, options: &JobOptions) -> Result<Option<Meta>> {
        let Some(parent) = options.parent else {
            return Ok(None);
        };
        let core = lock(&self.table).jobs.get(&parent).cloned();
        match core {
            None => return Err(Error::NoSuchJob(parent)),
            Some(c) if c.state().is_finished() => return Err(Error::JobFinished(parent)),
            Some(_) => {}
        }
        Ok(Some(Meta {
            parent: Some(parent),
        }))
    }

    /// Links a job just entered in the table to its parent: a future job
    /// parent's signals reach it from now on, and a child of a stopped
    /// future job is stopped at once.
    pub(super) fn adopt(&self, child: &Arc<JobCore>) {
        let Some(parent) = child.meta().and_then(|m| m.parent) else {
            return;
        };
        let parent = lock(&self.table).jobs.get(&parent).cloned();
        let Some(ctl) = parent.and_then(|p| p.future_control()) else {
            return;
        };
        if ctl.adopt(Arc::clone(child)) {
            let _ = crate::control::signal_core(&self.events, child, Signal::STOP);
            // A CONT that came between our look and our STOP missed the child.
            if !ctl.is_paused() {
                let _ = crate::control::signal_core(&self.events, child, Signal::CONT);
            }
        }
    }
}
