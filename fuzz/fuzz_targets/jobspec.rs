//! Jobspec parsing and resolution against a small job table: no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| corral_repl::jobs::fuzz_jobspec(data));
