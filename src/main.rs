//! The `corral` binary: everything lives in corral-repl.
//!
//! No std `main`: std's start would look up the main thread's stack guard
//! by reading all of /proc/self/maps, a good part of what `corral -c true`
//! costs. The rest of std's start the shell needs (SIGPIPE ignored, the
//! standard descriptors open) is done by `corral_repl::main`; the
//! interpreter runs on a stack of its own, with a guard page.
#![no_main]

use std::ffi::{c_char, c_int};

/// The C entry point (std's arguments come from glibc's init hook, not from here).
#[no_mangle]
extern "C" fn main(_argc: c_int, _argv: *const *const c_char) -> c_int {
    // A panic must not unwind into C: it ends the process with 101, as std's main would.
    let status = std::panic::catch_unwind(corral_repl::main).unwrap_or(101);
    // Flushes std's buffered stdout, which returning to C would not.
    std::process::exit(status)
}
