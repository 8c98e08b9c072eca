//! [`KernelConfig`]: the settings of one kernel.

use std::time::Duration;

use crate::stream::RingBudget;

/// Settings of one kernel. Start from [`KernelConfig::default`] and change
/// what you need, field by field or with the builder methods:
///
/// ```
/// use corral_kernel::KernelConfig;
/// let config = KernelConfig::default().retention(20).max_running(64);
/// assert_eq!((config.retention, config.max_running), (20, 64));
/// ```
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct KernelConfig {
    /// Cap of each output ring in bytes (default 1 MiB).
    pub output_cap: usize,
    /// Also keep every job's full output in a temp file (default off).
    pub lossless: bool,
    /// Most jobs live (running or stopped) at once; spawning past it fails (default 4096).
    pub max_running: usize,
    /// Finished jobs kept before the oldest is removed (default 100).
    pub retention: usize,
    /// Size a stdout capture pipe is grown to once its job proves a heavy
    /// writer (default 1 MiB; the system may refuse). Pipes start at the
    /// system's default size: most jobs write little.
    pub pipe_size: usize,
    /// Capacity of the event channel per subscriber before it lags (default 1024).
    pub event_capacity: usize,
    /// Grace period between TERM and KILL when the kernel is dropped (default 2 s).
    /// Dropping the last clone blocks the dropping thread at most this long
    /// (plus the KILL's delivery), until the jobs' processes have exited.
    pub drop_grace: Duration,
    /// Memory for all the output rings of the kernel's jobs, beyond each
    /// ring's first block (default [`RingBudget::DEFAULT`], 256 MiB; see
    /// [the stream docs](crate::stream#memory-budget)). A handle: clones
    /// of this config share it, and so may several kernels, on purpose.
    pub ring_budget: RingBudget,
    /// Timeout of every job whose options set none (default: none; see
    /// [`JobOptions::timeout`](crate::JobOptions::timeout)).
    pub default_timeout: Option<Duration>,
    /// Grace between TERM and KILL when a timeout runs out (default 2 s).
    pub timeout_grace: Duration,
    /// Deepest a job may be below its root (a job without a parent is at
    /// depth 0; default: no limit).
    pub max_depth: Option<usize>,
    /// Most live children one job may have (default: no limit).
    pub max_children: Option<usize>,
    /// Most live descendants any one job may have (default: no limit).
    pub max_descendants: Option<usize>,
    /// Most children one job may start in a window: `(count, window)`,
    /// e.g. `(10, 1 s)` (default: no limit).
    pub spawn_rate: Option<(u32, Duration)>,
    /// "Still running" reminder interval of every job whose options set
    /// none (default: none; see [`JobOptions::reminder`](crate::JobOptions::reminder)).
    pub reminder: Option<Duration>,
    /// Enforce memory limits with a memory cgroup per job where the system
    /// offers one (default on; see [`crate::supervise::resources`]). Off:
    /// each member's `RLIMIT_DATA` only.
    pub memory_cgroups: bool,
}

impl Default for KernelConfig {
    fn default() -> Self {
        KernelConfig {
            output_cap: crate::stream::OutputStream::DEFAULT_CAP,
            lossless: false,
            max_running: 4096,
            retention: 100,
            pipe_size: 1 << 20,
            event_capacity: 1024,
            drop_grace: Duration::from_secs(2),
            ring_budget: RingBudget::default(),
            default_timeout: None,
            timeout_grace: Duration::from_secs(2),
            max_depth: None,
            max_children: None,
            max_descendants: None,
            spawn_rate: None,
            reminder: None,
            memory_cgroups: true,
        }
    }
}

impl KernelConfig {
    /// Sets [`output_cap`](#structfield.output_cap).
    pub fn output_cap(mut self, bytes: usize) -> Self {
        self.output_cap = bytes;
        self
    }

    /// Sets [`lossless`](#structfield.lossless).
    pub fn lossless(mut self, yes: bool) -> Self {
        self.lossless = yes;
        self
    }

    /// Sets [`max_running`](#structfield.max_running).
    pub fn max_running(mut self, jobs: usize) -> Self {
        self.max_running = jobs;
        self
    }

    /// Sets [`retention`](#structfield.retention).
    pub fn retention(mut self, jobs: usize) -> Self {
        self.retention = jobs;
        self
    }

    /// Sets [`pipe_size`](#structfield.pipe_size).
    pub fn pipe_size(mut self, bytes: usize) -> Self {
        self.pipe_size = bytes;
        self
    }

    /// Sets [`event_capacity`](#structfield.event_capacity).
    pub fn event_capacity(mut self, events: usize) -> Self {
        self.event_capacity = events;
        self
    }

    /// Sets [`ring_budget`](#structfield.ring_budget).
    pub fn ring_budget(mut self, budget: RingBudget) -> Self {
        self.ring_budget = budget;
        self
    }

    /// Sets [`default_timeout`](#structfield.default_timeout).
    pub fn default_timeout(mut self, after: Duration) -> Self {
        self.default_timeout = Some(after);
        self
    }

    /// Sets [`timeout_grace`](#structfield.timeout_grace).
    pub fn timeout_grace(mut self, grace: Duration) -> Self {
        self.timeout_grace = grace;
        self
    }

    /// Sets [`max_depth`](#structfield.max_depth).
    pub fn max_depth(mut self, depth: usize) -> Self {
        self.max_depth = Some(depth);
        self
    }

    /// Sets [`max_children`](#structfield.max_children).
    pub fn max_children(mut self, children: usize) -> Self {
        self.max_children = Some(children);
        self
    }

    /// Sets [`max_descendants`](#structfield.max_descendants).
    pub fn max_descendants(mut self, descendants: usize) -> Self {
        self.max_descendants = Some(descendants);
        self
    }

    /// Sets [`spawn_rate`](#structfield.spawn_rate): at most `count`
    /// children per parent in any `window`.
    pub fn spawn_rate(mut self, count: u32, window: Duration) -> Self {
        self.spawn_rate = Some((count, window));
        self
    }

    /// Sets [`reminder`](#structfield.reminder).
    pub fn reminder(mut self, every: Duration) -> Self {
        self.reminder = Some(every);
        self
    }

    /// Sets [`memory_cgroups`](#structfield.memory_cgroups).
    pub fn memory_cgroups(mut self, on: bool) -> Self {
        self.memory_cgroups = on;
        self
    }

    /// Sets [`drop_grace`](#structfield.drop_grace).
    pub fn drop_grace(mut self, grace: Duration) -> Self {
        self.drop_grace = grace;
        self
    }
}
