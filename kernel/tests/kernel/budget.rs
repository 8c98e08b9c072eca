//! Kernel-wide bounds: the ring budget shared by every job's output, the
//! bound on grown capture pipes (the user's pipe quota), and spill files
//! that stop below RLIMIT_FSIZE instead of raising SIGXFSZ.

use std::os::fd::AsFd;

use corral_kernel::stream::{pipe_growth, RingBudget, SpillError};
use corral_kernel::{Cmd, Job, KernelConfig, ProcessSpec, Signal};
use nix::fcntl::{fcntl, FcntlArg};
use nix::sys::resource::{getrlimit, setrlimit, Resource};

use crate::util::*;

/// Block size of a ring with a cap of 64 KiB or more: the most a ring
/// holds beyond the budget.
const BLOCK: u64 = 64 * 1024;

fn cmd(program: &str, args: &[&str]) -> ProcessSpec {
    let mut c = Cmd::new(program);
    for a in args {
        c = c.arg(*a);
    }
    ProcessSpec::command(c)
}

/// Waits until the job is over and its stdout pipe reached end of file.
async fn drained(job: &Job) {
    finished(job).await;
    until("stdout to close", || job.stdout().is_closed()).await;
}

/// Every stream of every job: counters exact, something held once
/// something was written, and the budget's bounds.
fn check_bounds(jobs: &[Job], budget: &RingBudget) {
    assert!(budget.in_use() <= budget.limit(), "{budget:?}");
    let (mut held, mut allocated, mut rings) = (0u64, 0u64, 0u64);
    for job in jobs {
        for s in [job.stdout(), job.stderr()] {
            let st = s.stats();
            assert_eq!(st.written, st.held + st.dropped, "{st:?}");
            if s.is_closed() {
                // A live stream may change between the two reads.
                assert_eq!(s.snapshot().data.len() as u64, st.held);
            }
            if st.written > 0 {
                assert!(st.held > 0, "a ring that got bytes holds some: {st:?}");
            }
            held += st.held;
            allocated += s.allocated() as u64;
            rings += 1;
        }
    }
    let bound = budget.limit() as u64 + rings * BLOCK;
    assert!(held <= bound, "held {held} > {bound}");
    assert!(allocated <= bound, "allocated {allocated} > {bound}");
}

/// Many flooders (endless `yes`, and `head -c` bursts that end) against a
/// 2 MiB budget: the budget is never exceeded, every byte is counted
/// (written == held + dropped, each burst's total exact: no writer was
/// held up or lost a byte), every ring holds its newest bytes, a job that
/// starts after the flood keeps its whole output, and the memory comes
/// back when the jobs go.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flooders_stay_within_the_ring_budget() {
    const LIMIT: usize = 2 << 20;
    const BURST: u64 = 3_000_000;
    let budget = RingBudget::new(LIMIT);
    let k = TestKernel::with(KernelConfig::default().ring_budget(budget.clone()));
    let bursts: Vec<Job> = (0..24)
        .map(|_| {
            k.spawn_process(cmd("head", &["-c", "3000000", "/dev/zero"]))
                .unwrap()
        })
        .collect();
    let yeses: Vec<Job> = (0..6)
        .map(|_| k.spawn_process(cmd("yes", &[])).unwrap())
        .collect();
    for job in &bursts {
        drained(job).await;
        let st = job.stdout().stats();
        assert_eq!(st.written, BURST, "{st:?}");
        assert!(job.stdout().snapshot().data.iter().all(|&b| b == 0));
    }
    until("every yes to write 4 MiB", || {
        yeses.iter().all(|j| j.stdout().stats().written >= 4 << 20)
    })
    .await;
    assert!(
        budget.in_use() > LIMIT / 2,
        "the flood used the budget: {budget:?}"
    );
    let all: Vec<Job> = bursts.iter().chain(&yeses).cloned().collect();
    check_bounds(&all, &budget);
    for job in &yeses {
        let snap = job.stdout().snapshot();
        // The newest bytes: `y\n` pairs, aligned on their absolute offset.
        let at = |i: usize| {
            if (snap.offset + i as u64).is_multiple_of(2) {
                b'y'
            } else {
                b'\n'
            }
        };
        assert!(snap.data.iter().enumerate().all(|(i, &b)| b == at(i)));
    }

    let late = k.spawn_process(sh("printf 'late %s\\n' 1 2 3")).unwrap();
    drained(&late).await;
    assert_eq!(
        &late.stdout().snapshot().data[..],
        b"late 1\nlate 2\nlate 3\n"
    );
    check_bounds(&all, &budget);

    for job in &yeses {
        job.signal(Signal::KILL).unwrap();
    }
    for job in &yeses {
        drained(job).await;
    }
    check_bounds(&all, &budget);
    drop((all, bursts, yeses, late));
    drop(k);
    until("the budget to come back", || budget.in_use() == 0).await;
}

