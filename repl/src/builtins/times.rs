//! `times`: bash's two lines, the shell's user and system time, then its
//! children's, each as `XmS.FFFs` (milliseconds rounded from the
//! microseconds). The wrapper gets the four values from `getrusage(2)`
//! (`RUSAGE_SELF`, `RUSAGE_CHILDREN`); bash ignores operands.

use std::time::Duration;

/// One time as bash prints it: `0m0.002s`.
#[must_use]
pub fn format_time(t: Duration) -> String {
    let mut secs = t.as_secs();
    let micros = t.subsec_micros();
    let mut millis = micros / 1000;
    if micros % 1000 >= 500 {
        millis += 1;
    }
    if millis >= 1000 {
        secs += 1;
        millis -= 1000;
    }
    format!("{}m{}.{millis:03}s", secs / 60, secs % 60)
}

/// Both lines, each ending in a newline.
#[must_use]
pub fn times(
    self_user: Duration,
    self_sys: Duration,
    child_user: Duration,
    child_sys: Duration,
) -> String {
    format!(
        "{} {}\n{} {}\n",
        format_time(self_user),
        format_time(self_sys),
        format_time(child_user),
        format_time(child_sys)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bash_format_and_rounding() {
        let us = Duration::from_micros;
        assert_eq!(format_time(Duration::ZERO), "0m0.000s");
        assert_eq!(format_time(us(2_499)), "0m0.002s");
        assert_eq!(format_time(us(2_500)), "0m0.003s");
        assert_eq!(format_time(us(59_999_600)), "1m0.000s");
        assert_eq!(
            format_time(Duration::from_secs(3_725) + us(10_000)),
            "62m5.010s"
        );
        assert_eq!(
            times(us(1_000), us(0), us(123_456), Duration::from_secs(61)),
            "0m0.001s 0m0.000s\n0m0.123s 1m1.000s\n"
        );
    }
}
