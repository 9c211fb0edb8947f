//! `GET /v1/admin/users/{user_id}/eligibility`: each flow's status and the first reason, in the
//! contract's order of precedence, why it would not show for the user on a page.

use axum::http::Method;
use serde_json::{Value, json};

use crate::checklists::checklist;
use crate::disclosure::{after, complete};
use crate::support::{TestApp, check_error, on_every_backend, tour, track};

on_every_backend!(eligibility_explains_every_flow);

fn suppressed(message_id: &str, flow_id: &str, reason: &str) -> Value {
    track(
        message_id,
        "content_suppressed",
        json!({"flow_id": flow_id, "reason": reason}),
    )
}

async fn eligibility_explains_every_flow(app: TestApp) {
    let created = app
        .admin(Method::POST, "/v1/admin/flows", Some(&tour("draft-tour")))
        .await;
    assert_eq!(created.status, 201);
    let mut pros = tour("pros-only");
    pros["audience"] = json!({"trait": "plan", "op": "eq", "value": "pro"});
    app.publish(&pros).await;
    app.publish(&tour("basics")).await;
    app.publish(&after("advanced", "basics")).await;
    app.publish(&tour("cooled")).await;
    app.publish(&tour("limited")).await;
    let mut projects = tour("projects-tip");
    projects["trigger"] = json!({"type": "url", "pattern": "/projects*"});
    app.publish(&projects).await;
    app.publish(&tour("fresh")).await;
    let mut banner = tour("promo");
    banner["steps"] = json!([{"id": "promo", "kind": "banner", "placement": "top", "title": "Sale",
                              "buttons": [{"action": "next", "label": "Got it"}]}]);
    app.publish(&banner).await;
    app.publish(&checklist("start")).await;

    let unknown = app
        .admin(
            Method::GET,
            "/v1/admin/users/nobody/eligibility?url=/",
            None,
        )
        .await;
    check_error(
        "unknown user",
        &unknown,
        404,
        "user_not_found",
        Some("user_id"),
    );

    let user = "ada";
    app.batch(
        user,
        "/",
        json!([{"message_id": "id-ada", "type": "identify", "traits": {"plan": "free"}, "timestamp": 1}]),
    )
    .await;
    // The advanced tour's prerequisite is not met while basics is not completed.
    let before = items(&app, user).await;
    assert_eq!(
        verdict(&before, "advanced"),
        ("blocked", json!("prerequisite_missing"))
    );
    let detail = before
        .iter()
        .find(|item| item["flow_id"] == "advanced")
        .unwrap()["detail"]
        .clone();
    assert_eq!(detail, "completed basics");

    complete(&app, user, "basics").await;
    // The cool-down holds only while no start came after the suppression.
    app.batch(
        user,
        "/",
        json!([
            suppressed("s-cooled-1", "cooled", "cooldown"),
            suppressed("s-limited", "limited", "session_limit"),
            suppressed("s-fresh", "fresh", "cooldown"),
            track(
                "start-fresh",
                "flow_started",
                json!({"flow_id": "fresh", "version": 1})
            ),
            track(
                "dismiss-fresh",
                "flow_dismissed",
                json!({"flow_id": "fresh", "step_index": 0, "reason": "user"})
            ),
        ]),
    )
    .await;

    let now = items(&app, user).await;
    let expected = [
        ("advanced", "tour", "eligible", Value::Null),
        ("basics", "tour", "completed", json!("already_completed")),
        ("cooled", "tour", "blocked", json!("blocked_by_cooldown")),
        ("draft-tour", "tour", "blocked", json!("draft_or_archived")),
        ("fresh", "tour", "blocked", json!("already_dismissed")),
        (
            "limited",
            "tour",
            "blocked",
            json!("blocked_by_session_limit"),
        ),
        ("projects-tip", "tour", "blocked", json!("trigger_not_met")),
        ("promo", "banner", "eligible", Value::Null),
        (
            "pros-only",
            "tour",
            "blocked",
            json!("audience_not_matched"),
        ),
        ("start", "checklist", "eligible", Value::Null),
    ];
    let actual: Vec<(&str, &str, &str, Value)> = now
        .iter()
        .map(|item| {
            (
                item["flow_id"].as_str().unwrap(),
                item["kind"].as_str().unwrap(),
                item["status"].as_str().unwrap(),
                item["reason"].clone(),
            )
        })
        .collect();
    assert_eq!(actual, expected.to_vec());
    for item in &now {
        assert!(item["name"].is_string(), "{item}");
        assert_eq!(item["detail"].is_null(), item["reason"].is_null(), "{item}");
    }

    // The page matters for URL triggers; the flow in progress is active whatever else holds.
    app.batch(
        user,
        "/projects",
        json!([track(
            "start-cooled",
            "flow_started",
            json!({"flow_id": "cooled", "version": 1})
        )]),
    )
    .await;
    let on_projects = items_at(&app, user, "/projects/42").await;
    assert_eq!(
        verdict(&on_projects, "projects-tip"),
        ("eligible", Value::Null)
    );
    assert_eq!(verdict(&on_projects, "cooled"), ("active", Value::Null));
}

async fn items(app: &TestApp, user_id: &str) -> Vec<Value> {
    items_at(app, user_id, "/").await
}

async fn items_at(app: &TestApp, user_id: &str, url: &str) -> Vec<Value> {
    let reply = app
        .admin(
            Method::GET,
            &format!("/v1/admin/users/{user_id}/eligibility?url={url}"),
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
    assert_eq!(body["user_id"], user_id);
    body["items"].as_array().unwrap().clone()
}

fn verdict<'a>(items: &'a [Value], flow_id: &str) -> (&'a str, Value) {
    let item = items
        .iter()
        .find(|item| item["flow_id"] == flow_id)
        .unwrap_or_else(|| panic!("{flow_id} missing"));
    (item["status"].as_str().unwrap(), item["reason"].clone())
}
