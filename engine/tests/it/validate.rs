//! Data-driven tests of flow, reference and settings validation: each case is an input as JSON
//! and exactly the (field, code) pairs it must produce.

use engine::Flow;
use engine::settings::AppSettings;
use engine::validate::{FieldError, validate_flow, validate_references, validate_settings};
use serde_json::{Value, json};

/// A valid one-step flow of `kind` with the given extra step fields.
fn step_flow(kind: &str, extra: Value) -> Value {
    let mut step = json!({"id": "s", "kind": kind, "title": "Hi",
                          "buttons": [{"action": "next", "label": "OK"}]});
    for (key, value) in extra.as_object().unwrap() {
        step[key] = value.clone();
    }
    json!({"id": "f", "name": "F", "trigger": {"type": "manual"}, "steps": [step]})
}

/// A valid checklist flow with the given items (and extra checklist fields).
fn checklist_flow(items: Value, extra: Value) -> Value {
    let mut checklist = json!({"title": "Start", "items": items});
    for (key, value) in extra.as_object().unwrap() {
        checklist[key] = value.clone();
    }
    json!({"id": "onboarding", "name": "Onboarding", "trigger": {"type": "manual"}, "checklist": checklist})
}

fn with(mut flow: Value, key: &str, value: Value) -> Value {
    flow[key] = value;
    flow
}

fn parse(flow: &Value) -> Flow {
    serde_json::from_value(flow.clone()).unwrap_or_else(|error| panic!("{flow}: {error}"))
}

fn pairs(errors: Vec<FieldError>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = errors
        .into_iter()
        .map(|error| (error.field, error.code))
        .collect();
    pairs.sort();
    pairs
}

fn expected(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(field, code)| (field.to_string(), code.to_string()))
        .collect();
    pairs.sort();
    pairs
}

fn check(flow: Value, wanted: &[(&str, &str)]) {
    assert_eq!(
        pairs(validate_flow(&parse(&flow))),
        expected(wanted),
        "{flow}"
    );
}

#[test]
fn step_kinds() {
    let cases = vec![
        (step_flow("modal", json!({})), vec![]),
        (step_flow("hotspot", json!({"target": "#new"})), vec![]),
        (
            step_flow("hotspot", json!({})),
            vec![("steps[0].target", "required")],
        ),
        (
            step_flow("banner", json!({"placement": "top", "push": true})),
            vec![],
        ),
        (step_flow("banner", json!({})), vec![]),
        (
            step_flow("banner", json!({"placement": "left"})),
            vec![("steps[0].placement", "invalid_placement")],
        ),
        (step_flow("slideout", json!({"placement": "left"})), vec![]),
        (step_flow("slideout", json!({})), vec![]),
        (
            step_flow("slideout", json!({"placement": "top"})),
            vec![("steps[0].placement", "invalid_placement")],
        ),
        (
            step_flow("modal", json!({"push": true})),
            vec![("steps[0].push", "not_allowed")],
        ),
        (
            step_flow(
                "slideout",
                json!({"media": {"kind": "image", "url": "https://cdn.example.com/a.png", "alt": "A chart"}}),
            ),
            vec![],
        ),
        (
            step_flow(
                "modal",
                json!({"media": {"kind": "video", "url": "/media/intro.mp4", "alt": ""}}),
            ),
            vec![],
        ),
        (
            step_flow(
                "modal",
                json!({"media": {"kind": "image", "url": "http://x.com/a.png", "alt": " "}}),
            ),
            vec![
                ("steps[0].media.url", "unsafe_url"),
                ("steps[0].media.alt", "required"),
            ],
        ),
        (
            step_flow(
                "modal",
                json!({"media": {"kind": "image", "url": "javascript:alert(1)", "alt": "x"}}),
            ),
            vec![("steps[0].media.url", "unsafe_url")],
        ),
        (
            step_flow(
                "modal",
                json!({"media": {"kind": "image", "url": "//evil.example/a.png", "alt": "x"}}),
            ),
            vec![("steps[0].media.url", "unsafe_url")],
        ),
        (
            step_flow(
                "tooltip",
                json!({"target": "#x", "media": {"kind": "image", "url": "/a.png", "alt": "x"}}),
            ),
            vec![("steps[0].media", "not_allowed")],
        ),
        (
            step_flow("modal", json!({"requires": {"all": []}})),
            vec![("steps[0].requires.all", "invalid_length")],
        ),
        (
            with(
                step_flow("modal", json!({})),
                "requires",
                json!({"completed": "Not An Id"}),
            ),
            vec![("requires.completed", "invalid_identifier")],
        ),
    ];
    for (flow, wanted) in cases {
        check(flow, &wanted);
    }
}