/// Pipes of heavy writers are grown, but never past the process-wide bound
/// (a quarter of the user's soft pipe quota); the bytes come back when the
/// pipes close.
#[test]
fn pipe_growth_stays_within_its_bound() {
    alone("budget::pipe_growth_stays_within_its_bound", || async {
        const JOBS: usize = 40;
        let k = TestKernel::new();
        let (_, bound) = pipe_growth();
        // Bursts, then silence with the pipe still open: growth is kept.
        let jobs: Vec<Job> = (0..JOBS)
            .map(|_| {
                k.spawn_process(sh("head -c 400000 /dev/zero; exec sleep 1000"))
                    .unwrap()
            })
            .collect();
        until("every burst to arrive", || {
            let (grown, bound) = pipe_growth();
            assert!(grown <= bound, "grown {grown} > bound {bound}");
            jobs.iter().all(|j| j.stdout().stats().written == 400_000)
        })
        .await;
        let (grown, _) = pipe_growth();
        println!("grown {grown} of {bound}");
        assert!(grown > 0, "no pipe was grown");
        if JOBS << 19 > bound {
            // More wanted than allowed: the bound is (nearly) reached.
            assert!(grown + (1 << 20) > bound, "grown {grown}, bound {bound}");
        }
        for job in &jobs {
            job.signal(Signal::KILL).unwrap();
        }
        for job in &jobs {
            drained(job).await;
        }
        drop(jobs);
        drop(k);
        until("grown pipes to be given back", || pipe_growth().0 == 0).await;
    });
}

/// The real effect, as an unprivileged user (root bypasses the quota):
/// more flooders than the user's soft pipe quota could hold at 1 MiB each,
/// and another pipe of the same user can still be grown to 1 MiB. Then
/// growing pipes by hand shows the quota is real for this user.
#[test]
fn an_unprivileged_user_keeps_its_pipe_quota() {
    alone(
        "budget::an_unprivileged_user_keeps_its_pipe_quota",
        || async {
            // SAFETY: geteuid cannot fail and touches no memory of ours.
            if unsafe { libc::geteuid() } != 0 {
                println!("skipped: needs root to become `nobody` (root bypasses the pipe quota)");
                return;
            }
            let soft: usize = std::fs::read_to_string("/proc/sys/fs/pipe-user-pages-soft")
                .unwrap()
                .trim()
                .parse()
                .unwrap();
            if soft == 0 {
                println!("skipped: pipe-user-pages-soft is 0 (no quota to protect)");
                return;
            }
            let Some((uid, gid)) = nobody() else {
                println!("skipped: no user `nobody`");
                return;
            };
            // SAFETY: plain integer arguments (a null list with length 0);
            // glibc applies each change to every thread of the process.
            unsafe {
                assert_eq!(libc::setgroups(0, std::ptr::null()), 0);
                assert_eq!(libc::setgid(gid), 0);
                assert_eq!(libc::setuid(uid), 0);
            }

            const MIB: i32 = 1 << 20;
            let quota = soft * 4096;
            // Enough flooders that 1 MiB each would pass the quota.
            let jobs_n = quota / (1 << 20) + 16;
            let k = TestKernel::new();
            let jobs: Vec<Job> = (0..jobs_n)
                .map(|_| {
                    k.spawn_process(sh("head -c 300000 /dev/zero; exec sleep 1000"))
                        .unwrap()
                })
                .collect();
            until("every burst to arrive", || {
                jobs.iter().all(|j| j.stdout().stats().written == 300_000)
            })
            .await;
            let (grown, bound) = pipe_growth();
            println!("{jobs_n} flooders; grown {grown} of {bound}; quota {quota}");
            assert!(grown > 0 && grown <= bound);

            let (r, _w) = nix::unistd::pipe().unwrap();
            let got = fcntl(r.as_fd(), FcntlArg::F_SETPIPE_SZ(MIB));
            assert_eq!(got, Ok(MIB), "another program could not grow its pipe");

            // Control: by hand, without a bound, the quota runs out.
            let mut kept = Vec::new();
            let refused = (0..quota / (1 << 20) + 2).any(|_| {
                let (r, w) = nix::unistd::pipe().unwrap();
                let res = fcntl(r.as_fd(), FcntlArg::F_SETPIPE_SZ(MIB));
                kept.push((r, w));
                res == Err(nix::errno::Errno::EPERM)
            });
            assert!(
                refused,
                "the quota is not enforced for `nobody`: nothing was proven"
            );
            drop(kept);

            for job in &jobs {
                job.signal(Signal::KILL).unwrap();
            }
            for job in &jobs {
                drained(job).await;
            }
        },
    );
}

