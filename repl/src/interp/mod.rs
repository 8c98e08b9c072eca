//! The interpreter: runs [`crate::lang::ast`] trees in a [`Shell`].
//!
//! The model, as bash's:
//! - a list runs its and-or lists in order; one ending in `&` is a job
//!   ([`background`]): a pipeline of external programs is one kernel process
//!   job (one process group), anything else is a future job running a copy
//!   of the shell (a subshell);
//! - a pipeline's externals are one process job; its builtins, compound
//!   commands and functions run in-process on subshell copies, joined by pipes
//!   ([`pipeline`]);
//! - simple commands expand their words ([`ex`]), then run a function, a
//!   builtin or a program ([`simple`]); compound commands and functions run in
//!   the current shell ([`compound`]), `( … )` on a copy;
//! - `break`, `continue` and `return` set [`Shell::flow`], which lists stop
//!   at and loops or function calls consume; `exit` sets `exit_status`;
//! - the interpreter is async and boxed where it recurses; it yields to the
//!   runtime every few commands so reaping, notices and signals keep going.
//!
//! Language state copied into subshells lives in [`Lang`] (inside
//! [`crate::shell::Env`]).

pub(crate) mod alias;
pub(crate) mod assign;
pub(crate) mod background;
pub(crate) mod child;
pub(crate) mod compound;
pub(crate) mod envimpl;
pub(crate) mod glue;
pub(crate) mod hooks;
pub(crate) mod options;
pub(crate) mod pipeline;
pub(crate) mod run;
pub(crate) mod simple;
pub(crate) mod traps;
pub(crate) mod vars;
pub(crate) mod xtrace;

#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::sync::Arc;

pub(crate) use crate::expand as ex;
pub use options::Options;
pub use vars::{valid_name, LetterCase, Var, Vars};

use crate::lang::ast::FunctionDef;
use crate::shell::Shell;

/// Set while the shell dies of a signal it sent itself (`kill $$`): the
/// signal watchers leave the ending to the interpreter.
pub(crate) static SELF_KILL: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Set when a subshell sent SIGSTOP to its parent shell (`kill -STOP $$`
/// inside `( … )`): the shell stops once it is back at its own commands.
pub(crate) static PARENT_STOP: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// How deep function calls may nest at most: bash leaves `FUNCNEST` unset
/// (unlimited), which here would overflow the stack; a lower `FUNCNEST`
/// applies as in bash.
pub const MAX_FUNCTION_DEPTH: usize = 1000;

/// `break N`, `continue N`, `return`: unwinding to a loop or a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// Leave N enclosing loops.
    Break(u32),
    /// Go on with the Nth enclosing loop.
    Continue(u32),
    /// Leave the function (or sourced file).
    Return,
    /// An error that drops the rest of the command line it is on (bash's
    /// `jump_to_top_level (DISCARD)`: an expansion error, a failglob miss,
    /// `continue 1 2`); loops and functions pass it on, a program (script,
    /// `-c`, `eval`, `source`) stops it at the next line.
    Discard,
}

/// One function call or sourced file on the call stack.
#[derive(Clone, Debug)]
pub struct Call {
    /// The function's name, or `source`.
    pub name: String,
    /// The file the function was defined in, or the sourced file.
    pub source: Option<Arc<str>>,
    /// The line it was called from (`BASH_LINENO`).
    pub line: u32,
    /// The `set` options as they were when `local -` ran in this function,
    /// put back when it returns.
    pub saved_opts: Option<Options>,
}

