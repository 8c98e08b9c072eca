//! The shell as the Oils suite runs it under `scripts/spec-suite --as-bash`:
//! `$0` is the name it was run as, and `PROMPT_COMMAND` in `-i` with piped
//! input behaves as in bash 5.2 (outputs checked against bash by hand).

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use crate::util::run::corral_bin;

/// Runs corral as `argv0 ARGS` with `input` on stdin; (stdout, status).
fn run_as(argv0: &str, args: &[&str], input: &str) -> (String, i32) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(corral_bin())
        .arg0(argv0)
        .args(args)
        .current_dir(dir.path())
        .env("PS1", "")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn dollar_zero_is_the_name_the_shell_was_run_as() {
    assert_eq!(run_as("bash", &[], "echo $0\n"), ("bash\n".into(), 0));
    assert_eq!(
        run_as("/x/mysh", &["-c", "echo $0"], ""),
        ("/x/mysh\n".into(), 0)
    );
    // A name after -c's command still wins.
    assert_eq!(
        run_as("bash", &["-c", "echo $0", "given"], ""),
        ("given\n".into(), 0)
    );
}

/// `PROMPT_COMMAND` runs before each prompt: a syntax error or a runtime
/// error in it is reported and the shell goes on; it sees `$?` and leaves
/// it; what it writes (`BASH_REMATCH`) stays written.
#[test]
fn prompt_command_errors_status_and_rematch_as_bash() {
    let cases = [
        ("PROMPT_COMMAND=';'\necho one\necho two\n", "one\ntwo\n"),
        (
            "PROMPT_COMMAND='echo PROMPT $(( 1 / 0 ))'\necho one\necho two\n",
            "one\ntwo\n",
        ),
        (
            "myfunc() { echo last_status=$?; }\nPROMPT_COMMAND='myfunc'\n( exit 42 )\n( exit 43 )\necho ok\n",
            "last_status=0\nlast_status=42\nlast_status=43\nok\nlast_status=0\n",
        ),
        (
            "PROMPT_COMMAND='[[ clobber =~ (.)(.)(.) ]]; echo ---'\necho one\n[[ bar =~ (.)(.)(.) ]]\necho ${BASH_REMATCH[@]}\n",
            "---\none\n---\n---\nclo c l o\n---\n",
        ),
    ];
    for (input, want) in cases {
        let (out, status) = run_as("bash", &["--rcfile", "/dev/null", "-i"], input);
        assert_eq!(out, want, "input {input:?}");
        assert_eq!(status, 0, "input {input:?}");
    }
}
