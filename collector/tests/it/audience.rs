//! Audiences and saved segments: segment CRUD and counts, boot sending only the flows whose
//! audience matches the user, and every way a rule or segment can be refused.

use std::sync::atomic::{AtomicU32, Ordering};

use axum::body::Body;
use axum::http::{Method, Request};
use collector::storage::now_ms;
use serde_json::{Value, json};

use crate::support::{TestApp, WRITE_KEY, check_error, on_every_backend, tour, track};

on_every_backend!(
    segment_crud,
    segment_counts_scan_every_user,
    boot_sends_only_flows_whose_audience_matches,
    bad_rules_and_segments_are_refused_naming_the_field
);

const PROS: &str =
    r#"{"id": "pros", "name": "Pro plan", "rule": {"trait": "plan", "op": "eq", "value": "pro"}}"#;

fn pros() -> Value {
    serde_json::from_str(PROS).unwrap()
}

/// A published-ready tour with this audience.
fn targeted(id: &str, audience: Value) -> Value {
    let mut flow = tour(id);
    flow["audience"] = audience;
    flow
}

/// `identify` (traits) for a user.
async fn identify(app: &TestApp, user_id: &str, traits: Value) {
    app.batch(
        user_id,
        "/",
        json!([{"message_id": format!("identify-{user_id}-{traits}"), "type": "identify",
                "traits": traits, "timestamp": now_ms()}]),
    )
    .await;
}

/// `count` tracked events named `name`, happening now, each with a message id never used before.
async fn track_times(app: &TestApp, user_id: &str, name: &str, count: usize) {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let events: Vec<Value> = (0..count)
        .map(|_| {
            let index = NEXT.fetch_add(1, Ordering::Relaxed);
            json!({"message_id": format!("{user_id}-{name}-{index}"), "type": "track",
                   "name": name, "timestamp": now_ms()})
        })
        .collect();
    app.batch(user_id, "/", Value::Array(events)).await;
}

