//! `bind`: readline's key bindings, variables, macros and `-x` commands,
//! as bash 5.2 shows and changes them.
//!
//! bash keeps readline's keymaps even where no line is edited, so `bind -p`,
//! `-q`, `-v`, `-x`/`-X` and `-r` work in scripts (after a warning that
//! line editing is not enabled). corral keeps the same model: readline's
//! default emacs, vi-command and vi-insert keymaps (the tables bash 5.2
//! dumps, under `bind/`), loaded on first use, with key sequences stored as
//! bytes and printed as readline prints them. The interactive shell's
//! editor is reedline, which has its own keys: changes made here are
//! recorded and listed but do not rebind reedline.

use std::collections::BTreeMap;

use super::getopts::{BuiltinOpt, BuiltinOpts};
use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

const EMACS: &str = include_str!("bind/bind-emacs.txt");
const VI_COMMAND: &str = include_str!("bind/bind-vi-command.txt");
const VI_INSERT: &str = include_str!("bind/bind-vi-insert.txt");
const VARIABLES: &str = include_str!("bind/v.txt");

/// readline's bindable function names, sorted (`bind -l`).
pub(crate) static FUNCTIONS: std::sync::LazyLock<Vec<&'static str>> =
    std::sync::LazyLock::new(|| {
        let mut names: Vec<&str> = Vec::new();
        for line in EMACS.lines() {
            if let Some(f) = line_function(line) {
                if names.last() != Some(&f) {
                    names.push(f);
                }
            }
        }
        names.dedup();
        names
    });

/// The function a dump line names (`"\C-g": abort`, `# yank (not bound)`).
fn line_function(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("# ") {
        return rest.strip_suffix(" (not bound)");
    }
    let (_, f) = line.rsplit_once("\": ")?;
    (!f.starts_with('"')).then_some(f)
}

/// Names readline gives the same function: a key bound to one is bound
/// to both.
const ALIASES: [(&str, &str); 1] = [("insert-last-argument", "yank-last-arg")];

/// The name a function is stored under.
fn canonical(f: &str) -> &str {
    ALIASES
        .iter()
        .find(|(alias, _)| *alias == f)
        .map_or(f, |(_, name)| name)
}

/// What a key sequence does.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Binding {
    Function(String),
    Macro(String),
    Command(String),
}

/// One keymap: bindings by key bytes (sorted, as readline walks a map).
type Keymap = BTreeMap<Vec<u8>, Binding>;

/// readline's state as `bind` sees it.
#[derive(Clone, Debug)]
pub struct Keymaps {
    maps: [Keymap; 3],
    variables: Vec<(String, String)>,
}

const MAP_NAMES: [(&str, usize); 8] = [
    ("emacs", 0),
    ("emacs-standard", 0),
    ("emacs-meta", 0),
    ("emacs-ctlx", 0),
    ("vi", 1),
    ("vi-move", 1),
    ("vi-command", 1),
    ("vi-insert", 2),
];

impl Default for Keymaps {
    fn default() -> Keymaps {
        let load = |dump: &str| {
            let mut map = Keymap::new();
            for line in dump.lines() {
                let Some(f) = line_function(line) else {
                    continue;
                };
                if line.starts_with('#') {
                    continue;
                }
                let seq = &line[1..line.len() - f.len() - 3];
                map.insert(translate(seq), Binding::Function(canonical(f).to_string()));
            }
            map
        };
        let variables = VARIABLES
            .lines()
            .filter_map(|l| l.strip_prefix("set "))
            .filter_map(|l| l.split_once(' '))
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        Keymaps {
            maps: [load(EMACS), load(VI_COMMAND), load(VI_INSERT)],
            variables,
        }
    }
}

