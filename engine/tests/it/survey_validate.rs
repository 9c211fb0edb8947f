//! Data-driven tests of survey validation: each case changes one thing in a valid survey and
//! lists exactly the (field, code) pairs it must produce.

use engine::Flow;
use engine::validate::{validate_flow, validate_references};
use serde_json::{Value, json};

/// A valid survey: an NPS score branching to two follow-ups, then a thank-you step.
fn survey() -> Value {
    json!({
        "id": "nps", "name": "NPS", "trigger": {"type": "manual"},
        "survey": {"sample_percent": 50, "reask_days": 90},
        "steps": [
            {"id": "score", "kind": "slideout", "title": "",
             "question": {"kind": "nps", "branches": [{"when": {"max": 6}, "goto": "better"},
                                                      {"when": {"min": 9}, "goto": "love"}]}},
            {"id": "better", "kind": "slideout", "title": "Better?",
             "question": {"kind": "text", "next": "thanks"}},
            {"id": "love", "kind": "modal", "title": "Why?",
             "question": {"kind": "single", "options": [{"id": "speed", "label": "Speed"},
                                                        {"id": "price", "label": "Price"}]}},
            {"id": "thanks", "kind": "slideout", "title": "Thank you!"}
        ]
    })
}

/// `survey()` with the value at a JSON pointer replaced (or removed when `None`).
fn edit(pointer: &str, value: Option<Value>) -> Value {
    let mut flow = survey();
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let target = flow
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{pointer}"));
    match (target, value) {
        (Value::Object(object), Some(value)) => {
            object.insert(key.to_string(), value);
        }
        (Value::Object(object), None) => {
            object.remove(key);
        }
        (Value::Array(items), Some(value)) => {
            let index: usize = key.parse().unwrap_or(items.len());
            if index < items.len() {
                items[index] = value;
            } else {
                items.push(value);
            }
        }
        _ => panic!("{pointer}"),
    }
    flow
}

fn pairs(flow: &Value, others: &[Flow]) -> Vec<(String, String)> {
    let parsed: Flow =
        serde_json::from_value(flow.clone()).unwrap_or_else(|error| panic!("{flow}: {error}"));
    let mut errors = validate_flow(&parsed);
    errors.extend(validate_references(&parsed, others));
    let mut pairs: Vec<(String, String)> = errors
        .into_iter()
        .map(|error| (error.field, error.code))
        .collect();
    pairs.sort();
    pairs
}

fn check(case: &str, flow: Value, wanted: &[(&str, &str)]) {
    let mut wanted: Vec<(String, String)> = wanted
        .iter()
        .map(|(field, code)| (field.to_string(), code.to_string()))
        .collect();
    wanted.sort();
    assert_eq!(pairs(&flow, &[]), wanted, "{case}: {flow}");
}

