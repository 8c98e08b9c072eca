//! The text of a job's small files: `status`, `command`, `pid` and the
//! `info` JSON object, with RFC 3339 times.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use corral_kernel::{JobInfo, JobState, Pid, StopCause, StreamStats};
use serde_json::{json, Value};

/// `status`: kaish's word and a newline.
pub(crate) fn status(state: JobState) -> String {
    let mut s = state.status_word();
    s.push('\n');
    s
}

/// `command`: the text as written and a newline.
pub(crate) fn command(text: &str) -> String {
    let mut s = String::with_capacity(text.len() + 1);
    s.push_str(text);
    s.push('\n');
    s
}

/// `pid`: one pid per line (nothing for a future job).
pub(crate) fn pids(pids: &[Pid]) -> String {
    let mut s = String::new();
    for p in pids {
        let _ = writeln!(s, "{p}");
    }
    s
}

/// `info`: one JSON object and a newline. Its `id` is the job's number,
/// the name of its directory.
///
/// `exit_code` is the shell status of a finished job (128+N when signal N
/// ended it), `null` while it lives; `signal` names the signal that ended
/// it, or that stopped it while it is stopped, else `null`. Each stream's
/// `spill_error` is `null`, or (lossless mode) why its spill file stopped
/// (file size limit, write error) or a read from it failed.
///
/// Supervision (see `corral_kernel::supervise`): `parent_id` is the kernel
/// id (not the number) of the job it was started under; `owner`, `labels`;
/// `stop_cause` (`embedder`, `timeout`, `limit`, `signal`, with
/// `stop_signal` for the last) from the first request to end the job on,
/// and `stopping` while that request is pending; `timeout_ms`; `orphans`
/// (`leave` or `cascade`); `cwd` and `env` (the variables given on top of
/// the shell's, `null` for a removed one; `env_clear` when it started
/// from an empty environment); `quiet`, `reminder_ms`; `restart` (the
/// policy's mode, `null` for a plain job), `restarts` and
/// `last_exit_code` (the status of a finished job, or of a restarting
/// job's last finished run) and `last_stop_cause` (that run's stop cause);
/// `cpu_user_ms`, `cpu_system_ms`, `memory_bytes`, `memory_peak_bytes`
/// (as of the read; a restarting job's over all its runs),
/// `cpu_limit_ms`, `memory_limit_bytes` and `output_file`.
pub(crate) fn info(info: &JobInfo) -> String {
    let signal = match info.state {
        JobState::Signaled { signal, .. } | JobState::Stopped(signal) => Some(signal.name()),
        _ => None,
    };
    let value = json!({
        "id": info.number,
        "command": info.command,
        "kind": info.kind.as_str(),
        "status": info.state.status_word(),
        "exit_code": info.state.exit_status(),
        "signal": signal,
        "pids": info.pids.iter().map(|p| p.as_raw()).collect::<Vec<_>>(),
        "pgid": info.pgid.map(Pid::as_raw),
        "started_at": rfc3339(info.started_at),
        "ended_at": info.ended_at.map(rfc3339),
        "stdout": stream(&info.stdout),
        "stderr": stream(&info.stderr),
        "parent_id": info.parent().map(|p| p.0),
        "owner": info.owner(),
        "labels": info.labels(),
        "stop_cause": info.stop_cause().map(|c| c.as_str()),
        "stop_signal": match info.stop_cause() {
            Some(StopCause::Signal(sig)) => Some(sig.name()),
            _ => None,
        },
        "stopping": info.is_stopping(),
        "timeout_ms": info.timeout().map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
        "orphans": info.orphans().as_str(),
        "cwd": info.cwd().map(|c| c.to_string_lossy()),
        "env": info.env(),
        "env_clear": info.env_clear(),
        "quiet": info.quiet(),
        "reminder_ms": info.reminder().map(|t| u64::try_from(t.as_millis()).unwrap_or(u64::MAX)),
        "restart": info.restart().map(|p| p.mode.as_str()),
        "restarts": info.restarts(),
        "last_exit_code": info.last_exit().and_then(JobState::exit_status),
        "last_stop_cause": info.last_stop_cause().map(|c| c.as_str()),
        "cpu_user_ms": millis(info.resources().cpu_user),
        "cpu_system_ms": millis(info.resources().cpu_system),
        "memory_bytes": info.resources().memory,
        "memory_peak_bytes": info.resources().memory_peak,
        "cpu_limit_ms": info.cpu_limit().map(millis),
        "memory_limit_bytes": info.memory_limit(),
        "output_file": info.output_file().map(|p| p.to_string_lossy()),
    });
    let mut s = value.to_string();
    s.push('\n');
    s
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn stream(s: &StreamStats) -> Value {
    json!({
        "bytes_written": s.written,
        "bytes_dropped": s.dropped,
        "bytes_held": s.held,
        "spill_error": s.spill_error.map(|e| e.to_string()),
    })
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC, milliseconds).
pub(crate) fn rfc3339(t: SystemTime) -> String {
    // Whole seconds and milliseconds since the epoch, floor-divided so a
    // time before 1970 still lands on the right second.
    let (secs, millis) = match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_millis(),
        ),
        Err(e) => {
            let d = e.duration();
            let s = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (-s, 0),
                n => (-s - 1, (1_000_000_000 - n) / 1_000_000),
            }
        }
    };
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Proleptic Gregorian date of a day count since 1970-01-01 (Howard
/// Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days.saturating_add(719_468);
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let d = doy - (153 * mp + 2) / 5 + 1; // [1, 31]
    let m = if mp < 10 { mp + 3 } else { mp - 9 }; // [1, 12]
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        u32::try_from(m).unwrap_or(1),
        u32::try_from(d).unwrap_or(1),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn at(secs: u64, millis: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(secs * 1000 + millis)
    }

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(at(951_782_400, 5)), "2000-02-29T00:00:00.005Z");
        assert_eq!(rfc3339(at(1_709_251_199, 999)), "2024-02-29T23:59:59.999Z");
        assert_eq!(rfc3339(at(1_735_689_600, 0)), "2025-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(at(4_102_444_800, 0)), "2100-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339(UNIX_EPOCH - Duration::from_millis(1)),
            "1969-12-31T23:59:59.999Z"
        );
    }

    #[test]
    fn every_day_round_trips_through_the_calendar() {
        // Walk 1600..2400 day by day and check the date advances by one.
        let mut prev = civil_from_days(-135_140); // 1600-01-01
        assert_eq!(prev, (1600, 1, 1));
        for day in -135_139..157_000 {
            let cur = civil_from_days(day);
            let leap = |y: i64| (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let month_len = match prev.1 {
                2 if leap(prev.0) => 29,
                2 => 28,
                4 | 6 | 9 | 11 => 30,
                _ => 31,
            };
            let expect = if prev.2 < month_len {
                (prev.0, prev.1, prev.2 + 1)
            } else if prev.1 < 12 {
                (prev.0, prev.1 + 1, 1)
            } else {
                (prev.0 + 1, 1, 1)
            };
            assert_eq!(cur, expect, "day {day}");
            prev = cur;
        }
    }
}
