//! Signal names and numbers (`kill -s`, `kill -SIG`, `ctl`): no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(sig) = corral_kernel::Signal::parse(&text) {
        let _ = sig.description();
        assert_eq!(corral_kernel::Signal::parse(&sig.name()).ok(), Some(sig));
    }
});