/// The shell language's state, copied into every subshell.
#[derive(Clone, Debug)]
pub struct Lang {
    /// Defined functions.
    pub functions: HashMap<String, Arc<FunctionDef>>,
    /// `$1 … $N`.
    pub positional: Vec<String>,
    /// `set` options.
    pub opts: Options,
    /// Descriptors `<(…)`/`>(…)` opened for the command being run.
    pub proc_fds: Vec<i32>,
    /// `pushd`'s directory stack, below the working directory (top first).
    pub dirstack: Vec<String>,
    /// `shopt` options.
    pub shopt: crate::builtins::shopt::Shopts,
    /// `alias name=value`.
    pub aliases: HashMap<String, String>,
    /// `trap 'cmd' SIG`: by signal name without `SIG` (`EXIT`, `INT`…).
    pub traps: HashMap<String, String>,
    /// In a subshell that has set no trap yet, the traps `trap` shows: the
    /// parent's (bash).
    pub inherited_traps: Option<HashMap<String, String>>,
    /// Which of DEBUG, ERR and RETURN have a trap ([`hooks`]): one test
    /// on the path of every command.
    pub hooks: u8,
    /// The last compound command failed on its redirections: that counts
    /// for ERR and `set -e` as a simple command's failure.
    pub redirect_failed: bool,
    /// The pending [`Flow::Discard`] came from an arithmetic expansion
    /// error, which `set -e` does not count (bash).
    pub discard_exempt: bool,
    /// The pending [`Flow::Discard`] is a special builtin's usage error
    /// (`break 1 2`, `shift 1 2`), which bash throws to its top level:
    /// `eval` and `source` pass it on, a script drops the rest of its line
    /// and `-c` ends with status 1.
    pub discard_to_top: bool,
    /// An asynchronous command without job control: its programs start
    /// with SIGINT and SIGQUIT ignored (bash).
    pub async_ignore: bool,
    /// Functions with the trace attribute (`declare -ft NAME`): they
    /// inherit the DEBUG and RETURN traps.
    pub traced: std::collections::HashSet<String>,
    /// `$FUNCNAME`: innermost first.
    pub funcnames: Vec<String>,
    /// The call stack of functions and sourced files, innermost last
    /// (`FUNCNAME`, `BASH_SOURCE`, `BASH_LINENO`).
    pub calls: Vec<Call>,
    /// The file the running code came from; `None` for the shell's own input.
    pub source: Option<Arc<str>>,
    /// `$LINENO`.
    pub lineno: u32,
    /// `$_`: the last argument of the last simple command run in this shell.
    pub last_arg: String,
    /// Lines before the text being run (a script read from stdin in pieces).
    pub line_base: u32,
    /// Inside a condition (`if`, `while`, `&&`, `!`): `set -e` does not apply.
    pub cond_depth: u32,
    /// Loops around the current command (for `break`/`continue`).
    pub loop_depth: u32,
    /// Traps running now (a trap does not trigger itself).
    pub trapping: Vec<String>,
    /// Files being sourced (`return` leaves one).
    pub sourcing: u32,
    /// `$BASH_SUBSHELL`.
    pub subshell: u32,
    /// This copy of the shell was made to run one `( … )` (a background
    /// job or pipeline member that is only that): the subshell is the copy
    /// itself, one level deeper, not a second one (bash forks once).
    pub subshell_is_copy: bool,
    /// `$BASHPID`: the shell's pid (depth 0) or, in a background job, its
    /// anchor's, and the subshell depth it holds at (a deeper subshell has
    /// no pid of its own).
    pub own_pid: Option<(i32, u32)>,
    /// Nesting of `eval`, `source` and `$(…)`: `set -x` repeats PS4's
    /// first character once per level.
    pub trace_depth: u32,
    /// The name errors start with: `corral`, or the script's path.
    pub name: String,
    /// The file mode creation mask (`umask`).
    pub umask: u32,
    /// Where `getopts` is in its scan.
    pub getopts: crate::builtins::getopts::GetoptsState,
    /// When the shell started, in seconds since the epoch (`printf '%(…)T' -2`).
    pub started: i64,
    /// `hash`'s table of programs run by name.
    pub hashed: crate::builtins::hash::Table,
    /// `complete`'s specs.
    pub complete: crate::builtins::complete::Specs,
    /// The `history` list.
    pub history: crate::builtins::history::HistList,
    /// `bind`'s keymaps, loaded on first use.
    pub keymaps: Option<Box<crate::builtins::bind::Keymaps>>,
}

