//! The job table's records and retention: which finished records go first.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use crate::group::ProcPart;
use crate::job::JobId;
use crate::record::JobCore;

#[derive(Default)]
pub(super) struct Table {
    pub(super) next_id: u64,
    pub(super) next_number: u64,
    pub(super) jobs: BTreeMap<JobId, Arc<JobCore>>,
    /// Visible jobs by number.
    pub(super) numbers: BTreeMap<u64, JobId>,
    pub(super) live: HashSet<JobId, IdHash>,
    pub(super) reserved: usize,
    /// Finished ids, oldest first, for retention. `remove` leaves its id
    /// here (removing from the middle would cost a scan per call): such
    /// stale ids are skipped, and swept out once they are the majority.
    pub(super) finished: VecDeque<JobId>,
    /// The finished ids of jobs that were hidden when they finished: the
    /// first to go when retention must make room (stale ids as above).
    pub(super) finished_hidden: VecDeque<JobId>,
    /// How many ids in `finished` are still records in `jobs`.
    pub(super) finished_held: usize,
}

impl Table {
    /// Queues a finished record for retention.
    pub(super) fn push_finished(&mut self, core: &JobCore) {
        self.finished.push_back(core.id());
        if core.number().is_none() {
            self.finished_hidden.push_back(core.id());
        }
        self.finished_held += 1;
    }

    /// Drops a finished record (its id stays in `finished`, stale).
    pub(super) fn remove_finished(&mut self, id: JobId) {
        let Some(core) = self.jobs.remove(&id) else {
            return;
        };
        if let Some(out) = core.meta().and_then(|m| m.output.as_ref()) {
            out.discard();
        }
        if let Some(n) = core.number() {
            self.numbers.remove(&n);
        }
        self.finished_held = self.finished_held.saturating_sub(1);
        let bound = 2 * self.finished_held + 64;
        let jobs = &self.jobs;
        for queue in [&mut self.finished, &mut self.finished_hidden] {
            if queue.len() > bound {
                queue.retain(|f| jobs.contains_key(f));
            }
        }
    }

    pub(super) fn number(&mut self, core: &JobCore) -> u64 {
        if let Some(n) = core.number() {
            return n;
        }
        let n = core.set_number(self.next_number);
        self.next_number += 1;
        self.numbers.insert(n, core.id());
        n
    }

    /// Removes the oldest finished records past the retention limit, hidden
    /// ones first. A record whose group still holds leftover processes is
    /// kept (moved to the back) so shutdown can still reach them.
    pub(super) fn evict(&mut self, retention: usize) -> Vec<JobId> {
        let mut out = Vec::new();
        let mut passes = self.finished_hidden.len() + self.finished.len();
        while self.finished_held > retention && passes > 0 {
            passes -= 1;
            let hidden = !self.finished_hidden.is_empty();
            let queue = if hidden {
                &mut self.finished_hidden
            } else {
                &mut self.finished
            };
            let Some(old) = queue.pop_front() else {
                break;
            };
            // Stale ids (already removed) are only skipped.
            let Some(core) = self.jobs.get(&old) else {
                continue;
            };
            if hidden && core.number().is_some() {
                // Shown since: it now waits its turn in `finished`.
                continue;
            }
            if leaves_processes(core) {
                self.finished.push_back(old);
                continue;
            }
            self.remove_finished(old);
            out.push(old);
        }
        out
    }
}

/// Hashing for keys the kernel hands out itself (job ids, process group
/// ids): one multiply, where the default SipHash spends over a hundred
/// instructions on every spawn and every finish. No caller picks these
/// keys, so there is no flooding to defend against.
pub(super) type IdHash = BuildHasherDefault<IdHasher>;

/// See [`IdHash`]: Fibonacci hashing of one integer.
#[derive(Default)]
pub(super) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // The high bits are mixed too: the hash table takes its tags from them.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i32(&mut self, n: i32) {
        self.write_u64(u64::from(n as u32));
    }
}

/// Whether a finished process job's group still holds processes it left.
pub(super) fn leaves_processes(core: &JobCore) -> bool {
    core.proc().is_some_and(ProcPart::group_alive)
}
