//! The processes a [`Pty`] started: its session's members, waits for a
//! process to exist or to own the terminal, and descriptions for messages.

use super::{procfs, Pty};

impl Pty {
    /// Live processes of the child's session.
    pub fn session_processes(&self) -> Vec<procfs::ProcStat> {
        procfs::session_members(self.pid)
    }

    /// Live processes started from this PTY: in the child's session, or
    /// carrying its tag (inherited by everything it started, even processes
    /// that left the session). Used to check that nothing is left behind.
    pub fn started_processes(&self) -> Vec<procfs::ProcStat> {
        let me = std::process::id() as i32;
        procfs::all()
            .into_iter()
            .filter(|p| p.is_alive() && p.pid != me)
            .filter(|p| p.session == self.pid || procfs::has_env(p.pid, &self.tag))
            .collect()
    }

    /// Waits until a process of the session with exactly this argv exists;
    /// returns its pid (the lowest if several).
    pub fn wait_process(&self, argv: &[&str]) -> i32 {
        procfs::wait_for(
            self.timeout,
            &format!("a process {argv:?} in session {}", self.pid),
            || {
                procfs::find_in_session(self.pid, argv)
                    .iter()
                    .map(|p| p.pid)
                    .min()
            },
            || self.describe_session(),
        )
    }

    /// Waits until a process with exactly this argv is in the terminal's
    /// foreground process group (it has been exec'd AND handed the terminal,
    /// so a Ctrl-C/Ctrl-Z typed now reaches it); returns its pid.
    pub fn wait_foreground(&self, argv: &[&str]) -> i32 {
        procfs::wait_for(
            self.timeout,
            &format!("a process {argv:?} in the terminal's foreground group"),
            || {
                let fg = self.foreground_pgrp()?;
                procfs::find_in_session(self.pid, argv)
                    .into_iter()
                    .find(|p| p.pgrp == fg)
                    .map(|p| p.pid)
            },
            || self.describe_session(),
        )
    }

    /// Waits until the terminal's foreground group is the child's own (the
    /// shell has taken the terminal back).
    pub fn wait_shell_foreground(&self) {
        procfs::wait_for(
            self.timeout,
            "the shell to own the terminal",
            || (self.foreground_pgrp() == Some(self.pid)).then_some(()),
            || self.describe_session(),
        );
    }

    /// Types `line`, waits for the process `argv` it starts to hold the
    /// terminal, and stops it as [`Pty::stop_foreground`]; returns its pid.
    pub fn start_and_stop(&self, line: &str, argv: &[&str], notice: &str) -> i32 {
        self.send_line(line);
        let pid = self.wait_foreground(argv);
        self.stop_foreground(pid, notice);
        pid
    }

    /// Ctrl-Z on the foreground job whose process is `pid`: waits for the
    /// shell's line `notice` (`[1]+  Stopped …`) and for `pid` to be stopped.
    pub fn stop_foreground(&self, pid: i32, notice: &str) {
        self.ctrl_z();
        self.expect_line(notice);
        procfs::wait_state(pid, 'T', self.timeout);
    }

    /// Types `line` (`fg`, `%2`), waits for the shell to print `echo` (the
    /// job's command), for `pid` (the process `argv`) to hold the terminal
    /// again, and for it to run.
    pub fn resume_foreground(&self, line: &str, echo: &str, argv: &[&str], pid: i32) {
        self.send_line(line);
        self.expect_line(echo);
        assert_eq!(self.wait_foreground(argv), pid, "{line}");
        procfs::wait_state(pid, 'S', self.timeout);
    }

    /// One line per session member: pid, pgrp, state, argv; and the tty's
    /// foreground group.
    pub fn describe_session(&self) -> String {
        let mut s = self.describe_processes();
        s.push_str("output (⟦▶⟧ marks the cursor):\n");
        s.push_str(&self.tail());
        s
    }

    /// The session's processes (pid, pgrp, state, argv) and the terminal's
    /// foreground group, for messages.
    pub fn describe_processes(&self) -> String {
        let mut s = format!(
            "terminal foreground pgrp {:?}; session {}:\n",
            self.foreground_pgrp(),
            self.pid
        );
        for p in self.session_processes() {
            s.push_str(&format!(
                "  pid {} pgrp {} state {} {:?}\n",
                p.pid,
                p.pgrp,
                p.state,
                procfs::cmdline(p.pid).unwrap_or_default()
            ));
        }
        s
    }
}
