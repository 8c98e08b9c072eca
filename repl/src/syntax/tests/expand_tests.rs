//! Word expansion: parameters, tilde, splitting, globbing.

use super::*;

fn v(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

#[test]
fn literals_and_quotes() {
    assert_eq!(ex("abc"), v(&["abc"]));
    assert_eq!(ex("'a  b'"), v(&["a  b"]));
    assert_eq!(ex("\"\""), v(&[""]));
    assert_eq!(ex("''"), v(&[""]));
    assert_eq!(ex("a\\ b"), v(&["a b"]));
    assert_eq!(argv("echo '' \"\" x"), v(&["echo", "", "", "x"]));
}

#[test]
fn parameters() {
    assert_eq!(ex("$X"), v(&["hello"]));
    assert_eq!(ex("${X}s"), v(&["hellos"]));
    assert_eq!(ex("\"$X world\""), v(&["hello world"]));
    assert_eq!(ex("$?"), v(&["3"]));
    assert_eq!(ex("$!"), v(&["4242"]));
    assert_eq!(ex("$$"), v(&["100"]));
    assert_eq!(ex("$0"), v(&["corral"]));
    assert_eq!(ex("$10"), v(&["one0"]));
    assert_eq!(ex("${10}"), v(&["ten"]));
    assert_eq!(ex("'$X'"), v(&["$X"]));
    assert_eq!(ex("\\$X"), v(&["$X"]));
    assert_eq!(ex("a$"), v(&["a$"]));
    assert_eq!(ex("$/"), v(&["$/"]));
}

#[test]
fn unset_and_empty() {
    // An unquoted empty expansion gives no field; a quoted one gives one.
    assert_eq!(ex("$UNSET"), Vec::<String>::new());
    assert_eq!(ex("$EMPTY"), Vec::<String>::new());
    assert_eq!(ex("$EMPTY$UNSET"), Vec::<String>::new());
    assert_eq!(ex("\"$UNSET\""), v(&[""]));
    assert_eq!(ex("\"\"$EMPTY"), v(&[""]));
    assert_eq!(ex("$EMPTY\"\""), v(&[""]));
    assert_eq!(ex("a$UNSET"), v(&["a"]));
    assert_eq!(ex("$BLANK"), Vec::<String>::new());
    assert_eq!(argv("echo $UNSET x"), v(&["echo", "x"]));
}

#[test]
fn field_splitting() {
    assert_eq!(ex("$SP"), v(&["a", "b", "c"]));
    assert_eq!(ex("\"$SP\""), v(&["a b  c"]));
    assert_eq!(ex("x$SP"), v(&["xa", "b", "c"]));
    assert_eq!(ex("${SP}y"), v(&["a", "b", "cy"]));
    assert_eq!(ex("$LEAD"), v(&["lead"]));
    assert_eq!(ex("x$LEAD"), v(&["x", "lead"]));
    assert_eq!(ex("${TRAIL}x"), v(&["trail", "x"]));
    assert_eq!(ex("$TRAIL\"\""), v(&["trail", ""]));
    assert_eq!(ex("\"\"$BLANK"), v(&[""]));
    assert_eq!(ex("\"\"$BLANK\"a\""), v(&["", "a"]));
    assert_eq!(ex("$NL"), v(&["x", "y"]));
    assert_eq!(ex("$X$SP"), v(&["helloa", "b", "c"]));
    // Literal spaces (quoted) never split.
    assert_eq!(ex("'a b'$X"), v(&["a bhello"]));
}

#[test]
fn tilde() {
    assert_eq!(ex("~"), v(&["/home/me"]));
    assert_eq!(ex("~/src"), v(&["/home/me/src"]));
    assert_eq!(ex("~user"), v(&["~user"]));
    assert_eq!(ex("'~'"), v(&["~"]));
    assert_eq!(ex("a~"), v(&["a~"]));
    let mut ctx = TestCtx::new();
    ctx.home = None;
    assert_eq!(expand_word(&word("~/x"), &ctx), v(&["~/x"]));
    // The home directory is not split or globbed.
    ctx.home = Some("/h/a b*".to_string());
    assert_eq!(expand_word(&word("~"), &ctx), v(&["/h/a b*"]));
}

#[test]
fn globbing() {
    assert_eq!(ex("*.rs"), v(&["a.rs", "b.rs", "Ünï.rs"]));
    assert_eq!(ex("?.rs"), v(&["a.rs", "b.rs"]));
    assert_eq!(ex("[ab].rs"), v(&["a.rs", "b.rs"]));
    assert_eq!(ex("[!a].rs"), v(&["b.rs"]));
    assert_eq!(ex("[^a].rs"), v(&["b.rs"]));
    assert_eq!(ex("[a-b].*"), v(&["a.rs", "b.rs"]));
    assert_eq!(
        ex("*"),
        v(&["a.rs", "b.rs", "c.txt", "docs", "src", "Ünï.rs"])
    );
    // Hidden files need a leading '.'.
    assert_eq!(ex(".*"), v(&[".hidden.rs"]));
    assert_eq!(ex(".*.rs"), v(&[".hidden.rs"]));
    assert_eq!(ex("'.'*.rs"), v(&[".hidden.rs"]));
    // No match: the word stays as is (quotes removed).
    assert_eq!(ex("*.zip"), v(&["*.zip"]));
    assert_eq!(ex("'a'*.zip"), v(&["a*.zip"]));
    // Quoted pattern characters are literal.
    assert_eq!(ex("'*'.rs"), v(&["*.rs"]));
    assert_eq!(ex("\"*.rs\""), v(&["*.rs"]));
    assert_eq!(ex("\\*.rs"), v(&["*.rs"]));
    assert_eq!(ex("[ab"), v(&["[ab"]));
    // Multi-component patterns.
    assert_eq!(ex("*/lib.rs"), v(&["docs/lib.rs", "src/lib.rs"]));
    assert_eq!(ex("src/*.rs"), v(&["src/lib.rs", "src/main.rs"]));
    assert_eq!(ex("*/"), v(&["docs/", "src/"]));
    assert_eq!(ex("*/*/"), v(&["src/x/"]));
    assert_eq!(ex("*/main.rs"), v(&["src/main.rs"]));
    assert_eq!(ex("*/nope"), v(&["*/nope"]));
    assert_eq!(ex("/etc/pass*"), v(&["/etc/passwd"]));
    assert_eq!(ex("/*/hosts"), v(&["/etc/hosts"]));
    // Unquoted variable values are globbed; quoted ones are not.
    assert_eq!(ex("$STAR"), v(&["a.rs", "b.rs", "Ünï.rs"]));
    assert_eq!(ex("\"$STAR\""), v(&["*.rs"]));
    assert_eq!(argv("ls *.txt src"), v(&["ls", "c.txt", "src"]));
}

#[test]
fn relative_to_cwd() {
    let mut ctx = TestCtx::new();
    ctx.cwd = PathBuf::from("/w/src");
    assert_eq!(expand_word(&word("*.rs"), &ctx), v(&["lib.rs", "main.rs"]));
    assert_eq!(expand_word(&word("../*.txt"), &ctx), v(&["../*.txt"]));
}

#[test]
fn single_and_redirect_targets() {
    let ctx = TestCtx::new();
    let s = simple("A=$SP B=*.rs C=~/x D= E=\"$X\"'!'");
    let vals: Vec<String> = s
        .assignments
        .iter()
        .map(|a| expand_word_single(&a.value, &ctx))
        .collect();
    assert_eq!(vals, v(&["a b  c", "*.rs", "/home/me/x", "", "hello!"]));

    let target = |src: &str| {
        let s = simple(src);
        match &s.redirections[0].kind {
            RedirectionKind::Read { target, .. }
            | RedirectionKind::Write { target, .. }
            | RedirectionKind::WriteBoth { target, .. } => expand_redirect_target(target, &ctx),
            RedirectionKind::Duplicate { .. } => panic!("no target"),
        }
    };
    assert_eq!(target("x >out.txt"), Ok("out.txt".to_string()));
    assert_eq!(target("x >\"$SP\""), Ok("a b  c".to_string()));
    assert_eq!(target("x >~/log"), Ok("/home/me/log".to_string()));
    assert_eq!(target("x <c.*"), Ok("c.txt".to_string()));
    assert_eq!(target("x >*.zip"), Ok("*.zip".to_string()));
    let err = target("x >$SP");
    assert!(matches!(err, Err(ExpandError::AmbiguousRedirect { .. })));
    assert_eq!(
        err.map_err(|e| e.to_string()),
        Err("$SP: ambiguous redirect".to_string())
    );
    assert_eq!(
        target("x 2>$UNSET").map_err(|e| e.to_string()),
        Err("$UNSET: ambiguous redirect".to_string())
    );
    assert!(target("x <*.rs").is_err());
    assert_eq!(target("x >\"$UNSET\""), Ok(String::new()));
}

/// A context that uses the default (host filesystem) directory access.
struct HostCtx(PathBuf);

impl ExpandContext for HostCtx {
    fn var(&self, _: &str) -> Option<String> {
        None
    }
    fn home(&self) -> Option<String> {
        None
    }
    fn cwd(&self) -> PathBuf {
        self.0.clone()
    }
}

#[test]
fn host_filesystem_glob() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "corral-syntax-glob-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let sub = dir.join("sub dir");
    std::fs::create_dir_all(&sub).expect("mkdir");
    for f in ["b.txt", "a.txt", ".h.txt", "c.log"] {
        std::fs::write(dir.join(f), "").expect("write");
    }
    std::fs::write(sub.join("x.txt"), "").expect("write");
    let ctx = HostCtx(dir.clone());
    assert_eq!(expand_word(&word("*.txt"), &ctx), v(&["a.txt", "b.txt"]));
    assert_eq!(expand_word(&word("*/*.txt"), &ctx), v(&["sub dir/x.txt"]));
    assert_eq!(expand_word(&word("*/"), &ctx), v(&["sub dir/"]));
    assert_eq!(expand_word(&word("*.none"), &ctx), v(&["*.none"]));
    assert_eq!(expand_word(&word("*/x.txt"), &ctx), v(&["sub dir/x.txt"]));
    assert_eq!(expand_word(&word("*/y.txt"), &ctx), v(&["*/y.txt"]));
    let abs = format!("{}/*.log", dir.display());
    let w = Word {
        parts: vec![
            WordPart::Literal {
                text: format!("{}/", dir.display()),
                quoted: true,
            },
            WordPart::Literal {
                text: "*.log".to_string(),
                quoted: false,
            },
        ],
        span: Span::default(),
    };
    assert_eq!(expand_word(&w, &ctx), v(&[&abs.replace('*', "c")]));
    std::fs::remove_dir_all(&dir).expect("cleanup");
}
