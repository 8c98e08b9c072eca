//! The matches of a completion spec for one word, made as bash's
//! `gen_compspec_completions` makes them: the actions (in bash's fixed
//! order, whatever order the options came in), the `-G` glob, the `-W`
//! word list (split at `$IFS` outside quotes, then expanded as words are),
//! the `-F` function (`COMP_WORDS`, `COMP_CWORD`, `COMP_LINE`,
//! `COMP_POINT` set, `COMPREPLY` read back) and the `-C` command (its
//! output lines); then the `-X` filter, the `-P`/`-S` affixes and
//! `-o dirnames`/`plusdirs`. `-o default`/`bashdefault` apply when nothing
//! matched ([`defaults`]).

use std::os::unix::fs::PermissionsExt;

use super::complete::{Action, CompSpec};
use crate::expand::{self, Value};
use crate::io::Streams;
use crate::shell::Shell;

/// bash's reserved words, in its table's order (less `select` and
/// `coproc`, which corral does not parse).
const KEYWORDS: [&str; 20] = [
    "if", "then", "else", "elif", "fi", "case", "esac", "for", "while", "until", "do", "done",
    "in", "function", "time", "{", "}", "!", "[[", "]]",
];

/// The line being completed, as a completion function sees it.
pub(crate) struct Context {
    /// The command whose argument is completed (`$1`).
    pub cmd: String,
    /// The word being completed (`$2`).
    pub word: String,
    /// The word before it (`$3`).
    pub prev: String,
    /// `COMP_LINE` and `COMP_POINT`.
    pub line: String,
    pub point: usize,
    /// `COMP_WORDS` and `COMP_CWORD` (-1: no line, as under `compgen`).
    pub words: Vec<String>,
    pub cword: i64,
}

impl Context {
    /// `compgen WORD`: no line; the command is `compgen`.
    pub fn for_compgen(word: &str) -> Context {
        Context {
            cmd: "compgen".into(),
            word: word.into(),
            prev: String::new(),
            line: String::new(),
            point: 0,
            words: Vec::new(),
            cword: -1,
        }
    }
}

/// The matches of `spec` for `ctx.word`.
///
/// # Errors
/// The status when the `-W` list does not expand (its message printed).
pub(crate) async fn generate(
    shell: &mut Shell,
    spec: &CompSpec,
    ctx: &Context,
    io: &mut Streams,
) -> Result<Vec<String>, i32> {
    let word = ctx.word.as_str();
    let mut out = actions(shell, spec, word);
    if let Some(glob) = &spec.glob {
        out.extend(glob_matches(shell, glob).await);
    }
    if let Some(list) = &spec.words {
        let words = super::wordlist::expand(shell, list, io).await?;
        out.extend(words.into_iter().filter(|w| w.starts_with(word)));
    }
    if let Some(f) = &spec.function {
        out.extend(call_function(shell, f, ctx, io).await?);
    }
    if let Some(c) = &spec.command {
        out.extend(run_command(shell, c, ctx).await);
    }
    if let Some(filter) = &spec.filter {
        let extglob = shell.env.lang.shopt.get("extglob");
        let (negate, pat) = match filter.strip_prefix('!') {
            Some(p) => (true, p),
            None => (false, filter.as_str()),
        };
        let pattern = expand::Pattern::from_text(&filter_text(pat, word), extglob);
        out.retain(|m| pattern.matches(m) == negate);
    }
    if spec.prefix.is_some() || spec.suffix.is_some() {
        let (p, s) = (
            spec.prefix.as_deref().unwrap_or(""),
            spec.suffix.as_deref().unwrap_or(""),
        );
        for m in &mut out {
            *m = format!("{p}{m}{s}");
        }
    }
    if spec.option("dirnames") && out.is_empty() || spec.option("plusdirs") {
        out.extend(files(shell, word, Kind::Dirs));
    }
    Ok(out)
}

/// `-o bashdefault` and `-o default` when the spec matched nothing:
/// `$VAR` names, then file names.
pub(crate) fn defaults(shell: &Shell, spec: &CompSpec, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    if spec.option("bashdefault") {
        if let Some(v) = word.strip_prefix('$') {
            out = variables(shell, v, |_| true)
                .into_iter()
                .map(|n| format!("${n}"))
                .collect();
        }
    }
    if out.is_empty() && spec.option("default") {
        out = files(shell, word, Kind::All);
        out.sort();
    }
    out
}

