//! Reaping: folding our children's state changes (exits, stops,
//! continues) into their jobs, on each SIGCHLD.

use std::sync::Arc;

use super::{lock, Inner};
use crate::group::{GroupState, Member, ProcPart};
use crate::job::{JobEvent, JobState};
use crate::record::JobCore;
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
    pub(crate) fn reap_group(&self, pgid: i32, core: &Arc<JobCore>) {
        let _guard = lock(&self.reap_lock);
        self.drain_group(pgid, core);
    }

    /// Takes the pending reports of `core`'s group if the reaper still
    /// counts that group as `core`'s (never another job's that reuses the pgid).
    pub(crate) fn reap_if_registered(&self, core: &Arc<JobCore>) {
        let Some(p) = core.proc() else { return };
        let _guard = lock(&self.reap_lock);
        let ours = lock(&self.groups)
            .get(&p.pgid)
            .is_some_and(|c| Arc::ptr_eq(c, core));
        if ours {
            self.drain_group(p.pgid, core);
        }
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
    ///
    /// Each report is taken under the job's group lock (see
    /// [`crate::group`]): a signaller holding it sees every member it
    /// counts unreaped still pinning the group. Right after the last member
    /// is reaped, still under the lock, the processes left in the group are
    /// held by pidfds.
    pub(super) fn drain_group(&self, pgid: i32, core: &Arc<JobCore>) -> bool {
        let Some(p) = core.proc() else {
            return false;
        };
        let mut took = false;
        loop {
            let mut g = p.lock();
            let outcome = match sys::wait_group(pgid) {
                Ok(GroupWait::Change(change)) => apply(p, &mut g, change),
                Ok(GroupWait::Nothing) => return took,
                Ok(GroupWait::NoChildren) | Err(_) => {
                    drop(g);
                    self.forget_group(pgid, core);
                    return true;
                }
            };
            took = true;
            if outcome == Outcome::AllDone {
                p.collect_leftovers(&mut g);
            }
            drop(g);
            match outcome {
                Outcome::AllDone => p.members_finished(),
                Outcome::Live(state) => self.publish_live(core, state),
                Outcome::Nothing => {}
            }
        }
    }

    pub(crate) fn forget_group(&self, pgid: i32, core: &Arc<JobCore>) {
        {
            let mut groups = lock(&self.groups);
            // Only this job's entry: never a later job's that reuses the pgid.
            if groups.get(&pgid).is_some_and(|c| Arc::ptr_eq(c, core)) {
                groups.remove(&pgid);
            }
        }
        // Members someone else reaped: their status is lost.
        self.settle_lost(core);
    }

    pub(super) fn settle_lost(&self, core: &JobCore) {
        let Some(p) = core.proc() else { return };
        let mut g = p.lock();
        if g.members.iter().all(|m| matches!(m, Member::Done(_))) {
            return;
        }
        for i in 0..g.members.len() {
            if !matches!(g.members[i], Member::Done(_)) {
                g.set(i, Member::Done(JobState::Exited(0)));
            }
        }
        drop(g);
        p.members_finished();
    }

    /// Publishes a live job's move between Running and Stopped.
    fn publish_live(&self, core: &JobCore, live_state: JobState) {
        if core.set_live_state(live_state) {
            let id = core.id();
            self.publish(match live_state {
                JobState::Stopped(s) => JobEvent::Stopped(id, s),
                _ => JobEvent::Continued(id),
            });
        }
    }
}

/// What one report changed for its job.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    /// Not a member's, or no news.
    Nothing,
    /// Every member has now been reaped.
    AllDone,
    /// The job's live state is now this.
    Live(JobState),
}

/// Folds one child's report into its job's members (group lock held).
fn apply(p: &ProcPart, g: &mut GroupState, change: ChildChange) -> Outcome {
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
        return Outcome::Nothing;
    };
    if matches!(g.members[index], Member::Done(_)) {
        return Outcome::Nothing;
    }
    g.set(index, new);
    let members = &g.members;
    if members.iter().all(|m| matches!(m, Member::Done(_))) {
        return Outcome::AllDone;
    }
    if members.contains(&Member::Running) {
        return Outcome::Live(JobState::Running);
    }
    let sig = members.iter().rev().find_map(|m| match m {
        Member::Stopped(s) => Some(*s),
        _ => None,
    });
    Outcome::Live(match sig {
        Some(s) => JobState::Stopped(s),
        None => JobState::Running,
    })
}
