//! `POST /v1/batch`: storage, idempotency, progress folding, `next`, and every kind of bad batch.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{Value, json};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::support::{ADMIN_KEY, TestApp, WRITE_KEY, check_error, on_every_backend, tour, track};

on_every_backend!(
    stores_events_once_and_counts_duplicates,
    folds_lifecycle_events_into_progress_and_answers_next,
    accepts_text_plain_like_send_beacon_and_empty_batches,
    identify_merges_traits,
    refuses_bad_batches_naming_the_field,
    events_listing_honours_user_and_limit,
    concurrent_batches_of_one_user_lose_nothing
);

async fn stores_events_once_and_counts_duplicates(app: TestApp) {
    let events = json!([
        {"message_id": "m1", "type": "page", "url": "http://localhost:3000/", "timestamp": 1},
        track("m2", "project_created", json!({"name": "Apollo"})),
        {"message_id": "m3", "type": "identify", "traits": {"first_name": "Ada"}, "timestamp": 3},
        {"message_id": "m4", "type": "group", "group_id": "acme", "traits": {"plan": "pro"}, "timestamp": 4},
    ]);
    let first = app.batch("u1", "/", events.clone()).await;
    assert_eq!(
        (first["accepted"].as_u64(), first["duplicates"].as_u64()),
        (Some(4), Some(0))
    );

    let mut repeated = events.as_array().unwrap().clone();
    repeated.push(track("m5", "other", json!({})));
    repeated.push(track("m5", "other", json!({})));
    let second = app.batch("u1", "/", Value::Array(repeated)).await;
    assert_eq!(
        (second["accepted"].as_u64(), second["duplicates"].as_u64()),
        (Some(1), Some(5))
    );

    let stored = app.stored_events("u1").await;
    let ids: Vec<&str> = stored
        .iter()
        .map(|event| event["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["m1", "m2", "m3", "m4", "m5"],
        "stored once, in arrival order"
    );
    assert_eq!(stored[1]["type"], "track");
    assert_eq!(stored[1]["name"], "project_created");
    assert_eq!(stored[1]["properties"], json!({"name": "Apollo"}));
    assert_eq!(stored[1]["timestamp"], 1_700_000_000_000_i64);
    assert!(stored[1]["received_at"].as_i64().unwrap() > 1_700_000_000_000);
}

async fn folds_lifecycle_events_into_progress_and_answers_next(app: TestApp) {
    app.publish(&tour("welcome-tour")).await;
    let step = |index: usize, id: &str| json!({"flow_id": "welcome-tour", "step_id": id, "step_index": index});

    let started = app
        .batch(
            "u1",
            "http://localhost:3000/",
            json!([
                track(
                    "s1",
                    "flow_started",
                    json!({"flow_id": "welcome-tour", "version": 1})
                ),
                track("s2", "step_viewed", step(0, "welcome")),
            ]),
        )
        .await;
    assert_eq!(started["progress"]["active"], "welcome-tour");
    assert_eq!(started["next"]["step_id"], "welcome");
    assert_eq!(started["next"]["on_this_page"], true);

    let advanced = app
        .batch(
            "u1",
            "http://localhost:3000/",
            json!([
                track("s3", "step_completed", step(0, "welcome")),
                track("s4", "step_completed", step(1, "projects-nav"))
            ]),
        )
        .await;
    assert_eq!(advanced["progress"]["flows"]["welcome-tour"]["step"], 2);
    assert_eq!(advanced["next"]["step_index"], 2);
    assert_eq!(advanced["next"]["total_steps"], 3);
    assert_eq!(
        advanced["next"]["on_this_page"], false,
        "step 3 lives on /projects*"
    );

    // A replayed completion must not move the user again.
    let replayed = app
        .batch(
            "u1",
            "/projects",
            json!([track("s4", "step_completed", step(1, "projects-nav"))]),
        )
        .await;
    assert_eq!(replayed["duplicates"], 1);
    assert_eq!(replayed["progress"]["flows"]["welcome-tour"]["step"], 2);
    assert_eq!(replayed["next"]["on_this_page"], true);

    let done = app
        .batch(
            "u1",
            "/projects",
            json!([
                track("s5", "step_completed", step(2, "new-project")),
                track("s6", "flow_completed", json!({"flow_id": "welcome-tour"}))
            ]),
        )
        .await;
    assert_eq!(
        done["progress"]["flows"]["welcome-tour"]["status"],
        "completed"
    );
    assert_eq!(done["progress"]["flows"]["welcome-tour"]["completions"], 1);
    assert_eq!(done["next"], Value::Null);
}

async fn accepts_text_plain_like_send_beacon_and_empty_batches(app: TestApp) {
    let body = json!({"write_key": WRITE_KEY, "user_id": "u1", "events": [track("b1", "clicked", json!({}))]});
    let request = Request::post("/v1/batch")
        .header("content-type", "text/plain;charset=UTF-8")
        .body(Body::from(body.to_string()));
    let reply = app.send(request.unwrap()).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["accepted"], 1);

    let empty = app.batch("u2", "/", json!([])).await;
    assert_eq!(
        (empty["accepted"].as_u64(), empty["next"].clone()),
        (Some(0), Value::Null)
    );
}

