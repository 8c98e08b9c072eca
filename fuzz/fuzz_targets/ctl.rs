//! What a write to /v/jobs/N/ctl accepts: no panic on any bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = corral_vfs::parse_ctl(data);
});
