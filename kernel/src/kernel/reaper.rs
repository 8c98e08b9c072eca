//! Reaping: folding our children's state changes (exits, stops,
//! continues) into their jobs.
//!
//! Exits are seen through the members' pidfds, watched in one epoll set
//! ([`ReadySet`](crate::sys::ready_set::ReadySet): a pidfd turns
//! readable when its process exits): the reaper learns which
//! members exited and takes exactly their reports with `waitid(P_PIDFD)`
//! (P_PID where there is no pidfd), whose cost does not grow with the
//! number of children. Stops and
//! continues raise only SIGCHLD: on each, one look (without taking it)
//! at the first pending report of any child tells whose it is; a
//! member's is taken the same way. A child that is not ours (the
//! embedder's) must keep its report, and hides everything behind it from
//! the look: then every member is asked in turn, as a fallback.
//!
//! Only a child subreaper can have children of ours in a job's group that
//! are not its members (orphans re-parented to us): then the group is
//! also asked as a whole (`waitid(P_PGID)`), and these are reaped quietly.

use std::sync::{Arc, Weak};

use tokio::signal::unix::Signal as SignalStream;
use tokio_util::sync::CancellationToken;

use super::{lock, Inner};
use crate::future_job::Anchor;
use crate::group::{GroupState, Member, ProcPart};
use crate::job::{JobEvent, JobState};
use crate::record::JobCore;
use crate::signal::Signal;
use crate::sys::ready_set::SetReady;
use crate::sys::{self, ChildChange, GroupWait, Peek};

/// The reaper's task: reaps on each SIGCHLD and on each exit the watch
/// reports, until the kernel is dropped.
pub(super) async fn run(
    weak: Weak<Inner>,
    stop: CancellationToken,
    mut sigchld: SignalStream,
    exits: Option<SetReady>,
) {
    let mut watching = exits.is_some();
    loop {
        tokio::select! {
            got = sigchld.recv() => {
                if got.is_none() {
                    break;
                }
                match weak.upgrade() {
                    Some(inner) => inner.reap(),
                    None => break,
                }
            }
            served = async {
                match &exits {
                    Some(e) => e.serve(|| weak.upgrade().is_none_or(|inner| inner.reap_exits())).await,
                    None => std::future::pending().await,
                }
            }, if watching => {
                // The reactor failed it: SIGCHLD's looks still find every exit.
                watching = served.is_ok();
            }
            _ = stop.cancelled() => break,
        }
    }
}

/// The watch key of member `pid` of group `pgid`.
fn key(pgid: i32, pid: i32) -> u64 {
    (u64::from(pgid as u32) << 32) | u64::from(pid as u32)
}

fn unkey(key: u64) -> (i32, i32) {
    ((key >> 32) as u32 as i32, key as u32 as i32)
}

impl Inner {
    /// Collects the state changes of our children. Runs on each SIGCHLD:
    /// the exits the watch reports first, then a look at what else is
    /// pending (see the module docs).
    pub(crate) fn reap(&self) {
        // An exited child has left our table: its spawn slots may go.
        sys::spawn::release_left();
        let _guard = lock(&self.reap_lock);
        self.take_exits();
        loop {
            let pid = match sys::peek_child() {
                Ok(Peek::Child(pid)) => pid,
                Ok(Peek::Nothing | Peek::NoChildren) => return,
                Err(_) => return self.reap_all(),
            };
            // Not ours, or not registered yet (its spawner looks at it
            // right after registering it), or nothing taken after all.
            if !self.take_child(pid) && !self.take_anchor(pid) {
                return self.reap_all();
            }
        }
    }

    /// Takes the reports of the members the watch says exited; true when
    /// no reported exit is left.
    pub(crate) fn reap_exits(&self) -> bool {
        sys::spawn::release_left();
        let _guard = lock(&self.reap_lock);
        self.take_exits()
    }

    fn take_exits(&self) -> bool {
        let Some(watch) = &self.exits else {
            return true;
        };
        let mut keys = Vec::new();
        loop {
            let drained = watch.take(&mut keys);
            for k in keys.drain(..) {
                let (pgid, pid) = unkey(k);
                let core = lock(&self.groups).get(&pgid).cloned();
                if let Some(core) = core {
                    self.take_member(pgid, &core, pid);
                }
            }
            if drained {
                return true;
            }
        }
    }