async fn identify_merges_traits(app: TestApp) {
    app.batch("u1", "/", json!([{"message_id": "i1", "type": "identify", "traits": {"first_name": "Ada", "plan": "free"}, "timestamp": 1}]))
        .await;
    app.batch("u1", "/", json!([{"message_id": "i2", "type": "identify", "traits": {"plan": "pro"}, "timestamp": 2}])).await;
    let boot = app
        .get(&format!("/v1/boot?write_key={WRITE_KEY}&user_id=u1&url=/"))
        .await
        .json();
    assert_eq!(boot["traits"], json!({"first_name": "Ada", "plan": "pro"}));
}

fn batch_with(events: Value) -> String {
    json!({"write_key": WRITE_KEY, "user_id": "u1", "events": events}).to_string()
}

async fn refuses_bad_batches_naming_the_field(app: TestApp) {
    let ok = track("ok", "fine", json!({}));
    let many: Vec<Value> = (0..501)
        .map(|index| track(&format!("m{index}"), "x", json!({})))
        .collect();
    let big_event = track("big", "x", json!({"blob": "x".repeat(33 * 1024)}));
    let huge_body = batch_with(json!([track(
        "h",
        "x",
        json!({"blob": "x".repeat(600 * 1024)})
    )]));
    let cases: Vec<(&str, String, u16, &str, Option<&str>)> = vec![
        (
            "malformed JSON",
            "{\"write_key\":".into(),
            400,
            "invalid_body",
            None,
        ),
        (
            "not an object",
            "\"hello\"".into(),
            400,
            "invalid_body",
            None,
        ),
        ("empty body", String::new(), 400, "invalid_body", None),
        (
            "unknown event type",
            batch_with(json!([ok, {"message_id": "x", "type": "bogus", "timestamp": 1}])),
            400,
            "invalid_body",
            Some("events[1].type"),
        ),
        (
            "timestamp as a string",
            batch_with(json!([{"message_id": "x", "type": "page", "timestamp": "now"}])),
            400,
            "invalid_body",
            Some("events[0].timestamp"),
        ),
        (
            "missing message_id",
            batch_with(json!([{"type": "page", "timestamp": 1}])),
            400,
            "invalid_body",
            Some("events[0].message_id"),
        ),
        (
            "events not a list",
            json!({"write_key": WRITE_KEY, "user_id": "u1", "events": {}}).to_string(),
            400,
            "invalid_body",
            Some("events"),
        ),
        (
            "missing user_id",
            json!({"write_key": WRITE_KEY, "events": []}).to_string(),
            400,
            "invalid_body",
            Some("user_id"),
        ),
        (
            "empty user_id",
            json!({"write_key": WRITE_KEY, "user_id": " ", "events": []}).to_string(),
            400,
            "invalid_user_id",
            Some("user_id"),
        ),
        (
            "long user_id",
            json!({"write_key": WRITE_KEY, "user_id": "u".repeat(201), "events": []}).to_string(),
            400,
            "invalid_user_id",
            Some("user_id"),
        ),
        (
            "missing write key",
            json!({"user_id": "u1", "events": []}).to_string(),
            400,
            "invalid_body",
            Some("write_key"),
        ),
        (
            "wrong write key",
            json!({"write_key": "wk_nope", "user_id": "u1", "events": []}).to_string(),
            401,
            "invalid_write_key",
            Some("write_key"),
        ),
        (
            "admin key as write key",
            json!({"write_key": ADMIN_KEY, "user_id": "u1", "events": []}).to_string(),
            401,
            "invalid_write_key",
            Some("write_key"),
        ),
        (
            "too many events",
            batch_with(Value::Array(many)),
            413,
            "too_many_events",
            Some("events"),
        ),
        (
            "oversized event",
            batch_with(json!([ok, big_event])),
            413,
            "event_too_large",
            Some("events[1]"),
        ),
        ("oversized body", huge_body, 413, "body_too_large", None),
        (
            "lifecycle event without flow_id",
            batch_with(json!([
                ok,
                track("l", "step_viewed", json!({"step_id": "a", "step_index": 0}))
            ])),
            400,
            "invalid_event",
            Some("events[1].properties.flow_id"),
        ),
        (
            "lifecycle step_index of the wrong type",
            batch_with(json!([track(
                "l",
                "step_completed",
                json!({"flow_id": "f", "step_id": "a", "step_index": "one"})
            )])),
            400,
            "invalid_event",
            Some("events[0].properties.step_index"),
        ),
        (
            "track without a name",
            batch_with(json!([{"message_id": "t", "type": "track", "timestamp": 1}])),
            400,
            "invalid_event",
            Some("events[0].name"),
        ),
        (
            "empty message_id",
            batch_with(json!([{"message_id": "", "type": "page", "timestamp": 1}])),
            400,
            "invalid_event",
            Some("events[0].message_id"),
        ),
        (
            "unknown field",
            batch_with(
                json!([{"message_id": "x", "type": "page", "timestamp": 1, "colour": "red"}]),
            ),
            400,
            "invalid_body",
            Some("events[0].colour"),
        ),
    ];
    for (case, body, status, code, field) in cases {
        let reply = app.post("/v1/batch", body).await;
        check_error(case, &reply, status, code, field);
    }
    assert!(
        app.stored_events("u1").await.is_empty(),
        "a refused batch stores nothing, not even its valid events"
    );
}

