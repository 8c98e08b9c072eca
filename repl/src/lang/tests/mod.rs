//! Front-end tests: trees, positions, errors, printing against bash.

use super::ast::*;
use super::*;

mod arith;
mod errors;
mod print_bash;
mod upstream;
mod words;

fn program(src: &str) -> Program {
    parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"))
}

/// The job text bash shows for the first command of `src`.
pub(super) fn job(src: &str) -> String {
    print::job_text(&program(src).body.items[0].and_or)
}

/// The only command of `src`.
fn only(src: &str) -> Command {
    let p = program(src);
    assert_eq!(p.body.items.len(), 1, "{src:?}");
    let ao = &p.body.items[0].and_or;
    assert!(ao.rest.is_empty(), "{src:?}");
    assert_eq!(ao.first.commands.len(), 1, "{src:?}");
    ao.first.commands[0].clone()
}

fn simple(src: &str) -> SimpleCommand {
    match only(src) {
        Command::Simple(s) => s,
        other => panic!("{src:?}: {other:?}"),
    }
}

fn compound(src: &str) -> (CompoundKind, Vec<Redirect>) {
    match only(src) {
        Command::Compound(c, r) => (c.kind, r),
        other => panic!("{src:?}: {other:?}"),
    }
}

fn raws(words: &[Word]) -> Vec<&str> {
    words.iter().map(|w| w.raw.as_str()).collect()
}

fn texts(l: &List) -> String {
    print::list(l)
}

#[test]
fn simple_command_keeps_assignments_words_and_redirections_in_order() {
    let s = simple("a=1 b+=2 c[3]=x echo hi >out there 2>&1");
    let names: Vec<_> = s
        .assignments
        .iter()
        .map(|a| (a.name.as_str(), a.append))
        .collect();
    assert_eq!(names, [("a", false), ("b", true), ("c", false)]);
    assert_eq!(
        s.assignments[2].index.as_ref().map(|w| w.raw.as_str()),
        Some("3")
    );
    assert_eq!(raws(&s.words), ["echo", "hi", "there"]);
    assert_eq!(s.redirects.len(), 2);
    assert!(matches!(&s.redirects[0].kind, RedirectKind::Write(w) if w.raw == "out"));
    assert!(matches!(&s.redirects[1].kind, RedirectKind::DupOut(w) if w.raw == "1"));
    assert_eq!(s.redirects[1].fd, Some(2));
}

#[test]
fn array_assignment_has_keys_and_values() {
    let s = simple("a=(x 'y z' [5]=w)");
    let AssignValue::Array(elems) = &s.assignments[0].value else {
        panic!("{s:?}");
    };
    let shown: Vec<_> = elems
        .iter()
        .map(|(k, v)| (k.as_ref().map(|k| k.raw.clone()), v.raw.clone()))
        .collect();
    assert_eq!(
        shown,
        [
            (None, "x".into()),
            (None, "'y z'".into()),
            (Some("5".into()), "w".into())
        ]
    );
}

#[test]
fn every_redirection_operator_and_fd() {
    let s = simple("c 3>f <i >>a 4<>rw >|cl <&3 >&- 2>&1 &>b &>>c <<<s 9<&- 10>x");
    let got: Vec<(i32, &str, &str)> = s
        .redirects
        .iter()
        .map(|r| {
            let (op, w) = match &r.kind {
                RedirectKind::Read(w) => ("<", w),
                RedirectKind::Write(w) => (">", w),
                RedirectKind::Append(w) => (">>", w),
                RedirectKind::ReadWrite(w) => ("<>", w),
                RedirectKind::Clobber(w) => (">|", w),
                RedirectKind::DupIn(w) => ("<&", w),
                RedirectKind::DupOut(w) => (">&", w),
                RedirectKind::OutErr(w) => ("&>", w),
                RedirectKind::AppendOutErr(w) => ("&>>", w),
                RedirectKind::HereString(w) => ("<<<", w),
                RedirectKind::HereDoc(_) => panic!("no here-doc here"),
            };
            (r.target_fd(), op, w.raw.as_str())
        })
        .collect();
    assert_eq!(
        got,
        [
            (3, ">", "f"),
            (0, "<", "i"),
            (1, ">>", "a"),
            (4, "<>", "rw"),
            (1, ">|", "cl"),
            (0, "<&", "3"),
            (1, ">&", "-"),
            (2, ">&", "1"),
            (1, "&>", "b"),
            (1, "&>>", "c"),
            (0, "<<<", "s"),
            (9, "<&", "-"),
            (10, ">", "x"),
        ]
    );
}

