//! `trap`'s specifications and listings against bash 5.2.

use super::*;
use proptest::prelude::*;

/// `bash -c 'trap -l'`.
const LIST: &str = " 1) SIGHUP\t 2) SIGINT\t 3) SIGQUIT\t 4) SIGILL\t 5) SIGTRAP\n 6) SIGABRT\t 7) SIGBUS\t 8) SIGFPE\t 9) SIGKILL\t10) SIGUSR1\n11) SIGSEGV\t12) SIGUSR2\t13) SIGPIPE\t14) SIGALRM\t15) SIGTERM\n16) SIGSTKFLT\t17) SIGCHLD\t18) SIGCONT\t19) SIGSTOP\t20) SIGTSTP\n21) SIGTTIN\t22) SIGTTOU\t23) SIGURG\t24) SIGXCPU\t25) SIGXFSZ\n26) SIGVTALRM\t27) SIGPROF\t28) SIGWINCH\t29) SIGIO\t30) SIGPWR\n31) SIGSYS\t34) SIGRTMIN\t35) SIGRTMIN+1\t36) SIGRTMIN+2\t37) SIGRTMIN+3\n38) SIGRTMIN+4\t39) SIGRTMIN+5\t40) SIGRTMIN+6\t41) SIGRTMIN+7\t42) SIGRTMIN+8\n43) SIGRTMIN+9\t44) SIGRTMIN+10\t45) SIGRTMIN+11\t46) SIGRTMIN+12\t47) SIGRTMIN+13\n48) SIGRTMIN+14\t49) SIGRTMIN+15\t50) SIGRTMAX-14\t51) SIGRTMAX-13\t52) SIGRTMAX-12\n53) SIGRTMAX-11\t54) SIGRTMAX-10\t55) SIGRTMAX-9\t56) SIGRTMAX-8\t57) SIGRTMAX-7\n58) SIGRTMAX-6\t59) SIGRTMAX-5\t60) SIGRTMAX-4\t61) SIGRTMAX-3\t62) SIGRTMAX-2\n63) SIGRTMAX-1\t64) SIGRTMAX\t\n";

/// `trap -p` after a series of `trap` commands (see `set_and_print`).
const PRINTED: &str = "trap -- 'x' EXIT\ntrap -- 'echo hi' SIGINT\ntrap -- 'x' SIGUSR1\ntrap -- 'x' SIGUSR2\ntrap -- '' SIGTERM\ntrap -- 'y' SIGCHLD\ntrap -- 'x' SIGRTMIN\ntrap -- 'x' SIGRTMIN+1\ntrap -- 'x' SIGRTMAX-14\ntrap -- 'x' SIGRTMAX-1\ntrap -- 'x' SIGRTMAX\ntrap -- ':' DEBUG\ntrap -- 'x' ERR\ntrap -- ':' RETURN\n";

/// (spec, what `trap echo SPEC && trap -p SPEC` printed: empty when invalid)
#[rustfmt::skip]
const SPECS: &[(&str, &str)] = &[
    ("INT", "trap -- 'echo' SIGINT\n"),
    ("SIGINT", "trap -- 'echo' SIGINT\n"),
    ("int", "trap -- 'echo' SIGINT\n"),
    ("sigint", "trap -- 'echo' SIGINT\n"),
    ("2", "trap -- 'echo' SIGINT\n"),
    ("0", "trap -- 'echo' EXIT\n"),
    ("EXIT", "trap -- 'echo' EXIT\n"),
    ("exit", "trap -- 'echo' EXIT\n"),
    ("SIGEXIT", ""),
    ("DEBUG", "trap -- 'echo' DEBUG\n"),
    ("ERR", "trap -- 'echo' ERR\n"),
    ("RETURN", "trap -- 'echo' RETURN\n"),
    ("RTMIN", "trap -- 'echo' SIGRTMIN\n"),
    ("RTMAX", "trap -- 'echo' SIGRTMAX\n"),
    ("SIGRTMIN+1", "trap -- 'echo' SIGRTMIN+1\n"),
    ("RTMAX-1", "trap -- 'echo' SIGRTMAX-1\n"),
    ("rtmin+16", "trap -- 'echo' SIGRTMAX-14\n"),
    ("RTMIN+31", ""),
    ("RTMIN+30", "trap -- 'echo' SIGRTMAX\n"),
    ("RTMIN+ 1", "trap -- 'echo' SIGRTMIN+1\n"),
    ("RTMIN+-1", ""),
    ("RTMAX-0", ""),
    ("RTMAX-14", "trap -- 'echo' SIGRTMAX-14\n"),
    ("RTMAX-15", ""),
    ("RTMAX-30", ""),
    ("RTMAX-31", ""),
    ("32", "trap -- 'echo' 32\n"),
    ("33", "trap -- 'echo' 33\n"),
    ("64", "trap -- 'echo' SIGRTMAX\n"),
    ("65", ""),
    ("99", ""),
    ("-5", ""),
    ("IOT", ""),
    ("POLL", ""),
    ("CLD", ""),
    ("SIGFOO", ""),
    ("", ""),
    ("SIG", ""),
    ("KILL", "trap -- 'echo' SIGKILL\n"),
    ("STOP", "trap -- 'echo' SIGSTOP\n"),
    ("chld", "trap -- 'echo' SIGCHLD\n"),
    ("winch", "trap -- 'echo' SIGWINCH\n"),
    ("001", "trap -- 'echo' SIGHUP\n"),
];