impl Lang {
    /// The state of a new shell.
    #[must_use]
    pub fn new(interactive: bool) -> Lang {
        Lang {
            functions: HashMap::new(),
            positional: Vec::new(),
            opts: Options::new(interactive),
            shopt: crate::builtins::shopt::Shopts::new(interactive),
            proc_fds: Vec::new(),
            dirstack: Vec::new(),
            aliases: HashMap::new(),
            traps: HashMap::new(),
            inherited_traps: None,
            hooks: 0,
            async_ignore: false,
            redirect_failed: false,
            discard_exempt: false,
            discard_to_top: false,
            traced: std::collections::HashSet::new(),
            funcnames: Vec::new(),
            calls: Vec::new(),
            source: None,
            lineno: 0,
            last_arg: String::new(),
            line_base: 0,
            hashed: crate::builtins::hash::Table::default(),
            cond_depth: 0,
            loop_depth: 0,
            subshell: 0,
            subshell_is_copy: false,
            own_pid: i32::try_from(std::process::id()).ok().map(|pid| (pid, 0)),
            trace_depth: 0,
            sourcing: 0,
            trapping: Vec::new(),
            umask: 0o022,
            getopts: crate::builtins::getopts::GetoptsState::default(),
            started: crate::builtins::wired::now(),
            name: "corral".to_string(),
            complete: crate::builtins::complete::Specs::default(),
            history: crate::builtins::history::HistList::default(),
            keymaps: None,
        }
    }

    /// Whether the shell runs a script file (its call stack ends in `main`).
    #[must_use]
    pub fn script_file(&self) -> bool {
        !(self.opts.command || self.opts.stdin || self.opts.interactive)
    }

    /// How `BASH_SOURCE` names `source`: the shell's own input is the
    /// script's path, `environment` under `-c` and `main` otherwise (bash).
    #[must_use]
    pub fn source_name(&self, source: Option<&Arc<str>>) -> String {
        match source {
            Some(s) => s.to_string(),
            None if self.script_file() => self.name.clone(),
            None if self.opts.command => "environment".to_string(),
            None => "main".to_string(),
        }
    }

    /// `FUNCNAME`, `BASH_SOURCE` or `BASH_LINENO` from the call stack,
    /// innermost first; `None` for another name.
    #[must_use]
    pub fn stack_array(&self, name: &str) -> Option<Vec<String>> {
        let file = self.script_file();
        let calls = self.calls.iter().rev();
        let out: Vec<String> = match name {
            // Only inside a function (a sourced file alone has none).
            "FUNCNAME" if self.funcnames.is_empty() => return None,
            "FUNCNAME" => calls
                .map(|c| c.name.clone())
                .chain(file.then(|| "main".to_string()))
                .collect(),
            "BASH_SOURCE" => calls
                .map(|c| self.source_name(c.source.as_ref()))
                .chain(file.then(|| self.name.clone()))
                .collect(),
            "BASH_LINENO" => calls
                .map(|c| c.line.to_string())
                .chain(file.then(|| "0".to_string()))
                .collect(),
            _ => return None,
        };
        Some(out)
    }
}

impl Shell {
    /// What bash puts before its own error messages: `corral: ` when
    /// interactive, `corral: line N: ` (the script's name for a script)
    /// otherwise; inside a function or sourced file, the file it came from
    /// as `BASH_SOURCE` names it (`main`, `environment` under `-c`).
    pub(crate) fn err_prefix(&self) -> String {
        let lang = &self.env.lang;
        if lang.opts.interactive {
            "corral: ".to_string()
        } else if lang.calls.is_empty() {
            format!("{}: line {}: ", lang.name, lang.lineno)
        } else {
            let file = lang.source_name(lang.source.as_ref());
            format!("{file}: line {}: ", lang.lineno)
        }
    }

    /// Whether the rest of a list must not run: `exit`, Ctrl-C, or a
    /// `break`/`continue`/`return` unwinding.
    pub(crate) fn unwinding(&self) -> bool {
        self.exit_status.is_some() || self.interrupted || self.flow.is_some()
    }
}
