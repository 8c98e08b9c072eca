//! corral-kernel integration tests: real processes, real signals.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod util;

mod api;
mod budget;
mod faults;
mod load;
mod noharm;
mod output;
mod pty;
mod reaping;
mod signals;
mod spawn;
mod spawning;
mod supervise;
mod wait;
