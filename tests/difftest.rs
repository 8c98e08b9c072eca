//! The differential table: every case in `tests/difftest/*.sh` run through
//! `corral` and compared with what bash 5.2 printed for it
//! (`tests/difftest/*.expected`, written by `scripts/difftest regen`, whose
//! help text describes the case format and the normalization).
//!
//! Cases listed in `tests/difftest/pending` are known not to pass yet. The
//! test fails when a case not listed there differs from bash, and when a
//! listed case passes, so the list only shrinks; `scripts/difftest pending`
//! rewrites it. A pending case whose reason starts with `flaky` (corral
//! passed it in some runs only) may pass or fail.
//!
//! Each case runs in a fresh temporary directory (its cwd and `$HOME`) with
//! a fixed environment, in its own process group, which is killed after the
//! shell exits (leftover background processes) or after [`CASE_TIMEOUT`].

use crate::util::run::corral_bin;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How long one case may run before its process group is killed.
const CASE_TIMEOUT: Duration = Duration::from_secs(10);
/// Cases run at once: most of a case's time is spent waiting on processes.
const WORKERS: usize = 4;
const NO_NL: &str = "\\ no newline at end";
const STREAMS: [&str; 2] = ["stdout", "stderr"];

fn dir() -> PathBuf {
    [env!("CARGO_MANIFEST_DIR"), "tests", "difftest"]
        .iter()
        .collect()
}

#[derive(Debug, Default)]
struct Case {
    topic: String,
    name: String,
    mode: String,
    args: Vec<String>,
    stdin: Option<String>,
    sort: BTreeSet<String>,
    digits: BTreeSet<String>,
    ignore: BTreeSet<String>,
    lines: Vec<String>,
}

impl Case {
    fn id(&self) -> String {
        format!("{}/{}", self.topic, self.name)
    }

    fn script(&self) -> String {
        let mut lines = self.lines.as_slice();
        while let Some((last, rest)) = lines.split_last() {
            if !last.trim().is_empty() {
                break;
            }
            lines = rest;
        }
        lines.iter().map(|l| format!("{l}\n")).collect()
    }
}

/// Words split on blanks with '…' quoting, as `scripts/difftest` splits them.
fn split_words(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut have, mut quoted) = (Vec::new(), String::new(), false, false);
    for ch in s.chars() {
        if quoted {
            if ch == '\'' {
                quoted = false;
            } else {
                cur.push(ch);
            }
        } else if ch == '\'' {
            quoted = true;
            have = true;
        } else if ch == ' ' || ch == '\t' {
            if have {
                out.push(std::mem::take(&mut cur));
                have = false;
            }
        } else {
            cur.push(ch);
            have = true;
        }
    }
    assert!(!quoted, "unterminated quote in args {s:?}");
    if have {
        out.push(cur);
    }
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('\\') => out.push('\\'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_cases(path: &Path) -> Vec<Case> {
    let topic = path.file_stem().unwrap().to_string_lossy().into_owned();
    let text = std::fs::read_to_string(path).unwrap();
    let mut cases: Vec<Case> = Vec::new();
    let mut in_directives = false;
    for raw in text.split('\n') {
        if let Some(name) = raw.strip_prefix("### ") {
            cases.push(Case {
                topic: topic.clone(),
                name: name.trim().to_string(),
                mode: "file".into(),
                ..Case::default()
            });
            in_directives = true;
            continue;
        }
        let Some(case) = cases.last_mut() else {
            continue;
        };
        if in_directives && raw.starts_with("# divergence:") {
            continue;
        }
        if in_directives {
            if let Some(d) = raw.strip_prefix("#@ ") {
                let (key, val) = d.split_once(':').unwrap_or((d, ""));
                let (key, val) = (key.trim(), val.trim());
                match key {
                    "mode" => case.mode = val.to_string(),
                    "args" => case.args = split_words(val),
                    "stdin" => {
                        let v = raw.split_once(':').unwrap().1;
                        case.stdin = Some(unescape(v.strip_prefix(' ').unwrap_or(v)));
                    }
                    "sort" => drop(case.sort.insert(val.to_string())),
                    "digits" => drop(case.digits.insert(val.to_string())),
                    "ignore" => drop(case.ignore.insert(val.to_string())),
                    "replace-stdout" | "replace-stderr" | "expect-stdout" | "expect-stderr"
                    | "expect-status" => {}
                    _ => panic!("{}: unknown directive {raw:?}", case.id()),
                }
                continue;
            }
        }
        in_directives = false;
        case.lines.push(raw.to_string());
    }
    cases
}

fn read_expected(topic: &str) -> BTreeMap<String, String> {
    let path = dir().join(format!("{topic}.expected"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/difftest regen", path.display()));
    let mut blocks: BTreeMap<String, String> = BTreeMap::new();
    let mut cur: Option<String> = None;
    for line in text.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("### ") {
            let name = name.trim().to_string();
            blocks.insert(name.clone(), String::new());
            cur = Some(name);
        }
        if let Some(name) = &cur {
            blocks.get_mut(name).unwrap().push_str(line);
        }
    }
    blocks
}

/// The pending cases, each with whether it is marked flaky (passes sometimes).
fn read_pending() -> BTreeMap<String, bool> {
    let text = std::fs::read_to_string(dir().join("pending")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (name, reason) = l.split_once('#').unwrap_or((l, ""));
            let name = name.split_whitespace().next()?;
            Some((name.to_string(), reason.trim_start().starts_with("flaky")))
        })
        .collect()
}

/// What one run printed and how it ended.
struct Outcome {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Kills the case's process group however the run ends.
struct GroupGuard(i32);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        let _ = nix::sys::signal::killpg(
            nix::unistd::Pid::from_raw(self.0),
            nix::sys::signal::Signal::SIGKILL,
        );
    }
}

