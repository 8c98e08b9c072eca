//! `$HISTFILE` in an interactive shell reading a pipe (`corral -i`): set
//! to corral's file when unset, read after the startup file, each line
//! appended to it as it runs (so `history -a` has nothing left to add), and
//! nothing written once it is unset. Checked against bash 5.2 where bash
//! agrees (bash writes at exit instead; the files end up the same).

use std::path::Path;

use crate::util::run::corral_piped;

/// `corral ARGS` reading `input` from a pipe in `dir` (see [`corral_piped`]); its stdout.
fn run(args: &[&str], input: &str, dir: &Path, env: &[(&str, &str)]) -> String {
    corral_piped(args, input, dir, env).stdout
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
    let default = dir.path().join(".local/share/corral/corral_history");
    assert_eq!(out, format!("{}\n", default.display()));
    // Not set by a non-interactive shell (bash).
    let out = run(&["-c", "echo \"[$HISTFILE]\""], "", dir.path(), &[]);
    assert_eq!(out, "[]\n");

    run(&["--norc", "-i"], "echo one; echo two\n", dir.path(), &[]);
    assert_eq!(read(&default), "echo one; echo two\n");
}

/// With HOME unset the default file is under the password database's
/// home directory, as bash's `~/.bash_history` is (Oils interactive:15).
#[test]
fn issue_10_histfile_without_home_is_under_the_users_home() {
    let dir = tempfile::tempdir().unwrap();
    let home = nix::unistd::User::from_uid(nix::unistd::Uid::current())
        .unwrap()
        .expect("the test's user in the password database")
        .dir;
    let mut cmd = std::process::Command::new(crate::util::run::corral_bin());
    cmd.args(["--norc", "-i", "-c", "echo $HISTFILE"])
        .current_dir(dir.path())
        .env_remove("HOME")
        .env_remove("HISTFILE")
        .env_remove("XDG_DATA_HOME");
    let out = crate::util::run::finish(cmd, b"", "corral -c without HOME");
    let want = home.join(".local/share/corral/corral_history");
    assert_eq!(out.stdout, format!("{}\n", want.display()));
}

/// The default file had another name before: its lines are kept.
#[test]
fn the_earlier_default_file_becomes_corral_history() {
    let dir = tempfile::tempdir().unwrap();
    let share = dir.path().join(".local/share/corral");
    std::fs::create_dir_all(&share).unwrap();
    std::fs::write(share.join("history"), "echo kept\n").unwrap();
    let out = run(&["--norc", "-i"], "fc -ln -1\n", dir.path(), &[]);
    assert_eq!(out, "\t echo kept\n");
    assert!(!share.join("history").exists());
    assert_eq!(
        read(&share.join("corral_history")),
        "echo kept\nfc -ln -1\n"
    );
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