#[test]
fn checklists() {
    let manual = |id: &str| json!({"id": id, "title": id, "manual": true});
    let cases = vec![
        (
            checklist_flow(
                json!([manual("a")]),
                json!({"badge": {"id": "starter", "name": "Starter"}}),
            ),
            vec![],
        ),
        (
            with(
                checklist_flow(json!([manual("a")]), json!({})),
                "steps",
                step_flow("modal", json!({}))["steps"].clone(),
            ),
            vec![("checklist", "conflicts")],
        ),
        (
            json!({"id": "x", "name": "X", "trigger": {"type": "manual"}}),
            vec![("steps", "required")],
        ),
        (
            checklist_flow(json!([]), json!({"title": " "})),
            vec![
                ("checklist.title", "required"),
                ("checklist.items", "invalid_length"),
            ],
        ),
        (
            checklist_flow(
                json!(
                    (0..31)
                        .map(|index| manual(&format!("i{index}")))
                        .collect::<Vec<_>>()
                ),
                json!({}),
            ),
            vec![("checklist.items", "invalid_length")],
        ),
        (
            checklist_flow(json!([manual("a"), manual("a"), manual("B")]), json!({})),
            vec![
                ("checklist.items[1].id", "duplicate"),
                ("checklist.items[2].id", "invalid_identifier"),
            ],
        ),
        (
            checklist_flow(
                json!([
                    {"id": "a", "title": "A", "manual": true, "depends_on": ["b"]},
                    {"id": "b", "title": "B", "manual": true, "depends_on": ["a", "b"]},
                    {"id": "c", "title": "C", "manual": true, "depends_on": ["nope"]}
                ]),
                json!({}),
            ),
            vec![
                ("checklist.items[0].depends_on[0]", "forward_dependency"),
                ("checklist.items[1].depends_on[1]", "forward_dependency"),
                ("checklist.items[2].depends_on[0]", "unknown_item"),
            ],
        ),
        (
            checklist_flow(json!([{"id": "a", "title": "A"}]), json!({})),
            vec![("checklist.items[0].done_when", "never_completes")],
        ),
        (
            checklist_flow(
                json!([
                    {"id": "a", "title": "A", "done_when": {"event": "x", "op": "not_done"}},
                    {"id": "b", "title": "B", "done_when": {"trait": "plan", "op": "not_exists"}},
                    {"id": "c", "title": "C", "done_when": {"not": {"url": "/x"}}},
                    {"id": "d", "title": "D", "done_when": {"event": "x", "op": "at_most", "count": 2}},
                    {"id": "e", "title": "E", "done_when": {"event": "x", "op": "at_least"}}
                ]),
                json!({}),
            ),
            vec![
                ("checklist.items[0].done_when", "condition_never_holds"),
                ("checklist.items[1].done_when", "condition_never_holds"),
                ("checklist.items[2].done_when", "condition_never_holds"),
                ("checklist.items[4].done_when.count", "required"),
            ],
        ),
        (
            checklist_flow(
                json!([{"id": "a", "title": "A", "manual": true, "launch_flow": "Bad",
                        "requires": {"visited": "projects"}}]),
                json!({"badge": {"id": "", "name": ""}}),
            ),
            vec![
                ("checklist.items[0].launch_flow", "invalid_identifier"),
                ("checklist.items[0].requires.visited", "invalid_pattern"),
                ("checklist.badge.id", "required"),
                ("checklist.badge.name", "required"),
            ],
        ),
    ];
    for (flow, wanted) in cases {
        check(flow, &wanted);
    }
}

