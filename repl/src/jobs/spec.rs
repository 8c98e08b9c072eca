//! Jobspecs: parsing (bash 5.2's `get_job_spec`) and resolution against a [`JobTable`].
//!
//! A word names a job with or without its leading `%` (`fg 1` and `fg sleep` work
//! in bash; `kill` and `wait` only treat words starting with `%` as jobspecs, which
//! is theirs to decide). After the optional `%`:
//!
//! | word            | job                                                        |
//! |-----------------|------------------------------------------------------------|
//! | empty, `%…`, `+…` | the current job (bash ignores what follows: `%%x` = `%%`)  |
//! | `-…`            | the previous job (`%-1` too)                               |
//! | digits          | that job number (`%01` = `%1`; `%0` and overflow: none)    |
//! | `?text`         | the one job whose command contains `text`, ASCII case-insensitively (bash uses `strcasestr`) |
//! | anything else   | the one job whose command starts with it (case-sensitive)  |
//!
//! Several matches are `ambiguous`. An empty word (`fg ''`) names no job.
//!
//! Deliberate differences from bash, which matches names against each pipeline
//! member and, through a loop bug, calls a match on any member but the first
//! "ambiguous" (`%cat` for `sleep 1 | cat`): corral matches the whole command
//! text. bash truncates huge job numbers to `int` (`%4294967297` is job 1);
//! corral calls them no such job.

use super::JobNum;

use super::table::{Entry, JobTable};
use super::view::Snapshot;

/// A parsed jobspec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobSpec {
    /// `%%`, `%+`, `%`.
    Current,
    /// `%-`.
    Previous,
    /// `%N`.
    Number(u64),
    /// `%text`: the command starts with the text.
    Prefix(String),
    /// `%?text`: the command contains the text.
    Substring(String),
    /// Names no job: an empty word, or a number too large.
    Invalid,
}

impl JobSpec {
    /// Parses a word, with or without its leading `%`.
    pub fn parse(word: &str) -> JobSpec {
        if word.is_empty() {
            return JobSpec::Invalid;
        }
        let rest = word.strip_prefix('%').unwrap_or(word);
        if rest.starts_with(|c: char| c.is_ascii_digit())
            && rest.bytes().all(|b| b.is_ascii_digit())
        {
            return rest.parse().map_or(JobSpec::Invalid, JobSpec::Number);
        }
        if let Some(text) = rest.strip_prefix('?') {
            return JobSpec::Substring(text.to_string());
        }
        match rest.chars().next() {
            None | Some('%' | '+') => JobSpec::Current,
            Some('-') => JobSpec::Previous,
            Some(_) => JobSpec::Prefix(rest.to_string()),
        }
    }

    /// Whether `entry`'s command (in `jobs`) is named by this spec's text (always false for the
    /// other kinds).
    fn matches(&self, entry: &Entry, jobs: &Snapshot) -> bool {
        let Some(command) = jobs.get(entry.id).map(|v| v.command.as_str()) else {
            return false;
        };
        match self {
            JobSpec::Prefix(p) => command.starts_with(p.as_str()),
            JobSpec::Substring(s) => contains_ignore_ascii_case(command, s),
            _ => false,
        }
    }

    /// The text bash echoes in `ambiguous job spec` (`%` and `?` stripped).
    fn name(&self) -> &str {
        match self {
            JobSpec::Prefix(s) | JobSpec::Substring(s) => s,
            _ => "",
        }
    }
}

fn contains_ignore_ascii_case(haystack: &str, needle: &str) -> bool {
    let h = haystack.as_bytes();
    let n = needle.as_bytes();
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// A jobspec that names no single job.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum JobSpecError {
    /// Nothing matches the word (as typed, `%` included): `%5: no such job`.
    #[error("{0}: no such job")]
    NoSuchJob(String),
    /// No argument and no current job: `current: no such job`.
    #[error("current: no such job")]
    NoCurrentJob,
    /// Several jobs match: `sleep: ambiguous job spec`.
    #[error("{name}: ambiguous job spec")]
    Ambiguous {
        /// The text matched (`%` and `?` stripped), as bash prints it.
        name: String,
        /// The word as typed.
        word: String,
    },
}

