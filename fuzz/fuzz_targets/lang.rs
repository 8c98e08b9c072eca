//! The shell-language front end (brush-parser + lowering + printer): any
//! input, no panic; what parses prints to a stable form.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| corral_repl::lang::fuzz_entry(data));
