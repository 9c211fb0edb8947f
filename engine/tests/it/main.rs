//! Data-driven tests of the step engine: each case is a flow set, a sequence of signals and
//! the lifecycle events and decision that must come out.

mod audience;
mod checklist;
mod fatigue;
mod i18n;
mod locked_steps;
mod schema;
mod scores;
mod survey;
mod survey_react;
mod survey_validate;
mod theme;
mod validate;

use engine::progress::{DismissReason, LifecycleEvent, Signal, decide, react};
use engine::{ButtonAction, Context, Flow, UserProgress, validate_flow};
use serde_json::json;

fn tour(id: &str, trigger: serde_json::Value, frequency: &str) -> Flow {
    serde_json::from_value(json!({
        "id": id,
        "name": "Tour",
        "status": "published",
        "trigger": trigger,
        "frequency": frequency,
        "steps": [
            {"id": "hello", "kind": "modal", "title": "Hi", "buttons": [{"action": "next", "label": "Go"}]},
            {"id": "nav", "kind": "tooltip", "target": "#nav", "title": "Nav", "advance": {"type": "click"}},
            {"id": "create", "kind": "tooltip", "target": "#new", "page": "/projects*", "title": "New",
             "buttons": [{"action": "back", "label": "Back"}, {"action": "next", "label": "Done"}]}
        ]
    }))
    .unwrap()
}

/// Runs signals against flows from an empty progress, returning the event names and final progress.
fn run(flows: &[Flow], signals: &[Signal]) -> (Vec<String>, UserProgress) {
    let mut progress = UserProgress::default();
    let mut names = Vec::new();
    for signal in signals {
        for event in react(flows, &progress, signal) {
            progress.apply(&event);
            names.push(event.to_track().0);
        }
    }
    (names, progress)
}

fn page(url: &str) -> Signal {
    Signal::Page { url: url.into() }
}

fn button(action: ButtonAction) -> Signal {
    Signal::Button { action }
}

fn check(
    flows: &[Flow],
    signals: &[Signal],
    expected_events: &[&str],
    expected_step: Option<(&str, usize)>,
    url: &str,
) {
    let (names, progress) = run(flows, signals);
    assert_eq!(names, expected_events, "events for {signals:?}");
    let context = Context {
        url: url.into(),
        ..Default::default()
    };
    let decision = decide(flows, &progress, &context);
    assert_eq!(
        decision
            .as_ref()
            .map(|decision| (decision.flow_id.as_str(), decision.step_index)),
        expected_step,
        "decision for {signals:?}"
    );
}

