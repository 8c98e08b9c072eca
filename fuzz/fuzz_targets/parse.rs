//! The command-line parser and expander: any input, no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| corral_repl::syntax::fuzz_entry(data));
