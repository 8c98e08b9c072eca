//! `umask` against bash 5.2: (mask before, mode, "mask after|status|message").

use super::*;
use proptest::prelude::*;

#[rustfmt::skip]
const CASES: &[(u32, &str, &str)] = &[
    (0o022, "022", "0022|0|"),
    (0o022, "0", "0000|0|"),
    (0o022, "777", "0777|0|"),
    (0o022, "u=rwx,g=rx,o=", "0027|0|"),
    (0o022, "g-x", "0032|0|"),
    (0o022, "o+w", "0020|0|"),
    (0o022, "a=r", "0333|0|"),
    (0o022, "=rx", "0222|0|"),
    (0o022, "+w", "0000|0|"),
    (0o022, "u=g", "0022|1|`g': invalid symbolic mode character"),
    (0o022, "g=u", "0022|1|`u': invalid symbolic mode character"),
    (0o022, "ug=rw,o-r", "0116|0|"),
    (0o022, "u+x,g=", "0072|0|"),
    (0o022, "u=rwxs", "0022|1|`s': invalid symbolic mode character"),
    (0o022, "u=X", "0022|1|`X': invalid symbolic mode character"),
    (0o022, "u=t", "0022|1|`t': invalid symbolic mode character"),
    (0o022, "8", "0022|1|8: octal number out of range"),
    (0o022, "1234", "0234|0|"),
    (0o022, "12345", "0022|1|12345: octal number out of range"),
    (0o022, "abc", "0022|1|`b': invalid symbolic mode operator"),
    (0o022, "u=z", "0022|1|`z': invalid symbolic mode character"),
    (0o022, "x=r", "0022|1|`x': invalid symbolic mode operator"),
    (0o022, "u=", "0722|0|"),
    (0o022, ",", "0022|1|`,': invalid symbolic mode operator"),
    (0o022, "u=r,", "0022|1|`\u{0}': invalid symbolic mode operator"),
    (0o022, "u=r,,", "0022|1|`,': invalid symbolic mode operator"),
    (0o022, "2", "0002|0|"),
    (0o022, "0777", "0777|0|"),
    (0o022, "0022", "0022|0|"),
    (0o022, "07777", "0777|0|"),
    (0o022, "010000", "0022|1|010000: octal number out of range"),
    (0o022, "u-w+x", "0022|1|`+': invalid symbolic mode character"),
    (0o022, "go=u-w", "0022|1|`u': invalid symbolic mode character"),
    (0o022, "a+rwx", "0000|0|"),
    (0o022, "", "0022|1|`\u{0}': invalid symbolic mode operator"),
    (0o022, "-", "0022|0|"),
    (0o022, "=", "0777|0|"),
    (0o022, "u", "0022|1|`\u{0}': invalid symbolic mode operator"),
    (0o022, "uu=w", "0522|0|"),
    (0o022, "a-x,u+x", "0033|0|"),
    (0o022, "o=,g=,u=", "0777|0|"),
    (0o022, "0x1", "0022|1|0x1: octal number out of range"),
    (0o022, "18", "0022|1|18: octal number out of range"),
    (0o022, "r", "0022|1|`r': invalid symbolic mode operator"),
    (0o022, "+", "0022|0|"),
    (0o022, "u=w,g+x,o-x,a+r", "0123|0|"),
    (0o022, "=,", "0022|1|`\u{0}': invalid symbolic mode operator"),
    (0o022, " u=r", "0022|1|` ': invalid symbolic mode operator"),
    (0o027, "022", "0022|0|"),
    (0o027, "0", "0000|0|"),
    (0o027, "777", "0777|0|"),
    (0o027, "u=rwx,g=rx,o=", "0027|0|"),
    (0o027, "g-x", "0037|0|"),
    (0o027, "o+w", "0025|0|"),
    (0o027, "a=r", "0333|0|"),
    (0o027, "=rx", "0222|0|"),
    (0o027, "+w", "0005|0|"),
    (0o027, "u=g", "0027|1|`g': invalid symbolic mode character"),
    (0o027, "g=u", "0027|1|`u': invalid symbolic mode character"),
    (0o027, "ug=rw,o-r", "0117|0|"),
    (0o027, "u+x,g=", "0077|0|"),
    (0o027, "u=rwxs", "0027|1|`s': invalid symbolic mode character"),
    (0o027, "u=X", "0027|1|`X': invalid symbolic mode character"),
    (0o027, "u=t", "0027|1|`t': invalid symbolic mode character"),
    (0o027, "8", "0027|1|8: octal number out of range"),
    (0o027, "1234", "0234|0|"),
    (0o027, "12345", "0027|1|12345: octal number out of range"),
    (0o027, "abc", "0027|1|`b': invalid symbolic mode operator"),
    (0o027, "u=z", "0027|1|`z': invalid symbolic mode character"),
    (0o027, "x=r", "0027|1|`x': invalid symbolic mode operator"),
    (0o027, "u=", "0727|0|"),
    (0o027, ",", "0027|1|`,': invalid symbolic mode operator"),
    (0o027, "u=r,", "0027|1|`\u{0}': invalid symbolic mode operator"),
    (0o027, "u=r,,", "0027|1|`,': invalid symbolic mode operator"),
    (0o027, "2", "0002|0|"),
    (0o027, "0777", "0777|0|"),
    (0o027, "0022", "0022|0|"),
    (0o027, "07777", "0777|0|"),
    (0o027, "010000", "0027|1|010000: octal number out of range"),
    (0o027, "u-w+x", "0027|1|`+': invalid symbolic mode character"),
    (0o027, "go=u-w", "0027|1|`u': invalid symbolic mode character"),
    (0o027, "a+rwx", "0000|0|"),
    (0o027, "", "0027|1|`\u{0}': invalid symbolic mode operator"),
    (0o027, "-", "0027|0|"),
    (0o027, "=", "0777|0|"),
    (0o027, "u", "0027|1|`\u{0}': invalid symbolic mode operator"),
    (0o027, "uu=w", "0527|0|"),
    (0o027, "a-x,u+x", "0037|0|"),
    (0o027, "o=,g=,u=", "0777|0|"),
    (0o027, "0x1", "0027|1|0x1: octal number out of range"),
    (0o027, "18", "0027|1|18: octal number out of range"),
    (0o027, "r", "0027|1|`r': invalid symbolic mode operator"),
    (0o027, "+", "0027|0|"),
    (0o027, "u=w,g+x,o-x,a+r", "0123|0|"),
    (0o027, "=,", "0027|1|`\u{0}': invalid symbolic mode operator"),
    (0o027, " u=r", "0027|1|` ': invalid symbolic mode operator"),
];