fn run_case(case: &Case) -> Outcome {
    let tmp = tempfile::Builder::new()
        .prefix("difftest.")
        .tempdir()
        .unwrap();
    let d = tmp.path();
    let script = case.script();
    let mut argv: Vec<String> = Vec::new();
    let stdin_data: Option<Vec<u8>> = match case.mode.as_str() {
        "file" | "argv" => {
            std::fs::write(d.join("script.sh"), &script).unwrap();
            if case.mode == "file" {
                argv.push("script.sh".into());
            }
            argv.extend(case.args.iter().cloned());
            case.stdin.clone().map(String::into_bytes)
        }
        "c" => {
            argv.push("-c".into());
            argv.push(script.trim_end_matches('\n').to_string());
            argv.extend(case.args.iter().cloned());
            case.stdin.clone().map(String::into_bytes)
        }
        "stdin" => {
            argv.extend(case.args.iter().cloned());
            Some(script.into_bytes())
        }
        m => panic!("{}: unknown mode {m}", case.id()),
    };
    let mut cmd = Command::new(corral_bin());
    cmd.arg0("corral")
        .args(&argv)
        .current_dir(d)
        .env_clear()
        .env("LC_ALL", "C")
        .env("HOME", d)
        .env("PATH", "/usr/bin:/bin")
        .env("TERM", "dumb")
        .stdin(if stdin_data.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0);
    // SAFETY: the closure runs in the forked child before exec and only calls
    // signal(2), which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            // A SIG_IGN the test runner inherited (`cargo test &` ignores INT
            // and QUIT) survives exec and would show in `trap` and traps.
            for sig in [libc::SIGINT, libc::SIGQUIT, libc::SIGHUP, libc::SIGTERM] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("corral starts");
    let guard = GroupGuard(child.id() as i32);
    if let (Some(mut input), Some(data)) = (child.stdin.take(), stdin_data) {
        // One write: a script on stdin is all in the pipe before the shell reads it.
        std::thread::spawn(move || {
            let _ = input.write_all(&data);
        });
    }
    let (out_tx, out_rx) = mpsc::channel();
    for (i, mut pipe) in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ]
    .into_iter()
    .enumerate()
    {
        let tx = out_tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            let _ = tx.send((i, buf));
        });
    }
    let (st_tx, st_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = st_tx.send(child.wait());
    });
    let mut timed_out = false;
    let status = match st_rx.recv_timeout(CASE_TIMEOUT) {
        Ok(st) => st.unwrap(),
        Err(_) => {
            timed_out = true;
            drop(GroupGuard(guard.0));
            st_rx.recv().unwrap().unwrap()
        }
    };
    // Leftover background processes of the case hold its pipes open.
    drop(guard);
    let mut streams = [Vec::new(), Vec::new()];
    let mut held_open = false;
    for _ in 0..2 {
        match out_rx.recv_timeout(CASE_TIMEOUT) {
            Ok((i, buf)) => streams[i] = buf,
            Err(_) => held_open = true,
        }
    }
    let status = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    let mut stderr = String::from_utf8_lossy(&streams[1]).into_owned();
    if timed_out {
        stderr.push_str(&format!(
            "<difftest: timed out after {} s>\n",
            CASE_TIMEOUT.as_secs()
        ));
    }
    if held_open {
        stderr.push_str("<difftest: output still open after the shell's group was killed>\n");
    }
    Outcome {
        status,
        stdout: String::from_utf8_lossy(&streams[0]).into_owned(),
        stderr,
    }
}

fn replace_digits(s: &str) -> String {
    let mut out = String::new();
    let mut prev_digit = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !prev_digit {
                out.push('N');
            }
            prev_digit = true;
        } else {
            out.push(c);
            prev_digit = false;
        }
    }
    let mut squeezed = String::new();
    for c in out.chars() {
        if !(c == ' ' && squeezed.ends_with(' ')) {
            squeezed.push(c);
        }
    }
    squeezed
}

