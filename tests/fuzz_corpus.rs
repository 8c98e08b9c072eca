//! Replays every fuzz corpus input (fuzz/corpus/<target>/*) through the same
//! functions the cargo-fuzz targets call, so CI checks them without nightly.

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir: PathBuf = [env!("CARGO_MANIFEST_DIR"), "fuzz", "corpus", target]
        .iter()
        .collect();
    let mut inputs: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .filter_map(|e| std::fs::read(e.path()).ok())
        .collect();
    assert!(!inputs.is_empty(), "empty corpus for {target}");
    inputs.sort();
    inputs
}

#[test]
fn lang_corpus() {
    for input in corpus("lang") {
        corral_repl::lang::fuzz_entry(&input);
    }
}

#[test]
fn jobspec_corpus() {
    for input in corpus("jobspec") {
        corral_repl::jobs::fuzz_jobspec(&input);
    }
}

#[test]
fn signal_corpus() {
    for input in corpus("signal") {
        let text = String::from_utf8_lossy(&input);
        if let Ok(sig) = corral_kernel::Signal::parse(&text) {
            assert_eq!(corral_kernel::Signal::parse(&sig.name()).ok(), Some(sig));
        }
    }
}

#[test]
fn vfs_path_corpus() {
    for input in corpus("vfs_path") {
        let text = String::from_utf8_lossy(&input);
        if let Ok(norm) = corral_vfs::normalize(&text) {
            assert_eq!(
                corral_vfs::normalize(&norm).ok().as_deref(),
                Some(norm.as_str())
            );
        }
    }
}

#[test]
fn ctl_corpus() {
    for input in corpus("ctl") {
        let _ = corral_vfs::parse_ctl(&input);
    }
}
