//! Data-driven tests of targeting rules: each case is a rule as JSON, and whether one fixed user
//! (below) matches it. Parse and validation failures go through the same tables, naming the field.

use std::collections::BTreeMap;
use std::sync::Arc;

use engine::audience::{Device, Facts, Rule, matches, segment_refs, timestamp_ms, validate_rule};
use serde_json::{Value, json};

/// 2026-01-31T00:00:00Z, the fixed "now" of every case.
const NOW: i64 = 1_769_817_600_000;
const DAY: i64 = 86_400_000;

fn facts() -> Facts {
    let traits = json!({
        "plan": "pro",
        "seats": 12,
        "seats_text": "12",
        "beta": true,
        "nothing": null,
        "tags": ["admin", "early"],
        "email": "ada@example.com",
        "signed_up_at": "2026-01-28T12:00:00Z",
        "signed_up_ms": NOW - 3 * DAY,
        "trial_ends_at": "2026-03-01",
        "old_date": "2025-06-01T00:00:00+02:00",
    });
    let mut events = std::collections::HashMap::new();
    events.insert(
        "project_created".to_string(),
        vec![NOW - 40 * DAY, NOW - 10 * DAY, NOW - DAY, NOW - 1000],
    );
    let segments = BTreeMap::from([(
        "pros".to_string(),
        parse(json!({"trait": "plan", "op": "eq", "value": "pro"})),
    )]);
    Facts {
        traits: traits.as_object().unwrap().clone(),
        account_traits: json!({"size": 50, "industry": "retail"})
            .as_object()
            .unwrap()
            .clone(),
        events,
        url: Some("http://localhost:3000/projects/42?tab=1".into()),
        device: Some(Device::Mobile),
        locale: Some("fr-CA".into()),
        now_ms: NOW,
        segments: Arc::new(segments),
        ..Facts::default()
    }
}

fn parse(rule: Value) -> Rule {
    serde_json::from_value(rule.clone()).unwrap_or_else(|error| panic!("{rule}: {error}"))
}

/// Parses the rule, asserts it is valid and round-trips through JSON, and checks the match.
fn check(rule: Value, expected: bool) {
    let parsed = parse(rule.clone());
    assert_eq!(validate_rule(&parsed, "audience"), [], "valid: {rule}");
    assert_eq!(serde_json::to_value(&parsed).unwrap(), rule, "round trip");
    assert_eq!(matches(&parsed, &facts()), expected, "{rule}");
}

#[test]
fn trait_comparisons() {
    for (rule, expected) in [
        (json!({"trait": "plan", "op": "eq", "value": "pro"}), true),
        (json!({"trait": "plan", "op": "eq", "value": "Pro"}), false),
        (json!({"trait": "plan", "op": "neq", "value": "free"}), true),
        (
            json!({"trait": "plan", "op": "in", "value": ["team", "pro"]}),
            true,
        ),
        (
            json!({"trait": "plan", "op": "in", "value": ["free"]}),
            false,
        ),
        (
            json!({"trait": "email", "op": "contains", "value": "@example"}),
            true,
        ),
        (
            json!({"trait": "email", "op": "starts_with", "value": "ada"}),
            true,
        ),
        (
            json!({"trait": "email", "op": "starts_with", "value": "bob"}),
            false,
        ),
        (
            json!({"trait": "tags", "op": "contains", "value": "admin"}),
            true,
        ),
        (
            json!({"trait": "tags", "op": "contains", "value": "late"}),
            false,
        ),
        (json!({"trait": "seats", "op": "gte", "value": 12}), true),
        (json!({"trait": "seats", "op": "gt", "value": 12}), false),
        (json!({"trait": "seats", "op": "lt", "value": 12.5}), true),
        (json!({"trait": "seats", "op": "lte", "value": 11}), false),
        // Numbers and booleans sent as strings still compare.
        (
            json!({"trait": "seats_text", "op": "eq", "value": 12}),
            true,
        ),
        (json!({"trait": "seats_text", "op": "gt", "value": 2}), true),
        (json!({"trait": "beta", "op": "eq", "value": true}), true),
        (json!({"trait": "beta", "op": "eq", "value": "true"}), true),
        (json!({"trait": "beta", "op": "eq", "value": false}), false),
        // Type mismatches never match an ordering or a string operator.
        (json!({"trait": "plan", "op": "gt", "value": 3}), false),
        (
            json!({"trait": "seats", "op": "contains", "value": "1"}),
            false,
        ),
        (
            json!({"trait": "beta", "op": "starts_with", "value": "t"}),
            false,
        ),
        (
            json!({"trait": "seats", "op": "eq", "value": "twelve"}),
            false,
        ),
        (json!({"trait": "exists", "op": "exists"}), false),
        (json!({"trait": "plan", "op": "exists"}), true),
        (json!({"trait": "plan", "op": "not_exists"}), false),
        // Account traits are a separate bag.
        (
            json!({"account_trait": "size", "op": "gte", "value": 50}),
            true,
        ),
        (
            json!({"account_trait": "plan", "op": "eq", "value": "pro"}),
            false,
        ),
    ] {
        check(rule, expected);
    }
}

