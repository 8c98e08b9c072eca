//! Whole sessions replayed against transcripts of GNU bash 5.2.15, run as
//! `script -qc "bash --norc -i" /dev/null` with the commands shown piped in (Ctrl-Z
//! sent as \x1a, pauses between lines), plus property tests.
//!
//! bash reuses job numbers; corral does not, so where bash reused one the replay
//! uses the next number (noted), which orders the jobs the same way.

use corral_kernel::{JobState, Signal};

use super::JobNum;
use proptest::prelude::*;

use super::format;
use super::sim::Sim;
use super::spec::JobSpecError;
use super::table::{ListFormat, StateFilter};

const TSTP: JobState = JobState::Stopped(Signal::TSTP);
const TTIN: JobState = JobState::Stopped(Signal::TTIN);

fn jobs(t: &mut Sim) -> Vec<String> {
    t.list(ListFormat::Standard, StateFilter::Any)
}

fn notices(t: &mut Sim) -> Vec<String> {
    t.take_notices().iter().map(|n| n.text()).collect()
}

fn killed(signal: Signal) -> JobState {
    JobState::Signaled {
        signal,
        core_dumped: false,
    }
}

/// sleep 100 ^Z; sleep 200 &; jobs; sleep 300 ^Z; jobs; jobs -l; bg %1; jobs; bg;
/// jobs; bg; fg %5; fg %-
#[test]
fn replay_stops_and_bg() {
    let mut t = Sim::new();
    t.add_stopped(
        JobNum(1),
        "sleep 100",
        vec![10833],
        Some(10833),
        Signal::TSTP,
    );
    assert_eq!(
        notices(&mut t),
        ["\n[1]+  Stopped                 sleep 100\n"]
    );
    t.add_background(JobNum(2), "sleep 200", vec![10837], Some(10837));
    assert_eq!(format::started_line(JobNum(2), Some(10837)), "[2] 10837");
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 sleep 100",
            "[2]-  Running                 sleep 200 &",
        ]
    );
    t.add_stopped(
        JobNum(3),
        "sleep 300",
        vec![10840],
        Some(10840),
        Signal::TSTP,
    );
    assert_eq!(
        notices(&mut t),
        ["\n[3]+  Stopped                 sleep 300\n"]
    );
    assert_eq!(
        jobs(&mut t),
        [
            "[1]-  Stopped                 sleep 100",
            "[2]   Running                 sleep 200 &",
            "[3]+  Stopped                 sleep 300",
        ]
    );
    assert_eq!(
        t.list(ListFormat::Long, StateFilter::Any),
        [
            "[1]- 10833 Stopped                 sleep 100",
            "[2]  10837 Running                 sleep 200 &",
            "[3]+ 10840 Stopped                 sleep 300",
        ]
    );
    let one = t.resolve("%1").unwrap();
    assert_eq!(t.can_resume(one, false), Ok(()));
    assert_eq!(t.set_background(one).as_deref(), Some("[1]- sleep 100 &"));
    assert_eq!(
        jobs(&mut t),
        [
            "[1]   Running                 sleep 100 &",
            "[2]-  Running                 sleep 200 &",
            "[3]+  Stopped                 sleep 300",
        ]
    );
    let cur = t.resolve_current().unwrap();
    assert_eq!(t.set_background(cur).as_deref(), Some("[3]+ sleep 300 &"));
    assert_eq!(
        jobs(&mut t),
        [
            "[1]   Running                 sleep 100 &",
            "[2]-  Running                 sleep 200 &",
            "[3]+  Running                 sleep 300 &",
        ]
    );
    let cur = t.resolve_current().unwrap();
    assert_eq!(
        t.can_resume(cur, false).unwrap_err().message("bg"),
        "bg: job 3 already in background"
    );
    assert_eq!(
        t.resolve("%5").unwrap_err().message("fg"),
        "fg: %5: no such job"
    );
    let prev = t.resolve("%-").unwrap();
    assert!(t.set_foreground(prev));
    assert_eq!(format::fg_line(&t.view(prev).unwrap()), "sleep 200");
}

