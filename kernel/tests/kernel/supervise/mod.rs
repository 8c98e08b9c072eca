//! Supervision: future jobs with process children, owners and scopes, stop
//! causes, timeouts, lineage and limits.

mod causes;
mod children;
mod completions;
mod context;
mod lineage;
mod owners;
mod resources;
mod restarts;
#[cfg(feature = "serde")]
mod serde;
mod timeouts;