#[test]
fn missing_traits_match_only_not_exists() {
    for name in ["missing", "nothing"] {
        for (op, value, expected) in [
            ("eq", json!("x"), false),
            ("neq", json!("x"), false),
            ("contains", json!("x"), false),
            ("gt", json!(1), false),
            ("lt", json!(1), false),
            ("in", json!(["x"]), false),
            ("within_last_days", json!(7), false),
            ("more_than_days_ago", json!(7), false),
        ] {
            check(json!({"trait": name, "op": op, "value": value}), expected);
        }
        check(json!({"trait": name, "op": "exists"}), false);
        check(json!({"trait": name, "op": "not_exists"}), true);
    }
}

#[test]
fn dates_and_time_windows() {
    for (rule, expected) in [
        // Signed up 2.5 days ago: within the last 3 and 7 days, not the last 2; more than 2 days ago.
        (
            json!({"trait": "signed_up_at", "op": "within_last_days", "value": 7}),
            true,
        ),
        (
            json!({"trait": "signed_up_at", "op": "within_last_days", "value": 3}),
            true,
        ),
        (
            json!({"trait": "signed_up_at", "op": "within_last_days", "value": 2}),
            false,
        ),
        (
            json!({"trait": "signed_up_at", "op": "more_than_days_ago", "value": 2}),
            true,
        ),
        (
            json!({"trait": "signed_up_at", "op": "more_than_days_ago", "value": 3}),
            false,
        ),
        // Epoch milliseconds work the same, and the boundary itself is inside the window.
        (
            json!({"trait": "signed_up_ms", "op": "within_last_days", "value": 3}),
            true,
        ),
        (
            json!({"trait": "signed_up_ms", "op": "more_than_days_ago", "value": 3}),
            false,
        ),
        // A future date is not "in the last days".
        (
            json!({"trait": "trial_ends_at", "op": "within_last_days", "value": 365}),
            false,
        ),
        (
            json!({"trait": "trial_ends_at", "op": "gt", "value": "2026-02-28T23:59:59Z"}),
            true,
        ),
        (
            json!({"trait": "trial_ends_at", "op": "lt", "value": NOW}),
            false,
        ),
        // Offsets are honoured: 2025-06-01T00:00+02:00 is 2025-05-31T22:00Z.
        (
            json!({"trait": "old_date", "op": "lt", "value": "2025-05-31T22:00:01Z"}),
            true,
        ),
        (
            json!({"trait": "old_date", "op": "gte", "value": "2025-05-31T22:00:00.000Z"}),
            true,
        ),
        (
            json!({"trait": "old_date", "op": "gt", "value": "2025-05-31T22:00:00Z"}),
            false,
        ),
        (
            json!({"trait": "plan", "op": "within_last_days", "value": 7}),
            false,
        ),
    ] {
        check(rule, expected);
    }
    // Dates users send are parsed strictly and never panic: anything odd simply has no order.
    for (date, expected) in [
        ("2026-01-28", Some(NOW - 3 * DAY)),
        ("2026-01-28T01:30:00+0130", Some(NOW - 3 * DAY)),
        ("2026-01-27T23:00:00.5-01:00", Some(NOW - 3 * DAY + 500)),
        ("2026-01-28 00:00:00.123456Z", Some(NOW - 3 * DAY + 123)),
        ("2026-01-28T00:00:00.é", None),
        ("2026-01-28T00:00:00+99:00", None),
        ("2026-13-01", None),
        ("99999999999-01-01", None),
        ("+2026-01-01", None),
        ("2026-01-28T25:00", None),
        ("yesterday", None),
        ("", None),
    ] {
        assert_eq!(timestamp_ms(&json!(date)), expected, "{date}");
    }
}

