//! Build weight: a library-only embedder builds no terminal front end.
//!
//! `cargo tree` (offline: the test must not need the network) lists the
//! normal dependencies of corral-kernel, corral-vfs and the facade without its
//! default features; none may pull in reedline or crossterm. The facade with
//! its defaults (the shell) must still list them, which shows that the check
//! reads a real tree.

use std::process::Command;

/// Crates only the interactive shell needs.
const FRONT_END: [&str; 2] = ["reedline", "crossterm"];

/// The package names in `cargo tree -p PKG -e normal` plus `extra` flags.
fn tree(pkg: &str, extra: &[&str]) -> Vec<String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let out = Command::new(cargo)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}", "-p", pkg])
        .args(extra)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {pkg} {extra:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let names: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect();
    assert!(
        names.iter().any(|n| n == pkg),
        "cargo tree -p {pkg} does not list {pkg}: {names:?}"
    );
    names
}

fn front_end_in(names: &[String]) -> Vec<&String> {
    names
        .iter()
        .filter(|n| FRONT_END.contains(&n.as_str()))
        .collect()
}

#[test]
fn library_crates_build_no_terminal_front_end() {
    for pkg in ["corral", "corral-kernel", "corral-vfs"] {
        let names = tree(pkg, &["--no-default-features"]);
        let found = front_end_in(&names);
        assert!(
            found.is_empty(),
            "{pkg} without default features depends on {found:?}"
        );
    }
}

#[test]
fn the_shell_feature_brings_the_front_end() {
    let names = tree("corral", &[]);
    assert!(
        names.iter().any(|n| n == "corral-repl") && names.iter().any(|n| n == "reedline"),
        "corral with default features lacks the shell: {names:?}"
    );
}
