//! `GET /v1/admin/feedback`: the feedback users sent from the resource center, newest first, with
//! the account they had then, their tags and the tag dictionary's suggestions, and its filters.

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, check_error, on_every_backend, track};
use crate::surveys::group;

on_every_backend!(feedback_is_listed_filtered_and_tagged);

fn feedback(message_id: &str, category: &str, text: &str, timestamp: i64) -> Value {
    let mut event = track(
        message_id,
        "feedback_submitted",
        json!({"category": category, "text": text, "page_url": "https://app.example/projects"}),
    );
    event["timestamp"] = json!(timestamp);
    event
}

async fn list(app: &TestApp, query: &str) -> Value {
    let reply = app
        .admin(Method::GET, &format!("/v1/admin/feedback{query}"), None)
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

fn ids(body: &Value) -> Vec<&str> {
    body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap())
        .collect()
}

async fn feedback_is_listed_filtered_and_tagged(app: TestApp) {
    let rules =
        json!({"threshold": 3, "rules": [{"tag": "pricing", "keywords": ["price", "expensive"]}]});
    let saved = app
        .admin(Method::PUT, "/v1/admin/tag-rules", Some(&rules))
        .await;
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    app.batch(
        "f1",
        "/",
        json!([
            group("f1-group", "acme"),
            feedback("fb-1", "bug", "Export is broken ", 1_000)
        ]),
    )
    .await;
    app.batch(
        "f2",
        "/",
        json!([
            group("f2-group", "globex"),
            feedback("fb-2", "idea", "Too expensive for us", 2_000)
        ]),
    )
    .await;
    app.batch(
        "f3",
        "/",
        json!([feedback("fb-3", "question", "How do I invite?", 3_000)]),
    )
    .await;

    let all = list(&app, "").await;
    assert_eq!(all["total"], 3);
    assert_eq!(ids(&all), ["fb-3", "fb-2", "fb-1"]);
    let oldest = &all["rows"][2];
    assert_eq!(oldest["user_id"], "f1");
    assert_eq!(oldest["account_id"], "acme");
    assert_eq!(oldest["category"], "bug");
    assert_eq!(oldest["text"], "Export is broken");
    assert_eq!(oldest["page_url"], "https://app.example/projects");
    assert_eq!(oldest["created_at"], 1_000);
    assert_eq!(oldest["tags"], json!([]));
    assert_eq!(all["rows"][0]["account_id"], Value::Null);
    assert_eq!(all["rows"][1]["suggested_tags"], json!(["pricing"]));

    let tagged = app
        .admin(
            Method::PUT,
            "/v1/admin/tags/feedback/fb-2",
            Some(&json!({"tags": ["pricing"]})),
        )
        .await;
    assert_eq!(tagged.status, 200);
    let after = list(&app, "?tag=pricing").await;
    assert_eq!(ids(&after), ["fb-2"]);
    assert_eq!(after["rows"][0]["tags"], json!(["pricing"]));
    assert_eq!(after["rows"][0]["suggested_tags"], json!([]), "already set");

    for (query, expected) in [
        ("?category=idea", vec!["fb-2"]),
        ("?account=acme", vec!["fb-1"]),
        ("?account=nobody", vec![]),
        ("?limit=1&offset=1", vec!["fb-2"]),
        ("?category=&account=", vec!["fb-3", "fb-2", "fb-1"]),
    ] {
        assert_eq!(ids(&list(&app, query).await), expected, "{query}");
    }
    assert_eq!(list(&app, "?limit=1").await["total"], 3);

    for (case, query, field) in [
        ("unknown category", "?category=rant", "category"),
        ("limit not a number", "?limit=ten", "limit"),
        ("limit too large", "?limit=100000", "limit"),
    ] {
        let reply = app
            .admin(Method::GET, &format!("/v1/admin/feedback{query}"), None)
            .await;
        check_error(case, &reply, 400, "invalid_query", Some(field));
    }
}
