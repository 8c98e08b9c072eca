//! The `+`/`-` rules and notices of [`JobTable`](super::JobTable), driven through a
//! stand-in kernel.

use corral_kernel::{JobState, Signal};

use super::sim::Sim;
use super::table::{ListFormat, Notice, StateFilter};
use super::JobNum;

const TSTP: JobState = JobState::Stopped(Signal::TSTP);

fn bg(t: &mut Sim, id: u64) {
    t.add_background(
        JobNum(id),
        format!("job{id}"),
        vec![id as u32],
        Some(id as u32),
    );
}

fn stop(t: &mut Sim, id: u64) {
    t.add_stopped(
        JobNum(id),
        format!("job{id}"),
        vec![id as u32],
        Some(id as u32),
        Signal::TSTP,
    );
}

/// `+`/`-` as (current, previous) job numbers.
fn marks(t: &Sim) -> (Option<u64>, Option<u64>) {
    (t.current().map(|j| j.0), t.previous().map(|j| j.0))
}

#[test]
fn background_jobs_take_current_in_turn() {
    let mut t = Sim::new();
    assert_eq!(marks(&t), (None, None));
    bg(&mut t, 1);
    assert_eq!(marks(&t), (Some(1), Some(1)));
    assert_eq!(t.marker(JobNum(1)), '+');
    bg(&mut t, 2);
    bg(&mut t, 3);
    assert_eq!(marks(&t), (Some(3), Some(2)));
    assert_eq!([1, 2, 3].map(|i| t.marker(JobNum(i))), [' ', '-', '+']);
}

#[test]
fn a_stopped_current_job_keeps_its_place() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    assert_eq!(marks(&t), (Some(1), Some(1)));
    bg(&mut t, 2);
    assert_eq!(marks(&t), (Some(1), Some(2)));
    bg(&mut t, 3);
    assert_eq!(marks(&t), (Some(1), Some(3)));
    stop(&mut t, 4);
    assert_eq!(marks(&t), (Some(4), Some(1)));
}

#[test]
fn finishing_keeps_the_marker_until_reported() {
    let mut t = Sim::new();
    bg(&mut t, 1);
    bg(&mut t, 2);
    bg(&mut t, 3);
    assert!(t.set_state(JobNum(3), JobState::Exited(0)));
    assert_eq!(marks(&t), (Some(3), Some(2)));
    assert_eq!(t.pending_notices(), vec![JobNum(3)]);
    t.mark_notified(JobNum(3));
    assert_eq!(marks(&t), (Some(2), Some(1)));
    assert!(t.get(JobNum(3)).is_none());
    assert!(t.get_any(JobNum(3)).is_some());
    assert_eq!(t.len(), 2);
}

#[test]
fn stopped_jobs_are_preferred_when_current_goes() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    bg(&mut t, 2);
    stop(&mut t, 3);
    bg(&mut t, 4);
    // 3+ 1-, then 3 goes: 1 (the stopped previous) becomes current.
    assert_eq!(marks(&t), (Some(3), Some(1)));
    t.remove(JobNum(3));
    assert_eq!(marks(&t), (Some(1), Some(4)));
    t.remove(JobNum(1));
    assert_eq!(marks(&t), (Some(4), Some(2)));
    t.remove(JobNum(2));
    assert_eq!(marks(&t), (Some(4), Some(4)));
    t.remove(JobNum(4));
    assert_eq!(marks(&t), (None, None));
    assert!(t.is_empty());
}

#[test]
fn newest_stopped_job_when_previous_is_not() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    stop(&mut t, 2);
    bg(&mut t, 3);
    stop(&mut t, 4);
    assert_eq!(marks(&t), (Some(4), Some(2)));
    // Continue 2 from outside: 4 stays, `-` goes to the newest stopped job, 1.
    assert!(t.set_state(JobNum(2), JobState::Running));
    assert_eq!(marks(&t), (Some(4), Some(1)));
    t.remove(JobNum(4));
    assert_eq!(marks(&t), (Some(1), Some(3)));
}

#[test]
fn fg_makes_current_and_finishing_in_the_foreground_forgets() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    bg(&mut t, 2);
    assert_eq!(t.can_resume(JobNum(2), true), Ok(()));
    assert!(t.set_foreground(JobNum(2)));
    assert_eq!(marks(&t), (Some(2), Some(1)));
    assert!(!t.get(JobNum(2)).unwrap().background);
    // The kernel's Continued event for a job fg already marked running: no change.
    assert!(!t.set_state(JobNum(2), JobState::Running));
    assert!(t.set_state(JobNum(2), JobState::Exited(0)));
    // Only job 1's Stopped notice is pending: 2 is the shell's to report.
    assert_eq!(t.pending_notices(), vec![JobNum(1)]);
    assert!(t.get(JobNum(2)).is_none());
    assert_eq!(marks(&t), (Some(1), Some(1)));
}

