//! The spawn path: what a child starts with (signal dispositions and mask,
//! descriptors), exec failures, and many spawns under descriptor pressure.
//! Each test that changes or measures process-wide state runs alone.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::PermissionsExt;

use corral_kernel::{Cmd, Error, JobState, KernelConfig, ProcessSpec};
use nix::sys::resource::{getrlimit, setrlimit, Resource};

use crate::util::*;

/// `grep`'s own signal lines of /proc/self/status, as a job.
fn signal_lines() -> ProcessSpec {
    ProcessSpec::command(
        Cmd::new("grep")
            .arg("-E")
            .arg("^Sig(Blk|Ign)")
            .arg("/proc/self/status"),
    )
}

/// The mask on the line `field` of `text` (e.g. "SigIgn").
fn mask(text: &str, field: &str) -> u64 {
    let line = text
        .lines()
        .find(|l| l.starts_with(field))
        .unwrap_or_else(|| panic!("no {field} in {text:?}"));
    u64::from_str_radix(line.split_whitespace().nth(1).unwrap(), 16).unwrap()
}

fn bit(sig: i32) -> u64 {
    1 << (sig - 1)
}

/// A child starts with SIGPIPE and the job-control signals at their
/// default action although we ignore them (Rust ignores SIGPIPE; a shell
/// the others), keeps a signal ignored nohup-style (HUP), and starts with
/// an empty mask although the spawning thread blocks a signal. Both spawn
/// paths: clone3, and std's (taken when a pre_exec hook is given).
#[test]
fn children_start_with_default_job_signals_and_keep_hup_ignored() {
    alone(
        "spawn::children_start_with_default_job_signals_and_keep_hup_ignored",
        || async {
            let reset = [
                libc::SIGINT,
                libc::SIGQUIT,
                libc::SIGTSTP,
                libc::SIGTTIN,
                libc::SIGTTOU,
            ];
            // SAFETY: SIG_IGN is a valid disposition for these signals;
            // this copy of the test binary runs this test only.
            unsafe {
                for sig in reset.into_iter().chain([libc::SIGHUP]) {
                    libc::signal(sig, libc::SIG_IGN);
                }
            }
            // SAFETY: a valid set; blocks SIGUSR2 on this (the spawning) thread.
            unsafe {
                let mut set: libc::sigset_t = std::mem::zeroed();
                libc::sigemptyset(&mut set);
                libc::sigaddset(&mut set, libc::SIGUSR2);
                libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
            }
            let k = TestKernel::new();
            for hook in [false, true] {
                let mut spec = signal_lines();
                if hook {
                    // SAFETY: the hook does nothing at all.
                    spec = unsafe { spec.pre_exec(|| Ok(())) };
                }
                let job = k.spawn_process(spec).unwrap();
                assert_eq!(finished(&job).await, JobState::Exited(0));
                let text = String::from_utf8(job.stdout().snapshot().data.to_vec()).unwrap();
                let ignored = mask(&text, "SigIgn");
                for sig in reset.into_iter().chain([libc::SIGPIPE]) {
                    assert_eq!(
                        ignored & bit(sig),
                        0,
                        "hook {hook}: signal {sig} ignored: {text}"
                    );
                }
                assert_ne!(
                    ignored & bit(libc::SIGHUP),
                    0,
                    "hook {hook}: HUP not kept ignored: {text}"
                );
                assert_eq!(
                    mask(&text, "SigBlk"),
                    0,
                    "hook {hook}: mask not emptied: {text}"
                );
            }
        },
    );
}

/// `ProcessSpec::ignore_signal` keeps a signal ignored in the child past
/// the reset of the job-control signals, on both spawn paths (a shell's
/// `trap '' INT`, or INT/QUIT of a background job without job control).
#[tokio::test]
async fn ignore_signal_survives_the_reset() {
    let k = TestKernel::new();
    for hook in [false, true] {
        let mut spec = signal_lines()
            .ignore_signal(corral_kernel::Signal::INT)
            .ignore_signal(corral_kernel::Signal::QUIT);
        if hook {
            // SAFETY: the hook does nothing at all.
            spec = unsafe { spec.pre_exec(|| Ok(())) };
        }
        let job = k.spawn_process(spec).unwrap();
        assert_eq!(finished(&job).await, JobState::Exited(0));
        let text = String::from_utf8(job.stdout().snapshot().data.to_vec()).unwrap();
        let ignored = mask(&text, "SigIgn");
        for sig in [libc::SIGINT, libc::SIGQUIT] {
            assert_ne!(
                ignored & bit(sig),
                0,
                "hook {hook}: {sig} not ignored: {text}"
            );
        }
        assert_eq!(ignored & bit(libc::SIGTSTP), 0, "hook {hook}: {text}");
    }
}

