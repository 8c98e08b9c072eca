//! `Serialize` for the kernel's public data (the `serde` feature).
//!
//! The shapes, for a JSON reader: ids and pids are numbers, a signal is
//! its name without `SIG` (`"TERM"`), kinds and policies are lowercase
//! words. A [`JobState`] is an object tagged by `state` (`running`,
//! `stopped` with `signal`, `exited` with `code`, `signaled` with
//! `signal` and `core_dumped`); a [`StopCause`] by `cause` (`signal` adds
//! `signal`); a [`JobEvent`] by `event`, with `job` and its data. Times
//! and durations use serde's own forms. A [`ProcessSpec`] shows its text,
//! members (program, arguments, environment, redirections by kind),
//! directory, environment and options; an open file a redirection holds
//! shows as `file`, and a pre-exec hook as `pre_exec: true`.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use crate::job::{JobEvent, JobId, JobInfo, JobKind, JobState, Pid};
use crate::signal::Signal;
use crate::spec::{Cmd, Io, JobOptions, ProcessSpec};
use crate::stream::{SpillError, StreamStats};
use crate::supervise::{
    Completion, LimitKind, OrphanPolicy, OutputFile, Preview, Resources, RestartPolicy, StopCause,
};

impl Serialize for JobId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(self.0)
    }
}

impl Serialize for Pid {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(self.as_raw())
    }
}

impl Serialize for Signal {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.name())
    }
}

impl Serialize for JobKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for OrphanPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for JobState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        match *self {
            JobState::Running => m.serialize_entry("state", "running")?,
            JobState::Stopped(sig) => {
                m.serialize_entry("state", "stopped")?;
                m.serialize_entry("signal", &sig)?;
            }
            JobState::Exited(code) => {
                m.serialize_entry("state", "exited")?;
                m.serialize_entry("code", &code)?;
            }
            JobState::Signaled {
                signal,
                core_dumped,
            } => {
                m.serialize_entry("state", "signaled")?;
                m.serialize_entry("signal", &signal)?;
                m.serialize_entry("core_dumped", &core_dumped)?;
            }
        }
        m.end()
    }
}

impl Serialize for StopCause {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("cause", self.as_str())?;
        if let StopCause::Signal(sig) = self {
            m.serialize_entry("signal", sig)?;
        }
        m.end()
    }
}

impl Serialize for JobEvent {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        let name = match self {
            JobEvent::Spawned(_) => "spawned",
            JobEvent::Numbered(..) => "numbered",
            JobEvent::Stopped(..) => "stopped",
            JobEvent::Continued(_) => "continued",
            JobEvent::Exited(..) => "exited",
            JobEvent::Removed(_) => "removed",
            JobEvent::Stopping(..) => "stopping",
            JobEvent::StillRunning(_) => "still_running",
            JobEvent::Restarted(..) => "restarted",
            JobEvent::LimitWarning(..) => "limit_warning",
        };
        m.serialize_entry("event", name)?;
        m.serialize_entry("job", &self.job())?;
        match self {
            JobEvent::Numbered(_, n) => m.serialize_entry("number", n)?,
            JobEvent::Stopped(_, sig) => m.serialize_entry("signal", sig)?,
            JobEvent::Exited(_, state) => m.serialize_entry("state", state)?,
            JobEvent::Stopping(_, cause) => m.serialize_entry("cause", cause)?,
            JobEvent::Restarted(_, n) => m.serialize_entry("restarts", n)?,
            JobEvent::LimitWarning(_, kind) => m.serialize_entry("limit", kind)?,
            _ => {}
        }
        m.end()
    }
}

impl Serialize for LimitKind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl Serialize for OutputFile {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            OutputFile::Path(p) => p.serialize(s),
            OutputFile::Temp => s.serialize_str("temp"),
        }
    }
}

impl Serialize for Resources {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Resources", 4)?;
        st.serialize_field("cpu_user", &self.cpu_user)?;
        st.serialize_field("cpu_system", &self.cpu_system)?;
        st.serialize_field("memory", &self.memory)?;
        st.serialize_field("memory_peak", &self.memory_peak)?;
        st.end()
    }
}

impl Serialize for SpillError {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for StreamStats {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("StreamStats", 7)?;
        st.serialize_field("written", &self.written)?;
        st.serialize_field("dropped", &self.dropped)?;
        st.serialize_field("held", &self.held)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("cap", &self.cap)?;
        st.serialize_field("closed", &self.closed)?;
        st.serialize_field("spill_error", &self.spill_error)?;
        st.end()
    }
}

