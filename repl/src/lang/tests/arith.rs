//! Arithmetic against values bash 5.2 printed on this machine
//! (`bash -c 'echo $(( EXPR ))'`).

use std::collections::HashMap;

use super::super::arith::{eval, ArithError, Vars};

#[derive(Default)]
struct Map(HashMap<(String, Option<i64>), String>);

impl Vars for Map {
    fn get(&self, name: &str, index: Option<i64>) -> Option<String> {
        self.0.get(&(name.to_owned(), index)).cloned()
    }
    fn set(&mut self, name: &str, index: Option<i64>, value: i64) {
        self.0.insert((name.to_owned(), index), value.to_string());
    }
}

fn run(expr: &str) -> Result<i64, ArithError> {
    eval(expr, &mut Map::default())
}

#[test]
fn values_match_bash() {
    let cases: &[(&str, i64)] = &[
        ("1+2*3", 7),
        ("2**10", 1024),
        ("2**63", i64::MIN),
        ("-2**2", 4),
        ("7/2", 3),
        ("-7/2", -3),
        ("-7%3", -1),
        ("1<<63", i64::MIN),
        ("1<<64", 1),
        ("-1>>1", -1),
        ("5>3", 1),
        ("3==3 && 0", 0),
        ("1 ? 2 : 3", 2),
        ("0 ? 2 : 3", 3),
        ("x=5, x*2", 10),
        ("x=5, x+=3, x", 8),
        ("x=5, x++, x", 6),
        ("x=5, ++x", 6),
        ("x=5, x--", 5),
        ("x=5, x<<=2", 20),
        ("x=7, x%=4", 3),
        ("0x1F", 31),
        ("010", 8),
        ("2#101", 5),
        ("16#ff", 255),
        ("36#z", 35),
        ("64#_", 63),
        ("64#@", 62),
        ("!0", 1),
        ("~0", -1),
        ("9223372036854775807+1", i64::MIN),
        ("-9223372036854775807-1", i64::MIN),
        ("(-9223372036854775807-1)/-1", i64::MIN),
        ("(-9223372036854775807-1)%-1", 0),
        ("y", 0),
        ("y+1", 1),
        ("a[2]=7, a[2]*2", 14),
        ("x=1 ? 5 : 6", 5),
        ("1,2,3", 3),
        ("0xff & 0x0f | 0x30 ^ 1", 63),
        ("4 >= 4", 1),
        ("3 != 3", 0),
        ("", 0),
    ];
    for (expr, want) in cases {
        assert_eq!(run(expr), Ok(*want), "{expr}");
    }
}

#[test]
fn errors_match_bash() {
    assert_eq!(run("1/0"), Err(ArithError::DivisionByZero));
    assert_eq!(run("5%0"), Err(ArithError::DivisionByZero));
    assert_eq!(run("x=1, x/=0"), Err(ArithError::DivisionByZero));
    assert_eq!(run("2**-1"), Err(ArithError::NegativeExponent));
    assert!(matches!(run("1 +"), Err(ArithError::Syntax { .. })));
    assert!(matches!(run("3#4"), Err(ArithError::Syntax { .. })));
    assert_eq!(ArithError::DivisionByZero.to_string(), "division by 0");
}

#[test]
fn short_circuits_skip_side_effects() {
    let mut vars = Map::default();
    assert_eq!(
        eval("0 && (x=1), 1 || (y=1), 0 ? (z=1) : 2", &mut vars),
        Ok(2)
    );
    assert!(vars.0.is_empty(), "{:?}", vars.0);
}

#[test]
fn variable_values_are_expressions() {
    let mut vars = Map::default();
    vars.set("n", None, 4);
    vars.0.insert(("e".into(), None), "n*2+1".into());
    assert_eq!(eval("e*10", &mut vars), Ok(90));
    vars.0.insert(("loop".into(), None), "loop+1".into());
    // 1,024 levels need more than a test thread's stack.
    let deep = std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || eval("loop", &mut vars))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(
        deep,
        Err(ArithError::TooDeep {
            text: "loop+1".into()
        })
    );
}