    /// Takes the pending reports of child `pid` if it is in one of our
    /// groups: a member's are applied to its job, another's (an orphan
    /// re-parented to us) just taken. False if it is not ours or nothing
    /// was taken.
    fn take_child(&self, pid: i32) -> bool {
        // A zombie keeps its group until it is reaped.
        let Ok(pgid) = sys::getpgid(pid) else {
            return false;
        };
        let Some(core) = lock(&self.groups).get(&pgid).cloned() else {
            return false;
        };
        let Some(p) = core.proc() else { return false };
        if p.pids.contains(&pid) {
            return self.take_member(pgid, &core, pid);
        }
        let mut took = false;
        while let Ok(GroupWait::Change(_)) = sys::wait_pid(pid) {
            took = true;
        }
        took
    }

    /// Registers a new job's group: watches its members' exits, then takes
    /// what they reported already (a SIGCHLD that came before the group
    /// was registered found nothing to reap).
    pub(crate) fn reap_group(&self, pgid: i32, core: &Arc<JobCore>) {
        let Some(p) = core.proc() else { return };
        sys::spawn::release_left();
        let _guard = lock(&self.reap_lock);
        if let Some(watch) = &self.exits {
            // Best effort: an unwatched exit is found by SIGCHLD's look.
            p.each_member_fd(|_, pid, fd| {
                let _ = watch.add(fd, key(pgid, pid));
            });
        }
        self.take_members(pgid, core);
    }

    /// Takes the pending reports of `core`'s members if the reaper still
    /// counts its group as `core`'s (never another job's that reuses the pgid).
    pub(crate) fn reap_if_registered(&self, core: &Arc<JobCore>) {
        let Some(p) = core.proc() else { return };
        sys::spawn::release_left();
        let _guard = lock(&self.reap_lock);
        let ours = lock(&self.groups)
            .get(&p.pgid)
            .is_some_and(|c| Arc::ptr_eq(c, core));
        if ours {
            self.take_members(p.pgid, core);
        }
    }

    /// Asks every member of every group of ours in turn (the reaper holds `reap_lock`).
    pub(super) fn reap_all(&self) {
        let groups: Vec<(i32, Arc<JobCore>)> = lock(&self.groups)
            .iter()
            .map(|(k, v)| (*k, Arc::clone(v)))
            .collect();
        for (pgid, core) in groups {
            self.take_members(pgid, &core);
        }
        let anchors: Vec<Arc<Anchor>> = lock(&self.anchors).values().cloned().collect();
        for a in anchors {
            self.take_anchor_reports(&a);
        }
    }

    /// Takes the pending reports of `pid` if it is a future job's anchor
    /// (see [`crate::future_job`]); false if not, or nothing was taken.
    fn take_anchor(&self, pid: i32) -> bool {
        let anchor = lock(&self.anchors).get(&pid).cloned();
        anchor.is_some_and(|a| self.take_anchor_reports(&a))
    }

    fn take_anchor_reports(&self, anchor: &Arc<Anchor>) -> bool {
        let took = anchor.take_reports(&self.events);
        if anchor.is_reaped() {
            self.forget_anchor(anchor);
        }
        took
    }

    /// Registers a new future job's anchor, then takes what it reported
    /// already (a SIGCHLD before now found it unknown).
    pub(crate) fn adopt_anchor(&self, anchor: &Arc<Anchor>) {
        lock(&self.anchors).insert(anchor.pid(), Arc::clone(anchor));
        let _guard = lock(&self.reap_lock);
        self.take_anchor_reports(anchor);
    }

    /// Drops a reaped anchor from the table (never a later one reusing its pid).
    pub(crate) fn forget_anchor(&self, anchor: &Arc<Anchor>) {
        let mut anchors = lock(&self.anchors);
        if anchors
            .get(&anchor.pid())
            .is_some_and(|a| Arc::ptr_eq(a, anchor))
        {
            anchors.remove(&anchor.pid());
        }
    }

    /// Takes the pending reports of every unreaped member of the job; as a
    /// subreaper, of every child of ours in its group.
    fn take_members(&self, pgid: i32, core: &Arc<JobCore>) {
        let Some(p) = core.proc() else { return };
        if sys::is_child_subreaper() {
            self.drain_group(pgid, core);
            return;
        }
        for &pid in &p.pids {
            self.take_member(pgid, core, pid);
        }
    }

