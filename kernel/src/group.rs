//! The process side of a process job ([`ProcPart`]): its members, and the
//! pidfds that prove which processes are the job's, so that a signal never
//! reaches a stranger.
//!
//! The model. A job's pgid N is the first member's pid. The number N stays
//! allocated (as a pid or a group id) while any process is in group N, and
//! may be reused once the group is empty. So N is the job's group while a
//! process we know to be the job's is provably in it:
//!
//! - While a member is unreaped (running, stopped or a zombie), it pins N:
//!   `killpg(N)` reaches the job's group and nothing else. The reaper takes
//!   a member's exit under the [`GroupState`] lock, and signalling holds the
//!   same lock, so no member is reaped between the check and the `killpg`.
//! - When the last member is reaped, the processes left in the group (a
//!   launcher's workers, the members' children) are found in /proc and each
//!   held by a pidfd: the job's *leftovers*. From then on the group is only
//!   addressed through them: each is signalled by its pidfd, never by
//!   `killpg`. N counts as the job's while a held leftover is alive in group
//!   N and no process has the pid N (the leader was ours and is reaped: a
//!   live pid N means the number, and the group id with it, was reused).
//!   Before each signal the group is scanned again (processes the leftovers
//!   started since), the proof re-checked after the scan.
//!
//! Each member also has a pidfd from spawn (dropped when it is reaped):
//! dropping the kernel waits on them with poll(2), without a reaper.

use std::io;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Waker;
use std::time::{Duration, Instant};

use tokio::sync::Notify;

use crate::job::JobState;
use crate::one_or_many::OneOrMany;
use crate::signal::Signal;
use crate::sys;
use crate::sys::pidfd::{self, PidFd};

/// The state of one pipeline member, as the reaper last saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Member {
    Running,
    Stopped(Signal),
    Done(JobState),
}

/// What the group lock guards: the members' states and every pidfd held.
pub(crate) struct GroupState {
    pub(crate) members: OneOrMany<Member>,
    /// The members' pidfds, each dropped once that member is reaped (None
    /// also when it could not be opened).
    member_fds: OneOrMany<Option<Arc<PidFd>>>,
    /// Processes left in the group after the last member was reaped.
    leftovers: Vec<Arc<PidFd>>,
    /// User and system CPU nanoseconds of the members reaped so far
    /// (their rusage; u64s, not Durations: every process job carries them).
    reaped_cpu: [u64; 2],
    /// The peak memory: the largest of the reaped members' own peaks and
    /// of the live members' summed peaks seen by a read.
    peak: u64,
}

impl GroupState {
    /// A member is unreaped: it pins the group id.
    fn pinned(&self) -> bool {
        self.members.iter().any(|m| !matches!(m, Member::Done(_)))
    }

    /// Adds a reaped member's resource usage to the group's.
    pub(crate) fn add_reaped(&mut self, usage: sys::Usage) {
        let nanos = |d: std::time::Duration| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
        self.reaped_cpu[0] = self.reaped_cpu[0].saturating_add(nanos(usage.user));
        self.reaped_cpu[1] = self.reaped_cpu[1].saturating_add(nanos(usage.system));
        self.peak = self.peak.max(usage.peak);
    }

    /// Records member `index`'s new state (its pidfd goes once it is reaped).
    pub(crate) fn set(&mut self, index: usize, state: Member) {
        self.members[index] = state;
        if matches!(state, Member::Done(_)) {
            if let Some(fd) = self.member_fds.get_mut(index) {
                *fd = None;
            }
        }
    }

    /// A CONT reached the group: no member is stopped any more. Its
    /// CLD_CONTINUED report is lost if it stops again before the reaper
    /// asks (Linux keeps only the newest stop/continue), so the signaller
    /// records it.
    fn continued(&mut self) {
        for m in self.members.iter_mut() {
            if matches!(m, Member::Stopped(_)) {
                *m = Member::Running;
            }
        }
    }

    /// Member `index`'s pidfd, while it is unreaped and has one.
    pub(crate) fn member_fd(&self, index: usize) -> Option<std::os::fd::BorrowedFd<'_>> {
        let fd = self.member_fds.get(index)?.as_deref()?;
        Some(std::os::fd::AsFd::as_fd(fd))
    }

    /// Whether a held leftover proves group `pgid` the job's (see the module docs).
    fn proven(&self, pgid: i32) -> bool {
        self.leftovers.iter().any(|l| l.in_group(pgid)) && !pidfd::pid_exists(pgid)
    }
}