impl JobSpecError {
    /// The message, e.g. `fg: %5: no such job`, `fg: current: no such job`,
    /// `fg: sleep: ambiguous job spec` (the shell adds its own name in front).
    pub fn message(&self, builtin: &str) -> String {
        format!("{builtin}: {self}")
    }

    /// Every line bash prints: as [`JobSpecError::message`], except that `jobs` and
    /// `disown` follow `ambiguous job spec` with `jobs: %sleep: no such job`.
    pub fn messages(&self, builtin: &str) -> Vec<String> {
        let mut lines = vec![self.message(builtin)];
        if let JobSpecError::Ambiguous { word, .. } = self {
            if matches!(builtin, "jobs" | "disown") {
                lines.push(format!("{builtin}: {word}: no such job"));
            }
        }
        lines
    }

    /// The builtin's status: 127 for `wait` (POSIX), 1 for the others.
    pub fn status(&self, builtin: &str) -> i32 {
        if builtin == "wait" {
            127
        } else {
            1
        }
    }
}

impl JobTable {
    /// The visible job a word names (see the module docs). Finished jobs not yet
    /// reported are found (`fg` then says `job has terminated`); forgotten ones not.
    ///
    /// # Errors
    /// [`JobSpecError::NoSuchJob`] or [`JobSpecError::Ambiguous`].
    pub fn resolve(&self, word: &str, jobs: &Snapshot) -> Result<JobNum, JobSpecError> {
        let none = || JobSpecError::NoSuchJob(word.to_string());
        let spec = JobSpec::parse(word);
        match &spec {
            JobSpec::Invalid => Err(none()),
            JobSpec::Current => self.current().ok_or_else(none),
            JobSpec::Previous => self.previous().ok_or_else(none),
            JobSpec::Number(n) => self.get(JobNum(*n)).map(|e| e.id).ok_or_else(none),
            JobSpec::Prefix(_) | JobSpec::Substring(_) => {
                unique(self.iter(), jobs, &spec, word)?.ok_or_else(none)
            }
        }
    }

    /// As [`JobTable::resolve`], then, when that finds nothing, among the forgotten
    /// jobs still in the table too: `wait %N` works after `[N]  Done` was shown.
    ///
    /// # Errors
    /// [`JobSpecError::NoSuchJob`] or [`JobSpecError::Ambiguous`].
    pub fn resolve_any(&self, word: &str, jobs: &Snapshot) -> Result<JobNum, JobSpecError> {
        match self.resolve(word, jobs) {
            Err(JobSpecError::NoSuchJob(_)) => {}
            other => return other,
        }
        let none = || JobSpecError::NoSuchJob(word.to_string());
        let spec = JobSpec::parse(word);
        match &spec {
            JobSpec::Number(n) => self.get_any(JobNum(*n)).map(|e| e.id).ok_or_else(none),
            JobSpec::Prefix(_) | JobSpec::Substring(_) => {
                let forgotten = self.iter_all().filter(|e| e.is_forgotten());
                unique(forgotten, jobs, &spec, word)?.ok_or_else(none)
            }
            _ => Err(none()),
        }
    }

    /// The current job, for `fg`, `bg` and `disown` without an argument.
    ///
    /// # Errors
    /// [`JobSpecError::NoCurrentJob`].
    pub fn resolve_current(&self) -> Result<JobNum, JobSpecError> {
        self.current().ok_or(JobSpecError::NoCurrentJob)
    }
}

