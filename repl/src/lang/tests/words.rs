//! Words: quoting, every parameter operator, substitutions, tildes, braces, globs.

use super::*;

fn word(src: &str) -> Word {
    let s = simple(&format!("echo {src}"));
    s.words[1].clone()
}

fn param(src: &str) -> ParamExpansion {
    match &word(src).parts[..] {
        [WordPart::Param(p)] => p.clone(),
        other => panic!("{src:?}: {other:?}"),
    }
}

fn named(n: &str) -> Param {
    Param::Named(n.into())
}

#[test]
fn quoting_is_kept() {
    assert_eq!(
        word(r#"a'b c'"d $e"\*$'\t'"#).parts,
        [
            WordPart::Literal("a".into()),
            WordPart::SingleQuoted("b c".into()),
            WordPart::DoubleQuoted(vec![
                WordPart::Literal("d ".into()),
                WordPart::Param(ParamExpansion {
                    param: named("e"),
                    indirect: false,
                    op: ParamOp::Value
                }),
            ]),
            WordPart::Escaped("*".into()),
            WordPart::AnsiC("\t".into()),
        ]
    );
    assert_eq!(
        word(r#""a\$b\"c\d""#).parts,
        [WordPart::DoubleQuoted(vec![
            WordPart::Literal("a".into()),
            WordPart::Escaped("$".into()),
            WordPart::Literal("b".into()),
            WordPart::Escaped("\"".into()),
            WordPart::Literal("c\\d".into()),
        ])]
    );
}

#[test]
fn special_and_positional_parameters() {
    let cases = [
        ("$1", Param::Positional(1)),
        ("${10}", Param::Positional(10)),
        ("$0", Param::Positional(0)),
        ("$@", Param::All { concat: false }),
        ("$*", Param::All { concat: true }),
        ("$#", Param::Count),
        ("$?", Param::Status),
        ("$-", Param::Flags),
        ("$$", Param::Pid),
        ("$!", Param::LastBackground),
        ("$LINENO", named("LINENO")),
        (
            "${a[2]}",
            Param::Element {
                name: "a".into(),
                index: "2".into(),
            },
        ),
        (
            "${a[@]}",
            Param::AllElements {
                name: "a".into(),
                concat: false,
            },
        ),
        (
            "${a[*]}",
            Param::AllElements {
                name: "a".into(),
                concat: true,
            },
        ),
    ];
    for (src, want) in cases {
        assert_eq!(param(src).param, want, "{src}");
    }
    assert_eq!(param("${#a[@]}").op, ParamOp::Length);
}

fn operand(op: &ParamOp) -> String {
    match op {
        ParamOp::Default { word, .. }
        | ParamOp::Assign { word, .. }
        | ParamOp::Error { word, .. }
        | ParamOp::Alternative { word, .. }
        | ParamOp::RemovePrefix { pattern: word, .. }
        | ParamOp::RemoveSuffix { pattern: word, .. } => word.raw.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_parameter_operator() {
    let shape = |src: &str| {
        let p = param(src);
        let name = match &p.op {
            ParamOp::Default { colon, .. } => format!("default{}", if *colon { ":" } else { "" }),
            ParamOp::Assign { colon, .. } => format!("assign{}", if *colon { ":" } else { "" }),
            ParamOp::Error { colon, .. } => format!("error{}", if *colon { ":" } else { "" }),
            ParamOp::Alternative { colon, .. } => format!("alt{}", if *colon { ":" } else { "" }),
            ParamOp::RemovePrefix { longest, .. } => {
                format!("prefix{}", if *longest { "##" } else { "#" })
            }
            ParamOp::RemoveSuffix { longest, .. } => {
                format!("suffix{}", if *longest { "%%" } else { "%" })
            }
            other => format!("{other:?}"),
        };
        (name, operand(&p.op))
    };
    let cases = [
        ("${x:-d e}", "default:", "d e"),
        ("${x-d}", "default", "d"),
        ("${x:=d}", "assign:", "d"),
        ("${x=d}", "assign", "d"),
        ("${x:?m}", "error:", "m"),
        ("${x?}", "error", ""),
        ("${x:+a}", "alt:", "a"),
        ("${x+a}", "alt", "a"),
        ("${x#p*}", "prefix#", "p*"),
        ("${x##p*}", "prefix##", "p*"),
        ("${x%.*}", "suffix%", ".*"),
        ("${x%%.*}", "suffix%%", ".*"),
    ];
    for (src, name, op) in cases {
        assert_eq!(shape(src), (name.to_owned(), op.to_owned()), "{src}");
    }
    assert_eq!(param("${#x}").op, ParamOp::Length);
    let ParamOp::Replace {
        at,
        pattern,
        replacement,
    } = param("${x//a/b c}").op
    else {
        panic!()
    };
    assert_eq!(
        (at, pattern.raw.as_str(), replacement.map(|r| r.raw)),
        (ReplaceWhere::All, "a", Some("b c".into()))
    );
    let ParamOp::Replace {
        at, replacement, ..
    } = param("${x/a}").op
    else {
        panic!()
    };
    assert_eq!((at, replacement), (ReplaceWhere::First, None));
    assert!(matches!(
        param("${x/#a/b}").op,
        ParamOp::Replace {
            at: ReplaceWhere::Prefix,
            ..
        }
    ));
    assert!(matches!(
        param("${x/%a/b}").op,
        ParamOp::Replace {
            at: ReplaceWhere::Suffix,
            ..
        }
    ));
    let ParamOp::Substring { offset, length } = param("${x:1:2}").op else {
        panic!()
    };
    assert_eq!(
        (offset.text.as_str(), length.map(|l| l.text)),
        ("1", Some("2".into()))
    );
    let ParamOp::Substring { offset, length } = param("${x: -3}").op else {
        panic!()
    };
    assert_eq!((offset.text.trim(), length), ("-3", None));
    for (src, op) in [
        ("${x^}", CaseOp::UpperFirst),
        ("${x^^}", CaseOp::UpperAll),
        ("${x,}", CaseOp::LowerFirst),
        ("${x,,}", CaseOp::LowerAll),
    ] {
        assert_eq!(param(src).op, ParamOp::Case { op, pattern: None }, "{src}");
    }
    assert_eq!(param("${x@Q}").op, ParamOp::Transform('Q'));
    assert!(param("${!ref}").indirect);
    assert!(matches!(
        param("${!pre@}").op,
        ParamOp::Names { concat: false, .. }
    ));
    assert!(matches!(
        param("${!a[@]}").op,
        ParamOp::Keys { concat: false, .. }
    ));
}

#[test]
fn operands_are_words_with_their_own_expansions() {
    let ParamOp::Default { word, .. } = param("${x:-\"$y\"$(z)}").op else {
        panic!()
    };
    assert!(
        matches!(&word.parts[0], WordPart::DoubleQuoted(inner) if matches!(&inner[0], WordPart::Param(_)))
    );
    assert!(matches!(
        &word.parts[1],
        WordPart::CommandSubst {
            backquoted: false,
            ..
        }
    ));
}

#[test]
fn substitutions_are_parsed_recursively() {
    let w = word("$(a | b; c $(d))`e \\`f\\``$((1 + $x))");
    let WordPart::CommandSubst {
        program,
        backquoted: false,
    } = &w.parts[0]
    else {
        panic!("{w:?}")
    };
    assert_eq!(print::list(&program.body), "a | b; c $(d)");
    let WordPart::CommandSubst {
        program,
        backquoted: true,
    } = &w.parts[1]
    else {
        panic!("{w:?}")
    };
    assert_eq!(print::list(&program.body), "e `f`");
    let WordPart::Arith(a) = &w.parts[2] else {
        panic!("{w:?}")
    };
    assert_eq!(a.text, "1 + $x");
}

#[test]
fn tildes() {
    assert_eq!(word("~").parts, [WordPart::Tilde(Tilde::Home)]);
    assert_eq!(
        word("~bob/x").parts[0],
        WordPart::Tilde(Tilde::User("bob".into()))
    );
    assert_eq!(word("~+").parts[0], WordPart::Tilde(Tilde::Pwd));
    assert_eq!(word("~-").parts[0], WordPart::Tilde(Tilde::OldPwd));
    assert_eq!(word("'~'").parts, [WordPart::SingleQuoted("~".into())]);
    assert_eq!(word("a~").parts, [WordPart::Literal("a~".into())]);
    // In assignments, also after `:`.
    let s = simple("P=~/a:~/b");
    let AssignValue::Scalar(v) = &s.assignments[0].value else {
        panic!()
    };
    let tildes = v
        .parts
        .iter()
        .filter(|p| matches!(p, WordPart::Tilde(Tilde::Home)))
        .count();
    assert_eq!(tildes, 2, "{v:?}");
}

#[test]
fn brace_and_glob_candidates() {
    assert!(word("{a,b}").has_brace_candidate());
    assert!(word("x{1..10}y").has_brace_candidate());
    assert!(!word("'{a,b}'").has_brace_candidate());
    assert!(!word("{a}").has_brace_candidate());
    assert!(word("*.log").has_glob_chars());
    assert!(word("a?[bc]").has_glob_chars());
    assert!(!word("\"*\"").has_glob_chars());
    assert!(!word("\\*").has_glob_chars());
}

#[test]
fn literal_values() {
    assert_eq!(word("'a'\"b\"c\\d").literal().as_deref(), Some("abcd"));
    assert_eq!(word("a$b").literal(), None);
}

#[test]
fn ansi_c_escapes_decode_as_bash() {
    assert_eq!(
        decode_ansi_c(r"a\tb\n\x41\101\u263a\cA\e\\\'"),
        "a\tb\nAA\u{263a}\u{1}\u{1b}\\'"
    );
    assert_eq!(decode_ansi_c(r"\q\x"), "\\q\\x");
}

#[test]
fn a_bad_substitution_is_a_word_part_not_a_parse_error() {
    // bash reports `${x!}: bad substitution` when it expands the word.
    let p = program("echo ok; echo ${x!}");
    let Command::Simple(s) = &p.body.items[1].and_or.first.commands[0] else {
        panic!()
    };
    assert!(
        matches!(&s.words[1].parts[..], [WordPart::BadSubstitution(t)] if t == "${x!}"),
        "{s:?}"
    );
}
