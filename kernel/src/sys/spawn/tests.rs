//! The no-wait invariants: a detached child reads only memory the spawner
//! keeps for it, until its exec or exit; a failure shows in its kept block
//! and its status. These tests call the spawner directly and reap their
//! own children (the kernel's reaper leaves an embedder's children alone).

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, FromRawFd, OwnedFd};
use std::sync::Mutex;

use super::*;

/// The tests here count and gate blocks: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

fn c(s: &str) -> CString {
    CString::new(s).unwrap()
}

fn env() -> Vec<CString> {
    vec![c("PATH=/usr/bin:/bin")]
}

fn exec<'a>(path: &str, argv: &[&str], cwd: Option<&str>, detach: bool) -> Exec<'a> {
    Exec {
        path: c(path),
        argv: argv.iter().map(|a| c(a)).collect(),
        envp: env(),
        cwd: cwd.map(c),
        pgid: 0,
        stdio: [None, None, None],
        ignored: 0,
        detach,
    }
}

/// Reaps our child `pid` (blocking) and returns its exit status.
fn status(pid: i32) -> i32 {
    let mut st = 0;
    // SAFETY: our own child; `st` is valid for writes.
    let rc = unsafe { libc::waitpid(pid, &mut st, 0) };
    assert_eq!(rc, pid);
    assert!(libc::WIFEXITED(st), "{st:#x}");
    libc::WEXITSTATUS(st)
}

/// Kills and reaps a child if the test fails before it has.
struct Reap(i32);

impl Drop for Reap {
    fn drop(&mut self) {
        if std::thread::panicking() {
            open_gates();
            // SAFETY: plain integers; our own child.
            unsafe {
                libc::kill(self.0, libc::SIGKILL);
                libc::waitpid(self.0, std::ptr::null_mut(), 0);
            }
        }
    }
}

/// Makes a spawn that finds every set held wait for one, however low a
/// new set would sit, for up to `bound`, until the guard returned drops
/// (the spawner is made first, by a spawn).
fn force_waits(bound: Duration) -> Restore {
    let first = spawn(exec("/bin/true", &["true"], None, false)).map_err(|f| format!("{f:?}"));
    assert_eq!(status(first.unwrap()), 0);
    wait_bounds(Some((0, bound)));
    Restore
}

/// Puts the spawner's wait bounds back as in use, even if the test fails.
struct Restore;

impl Drop for Restore {
    fn drop(&mut self) {
        wait_bounds(None);
    }
}

/// Writes over freed heap memory, as a caller's later allocations would.
fn scribble() -> Vec<Vec<u8>> {
    (0..256)
        .map(|i| vec![0xA5u8 ^ (i as u8); 64 + i * 8])
        .collect()
}

/// A child held before its exec keeps its block (and so its stack, path,
/// argv, envp and directory) although the caller's strings are gone and
/// the heap reused; sweeps leave it; it then execs the right argv in the
/// right directory, and its block is free once it has.
#[test]
fn a_detached_child_keeps_its_memory_until_it_has_exec_d() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    GATE_NEXT.store(GATE_EXEC, Ordering::SeqCst);
    let pid = spawn(exec(
        "/bin/sh",
        &[
            "sh",
            "-c",
            "printf '%s|' \"$0\" \"$@\" \"$PWD\" > out",
            "zero",
            "one two",
            "three",
        ],
        Some(dir.path().to_str().unwrap()),
        true,
    ))
    .unwrap();
    let _guard = Reap(pid);
    let junk = scribble();
    let (flight, _) = kept_blocks();
    assert!(flight >= 1);
    // The spawn does not wait for the child to leave our table.
    until("the child at its exec gate", || {
        kept_state(pid).is_some_and(|(progress, _, _)| progress == LEFT)
    });
    let (_, step, _) = kept_state(pid).expect("the block is kept");
    assert_eq!(step, Step::None as i32);
    // Not exec'd yet: it is still a copy of this program.
    let exe = std::fs::read_link(format!("/proc/{pid}/exe")).unwrap();
    assert_eq!(exe, std::env::current_exe().unwrap());
    drop(junk);
    open_gates();
    assert_eq!(status(pid), 0);
    let out = std::fs::read_to_string(dir.path().join("out")).unwrap();
    let pwd = dir.path().canonicalize().unwrap();
    assert_eq!(out, format!("zero|one two|three|{}|", pwd.display()));
    kept_blocks();
    assert!(kept_state(pid).is_none(), "freed once exec'd");
}

