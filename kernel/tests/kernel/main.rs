//! corral-kernel integration tests: real processes, real signals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod anchor;
mod api;
mod budget;
mod faults;
mod load;
mod noharm;
mod output;
mod pty;
mod reaping;
mod signals;
mod snapshot;
mod spawn;
mod spawn_nowait;
mod spawning;
mod supervise;
mod wait;
