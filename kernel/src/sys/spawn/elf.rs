//! What the parent checks before it lets a child exec without waiting:
//! that exec will not refuse the file for a reason known in advance.

use std::ffi::{c_char, CStr, CString};
use std::io::Read;
use std::os::unix::ffi::OsStrExt;

/// The bytes read from the file's start: the ELF header, its program
/// headers and (as linkers place it) the interpreter's path.
const HEAD: usize = 1024;

/// What argv and envp may take (strings and pointers) with no fear of
/// E2BIG: the kernel allows at least ARG_MAX (128 KiB) whatever the stack
/// limit; a margin stays for what it adds (the file name).
const ARGS_MAX: usize = 96 << 10;

/// Whether an `execve` of `path` with these arguments can fail only by a
/// race or a lack of resources: `path` is an ELF executable for this
/// machine that we can read, its interpreter (if any) is there and
/// executable, and the arguments are far below the kernel's limit. Scripts
/// (`#!`) and anything else answer false: their exec may fail for cause
/// (a missing interpreter, ENOEXEC) and must be waited for.
///
/// The caller has checked that `path` is executable.
pub(crate) fn exec_ready(path: &CStr, argv: &[CString], envp: &[CString]) -> bool {
    let size: usize = argv
        .iter()
        .chain(envp)
        .map(|s| s.as_bytes_with_nul().len() + std::mem::size_of::<*const c_char>())
        .sum();
    if size > ARGS_MAX {
        return false;
    }
    let file = std::path::Path::new(std::ffi::OsStr::from_bytes(path.to_bytes()));
    let verdict = match std::fs::metadata(file) {
        Ok(meta) => {
            let key = Key::of(&meta);
            match cached(&key) {
                Some(v) => v,
                None => read_verdict(file),
            }
        }
        Err(_) => return false,
    };
    match verdict {
        Verdict::Static => true,
        Verdict::Dynamic(interp) => {
            super::super::can_execute(std::path::Path::new(std::ffi::OsStr::from_bytes(&interp)))
        }
        Verdict::No => false,
    }
}

/// What the file's header says, which stays true while the file is
/// unchanged.
#[derive(Clone)]
enum Verdict {
    /// An ELF file for this machine, with no interpreter.
    Static,
    /// An ELF file for this machine, with this interpreter.
    Dynamic(Vec<u8>),
    /// Anything else.
    No,
}

