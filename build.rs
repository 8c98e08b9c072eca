//! Links the release `corral` binary statically and at a fixed address
//! (glibc linked in, no dynamic loader, no relocation at start): `corral -c
//! true` then skips ld.so's work (loading three libraries, relocating,
//! resolving symbols), about a third of its start. Not position independent:
//! a static PIE relocates itself at every start (some 20,000 pointers, each
//! page of them copied on write: 80 page faults of its 200), a fixed-address
//! binary has them filled in by the linker and reads those pages from the
//! file only when used. The cost is no address randomisation of the binary
//! itself (its heap, stack and mappings still are).
//!
//! Stable cargo cannot give `-C target-feature=+crt-static` to one binary,
//! so this does what that flag does at link time, with linker arguments for
//! the binary only (`rustc-link-arg-bins`: tests, benches, examples and the
//! library are linked as before):
//!
//! - `-static -no-pie` makes the C compiler driver link a static executable
//!   at a fixed address (crt1.o, no interpreter; the position-independent
//!   objects link into it as they are);
//! - rustc still names the dynamic libraries std needs (`-lgcc_s -lc …`
//!   after `-Bdynamic`). A directory searched before the system's (the C
//!   driver puts `-L` options given on its command line first) holds, under
//!   each of those names, a linker script pointing at the static archive
//!   (`libgcc_s` at `libgcc_eh`, the unwinder a static std links).
//!
//! Only for release builds of a Linux glibc target built on itself, and only
//! when every archive is installed (libc6-dev's libc.a, gcc's libgcc.a and
//! libgcc_eh.a, glibc's crt1.o and gcc's crtbeginT.o); otherwise, or with `CORRAL_DYNAMIC=1`, the
//! binary is linked dynamically as usual. User lookups (`~user`, `\u`) still
//! work: static glibc loads the NSS modules of the same glibc at run time.
//! A dependency adding another `-l` library must get a line in `SHADOWED`,
//! or the binary would load nothing for it and crash at start.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The libraries rustc names for std and libc on linux-gnu, each with the
/// archives its name stands for.
const SHADOWED: &[(&str, &[&str])] = &[
    ("gcc_s", &["libgcc_eh.a"]),
    ("util", &["libutil.a"]),
    ("rt", &["librt.a"]),
    ("pthread", &["libpthread.a"]),
    ("m", &["libm.a"]),
    ("dl", &["libdl.a"]),
    // One group: libc and the compiler's runtime refer to each other.
    ("c", &["libc.a", "libgcc.a", "libgcc_eh.a"]),
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CORRAL_DYNAMIC");
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    let wanted = var("PROFILE") == "release"
        && var("CARGO_CFG_TARGET_OS") == "linux"
        && var("CARGO_CFG_TARGET_ENV") == "gnu"
        && var("TARGET") == var("HOST")
        && std::env::var_os("CORRAL_DYNAMIC").is_none_or(|v| v.is_empty() || v == "0");
    if !wanted {
        return;
    }
    let Some(dir) = std::env::var_os("OUT_DIR").map(|d| PathBuf::from(d).join("static-libs"))
    else {
        return;
    };
    if installed("crt1.o").is_none() || installed("crtbeginT.o").is_none() {
        return;
    }
    let mut scripts = Vec::new();
    for (name, archives) in SHADOWED {
        let Some(paths) = archives
            .iter()
            .map(|a| installed(a))
            .collect::<Option<Vec<_>>>()
        else {
            println!("cargo:warning=corral: {archives:?} not found; linking dynamically");
            return;
        };
        let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        scripts.push((
            format!("lib{name}.a"),
            format!("GROUP ( {} )\n", list.join(" ")),
        ));
    }
    if std::fs::create_dir_all(&dir).is_err()
        || scripts
            .iter()
            .any(|(file, text)| std::fs::write(dir.join(file), text).is_err())
    {
        return;
    }
    println!("cargo:rustc-link-arg-bins=-static");
    println!("cargo:rustc-link-arg-bins=-no-pie");
    println!("cargo:rustc-link-arg-bins=-L{}", dir.display());
}

/// The full path of a file the C compiler links with, if installed.
fn installed(file: &str) -> Option<PathBuf> {
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(cc)
        .arg(format!("-print-file-name={file}"))
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8(out.stdout).ok()?.trim());
    // An unknown file is printed back as given, without a directory.
    (path.is_absolute() && Path::new(&path).is_file()).then(|| path.canonicalize().unwrap_or(path))
}