/// cat &; jobs -l; jobs; sleep 100 &; jobs; (foreground deaths); ulimit -c
/// unlimited; sh -c 'kill -SEGV $$' &; sh -c 'exit 3' &;
/// sh -c 'kill -USR1 $$' | cat &; jobs; jobs; sh -c 'kill -STOP $$'; jobs -l; jobs
#[test]
fn replay_tty_input_deaths_and_notices() {
    let mut t = Sim::new();
    t.add_background(JobNum(1), "cat", vec![15947], Some(15947));
    t.set_state(JobNum(1), TTIN);
    assert_eq!(
        t.list(ListFormat::Long, StateFilter::Any),
        ["[1]+ 15947 Stopped (tty input)     cat"]
    );
    assert_eq!(jobs(&mut t), ["[1]+  Stopped                 cat"]);
    t.add_background(JobNum(2), "sleep 100", vec![15952], Some(15952));
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 cat",
            "[2]-  Running                 sleep 100 &",
        ]
    );
    let segv = JobState::Signaled {
        signal: Signal::from_number(11).unwrap(),
        core_dumped: true,
    };
    t.add_background(JobNum(3), "sh -c 'kill -SEGV $$'", vec![15966], Some(15966));
    t.set_state(JobNum(3), segv);
    t.add_background(JobNum(4), "sh -c 'exit 3'", vec![15986], Some(15986));
    assert_eq!(
        notices(&mut t),
        ["[3]   Segmentation fault      (core dumped) sh -c 'kill -SEGV $$'\n"]
    );
    t.set_state(JobNum(4), JobState::Exited(3));
    t.add_background(
        JobNum(5),
        "sh -c 'kill -USR1 $$' | cat",
        vec![15989, 15990],
        Some(15989),
    );
    assert_eq!(
        notices(&mut t),
        ["[4]   Exit 3                  sh -c 'exit 3'\n"]
    );
    t.set_state(JobNum(5), JobState::Exited(0));
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 cat",
            "[2]   Running                 sleep 100 &",
            "[5]-  Done                    sh -c 'kill -USR1 $$' | cat",
        ]
    );
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 cat",
            "[2]-  Running                 sleep 100 &",
        ]
    );
    // bash numbered this one 3 again.
    t.add_stopped(
        JobNum(6),
        "sh -c 'kill -STOP $$'",
        vec![16011],
        Some(16011),
        Signal::STOP,
    );
    assert_eq!(
        notices(&mut t),
        ["\n[6]+  Stopped (signal)        sh -c 'kill -STOP $$'\n"]
    );
    assert_eq!(
        t.list(ListFormat::Long, StateFilter::Any),
        [
            "[1]- 15947 Stopped (tty input)     cat",
            "[2]  15952 Running                 sleep 100 &",
            "[6]+ 16011 Stopped (signal)        sh -c 'kill -STOP $$'",
        ]
    );
}

