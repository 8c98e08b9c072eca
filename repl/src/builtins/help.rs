//! `help`, `NAME --help` and the usage lines: one text per builtin.
//!
//! Each builtin's entry in [`TABLE`] holds its synopsis (bash's, letter for
//! letter, for the builtins bash has) and a one-line description. From them
//! come `help NAME` (`NAME: SYNOPSIS` then the description, indented),
//! `help -s`/`-d`/`-m`, the `NAME: usage: SYNOPSIS` line every usage error
//! ends with ([`usage`]), and `NAME --help`, which prints the same text as
//! `help NAME` and returns 2, as bash does for every builtin but those that
//! take `--help` as an operand ([`wants_help`]).

use super::getopts::BuiltinOpts;
use super::{out, TABLE};
use crate::exec::BoxFut;
use crate::expand::Pattern;
use crate::io::Streams;
use crate::shell::Shell;

/// Builtins for which `--help` is an ordinary word (bash: no help there).
const HELP_IS_OPERAND: &[&str] = &[":", "true", "false", "echo", "test", "["];

/// The table's spelling of builtin `name` (static), if it is one.
pub(crate) fn builtin_name(name: &str) -> Option<&'static str> {
    TABLE.iter().find(|(n, ..)| *n == name).map(|(n, ..)| *n)
}

/// `NAME: usage: SYNOPSIS`, the line after a usage error.
pub(crate) fn usage(name: &str) -> String {
    let synopsis = TABLE
        .iter()
        .find(|(n, ..)| *n == name)
        .map_or(name, |(_, s, ..)| *s);
    format!("{name}: usage: {synopsis}")
}

/// What `help NAME` prints for one builtin.
fn long_help(name: &str, synopsis: &str, desc: &str) -> String {
    format!("{name}: {synopsis}\n    {desc}\n")
}

/// Whether `args` (a builtin's words, its name first) ask for its help:
/// `--help` as the first operand, unless the builtin reads it as a word.
pub(super) fn wants_help(args: &[String]) -> bool {
    args.get(1).is_some_and(|a| a == "--help")
        && args
            .first()
            .is_some_and(|n| !HELP_IS_OPERAND.contains(&n.as_str()))
}

/// Prints builtin `name`'s help on stdout and returns 2 (bash's status for
/// `NAME --help`), or the status of a failed write.
pub(crate) async fn print_help(io: &mut Streams, name: &str) -> i32 {
    let text = TABLE
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(n, s, d, _)| long_help(n, s, d))
        .unwrap_or_default();
    out(io, &text).await.err().unwrap_or(2)
}

/// What `help` says about the language, after the builtins.
const LANGUAGE: &str = "
Language (as bash 5.2): if/elif/else, for (also for ((;;))), while, until, case
(;; ;& ;;&), { ...; } and ( ... ), !, time [-p] (TIMEFORMAT),
functions (f() {...}, function f, local, return; FUNCNEST), [[ ]], (( )),
$(...), `...`, $((...)), {a,b} {1..9}, ~, every ${...} form, indexed and
associative arrays, namerefs, <(...) >(...), here-documents, here-strings, any
fd (3>f, {fd}>f, <&3, >&-, <>, >|), traps (EXIT ERR DEBUG RETURN and signals),
set -aeuvxCfbmET -o pipefail, shopt, aliases. `cmd &` works after any command,
pipeline, compound command or function call; each is one job (jobs, fg, bg,
kill %N, wait, disown) whose output is also in /v/jobs/N/{stdout,stderr}.
";

/// What `help` says about the interactive shell, after the builtins.
const INTERACTIVE: &str = "
Interactive: ~/.corralrc runs first (corral --rcfile FILE, --norc). PS1 and PS2
take bash's escapes (\\u \\h \\w \\W \\j \\! \\# \\$ \\t \\D{fmt} \\[ \\] ...) and
$VAR, $(...), $((...)); PROMPT_COMMAND runs before each prompt. `%N` is
`fg %N` and `%N &` is `bg %N` (also %%, %+, %-, %name, %?text). History
expansion: !! !$ !^ !* !N !-N !prefix !?text? !#, :N :x-y :h :t :r :e :p :s/a/b/
:gs/a/b/, ^old^new (set +H turns it off). Ctrl-R searches the history;
Enter runs the line found.
";

/// `help [-dms] [pattern ...]`: a pattern names the builtins it matches as
/// a glob or, failing that, as a prefix (bash's two passes).
pub(super) fn help<'a>(
    shell: &'a mut Shell,
    args: Vec<String>,
    io: &'a mut Streams,
) -> BoxFut<'a, i32> {
    Box::pin(async move {
        let prefix = shell.err_prefix();
        let extglob = shell.env.lang.shopt.get("extglob");
        let (mut short, mut desc_only, mut manpage) = (false, false, false);
        let mut opts = BuiltinOpts::new(&args, "dms");
        for o in opts.by_ref() {
            match o {
                Ok(o) if o.letter == 'd' => desc_only = true,
                Ok(o) if o.letter == 'm' => manpage = true,
                Ok(_) => short = true,
                Err(e) => {
                    return e
                        .report(io, &format!("{prefix}help: "), &usage("help"))
                        .await
                }
            }
        }
        let patterns = opts.rest();
        let mut text = String::new();
        if patterns.is_empty() {
            text.push_str(
                "corral builtins (also: external commands, `cmd &`, pipelines, /v/jobs):\n",
            );
            for (_, synopsis, desc, _) in TABLE {
                text.push_str(&format!("  {synopsis:<44} {desc}\n"));
            }
            text.push_str(LANGUAGE);
            text.push_str(INTERACTIVE);
            return out(io, &text).await.err().unwrap_or(0);
        }
        if patterns.iter().any(|p| p.contains(['*', '?', '['])) {
            text.push_str(&format!(
                "Shell commands matching keyword `{}'\n\n",
                patterns.join(", ")
            ));
        }
        let mut found = false;
        for pat in patterns {
            let glob = Pattern::from_text(pat, extglob);
            let mut hits: Vec<_> = TABLE.iter().filter(|(n, ..)| glob.matches(n)).collect();
            if hits.is_empty() {
                hits = TABLE
                    .iter()
                    .filter(|(n, ..)| n.starts_with(pat.as_str()))
                    .collect();
            }
            found |= !hits.is_empty();
            for (name, synopsis, desc, _) in hits {
                text.push_str(&if desc_only {
                    format!("{name} - {desc}\n")
                } else if manpage {
                    format!(
                        "NAME\n    {name} - {desc}\n\nSYNOPSIS\n    {synopsis}\n\nDESCRIPTION\n    {desc}\n\n"
                    )
                } else if short {
                    format!("{name}: {synopsis}\n")
                } else {
                    long_help(name, synopsis, desc)
                });
            }
        }
        if let Err(status) = out(io, &text).await {
            return status;
        }
        if found {
            return 0;
        }
        let name = patterns.last().map_or("", String::as_str);
        let msg = format!(
            "help: no help topics match `{name}'.  Try `help help' or `man -k {name}' or `info {name}'."
        );
        io.err_line(&format!("{prefix}{msg}")).await;
        1
    })
}
