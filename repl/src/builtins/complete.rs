//! `complete`, `compgen` and `compopt`: bash's programmable completion.
//!
//! A [`CompSpec`] says how to complete a command's arguments: actions
//! (`-A function`, `-f`…), a glob (`-G`), a word list (`-W`), a function
//! (`-F`) and a command (`-C`), then a filter (`-X`), a prefix and suffix
//! (`-P`/`-S`) and the `-o` options. `complete` keeps specs by command name
//! in [`Specs`]; `-D`, `-E` and `-I` name the default, empty-line and
//! initial-word specs by bash's internal names. Specs are listed in the
//! order of bash's hash table (FNV-1 over 512 buckets, newest first in a
//! bucket), so `complete -p` prints what bash prints. `compgen` runs a
//! spec at once on one word and prints the matches ([`super::compgen`]
//! makes them); the interactive shell runs the same generator for Tab.

use std::collections::HashMap;

use super::getopts::{BuiltinOpt, BuiltinOpts};
use super::out;
use crate::exec::BoxFut;
use crate::io::Streams;
use crate::shell::Shell;

/// bash's names for the specs of `-D`, `-E` and `-I`.
pub(crate) const DEFAULT_CMD: &str = "_DefaultCmD_";
pub(crate) const EMPTY_CMD: &str = "_EmptycmD_";
pub(crate) const INITIAL_WORD: &str = "_InitialWorD_";

/// The `-o` option names, in the order `complete -p` and `compopt` list them.
pub(crate) const OPTIONS: [&str; 8] = [
    "bashdefault",
    "default",
    "dirnames",
    "filenames",
    "noquote",
    "nosort",
    "nospace",
    "plusdirs",
];

/// An action: its `-A` name and its own option letter, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    Alias,
    ArrayVar,
    Binding,
    Builtin,
    Command,
    Directory,
    Disabled,
    Enabled,
    Export,
    File,
    Function,
    Group,
    HelpTopic,
    Hostname,
    Job,
    Keyword,
    Running,
    Service,
    SetOpt,
    ShOpt,
    Signal,
    Stopped,
    User,
    Variable,
}

/// Every action: `-A` name, letter, and the action, in `complete -p`'s
/// order (letters first).
pub(crate) const ACTIONS: [(&str, Option<char>, Action); 24] = [
    ("alias", Some('a'), Action::Alias),
    ("builtin", Some('b'), Action::Builtin),
    ("command", Some('c'), Action::Command),
    ("directory", Some('d'), Action::Directory),
    ("export", Some('e'), Action::Export),
    ("file", Some('f'), Action::File),
    ("group", Some('g'), Action::Group),
    ("job", Some('j'), Action::Job),
    ("keyword", Some('k'), Action::Keyword),
    ("service", Some('s'), Action::Service),
    ("user", Some('u'), Action::User),
    ("variable", Some('v'), Action::Variable),
    ("arrayvar", None, Action::ArrayVar),
    ("binding", None, Action::Binding),
    ("disabled", None, Action::Disabled),
    ("enabled", None, Action::Enabled),
    ("function", None, Action::Function),
    ("helptopic", None, Action::HelpTopic),
    ("hostname", None, Action::Hostname),
    ("running", None, Action::Running),
    ("setopt", None, Action::SetOpt),
    ("shopt", None, Action::ShOpt),
    ("signal", None, Action::Signal),
    ("stopped", None, Action::Stopped),
];

/// How to complete a command's arguments.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CompSpec {
    /// Bits over [`OPTIONS`].
    pub options: u16,
    /// Bits over [`ACTIONS`].
    pub actions: u32,
    pub glob: Option<String>,
    pub words: Option<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub filter: Option<String>,
    pub function: Option<String>,
    pub command: Option<String>,
}

impl CompSpec {
    /// Whether `action` is asked for.
    pub fn has(&self, action: Action) -> bool {
        ACTIONS
            .iter()
            .position(|(.., a)| *a == action)
            .is_some_and(|i| self.actions & (1 << i) != 0)
    }

    /// Whether the `-o` option `name` is on.
    pub fn option(&self, name: &str) -> bool {
        OPTIONS
            .iter()
            .position(|o| *o == name)
            .is_some_and(|i| self.options & (1 << i) != 0)
    }

