//! `getopts` against bash 5.2: each case runs `getopts OPTSTRING o ARGS…`
//! until it returns 1 (as `prog`), recording per call
//! `NAME|OPTARG|OPTIND|status|stderr;`.

use super::*;
use proptest::prelude::*;

#[rustfmt::skip]
const CASES: &[(&str, &[&str], &str)] = &[
    // Random option strings and words (seeded), as bash stepped them.
    ("a:cc", &["--"], "?|<unset>|2|1|;"),
    ("", &["", "--ca", ""], "?|<unset>|1|1|;"),
    ("", &["a", "", "", "x:"], "?|<unset>|1|1|;"),
    ("", &["cb:", "x", ""], "?|<unset>|1|1|;"),
    ("cb:aa", &["a:x", "x--a", "--x"], "?|<unset>|1|1|;"),
    ("a::a:c", &["", "-:", ":", "-"], "?|<unset>|1|1|;"),
    ("a::ab:", &[], "?|<unset>|1|1|;"),
    ("", &[], "?|<unset>|1|1|;"),
    (":ac:", &[":", ""], "?|<unset>|1|1|;"),
    ("b", &[":", ""], "?|<unset>|1|1|;"),
    ("c", &[""], "?|<unset>|1|1|;"),
    ("", &["b-", "x", "", "aba"], "?|<unset>|1|1|;"),
    ("cb", &["--", "", ":a"], "?|<unset>|2|1|;"),
    ("b:a:", &["cc"], "?|<unset>|1|1|;"),
    ("cc", &[""], "?|<unset>|1|1|;"),
    ("", &["a-a", "x", "b::"], "?|<unset>|1|1|;"),
    ("::", &[], "?|<unset>|1|1|;"),
    ("b:a:", &["", "----", "------"], "?|<unset>|1|1|;"),
    ("b:c", &[], "?|<unset>|1|1|;"),
    ("aa", &[":b"], "?|<unset>|1|1|;"),
    ("", &[], "?|<unset>|1|1|;"),
    ("b:b:", &["-ca", "-:"], "?|<unset>|1|0|prog: illegal option -- c;?|<unset>|2|0|prog: illegal option -- a;?|<unset>|3|0|prog: illegal option -- :;?|<unset>|3|1|;"),
    ("b:ab:", &["", "", "b"], "?|<unset>|1|1|;"),
    ("b:a", &["a", ""], "?|<unset>|1|1|;"),
    ("", &[""], "?|<unset>|1|1|;"),
    (":b:c", &["", "a--", "b--", "ca"], "?|<unset>|1|1|;"),
    ("", &[":c", "", "cc"], "?|<unset>|1|1|;"),
    ("cba", &["x", "b", "x", "-a"], "?|<unset>|1|1|;"),
    ("ca", &[], "?|<unset>|1|1|;"),
    ("aa", &[], "?|<unset>|1|1|;"),
    ("", &[], "?|<unset>|1|1|;"),
    (":b:c", &[], "?|<unset>|1|1|;"),
    (":", &["", "", "bx"], "?|<unset>|1|1|;"),
    ("c", &["", "a:a", "acx", "x"], "?|<unset>|1|1|;"),
    (":c:", &[":c", "x"], "?|<unset>|1|1|;"),
    ("b::a:", &["cc:", "", ":x"], "?|<unset>|1|1|;"),
    ("bb:c:", &[], "?|<unset>|1|1|;"),
    ("b:b:", &["c:", "", "", "b"], "?|<unset>|1|1|;"),
    (":bb:", &[], "?|<unset>|1|1|;"),
    ("a:bb:c", &[""], "?|<unset>|1|1|;"),
    ("a", &[], "?|<unset>|1|1|;"),
    ("a::", &[], "?|<unset>|1|1|;"),
    ("", &[":ba", "x", "--", ""], "?|<unset>|1|1|;"),
    ("b:cb::", &[], "?|<unset>|1|1|;"),
    ("a:a", &["b:-", ""], "?|<unset>|1|1|;"),
    ("c", &["--b", "", ":xb", ""], "?|<unset>|1|0|prog: illegal option -- -;?|<unset>|2|0|prog: illegal option -- b;?|<unset>|2|1|;"),
    ("", &["c"], "?|<unset>|1|1|;"),
    ("cb:", &["-cc"], "c|<unset>|1|0|;c|<unset>|2|0|;?|<unset>|2|1|;"),
    ("a::", &["ac:", ":cb", "x-"], "?|<unset>|1|1|;"),
    ("c:bc", &["-:b", "-b", "a"], "?|<unset>|1|0|prog: illegal option -- :;b|<unset>|2|0|;b|<unset>|3|0|;?|<unset>|3|1|;"),
    ("cc", &["", "x"], "?|<unset>|1|1|;"),
    ("a:", &["", "bxx", ""], "?|<unset>|1|1|;"),
    ("cb", &["b-"], "?|<unset>|1|1|;"),
    ("ab:c", &["bxc", "c:"], "?|<unset>|1|1|;"),
    ("", &[":x"], "?|<unset>|1|1|;"),
    ("cc", &["", "xa", "x"], "?|<unset>|1|1|;"),
    ("a:a:", &["", "x--x", "a"], "?|<unset>|1|1|;"),
    ("a:b:::", &["--c", "---", ":", ""], "?|<unset>|1|0|prog: illegal option -- -;?|<unset>|2|0|prog: illegal option -- c;?|<unset>|2|0|prog: illegal option -- -;?|<unset>|3|0|prog: illegal option -- -;?|<unset>|3|1|;"),
    ("", &[":--a", "c"], "?|<unset>|1|1|;"),
    ("baa", &["x"], "?|<unset>|1|1|;"),
    (":", &["", "c", "--b", "b"], "?|<unset>|1|1|;"),
    ("b:a:a:a:", &["", ""], "?|<unset>|1|1|;"),
    (":a:", &["cax", "::", ""], "?|<unset>|1|1|;"),
    ("a:a", &["-b-"], "?|<unset>|1|0|prog: illegal option -- b;?|<unset>|2|0|prog: illegal option -- -;?|<unset>|2|1|;"),
    ("a:acb", &["--x-", "", ":", ""], "?|<unset>|1|0|prog: illegal option -- -;?|<unset>|1|0|prog: illegal option -- x;?|<unset>|2|0|prog: illegal option -- -;?|<unset>|2|1|;"),
    ("cbc", &["aa:", "a--a", "::"], "?|<unset>|1|1|;"),
    ("", &[], "?|<unset>|1|1|;"),
    ("", &[""], "?|<unset>|1|1|;"),
    ("c", &["", "a::", ""], "?|<unset>|1|1|;"),
    (":", &["----"], "?|-|1|0|;?|-|1|0|;?|-|2|0|;?|<unset>|2|1|;"),
    ("b", &["--", ":", "-b"], "?|<unset>|2|1|;"),
    ("cb:a:a:", &[], "?|<unset>|1|1|;"),
    ("bb:b:a:", &[], "?|<unset>|1|1|;"),
    (":a", &[""], "?|<unset>|1|1|;"),
    ("b:", &[""], "?|<unset>|1|1|;"),
    ("a", &["a"], "?|<unset>|1|1|;"),
    ("a:", &[":--c"], "?|<unset>|1|1|;"),
    (":", &[], "?|<unset>|1|1|;"),
    ("ba:", &["x", "cc", ":x--", "xa"], "?|<unset>|1|1|;"),
    ("b:a", &["", "", "b"], "?|<unset>|1|1|;"),
    ("a", &[], "?|<unset>|1|1|;"),
    ("bac", &["a"], "?|<unset>|1|1|;"),
    ("ab:ab", &["", "", "", "----"], "?|<unset>|1|1|;"),
    (":", &["b:", "ba"], "?|<unset>|1|1|;"),
    ("bb::", &["a", "abc", "b--a", ":c"], "?|<unset>|1|1|;"),
    ("", &["----", "", ":b", ""], "?|<unset>|1|0|prog: illegal option -- -;?|<unset>|1|0|prog: illegal option -- -;?|<unset>|2|0|prog: illegal option -- -;?|<unset>|2|1|;"),
    ("b:a:", &["", ":--", "b--:"], "?|<unset>|1|1|;"),
    (":bc", &[], "?|<unset>|1|1|;"),
    ("aa", &["ca-", "b-"], "?|<unset>|1|1|;"),
    ("", &["aca", "", "ax-"], "?|<unset>|1|1|;"),
    ("ba:", &["", "--x--", "b--", "-"], "?|<unset>|1|1|;"),
    ("a:b:", &[":", "b:b", "--x", "-x"], "?|<unset>|1|1|;"),
    ("a", &["", "", "cax"], "?|<unset>|1|1|;"),
    ("a:ba::", &["---c"], "?|<unset>|1|0|prog: illegal option -- -;?|<unset>|1|0|prog: illegal option -- -;?|<unset>|2|0|prog: illegal option -- c;?|<unset>|2|1|;"),
    ("a::", &["a", "", "xa"], "?|<unset>|1|1|;"),
    ("a:bb", &[":-", "bc", "", "bx"], "?|<unset>|1|1|;"),
    ("", &[], "?|<unset>|1|1|;"),
    ("", &["", "-"], "?|<unset>|1|1|;"),
    ("a:b:", &["", "x:", "", ""], "?|<unset>|1|1|;"),
    ("a:c", &[":", ":xc", ""], "?|<unset>|1|1|;"),

    ("ab:c", &["-a", "-b", "x", "-cb", "y", "z"], "a|<unset>|2|0|;b|x|4|0|;c|<unset>|4|0|;b|y|6|0|;?|<unset>|6|1|;"),
    ("ab:c", &["-acbfoo", "--", "-a"], "a|<unset>|1|0|;c|<unset>|1|0|;b|foo|2|0|;?|<unset>|3|1|;"),
    ("ab:c", &["-x", "-b"], "?|<unset>|2|0|prog: illegal option -- x;?|<unset>|3|0|prog: option requires an argument -- b;?|<unset>|3|1|;"),
    (":ab:c", &["-x", "-b"], "?|x|2|0|;:|b|3|0|;?|<unset>|3|1|;"),
    ("a", &["-", "-a"], "?|<unset>|1|1|;"),
    ("a:", &["-a", "--"], "a|--|3|0|;?|<unset>|3|1|;"),
    (":", &["-:"], "?|:|2|0|;?|<unset>|2|1|;"),
    ("a", &["-:"], "?|<unset>|2|0|prog: illegal option -- :;?|<unset>|2|1|;"),
    ("a", &[], "?|<unset>|1|1|;"),
    ("ab", &["-ab", "-ba", "rest", "-a"], "a|<unset>|1|0|;b|<unset>|2|0|;b|<unset>|2|0|;a|<unset>|3|0|;?|<unset>|3|1|;"),
    ("a:b", &["-a"], "?|<unset>|2|0|prog: option requires an argument -- a;?|<unset>|2|1|;"),
    (":a:b", &["-ba"], "b|<unset>|1|0|;:|a|2|0|;?|<unset>|2|1|;"),
    ("a:", &["-a", ""], "a||3|0|;?|<unset>|3|1|;"),
    ("a:", &["-a", "-b"], "a|-b|3|0|;?|<unset>|3|1|;"),
    ("ab", &["--", "-a"], "?|<unset>|2|1|;"),
    ("a", &["---"], "?|<unset>|1|0|prog: illegal option -- -;?|<unset>|2|0|prog: illegal option -- -;?|<unset>|2|1|;"),
    ("", &["-a"], "?|<unset>|2|0|prog: illegal option -- a;?|<unset>|2|1|;"),
    (":", &["-a"], "?|a|2|0|;?|<unset>|2|1|;"),
    ("a::", &["-a", "x"], "a|x|3|0|;?|<unset>|3|1|;"),
    ("xy", &["-xyz", "-y"], "x|<unset>|1|0|;y|<unset>|1|0|;?|<unset>|2|0|prog: illegal option -- z;y|<unset>|3|0|;?|<unset>|3|1|;"),
    ("a", &["a", "-a"], "?|<unset>|1|1|;"),
    ("a:b:", &["-afoo", "-bbar", "-a", "-b", "x"], "a|foo|2|0|;b|bar|3|0|;a|-b|5|0|;?|<unset>|5|1|;"),
];

