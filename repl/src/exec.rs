//! What running programs needs besides the interpreter ([`crate::interp`]):
//! process specs carrying the shell's cwd and environment, the PATH search,
//! and the choice between a builtin and the same-named program.

use std::future::Future;
use std::pin::Pin;

use corral_kernel::ProcessSpec;

use crate::io::os_message;
use crate::shell::{Env, Shell};

/// The tasks running `<(…)` and `>(…)`, shared by a shell and its subshells.
pub(crate) type ProcSubs = std::sync::Arc<std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>>;

/// A boxed, sendable future (the interpreter recurses through it).
pub type BoxFut<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

impl Shell {
    /// A process spec carrying the shell's cwd and exported variables.
    pub(crate) fn spec(&self, text: &str) -> ProcessSpec {
        let mut spec = ProcessSpec::new(text);
        // Children inherit our cwd and environment unless the shell's differ:
        // building them for every spawn is measurable in a `cmd &` loop.
        if self.env.cwd != self.env.process_cwd {
            spec = spec.cwd(crate::vmount::real_dir(&self.env.cwd));
        }
        if self.env.vars.changed() {
            spec = spec.env_clear();
            for (k, v) in self.env.vars.exported() {
                spec = spec.env(crate::rawbytes::into_os(k), crate::rawbytes::into_os(v));
            }
            if let (None, Some(v)) = (self.env.vars.get("CORRAL_V"), crate::vmount::mounted_v()) {
                spec = spec.env("CORRAL_V", v);
            }
        }
        self.pass_ignored(spec)
    }

    /// Remembers a process substitution's task until it ends.
    pub(crate) fn keep_procsub(&self, task: tokio::task::JoinHandle<()>) {
        let mut subs = self.procsubs.lock().unwrap_or_else(|e| e.into_inner());
        subs.retain(|t| !t.is_finished());
        subs.push(task);
    }

    /// As the shell exits: closes its own descriptors (a `>(…)` reading
    /// from it sees its end) and gives its process substitutions the exit
    /// grace to end by themselves, so that what they print (`seq 3 >
    /// >(tac)`) comes out instead of being cut off by the shutdown.
    pub(crate) async fn finish_procsubs(&mut self) {
        let tasks = std::mem::take(&mut *self.procsubs.lock().unwrap_or_else(|e| e.into_inner()));
        if tasks.is_empty() {
            return;
        }
        self.fds = crate::redirect::Fds::inherit();
        let all = async {
            for t in tasks {
                let _ = t.await;
            }
        };
        tokio::select! {
            _ = tokio::time::timeout(crate::shell::EXIT_GRACE, all) => {}
            _ = crate::interp::traps::fatal_arrived() => {}
        }
    }

    /// Runs the program `words` (no function or builtin) with `arg0` as its
    /// `argv[0]` and, when `clear_env`, an empty environment (`exec -a NAME`,
    /// `exec -c`); returns its status.
    pub(crate) async fn run_program_as(
        &mut self,
        words: &[String],
        arg0: Option<String>,
        clear_env: bool,
    ) -> i32 {
        let fds = match self.fds.try_clone() {
            Ok(f) => f,
            Err(e) => return self.fail_io(&e),
        };
        let mut p = match self.prepare_external(words, Vec::new(), &fds) {
            Ok(p) => p,
            Err(status) => return status,
        };
        let mut spec = self.spec(&words.join(" "));
        if clear_env {
            spec = spec.env_clear();
        }
        let cmd = match arg0 {
            Some(a) => p.cmd.arg0(crate::rawbytes::into_os(a)),
            None => p.cmd,
        };
        let (status, stopped) = self.run_process(spec.pipe(cmd), &mut p.err).await;
        crate::interp::simple::finish_pumps(p.pumps, stopped).await;
        status
    }

    /// Prints `msg` on stderr; returns status 1.
    /// A message starting `corral: ` gets bash's prefix ([`Shell::err_prefix`]).
    /// It goes to the shell's current stderr (`f 2>/dev/null` silences
    /// errors inside `f`).
    pub(crate) fn fail(&mut self, msg: &str) -> i32 {
        let line = match msg.strip_prefix("corral: ") {
            Some(rest) => format!("{}{rest}\n", self.err_prefix()),
            None => format!("{msg}\n"),
        };
        self.write_err(&line);
        1
    }

    /// Writes a (short) message to the shell's current stderr at once.
    pub(crate) fn write_err(&self, text: &str) {
        use std::io::Write;
        let bytes = crate::rawbytes::decode(text);
        match &self.fds.std.stderr {
            crate::io::Output::Null => {}
            crate::io::Output::Stdout => {
                let _ = std::io::stdout().write_all(&bytes);
            }
            crate::io::Output::Stream(s) => s.write(&bytes),
            crate::io::Output::Fd(fd) => {
                if let Ok(fd) = fd.try_clone() {
                    let _ = std::fs::File::from(fd).write_all(&bytes);
                }
            }
            _ => {
                let _ = std::io::stderr().write_all(&bytes);
            }
        }
    }

