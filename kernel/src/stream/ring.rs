//! Block storage behind an output stream: the last `cap` bytes of an
//! unbounded byte sequence, addressed by absolute offset.
//!
//! Blocks are aligned on absolute offsets: block `k` holds bytes
//! `[k * block, (k + 1) * block)`, so finding an offset is a division and the
//! memory beyond the held bytes is at most the unused head of the first block
//! plus the unused tail of the last one (exactly one block in total when
//! `cap` is a multiple of the block size, as with the defaults).
//!
//! With a [`RingBudget`], every held block but the first is charged to it
//! (`charged == blocks.len() - 1`, kept by [`Ring::add_block`] and
//! [`Ring::pop_block`]). When the budget refuses a new block, the ring
//! recycles its own oldest one instead, evicting its bytes early.

use std::collections::VecDeque;
use std::io;
use std::os::fd::BorrowedFd;

use super::budget::RingBudget;
use crate::sys;

/// Largest block: big enough that a 64 KiB–1 MiB write is a few memcpys,
/// small enough that the slack (about one block) is negligible next to 1 MiB.
pub(crate) const MAX_BLOCK: usize = 64 * 1024;

/// Smallest allocation of a young stream's first block; it then doubles.
const MIN_ALLOC: usize = 64;

/// `u64` to `usize`, saturating (only used on values already bounded by a
/// `usize`, so it never actually saturates on 64-bit targets).
pub(crate) fn to_usize(x: u64) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

/// `usize` to `u64`, saturating.
pub(crate) fn to_u64(x: usize) -> u64 {
    u64::try_from(x).unwrap_or(u64::MAX)
}

/// Capacity for a young block that must hold `need` bytes: the next power
/// of two, at least `MIN_ALLOC`, at most `block`.
fn alloc_size(need: usize, block: usize) -> usize {
    let need = need.min(block);
    need.checked_next_power_of_two()
        .unwrap_or(block)
        .max(MIN_ALLOC)
        .min(block)
        .max(need)
}

/// Bounded byte ring with absolute offsets.
///
/// Kept small (every job has two, most of them nearly empty): the block
/// size is derived from `cap`, and no spare blocks are stored.
pub(crate) struct Ring {
    cap: usize,
    /// Held blocks, oldest first. `blocks[i]` is block number `first + i`;
    /// its `len()` is how far it is filled from the block's own start (the
    /// part before `start` in the first block is stale). Every block but
    /// the last is full.
    blocks: VecDeque<Vec<u8>>,
    /// Block number of `blocks[0]`.
    first: u64,
    /// Absolute offset of the first held byte (== bytes dropped).
    start: u64,
    /// Total bytes ever written (absolute offset of the end).
    written: u64,
    /// Where blocks beyond the first come from (`None`: anywhere).
    budget: Option<RingBudget>,
    /// Blocks charged to `budget`, each `block()` bytes.
    charged: usize,
}

impl std::fmt::Debug for Ring {
    // Counters only: the held bytes can be a megabyte.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ring")
            .field("cap", &self.cap)
            .field("start", &self.start)
            .field("written", &self.written)
            .field("blocks", &self.blocks.len())
            .finish()
    }
}

impl Ring {
    /// An empty ring holding at most `cap` bytes. Allocates nothing.
    pub(crate) fn new(cap: usize) -> Ring {
        Ring::with_budget(cap, None)
    }

    /// An empty ring whose blocks beyond the first are charged to `budget`.
    pub(crate) fn with_budget(cap: usize, budget: Option<RingBudget>) -> Ring {
        Ring {
            cap,
            blocks: VecDeque::new(),
            first: 0,
            start: 0,
            written: 0,
            budget,
            charged: 0,
        }
    }

    /// Charges a block about to be added to the budget; false if the
    /// budget refuses. The first block is never charged: every ring can
    /// hold something, however much the others took.
    fn charge(&mut self) -> bool {
        let Some(budget) = &self.budget else {
            return true;
        };
        if self.blocks.is_empty() {
            return true;
        }
        if budget.try_take(self.block()) {
            self.charged += 1;
            true
        } else {
            false
        }
    }

