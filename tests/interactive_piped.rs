//! `corral -i` without a terminal, and `-i -c` (bash's behaviour, checked
//! against bash 5.2 by hand): the lines come from stdin, prompts and
//! messages go to stderr, errors do not end the shell, `PROMPT_COMMAND`
//! runs before each prompt, and the startup file runs first.

use crate::util::run::corral_piped;

/// `corral ARGS` reading `input` from a pipe in `dir` (see [`corral_piped`]);
/// (stdout, status).
fn run(args: &[&str], input: &str, dir: &std::path::Path) -> (String, i32) {
    let r = corral_piped(args, input, dir, &[]);
    (r.stdout, r.status)
}

#[test]
fn interactive_reads_piped_stdin_line_by_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = "PROMPT_COMMAND='echo \"P $?\"'\n(exit 3)\nfor i in 1 2; do\necho $i\ndone\necho $((1/0))\necho still\nexit 5\necho never\n";
    let (out, status) = run(&["--norc", "-i"], input, dir.path());
    assert_eq!(out, "P 0\nP 3\n1\n2\nP 0\nP 1\nstill\nP 0\n");
    assert_eq!(status, 5);
}

#[test]
fn interactive_piped_stdin_ends_with_the_last_status() {
    let dir = tempfile::tempdir().unwrap();
    let (out, status) = run(&["--norc", "-i"], "echo a\nfalse\n", dir.path());
    assert_eq!(out, "a\n");
    assert_eq!(status, 1);
}

#[test]
fn interactive_command_runs_the_rcfile_first() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("rc"), "echo rc; f() { echo \"f $1\"; }\n").unwrap();
    let (out, status) = run(
        &[
            "--rcfile",
            "rc",
            "-i",
            "-c",
            "f x; echo $((1/0)); echo on; exit 4",
        ],
        "",
        dir.path(),
    );
    // The arithmetic error drops the rest of the command string (bash).
    assert_eq!(out, "rc\nf x\n");
    assert_eq!(status, 1);
    std::fs::write(dir.path().join("rc2"), "echo one; exit 42; echo two\n").unwrap();
    let (out, status) = run(
        &["--rcfile", "rc2", "-i", "-c", "echo never"],
        "",
        dir.path(),
    );
    assert_eq!(out, "one\n");
    assert_eq!(status, 42);
}

/// A shell started in the background of a script starts with SIGINT
/// ignored and cannot trap it (POSIX), so `kill -INT` does not reach it.
#[test]
fn background_shell_keeps_int_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_corral");
    let script = format!(
        "SH={bin}; $SH -c 'trap \"echo int\" INT; sleep 0.5; echo done' & p=$!\n\
         sleep 0.1\nkill -INT $p\nwait $p\necho \"status $?\"\n"
    );
    let (out, status) = run(&["-c", &script], "", dir.path());
    assert_eq!(out, "done\nstatus 0\n");
    assert_eq!(status, 0);
}
