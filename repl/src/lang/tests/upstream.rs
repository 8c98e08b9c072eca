//! Known defects of the pinned brush-parser, checked directly against it so
//! that an upgrade which fixes one fails here (then drop the workaround).

/// `src` parsed by brush-parser alone, with the options the front end uses.
fn brush_parse(src: &str) -> Result<brush_parser::ast::Program, brush_parser::ParseError> {
    brush_parser::Parser::new(
        src.as_bytes(),
        &super::word::options(super::word::Context::Normal),
    )
    .parse_program()
}

/// brush-parser 0.4.0 (upstream issue reubeno/brush#1052): inside `$(…)`
/// the tokenizer counts parentheses without knowing about `case`, so the `)`
/// ending a pattern closes the substitution. bash runs
/// `echo $(case x in x) echo y;; esac)` and prints `y`; the front end hands
/// brush `(x)` instead (`casesubst`).
#[test]
fn case_pattern_paren_closes_command_substitution() {
    let src = "echo $(case x in x) echo y;; esac)";
    let tokens = brush_parser::tokenize_str(src).expect("tokenizes");
    let texts: Vec<&str> = tokens.iter().map(brush_parser::Token::to_str).collect();
    assert_eq!(texts[..3], ["echo", "$(case x in x)", "echo"], "{texts:?}");
    let err = brush_parse(src).expect_err("brush-parser 0.4.0 rejects it");
    // Near the `;;` (character 26).
    assert!(
        matches!(err, brush_parser::ParseError::ParsingNear(ref p) if p.index == 26),
        "{err:?}"
    );
    // The word parser has the same defect on the substitution alone.
    let word = brush_parser::word::parse(
        "$(case x in x) echo y;; esac)",
        &brush_parser::ParserOptions::default(),
    )
    .expect("parses");
    let pieces = format!("{word:?}");
    assert!(pieces.contains("\"case x in x\""), "{pieces}");
}

#[test]
fn case_patterns_in_substitutions_parse_through_the_workaround() {
    use super::ast::{Command, CompoundKind, WordPart};
    for src in [
        "echo $(case x in x) echo y;; esac)",
        "echo \"$(case x in\n x|y) echo y\n ;;\n esac)\"",
    ] {
        let program = super::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        let Command::Simple(simple) = &program.body.items[0].and_or.first.commands[0] else {
            panic!("{src:?}: not a simple command");
        };
        let word = &simple.words[1];
        let subst = match &word.parts[..] {
            [WordPart::CommandSubst { program, .. }] => program,
            [WordPart::DoubleQuoted(inner)] => match &inner[..] {
                [WordPart::CommandSubst { program, .. }] => program,
                other => panic!("{src:?}: {other:?}"),
            },
            other => panic!("{src:?}: {other:?}"),
        };
        let Command::Compound(c, _) = &subst.body.items[0].and_or.first.commands[0] else {
            panic!("{src:?}: no case inside");
        };
        assert!(matches!(c.kind, CompoundKind::Case { .. }), "{src:?}");
        // Positions still point into the original text.
        assert_eq!(word.span.end.offset, src.len(), "{src:?}");
    }
}

/// brush-parser 0.4.0: a subshell whose last command is a `case` with a
/// `;;` does not parse (its grammar reaches the end of input), though its
/// tokens are right: `(case a in a) echo x;; esac)`, also with `(a)`, with
/// spaces inside the parentheses, in `<(…)` and in `$( (…) )`. bash runs
/// them; `{ …; }` and `;` instead of `;;` parse. Its grammar reads
/// `esac )` as one more pattern; the front end hands it `esac;)`.
#[test]
fn case_with_double_semicolon_in_subshell_fails() {
    for src in [
        "(case a in a) echo x;; esac)",
        "( case a in (a) echo x;; esac )",
    ] {
        let tokens = brush_parser::tokenize_str(src).expect("tokenizes");
        assert!(
            tokens.iter().any(|t| t.to_str() == ";;")
                && tokens.last().map(brush_parser::Token::to_str) == Some(")"),
            "{src:?}: {tokens:?}"
        );
        let err = brush_parse(src).expect_err("brush-parser 0.4.0 rejects it");
        assert!(
            matches!(err, brush_parser::ParseError::ParsingAtEndOfInput),
            "{src:?}: {err:?}"
        );
    }
    for src in [
        "(case a in a) echo x; esac)",
        "{ case a in a) echo x;; esac; }",
    ] {
        super::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
    }
}