#[test]
fn translations_and_theme_overrides() {
    let tour = json!({"id": "f", "name": "F", "trigger": {"type": "manual"}, "steps": [
        {"id": "one", "kind": "modal", "title": "One", "buttons": [{"action": "next", "label": "OK"}]},
        {"id": "two", "kind": "modal", "title": "Two", "buttons": [{"action": "next", "label": "OK"}]}
    ]});
    let list = checklist_flow(
        json!([{"id": "a", "title": "A", "manual": true}]),
        json!({}),
    );
    let long_body = "x".repeat(10_001);
    let cases = vec![
        (
            with(
                tour.clone(),
                "translations",
                json!({"fr": {"steps": {"one": {"title": "Un"}, "two": {"title": "Deux"}}}}),
            ),
            vec![],
        ),
        (
            with(
                tour.clone(),
                "translations",
                json!({"fr": {"steps": {"one": {"title": "Un", "body": long_body}}}}),
            ),
            vec![
                ("translations.fr.steps.one.body", "too_long"),
                ("translations.fr.steps.two", "missing_translation"),
            ],
        ),
        (
            with(
                tour.clone(),
                "translations",
                json!({
                    "pt-BR": {"steps": {"one": {"title": " "}, "two": {"title": "Dois"}, "three": {"title": "Três"}}},
                    "not a tag": {"steps": {"one": {"title": "x"}, "two": {"title": "y"}}}
                }),
            ),
            vec![
                ("translations.not a tag", "invalid_locale"),
                ("translations.pt-BR.steps.one.title", "missing_translation"),
                ("translations.pt-BR.steps.three", "unknown_step"),
            ],
        ),
        (
            with(
                list.clone(),
                "translations",
                json!({"de": {"checklist_title": "Los", "items": {"a": {"title": "A"}}}}),
            ),
            vec![],
        ),
        (
            with(list.clone(), "translations", json!({"de": {"items": {}}})),
            vec![
                ("translations.de.checklist_title", "missing_translation"),
                ("translations.de.items.a", "missing_translation"),
            ],
        ),
        (
            with(
                tour.clone(),
                "theme",
                json!({"accent": "#3b4bd8", "accent_text": "#ffffff", "radius_px": 32}),
            ),
            vec![],
        ),
        (
            with(
                tour.clone(),
                "theme",
                json!({"accent": "blue", "radius_px": 33, "font": "x; } body { color: red"}),
            ),
            vec![
                ("theme.accent", "invalid_color"),
                ("theme.radius_px", "out_of_range"),
                ("theme.font", "invalid_font"),
            ],
        ),
        (
            with(
                tour.clone(),
                "theme",
                json!({"accent": "#ffff00", "accent_text": "#ffffff"}),
            ),
            vec![("theme.accent_text", "insufficient_contrast")],
        ),
    ];
    for (flow, wanted) in cases {
        check(flow, &wanted);
    }
}

/// Flows by id that only carry `requires` (and optionally a checklist), for reference checks.
fn requiring(id: &str, requires: Option<Value>) -> Value {
    let mut flow = step_flow("modal", json!({}));
    flow["id"] = json!(id);
    if let Some(requires) = requires {
        flow["requires"] = requires;
    }
    flow
}

fn check_references(flow: Value, others: &[Value], wanted: &[(&str, &str)]) -> Vec<FieldError> {
    let others: Vec<Flow> = others.iter().map(parse).collect();
    let errors = validate_references(&parse(&flow), &others);
    assert_eq!(pairs(errors.clone()), expected(wanted), "{flow}");
    errors
}

/// The flow being saved, the app's other flows and the expected (field, code) pairs.
type ReferenceCase = (Value, Vec<Value>, Vec<(&'static str, &'static str)>);

#[test]
fn references_to_other_flows() {
    let basics = requiring("basics", None);
    let cases: Vec<ReferenceCase> = vec![
        (
            requiring("a", Some(json!({"completed": "basics"}))),
            vec![basics.clone()],
            vec![],
        ),
        (
            requiring(
                "a",
                Some(json!({"all": [{"url": "/x"}, {"completed": "nope"}]})),
            ),
            vec![basics.clone()],
            vec![("requires.all[1].completed", "condition_never_holds")],
        ),
        (
            requiring("a", Some(json!({"completed": "a"}))),
            vec![],
            vec![("requires.completed", "cyclic_prerequisite")],
        ),
        (
            step_flow("modal", json!({"requires": {"completed": "ghost"}})),
            vec![],
            vec![("steps[0].requires.completed", "condition_never_holds")],
        ),
        (
            checklist_flow(
                json!([
                    {"id": "a", "title": "A", "done_when": {"completed": "basics"}, "launch_flow": "basics"},
                    {"id": "b", "title": "B", "done_when": {"completed": "ghost"}, "launch_flow": "ghost"},
                    {"id": "c", "title": "C", "manual": true, "requires": {"not": {"completed": "nope"}}},
                    {"id": "d", "title": "D", "done_when": {"completed": "onboarding"}, "launch_flow": "onboarding"}
                ]),
                json!({}),
            ),
            vec![basics.clone()],
            vec![
                (
                    "checklist.items[1].done_when.completed",
                    "condition_never_holds",
                ),
                ("checklist.items[1].launch_flow", "unknown_flow"),
                (
                    "checklist.items[2].requires.not.completed",
                    "condition_never_holds",
                ),
                (
                    "checklist.items[3].done_when.completed",
                    "cyclic_prerequisite",
                ),
                ("checklist.items[3].launch_flow", "not_a_tour"),
            ],
        ),
        (
            requiring("a", Some(json!({"completed": "b"}))),
            vec![requiring("b", Some(json!({"completed": "a"})))],
            vec![("requires", "cyclic_prerequisite")],
        ),
        // A stale stored copy of the flow itself is replaced by the one being saved.
        (
            requiring("a", Some(json!({"completed": "b"}))),
            vec![requiring("a", None), requiring("b", None)],
            vec![],
        ),
        (
            requiring("a", Some(json!({"completed": "b"}))),
            vec![
                requiring("b", Some(json!({"completed": "c"}))),
                requiring("c", Some(json!({"completed": "d"}))),
                requiring("d", None),
            ],
            vec![],
        ),
    ];
    for (flow, others, wanted) in cases {
        check_references(flow, &others, &wanted);
    }
}

