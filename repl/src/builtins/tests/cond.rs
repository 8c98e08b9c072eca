//! `[[ ]]` against bash 5.2: each case is the inside of `[[ ]]` run with
//! `x=abc y=a.c empty= n=5`, and bash's status followed by `BASH_REMATCH`.

use super::*;
use crate::builtins::test::{Access, FileInfo};
use crate::lang::ast::{Command, CompoundKind, Param, WordPart};

struct Env {
    vars: Vec<(&'static str, &'static str)>,
    rematch: Vec<String>,
    expansions: usize,
}

#[derive(Debug, PartialEq)]
struct Failed(String);

impl Env {
    fn new() -> Env {
        Env {
            vars: vec![("x", "abc"), ("y", "a.c"), ("empty", ""), ("n", "5")],
            rematch: vec!["stale".to_owned()],
            expansions: 0,
        }
    }

    fn var(&self, name: &str) -> &'static str {
        self.vars
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v)
    }

    /// Quote removal and `$name`: (text, quoted) pieces.
    fn pieces(&self, parts: &[WordPart], quoted: bool, out: &mut Vec<RegexPiece>) {
        for p in parts {
            let (text, q) = match p {
                WordPart::Literal(t) => (t.clone(), quoted),
                WordPart::SingleQuoted(t) | WordPart::Escaped(t) | WordPart::AnsiC(t) => {
                    (t.clone(), true)
                }
                WordPart::DoubleQuoted(inner) => {
                    self.pieces(inner, true, out);
                    continue;
                }
                WordPart::Param(pe) => match &pe.param {
                    Param::Named(n) => (self.var(n).to_owned(), quoted),
                    other => panic!("unexpected parameter {other:?}"),
                },
                other => panic!("unexpected part {other:?}"),
            };
            out.push(RegexPiece { text, quoted: q });
        }
    }
}

/// A glob of `*`, `?` and literals, for the fake's `==`.
fn glob(pieces: &[RegexPiece], text: &str) -> bool {
    let mut re = String::from("^");
    for p in pieces {
        for c in p.text.chars() {
            match c {
                '*' if !p.quoted => re.push_str(".*"),
                '?' if !p.quoted => re.push('.'),
                _ => re.push_str(&regex::escape(c.encode_utf8(&mut [0; 4]))),
            }
        }
    }
    re.push('$');
    regex::Regex::new(&re).unwrap().is_match(text)
}

impl FileTests for Env {
    fn stat(&self, path: &str) -> Option<FileInfo> {
        std::fs::metadata(path)
            .ok()
            .map(|m| FileInfo::from_metadata(&m))
    }
    fn lstat(&self, path: &str) -> Option<FileInfo> {
        std::fs::symlink_metadata(path)
            .ok()
            .map(|m| FileInfo::from_metadata(&m))
    }
    fn access(&self, path: &str, _access: Access) -> bool {
        self.stat(path).is_some()
    }
    fn is_set(&self, name: &str) -> bool {
        self.vars.iter().any(|(n, _)| *n == name)
    }
    fn option_on(&self, _name: &str) -> bool {
        false
    }
    fn isatty(&self, _fd: i32) -> bool {
        false
    }
    fn euid(&self) -> u32 {
        0
    }
    fn egid(&self) -> u32 {
        0
    }
}

impl CondEnv for Env {
    type Error = Failed;

    fn expand<'a>(&'a mut self, word: &'a Word) -> BoxFuture<'a, Result<String, Failed>> {
        self.expansions += 1;
        let mut out = Vec::new();
        self.pieces(&word.parts, false, &mut out);
        Box::pin(async move { Ok(out.into_iter().map(|p| p.text).collect()) })
    }

    fn matches<'a>(
        &'a mut self,
        pattern: &'a Word,
        text: &'a str,
    ) -> BoxFuture<'a, Result<bool, Failed>> {
        let mut out = Vec::new();
        self.pieces(&pattern.parts, false, &mut out);
        Box::pin(async move { Ok(glob(&out, text)) })
    }

    fn regex_pieces<'a>(
        &'a mut self,
        word: &'a Word,
    ) -> BoxFuture<'a, Result<Vec<RegexPiece>, Failed>> {
        let mut out = Vec::new();
        self.pieces(&word.parts, false, &mut out);
        Box::pin(async move { Ok(out) })
    }

    /// Integers, `a+b`, variable names, and `1/0` as the error.
    fn arith(&mut self, expr: &str) -> Result<i64, Failed> {
        if expr == "1/0" {
            return Err(Failed("1/0: division by 0".to_owned()));
        }
        if let Some((a, b)) = expr.split_once('+') {
            return Ok(self.arith(a)? + self.arith(b)?);
        }
        match expr.parse() {
            Ok(n) => Ok(n),
            Err(_) => Ok(self.var(expr).parse().unwrap_or(0)),
        }
    }

    fn set_rematch(&mut self, groups: Vec<String>) {
        self.rematch = groups;
    }
}

fn cond_of(inside: &str) -> CondExpr {
    let program = crate::lang::parse(&format!("[[ {inside} ]]")).unwrap();
    match &program.body.items[0].and_or.first.commands[0] {
        Command::Compound(c, _) => match &c.kind {
            CompoundKind::Cond(e) => e.clone(),
            other => panic!("not [[: {other:?}"),
        },
        other => panic!("not compound: {other:?}"),
    }
}

