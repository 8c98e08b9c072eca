//! Bytes that are not UTF-8 in arguments, file names, the environment and
//! input pass through `corral` unchanged (issue 11, "Bytes, not text"):
//! each script runs under `bash -c` and `corral -c` in like directories,
//! and their stdout and status must be the same bytes. Each test also checks
//! the bytes it expects, so that it cannot pass on an agreement of two
//! wrong answers.

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::util::run::{corral_bin, wait_exit, Reap};

/// What a run printed (bytes) and how it ended.
#[derive(Debug, PartialEq, Eq)]
struct Out {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
}

/// What the test gives a shell besides its script.
#[derive(Default, Clone, Copy)]
struct Setup<'a> {
    args: &'a [&'a [u8]],
    env: &'a [(&'a str, &'a [u8])],
    stdin: &'a [u8],
    /// Files created (name, contents) in the shell's fresh cwd first.
    files: &'a [(&'a [u8], &'a [u8])],
}

fn run(shell: &str, script: &[u8], setup: Setup<'_>, cwd: &Path) -> Out {
    for (name, data) in setup.files {
        std::fs::write(cwd.join(OsStr::from_bytes(name)), data).unwrap();
    }
    let mut cmd = Command::new(shell);
    cmd.arg("-c")
        .arg(OsStr::from_bytes(script))
        .arg("_")
        .args(setup.args.iter().map(|a| OsStr::from_bytes(a)))
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in setup.env {
        cmd.env(k, OsStr::from_bytes(v));
    }
    let mut child = cmd.spawn().expect("the shell starts");
    let mut input = child.stdin.take().unwrap();
    let data = setup.stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let reader = |mut r: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut s = Vec::new();
            let _ = r.read_to_end(&mut s);
            s
        })
    };
    let out = reader(Box::new(child.stdout.take().unwrap()));
    let err = reader(Box::new(child.stderr.take().unwrap()));
    let mut guard = Reap(Some(child));
    let what = format!("{shell} -c {:?}", String::from_utf8_lossy(script));
    let status = wait_exit(guard.0.as_mut().unwrap(), &what);
    guard.0 = None;
    let _ = writer.join();
    Out {
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        status,
    }
}

/// Runs `script` under bash and corral (each in a fresh directory with the
/// same files); asserts the same stdout bytes and status, and no stderr
/// from corral where bash printed none. Returns corral's run.
fn same_as_bash(script: impl AsRef<[u8]>, setup: Setup<'_>) -> Out {
    let script = script.as_ref();
    let (bd, cd) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let b = run("bash", script, setup, bd.path());
    let c = run(corral_bin(), script, setup, cd.path());
    assert_eq!(
        (&c.stdout, c.status),
        (&b.stdout, b.status),
        "stdout (bytes) and status differ from bash for {:?}\ncorral stderr: {}",
        String::from_utf8_lossy(script),
        String::from_utf8_lossy(&c.stderr)
    );
    if b.stderr.is_empty() {
        let script = String::from_utf8_lossy(script);
        assert_eq!(String::from_utf8_lossy(&c.stderr), "", "for {script:?}");
    }
    c
}

#[test]
fn issue_11_bytes_argument_reaches_builtins_and_programs() {
    let arg: &[u8] = b"a\xffb\xc3";
    let c = same_as_bash(
        r#"printf %s "$1" | od -An -tx1; /usr/bin/printf %s "$1" | od -An -tx1
echo "$1"; printf '%s|%q|%.2s|%c\n' "$1" "$1" "$1" "$1"; echo "${#1} ${1^^} ${1:1:1}""#,
        Setup {
            args: &[arg],
            ..Setup::default()
        },
    );
    let want: &[u8] =
        b" 61 ff 62 c3\n 61 ff 62 c3\na\xffb\xc3\na\xffb\xc3|$'a\\377b\\303'|a\xff|a\n4 A\xffB\xc3 \xff\n";
    assert_eq!(c.stdout, want);
}