#[test]
fn prerequisite_cycles_name_the_chain() {
    for (others, chain) in [
        (
            vec![requiring("b", Some(json!({"completed": "a"})))],
            "a → b → a",
        ),
        (
            vec![
                requiring(
                    "b",
                    Some(json!({"any": [{"completed": "x"}, {"completed": "c"}]})),
                ),
                requiring("c", Some(json!({"completed": "a"}))),
                requiring("x", None),
            ],
            "a → b → c → a",
        ),
    ] {
        let errors = check_references(
            requiring("a", Some(json!({"completed": "b"}))),
            &others,
            &[("requires", "cyclic_prerequisite")],
        );
        assert!(errors[0].message.contains(chain), "{}", errors[0].message);
    }
}

fn settings(changes: Value) -> AppSettings {
    let mut value = serde_json::to_value(AppSettings::default()).unwrap();
    merge(&mut value, changes);
    serde_json::from_value(value).unwrap()
}

fn merge(target: &mut Value, changes: Value) {
    match (target, changes) {
        (Value::Object(target), Value::Object(changes)) => {
            for (key, value) in changes {
                merge(target.entry(key).or_insert(Value::Null), value);
            }
        }
        (target, changes) => *target = changes,
    }
}

#[test]
fn app_settings() {
    let article = |id: &str, url: &str| json!({"id": id, "title": "Read me", "url": url});
    let many: Vec<Value> = (0..51)
        .map(|index| article(&format!("a{index}"), "/help"))
        .collect();
    let cases = vec![
        (json!({}), vec![]),
        (
            json!({"theme": {"light": {"background": "white", "border": "#12345"}, "radius_px": 40}}),
            vec![
                ("theme.light.background", "invalid_color"),
                ("theme.light.border", "invalid_color"),
                ("theme.radius_px", "out_of_range"),
            ],
        ),
        (
            json!({"theme": {"dark": {"muted": "#44485a"}, "light": {"accent": "#9aa5ff"}}}),
            vec![
                ("theme.dark.muted", "insufficient_contrast"),
                ("theme.light.accent_text", "insufficient_contrast"),
            ],
        ),
        (
            json!({"fatigue": {"max_per_session": 21, "cooldown_seconds": 86_401, "session_timeout_minutes": 0}}),
            vec![
                ("fatigue.max_per_session", "out_of_range"),
                ("fatigue.cooldown_seconds", "out_of_range"),
                ("fatigue.session_timeout_minutes", "out_of_range"),
            ],
        ),
        (
            json!({"fatigue": {"max_per_session": 20, "cooldown_seconds": 86_400, "session_timeout_minutes": 1440}}),
            vec![],
        ),
        (
            json!({"fatigue": {"session_timeout_minutes": 1441}}),
            vec![("fatigue.session_timeout_minutes", "out_of_range")],
        ),
        (
            json!({"resource_center": {"title": "x".repeat(61), "articles": [
                article("a", "https://docs.example.com/a"), article("a", "/help/b"),
                article("Bad", "javascript:alert(1)"), {"id": "c", "title": "", "url": ""}
            ]}}),
            vec![
                ("resource_center.title", "too_long"),
                ("resource_center.articles[1].id", "duplicate"),
                ("resource_center.articles[2].id", "invalid_identifier"),
                ("resource_center.articles[2].url", "unsafe_url"),
                ("resource_center.articles[3].title", "required"),
                ("resource_center.articles[3].url", "required"),
            ],
        ),
        (
            json!({"resource_center": {"title": " ", "articles": many}}),
            vec![
                ("resource_center.title", "required"),
                ("resource_center.articles", "too_many"),
            ],
        ),
    ];
    for (changes, wanted) in cases {
        let parsed = settings(changes.clone());
        assert_eq!(
            pairs(validate_settings(&parsed)),
            expected(&wanted),
            "{changes}"
        );
    }
}

#[test]
fn contrast_errors_carry_the_ratio() {
    let errors = validate_settings(&settings(json!({"theme": {"dark": {"muted": "#44485a"}}})));
    assert_eq!(errors.len(), 1);
    assert!(errors[0].message.contains(":1"), "{}", errors[0].message);
    assert!(errors[0].message.contains("4.5"), "{}", errors[0].message);
}
