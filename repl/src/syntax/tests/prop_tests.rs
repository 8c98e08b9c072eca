//! Property tests: nothing panics, and printed trees parse back unchanged.

use proptest::prelude::*;

use super::super::word::WordBuilder;
use super::*;

// ------------------------------------------------------------ span clearing

fn clear_word(w: &mut Word) {
    w.span = Span::default();
}

fn clear_redirs(rs: &mut [Redirection]) {
    for r in rs {
        r.span = Span::default();
        match &mut r.kind {
            RedirectionKind::Read { target, .. }
            | RedirectionKind::Write { target, .. }
            | RedirectionKind::WriteBoth { target, .. } => clear_word(target),
            RedirectionKind::Duplicate { .. } => {}
        }
    }
}

fn clear_list(l: &mut List) {
    l.span = Span::default();
    for item in &mut l.items {
        let ao = &mut item.and_or;
        ao.span = Span::default();
        let pipelines = std::iter::once(&mut ao.first).chain(ao.rest.iter_mut().map(|(_, p)| p));
        for p in pipelines {
            p.span = Span::default();
            for c in &mut p.commands {
                match c {
                    Command::Simple(s) => {
                        s.span = Span::default();
                        for a in &mut s.assignments {
                            a.span = Span::default();
                            clear_word(&mut a.value);
                        }
                        s.words.iter_mut().for_each(clear_word);
                        clear_redirs(&mut s.redirections);
                    }
                    Command::Group(g) => {
                        g.span = Span::default();
                        clear_list(&mut g.body);
                        clear_redirs(&mut g.redirections);
                    }
                }
            }
        }
    }
}

// ------------------------------------------------------------ generators

#[derive(Debug, Clone)]
enum PartSpec {
    Unquoted(String),
    Quoted(String),
    Param(String, bool),
}

fn part_spec() -> impl Strategy<Value = PartSpec> {
    let names = prop::sample::select(vec![
        "X", "foo_1", "_", "?", "!", "$", "#", "@", "*", "-", "0", "7", "10",
    ]);
    prop_oneof![
        "[a-z0-9_.*?,+%@/-]{1,5}".prop_map(PartSpec::Unquoted),
        "[ a-z'\"$\\\\`\n*é日!#~;|&()<>{}=-]{0,5}".prop_map(PartSpec::Quoted),
        (names, any::<bool>()).prop_map(|(n, q)| PartSpec::Param(n.to_string(), q)),
    ]
}

fn build_word(specs: Vec<PartSpec>) -> Word {
    let mut b = WordBuilder::default();
    for s in specs {
        match s {
            PartSpec::Unquoted(t) => b.push_str(&t, false),
            PartSpec::Quoted(t) => b.push_str(&t, true),
            PartSpec::Param(n, q) => b.push_param(n, q),
        }
    }
    Word {
        parts: b.parts,
        span: Span::default(),
    }
}

fn gen_word() -> impl Strategy<Value = Word> {
    prop_oneof![
        8 => prop::collection::vec(part_spec(), 1..4).prop_map(build_word),
        1 => "(/[a-z]{1,3})?".prop_map(|rest| {
            let mut parts = vec![WordPart::Tilde];
            if !rest.is_empty() {
                parts.push(WordPart::Literal { text: rest, quoted: false });
            }
            Word { parts, span: Span::default() }
        }),
    ]
}

fn command_name() -> impl Strategy<Value = Word> {
    let names = prop::sample::select(vec!["X", "?", "$", "0", "10"]);
    // A first part that is not an unquoted literal (which could turn the
    // word into an assignment, a reserved word or a descriptor number).
    let head = prop_oneof![
        "[ a-z'$=\n]{0,4}".prop_map(PartSpec::Quoted),
        (names, any::<bool>()).prop_map(|(n, q)| PartSpec::Param(n.to_string(), q)),
    ];
    prop_oneof![
        "[a-z][a-z0-9]{0,4}"
            .prop_filter("reserved word", |s| !matches!(
                s.as_str(),
                "if" | "then"
                    | "else"
                    | "elif"
                    | "fi"
                    | "case"
                    | "esac"
                    | "for"
                    | "select"
                    | "while"
                    | "until"
                    | "do"
                    | "done"
                    | "function"
                    | "coproc"
            ))
            .prop_map(|s| build_word(vec![PartSpec::Unquoted(s)])),
        (head, prop::collection::vec(part_spec(), 0..3)).prop_map(|(h, mut rest)| {
            rest.insert(0, h);
            build_word(rest)
        }),
    ]
}

fn assignment() -> impl Strategy<Value = Assignment> {
    let value = prop_oneof![
        1 => Just(Word { parts: Vec::new(), span: Span::default() }),
        4 => gen_word(),
    ];
    ("[A-Z_][A-Z0-9_]{0,3}", value).prop_map(|(name, value)| Assignment {
        name,
        value,
        span: Span::default(),
    })
}

fn redirection() -> impl Strategy<Value = Redirection> {
    let kind = prop_oneof![
        (prop::sample::select(vec![0u32, 3]), gen_word())
            .prop_map(|(fd, target)| RedirectionKind::Read { fd, target }),
        (
            prop::sample::select(vec![1u32, 2, 5]),
            gen_word(),
            any::<bool>()
        )
            .prop_map(|(fd, target, append)| RedirectionKind::Write { fd, target, append }),
        (gen_word(), any::<bool>())
            .prop_map(|(target, append)| RedirectionKind::WriteBoth { target, append }),
        (
            prop::sample::select(vec![0u32, 1, 2, 4]),
            prop::sample::select(vec![0u32, 1, 2])
        )
            .prop_map(|(fd, copy_of)| RedirectionKind::Duplicate { fd, copy_of }),
    ];
    kind.prop_map(|kind| Redirection {
        kind,
        span: Span::default(),
    })
}