fn run(optstring: &str, args: &[String], state: &mut GetoptsState) -> String {
    let mut log = String::new();
    for _ in 0..10 {
        let r = getopts(optstring, args, state);
        log.push_str(&format!(
            "{}|{}|{}|{}|{};",
            r.name,
            r.optarg.as_deref().unwrap_or("<unset>"),
            r.optind,
            r.status,
            r.diagnostic.map(|d| d.message("prog")).unwrap_or_default(),
        ));
        if r.status != 0 {
            break;
        }
    }
    log
}

#[test]
fn steps_match_bash() {
    for &(optstring, args, expected) in CASES {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        let mut state = GetoptsState::reset(None);
        assert_eq!(
            run(optstring, &args, &mut state),
            expected,
            "getopts {optstring:?} {args:?}"
        );
    }
}

/// bash: `OPTIND=1` restarts, even inside a cluster; `OPTIND=5` past the
/// end ends at once; `OPTIND=2` skips the first word.
#[test]
fn assigning_optind_resets() {
    let args: Vec<String> = ["-aa", "-a"].iter().map(|s| (*s).to_owned()).collect();
    let mut state = GetoptsState::reset(None);
    assert_eq!(getopts("a", &args, &mut state).optind, 1);
    state = GetoptsState::reset(Some("1"));
    let r = getopts("a", &args, &mut state);
    assert_eq!((r.name.as_str(), r.optind), ("a", 1));
    assert_eq!(getopts("a", &args, &mut state).optind, 2);
    assert_eq!(getopts("a", &args, &mut state).optind, 3);
    let r = getopts("a", &args, &mut state);
    assert_eq!((r.name.as_str(), r.optind, r.status), ("?", 3, 1));

    let one = vec!["-a".to_owned()];
    let mut state = GetoptsState::reset(Some("5"));
    let r = getopts("a", &one, &mut state);
    assert_eq!((r.name.as_str(), r.optind, r.status), ("?", 2, 1));
    let mut state = GetoptsState::reset(Some("0"));
    let r = getopts("a", &one, &mut state);
    assert_eq!((r.name.as_str(), r.optind, r.status), ("a", 2, 0));
    let two = vec!["-a".to_owned(), "-b".to_owned()];
    let mut state = GetoptsState::reset(Some("2"));
    let r = getopts("ab", &two, &mut state);
    assert_eq!((r.name.as_str(), r.optind, r.status), ("b", 3, 0));
}

