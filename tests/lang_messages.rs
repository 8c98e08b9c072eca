//! What the shell's messages are named after, as bash 5.2 names them
//! (checked against bash by hand): `PROMPT_COMMAND` (an array's elements
//! run in turn; a syntax error reads `corral: PROMPT_COMMAND: line N: …`,
//! N counted from the lines read), and a script in `-c` or on stdin
//! without a name is named after the name the shell was run as.

use crate::util::run::{corral_bin, corral_piped};

#[test]
fn prompt_command_array_elements_each_run() {
    let dir = tempfile::tempdir().unwrap();
    let input = "PROMPT_COMMAND=('echo one' $'echo two\\necho three')\necho x\n";
    let r = corral_piped(&["--norc", "-i"], input, dir.path(), &[]);
    assert_eq!(r.stdout, "one\ntwo\nthree\nx\none\ntwo\nthree\n");
    assert_eq!(r.status, 0);
}

#[test]
fn prompt_command_syntax_error_names_it_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = "PROMPT_COMMAND='if'\necho hi\nPROMPT_COMMAND=')'\n";
    let r = corral_piped(&["--norc", "-i"], input, dir.path(), &[]);
    assert_eq!(r.stdout, "hi\n");
    let errors: Vec<&str> = r
        .stderr
        .split("corral> ")
        .flat_map(str::lines)
        .filter(|l| l.contains("PROMPT_COMMAND"))
        .collect();
    assert_eq!(
        errors,
        [
            "corral: PROMPT_COMMAND: line 2: syntax error: unexpected end of file",
            "corral: PROMPT_COMMAND: line 3: syntax error: unexpected end of file",
            "corral: PROMPT_COMMAND: line 3: syntax error near unexpected token `)'",
            "corral: PROMPT_COMMAND: line 3: `)'",
        ]
    );
}

#[test]
fn messages_name_the_shell_as_it_was_run() {
    use crate::util::procfs::assert_exits;
    use crate::util::run::Reap;
    use std::io::Write;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("bash");
    std::os::unix::fs::symlink(corral_bin(), &link).unwrap();
    for (args, input) in [(vec!["-c", "nosuch_zz"], ""), (vec![], "nosuch_zz\n")] {
        let err = dir.path().join("err");
        let child = Command::new(&link)
            .args(&args)
            .current_dir(dir.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&err).unwrap())
            .spawn()
            .unwrap();
        let mut guard = Reap(Some(child));
        let child = guard.0.as_mut().unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        assert_exits(pid, std::time::Duration::from_secs(10), "the shell");
        let status = guard.0.take().unwrap().wait().unwrap();
        assert_eq!(
            std::fs::read_to_string(&err).unwrap(),
            "bash: line 1: nosuch_zz: command not found\n",
            "{args:?}"
        );
        assert_eq!(status.code(), Some(127));
    }
}
