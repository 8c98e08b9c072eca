//! VFS path normalisation: no panic, and a normal path is a fixed point.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(norm) = corral_vfs::normalize(&text) {
        assert_eq!(corral_vfs::normalize(&norm).ok().as_deref(), Some(norm.as_str()));
    }
});
