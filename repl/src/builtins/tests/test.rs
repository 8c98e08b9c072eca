//! `test` against bash 5.2's answers (each case: operands separated by `|`,
//! bash's status, bash's message after `test: `).

use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

/// The host's files under `dir`; no terminals, `HOME` is the only variable.
struct Host {
    dir: PathBuf,
}

impl Host {
    fn path(&self, p: &str) -> PathBuf {
        if p.is_empty() {
            PathBuf::new()
        } else {
            self.dir.join(p)
        }
    }
}

impl FileTests for Host {
    fn stat(&self, path: &str) -> Option<FileInfo> {
        std::fs::metadata(self.path(path))
            .ok()
            .map(|m| FileInfo::from_metadata(&m))
    }
    fn lstat(&self, path: &str) -> Option<FileInfo> {
        std::fs::symlink_metadata(self.path(path))
            .ok()
            .map(|m| FileInfo::from_metadata(&m))
    }
    fn access(&self, path: &str, access: Access) -> bool {
        self.stat(path).is_some_and(|i| match access {
            Access::Read => i.mode & 0o444 != 0,
            Access::Write => i.mode & 0o222 != 0,
            Access::Execute => i.mode & 0o111 != 0,
        })
    }
    fn is_set(&self, name: &str) -> bool {
        name == "HOME"
    }
    fn option_on(&self, name: &str) -> bool {
        name == "notify"
    }
    fn isatty(&self, _fd: i32) -> bool {
        false
    }
    fn euid(&self) -> u32 {
        nix_free_uid()
    }
    fn egid(&self) -> u32 {
        0
    }
}

fn nix_free_uid() -> u32 {
    std::fs::metadata("/proc/self").map_or(0, |m| std::os::unix::fs::MetadataExt::uid(&m))
}

fn nowhere() -> Host {
    Host {
        dir: PathBuf::from("/nonexistent-corral-test-dir"),
    }
}

fn split(line: &str) -> Vec<String> {
    line.split('|').map(str::to_owned).collect()
}

