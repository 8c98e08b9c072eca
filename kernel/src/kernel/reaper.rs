//! Reaping: folding our children's state changes (exits, stops,
//! continues) into their jobs, on each SIGCHLD.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{lock, Inner};
use crate::job::{JobEvent, JobState};
use crate::record::{JobCore, Member};
use crate::signal::Signal;
use crate::sys::{self, ChildChange, GroupWait, Peek};

impl Inner {
    /// Collects the state changes of our children. Runs on each SIGCHLD.
    ///
    /// Rather than asking every group in turn, it peeks (without taking it)
    /// at the first pending report of any child, and if that child's group
    /// is ours, takes that group's reports; then looks again. A child that is
    /// not ours (the embedder's) must keep its report, and hides everything
    /// behind it from the peek: then every group is asked in turn, as a
    /// fallback. Likewise when taking a group's reports got nowhere (the
    /// child moved to another group meanwhile), so this always ends.
    pub(crate) fn reap(&self) {
        let _guard = lock(&self.reap_lock);
        loop {
            let pid = match sys::peek_child() {
                Ok(Peek::Child(pid)) => pid,
                Ok(Peek::Nothing | Peek::NoChildren) => return,
                Err(_) => return self.reap_all(),
            };
            // A zombie keeps its group until it is reaped. If the child is
            // gone already (someone else reaped it), fall back as well.
            let ours = sys::getpgid(pid).ok().and_then(|pgid| {
                lock(&self.groups)
                    .get(&pgid)
                    .map(|core| (pgid, Arc::clone(core)))
            });
            match ours {
                Some((pgid, core)) if self.drain_group(pgid, &core) => {}
                // Not ours, or not registered yet (its spawner looks at it
                // right after registering it).
                _ => return self.reap_all(),
            }
        }
    }

    /// Takes the pending reports of one group (spawn's check of a new group).
    pub(super) fn reap_group(&self, pgid: i32, core: &Arc<JobCore>) {
        let _guard = lock(&self.reap_lock);
        self.drain_group(pgid, core);
    }

    /// Asks every group of ours in turn (the reaper holds `reap_lock`).
    pub(super) fn reap_all(&self) {
        let groups: Vec<(i32, Arc<JobCore>)> = lock(&self.groups)
            .iter()
            .map(|(k, v)| (*k, Arc::clone(v)))
            .collect();
        for (pgid, core) in groups {
            self.drain_group(pgid, &core);
        }
    }

    /// Takes every pending report of our children in group `pgid` (an exit
    /// reaps the child); forgets the group once no child of ours is left in
    /// it. Returns whether it took a report or forgot the group.
    pub(super) fn drain_group(&self, pgid: i32, core: &Arc<JobCore>) -> bool {
        let mut took = false;
        loop {
            match sys::wait_group(pgid) {
                Ok(GroupWait::Change(change)) => {
                    self.apply(core, change);
                    took = true;
                }
                Ok(GroupWait::Nothing) => return took,
                Ok(GroupWait::NoChildren) | Err(_) => {
                    self.forget_group(pgid, core);
                    return true;
                }
            }
        }
    }

    pub(super) fn forget_group(&self, pgid: i32, core: &Arc<JobCore>) {
        {
            let mut groups = lock(&self.groups);
            // Only this job's entry: never a later job's that reuses the pgid.
            if groups.get(&pgid).is_some_and(|c| Arc::ptr_eq(c, core)) {
                groups.remove(&pgid);
            }
        }
        // Members someone else reaped: their status is lost.
        self.settle_lost(core);
        if let Some(p) = core.proc() {
            p.group_empty.store(true, Ordering::Release);
            p.group_gone.notify_waiters();
        }
    }

    pub(super) fn settle_lost(&self, core: &JobCore) {
        let Some(p) = core.proc() else { return };
        let mut members = lock(&p.members);
        if members.iter().all(|m| matches!(m, Member::Done(_))) {
            return;
        }
        for m in members.iter_mut() {
            if !matches!(m, Member::Done(_)) {
                *m = Member::Done(JobState::Exited(0));
            }
        }
        drop(members);
        p.members_finished();
    }

    pub(super) fn apply(&self, core: &JobCore, change: ChildChange) {
        let Some(p) = core.proc() else { return };
        let (pid, new) = match change {
            ChildChange::Exited { pid, code } => (pid, Member::Done(JobState::Exited(code))),
            ChildChange::Signaled { pid, signal, core } => match Signal::from_number(signal) {
                Ok(signal) => (
                    pid,
                    Member::Done(JobState::Signaled {
                        signal,
                        core_dumped: core,
                    }),
                ),
                Err(_) => (pid, Member::Done(JobState::Exited(128 + signal))),
            },
            ChildChange::Stopped { pid, signal } => (
                pid,
                Member::Stopped(Signal::from_number(signal).unwrap_or(Signal::STOP)),
            ),
            ChildChange::Continued { pid } => (pid, Member::Running),
        };
        // Processes of the group that are not members (their children) are reaped silently.
        let Some(index) = p.pids.iter().position(|&m| m == pid) else {
            return;
        };
        let mut members = lock(&p.members);
        if matches!(members[index], Member::Done(_)) {
            return;
        }
        members[index] = new;
        let all_done = members.iter().all(|m| matches!(m, Member::Done(_)));
        let live_state = if members.contains(&Member::Running) {
            JobState::Running
        } else {
            let sig = members.iter().rev().find_map(|m| match m {
                Member::Stopped(s) => Some(*s),
                _ => None,
            });
            match sig {
                Some(s) => JobState::Stopped(s),
                None => JobState::Running,
            }
        };
        drop(members);
        if all_done {
            p.members_finished();
            return;
        }
        if core.set_live_state(live_state) {
            let id = core.id();
            self.publish(match live_state {
                JobState::Stopped(s) => JobEvent::Stopped(id, s),
                _ => JobEvent::Continued(id),
            });
        }
    }
}