/// cat & (stops); sleep 100 & sleep 200 & sleep 300 &; jobs; jobs -r; jobs -s;
/// kill %5; kill %4; jobs; sleep 400 | cat &; bg; fg %3 ^Z; jobs; disown %3; jobs;
/// disown %1; jobs; fg
#[test]
fn replay_many_jobs_fg_and_disown() {
    let mut t = Sim::new();
    t.add_background(JobNum(1), "cat", vec![6714], Some(6714));
    t.set_state(JobNum(1), TTIN);
    assert_eq!(notices(&mut t), ["\n[1]+  Stopped (tty input)     cat\n"]);
    for (id, cmd, pid) in [
        (2, "sleep 100", 6865),
        (3, "sleep 200", 6867),
        (4, "sleep 300", 6869),
    ] {
        t.add_background(JobNum(id), cmd, vec![pid], Some(pid));
    }
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 cat",
            "[2]   Running                 sleep 100 &",
            "[3]   Running                 sleep 200 &",
            "[4]-  Running                 sleep 300 &",
        ]
    );
    assert_eq!(
        t.list(ListFormat::Standard, StateFilter::Running),
        [
            "[2]   Running                 sleep 100 &",
            "[3]   Running                 sleep 200 &",
            "[4]-  Running                 sleep 300 &",
        ]
    );
    assert_eq!(
        t.list(ListFormat::Standard, StateFilter::Stopped),
        ["[1]+  Stopped                 cat"]
    );
    assert_eq!(
        t.resolve("%5").unwrap_err().message("kill"),
        "kill: %5: no such job"
    );
    t.set_state(JobNum(4), killed(Signal::TERM));
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 cat",
            "[2]   Running                 sleep 100 &",
            "[3]   Running                 sleep 200 &",
            "[4]-  Terminated              sleep 300",
        ]
    );
    // bash numbered this one 4 again.
    t.add_background(JobNum(5), "sleep 400 | cat", vec![7014, 7015], Some(7014));
    let cur = t.resolve_current().unwrap();
    assert_eq!(t.set_background(cur).as_deref(), Some("[1]+ cat &"));
    t.set_state(JobNum(1), TTIN); // reads the terminal again
    let three = t.resolve("%3").unwrap();
    assert!(t.set_foreground(three));
    assert_eq!(format::fg_line(&t.view(three).unwrap()), "sleep 200");
    t.set_state(three, TSTP);
    assert_eq!(
        notices(&mut t),
        [
            "\n[1]-  Stopped (tty input)     cat\n",
            "\n[3]+  Stopped                 sleep 200\n",
        ]
    );
    assert_eq!(
        jobs(&mut t),
        [
            "[1]-  Stopped                 cat",
            "[2]   Running                 sleep 100 &",
            "[3]+  Stopped                 sleep 200",
            "[5]   Running                 sleep 400 | cat &",
        ]
    );
    let three = t.resolve("%3").unwrap();
    assert_eq!(
        format::disown_warning(&t.view(three).unwrap()).as_deref(),
        Some("warning: deleting stopped job 3 with process group 6867")
    );
    t.remove(three);
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 cat",
            "[2]   Running                 sleep 100 &",
            "[5]-  Running                 sleep 400 | cat &",
        ]
    );
    let one = t.resolve("%1").unwrap();
    assert_eq!(
        format::disown_warning(&t.view(one).unwrap()).as_deref(),
        Some("warning: deleting stopped job 1 with process group 6714")
    );
    t.remove(one);
    assert_eq!(
        jobs(&mut t),
        [
            "[2]-  Running                 sleep 100 &",
            "[5]+  Running                 sleep 400 | cat &",
        ]
    );
    let cur = t.resolve_current().unwrap();
    assert_eq!(format::fg_line(&t.view(cur).unwrap()), "sleep 400 | cat");
}

/// sleep 100 | cat &; sleep 300 &; fg %1 ^Z; bg %1; jobs -l; kill %1 %2;
/// sh -c 'sleep 0.2; exit 4' | sh -c 'sleep 0.2; exit 5' & …
#[test]
fn replay_bg_does_not_take_current() {
    let mut t = Sim::new();
    t.add_background(
        JobNum(1),
        "sleep 100 | cat",
        vec![13922, 13923],
        Some(13922),
    );
    t.add_background(JobNum(2), "sleep 300", vec![13925], Some(13925));
    let one = t.resolve("%1").unwrap();
    assert!(t.set_foreground(one));
    assert_eq!(format::fg_line(&t.view(one).unwrap()), "sleep 100 | cat");
    t.set_state(one, TSTP);
    assert_eq!(
        notices(&mut t),
        ["\n[1]+  Stopped                 sleep 100 | cat\n"]
    );
    assert_eq!(
        t.set_background(one).as_deref(),
        Some("[1]+ sleep 100 | cat &")
    );
    // bash 5.2: `+` goes back to the newest running job.
    assert_eq!(
        t.list(ListFormat::Long, StateFilter::Any),
        [
            "[1]- 13922 Running                 sleep 100\n     13923                       | cat &",
            "[2]+ 13925 Running                 sleep 300 &",
        ]
    );
    t.set_state(JobNum(1), killed(Signal::TERM));
    assert_eq!(
        notices(&mut t),
        ["[1]-  Terminated              sleep 100 | cat\n"]
    );
    t.set_state(JobNum(2), killed(Signal::TERM));
    t.add_background(
        JobNum(3),
        "sh -c 'sleep 0.2; exit 4' | sh -c 'sleep 0.2; exit 5'",
        vec![13982, 13983],
        Some(13982),
    );
    t.set_state(JobNum(3), JobState::Exited(5));
    assert_eq!(
        notices(&mut t),
        [
            "[2]   Terminated              sleep 300\n",
            "[3]+  Exit 5                  sh -c 'sleep 0.2; exit 4' | sh -c 'sleep 0.2; exit 5'\n",
        ]
    );
    assert!(t.is_empty());
    assert_eq!(t.current(), None);
}