/// Values bash 5.2 printed for `x=VALUE; echo $((x)) $((x+1))`: plain
/// decimals take the fast path, everything else must still parse as before.
#[test]
fn variable_values_as_numbers_match_bash() {
    let cases: &[(&str, i64)] = &[
        ("5", 5),
        ("-5", -5),
        ("+5", 5),
        (" 5", 5),
        ("5 ", 5),
        (" -5 ", -5),
        ("\t7", 7),
        ("5\n", 5),
        ("0", 0),
        ("-0", 0),
        ("00", 0),
        ("010", 8),
        ("-010", -8),
        ("0x1f", 31),
        ("2#101", 5),
        ("- 5", -5),
        ("9223372036854775807", i64::MAX),
        ("-9223372036854775808", i64::MIN),
        ("9223372036854775808", i64::MIN),
        ("3*4", 12),
    ];
    for (value, want) in cases {
        let mut vars = Map::default();
        vars.0.insert(("x".into(), None), (*value).into());
        assert_eq!(eval("x", &mut vars), Ok(*want), "x={value:?}");
        assert_eq!(
            eval("x+1", &mut vars),
            Ok(want.wrapping_add(1)),
            "x={value:?}"
        );
    }
}

/// bash: `08: value too great for base`; a leading zero is octal, so no
/// decimal shortcut may accept these.
#[test]
fn octal_looking_values_stay_errors() {
    for value in ["08", "09", "-08", "1e3", "5x"] {
        let mut vars = Map::default();
        vars.0.insert(("x".into(), None), value.into());
        assert!(
            matches!(eval("x+1", &mut vars), Err(ArithError::Syntax { .. })),
            "x={value:?}"
        );
    }
}

#[test]
fn counter_keeps_counting() {
    let mut vars = Map::default();
    for _ in 0..1000 {
        eval("i=i+1", &mut vars).unwrap();
    }
    assert_eq!(vars.0[&("i".to_owned(), None)], "1000");
    assert_eq!(eval("i++, i", &mut vars), Ok(1001));
}

/// Reasons and error tokens as bash 5.2 printed them for `$(( EXPR ))`.
#[test]
fn diagnoses_name_bash_reason_and_token() {
    use super::super::arith::check::diagnose;
    let cases: &[(&str, &str, &str)] = &[
        ("1 +* 2", "syntax error: operand expected", "* 2"),
        ("1 +", "syntax error: operand expected", "+"),
        ("1 2", "syntax error in expression", "2"),
        ("1 @ 2", "syntax error: invalid arithmetic operator", "@ 2"),
        ("1 ? 2", "`:' expected for conditional expression", "2"),
        ("1 ?: 3", "expression expected", ": 3"),
        ("3 = 4", "attempted assignment to non-variable", "= 4"),
        ("2#3", "value too great for base", "2#3"),
        ("1#1", "invalid arithmetic base", "1#1"),
        ("2#1#1", "invalid number", "2#1#1"),
        ("10#", "invalid integer constant", "10#"),
        ("a[1", "bad array subscript", "a[1"),
        ("x++ ++", "syntax error: operand expected", "+"),
        ("(1)(2)", "syntax error in expression", "(2)"),
        ("1 ** ", "syntax error: operand expected", "** "),
    ];
    for (expr, reason, token) in cases {
        let d = diagnose(expr).unwrap_or_else(|| panic!("{expr}: no diagnosis"));
        assert_eq!((d.reason, d.token.as_str()), (*reason, *token), "{expr}");
    }
    for ok in [
        "1 + 2",
        "x++ + ++y",
        "a[1 + 2] = 3",
        "0x1f",
        "64#_@",
        "c ? 1 : 2",
        "",
    ] {
        assert_eq!(diagnose(ok), None, "{ok}");
    }
}
