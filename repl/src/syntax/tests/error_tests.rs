//! Every syntax error: message, position, and the incomplete flag.

use super::*;

/// Asserts `src` fails with `msg` at 1-based `column` (line 1).
#[track_caller]
fn check(src: &str, column: usize, msg: &str, incomplete: bool) {
    let e = perr(src);
    assert_eq!(e.message(), msg, "message for {src:?}");
    assert_eq!((e.line, e.column), (1, column), "position for {src:?}");
    assert_eq!(e.incomplete, incomplete, "incomplete flag for {src:?}");
    assert_eq!(e.is_incomplete(), is_incomplete(src));
    assert_eq!(
        e.to_string(),
        format!("syntax error at column {column}: {msg}")
    );
}

#[test]
fn unexpected_tokens() {
    check("| a", 1, "unexpected token '|'", false);
    check("  && a", 3, "unexpected token '&&'", false);
    check("|| a", 1, "unexpected token '||'", false);
    check("; a", 1, "unexpected token ';'", false);
    check("& a", 1, "unexpected token '&'", false);
    check("a ;; b", 4, "unexpected token ';'", false);
    check("a & ; b", 5, "unexpected token ';'", false);
    check("(a) b", 5, "unexpected token 'b'", false);
    check("(a) (b)", 5, "unexpected token '('", false);
    check("echo a (b)", 8, "unexpected token '('", false);
    check("()", 2, "unexpected token ')'", false);
    check("( ; )", 3, "unexpected token ';'", false);
}

#[test]
fn missing_commands() {
    check("a &&", 5, "expected a command after '&&'", true);
    check("a ||  ", 7, "expected a command after '||'", true);
    check("a |", 4, "expected a command after '|'", true);
    let e = perr("a |\n\n");
    assert_eq!((e.line, e.column, e.incomplete), (3, 1, true));
    check("a && ;", 6, "expected a command after '&&'", false);
    check("a | | b", 5, "expected a command after '|'", false);
    check("a || && b", 6, "expected a command after '||'", false);
    check("(a |)", 5, "expected a command after '|'", false);
}

#[test]
fn parentheses() {
    check("a )", 3, "unmatched ')'", false);
    check(")", 1, "unmatched ')'", false);
    check("(a))", 4, "unmatched ')'", false);
    check("(a", 1, "missing ')' for this '('", true);
    check("x && ( (a) ; b", 6, "missing ')' for this '('", true);
    check("(", 1, "missing ')' for this '('", true);
    let deep = "(".repeat(MAX_NESTING + 1);
    check(
        &deep,
        MAX_NESTING + 1,
        "too many nested '(' (the limit is 256)",
        false,
    );
}

#[test]
fn quotes_and_escapes() {
    check("echo 'abc", 6, "unterminated single quote", true);
    check("echo \"a'b", 6, "unterminated double quote", true);
    check("echo \"a\\\"", 6, "unterminated double quote", true);
    check("echo $'a\\'", 6, "unterminated single quote", true);
    check("echo a\\", 7, "unexpected end of input after '\\'", true);
    check("\\", 1, "unexpected end of input after '\\'", true);
    check("echo ${X", 6, "missing '}' after '${'", false);
    check("echo ${X\n}", 6, "missing '}' after '${'", false);
    check(
        "echo ${X:-y}",
        6,
        "bad substitution: '${X:-y}' (only ${NAME} is supported)",
        false,
    );
    check(
        "echo ${}",
        6,
        "bad substitution: '${}' (only ${NAME} is supported)",
        false,
    );
    check(
        "echo \"${#X}\"",
        7,
        "bad substitution: '${#X}' (only ${NAME} is supported)",
        false,
    );
}

#[test]
fn redirection_errors() {
    check("echo >", 7, "expected a file name after '>'", false);
    check("echo 2>> ;", 10, "expected a file name after '2>>'", false);
    check("cat < | x", 7, "expected a file name after '<'", false);
    check("x &> &", 6, "expected a file name after '&>'", false);
    check("x > # comment", 14, "expected a file name after '>'", false);
    check(
        "x 2>&",
        6,
        "expected a file descriptor number after '2>&'",
        false,
    );
    check(
        "x 2>&f",
        6,
        "expected a file descriptor number after '2>&'",
        false,
    );
    check(
        "x <&f",
        5,
        "expected a file descriptor number after '<&'",
        false,
    );
    check(
        "x >&-",
        3,
        "closing a file descriptor ('>&-') is not supported",
        false,
    );
    check(
        "x 99999999999>f",
        3,
        "file descriptor number too large",
        false,
    );
    check(
        "x >&99999999999",
        5,
        "file descriptor number too large",
        false,
    );
}