/// sleep 100 ^Z; sleep 200 ^Z; jobs; kill -CONT %2; jobs;
/// sh -c 'kill -XFSZ $$' & …; jobs; jobs; kill %1 %2
#[test]
fn replay_kill_cont_and_a_full_status_column() {
    let mut t = Sim::new();
    t.add_stopped(
        JobNum(1),
        "sleep 100",
        vec![17327],
        Some(17327),
        Signal::TSTP,
    );
    t.add_stopped(
        JobNum(2),
        "sleep 200",
        vec![17332],
        Some(17332),
        Signal::TSTP,
    );
    assert_eq!(
        notices(&mut t),
        [
            "\n[1]-  Stopped                 sleep 100\n",
            "\n[2]+  Stopped                 sleep 200\n",
        ]
    );
    let two = t.resolve("%2").unwrap();
    assert!(t.set_continued(two));
    assert!(!t.set_state(two, JobState::Running));
    assert_eq!(
        jobs(&mut t),
        [
            "[1]-  Stopped                 sleep 100",
            "[2]+  Running                 sleep 200 &",
        ]
    );
    let xfsz = killed(Signal::from_number(25).unwrap());
    t.add_background(JobNum(3), "sh -c 'kill -XFSZ $$'", vec![17394], Some(17394));
    t.set_state(JobNum(3), xfsz);
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 sleep 100",
            "[2]   Running                 sleep 200 &",
            "[3]-  File size limit exceededsh -c 'kill -XFSZ $$'",
        ]
    );
    assert_eq!(
        jobs(&mut t),
        [
            "[1]+  Stopped                 sleep 100",
            "[2]-  Running                 sleep 200 &",
        ]
    );
    // kill %1 %2: TERM (and CONT) to both.
    t.set_state(JobNum(1), killed(Signal::TERM));
    t.set_state(JobNum(2), killed(Signal::TERM));
    assert_eq!(
        notices(&mut t),
        [
            "[1]+  Terminated              sleep 100\n",
            "[2]-  Terminated              sleep 200\n",
        ]
    );
}

/// An empty table answers every builtin with bash's words.
#[test]
fn replay_no_jobs() {
    let t = Sim::new();
    assert_eq!(
        t.resolve_current().unwrap_err().message("bg"),
        "bg: current: no such job"
    );
    assert_eq!(
        t.resolve_current().unwrap_err().message("disown"),
        "disown: current: no such job"
    );
    assert_eq!(
        t.resolve("%-"),
        Err(JobSpecError::NoSuchJob("%-".to_string()))
    );
    assert!(!t.has_stopped());
    assert!(t.pending_notices().is_empty());
}

#[test]
fn fuzz_entry_point_accepts_samples() {
    for sample in [
        &b""[..],
        b"%",
        b"%%",
        b"%-",
        b"%1",
        b"%3",
        b"%6",
        b"%?",
        b"%?SLEEP",
        b"%sleep",
        b"%vim",
        b"%99999999999999999999",
        b"\xff\xfe%",
        b"RTMIN+1",
        b"143",
    ] {
        super::fuzz_jobspec(sample);
    }
}

/// One operation on the table, for the property tests.
#[derive(Clone, Debug)]
enum Op {
    Background(u8),
    Stopped(u8),
    Stop(u8),
    Continue(u8),
    Finish(u8, bool),
    Notify(u8),
    Remove(u8),
    Fg(u8),
    Bg(u8),
    KillCont(u8),
    TakeNotices,
    List,
}

fn op() -> impl Strategy<Value = Op> {
    let id = 1u8..8;
    prop_oneof![
        id.clone().prop_map(Op::Background),
        id.clone().prop_map(Op::Stopped),
        id.clone().prop_map(Op::Stop),
        id.clone().prop_map(Op::Continue),
        (id.clone(), any::<bool>()).prop_map(|(i, s)| Op::Finish(i, s)),
        id.clone().prop_map(Op::Notify),
        id.clone().prop_map(Op::Remove),
        id.clone().prop_map(Op::Fg),
        id.clone().prop_map(Op::Bg),
        id.prop_map(Op::KillCont),
        Just(Op::TakeNotices),
        Just(Op::List),
    ]
}