#[test]
fn events_with_counts_and_windows() {
    for (rule, expected) in [
        (json!({"event": "project_created", "op": "done"}), true),
        (json!({"event": "project_created", "op": "not_done"}), false),
        (json!({"event": "invited", "op": "not_done"}), true),
        (
            json!({"event": "project_created", "op": "at_least", "count": 4}),
            true,
        ),
        (
            json!({"event": "project_created", "op": "at_least", "count": 5}),
            false,
        ),
        (
            json!({"event": "project_created", "op": "at_least", "count": 3, "within_days": 30}),
            true,
        ),
        (
            json!({"event": "project_created", "op": "at_least", "count": 3, "within_days": 7}),
            false,
        ),
        (
            json!({"event": "project_created", "op": "at_most", "count": 2, "within_days": 7}),
            true,
        ),
        (
            json!({"event": "project_created", "op": "not_done", "within_days": 1}),
            false,
        ),
        (
            json!({"event": "invited", "op": "at_most", "count": 0}),
            true,
        ),
    ] {
        check(rule, expected);
    }
}

#[test]
fn page_device_locale_and_segments() {
    for (rule, expected) in [
        (json!({"url": "/projects*"}), true),
        (json!({"url": "/settings"}), false),
        (json!({"device": "mobile"}), true),
        (json!({"device": "desktop"}), false),
        (json!({"locale": "fr"}), true),
        (json!({"locale": "FR-ca"}), true),
        (json!({"locale": "fr-FR"}), false),
        (json!({"locale": "f"}), false),
        (json!({"locale": "en"}), false),
        (json!({"segment": "pros"}), true),
        (json!({"segment": "unknown"}), false),
    ] {
        check(rule, expected);
    }
    // Without a page, device or locale (counting a segment), those rules never match.
    let bare = Facts {
        now_ms: NOW,
        ..Facts::default()
    };
    for rule in [
        json!({"url": "*"}),
        json!({"device": "desktop"}),
        json!({"locale": "en"}),
    ] {
        assert!(!matches(&parse(rule.clone()), &bare), "{rule}");
    }
    // `fr_CA` (underscore) counts as `fr-CA`; `fro` is another language.
    for (locale, expected) in [("fr_CA", true), ("fro", false), ("fr", true)] {
        let facts = Facts {
            locale: Some(locale.into()),
            ..Facts::default()
        };
        assert_eq!(
            matches(&parse(json!({"locale": "fr"})), &facts),
            expected,
            "{locale}"
        );
    }
}

#[test]
fn nested_all_any_not() {
    let pro = json!({"trait": "plan", "op": "eq", "value": "pro"});
    let free = json!({"trait": "plan", "op": "eq", "value": "free"});
    for (rule, expected) in [
        (json!({"all": [pro, {"device": "mobile"}]}), true),
        (json!({"all": [pro, free]}), false),
        (json!({"any": [free, pro]}), true),
        (json!({"any": [free, {"device": "desktop"}]}), false),
        (json!({"not": free}), true),
        (json!({"not": {"not": pro}}), true),
        (
            json!({"all": [{"any": [free, {"not": free}]}, {"not": {"any": [free]}}]}),
            true,
        ),
        // `not` over a missing trait's comparison is true: missing never matches, so its negation does.
        (
            json!({"not": {"trait": "missing", "op": "eq", "value": 1}}),
            true,
        ),
    ] {
        check(rule, expected);
    }
}

/// Rules that do not parse: the error's path and a message that helps.
#[test]
fn parse_errors_name_the_path() {
    for (rule, path, needle) in [
        (
            json!({"all": [{"device": "mobile"}, {"trait": "plan", "op": "equals", "value": "pro"}]}),
            "all[1].op",
            "trait rules use eq, neq, contains, starts_with, gt, gte, lt, lte, exists, not_exists, within_last_days, more_than_days_ago, in",
        ),
        (
            json!({"event": "x", "op": "many"}),
            "op",
            "event rules use done, not_done, at_least, at_most",
        ),
        (json!({"device": "tablet"}), "device", "mobile"),
        (json!({"not": {"trait": "plan"}}), "not", "needs an \"op\""),
        (
            json!({"url": "/", "device": "mobile"}),
            ".",
            "exactly one of the keys",
        ),
        (json!({}), ".", "exactly one of the keys"),
        (
            json!({"url": "/", "op": "eq"}),
            ".",
            "\"op\" does not belong",
        ),
        (
            json!({"any": [{"plan": "pro"}]}),
            "any[0].plan",
            "unknown field",
        ),
    ] {
        let error = serde_path_to_error::deserialize::<_, Rule>(rule.clone()).unwrap_err();
        assert_eq!(error.path().to_string(), path, "{rule}");
        let message = error.inner().to_string();
        assert!(message.contains(needle), "{rule}: {message}");
    }
}

