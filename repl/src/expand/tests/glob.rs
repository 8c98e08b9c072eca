//! Pathname expansion in a directory built for the test, against bash's
//! results for the same tree.

use super::*;

/// A scratch tree, removed on drop.
struct Tree(PathBuf);

impl Tree {
    fn new() -> Tree {
        let root = std::env::temp_dir().join(format!("corral-expand-glob-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for d in ["dir/sub", "d2"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        for f in [
            "a1",
            "a2",
            "b1",
            ".hidden",
            "Z",
            "sp ace",
            "[lit]",
            "a*",
            "dir/x.txt",
            "dir/y.rs",
            "dir/.h",
            "d2/x.txt",
        ] {
            std::fs::write(root.join(f), "").unwrap();
        }
        std::os::unix::fs::symlink("dir", root.join("link")).unwrap();
        Tree(root)
    }
}

impl Drop for Tree {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn globs_match_bash() {
    let tree = Tree::new();
    let mut env = TestEnv::empty();
    env.cwd = tree.0.clone();
    env.set("p", "a*");
    let root = tree.0.display().to_string();
    let cases = [
        ("*", "10:<Z><[lit]><a*><a1><a2><b1><d2><dir><link><sp ace>"),
        ("a?", "3:<a*><a1><a2>"),
        ("[ab]1", "2:<a1><b1>"),
        ("[!a]*", "7:<Z><[lit]><b1><d2><dir><link><sp ace>"),
        (".*", "1:<.hidden>"),
        ("*/", "3:<d2/><dir/><link/>"),
        ("*/x.txt", "3:<d2/x.txt><dir/x.txt><link/x.txt>"),
        ("dir/*", "3:<dir/sub><dir/x.txt><dir/y.rs>"),
        ("dir/.*", "1:<dir/.h>"),
        ("*.none", "1:<*.none>"),
        (r#""a"*"#, "3:<a*><a1><a2>"),
        (r"a\*", "1:<a*>"),
        (r#""a*""#, "1:<a*>"),
        ("$p", "3:<a*><a1><a2>"),
        (r#""$p""#, "1:<a*>"),
        ("[[:upper:]]", "1:<Z>"),
        ("[[:digit:]]*", "1:<[[:digit:]]*>"),
        ("d*/*.txt", "2:<d2/x.txt><dir/x.txt>"),
        ("x*y z*", "2:<x*y><z*>"),
        (r"\[lit\]", "1:<[lit]>"),
        ("[lit]", "1:<[lit]>"),
        ("sp*", "1:<sp ace>"),
        ("*[", "1:<*[>"),
        ("dir/sub/", "1:<dir/sub/>"),
    ];
    for (src, want) in cases {
        assert_eq!(run(&mut env, src), want, "{src}");
    }
    assert_eq!(
        run(&mut env, &format!("{root}/a*")),
        format!("3:<{root}/a*><{root}/a1><{root}/a2>")
    );
    env.opts.push(ExpandOption::NullGlob);
    assert_eq!(run(&mut env, "*.none x"), "1:<x>");
    env.opts = vec![ExpandOption::DotGlob];
    assert_eq!(
        run(&mut env, "*"),
        "11:<.hidden><Z><[lit]><a*><a1><a2><b1><d2><dir><link><sp ace>"
    );
    env.opts = vec![ExpandOption::NoCaseGlob];
    assert_eq!(run(&mut env, "z A*"), "4:<z><a*><a1><a2>");
    env.opts = vec![ExpandOption::NoGlob];
    assert_eq!(run(&mut env, "*"), "1:<*>");
    env.opts = vec![ExpandOption::FailGlob];
    let e = block(fields(&mut env, &words("*.none"))).unwrap_err();
    assert_eq!(e.to_string(), "no match: *.none");
    assert!(!e.is_fatal() && e.discards());
    env.opts.clear();
    let e = block(redirect_target(&mut env, &word("a*"))).unwrap_err();
    assert_eq!(e.to_string(), "a*: ambiguous redirect");
    assert_eq!(
        block(redirect_target(&mut env, &word("sp*"))).unwrap(),
        "sp ace"
    );
}

fn run(env: &mut TestEnv, src: &str) -> String {
    shown(env, src).unwrap_or_else(|e| format!("error: {e}"))
}
