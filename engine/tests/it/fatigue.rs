//! Data-driven tests of the fatigue budget: session timeout, cool-down and limit boundaries, and
//! once-per-session content, all on a fake clock.

use engine::fatigue::{Blocked, FatigueSettings, SessionLog};

const MINUTE: i64 = 60_000;
/// Any fixed "session start" far from zero (zero means "never started").
const START: i64 = 1_769_817_600_000;

fn settings(max_per_session: u32, cooldown_seconds: u32) -> FatigueSettings {
    FatigueSettings {
        max_per_session,
        cooldown_seconds,
        session_timeout_minutes: 30,
    }
}

/// A session that began at START, with flows started automatically at the given offsets (ms).
fn log(shown: &[(&str, i64)]) -> SessionLog {
    let mut log = SessionLog::default().current(&settings(3, 0), START);
    for (flow_id, at) in shown {
        log.record(flow_id, START + at);
    }
    log
}

/// Takes the log to `now` (`current`), then asks whether `flow_id` may start automatically.
fn check(
    log: &SessionLog,
    settings: &FatigueSettings,
    flow_id: &str,
    every_session: bool,
    now: i64,
    expected: Result<(), Blocked>,
    case: &str,
) {
    let current = log.current(settings, now);
    assert_eq!(
        current.allows(settings, flow_id, every_session, now),
        expected,
        "{case}"
    );
}

/// A log, the settings, the flow, whether it is `every_session`, now, the answer and the case name.
type FatigueCase = (
    SessionLog,
    FatigueSettings,
    &'static str,
    bool,
    i64,
    Result<(), Blocked>,
    &'static str,
);

#[test]
fn allows_by_limit_cooldown_and_session() {
    let two = log(&[("a", 0), ("b", 10 * MINUTE)]);
    let cases: Vec<FatigueCase> = vec![
        (
            SessionLog::default(),
            settings(3, 300),
            "a",
            false,
            START,
            Ok(()),
            "a fresh log allows",
        ),
        (
            two.clone(),
            settings(3, 300),
            "c",
            false,
            START + 15 * MINUTE,
            Ok(()),
            "under the limit, past the cool-down",
        ),
        (
            two.clone(),
            settings(2, 300),
            "c",
            false,
            START + 15 * MINUTE,
            Err(Blocked::SessionLimit),
            "limit reached",
        ),
        (
            two.clone(),
            settings(0, 0),
            "c",
            false,
            START + 10 * MINUTE,
            Ok(()),
            "0 means no limit and no cool-down",
        ),
        (
            log(&[("a", 0), ("b", 1), ("c", 2), ("d", 3), ("e", 4)]),
            settings(0, 0),
            "f",
            false,
            START + 5,
            Ok(()),
            "no limit, however many were shown",
        ),
        (
            two.clone(),
            settings(3, 300),
            "c",
            false,
            START + 15 * MINUTE - 1,
            Err(Blocked::Cooldown),
            "one ms inside the cool-down",
        ),
        (
            two.clone(),
            settings(3, 300),
            "c",
            false,
            START + 15 * MINUTE,
            Ok(()),
            "exactly at the end of the cool-down",
        ),
        (
            two.clone(),
            settings(3, 300),
            "a",
            true,
            START + 20 * MINUTE,
            Err(Blocked::AlreadyThisSession),
            "every_session content already shown",
        ),
        (
            two.clone(),
            settings(3, 300),
            "a",
            false,
            START + 20 * MINUTE,
            Ok(()),
            "other frequencies may repeat",
        ),
        (
            two.clone(),
            settings(3, 300),
            "c",
            true,
            START + 20 * MINUTE,
            Ok(()),
            "every_session content not yet shown",
        ),
        // Last activity at +10 min; 30 minutes of silence is still the same session, one ms more is not.
        (
            two.clone(),
            settings(2, 300),
            "c",
            false,
            START + 40 * MINUTE,
            Err(Blocked::SessionLimit),
            "exactly at the session timeout",
        ),
        (
            two.clone(),
            settings(2, 300),
            "c",
            false,
            START + 40 * MINUTE + 1,
            Ok(()),
            "just past the session timeout: a new session",
        ),
        (
            two.clone(),
            settings(3, 300),
            "a",
            true,
            START + 40 * MINUTE + 1,
            Ok(()),
            "every_session content returns in a new session",
        ),
    ];
    for (log, settings, flow_id, every_session, now, expected, case) in cases {
        check(&log, &settings, flow_id, every_session, now, expected, case);
    }
}

#[test]
fn current_keeps_or_renews_the_session() {
    let settings = settings(3, 300);
    let two = log(&[("a", 0), ("b", 10 * MINUTE)]);
    for (log, now, expected_started, expected_activity, expected_shown, case) in [
        (
            SessionLog::default(),
            START,
            START,
            START,
            0,
            "never started",
        ),
        (
            two.clone(),
            START + 20 * MINUTE,
            START,
            START + 20 * MINUTE,
            2,
            "activity extends the session",
        ),
        (
            two.clone(),
            START + 40 * MINUTE,
            START,
            START + 40 * MINUTE,
            2,
            "at the timeout boundary",
        ),
        (
            two.clone(),
            START + 40 * MINUTE + 1,
            START + 40 * MINUTE + 1,
            START + 40 * MINUTE + 1,
            0,
            "timed out",
        ),
        (
            two.clone(),
            START + 5 * MINUTE,
            START,
            START + 10 * MINUTE,
            2,
            "a clock going back never rewinds activity",
        ),
    ] {
        let current = log.current(&settings, now);
        assert_eq!(
            (
                current.started_at,
                current.last_activity,
                current.shown.len()
            ),
            (expected_started, expected_activity, expected_shown),
            "{case}"
        );
    }
}

#[test]
fn record_appends_and_marks_activity() {
    let mut log = log(&[]);
    log.record("a", START + MINUTE);
    log.record("b", START + 2 * MINUTE);
    assert_eq!(
        log.shown,
        [
            ("a".to_string(), START + MINUTE),
            ("b".to_string(), START + 2 * MINUTE)
        ]
    );
    assert_eq!(log.last_activity, START + 2 * MINUTE);
    assert_eq!(log.started_at, START);
}

#[test]
fn a_follow_up_skips_the_cool_down_but_not_the_session_limit() {
    // A tour started automatically a second ago; the cool-down is five minutes.
    let one = log(&[("tour", 0)]);
    let full = log(&[("a", 0), ("b", MINUTE), ("c", 2 * MINUTE)]);
    for (log, max, expected, case) in [
        (
            &one,
            3,
            Ok(()),
            "one second after the task, within the cool-down",
        ),
        (
            &one,
            1,
            Err(Blocked::SessionLimit),
            "the session's one item is used",
        ),
        (&full, 3, Err(Blocked::SessionLimit), "three of three used"),
        (&full, 0, Ok(()), "no limit"),
    ] {
        let settings = settings(max, 300);
        let current = log.current(&settings, START + 1000);
        assert_eq!(current.allows_follow_up(&settings), expected, "{case}");
        // The ordinary rule still holds the same item back during the cool-down.
        assert!(
            current
                .allows(&settings, "survey", false, START + 1000)
                .is_err(),
            "{case}"
        );
    }
}