#[test]
fn unsupported_features() {
    check(
        "echo $(date)",
        6,
        "command substitution is not supported",
        false,
    );
    check(
        "echo \"a $(date)\"",
        9,
        "command substitution is not supported",
        false,
    );
    check(
        "echo `date`",
        6,
        "command substitution is not supported",
        false,
    );
    check(
        "echo \"`date`\"",
        7,
        "command substitution is not supported",
        false,
    );
    check(
        "echo $((1+2))",
        6,
        "arithmetic expansion is not supported",
        false,
    );
    check(
        "cat <<EOF",
        5,
        "here-documents ('<<') are not supported",
        false,
    );
    check(
        "cat <<< x",
        5,
        "here-documents ('<<') are not supported",
        false,
    );
    check(
        "diff <(a) b",
        6,
        "process substitution is not supported",
        false,
    );
    check(
        "tee >(a)",
        5,
        "process substitution is not supported",
        false,
    );
    check("a |& b", 3, "'|&' is not supported; use '2>&1 |'", false);
    check(
        "for i in a b; do echo $i; done",
        1,
        "'for' is not supported: there are no loops or conditionals; use && and ||",
        false,
    );
    check(
        "a; if true; then b; fi",
        4,
        "'if' is not supported: there are no loops or conditionals; use && and ||",
        false,
    );
    check(
        "A=1 while x",
        5,
        "'while' is not supported: there are no loops or conditionals; use && and ||",
        false,
    );
    check(
        "{ a; }",
        1,
        "brace groups are not supported; use ( … )",
        false,
    );
    check("! a", 1, "pipeline negation '!' is not supported", false);
    check(
        "[[ -f x ]]",
        1,
        "'[[' is not supported; use test or [",
        false,
    );
    check(
        "function f { a; }",
        1,
        "function definitions are not supported",
        false,
    );
    check(
        "f() { a; }",
        2,
        "function definitions are not supported",
        false,
    );
    check(
        "f () ( a )",
        3,
        "function definitions are not supported",
        false,
    );
}

#[test]
fn columns_count_chars_and_lines() {
    // 'é' and '日' are one column each.
    check("é日 | | x", 6, "expected a command after '|'", false);
    let e = perr("echo ok\n  echo 'x\n");
    assert_eq!((e.line, e.column), (2, 8));
    assert_eq!(e.offset, 15);
    assert_eq!(
        e.to_string(),
        "syntax error at line 2, column 8: unterminated single quote"
    );
    assert_eq!(
        e.display_with_line(),
        "syntax error at line 2, column 8: unterminated single quote"
    );
    let e = perr("a\nb\n)");
    assert_eq!((e.line, e.column), (3, 1));
    let e = perr("a\tb |");
    assert_eq!(e.column, 6);
    assert_eq!(
        perr("|").to_string(),
        "syntax error at column 1: unexpected token '|'"
    );
}

#[test]
fn errors_come_in_source_order() {
    // The `)` comes first, so this is not a request for more input.
    let e = perr(") echo 'abc");
    assert_eq!(e.message(), "unmatched ')'");
    assert!(!is_incomplete(") echo 'abc"));
}

#[test]
fn incomplete_detection() {
    for src in [
        "echo 'abc",
        "echo \"abc",
        "echo $'abc",
        "echo abc\\",
        "a |",
        "a &&",
        "a ||",
        "a &&\n",
        "(",
        "(a",
        "(a;\nb",
        "( a | b ) && (",
        "echo \"multi\nline",
    ] {
        assert!(is_incomplete(src), "{src:?} should be incomplete");
    }
    for src in [
        "",
        "echo hi",
        "a &",
        "a;",
        "echo >",
        "a | )",
        ")",
        "echo ${X",
        "echo 'a' 'b'",
        "(a)",
        "a \\\n",
    ] {
        assert!(!is_incomplete(src), "{src:?} should not be incomplete");
    }
    // Continuation lines complete it.
    assert!(parse("a |\n b").is_ok());
    assert!(parse("echo 'abc\ndef'").is_ok());
    assert!(parse("(a\n)").is_ok());
}