/// `-X`'s pattern: `&` stands for the word, `\&` for itself.
fn filter_text(pat: &str, word: &str) -> String {
    let mut s = String::new();
    let mut chars = pat.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('&') => s.push('&'),
                Some(n) => {
                    s.push('\\');
                    s.push(n);
                }
                None => s.push('\\'),
            },
            '&' => s.push_str(word),
            c => s.push(c),
        }
    }
    s
}

/// The action matches, in bash's order.
fn actions(shell: &mut Shell, spec: &CompSpec, word: &str) -> Vec<String> {
    let mut out = Vec::new();
    let pick = |out: &mut Vec<String>, names: &mut dyn Iterator<Item = String>| {
        out.extend(names.filter(|n| n.starts_with(word)));
    };
    let lang = &shell.env.lang;
    if spec.has(Action::Alias) {
        pick(
            &mut out,
            &mut sorted(lang.aliases.keys().cloned()).into_iter(),
        );
    }
    if spec.has(Action::ArrayVar) {
        out.extend(variables(shell, word, |v| {
            matches!(v, Value::Indexed(_) | Value::Assoc(_))
        }));
    }
    if spec.has(Action::Binding) {
        pick(
            &mut out,
            &mut super::bind::FUNCTIONS.iter().map(|s| (*s).to_string()),
        );
    }
    // Every builtin is enabled.
    for a in [Action::Builtin, Action::Enabled] {
        if spec.has(a) {
            pick(&mut out, &mut super::names().map(str::to_string));
        }
    }
    if spec.has(Action::Export) {
        let names: Vec<String> = shell
            .env
            .vars
            .all()
            .into_iter()
            .filter(|(n, v)| v.exported && v.value.is_some() && n.starts_with(word))
            .map(|(n, _)| n.to_string())
            .collect();
        out.extend(names);
    }
    let lang = &shell.env.lang;
    if spec.has(Action::Function) {
        pick(
            &mut out,
            &mut sorted(lang.functions.keys().cloned()).into_iter(),
        );
    }
    if spec.has(Action::HelpTopic) {
        pick(&mut out, &mut super::names().map(str::to_string));
    }
    if spec.has(Action::Hostname) {
        let file = shell
            .env
            .vars
            .get("HOSTFILE")
            .filter(|f| !f.is_empty())
            .unwrap_or("/etc/hosts")
            .to_string();
        pick(
            &mut out,
            &mut hostnames(&shell.env.absolute_path(&file)).into_iter(),
        );
    }
    for (action, want) in [
        (Action::Job, None),
        (Action::Running, Some(false)),
        (Action::Stopped, Some(true)),
    ] {
        if spec.has(action) {
            pick(&mut out, &mut jobs(shell, want).into_iter());
        }
    }
    if spec.has(Action::Keyword) {
        pick(&mut out, &mut KEYWORDS.iter().map(|s| (*s).to_string()));
    }
    if spec.has(Action::SetOpt) {
        pick(
            &mut out,
            &mut crate::interp::options::NAMES
                .iter()
                .map(|s| (*s).to_string()),
        );
    }
    if spec.has(Action::ShOpt) {
        pick(&mut out, &mut super::shopt::names().map(str::to_string));
    }
    if spec.has(Action::Signal) {
        let names = std::iter::once("EXIT".to_string())
            .chain(corral_kernel::Signal::all().map(|s| format!("SIG{}", s.name())))
            .chain(["DEBUG", "ERR", "RETURN"].map(String::from));
        pick(&mut out, &mut names.into_iter());
    }
    if spec.has(Action::Variable) {
        out.extend(variables(shell, word, |_| true));
    }
    if spec.has(Action::Command) {
        out.extend(commands(shell, word));
    }
    if spec.has(Action::File) {
        out.extend(files(shell, word, Kind::All));
    }
    for (action, path) in [(Action::User, "/etc/passwd"), (Action::Group, "/etc/group")] {
        if spec.has(action) {
            pick(&mut out, &mut first_fields(path, ':').into_iter());
        }
    }
    if spec.has(Action::Service) {
        pick(&mut out, &mut services().into_iter());
    }
    if spec.has(Action::Directory) {
        out.extend(files(shell, word, Kind::Dirs));
    }
    // `-A disabled` matches nothing: corral has no `enable -n`.
    out
}