/// Case name, the flow, and the (field, code) pairs it must produce.
type ValidationCase = (&'static str, Value, Vec<(&'static str, &'static str)>);

#[test]
fn survey_validation() {
    let q = |step: usize, rest: &str| format!("/steps/{step}/question/{rest}");
    let cases: Vec<ValidationCase> = vec![
        ("the valid survey", survey(), vec![]),
        (
            "branch to a missing question",
            edit(&q(0, "branches/1/goto"), Some(json!("gone"))),
            vec![("steps[0].question.branches[1].goto", "unknown_step")],
        ),
        (
            "branch backwards",
            edit(&q(1, "next"), Some(json!("score"))),
            vec![("steps[1].question.next", "not_after")],
        ),
        (
            "branch to itself",
            edit(&q(0, "branches/0/goto"), Some(json!("score"))),
            vec![("steps[0].question.branches[0].goto", "not_after")],
        ),
        (
            "next naming no step",
            edit(&q(1, "next"), Some(json!("nowhere"))),
            vec![("steps[1].question.next", "unknown_step")],
        ),
        (
            "a score range outside the scale",
            edit(&q(0, "branches/1/when"), Some(json!({"min": 9, "max": 11}))),
            vec![("steps[0].question.branches[1].when.max", "out_of_range")],
        ),
        (
            "min above max",
            edit(&q(0, "branches/1/when"), Some(json!({"min": 9, "max": 3}))),
            vec![("steps[0].question.branches[1].when", "empty_range")],
        ),
        (
            "an empty condition",
            edit(&q(0, "branches/1/when"), Some(json!({}))),
            vec![("steps[0].question.branches[1].when", "required")],
        ),
        (
            "a choice on a score question",
            edit(
                &q(0, "branches/1/when"),
                Some(json!({"min": 9, "choice": "speed"})),
            ),
            vec![("steps[0].question.branches[1].when.choice", "not_allowed")],
        ),
        (
            "a choice branch naming no option",
            edit(
                &q(2, "branches"),
                Some(json!([{"when": {"choice": "cost"}, "goto": "thanks"}])),
            ),
            vec![(
                "steps[2].question.branches[0].when.choice",
                "unknown_option",
            )],
        ),
        (
            "a branch on a text question",
            edit(
                &q(1, "branches"),
                Some(json!([{"when": {"min": 1}, "goto": "thanks"}])),
            ),
            vec![("steps[1].question.branches[0].when", "not_allowed")],
        ),
        (
            "options missing",
            edit(&q(2, "options"), None),
            vec![("steps[2].question.options", "too_few")],
        ),
        (
            "one option only",
            edit(&q(2, "options"), Some(json!([{"id": "a", "label": "A"}]))),
            vec![("steps[2].question.options", "too_few")],
        ),
        (
            "options duplicated",
            edit(&q(2, "options/1/id"), Some(json!("speed"))),
            vec![("steps[2].question.options[1].id", "duplicate")],
        ),
        (
            "an option without a label",
            edit(&q(2, "options/1/label"), Some(json!(" "))),
            vec![("steps[2].question.options[1].label", "required")],
        ),
        (
            "options on a score question",
            edit(
                &q(0, "options"),
                Some(json!([{"id": "a", "label": "A"}, {"id": "b", "label": "B"}])),
            ),
            vec![("steps[0].question.options", "not_allowed")],
        ),
        (
            "sample_percent 0",
            edit("/survey/sample_percent", Some(json!(0))),
            vec![("survey.sample_percent", "out_of_range")],
        ),
        (
            "sample_percent 101",
            edit("/survey/sample_percent", Some(json!(101))),
            vec![("survey.sample_percent", "out_of_range")],
        ),
        (
            "reask_days 0",
            edit("/survey/reask_days", Some(json!(0))),
            vec![("survey.reask_days", "out_of_range")],
        ),
        (
            "max_length 0",
            edit(&q(1, "max_length"), Some(json!(0))),
            vec![("steps[1].question.max_length", "out_of_range")],
        ),
        (
            "max_length 5001",
            edit(&q(1, "max_length"), Some(json!(5001))),
            vec![("steps[1].question.max_length", "out_of_range")],
        ),
        (
            "max_length 5000",
            edit(&q(1, "max_length"), Some(json!(5000))),
            vec![],
        ),
        (
            "max_length on a score question",
            edit(&q(0, "max_length"), Some(json!(10))),
            vec![("steps[0].question.max_length", "not_allowed")],
        ),
        (
            "a task on an NPS question",
            edit(&q(0, "task"), Some(json!("import"))),
            vec![("steps[0].question.task", "not_allowed")],
        ),
        (
            "a question on a flow without survey",
            edit("/survey", None),
            vec![
                ("steps[0].question", "not_a_survey"),
                ("steps[1].question", "not_a_survey"),
                ("steps[2].question", "not_a_survey"),
                // Not a survey, so the ordinary rules apply again: a way forward by button.
                ("steps[0].buttons", "no_way_forward"),
                ("steps[1].buttons", "no_way_forward"),
                ("steps[2].buttons", "no_way_forward"),
                ("steps[3].buttons", "no_way_forward"),
            ],
        ),
        (
            "a survey without any question",
            json!({"id": "s", "name": "S", "trigger": {"type": "manual"}, "survey": {},
                   "steps": [{"id": "thanks", "kind": "modal", "title": "Thanks"}]}),
            vec![("steps", "no_question")],
        ),
        (
            "a tooltip in a survey",
            edit("/steps/3/kind", Some(json!("tooltip"))),
            vec![
                ("steps[3].kind", "invalid_kind"),
                ("steps[3].target", "required"),
            ],
        ),
        (
            "a banner in a survey",
            edit("/steps/3/kind", Some(json!("banner"))),
            vec![("steps[3].kind", "invalid_kind")],
        ),
        (
            "a blank title on a text question",
            edit("/steps/1/title", Some(json!(""))),
            vec![("steps[1].title", "required")],
        ),
        (
            "next and back buttons",
            edit(
                "/steps/0/buttons",
                Some(json!([{"action": "next", "label": "Go"},
                                                 {"action": "dismiss", "label": "Later"}])),
            ),
            vec![("steps[0].buttons[0].action", "not_allowed")],
        ),
        (
            "back on a thank-you step",
            edit(
                "/steps/3/buttons",
                Some(json!([{"action": "back", "label": "Back"}])),
            ),
            vec![("steps[3].buttons[0].action", "not_allowed")],
        ),
        (
            "a question advancing on click",
            edit(
                "/steps/0/advance",
                Some(json!({"type": "event", "name": "x"})),
            ),
            vec![("steps[0].advance", "not_allowed")],
        ),
    ];
    for (case, flow, wanted) in cases {
        check(case, flow, &wanted);
    }
}

#[test]
fn trigger_validation() {
    let tour: Flow = serde_json::from_value(json!({
        "id": "tour", "name": "Tour", "trigger": {"type": "manual"},
        "steps": [{"id": "one", "kind": "modal", "title": "1", "buttons": [{"action": "next", "label": "Next"}]}]
    }))
    .unwrap_or_else(|error| panic!("{error}"));
    let others = [tour];
    let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
        (json!({"type": "completed", "flow": "tour"}), vec![]),
        (
            json!({"type": "completed", "flow": "nope"}),
            vec![("trigger.flow", "unknown_flow")],
        ),
        (
            json!({"type": "completed", "flow": "nps"}),
            vec![("trigger.flow", "cyclic_trigger")],
        ),
        (
            json!({"type": "completed", "flow": "Bad Id"}),
            vec![
                ("trigger.flow", "invalid_identifier"),
                ("trigger.flow", "unknown_flow"),
            ],
        ),
        (
            json!({"type": "step_completed", "flow": "tour", "step": "one"}),
            vec![],
        ),
        (
            json!({"type": "step_completed", "flow": "tour", "step": "two"}),
            vec![("trigger.step", "unknown_step")],
        ),
        (
            json!({"type": "step_completed", "flow": "tour", "step": ""}),
            vec![
                ("trigger.step", "required"),
                ("trigger.step", "unknown_step"),
            ],
        ),
        (
            json!({"type": "days_after", "since": "signup", "days": 14}),
            vec![],
        ),
        (
            json!({"type": "days_after", "since": "first_seen", "days": 0}),
            vec![],
        ),
        (
            json!({"type": "days_after", "since": "signup", "days": 4000}),
            vec![("trigger.days", "out_of_range")],
        ),
    ];
    for (trigger, wanted) in cases {
        let mut flow = survey();
        flow["trigger"] = trigger.clone();
        let mut wanted: Vec<(String, String)> = wanted
            .iter()
            .map(|(field, code)| (field.to_string(), code.to_string()))
            .collect();
        wanted.sort();
        assert_eq!(pairs(&flow, &others), wanted, "{trigger}");
    }
    // Unknown `since` values and stray fields are parse errors, like every other trigger.
    for trigger in [
        json!({"type": "days_after", "since": "birthday", "days": 1}),
        json!({"type": "completed", "flow": "tour", "step": "one"}),
    ] {
        let mut flow = survey();
        flow["trigger"] = trigger.clone();
        assert!(serde_json::from_value::<Flow>(flow).is_err(), "{trigger}");
    }
}