#[test]
fn here_documents_keep_body_delimiter_and_expansion() {
    let s = simple("cat <<EOF 3<<-'END'\nhi $x\nEOF\n\tlit $y\n\tEND\n");
    let docs: Vec<(&HereDoc, i32)> = s
        .redirects
        .iter()
        .filter_map(|r| match &r.kind {
            RedirectKind::HereDoc(h) => Some((h, r.target_fd())),
            _ => None,
        })
        .collect();
    assert_eq!(docs.len(), 2);
    let (a, fd_a) = docs[0];
    assert_eq!(
        (a.delimiter.as_str(), a.strip_tabs, fd_a),
        ("EOF", false, 0)
    );
    let HereDocBody::Expand(w) = &a.body else {
        panic!("{a:?}")
    };
    assert_eq!(w.raw, "hi $x\n");
    assert!(w
        .parts
        .iter()
        .any(|p| matches!(p, WordPart::Param(e) if e.param == Param::Named("x".into()))));
    let (b, fd_b) = docs[1];
    assert_eq!(
        (b.delimiter.as_str(), b.strip_tabs, fd_b),
        ("'END'", true, 3)
    );
    assert_eq!(b.body, HereDocBody::Literal("lit $y\n".into()));
}

#[test]
fn pipelines_bang_time_and_pipe_ampersand() {
    let p = program("! a | b |& c");
    let pl = &p.body.items[0].and_or.first;
    assert!(pl.bang);
    assert_eq!(pl.commands.len(), 3);
    let Command::Simple(b) = &pl.commands[1] else {
        panic!()
    };
    assert!(
        matches!(&b.redirects[..], [r] if r.fd == Some(2) && matches!(&r.kind, RedirectKind::DupOut(w) if w.raw == "1"))
    );
    assert_eq!(
        program("time a | b").body.items[0].and_or.first.timed,
        Some(Timed::Bash)
    );
    assert_eq!(
        program("time -p a").body.items[0].and_or.first.timed,
        Some(Timed::Posix)
    );
}

#[test]
fn and_or_lists_and_background_marks() {
    let p = program("a && b || c & d; e &\nf");
    let items = &p.body.items;
    let bg: Vec<bool> = items.iter().map(|i| i.background).collect();
    assert_eq!(bg, [true, false, true, false]);
    let ops: Vec<Connector> = items[0].and_or.rest.iter().map(|(c, _)| *c).collect();
    assert_eq!(ops, [Connector::And, Connector::Or]);
    assert_eq!(texts(&p.body), "a && b || c & d; e & f");
    // `&` after a compound command marks the whole compound.
    let p = program("for i in 1 2 3; do sleep $i & done & wait");
    assert!(p.body.items[0].background);
    let (CompoundKind::For { body, .. }, _) = ({
        let Command::Compound(c, r) = &p.body.items[0].and_or.first.commands[0] else {
            panic!()
        };
        (c.kind.clone(), r.clone())
    }) else {
        panic!()
    };
    assert!(body.items[0].background);
}