/// The process side of a process job.
pub(crate) struct ProcPart {
    pub(crate) pgid: i32,
    pub(crate) pids: OneOrMany<i32>,
    /// Each member's text, as `jobs -l` shows it; none when the job has one
    /// member whose text is the job's command (see [`ProcPart::member_texts`]).
    member_texts: Option<Box<[String]>>,
    group: Mutex<GroupState>,
    /// Permit stored once every member has been reaped.
    pub(crate) members_done: Notify,
    /// Starts the job's task if it has not started yet (see
    /// [`members_finished`](Self::members_finished)).
    pub(crate) starter: Mutex<Option<Waker>>,
    /// The master of the pty its stdout goes through, if it does.
    pub(crate) terminal: Option<std::os::fd::OwnedFd>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl ProcPart {
    /// The record of members just spawned (unreaped, so their pids are
    /// certain): opens a pidfd on each. `command` is the job's.
    pub(crate) fn new(
        pgid: i32,
        pids: Vec<i32>,
        member_texts: Vec<String>,
        command: &str,
    ) -> ProcPart {
        let same = matches!(&member_texts[..], [only] if only == command);
        let member_fds = pids
            .iter()
            .map(|&pid| PidFd::open(pid).ok().map(Arc::new))
            .collect();
        ProcPart {
            pgid,
            member_texts: (!same).then(|| member_texts.into_boxed_slice()),
            group: Mutex::new(GroupState {
                members: vec![Member::Running; pids.len()].into(),
                member_fds,
                leftovers: Vec::new(),
                reaped_cpu: [0; 2],
                peak: 0,
            }),
            pids: pids.into(),
            members_done: Notify::new(),
            starter: Mutex::new(None),
            terminal: None,
        }
    }

    /// Each member's text; `command` is the job's.
    pub(crate) fn member_texts(&self, command: &str) -> Vec<String> {
        match &self.member_texts {
            Some(texts) => texts.to_vec(),
            None => vec![command.to_string()],
        }
    }

    /// The record with the master of the pty its stdout goes through.
    pub(crate) fn with_terminal(mut self, master: Option<std::os::fd::OwnedFd>) -> ProcPart {
        self.terminal = master;
        self
    }

    /// The group lock. The reaper holds it while it takes a member's exit.
    pub(crate) fn lock(&self) -> MutexGuard<'_, GroupState> {
        lock(&self.group)
    }

    /// The members' CPU time (reaped ones from their rusage, live ones from
    /// /proc), their resident set now and its peak; with `read_proc` false,
    /// only what the reaped members left (nothing is read). /proc is read
    /// under the group lock: an unreaped member's pid cannot be reused
    /// meanwhile.
    pub(crate) fn usage(&self, read_proc: bool) -> (sys::Usage, u64, usize) {
        let mut g = self.lock();
        let mut total = sys::Usage {
            user: std::time::Duration::from_nanos(g.reaped_cpu[0]),
            system: std::time::Duration::from_nanos(g.reaped_cpu[1]),
            peak: 0,
        };
        let (mut rss, mut hwm, mut live) = (0, 0, 0);
        for (i, m) in g.members.iter().enumerate() {
            if matches!(m, Member::Done(_)) {
                continue;
            }
            live += 1;
            let Some(&pid) = self.pids.get(i).filter(|_| read_proc) else {
                continue;
            };
            if let Some((user, system)) = sys::proc_cpu(pid) {
                total.user += user;
                total.system += system;
            }
            if let Some((now, peak)) = sys::proc_memory(pid) {
                rss += now;
                hwm += peak;
            }
        }
        g.peak = g.peak.max(hwm);
        total.peak = g.peak;
        (total, rss, live)
    }

    /// Tells the job's task that every member has been reaped, starting
    /// the task first if nothing had started it yet.
    pub(crate) fn members_finished(&self) {
        self.members_done.notify_one();
        let starter = lock(&self.starter).take();
        if let Some(w) = starter {
            w.wake();
        }
    }

    /// Whether the group is provably still the job's: a member is unreaped,
    /// or a held leftover lives in it. A query: changes nothing.
    pub(crate) fn group_alive(&self) -> bool {
        let g = self.lock();
        g.pinned() || g.proven(self.pgid)
    }