/// Signals in, expected event names, expected (flow, step) decision, and the URL it is decided on.
type EngineCase = (
    Vec<Signal>,
    Vec<&'static str>,
    Option<(&'static str, usize)>,
    &'static str,
);

#[test]
fn step_engine_cases() {
    let welcome = vec![tour(
        "welcome",
        json!({"type": "url", "pattern": "/"}),
        "once",
    )];
    let cases: Vec<EngineCase> = vec![
        (
            vec![page("/")],
            vec!["flow_started"],
            Some(("welcome", 0)),
            "/",
        ),
        (vec![page("/settings")], vec![], None, "/settings"),
        (
            vec![page("/"), button(ButtonAction::Next)],
            vec!["flow_started", "step_completed"],
            Some(("welcome", 1)),
            "/",
        ),
        // A click on a button does not advance a click-advanced step; a click on its target does.
        (
            vec![
                page("/"),
                button(ButtonAction::Next),
                button(ButtonAction::Next),
            ],
            vec!["flow_started", "step_completed", "step_completed"],
            Some(("welcome", 2)),
            "/projects",
        ),
        (
            vec![
                page("/"),
                button(ButtonAction::Next),
                Signal::TargetClicked,
                button(ButtonAction::Back),
            ],
            vec![
                "flow_started",
                "step_completed",
                "step_completed",
                "step_back",
            ],
            Some(("welcome", 1)),
            "/",
        ),
        (
            vec![
                page("/"),
                button(ButtonAction::Next),
                Signal::TargetClicked,
                page("/projects"),
                button(ButtonAction::Next),
            ],
            vec![
                "flow_started",
                "step_completed",
                "step_completed",
                "step_completed",
                "flow_completed",
            ],
            None,
            "/projects",
        ),
        // Once: a completed or dismissed tour never comes back.
        (
            vec![page("/"), button(ButtonAction::Dismiss), page("/")],
            vec!["flow_started", "flow_dismissed"],
            None,
            "/",
        ),
        // Back on the first step does nothing.
        (
            vec![page("/"), button(ButtonAction::Back)],
            vec!["flow_started"],
            Some(("welcome", 0)),
            "/",
        ),
        // Missing targets skip (default) and the last skip completes the flow.
        (
            vec![
                page("/"),
                button(ButtonAction::Next),
                Signal::TargetMissing,
                Signal::TargetMissing,
            ],
            vec![
                "flow_started",
                "step_completed",
                "step_target_missing",
                "step_target_missing",
                "flow_completed",
            ],
            None,
            "/",
        ),
        // Manual start bypasses frequency.
        (
            vec![
                page("/"),
                button(ButtonAction::Dismiss),
                Signal::Start {
                    flow_id: "welcome".into(),
                },
            ],
            vec!["flow_started", "flow_dismissed", "flow_started"],
            Some(("welcome", 0)),
            "/",
        ),
        (
            vec![Signal::Start {
                flow_id: "nope".into(),
            }],
            vec![],
            None,
            "/",
        ),
    ];
    for (signals, events, step, url) in cases {
        check(&welcome, &signals, &events, step, url);
    }
}

#[test]
fn step_on_another_page_waits() {
    let flows = vec![tour(
        "welcome",
        json!({"type": "url", "pattern": "/"}),
        "once",
    )];
    let (_, progress) = run(
        &flows,
        &[page("/"), button(ButtonAction::Next), Signal::TargetClicked],
    );
    let here = decide(
        &flows,
        &progress,
        &Context {
            url: "/".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(!here.on_this_page);
    let there = decide(
        &flows,
        &progress,
        &Context {
            url: "http://x/projects".into(),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(there.on_this_page);
    assert_eq!(there.step_id, "create");
}

#[test]
fn frequencies() {
    for (frequency, restarts_after_dismiss, restarts_after_complete) in [
        ("once", false, false),
        ("until_completed", true, false),
        ("every_time", true, true),
    ] {
        let flows = vec![tour("f", json!({"type": "url", "pattern": "*"}), frequency)];
        let (names, _) = run(
            &flows,
            &[page("/"), button(ButtonAction::Dismiss), page("/")],
        );
        assert_eq!(
            names.len() == 3,
            restarts_after_dismiss,
            "{frequency} after dismiss: {names:?}"
        );
        let (names, _) = run(
            &flows,
            &[
                page("/"),
                button(ButtonAction::Next),
                Signal::TargetClicked,
                button(ButtonAction::Next),
                page("/"),
            ],
        );
        assert_eq!(
            names.last().map(String::as_str) == Some("flow_started") && names.len() == 6,
            restarts_after_complete,
            "{frequency} after complete: {names:?}"
        );
    }
}

#[test]
fn event_trigger_and_event_advance_and_priority() {
    let mut low = tour("low", json!({"type": "event", "name": "signed_up"}), "once");
    low.priority = 1;
    let mut high = tour(
        "high",
        json!({"type": "event", "name": "signed_up"}),
        "once",
    );
    high.priority = 5;
    high.steps[0].advance =
        serde_json::from_value(json!({"type": "event", "name": "project_created"})).unwrap();
    let flows = vec![low, high];
    let (names, progress) = run(
        &flows,
        &[
            page("/"),
            Signal::Tracked {
                name: "signed_up".into(),
            },
            Signal::Tracked {
                name: "project_created".into(),
            },
        ],
    );
    assert_eq!(names, ["flow_started", "step_completed"]);
    assert_eq!(progress.active.as_deref(), Some("high"));
}

#[test]
fn drafts_and_archived_flows_do_not_start() {
    for status in ["draft", "archived"] {
        let mut flow = tour("f", json!({"type": "url", "pattern": "*"}), "once");
        flow.status = serde_json::from_value(json!(status)).unwrap();
        let (names, _) = run(&[flow], &[page("/")]);
        assert!(names.is_empty(), "{status}");
    }
}

#[test]
fn stale_and_duplicate_events_change_nothing() {
    let flows = vec![tour(
        "welcome",
        json!({"type": "url", "pattern": "/"}),
        "once",
    )];
    let (_, mut progress) = run(&flows, &[page("/"), button(ButtonAction::Next)]);
    let before = progress.clone();
    progress.apply(&LifecycleEvent::StepCompleted {
        flow_id: "welcome".into(),
        step_id: "hello".into(),
        step_index: 0,
        next_step_index: None,
    });
    progress.apply(&LifecycleEvent::FlowCompleted {
        flow_id: "other".into(),
    });
    assert_eq!(progress, before);
    progress.apply(&LifecycleEvent::FlowDismissed {
        flow_id: "welcome".into(),
        step_index: 1,
        reason: DismissReason::User,
    });
    assert_eq!(progress.active, None);
}

#[test]
fn lifecycle_events_round_trip_through_the_wire_shape() {
    let event = LifecycleEvent::StepCompleted {
        flow_id: "a".into(),
        step_id: "b".into(),
        step_index: 2,
        next_step_index: None,
    };
    let (name, properties) = event.to_track();
    assert_eq!(name, "step_completed");
    assert_eq!(
        LifecycleEvent::from_track(&name, &properties),
        Some(Ok(event))
    );
    assert_eq!(
        LifecycleEvent::from_track("project_created", &properties),
        None
    );
    let missing = serde_json::Map::new();
    let mut mistyped = properties.clone();
    mistyped.insert("step_index".into(), json!("one"));
    assert_eq!(
        LifecycleEvent::from_track("step_completed", &mistyped),
        Some(Err("properties.step_index".into()))
    );
    assert_eq!(
        LifecycleEvent::from_track("step_completed", &missing),
        Some(Err("properties.flow_id".into()))
    );
}

#[test]
fn validation_lists_every_problem() {
    let flow: Flow = serde_json::from_value(json!({
        "id": "Bad Id",
        "name": "",
        "trigger": {"type": "url", "pattern": "projects"},
        "steps": [
            {"id": "a", "kind": "tooltip", "title": "", "buttons": [{"action": "back", "label": "Back"}]},
            {"id": "a", "kind": "modal", "title": "ok", "advance": {"type": "click"},
             "buttons": [{"action": "cta", "label": "Go", "url": "javascript:alert(1)"}]}
        ]
    }))
    .unwrap();
    let fields: Vec<String> = validate_flow(&flow)
        .into_iter()
        .map(|error| error.field)
        .collect();
    for expected in [
        "id",
        "name",
        "trigger.pattern",
        "steps[0].target",
        "steps[0].title",
        "steps[0].buttons",
        "steps[0].buttons[0].action",
        "steps[1].id",
        "steps[1].advance",
        "steps[1].buttons[0].url",
    ] {
        assert!(
            fields.contains(&expected.to_string()),
            "missing {expected} in {fields:?}"
        );
    }
    let good = tour("welcome", json!({"type": "manual"}), "once");
    assert_eq!(validate_flow(&good), vec![]);
}

#[test]
fn unknown_step_kind_is_a_parse_error() {
    let result: Result<Flow, _> = serde_json::from_value(json!({
        "id": "x", "name": "x", "trigger": {"type": "manual"},
        "steps": [{"id": "a", "kind": "carousel", "title": "t"}]
    }));
    assert!(result.unwrap_err().to_string().contains("carousel"));
}

#[test]
fn empty_placeholders_name_the_field_they_are_in() {
    for (title, body, expected_field) in [
        ("Hi {{}}", "fine", "steps[0].title"),
        ("Hi", "Welcome {{ | there}}", "steps[0].body"),
    ] {
        let flow: Flow = serde_json::from_value(json!({
            "id": "x", "name": "x", "trigger": {"type": "manual"},
            "steps": [{"id": "a", "kind": "modal", "title": title, "body": body,
                       "buttons": [{"action": "next", "label": "Next"}]}]
        }))
        .unwrap();
        let fields: Vec<String> = validate_flow(&flow)
            .into_iter()
            .map(|error| error.field)
            .collect();
        assert_eq!(fields, [expected_field], "{title} / {body}");
    }
}