async fn events_listing_honours_user_and_limit(app: TestApp) {
    let events: Vec<Value> = (0..5)
        .map(|index| track(&format!("e{index}"), "x", json!({})))
        .collect();
    app.batch("u1", "/", Value::Array(events)).await;
    app.batch("u2", "/", json!([track("other", "x", json!({}))]))
        .await;

    let latest = app
        .admin(Method::GET, "/v1/admin/events?user_id=u1&limit=2", None)
        .await
        .json();
    let ids: Vec<&str> = latest
        .as_array()
        .unwrap()
        .iter()
        .map(|event| event["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["e3", "e4"]);
    let everyone = app
        .admin(Method::GET, "/v1/admin/events", None)
        .await
        .json();
    assert_eq!(everyone.as_array().unwrap().len(), 6);
}

async fn concurrent_batches_of_one_user_lose_nothing(app: TestApp) {
    const BATCHES: usize = 16;
    const TRACKS: usize = 20;
    let mut senders = JoinSet::new();
    for batch in 0..BATCHES {
        let mut events = vec![
            json!({"message_id": format!("i{batch}"), "type": "identify",
            "traits": {format!("k{batch}"): batch}, "timestamp": 1}),
        ];
        events.extend((0..TRACKS).map(|index| track(&format!("t{batch}-{index}"), "x", json!({}))));
        let body = json!({"write_key": WRITE_KEY, "user_id": "u1", "events": events});
        let request = Request::post("/v1/batch")
            .body(Body::from(body.to_string()))
            .unwrap();
        senders.spawn(app.router.clone().oneshot(request));
    }
    while let Some(response) = senders.join_next().await {
        assert_eq!(response.unwrap().unwrap().status(), StatusCode::OK);
    }
    assert_eq!(app.stored_events("u1").await.len(), BATCHES * (TRACKS + 1));
    let boot = app
        .get(&format!("/v1/boot?write_key={WRITE_KEY}&user_id=u1"))
        .await
        .json();
    assert_eq!(
        boot["traits"].as_object().unwrap().len(),
        BATCHES,
        "no identify was lost: {}",
        boot["traits"]
    );
}