/// Writing to a closed pipe kills a child by SIGPIPE (its default action),
/// as in a shell: `yes | head -1` ends, `yes` by SIGPIPE.
#[tokio::test]
async fn a_child_dies_of_sigpipe() {
    let k = TestKernel::new();
    let job = k
        .spawn_process(
            ProcessSpec::new("yes | head -c 1")
                .pipe(Cmd::new("sh").arg("-c").arg("yes; echo \"yes: $?\" >&2"))
                .pipe(Cmd::new("head").arg("-c").arg("1")),
        )
        .unwrap();
    assert_eq!(finished(&job).await, JobState::Exited(0));
    // 141 = 128 + SIGPIPE, as sh reports its child's death by signal.
    let err = String::from_utf8_lossy(&job.stderr().snapshot().data).into_owned();
    assert_eq!(err, "yes: 141\n");
}

/// A file that is there and executable but cannot be executed fails at
/// exec, in the child: ENOEXEC (a script without `#!`) is a spawn error
/// saying so, a missing interpreter is "command not found", an interpreter
/// that is not executable is "permission denied". The failed child is
/// reaped at once, nothing enters the table, and the next job works. Runs
/// alone, to see every child of this process.
#[test]
fn exec_failures_in_the_child_give_the_right_errors() {
    alone(
        "spawn::exec_failures_in_the_child_give_the_right_errors",
        || async {
            let k = TestKernel::new();
            let me = std::process::id();
            let dir = tempfile::tempdir().unwrap();
            let file = |name: &str, text: &str| {
                let p = dir.path().join(name);
                std::fs::write(&p, text).unwrap();
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
                p.to_str().unwrap().to_owned()
            };
            let no_shebang = file("no-shebang", "echo hi\n");
            let bad_interp = file("bad-interp", "#!/no/such/interpreter\necho hi\n");
            let plain = file("plain", "not a program\n");
            std::fs::set_permissions(&plain, std::fs::Permissions::from_mode(0o644)).unwrap();
            let denied_interp = file("denied-interp", &format!("#!{plain}\necho hi\n"));

            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new(&no_shebang)))
                .unwrap_err();
            assert!(
                matches!(&err, Error::Spawn { source, .. } if source.raw_os_error() == Some(libc::ENOEXEC)),
                "{err:?}"
            );
            assert_eq!(
                err.to_string(),
                format!("{no_shebang}: Exec format error (os error 8)")
            );

            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new(&bad_interp)))
                .unwrap_err();
            assert!(
                matches!(&err, Error::CommandNotFound { command } if *command == *bad_interp),
                "{err:?}"
            );

            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new(&denied_interp)))
                .unwrap_err();
            assert!(
                matches!(&err, Error::PermissionDenied { command } if *command == *denied_interp),
                "{err:?}"
            );

            // Resolved in the parent, before any child: missing, not executable.
            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new("no-such-command-xyz")))
                .unwrap_err();
            assert!(matches!(err, Error::CommandNotFound { .. }), "{err:?}");
            let err = k
                .spawn_process(ProcessSpec::command(Cmd::new(&plain)))
                .unwrap_err();
            assert!(matches!(err, Error::PermissionDenied { .. }), "{err:?}");

            assert!(k.job_ids().is_empty());
            assert!(children_of(me).is_empty(), "{:?}", children_of(me));
            let ok = k.spawn_process(sh("echo fine")).unwrap();
            assert_eq!(finished(&ok).await, JobState::Exited(0));
            assert_eq!(&ok.stdout().snapshot().data[..], b"fine\n");
        },
    );
}

/// The descriptors of a process, by number, with what each names.
fn descriptors(pid: impl Into<u32>) -> Vec<(i32, String)> {
    let pid: u32 = pid.into();
    let mut fds: Vec<(i32, String)> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .flatten()
        .map(|e| {
            let n = e.file_name().to_string_lossy().parse().unwrap();
            let target = std::fs::read_link(e.path()).unwrap();
            (n, target.to_string_lossy().into_owned())
        })
        .collect();
    fds.sort();
    fds
}