#[test]
fn issue_11_bytes_glob_matches_invalid_names() {
    let c = same_as_bash(
        r#"for f in f*; do printf '%s\n' "$f"; done
cat f??; cat < f*; echo *$'\xfe'
rm f* && ls -A | wc -l"#,
        Setup {
            files: &[(b"f\xff\xfe", b"data\n")],
            ..Setup::default()
        },
    );
    assert_eq!(c.stdout, b"f\xff\xfe\ndata\ndata\nf\xff\xfe\n0\n");
}

#[test]
fn issue_11_bytes_environment_survives_export() {
    let c = same_as_bash(
        r#"export OTHER=1; printenv V | od -An -tx1
export W=$'\xfe'"$V"; sh -c 'printf %s "$W"' | od -An -tx1
env | grep -a -c '^V=x'"$(printf '\377')"'y$'"#,
        Setup {
            env: &[("V", b"x\xffy")],
            ..Setup::default()
        },
    );
    assert_eq!(c.stdout, b" 78 ff 79 0a\n fe 78 ff 79\n1\n");
}

#[test]
fn issue_11_bytes_read_keeps_bytes() {
    let c = same_as_bash(
        r#"read -r x y; printf '%s|%s|%s\n' "$x" "$y" "${#x}"
printf 'p\xffq\n' | { read -r z; printf %s "$z" | od -An -tx1; }"#,
        Setup {
            stdin: b"a\xffb c\xe9\n",
            ..Setup::default()
        },
    );
    assert_eq!(c.stdout, b"a\xffb|c\xe9|3\n 70 ff 71\n");
}

#[test]
fn issue_11_bytes_command_substitution_round_trip() {
    let c = same_as_bash(
        r#"x=$(printf '\xff\xc3'); printf %s "$x" | od -An -tx1; echo ${#x}
[ "$x" = "$(printf '\377\303')" ] && echo same
y=$'\xc3\xa9'; [ "$y" = é ] && echo "é ${#y}"
printf -v v '\xfe%s' "$x"; printf %s "$v" | od -An -tx1
cat <<EOF | od -An -tx1
$x
EOF"#,
        Setup::default(),
    );
    assert_eq!(
        c.stdout,
        " ff c3\n2\nsame\né 1\n fe ff c3\n ff c3 0a\n".as_bytes()
    );
}

#[test]
fn issue_11_bytes_script_text_and_directory_names() {
    // The script text itself holds a byte that is not UTF-8, and the cwd's
    // name gets one.
    let c = same_as_bash(
        b"printf '%s\\n' 'caf\xe9' | od -An -tx1\n\
          d=$'d\\xff'; mkdir \"$d\" && cd \"$d\" && basename \"$PWD\" | od -An -tx1\n\
          pwd | tail -c 3 | od -An -tx1; cd .. && cd d? && echo \"${PWD##*/}\"",
        Setup::default(),
    );
    assert_eq!(c.stdout, b" 63 61 66 e9 0a\n 64 ff 0a\n 64 ff 0a\nd\xff\n");
}

/// Errors name a program by its bytes: `command not found` quotes a name
/// bash cannot print as `$'…\351…'`, a path that is missing shows its bytes
/// as they are (bash's stderr, byte for byte, `bash` read as `corral`).
#[test]
fn issue_11_bytes_not_found_names_keep_their_bytes() {
    let script = b"n=$'nosuch\\xe9x'; $n; \"./$n\"; echo $?" as &[u8];
    let dir = tempfile::tempdir().unwrap();
    let b = run("bash", script, Setup::default(), dir.path());
    let c = run(corral_bin(), script, Setup::default(), dir.path());
    let expected: &[u8] = b"_: line 1: $'nosuch\\351x': command not found\n\
        _: line 1: ./nosuch\xe9x: No such file or directory\n";
    assert_eq!(b.stderr, expected, "{}", String::from_utf8_lossy(&b.stderr));
    assert_eq!(c, b);
}
