//! History expansion against a fixed history, with bash's results.

use super::*;

fn hist() -> Vec<String> {
    [
        "echo one two three",
        "ls /tmp/a.b.c",
        "grep -n foo file.txt | sort > out",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn ok(line: &str) -> String {
    match expand(line, &hist()) {
        Ok(Expansion::Expanded { line, .. }) => line,
        other => panic!("{line}: {other:?}"),
    }
}

fn err(line: &str) -> String {
    expand(line, &hist()).unwrap_err().to_string()
}

#[test]
fn events() {
    assert_eq!(ok("!!"), "grep -n foo file.txt | sort > out");
    assert_eq!(ok("echo !1"), "echo echo one two three");
    assert_eq!(ok("!-2"), "ls /tmp/a.b.c");
    assert_eq!(ok("!ec x"), "echo one two three x");
    assert_eq!(ok("!?tmp? y"), "ls /tmp/a.b.c y");
    assert_eq!(ok("!?two"), "echo one two three");
    assert_eq!(ok("echo a !#"), "echo a echo a ");
}

#[test]
fn words() {
    assert_eq!(ok("echo !$"), "echo out");
    assert_eq!(ok("echo !^"), "echo -n");
    assert_eq!(ok("echo !1:2"), "echo two");
    assert_eq!(ok("echo !1:1-2"), "echo one two");
    assert_eq!(ok("echo !1:*"), "echo one two three");
    assert_eq!(ok("echo !1:2*"), "echo two three");
    assert_eq!(ok("echo !1:1-"), "echo one two");
    assert_eq!(ok("echo !1:-1"), "echo echo one");
    assert_eq!(ok("echo !!:4"), "echo |");
    assert_eq!(ok("echo !?foo?%"), "echo foo");
    assert_eq!(ok("echo !e:0"), "echo echo");
}

#[test]
fn modifiers() {
    assert_eq!(ok("echo !ls:$:h"), "echo /tmp");
    assert_eq!(ok("echo !ls:$:t"), "echo a.b.c");
    assert_eq!(ok("echo !ls:$:r"), "echo /tmp/a.b");
    assert_eq!(ok("echo !ls:$:e"), "echo .c");
    assert_eq!(ok("!ls:s/a/A/"), "ls /tmp/A.b.c");
    assert_eq!(ok("!ls:gs/./_/"), "ls /tmp/a_b_c");
    assert_eq!(ok("echo !ls:$:q"), "echo '/tmp/a.b.c'");
    assert_eq!(
        expand("!e:p", &hist()),
        Ok(Expansion::Expanded {
            line: "echo one two three".into(),
            print_only: true
        })
    );
}

#[test]
fn quick_substitution() {
    assert_eq!(ok("^sort^uniq"), "grep -n foo file.txt | uniq > out");
    assert_eq!(ok("^foo^&&^ x"), "grep -n foofoo file.txt | sort > out x");
    assert_eq!(err("^zz^yy"), ":s^zz^yy: substitution failed");
}

#[test]
fn literal_bangs() {
    for line in [
        "echo hi",
        "echo ! x",
        "echo '!!'",
        "echo \\!!",
        "echo $! x",
        "echo ${!name}",
        "echo [!a]*",
        "echo \"hi!\"",
        "a != b",
        "echo x!",
        "[[ ! -f x ]]",
    ] {
        assert_eq!(expand(line, &hist()), Ok(Expansion::Unchanged), "{line}");
    }
    // Double quotes do not protect.
    assert_eq!(
        ok("echo \"!!\""),
        "echo \"grep -n foo file.txt | sort > out\""
    );
}

#[test]
fn failures_carry_bash_messages() {
    assert_eq!(err("echo !nope"), "!nope: event not found");
    assert_eq!(err("echo !99"), "!99: event not found");
    assert_eq!(err("echo !-9"), "!-9: event not found");
    assert_eq!(err("echo !?zz?"), "!?zz?: event not found");
    assert_eq!(err("echo !!:9"), ":9: bad word specifier");
    assert_eq!(err("!ls:s/zz/y/"), ":s/zz/y/: substitution failed");
    assert_eq!(
        expand("!!", &[]).unwrap_err().to_string(),
        "!!: event not found"
    );
    assert_eq!(
        expand("echo !$", &[]).unwrap_err().to_string(),
        "!: event not found"
    );
}

#[test]
fn tokenizer() {
    assert_eq!(
        tokenize("a 'b c' \"d e\"f|g>>h&&i"),
        ["a", "'b c'", "\"d e\"f", "|", "g", ">>", "h", "&&", "i"]
    );
}
