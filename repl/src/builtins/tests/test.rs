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
    // Random operand lists (seeded), as bash answered them.
    ("", 1, ""),
    ("-o|-o|!|!|-z|-z|-n", 2, "too many arguments"),
    (")|-lt|-eq|<", 2, "): integer expression expected"),
    ("=", 0, ""),
    ("-eq|-n|)|-nt|-o", 2, "syntax error: `-n' unexpected"),
    ("-z|-o|-v|x|-o", 2, "syntax error: `-v' unexpected"),
    ("-lt|-n|)|-d|!=|/|-t", 2, "syntax error: `-n' unexpected"),
    (
        "-t|!=|-lt|-ge|!=|a|-eq",
        2,
        "syntax error: `-ge' unexpected",
    ),
    ("-v", 0, ""),
    ("-nt|==", 2, "-nt: unary operator expected"),
    ("2|!=||-a|==", 0, ""),
    ("-z|-o|<|)|1|-ge|!", 2, "too many arguments"),
    ("-d|!=||!", 2, "too many arguments"),
    (
        "!=|-o|-v|-eq|-eq|-d|<",
        2,
        "-v: integer expression expected",
    ),
    ("-t|a|-ge|-a", 2, "too many arguments"),
    ("-t|-o||x|-t", 2, "too many arguments"),
    ("-o|-n|<|-n||-n|)", 2, "too many arguments"),
    ("-o|x|-nt|-ge", 2, "syntax error: `-nt' unexpected"),
    ("/", 0, ""),
    ("-lt|<|==|1", 2, "too many arguments"),
    ("-d|-ge|1|!||-d|-eq", 2, "-d: integer expression expected"),
    ("(|-d|(", 2, "-d: binary operator expected"),
    ("-ge|)|<", 2, "): binary operator expected"),
    ("-v|!=|!|a|(|a", 2, "too many arguments"),
    ("(|(|!=||a|-eq", 2, "`)' expected, found "),
    ("<|!|a", 2, "!: binary operator expected"),
    ("-d|)|!=|2", 2, "too many arguments"),
    ("1|-a|)|", 2, "too many arguments"),
    ("-eq", 0, ""),
    ("-o|1|-z|-lt|1|!", 2, "syntax error: `-z' unexpected"),
    ("-a|-lt|-lt|a|=|a", 2, "-a: integer expression expected"),
    ("a|-z|-z|!=|-z|-eq", 2, "syntax error: `-z' unexpected"),
    ("-t|<|)|-z|2|==|!", 2, "syntax error: `-z' unexpected"),
    ("1|x|!|-ge|/|-z", 2, "too many arguments"),
    ("-d|/|)", 2, "/: binary operator expected"),
    ("<|)|-n|)", 2, "too many arguments"),
    ("x|-t|<|x", 2, "syntax error: `-t' unexpected"),
    ("-ge|-n|-a", 2, "-n: binary operator expected"),
    ("-z|-lt|1", 2, "-z: integer expression expected"),
    ("!|-a|-d|1", 2, "-d: binary operator expected"),
    ("-a|-t|-d|", 2, "syntax error: `-d' unexpected"),
    ("-t|a|2|/", 2, "too many arguments"),
    ("!||-v", 2, ": unary operator expected"),
    (")|)|-ge|2|(||-o", 2, "too many arguments"),
    ("-nt|1", 2, "-nt: unary operator expected"),
    ("-o|=|-d|-ge|==|(", 2, "syntax error: `-ge' unexpected"),
    ("-nt", 0, ""),
    ("1|)|-d|!|x|x|-z", 2, "too many arguments"),
    ("x|a|-n|<", 2, "too many arguments"),
    ("-t|==|-a", 1, ""),
    ("2|-o|-nt|-z|!=|-lt|<", 2, "syntax error: `-z' unexpected"),
    ("/|-t|-z|-t|=|-ge|-n", 2, "syntax error: `-t' unexpected"),
    ("-n|-nt|-lt|-v|!=|-a", 2, "syntax error: `-v' unexpected"),
    ("1|)|a|2|-a", 2, "too many arguments"),
    ("(|-nt|a|-eq", 2, "`)' expected, found a"),
    ("-o|=|-n", 1, ""),
    ("<|-lt|(|-eq", 2, "<: integer expression expected"),
    ("-lt|-v|/|/|-lt|==|==", 2, "syntax error: `-v' unexpected"),
    ("2", 0, ""),
    ("(|a|!|-z|-z|-a", 2, "`)' expected, found !"),
    (")|-n|=|2|!", 2, "syntax error: `-n' unexpected"),
    ("-v|-z|-z|-lt|x|!=|==", 2, "syntax error: `-z' unexpected"),
    ("-d|!=|x|a|-lt", 2, "too many arguments"),
    ("-nt|-ge|-a|/", 2, "-nt: integer expression expected"),
    ("-nt||)|-lt|-z", 2, "too many arguments"),
    ("(|-eq|1||<", 2, "`)' expected, found 1"),
    ("a|<|a|(|-n|1", 2, "too many arguments"),
    ("-lt|!=|-z|<|-o|", 2, "too many arguments"),
    ("-d|/|-z|(", 2, "syntax error: `-z' unexpected"),
    (")|2|-n|=", 2, "too many arguments"),
    ("/|2|1|-lt|!=", 2, "too many arguments"),
    ("-ge|-nt|x|-z|-eq|-v", 2, "syntax error: `-z' unexpected"),
    ("<|-n", 2, "<: unary operator expected"),
    ("!=|2", 2, "!=: unary operator expected"),
    ("<|<|(|-z|/|-ge", 2, "syntax error: `-z' unexpected"),
    ("=||-d|-d", 2, "too many arguments"),
    ("==|<|-ge|==|-o|-a|(", 2, "too many arguments"),
    ("(|-z|-z|-t|!=|!=|-eq", 2, "`)' expected, found -t"),
    ("!=|-a|-t|/|-nt|!=|(", 2, "too many arguments"),
    ("-eq|-t|a|-o|-v", 2, "syntax error: `-t' unexpected"),
    ("/|-z|-ge|-ge|-ge|-d", 2, "syntax error: `-z' unexpected"),
    (")|!=|)|<", 2, "too many arguments"),
    ("-n|=|a|-nt|-d|x", 2, "syntax error: `-nt' unexpected"),
    ("1|1|-n|=|2", 2, "too many arguments"),
    ("-a|x|(|2|-lt|=", 2, "too many arguments"),
    ("-a||-n", 2, ": binary operator expected"),
    ("-o|<", 1, ""),
    ("(|-d|<|1|-lt|-ge", 2, "`)' expected, found -lt"),
    ("(|2|-a", 2, "2: binary operator expected"),
    ("-eq|-a|=|-o|-t|-d|<", 2, "syntax error: `-d' unexpected"),
    ("-d||=|-lt|1|-d|-ge", 2, "too many arguments"),
    (")|-z", 2, "): unary operator expected"),
    ("!|-z", 1, ""),
    ("<|a|!", 2, "a: binary operator expected"),
    ("-a|-v|x", 2, "-v: binary operator expected"),
    ("!=|-z|1|-nt|-t", 2, "syntax error: `-z' unexpected"),
    ("!=|(|a|=|-ge", 2, "too many arguments"),
    ("==|-d|2|-t|)|<|-v", 2, "syntax error: `-d' unexpected"),
    ("<|)|-o|-t|-nt", 2, "too many arguments"),
    ("!=|2|-n", 2, "2: binary operator expected"),
    ("/|-z|!|a|-d|)|-nt", 2, "syntax error: `-z' unexpected"),
    ("==|-ge", 2, "==: unary operator expected"),
    ("<|<|<|-ge|!|-o", 2, "syntax error: `-ge' unexpected"),
    ("==|)|-o|)", 2, "too many arguments"),
    ("-nt|-t|2|=|a|)|-t", 2, "syntax error: `-t' unexpected"),
    ("-z|-ge|(|2|-o", 2, "-z: integer expression expected"),
    ("-ge|-a|-o|==|<|/", 2, "too many arguments"),
    ("x|-a", 2, "x: unary operator expected"),
    ("/|1|-v|!|-z|-o", 2, "too many arguments"),
    ("=|-nt", 2, "=: unary operator expected"),
    ("-d|a|(|-nt", 2, "too many arguments"),
    ("-a|-nt", 1, ""),
    ("==|-o|-nt", 0, ""),
    ("-t|1", 1, ""),
    ("1|==|-v|-n", 2, "syntax error: `-n' unexpected"),
    ("==|!=|/|-eq", 2, "syntax error: `-eq' unexpected"),
    ("x|==|!=|-t|-ge|/", 2, "syntax error: `-t' unexpected"),
    ("-lt|-lt|-v", 2, "-lt: integer expression expected"),
    ("==|-v|-lt|-v|-nt", 2, "syntax error: `-v' unexpected"),
    ("(|-n|-d", 2, "-n: binary operator expected"),
    ("!=|/|!=|-lt|-ge|-v", 2, "too many arguments"),
    ("==|!|-o|x", 2, "too many arguments"),
    ("1|1|/|/|", 2, "too many arguments"),
    ("-v|-eq", 1, ""),
    ("-d|==|=", 1, ""),
    ("/|)|(|-eq", 2, "too many arguments"),
    ("-v|-t|-nt|(|/|-eq", 2, "syntax error: `-nt' unexpected"),
    ("|==|=", 1, ""),
    ("|-ge|a|a", 2, ": integer expression expected"),
    ("==|-eq", 2, "==: unary operator expected"),
    (")|-t|-d|-z|-n", 2, "syntax error: `-t' unexpected"),
    ("-eq|!|-v|<|(|x|(", 2, "too many arguments"),
    ("2|-t|-lt|-n|/", 2, "syntax error: `-t' unexpected"),
    ("-v|<|/|==|!", 2, "too many arguments"),
    ("-v|-t|-a|-a", 1, ""),
    ("-a|-d|!", 2, "-d: binary operator expected"),
    ("(|a|-v||2|-a|x", 2, "`)' expected, found -v"),
    ("-d|<|x|-d|a|!=|a", 2, "syntax error: `-d' unexpected"),
    ("<|-lt|-lt|a|-v", 2, "<: integer expression expected"),
    ("==|-z|-lt|-v|/|-n|<", 2, "syntax error: `-z' unexpected"),
    ("-o|a|a|=|2|!", 2, "too many arguments"),
    ("-a|x|a|a", 2, "too many arguments"),
    ("x||==|-a", 2, "too many arguments"),
    ("-n|==|-a|(", 2, "too many arguments"),
    ("<|!||-o|!=|/|==", 2, "too many arguments"),
    ("a|-z", 2, "a: unary operator expected"),
    ("2|/|==", 2, "/: binary operator expected"),
    ("2|<|a|-nt|x", 2, "syntax error: `-nt' unexpected"),
    ("-a|1|-n|-ge|1|-v", 2, "syntax error: `-n' unexpected"),
    ("-eq|!", 2, "-eq: unary operator expected"),
    ("x|-o|-z", 0, ""),
    (")|-t|!=", 2, "-t: binary operator expected"),
    ("-v|-t|/|-d|<", 2, "too many arguments"),
    ("<|-a|-a|-n|-ge|-v|)", 2, "syntax error: `-ge' unexpected"),
    ("|-lt|==|-t|-ge", 2, ": integer expression expected"),
    ("-n|1|-eq|-ge|-n|-ge", 2, "syntax error: `-eq' unexpected"),
    ("-a|-o|-t", 0, ""),
    ("!|-nt|)", 1, ""),
    ("-z|-a|1|/|/|-nt", 2, "too many arguments"),
    ("-a|x||a|=|-lt|", 2, "too many arguments"),
    ("-a|!", 1, ""),
    ("|-lt|-d|(|-o|==|-n", 2, ": integer expression expected"),
    ("a|-ge|-nt|!|==|a", 2, "a: integer expression expected"),
    ("-d|/|-a|)|<|)", 1, ""),
    ("==|a|2|a|-ge|-lt", 2, "too many arguments"),
    ("-nt|=|-ge|==", 2, "too many arguments"),
    ("-a|-d", 1, ""),
    ("-eq|a|-z|-n|-v", 2, "too many arguments"),
    ("==|-nt|!=|==|x|-lt", 2, "too many arguments"),
    ("-o|a|!=|-v|-n|=", 2, "too many arguments"),
    ("/|x|-n|!|==|1|-z", 2, "too many arguments"),
    ("=|<|/|2|==|-ge", 2, "too many arguments"),
    ("-z|)||<", 2, "too many arguments"),
    ("|<|=|!|1|-n", 2, "too many arguments"),
    ("==|-d|-t", 2, "-d: binary operator expected"),
    ("<|-d|-d|<|", 2, "syntax error: `-d' unexpected"),
    ("-nt|(", 2, "-nt: unary operator expected"),
    ("1|<|-v|", 2, "too many arguments"),
    ("-v|(|<|-lt|!=|x", 2, "too many arguments"),
    ("|-v", 2, ": unary operator expected"),
    ("-lt||!|-nt|==", 2, "too many arguments"),
    ("x|-nt|a|2|a||-o", 2, "too many arguments"),
    ("-t|-t|1|-v|<|2", 2, "syntax error: `-t' unexpected"),
    ("a|!|(|-z|-z", 2, "too many arguments"),
    ("(|", 2, "(: unary operator expected"),
    ("1|-eq||-z|<", 2, ": integer expression expected"),
    ("-lt|-z", 2, "-lt: unary operator expected"),
    ("=|-ge|(|=|-o", 2, "=: integer expression expected"),
    ("/|-a|(|=|-v|-o|a", 2, "`)' expected, found -v"),
    ("!|a|a|-lt", 2, "a: binary operator expected"),
    ("-o|-t|x|-z", 2, "too many arguments"),
    ("x|!=|1", 0, ""),
    ("<|-ge|-d", 2, "<: integer expression expected"),
    ("==|/|-eq|a|a", 2, "too many arguments"),
    ("-d|-n|-t|)|-nt|!=", 2, "syntax error: `-t' unexpected"),
    ("<|-eq|=|-ge|a", 2, "<: integer expression expected"),
    ("!=|-ge|!=|)", 2, "!=: integer expression expected"),
    ("|/", 2, ": unary operator expected"),
    ("-z|-d|-lt|1|<|1|/", 2, "syntax error: `-lt' unexpected"),
    ("=|/|-v", 2, "/: binary operator expected"),
    ("(|2|<", 2, "2: binary operator expected"),
    ("-a|a|-d", 2, "a: binary operator expected"),
    ("|-o|-ge|2|-n", 2, "too many arguments"),
    ("(|=|-z|-ge", 2, "`)' expected, found -z"),
    ("-v|-z|-o|=|-z|==", 2, "syntax error: `-z' unexpected"),
    ("=|!=|2|-ge|-a|==|/", 2, "syntax error: `-ge' unexpected"),
    ("2|=|a|)|-n", 2, "too many arguments"),
    ("!|1|a|-v|", 2, "too many arguments"),
    ("-lt|-nt|2|1|!", 2, "too many arguments"),
    ("1|-eq|-t|-ge|-z|", 2, "-t: integer expression expected"),
    (")|!|1|-n|-eq", 2, "too many arguments"),
    ("-t|a||)|1|-nt|-z", 2, "too many arguments"),
    ("==|-d|-eq", 2, "-d: binary operator expected"),
    ("!|x|)|1", 2, "): binary operator expected"),
    ("-nt|-v|<", 2, "-v: binary operator expected"),
    ("/|!|/", 2, "!: binary operator expected"),
    ("-lt|a", 2, "-lt: unary operator expected"),
    ("-ge|2|-eq|<|!|x|-z", 2, "too many arguments"),
    ("1|1|-t|(|-d|-v|-lt", 2, "too many arguments"),
    ("-a|==", 1, ""),
    ("-t|<|-nt|-n|-v|!=|-a", 2, "syntax error: `-n' unexpected"),
    ("-z|-z|1", 2, "-z: binary operator expected"),
    ("=|x|-n|-a", 2, "too many arguments"),
    ("-v|<|-v|)|-v|-a|-t", 2, "too many arguments"),
    ("2|x|-t|-z|2|-o", 2, "too many arguments"),
    ("!=|-d|1||(", 2, "syntax error: `-d' unexpected"),
    ("x|-a|(", 0, ""),
    ("-a|/|-nt|<|==", 2, "syntax error: `-nt' unexpected"),
    ("||-n", 2, ": binary operator expected"),
    ("-d|<", 1, ""),
    ("-ge|/|", 2, "/: binary operator expected"),
    ("-ge|-t|/|-lt|-eq", 2, "syntax error: `-t' unexpected"),
    ("!=|!|==||-ge|<", 2, "too many arguments"),
    ("-o|a", 1, ""),
    ("-z|-n|<|-t", 2, "too many arguments"),
    ("!|2|x|)|/|a|-a", 2, "too many arguments"),
    ("/|/|!|/|-t|)|-z", 2, "too many arguments"),
    ("-d|)|(|-t", 2, "too many arguments"),
    ("1|1|-ge|-t|a|!", 2, "too many arguments"),
    ("-v|-t|/|==|-ge|-a|(", 2, "too many arguments"),
    ("-o|-o|-ge|-o", 2, "syntax error: `-ge' unexpected"),
    ("-o|==", 1, ""),
    ("(|(|", 2, "(: binary operator expected"),
    ("-d||x|<|-ge", 2, "too many arguments"),
    ("1|x|==|<||!|2", 2, "too many arguments"),
    ("-o|-nt|-nt|(|-d|x|", 2, "too many arguments"),
    ("2|-z|-o|-o|-n|x", 2, "syntax error: `-z' unexpected"),
    ("-nt|-eq|==|==|-lt", 2, "-nt: integer expression expected"),
    ("|-d", 2, ": unary operator expected"),
    ("-ge|1||-eq|!", 2, "too many arguments"),
    ("-nt|-d|-lt|)|(|-ge|=", 2, "syntax error: `-d' unexpected"),
    ("-a|-n", 1, ""),
    ("-ge|=|<|1|-a", 2, "too many arguments"),
    ("-n|!|!|!=|-n", 2, "too many arguments"),
    ("/||-o", 2, ": binary operator expected"),
    ("-o|<|-a|a", 2, "too many arguments"),
    ("|/|a||-eq|=", 2, "too many arguments"),
    ("=|-ge|-nt|2|2|-o|-o", 2, "=: integer expression expected"),
    ("/|(|/|-a|=|-nt|/", 2, "too many arguments"),
    ("-t|1|-a", 2, "1: binary operator expected"),
    ("-a|!=|-d|1|a", 2, "too many arguments"),
    ("-lt|2|-nt|-lt", 2, "too many arguments"),
    (
        "a|-ge|-ge|-nt|-lt|-t|-nt",
        2,
        "a: integer expression expected",
    ),
    (")|-v|-nt|1|=|/", 2, "syntax error: `-v' unexpected"),
    ("-n|2", 0, ""),
    ("-lt|)", 2, "-lt: unary operator expected"),
    ("|-nt|1|==", 2, "too many arguments"),
    (")|=|-n|-nt|-eq|-eq", 2, "syntax error: `-nt' unexpected"),
    ("-v|-d|-n|2", 2, "syntax error: `-n' unexpected"),
    ("-z|-eq|-t|-v|-a|!=", 2, "-z: integer expression expected"),
    ("|-d|-n|x", 2, "syntax error: `-d' unexpected"),
    ("-lt|-v|-ge", 2, "-v: binary operator expected"),
    ("-v|==", 1, ""),
    ("x|-nt|-a||(|a", 2, "too many arguments"),
    ("|1|-o|-n|==|-ge|-v", 2, "too many arguments"),
    ("-v|-ge|2|)|-d|/|", 2, "-v: integer expression expected"),
    ("!=|2|-t|-t||-a|(", 2, "too many arguments"),
    ("=|/|x|-n|-nt|x", 2, "too many arguments"),
    ("<|-o|-nt", 0, ""),
    ("-eq|!|-d|)|!=", 2, "too many arguments"),
    ("/|a|-d|a", 2, "too many arguments"),
    ("-a|-a|x", 0, ""),
    ("!=|a|-n", 2, "a: binary operator expected"),
    ("-n|!|/|-n|-n|!=|==", 2, "too many arguments"),
    ("!|2|1|/|-eq|=", 2, "too many arguments"),
    ("-v|-d|(|-t|-lt|-lt|==", 2, "too many arguments"),
    ("<|-ge", 2, "<: unary operator expected"),
    ("(|2|)|!=", 2, "too many arguments"),
    ("-nt|-eq|!|-n", 2, "-nt: integer expression expected"),
    ("==|-d|-eq|<|-nt|2|!=", 2, "syntax error: `-d' unexpected"),
    ("==|x|-lt|-eq|=|)|-n", 2, "too many arguments"),
    ("(|x|-lt", 2, "x: binary operator expected"),
    ("-o|(|)||-o|2", 2, "too many arguments"),
    ("=|-a|-v|!=|)", 0, ""),
    ("2|-o", 2, "2: unary operator expected"),
    ("<|!=|a|a|1|=|-lt", 2, "too many arguments"),
    ("-z||-n", 2, ": binary operator expected"),
];

#[test]
fn grammar_matches_bash() {
    let fs = nowhere();
    let mut failures = Vec::new();
    for &(line, status, msg) in CASES {
        let got = test(&split(line), &fs);
        let (got_status, got_msg) = match &got {
            Ok(true) => (0, String::new()),
            Ok(false) => (1, String::new()),
            Err(e) => (2, e.to_string()),
        };
        if (got_status, got_msg.as_str()) != (status, msg) {
            failures.push(format!(
                "test {line:?}: got {got_status} {got_msg:?}, bash {status} {msg:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
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
