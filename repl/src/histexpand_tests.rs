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
    match expand(line, &hist(), &mut Memory::default()) {
        Ok(Expansion::Expanded { line, .. }) => line,
        other => panic!("{line}: {other:?}"),
    }
}

fn err(line: &str) -> String {
    expand(line, &hist(), &mut Memory::default())
        .unwrap_err()
        .to_string()
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
        expand("!e:p", &hist(), &mut Memory::default()),
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
        assert_eq!(
            expand(line, &hist(), &mut Memory::default()),
            Ok(Expansion::Unchanged),
            "{line}"
        );
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
        expand("!!", &[], &mut Memory::default())
            .unwrap_err()
            .to_string(),
        "!!: event not found"
    );
    assert_eq!(
        expand("echo !$", &[], &mut Memory::default())
            .unwrap_err()
            .to_string(),
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

/// Word ranges as bash's `history_arg_extract` bounds them.
#[test]
fn word_ranges_as_bash() {
    assert_eq!(ok("!!:0^"), "grep -n");
    assert_eq!(ok("!!:-^"), "grep -n");
    assert_eq!(ok("!!:^-3"), "-n foo file.txt");
    assert_eq!(ok("!!:^*"), "-n foo file.txt | sort > out");
    assert_eq!(ok("!!:7-"), "");
    assert_eq!(ok("!2*"), "/tmp/a.b.c");
    assert_eq!(ok("!2:0-"), "ls");
    assert_eq!(ok("!!:$-"), "out-");
    // A `-` right after the event starts a designator.
    assert_eq!(ok("!ec-"), "echo one two");
    assert_eq!(ok("!!-2"), "grep -n foo");
    assert_eq!(ok("!-2-"), "ls");
    assert_eq!(err("!!:2-1"), ":2-1: bad word specifier");
    assert_eq!(err("!!:8-"), ":8-: bad word specifier");
    assert_eq!(err("!2:2*"), ":2*: bad word specifier");
    assert_eq!(err("!2:2-"), ":2-: bad word specifier");
    assert_eq!(err("!2:2^"), ":2^: bad word specifier");
    assert_eq!(
        err("!!:99999999999999999999999"),
        ":99999999999999999999999: bad word specifier"
    );
    // `%` with no search made is empty, not an error.
    assert_eq!(ok("!!:%"), "");
    assert_eq!(ok("!ec%"), "");
}

/// Modifier edge cases, with bash's results and messages.
#[test]
fn modifiers_as_bash() {
    assert_eq!(ok("!$:e"), "out");
    assert_eq!(ok("echo !1:0:e"), "echo echo");
    assert_eq!(ok("!!:s"), "grep -n foo file.txt | sort > out");
    assert_eq!(ok("!!:gs"), "grep -n foo file.txt | sort > out");
    assert_eq!(ok("!2:$:gt"), "a.b.c");
    assert_eq!(ok("!!:Gs/o/0/"), "grep -n f0o file.txt | s0rt > 0ut");
    assert_eq!(ok("!!:as/o/0/"), "grep -n f00 file.txt | s0rt > 0ut");
    assert_eq!(ok("!!:s/o/0/:&"), "grep -n f00 file.txt | sort > out");
    assert_eq!(err("!!:"), ": unrecognized history modifier");
    assert_eq!(err("!!:g"), ": unrecognized history modifier");
    assert_eq!(err("!!:z"), "z: unrecognized history modifier");
    assert_eq!(err("!!:gz"), "z: unrecognized history modifier");
    assert_eq!(err("!!:s/"), ":s/: no previous substitution");
    assert_eq!(err("!!:&"), ":&: no previous substitution");
    assert_eq!(err("^"), ":s^: no previous substitution");
    assert_eq!(err("!1:gs/e/E/:&"), ":gs/e/E/:&: substitution failed");
}

/// The last substitution and search carry over to later lines (bash).
#[test]
fn memory_carries_over_lines() {
    let mut memory = Memory::default();
    let mut run = |line: &str| match expand(line, &hist(), &mut memory) {
        Ok(Expansion::Expanded { line, .. }) => line,
        other => panic!("{line}: {other:?}"),
    };
    assert_eq!(run("^sort^uniq"), "grep -n foo file.txt | uniq > out");
    assert_eq!(run("!!:&"), "grep -n foo file.txt | uniq > out");
    assert_eq!(run("echo !?tmp?"), "echo ls /tmp/a.b.c");
    assert_eq!(run("echo !2:%"), "echo /tmp/a.b.c");
}

mod never_panics {
    use super::super::*;
    use proptest::prelude::*;

    /// Lines built mostly from the characters the expander acts on, with
    /// multibyte ones next to them.
    fn line() -> impl Strategy<Value = String> {
        let special = proptest::sample::select(vec![
            "!", "!!", "^", ":", "$", "*", "%", "-", "?", "#", "/", "&", "\\", "'", "\"", "[", "]",
            "{", "}", "=", "(", " ", "\n", "0", "1", "9", "h", "t", "r", "e", "p", "q", "x", "s",
            "g", "a", "é", "日", "🦀",
        ])
        .prop_map(str::to_string);
        proptest::collection::vec(prop_oneof![4 => special, 1 => "\\PC{0,3}"], 0..24)
            .prop_map(|parts| parts.concat())
    }

    fn history() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::vec(line(), 0..4)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1024))]
        #[test]
        fn expand_never_panics(line in line(), history in history()) {
            let _ = expand(&line, &history, &mut Memory::default());
        }

        #[test]
        fn tokenize_never_panics(line in line()) {
            let _ = tokenize(&line);
        }
    }
}
