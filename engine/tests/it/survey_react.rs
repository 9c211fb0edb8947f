//! Data-driven tests of surveys in the step engine: answers in, `survey_answered` /
//! `step_completed` / `flow_completed` out, branch jumps that survive replay, and the new
//! `completed`, `step_completed` and `days_after` triggers.

use engine::progress::{LifecycleEvent, RunStatus, Signal, decide, react, replay};
use engine::{ButtonAction, Context, Flow, UserProgress};
use serde_json::{Value, json};

use crate::survey::nps_survey;

fn answer(step_id: &str, answer: Value) -> Signal {
    Signal::Answer {
        flow_id: "nps-quarterly".into(),
        step_id: step_id.into(),
        answer,
    }
}

fn page() -> Signal {
    Signal::Page { url: "/".into() }
}

fn button(action: ButtonAction) -> Signal {
    Signal::Button { action }
}

/// Runs the signals from an empty progress; returns `name:step_index` per event (`name` alone
/// for events without a step), every event, and the final progress.
fn run(flows: &[Flow], signals: &[Signal]) -> (Vec<String>, Vec<LifecycleEvent>, UserProgress) {
    let mut progress = UserProgress::default();
    let mut names = Vec::new();
    let mut events = Vec::new();
    for signal in signals {
        for event in react(flows, &progress, signal) {
            progress.apply(&event);
            let (name, properties) = event.to_track();
            names.push(match properties.get("step_index") {
                Some(index) => format!("{name}:{index}"),
                None => format!("{name}:{}", event.flow_id()),
            });
            events.push(event);
        }
    }
    (names, events, progress)
}

/// Events as `name:step_index`, and the step id `decide` shows afterwards.
fn check(flows: &[Flow], signals: &[Signal], expected: &[&str], shown: Option<&str>, case: &str) {
    let (names, events, progress) = run(flows, signals);
    assert_eq!(names, expected, "{case}");
    let decision = decide(flows, &progress, &Context::default());
    assert_eq!(
        decision.as_ref().map(|decision| decision.step_id.as_str()),
        shown,
        "{case}: decision"
    );
    // The fold is a pure function of the events: replaying them gives the same progress, and
    // replaying every answer and step event twice (a duplicate that slipped through) changes
    // nothing. (`flow_started` counts starts, so the collector dedupes it by message id.)
    assert_eq!(replay(&events), progress, "{case}: replay");
    let doubled: Vec<&LifecycleEvent> = events
        .iter()
        .flat_map(|event| match event {
            LifecycleEvent::FlowStarted { .. } => vec![event],
            _ => vec![event, event],
        })
        .collect();
    assert_eq!(replay(doubled), progress, "{case}: duplicates");
}

type Case = (
    &'static str,
    Vec<Signal>,
    Vec<&'static str>,
    Option<&'static str>,
);

#[test]
fn answering_a_survey() {
    let flows = vec![nps_survey()];
    let cases: Vec<Case> = vec![
        (
            "days_after starts on the next page",
            vec![page()],
            vec!["flow_started:nps-quarterly"],
            Some("score"),
        ),
        (
            "detractor goes to better, jumping over passive",
            vec![page(), answer("score", json!(3))],
            vec![
                "flow_started:nps-quarterly",
                "survey_answered:0",
                "step_completed:0",
            ],
            Some("better"),
        ),
        (
            "promoter goes to love",
            vec![page(), answer("score", json!(10))],
            vec![
                "flow_started:nps-quarterly",
                "survey_answered:0",
                "step_completed:0",
            ],
            Some("love"),
        ),
        (
            "passive goes to the following step",
            vec![page(), answer("score", json!(7))],
            vec![
                "flow_started:nps-quarterly",
                "survey_answered:0",
                "step_completed:0",
            ],
            Some("passive"),
        ),
        (
            "next jumps to thanks; its button completes the flow",
            vec![
                page(),
                answer("score", json!(0)),
                answer("better", json!("Faster imports")),
                button(ButtonAction::Next),
            ],
            vec![
                "flow_started:nps-quarterly",
                "survey_answered:0",
                "step_completed:0",
                "survey_answered:2",
                "step_completed:2",
                "step_completed:4",
                "flow_completed:nps-quarterly",
            ],
            None,
        ),
        (
            "an invalid answer records nothing",
            vec![
                page(),
                answer("score", json!(11)),
                answer("score", json!("9")),
            ],
            vec!["flow_started:nps-quarterly"],
            Some("score"),
        ),
        (
            "an answer for another step or flow records nothing",
            vec![
                page(),
                answer("love", json!("Speed")),
                Signal::Answer {
                    flow_id: "other".into(),
                    step_id: "score".into(),
                    answer: json!(5),
                },
            ],
            vec!["flow_started:nps-quarterly"],
            Some("score"),
        ),
        (
            "next on a question does not skip it",
            vec![page(), button(ButtonAction::Next)],
            vec!["flow_started:nps-quarterly"],
            Some("score"),
        ),
        (
            "closing after the score keeps the answer and dismisses",
            vec![
                page(),
                answer("score", json!(9)),
                button(ButtonAction::Dismiss),
            ],
            vec![
                "flow_started:nps-quarterly",
                "survey_answered:0",
                "step_completed:0",
                "flow_dismissed:3",
            ],
            None,
        ),
        (
            "until_completed: a dismissed survey returns on the next page",
            vec![page(), button(ButtonAction::Dismiss), page()],
            vec![
                "flow_started:nps-quarterly",
                "flow_dismissed:0",
                "flow_started:nps-quarterly",
            ],
            Some("score"),
        ),
        (
            "a duplicate answer after moving on records nothing",
            vec![page(), answer("score", json!(9)), answer("score", json!(9))],
            vec![
                "flow_started:nps-quarterly",
                "survey_answered:0",
                "step_completed:0",
            ],
            Some("love"),
        ),
    ];
    for (case, signals, expected, shown) in cases {
        check(&flows, &signals, &expected, shown, case);
    }
}