/// What tells a file from a changed or replaced one: its identity, size
/// and times (the change time moves on any write, and cannot be set).
#[derive(Clone, PartialEq, Eq)]
struct Key {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Key {
    fn of(meta: &std::fs::Metadata) -> Key {
        use std::os::unix::fs::MetadataExt;
        Key {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.size(),
            mtime: (meta.mtime(), meta.mtime_nsec()),
            ctime: (meta.ctime(), meta.ctime_nsec()),
        }
    }
}

/// Seconds a file must be unchanged before its verdict is noted.
const SETTLED: i64 = 2;

/// Verdicts of the files spawned lately (a shell runs few distinct ones).
const CACHED: usize = 64;

static CACHE: std::sync::Mutex<Vec<(Key, Verdict)>> = std::sync::Mutex::new(Vec::new());

fn cached(key: &Key) -> Option<Verdict> {
    let cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    cache.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Reads the header of `file` and notes the verdict under the key of the
/// file it read (not of the path's file before: it may have been replaced).
fn read_verdict(file: &std::path::Path) -> Verdict {
    let mut head = [0u8; HEAD];
    let Ok(mut f) = std::fs::File::open(file) else {
        return Verdict::No;
    };
    let (Ok(len), Ok(meta)) = (f.read(&mut head), f.metadata()) else {
        return Verdict::No;
    };
    let verdict = match interpreter(&head[..len]) {
        Some(None) => Verdict::Static,
        Some(Some(interp)) => Verdict::Dynamic(interp.to_vec()),
        None => Verdict::No,
    };
    // File times tick coarsely: a change in the same tick as this read
    // would keep the key. Only files unchanged for a while are noted.
    let key = Key::of(&meta);
    let settled = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|now| i64::try_from(now.as_secs()).ok())
        .is_some_and(|now| key.ctime.0.saturating_add(SETTLED) < now);
    if !settled {
        return verdict;
    }
    let mut cache = CACHE.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() >= CACHED {
        cache.remove(0);
    }
    cache.push((key, verdict.clone()));
    verdict
}

/// For an ELF header this machine runs: `Some(interpreter)` (`None` for a
/// static file), when the interpreter's path lies in `head`; else `None`.
fn interpreter(head: &[u8]) -> Option<Option<&[u8]>> {
    const PT_INTERP: u32 = 3;
    let u16_at = |at: usize| Some(u16::from_le_bytes(head.get(at..at + 2)?.try_into().ok()?));
    let u32_at = |at: usize| Some(u32::from_le_bytes(head.get(at..at + 4)?.try_into().ok()?));
    let u64_at = |at: usize| {
        let v = u64::from_le_bytes(head.get(at..at + 8)?.try_into().ok()?);
        usize::try_from(v).ok()
    };
    // 64-bit, little-endian, version 1; an executable or a PIE; x86-64.
    if head.get(..7)? != b"\x7fELF\x02\x01\x01" {
        return None;
    }
    if !matches!(u16_at(16)?, 2 | 3) || u16_at(18)? != machine() {
        return None;
    }
    let (phoff, phentsize, phnum) = (u64_at(0x20)?, usize::from(u16_at(0x36)?), u16_at(0x38)?);
    if phentsize < 56 {
        return None;
    }
    for i in 0..usize::from(phnum) {
        let ph = phoff.checked_add(i.checked_mul(phentsize)?)?;
        if u32_at(ph)? != PT_INTERP {
            continue;
        }
        let (off, size) = (u64_at(ph + 8)?, u64_at(ph + 32)?);
        let path = head.get(off..off.checked_add(size)?)?;
        // The path ends with its NUL.
        let path = path.strip_suffix(b"\0")?;
        return (!path.is_empty() && !path.contains(&0)).then_some(Some(path));
    }
    Some(None)
}

/// `e_machine` for the machine we run on (only x86-64 spawns this way).
fn machine() -> u16 {
    if cfg!(target_arch = "x86_64") {
        62
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn c(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    /// A copy of /bin/true with `edit` applied, made executable.
    fn edited(dir: &std::path::Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> CString {
        use std::os::unix::fs::PermissionsExt;
        let mut bytes = std::fs::read("/bin/true").unwrap();
        edit(&mut bytes);
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        c(p.to_str().unwrap())
    }

    #[test]
    fn only_a_file_exec_takes_for_sure_is_ready() {
        let dir = tempfile::tempdir().unwrap();
        let argv = [c("true")];
        let ready = |p: &CStr| exec_ready(p, &argv, &[]);
        assert!(ready(&c("/bin/true")));
        let bin = std::fs::read("/bin/true").unwrap();
        let interp = interpreter(&bin[..HEAD])
            .unwrap()
            .expect("/bin/true is dynamic");
        let missing = edited(dir.path(), "no-loader", |b| {
            let at = b.windows(interp.len()).position(|w| w == interp).unwrap();
            b[at + interp.len() - 1] ^= 0x20;
        });
        assert!(!ready(&missing));
        let other_machine = edited(dir.path(), "arm", |b| b[18] = 183);
        assert!(!ready(&other_machine));
        let script = edited(dir.path(), "script", |b| {
            *b = b"#!/bin/sh\ntrue\n".to_vec();
        });
        assert!(!ready(&script));
        assert!(!ready(&c("/no/such/file")));
        // Edited in place (same inode): the new header counts, not a cached verdict.
        let changing = edited(dir.path(), "changing", |_| {});
        assert!(ready(&changing));
        let path = std::path::Path::new(changing.to_str().unwrap());
        let mut bytes = std::fs::read(path).unwrap();
        bytes[18] = 183;
        std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .unwrap()
            .write_all(&bytes)
            .unwrap();
        assert!(!ready(&changing));
        let big = vec![c(&"x".repeat(100 << 10))];
        assert!(!exec_ready(&c("/bin/true"), &big, &[]));
    }
}
