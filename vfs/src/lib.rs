//! corral-vfs
