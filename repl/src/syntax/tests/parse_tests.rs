//! Parsing of each construct.

use super::*;

fn lit(text: &str, quoted: bool) -> WordPart {
    WordPart::Literal {
        text: text.to_string(),
        quoted,
    }
}

fn param(name: &str, quoted: bool) -> WordPart {
    WordPart::Param {
        name: name.to_string(),
        quoted,
    }
}

#[test]
fn empty_and_comments() {
    assert!(p("").is_empty());
    assert!(p("   \t ").is_empty());
    assert!(p("\n\n").is_empty());
    assert!(p("# just a comment").is_empty());
    assert!(p("  # comment\n  # another\n").is_empty());
    assert_eq!(canon("echo a # comment | not a pipe"), "echo a");
    assert_eq!(canon("echo a#b"), "echo a#b");
    assert_eq!(canon("echo a;#c\necho b"), "echo a; echo b");
}

#[test]
fn simple_words() {
    let s = simple("echo  hello\tworld");
    assert_eq!(s.words.len(), 3);
    assert_eq!(s.words[0].literal().as_deref(), Some("echo"));
    assert_eq!(s.words[2].literal().as_deref(), Some("world"));
    assert_eq!(s.words[1].span, Span::new(6, 11));
    assert_eq!(s.span, Span::new(0, 17));
}