/// A key sequence as readline reads it (`\C-x`, `\M-x`, `\e`, octal, hex).
fn translate(seq: &str) -> Vec<u8> {
    let b = seq.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut ctrl = false;
    let mut meta = false;
    while i < b.len() {
        let c;
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1..].starts_with(b"C-") && i + 3 < b.len() {
                ctrl = true;
                i += 3;
                continue;
            }
            if b[i + 1..].starts_with(b"M-") && i + 3 < b.len() {
                meta = true;
                i += 3;
                continue;
            }
            i += 1;
            c = match b[i] {
                b'e' => 0x1b,
                b'a' => 0x07,
                b'b' => 0x08,
                b'd' => 0x7f,
                b'f' => 0x0c,
                b'n' => b'\n',
                b'r' => b'\r',
                b't' => b'\t',
                b'v' => 0x0b,
                b'0'..=b'7' => {
                    let mut v: u32 = 0;
                    let mut n = 0;
                    while n < 3 && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                        v = v * 8 + u32::from(b[i] - b'0');
                        i += 1;
                        n += 1;
                    }
                    i -= 1;
                    u8::try_from(v & 0xff).unwrap_or(0)
                }
                b'x' => {
                    let mut v: u32 = 0;
                    let mut n = 0;
                    while n < 2 && i + 1 < b.len() && b[i + 1].is_ascii_hexdigit() {
                        i += 1;
                        v = v * 16 + char::from(b[i]).to_digit(16).unwrap_or(0);
                        n += 1;
                    }
                    u8::try_from(v).unwrap_or(0)
                }
                other => other,
            };
        } else {
            c = b[i];
        }
        i += 1;
        let mut c = c;
        if ctrl {
            c = if c == b'?' {
                0x7f
            } else {
                c.to_ascii_lowercase() & 0x1f
            };
            ctrl = false;
        }
        if meta {
            out.push(0x1b);
            meta = false;
        }
        out.push(c);
    }
    out
}

/// Key bytes as readline prints them (`_rl_get_keyname`); with
/// convert-meta on, an ESC prefix prints as `\M-`.
fn untranslate(seq: &[u8], convert_meta: bool) -> String {
    let mut s = String::new();
    for (i, &k) in seq.iter().enumerate() {
        if k == 0x1b {
            let prefix = i + 1 < seq.len();
            s.push_str(if prefix && convert_meta {
                "\\M-"
            } else {
                "\\e"
            });
            continue;
        }
        if k == 0x7f {
            s.push_str("\\C-?");
            continue;
        }
        // A NUL after a prefix is the prefix map's "any other key" slot.
        if k == 0 && i > 0 {
            s.push_str("\\000");
            continue;
        }
        let mut c = k;
        if c < 0x20 {
            s.push_str("\\C-");
            c = (c | 0x40).to_ascii_lowercase();
        }
        if c >= 128 {
            s.push_str(&format!("\\{c:03o}"));
            continue;
        }
        if c == b'\\' || c == b'"' {
            s.push('\\');
        }
        s.push(char::from(c));
    }
    s
}

/// A `keyname` as an inputrc line names it (`Control-o`, `Meta-x`, `TAB`).
fn keyname(name: &str) -> Option<Vec<u8>> {
    let mut rest = name;
    let (mut ctrl, mut meta) = (false, false);
    loop {
        let lower = rest.to_ascii_lowercase();
        if let Some(p) = ["control-", "c-"].iter().find(|p| lower.starts_with(**p)) {
            ctrl = true;
            rest = &rest[p.len()..];
        } else if let Some(p) = ["meta-", "m-"].iter().find(|p| lower.starts_with(**p)) {
            meta = true;
            rest = &rest[p.len()..];
        } else {
            break;
        }
    }
    let c = match rest.to_ascii_lowercase().as_str() {
        "rubout" | "del" => 0x7f,
        "escape" | "esc" => 0x1b,
        "lfd" | "newline" => b'\n',
        "ret" | "return" => b'\r',
        "spc" | "space" => b' ',
        "tab" => b'\t',
        _ if rest.len() == 1 => rest.as_bytes()[0],
        _ => return None,
    };
    let c = if ctrl {
        c.to_ascii_lowercase() & 0x1f
    } else {
        c
    };
    Some(if meta { vec![0x1b, c] } else { vec![c] })
}