    /// Called by the reaper, lock held, right after it reaped the last
    /// member: holds a pidfd on each process left in the group.
    pub(crate) fn collect_leftovers(&self, g: &mut GroupState) {
        // Usually nothing is left: one syscall says so.
        if !sys::group_exists(self.pgid) {
            return;
        }
        g.leftovers = pidfd::group_pids(self.pgid)
            .into_iter()
            .filter_map(|pid| hold(pid, self.pgid))
            .collect();
        if pidfd::pid_exists(self.pgid) {
            // Our leader is reaped: a pid N now is a stranger's, and so is the group.
            g.leftovers.clear();
        }
    }

    /// Looks for processes that joined the group since the leftovers were
    /// held (their children), and drops the held ones that exited or left.
    /// Keeps the new ones only if the group is still proven the job's after
    /// the scan.
    fn rescan(&self, g: &mut GroupState) {
        let pgid = self.pgid;
        g.leftovers.retain(|l| l.in_group(pgid));
        if g.leftovers.is_empty() || pidfd::pid_exists(pgid) {
            g.leftovers.clear();
            return;
        }
        let old = g.leftovers.len();
        let known: Vec<i32> = g.leftovers.iter().map(|l| l.pid()).collect();
        let found: Vec<Arc<PidFd>> = pidfd::group_pids(pgid)
            .into_iter()
            .filter(|pid| !known.contains(pid))
            .filter_map(|pid| hold(pid, pgid))
            .collect();
        let still = g.leftovers[..old].iter().any(|l| l.in_group(pgid)) && !pidfd::pid_exists(pgid);
        if still {
            g.leftovers.extend(found);
        } else {
            g.leftovers.clear();
        }
    }

    /// Sends `sig` to the job's processes: the whole group while a member
    /// pins it, else each leftover through its pidfd. `Ok(false)`: nothing
    /// of the job's is left to signal.
    ///
    /// # Errors
    /// The OS refused the signal (EPERM, EINVAL) for one of them.
    pub(crate) fn signal(&self, sig: i32) -> io::Result<bool> {
        self.signal_then(sig, || {})
    }

    /// [`signal`](Self::signal); when a CONT reached the members,
    /// `continued` runs under the group lock, so the job's state moves to
    /// running before the reaper can fold in a later stop.
    pub(crate) fn signal_then(&self, sig: i32, continued: impl FnOnce()) -> io::Result<bool> {
        let mut g = self.lock();
        if g.pinned() {
            return match sys::killpg(self.pgid, sig) {
                Ok(()) => {
                    if sig == libc::SIGCONT {
                        g.continued();
                        continued();
                    }
                    Ok(true)
                }
                Err(e) if e.raw_os_error() == Some(libc::ESRCH) => Ok(false),
                Err(e) => Err(e),
            };
        }
        self.rescan(&mut g);
        let held: Vec<Arc<PidFd>> = g.leftovers.clone();
        drop(g);
        signal_each(&held, sig)
    }

    /// The processes of the job still to wait for: the unreaped members
    /// and the held leftovers that have not exited.
    pub(crate) fn live_pidfds(&self) -> Vec<Arc<PidFd>> {
        let g = self.lock();
        let members = g
            .members
            .iter()
            .zip(&g.member_fds)
            .filter(|(m, _)| !matches!(m, Member::Done(_)))
            .filter_map(|(_, fd)| fd.clone());
        members
            .chain(g.leftovers.iter().cloned())
            .filter(|f| !f.exited())
            .collect()
    }

    /// Drops the pidfds of held leftovers that have exited (each is a descriptor).
    pub(crate) fn prune_exited(&self) {
        self.lock().leftovers.retain(|l| !l.exited());
    }

    /// The held leftovers (for waiting on their exit).
    pub(crate) fn leftovers(&self) -> Vec<Arc<PidFd>> {
        self.lock().leftovers.clone()
    }

    /// For dropping the kernel (no reaper runs any more, so members stay
    /// unreaped): holds every process now in the group as a leftover too,
    /// given `groups`, one /proc pass of (pid, pgrp) for all jobs. A member
    /// without a pidfd (it could not be opened) makes this return false:
    /// its exit cannot be waited for.
    pub(crate) fn hold_all_for_drop(&self, groups: &[(i32, i32)]) -> bool {
        let mut g = self.lock();
        let pgid = self.pgid;
        if g.pinned() {
            let known: Vec<i32> = g.leftovers.iter().map(|l| l.pid()).collect();
            let found: Vec<Arc<PidFd>> = groups
                .iter()
                .filter(|&&(pid, pgrp)| pgrp == pgid && !known.contains(&pid))
                .filter(|(pid, _)| !self.pids.contains(pid))
                .filter_map(|&(pid, _)| hold(pid, pgid))
                .collect();
            g.leftovers.extend(found);
        } else {
            self.rescan(&mut g);
        }
        g.members
            .iter()
            .zip(&g.member_fds)
            .all(|(m, fd)| matches!(m, Member::Done(_)) || fd.is_some())
    }