#[test]
fn listing_matches_bash() {
    assert_eq!(list(), LIST);
}

#[test]
fn specs_match_bash() {
    for &(spec, printed) in SPECS {
        let got = parse_sigspec(spec)
            .map(|t| print_line("echo", t))
            .unwrap_or_default();
        assert_eq!(got, printed, "trap echo {spec:?}");
    }
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| (*s).to_owned()).collect()
}

/// Runs the commands of `PRINTED`'s script on a table and prints it.
#[test]
fn set_and_print() {
    let commands: &[&[&str]] = &[
        &["echo hi", "INT"],
        &["", "TERM"],
        &["a'b", "EXIT"],
        &["--", "x", "ERR"],
        &[":", "DEBUG", "RETURN"],
        &["y", "17"],
        &[
            "x",
            "RTMIN",
            "RTMAX",
            "SIGRTMIN+1",
            "RTMAX-1",
            "rtmin+16",
            "sigusr1",
            "usr2",
            "64",
            "0",
        ],
    ];
    let mut table = std::collections::BTreeMap::new();
    for args in commands {
        let (command, errors) = parse_trap(&strings(args)).unwrap();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
        match command {
            TrapCommand::Set(action, targets) => {
                for t in targets {
                    table.insert(t, action.clone());
                }
            }
            TrapCommand::Ignore(targets) => {
                for t in targets {
                    table.insert(t, String::new());
                }
            }
            other => panic!("{args:?}: {other:?}"),
        }
    }
    let printed: String = table.iter().map(|(t, a)| print_line(a, *t)).collect();
    assert_eq!(printed, PRINTED);
}

#[test]
fn commands_as_bash_reads_them() {
    let parse = |a: &[&str]| parse_trap(&strings(a));
    assert_eq!(parse(&["-l", "INT"]), Ok((TrapCommand::List, vec![])));
    assert_eq!(parse(&[]), Ok((TrapCommand::Print(vec![]), vec![])));
    assert_eq!(parse(&["--"]), Ok((TrapCommand::Print(vec![]), vec![])));
    assert_eq!(
        parse(&["-p", "INT", "FOO", "EXIT"]),
        Ok((
            TrapCommand::Print(vec![TrapTarget::Signal(2), TrapTarget::Exit]),
            vec![TrapError::InvalidSignal("FOO".to_owned())]
        ))
    );
    assert_eq!(
        parse(&["2"]),
        Ok((TrapCommand::Reset(vec![TrapTarget::Signal(2)]), vec![]))
    );
    assert_eq!(
        parse(&["INT"]),
        Ok((TrapCommand::Reset(vec![TrapTarget::Signal(2)]), vec![]))
    );
    assert_eq!(
        parse(&["2", "TERM"]),
        Ok((
            TrapCommand::Reset(vec![TrapTarget::Signal(2), TrapTarget::Signal(15)]),
            vec![]
        ))
    );
    assert_eq!(
        parse(&["-", "INT"]),
        Ok((TrapCommand::Reset(vec![TrapTarget::Signal(2)]), vec![]))
    );
    assert_eq!(
        parse(&["", "INT"]),
        Ok((TrapCommand::Ignore(vec![TrapTarget::Signal(2)]), vec![]))
    );
    assert_eq!(
        parse(&["x", "SIGFOO", "HUP"]),
        Ok((
            TrapCommand::Set("x".to_owned(), vec![TrapTarget::Signal(1)]),
            vec![TrapError::InvalidSignal("SIGFOO".to_owned())]
        ))
    );
    assert_eq!(parse(&["x"]), Err(TrapError::Usage));
    assert_eq!(parse(&["-"]), Err(TrapError::Usage));
    let e = parse(&["-x"]).unwrap_err();
    assert_eq!(
        (e.to_string().as_str(), e.status()),
        ("-x: invalid option", 2)
    );
    assert_eq!(
        TrapError::InvalidSignal("99".to_owned()).to_string(),
        "99: invalid signal specification"
    );
}

#[test]
fn keys_read_back() {
    for t in [
        TrapTarget::Exit,
        TrapTarget::Debug,
        TrapTarget::Err,
        TrapTarget::Return,
    ]
    .into_iter()
    .chain((1..=MAX_SIGNAL).map(TrapTarget::Signal))
    {
        assert_eq!(parse_sigspec(&t.key()), Some(t), "{}", t.key());
    }
    assert_eq!(TrapTarget::Signal(2).key(), "INT");
    assert_eq!(TrapTarget::Signal(35).key(), "RTMIN+1");
    assert_eq!(TrapTarget::Signal(32).key(), "32");
}

proptest! {
    #[test]
    fn never_panics(args in proptest::collection::vec("-?[a-zA-Z0-9+-]{0,8}", 0..4)) {
        let _ = parse_trap(&args);
    }
}
