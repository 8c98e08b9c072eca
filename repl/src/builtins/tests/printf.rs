//! `printf` against bash 5.2: (format and arguments, stdout, diagnostics
//! without `bash: line N: printf: `, status), all from bash's real output.

use super::*;
use proptest::prelude::*;

/// (format and arguments, stdout, diagnostics, status)
type Case = (
    &'static [&'static str],
    &'static [u8],
    &'static [&'static str],
    i32,
);

#[rustfmt::skip]
const CASES: &[Case] = &[
    (&["%d", "12abc"], b"12", &["12abc: invalid number"], 1),
    (&["%d\n", " 12"], b"12\n", &[], 0),
    (&["%d\n", "12 "], b"12\n", &["12 : invalid number"], 1),
    (&["%d", "99999999999999999999"], b"9223372036854775807", &["warning: 99999999999999999999: Numerical result out of range"], 0),
    (&["%d", "-99999999999999999999"], b"-9223372036854775808", &["warning: -99999999999999999999: Numerical result out of range"], 0),
    (&["%u", "-1"], b"18446744073709551615", &[], 0),
    (&["%x", "-1"], b"ffffffffffffffff", &[], 0),
    (&["%c", ""], b"\x00", &[], 0),
    (&["%c", "é"], b"\xc3", &[], 0),
    (&["%.1s", "é"], b"\xc3", &[], 0),
    (&["%3s", "é"], b" \xc3\xa9", &[], 0),
    (&["%z"], b"", &["`%z': missing format character"], 1),
    (&["a%"], b"a", &["`%': missing format character"], 1),
    (&["%5"], b"", &["`%5': missing format character"], 1),
    (&["%q\n", "a b", "", "a'b", "a\nb", "é", "~x", "a=b", "#x", "x#"], b"a\\ b\n''\na\\'b\n$'a\\nb'\n\xc3\xa9\n\\~x\na=b\n\\#x\nx#\n", &[], 0),
    (&["\\c1\\n"], b"\\c1\n", &[], 0),
    (&["%b", "a\\cb", "c"], b"a", &[], 0),
    (&["%s %s\n", "a", "b", "c"], b"a b\nc \n", &[], 0),
    (&["x\n", "a", "b"], b"x\n", &[], 0),
    (&["%d\n", "'A", "\"B"], b"65\n66\n", &[], 0),
    (&["%d", "'é"], b"233", &[], 0),
    (&["%d %d %d\n", "0x1F", "010", "-010"], b"31 8 -8\n", &[], 0),
    (&["%5.2f|%-8.3e|%g|%G|%g\n", "3.14159", "1234.5", "0.0001", "1e20", "100000"], b" 3.14|1.234e+03|0.0001|1E+20|100000\n", &[], 0),
    (&["%g %g %g %#g %e\n", "1234567", "0.00001234", "123.456", "1", "0"], b"1.23457e+06 1.234e-05 123.456 1.00000 0.000000e+00\n", &[], 0),
    (&["%f %f %F\n", "inf", "nan", "-inf"], b"inf nan -INF\n", &[], 0),
    (&["%s\n", "%s"], b"%s\n", &[], 0),
    (&["\\101\\1012\\x41\\x4a2\\u00e9\\U0001F600\\z\\0101\\n"], b"AA2AJ2\xc3\xa9\xf0\x9f\x98\x80\\z\x081\n", &[], 0),
    (&["%b\n", "\\101 \\0101 \\01012 \\x41 \\u00e9 \\z"], b"A A A2 A \xc3\xa9 \\z\n", &[], 0),
    (&["%*d|%-*d|%.*f\n", "5", "1", "4", "2", "2", "3.14159"], b"    1|2   |3.14\n", &[], 0),
    (&["%+d % d %05d %-5d| %#x %#o %.3d %X\n", "5", "5", "5", "5", "255", "8", "7", "255"], b"+5  5 00005 5    | 0xff 010 007 FF\n", &[], 0),
    (&["%i %ld %lld %hd\n", "1", "2", "3", "4"], b"1 2 3 4\n", &[], 0),
    (&["%f", "abc"], b"0.000000", &["abc: invalid number"], 1),
    (&["%s"], b"", &[], 0),
    (&["%d %s\n", "1"], b"1 \n", &[], 0),
    (&["%.3s|%-4s|%4s\n", "abcdef", "ab", "ab"], b"abc|ab  |  ab\n", &[], 0),
    (&["%5%"], b"", &["`%': invalid format character"], 1),
    (&["%a|%A|%.2a|%a|%a\n", "1", "255.5", "1", "-2", "0"], b"0x8p-3|0XF.F8P+4|0x8.00p-3|-0x8p-2|0x0p+0\n", &[], 0),
    (&["%Q\n", "a b"], b"a\\ b\n", &[], 0),
    (&["%d", "99999999999999999999"], b"9223372036854775807", &["warning: 99999999999999999999: Numerical result out of range"], 0),
    (&["%y|%d", "1"], b"", &["`y': invalid format character"], 1),
    (&["%d|%s\n", "abc", "x"], b"0|x\n", &["abc: invalid number"], 1),
    (&["%d", "'"], b"0", &[], 0),
    (&["%d", "09"], b"0", &["09: invalid octal number"], 1),
    (&["%d", "0x"], b"0", &["0x: invalid hex number"], 1),
    (&["%d", "-"], b"0", &["-: invalid number"], 1),
    (&["%d", ""], b"0", &[], 0),
    (&["%d", "  -0x10"], b"-16", &[], 0),
    (&["%u", "99999999999999999999"], b"18446744073709551615", &["warning: 99999999999999999999: Numerical result out of range"], 0),
    (&["%f", "1e5000"], b"inf", &["warning: 1e5000: Numerical result out of range"], 0),
    (&["%f", "0x1p3"], b"8.000000", &[], 0),
    (&["%.3f", "'a"], b"97.000", &[], 0),
    (&["%s\\n", "\\t"], b"\\t\n", &[], 0),
    (&["%5c|%-3c|\n", "a", "b"], b"    a|b  |\n", &[], 0),
    (&["%.0f %.0f %.0f\n", "0.5", "1.5", "2.5"], b"0 2 2\n", &[], 0),
    (&["%e\n", "123456789"], b"1.234568e+08\n", &[], 0),
    (&["%10.4g|%-10g|%010.2f|%+.1e\n", "3.14159265", "2.5", "-3.14159", "12345"], b"     3.142|2.5       |-000003.14|+1.2e+04\n", &[], 0),
    (&["%#.0f %#x %#o %#X\n", "3", "0", "0", "10"], b"3. 0 0 0XA\n", &[], 0),
    (&["%.0d|%.0x|\n", "0", "0"], b"||\n", &[], 0),
    (&["%08.3d|%-08d|\n", "5", "5"], b"     005|5       |\n", &[], 0),
    (&["%q\n", "a|b", "a;b", "a$b", "a\"b", "*", "?", "[x]", "{a,b}", "a!b", "a^b", "a,b", "a%b", "a@b", "a:b", "-x", "+x", "\t", "\u{1}", "a\\b", "x~", "=x"], b"a\\|b\na\\;b\na\\$b\na\\\"b\n\\*\n\\?\n\\[x\\]\n\\{a\\,b\\}\na\\!b\na\\^b\na\\,b\na%b\na@b\na:b\n-x\n+x\n$'\\t'\n$'\\001'\na\\\\b\nx~\n=x\n", &[], 0),
    (&["%10q|%.2q|\n", "ab", "a b"], b"        ab|a\\|\n", &[], 0),
    (&["%s\\0%s", "a", "b"], b"a\x00b", &[], 0),
    (&["%c|%q|%b|%s|%d|%f\n"], b"\x00|''|||0|0.000000\n", &[], 0),
    (&["%05s|%-05s|\n", "ab", "ab"], b"   ab|ab   |\n", &[], 0),
    (&["\\x|\\xg|\\u|\\ud800|\\U110000|\\n"], b"\\x|\\xg|\\u|\xed\xa0\x80|\xf4\x90\x80\x80|\n", &["missing hex digit for \\x", "missing hex digit for \\x", "missing unicode digit for \\u"], 0),
    (&["%b|\n", "\\x", "\\u", "\\y", "\\\\", "\\'", "\\\"", "\\?", "\\e\\E", "\\c"], b"\\x|\n\\u|\n\\y|\n\\|\n\\'|\n\\\"|\n\\?|\n\x1b\x1b|\n", &["missing hex digit for \\x", "missing unicode digit for \\u"], 0),
    (&["%q\n", "a=~b", "a:~b", "~", "a b~", "&", "(", ")", "<", ">", "`", "a\tb", "\u{7f}", " ", "\u{85}", "a\u{1b}b"], b"a=\\~b\na:\\~b\n\\~\na\\ b~\n\\&\n\\(\n\\)\n\\<\n\\>\n\\`\n$'a\\tb'\n$'\\177'\n\xc2\xa0\n$'\\302\\205'\n$'a\\Eb'\n", &[], 0),
    (&["%d\n", "0x1g", "07a", "1a", "0X1f", " 09", "-0x10", "+5"], b"1\n7\n1\n31\n0\n-16\n5\n", &["0x1g: invalid hex number", "07a: invalid octal number", "1a: invalid number", " 09: invalid number"], 1),
    (&["%s %d\n", "a", "1", "b"], b"a 1\nb 0\n", &[], 0),
    (&["%*s|%.*s|\n", "-5", "a", "-2", "abc"], b"a    |abc|\n", &[], 0),
    (&["%x %o %X\n", "-1", "-8", "255"], b"ffffffffffffffff 1777777777777777777770 FF\n", &[], 0),
    (&["%.5d|%+.3d|% 05d|%+05d\n", "-42", "7", "3", "3"], b"-00042|+007| 0003|+0003\n", &[], 0),
    (&["%-+6d|%-#8x|%#5o\n", "3", "255", "8"], b"+3    |0xff    |  010\n", &[], 0),
    (&["%5.1f|%-8.2e|%+g|% g\n", "-0.05", "-1e-10", "0", "1"], b" -0.1|-1.00e-10|+0| 1\n", &[], 0),
    (&["%g %g %g %g %g %g\n", "1e-4", "1e-5", "123456", "1234567", "0.000123456789", "99999.95"], b"0.0001 1e-05 123456 1.23457e+06 0.000123457 100000\n", &[], 0),
    (&["%.3g %.10g %.0g %#.3g %#g\n", "1234", "0.1", "15", "1", "0.0001"], b"1.23e+03 0.1 2e+01 1.00 0.000100000\n", &[], 0),
    (&["%E %G %F\n", "1.5", "1e-10", "2.25"], b"1.500000E+00 1E-10 2.250000\n", &[], 0),
    (&["%.15f\n", "0.1"], b"0.100000000000000\n", &[], 0),
    (&["%s\n", "%%d", "%5%"], b"%%d\n%5%\n", &[], 0),
    (&["%%|%5s|%%\n", "x"], b"%|    x|%\n", &[], 0),
    (&["%i|%li|%hhd|%jd|%zd|%td|%qd|%Ld\n", "1", "2", "3", "4", "5", "6", "7", "8"], b"1|2|3|4|5|6|7d|8\n", &[], 0),
    (&["%d\n", "'é", "'", "\"x"], b"233\n0\n120\n", &[], 0),
    (&["%f %f\n", " 1.5", "1.5x"], b"1.500000 1.500000\n", &["1.5x: invalid number"], 1),
    (&["%f|%f|%f|%f\n", "infinity", "-Inf", "NAN", " nan"], b"inf|-inf|nan|nan\n", &[], 0),
    (&["%5f|%-6.1f|%010f\n", "inf", "nan", "-inf"], b"  inf|nan   |      -inf\n", &[], 0),
    (&["%d", "1", "2", "3"], b"123", &[], 0),
    (&["\\0101\\08\\n"], b"\x081\x008\n", &[], 0),
    (&["a\\"], b"a\\", &[], 0),
    (&["%#05o|%#.0o|%#o|%#.3o\n", "8", "0", "0", "8"], b"00010|0|0|010\n", &[], 0),
    (&["%#08x|%08.3x|%-#6X|\n", "255", "255", "255"], b"0x0000ff|     0ff|0XFF  |\n", &[], 0),
    (&["%'d|%'.2f\n", "1234567", "1234.5"], b"1234567|1234.50\n", &[], 0),
    (&["%.3e|%.0e|%#.0e\n", "9.9996", "5", "5"], b"1.000e+01|5e+00|5.e+00\n", &[], 0),
    (&["%g|%g|%g|%g\n", "0.0001", "0.00001", "1e15", "1e16"], b"0.0001|1e-05|1e+15|1e+16\n", &[], 0),
    (&["%.2s%.2s\n", "abc"], b"ab\n", &[], 0),
    (&["%d %d\n", "1", "2", "3"], b"1 2\n3 0\n", &[], 0),
    (&["%s=%s\n", "a", "1", "b", "2"], b"a=1\nb=2\n", &[], 0),
    (&["%b\n", "a\\0101b", "\\0", "\\08"], b"aAb\n\x00\n\x008\n", &[], 0),
    (&["\\'\\\"\\?\\a\\v\\f\\r\\e\\E\\n"], b"'\"?\x07\x0b\x0c\x0d\x1b\x1b\n", &[], 0),
    (&["%-5b|%5.2b|\n", "a\\tb", "xyz"], b"a\x09b  |   xy|\n", &[], 0),
    (&["%.*d|%*.*s|\n", "3", "7", "6", "2", "abcdef"], b"007|    ab|\n", &[], 0),
    (&["%x|%X|%o\n", "'a", "255", "0x10"], b"61|FF|20\n", &[], 0),
    (&["%u|%u\n", "-0", "18446744073709551615"], b"0|18446744073709551615\n", &[], 0),
    (&["%d\n", "9223372036854775807", "-9223372036854775808", "9223372036854775808"], b"9223372036854775807\n-9223372036854775808\n9223372036854775807\n", &["warning: 9223372036854775808: Numerical result out of range"], 0),
    (&["%.1f|%.2f|%.3f\n", "0.25", "1.005", "2.0005"], b"0.2|1.00|2.001\n", &[], 0),
    (&["%f\n", "-0"], b"-0.000000\n", &[], 0),
    (&["%+.0f|% .0f\n", "-0.4", "0.4"], b"-0| 0\n", &[], 0),
    (&["%5.3s|\n", "abcdef"], b"  abc|\n", &[], 0),
    (&["%-10.3f|%-+10.2e|\n", "3.14159", "314.159"], b"3.142     |+3.14e+02 |\n", &[], 0),
    (&["%.20f|%.25e\n", "0.1", "0.1"], b"0.10000000000000000000|1.0000000000000000000135525e-01\n", &[], 0),
    (&["%f|%e\n", "1e300", "1e-300"], b"1000000000000000000008997324079559193870523944273290747938260082321265646596180935755849152083750497190350372508614274835903592556184672983913096260520748646287327135641843653294084255107606016789726652932370030551382947620994540294772781889620606179267611627097410650567187386105690089424915104006144.000000|1.000000e-300\n", &[], 0),
    (&["%.30e|%.30g\n", "0.333333333333333333333333", "2.5"], b"3.333333333333333333423683514374e-01|2.5\n", &[], 0),
    (&["%a|%a|%.3a|%.0a|%A\n", "0.1", "3.0", "0.1", "1.5", "1e-10"], b"0xc.ccccccccccccccdp-7|0xcp-2|0xc.ccdp-7|0xcp-3|0XD.BE6FECEBDEDD5BFP-37\n", &[], 0),
    (&["%g|%e|%f\n", "1e-5000", "1e4000", "1e-20"], b"0|1.000000e+4000|0.000000\n", &["warning: 1e-5000: Numerical result out of range"], 0),
    (&["%.2f|%.2f|%.2f|%.1f\n", "2.675", "1.125", "0.125", "0.05"], b"2.67|1.12|0.12|0.1\n", &[], 0),
    (&["%g|%g|%.17g|%.21g\n", "99999.95", "999999.5", "0.1", "1e23"], b"100000|1e+06|0.1|1e+23\n", &[], 0),
    (&["%f|%.3f\n", "123456789012345678901234567890", "-0.0005"], b"123456789012345678899921813504.000000|-0.000\n", &[], 0),
    (&["%e\n", "0x1.8p1"], b"3.000000e+00\n", &[], 0),
    (&["%.0e|%.1g|%g\n", "2.5", "0.05", "1e-320"], b"2e+00|0.05|1e-320\n", &[], 0),
    (&["%f\n", "1e5000"], b"inf\n", &["warning: 1e5000: Numerical result out of range"], 0),
    (&["%10.3a|%-12a|%012.2f\n", "1", "2", "-1.5"], b"0x8.000p-3|0x8p-2      |-00000001.50\n", &[], 0),
    (&["%.3f|%.10f\n", "9.9995", "1e-11"], b"10.000|0.0000000000\n", &[], 0),
    (&["%G|%E\n", "1e-50", "nan"], b"1E-50|NAN\n", &[], 0),
    (&["%s|%d|%.1f\n", "x", "'", "'"], b"x|0|0.0\n", &[], 0),
    (&["%.60e|%.70f|%.40g\n", "0.1", "1e-30", "3"], b"1.000000000000000000013552527156068805425093160010874271392822e-01|0.0000000000000000000000000000010000000000000000000316901234324314520231|3\n", &[], 0),
    (&["%.100e|%.80f|%.70e\n", "0.5", "0.1", "1e-30"], b"5.0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000e-01|0.10000000000000000000135525271560688054250931600108742713928222656250000000000000|1.0000000000000000000316901234324314520230954186912673034524534244347047e-30\n", &[], 0),
    (&["%.30f|%.25e\n", "12345678901234567890", "1e25"], b"12345678901234567890.000000000000000000000000000000|1.0000000000000000000000000e+25\n", &[], 0),
];