    /// Takes every pending report of member `pid` (an exit reaps it).
    /// Returns whether it took one.
    ///
    /// Each report is taken under the job's group lock (see
    /// [`crate::group`]): a signaller holding it sees every member it
    /// counts unreaped still pinning the group. Right after the last member
    /// is reaped, still under the lock, the processes left in the group are
    /// held by pidfds.
    fn take_member(&self, pgid: i32, core: &Arc<JobCore>, pid: i32) -> bool {
        let Some(p) = core.proc() else { return false };
        let Some(index) = p.pids.iter().position(|&m| m == pid) else {
            return false;
        };
        let mut took = false;
        loop {
            let mut g = p.lock();
            if matches!(g.members[index], Member::Done(_)) {
                return took;
            }
            // By pidfd where there is one: if someone else reaped the
            // member, its pid may name another child of ours by now.
            let got = match g.member_fd(index) {
                Some(fd) => sys::wait_pidfd(fd, pid),
                None => sys::wait_pid(pid),
            };
            let outcome = match got {
                Ok(GroupWait::Change(change)) => apply(p, &mut g, change),
                Ok(GroupWait::Nothing) => return took,
                // Someone else reaped it: its status is lost.
                Ok(GroupWait::NoChildren) | Err(_) => {
                    let lost = ChildChange::Exited {
                        pid,
                        code: 0,
                        usage: None,
                    };
                    apply(p, &mut g, lost)
                }
            };
            took = true;
            if outcome == Outcome::AllDone {
                p.collect_leftovers(&mut g);
            }
            self.publish_live(core, outcome);
            drop(g);
            match outcome {
                Outcome::AllDone => {
                    p.members_finished();
                    // Without a subreaper no other child of ours is in the group.
                    if sys::is_child_subreaper() {
                        self.drain_group(pgid, core);
                    } else {
                        self.forget_group(pgid, core);
                    }
                }
                Outcome::Live(_) | Outcome::Nothing => {}
            }
        }
    }

    /// Takes every pending report of our children in group `pgid` (an exit
    /// reaps the child); forgets the group once no child of ours is left in
    /// it. Returns whether it took a report or forgot the group. Walks all
    /// our children at each call: only for a subreaper (module docs).
    fn drain_group(&self, pgid: i32, core: &Arc<JobCore>) -> bool {
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
            self.publish_live(core, outcome);
            drop(g);
            if outcome == Outcome::AllDone {
                p.members_finished();
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

    /// Moves a live job to the state a report left it in, and publishes
    /// that. Called under the group lock: a CONT sent meanwhile (which
    /// does the same under it) is neither overtaken by an older stop nor
    /// published in the other order.
    fn publish_live(&self, core: &JobCore, outcome: Outcome) {
        let Outcome::Live(state) = outcome else {
            return;
        };
        if !core.set_live_state(state) {
            return;
        }
        let id = core.id();
        self.publish(match state {
            JobState::Stopped(s) => JobEvent::Stopped(id, s),
            _ => JobEvent::Continued(id),
        });
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
    let (pid, new, usage) = match change {
        ChildChange::Exited { pid, code, usage } => {
            (pid, Member::Done(JobState::Exited(code)), usage)
        }
        ChildChange::Signaled {
            pid,
            signal,
            core,
            usage,
        } => match Signal::from_number(signal) {
            Ok(signal) => (
                pid,
                Member::Done(JobState::Signaled {
                    signal,
                    core_dumped: core,
                }),
                usage,
            ),
            Err(_) => (pid, Member::Done(JobState::Exited(128 + signal)), usage),
        },
        ChildChange::Stopped { pid, signal } => (
            pid,
            Member::Stopped(Signal::from_number(signal).unwrap_or(Signal::STOP)),
            None,
        ),
        ChildChange::Continued { pid } => (pid, Member::Running, None),
    };
    // Processes of the group that are not members (their children) are reaped silently.
    let Some(index) = p.pids.iter().position(|&m| m == pid) else {
        return Outcome::Nothing;
    };
    if matches!(g.members[index], Member::Done(_)) {
        return Outcome::Nothing;
    }
    g.set(index, new);
    if let Some(u) = usage {
        g.add_reaped(u);
    }
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
