//! History at the prompt: `!` expansion and Ctrl-R search.

use super::*;

/// Issue 10: `!!` runs the previous line again; the expanded line is shown
/// first, as bash shows it.
#[test]
fn issue_10_history_bang_bang() {
    let sh = Shell::start();
    sh.send_line("echo one two three");
    sh.expect_line("one two three");
    sh.prompt();
    sh.send_line("echo !!");
    sh.expect_line("echo echo one two three");
    sh.expect_line("echo one two three");
    sh.prompt();
}

/// Issue 10: the history expansion forms, each as bash expands it; the
/// history keeps the expanded lines.
#[test]
fn issue_10_history_expansion_forms() {
    let sh = Shell::start();
    for (line, shown, out) in [
        ("echo alpha beta gamma", None, "alpha beta gamma"),
        ("echo !$", Some("echo gamma"), "gamma"),
        ("echo !1:2 !-2:1", Some("echo beta alpha"), "beta alpha"),
        ("!ec", Some("echo beta alpha"), "beta alpha"),
        ("!?gam? delta", Some("echo gamma delta"), "gamma delta"),
        (
            "^delta^epsilon",
            Some("echo gamma epsilon"),
            "gamma epsilon",
        ),
        ("echo '!!' \"x!\" $((1 != 2))", None, "!! x! 1"),
    ] {
        sh.send_line(line);
        if let Some(shown) = shown {
            sh.expect_line(shown);
        }
        sh.expect_line(out);
        sh.prompt();
    }
    if sh.is_bash() {
        return; // bash writes its history file at exit
    }
    let history =
        std::fs::read_to_string(sh.home().join(".local/share/corral/corral_history")).unwrap();
    let lines: Vec<&str> = history.lines().collect();
    assert_eq!(
        lines,
        [
            "echo alpha beta gamma",
            "echo gamma",
            "echo beta alpha",
            "echo gamma delta",
            "echo gamma epsilon",
            "echo '!!' \"x!\" $((1 != 2))",
        ]
    );
}

/// Issue 10: a failed expansion prints bash's message and runs nothing of
/// the line; `set +H` turns expansion off.
#[test]
fn issue_10_history_event_not_found_runs_nothing() {
    let sh = Shell::start();
    sh.send_line("echo ran-before-$((1+1)); echo !nosuchevent");
    sh.expect_line(&format!("{}: !nosuchevent: event not found", sh.name()));
    sh.prompt();
    sh.send_line("echo next-$((2+2))");
    sh.expect_line("next-4");
    sh.prompt();
    assert!(
        !sh.view().contains("ran-before-2"),
        "part of the line ran:\n{}",
        sh.view()
    );
    sh.send_line("case $- in *H*) echo on;; *) echo off;; esac");
    sh.expect_line("on");
    sh.prompt();
    // The whole line is expanded before any of it runs: `set +H` first.
    sh.send_line("set +H");
    sh.prompt();
    sh.send_line("echo !! !nosuchevent");
    sh.expect_line("!! !nosuchevent");
    sh.prompt();
}

/// Issue 10: no history expansion outside an interactive shell (bash).
#[test]
fn issue_10_history_expansion_only_interactive() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_corral"))
        .args(["-c", "echo a; echo !! !$; echo $-"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "a\n!! !$\nhBc\n");
}

/// Issue 11: Ctrl-R, a search text, then Enter runs the line found (and it
/// goes into the history as a typed line does). Also with the keys arriving
/// at once, as when pasted.
#[test]
fn issue_11_ctrl_r_enter_runs() {
    let sh = Shell::start();
    sh.send_line("echo found-$((40+2))");
    sh.expect_line("found-42");
    sh.prompt();
    sh.send_line("echo other");
    sh.expect_line("other");
    sh.prompt();
    sh.send("\x12found-");
    sh.expect("found-$((40+2))");
    sh.send("\r");
    sh.expect_line("found-42");
    sh.prompt();
    sh.send_line("echo other");
    sh.expect_line("other");
    sh.prompt();
    sh.send("\x12ound-$\r");
    sh.expect_line("found-42");
    sh.prompt();
    sh.send_line("echo done");
    sh.expect_line("done");
    sh.prompt();
    if sh.is_bash() {
        return;
    }
    let history =
        std::fs::read_to_string(sh.home().join(".local/share/corral/corral_history")).unwrap();
    assert_eq!(
        history
            .lines()
            .filter(|l| *l == "echo found-$((40+2))")
            .count(),
        3,
        "{history}"
    );
}