    /// The line `complete -p` prints for `name`.
    fn print_line(&self, name: &str) -> String {
        let mut s = String::from("complete");
        for (i, o) in OPTIONS.iter().enumerate() {
            if self.options & (1 << i) != 0 {
                s.push_str(" -o ");
                s.push_str(o);
            }
        }
        for (i, (long, letter, _)) in ACTIONS.iter().enumerate() {
            if self.actions & (1 << i) != 0 {
                match letter {
                    Some(c) => s.push_str(&format!(" -{c}")),
                    None => s.push_str(&format!(" -A {long}")),
                }
            }
        }
        let q = super::trapspec::single_quote;
        for (flag, v) in [
            ("G", &self.glob),
            ("W", &self.words),
            ("P", &self.prefix),
            ("S", &self.suffix),
            ("X", &self.filter),
        ] {
            if let Some(v) = v {
                s.push_str(&format!(" -{flag} {}", q(v)));
            }
        }
        if let Some(f) = &self.function {
            s.push_str(&format!(" -F {f}"));
        }
        if let Some(c) = &self.command {
            s.push_str(&format!(" -C {}", q(c)));
        }
        match name {
            DEFAULT_CMD => s.push_str(" -D"),
            EMPTY_CMD => s.push_str(" -E"),
            INITIAL_WORD => s.push_str(" -I"),
            _ => {
                s.push(' ');
                let metas = |c: char| c.is_whitespace() || "'\"\\|&;()<>!{}*[?]^$`#~=%".contains(c);
                if name.contains(metas) {
                    s.push_str(&super::trapspec::single_quote(name));
                } else {
                    s.push_str(name);
                }
            }
        }
        s
    }
}

/// The completion specs by command name, listed in bash's hash order.
#[derive(Clone, Debug, Default)]
pub struct Specs {
    buckets: Vec<Vec<String>>,
    map: HashMap<String, CompSpec>,
    /// The options of the completion whose function runs now (`compopt`
    /// without a name changes them).
    pub(crate) current: Option<u16>,
}

/// bash's `hash_string` (FNV-1, 32 bits).
fn hash(name: &str) -> u32 {
    name.bytes().fold(2_166_136_261u32, |h, b| {
        h.wrapping_mul(16_777_619) ^ u32::from(b)
    })
}

/// bash's compspec table starts with 512 buckets and grows fourfold when
/// it holds twice as many entries.
const BUCKETS: usize = 512;

impl Specs {
    fn bucket_of(&self, name: &str) -> usize {
        (hash(name) as usize) & (self.buckets.len() - 1)
    }

    /// The spec for `name`.
    pub(crate) fn get(&self, name: &str) -> Option<&CompSpec> {
        self.map.get(name)
    }

    /// Sets the spec for `name` (an existing one keeps its place).
    pub(crate) fn insert(&mut self, name: &str, spec: CompSpec) {
        if self.buckets.is_empty() {
            self.buckets = vec![Vec::new(); BUCKETS];
        }
        if self.map.insert(name.to_string(), spec).is_some() {
            return;
        }
        if self.map.len() > self.buckets.len() * 2 {
            let grown = vec![Vec::new(); self.buckets.len() * 4];
            let old = std::mem::replace(&mut self.buckets, grown);
            for n in old.into_iter().flatten() {
                let b = self.bucket_of(&n);
                self.buckets[b].insert(0, n);
            }
        }
        let b = self.bucket_of(name);
        self.buckets[b].insert(0, name.to_string());
    }

    /// Removes the spec for `name`; whether there was one.
    pub(crate) fn remove(&mut self, name: &str) -> bool {
        if self.map.remove(name).is_none() {
            return false;
        }
        let b = self.bucket_of(name);
        self.buckets[b].retain(|n| n != name);
        true
    }

    /// Removes every spec.
    pub(crate) fn clear(&mut self) {
        self.map.clear();
        self.buckets.clear();
    }

    /// Every (name, spec), in bash's order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &CompSpec)> {
        self.buckets
            .iter()
            .flatten()
            .filter_map(|n| Some((n.as_str(), self.map.get(n)?)))
    }
}

const COMPLETE_USAGE: &str = "complete: usage: complete [-abcdefgjksuv] [-pr] [-DEI] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [name ...]";
const COMPGEN_USAGE: &str = "compgen: usage: compgen [-abcdefgjksuv] [-o option] [-A action] [-G globpat] [-W wordlist] [-F function] [-C command] [-X filterpat] [-P prefix] [-S suffix] [word]";
const COMPOPT_USAGE: &str = "compopt: usage: compopt [-o|+o option] [-DEI] [name ...]";

/// What the options of `complete`, `compgen` or `compopt` asked for.
#[derive(Default)]
struct Parsed {
    spec: CompSpec,
    print: bool,
    remove: bool,
    /// `-D`, `-E`, `-I`.
    special: Vec<&'static str>,
    /// `compopt +o`: options to turn off.
    off: u16,
    rest: Vec<String>,
}

impl Parsed {
    /// The spec `-D`, `-E` or `-I` names: one only, `-D` first, then `-E`
    /// (bash).
    fn special_names(&self) -> Vec<String> {
        [DEFAULT_CMD, EMPTY_CMD, INITIAL_WORD]
            .into_iter()
            .find(|n| self.special.contains(n))
            .map(|n| vec![n.to_string()])
            .unwrap_or_default()
    }
}