/// Many detached children whose caller drops its strings and reuses the
/// heap at once each exec their own argv; afterwards no block is in
/// flight for them and at most POOL wait for reuse.
#[test]
fn detached_children_exec_their_own_argv_after_the_caller_drops_it() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut kids = Vec::new();
    for n in 0..200 {
        let file = std::fs::File::create(dir.path().join(n.to_string())).unwrap();
        let tag = format!("arg-{n}-{}", "x".repeat(n % 50));
        let mut e = exec("/bin/echo", &["echo", &tag, "end"], None, true);
        e.stdio = [None, Some(file.as_fd()), None];
        let pid = spawn(e).unwrap();
        drop(file);
        kids.push((pid, tag, scribble()));
    }
    let guards: Vec<Reap> = kids.iter().map(|k| Reap(k.0)).collect();
    for (n, (pid, tag, _)) in kids.iter().enumerate() {
        assert_eq!(status(*pid), 0);
        let out = std::fs::read_to_string(dir.path().join(n.to_string())).unwrap();
        assert_eq!(out, format!("{tag} end\n"));
    }
    drop(guards);
    kept_blocks();
    for (pid, _, _) in &kids {
        assert!(kept_state(*pid).is_none());
    }
    let (_, pool) = kept_blocks();
    assert!(pool <= POOL);
}

/// A detached child whose exec fails writes the step and errno into its
/// kept block and exits with bash's status: 127 for a missing file, 126
/// for one it may not execute. Waiting (not detached), the same failures
/// come back from `spawn`, with the child reaped.
#[test]
fn exec_failures_show_in_the_kept_block_and_the_status() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("plain");
    std::fs::write(&plain, "not a program\n").unwrap();
    let plain = plain.to_str().unwrap();
    for (path, errno, code) in [
        ("/no/such/program", libc::ENOENT, 127),
        (plain, libc::EACCES, 126),
    ] {
        let pid = spawn(exec(path, &["x"], None, true)).unwrap();
        let _guard = Reap(pid);
        assert_eq!(status(pid), code);
        assert_eq!(
            kept_state(pid),
            Some((DONE, Step::Exec as i32, errno)),
            "{path}"
        );
        match spawn(exec(path, &["x"], None, false)) {
            Err(Failure::Exec(e)) => assert_eq!(e.raw_os_error(), Some(errno)),
            other => panic!("{path}: {other:?}"),
        }
    }
    let pid = spawn(exec("/bin/true", &["true"], Some("/no/such/dir"), true)).unwrap();
    let _guard = Reap(pid);
    assert_eq!(status(pid), 127);
    assert_eq!(
        kept_state(pid),
        Some((DONE, Step::Chdir as i32, libc::ENOENT))
    );
}

/// The inode of the pipe behind descriptor `fd` of process `pid`.
fn pipe_of(pid: i32, fd: i32) -> String {
    std::fs::read_link(format!("/proc/{pid}/fd/{fd}"))
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The descriptors process `pid` holds.
fn fds_of(pid: i32) -> Vec<i32> {
    let mut fds: Vec<i32> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().parse().unwrap())
        .collect();
    fds.sort_unstable();
    fds
}

/// Polls `cond` until it holds, failing after 10 s.
fn until(what: &str, mut cond: impl FnMut() -> bool) {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !cond() {
        assert!(std::time::Instant::now() < end, "timed out: {what}");
        std::thread::yield_now();
    }
}