/// Without a hook on assignments: a changed `OPTIND` restarts the scan,
/// an unchanged one continues it.
#[test]
fn sync_follows_optind() {
    let args: Vec<String> = ["-ab", "-c"].iter().map(|s| (*s).to_owned()).collect();
    let mut state = GetoptsState::default();
    state.sync(None);
    let r = getopts("abc", &args, &mut state);
    assert_eq!((r.name.as_str(), r.optind), ("a", 1));
    state.sync(Some("1"));
    let r = getopts("abc", &args, &mut state);
    assert_eq!((r.name.as_str(), r.optind), ("b", 2));
    state.sync(Some("2"));
    assert_eq!(getopts("abc", &args, &mut state).name, "c");
    state.sync(Some("3"));
    assert_eq!(getopts("abc", &args, &mut state).status, 1);
    // The loop is over (OPTIND 3); OPTIND=1 starts again.
    state.sync(Some("1"));
    assert_eq!(getopts("abc", &args, &mut state).name, "a");
    // A function's `local OPTIND` (unset) starts again too.
    state.sync(None);
    assert_eq!(getopts("abc", &args, &mut state).name, "a");
}

/// Runs a builtin's option scan over `words` (argv[0] `b` in front):
/// the options as `x`, `+x` or `x=VALUE`, then the error or the operands.
fn scan(optstring: &str, words: &[&str]) -> (Vec<String>, Result<Vec<String>, String>) {
    let argv: Vec<String> = std::iter::once("b")
        .chain(words.iter().copied())
        .map(String::from)
        .collect();
    let mut opts = BuiltinOpts::new(&argv, optstring);
    let mut seen = Vec::new();
    for opt in &mut opts {
        match opt {
            Ok(o) => seen.push(format!(
                "{}{}{}",
                if o.plus { "+" } else { "" },
                o.letter,
                o.value.map(|v| format!("={v}")).unwrap_or_default()
            )),
            Err(e) => return (seen, Err(e.to_string())),
        }
    }
    (seen, Ok(opts.rest().to_vec()))
}