fn apply(t: &mut Sim, op: &Op) {
    let j = |i: &u8| JobNum(u64::from(*i));
    match op {
        Op::Background(i) => t.add_background(j(i), format!("cmd {i}"), vec![u32::from(*i)], None),
        Op::Stopped(i) => t.add_stopped(j(i), "cmd | x", vec![1, 2], Some(1), Signal::TSTP),
        Op::Stop(i) => {
            t.set_state(j(i), TTIN);
        }
        Op::Continue(i) => {
            t.set_state(j(i), JobState::Running);
        }
        Op::Finish(i, by_signal) => {
            let state = if *by_signal {
                killed(Signal::KILL)
            } else {
                JobState::Exited(i32::from(*i))
            };
            t.set_state(j(i), state);
        }
        Op::Notify(i) => {
            t.mark_notified(j(i));
        }
        Op::Remove(i) => t.remove(j(i)),
        Op::Fg(i) => {
            t.set_foreground(j(i));
        }
        Op::Bg(i) => {
            t.set_background(j(i));
        }
        Op::KillCont(i) => {
            t.set_continued(j(i));
        }
        Op::TakeNotices => {
            t.take_notices();
        }
        Op::List => {
            t.list(ListFormat::Long, StateFilter::Any);
        }
    }
}

/// `chosen`: `fg` or `kill -CONT` ran, which may leave a running job current while
/// others are stopped (as in bash).
fn check_invariants(t: &Sim, chosen: bool) -> Result<(), TestCaseError> {
    let (cur, prev) = (t.current(), t.previous());
    prop_assert_eq!(cur.is_some(), prev.is_some(), "+ without - or the reverse");
    for id in [cur, prev].into_iter().flatten() {
        prop_assert!(t.get(id).is_some(), "{id} marked but not visible");
    }
    let live = t.iter().any(|e| !e.seen.is_finished());
    prop_assert!(!live || cur.is_some(), "live jobs but no current job");
    prop_assert!(t.iter().filter(|e| t.marker(e.id) == '+').count() <= 1);
    if let (Some(c), Some(p), false) = (cur, prev, chosen) {
        // Stopped jobs are preferred: a running current job means none is stopped.
        if t.get(c).is_some_and(|e| e.seen == JobState::Running) {
            prop_assert!(!t.iter().any(|e| e.seen.is_stopped()), "{c}+ runs ({p}-)");
        }
    }
    for id in t.pending_notices() {
        let e = t.get(id);
        prop_assert!(e.is_some_and(|e| !e.notified && e.seen != JobState::Running));
    }
    if let Some(id) = cur {
        prop_assert_eq!(t.resolve("%%"), Ok(id));
        prop_assert_eq!(t.resolve_current(), Ok(id));
    } else {
        prop_assert_eq!(t.resolve_current(), Err(JobSpecError::NoCurrentJob));
    }
    Ok(())
}

proptest! {
    #[test]
    fn resolve_never_panics(word in any::<String>()) {
        let t = super::fuzz_table();
        if let Ok(id) = t.resolve(&word) {
            prop_assert!(t.get(id).is_some());
        }
        if let Ok(id) = t.resolve_any(&word) {
            prop_assert!(t.get_any(id).is_some());
        }
        let _ = super::signals::kill_l_arg(&word);
        let _ = super::signals::decode_signal(&word);
    }

    #[test]
    fn jobspec_shaped_words_never_panic(word in "%?[-+%?0-9a-zA-Zé ]{0,12}") {
        let t = super::fuzz_table();
        let _ = (t.resolve(&word), t.resolve_any(&word));
    }

    #[test]
    fn fuzz_entry_point_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
        super::fuzz_jobspec(&data);
    }

    #[test]
    fn formats_never_panic(command in any::<String>(), pids in proptest::collection::vec(any::<u32>(), 0..4)) {
        let mut t = Sim::new();
        t.add_background(JobNum(1), command.clone(), pids, None);
        let e = &t.view(JobNum(1)).unwrap();
        let line = format::jobs_line(e, true, '+');
        prop_assert!(line.starts_with("[1]+  Running"));
        prop_assert!(line.contains(command.as_str()));
        let _ = (format::jobs_long(e, true, '+'), format::bg_line(e, '-'), format::pid_line(e));
    }

    #[test]
    fn marks_stay_consistent(ops in proptest::collection::vec(op(), 0..40)) {
        let mut t = Sim::new();
        let mut chosen = false;
        for op in &ops {
            apply(&mut t, op);
            chosen |= matches!(op, Op::Fg(_) | Op::KillCont(_));
            check_invariants(&t, chosen)?;
        }
    }
}