/// The quoted text at the start of `s` (after `"`), its escapes kept, and
/// what follows the closing quote.
fn quoted(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return Some((&s[..i], &s[i + 1..])),
            _ => i += 1,
        }
    }
    None
}

const USAGE: &str = "bind: usage: bind [-lpsvPSVX] [-m keymap] [-f filename] [-q name] [-u name] [-r keyseq] [-x keyseq:shell-command] [keyseq:readline-function or readline-command]";

impl Keymaps {
    /// readline's state at start: convert-meta is on unless the locale's
    /// characters are multibyte (UTF-8).
    fn new(utf8: bool) -> Keymaps {
        let mut k = Keymaps::default();
        if let Some(v) = k.variables.iter_mut().find(|(n, _)| n == "convert-meta") {
            v.1 = if utf8 { "off" } else { "on" }.to_string();
        }
        k
    }

    fn convert_meta(&self) -> bool {
        self.variables
            .iter()
            .any(|(n, v)| n == "convert-meta" && v == "on")
    }

    /// The sequences bound to `function` in map `m`, in readline's order.
    fn invokers(&self, m: usize, function: &str) -> Vec<String> {
        self.maps[m]
            .iter()
            .filter(|(_, b)| matches!(b, Binding::Function(f) if f == canonical(function)))
            .map(|(k, _)| untranslate(k, self.convert_meta()))
            .collect()
    }

    fn dump_functions(&self, m: usize, inputrc: bool) -> String {
        // readline starts both dumps with an empty line.
        let mut s = String::from("\n");
        for f in FUNCTIONS.iter() {
            let seqs = self.invokers(m, f);
            if inputrc {
                if seqs.is_empty() {
                    s.push_str(&format!("# {f} (not bound)\n"));
                }
                for k in seqs {
                    s.push_str(&format!("\"{k}\": {f}\n"));
                }
            } else if seqs.is_empty() {
                s.push_str(&format!("{f} is not bound to any keys\n"));
            } else {
                s.push_str(&format!("{f} can be found on {}", list_five(&seqs)));
            }
        }
        s
    }

    fn dump(&self, m: usize, what: fn(&Binding) -> Option<&str>, form: &str) -> String {
        let mut s = String::new();
        for (k, b) in &self.maps[m] {
            if let Some(text) = what(b) {
                let k = untranslate(k, self.convert_meta());
                s.push_str(&match form {
                    "macro" => format!("\"{k}\": \"{text}\"\n"),
                    "Macro" => format!("{k} outputs {text}\n"),
                    _ => format!(
                        "\"{k}\": \"{}\"\n",
                        text.replace('\\', "\\\\").replace('"', "\\\"")
                    ),
                });
            }
        }
        s
    }

    /// One inputrc line: `set var value`, `"seq": function`, `"seq": "macro"`,
    /// `keyname: function`. Unknown functions are ignored, as readline does.
    fn parse_and_bind(&mut self, m: usize, line: &str) -> Result<(), String> {
        let line = line.trim_start();
        if let Some(rest) = line.strip_prefix("set ") {
            let mut parts = rest.split_whitespace();
            if let (Some(name), Some(value)) = (parts.next(), parts.next()) {
                if let Some(v) = self
                    .variables
                    .iter_mut()
                    .find(|(n, _)| n.eq_ignore_ascii_case(name))
                {
                    v.1 = value.to_string();
                }
            }
            return Ok(());
        }
        let (seq, rest) = if let Some(s) = line.strip_prefix('"') {
            let (seq, rest) =
                quoted(s).ok_or_else(|| "no closing `\"' in key binding".to_string())?;
            (translate(seq), rest)
        } else {
            let (name, rest) = line.split_once(':').ok_or("missing colon separator")?;
            let Some(k) = keyname(name.trim()) else {
                return Ok(());
            };
            (k, rest)
        };
        let value = rest.trim_start().strip_prefix(':').unwrap_or(rest).trim();
        let binding = if let Some(v) = value.strip_prefix('"').or_else(|| value.strip_prefix('\''))
        {
            Binding::Macro(v.trim_end_matches(['"', '\'']).to_string())
        } else if FUNCTIONS.contains(&value) {
            Binding::Function(canonical(value).to_string())
        } else {
            return Ok(());
        };
        self.maps[m].insert(seq, binding);
        Ok(())
    }
}