#[test]
fn builtin_options_cluster_take_values_and_stop_at_operands() {
    assert_eq!(
        scan("cd:anrw", &["-cd1", "-a", "-d", "-x", "f"]),
        (
            vec!["c".into(), "d=1".into(), "a".into(), "d=-x".into()],
            Ok(vec!["f".into()])
        )
    );
    assert_eq!(scan("lp", &["--", "-l"]), (vec![], Ok(vec!["-l".into()])));
    assert_eq!(
        scan("lp", &["-", "-l"]),
        (vec![], Ok(vec!["-".into(), "-l".into()]))
    );
    assert_eq!(
        scan("lp", &["-l", "+p"]),
        (vec!["l".into()], Ok(vec!["+p".into()]))
    );
    assert_eq!(
        scan("+o:D", &["+Do", "x", "-o", "y", "n"]),
        (
            vec!["+D".into(), "+o=x".into(), "o=y".into()],
            Ok(vec!["n".into()])
        )
    );
    assert_eq!(scan("lp", &[]), (vec![], Ok(vec![])));
}

#[test]
fn builtin_option_errors_name_the_sign_and_letter() {
    assert_eq!(
        scan("cd:", &["-cx", "f"]),
        (vec!["c".into()], Err("-x: invalid option".into()))
    );
    assert_eq!(
        scan("cd:", &["-c:"]),
        (vec!["c".into()], Err("-:: invalid option".into()))
    );
    assert_eq!(
        scan("cd:", &["-cd"]),
        (
            vec!["c".into()],
            Err("-d: option requires an argument".into())
        )
    );
    assert_eq!(
        scan("+o:", &["+-"]),
        (vec![], Err("+-: invalid option".into()))
    );
    assert_eq!(
        scan("+o:", &["+o"]),
        (vec![], Err("+o: option requires an argument".into()))
    );
}