/// Parses the options of `builtin` (`optstring`: as for `getopts`). Errors
/// are printed; the status is returned.
async fn parse(
    err_prefix: String,
    builtin: &str,
    args: &[String],
    optstring: &str,
    io: &mut Streams,
) -> Result<Parsed, i32> {
    let usage = match builtin {
        "complete" => COMPLETE_USAGE,
        "compgen" => COMPGEN_USAGE,
        _ => COMPOPT_USAGE,
    };
    let prefix = format!("{err_prefix}{builtin}: ");
    let mut p = Parsed::default();
    let mut opts = BuiltinOpts::new(args, optstring);
    for opt in &mut opts {
        let (c, plus, value) = match opt {
            Ok(BuiltinOpt {
                letter,
                plus,
                value: Some(v),
            }) => (letter, plus, v),
            Ok(BuiltinOpt { letter, .. }) => {
                match letter {
                    'p' => p.print = true,
                    'r' => p.remove = true,
                    'D' => p.special.push(DEFAULT_CMD),
                    'E' => p.special.push(EMPTY_CMD),
                    'I' => p.special.push(INITIAL_WORD),
                    c => {
                        if let Some(i) = ACTIONS.iter().position(|(_, l, _)| *l == Some(c)) {
                            p.spec.actions |= 1 << i;
                        }
                    }
                }
                continue;
            }
            Err(e) => return Err(e.report(io, &prefix, usage).await),
        };
        match c {
            'o' => {
                let Some(bit) = OPTIONS.iter().position(|o| *o == value) else {
                    io.err_line(&format!("{prefix}{value}: invalid option name"))
                        .await;
                    return Err(2);
                };
                if plus {
                    p.off |= 1 << bit;
                } else {
                    p.spec.options |= 1 << bit;
                }
            }
            'A' => {
                let Some(bit) = ACTIONS.iter().position(|(n, ..)| *n == value) else {
                    io.err_line(&format!("{prefix}{value}: invalid action name"))
                        .await;
                    return Err(2);
                };
                p.spec.actions |= 1 << bit;
            }
            'G' => p.spec.glob = Some(value),
            'W' => p.spec.words = Some(value),
            'P' => p.spec.prefix = Some(value),
            'S' => p.spec.suffix = Some(value),
            'X' => p.spec.filter = Some(value),
            'F' => p.spec.function = Some(value),
            _ => p.spec.command = Some(value),
        }
    }
    p.rest = opts.rest().to_vec();
    Ok(p)
}

/// `complete`: define, print (`-p`) or remove (`-r`) completion specs.
pub(super) fn complete<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let p = match parse(
            shell.err_prefix(),
            "complete",
            &args,
            "abcdefgjksuvprDEIo:A:G:W:P:S:X:F:C:",
            io,
        )
        .await
        {
            Ok(p) => p,
            Err(s) => return s,
        };
        let mut names = p.special_names();
        names.extend(p.rest.iter().cloned());
        let prefix = format!("{}complete: ", shell.err_prefix());
        let specs = &mut shell.env.lang.complete;
        let defining = p.spec != CompSpec::default();
        if p.print || (names.is_empty() && !p.remove && !defining) {
            let mut text = String::new();
            let mut status = 0;
            if names.is_empty() {
                for (n, s) in specs.iter() {
                    text.push_str(&s.print_line(n));
                    text.push('\n');
                }
            }
            for n in &names {
                match specs.get(n) {
                    Some(s) => {
                        text.push_str(&s.print_line(n));
                        text.push('\n');
                    }
                    None => {
                        io.err_line(&format!("{prefix}{n}: no completion specification"))
                            .await;
                        status = 1;
                    }
                }
            }
            return match out(io, &text).await {
                Ok(()) => status,
                Err(s) => s,
            };
        }
        if p.remove {
            if names.is_empty() {
                specs.clear();
                return 0;
            }
            let mut status = 0;
            for n in &names {
                if !specs.remove(n) {
                    io.err_line(&format!("{prefix}{n}: no completion specification"))
                        .await;
                    status = 1;
                }
            }
            return status;
        }
        if names.is_empty() {
            io.err_line(COMPLETE_USAGE).await;
            return 2;
        }
        for n in &names {
            specs.insert(n, p.spec.clone());
        }
        0
    })
}