const CASES: &[(&str, i32, &str)] = &[
    ("", 1, ""),
    ("a", 0, ""),
    ("", 1, ""),
    ("!", 0, ""),
    ("-n", 0, ""),
    ("-z", 0, ""),
    ("!|", 0, ""),
    ("!|a", 1, ""),
    ("-n|", 1, ""),
    ("-z|", 0, ""),
    ("-z|a", 1, ""),
    ("a|b", 2, "a: unary operator expected"),
    ("abc|-eq|1", 2, "abc: integer expression expected"),
    ("1|2|3", 2, "2: binary operator expected"),
    ("1|-eq|1", 0, ""),
    ("1|-eq|2", 1, ""),
    ("-x", 0, ""),
    ("-q|a", 2, "-q: unary operator expected"),
    ("a|b|c|d|e", 2, "too many arguments"),
    (
        "99999999999999999999|-eq|1",
        2,
        "99999999999999999999: integer expression expected",
    ),
    (" 5 |-eq|5", 0, ""),
    ("|-eq|0", 2, ": integer expression expected"),
    ("a|=~|a", 2, "=~: binary operator expected"),
    ("!|-z", 1, ""),
    ("(|a", 2, "(: unary operator expected"),
    ("(|a|b", 2, "a: binary operator expected"),
    ("(|a|-a|b", 2, "`)' expected"),
    ("a|-a|(|b", 2, "`)' expected"),
    ("-t|a", 1, ""),
    ("-t", 0, ""),
    ("!|!|a", 0, ""),
    ("a|-a", 2, "a: unary operator expected"),
    ("-n|-a|-z", 0, ""),
    ("-xx|a", 2, "-xx: unary operator expected"),
    ("a|-ge", 2, "a: unary operator expected"),
    ("-5|-lt|3", 0, ""),
    ("0x10|-eq|16", 2, "0x10: integer expression expected"),
    ("a|==|a", 0, ""),
    ("a|<|b", 0, ""),
    ("b|<|a", 1, ""),
    ("a|>|b", 1, ""),
    ("a|!=|b", 0, ""),
    ("a|!=|a", 1, ""),
    ("(|)", 2, "(: unary operator expected"),
    ("!|=|a", 1, ""),
    ("!|=|!", 0, ""),
    ("1|-eq|1|-a", 2, "argument expected"),
    ("1|-eq|1|2", 2, "too many arguments"),
    ("(|a|)|b", 2, "too many arguments"),
    ("a|-o|b|-a|", 0, ""),
    ("|-o|b|-a|", 1, ""),
    ("a|-a||-o|b", 0, ""),
    ("!|a|=|a", 1, ""),
    ("!|a|=|b", 0, ""),
    ("(|a|)", 0, ""),
    ("(||)", 1, ""),
    ("(|-n|a|)", 0, ""),
    ("(|-z|a|)", 1, ""),
    ("(|a|=|b|)", 1, ""),
    ("(|a|=|a|)", 0, ""),
    ("!|(|a|)", 1, ""),
    ("!|(||)", 0, ""),
    ("!|!|!|", 0, ""),
    ("-a|b", 1, ""),
    ("-o|b", 1, ""),
    ("-eq|-eq|-eq", 2, "-eq: integer expression expected"),
    ("=|=|=", 0, ""),
    ("-a|-a|-a", 0, ""),
    ("-o|-o|-o", 0, ""),
    ("!|-o|!", 0, ""),
    ("(|(|a|)|)", 0, ""),
    ("(|(|a|)", 2, "(: unary operator expected"),
    ("(|a|-a|b|)|-o|c", 0, ""),
    ("!||-a|b", 0, ""),
    ("a|-a|!|b", 1, ""),
    ("a|-a|!|", 0, ""),
    ("-lt|-lt|2", 2, "-lt: integer expression expected"),
    ("2|-lt|-lt", 2, "-lt: integer expression expected"),
    ("1|-le|1", 0, ""),
    ("2|-ge|3", 1, ""),
    ("2|-gt|1", 0, ""),
    ("2|-ne|2", 1, ""),
    ("-2|-ne|+2", 0, ""),
    ("-|-eq|1", 2, "-: integer expression expected"),
    ("+|-eq|1", 2, "+: integer expression expected"),
    ("1x|-lt|2", 2, "1x: integer expression expected"),
    ("1|-lt|2x", 2, "2x: integer expression expected"),
    ("a|-nt|b", 1, ""),
    ("-t|1|-a|x", 1, ""),
    ("-t|x|-a|y", 2, "too many arguments"),
    ("-t|-a|a", 0, ""),
    ("]", 0, ""),
    ("[|]", 2, "[: unary operator expected"),
    ("a|-a|b|-a|c|-a|", 1, ""),
];

#[test]
fn grammar_matches_bash() {
    let fs = nowhere();
    for &(line, status, msg) in CASES {
        let got = test(&split(line), &fs);
        let (got_status, got_msg) = match &got {
            Ok(true) => (0, String::new()),
            Ok(false) => (1, String::new()),
            Err(e) => (2, e.to_string()),
        };
        assert_eq!(
            (got_status, got_msg.as_str()),
            (status, msg),
            "test {line:?}"
        );
    }
}

#[test]
fn no_operands_is_false() {
    assert_eq!(test(&[], &nowhere()), Ok(false));
}

#[test]
fn bracket_needs_closing() {
    let fs = nowhere();
    assert_eq!(
        bracket(&split("1|-eq|1"), &fs),
        Err(TestError::MissingBracket)
    );
    assert_eq!(bracket(&split("1|-eq|1|]"), &fs), Ok(true));
    assert_eq!(bracket(&[], &fs), Err(TestError::MissingBracket));
    assert_eq!(bracket(&split("]"), &fs), Ok(false));
    assert_eq!(TestError::MissingBracket.to_string(), "missing `]'");
}