#[test]
fn formats_match_bash() {
    let mut failures = Vec::new();
    for &(argv, out, errs, st) in CASES {
        let args: Vec<String> = argv[1..].iter().map(|s| (*s).to_owned()).collect();
        let (got, errors) = printf(argv[0], &args);
        let got_errs: Vec<String> = errors.iter().map(ToString::to_string).collect();
        let want_errs: Vec<String> = errs.iter().map(|s| (*s).to_owned()).collect();
        if (got.as_slice(), &got_errs, status(&errors)) != (out, &want_errs, st) {
            failures.push(format!(
                "printf {argv:?}\n  got  {:?} {got_errs:?} {}\n  want {:?} {want_errs:?} {st}",
                String::from_utf8_lossy(&got),
                status(&errors),
                String::from_utf8_lossy(out),
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `strftime` shown as `<format@secs>`; now is 1000, the start 500.
struct FakeClock;

impl Clock for FakeClock {
    fn now(&self) -> i64 {
        1000
    }
    fn shell_start(&self) -> i64 {
        500
    }
    fn strftime(&self, format: &str, secs: i64) -> String {
        format!("<{format}@{secs}>")
    }
}

fn with_clock(format: &str, args: &[&str]) -> (String, Vec<String>, i32) {
    let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
    let (out, errors) = printf_with(format, &args, &FakeClock);
    (
        String::from_utf8_lossy(&out).into_owned(),
        errors.iter().map(ToString::to_string).collect(),
        status(&errors),
    )
}

/// bash: `printf '%(%Y)T|%10(%Y)T|%-6.2(%Y)T|' 0 0 0` is
/// `1970|      1970|19    |`; the rest as bash's outputs above show.
#[test]
fn time_conversions() {
    assert_eq!(
        with_clock("%(%Y)T|%10(%Y)T|%-9.4(%Y)T|\n", &["0", "0", "0"]),
        ("<%Y@0>|    <%Y@0>|<%Y@     |\n".to_owned(), vec![], 0)
    );
    assert_eq!(with_clock("%()T", &["5"]).0, "<%X@5>");
    assert_eq!(
        with_clock("%(s)T %(s)T %(s)T", &["-1", "-2"]).0,
        "<s@1000> <s@500> <s@1000>"
    );
    assert_eq!(
        with_clock("%(%s)T|%(%s)T\n", &["abc", "12x"]),
        (
            "<%s@0>|<%s@12>\n".to_owned(),
            vec![
                "abc: invalid number".to_owned(),
                "12x: invalid number".to_owned()
            ],
            1
        )
    );
    assert_eq!(
        with_clock("%(Y)T %s\n", &["1", "a", "2", "b"]).0,
        "<Y@1> a\n<Y@2> b\n"
    );
    assert_eq!(
        with_clock("%(%Y\n", &["0"]),
        (
            "%(".to_owned(),
            vec![
                "warning: `\u{0}': invalid time format specification".to_owned(),
                "`Y': invalid format character".to_owned()
            ],
            1
        )
    );
    assert_eq!(
        with_clock("%(%Y)d\n", &["0"]).1,
        vec![
            "warning: `d': invalid time format specification".to_owned(),
            "`Y': invalid format character".to_owned()
        ]
    );
    let (_, errors) = printf("%(%Y)T", &[]);
    assert_eq!(errors, vec![PrintfError::NoClock]);
}

/// Absurd widths and precisions are cut, not allocated.
#[test]
fn huge_fields_are_bounded() {
    let (out, errors) = printf(
        "%2147483647s|%.999999999f|%*d",
        &["a".into(), "1".into(), "99999999999".into(), "5".into()],
    );
    assert!(errors.is_empty());
    assert_eq!(out.len(), (1 << 20) + 1 + 2 + 100_000 + 1 + (1 << 20));
}

#[test]
fn quoting_reads_back() {
    assert_eq!(quote(""), "''");
    assert_eq!(quote("a b"), r"a\ b");
    assert_eq!(quote("a\nb"), r"$'a\nb'");
    assert_eq!(escape::ansi_c_quote("it's"), r"$'it\'s'");
}

proptest! {
    #[test]
    fn never_panics(format in "[%a-z0-9.*#+ '\\\\-]{0,12}", args in proptest::collection::vec(".{0,6}", 0..4)) {
        let (_, errors) = printf(&format, &args);
        prop_assert!(status(&errors) <= 1);
    }

    #[test]
    fn arbitrary_text_never_panics(format in ".{0,16}", args in proptest::collection::vec(".{0,8}", 0..4)) {
        let _ = printf(&format, &args);
    }
}