    /// Removes the oldest block; its charge goes back to the budget unless
    /// `reuse` (the caller adds it back at the end: the count is the same).
    fn pop_block(&mut self, reuse: bool) -> Option<Vec<u8>> {
        let b = self.blocks.pop_front()?;
        self.first += 1;
        if !reuse && self.charged > 0 {
            self.charged -= 1;
            if let Some(budget) = &self.budget {
                budget.give_back(self.block());
            }
        }
        Some(b)
    }

    /// Block size, `1..=MAX_BLOCK`, never more than `cap`.
    pub(crate) fn block(&self) -> usize {
        self.cap.clamp(1, MAX_BLOCK)
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    pub(crate) fn start(&self) -> u64 {
        self.start
    }

    pub(crate) fn written(&self) -> u64 {
        self.written
    }

    pub(crate) fn held(&self) -> u64 {
        self.written - self.start
    }

    /// Bytes of memory allocated for data (sum of block capacities).
    pub(crate) fn allocated(&self) -> usize {
        self.blocks.iter().map(Vec::capacity).sum()
    }

    /// Past its first block a stream is a real producer: it gets full-size
    /// blocks, and reads may go straight into them ([`Ring::read_fd`]).
    pub(crate) fn is_mature(&self) -> bool {
        self.cap > 0 && self.written >= to_u64(self.block())
    }

    /// Appends `data`, evicting the oldest bytes beyond `cap`.
    pub(crate) fn write(&mut self, mut data: &[u8]) {
        let n = to_u64(data.len());
        if n == 0 {
            return;
        }
        if self.cap == 0 {
            self.written += n;
            self.start = self.written;
            return;
        }
        if data.len() >= self.cap {
            // Everything held and the head of `data` fall out: keep only the
            // last `cap` bytes of `data`, without copying the rest.
            let skip = data.len() - self.cap;
            data = &data[skip..];
            self.written += to_u64(skip);
            // The write jumps past everything held: free it all first, so
            // the blocks stay contiguous.
            self.start = self.written;
            self.drop_stale();
        }
        // Evict first (only the counter): blocks that fall wholly out are
        // then reused by `append` for the new bytes, not freed and remade.
        let end = self.written + to_u64(data.len());
        self.start = self.start.max(end.saturating_sub(to_u64(self.cap)));
        self.append(data);
        self.drop_stale();
    }

    /// Frees the blocks wholly before `start`.
    fn drop_stale(&mut self) {
        let keep_from = self.start / to_u64(self.block());
        while self.first < keep_from && self.pop_block(false).is_some() {}
        if self.blocks.is_empty() {
            self.first = keep_from;
        }
    }

    /// Copies `data` at the end; `start` already accounts for it.
    fn append(&mut self, mut data: &[u8]) {
        let block = self.block();
        while !data.is_empty() {
            let pos = self.written;
            let index = pos / to_u64(block);
            // `pos % block < block <= usize::MAX`: lossless.
            let within = to_usize(pos % to_u64(block));
            if self.blocks.is_empty() || self.first + to_u64(self.blocks.len()) <= index {
                let buf = self.new_block(within + data.len());
                if self.blocks.is_empty() {
                    self.first = index;
                }
                self.blocks.push_back(buf);
            }
            let Some(last) = self.blocks.back_mut() else {
                return;
            };
            if last.len() < within {
                // A block started mid-way (after everything was evicted):
                // the part before `start` is never read, zero it.
                last.resize(within, 0);
            }
            let take = data.len().min(block - within);
            let want = within + take;
            if last.capacity() < want {
                // Only a young stream's first block is grown this way.
                let target = alloc_size(want, block);
                last.reserve_exact(target - last.len());
            }
            last.extend_from_slice(&data[..take]);
            self.written += to_u64(take);
            data = &data[take..];
        }
    }

    /// A new, empty block that will receive `need` bytes (counted from the
    /// block's start) now: the oldest block if it holds nothing any more,
    /// else a fresh allocation, else (the budget is spent) the oldest block
    /// with its bytes evicted.
    fn new_block(&mut self, need: usize) -> Vec<u8> {
        let block = self.block();
        let front_end = (self.first + 1) * to_u64(block);
        let reusable = self.blocks.front().is_some_and(|b| b.capacity() == block);
        if reusable && front_end <= self.start {
            if let Some(mut b) = self.pop_block(true) {
                b.clear();
                return b;
            }
        }
        if !self.charge() {
            if let Some(b) = self.recycle() {
                return b;
            }
        }
        if self.written >= to_u64(block) {
            // A real producer: full blocks, so later writes never reallocate.
            Vec::with_capacity(block)
        } else {
            // A young stream (most are tiny) only pays for what it holds.
            Vec::with_capacity(alloc_size(need, block))
        }
    }

    /// The oldest block, emptied, for the caller to add back at the end:
    /// its bytes are evicted now, as if the cap were what the ring holds.
    /// `None` only for a ring without blocks (whose first block is free).
    fn recycle(&mut self) -> Option<Vec<u8>> {
        let mut b = self.pop_block(true)?;
        self.start = self
            .start
            .max(self.first * to_u64(self.block()))
            .min(self.written);
        b.clear();
        Some(b)
    }

    /// How many bytes [`Ring::read_fd`] asks for now: up to the end of the
    /// block the next byte goes to.
    pub(crate) fn room(&self) -> usize {
        let block = self.block();
        block - to_usize(self.written % to_u64(block))
    }

    /// One read(2) from `fd` straight into the ring, after the last byte
    /// and up to the end of its block (no intermediate buffer). Returns the
    /// bytes read (0: end of file); on error nothing changes. Meant for
    /// mature rings ([`Ring::is_mature`]); a zero cap holds nothing to read
    /// into (an error: 0 would mean end of file).
    ///
    /// `Ok(None)`: the read needs a new block and the budget refuses it;
    /// nothing was read. The caller reads elsewhere and [`write`]s: bytes
    /// are evicted early only once new ones have arrived.
    ///
    /// [`write`]: Ring::write
    pub(crate) fn read_fd(&mut self, fd: BorrowedFd<'_>) -> io::Result<Option<usize>> {
        if self.cap == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a zero-cap ring holds nothing",
            ));
        }
        let block = self.block();
        let index = self.written / to_u64(block);
        let within = to_usize(self.written % to_u64(block));
        let fresh = self.blocks.is_empty() || self.first + to_u64(self.blocks.len()) <= index;
        if fresh {
            if !self.charge() {
                return Ok(None);
            }
            if self.blocks.is_empty() {
                self.first = index;
            }
            self.blocks.push_back(Vec::with_capacity(block));
        }
        let Some(last) = self.blocks.back_mut() else {
            return Ok(Some(0));
        };
        if last.len() < within {
            last.resize(within, 0);
        }
        if last.capacity() < block {
            last.reserve_exact(block - last.len());
        }
        let spare = last.spare_capacity_mut();
        let room_len = spare.len().min(block - within);
        let room = &mut spare[..room_len];
        let got = sys::read_uninit(fd, room);
        let n = match got {
            Ok(n) if n > 0 => n.min(room_len),
            other => {
                if fresh {
                    // Nothing came: give the empty block back.
                    self.blocks.pop_back();
                    self.uncharge_last();
                }
                return other.map(Some);
            }
        };
        // SAFETY: read(2) initialized the first `n` bytes of the spare
        // capacity, which start right at `len() == within`.
        unsafe { last.set_len(within + n) };
        self.written += to_u64(n);
        self.start = self
            .start
            .max(self.written.saturating_sub(to_u64(self.cap)));
        self.drop_stale();
        Ok(Some(n))
    }

    /// Gives back the charge of a block just taken off the end.
    fn uncharge_last(&mut self) {
        if self.charged > 0 && self.charged >= self.blocks.len() {
            self.charged -= 1;
            if let Some(budget) = &self.budget {
                budget.give_back(self.block());
            }
        }
    }

    /// Calls `f` with the contiguous slices covering absolute `[from, to)`,
    /// in order. The range must be held: `start <= from <= to <= written`;
    /// anything outside is clipped.
    pub(crate) fn for_each_slice(&self, from: u64, to: u64, mut f: impl FnMut(&[u8])) {
        let from = from.max(self.start);
        let to = to.min(self.written);
        if from >= to {
            return;
        }
        let block = to_u64(self.block());
        let mut pos = from;
        let mut i = to_usize((from / block).saturating_sub(self.first));
        while pos < to {
            let Some(b) = self.blocks.get(i) else {
                return;
            };
            let base = (self.first + to_u64(i)) * block;
            let lo = to_usize(pos - base);
            let hi = to_usize(to.min(base + block) - base).min(b.len());
            let Some(slice) = b.get(lo..hi) else {
                return;
            };
            if slice.is_empty() {
                return;
            }
            f(slice);
            pos += to_u64(slice.len());
            i += 1;
        }
    }

    /// Appends the bytes in absolute `[from, to)` (clipped to what is held)
    /// to `out`. Callers size `out` beforehand, outside any lock.
    pub(crate) fn copy_into(&self, from: u64, to: u64, out: &mut Vec<u8>) {
        self.for_each_slice(from, to, |s| out.extend_from_slice(s));
    }

    /// The bytes in absolute `[from, to)` (clipped to what is held), copied
    /// into one exact-size vector.
    #[cfg(test)]
    pub(crate) fn copy_range(&self, from: u64, to: u64) -> Vec<u8> {
        let len = to.min(self.written).saturating_sub(from.max(self.start));
        let mut out = Vec::with_capacity(to_usize(len));
        self.copy_into(from, to, &mut out);
        out
    }
}

