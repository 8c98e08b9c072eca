//! Helpers shared by the integration tests.

pub mod gate;
pub mod procfs;
pub mod pty;
pub mod run;