/// The uid and gid of `nobody`.
fn nobody() -> Option<(libc::uid_t, libc::gid_t)> {
    // SAFETY: a NUL-terminated name; the result points into libc's static
    // storage, read at once, before any other getpw* call.
    unsafe {
        let pw = libc::getpwnam(c"nobody".as_ptr());
        pw.as_ref().map(|pw| (pw.pw_uid, pw.pw_gid))
    }
}

/// A lossless job floods past RLIMIT_FSIZE: the process survives (no
/// SIGXFSZ), the spill file holds the bytes below the limit, the ring
/// keeps the newest bytes, the counters are exact and the job's info says
/// why spilling stopped.
#[test]
fn spill_stops_below_the_file_size_limit() {
    alone("budget::spill_stops_below_the_file_size_limit", || async {
        const LIMIT: u64 = 1 << 20;
        let (_, hard) = getrlimit(Resource::RLIMIT_FSIZE).unwrap();
        setrlimit(Resource::RLIMIT_FSIZE, LIMIT, hard).unwrap();
        let k = TestKernel::with(KernelConfig::default().lossless(true).output_cap(64 * 1024));
        let job = k.spawn_process(cmd("seq", &["1", "400000"])).unwrap();
        drained(&job).await;
        let expected: Vec<u8> = (1..=400_000)
            .flat_map(|i| format!("{i}\n").into_bytes())
            .collect();
        let info = job.info();
        assert_eq!(
            info.stdout.spill_error,
            Some(SpillError::FileSizeLimit { limit: LIMIT })
        );
        assert_eq!(info.stderr.spill_error, None);
        let st = info.stdout;
        assert_eq!(st.written, expected.len() as u64);
        assert_eq!(st.written, st.held + st.dropped);
        assert!(!job.stdout().is_lossless());

        // Below the limit, from the file; above it, from memory.
        let c = job.stdout().read_from(0, 4 << 20);
        assert_eq!((c.offset, c.missed), (0, 0));
        assert_eq!(&c.data[..], &expected[..LIMIT as usize]);
        let c = job.stdout().read_from(LIMIT, 4 << 20);
        assert_eq!(c.offset, st.start);
        assert_eq!(c.missed, st.start - LIMIT);
        assert_eq!(&c.data[..], &expected[st.start as usize..]);

        // The kernel goes on: a new lossless job works as before.
        let next = k.spawn_process(sh("echo still here")).unwrap();
        drained(&next).await;
        assert_eq!(&next.stdout().read_from(0, 100).data[..], b"still here\n");
        assert_eq!(next.info().stdout.spill_error, None);
        assert!(next.stdout().is_lossless());
    });
}