#[test]
fn answering_the_last_question_completes_the_flow() {
    let flow: Flow = serde_json::from_value(json!({
        "id": "csat", "name": "CSAT", "status": "published", "trigger": {"type": "manual"},
        "survey": {}, "steps": [
            {"id": "q", "kind": "modal", "title": "", "question": {"kind": "csat"}}]
    }))
    .unwrap();
    let (_, events, progress) = run(
        &[flow],
        &[
            Signal::Start {
                flow_id: "csat".into(),
            },
            Signal::Answer {
                flow_id: "csat".into(),
                step_id: "q".into(),
                answer: json!(4),
            },
        ],
    );
    assert_eq!(
        events[1],
        LifecycleEvent::SurveyAnswered {
            flow_id: "csat".into(),
            step_id: "q".into(),
            step_index: 0,
            kind: engine::survey::QuestionKind::Csat,
            answer: json!(4),
        }
    );
    assert_eq!(
        events.last(),
        Some(&LifecycleEvent::FlowCompleted {
            flow_id: "csat".into()
        })
    );
    assert_eq!(progress.flows["csat"].status, RunStatus::Completed);
}

#[test]
fn branch_jumps_are_carried_by_step_completed() {
    let (_, events, _) = run(&[nps_survey()], &[page(), answer("score", json!(2))]);
    let jump = &events[2];
    assert_eq!(
        jump,
        &LifecycleEvent::StepCompleted {
            flow_id: "nps-quarterly".into(),
            step_id: "score".into(),
            step_index: 0,
            next_step_index: Some(2),
        }
    );
    let (name, properties) = jump.to_track();
    assert_eq!(name, "step_completed");
    assert_eq!(properties.get("next_step_index"), Some(&json!(2)));
    assert_eq!(
        LifecycleEvent::from_track(&name, &properties),
        Some(Ok(jump.clone()))
    );
    // The following step needs no target: the property is left out.
    let (_, events, _) = run(&[nps_survey()], &[page(), answer("score", json!(8))]);
    assert_eq!(events[2].to_track().1.get("next_step_index"), None);
    // A backward target (only a forged event could carry one) moves one step, never back.
    let mut progress = UserProgress::default();
    for event in &events[..1] {
        progress.apply(event);
    }
    progress.apply(&LifecycleEvent::StepCompleted {
        flow_id: "nps-quarterly".into(),
        step_id: "score".into(),
        step_index: 0,
        next_step_index: Some(0),
    });
    assert_eq!(progress.flows["nps-quarterly"].step, 1);
}

#[test]
fn survey_answered_has_the_contract_properties() {
    let (_, events, _) = run(&[nps_survey()], &[page(), answer("score", json!(9))]);
    let (name, properties) = events[1].to_track();
    assert_eq!(name, "survey_answered");
    assert_eq!(
        serde_json::Value::Object(properties.clone()),
        json!({"flow_id": "nps-quarterly", "step_id": "score", "step_index": 0,
               "kind": "nps", "answer": 9})
    );
    assert_eq!(
        LifecycleEvent::from_track(&name, &properties),
        Some(Ok(events[1].clone()))
    );
    let mut bad_kind = properties.clone();
    bad_kind.insert("kind".into(), json!("stars"));
    assert_eq!(
        LifecycleEvent::from_track(&name, &bad_kind),
        Some(Err("properties.kind".into()))
    );
    let mut missing = properties;
    missing.remove("answer");
    assert_eq!(
        LifecycleEvent::from_track(&name, &missing),
        Some(Err("properties.answer".into()))
    );
}