#[test]
fn quoting() {
    assert_eq!(word("'a b'").parts, vec![lit("a b", true)]);
    assert_eq!(word("'a\"$x'").parts, vec![lit("a\"$x", true)]);
    assert_eq!(word("\"a b\"").parts, vec![lit("a b", true)]);
    assert_eq!(
        word("a'b'c").parts,
        vec![lit("a", false), lit("b", true), lit("c", false)]
    );
    assert_eq!(word("'a'\"b\"\\c").parts, vec![lit("abc", true)]);
    assert_eq!(word("\\*").parts, vec![lit("*", true)]);
    assert_eq!(
        word("a\\ b").parts,
        vec![lit("a", false), lit(" ", true), lit("b", false)]
    );
    // In double quotes, \ escapes only $ ` " \ and newline.
    assert_eq!(
        word(r#""\$\`\"\\\n\a""#).parts,
        vec![lit("$`\"\\\\n\\a", true)]
    );
    assert_eq!(word("\"a\\\nb\"").parts, vec![lit("ab", true)]);
    assert_eq!(word("''").parts, vec![lit("", true)]);
    assert_eq!(word("\"\"").parts, vec![lit("", true)]);
    assert_eq!(word("''''").parts, vec![lit("", true)]);
    assert_eq!(word("'é'ü").parts, vec![lit("é", true), lit("ü", false)]);
}

#[test]
fn ansi_c_quotes() {
    assert_eq!(word(r"$'a\tb\n'").parts, vec![lit("a\tb\n", true)]);
    assert_eq!(
        word(r"$'\x41\101\u00e9\'\\'").parts,
        vec![lit("AAé'\\", true)]
    );
    assert_eq!(word(r"$'\e\cA\q'").parts, vec![lit("\x1b\x01\\q", true)]);
    assert_eq!(word(r"$'\0'x").parts, vec![lit("", true), lit("x", false)]);
    assert_eq!(
        word("$\"a $X\"").parts,
        vec![lit("a ", true), param("X", true)]
    );
}

#[test]
fn line_continuation() {
    assert_eq!(canon("echo a\\\nb"), "echo ab");
    assert_eq!(canon("echo a \\\n b"), "echo a b");
    assert_eq!(canon("\\\necho x"), "echo x");
}

#[test]
fn parameters() {
    assert_eq!(word("$X").parts, vec![param("X", false)]);
    assert_eq!(
        word("${X}y").parts,
        vec![param("X", false), lit("y", false)]
    );
    assert_eq!(
        word("$X_y1-").parts,
        vec![param("X_y1", false), lit("-", false)]
    );
    assert_eq!(word("\"$X\"").parts, vec![param("X", true)]);
    assert_eq!(
        word("\"a$X b\"").parts,
        vec![lit("a", true), param("X", true), lit(" b", true)]
    );
    for special in ["?", "!", "$", "#", "@", "*", "-", "0", "9"] {
        assert_eq!(
            word(&format!("${special}")).parts,
            vec![param(special, false)]
        );
    }
    assert_eq!(word("$10").parts, vec![param("1", false), lit("0", false)]);
    assert_eq!(word("${10}").parts, vec![param("10", false)]);
    assert_eq!(word("${?}").parts, vec![param("?", false)]);
    // A `$` that starts nothing is a literal (stored quoted).
    assert_eq!(word("a$").parts, vec![lit("a", false), lit("$", true)]);
    assert_eq!(word("$/x").parts, vec![lit("$", true), lit("/x", false)]);
    assert_eq!(word("\"$\"").parts, vec![lit("$", true)]);
    assert_eq!(word("\"$'x'\"").parts, vec![lit("$'x'", true)]);
}

#[test]
fn tilde() {
    assert_eq!(word("~").parts, vec![WordPart::Tilde]);
    assert_eq!(word("~/x").parts, vec![WordPart::Tilde, lit("/x", false)]);
    assert_eq!(word("~user").parts, vec![lit("~user", false)]);
    assert_eq!(word("a~").parts, vec![lit("a~", false)]);
    assert_eq!(word("'~'").parts, vec![lit("~", true)]);
    assert_eq!(word("\\~").parts, vec![lit("~", true)]);
    assert_eq!(
        word("~\"/x\"").parts,
        vec![lit("~", false), lit("/x", true)]
    );
    let s = simple("A=~/bin B=~ C=a~");
    assert_eq!(
        s.assignments[0].value.parts,
        vec![WordPart::Tilde, lit("/bin", false)]
    );
    assert_eq!(s.assignments[1].value.parts, vec![WordPart::Tilde]);
    assert_eq!(s.assignments[2].value.parts, vec![lit("a~", false)]);
}

#[test]
fn literal_helper() {
    assert_eq!(word("'ec'ho").literal().as_deref(), Some("echo"));
    assert_eq!(word("[").literal().as_deref(), Some("["));
    assert_eq!(word("'*'").literal().as_deref(), Some("*"));
    assert_eq!(word("$X").literal(), None);
    assert_eq!(word("~").literal(), None);
    assert_eq!(word("*.rs").literal(), None);
    assert_eq!(word("a[bc]").literal(), None);
    assert!(word("'a'b").is_quoted());
    assert!(!word("ab").is_quoted());
}

#[test]
fn assignments() {
    let s = simple("A=1 B='x y' cmd C=3");
    assert_eq!(s.assignments.len(), 2);
    assert_eq!(s.assignments[0].name, "A");
    assert_eq!(s.assignments[0].value.parts, vec![lit("1", false)]);
    assert_eq!(s.assignments[1].value.parts, vec![lit("x y", true)]);
    assert_eq!(s.assignments[1].span, Span::new(4, 11));
    assert_eq!(s.assignments[1].value.span, Span::new(6, 11));
    assert_eq!(s.words.len(), 2);
    assert_eq!(s.words[1].literal().as_deref(), Some("C=3"));

    let s = simple("A= B=$X");
    assert!(s.words.is_empty());
    assert!(s.assignments[0].value.parts.is_empty());
    assert_eq!(s.assignments[1].value.parts, vec![param("X", false)]);
    // Not assignments.
    for src in ["'A'=1", "\\A=1", "1A=2", "=x", "A-B=1", "$A=1"] {
        let s = simple(src);
        assert!(s.assignments.is_empty(), "{src}");
        assert_eq!(s.words.len(), 1, "{src}");
    }
    // After a redirection, still before the command name.
    let s = simple(">f A=1 env");
    assert_eq!(s.assignments.len(), 1);
    assert_eq!(s.words.len(), 1);
}

#[test]
fn operators_and_precedence() {
    assert_eq!(canon("a|b|c"), "a | b | c");
    assert_eq!(canon("a&&b||c"), "a && b || c");
    assert_eq!(canon("a;b&c"), "a; b & c");
    assert_eq!(canon("a\nb\n\nc\n"), "a; b; c");
    assert_eq!(canon("a &&\n\n b ||\n c |\n d"), "a && b || c | d");

    let l = p("a | b && c || d & e; f");
    assert_eq!(l.items.len(), 3);
    assert!(l.items[0].background);
    assert!(!l.items[1].background);
    assert!(!l.items[2].background);
    let ao = &l.items[0].and_or;
    assert_eq!(ao.first.commands.len(), 2);
    assert_eq!(ao.rest.len(), 2);
    assert_eq!(ao.rest[0].0, Connector::And);
    assert_eq!(ao.rest[1].0, Connector::Or);
    assert_eq!(ao.pipelines().count(), 3);
}

#[test]
fn spans_for_jobs() {
    let src = "  sleep 30 | cat &  echo  'x y' ;";
    let l = p(src);
    assert_eq!(l.items[0].and_or.text(src), "sleep 30 | cat");
    assert_eq!(l.items[0].and_or.first.text(src), "sleep 30 | cat");
    assert_eq!(l.items[1].and_or.text(src), "echo  'x y'");
    assert_eq!(l.span.text(src), "sleep 30 | cat &  echo  'x y'");

    let src = "a && b | c & (d; e) >f &";
    let l = p(src);
    assert_eq!(l.items[0].and_or.text(src), "a && b | c");
    assert_eq!(l.items[0].and_or.rest[0].1.text(src), "b | c");
    assert_eq!(l.items[1].and_or.text(src), "(d; e) >f");
    assert!(l.items[1].background);

    let src = "échø 'ü' | wc &";
    assert_eq!(p(src).items[0].and_or.text(src), "échø 'ü' | wc");
    assert_eq!(Span::new(3, 999).text(src), "");
}

#[test]
fn groups() {
    let l = p("(a; b &) | c");
    let cmds = &l.items[0].and_or.first.commands;
    let Command::Group(g) = &cmds[0] else {
        panic!("expected a group")
    };
    assert_eq!(g.body.items.len(), 2);
    assert!(g.body.items[1].background);
    assert_eq!(canon("(a; b &) | c"), "( a; b & ) | c");
    assert_eq!(canon("( (a) ) 2>e >>o &"), "( ( a ) ) 2>e >>o &");
    assert_eq!(canon("(\n a\n b\n)"), "( a; b )");
    assert_eq!(canon("a && (b || c)"), "a && ( b || c )");
    let l = p("(x) >o");
    let Command::Group(g) = &l.items[0].and_or.first.commands[0] else {
        panic!("expected a group")
    };
    assert_eq!(g.redirections.len(), 1);
    assert_eq!(g.span, Span::new(0, 6));
    assert_eq!(l.items[0].and_or.first.commands[0].redirections().len(), 1);
}

#[test]
fn nesting_up_to_the_limit() {
    let deep = format!("{}a{}", "(".repeat(MAX_NESTING), ")".repeat(MAX_NESTING));
    let l = p(&deep);
    assert_eq!(l.items.len(), 1);
}

fn redir(src: &str) -> RedirectionKind {
    let s = simple(src);
    assert_eq!(s.redirections.len(), 1, "{src}");
    s.redirections[0].kind.clone()
}

#[test]
fn redirections() {
    let target = |k: &RedirectionKind| match k {
        RedirectionKind::Read { target, .. }
        | RedirectionKind::Write { target, .. }
        | RedirectionKind::WriteBoth { target, .. } => target.literal(),
        RedirectionKind::Duplicate { .. } => None,
    };
    let k = redir("cat <in");
    assert!(matches!(k, RedirectionKind::Read { fd: 0, .. }));
    assert_eq!(target(&k).as_deref(), Some("in"));
    assert!(matches!(
        redir("cat 0< in"),
        RedirectionKind::Read { fd: 0, .. }
    ));
    assert!(matches!(
        redir("cat 3<in"),
        RedirectionKind::Read { fd: 3, .. }
    ));
    assert!(matches!(
        redir("e > o"),
        RedirectionKind::Write {
            fd: 1,
            append: false,
            ..
        }
    ));
    assert!(matches!(
        redir("e 1>o"),
        RedirectionKind::Write {
            fd: 1,
            append: false,
            ..
        }
    ));
    assert!(matches!(
        redir("e >|o"),
        RedirectionKind::Write {
            fd: 1,
            append: false,
            ..
        }
    ));
    assert!(matches!(
        redir("e >>o"),
        RedirectionKind::Write {
            fd: 1,
            append: true,
            ..
        }
    ));
    assert!(matches!(
        redir("e 2>o"),
        RedirectionKind::Write {
            fd: 2,
            append: false,
            ..
        }
    ));
    assert!(matches!(
        redir("e 2>>o"),
        RedirectionKind::Write {
            fd: 2,
            append: true,
            ..
        }
    ));
    assert!(matches!(
        redir("e &>o"),
        RedirectionKind::WriteBoth { append: false, .. }
    ));
    assert!(matches!(
        redir("e &>>o"),
        RedirectionKind::WriteBoth { append: true, .. }
    ));
    assert!(matches!(
        redir("e >&o"),
        RedirectionKind::WriteBoth { append: false, .. }
    ));
    assert_eq!(
        redir("e 2>&1"),
        RedirectionKind::Duplicate { fd: 2, copy_of: 1 }
    );
    assert_eq!(
        redir("e >&2"),
        RedirectionKind::Duplicate { fd: 1, copy_of: 2 }
    );
    assert_eq!(
        redir("e 1>&2"),
        RedirectionKind::Duplicate { fd: 1, copy_of: 2 }
    );
    assert_eq!(
        redir("e >& 2"),
        RedirectionKind::Duplicate { fd: 1, copy_of: 2 }
    );
    assert_eq!(
        redir("e <&3"),
        RedirectionKind::Duplicate { fd: 0, copy_of: 3 }
    );
    assert_eq!(
        redir("e 4<&0"),
        RedirectionKind::Duplicate { fd: 4, copy_of: 0 }
    );
    // The digits must touch the operator and be unquoted.
    assert_eq!(simple("echo 2 >f").words.len(), 2);
    assert_eq!(simple("echo '2'>f").words.len(), 2);
    assert_eq!(simple("echo a2>f").words.len(), 2);
    // Order is kept; targets are words with expansions.
    let s = simple(">o 2>&1 cmd <\"$X\"");
    assert_eq!(s.words.len(), 1);
    assert_eq!(s.redirections.len(), 3);
    assert!(matches!(
        s.redirections[2].kind,
        RedirectionKind::Read { ref target, .. } if target.parts == vec![param("X", true)]
    ));
    assert_eq!(s.redirections[1].span, Span::new(3, 7));
    // Redirection-only command.
    let s = simple(">f");
    assert!(s.words.is_empty() && s.assignments.is_empty());
}

#[test]
fn unquoted_keywords_elsewhere_are_words() {
    assert_eq!(simple("echo if then fi { } !").words.len(), 7);
    assert_eq!(simple("'if' x").words.len(), 2);
    assert_eq!(simple("\\{ x").words.len(), 2);
    assert_eq!(simple("[ -f x ]").words.len(), 4);
    assert_eq!(simple("iffy").words.len(), 1);
}

#[test]
fn display_round_trips() {
    for src in [
        "echo 'a b' \"c $X d\" e\\ f",
        "A=1 B=\"x y\" cmd --flag=1 >o 2>&1 <i",
        "a | b && (c; d &) >>log || e &",
        "echo $? $! $$ ${10} $1x ${X}y \"${X}y\" a$",
        "echo ~ ~/x ~user '~' \"\" a\"\"",
        "echo $'tab\\there' \"q\\\"uote\" 'it'\\''s'",
        "printf '%s\\n' *.rs [a-c]* \\* \"*\"",
        "echo é ü 日本",
        "x &>o; y &>>o; z >&o",
    ] {
        let once = canon(src);
        assert_eq!(canon(&once), once, "from {src:?}");
    }
    assert_eq!(canon("echo \"$X\"y"), "echo \"$X\"y");
    assert_eq!(canon("echo $X\"\"y"), "echo $X\"\"y");
    assert_eq!(canon("echo \"${X}y\""), "echo \"${X}y\"");
}

#[test]
fn comments_hide_quotes_and_operators() {
    assert_eq!(canon("echo a # don't | stop"), "echo a");
    assert!(!is_incomplete("echo a # it's (unclosed"));
    // Not at a word start: part of the word, so the quote is open.
    assert!(is_incomplete("echo a#'"));
}

#[test]
fn continuation_lines_like_a_repl() {
    // The front end appends "\n" + the next line while the input is incomplete.
    let lines = ["echo 'one", "two' |", "", "tr a-z A-Z &&", "(echo x", ") &"];
    let mut buf = String::new();
    let mut parsed = None;
    for line in lines {
        if !buf.is_empty() {
            buf.push('\n');
        }
        buf.push_str(line);
        if !is_incomplete(&buf) {
            parsed = Some(p(&buf));
            break;
        }
    }
    let list = parsed.expect("complete after the last line");
    assert_eq!(list.items.len(), 1);
    assert!(list.items[0].background);
    assert_eq!(
        list.to_string(),
        "echo \"one\ntwo\" | tr a-z A-Z && ( echo x ) &"
    );
    let text = list.items[0].and_or.text(&buf);
    assert!(text.starts_with("echo 'one\ntwo' |") && text.ends_with("(echo x\n)"));
}

#[test]
fn for_each_word_visits_everything() {
    let l = p("A=$a b c >$d | (e 2>f) <g && h");
    let mut seen = Vec::new();
    for_each_word(&l, &mut |w| seen.push(w.to_string()));
    assert_eq!(seen, ["$a", "b", "c", "$d", "e", "f", "g", "h"]);
}
