//! Data-driven tests of step-level prerequisites in the step engine: locked steps are passed over
//! with `step_skipped`, `decide` never shows one, and checklists never enter the step engine.

use engine::progress::{Signal, decide, pass_locked_steps, react};
use engine::{ButtonAction, Context, Flow, UserProgress};
use serde_json::json;

/// A four-step modal tour started by the page `/`; `locked` names the step ids that are locked.
fn tour(locked: &[&str], frequency: &str) -> Flow {
    let steps: Vec<serde_json::Value> = ["one", "two", "three", "four"]
        .iter()
        .map(|id| {
            json!({"id": id, "kind": "modal", "title": id, "locked": locked.contains(id),
                   "buttons": [{"action": "back", "label": "Back"}, {"action": "next", "label": "Next"}]})
        })
        .collect();
    serde_json::from_value(json!({
        "id": "tour", "name": "Tour", "status": "published", "frequency": frequency,
        "trigger": {"type": "url", "pattern": "/"}, "steps": steps
    }))
    .unwrap()
}

fn page() -> Signal {
    Signal::Page { url: "/".into() }
}

fn button(action: ButtonAction) -> Signal {
    Signal::Button { action }
}

/// Runs the signals; returns `name:step_index` for each event and the decided step index.
fn run(flows: &[Flow], signals: &[Signal]) -> (Vec<String>, UserProgress) {
    let mut progress = UserProgress::default();
    let mut names = Vec::new();
    for signal in signals {
        for event in react(flows, &progress, signal) {
            progress.apply(&event);
            let (name, properties) = event.to_track();
            names.push(match properties.get("step_index") {
                Some(index) => format!("{name}:{index}"),
                None => name,
            });
        }
    }
    (names, progress)
}

fn check(
    flows: &[Flow],
    signals: &[Signal],
    expected: &[&str],
    decided: Option<usize>,
    case: &str,
) {
    let (names, progress) = run(flows, signals);
    assert_eq!(names, expected, "{case}");
    let decision = decide(flows, &progress, &Context::default());
    assert_eq!(
        decision.as_ref().map(|decision| decision.step_index),
        decided,
        "decision: {case}"
    );
    if let Some(decision) = decision {
        let flow = flows
            .iter()
            .find(|flow| flow.id == decision.flow_id)
            .unwrap();
        assert!(
            !flow.steps[decision.step_index].locked,
            "decided a locked step: {case}"
        );
    }
}

/// The flow, the signals, the expected `name:step_index` events, the decided step and the case name.
type LockedCase = (
    Flow,
    Vec<Signal>,
    Vec<&'static str>,
    Option<usize>,
    &'static str,
);

#[test]
fn locked_steps_are_skipped() {
    use ButtonAction::{Back, Next};
    let cases: Vec<LockedCase> = vec![
        (
            tour(&[], "once"),
            vec![page()],
            vec!["flow_started"],
            Some(0),
            "nothing locked",
        ),
        (
            tour(&["one"], "once"),
            vec![page()],
            vec!["flow_started", "step_skipped:0"],
            Some(1),
            "a locked first step is skipped at start",
        ),
        (
            tour(&["two", "three"], "once"),
            vec![page(), button(Next)],
            vec![
                "flow_started",
                "step_completed:0",
                "step_skipped:1",
                "step_skipped:2",
            ],
            Some(3),
            "consecutive locked steps are all skipped",
        ),
        (
            tour(&["four"], "once"),
            vec![page(), button(Next), button(Next), button(Next)],
            vec![
                "flow_started",
                "step_completed:0",
                "step_completed:1",
                "step_completed:2",
                "step_skipped:3",
                "flow_completed",
            ],
            None,
            "a skipped last step completes the flow",
        ),
        (
            tour(&["two"], "once"),
            vec![page(), button(Next), button(Back)],
            vec![
                "flow_started",
                "step_completed:0",
                "step_skipped:1",
                "step_back:2",
                "step_back:1",
            ],
            Some(0),
            "back passes back over a locked step",
        ),
        (
            tour(&["one"], "once"),
            vec![page(), button(Back)],
            vec!["flow_started", "step_skipped:0"],
            Some(1),
            "back with only locked steps behind does nothing",
        ),
        (
            tour(&["one", "two", "three", "four"], "once"),
            vec![
                page(),
                Signal::Start {
                    flow_id: "tour".into(),
                },
            ],
            vec![],
            None,
            "a flow with every step locked never starts",
        ),
    ];
    for (flow, signals, expected, decided, case) in cases {
        check(&[flow], &signals, &expected, decided, case);
    }
}

