//! The history file at the prompt: what another program or an older
//! session left there loads, whatever its bytes, and new lines are
//! appended without touching the others.

use std::os::unix::fs::PermissionsExt;

use super::*;

/// A history file holding a line that is not UTF-8 (as bash writes one
/// typed in a Latin-1 terminal) still loads: Ctrl-R finds its lines, `!?…?`
/// runs the odd line with its bytes unchanged, the new lines are appended,
/// and the file's other bytes and its mode stay as they were.
#[test]
fn issue_11_history_file_with_invalid_utf8_loads_and_appends() {
    if Shell::kind() == Kind::Bash {
        eprintln!("corral's history file only (bash reads HISTFILE and writes it at exit)");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("corral");
    std::fs::create_dir(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let file = dir.join("corral_history");
    let before: &[u8] = b"echo first-old\nprintf '%s\\n' caf\xe9 | od -An -tx1\necho last-old\n";
    std::fs::write(&file, before).unwrap();
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();

    let sh = Shell::spawn(|cmd| cmd.env("XDG_DATA_HOME", data.path().to_str().unwrap()));
    sh.prompt();
    sh.send("\x12first-o");
    sh.expect("first-old");
    sh.send("\r");
    sh.expect_line("first-old");
    sh.prompt();
    sh.send_line("!?caf?");
    sh.expect_line_matching("od's bytes", |l| l.trim() == "63 61 66 e9 0a");
    sh.prompt();
    sh.send_line("echo new-line");
    sh.expect_line("new-line");
    sh.prompt();

    let mut after = before.to_vec();
    after.extend_from_slice(b"echo first-old\n");
    after.extend_from_slice(b"printf '%s\\n' caf\xe9 | od -An -tx1\n");
    after.extend_from_slice(b"echo new-line\n");
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(&file).unwrap()),
        String::from_utf8_lossy(&after)
    );
    assert_eq!(std::fs::read(&file).unwrap(), after);
    let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
}
