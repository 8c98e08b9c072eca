//! Quoting, errors, scripts on stdin and in files, pipelines, redirections
//! and the shell's own options.

use crate::util::run::*;

#[test]
fn quoting_variables_and_status() {
    let r = corral(r#"X=hi; echo "$X" 'lit $X' a\ b; false; echo $?; true && echo and || echo or"#);
    assert_eq!(r.stdout, "hi lit $X a b\n1\nand\n");
    assert_eq!(r.status, 0);
    assert_eq!(corral("exit 7").status, 7);
    assert_eq!(corral("sh -c 'exit 5'").status, 5);
}

#[test]
fn command_not_found_and_not_executable() {
    let r = corral("nosuchcmd-xyz arg; echo $?");
    assert_eq!(
        r.stderr,
        "corral: line 1: nosuchcmd-xyz: command not found\n"
    );
    assert_eq!(r.stdout, "127\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("noexec");
    std::fs::write(&f, "echo no\n").unwrap();
    let r = corral(&format!("{}", f.display()));
    assert_eq!(r.status, 126);
    assert!(r.stderr.contains("Permission denied"), "{}", r.stderr);
}

#[test]
fn syntax_errors_run_nothing() {
    let r = corral("echo ran; echo 'unterminated");
    assert_eq!(r.stdout, "");
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        "corral: -c: line 1: unexpected EOF while looking for matching `''\n"
    );
    let r = corral("echo a | | echo b");
    assert_eq!(r.status, 2);
    assert_eq!(
        r.stderr,
        "corral: -c: line 1: syntax error near unexpected token `|'\ncorral: -c: line 1: `echo a | | echo b'\n"
    );
}

#[test]
fn script_file_errors_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.sh");
    std::fs::write(&f, "echo one\necho two )\n").unwrap();
    let r = corral_with(&[f.to_str().unwrap()], b"", None);
    assert_eq!(r.status, 2);
    // As bash reads a script, the line before the error ran.
    assert_eq!(r.stdout, "one\n");
    assert_eq!(
        r.stderr,
        format!(
            "{0}: line 2: syntax error near unexpected token `)'\n{0}: line 2: `echo two )'\n",
            f.display()
        )
    );
}

#[test]
fn script_on_stdin_and_binary_garbage() {
    let r = corral_with(&[], b"echo from stdin\necho $((\n", None);
    assert_eq!(r.status, 2, "{r:?}");
    let r = corral_with(&[], b"echo from stdin\n", None);
    assert_eq!(r.stdout, "from stdin\n");
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    let r = corral_with(&[], &garbage, None);
    assert_ne!(r.status, 101, "no panic: {}", r.stderr);
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}

#[test]
fn a_one_megabyte_line() {
    // Too long for argv: through stdin, as a script.
    let word = "a".repeat(1 << 20);
    let r = corral_with(&[], format!("echo {word} | wc -c\n").as_bytes(), None);
    assert_eq!(r.stdout.trim(), ((1 << 20) + 1).to_string(), "{}", r.stderr);
}

#[test]
fn pipelines_mix_builtins_and_externals() {
    let r = corral("echo hello | tr a-z A-Z");
    assert_eq!(r.stdout, "HELLO\n");
    let r = corral("printf 'a\\nb\\nc\\n' | cat | wc -l");
    assert_eq!(r.stdout.trim(), "3");
    let r = corral("echo x | cat | cat");
    assert_eq!(r.stdout, "x\n");
    let r = corral("sh -c 'exit 3' | true; echo $?");
    assert_eq!(r.stdout, "0\n");
}

#[test]
fn redirections() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    let r = corral(&format!(
        "cd {d}; echo one > f; echo two >> f; cat < f; sh -c 'echo e >&2' 2> err; cat err; \
         sh -c 'echo o; echo e2 >&2' > both 2>&1; cat both; echo all &> amp; cat amp"
    ));
    assert_eq!(r.stdout, "one\ntwo\ne\no\ne2\nall\n", "{}", r.stderr);
    let r = corral("cat < /no/such/file; echo $?");
    assert_eq!(
        r.stderr,
        "corral: line 1: /no/such/file: No such file or directory\n"
    );
    assert_eq!(r.stdout, "1\n");
    let r = corral(&format!("echo x > {d}"));
    assert_eq!(r.status, 1);
    assert!(r.stderr.contains("Is a directory"), "{}", r.stderr);
}

#[test]
fn cd_pwd_export_unset_and_globs() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["b.txt", "a.txt", "c.md"] {
        std::fs::write(dir.path().join(f), "").unwrap();
    }
    let d = dir.path().canonicalize().unwrap();
    let r = corral(&format!(
        "cd {}; pwd; echo *.txt; echo *.none; export FOO=bar; sh -c 'echo $FOO'; unset FOO; sh -c 'echo ${{FOO:-gone}}'",
        d.display()
    ));
    assert_eq!(
        r.stdout,
        format!("{}\na.txt b.txt\n*.none\nbar\ngone\n", d.display())
    );
    let r = corral("cd /no/such/dir");
    assert_eq!(r.status, 1);
    assert_eq!(
        r.stderr,
        "corral: line 1: cd: /no/such/dir: No such file or directory\n"
    );
}

#[test]
fn help_and_version() {
    let r = corral_with(&["--version"], b"", None);
    assert!(r.stdout.starts_with("corral "));
    let r = corral("help jobs");
    assert!(
        r.stdout.starts_with("jobs: jobs [-l|-p|-r|-s]"),
        "{}",
        r.stdout
    );
    let r = corral_with(&["--bogus"], b"", None);
    assert_eq!(r.status, 2);
}

#[test]
fn a_missing_program_fails_alone_in_a_pipeline() {
    let r = corral("nonexist-xyz | wc -l; echo $?");
    assert_eq!(r.stdout.split_whitespace().collect::<Vec<_>>(), ["0", "0"]);
    assert_eq!(
        r.stderr,
        "corral: line 1: nonexist-xyz: command not found\n"
    );
    let r = corral("./nonexist-xyz");
    assert_eq!(
        r.stderr,
        "corral: line 1: ./nonexist-xyz: No such file or directory\n"
    );
    assert_eq!(r.status, 127);
}

#[test]
fn issue_10_an_executable_without_shebang_runs_as_a_script() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("plain");
    std::fs::write(&f, "echo script $# \"$1\"\nexit 3\n").unwrap();
    std::fs::set_permissions(&f, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let r = corral(&format!("{} 'a b' c; echo st=$?", f.display()));
    assert_eq!(r.stdout, "script 2 a b\nst=3\n", "{}", r.stderr);
}