#[test]
fn fg_then_stop_again() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    bg(&mut t, 2);
    t.mark_notified(JobNum(1));
    assert!(t.set_foreground(JobNum(1)));
    assert_eq!(t.state(JobNum(1)), Some(JobState::Running));
    assert!(t.set_state(JobNum(1), TSTP));
    let e = t.get(JobNum(1)).unwrap();
    assert!(e.background && !e.notified);
    assert_eq!(t.pending_notices(), vec![JobNum(1)]);
    assert_eq!(marks(&t), (Some(1), Some(2)));
}

#[test]
fn bg_prints_the_old_marker_and_resets() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    bg(&mut t, 2);
    stop(&mut t, 3);
    // bg %1 while 3 is stopped and current: `[1]- job1 &`, then 1 loses its mark.
    assert_eq!(t.set_background(JobNum(1)).as_deref(), Some("[1]- job1 &"));
    assert_eq!(marks(&t), (Some(3), Some(2)));
    assert_eq!(t.set_background(JobNum(3)).as_deref(), Some("[3]+ job3 &"));
    assert_eq!(marks(&t), (Some(3), Some(2)));
    assert_eq!(t.set_background(JobNum(3)), None);
    assert_eq!(
        t.can_resume(JobNum(3), false).unwrap_err().message("bg"),
        "bg: job 3 already in background"
    );
    assert_eq!(t.can_resume(JobNum(3), false).unwrap_err().status(), 0);
    assert_eq!(t.can_resume(JobNum(3), true), Ok(()));
}

#[test]
fn resume_errors() {
    let mut t = Sim::new();
    bg(&mut t, 1);
    t.set_state(JobNum(1), JobState::Exited(1));
    let err = t.can_resume(JobNum(1), true).unwrap_err();
    assert_eq!(err.message("fg"), "fg: job has terminated");
    assert_eq!(err.status(), 1);
    assert!(!t.set_foreground(JobNum(1)));
    assert_eq!(t.set_background(JobNum(1)), None);
    assert_eq!(
        t.can_resume(JobNum(9), true).unwrap_err().message("fg"),
        "fg: %9: no such job"
    );
}

#[test]
fn kill_cont_leaves_the_marks() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    stop(&mut t, 2);
    assert!(t.set_continued(JobNum(2)));
    assert_eq!(marks(&t), (Some(2), Some(1)));
    let e = t.get(JobNum(2)).unwrap();
    assert_eq!(
        (t.state(JobNum(2)).unwrap(), e.background),
        (JobState::Running, true)
    );
    assert!(!t.set_state(JobNum(2), JobState::Running));
    assert!(!t.set_continued(JobNum(2)));
}

#[test]
fn state_changes_that_do_nothing() {
    let mut t = Sim::new();
    assert!(!t.set_state(JobNum(1), JobState::Running));
    bg(&mut t, 1);
    assert!(!t.set_state(JobNum(1), JobState::Running));
    assert!(t.set_state(JobNum(1), JobState::Exited(0)));
    assert!(!t.set_state(JobNum(1), JobState::Running));
    assert!(!t.set_state(JobNum(1), TSTP));
    assert!(t.mark_notified(JobNum(1)));
    assert!(!t.mark_notified(JobNum(1)));
    assert!(!t.mark_notified(JobNum(9)));
    t.remove(JobNum(9));
}

#[test]
fn notices_take_all_markers_first() {
    let mut t = Sim::new();
    bg(&mut t, 1);
    bg(&mut t, 2);
    t.set_state(JobNum(1), JobState::Exited(0));
    t.set_state(JobNum(2), JobState::Exited(0));
    let notices = t.take_notices();
    let lines: Vec<&str> = notices.iter().map(|n| n.line.as_str()).collect();
    assert_eq!(
        lines,
        [
            "[1]-  Done                    job1",
            "[2]+  Done                    job2"
        ]
    );
    assert!(t.take_notices().is_empty());
    assert_eq!(marks(&t), (None, None));
}

#[test]
fn stop_notice_text_has_a_leading_newline() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    let n = t.take_notices();
    assert_eq!(n.len(), 1);
    assert!(n[0].stopped);
    assert_eq!(n[0].text(), "\n[1]+  Stopped                 job1\n");
    let done = Notice {
        id: JobNum(1),
        stopped: false,
        line: "x".into(),
    };
    assert_eq!(done.text(), "x\n");
    // Reported: a later Done is a new notice, the stop is not repeated.
    t.set_state(JobNum(1), JobState::Exited(0));
    assert_eq!(t.pending_notices(), vec![JobNum(1)]);
}