impl Serialize for JobInfo {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("JobInfo", 34)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("number", &self.number)?;
        st.serialize_field("command", &self.command)?;
        st.serialize_field("member_commands", &self.member_commands)?;
        st.serialize_field("kind", &self.kind)?;
        st.serialize_field("state", &self.state)?;
        st.serialize_field("exit_status", &self.state.exit_status())?;
        st.serialize_field("pids", &self.pids)?;
        st.serialize_field("pgid", &self.pgid)?;
        st.serialize_field("started_at", &self.started_at)?;
        st.serialize_field("ended_at", &self.ended_at)?;
        st.serialize_field("stdout", &self.stdout)?;
        st.serialize_field("stderr", &self.stderr)?;
        st.serialize_field("disowned", &self.disowned)?;
        st.serialize_field("parent", &self.parent())?;
        st.serialize_field("owner", &self.owner())?;
        st.serialize_field("labels", self.labels())?;
        st.serialize_field("stop_cause", &self.stop_cause())?;
        st.serialize_field("stopping", &self.is_stopping())?;
        st.serialize_field("timeout", &self.timeout())?;
        st.serialize_field("orphans", &self.orphans())?;
        st.serialize_field("cwd", &self.cwd())?;
        st.serialize_field("env", self.env())?;
        st.serialize_field("env_clear", &self.env_clear())?;
        st.serialize_field("quiet", &self.quiet())?;
        st.serialize_field("reminder", &self.reminder())?;
        st.serialize_field("restart", &self.restart())?;
        st.serialize_field("restarts", &self.restarts())?;
        st.serialize_field("last_exit", &self.last_exit())?;
        st.serialize_field("last_stop_cause", &self.last_stop_cause())?;
        st.serialize_field("resources", &self.resources())?;
        st.serialize_field("cpu_limit", &self.cpu_limit())?;
        st.serialize_field("memory_limit", &self.memory_limit())?;
        st.serialize_field("output_file", &self.output_file())?;
        st.end()
    }
}

impl Serialize for RestartPolicy {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("RestartPolicy", 5)?;
        st.serialize_field("mode", self.mode.as_str())?;
        st.serialize_field("max_restarts", &self.max_restarts)?;
        st.serialize_field("window", &self.window)?;
        st.serialize_field("backoff", &self.backoff)?;
        st.serialize_field("max_backoff", &self.max_backoff)?;
        st.end()
    }
}

impl Serialize for Preview {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Preview", 2)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("truncated", &self.truncated)?;
        st.end()
    }
}

impl Serialize for Completion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("Completion", 4)?;
        st.serialize_field("info", &self.info)?;
        st.serialize_field("duration", &self.duration)?;
        st.serialize_field("stdout", &self.stdout)?;
        st.serialize_field("stderr", &self.stderr)?;
        st.end()
    }
}

impl Serialize for Io {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Io::Default => "default",
            Io::Null => "null",
            Io::Inherit => "inherit",
            Io::Capture => "capture",
            Io::ToStdout => "to_stdout",
            Io::ToStderr => "to_stderr",
            Io::File(_) => "file",
        })
    }
}

/// An environment list: each value, or `null` for a removed variable.
struct Env<'a>(&'a [(std::ffi::OsString, Option<std::ffi::OsString>)]);

impl Serialize for Env<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let pairs: Vec<(String, Option<String>)> = self
            .0
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string_lossy().into_owned(),
                    v.as_ref().map(|v| v.to_string_lossy().into_owned()),
                )
            })
            .collect();
        pairs.serialize(s)
    }
}

impl Serialize for Cmd {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let args: Vec<String> = self
            .args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        let mut st = s.serialize_struct("Cmd", 7)?;
        st.serialize_field("program", &self.program.to_string_lossy())?;
        st.serialize_field("args", &args)?;
        st.serialize_field("text", &self.display_text())?;
        st.serialize_field("env", &Env(&self.env))?;
        st.serialize_field("stdin", &self.stdin)?;
        st.serialize_field("stdout", &self.stdout)?;
        st.serialize_field("stderr", &self.stderr)?;
        st.end()
    }
}

impl Serialize for JobOptions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("JobOptions", 16)?;
        st.serialize_field("output_cap", &self.output_cap)?;
        st.serialize_field("lossless", &self.lossless)?;
        st.serialize_field("hidden", &self.hidden)?;
        st.serialize_field("parent", &self.parent)?;
        st.serialize_field("owner", &self.owner)?;
        st.serialize_field("labels", &self.labels)?;
        st.serialize_field("timeout", &self.timeout)?;
        st.serialize_field("timeout_grace", &self.timeout_grace)?;
        st.serialize_field("orphans", &self.orphans)?;
        st.serialize_field("quiet", &self.quiet)?;
        st.serialize_field("reminder", &self.reminder)?;
        st.serialize_field("cpu_limit", &self.cpu_limit)?;
        st.serialize_field("memory_limit", &self.memory_limit)?;
        st.serialize_field("output_file", &self.output_file)?;
        st.serialize_field("keep_output_file", &self.keep_output_file)?;
        st.serialize_field("anchor", &self.anchor)?;
        st.end()
    }
}

impl Serialize for ProcessSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut st = s.serialize_struct("ProcessSpec", 8)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("members", &self.members)?;
        st.serialize_field("cwd", &self.cwd)?;
        st.serialize_field("env_clear", &self.env_clear)?;
        st.serialize_field("env", &Env(&self.env))?;
        st.serialize_field("inherit_stdio", &self.inherit_stdio)?;
        st.serialize_field("options", &self.options)?;
        st.serialize_field("pre_exec", &self.pre_exec.is_some())?;
        st.end()
    }
}