    /// Calls `f` with the index, pid and pidfd of each unreaped member
    /// that has a pidfd (group lock held meanwhile).
    pub(crate) fn each_member_fd(
        &self,
        mut f: impl FnMut(usize, i32, std::os::fd::BorrowedFd<'_>),
    ) {
        let g = self.lock();
        let members = g.members.iter().zip(&g.member_fds).zip(&self.pids);
        for (i, ((m, fd), &pid)) in members.enumerate() {
            if let (false, Some(fd)) = (matches!(m, Member::Done(_)), fd) {
                f(i, pid, std::os::fd::AsFd::as_fd(&**fd));
            }
        }
    }

    /// Whether a member is unreaped (so the group's members may be reaped by `waitid`).
    pub(crate) fn pinned(&self) -> bool {
        self.lock().pinned()
    }
}

/// The most [`end_all_blocking`] waits for KILLed processes to be gone.
const KILL_WAIT: Duration = Duration::from_secs(1);

/// Ends every process of these jobs for a kernel being dropped, blocking
/// the calling thread at most `grace` plus the KILL's delivery: TERM
/// and CONT to each job's processes, a wait on their pidfds (poll(2)) until
/// all have exited or `grace` has passed, then KILL to the rest, and our
/// children among them are reaped. No reaper runs any more: the members
/// stay unreaped, and pin their groups, until this reaps them.
pub(crate) fn end_all_blocking(parts: &[&ProcPart], grace: Duration) {
    let deadline = Instant::now() + grace;
    // One /proc pass for every running job's group (finished ones rescan their own).
    let groups = if parts.iter().any(|p| p.pinned()) {
        pidfd::process_groups()
    } else {
        Vec::new()
    };
    let mut waitable = true;
    for p in parts {
        waitable &= p.hold_all_for_drop(&groups);
        let _ = p.signal(libc::SIGTERM);
        let _ = p.signal(libc::SIGCONT);
    }
    let fds: Vec<Arc<PidFd>> = parts.iter().flat_map(|p| p.live_pidfds()).collect();
    let refs: Vec<&PidFd> = fds.iter().map(|f| &**f).collect();
    let all_gone = pidfd::wait_all_exited(&refs, deadline);
    if all_gone && !waitable {
        // A member without a pidfd: only the grace period is known to be enough.
        std::thread::sleep(deadline.saturating_duration_since(Instant::now()));
    }
    for p in parts {
        let _ = p.signal(libc::SIGKILL);
    }
    // KILL cannot be ignored: this wait is short, but makes "nothing is left
    // once Drop returns" hold for processes that are not our children too.
    let fds: Vec<Arc<PidFd>> = parts.iter().flat_map(|p| p.live_pidfds()).collect();
    let refs: Vec<&PidFd> = fds.iter().map(|f| &**f).collect();
    pidfd::wait_all_exited(&refs, Instant::now() + KILL_WAIT);
    for p in parts {
        if p.pinned() {
            // Every child of ours in the group, members first among them.
            while let Ok(sys::GroupWait::Change(_) | sys::GroupWait::Nothing) =
                sys::wait_group_blocking(p.pgid)
            {}
        }
        for left in p.leftovers() {
            left.reap_if_child();
        }
    }
}

/// A pidfd on `pid`, if it is (still, once held) in group `pgid`.
fn hold(pid: i32, pgid: i32) -> Option<Arc<PidFd>> {
    let fd = PidFd::open(pid).ok()?;
    // Checked after opening: the pidfd pins which process the pid names.
    fd.in_group(pgid).then(|| Arc::new(fd))
}

/// Sends `sig` to each process through its pidfd. `Ok(true)` if it reached any.
fn signal_each(held: &[Arc<PidFd>], sig: i32) -> io::Result<bool> {
    let mut reached = false;
    let mut failed = None;
    for l in held {
        match l.signal(sig) {
            Ok(()) => reached = true,
            Err(e) if e.raw_os_error() == Some(libc::ESRCH) => {}
            Err(e) => failed = Some(e),
        }
    }
    match failed {
        Some(e) if !reached => Err(e),
        _ => Ok(reached),
    }
}