#[test]
fn listing_filters_and_reports() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    bg(&mut t, 2);
    bg(&mut t, 3);
    t.set_state(JobNum(3), JobState::Exited(0));
    assert_eq!(t.list(ListFormat::Pids, StateFilter::Any), ["1", "2", "3"]);
    assert_eq!(t.list(ListFormat::Pids, StateFilter::Running), ["2"]);
    assert_eq!(t.list(ListFormat::Pids, StateFilter::Stopped), ["1"]);
    // -p reports nothing: job 3 is still pending.
    assert_eq!(t.pending_notices(), vec![JobNum(1), JobNum(3)]);
    let listed = t.list(ListFormat::Standard, StateFilter::Any);
    assert_eq!(
        listed,
        [
            "[1]+  Stopped                 job1",
            "[2]   Running                 job2 &",
            "[3]-  Done                    job3",
        ]
    );
    assert!(t.pending_notices().is_empty());
    assert_eq!(t.len(), 2);
    assert_eq!(marks(&t), (Some(1), Some(2)));
    assert_eq!(
        t.list_one(JobNum(2), ListFormat::Long).as_deref(),
        Some("[2]-     2 Running                 job2 &")
    );
    assert_eq!(t.list_one(JobNum(3), ListFormat::Standard), None);
    assert!(t.has_stopped());
}

#[test]
fn list_one_reports_at_once() {
    let mut t = Sim::new();
    bg(&mut t, 1);
    bg(&mut t, 2);
    t.set_state(JobNum(2), JobState::Exited(0));
    assert_eq!(
        t.list_one(JobNum(2), ListFormat::Standard).as_deref(),
        Some("[2]+  Done                    job2")
    );
    assert_eq!(marks(&t), (Some(1), Some(1)));
    assert_eq!(
        t.list_one(JobNum(1), ListFormat::Pids).as_deref(),
        Some("1")
    );
}

#[test]
fn replacing_an_entry() {
    let mut t = Sim::new();
    bg(&mut t, 1);
    stop(&mut t, 1);
    assert_eq!(t.len(), 1);
    assert_eq!(t.state(JobNum(1)), Some(TSTP));
    assert_eq!(t.iter_all().count(), 1);
}

#[test]
fn issue_8_jobs_reads_state_from_the_kernel() {
    let mut t = Sim::new();
    t.add_background(JobNum(1), "sleep 300 | cat", vec![10, 11], Some(10));
    // The kernel's record changes (a SIGSTOP from outside, new pids) and the table
    // is told nothing: what it shows is the kernel's, not a copy.
    let view = t.kernel.get_mut(JobNum(1)).unwrap();
    view.state = JobState::Stopped(Signal::STOP);
    view.pids = vec![20, 21];
    assert_eq!(
        t.list_one(JobNum(1), ListFormat::Long).as_deref(),
        Some(
            "[1]+    20 Stopped (signal)        sleep 300\n        21                       | cat"
        )
    );
    assert_eq!(t.state(JobNum(1)), Some(JobState::Stopped(Signal::STOP)));
    // Looking again acts on the change: the stop moves the marks and is announced.
    t.add_background(JobNum(2), "sleep 400", vec![30], Some(30));
    assert_eq!(marks(&t), (Some(2), Some(1)));
    assert_eq!(t.table.observe(&t.kernel), vec![JobNum(1)]);
    assert_eq!(marks(&t), (Some(1), Some(2)));
    assert_eq!(t.pending_notices(), vec![JobNum(1)]);
    // The kernel drops the record: the entry goes, `+`/`-` move on.
    t.drop_record(JobNum(1));
    assert!(t.get_any(JobNum(1)).is_none());
    assert_eq!(marks(&t), (Some(2), Some(2)));
}

#[test]
fn a_stop_not_yet_seen_continued_is_not_a_new_stop() {
    let mut t = Sim::new();
    stop(&mut t, 1);
    t.take_notices();
    // `bg` sends CONT; the kernel has not reaped the continue yet.
    assert_eq!(
        t.table.set_background(JobNum(1), &t.kernel).as_deref(),
        Some("[1]+ job1 &")
    );
    assert!(t.table.observe(&t.kernel).is_empty());
    assert_eq!(t.state(JobNum(1)), Some(JobState::Running));
    assert_eq!(
        t.list(ListFormat::Standard, StateFilter::Any),
        ["[1]+  Running                 job1 &"]
    );
    assert_eq!(
        t.can_resume(JobNum(1), false).unwrap_err().message("bg"),
        "bg: job 1 already in background"
    );
    // The kernel reported the continue, and the job stopped again the same way
    // before the shell looked: a new stop.
    t.table.continue_seen(JobNum(1));
    assert_eq!(t.table.observe(&t.kernel), vec![JobNum(1)]);
    assert_eq!(t.pending_notices(), vec![JobNum(1)]);
    assert_eq!(t.state(JobNum(1)), Some(TSTP));
}

#[test]
fn a_job_that_ended_before_it_was_added_is_still_current_until_reported() {
    let mut t = Sim::new();
    // `true &`: the kernel already says Exited when the shell adds it.
    t.spawn_finished(JobNum(1), "true", JobState::Exited(0));
    t.table.add_background(JobNum(1));
    assert_eq!(marks(&t), (Some(1), Some(1)));
    assert_eq!(t.table.observe(&t.kernel), vec![JobNum(1)]);
    let notices = t.take_notices();
    assert_eq!(notices[0].line, "[1]+  Done                    true");
    assert_eq!(marks(&t), (None, None));
}