#[test]
fn if_elif_else() {
    let (
        CompoundKind::If {
            branches,
            otherwise,
        },
        _,
    ) = compound("if a; then b; elif c; then d; elif e; then f; else g; fi")
    else {
        panic!()
    };
    let shown: Vec<(String, String)> = branches.iter().map(|(c, b)| (texts(c), texts(b))).collect();
    assert_eq!(
        shown,
        [
            ("a".into(), "b".into()),
            ("c".into(), "d".into()),
            ("e".into(), "f".into())
        ]
    );
    assert_eq!(otherwise.as_ref().map(texts).as_deref(), Some("g"));
    let (
        CompoundKind::If {
            branches,
            otherwise,
        },
        _,
    ) = compound("if a\nthen b\nfi")
    else {
        panic!()
    };
    assert_eq!(branches.len(), 1);
    assert!(otherwise.is_none());
}

#[test]
fn for_loops() {
    let (CompoundKind::For { name, words, body }, _) =
        compound("for f in *.log \"a b\"; do echo $f; done")
    else {
        panic!()
    };
    assert_eq!(name, "f");
    assert_eq!(words.as_deref().map(raws), Some(vec!["*.log", "\"a b\""]));
    assert_eq!(texts(&body), "echo $f");
    let (CompoundKind::For { words, .. }, _) = compound("for x; do :; done") else {
        panic!()
    };
    assert!(words.is_none());
    let (CompoundKind::For { words, .. }, _) = compound("for x in; do :; done") else {
        panic!()
    };
    assert_eq!(
        words.map(|w| w.len()),
        Some(0).filter(|_| false).or(words_len_none_or_zero())
    );
}

/// `for x in; do` has an empty word list (bash: no iterations).
fn words_len_none_or_zero() -> Option<usize> {
    match compound("for x in; do :; done").0 {
        CompoundKind::For { words, .. } => words.map(|w| w.len()),
        _ => None,
    }
}

#[test]
fn arithmetic_for_keeps_its_three_clauses() {
    let (
        CompoundKind::ArithFor {
            init,
            cond,
            step,
            body,
        },
        _,
    ) = compound("for ((i=0; i<3; i++)); do echo $i; done")
    else {
        panic!()
    };
    let t = |a: &Option<Arith>| a.as_ref().map(|a| a.text.clone());
    assert_eq!(
        (t(&init), t(&cond), t(&step)),
        (Some("i=0".into()), Some("i<3".into()), Some("i++".into()))
    );
    assert_eq!(texts(&body), "echo $i");
    let (
        CompoundKind::ArithFor {
            init, cond, step, ..
        },
        _,
    ) = compound("for ((;;)); do break; done")
    else {
        panic!()
    };
    assert_eq!((init, cond, step), (None, None, None));
    let (CompoundKind::ArithFor { cond, .. }, _) = compound("for ((i=0;;i++)) { break; }") else {
        panic!()
    };
    assert_eq!(cond, None);
}

#[test]
fn while_and_until() {
    let (CompoundKind::While { cond, body }, _) =
        compound("while read -r l; do echo \"$l\"; done < f")
    else {
        panic!()
    };
    assert_eq!(
        (texts(&cond), texts(&body)),
        ("read -r l".into(), "echo \"$l\"".into())
    );
    let (CompoundKind::Until { cond, .. }, redirects) =
        compound("until false; do :; done 2>/dev/null")
    else {
        panic!()
    };
    assert_eq!(texts(&cond), "false");
    assert_eq!(redirects.len(), 1);
}

#[test]
fn case_arms_and_terminators() {
    let (CompoundKind::Case { word, arms }, _) =
        compound("case $x in (a|b) echo 1;; c) echo 2;& *.txt) ;;& *) echo 4\nesac")
    else {
        panic!()
    };
    assert_eq!(word.raw, "$x");
    let shown: Vec<(Vec<&str>, String, CaseEnd)> = arms
        .iter()
        .map(|a| (raws(&a.patterns), texts(&a.body), a.end))
        .collect();
    assert_eq!(
        shown,
        [
            (vec!["a", "b"], "echo 1".into(), CaseEnd::Break),
            (vec!["c"], "echo 2".into(), CaseEnd::FallThrough),
            (vec!["*.txt"], String::new(), CaseEnd::Continue),
            (vec!["*"], "echo 4".into(), CaseEnd::Break),
        ]
    );
}