/// The collector locks the step a returning user stands on: `decide` already shows the next
/// open step, and `pass_locked_steps` (or the next `react`) records the skip.
#[test]
fn a_step_locked_after_the_fact_is_passed_over() {
    let open = [tour(&[], "once")];
    let (_, progress) = run(&open, &[page(), button(ButtonAction::Next)]);
    let locked = [tour(&["two", "three"], "once")];
    let decision = decide(&locked, &progress, &Context::default()).unwrap();
    assert_eq!(
        (decision.step_index, decision.step_id.as_str()),
        (3, "four")
    );
    let skipped: Vec<String> = pass_locked_steps(&locked, &progress)
        .iter()
        .map(|event| event.to_track().0)
        .collect();
    assert_eq!(skipped, ["step_skipped", "step_skipped"]);
    // A button pressed on the step `decide` showed acts on that step.
    let names: Vec<String> = react(&locked, &progress, &button(ButtonAction::Next))
        .iter()
        .map(|event| event.to_track().0)
        .collect();
    assert_eq!(
        names,
        [
            "step_skipped",
            "step_skipped",
            "step_completed",
            "flow_completed"
        ]
    );
    let every_locked = [tour(&["two", "three", "four"], "once")];
    assert_eq!(decide(&every_locked, &progress, &Context::default()), None);
}

#[test]
fn checklists_never_run_in_the_step_engine() {
    let checklist: Flow = serde_json::from_value(json!({
        "id": "onboarding", "name": "Onboarding", "status": "published", "priority": 10,
        "trigger": {"type": "url", "pattern": "*"},
        "checklist": {"title": "Start", "items": [{"id": "a", "title": "A", "manual": true}]}
    }))
    .unwrap();
    let flows = [checklist, tour(&[], "once")];
    let (names, _) = run(&flows, &[page()]);
    assert_eq!(names, ["flow_started"]);
    let (names, progress) = run(
        &flows[..1],
        &[
            page(),
            Signal::Start {
                flow_id: "onboarding".into(),
            },
        ],
    );
    assert_eq!(names, Vec::<String>::new());
    assert_eq!(decide(&flows[..1], &progress, &Context::default()), None);
}

/// `every_session` restarts like `every_time` in the engine; the widget's session log enforces
/// the once-per-session part.
#[test]
fn every_session_restarts_like_every_time() {
    for frequency in ["every_time", "every_session"] {
        let flows = [tour(&[], frequency)];
        let (names, _) = run(&flows, &[page(), button(ButtonAction::Dismiss), page()]);
        assert_eq!(
            names,
            ["flow_started", "flow_dismissed:0", "flow_started"],
            "{frequency}"
        );
    }
}

#[test]
fn requirements_lock_steps_and_items() {
    use engine::audience::Facts;
    use engine::flow::{lock_unmet_requirements, requirements_met};
    let mut flow = tour(&["one"], "once");
    flow.requires = serde_json::from_value(json!({"completed": "basics"})).unwrap();
    flow.steps[1].requires = serde_json::from_value(json!({"visited": "/projects*"})).unwrap();
    for (completed, visited, met, locked) in [
        (vec![], vec![], false, [false, true, false, false]),
        (
            vec!["basics"],
            vec!["/projects/1"],
            true,
            [false, false, false, false],
        ),
    ] {
        let facts = Facts {
            completed: completed.into_iter().map(String::from).collect(),
            visited: visited.into_iter().map(String::from).collect(),
            ..Facts::default()
        };
        assert_eq!(requirements_met(&flow, &facts), met);
        lock_unmet_requirements(&mut flow, &facts);
        let actual: Vec<bool> = flow.steps.iter().map(|step| step.locked).collect();
        assert_eq!(actual, locked, "{facts:?}");
    }
}