/// `compgen [options] [word]`: the matches of a spec for one word.
pub(super) fn compgen<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let p = match parse(
            shell.err_prefix(),
            "compgen",
            &args,
            "abcdefgjksuvo:A:G:W:P:S:X:F:C:",
            io,
        )
        .await
        {
            Ok(p) => p,
            Err(s) => return s,
        };
        let word = p.rest.first().cloned().unwrap_or_default();
        let prefix = format!("{}compgen: ", shell.err_prefix());
        for (set, flag) in [
            (p.spec.function.is_some(), 'F'),
            (p.spec.command.is_some(), 'C'),
        ] {
            if set && shell.env.lang.complete.current.is_none() {
                io.err_line(&format!(
                    "{prefix}warning: -{flag} option may not work as you expect"
                ))
                .await;
            }
        }
        let ctx = super::compgen::Context::for_compgen(&word);
        let matches = match super::compgen::generate(shell, &p.spec, &ctx, io).await {
            Ok(m) => m,
            Err(s) => return s,
        };
        let mut matches = matches;
        if matches.is_empty() {
            matches = super::compgen::defaults(shell, &p.spec, &word);
        }
        if matches.is_empty() {
            return 1;
        }
        let mut text = String::new();
        for m in matches {
            text.push_str(&m);
            text.push('\n');
        }
        match out(io, &text).await {
            Ok(()) => 0,
            Err(s) => s,
        }
    })
}

/// `compopt [-o|+o option] [-DEI] [name ...]`: change or show a spec's
/// options, or (with no name, inside a completion function) those of the
/// completion running now.
pub(super) fn compopt<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let p = match parse(shell.err_prefix(), "compopt", &args, "+o:DEI", io).await {
            Ok(p) => p,
            Err(s) => return s,
        };
        let prefix = format!("{}compopt: ", shell.err_prefix());
        let (on, off) = (p.spec.options, p.off);
        let mut names = p.special_names();
        names.extend(p.rest.iter().cloned());
        let specs = &mut shell.env.lang.complete;
        if names.is_empty() {
            let Some(current) = specs.current.as_mut() else {
                io.err_line(&format!(
                    "{prefix}not currently executing completion function"
                ))
                .await;
                return 1;
            };
            if on == 0 && off == 0 {
                let line = option_line(*current, "");
                return out(io, &format!("{}\n", line.trim_end()))
                    .await
                    .err()
                    .unwrap_or(0);
            }
            *current = (*current | on) & !off;
            return 0;
        }
        let mut status = 0;
        let mut text = String::new();
        for n in &names {
            let Some(mut spec) = specs.get(n).cloned() else {
                io.err_line(&format!("{prefix}{n}: no completion specification"))
                    .await;
                status = 1;
                continue;
            };
            if on == 0 && off == 0 {
                text.push_str(&option_line(spec.options, n));
                text.push('\n');
                continue;
            }
            spec.options = (spec.options | on) & !off;
            specs.insert(n, spec);
        }
        match out(io, &text).await {
            Ok(()) => status,
            Err(s) => s,
        }
    })
}

/// `compopt NAME`'s line: every option with `-o` (on) or `+o` (off).
fn option_line(options: u16, name: &str) -> String {
    let mut s = String::from("compopt");
    for (i, o) in OPTIONS.iter().enumerate() {
        let sign = if options & (1 << i) != 0 { '-' } else { '+' };
        s.push_str(&format!(" {sign}o {o}"));
    }
    let shown = match name {
        DEFAULT_CMD => "-D",
        EMPTY_CMD => "-E",
        INITIAL_WORD => "-I",
        n => n,
    };
    format!("{s} {shown}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn specs_list_in_bashs_hash_order() {
        let mut s = Specs::default();
        for n in ["x", "y", DEFAULT_CMD, "git", INITIAL_WORD, EMPTY_CMD] {
            s.insert(n, CompSpec::default());
        }
        let order: Vec<&str> = s.iter().map(|(n, _)| n).collect();
        assert_eq!(
            order,
            [INITIAL_WORD, "git", DEFAULT_CMD, "y", "x", EMPTY_CMD]
        );
        s.insert("git", CompSpec::default());
        assert!(s.remove("x"));
        assert!(!s.remove("x"));
        let order: Vec<&str> = s.iter().map(|(n, _)| n).collect();
        assert_eq!(order, [INITIAL_WORD, "git", DEFAULT_CMD, "y", EMPTY_CMD]);
    }

    #[test]
    fn the_table_grows_and_keeps_every_name() {
        let mut s = Specs::default();
        for i in 0..1100 {
            s.insert(&format!("c{i}"), CompSpec::default());
        }
        assert_eq!(s.buckets.len(), 2048);
        assert_eq!(s.iter().count(), 1100);
    }

    #[test]
    fn print_line_follows_bashs_field_order() {
        let spec = CompSpec {
            options: 0b0100_0010,
            actions: 1 << 16 | 1,
            words: Some("a 'b'".into()),
            function: Some("f".into()),
            ..CompSpec::default()
        };
        assert_eq!(
            spec.print_line("cmd"),
            "complete -o default -o nospace -a -A function -W 'a '\\''b'\\''' -F f cmd"
        );
        assert_eq!(CompSpec::default().print_line(EMPTY_CMD), "complete -E");
    }
}
