//! Focused cases: field splitting with other IFS values, errors, the
//! string, pattern, here-document, redirection and arithmetic entry points.
//! Every expected value is bash 5.2's on this machine.

use super::*;

fn run(env: &mut TestEnv, src: &str) -> String {
    shown(env, src).unwrap_or_else(|e| format!("error: {e}"))
}

fn with(vars: &[(&str, &str)], src: &str) -> String {
    let mut env = TestEnv::empty();
    for (k, v) in vars {
        env.set(k, v);
    }
    run(&mut env, src)
}

fn err(env: &mut TestEnv, src: &str) -> ExpandError {
    match block(fields(env, &words(src))) {
        Err(e) => e,
        Ok(f) => panic!("{src:?}: expected an error, got {f:?}"),
    }
}

fn set_pos(env: &mut TestEnv, p: &[&str]) {
    env.pos = p.iter().map(|s| s.to_string()).collect();
}

#[test]
fn custom_ifs() {
    let c = [
        (vec![("IFS", ":"), ("x", "a:b::c:")], "$x", "4:<a><b><><c>"),
        (
            vec![("IFS", ":"), ("x", "a:b::c:")],
            r#""$x""#,
            "1:<a:b::c:>",
        ),
        (vec![("IFS", ""), ("x", "a b")], "$x", "1:<a b>"),
        (vec![("IFS", ""), ("x", "")], "$x", "0:<>"),
        (
            vec![("IFS", ", "), ("x", "a, b,,c , d")],
            "$x",
            "5:<a><b><><c><d>",
        ),
        (vec![("IFS", ":"), ("x", ":a")], "$x", "2:<><a>"),
        (
            vec![("IFS", ":"), ("x", "a"), ("y", "b:c")],
            "$x$y",
            "2:<ab><c>",
        ),
        (
            vec![("IFS", "x"), ("x", "axbxc")],
            "$x ${x}y",
            "6:<a><b><c><a><b><cy>",
        ),
        (vec![("x", " a  b ")], "$x", "2:<a><b>"),
        (vec![("IFS", " "), ("x", "a\tb c")], "$x", "2:<a\tb><c>"),
        (vec![("IFS", ":"), ("x", "::")], "$x", "2:<><>"),
        (vec![("IFS", " :"), ("x", " : a")], "$x", "2:<><a>"),
        (vec![("IFS", " :"), ("x", "a : b")], "$x", "2:<a><b>"),
        (vec![("IFS", " :"), ("x", "a :: b")], "$x", "3:<a><><b>"),
    ];
    for (vars, src, want) in c {
        assert_eq!(with(&vars, src), want, "{vars:?} {src}");
    }
}