#[test]
fn modes_match_bash() {
    for &(current, mode, expected) in CASES {
        let got = match new_mask(mode, current) {
            Ok(mask) => format!("{:04o}|0|", mask & 0o777),
            Err(e) => format!("{current:04o}|{}|{e}", e.status()),
        };
        assert_eq!(got, expected, "umask {current:04o}; umask {mode:?}");
    }
}

fn strings(s: &[&str]) -> Vec<String> {
    s.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn printing_as_bash_does() {
    let show = |args: &[&str], mask| parse_args(&strings(args)).unwrap().output(mask);
    assert_eq!(show(&[], 0o022), "0022\n");
    assert_eq!(show(&["-S"], 0o022), "u=rwx,g=rx,o=rx\n");
    assert_eq!(show(&["-p"], 0o022), "umask 0022\n");
    assert_eq!(show(&["-p", "-S"], 0o022), "umask -S u=rwx,g=rx,o=rx\n");
    assert_eq!(show(&["-pS"], 0o002), "umask -S u=rwx,g=rwx,o=rx\n");
    assert_eq!(show(&["-S"], 0o777), "u=,g=,o=\n");
    assert_eq!(show(&["-S", "077"], 0o077), "u=rwx,g=,o=\n");
    assert_eq!(show(&["077"], 0o077), "");
    let a = parse_args(&strings(&["--", "033", "044"])).unwrap();
    assert_eq!(a.mode.as_deref(), Some("033"));
    let e = parse_args(&strings(&["-x"])).unwrap_err();
    assert_eq!(
        (e.to_string().as_str(), e.status()),
        ("-x: invalid option", 2)
    );
}

proptest! {
    #[test]
    fn never_panics(mode in ".{0,10}", current in 0u32..0o1000) {
        if let Ok(mask) = new_mask(&mode, current) {
            prop_assert!(mask <= 0o7777);
        }
    }
}