/// Rules that parse but make no sense: every problem, with its field.
#[test]
fn validation_names_every_field() {
    for (rule, expected) in [
        (json!({"all": []}), vec![("audience.all", "invalid_length")]),
        (
            json!({"any": [{"trait": "plan", "op": "at_least"}, {"event": "e", "op": "eq"}]}),
            vec![
                ("audience.any[0].op", "invalid_operator"),
                ("audience.any[1].op", "invalid_operator"),
            ],
        ),
        (
            json!({"trait": "plan", "op": "eq"}),
            vec![("audience.value", "invalid_value")],
        ),
        (
            json!({"trait": "plan", "op": "eq", "value": [1]}),
            vec![("audience.value", "invalid_value")],
        ),
        (
            json!({"trait": "plan", "op": "in", "value": "pro"}),
            vec![("audience.value", "invalid_value")],
        ),
        (
            json!({"trait": "plan", "op": "exists", "value": 1}),
            vec![("audience.value", "invalid_value")],
        ),
        (
            json!({"trait": "d", "op": "gt", "value": "soon"}),
            vec![("audience.value", "invalid_value")],
        ),
        (
            json!({"trait": "d", "op": "within_last_days", "value": -1}),
            vec![("audience.value", "invalid_value")],
        ),
        (
            json!({"trait": " ", "op": "exists"}),
            vec![("audience.trait", "invalid_name")],
        ),
        (
            json!({"not": {"event": "e", "op": "at_least"}}),
            vec![("audience.not.count", "required")],
        ),
        (
            json!({"event": "e", "op": "at_least", "count": 0}),
            vec![("audience.count", "invalid_value")],
        ),
        (
            json!({"event": "e", "op": "done", "count": 2}),
            vec![("audience.count", "not_allowed")],
        ),
        (
            json!({"event": "e", "op": "done", "within_days": 0}),
            vec![("audience.within_days", "invalid_value")],
        ),
        (
            json!({"url": "projects"}),
            vec![("audience.url", "invalid_pattern")],
        ),
        (
            json!({"locale": "fr CA"}),
            vec![("audience.locale", "invalid_locale")],
        ),
        (
            json!({"segment": "Bad Id"}),
            vec![("audience.segment", "invalid_identifier")],
        ),
    ] {
        let errors: Vec<(String, String)> = validate_rule(&parse(rule.clone()), "audience")
            .into_iter()
            .map(|error| (error.field, error.code))
            .collect();
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(field, code)| (field.to_string(), code.to_string()))
            .collect();
        assert_eq!(errors, expected, "{rule}");
    }
}

#[test]
fn rules_nest_a_bounded_number_of_levels() {
    let mut deep = json!({"device": "mobile"});
    for _ in 0..20 {
        deep = json!({"not": deep});
    }
    let codes: Vec<String> = validate_rule(&parse(deep), "audience")
        .into_iter()
        .map(|error| error.code)
        .collect();
    assert_eq!(codes, ["too_deep"]);
}

#[test]
fn segment_references_are_listed_with_their_field() {
    let rule = parse(json!({"all": [{"segment": "a"}, {"not": {"any": [{"segment": "b"}]}}]}));
    assert_eq!(
        segment_refs(&rule, "audience"),
        [
            ("audience.all[0].segment".to_string(), "a".to_string()),
            (
                "audience.all[1].not.any[0].segment".to_string(),
                "b".to_string()
            ),
        ]
    );
}

#[test]
fn a_flow_audience_is_validated_with_the_flow() {
    let mut flow = json!({
        "id": "pro-tour", "name": "Pro", "trigger": {"type": "manual"},
        "audience": {"all": [{"trait": "plan", "op": "eq", "value": "pro"}, {"event": "e", "op": "at_least"}]},
        "steps": [{"id": "a", "kind": "modal", "title": "Hi", "buttons": [{"action": "next", "label": "Ok"}]}]
    });
    let parsed: engine::Flow = serde_json::from_value(flow.clone()).unwrap();
    let fields: Vec<String> = engine::validate_flow(&parsed)
        .into_iter()
        .map(|error| error.field)
        .collect();
    assert_eq!(fields, ["audience.all[1].count"]);
    // Absent, it is left out when the flow is written back.
    flow.as_object_mut().unwrap().remove("audience");
    let parsed: engine::Flow = serde_json::from_value(flow).unwrap();
    assert!(
        serde_json::to_value(&parsed)
            .unwrap()
            .get("audience")
            .is_none()
    );
}