#[test]
fn positional_words_and_ifs() {
    let mut env = TestEnv::empty();
    env.set("IFS", ":");
    set_pos(&mut env, &["a:b", "c"]);
    assert_eq!(
        run(&mut env, r#"$@ "$*" $*"#),
        "7:<a><b><c><a:b:c><a><b><c>"
    );
    set_pos(&mut env, &["a", ":b"]);
    assert_eq!(run(&mut env, "$@"), "3:<a><><b>");
    env.set("IFS", "");
    set_pos(&mut env, &["a b", "c"]);
    assert_eq!(run(&mut env, r#""$*" $* $@"#), "5:<a bc><a b><c><a b><c>");
    env.vars.remove("IFS");
    assert_eq!(run(&mut env, r#""$*""#), "1:<a b c>");
    set_pos(&mut env, &[]);
    assert_eq!(run(&mut env, r#""$@" "$*" $@ $*"#), "1:<>");
    assert_eq!(run(&mut env, r#""$@""""#), "1:<>");
    env.set("x", "");
    assert_eq!(run(&mut env, r#""$@$x""#), "1:<>");
    set_pos(&mut env, &["a"]);
    assert_eq!(run(&mut env, r#""$@$@" "x$@""#), "2:<aa><xa>");
    set_pos(&mut env, &["ab", "cd"]);
    assert_eq!(
        run(&mut env, r#""${@/b/B}" ${@%d} "${*^}""#),
        "5:<aB><cd><ab><c><Ab Cd>"
    );
    assert_eq!(run(&mut env, "${#@} ${#*} ${#1}"), "3:<2><2><2>");
}

#[test]
fn empty_lists_and_defaults() {
    let mut env = TestEnv::empty();
    assert_eq!(run(&mut env, r#""<${@-x}>" "<${@:-x}>""#), "2:<<x>><<x>>");
    set_pos(&mut env, &[""]);
    assert_eq!(
        run(&mut env, r#""<${@-x}>" "<${@:-x}>" "<${*:-x}>""#),
        "3:<<>><<x>><<x>>"
    );
    set_pos(&mut env, &["", ""]);
    assert_eq!(run(&mut env, r#""<${@:-x}>" "${@:-x}""#), "4:<<><>><><>");
    env.vars.insert("a".into(), Value::Indexed(vec![]));
    assert_eq!(run(&mut env, r#""${a[@]}" "${a[*]}""#), "1:<>");
}

#[test]
fn array_operators() {
    let mut env = TestEnv::empty();
    env.vars.insert(
        "a".into(),
        Value::Indexed(vec![(0, "1".into()), (1, "2 3".into())]),
    );
    assert_eq!(
        run(
            &mut env,
            r#""${a[@]/2/x}" "${a[@]^^}" ${a[@]#1} "${#a[1]}""#
        ),
        "7:<1><x 3><1><2 3><2><3><3>"
    );
    let five = ["a", "b", "c", "d", "e"];
    env.vars.insert(
        "a".into(),
        Value::Indexed(
            five.iter()
                .enumerate()
                .map(|(i, s)| (i, s.to_string()))
                .collect(),
        ),
    );
    assert_eq!(
        run(&mut env, r#"${a[@]:1:2} ${a[@]: -2} ${a[*]:1} "${a[*]:1}""#),
        "9:<b><c><d><e><b><c><d><e><b c d e>"
    );
}

#[test]
fn assign_default() {
    let mut env = TestEnv::empty();
    env.set("x", "abc");
    assert_eq!(run(&mut env, "${x:=no}"), "1:<abc>");
    env.vars.remove("x");
    assert_eq!(run(&mut env, "${x:=new}"), "1:<new>");
    assert_eq!(env.scalar("x").as_deref(), Some("new"));
    env.vars.remove("x");
    assert_eq!(run(&mut env, r#""${x:=a b}""#), "1:<a b>");
    env.vars.remove("x");
    assert_eq!(run(&mut env, "${x:=c d}"), "2:<c><d>");
    assert_eq!(env.scalar("x").as_deref(), Some("c d"));
    assert_eq!(run(&mut env, "${a[2]:=two}"), "1:<two>");
    assert_eq!(
        env.value("a"),
        Some(Value::Indexed(vec![(2, "two".into())]))
    );
    let e = err(&mut env, "${1:=a}");
    assert_eq!(e.to_string(), "$1: cannot assign in this way");
    let e = err(&mut env, "${RO:=2}");
    assert_eq!(e.to_string(), "RO: readonly variable");
}

#[test]
fn string_operators() {
    let c = [
        ("x", "abc", "${x^^[ab]} ${x,,} ${x^b}", "3:<ABc><abc><abc>"),
        (
            "x",
            "aaa",
            "${x/a/b} ${x//a/b} ${x//a*/b} ${x/%a/b} ${x/#a/b}",
            "5:<baa><bbb><b><aab><baa>",
        ),
        (
            "x",
            "a*b",
            r#""${x/\*/-}" ${x/"*"/-} ${x//[*]/-}"#,
            "3:<a-b><a-b><a-b>",
        ),
        (
            "x",
            "/a/b/c",
            "${x%/*} ${x##*/} ${x#*/} ${x%%/*}",
            "3:</a/b><c><a/b/c>",
        ),
        (
            "x",
            "AbC",
            "${x,} ${x,,} ${x^} ${x^^}",
            "4:<abC><abc><AbC><ABC>",
        ),
        ("x", "abcdef", "${x:(-3):2} ${x: -10} ${x:7}", "1:<de>"),
        (
            "x",
            "abc",
            "${x/b/[&]} ${x/b/[\\&]} \"${x/b/[&]}\" ${x/b/\"[&]\"}",
            "4:<a[b]c><a[&]c><a[b]c><a[&]c>",
        ),
        (
            "x",
            "abc",
            "${x//} ${x/#/X} ${x/%/X} ${x//b*/X}",
            "4:<abc><Xabc><abcX><aX>",
        ),
        ("x", "a\nb", r#""${x@Q}""#, "1:<$'a\\nb'>"),
        ("y", "a b", r#""${y@A}""#, "1:<y='a b'>"),
        ("z", "t\\tx", r#""${z@E}""#, "1:<t\tx>"),
    ];
    for (k, v, src, want) in c {
        assert_eq!(with(&[(k, v)], src), want, "{k}={v:?} {src}");
    }
    assert_eq!(
        with(&[("x", "abcdef"), ("n", "-3")], "${x:n} ${x:2:n}"),
        "2:<def><c>"
    );
    assert_eq!(
        with(
            &[("p", "*"), ("x", "abc")],
            r#"${x#$p} ${x##$p} "${x#"$p"}""#
        ),
        "2:<abc><abc>"
    );
}

#[test]
fn indirection() {
    let mut env = TestEnv::empty();
    env.set("x", "y");
    env.set("y", "z");
    assert_eq!(run(&mut env, "${!x} ${!x/z/w}"), "2:<z><w>");
    env.set("x", "a b");
    assert_eq!(
        err(&mut env, "${!x}").to_string(),
        "a b: invalid variable name"
    );
    env.set("x", "");
    assert_eq!(
        err(&mut env, "${!x}").to_string(),
        ": invalid variable name"
    );
    env.vars.remove("x");
    assert_eq!(
        err(&mut env, "${!x}").to_string(),
        "x: invalid indirect expansion"
    );
}

#[test]
fn nounset() {
    let mut env = TestEnv::empty();
    env.opts.push(ExpandOption::NoUnset);
    let cases = [
        ("$x", "x: unbound variable"),
        ("$1", "$1: unbound variable"),
        ("$!", "$!: unbound variable"),
        ("${#x}", "x: unbound variable"),
        ("${x#a}", "x: unbound variable"),
        ("${#a[@]}", "a: unbound variable"),
        ("$((u+1))", "u: unbound variable"),
    ];
    for (src, msg) in cases {
        let e = err(&mut env, src);
        assert_eq!(e.to_string(), msg, "{src}");
        assert!(e.is_fatal());
        assert_eq!(e.status(), 127);
    }
    env.vars
        .insert("a".into(), Value::Indexed(vec![(0, "1".into())]));
    assert_eq!(
        err(&mut env, "${a[3]}").to_string(),
        "a[3]: unbound variable"
    );
    env.vars.remove("a");
    assert_eq!(
        run(&mut env, r#"${u:-ok} ${u+set} "${@}" "$#""#),
        "2:<ok><0>"
    );
    assert_eq!(run(&mut env, r#""${a[@]}" $@ $*"#), "0:<>");
}

#[test]
fn error_messages_and_statuses() {
    let mut env = TestEnv::empty();
    let cases = [
        ("${x:?}", "x: parameter null or not set", 127),
        ("${x?}", "x: parameter not set", 127),
        ("${x:?my msg}", "x: my msg", 127),
        ("${a[1]:?}", "a[1]: parameter null or not set", 127),
        ("${1:?}", "1: parameter null or not set", 127),
        ("${x!}", "${x!}: bad substitution", 1),
        ("$((1/0))", "1/0: division by 0 (error token is \"0\")", 1),
        (
            "$((5/(2-2)))",
            "5/(2-2): division by 0 (error token is \"(2-2)\")",
            1,
        ),
        (
            "$((x/0+3))",
            "x/0+3: division by 0 (error token is \"0+3\")",
            1,
        ),
        (
            "$((2**-1))",
            "2**-1: exponent less than 0 (error token is \"1\")",
            1,
        ),
        (
            "$((1+))",
            "1+: syntax error: operand expected (error token is \"+\")",
            1,
        ),
        (
            "$((1 + 2 +))",
            "1 + 2 +: syntax error: operand expected (error token is \"+\")",
            1,
        ),
        (
            "$(( 1 2 ))",
            "1 2 : syntax error in expression (error token is \"2 \")",
            1,
        ),
        (
            "$((a b c))",
            "a b c: syntax error in expression (error token is \"b c\")",
            1,
        ),
        (
            "${x:=$((1/0))}",
            "1/0: division by 0 (error token is \"0\")",
            1,
        ),
    ];
    for (src, msg, status) in cases {
        let e = err(&mut env, src);
        assert_eq!(e.to_string(), msg, "{src}");
        assert_eq!(e.is_fatal(), status == 127, "{src}");
        assert!(e.discards(), "{src}");
        assert_eq!(e.status(), status, "{src}");
    }
    env.set("x", "1 +");
    let e = err(&mut env, "$((x))");
    assert_eq!(
        e.to_string(),
        "1 +: syntax error: operand expected (error token is \"+\")"
    );
    env.vars.remove("x");
    let e = err(&mut env, "${x:-$(false)}");
    assert!(!e.is_fatal(), "a failed $(…) start is not fatal");
}

#[test]
fn string_context() {
    let mut env = TestEnv::standard();
    let s = |env: &mut TestEnv, src: &str| block(string(env, &word(src))).unwrap();
    assert_eq!(s(&mut env, "$x"), "a b");
    env.set("z", "a  b");
    assert_eq!(s(&mut env, "$z"), "a  b");
    assert_eq!(s(&mut env, "$star"), "*");
    assert_eq!(s(&mut env, "$@"), "p 1 p2  p4 5 6 7 8 9 ten");
    env.set("IFS", "-");
    set_pos(&mut env, &["a", "b"]);
    assert_eq!(s(&mut env, "$*"), "a-b");
    assert_eq!(s(&mut env, r#""$*""#), "a-b");
    assert_eq!(s(&mut env, r#""$@""#), "a b");
    assert_eq!(s(&mut env, "{a,b}"), "{a,b}");
    assert_eq!(s(&mut env, "$e"), "");
    // Assignment values: tilde after `=` and `:` (the front end marks them).
    let p = crate::lang::parse("z=~/a:~/b").unwrap();
    let Command::Simple(c) = &p.body.items[0].and_or.first.commands[0] else {
        panic!()
    };
    let crate::lang::ast::AssignValue::Scalar(w) = &c.assignments[0].value else {
        panic!()
    };
    assert_eq!(block(string(&mut env, w)).unwrap(), "/home/u/a:/home/u/b");
}

#[test]
fn heredoc_body() {
    let mut env = TestEnv::standard();
    let p = crate::lang::parse(
        "cat <<E\na $HOME \"q\" 's' \\$ \\a \\\\ \\` $(echo x) $((1+1)) ${y}\nE\n",
    )
    .unwrap();
    let Command::Simple(c) = &p.body.items[0].and_or.first.commands[0] else {
        panic!()
    };
    let crate::lang::ast::RedirectKind::HereDoc(h) = &c.redirects[0].kind else {
        panic!()
    };
    let crate::lang::ast::HereDocBody::Expand(w) = &h.body else {
        panic!()
    };
    assert_eq!(
        block(heredoc(&mut env, w)).unwrap(),
        "a /home/u \"q\" 's' $ \\a \\ ` x 2 hello\n"
    );
}

#[test]
fn patterns() {
    let mut env = TestEnv::empty();
    let pat = |env: &mut TestEnv, src: &str| block(pattern(env, &word(src))).unwrap();
    assert!(pat(&mut env, "a*").matches("abc"));
    assert!(pat(&mut env, "a?c").matches("abc"));
    assert!(!pat(&mut env, r#""a?c""#).matches("abc"));
    assert!(pat(&mut env, r#""a?c""#).matches("a?c"));
    assert!(!pat(&mut env, r"a\*").matches("abc"));
    assert!(pat(&mut env, r"a\*").matches("a*"));
    env.set("p", "a*");
    assert!(pat(&mut env, "$p").matches("abc"));
    assert!(!pat(&mut env, r#""$p""#).matches("abc"));
    assert!(pat(&mut env, "[a-c]x").matches("bx"));
    assert!(pat(&mut env, "[!a-c]x").matches("dx"));
    assert!(!pat(&mut env, "[!a-c]x").matches("bx"));
    assert!(pat(&mut env, "[[:digit:]]*").matches("7up"));
    assert!(!pat(&mut env, "[[:digit:]]*").matches("up"));
    assert!(pat(&mut env, "[]]").matches("]"));
    assert!(pat(&mut env, "[ab").matches("[ab"));
    assert!(pat(&mut env, "*é").matches("été"));
    env.opts.push(ExpandOption::ExtGlob);
    let cases = [
        ("@(x|abc)", "abc", true),
        ("+(a)", "aaa", true),
        ("+(a)", "", false),
        ("!(a)", "b", true),
        ("!(a)", "a", false),
        ("?(a)b", "b", true),
        ("*(ab)c", "ababc", true),
        ("*(ab)c", "abac", false),
        ("a@(b|c)d", "acd", true),
    ];
    for (src, text, want) in cases {
        let w = crate::lang::parse(&format!("case x in {src}) ;; esac"));
        // brush reads extglob only when asked; build the pattern from its text.
        let _ = w;
        let p = Pattern::compile(src, pattern::Quoted(&[]), true, false);
        assert_eq!(p.matches(text), want, "{src} ~ {text}");
    }
    let p = Pattern::compile("*(.tar|.gz)", pattern::Quoted(&[]), true, false);
    assert_eq!(p.match_suffix("foo.tar.gz", true), Some(3));
}

#[test]
fn prefix_suffix_and_find() {
    let p = Pattern::compile("*/", pattern::Quoted(&[]), false, false);
    assert_eq!(p.match_prefix("/a/b/c", false), Some(1));
    assert_eq!(p.match_prefix("/a/b/c", true), Some(5));
    let p = Pattern::compile(".*", pattern::Quoted(&[]), false, false);
    assert_eq!(p.match_suffix("f.tar.gz", false), Some(5));
    assert_eq!(p.match_suffix("f.tar.gz", true), Some(1));
    let p = Pattern::compile("b*", pattern::Quoted(&[]), false, false);
    assert_eq!(p.find("abcb", 0, false), Some((1, 4)));
    assert!(Pattern::literal("a*").matches("a*"));
}

#[test]
fn redirect_targets() {
    let mut env = TestEnv::standard();
    let r = |env: &mut TestEnv, src: &str| block(redirect_target(env, &word(src)));
    assert_eq!(r(&mut env, "$y.txt").unwrap(), "hello.txt");
    assert_eq!(r(&mut env, r#""$x""#).unwrap(), "a b");
    assert_eq!(
        r(&mut env, "$x").unwrap_err().to_string(),
        "$x: ambiguous redirect"
    );
    let e = r(&mut env, "$e").unwrap_err();
    assert_eq!(e.to_string(), "$e: ambiguous redirect");
    assert!(!e.is_fatal());
    assert_eq!(e.status(), 1);
}

#[test]
fn arithmetic_entry_point() {
    let mut env = TestEnv::standard();
    let a = |src: &str| crate::lang::ast::Arith {
        text: src.into(),
        span: Default::default(),
    };
    assert_eq!(block(arith(&mut env, &a("n + 1"))).unwrap(), 6);
    assert_eq!(block(arith(&mut env, &a("$n * ${n}"))).unwrap(), 25);
    assert_eq!(block(arith(&mut env, &a("i = 4, i += 2"))).unwrap(), 6);
    assert_eq!(env.scalar("i").as_deref(), Some("6"));
    assert_eq!(block(arith(&mut env, &a("a[1] = 9"))).unwrap(), 9);
    assert_eq!(block(arith(&mut env, &a("a[1] + a[-2]"))).unwrap(), 18);
    assert_eq!(block(arith(&mut env, &a("$(echo 4) * 2"))).unwrap(), 8);
    assert_eq!(block(arith(&mut env, &a("\"1\" + 2"))).unwrap(), 3);
}

#[test]
fn tildes() {
    let mut env = TestEnv::empty();
    env.set("PWD", "/tmp");
    env.set("OLDPWD", "/old");
    env.set("HOME", "/home/u");
    assert_eq!(
        run(&mut env, "~- ~+ ~0 ~1 ~-0"),
        "5:</old></tmp></tmp><~1></tmp>"
    );
    assert_eq!(
        run(&mut env, "x=~root y=~/a:~/b:~- ~root/x"),
        "3:<x=/root><y=/home/u/a:/home/u/b:/old></root/x>"
    );
    assert_eq!(
        run(&mut env, "--prefix=~ x=a~ 1x=~"),
        "3:<--prefix=~><x=a~><1x=~>"
    );
    env.vars.remove("OLDPWD");
    assert_eq!(run(&mut env, "~-"), "1:<~->");
    env.set("HOME", "");
    assert_eq!(run(&mut env, r#""[~]" ~"#), "2:<[~]><>");
    env.vars.remove("HOME");
    let own = crate::expand::sys::own_home().unwrap();
    assert_eq!(run(&mut env, "~"), format!("1:<{own}>"));
    env.set("HOME", "/h");
    assert_eq!(run(&mut env, "{~,~root}/x"), "2:</h/x></root/x>");
}

#[test]
fn special_parameters() {
    let mut env = TestEnv::empty();
    env.status = 7;
    env.bg = Some("99".into());
    set_pos(&mut env, &["a", "b"]);
    assert_eq!(
        run(&mut env, "$? $$ $! $- $0 $# ${#} ${0}"),
        "8:<7><4242><99><hB><bash><2><2><bash>"
    );
    assert_eq!(
        run(&mut env, r#""$1$2" ${3-unset} "${2}""#),
        "3:<ab><unset><b>"
    );
    env.bg = None;
    assert_eq!(run(&mut env, r#""$!""#), "1:<>");
}

#[test]
fn command_substitution_and_backquotes() {
    let mut env = TestEnv::standard();
    assert_eq!(
        run(&mut env, r#"$(echo a; echo b) "$(echo a; echo b)""#),
        "3:<a><b><a\nb>"
    );
    assert_eq!(
        run(&mut env, r#"`echo \$y` "`echo "$x"`""#),
        "2:<hello><a b>"
    );
    assert_eq!(run(&mut env, "${u:-$(echo d e)}"), "2:<d><e>");
    assert_eq!(run(&mut env, "$(( $(echo 2) * 3 ))"), "1:<6>");
}

#[test]
fn process_substitution_default_refuses() {
    let mut env = TestEnv::empty();
    let e = err(&mut env, "<(true)");
    assert_eq!(e.to_string(), "process substitution is not supported");
    assert!(!e.is_fatal());
}

#[test]
fn braces_after_assignment_tildes() {
    let mut env = TestEnv::empty();
    env.set("HOME", "/h");
    assert_eq!(
        run(&mut env, "x=~/{a,b} {x,y}=~"),
        "4:<x=~/a><x=~/b><x=~><y=~>"
    );
}

#[test]
fn quoted_operands() {
    let mut env = TestEnv::empty();
    env.set("HOME", "/h");
    assert_eq!(
        run(&mut env, r#""${u:-~}" ${u:-~} "${u:-~/x}" ${u:-a~}"#),
        "4:<~></h><~/x><a~>"
    );
    env.set("x", "abc");
    assert_eq!(
        run(&mut env, r#""${x#"a"}" "${x#'a'}" ${x#'a'}"#),
        "3:<bc><bc><bc>"
    );
    assert_eq!(run(&mut env, r#"${u:-"a b"c d}"#), "2:<a bc><d>");
    set_pos(&mut env, &["1", "2"]);
    assert_eq!(
        run(&mut env, r#""${u:-$@}" ${u:-"$@"}x"#),
        "4:<1><2><1><2x>"
    );
    assert_eq!(run(&mut env, "${#u[@]} ${u[@]:-e}"), "2:<0><e>");
}

#[test]
fn splitting_next_to_quoted_empties() {
    let mut env = TestEnv::empty();
    env.set("x", " a b ");
    assert_eq!(
        run(&mut env, r#"""$x"" "" $x"" ""$x"#),
        "11:<><a><b><><><a><b><><><a><b>"
    );
    env.set("IFS", ":");
    env.set("y", ":a:");
    assert_eq!(run(&mut env, r#"""$y $y"""#), "5:<><a><><a><>");
    set_pos(&mut env, &["", ""]);
    assert_eq!(run(&mut env, r#"$@ "$@"x"#), "3:<><><x>");
    env.set("IFS", " ");
    set_pos(&mut env, &[" a ", "b"]);
    assert_eq!(run(&mut env, "$* x$@y"), "5:<a><b><x><a><by>");
}

#[test]
fn sparse_array_slices() {
    let mut env = TestEnv::empty();
    env.vars.insert(
        "a".into(),
        Value::Indexed(vec![(0, "a".into()), (2, "c".into()), (3, "d".into())]),
    );
    assert_eq!(
        run(
            &mut env,
            r#"${a[@]:1:2} "|" ${a[@]:2} "|" ${a[@]: -2} "|" ${a[@]:0:1}"#
        ),
        "10:<c><d><|><c><d><|><c><d><|><a>"
    );
    assert_eq!(
        err(&mut env, "${a[@]:0:-1}").to_string(),
        "-1: substring expression < 0"
    );
    assert_eq!(run(&mut env, r#""${!a[@]}" ${#a[@]}"#), "4:<0><2><3><3>");
}

#[test]
fn arithmetic_numbers_as_bash_reads_them() {
    let mut env = TestEnv::empty();
    env.set("n", "010");
    env.set("m", " 12 ");
    env.set("k", "-3");
    let a = |src: &str| crate::lang::ast::Arith {
        text: src.into(),
        span: Default::default(),
    };
    let cases = [
        ("010", 8),
        (" 7 ", 7),
        ("-5", -5),
        ("+5", 5),
        ("0", 0),
        ("n", 8),
        ("m", 12),
        ("k", -3),
        ("u", 0),
        ("0x1F", 31),
    ];
    for (src, want) in cases {
        assert_eq!(block(arith(&mut env, &a(src))).unwrap(), want, "{src}");
    }
    env.opts.push(ExpandOption::NoUnset);
    assert_eq!(
        block(arith(&mut env, &a("u"))).unwrap_err().to_string(),
        "u: unbound variable"
    );
}