fn sort_lines(s: &str) -> String {
    let mut lines: Vec<&str> = s.split_inclusive('\n').collect();
    lines.sort_by_key(|l| l.trim_end_matches('\n'));
    lines.concat()
}

/// The block `scripts/difftest` writes for a case, from corral's output.
fn render(case: &Case, o: &Outcome) -> String {
    let mut lines = vec![
        format!("### {}", case.name),
        format!("status: {}", o.status),
    ];
    for (s, text) in STREAMS.iter().zip([&o.stdout, &o.stderr]) {
        if case.ignore.contains(*s) {
            lines.push(format!("{s}: (not compared)"));
            continue;
        }
        let mut text = text.to_string();
        if case.digits.contains(*s) {
            text = replace_digits(&text);
        }
        if case.sort.contains(*s) {
            text = sort_lines(&text);
        }
        lines.push(format!("{s}:"));
        if !text.is_empty() {
            let mut parts: Vec<&str> = text.split('\n').collect();
            let tail = parts.pop().unwrap_or("");
            lines.extend(parts.iter().map(|p| format!("|{p}")));
            if !tail.is_empty() {
                lines.push(format!("|{tail}"));
                lines.push(NO_NL.to_string());
            }
        }
    }
    lines.join("\n") + "\n\n"
}

/// A line diff (longest common subsequence): ` ` kept, `-` bash only, `+` corral only.
fn line_diff(want: &str, got: &str) -> String {
    let a: Vec<&str> = want.lines().collect();
    let b: Vec<&str> = got.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out += &format!(" {}\n", a[i]);
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out += &format!("+{}\n", b[j]);
            j += 1;
        } else {
            out += &format!("-{}\n", a[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn table_against_bash() {
    let all: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    // Cases run in temporary directories; a file they write that turns up
    // here came from running a topic by hand in the source tree.
    let stray: Vec<&PathBuf> = all
        .iter()
        .filter(|p| {
            let ext = p.extension().and_then(|e| e.to_str());
            let name = p.file_name().and_then(|n| n.to_str());
            !matches!(ext, Some("sh" | "expected"))
                && !matches!(name, Some("README.md" | "pending"))
        })
        .collect();
    assert!(stray.is_empty(), "stray files in tests/difftest: {stray:?}");
    let mut files: Vec<PathBuf> = all
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "sh"))
        .collect();
    files.sort();
    let cases: Vec<Case> = files.iter().flat_map(|f| parse_cases(f)).collect();
    assert!(cases.len() >= 400, "the table has {} cases", cases.len());
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for topic in cases
        .iter()
        .map(|c| c.topic.clone())
        .collect::<BTreeSet<_>>()
    {
        for (name, block) in read_expected(&topic) {
            expected.insert(format!("{topic}/{name}"), block);
        }
    }
    let ids: BTreeSet<String> = cases.iter().map(Case::id).collect();
    assert_eq!(ids.len(), cases.len(), "case names are unique");
    let pending = read_pending();
    let unknown: Vec<&String> = pending.keys().filter(|p| !ids.contains(*p)).collect();

    let next = AtomicUsize::new(0);
    let results: Vec<(usize, String)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..WORKERS)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(case) = cases.get(i) else { break };
                        mine.push((i, render(case, &run_case(case))));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    let mut failed = Vec::new();
    let mut fixed = Vec::new();
    let mut passed = 0;
    let mut report = String::new();
    let mut by_index = results;
    by_index.sort_by_key(|(i, _)| *i);
    for (i, got) in &by_index {
        let id = cases[*i].id();
        let want = expected
            .get(&id)
            .unwrap_or_else(|| panic!("{id}: no expectation stored; run scripts/difftest regen"));
        let same = want == got;
        passed += usize::from(same);
        match (same, pending.get(&id)) {
            (false, None) => {
                report += &format!("=== {id} (- bash, + corral)\n{}", line_diff(want, got));
                failed.push(id);
            }
            (true, Some(false)) => fixed.push(id),
            _ => {}
        }
    }
    eprintln!(
        "difftest: corral passes {passed} of {} cases ({} pending)",
        cases.len(),
        pending.len()
    );
    let mut problems = Vec::new();
    if !failed.is_empty() {
        eprint!("{report}");
        problems.push(format!(
            "{} cases differ from bash and are not in tests/difftest/pending: {failed:?}",
            failed.len()
        ));
    }
    if !fixed.is_empty() {
        problems.push(format!(
            "{} pending cases now pass; remove them from tests/difftest/pending \
             (or run scripts/difftest pending): {fixed:?}",
            fixed.len()
        ));
    }
    if !unknown.is_empty() {
        problems.push(format!(
            "tests/difftest/pending names cases that do not exist: {unknown:?}"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