fn run(inside: &str, env: &mut Env) -> Result<bool, CondError<Failed>> {
    let expr = cond_of(inside);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(eval(&expr, env))
}

const CASES: &[(&str, &str)] = &[
    (r#"abc == abc"#, "0|"),
    (r#"abc == a*"#, "0|"),
    (r#"abc == "a*""#, "1|"),
    (r#"$x == a?c"#, "0|"),
    (r#"$x != a?c"#, "1|"),
    (r#"$x = "$x""#, "0|"),
    (r#"-n $x"#, "0|"),
    (r#"-z $x"#, "1|"),
    (r#"$empty"#, "1|"),
    (r#"$x"#, "0|"),
    (r#"! $x"#, "1|"),
    (r#"-z $empty && -n $x"#, "0|"),
    (r#"-z $x || -n $x"#, "0|"),
    (r#"( -z $x || -n $x ) && ! -z $x"#, "0|"),
    (r#"$x =~ ^a(b)(c)$"#, "0|abc|b|c|"),
    (r#"$x =~ b"#, "0|b|"),
    (r#"$x =~ "b""#, "0|b|"),
    (r#"$x =~ "a.c""#, "1|"),
    (r#"$y =~ a"."c"#, "0|a.c|"),
    (r#"$y =~ a.c"#, "0|a.c|"),
    (r#"$x =~ (a)(x)?(c)?"#, "0|a|a|||"),
    (r#"$x =~ ^[[:alpha:]]+$"#, "0|abc|"),
    (r#"$x =~ [^a]"#, "0|b|"),
    (r#"$x =~ []b]+"#, "0|b|"),
    (r#"$x =~ x"#, "1|"),
    (r#"a\b =~ [\\]"#, "1|"),
    (r#"a-b =~ [a-]+"#, "0|a-|"),
    (r#"a[b =~ [[]"#, "0|[|"),
    (r#"$x =~ "(""#, "1|"),
    (r#"$x =~ a{"#, "2|"),
    (r#"3 -eq 3"#, "0|"),
    (r#"2+1 -eq 3"#, "0|"),
    (r#"n -eq 5"#, "0|"),
    (r#"n -lt 6 && n -gt 4"#, "0|"),
    (r#"10 -ge 9"#, "0|"),
    (r#"-5 -le -5"#, "0|"),
    (r#"1 -ne 1"#, "1|"),
    (r#"a < b"#, "0|"),
    (r#"b < a"#, "1|"),
    (r#"abc > abd"#, "1|"),
    (r#"1 -eq 1 || 1/0 -eq 1"#, "0|"),
    (r#"1 -eq 2 && 1/0 -eq 1"#, "1|"),
    (r#"-e /"#, "0|"),
    (r#"-d /"#, "0|"),
    (r#"-f /"#, "1|"),
    (r#"/ -ef /"#, "0|"),
    (r#"-v x"#, "0|"),
    (r#"-v nope"#, "1|"),
];

#[test]
fn expressions_match_bash() {
    for &(inside, expected) in CASES {
        let mut env = Env::new();
        let status = match run(inside, &mut env) {
            Ok(true) => 0,
            Ok(false) => 1,
            Err(e) => e.status(),
        };
        let mut got = format!("{status}|");
        if inside.contains("=~") && status < 2 {
            for g in &env.rematch {
                got.push_str(g);
                got.push('|');
            }
        }
        assert_eq!(got, expected, "[[ {inside} ]]");
    }
}

#[test]
fn and_or_short_circuit_expansions() {
    let mut env = Env::new();
    assert!(run("-n $x || -n $y", &mut env).unwrap());
    assert_eq!(env.expansions, 1);
    let mut env = Env::new();
    assert!(!run("-z $x && -n $y", &mut env).unwrap());
    assert_eq!(env.expansions, 1);
}

#[test]
fn arithmetic_errors_are_the_shells() {
    let mut env = Env::new();
    match run("1/0 -eq 1", &mut env) {
        Err(e @ CondError::Env(_)) => assert_eq!(e.status(), 1),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bracket_expressions_translate() {
    let unquoted = |s: &str| {
        ere_to_regex(&[RegexPiece {
            text: s.to_owned(),
            quoted: false,
        }])
    };
    assert_eq!(unquoted("[&~]"), r"[\&\~]");
    assert_eq!(unquoted(r"[a\]"), r"[a\\]");
    assert_eq!(unquoted("[]a]"), r"[\]a]");
    assert_eq!(unquoted("[^]a]"), r"[^\]a]");
    assert_eq!(unquoted("[[:digit:]x-z]"), "[[:digit:]x-z]");
    assert_eq!(unquoted("[[=a=]]"), "[a]");
    assert_eq!(unquoted("[a-]"), r"[a\-]");
    assert_eq!(unquoted(r"\[x"), r"\[x");
    let quoted = ere_to_regex(&[RegexPiece {
        text: "a.*(".to_owned(),
        quoted: true,
    }]);
    assert_eq!(quoted, r"a\.\*\(");
}