    pub(crate) fn fail_io(&mut self, e: &std::io::Error) -> i32 {
        self.fail(&format!("corral: {}", os_message(e)))
    }

    /// Whether `program` names something to run (as execvp would find it).
    pub(crate) fn program_exists(&self, program: &str) -> bool {
        if program.contains('/') {
            self.env.absolute_path(program).exists()
        } else {
            on_path(&self.env, program)
        }
    }
}

/// Whether the builtin `name` should run as the same-named program: `echo`
/// and `pwd` stay builtins except in a background pipeline
/// (`prefer_external`), which then stays one process group.
pub(crate) fn use_program(env: &Env, name: &str, _args: &[String], prefer_external: bool) -> bool {
    prefer_external && matches!(name, "echo" | "pwd") && on_path(env, name)
}

/// The executable file `name` is in one of PATH's directories, if any.
pub(crate) fn find_on_path(env: &Env, name: &str) -> Option<std::path::PathBuf> {
    find_in(env.vars.get("PATH")?, name)
}

/// The executable file `name` in one of the directories of `path`, if any.
pub(crate) fn find_in(path: &str, name: &str) -> Option<std::path::PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let name = crate::rawbytes::path(name);
    std::env::split_paths(&*crate::rawbytes::path(path))
        .map(|dir| dir.join(&name))
        .find(|p| {
            std::fs::metadata(p)
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        })
}

/// Whether `name` is an executable file in one of PATH's directories.
pub(crate) fn on_path(env: &Env, name: &str) -> bool {
    find_on_path(env, name).is_some()
}

/// What `time` prints for a pipeline that took `real` and used `user` and
/// `sys` CPU time: `$TIMEFORMAT` (bash's default when unset; nothing when
/// empty), or POSIX's format for `time -p`. `%[p][l]R`, `U`, `S`: the
/// seconds with `p` (0–3, default 3) decimals, truncated, or with `l` as
/// `XmY.FFFs`; `%P`: the CPU percentage; `%%`.
pub(crate) fn time_report(
    timeformat: Option<&str>,
    posix: bool,
    real: std::time::Duration,
    user: std::time::Duration,
    sys: std::time::Duration,
) -> String {
    const DEFAULT: &str = "\nreal\t%3lR\nuser\t%3lU\nsys\t%3lS";
    let format = if posix {
        "real %2R\nuser %2U\nsys %2S"
    } else {
        timeformat.unwrap_or(DEFAULT)
    };
    if format.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut precision = 3;
        if let Some(d) = chars.peek().and_then(|c| c.to_digit(10)) {
            precision = d.min(3) as usize;
            chars.next();
        }
        let long = chars.next_if_eq(&'l').is_some();
        let value = match chars.next() {
            Some('%') => {
                out.push('%');
                continue;
            }
            Some('R') => real,
            Some('U') => user,
            Some('S') => sys,
            Some('P') => {
                let cpu = (user + sys).as_secs_f64();
                let pct = if real.is_zero() {
                    0.0
                } else {
                    cpu * 100.0 / real.as_secs_f64()
                };
                out.push_str(&format!("{pct:.2}"));
                continue;
            }
            Some(other) => {
                out.push('%');
                out.push(other);
                continue;
            }
            None => {
                out.push('%');
                break;
            }
        };
        let secs = value.as_secs();
        let millis = value.subsec_millis();
        let frac = match precision {
            0 => String::new(),
            p => format!(".{:0width$}", millis / 10u32.pow(3 - p as u32), width = p),
        };
        if long {
            out.push_str(&format!("{}m{}{frac}s", secs / 60, secs % 60));
        } else {
            out.push_str(&format!("{secs}{frac}"));
        }
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod time_tests {
    use super::time_report;
    use std::time::Duration;

    #[test]
    fn bash_formats() {
        let ms = Duration::from_millis;
        assert_eq!(
            time_report(None, false, ms(45_678), ms(3), ms(61_020)),
            "\nreal\t0m45.678s\nuser\t0m0.003s\nsys\t1m1.020s\n"
        );
        assert_eq!(
            time_report(None, true, ms(20), ms(1), ms(0)),
            "real 0.02\nuser 0.00\nsys 0.00\n"
        );
        assert_eq!(
            time_report(
                Some("%R|%0R|%1lU|%P|%%|%x"),
                false,
                ms(2_000),
                ms(500),
                ms(500)
            ),
            "2.000|2|0m0.5s|50.00|%|%x\n"
        );
        assert_eq!(time_report(Some(""), false, ms(1), ms(1), ms(1)), "");
    }
}
