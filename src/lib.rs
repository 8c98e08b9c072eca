//! corral: an embeddable shell-style job-control engine.
//!
//! This facade re-exports [`kernel`] (jobs, output rings, signals, waits) and
//! [`vfs`] (the mount table and `/v/jobs`).
//!
//! The `corral` shell binary needs the `repl` feature, on by default. A
//! library-only embedder turns default features off and builds no line
//! editor:
//!
//! ```toml
//! corral = { version = "0.1", default-features = false }
//! ```

pub use corral_kernel as kernel;
pub use corral_vfs as vfs;
