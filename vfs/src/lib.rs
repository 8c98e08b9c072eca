//! corral-vfs: one namespace of files over the host filesystem and a live
//! view of a [`corral_kernel::Kernel`]'s jobs at `/v/jobs`.
//!
//! # The model
//!
//! - A [`Filesystem`] is an async, object-safe trait: [`read`](Filesystem::read)
//!   a whole file, [`read_at`](Filesystem::read_at) an offset,
//!   [`follow`](Filesystem::follow) it live (a [`FollowStream`] that yields
//!   new bytes as they arrive and ends when the source closes),
//!   [`list`](Filesystem::list), [`stat`](Filesystem::stat), and
//!   [`write`](Filesystem::write) where writable.
//! - A [`MountTable`] routes absolute paths to filesystems by the longest
//!   mount-point prefix, after normalising them lexically ([`normalize`]:
//!   `//`, `.`, `..`, trailing `/`; `..` stops at `/`). The default layout
//!   ([`MountTable::new`]) is `/v/jobs` → [`JobFs`], `/v` → [`MountDir`] (a
//!   directory listing the mounts below it), `/` → [`HostFs`] (the host's
//!   files through `tokio::fs`). Embedders mount their own filesystems
//!   beside these with [`MountTable::mount`].
//! - [`JobFs`] shows each job as a directory of `stdout`, `stderr`, `status`,
//!   `command`, `pid`, `info` and `ctl` (see its [module docs](jobfs)).
//! - Errors are `io::Error`s with the right [`ErrorKind`](std::io::ErrorKind)
//!   (`NotFound`, `IsADirectory`, `NotADirectory`, `PermissionDenied`,
//!   `InvalidInput`…) and a message naming the path as the user typed it,
//!   e.g. `/v/jobs/99/status: no such job`; [`PathError::of`] gets the parts back.
//!
//! Reading a job's output copies what its ring holds at that instant with
//! one memcpy under the ring's lock (the most its writer can wait for);
//! following it waits on the ring without polling, so an idle follower
//! costs nothing.
//!
//! # Example
//!
//! An embedder mounts [`JobFs`] over its kernel (here beside the host
//! passthrough, which [`MountTable::new`] would also set up), runs a job and
//! reads `/v/jobs/1/stdout`:
//!
//! ```
//! use corral_kernel::{JobOptions, Kernel};
//! use corral_vfs::{HostFs, JobFs, MountDir, MountTable, WriteMode};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kernel = Kernel::new()?;
//!
//! let vfs = MountTable::empty();
//! vfs.mount("/", HostFs::new("/"))?;
//! vfs.mount("/v", MountDir)?;
//! vfs.mount("/v/jobs", JobFs::new(kernel.clone()))?;
//!
//! let job = kernel.spawn_future("greet", JobOptions::default(), |ctx| async move {
//!     ctx.stdout.write(b"hello from job 1\n");
//!     0
//! })?;
//! job.wait().await;
//!
//! assert_eq!(&vfs.read("/v/jobs/1/stdout").await?[..], b"hello from job 1\n");
//! assert_eq!(&vfs.read("/v/jobs/1/status").await?[..], b"done:0\n");
//! let ids: Vec<String> = vfs.list("/v/jobs").await?.into_iter().map(|e| e.name).collect();
//! assert_eq!(ids, ["1"]);
//!
//! // Errors name the path as typed.
//! let err = vfs.read("/v/jobs/99/status").await.unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
//! assert_eq!(err.to_string(), "/v/jobs/99/status: no such job");
//!
//! // `ctl` takes a signal; every other file under /v is read-only.
//! let err = vfs.write("/v/jobs/1/status", b"x", WriteMode::Truncate).await.unwrap_err();
//! assert_eq!(err.kind(), std::io::ErrorKind::PermissionDenied);
//!
//! kernel.shutdown(std::time::Duration::from_secs(1)).await;
//! # Ok(())
//! # }
//! ```
//!
//! Following a running job's output:
//!
//! ```
//! # use corral_kernel::{Cmd, Kernel, ProcessSpec};
//! # use corral_vfs::MountTable;
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let kernel = Kernel::new()?;
//! let vfs = MountTable::new(kernel.clone());
//! kernel.spawn_process(ProcessSpec::command(
//!     Cmd::new("sh").arg("-c").arg("for i in 1 2 3; do echo $i; sleep 0.01; done"),
//! ))?;
//! let mut out = Vec::new();
//! let mut follow = vfs.follow("/v/jobs/1/stdout", 0).await?;
//! while let Some(chunk) = follow.next_chunk().await? {
//!     out.extend_from_slice(&chunk.data);
//! }
//! // The stream ended because the job did.
//! assert_eq!(out, b"1\n2\n3\n");
//! # kernel.shutdown(std::time::Duration::from_secs(1)).await;
//! # Ok(())
//! # }
//! ```

mod error;
mod follow;
mod fs;
#[cfg(feature = "fuse")]
pub mod fuse;
mod host;
mod info;
pub mod jobfs;
mod mount;
mod path;

pub use corral_kernel::Chunk;
pub use error::{os_error, path_error, PathError};
pub use follow::{ChunkSource, FollowStream};
pub use fs::{slice_chunk, BoxFuture, DirEntry, FileKind, Filesystem, Metadata, VPath, WriteMode};
pub use host::HostFs;
pub use jobfs::{parse_ctl, JobFs, JobMarks};
pub use mount::{MountDir, MountTable};
pub use path::normalize;