fn sorted(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = names.collect();
    v.sort();
    v
}

/// Set variables whose value passes `keep`, sorted, starting with `word`.
fn variables(shell: &Shell, word: &str, keep: impl Fn(&Value) -> bool) -> Vec<String> {
    shell
        .env
        .vars
        .all()
        .into_iter()
        .filter(|(n, v)| n.starts_with(word) && v.value.as_ref().is_some_and(&keep))
        .map(|(n, _)| n.to_string())
        .collect()
}

/// The first word of each job's command, newest job first (`running`:
/// only running ones when `Some(false)`, stopped ones when `Some(true)`).
fn jobs(shell: &mut Shell, stopped: Option<bool>) -> Vec<String> {
    let snap = shell.job_snapshot();
    shell
        .jobs
        .iter()
        .rev()
        .filter_map(|e| snap.get(e.id))
        .filter(|v| match stopped {
            None => true,
            Some(true) => matches!(v.state, corral_kernel::JobState::Stopped(_)),
            Some(false) => matches!(v.state, corral_kernel::JobState::Running),
        })
        .map(|v| {
            let first = v.member_commands.first().unwrap_or(&v.command);
            first
                .split([' ', '\t', '\n'])
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Command names: aliases, keywords, functions, builtins, then the
/// executables of each `$PATH` directory (a word with `/` completes paths
/// to executables and directories).
fn commands(shell: &Shell, word: &str) -> Vec<String> {
    if word.contains('/') {
        return files(shell, word, Kind::Executables);
    }
    let lang = &shell.env.lang;
    let mut names = sorted(lang.aliases.keys().cloned());
    names.extend(KEYWORDS.iter().map(|s| (*s).to_string()));
    names.extend(sorted(lang.functions.keys().cloned()));
    names.extend(super::names().map(str::to_string));
    let mut out: Vec<String> = names.into_iter().filter(|n| n.starts_with(word)).collect();
    let path = shell.env.vars.get("PATH").unwrap_or_default().to_string();
    for dir in path.split(':') {
        let dir = if dir.is_empty() { "." } else { dir };
        let Ok(rd) = std::fs::read_dir(shell.env.absolute_path(dir)) else {
            continue;
        };
        for e in rd.flatten() {
            let name = crate::rawbytes::from_os(e.file_name());
            if !name.starts_with(word) {
                continue;
            }
            let executable = std::fs::metadata(e.path())
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0);
            if executable {
                out.push(name);
            }
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    All,
    Dirs,
    Executables,
}

/// Paths starting with `word`, as readline's filename completion makes
/// them: the directory part kept as typed (`~/` read as `$HOME/`), hidden
/// names included, `.` and `..` only for a word ending in `.`.
fn files(shell: &Shell, word: &str, kind: Kind) -> Vec<String> {
    let (dir, prefix) = match word.rfind('/') {
        Some(i) => (&word[..=i], &word[i + 1..]),
        None => ("", word),
    };
    let real_dir = match dir.strip_prefix("~/") {
        Some(rest) => match shell.env.vars.get("HOME") {
            Some(h) => format!("{}/{rest}", h.trim_end_matches('/')),
            None => dir.to_string(),
        },
        None if dir.is_empty() => ".".to_string(),
        None => dir.to_string(),
    };
    let base = shell.env.absolute_path(&real_dir);
    let Ok(rd) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    let mut names: Vec<String> = Vec::new();
    if prefix.starts_with('.') {
        names.extend([".", ".."].into_iter().map(String::from));
    }
    names.extend(
        rd.flatten()
            .map(|e| crate::rawbytes::from_os(e.file_name())),
    );
    names
        .into_iter()
        .filter(|n| n.starts_with(prefix))
        .filter(|n| {
            if kind == Kind::All {
                return true;
            }
            let Ok(m) = std::fs::metadata(base.join(crate::rawbytes::path(n))) else {
                return false;
            };
            m.is_dir() || kind == Kind::Executables && m.permissions().mode() & 0o111 != 0
        })
        .map(|n| format!("{dir}{n}"))
        .collect()
}

/// The first `sep`-separated field of each line of a file (`/etc/passwd`).
fn first_fields(path: &str, sep: char) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(sep).next())
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect()
}

/// Service names and their aliases from /etc/services.
fn services() -> Vec<String> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string("/etc/services")
        .unwrap_or_default()
        .lines()
    {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_whitespace();
        let Some(name) = fields.next() else { continue };
        out.push(name.to_string());
        out.extend(fields.skip(1).map(str::to_string));
    }
    out
}

/// Host names from a hosts file (every name after each address).
fn hostnames(path: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for line in std::fs::read_to_string(path).unwrap_or_default().lines() {
        let line = line.split('#').next().unwrap_or_default();
        out.extend(line.split_whitespace().skip(1).map(str::to_string));
    }
    out
}

/// `-G`: the paths the glob matches (none when it matches none).
async fn glob_matches(shell: &mut Shell, glob: &str) -> Vec<String> {
    let Ok(words) = super::wordlist::parse_words(&super::wordlist::escape_blanks(glob)) else {
        return Vec::new();
    };
    let Ok(fields) = expand::fields(shell, &words).await else {
        return Vec::new();
    };
    if fields.len() == 1 && fields[0] == glob && !shell.env.absolute_path(glob).exists() {
        return Vec::new();
    }
    fields
}

/// `-F`: runs the function with the completion variables set; its
/// `COMPREPLY`, unfiltered; `Err(1)` when an error abandoned the function
/// (bash then completes nothing).
async fn call_function(
    shell: &mut Shell,
    name: &str,
    ctx: &Context,
    io: &mut Streams,
) -> Result<Vec<String>, i32> {
    if !shell.env.lang.functions.contains_key(name) {
        let prefix = shell.err_prefix();
        io.err_line(&format!("{prefix}completion: function `{name}' not found"))
            .await;
        return Ok(Vec::new());
    }
    let vars = &mut shell.env.vars;
    vars.set("COMP_LINE", ctx.line.clone());
    vars.set("COMP_POINT", ctx.point.to_string());
    vars.set("COMP_CWORD", ctx.cword.to_string());
    let _ = vars.assign(
        "COMP_WORDS",
        Value::Indexed(ctx.words.iter().cloned().enumerate().collect()),
    );
    let _ = vars.unset("COMPREPLY");
    if ctx.cword >= 0 {
        shell.env.vars.set("COMP_TYPE", "9");
        shell.env.vars.set("COMP_KEY", "9");
    }
    let args = vec![
        name.to_string(),
        ctx.cmd.clone(),
        ctx.word.clone(),
        ctx.prev.clone(),
    ];
    let status = shell.run_argv(args, false).await;
    shell.env.last_status = status;
    let vars = &mut shell.env.vars;
    let reply = vars
        .value("COMPREPLY")
        .map(Value::values)
        .unwrap_or_default();
    for v in [
        "COMP_LINE",
        "COMP_POINT",
        "COMP_CWORD",
        "COMP_WORDS",
        "COMP_TYPE",
        "COMP_KEY",
        "COMPREPLY",
    ] {
        let _ = vars.unset(v);
    }
    if shell.flow == Some(crate::interp::Flow::Discard) {
        return Err(1);
    }
    Ok(reply)
}

/// `-C`: runs `COMMAND CMD WORD PREV` as a command substitution; its lines.
async fn run_command(shell: &mut Shell, command: &str, ctx: &Context) -> Vec<String> {
    let q = super::trapspec::single_quote;
    let text = format!(
        "\"$({command} {} {} {})\"",
        q(&ctx.cmd),
        q(&ctx.word),
        q(&ctx.prev)
    );
    let Ok(words) = super::wordlist::parse_words(&text) else {
        return Vec::new();
    };
    let Some(word) = words.first() else {
        return Vec::new();
    };
    match expand::string(shell, word).await {
        Ok(output) => output.lines().map(str::to_string).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_filter_puts_the_word_for_ampersands() {
        assert_eq!(filter_text("&.c", "ab"), "ab.c");
        assert_eq!(filter_text("\\&x", "ab"), "&x");
    }
}