#[test]
fn builtin_next_word_is_none_inside_a_cluster() {
    let argv: Vec<String> = ["fc", "-lr", "-5"].map(String::from).to_vec();
    let mut opts = BuiltinOpts::new(&argv, "e:lnrs");
    assert_eq!(opts.next_word(), Some("-lr"));
    assert!(matches!(
        opts.next(),
        Some(Ok(BuiltinOpt { letter: 'l', .. }))
    ));
    assert_eq!(opts.next_word(), None);
    assert!(matches!(
        opts.next(),
        Some(Ok(BuiltinOpt { letter: 'r', .. }))
    ));
    assert_eq!(opts.next_word(), Some("-5"));
    assert_eq!(opts.rest(), &argv[2..]);
}

#[test]
fn help_where_an_option_word_starts() {
    let argv = |words: &[&str]| -> Vec<String> { words.iter().map(|w| (*w).to_owned()).collect() };
    let first_error =
        |argv: &[String], optstring: &str| BuiltinOpts::new(argv, optstring).find_map(Result::err);
    // At the start or after other options: the builtin's help.
    for words in [&["cd", "--help"][..], &["cd", "-L", "--help", "x"]] {
        assert_eq!(
            first_error(&argv(words), "LPe@"),
            Some(BuiltinOptError::Help("cd")),
            "{words:?}"
        );
    }
    // As an option's value, after the operands start, after `--`, or for a
    // name that is no builtin: an ordinary word.
    assert_eq!(first_error(&argv(&["read", "-p", "--help"]), "p:"), None);
    assert_eq!(first_error(&argv(&["type", "x", "--help"]), "t"), None);
    assert_eq!(first_error(&argv(&["cd", "--", "--help"]), "LP"), None);
    assert_eq!(
        first_error(&argv(&["nosuch", "--help"]), "a"),
        Some(BuiltinOptError::Invalid('-', '-'))
    );
}

proptest! {
    #[test]
    fn never_panics(optstring in "[:a-c]{0,5}", args in proptest::collection::vec("-?[a-cé:-]{0,3}", 0..4), start in proptest::option::of("[0-9-]{0,3}")) {
        let mut state = GetoptsState::reset(start.as_deref());
        for _ in 0..12 {
            let r = getopts(&optstring, &args, &mut state);
            prop_assert!(r.optind <= args.len() + 1 || start.is_some());
            if r.status != 0 {
                break;
            }
        }
    }
}