/// Reads `fd` to its end, failing if no EOF comes within 10 s (a slot
/// still holding the write end would keep it from coming).
fn read_to_eof(fd: &OwnedFd) -> String {
    let mut out = Vec::new();
    let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let left = end.saturating_duration_since(std::time::Instant::now());
        let mut p = libc::pollfd {
            fd: fd.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        let rc = unsafe { libc::poll(&mut p, 1, left.as_millis() as i32) };
        assert!(rc > 0, "no EOF within 10 s; read so far {out:?}");
        let mut buf = [0u8; 256];
        // SAFETY: `buf` is valid for writes of its length.
        let n = unsafe { libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        assert!(n >= 0);
        if n == 0 {
            return String::from_utf8(out).unwrap();
        }
        out.extend_from_slice(&buf[..n as usize]);
    }
}

fn pipe() -> (OwnedFd, OwnedFd) {
    let mut fds = [0; 2];
    // SAFETY: `fds` is valid for two descriptors.
    assert_eq!(unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) }, 0);
    // SAFETY: pipe2 just returned both, owned by no one else.
    unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) }
}

/// A child held while still on our descriptor table keeps its slot set;
/// the children spawned meanwhile take other sets and each starts with
/// exactly its own three streams. When the held child leaves the table it
/// copies their sets too, and still execs with its own streams only. Once
/// all have ended and the exits are seen (as the reaper sees them), we
/// hold none of their pipes: every reader gets its output and EOF.
#[test]
fn a_child_held_on_our_table_keeps_its_slots_and_no_stream_leaks() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut kids = Vec::new();
    for n in 0..SETS - 1 {
        let (r, w) = pipe();
        let tag = format!("child {n}");
        let mut e = exec("/bin/echo", &["echo", &tag], None, true);
        e.stdio = [None, Some(w.as_fd()), Some(w.as_fd())];
        GATE_NEXT.store(
            if n == 0 {
                GATE_TABLE | GATE_EXEC
            } else {
                GATE_EXEC
            },
            Ordering::SeqCst,
        );
        let pid = spawn(e).unwrap();
        // The pipe's name, as the child should see it.
        let name = std::fs::read_link(format!("/proc/self/fd/{}", w.as_raw_fd())).unwrap();
        drop(w);
        kids.push((pid, tag, r, name.to_string_lossy().into_owned(), Reap(pid)));
    }
    let held = kids[0].0;
    assert_eq!(kept_state(held).map(|s| s.0), Some(IN_TABLE));
    for (pid, _, _, name, _) in &kids[1..] {
        until("child at its exec gate", || {
            kept_state(*pid).is_some_and(|s| s.0 == LEFT) && fds_of(*pid) == [0, 1, 2]
        });
        assert_eq!(pipe_of(*pid, 1), *name);
        assert_eq!(pipe_of(*pid, 2), *name);
    }
    open_gates_bits(GATE_TABLE);
    until("held child at its exec gate", || {
        kept_state(held).is_some_and(|s| s.0 == LEFT) && fds_of(held) == [0, 1, 2]
    });
    assert_eq!(pipe_of(held, 1), kids[0].3);
    open_gates();
    for (pid, _, _, _, _) in &kids {
        assert_eq!(status(*pid), 0);
    }
    release_left();
    for (_, tag, r, _, _) in &kids {
        assert_eq!(read_to_eof(r), format!("{tag}\n"));
    }
}

/// Spawns in a row, each child's streams a fresh pipe dropped by the
/// caller at once: every child writes its own tag only, and once the exits
/// are seen every reader gets EOF (no slot keeps a pipe).
#[test]
fn back_to_back_spawns_each_get_their_own_streams_and_eof() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut kids = Vec::new();
    for n in 0..64 {
        let (r, w) = pipe();
        let tag = format!("tag-{n}");
        let mut e = exec("/bin/echo", &["echo", &tag], None, true);
        e.stdio = [None, Some(w.as_fd()), None];
        let pid = spawn(e).unwrap();
        drop(w);
        kids.push((pid, tag, r, Reap(pid)));
    }
    for (pid, _, _, _) in &kids {
        assert_eq!(status(*pid), 0);
    }
    release_left();
    for (_, tag, r, _) in &kids {
        assert_eq!(read_to_eof(r), format!("{tag}\n"));
    }
}