fn simple_command() -> impl Strategy<Value = Command> {
    let assignments = || prop::collection::vec(assignment(), 0..2);
    let redirections = || prop::collection::vec(redirection(), 0..2);
    let with_words = (
        assignments(),
        command_name(),
        prop::collection::vec(gen_word(), 0..3),
        redirections(),
    )
        .prop_map(|(a, name, mut args, r)| {
            args.insert(0, name);
            (a, args, r)
        });
    let without_words = (prop::collection::vec(assignment(), 1..3), redirections())
        .prop_map(|(a, r)| (a, Vec::new(), r));
    let only_redirections =
        prop::collection::vec(redirection(), 1..3).prop_map(|r| (Vec::new(), Vec::new(), r));
    prop_oneof![6 => with_words, 1 => without_words, 1 => only_redirections].prop_map(
        |(assignments, words, redirections)| {
            Command::Simple(SimpleCommand {
                assignments,
                words,
                redirections,
                span: Span::default(),
            })
        },
    )
}

fn list_of(cmd: impl Strategy<Value = Command> + Clone) -> impl Strategy<Value = List> {
    let pipeline = prop::collection::vec(cmd, 1..3).prop_map(|commands| Pipeline {
        commands,
        span: Span::default(),
    });
    let connector = prop_oneof![Just(Connector::And), Just(Connector::Or)];
    let and_or = (
        pipeline.clone(),
        prop::collection::vec((connector, pipeline), 0..3),
    )
        .prop_map(|(first, rest)| AndOr {
            first,
            rest,
            span: Span::default(),
        });
    prop::collection::vec((and_or, any::<bool>()), 1..3).prop_map(|items| List {
        items: items
            .into_iter()
            .map(|(and_or, background)| ListItem { and_or, background })
            .collect(),
        span: Span::default(),
    })
}

fn command() -> BoxedStrategy<Command> {
    simple_command()
        .prop_recursive(3, 24, 3, |inner| {
            prop_oneof![
                3 => simple_command(),
                1 => (list_of(inner), prop::collection::vec(redirection(), 0..2)).prop_map(
                    |(body, redirections)| Command::Group(GroupCommand {
                        body,
                        redirections,
                        span: Span::default(),
                    })
                ),
            ]
        })
        .boxed()
}

/// Strings made of shell-relevant fragments.
fn token_soup() -> impl Strategy<Value = String> {
    let frags = prop::sample::select(vec![
        "a", "b1", " ", "  ", "\t", "\n", "|", "||", "&", "&&", ";", ";;", "(", ")", "<", ">",
        ">>", "2>", "&>", "&>>", "2>&1", ">&", "<&", "'", "\"", "\\", "$", "${", "}", "$x", "${x}",
        "$?", "$'", "\\n", "~", "~/", "*", "?", "[", "]", "[!", "!", "#", "=", "A=", "`", "$(",
        "<<", "{", "é", "日本", "\u{0}", "\r", "0", "99", "-", "if", "for", "()", "/", ".*", "*/",
    ]);
    prop::collection::vec(frags, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings_never_panic(s in "\\PC*") {
        fuzz_entry(s.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        fuzz_entry(&bytes);
    }

    #[test]
    fn token_soup_never_panics(s in token_soup()) {
        fuzz_entry(s.as_bytes());
    }
}

proptest! {
    // Generating trees is slow in debug builds: fewer cases by default
    // (PROPTEST_CASES overrides).
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(400)
    ))]
    #[test]
    fn printed_trees_parse_back(cmds in list_of(command())) {
        let printed = cmds.to_string();
        let mut parsed = match parse(&printed) {
            Ok(l) => l,
            Err(e) => return Err(TestCaseError::fail(format!("{printed:?}: {e}"))),
        };
        clear_list(&mut parsed);
        prop_assert_eq!(&parsed, &cmds, "printed as {:?}", printed);
        fuzz_entry(printed.as_bytes());
    }
}

#[test]
fn big_inputs_do_not_panic() {
    // 1 MiB for a few shapes, 256 KiB for the rest (debug builds are slow).
    let mb = 1 << 20;
    for (unit, size) in [
        ("a ", mb),
        ("'", mb),
        ("(", mb),
        ("é", mb),
        ("a|", mb / 4),
        ("\"", mb / 4),
        ("$", mb / 4),
        ("${", mb / 4),
        (")", mb / 4),
        ("*", mb / 4),
        ("[", mb / 4),
        ("\\", mb / 4),
        ("a&&", mb / 4),
        ("#", mb / 4),
    ] {
        let s = unit.repeat(size / unit.len());
        fuzz_entry(s.as_bytes());
    }
    for (unit, n) in [("*a", mb / 2), ("[[:alpha:]", mb / 10), ("/*", mb / 2)] {
        let s = format!("echo {}", unit.repeat(n));
        fuzz_entry(s.as_bytes());
    }
}

#[test]
fn max_nesting_on_a_small_stack() {
    // The parser is recursive: the deepest accepted input must fit a 2 MiB
    // thread stack (tokio's default) even in debug builds.
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(|| {
            let depth = MAX_NESTING;
            let ok = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
            fuzz_entry(ok.as_bytes());
            assert!(parse(&ok).is_ok());
            let too_deep = "(".repeat(depth + 1) + "a" + &")".repeat(depth + 1);
            assert!(parse(&too_deep).is_err());
        })
        .expect("spawn");
    handle.join().expect("no stack overflow");
}
