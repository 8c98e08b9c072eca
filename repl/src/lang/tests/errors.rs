//! Syntax errors: bash's wording, the offending token, line and column;
//! `is_incomplete` for the continuation prompt.

use super::*;
use crate::lang::ast::{Command, WordPart};

fn err(src: &str) -> SyntaxError {
    match parse(src) {
        Ok(p) => panic!("{src:?} parsed: {p:?}"),
        Err(e) => e,
    }
}

#[test]
fn unexpected_tokens_are_named_with_their_position() {
    // Wording checked against `bash -c` (bash 5.2).
    let cases = [
        ("if; fi", ";", 1, 3),
        ("fi", "fi", 1, 1),
        ("echo )", ")", 1, 6),
        ("a;;", ";;", 1, 2),
        ("echo ok\nthen x", "then", 2, 1),
        ("case x in a) b;; esac esac", "esac", 1, 23),
        ("if a; then fi", "fi", 1, 12),
        ("echo a; fi", "fi", 1, 9),
        ("while a; do done", "done", 1, 13),
        ("{ }", "}", 1, 3),
        ("fi\n", "fi", 1, 1),
        ("x | | y", "|", 1, 5),
    ];
    for (src, token, line, column) in cases {
        let e = err(src);
        assert_eq!(
            e,
            SyntaxError::UnexpectedToken {
                token: token.into(),
                pos: e.pos()
            },
            "{src:?}"
        );
        assert_eq!((e.pos().line, e.pos().column), (line, column), "{src:?}");
        assert_eq!(
            e.message(),
            format!("syntax error near unexpected token `{token}'"),
            "{src:?}"
        );
        assert!(!e.is_incomplete(), "{src:?}");
    }
    assert_eq!(
        err("fi").to_string(),
        "line 1, column 1: syntax error near unexpected token `fi'"
    );
}

#[test]
fn open_constructs_at_end_of_input() {
    for src in [
        "if true; then",
        "a |",
        "a &&",
        "b ||",
        "case x in",
        "f() ",
        "{ a; ",
        "for i in a; do",
        "while x\n",
        "if a; then if b; then c; fi",
    ] {
        let e = err(src);
        assert!(
            matches!(e, SyntaxError::UnexpectedEof { .. }),
            "{src:?}: {e:?}"
        );
        assert_eq!(e.message(), "syntax error: unexpected end of file");
        assert!(is_incomplete(src), "{src:?}");
    }
    for (src, closer) in [
        ("echo \"abc", '"'),
        ("echo 'abc", '\''),
        ("echo `a", '`'),
        ("echo $(ls", ')'),
        ("echo ${x", '}'),
    ] {
        let e = err(src);
        assert!(
            matches!(e, SyntaxError::Unterminated { closer: c, .. } if c == closer),
            "{src:?}: {e:?}"
        );
        assert_eq!(
            e.message(),
            format!("unexpected EOF while looking for matching `{closer}'")
        );
        assert!(is_incomplete(src), "{src:?}");
    }
    assert!(
        matches!(err("cat <<EOF\nx\n"), SyntaxError::UnterminatedHereDoc { ref delimiter, .. } if delimiter == "EOF")
    );
    assert!(is_incomplete("cat <<EOF\nx\n"));
    assert!(is_incomplete("echo a \\"));
}

#[test]
fn complete_or_wrong_text_is_not_incomplete() {
    for src in [
        "",
        "echo a",
        "if a; then b; fi",
        "cat <<EOF\nx\nEOF\n",
        "a | b",
        "fi",
        "echo )",
        "a;;",
    ] {
        assert!(!is_incomplete(src), "{src:?}");
    }
}

#[test]
fn unterminated_quote_points_at_the_quote() {
    let e = err("echo ok\necho \"abc\ndef");
    assert_eq!((e.pos().line, e.pos().column), (2, 6), "{e:?}");
}

#[test]
fn absurd_nesting_is_refused_not_a_stack_overflow() {
    let deep = format!("{}x{}", "(".repeat(5000), ")".repeat(5000));
    assert!(matches!(err(&deep), SyntaxError::TooDeep { .. }));
    let subst = format!("echo {}x{}", "$(".repeat(100), ")".repeat(100));
    assert!(matches!(err(&subst), SyntaxError::TooDeep { .. }));
}

/// brush-parser 0.4.0 panics on an fd number that overflows `i32`; bash
/// reads it as a word (`echo 99999999999>f` writes `99999999999` to `f`).
#[test]
fn an_overflowing_fd_number_is_a_word() {
    let p = parse("echo 99999999999>f 3>g '99999999999>q'").unwrap_or_else(|e| panic!("{e}"));
    let Command::Simple(s) = &p.body.items[0].and_or.first.commands[0] else {
        panic!()
    };
    let words: Vec<&str> = s.words.iter().map(|w| w.raw.as_str()).collect();
    assert_eq!(words, ["echo", "99999999999", "'99999999999>q'"]);
    let fds: Vec<Option<i32>> = s.redirects.iter().map(|r| r.fd).collect();
    assert_eq!(fds, [None, Some(3)]);
    assert_eq!(s.redirects[0].span.start.column, 17);
    assert_eq!(s.redirects[1].span.start.column, 20);
}

#[test]
fn quoted_for_header_text_is_not_patched() {
    let p =
        parse("echo 'for ((;;))'; for ((;;)); do break; done").unwrap_or_else(|e| panic!("{e}"));
    let Command::Simple(s) = &p.body.items[0].and_or.first.commands[0] else {
        panic!()
    };
    assert_eq!(
        s.words[1].parts,
        [WordPart::SingleQuoted("for ((;;))".into())]
    );
}