#[test]
fn groups_and_subshells_with_redirections() {
    let (CompoundKind::Brace(l), r) = compound("{ a; b; } >out") else {
        panic!()
    };
    assert_eq!((texts(&l), r.len()), ("a; b".into(), 1));
    let (CompoundKind::Subshell(l), r) = compound("(a & b) 2>&1") else {
        panic!()
    };
    assert_eq!((texts(&l), r.len()), ("a & b".into(), 1));
}

#[test]
fn double_bracket_is_a_tree() {
    let (CompoundKind::Cond(e), _) = compound("[[ -f $f && ( $a == x* || ! $b =~ ^[0-9]+$ ) ]]")
    else {
        panic!()
    };
    let CondExpr::And(l, r) = e else {
        panic!("{e:?}")
    };
    assert!(matches!(&*l, CondExpr::Unary(op, w) if op == "-f" && w.raw == "$f"));
    let CondExpr::Group(g) = *r else { panic!() };
    let CondExpr::Or(a, b) = *g else { panic!() };
    assert!(
        matches!(&*a, CondExpr::Binary(op, l, r) if op == "==" && l.raw == "$a" && r.raw == "x*")
    );
    let CondExpr::Not(re) = *b else { panic!() };
    assert!(matches!(&*re, CondExpr::Binary(op, _, _) if op == "=~"));
    let (CompoundKind::Cond(e), _) = compound("[[ $a -lt 3 ]]") else {
        panic!()
    };
    assert!(matches!(e, CondExpr::Binary(op, _, _) if op == "-lt"));
}

#[test]
fn arithmetic_command_keeps_its_text() {
    let (CompoundKind::Arith(a), _) = compound("(( x = y ** 2, z++ ))") else {
        panic!()
    };
    assert_eq!(a.text, " x = y ** 2, z++ ");
}

#[test]
fn function_definitions_both_forms() {
    for (src, name, body) in [
        ("f() { echo a; }", "f", "{ echo a; }"),
        ("function g { echo b; } >log", "g", "{ echo b; } > log"),
        ("function h() ( echo c )", "h", "( echo c )"),
    ] {
        let Command::Function(f) = only(src) else {
            panic!("{src:?}")
        };
        assert_eq!(f.name, name);
        assert_eq!(print::command(&f.body), body, "{src:?}");
        assert_eq!(f.span.start.column, 1, "{src:?}");
    }
}

#[test]
fn coproc_is_refused_by_name() {
    let e = parse("coproc cat").map(|_| ()).unwrap_err();
    assert!(
        matches!(e, SyntaxError::Unsupported { what: "coproc", .. }),
        "{e:?}"
    );
}

#[test]
fn positions_are_lines_and_columns_of_the_whole_text() {
    let p = program("echo a\n  if x; then\n    y $(z \"w\")\n  fi");
    let item = &p.body.items[1];
    assert_eq!((item.span.start.line, item.span.start.column), (2, 3));
    let (CompoundKind::If { branches, .. }, _) = ({
        let Command::Compound(c, r) = &item.and_or.first.commands[0] else {
            panic!()
        };
        (c.kind.clone(), r.clone())
    }) else {
        panic!()
    };
    let Command::Simple(y) = &branches[0].1.items[0].and_or.first.commands[0] else {
        panic!()
    };
    assert_eq!((y.span.start.line, y.span.start.column), (3, 5));
    let WordPart::CommandSubst { program: inner, .. } = &y.words[1].parts[0] else {
        panic!()
    };
    let Command::Simple(z) = &inner.body.items[0].and_or.first.commands[0] else {
        panic!()
    };
    assert_eq!(
        (z.words[1].span.start.line, z.words[1].span.start.column),
        (3, 11)
    );
    assert_eq!(
        z.words[1]
            .span
            .text("echo a\n  if x; then\n    y $(z \"w\")\n  fi"),
        "\"w\""
    );
    // After `for ((;;))` (patched before brush sees it), columns still match the text.
    let p = program("for ((;;)); do x; done");
    let Command::Compound(c, _) = &p.body.items[0].and_or.first.commands[0] else {
        panic!()
    };
    let CompoundKind::ArithFor { body, .. } = &c.kind else {
        panic!()
    };
    assert_eq!(body.items[0].span.start.column, 16);
}

