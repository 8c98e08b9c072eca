//! A memory budget shared by many rings: bytes of data blocks beyond each
//! ring's first, taken when a block is allocated and given back when it is
//! freed.

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Memory for output rings, shared by every stream created with it (all
/// the streams of one kernel, by default). See the
/// [module docs](super#memory-budget) for what happens when it is spent.
///
/// Cheap to clone; all clones are the same budget.
///
/// ```
/// use corral_kernel::stream::{OutputStream, RingBudget};
///
/// let budget = RingBudget::new(256 * 1024);
/// let streams: Vec<_> = (0..8)
///     .map(|_| OutputStream::with_budget(1 << 20, &budget))
///     .collect();
/// for s in &streams {
///     s.write(&[b'y'; 300 * 1024]);
/// }
/// assert!(budget.in_use() <= budget.limit());
/// for s in &streams {
///     let st = s.stats();
///     assert_eq!(st.written, st.held + st.dropped); // counters stay exact
///     assert!(st.held > 0);                          // every ring keeps some
/// }
/// drop(streams);
/// assert_eq!(budget.in_use(), 0);
/// ```
#[derive(Clone)]
pub struct RingBudget {
    pool: Arc<Pool>,
}

struct Pool {
    limit: usize,
    used: AtomicUsize,
}

impl RingBudget {
    /// The default budget of a kernel: 256 MiB, room for 256 streams
    /// flooding to the default 1 MiB cap (a busy session rarely has more
    /// than a handful), yet a fraction of the 8 GiB that 4,096 jobs could
    /// otherwise pin.
    pub const DEFAULT: usize = 256 << 20;

    /// A budget of `limit` bytes (beyond each ring's first block).
    pub fn new(limit: usize) -> RingBudget {
        RingBudget {
            pool: Arc::new(Pool {
                limit,
                used: AtomicUsize::new(0),
            }),
        }
    }

    /// A budget that is never spent: only each stream's cap bounds it.
    pub fn unlimited() -> RingBudget {
        RingBudget::new(usize::MAX)
    }

    /// The limit in bytes.
    pub fn limit(&self) -> usize {
        self.pool.limit
    }

    /// Bytes taken now by the rings using this budget.
    pub fn in_use(&self) -> usize {
        self.pool.used.load(Ordering::Relaxed)
    }

    /// Takes `n` bytes if that stays within the limit.
    pub(crate) fn try_take(&self, n: usize) -> bool {
        let limit = self.pool.limit;
        self.pool
            .used
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |used| {
                used.checked_add(n).filter(|&total| total <= limit)
            })
            .is_ok()
    }

    /// Gives back `n` bytes taken earlier.
    pub(crate) fn give_back(&self, n: usize) {
        self.pool.used.fetch_sub(n, Ordering::Relaxed);
    }
}

impl Default for RingBudget {
    /// A fresh budget of [`RingBudget::DEFAULT`] bytes.
    fn default() -> RingBudget {
        RingBudget::new(RingBudget::DEFAULT)
    }
}

impl fmt::Debug for RingBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RingBudget")
            .field("limit", &self.limit())
            .field("in_use", &self.in_use())
            .finish()
    }
}
