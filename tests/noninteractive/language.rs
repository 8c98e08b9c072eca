//! The bash language beside bash: control flow, functions, subshells,
//! redirections, variables, positional parameters, scripts on stdin.

use super::same_as_bash;
use crate::util::run::*;

#[test]
fn issue_10_control_flow_runs_as_in_bash() {
    for script in [
        "for i in 1 2 3; do if [ $i = 2 ]; then continue; fi; echo $i; done",
        "for i in 1 2 3; do for j in a b; do [ $j = b ] && break 2; echo $i$j; done; done",
        "i=0; while [ $i -lt 3 ]; do i=$((i+1)); done; echo $i",
        "until false; do echo once; break; done",
        "if false; then echo no; elif true; then echo yes; else echo else; fi",
        "case x in a) echo a;; x) echo x;& y) echo y;; z) echo z;; esac",
        "case ab in a*) echo 1;;& *b) echo 2;; *) echo 3;; esac",
        "for ((i=0;i<3;i++)); do printf %s $i; done; echo",
        "((x=5, x>3)) && echo big; (( 0 )); echo $?",
        "! true; echo $?; ! false; echo $?",
        "set -- a 'b c'; for x; do echo \"[$x]\"; done",
        "[[ abc == a* ]] && echo match; [[ abc =~ b(c) ]] && echo ${BASH_REMATCH[1]}",
    ] {
        same_as_bash(script);
    }
}

#[test]
fn issue_10_functions_locals_and_recursion() {
    for script in [
        "f() { local x=1; echo $x; }; x=0; f; echo $x",
        "f() { echo $FUNCNAME $#; g; }; g() { echo ${FUNCNAME[@]}; }; f a b",
        "f() { return 7; }; f; echo $?",
        "function g { echo \"$@\"; }; g 'a b' c",
        "fact() { if [ $1 -le 1 ]; then echo 1; else echo $(( $1 * $(fact $(( $1 - 1 ))) )); fi; }; fact 6",
        "f() { x=inner; }; x=outer; f; echo $x",
        "f() { echo out; } ; f > /dev/null; echo $?",
        "set -- a b c; shift; echo $# $@; shift 5; echo $?",
    ] {
        same_as_bash(script);
    }
    // bash has no default limit (it overflows its stack); corral stops cleanly.
    let r = corral("f() { f; }; f; echo after $?");
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        // Inside a function bash names the `-c` text `environment`.
        "environment: line 1: f: maximum function nesting level exceeded (1000)\n"
    );
    assert_eq!(r.status, 1);
}

#[test]
fn issue_10_subshells_and_substitutions() {
    for script in [
        "(x=5; cd /; echo $x $PWD); echo ${x:-unset}",
        "(exit 3); echo $?",
        "x=$(echo a; exit 4); echo $? $x",
        "v=$(printf 'a\\nb\\n\\n'); echo \"[$v]\"",
        "echo `echo back` $(echo $(echo nested))",
        "{ echo a; echo b; } | cat",
        "false | true; echo $? ${PIPESTATUS[@]}",
        "set -o pipefail; false | true; echo $?",
        "x=1; eval 'x=2; echo $x'; echo $x",
        "trap 'echo bye' EXIT; echo main",
        "(trap 'echo sub' EXIT; echo in); echo out",
    ] {
        same_as_bash(script);
    }
}

#[test]
fn issue_10_redirections_and_here_documents() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().display();
    for script in [
        format!("exec 3>{d}/f3; echo to3 >&3; exec 3>&-; cat {d}/f3"),
        "echo x >&7; echo $?".to_string(),
        "cat <<EOF\na $((1+2)) $HOME\nEOF".to_string(),
        "cat <<'EOF'\na $((1+2))\nEOF".to_string(),
        "cat <<-EOF\n\ttabbed\n\tEOF".to_string(),
        "cat <<<\"here string\"".to_string(),
        format!("echo a > {d}/nc; set -C; echo b > {d}/nc; echo $?; echo c >| {d}/nc; cat {d}/nc"),
        format!("exec 4<>{d}/rw; echo rw >&4; cat {d}/rw"),
        format!("{{ echo out; echo err >&2; }} > {d}/both 2>&1; cat {d}/both"),
        "echo e 2>&1 >/dev/null | cat".to_string(),
    ] {
        same_as_bash(&script);
    }
}

