//! Programmable completion at the terminal: Tab on a command with a
//! `complete` spec runs the spec (a word list, a function that sees
//! COMP_WORDS/COMP_CWORD and sets COMPREPLY) instead of the built-in
//! completer, and `history` lists the lines typed.
//!
//! Every wait has a deadline; the harness kills the whole session on drop.

use crate::util::pty::{Pty, PtyCommand};

const PROMPT: &str = "corral> ";

fn start() -> (Pty, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("zebra-file"), "x").unwrap();
    let pty = Pty::spawn(PtyCommand::new(env!("CARGO_BIN_EXE_corral")).cwd(dir.path()));
    pty.expect(PROMPT);
    (pty, dir)
}

/// `complete -W` replaces file-name completion for its command.
#[test]
fn tab_completes_from_a_word_list() {
    let (sh, _dir) = start();
    sh.send_line("complete -W 'zulu-alpha zulu-beta yankee' mycmd");
    sh.expect(PROMPT);
    sh.send("mycmd zulu-b\t");
    sh.expect("mycmd zulu-beta");
    sh.send("\x15echo done-1\r");
    sh.expect_line("done-1");
    sh.expect(PROMPT);
    // `cat` has no spec: the built-in completer answers for it.
    sh.send("cat zeb\t");
    sh.expect("cat zebra-file");
    sh.send("\x15echo done-2\r");
    sh.expect_line("done-2");
}

/// A `-F` function sees the words and the cursor's word, and its COMPREPLY
/// completes the word; `-o nospace` leaves no blank after it.
#[test]
fn tab_runs_a_completion_function() {
    let (sh, _dir) = start();
    sh.send_line(
        "_f() { COMPREPLY=(\"got-${COMP_CWORD}-$2-${COMP_WORDS[0]}\"); }; complete -o nospace -F _f fcmd",
    );
    sh.expect(PROMPT);
    sh.send("fcmd a x\t");
    sh.expect("fcmd a got-2-x-fcmd");
    sh.send("Z\r");
    sh.expect_line("corral: fcmd: command not found");
    sh.expect(PROMPT);
    sh.send_line("history 2");
    sh.expect_line_matching("history shows the typed line", |l| {
        l.ends_with("fcmd a got-2-x-fcmdZ")
    });
}
