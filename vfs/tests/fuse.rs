//! The FUSE server against real programs: a MountTable with JobFs over a
//! real Kernel, served at a temporary directory, read by `grep`, `wc`,
//! `cat`, `ls`, GNU `tail -f` and written by `sh -c 'echo TERM > ctl'`.
//!
//! Every test is skipped, with a printed reason, where /dev/fuse is
//! missing. Every wait has a deadline; programs are killed on drop.

// Test scaffolding: a failed setup step fails the test, like an unwrap in a #[test].
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use corral_kernel::{Cmd, Job, JobOptions, Kernel, ProcessSpec};
use corral_vfs::fuse::{clean_stale, FuseError, FuseMount};
use corral_vfs::{
    slice_chunk, BoxFuture, Chunk, DirEntry, FileKind, Filesystem, Metadata, MountDir, MountTable,
    VPath,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;
use tokio::time::{sleep, timeout, Instant};

/// How long any single condition may take before the test fails.
const DEADLINE: Duration = Duration::from_secs(20);

/// Whether FUSE can be tried here; prints why not.
fn fuse_here() -> bool {
    if Path::new("/dev/fuse").exists() {
        return true;
    }
    eprintln!("skipped: /dev/fuse is missing, FUSE cannot be served here");
    false
}

/// A kernel, its default mount table and the table's `/v` served at a
/// temporary directory. Drop order: the mount, then the kernel (whose drop
/// ends every job), then the directory.
struct Env {
    mount: Option<FuseMount>,
    kernel: Kernel,
    table: MountTable,
    _tmp: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let kernel = Kernel::new().expect("kernel");
        let table = MountTable::new(kernel.clone());
        let tmp = tempfile::tempdir().expect("tempdir");
        let mount = FuseMount::mount(table.clone(), "/v", &tmp.path().join("v")).expect("mount");
        Env {
            mount: Some(mount),
            kernel,
            table,
            _tmp: tmp,
        }
    }

    /// The host path of `/v/<rel>`.
    fn at(&self, rel: &str) -> PathBuf {
        self.mount.as_ref().expect("mounted").path().join(rel)
    }

    fn s(&self, rel: &str) -> String {
        self.at(rel).to_str().expect("utf-8 temp path").to_string()
    }

    /// A job printing `line 1`, `line 2`… every 50 ms until killed.
    fn counter(&self) -> (Job, u64) {
        self.counter_with(JobOptions::default())
    }

    fn counter_with(&self, options: JobOptions) -> (Job, u64) {
        let script = "i=0; while :; do i=$((i+1)); echo \"line $i\"; sleep 0.05; done";
        let spec = ProcessSpec::command(Cmd::new("sh").arg("-c").arg(script)).options(options);
        let job = self.kernel.spawn_process(spec).expect("spawn sh");
        let number = job.number().expect("job number");
        (job, number)
    }

    /// The number of the last whole line the counter wrote.
    async fn last_line(&self, id: u64) -> usize {
        let out = self
            .table
            .read(&format!("/v/jobs/{}/stdout", id))
            .await
            .expect("read");
        let out = text(&out);
        let whole = out.rsplit_once('\n').map_or("", |(head, _)| head);
        whole
            .rsplit('\n')
            .next()
            .and_then(|l| l.strip_prefix("line "))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    /// Lines of `/v/jobs/<id>/stdout` as the table holds them now.
    async fn lines(&self, id: u64) -> usize {
        let out = self
            .table
            .read(&format!("/v/jobs/{}/stdout", id))
            .await
            .expect("read");
        out.iter().filter(|&&b| b == b'\n').count()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        drop(self.mount.take());
    }
}

/// Runs a program to its end (killed at the deadline), stdin closed.
async fn run(argv: &[&str]) -> Output {
    let mut cmd = Command::new(argv[0]);
    cmd.args(&argv[1..]).stdin(Stdio::null()).kill_on_drop(true);
    timeout(DEADLINE, cmd.output())
        .await
        .unwrap_or_else(|_| panic!("{argv:?} did not finish in {DEADLINE:?}"))
        .expect("spawn")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Waits until the job's stdout holds at least `n` lines.
async fn wait_lines(env: &Env, id: u64, n: usize) {
    let end = Instant::now() + DEADLINE;
    loop {
        let got = env.lines(id).await;
        if got >= n {
            return;
        }
        assert!(
            Instant::now() < end,
            "timed out waiting for {n} lines: {got}"
        );
        sleep(Duration::from_millis(20)).await;
    }
}

/// Lines `line 1`…`line n`, each once, in order.
fn counted(out: &str) -> usize {
    let mut n = 0;
    for l in out.lines() {
        n += 1;
        assert_eq!(l, format!("line {n}"), "in {out:?}");
    }
    n
}

// ---------------------------------------------------------------- reads

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grep_wc_cat_and_ls_read_a_live_job() {
    if !fuse_here() {
        return;
    }
    let env = Env::new();
    let (_job, id) = env.counter();
    wait_lines(&env, id, 5).await;
    let stdout = env.s(&format!("jobs/{}/stdout", id));

    let grep = run(&["grep", "-x", "line 3", &stdout]).await;
    assert!(grep.status.success(), "{grep:?}");
    assert_eq!(text(&grep.stdout), "line 3\n");

    let before = env.lines(id).await;
    let wc = run(&["wc", "-l", &stdout]).await;
    let after = env.lines(id).await;
    let n: usize = text(&wc.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        before <= n && n <= after,
        "wc -l said {n}, table had {before}..{after}"
    );

    // Two readers at once, each from its own process.
    let argv = ["cat", stdout.as_str()];
    let (a, b) = tokio::join!(run(&argv), run(&argv));
    for out in [a, b] {
        assert!(out.status.success(), "{out:?}");
        assert!(counted(&text(&out.stdout)) >= before);
    }

    let ls = run(&["ls", &env.s("jobs")]).await;
    assert_eq!(text(&ls.stdout), format!("{}\n", id));
    let ls = run(&["ls", &env.s(&format!("jobs/{}", id))]).await;
    assert_eq!(
        text(&ls.stdout),
        "command\nctl\ninfo\npid\nstatus\nstderr\nstdout\n"
    );
    let ls = run(&["ls", &env.s("")]).await;
    assert_eq!(text(&ls.stdout), "jobs\n");

    let status = run(&["cat", &env.s(&format!("jobs/{}/status", id))]).await;
    assert_eq!(text(&status.stdout), "running\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_f_follows_a_live_job() {
    if !fuse_here() {
        return;
    }
    let env = Env::new();
    let (_job, id) = env.counter();
    wait_lines(&env, id, 2).await;
    follow_with_tail(&env, id).await;
}

/// A ring of 256 bytes has long dropped its first lines: its size keeps
/// growing (the stream's end), so tail -f still sees each new line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tail_f_follows_a_ring_whose_start_moves() {
    if !fuse_here() {
        return;
    }
    let env = Env::new();
    let (_job, id) = env.counter_with(JobOptions::new().output_cap(256));
    let end = Instant::now() + DEADLINE;
    while env.last_line(id).await < 60 {
        assert!(Instant::now() < end, "the counter did not reach line 60");
        sleep(Duration::from_millis(20)).await;
    }
    let stdout = env.at(&format!("jobs/{}/stdout", id));
    assert!(std::fs::metadata(&stdout).unwrap().len() > 256);
    follow_with_tail(&env, id).await;
}

/// Runs `tail -f` on the counter's stdout and reads its lines until one the
/// job wrote well after tail started, each exactly once and in order.
async fn follow_with_tail(env: &Env, id: u64) {
    let stdout = env.s(&format!("jobs/{}/stdout", id));
    let mut tail = Command::new("tail")
        .args(["-f", &stdout])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("tail");
    let want = env.last_line(id).await + 10;
    let mut out = BufReader::new(tail.stdout.take().unwrap()).lines();
    let end = Instant::now() + DEADLINE;
    let mut last = 0;
    while last < want {
        let line = tokio::time::timeout_at(end, out.next_line())
            .await
            .unwrap_or_else(|_| panic!("tail -f stopped at line {last}, waiting for {want}"))
            .expect("read tail")
            .expect("tail ended");
        let n: usize = line.strip_prefix("line ").unwrap().parse().unwrap();
        if last > 0 {
            assert_eq!(n, last + 1, "tail -f skipped or repeated a line");
        }
        last = n;
    }
    tail.kill().await.expect("kill tail");
}

// ---------------------------------------------------------------- ctl

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn echo_term_to_ctl_ends_the_job() {
    if !fuse_here() {
        return;
    }
    let env = Env::new();
    let (job, id) = env.counter();
    let dir = format!("jobs/{}", id);

    // A bad word and a read-only file are refused with the right errno.
    let bad = run(&[
        "sh",
        "-c",
        &format!("env printf 'QQQ\\n' > '{}'", env.s(&format!("{dir}/ctl"))),
    ])
    .await;
    assert!(!bad.status.success());
    assert!(text(&bad.stderr).contains("Invalid argument"), "{bad:?}");
    let ro = run(&[
        "sh",
        "-c",
        &format!("env printf 'x\\n' > '{}'", env.s(&format!("{dir}/status"))),
    ])
    .await;
    assert!(!ro.status.success());
    assert!(text(&ro.stderr).contains("Permission denied"), "{ro:?}");
    assert!(job.state() == corral_kernel::JobState::Running);

    let term = run(&[
        "sh",
        "-c",
        &format!("echo TERM > '{}'", env.s(&format!("{dir}/ctl"))),
    ])
    .await;
    assert!(term.status.success(), "{term:?}");
    assert!(
        tokio::time::timeout(DEADLINE, job.wait()).await.is_ok(),
        "job still running"
    );
    let status = run(&["cat", &env.s(&format!("{dir}/status"))]).await;
    assert_eq!(text(&status.stdout), "killed:143\n");
}

// ---------------------------------------------------------------- files

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn modes_sizes_and_errors() {
    if !fuse_here() {
        return;
    }
    let env = Env::new();
    let job = env
        .kernel
        .spawn_future("hello", JobOptions::default(), |ctx| async move {
            ctx.stdout.write(b"hello\nworld\n");
            0
        })
        .expect("future");
    let id = job.number().unwrap();
    assert!(tokio::time::timeout(DEADLINE, job.wait()).await.is_ok());

    let uid = nix_uid();
    let mode = |rel: &str| {
        let m = std::fs::metadata(env.at(rel)).unwrap();
        assert_eq!(m.uid(), uid, "{rel}");
        m.permissions().mode() & 0o7777
    };
    assert_eq!(mode(""), 0o700);
    assert_eq!(mode("jobs"), 0o700);
    assert_eq!(mode(&format!("jobs/{id}")), 0o700);
    assert_eq!(mode(&format!("jobs/{id}/stdout")), 0o400);
    assert_eq!(mode(&format!("jobs/{id}/status")), 0o400);
    assert_eq!(mode(&format!("jobs/{id}/ctl")), 0o600);

    let stdout = env.at(&format!("jobs/{id}/stdout"));
    assert_eq!(std::fs::metadata(&stdout).unwrap().len(), 12);
    assert_eq!(std::fs::read(&stdout).unwrap(), b"hello\nworld\n");
    let info = std::fs::read(env.at(&format!("jobs/{id}/info"))).unwrap();
    assert_eq!(
        std::fs::metadata(env.at(&format!("jobs/{id}/info")))
            .unwrap()
            .len(),
        info.len() as u64
    );
    // Reads at an offset (tail -c seeks from the size).
    let tail = run(&["tail", "-c", "6", stdout.to_str().unwrap()]).await;
    assert_eq!(text(&tail.stdout), "world\n");

    let errno = |r: io::Result<Vec<u8>>| r.unwrap_err().raw_os_error();
    assert_eq!(
        errno(std::fs::read(env.at("jobs/99/status"))),
        Some(libc_enoent())
    );
    assert_eq!(
        errno(std::fs::read(env.at(&format!("jobs/{id}/nope")))),
        Some(libc_enoent())
    );
    assert_eq!(errno(std::fs::read(env.at("jobs"))), Some(21)); // EISDIR
    assert_eq!(
        std::fs::metadata(env.at(&format!("jobs/{id}/stdout/x")))
            .unwrap_err()
            .raw_os_error(),
        Some(20) // ENOTDIR
    );
    let create = std::fs::write(env.at(&format!("jobs/{id}/new")), b"x");
    assert_eq!(create.unwrap_err().raw_os_error(), Some(13)); // EACCES
    let chmod = std::fs::set_permissions(&stdout, std::fs::Permissions::from_mode(0o644));
    assert_eq!(chmod.unwrap_err().raw_os_error(), Some(1)); // EPERM
}

fn libc_enoent() -> i32 {
    2
}

fn nix_uid() -> u32 {
    std::fs::metadata("/proc/self").unwrap().uid()
}

/// A ring that dropped bytes from its front: the size is the stream's end,
/// `cat` prints what is held, `tail -c` the last bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ring_whose_start_moved() {
    if !fuse_here() {
        return;
    }
    let env = Env::new();
    let data: Vec<u8> = (0..200u32).map(|i| b'a' + (i % 26) as u8).collect();
    let written = data.clone();
    let options = JobOptions::new().output_cap(64);
    let job = env
        .kernel
        .spawn_future("ring", options, move |ctx| async move {
            ctx.stdout.write(&written);
            0
        })
        .expect("future");
    let id = job.number().unwrap();
    assert!(tokio::time::timeout(DEADLINE, job.wait()).await.is_ok());
    let path = env.s(&format!("jobs/{id}/stdout"));

    assert_eq!(std::fs::metadata(&path).unwrap().len(), 200);
    let cat = run(&["cat", &path]).await;
    assert_eq!(cat.stdout, &data[136..]);
    let tail = run(&["tail", "-c", "10", &path]).await;
    assert_eq!(tail.stdout, &data[190..]);
    // An offset still held reads those bytes.
    let dd = run(&[
        "dd",
        &format!("if={path}"),
        "bs=1",
        "skip=150",
        "count=5",
        "status=none",
    ])
    .await;
    assert_eq!(dd.stdout, &data[150..155]);
}

// ---------------------------------------------------------------- concurrency

/// A filesystem whose `slow` file says when a read has reached it, and
/// answers only once released.
struct Gate {
    entered: Arc<tokio::sync::Notify>,
    release: Arc<tokio::sync::Semaphore>,
}

impl Filesystem for Gate {
    fn read<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Bytes>> {
        Box::pin(async move {
            let chunk = self.read_at(path, 0, usize::MAX).await?;
            Ok(chunk.data)
        })
    }

    /// Reads of bytes wait for the release; an empty read (the server's
    /// probe for where the file starts) does not.
    fn read_at<'a>(
        &'a self,
        path: VPath<'a>,
        offset: u64,
        max: usize,
    ) -> BoxFuture<'a, io::Result<Chunk>> {
        Box::pin(async move {
            if path.rel() != "slow" {
                return Err(path.not_found("no such file"));
            }
            if max > 0 {
                self.entered.notify_one();
                let _permit = self.release.acquire().await.map_err(io::Error::other)?;
            }
            Ok(slice_chunk(Bytes::from_static(b"released\n"), offset, max))
        })
    }

    fn list<'a>(&'a self, _path: VPath<'a>) -> BoxFuture<'a, io::Result<Vec<DirEntry>>> {
        Box::pin(async { Ok(vec![DirEntry::new("slow", FileKind::File)]) })
    }

    fn stat<'a>(&'a self, path: VPath<'a>) -> BoxFuture<'a, io::Result<Metadata>> {
        Box::pin(async move {
            match path.rel() {
                "" => Ok(Metadata::dir()),
                "slow" => Ok(Metadata::file(9)),
                _ => Err(path.not_found("no such file")),
            }
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_read_does_not_block_others() {
    if !fuse_here() {
        return;
    }
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let kernel = Kernel::new().expect("kernel");
    let table = MountTable::new(kernel.clone());
    let entered = Arc::new(tokio::sync::Notify::new());
    let gate_fs = Gate {
        entered: Arc::clone(&entered),
        release: Arc::clone(&gate),
    };
    table.mount("/v/gate", gate_fs).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mount = FuseMount::mount(table, "/v", &tmp.path().join("v")).unwrap();
    let slow_path = mount.path().join("gate/slow");
    let slow = tokio::spawn(async move { run(&["cat", slow_path.to_str().unwrap()]).await });

    // The slow read is in flight: other requests go on.
    timeout(DEADLINE, entered.notified())
        .await
        .expect("the slow read reached the filesystem");
    let job = kernel
        .spawn_future("quick", JobOptions::default(), |ctx| async move {
            ctx.stdout.write(b"quick\n");
            0
        })
        .unwrap();
    assert!(tokio::time::timeout(DEADLINE, job.wait()).await.is_ok());
    let quick = run(&[
        "cat",
        mount
            .path()
            .join(format!("jobs/{}/stdout", job.number().unwrap()))
            .to_str()
            .unwrap(),
    ])
    .await;
    assert_eq!(text(&quick.stdout), "quick\n");
    assert!(
        !slow.is_finished(),
        "the gated read finished without its release"
    );

    gate.add_permits(1);
    let slow = timeout(DEADLINE, slow).await.expect("slow read").unwrap();
    assert_eq!(text(&slow.stdout), "released\n");
    drop(mount);
}

// ---------------------------------------------------------------- lifecycle

fn is_mounted(dir: &Path) -> bool {
    let want = dir.to_str().unwrap().replace(' ', "\\040");
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .any(|l| l.split(' ').nth(4) == Some(want.as_str()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_unmounts_and_leaves_the_dir_empty() {
    if !fuse_here() {
        return;
    }
    let table = MountTable::empty();
    table.mount("/v", MountDir).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("v");
    let mount = FuseMount::mount(table, "/v", &dir).unwrap();
    let dir = mount.path().to_path_buf();
    assert!(is_mounted(&dir));
    assert_eq!(
        std::fs::metadata(&dir).unwrap().permissions().mode() & 0o7777,
        0o700
    );
    drop(mount);
    assert!(!is_mounted(&dir));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);

    // A mount still in use goes lazily: out of the namespace at once.
    let table = MountTable::empty();
    table.mount("/v", MountDir).unwrap();
    let mount = FuseMount::mount(table, "/v", &dir).unwrap();
    let busy = std::fs::File::open(&dir).unwrap();
    mount.unmount().unwrap();
    assert!(!is_mounted(&dir));
    drop(busy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mount_errors_are_precise() {
    if !fuse_here() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let err = FuseMount::mount(MountTable::empty(), "v", &tmp.path().join("v")).unwrap_err();
    assert!(matches!(err, FuseError::Subtree { .. }), "{err}");
    let file = tmp.path().join("file");
    std::fs::write(&file, b"").unwrap();
    let err = FuseMount::mount(MountTable::empty(), "/v", &file.join("v")).unwrap_err();
    assert!(matches!(err, FuseError::MountDir { .. }), "{err}");
    // Outside a runtime.
    let dir = tmp.path().join("v");
    let err = std::thread::spawn(move || FuseMount::mount(MountTable::empty(), "/v", &dir))
        .join()
        .unwrap()
        .unwrap_err();
    assert!(matches!(err, FuseError::NoRuntime), "{err}");
}

struct CleanOnDrop(PathBuf);

impl Drop for CleanOnDrop {
    fn drop(&mut self) {
        let _ = clean_stale(&self.0);
    }
}

/// The child half of `a_stale_mount_is_cleaned`: with the variable set it
/// mounts, says so, and waits to be killed; otherwise it does nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_child() {
    let Some(dir) = std::env::var_os("CORRAL_FUSE_STALE_CHILD") else {
        return;
    };
    let table = MountTable::empty();
    table.mount("/v", MountDir).unwrap();
    let _mount = FuseMount::mount(table, "/v", Path::new(&dir)).unwrap();
    // libtest prints "test stale_child ... " before it on the same line.
    println!("\nstale-child-mounted");
    std::future::pending::<()>().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_mount_is_cleaned() {
    if !fuse_here() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().canonicalize().unwrap().join("v");
    // Also when this test fails: the killed child leaves its mount behind.
    let _cleanup = CleanOnDrop(dir.clone());
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "stale_child", "--nocapture", "--test-threads=1"])
        .env("CORRAL_FUSE_STALE_CHILD", &dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap()).lines();
    timeout(DEADLINE, async {
        while let Some(line) = out.next_line().await.unwrap() {
            if line == "stale-child-mounted" {
                return;
            }
        }
        panic!("the child ended without mounting");
    })
    .await
    .expect("child mounted");
    assert!(is_mounted(&dir));
    child.kill().await.unwrap(); // SIGKILL: the server dies with its mount in place
    assert!(is_mounted(&dir));
    let err = std::fs::metadata(&dir).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(107), "{err}"); // ENOTCONN

    assert!(clean_stale(&dir).unwrap());
    assert!(!is_mounted(&dir));
    assert!(!dir.exists());
    // Nothing left: nothing to do.
    assert!(!clean_stale(&dir).unwrap());
    // A plain empty directory is just removed; a non-empty one is an error.
    std::fs::create_dir(&dir).unwrap();
    assert!(!clean_stale(&dir).unwrap());
    assert!(!dir.exists());
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("f"), b"").unwrap();
    assert!(matches!(clean_stale(&dir), Err(FuseError::Clean { .. })));
    // Another filesystem mounted there is left alone.
    let err = clean_stale(Path::new("/proc")).unwrap_err();
    assert!(matches!(err, FuseError::NotFuse { .. }), "{err}");
}
