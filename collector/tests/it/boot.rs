//! `GET /v1/boot`: live flows with compiled bodies, the user's progress and traits, and `next`.

use serde_json::json;

use crate::support::{TestApp, WRITE_KEY, check_error, on_every_backend, tour, track};

on_every_backend!(
    boot_returns_live_flows_progress_and_next,
    boot_refuses_bad_queries
);

async fn boot_returns_live_flows_progress_and_next(app: TestApp) {
    app.publish(&tour("welcome-tour")).await;
    let draft = app
        .admin(
            axum::http::Method::POST,
            "/v1/admin/flows",
            Some(&tour("draft-tour")),
        )
        .await;
    assert_eq!(draft.status, 201);

    let fresh = app
        .get(&format!(
            "/v1/boot?write_key={WRITE_KEY}&user_id=new-user&url=http://localhost:3000/"
        ))
        .await;
    assert_eq!(fresh.status, 200);
    let fresh = fresh.json();
    assert_eq!(fresh["user_id"], "new-user");
    let ids: Vec<&str> = fresh["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["welcome-tour"], "drafts are not live");
    let body_doc = &fresh["flows"][0]["steps"][0]["body_doc"];
    assert_eq!(body_doc[0]["tag"], "p");
    assert!(
        !body_doc.to_string().contains("\"script\""),
        "raw HTML stays text: {body_doc}"
    );
    assert_eq!(fresh["progress"], json!({"flows": {}}));
    assert_eq!(fresh["next"], serde_json::Value::Null);

    app.batch(
        "u1",
        "/",
        json!([
            {"message_id": "i", "type": "identify", "traits": {"first_name": "Ada"}, "timestamp": 1},
            track("s", "flow_started", json!({"flow_id": "welcome-tour", "version": 1})),
        ]),
    )
    .await;
    let boot = app
        .get(&format!(
            "/v1/boot?write_key={WRITE_KEY}&user_id=u1&url=/settings"
        ))
        .await
        .json();
    assert_eq!(boot["traits"]["first_name"], "Ada");
    assert_eq!(boot["progress"]["active"], "welcome-tour");
    assert_eq!(boot["next"]["step_id"], "welcome");

    // Archiving takes the flow out of boot at once (the cache is invalidated).
    let archived = app
        .admin(
            axum::http::Method::POST,
            "/v1/admin/flows/welcome-tour/archive",
            None,
        )
        .await;
    assert_eq!(archived.json()["status"], "archived");
    let boot = app
        .get(&format!("/v1/boot?write_key={WRITE_KEY}&user_id=u1&url=/"))
        .await
        .json();
    assert_eq!(boot["flows"], json!([]));
    assert_eq!(boot["next"], serde_json::Value::Null);
}

async fn boot_refuses_bad_queries(app: TestApp) {
    for (case, uri, status, code, field) in [
        (
            "no write key",
            "/v1/boot?user_id=u1".to_string(),
            401,
            "invalid_write_key",
            Some("write_key"),
        ),
        (
            "wrong write key",
            "/v1/boot?write_key=nope&user_id=u1".to_string(),
            401,
            "invalid_write_key",
            Some("write_key"),
        ),
        (
            "admin key",
            "/v1/boot?write_key=sk_test&user_id=u1".to_string(),
            401,
            "invalid_write_key",
            Some("write_key"),
        ),
        (
            "no user",
            format!("/v1/boot?write_key={WRITE_KEY}"),
            400,
            "invalid_user_id",
            Some("user_id"),
        ),
        (
            "empty user",
            format!("/v1/boot?write_key={WRITE_KEY}&user_id="),
            400,
            "invalid_user_id",
            Some("user_id"),
        ),
    ] {
        check_error(case, &app.get(&uri).await, status, code, field);
    }
}