impl Drop for Ring {
    fn drop(&mut self) {
        if let Some(budget) = &self.budget {
            budget.give_back(self.charged * self.block());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(from: u64, len: usize) -> Vec<u8> {
        (from..from + len as u64).map(|i| (i % 251) as u8).collect()
    }

    fn check(r: &Ring, all: &[u8]) {
        let start = r.start() as usize;
        assert_eq!(r.written() as usize, all.len());
        assert_eq!(r.held() as usize, all.len().min(r.cap()));
        assert_eq!(start, all.len() - r.held() as usize);
        assert_eq!(r.copy_range(0, u64::MAX), &all[start..]);
        // Memory: held bytes plus less than two blocks of slack.
        assert!(
            r.allocated() <= r.cap() + 2 * r.block(),
            "{} cap {} blocks {:?}",
            r.allocated(),
            r.cap(),
            r.blocks
                .iter()
                .map(|b| (b.len(), b.capacity()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn many_shapes() {
        for cap in [0usize, 1, 2, 3, 7, 64, 100, 4096, 65536, 100_000, 300_000] {
            for size in [0usize, 1, 3, 50, 1000, 65536, 70_000, 300_001] {
                let mut r = Ring::new(cap);
                let mut all = Vec::new();
                for _ in 0..5 {
                    let data = pattern(all.len() as u64, size);
                    r.write(&data);
                    all.extend_from_slice(&data);
                    check(&r, &all);
                }
            }
        }
    }

    #[test]
    fn slices_are_contiguous_runs() {
        let mut r = Ring::new(4 * MAX_BLOCK);
        r.write(&pattern(0, 3 * MAX_BLOCK + 10));
        let mut n = 0;
        r.for_each_slice(5, 3 * MAX_BLOCK as u64 + 8, |_| n += 1);
        assert_eq!(n, 4);
    }

    #[test]
    fn steady_state_slack_is_one_block() {
        let mut r = Ring::new(1 << 20);
        for i in 0..100u64 {
            r.write(&pattern(i, 10_000));
            if r.written() >= 1 << 20 {
                assert!(r.allocated() <= (1 << 20) + MAX_BLOCK);
            }
        }
    }

    #[test]
    fn young_stream_is_small() {
        let mut r = Ring::new(1 << 30);
        r.write(b"0123456789");
        assert!(r.allocated() <= MIN_ALLOC);
        for _ in 0..100 {
            r.write(b"0123456789");
        }
        assert!(r.allocated() <= 2048);
    }
}
