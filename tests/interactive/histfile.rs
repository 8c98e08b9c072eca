//! `$HISTFILE` in an interactive shell reading a pipe (`corral -i`): set
//! to corral's file when unset, read after the startup file, each line
//! appended to it as it runs (so `history -a` has nothing left to add), and
//! nothing written once it is unset. Checked against bash 5.2 where bash
//! agrees (bash writes at exit instead; the files end up the same).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `corral ARGS` in `dir` with `input` on stdin, HOME and
/// XDG_DATA_HOME unset or in `dir`; its stdout.
fn run(args: &[&str], input: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_corral"));
    cmd.args(args)
        .current_dir(dir)
        .env("HOME", dir)
        .env_remove("HISTFILE")
        .env_remove("XDG_DATA_HOME")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

#[test]
fn histfile_from_the_environment_is_loaded_and_written_back() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my-history"), "echo 1\n").unwrap();
    let out = run(
        &["--norc", "-i"],
        "echo 2\nhistory\n",
        dir.path(),
        &[("HISTFILE", "my-history")],
    );
    assert_eq!(out, "2\n    1  echo 1\n    2  echo 2\n    3  history\n");
    assert_eq!(
        read(&dir.path().join("my-history")),
        "echo 1\necho 2\nhistory\n"
    );
}

#[test]
fn history_a_adds_no_line_twice() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("my-history"), "echo 1\n").unwrap();
    let out = run(
        &["--norc", "-i"],
        "history -a\necho 2\nhistory -a\n",
        dir.path(),
        &[("HISTFILE", "my-history")],
    );
    assert_eq!(out, "2\n");
    assert_eq!(
        read(&dir.path().join("my-history")),
        "echo 1\nhistory -a\necho 2\nhistory -a\n"
    );
}

#[test]
fn histfile_defaults_to_corrals_file_and_a_new_file_is_created() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(
        &["--norc", "-i", "-c", "echo $HISTFILE"],
        "",
        dir.path(),
        &[],
    );
    let default = dir.path().join(".local/share/corral/history");
    assert_eq!(out, format!("{}\n", default.display()));
    // Not set by a non-interactive shell (bash).
    let out = run(&["-c", "echo \"[$HISTFILE]\""], "", dir.path(), &[]);
    assert_eq!(out, "[]\n");

    run(&["--norc", "-i"], "echo one; echo two\n", dir.path(), &[]);
    assert_eq!(read(&default), "echo one; echo two\n");
}

#[test]
fn the_startup_file_chooses_the_file_and_unset_stops_writing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rc"), "HISTFILE=$PWD/from-rc\n").unwrap();
    std::fs::write(dir.path().join("from-rc"), "echo old\n").unwrap();
    let out = run(
        &["--rcfile", "rc", "-i"],
        "fc -ln -1\nunset HISTFILE\necho after\n",
        dir.path(),
        &[],
    );
    assert_eq!(out, "\t echo old\nafter\n");
    assert_eq!(
        read(&dir.path().join("from-rc")),
        "echo old\nfc -ln -1\nunset HISTFILE\n"
    );
}