#[test]
fn variables_and_options() {
    let fs = nowhere();
    assert_eq!(test(&split("-v|HOME"), &fs), Ok(true));
    assert_eq!(test(&split("-v|NOPE"), &fs), Ok(false));
    assert_eq!(test(&split("-o|notify"), &fs), Ok(true));
    assert_eq!(test(&split("-o|errexit"), &fs), Ok(false));
    assert_eq!(test(&split("-R|x"), &fs), Ok(false));
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir(tag: &str) -> TempDir {
    let dir = std::env::temp_dir().join(format!("corral-test-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    TempDir(dir)
}

#[test]
fn file_operators_on_real_files() {
    let tmp = tempdir("files");
    let fs = Host { dir: tmp.0.clone() };
    std::fs::write(tmp.0.join("full"), b"x").unwrap();
    std::fs::write(tmp.0.join("empty"), b"").unwrap();
    std::fs::create_dir(tmp.0.join("dir")).unwrap();
    std::os::unix::fs::symlink("full", tmp.0.join("link")).unwrap();
    std::os::unix::fs::symlink("missing", tmp.0.join("dangling")).unwrap();
    let t = |s: &str| test(&split(s), &fs).unwrap();
    assert!(t("-e|full") && t("-a|full") && t("-f|full") && t("-s|full"));
    assert!(!t("-s|empty") && t("-f|empty") && !t("-d|empty"));
    assert!(t("-d|dir") && !t("-f|dir"));
    assert!(t("-L|link") && t("-h|link") && t("-f|link") && !t("-L|full"));
    assert!(t("-L|dangling") && !t("-e|dangling"));
    assert!(!t("-e|") && !t("-e|nothing"));
    assert!(t("-c|/dev/null") && !t("-b|/dev/null") && !t("-p|full") && !t("-S|full"));
    assert!(t("full|-ef|link") && !t("full|-ef|empty") && !t("nothing|-ef|nothing"));
    assert!(t("full|-nt|nothing") && !t("nothing|-nt|full"));
    assert!(t("nothing|-ot|full") && !t("full|-ot|nothing"));
    assert!(t("-O|full") && !t("-u|full") && !t("-g|full") && !t("-k|full"));
}

#[test]
fn newer_and_modified_since_read() {
    let tmp = tempdir("times");
    let fs = Host { dir: tmp.0.clone() };
    let old = tmp.0.join("old");
    let new = tmp.0.join("new");
    std::fs::write(&old, b"1").unwrap();
    std::fs::write(&new, b"2").unwrap();
    let past = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
    let f = std::fs::File::options().write(true).open(&old).unwrap();
    f.set_times(
        std::fs::FileTimes::new()
            .set_modified(past)
            .set_accessed(past),
    )
    .unwrap();
    let t = |s: &str| test(&split(s), &fs).unwrap();
    assert!(t("new|-nt|old") && t("old|-ot|new") && !t("old|-nt|new"));
    // -N: modified after it was last read.
    assert!(!t("-N|old"));
    let g = std::fs::File::options().write(true).open(&new).unwrap();
    g.set_times(std::fs::FileTimes::new().set_accessed(past))
        .unwrap();
    assert!(t("-N|new"));
}

#[test]
fn integers_as_bash_reads_them() {
    assert_eq!(parse_integer(" 5 "), Some(5));
    assert_eq!(parse_integer("+7"), Some(7));
    assert_eq!(parse_integer("-9223372036854775808"), Some(i64::MIN));
    assert_eq!(parse_integer("9223372036854775808"), None);
    assert_eq!(parse_integer("0x1"), None);
    assert_eq!(parse_integer(""), None);
    assert_eq!(parse_integer("5 x"), None);
}

proptest! {
    #[test]
    fn never_panics(args in proptest::collection::vec(
        prop_oneof![
            Just("!".to_owned()), Just("(".to_owned()), Just(")".to_owned()),
            Just("-a".to_owned()), Just("-o".to_owned()), Just("-t".to_owned()),
            Just("-eq".to_owned()), Just("=".to_owned()), Just("-z".to_owned()),
            ".{0,4}",
        ],
        0..9,
    )) {
        let fs = nowhere();
        let _ = test(&args, &fs);
        let _ = bracket(&args, &fs);
    }
}