/// The ids of the flows boot sends this user, with extra request headers.
async fn booted_flows(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> Vec<String> {
    let mut request = Request::get(format!("/v1/boot?write_key={WRITE_KEY}&{query}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let reply = app.send(request.body(Body::empty()).unwrap()).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow["id"].as_str().unwrap().to_string())
        .collect()
}

async fn count(app: &TestApp, segment: &str) -> (u64, u64) {
    let reply = app
        .admin(
            Method::GET,
            &format!("/v1/admin/segments/{segment}/count"),
            None,
        )
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    (
        body["matching_users"].as_u64().unwrap(),
        body["total_users"].as_u64().unwrap(),
    )
}

async fn create_segment(app: &TestApp, segment: &Value) {
    let reply = app
        .admin(Method::POST, "/v1/admin/segments", Some(segment))
        .await;
    assert_eq!(
        reply.status,
        201,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
}

async fn segment_crud(app: TestApp) {
    let created = app
        .admin(Method::POST, "/v1/admin/segments", Some(&pros()))
        .await;
    assert_eq!(created.status, 201);
    let created = created.json();
    assert_eq!(created["rule"], pros()["rule"]);
    assert!(created["updated_at"].as_i64().unwrap() > 0);

    let again = app
        .admin(Method::POST, "/v1/admin/segments", Some(&pros()))
        .await;
    check_error("create twice", &again, 409, "segment_exists", Some("id"));

    // A fetched segment can be sent back as it is (updated_at is ignored).
    let mut edited = app
        .admin(Method::GET, "/v1/admin/segments/pros", None)
        .await
        .json();
    edited["name"] = json!("Pro or team");
    edited["rule"] = json!({"trait": "plan", "op": "in", "value": ["pro", "team"]});
    let updated = app
        .admin(Method::PUT, "/v1/admin/segments/pros", Some(&edited))
        .await;
    assert_eq!(
        updated.status,
        200,
        "{}",
        String::from_utf8_lossy(&updated.body)
    );
    let list = app
        .admin(Method::GET, "/v1/admin/segments", None)
        .await
        .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Pro or team");
    assert_eq!(list[0]["rule"]["value"], json!(["pro", "team"]));

    let mismatch = app
        .admin(Method::PUT, "/v1/admin/segments/other", Some(&edited))
        .await;
    check_error("id mismatch", &mismatch, 400, "id_mismatch", Some("id"));
    let mut unknown = edited.clone();
    unknown["id"] = json!("ghost");
    let missing = app
        .admin(Method::PUT, "/v1/admin/segments/ghost", Some(&unknown))
        .await;
    check_error(
        "update unknown",
        &missing,
        404,
        "segment_not_found",
        Some("id"),
    );

    let deleted = app
        .admin(Method::DELETE, "/v1/admin/segments/pros", None)
        .await;
    assert_eq!(deleted.status, 204);
    for (case, method) in [
        ("show deleted", Method::GET),
        ("delete twice", Method::DELETE),
    ] {
        let reply = app.admin(method, "/v1/admin/segments/pros", None).await;
        check_error(case, &reply, 404, "segment_not_found", Some("id"));
    }
}

async fn segment_counts_scan_every_user(app: TestApp) {
    identify(&app, "ada", json!({"plan": "pro", "locale": "fr-CA"})).await;
    identify(&app, "bob", json!({"plan": "free"})).await;
    // Known only from a tracked event: still a user.
    track_times(&app, "cy", "project_created", 1).await;
    app.batch(
        "ada",
        "/",
        json!([{"message_id": "g1", "type": "group", "group_id": "acme",
                "traits": {"size": 60}, "timestamp": now_ms()}]),
    )
    .await;

    create_segment(&app, &pros()).await;
    assert_eq!(count(&app, "pros").await, (1, 3));
    app.publish(&tour("count-tour")).await;

    for (id, rule, before, after) in [
        (
            "builders",
            json!({"event": "project_created", "op": "at_least", "count": 3, "within_days": 30}),
            0,
            1,
        ),
        (
            "big-accounts",
            json!({"account_trait": "size", "op": "gte", "value": 50}),
            1,
            1,
        ),
        ("french", json!({"locale": "fr"}), 1, 1),
        // Progressive-disclosure rules read each user's progress and pages.
        ("tour-finishers", json!({"completed": "count-tour"}), 0, 1),
        ("settings-visitors", json!({"visited": "/settings*"}), 0, 1),
        (
            "not-pro",
            json!({"not": {"trait": "plan", "op": "eq", "value": "pro"}}),
            2,
            2,
        ),
    ] {
        create_segment(&app, &json!({"id": id, "name": id, "rule": rule})).await;
        assert_eq!(count(&app, id).await, (before, 3), "{id} before");
        match id {
            "builders" => track_times(&app, "bob", "project_created", 3).await,
            "tour-finishers" => {
                let (started, completed) = (
                    json!({"flow_id": "count-tour", "version": 1}),
                    json!({"flow_id": "count-tour"}),
                );
                let mut events = json!([
                    track("ada-started", "flow_started", started),
                    track("ada-completed", "flow_completed", completed)
                ]);
                for event in events.as_array_mut().unwrap() {
                    event["timestamp"] = json!(now_ms());
                }
                app.batch("ada", "/", events).await;
            }
            "settings-visitors" => {
                let page = json!([{"message_id": "bob-settings", "type": "page",
                                   "url": "/settings/profile", "timestamp": now_ms()}]);
                app.batch("bob", "/settings/profile", page).await;
            }
            _ => {}
        }
        assert_eq!(count(&app, id).await, (after, 3), "{id} after");
    }
    let unknown = app
        .admin(Method::GET, "/v1/admin/segments/ghost/count", None)
        .await;
    check_error(
        "count unknown",
        &unknown,
        404,
        "segment_not_found",
        Some("id"),
    );
}

async fn boot_sends_only_flows_whose_audience_matches(app: TestApp) {
    create_segment(&app, &pros()).await;
    app.publish(&targeted(
        "pro-tour",
        json!({"trait": "plan", "op": "eq", "value": "pro"}),
    ))
    .await;
    app.publish(&targeted("segment-tour", json!({"segment": "pros"})))
        .await;
    app.publish(&targeted(
        "builder-tour",
        json!({"event": "project_created", "op": "at_least", "count": 3, "within_days": 30}),
    ))
    .await;
    app.publish(&targeted(
        "mobile-fr-tour",
        json!({"all": [{"device": "mobile"}, {"locale": "fr"}, {"url": "/projects*"}]}),
    ))
    .await;
    app.publish(&targeted(
        "account-tour",
        json!({"account_trait": "size", "op": "gte", "value": 50}),
    ))
    .await;
    app.publish(&tour("everyone-tour")).await;

    identify(&app, "pro-user", json!({"plan": "pro"})).await;
    identify(&app, "free-user", json!({"plan": "free"})).await;
    assert_eq!(
        booted_flows(&app, "user_id=pro-user&url=/", &[]).await,
        ["everyone-tour", "pro-tour", "segment-tour"]
    );
    assert_eq!(
        booted_flows(&app, "user_id=free-user&url=/", &[]).await,
        ["everyone-tour"]
    );
    // A brand-new user's first page: the traits the page identifies with count before the
    // identify event is stored, and they win over stored ones.
    let pro_traits = "traits=%7B%22plan%22%3A%22pro%22%7D";
    assert_eq!(
        booted_flows(&app, &format!("user_id=brand-new&url=/&{pro_traits}"), &[]).await,
        ["everyone-tour", "pro-tour", "segment-tour"]
    );
    assert_eq!(
        booted_flows(&app, &format!("user_id=free-user&url=/&{pro_traits}"), &[]).await,
        ["everyone-tour", "pro-tour", "segment-tour"]
    );

    // The event rule flips once the third event is stored.
    track_times(&app, "free-user", "project_created", 2).await;
    assert_eq!(
        booted_flows(&app, "user_id=free-user&url=/", &[]).await,
        ["everyone-tour"]
    );
    track_times(&app, "free-user", "project_created", 1).await;
    assert_eq!(
        booted_flows(&app, "user_id=free-user&url=/", &[]).await,
        ["builder-tour", "everyone-tour"]
    );

    // Account traits come from any member's group call for the user's latest account.
    app.batch(
        "someone-else",
        "/",
        json!([{"message_id": "g-acme", "type": "group", "group_id": "acme",
                "traits": {"size": 80}, "timestamp": now_ms()}]),
    )
    .await;
    app.batch(
        "free-user",
        "/",
        json!([{"message_id": "g-join", "type": "group", "group_id": "acme", "timestamp": now_ms()}]),
    )
    .await;
    assert!(
        booted_flows(&app, "user_id=free-user&url=/", &[])
            .await
            .contains(&"account-tour".to_string())
    );

    // Device from the User-Agent unless the query says, locale from Accept-Language unless a trait says.
    let phone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0) Mobile/15E148";
    let french = ("accept-language", "fr-CA,fr;q=0.9,en;q=0.5");
    let on_projects = "user_id=visitor&url=http://localhost:3000/projects/7";
    for (query, headers, expected) in [
        (
            on_projects.to_string(),
            vec![("user-agent", phone), french],
            true,
        ),
        (
            format!("{on_projects}&device=desktop"),
            vec![("user-agent", phone), french],
            false,
        ),
        (format!("{on_projects}&device=mobile"), vec![french], true),
        (
            on_projects.to_string(),
            vec![("user-agent", "Mozilla/5.0 (X11; Linux)"), french],
            false,
        ),
        (
            on_projects.to_string(),
            vec![("user-agent", phone), ("accept-language", "en-GB")],
            false,
        ),
        (
            "user_id=visitor&url=/settings&device=mobile".to_string(),
            vec![french],
            false,
        ),
    ] {
        let flows = booted_flows(&app, &query, &headers).await;
        assert_eq!(
            flows.contains(&"mobile-fr-tour".to_string()),
            expected,
            "{query} {headers:?}: {flows:?}"
        );
    }
    identify(&app, "visitor", json!({"locale": "en-US"})).await;
    let flows = booted_flows(&app, &format!("{on_projects}&device=mobile"), &[french]).await;
    assert!(!flows.contains(&"mobile-fr-tour".to_string()), "{flows:?}");

    // A user whose traits stop matching halfway through a flow still finishes it.
    app.batch(
        "pro-user",
        "/",
        json!([track(
            "start-pro",
            "flow_started",
            json!({"flow_id": "pro-tour", "version": 1})
        )]),
    )
    .await;
    identify(&app, "pro-user", json!({"plan": "free"})).await;
    let reply = app
        .get(&format!(
            "/v1/boot?write_key={WRITE_KEY}&user_id=pro-user&url=/"
        ))
        .await
        .json();
    assert_eq!(reply["next"]["flow_id"], "pro-tour");
    let flows: Vec<&str> = reply["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow["id"].as_str().unwrap())
        .collect();
    assert_eq!(flows, ["everyone-tour", "pro-tour"]);
}

async fn bad_rules_and_segments_are_refused_naming_the_field(app: TestApp) {
    create_segment(&app, &pros()).await;
    for (case, method, uri, body, status, code, field) in [
        (
            "unknown operator in a segment",
            Method::POST,
            "/v1/admin/segments",
            json!({"id": "x", "name": "X", "rule": {"all": [{"device": "mobile"},
                   {"trait": "plan", "op": "equals", "value": "pro"}]}}),
            400,
            "invalid_body",
            Some("rule.all[1].op"),
        ),
        (
            "unknown operator in a flow audience",
            Method::POST,
            "/v1/admin/flows",
            targeted("t", json!({"trait": "plan", "op": "is", "value": "pro"})),
            400,
            "invalid_body",
            Some("audience.op"),
        ),
        (
            "two kinds in one rule",
            Method::POST,
            "/v1/admin/segments",
            json!({"id": "x", "name": "X", "rule": {"not": {"url": "/", "device": "mobile"}}}),
            400,
            "invalid_body",
            Some("rule.not"),
        ),
        (
            "unknown segment in a flow audience",
            Method::POST,
            "/v1/admin/flows",
            targeted(
                "t",
                json!({"any": [{"segment": "pros"}, {"segment": "ghosts"}]}),
            ),
            422,
            "invalid_flow",
            Some("audience.any[1].segment"),
        ),
        (
            "an event operator on a trait",
            Method::POST,
            "/v1/admin/flows",
            targeted("t", json!({"trait": "plan", "op": "at_least"})),
            422,
            "invalid_flow",
            Some("audience.op"),
        ),
        (
            "a segment inside a segment",
            Method::POST,
            "/v1/admin/segments",
            json!({"id": "x", "name": "X", "rule": {"not": {"segment": "pros"}}}),
            422,
            "invalid_segment",
            Some("rule.not.segment"),
        ),
        (
            "several problems at once",
            Method::POST,
            "/v1/admin/segments",
            json!({"id": "Bad Id", "name": " ", "rule": {"all": []}}),
            422,
            "invalid_segment",
            None,
        ),
    ] {
        let reply = app.admin(method, uri, Some(&body)).await;
        check_error(case, &reply, status, code, field);
        let message = reply.json()["message"].to_string();
        if code == "invalid_body" && case.contains("operator") {
            assert!(
                message.contains("within_last_days"),
                "{case}: lists operators: {message}"
            );
        }
    }
    let several = app
        .admin(
            Method::POST,
            "/v1/admin/segments",
            Some(&json!({"id": "Bad Id", "name": " ", "rule": {"all": []}})),
        )
        .await
        .json();
    let fields: Vec<&str> = several["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["id", "name", "rule.all"]);

    // A segment a flow refers to cannot be deleted out from under it.
    app.publish(&targeted("pro-tour", json!({"segment": "pros"})))
        .await;
    let in_use = app
        .admin(Method::DELETE, "/v1/admin/segments/pros", None)
        .await;
    check_error("delete in use", &in_use, 409, "segment_in_use", Some("id"));
    assert!(
        in_use.json()["message"]
            .as_str()
            .unwrap()
            .contains("pro-tour")
    );

    let bad_device = app
        .get(&format!(
            "/v1/boot?write_key={WRITE_KEY}&user_id=u&device=tablet"
        ))
        .await;
    check_error(
        "bad device",
        &bad_device,
        400,
        "invalid_query",
        Some("device"),
    );

    let too_long = format!("%7B%22a%22%3A%22{}%22%7D", "x".repeat(5000));
    for (case, traits) in [
        ("traits not JSON", "nope".to_string()),
        ("traits not an object", "%5B1%5D".to_string()),
        ("traits too long", too_long),
    ] {
        let reply = app
            .get(&format!(
                "/v1/boot?write_key={WRITE_KEY}&user_id=u&traits={traits}"
            ))
            .await;
        check_error(case, &reply, 400, "invalid_query", Some("traits"));
    }
}
