//! `getopts` against bash 5.2: each case runs `getopts OPTSTRING o ARGS…`
//! until it returns 1 (as `prog`), recording per call
//! `NAME|OPTARG|OPTIND|status|stderr;`.

use super::*;
use proptest::prelude::*;

#[rustfmt::skip]
const CASES: &[(&str, &[&str], &str)] = &[
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
    for _ in 0..8 {
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