#[test]
fn issue_10_variables_options_and_builtins() {
    for script in [
        "a=(1 2 3); echo ${#a[@]} ${a[1]}; a[5]=x; echo ${!a[@]}; a+=(y); echo ${a[@]}",
        "declare -i n=5; n+=3; echo $n; declare -p n",
        "readonly r=1; r=2; echo after",
        "x=1; export x; sh -c 'echo $x'; x=2 sh -c 'echo $x'; echo $x",
        "unset x; echo ${x-gone}; x=; echo ${x:-empty}",
        "let 'a=2*3' b=0; echo $? $a",
        "umask 077; umask",
        "type echo; type nosuch; echo $?",
        "command -v echo; command -v sh; f() { :; }; command -v f",
        "echo \"$-\"; set -u; echo $nope; echo after",
        "set -e; false || echo recovered; if false; then :; fi; false; echo no",
        "printf '%s-%s\\n' a b c; printf -v v '%03d' 7; echo $v",
        "test 1 -lt 2 && [ a = a ] && echo ok; [ 1 -gt ]; echo $?",
        "IFS=:; x=a:b:c; for i in $x; do echo $i; done",
        "echo {a,b}{1..2} ${x:-d} $((2**10))",
        "set -x; echo traced; x=1",
    ] {
        same_as_bash(script);
    }
}

#[test]
fn issue_10_positional_parameters_in_c_and_script_mode() {
    let r = corral_with(
        &["-c", "echo $0 $# $1 \"$2\"", "name", "a", "b c"],
        b"",
        None,
    );
    assert_eq!(r.stdout, "name 2 a b c\n");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.sh");
    std::fs::write(&f, "echo $# \"$@\"\n").unwrap();
    let r = corral_with(&[f.to_str().unwrap(), "x", "y"], b"", None);
    assert_eq!(r.stdout, "2 x y\n");
    let r = corral_with(&["-s", "p", "q"], b"echo $2 $1\n", None);
    assert_eq!(r.stdout, "q p\n");
    let r = corral_with(&["-e", "-c", "false; echo no"], b"", None);
    assert_eq!((r.stdout.as_str(), r.status), ("", 1));
    let r = corral_with(&["-o", "pipefail", "-c", "false | true"], b"", None);
    assert_eq!(r.status, 1);
}

#[test]
fn issue_10_stdin_script_is_read_command_by_command() {
    // `cat` reads the rest of the script: those lines are data, not commands.
    let r = corral_with(&[], b"echo first\ncat\necho not-run\n", None);
    assert_eq!(r.stdout, "first\necho not-run\n");
    // From a file on stdin (seekable) too.
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("in.sh");
    std::fs::write(
        &f,
        "read -r line 2>/dev/null || head -n 1 >/dev/null\necho after\n",
    )
    .unwrap();
    let r = std::process::Command::new(corral_bin())
        .stdin(std::fs::File::open(&f).unwrap())
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&r.stdout), "");
    // A syntax error on line 3 is reported with its line; earlier lines ran.
    let r = corral_with(&[], b"echo one\nif true; then\n fi fi\n", None);
    assert_eq!(r.stdout, "one\n");
    assert_eq!(r.status, 2);
    assert!(r.stderr.contains("line 3: syntax error"), "{}", r.stderr);
}

/// Programs get the descriptors 3 and up that a command redirects, also
/// through `exec`, as in bash.
#[test]
fn issue_10_programs_get_descriptors_three_and_up() {
    for script in [
        "printf 'a\\nb\\n' > f; cat /dev/fd/3 3<f",
        "printf 'x\\n' > f; exec 4<f; cat <&4; exec 5<f; cat /dev/fd/5; exec 5<&-; cat /dev/fd/5 2>/dev/null || echo closed",
        "sh -c 'echo to-three >&3' 3>g; cat g",
        "exec 6>h; sh -c 'echo six >&6'; exec 6>&-; cat h",
    ] {
        // In a scratch directory of its own, removed by the script.
        same_as_bash(&format!(
            "d=$(mktemp -d) && cd \"$d\" || exit 9; {script}; cd / && rm -r \"$d\""
        ));
    }
}
