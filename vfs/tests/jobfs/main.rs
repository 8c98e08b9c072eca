//! Contract tests of corral-vfs: JobFs files over real jobs, following,
//! errors, path normalisation, embedder mounts and the host passthrough.

mod helpers;

mod errors;
mod follow;
mod listing;
mod mounts;
mod output;
mod status;

use corral_kernel::JobOptions;

/// Options with an output ring of `n` bytes.
fn cap(n: usize) -> JobOptions {
    JobOptions::new().output_cap(n)
}