#[test]
fn translations_may_leave_a_standard_title_blank() {
    let mut flow = survey();
    flow["translations"] = json!({"fr": {"steps": {
        "score": {"title": ""},
        "better": {"title": "Mieux ?"},
        "love": {"title": ""},
        "thanks": {"title": "Merci !"}
    }}});
    check(
        "a blank translation is fine only where the base takes the standard title",
        flow,
        &[("translations.fr.steps.love.title", "missing_translation")],
    );
}

#[test]
fn translations_of_question_texts() {
    // A complete French translation, with `extra` merged into each named step's text.
    let translated = |extra: Value| {
        let mut flow = survey();
        let mut steps = json!({
            "score": {"title": ""},
            "better": {"title": "Mieux ?"},
            "love": {"title": "Pourquoi ?"},
            "thanks": {"title": "Merci !"}
        });
        for (step, fields) in extra.as_object().unwrap() {
            for (name, value) in fields.as_object().unwrap() {
                steps[step][name] = value.clone();
            }
        }
        flow["translations"] = json!({"fr": {"steps": steps}});
        flow
    };
    let long = "x".repeat(61);
    let cases: Vec<ValidationCase> = vec![
        (
            "option and end labels where the question has them",
            translated(json!({
                "love": {"options": ["Vitesse", "Prix"]},
                "score": {"low_label": "Pas du tout", "high_label": "Tout à fait"}
            })),
            vec![],
        ),
        (
            "fewer option labels, and blank ones, keep the base",
            translated(json!({
                "love": {"options": [""]},
                "score": {"low_label": " "}
            })),
            vec![],
        ),
        (
            "more option labels than options",
            translated(json!({"love": {"options": ["Vitesse", "Prix", "Docs"]}})),
            vec![("translations.fr.steps.love.options", "too_many")],
        ),
        (
            "option labels on a scale question",
            translated(json!({"score": {"options": ["Un"]}})),
            vec![("translations.fr.steps.score.options", "not_allowed")],
        ),
        (
            "option labels on a text question and on a step without a question",
            translated(json!({
                "better": {"options": ["Un"]},
                "thanks": {"options": ["Un"]}
            })),
            vec![
                ("translations.fr.steps.better.options", "not_allowed"),
                ("translations.fr.steps.thanks.options", "not_allowed"),
            ],
        ),
        (
            "end labels on a choice question and on a step without a question",
            translated(json!({
                "love": {"low_label": "Peu"},
                "thanks": {"high_label": "Beaucoup"}
            })),
            vec![
                ("translations.fr.steps.love.low_label", "not_allowed"),
                ("translations.fr.steps.thanks.high_label", "not_allowed"),
            ],
        ),
        (
            "labels longer than a label",
            translated(json!({
                "love": {"options": ["Vitesse", long]},
                "score": {"high_label": long}
            })),
            vec![
                ("translations.fr.steps.love.options[1]", "too_long"),
                ("translations.fr.steps.score.high_label", "too_long"),
            ],
        ),
    ];
    for (case, flow, wanted) in cases {
        check(case, flow, &wanted);
    }
}