/// The one entry the name spec matches: `Ok(None)` for none, an error for several.
fn unique<'a>(
    entries: impl Iterator<Item = &'a Entry>,
    jobs: &Snapshot,
    spec: &JobSpec,
    word: &str,
) -> Result<Option<JobNum>, JobSpecError> {
    let mut found = None;
    for e in entries.filter(|e| spec.matches(e, jobs)) {
        if found.is_some() {
            return Err(JobSpecError::Ambiguous {
                name: spec.name().to_string(),
                word: word.to_string(),
            });
        }
        found = Some(e.id);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    //! Behaviour copied from GNU bash 5.2.15 run interactively (`script -qc "bash
    //! --norc -i"`), with `sleep 100 &` and then `sleep 200 &` as the jobs.

    use super::*;
    use crate::jobs::sim::Sim;

    fn one_job() -> Sim {
        let mut t = Sim::new();
        t.add_background(JobNum(1), "sleep 100", vec![16202], Some(16202));
        t
    }

    fn two_jobs() -> Sim {
        let mut t = one_job();
        t.add_background(JobNum(2), "sleep 200", vec![19395], Some(19395));
        t
    }

    #[test]
    fn parses_like_get_job_spec() {
        use JobSpec::*;
        let cases: &[(&str, JobSpec)] = &[
            ("%", Current),
            ("%%", Current),
            ("%+", Current),
            ("%%foo", Current),
            ("%+bar", Current),
            ("+", Current),
            ("%-", Previous),
            ("%-baz", Previous),
            ("%-1", Previous),
            ("-1", Previous),
            ("%1", Number(1)),
            ("1", Number(1)),
            ("%01", Number(1)),
            ("%0", Number(0)),
            ("%99999999999999999999", Invalid),
            ("", Invalid),
            ("%1x", Prefix("1x".into())),
            ("%sl", Prefix("sl".into())),
            ("sleep", Prefix("sleep".into())),
            ("%?", Substring(String::new())),
            ("%?100", Substring("100".into())),
            ("?x", Substring("x".into())),
            ("%é", Prefix("é".into())),
        ];
        for (word, want) in cases {
            assert_eq!(&JobSpec::parse(word), want, "{word:?}");
        }
    }

    #[test]
    fn resolves_like_bash_with_one_job() {
        let t = one_job();
        // jobs %- names the only job; %%foo, %+bar, %-baz ignore their tails.
        for word in [
            "%-", "%%", "%+", "%", "%%foo", "%+bar", "%-baz", "1", "sleep", "%sl", "%?100",
            "%?SLEEP", "%01", "%?", "-1", "%-1",
        ] {
            assert_eq!(t.resolve(word), Ok(JobNum(1)), "{word:?}");
        }
        for word in [
            "%SLEEP",
            "%0",
            "%1x",
            "",
            "%99999999999999999999",
            "%2",
            "%?zz",
        ] {
            assert_eq!(
                t.resolve(word),
                Err(JobSpecError::NoSuchJob(word.to_string())),
                "{word:?}"
            );
        }
        assert_eq!(
            t.resolve("%SLEEP").unwrap_err().message("jobs"),
            "jobs: %SLEEP: no such job"
        );
        assert_eq!(
            t.resolve("").unwrap_err().message("jobs"),
            "jobs: : no such job"
        );
    }

    #[test]
    fn ambiguity_and_its_messages() {
        let t = two_jobs();
        let err = t.resolve("%sleep").unwrap_err();
        assert_eq!(err.message("fg"), "fg: sleep: ambiguous job spec");
        assert_eq!(err.messages("fg"), vec!["fg: sleep: ambiguous job spec"]);
        assert_eq!(err.status("fg"), 1);
        // jobs %sleep / disown %sleep print two lines; wait's status is 127.
        assert_eq!(
            err.messages("jobs"),
            vec![
                "jobs: sleep: ambiguous job spec",
                "jobs: %sleep: no such job"
            ]
        );
        assert_eq!(
            err.messages("disown"),
            vec![
                "disown: sleep: ambiguous job spec",
                "disown: %sleep: no such job"
            ]
        );
        assert_eq!(err.status("wait"), 127);
        // jobs %?sl: the `?` is stripped too; fg sleep (no %) is the same search.
        assert_eq!(
            t.resolve("%?sl").unwrap_err().message("jobs"),
            "jobs: sl: ambiguous job spec"
        );
        assert_eq!(
            t.resolve("sleep").unwrap_err().message("fg"),
            "fg: sleep: ambiguous job spec"
        );
        assert_eq!(t.resolve("%?200"), Ok(JobNum(2)));
        assert_eq!(t.resolve("%sleep 1"), Ok(JobNum(1)));
    }

    #[test]
    fn no_jobs_at_all() {
        // fg; fg %-; kill %; jobs %1 in a fresh shell
        let t = Sim::new();
        assert_eq!(
            t.resolve_current().unwrap_err().message("fg"),
            "fg: current: no such job"
        );
        assert_eq!(
            t.resolve("%-").unwrap_err().message("fg"),
            "fg: %-: no such job"
        );
        assert_eq!(
            t.resolve("%").unwrap_err().message("kill"),
            "kill: %: no such job"
        );
        assert_eq!(
            t.resolve("%1").unwrap_err().message("jobs"),
            "jobs: %1: no such job"
        );
        assert_eq!(
            t.resolve("%nope").unwrap_err().message("wait"),
            "wait: %nope: no such job"
        );
    }

    #[test]
    fn whole_command_matching_for_pipelines() {
        // bash calls `%cat` ambiguous for `sleep 100 | cat` (a loop bug); corral finds it.
        let mut t = Sim::new();
        t.add_background(JobNum(2), "sleep 100 | cat", vec![1, 2], Some(1));
        assert_eq!(t.resolve("%?cat"), Ok(JobNum(2)));
        assert_eq!(t.resolve("%?0 | C"), Ok(JobNum(2)));
        assert_eq!(t.resolve("%sleep 100"), Ok(JobNum(2)));
        assert!(t.resolve("%cat").is_err());
    }

    #[test]
    fn finished_jobs_until_and_after_they_are_reported() {
        let mut t = two_jobs();
        t.set_state(JobNum(1), corral_kernel::JobState::Exited(0));
        // Not reported yet: still named (fg then says `job has terminated`).
        assert_eq!(t.resolve("%1"), Ok(JobNum(1)));
        assert!(t.resolve("%sleep").is_err());
        t.mark_notified(JobNum(1));
        assert_eq!(t.resolve("%1"), Err(JobSpecError::NoSuchJob("%1".into())));
        assert_eq!(t.resolve("%sleep"), Ok(JobNum(2)));
        // wait keeps finding it, visible jobs first.
        assert_eq!(t.resolve_any("%1"), Ok(JobNum(1)));
        assert_eq!(t.resolve_any("%sleep"), Ok(JobNum(2)));
        assert_eq!(t.resolve_any("%?100"), Ok(JobNum(1)));
        assert_eq!(t.resolve_any("%-"), Ok(JobNum(2)));
        assert_eq!(
            t.resolve_any("%7"),
            Err(JobSpecError::NoSuchJob("%7".into()))
        );
        t.add_background(JobNum(3), "sleep 100", vec![3], Some(3));
        t.set_state(JobNum(3), corral_kernel::JobState::Exited(0));
        t.mark_notified(JobNum(3));
        assert_eq!(
            t.resolve_any("%?100").unwrap_err().message("wait"),
            "wait: 100: ambiguous job spec"
        );
        t.remove(JobNum(1));
        assert_eq!(
            t.resolve_any("%1"),
            Err(JobSpecError::NoSuchJob("%1".into()))
        );
    }

    #[test]
    fn substring_is_ascii_case_insensitive() {
        assert!(contains_ignore_ascii_case("Sleep 100", "sLEEP"));
        assert!(contains_ignore_ascii_case("x", ""));
        assert!(!contains_ignore_ascii_case("", "x"));
        assert!(!contains_ignore_ascii_case("É", "é"));
    }
}