/// A two-step tour started by `/`, and a one-question survey with the given trigger.
fn tour_and_survey(trigger: Value, priority: i32) -> Vec<Flow> {
    let tour = serde_json::from_value(json!({
        "id": "tour", "name": "Tour", "status": "published",
        "trigger": {"type": "url", "pattern": "/"},
        "steps": [
            {"id": "one", "kind": "modal", "title": "1", "buttons": [{"action": "next", "label": "Next"}]},
            {"id": "two", "kind": "modal", "title": "2", "buttons": [{"action": "next", "label": "Done"}]}
        ]
    }))
    .unwrap();
    let survey = serde_json::from_value(json!({
        "id": "ces", "name": "CES", "status": "published", "trigger": trigger, "priority": priority,
        "survey": {}, "steps": [{"id": "q", "kind": "modal", "title": "", "question": {"kind": "ces"}}]
    }))
    .unwrap();
    vec![tour, survey]
}

/// Case name, the survey's trigger, signals, expected events, the step shown afterwards.
type TriggerCase = (
    &'static str,
    Value,
    Vec<Signal>,
    Vec<&'static str>,
    Option<&'static str>,
);

#[test]
fn completion_triggers() {
    let next = || button(ButtonAction::Next);
    let completed = json!({"type": "completed", "flow": "tour"});
    let last_step = json!({"type": "step_completed", "flow": "tour", "step": "two"});
    let first_step = json!({"type": "step_completed", "flow": "tour", "step": "one"});
    let checklist = json!({"type": "completed", "flow": "onboarding"});
    let cases: Vec<TriggerCase> = vec![
        (
            "completed: starts right after the tour completes",
            completed.clone(),
            vec![page(), next(), next()],
            vec![
                "flow_started:tour",
                "step_completed:0",
                "step_completed:1",
                "flow_completed:tour",
                "flow_started:ces",
            ],
            Some("q"),
        ),
        (
            "completed: not on a dismissal",
            completed.clone(),
            vec![page(), button(ButtonAction::Dismiss)],
            vec!["flow_started:tour", "flow_dismissed:0"],
            None,
        ),
        (
            "step_completed: starts when the step ends the tour",
            last_step,
            vec![page(), next(), next()],
            vec![
                "flow_started:tour",
                "step_completed:0",
                "step_completed:1",
                "flow_completed:tour",
                "flow_started:ces",
            ],
            Some("q"),
        ),
        (
            "step_completed: the one active slot is respected mid-tour",
            first_step,
            vec![page(), next()],
            vec!["flow_started:tour", "step_completed:0"],
            Some("two"),
        ),
        (
            "completed: a checklist completion reported by the collector",
            checklist.clone(),
            vec![Signal::Completed {
                flow_id: "onboarding".into(),
            }],
            vec!["flow_started:ces"],
            Some("q"),
        ),
        (
            "completed: another flow's completion does nothing",
            checklist,
            vec![Signal::Completed {
                flow_id: "tour".into(),
            }],
            vec![],
            None,
        ),
        (
            "completed: not while another flow runs",
            completed,
            vec![
                page(),
                Signal::Completed {
                    flow_id: "tour".into(),
                },
            ],
            vec!["flow_started:tour"],
            Some("one"),
        ),
    ];
    for (case, trigger, signals, expected, shown) in cases {
        check(
            &tour_and_survey(trigger, 0),
            &signals,
            &expected,
            shown,
            case,
        );
    }
}

#[test]
fn completion_triggers_respect_frequency_and_priority() {
    let trigger = json!({"type": "completed", "flow": "tour"});
    // `once` (the default): a second completion of the tour (replayed by hand) does not bring it back.
    let mut flows = tour_and_survey(trigger.clone(), 0);
    let start_tour = Signal::Start {
        flow_id: "tour".into(),
    };
    let next = || button(ButtonAction::Next);
    let (names, _, _) = run(
        &flows,
        &[
            page(),
            next(),
            next(),
            button(ButtonAction::Dismiss),
            start_tour.clone(),
            next(),
            next(),
        ],
    );
    assert_eq!(
        names
            .iter()
            .filter(|name| *name == "flow_started:ces")
            .count(),
        1,
        "{names:?}"
    );
    // Two surveys on the same completion: the higher priority one takes the slot.
    let mut second: Flow = flows[1].clone();
    second.id = "csat".into();
    second.priority = 5;
    flows.push(second);
    let (names, _, _) = run(&flows, &[page(), next(), next()]);
    assert_eq!(names.last().map(String::as_str), Some("flow_started:csat"));
}

#[test]
fn days_after_waits_for_a_page() {
    let flows = vec![nps_survey()];
    for (signal, starts) in [
        (page(), true),
        (
            Signal::Tracked {
                name: "anything".into(),
            },
            false,
        ),
        (Signal::TargetClicked, false),
    ] {
        let (names, _, _) = run(&flows, std::slice::from_ref(&signal));
        assert_eq!(!names.is_empty(), starts, "{signal:?}");
    }
}
