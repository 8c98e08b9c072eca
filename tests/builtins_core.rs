//! `read`, `getopts`, `times`, `trap` and `umask` through the binary, beside bash 5.2
//! (their cores are unit-tested in repl/src/builtins/tests/).

use std::io::Write;
use std::process::{Command, Stdio};

use crate::util::run::corral_with;

/// A stderr without the shell's name and line number (`bash: line 1: `,
/// `prog: line 1: `: where bash puts them depends on `$0` and on how `-c`
/// was parsed; the interpreter's tests check them).
fn messages(stderr: &[u8]) -> String {
    String::from_utf8_lossy(stderr)
        .lines()
        .map(|l| {
            let located = l.split_once(": line ").and_then(|(_, rest)| {
                let (n, msg) = rest.split_once(": ")?;
                n.bytes().all(|b| b.is_ascii_digit()).then_some(msg)
            });
            let l = located
                .or_else(|| l.strip_prefix("bash: "))
                .or_else(|| l.strip_prefix("corral: "))
                .unwrap_or(l);
            format!("{l}\n")
        })
        .collect()
}

/// Runs `bash -c SCRIPT prog ARGS…` and `corral -c SCRIPT prog ARGS…` with
/// `stdin`, and compares stdout, the messages on stderr, and the status.
fn same_as_bash(script: &str, args: &[&str], stdin: &[u8]) {
    let mut all = vec!["-c", script, "prog"];
    all.extend_from_slice(args);
    let mut child = Command::new("bash")
        .args(&all)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bash runs");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let b = child.wait_with_output().expect("bash ends");
    let _ = writer.join();
    let r = corral_with(&all, stdin, None);
    assert_eq!(
        (r.stdout.as_str(), messages(r.stderr.as_bytes()), r.status),
        (
            String::from_utf8_lossy(&b.stdout).as_ref(),
            messages(&b.stderr),
            b.status.code().unwrap_or(-1)
        ),
        "script: {script} {args:?} <<< {:?}",
        String::from_utf8_lossy(stdin)
    );
}

#[test]
fn read_assigns_as_bash() {
    for (script, input) in [
        ("read a b; echo \"[$a][$b] $?\"", "one two  three \n"),
        ("IFS=: read -r a b c; echo \"[$a][$b][$c]\"", "x:y\\:z:w:\n"),
        ("IFS=: read a b c; echo \"[$a][$b][$c]\"", "x:y\\:z:w:\n"),
        ("read -a arr; echo ${#arr[@]} ${arr[1]}", " p  q r \n"),
        (
            "while read -r line; do echo \"<$line>\"; done; echo \"[$line]\"",
            "l1\nl2\\\nl3",
        ),
        (
            "while read line; do echo \"<$line>\"; done",
            "l1\nl2\\\nl3\n",
        ),
        ("read -n 3 x; read y; echo \"$x|$y\"", "abcdef\nghi\n"),
        ("read -d : x; echo $x; cat", "a:b\nc\n"),
        ("read x; cat", "first\nsecond\nthird\n"),
        ("read; echo \"[$REPLY]\"", "  keep  spaces  \n"),
        ("read -t 5 x; echo $? $x", "fast\n"),
        ("read -N 4 x; echo \"[$x]\"", "ab\ncd\n"),
        ("read x; echo $? \"[$x]\"", ""),
        ("read x; echo $? \"[$x]\"", "no newline"),
        ("read -x", ""),
        ("read -t abc x", ""),
        ("read a 1x; echo \"[$a]\"", "p q\n"),
        ("readonly r; read r; echo $?", "v\n"),
    ] {
        same_as_bash(script, &[], input.as_bytes());
    }
    for script in [
        "read x <<< 'here string'; echo $x",
        "echo 'p q' | { read a b; echo $b; }",
        "printf 'a\\0b\\0' | { read -d '' x; read -d '' y; echo $x$y; }",
        "exec 3<<< 'fd three'; read -u 3 a b; echo $b",
        "read -u 9 x",
        "printf 'x y\\n' > /tmp/corral-read-test-$$; read a b < /tmp/corral-read-test-$$; echo $b; rm /tmp/corral-read-test-$$",
    ] {
        same_as_bash(script, &[], b"");
    }
}

