//! The printer against bash 5.2's own job texts, captured on this machine
//! with `bash -c 'set -m; CMD & jobs'`.

use super::job;

const CASES: &[(&str, &str)] = &[
    ("(sleep 2; exit 4)", "( sleep 2; exit 4 )"),
    ("for i in 1 2 3; do sleep $i; done", "for i in 1 2 3;\ndo\n    sleep $i;\ndone"),
    ("{ sleep 1; echo a; }", "{ sleep 1; echo a; }"),
    (
        "if true; then sleep 1; elif false; then echo b; else echo c; fi",
        "if true; then\n    sleep 1;\nelse\n    if false; then\n        echo b;\n    else\n        echo c;\n    fi;\nfi",
    ),
    ("while false; do :; done", "while false; do\n    :;\ndone"),
    ("until true; do :; done", "until true; do\n    :;\ndone"),
    (
        "case $x in a|b) echo a;; c) echo c;& *) echo d;;& esac",
        "case $x in \n    a | b)\n        echo a\n    ;;\n    c)\n        echo c\n    ;&\n    *)\n        echo d\n    ;;&\nesac",
    ),
    ("case a in a) ;; b) echo;; esac", "case a in \n    a)\n\n    ;;\n    b)\n        echo\n    ;;\nesac"),
    ("[[ -f x && $y == z* || ! -d w ]]", "[[ -f x && $y == z* || ! -d w ]]"),
    ("[[ $x && a = b && ( -n x ) && ! x =~ ^a(b|c)$ ]]", "[[ -n $x && a = b && ( -n x ) && ! x =~ ^a(b|c)$ ]]"),
    ("(( x = 1 + 2 ))", "(( x = 1 + 2 ))"),
    ("for ((i=0;i<3;i++)); do echo $i; done", "for ((i=0; i<3; i++))\ndo\n    echo $i;\ndone"),
    ("for ((;;)); do break; done", "for ((1; 1; 1))\ndo\n    break;\ndone"),
    ("for (( i = 0 ; i < 3 ; i++ )); do sleep 1; done", "for ((i = 0 ; i < 3 ; i++ ))\ndo\n    sleep 1;\ndone"),
    (
        "a=1 b=2 cmd \"x y\" 'q' $v ${v:-d} $(echo hi) `echo bq` $((1+2)) 3>f 2>&1 <>rw >|cl &>both &>>ap <&0 >&- 2>>app < in",
        "a=1 b=2 cmd \"x y\" 'q' $v ${v:-d} $(echo hi) `echo bq` $((1+2)) 3> f 2>&1 0<> rw >| cl &> both &>> ap 0<&0 1>&- 2>> app < in",
    ),
    ("cmd >&$fd 2>&$x <&$x >&file <&-", "cmd >&$fd 2>&$x <&$x >&file 0>&-"),
    (">f", "> f"),
    ("cat <<EOF\nhello $x\nEOF\n", "cat <<EOF\nhello $x\nEOF\n"),
    ("cat <<-'EOF'\n\tlit $x\n\tEOF\n", "cat <<-'EOF'\nlit $x\nEOF\n"),
    ("cat <<< \"here $x\"", "cat <<< \"here $x\""),
    ("! true | false |& cat", "true | false 2>&1 | cat"),
    ("! sleep 1", "sleep 1"),
    ("cat <<EOF | sleep 1\nx\nEOF\n", "cat <<EOF\nx\nEOF\n | sleep 1"),
    ("case x in esac", "case x in \nesac"),
    ("! sleep 1 && true", "! sleep 1 && true"),
    ("true && ! sleep 1", "true && ! sleep 1"),
    ("(! true; sleep 1)", "( ! true; sleep 1 )"),
    ("true && false || echo x", "true && false || echo x"),
    ("time sleep 1", "time sleep 1"),
    ("{ echo a; echo b; } > out 2>&1", "{ echo a; echo b; } > out 2>&1"),
    ("for x; do echo $x; done", "for x in \"$@\";\ndo\n    echo $x;\ndone"),
    ("{ f() { echo f; }; sleep 1; }", "{ function f () \n{ \n    echo f\n}; sleep 1; }"),
    ("{ function g { echo g; }; sleep 1; }", "{ function g () \n{ \n    echo g\n}; sleep 1; }"),
    ("(sleep 1\nsleep 2)", "( sleep 1; sleep 2 )"),
    ("{ sleep 1\necho a &\nsleep 2; }", "{ sleep 1; echo a & sleep 2; }"),
    ("x=( a b [3]=c ) cmd", "x=(a b [3]=c) cmd"),
    ("echo \"$(echo a; echo b)\" `echo c` <(true)", "echo \"$(echo a; echo b)\" `echo c` <(true)"),
    (
        "if a; then :; fi && while b; do :; done",
        "if a; then\n    :;\nfi && while b; do\n    :;\ndone",
    ),
];

#[test]
fn job_texts_match_bash() {
    let mut bad = Vec::new();
    for (src, want) in CASES {
        let got = job(src);
        if got != *want {
            bad.push(format!("{src:?}\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

/// Printing is a fixpoint: the printed text (of the whole list; a job text
/// is for display, e.g. bash puts `| cmd` after a here-document body)
/// parses to a tree printed the same.
#[test]
fn printed_text_reparses_to_the_same_text() {
    for (src, _) in CASES {
        let once = list_text(src);
        assert_eq!(list_text(&once), once, "{src:?}");
    }
}

fn list_text(src: &str) -> String {
    let p = super::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    super::print::list(&p.body)
}

/// A here-document in a list: the commands after its body stay separate.
#[test]
fn here_document_in_a_list_reprints_stably() {
    let src = "cat <<-E\n\tx\n\tE\na; b; c\n";
    let once = list_text(src);
    assert_eq!(once, "cat <<-E\nx\nE\n a; b; c");
    assert_eq!(list_text(&once), once);
}

/// `!` alone is an empty pipeline (bash accepts it; status 1).
#[test]
fn a_lone_bang_reprints_stably() {
    assert_eq!(list_text("!t&!"), "!t & !");
    assert_eq!(list_text("!t & !"), "!t & !");
}
