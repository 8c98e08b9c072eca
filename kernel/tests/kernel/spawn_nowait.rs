//! The spawn path that does not wait for exec: it is taken only for files
//! exec cannot refuse for cause, so every exec failure known in advance is
//! still a spawn error naming the program, and what it runs is what the
//! caller asked for although the caller's buffers are gone.

use std::os::unix::fs::PermissionsExt;

use corral_kernel::{Cmd, Error, JobState, ProcessSpec};

use crate::util::*;

/// A copy of /bin/true with `edit` applied, made executable.
fn edited_true(dir: &std::path::Path, name: &str, edit: impl FnOnce(&mut Vec<u8>)) -> String {
    let mut bytes = std::fs::read("/bin/true").unwrap();
    edit(&mut bytes);
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p.to_str().unwrap().to_owned()
}

/// An ELF file whose loader is missing, or built for another machine,
/// fails in exec: both are still errors from the spawn (not a job that
/// exits 126 or 127), as for a script, and nothing is left behind.
#[test]
fn elf_files_exec_refuses_are_spawn_errors() {
    alone(
        "spawn_nowait::elf_files_exec_refuses_are_spawn_errors",
        || async {
            let k = TestKernel::new();
            let me = std::process::id();
            let dir = tempfile::tempdir().unwrap();
            let loader: &[u8] = b"ld-linux-x86-64.so.2\0";
            let no_loader = edited_true(dir.path(), "no-loader", |b| {
                let at = b.windows(loader.len()).position(|w| w == loader).unwrap();
                b[at] = b'X';
            });
            // e_machine 183: AArch64.
            let other_machine = edited_true(dir.path(), "arm", |b| b[18] = 183);

            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new(&no_loader)))
                .unwrap_err();
            assert!(
                matches!(&err, Error::CommandNotFound { command } if *command == *no_loader),
                "{err:?}"
            );
            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new(&other_machine)))
                .unwrap_err();
            assert!(
                matches!(&err, Error::Spawn { source, .. } if source.raw_os_error() == Some(libc::ENOEXEC)),
                "{err:?}"
            );
            assert!(k.job_ids().is_empty());
            assert!(children_of(me).is_empty(), "{:?}", children_of(me));
        },
    );
}

/// Jobs spawned back to back, each with its own arguments, environment and
/// directory, the spec (and every buffer made from it) dropped as soon as
/// the spawn returns and the heap written over: each child ran exactly
/// what it was given.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_child_runs_its_own_arguments_after_the_caller_dropped_them() {
    let k = TestKernel::new();
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().unwrap()).collect();
    let mut jobs = Vec::new();
    for n in 0..300usize {
        let dir = &dirs[n % dirs.len()];
        let arg = format!("{n}:{}", "a".repeat(n % 97));
        let spec = ProcessSpec::command(
            Cmd::new("/bin/sh")
                .arg("-c")
                .arg("printf '%s %s %s' \"$1\" \"$V\" \"$PWD\"")
                .arg("sh")
                .arg(&arg),
        )
        .env("V", format!("v{n}"))
        .cwd(dir.path());
        let job = k.spawn_process(spec).unwrap();
        let junk: Vec<Vec<u8>> = (0..64).map(|i| vec![0x5a; 32 + i * 16]).collect();
        let want = format!(
            "{arg} v{n} {}",
            dir.path().canonicalize().unwrap().display()
        );
        jobs.push((job, want, junk));
    }
    for (job, want, _) in &jobs {
        assert_eq!(finished(job).await, JobState::Exited(0));
        let out = String::from_utf8_lossy(&job.stdout().snapshot().data).into_owned();
        assert_eq!(&out, want);
    }
}