/// `a`, `b`, … up to five sequences, as readline lists them.
fn list_five(seqs: &[String]) -> String {
    let mut s = String::new();
    for (j, k) in seqs.iter().take(5).enumerate() {
        let more = j + 1 < seqs.len();
        s.push_str(&format!("\"{k}\"{}", if more { ", " } else { ".\n" }));
    }
    if seqs.len() > 5 {
        s.push_str("...\n");
    }
    s
}

/// `bind [-lpsvPSVX] [-m keymap] [-f file] [-q name] [-u name] [-r keyseq]
/// [-x keyseq:command] [keyseq:function ...]`.
pub(super) fn bind<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = format!("{}bind: ", shell.err_prefix());
        if !shell.interactive {
            io.err_line(&format!("{prefix}warning: line editing not enabled"))
                .await;
        }
        let mut flags = String::new();
        let mut values: Vec<(char, String)> = Vec::new();
        let mut opts = BuiltinOpts::new(&args, "lvpVPsSXf:q:u:m:r:x:");
        for opt in &mut opts {
            match opt {
                Ok(BuiltinOpt {
                    letter,
                    value: Some(v),
                    ..
                }) => values.push((letter, v)),
                Ok(o) => flags.push(o.letter),
                Err(e) => return e.report(io, &prefix, USAGE).await,
            }
        }
        let value = |c: char| {
            values
                .iter()
                .rev()
                .find(|(f, _)| *f == c)
                .map(|(_, v)| v.clone())
        };
        let mut map = 0;
        if let Some(name) = value('m') {
            match MAP_NAMES.iter().find(|(n, _)| *n == name) {
                Some((_, m)) => map = *m,
                None => {
                    io.err_line(&format!("{prefix}`{name}': invalid keymap name"))
                        .await;
                    return 1;
                }
            }
        }
        let rc_file = value('f').map(|f| (shell.env.absolute_path(&f), f));
        let utf8 = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|v| shell.env.vars.get(v).filter(|s| !s.is_empty()))
            .is_some_and(|l| {
                let l = l.to_ascii_lowercase();
                l.contains("utf-8") || l.contains("utf8")
            });
        let maps = shell
            .env
            .lang
            .keymaps
            .get_or_insert_with(|| Box::new(Keymaps::new(utf8)));
        let mut text = String::new();
        let mut status = 0;
        let has = |c: char| flags.contains(c);
        if has('l') {
            for f in FUNCTIONS.iter() {
                text.push_str(f);
                text.push('\n');
            }
        }
        if has('p') {
            text.push_str(&maps.dump_functions(map, true));
        }
        if has('P') {
            text.push_str(&maps.dump_functions(map, false));
        }
        fn macro_of(b: &Binding) -> Option<&str> {
            match b {
                Binding::Macro(m) => Some(m.as_str()),
                _ => None,
            }
        }
        if has('s') {
            text.push_str(&maps.dump(map, macro_of, "macro"));
        }
        if has('S') {
            text.push_str(&maps.dump(map, macro_of, "Macro"));
        }
        if has('v') {
            for (n, v) in &maps.variables {
                text.push_str(&format!("set {n} {v}\n"));
            }
        }
        if has('V') {
            for (n, v) in &maps.variables {
                text.push_str(&format!("{n} is set to `{v}'\n"));
            }
        }
        let mut errors = Vec::new();
        if let Some((path, file)) = rc_file {
            match std::fs::read_to_string(path) {
                Ok(lines) => {
                    for l in lines
                        .lines()
                        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
                    {
                        let _ = maps.parse_and_bind(map, l);
                    }
                }
                Err(e) => {
                    errors.push(format!(
                        "{file}: cannot read: {}",
                        crate::io::os_message(&e)
                    ));
                    status = 1;
                }
            }
        }
        if let Some(name) = value('q') {
            if FUNCTIONS.contains(&name.as_str()) {
                let seqs = maps.invokers(map, &name);
                if seqs.is_empty() {
                    text.push_str(&format!("{name} is not bound to any keys.\n"));
                    status = 1;
                } else {
                    text.push_str(&format!("{name} can be invoked via {}", list_five(&seqs)));
                }
            } else {
                errors.push(format!("`{name}': unknown function name"));
                status = 1;
            }
        }
        if let Some(name) = value('u') {
            if FUNCTIONS.contains(&name.as_str()) {
                let name = canonical(&name).to_string();
                maps.maps[map].retain(|_, b| !matches!(b, Binding::Function(f) if *f == name));
            } else {
                errors.push(format!("`{name}': unknown function name"));
                status = 1;
            }
        }
        if let Some(seq) = value('r') {
            let seq = seq.trim_matches('"');
            maps.maps[map].remove(&translate(seq));
        }
        if let Some(spec) = value('x') {
            let spec = spec.trim_start();
            match spec.strip_prefix('"').and_then(quoted) {
                Some((seq, rest)) => match rest.trim_start().strip_prefix(':') {
                    Some(cmd) => {
                        let cmd = cmd.trim();
                        let cmd = cmd
                            .strip_prefix('"')
                            .and_then(|c| c.strip_suffix('"'))
                            .or_else(|| cmd.strip_prefix('\'').and_then(|c| c.strip_suffix('\'')))
                            .unwrap_or(cmd);
                        maps.maps[map].insert(translate(seq), Binding::Command(cmd.to_string()));
                    }
                    None => {
                        errors.push(format!("{spec}: missing colon separator"));
                        status = 1;
                    }
                },
                None => {
                    errors.push(format!(
                        "{spec}: first non-whitespace character is not `\"'"
                    ));
                    status = 1;
                }
            }
        }
        if has('X') {
            fn command_of(b: &Binding) -> Option<&str> {
                match b {
                    Binding::Command(c) => Some(c.as_str()),
                    _ => None,
                }
            }
            text.push_str(&maps.dump(map, command_of, "command"));
        }
        for line in opts.rest() {
            if let Err(e) = maps.parse_and_bind(map, line) {
                errors.push(e);
            }
        }
        for e in errors {
            io.err_line(&format!("{prefix}{e}")).await;
        }
        match out(io, &text).await {
            Ok(()) => status,
            Err(s) => s,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_maps_print_as_bash_dumps_them() {
        let maps = Keymaps::new(true);
        for (m, dump) in [(0, EMACS), (1, VI_COMMAND), (2, VI_INSERT)] {
            let mine = maps.dump_functions(m, true);
            let theirs: String = dump.lines().map(|l| format!("{l}\n")).collect();
            assert_eq!(mine, theirs, "keymap {m}");
        }
        assert_eq!(FUNCTIONS.len(), 173);
    }

    #[test]
    fn key_sequences_translate_both_ways() {
        assert_eq!(translate("\\C-o\\C-s\\C-h"), [15, 19, 8]);
        assert_eq!(translate("\\M-x"), [0x1b, b'x']);
        assert_eq!(translate("\\e\\C-?"), [0x1b, 0x7f]);
        assert_eq!(
            untranslate(&[0x1b, 0x7f, b'"', 0x1c], false),
            "\\e\\C-?\\\"\\C-\\\\"
        );
        assert_eq!(untranslate(&[0x1b, b'[', b'D'], true), "\\M-[D");
        assert_eq!(keyname("Control-o"), Some(vec![15]));
    }
}