#[test]
fn getopts_steps_as_bash() {
    let loop_ = "while getopts ab:c o; do echo \"$o ${OPTARG-unset} $OPTIND\"; done; \
                 echo \"end $o $OPTIND\"; shift $((OPTIND-1)); echo \"$@\"";
    for args in [
        &["-a", "-b", "x", "-cb", "y", "rest"][..],
        &["-acbfoo", "--", "-a"],
        &["-x", "-b"],
        &["-a", "plain", "-c"],
        &[],
    ] {
        same_as_bash(loop_, args, b"");
    }
    let silent = "while getopts :ab: o; do echo \"$o ${OPTARG-unset}\"; done";
    same_as_bash(silent, &["-x", "-b"], b"");
    for script in [
        "getopts",
        "getopts a 1x",
        "f() { local OPTIND; getopts a o \"$@\"; echo $o $OPTIND; }; f -a; f -a",
        "getopts a o -a -b; echo \"$? $o $OPTIND\"; getopts a o -a -b; echo \"$? $o $OPTIND\"",
        "set -- -a; getopts a o; echo $?; OPTIND=1; getopts a o; echo $? $o",
    ] {
        same_as_bash(script, &[], b"");
    }
}

#[test]
fn times_prints_two_lines() {
    let r = corral_with(&["-c", "times"], b"", None);
    assert_eq!(r.status, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stdout);
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        assert_eq!(fields.len(), 2, "{line}");
        for f in fields {
            let (m, s) = f.split_once('m').expect("XmS.FFFs");
            assert!(m.bytes().all(|b| b.is_ascii_digit()), "{f}");
            let s = s.strip_suffix('s').expect("ends in s");
            let (whole, frac) = s.split_once('.').expect("S.FFF");
            assert!(
                whole.parse::<u32>().is_ok_and(|n| n < 60) && frac.len() == 3,
                "{f}"
            );
        }
    }
}

#[test]
fn trap_lists_and_prints_as_bash() {
    for script in [
        "trap -l",
        "trap 'echo hi' INT; trap '' TERM; trap \"echo 'bye'\" EXIT; trap -- : RETURN; trap -p",
        "trap 'echo x' sigint 15 rtmin+1 RTMAX-1 CHLD; trap -p; trap -p TERM INT; trap - INT; trap 15; trap -p",
        "trap 'echo e' 0; trap -p EXIT",
        "trap x FOO HUP; echo $?; trap -p",
        "trap -x",
        "trap x",
        "trap -p NOPE; echo $?",
    ] {
        same_as_bash(script, &[], b"");
    }
}

#[test]
fn umask_parses_and_prints_as_bash() {
    for script in [
        "umask 022; umask; umask -S; umask -p; umask -pS",
        "umask 022; umask u=rwx,g=rx,o=; umask; umask g-x,o+w; umask; umask a=r; umask -S",
        "umask 022; umask 8; echo $?; umask abc; echo $?; umask u=r,; umask",
        "umask -x",
        "umask 1234; umask",
        "umask -S 077; umask",
    ] {
        same_as_bash(script, &[], b"");
    }
}

/// `printf '%(fmt)T'` formats through the shell's clock (`%s` does not
/// depend on the time zone).
#[test]
fn printf_time_conversions_as_bash() {
    for script in [
        "printf '%(%s)T|%12(%s)T|%-3.1(%s)T|%()T\\n' 86400 0 5 -1 | cut -d'|' -f1-3",
        "printf '%(%s)T %s\\n' 1 a 2 b",
        "printf '%(%s\\n' 0; echo $?",
        "[ $(printf '%(%s)T' -2) -le $(printf '%(%s)T') ]; echo $?",
    ] {
        same_as_bash(script, &[], b"");
    }
}

/// `read` at a terminal: the prompt, `-s`, `-n` without Enter, and a
/// timeout that leaves no reader behind (the next line is a command). Each
/// line is typed once `read`'s own prompt (`>>>> `, which the echoed
/// command does not contain) shows that it is reading.
#[test]
fn read_at_the_terminal() {
    use crate::util::pty::{Pty, PtyCommand};
    let pty = Pty::spawn(PtyCommand::new(env!("CARGO_BIN_EXE_corral")));
    pty.expect("corral> ");
    pty.send_line("p='>>'");
    pty.expect("corral> ");
    pty.send_line("read -p \"$p$p \" x; echo \"got [$x]\"");
    pty.expect(">>>> ");
    pty.send_line("bob smith");
    pty.expect_line("got [bob smith]");
    pty.expect("corral> ");
    pty.send_line("read -n 2 -p \"$p$p \" c; echo; echo \"c=[$c]\"");
    pty.expect(">>>> ");
    pty.send("xy");
    pty.expect_line("c=[xy]");
    pty.expect("corral> ");
    pty.send_line("read -s -p \"$p$p \" pw; echo \"len ${#pw}\"");
    pty.expect(">>>> ");
    pty.send_line("hunter2");
    // Not echoed, nor its newline: the output goes on after the prompt.
    let seen = pty.expect("len 7");
    assert!(!seen.contains("hunter2"), "echoed: {seen:?}");
    pty.expect("corral> ");
    pty.send_line("read -t 0.3 y; echo \"st=$?\"");
    pty.expect_line("st=142");
    pty.expect("corral> ");
    pty.send_line("echo after");
    pty.expect_line("after");
}
