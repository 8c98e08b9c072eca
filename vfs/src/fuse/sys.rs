//! The OS calls of the FUSE server: who owns the mount, lazy unmounts,
//! and what `/proc/self/mountinfo` says is mounted where.

use std::io;
use std::path::Path;
use std::process::{Command, Stdio};

use nix::errno::Errno;
use nix::mount::{umount2, MntFlags};

/// The device every FUSE mount talks through.
pub(crate) const DEV_FUSE: &str = "/dev/fuse";

/// The real uid and gid of this process: the owner of the mount.
pub(crate) fn owner() -> (u32, u32) {
    (
        nix::unistd::getuid().as_raw(),
        nix::unistd::getgid().as_raw(),
    )
}

/// Detaches the mount at `dir` now and frees it once no one uses it
/// (`umount -l`). Without the right to unmount (not root), asks
/// `fusermount3 -u -z` (or `fusermount`), as FUSE's own helper does.
pub(crate) fn detach(dir: &Path) -> io::Result<()> {
    match umount2(dir, MntFlags::MNT_DETACH) {
        Ok(()) => Ok(()),
        Err(Errno::EPERM) => fusermount_detach(dir),
        Err(e) => Err(io::Error::from(e)),
    }
}

fn fusermount_detach(dir: &Path) -> io::Result<()> {
    let mut last = io::Error::from(io::ErrorKind::PermissionDenied);
    for helper in ["fusermount3", "fusermount"] {
        let run = Command::new(helper)
            .args(["-u", "-z", "--"])
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match run {
            Ok(status) if status.success() => return Ok(()),
            Ok(status) => {
                last = io::Error::other(format!("{helper} -u -z failed: {status}"));
            }
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The filesystem type mounted exactly at `dir` (the last mount there),
/// from `/proc/self/mountinfo`, or `None` when `dir` is not a mount point.
/// Reads no path inside the mount, so a dead or hung FUSE server cannot
/// block it.
pub(crate) fn mount_type_at(dir: &Path) -> io::Result<Option<String>> {
    let table = std::fs::read_to_string("/proc/self/mountinfo")?;
    Ok(mount_type_in(&table, dir))
}

pub(crate) fn mount_type_in(mountinfo: &str, dir: &Path) -> Option<String> {
    use std::os::unix::ffi::OsStrExt;
    let want = dir.as_os_str().as_bytes();
    let mut found = None;
    for line in mountinfo.lines() {
        // id parent major:minor root MOUNT_POINT options... - FSTYPE source super
        let mut fields = line.split(' ');
        let Some(point) = fields.nth(4) else { continue };
        if unescape(point) != want {
            continue;
        }
        let mut rest = fields.skip_while(|f| *f != "-");
        if let (Some(_), Some(fstype)) = (rest.next(), rest.next()) {
            found = Some(fstype.to_string());
        }
    }
    found
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(field: &str) -> Vec<u8> {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|c| (b'0'..=b'7').contains(c)));
        match (b[i], octal) {
            (b'\\', Some(d)) => {
                let v = d.iter().fold(0u32, |acc, c| acc * 8 + u32::from(c - b'0'));
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 4;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_are_read() {
        let info = "22 1 0:21 / /proc rw,nosuid - proc proc rw\n\
                    90 22 0:50 / /tmp/a\\040b/v rw,nosuid,nodev - fuse corral rw,user_id=0\n\
                    91 22 0:51 / /tmp/x rw - tmpfs tmpfs rw\n\
                    92 91 0:52 / /tmp/x rw - fuse.corral corral rw\n";
        assert_eq!(
            mount_type_in(info, Path::new("/tmp/a b/v")).as_deref(),
            Some("fuse")
        );
        // The last mount stacked on a point is the one seen.
        assert_eq!(
            mount_type_in(info, Path::new("/tmp/x")).as_deref(),
            Some("fuse.corral")
        );
        assert_eq!(mount_type_in(info, Path::new("/tmp/a")), None);
    }
}