/// A child's descriptors are 0, 1 and 2 and nothing else, even when we
/// hold a descriptor without close-on-exec: stdin /dev/null, stdout and
/// stderr the capture pipes; a pipeline member's stdin or stdout the pipe
/// to its neighbour. Runs alone: the inheritable descriptor would reach
/// other tests' children.
#[test]
fn a_child_has_descriptors_0_1_2_only() {
    alone("spawn::a_child_has_descriptors_0_1_2_only", || async {
        let k = TestKernel::new();
        let inheritable = std::fs::File::open("/dev/null").unwrap();
        // SAFETY: dup takes a plain integer; the result is ours to own.
        let dup = unsafe { libc::dup(inheritable.as_raw_fd()) };
        assert!(dup > 2);
        // SAFETY: dup just returned this descriptor, owned by nothing else.
        let _held: OwnedFd = unsafe { std::os::fd::FromRawFd::from_raw_fd(dup) };
        let job = k
            .spawn_process(
                ProcessSpec::new("sleep 1000 | sleep 1000")
                    .pipe(Cmd::new("sleep").arg("1000"))
                    .pipe(Cmd::new("sleep").arg("1000")),
            )
            .unwrap();
        let pids = job.pids();
        // The spawn returns before exec (until then a child shares our
        // table) and the loader briefly holds a descriptor after it: look
        // once each member sleeps in its own clock_nanosleep.
        let nanosleep = libc::SYS_clock_nanosleep.to_string();
        let asleep = |pid: u32| {
            std::fs::read_to_string(format!("/proc/{pid}/syscall"))
                .is_ok_and(|s| s.split(' ').next() == Some(nanosleep.as_str()))
        };
        until("both members asleep", || {
            pids.iter().all(|&p| asleep(p.into()))
        })
        .await;
        let (first, second) = (descriptors(pids[0]), descriptors(pids[1]));
        let numbers = |fds: &[(i32, String)]| fds.iter().map(|f| f.0).collect::<Vec<_>>();
        assert_eq!(numbers(&first), [0, 1, 2], "{first:?}");
        assert_eq!(numbers(&second), [0, 1, 2], "{second:?}");
        assert_eq!(first[0].1, "/dev/null");
        assert!(first[1].1.starts_with("pipe:"), "{first:?}");
        assert_eq!(first[1].1, second[0].1, "the pipe between the members");
        assert!(second[1].1.starts_with("pipe:"), "{second:?}");
        assert!(first[2].1.starts_with("pipe:"), "{first:?}");
        assert_eq!(first[2].1, second[2].1, "both write to the job's stderr");
        job.signal(corral_kernel::Signal::KILL).unwrap();
        finished(&job).await;
    });
}

/// How many descriptors this process has open.
fn open_fds() -> usize {
    // read_dir's own descriptor is counted: one too many, always.
    std::fs::read_dir("/proc/self/fd").unwrap().count()
}

/// 10,000 spawns with 8,000 descriptors held open: every job runs and
/// finishes, spawns that fail at exec (every 100th) fail cleanly, and
/// afterwards exactly as many descriptors are open as before: none leaked
/// by a spawn, a failure or a finished job. Runs alone: it raises
/// RLIMIT_NOFILE and counts this process's descriptors.
#[test]
fn ten_thousand_spawns_under_descriptor_pressure_leak_nothing() {
    alone(
        "spawn::ten_thousand_spawns_under_descriptor_pressure_leak_nothing",
        || async {
            let (_, hard) = getrlimit(Resource::RLIMIT_NOFILE).unwrap();
            setrlimit(Resource::RLIMIT_NOFILE, hard, hard).unwrap();
            let mut config = KernelConfig::default();
            config.retention = 16;
            let k = TestKernel::with(config);
            let dir = tempfile::tempdir().unwrap();
            let bad = dir.path().join("no-shebang");
            std::fs::write(&bad, "true\n").unwrap();
            std::fs::set_permissions(&bad, std::fs::Permissions::from_mode(0o755)).unwrap();
            // Warm up: the kernel's and the spawner's own descriptors.
            let warm = k
                .spawn_process(ProcessSpec::command(Cmd::new("true")))
                .unwrap();
            finished(&warm).await;
            let pressure: u64 = 8_000;
            assert!(
                hard > pressure + 1_000,
                "RLIMIT_NOFILE hard limit {hard} too low"
            );
            let held: Vec<OwnedFd> = (0..pressure / 2)
                .flat_map(|_| {
                    let (r, w) = nix::unistd::pipe().unwrap();
                    [r, w]
                })
                .collect();
            let before = open_fds();

            let (total, batch) = (10_000, 100);
            let mut failed = 0;
            for round in 0..total / batch {
                let mut jobs = Vec::with_capacity(batch);
                for i in 0..batch {
                    if i == 0 {
                        let err = k
                            .spawn_process(ProcessSpec::command(Cmd::new(bad.to_str().unwrap())))
                            .unwrap_err();
                        assert!(matches!(err, Error::Spawn { .. }), "{err:?}");
                        failed += 1;
                        continue;
                    }
                    jobs.push(
                        k.spawn_process(ProcessSpec::command(Cmd::new("true")))
                            .unwrap(),
                    );
                }
                for job in &jobs {
                    assert_eq!(finished(job).await, JobState::Exited(0), "round {round}");
                }
            }
            assert_eq!(failed, total / batch);
            // A finished job's pipes close when its task reads their end.
            until("every job's descriptors closed", || open_fds() == before).await;
            drop(held);
        },
    );
}