/// Children held on our table (as a SIGSTOP to their group before they
/// leave it holds them) keep their sets: the next spawn waits for them
/// only up to its bound (here the wait is forced, however low a new set
/// would sit), then takes a new set; nothing waits for them for good.
#[test]
fn issue_12_a_spawn_waits_only_its_bound_for_children_held_on_our_table() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let _restore = force_waits(Duration::from_millis(50));
    let (r, w) = pipe();
    let (tx, rx) = std::sync::mpsc::channel();
    let spawner = std::thread::spawn(move || {
        for _ in 0..SETS + 1 {
            GATE_NEXT.store(GATE_TABLE, Ordering::SeqCst);
            let got = spawn(exec("/bin/true", &["true"], None, true));
            let _ = tx.send((true, got.map_err(|f| format!("{f:?}"))));
        }
        let mut e = exec("/bin/echo", &["echo", "free"], None, true);
        e.stdio = [None, Some(w.as_fd()), None];
        let _ = tx.send((false, spawn(e).map_err(|f| format!("{f:?}"))));
    });
    let mut held = Vec::new();
    let mut free = None;
    while free.is_none() {
        match rx.recv_timeout(std::time::Duration::from_secs(10)) {
            Ok((true, pid)) => held.push(Reap(pid.unwrap())),
            Ok((false, pid)) => free = Some(pid.unwrap()),
            Err(_) => {
                // Let go, the held children leave the table and wake the spawn.
                open_gates();
                for h in &held {
                    // SAFETY: plain integers; our own child.
                    unsafe { libc::kill(h.0, libc::SIGKILL) };
                }
                let _ = spawner.join();
                panic!("a spawn waited beyond its bound for children held on our table");
            }
        }
    }
    let _ = spawner.join();
    assert_eq!(free.map(status), Some(0));
    open_gates();
    for h in &held {
        assert_eq!(status(h.0), 0);
    }
    release_left();
    assert_eq!(read_to_eof(&r), "free\n");
}

/// With every set held by a child not yet off our table, and a new set
/// bound to sit above many descriptors (which each of its children would
/// copy), a spawn waits for a child to leave rather than add one: the
/// spawns here go on (each child held on our table) until one waits; let
/// go, the held children leave, it takes a freed set, and no set was
/// added meanwhile.
#[test]
fn issue_12_a_spawn_waits_for_a_child_to_leave_rather_than_add_a_set() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    // Until a held child leaves (only a failure waits out the 20 s).
    let _restore = force_waits(Duration::from_secs(20));
    let added = SETS_ADDED.load(Ordering::SeqCst);
    WAITING.store(false, Ordering::SeqCst);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let (tx, rx) = std::sync::mpsc::channel();
    let spawner = {
        let stop = std::sync::Arc::clone(&stop);
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                GATE_NEXT.store(GATE_TABLE, Ordering::SeqCst);
                let got = spawn(exec("/bin/true", &["true"], None, true));
                if tx.send(got.map_err(|f| format!("{f:?}"))).is_err() {
                    return;
                }
            }
        })
    };
    // Lets every child go, ends the spawning thread and reaps what it
    // started, even if the test fails.
    let mut finish = Finish {
        thread: Some(spawner),
        stop,
        started: rx,
    };
    until("a spawn to wait for a set", || {
        WAITING.load(Ordering::SeqCst)
    });
    let held: Vec<Reap> = finish
        .end()
        .into_iter()
        .map(|pid| Reap(pid.unwrap()))
        .collect();
    open_gates();
    for h in &held {
        assert_eq!(status(h.0), 0);
    }
    release_left();
    assert_eq!(
        SETS_ADDED.load(Ordering::SeqCst),
        added,
        "a set was added while children were leaving"
    );
}

/// Stops a spawning thread: tells it to, lets every held child go (so a
/// spawn waiting for a set returns), and joins it; dropped without
/// [`Finish::end`], also reaps what it started.
struct Finish {
    thread: Option<std::thread::JoinHandle<()>>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    started: std::sync::mpsc::Receiver<Result<i32, String>>,
}

impl Finish {
    /// Stops the thread; returns what its spawns gave.
    fn end(&mut self) -> Vec<Result<i32, String>> {
        self.stop.store(true, Ordering::SeqCst);
        open_gates();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.started.try_iter().collect()
    }
}

impl Drop for Finish {
    fn drop(&mut self) {
        if self.thread.is_some() {
            for pid in self.end().into_iter().flatten() {
                open_gates();
                // SAFETY: our own child; a null status pointer is allowed.
                unsafe { libc::waitpid(pid, std::ptr::null_mut(), 0) };
            }
        }
    }
}
