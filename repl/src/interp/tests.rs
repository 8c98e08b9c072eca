//! The interpreter in-process: a shell whose stdout is a pipe, fed a text,
//! and what it printed and left behind (variables, functions, status).

use crate::io::Output;
use crate::shell::Shell;

/// Runs `src` in `shell`; returns its stdout and status.
async fn run_in(shell: &mut Shell, src: &str) -> (String, i32) {
    use tokio::io::AsyncReadExt;
    let (r, w) = crate::sys::pipe().unwrap();
    let mut rx = tokio::net::unix::pipe::Receiver::from_owned_fd(r).unwrap();
    let reader = tokio::spawn(async move {
        let mut buf = Vec::new();
        let _ = rx.read_to_end(&mut buf).await;
        buf
    });
    let saved = std::mem::replace(&mut shell.fds.std.stdout, Output::Fd(w));
    let status = shell.run_text(src).await;
    shell.fds.std.stdout = saved;
    let out = reader.await.unwrap();
    (String::from_utf8_lossy(&out).into_owned(), status)
}

async fn run(src: &str) -> (String, i32) {
    let mut shell = Shell::new(false, "corral".into()).unwrap();
    run_in(&mut shell, src).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loops_break_and_continue_count_levels() {
    let (out, _) = run(
        "for i in 1 2 3; do for j in a b c; do [[ $j == b ]] && continue 2; echo $i$j; done; done",
    )
    .await;
    assert_eq!(out, "1a\n2a\n3a\n");
    let (out, _) = run("while :; do while :; do break 2; done; echo no; done; echo out").await;
    assert_eq!(out, "out\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_keep_state_in_the_shell() {
    let mut shell = Shell::new(false, "corral".into()).unwrap();
    let (out, status) = run_in(&mut shell, "f() { local l=1; g=2; return 5; }; f").await;
    assert_eq!((out.as_str(), status), ("", 5));
    assert_eq!(shell.env.vars.get("g"), Some("2"));
    assert_eq!(shell.env.vars.get("l"), None);
    assert!(shell.env.lang.functions.contains_key("f"));
    assert!(shell.env.lang.funcnames.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subshell_changes_nothing_outside() {
    let mut shell = Shell::new(false, "corral".into()).unwrap();
    let cwd = shell.env.cwd.clone();
    let (out, status) = run_in(&mut shell, "(x=1; cd /; f() { :; }; exit 4)").await;
    assert_eq!((out.as_str(), status), ("", 4));
    assert_eq!(shell.env.vars.get("x"), None);
    assert_eq!(shell.env.cwd, cwd);
    assert!(!shell.env.lang.functions.contains_key("f"));
    assert_eq!(shell.exit_status, None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_e_spares_conditions_and_stops_on_failure() {
    let mut shell = Shell::new(false, "corral".into()).unwrap();
    let (out, _) = run_in(
        &mut shell,
        "set -e; if false; then :; fi; false || true; ! false; echo alive; false; echo dead",
    )
    .await;
    assert_eq!(out, "alive\n");
    assert_eq!(shell.exit_status, Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn case_fall_through_and_continue() {
    let (out, _) = run("case b in a) echo a;; b) echo b;& c) echo c;;& *) echo any;; esac").await;
    assert_eq!(out, "b\nc\nany\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn here_documents_and_fd_redirections() {
    let (out, _) =
        run("cat <<EOF\n$((6*7))\nEOF\nexec 3>&1; echo via3 >&3; exec 3>&-; echo x >&3; echo $?")
            .await;
    assert_eq!(out, "42\nvia3\n1\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aliases_expand_once_per_name_in_an_interactive_shell() {
    let mut shell = Shell::new(false, "corral".into()).unwrap();
    shell
        .env
        .lang
        .aliases
        .insert("say".into(), "echo said".into());
    shell
        .env
        .lang
        .aliases
        .insert("echo".into(), "echo -n".into());
    assert_eq!(
        shell.expand_aliases("say hi; x=1 say"),
        "echo -n said hi; x=1 echo -n said"
    );
    assert_eq!(shell.expand_aliases("'say' hi"), "'say' hi");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipestatus_and_pipefail() {
    let (out, _) = run("false | true | (exit 3); echo ${PIPESTATUS[@]} $?; set -o pipefail; (exit 2) | true; echo $?").await;
    assert_eq!(out, "1 0 3 3\n2\n");
}