#[test]
fn redirection_spans_cover_the_operator() {
    let src = "cmd  2>>log";
    let s = simple(src);
    assert_eq!(s.redirects[0].span.text(src), "2>>log");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    /// Any text: no panic, and what parses prints to a stable form.
    #[test]
    fn arbitrary_text_never_panics(src in "[a-z$(){}\\[\\]|&;<>'\"`\\\\!#*?~=:+%/^,@ \t\n0-9-]{0,60}") {
        fuzz_entry(src.as_bytes());
    }

    /// Shell-shaped text built from keywords and operators.
    #[test]
    fn keyword_soup_never_panics(parts in proptest::collection::vec(proptest::sample::select(vec![
        "if", "then", "elif", "else", "fi", "for", "in", "do", "done", "while", "until", "case", "esac",
        ";;", ";&", ";;&", "{", "}", "(", ")", "((", "))", "[[", "]]", "!", "|", "|&", "&&", "||", "&",
        ";", "\n", "x", "$x", "${x:-y}", "$(a)", "`b`", "$((1+2))", "<<EOF\nbody\nEOF\n", ">f", "2>&1",
        "function", "f()", "time", "\"q $y\"", "'s'", "a=1", "*", "{a,b}", "~",
    ]), 0..24)) {
        fuzz_entry(parts.join(" ").as_bytes());
    }
}

#[test]
fn a_subscript_with_metacharacters_is_one_assignment() {
    let s = simple("a[5&3]=x b[(1+2)*3]+=y echo a[1]");
    let subs: Vec<_> = s
        .assignments
        .iter()
        .map(|a| (a.name.as_str(), a.index.as_ref().map(|w| w.raw.as_str())))
        .collect();
    assert_eq!(subs, [("a", Some("5&3")), ("b", Some("(1+2)*3"))]);
    assert_eq!(s.span.start.column, 1);
    assert_eq!(raws(&s.words), ["echo", "a[1]"]);
}

#[test]
fn a_reserved_word_after_an_assignment_is_a_word() {
    let e = crate::lang::parse("FOO=bar for i in 1; do echo; done").unwrap_err();
    let crate::lang::SyntaxError::UnexpectedToken { token, pos } = e else {
        panic!("{e:?}");
    };
    assert_eq!((token.as_str(), pos.column), ("do", 21));
    let e = crate::lang::parse("a= (1 2)").unwrap_err();
    assert!(
        matches!(&e, crate::lang::SyntaxError::UnexpectedToken { token, pos } if token == "(" && pos.column == 4),
        "{e:?}"
    );
}

#[test]
fn a_simple_command_is_on_the_line_bash_counts() {
    let line = |src: &str| simple(src).line;
    assert_eq!(line("echo hi"), 1);
    assert_eq!(line("\necho \"a\nb\" c"), 3);
    assert_eq!(line("cmd >\"a\nb\" c"), 1);
    assert_eq!(line("cmd \\\n x"), 2);
    assert_eq!(line("x=1 cmd \"a\nb\""), 1);
    assert_eq!(line("cmd <<EOF\nz\nEOF\n"), 1);
}
