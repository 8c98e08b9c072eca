//! corral: an embeddable shell-style job-control engine.
//!
//! This facade re-exports [`kernel`] (jobs, output rings, signals, waits) and
//! [`vfs`] (the mount table and `/v/jobs`).

pub use corral_kernel as kernel;
pub use corral_vfs as vfs;
