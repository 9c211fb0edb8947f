//! Checklists, with the collector as the authority on completion: items complete from host
//! events, visited pages and traits (at ingest and at boot), the completion and badge are recorded
//! once under deterministic message ids, and hand ticks are checked against the checklist.

use serde_json::{Value, json};

use crate::disclosure::boot;
use crate::support::{TestApp, WRITE_KEY, check_error, on_every_backend, track};

on_every_backend!(
    items_complete_from_events_and_pages_then_the_checklist_and_badge_once,
    hand_ticks_are_checked_against_the_checklist,
    boot_records_items_that_became_done
);

/// A checklist: one item per completion kind, a manual one depending on the first, and a badge.
pub fn checklist(id: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": id,
        "name": "Getting started",
        "trigger": {"type": "manual"},
        "checklist": {
            "title": "Get started with Tasklane",
            "items": [
                {"id": "create-project", "title": "Create a project",
                 "done_when": {"event": "project_created", "op": "done"}},
                {"id": "open-reports", "title": "Open the reports",
                 "done_when": {"visited": "/reports*"}},
                {"id": "invite", "title": "Invite a teammate", "manual": true,
                 "depends_on": ["create-project"]},
                {"id": "read-docs", "title": "Read the docs", "manual": true},
                {"id": "go-pro", "title": "Try the pro plan", "manual": true,
                 "requires": {"trait": "plan", "op": "eq", "value": "pro"}}
            ],
            "badge": {"id": "starter", "name": "Starter"}
        }
    })
}

/// A hand tick, with the deterministic message id the widget uses.
pub fn tick(user_id: &str, checklist_id: &str, item_id: &str) -> Value {
    track(
        &format!("wm:{user_id}:cl:{checklist_id}:{item_id}"),
        "checklist_item_completed",
        json!({"checklist_id": checklist_id, "item_id": item_id, "manual": true}),
    )
}

fn page(message_id: &str, url: &str) -> Value {
    json!({"message_id": message_id, "type": "page", "url": url, "timestamp": 1_700_000_000_000_i64})
}

/// How many stored events of the user have this name.
async fn stored(app: &TestApp, user_id: &str, name: &str) -> Vec<Value> {
    app.stored_events(user_id)
        .await
        .into_iter()
        .filter(|event| event["name"] == name)
        .collect()
}

async fn items_complete_from_events_and_pages_then_the_checklist_and_badge_once(app: TestApp) {
    let mut flow = checklist("start");
    // Without the pro-only item, so everything can be done here.
    flow["checklist"]["items"].as_array_mut().unwrap().pop();
    app.publish(&flow).await;

    let first = app
        .batch(
            "u1",
            "/projects",
            json!([track("p1", "project_created", json!({}))]),
        )
        .await;
    assert_eq!(first["accepted"], 1);
    assert_eq!(
        first["progress"]["checklists"]["start"]["done"],
        json!(["create-project"])
    );

    let second = app
        .batch(
            "u1",
            "/reports/weekly",
            json!([page("v1", "http://localhost:3000/reports/weekly")]),
        )
        .await;
    assert_eq!(
        second["progress"]["checklists"]["start"]["done"],
        json!(["create-project", "open-reports"])
    );

    let ticks = app
        .batch(
            "u1",
            "/",
            json!([
                tick("u1", "start", "invite"),
                tick("u1", "start", "read-docs")
            ]),
        )
        .await;
    assert_eq!(ticks["accepted"], 2);
    let state = &ticks["progress"]["checklists"]["start"];
    assert_eq!(
        state["done"],
        json!(["create-project", "open-reports", "invite", "read-docs"])
    );
    assert_eq!(state["completed"], true);
    assert_eq!(state["badge"], "starter");

    // Repeats change nothing: the same ticks are duplicates, more events record nothing new.
    for round in 0..2 {
        let again = app
            .batch(
                "u1",
                "/reports",
                json!([
                    tick("u1", "start", "invite"),
                    track(&format!("p-again-{round}"), "project_created", json!({})),
                    page(&format!("v-again-{round}"), "/reports"),
                ]),
            )
            .await;
        assert_eq!(again["accepted"], 2);
        assert_eq!(again["duplicates"], 1);
        assert_eq!(&again["progress"]["checklists"]["start"], state);
    }

    let items = stored(&app, "u1", "checklist_item_completed").await;
    let ids: Vec<&str> = items
        .iter()
        .map(|event| event["message_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "wm:u1:cl:start:create-project",
            "wm:u1:cl:start:open-reports",
            "wm:u1:cl:start:invite",
            "wm:u1:cl:start:read-docs"
        ]
    );
    assert_eq!(items[0]["properties"]["manual"], false);
    assert_eq!(items[2]["properties"]["manual"], true);
    let completed = stored(&app, "u1", "checklist_completed").await;
    assert_eq!(completed.len(), 1);
    assert_eq!(completed[0]["message_id"], "wm:u1:cl:start:done");
    let badges = stored(&app, "u1", "badge_earned").await;
    assert_eq!(badges.len(), 1);
    assert_eq!(badges[0]["message_id"], "wm:u1:cl:start:badge");
    assert_eq!(badges[0]["properties"]["badge_id"], "starter");

    // Boot agrees, and a completed checklist satisfies `completed` rules.
    let booted = boot(&app, "user_id=u1&url=/", &[]).await;
    assert_eq!(&booted["progress"]["checklists"]["start"], state);
    // Another user has nothing.
    let other = app.batch("u2", "/", json!([page("u2-v", "/")])).await;
    assert!(other["progress"].get("checklists").is_none(), "{other}");
}

async fn hand_ticks_are_checked_against_the_checklist(app: TestApp) {
    app.publish(&checklist("start")).await;

    let mut forged_auto = tick("u1", "start", "read-docs");
    forged_auto["properties"]["manual"] = json!(false);
    let forged_completion = track("c", "checklist_completed", json!({"checklist_id": "start"}));
    let cases = [
        (
            "not manual",
            tick("u1", "start", "create-project"),
            "events[1].properties.item_id",
            "item_not_tickable",
        ),
        (
            "dependency not done",
            tick("u1", "start", "invite"),
            "events[1].properties.item_id",
            "item_not_tickable",
        ),
        (
            "locked",
            tick("u1", "start", "go-pro"),
            "events[1].properties.item_id",
            "item_not_tickable",
        ),
        (
            "unknown item",
            tick("u1", "start", "nope"),
            "events[1].properties.item_id",
            "item_not_tickable",
        ),
        (
            "unknown checklist",
            tick("u1", "other", "read-docs"),
            "events[1].properties.item_id",
            "item_not_tickable",
        ),
        (
            "automatic from a sender",
            forged_auto,
            "events[1].properties.manual",
            "item_not_tickable",
        ),
        (
            "completion from a sender",
            forged_completion,
            "events[1].name",
            "reserved_event",
        ),
    ];
    for (case, bad, field, code) in cases {
        let body = json!({"write_key": WRITE_KEY, "user_id": "u1", "events": [
            track(&format!("ok-{case}"), "project_viewed", json!({})), bad]});
        let reply = app.post("/v1/batch", body.to_string()).await;
        check_error(case, &reply, 422, code, Some(field));
    }
    // The collector's message ids cannot be taken by other events, nor by another user's tick.
    let reserved = [
        (
            "page taking a completion id",
            page("wm:u1:cl:start:done", "/"),
        ),
        ("another user's tick id", tick("u2", "start", "read-docs")),
    ];
    for (case, bad) in reserved {
        let body =
            json!({"write_key": WRITE_KEY, "user_id": "u1", "events": [page("fine", "/"), bad]});
        let reply = app.post("/v1/batch", body.to_string()).await;
        check_error(
            case,
            &reply,
            400,
            "invalid_event",
            Some("events[1].message_id"),
        );
    }
    assert!(
        app.stored_events("u1").await.is_empty(),
        "a refused batch stores nothing"
    );

    // Accepted: a manual item without conditions, and a locked one once its `requires` holds.
    app.batch(
        "u1",
        "/",
        json!([{"message_id": "id-u1", "type": "identify", "traits": {"plan": "pro"}, "timestamp": 1}]),
    )
    .await;
    let ok = app
        .batch(
            "u1",
            "/",
            json!([
                tick("u1", "start", "read-docs"),
                tick("u1", "start", "go-pro")
            ]),
        )
        .await;
    assert_eq!(ok["accepted"], 2);
    assert_eq!(
        ok["progress"]["checklists"]["start"]["done"],
        json!(["read-docs", "go-pro"])
    );
    // A double tick is a duplicate.
    let twice = app
        .batch("u1", "/", json!([tick("u1", "start", "read-docs")]))
        .await;
    assert_eq!(
        (twice["accepted"].clone(), twice["duplicates"].clone()),
        (json!(0), json!(1))
    );
}

async fn boot_records_items_that_became_done(app: TestApp) {
    app.publish(&json!({
        "format": "waymark.flow/v1",
        "id": "team",
        "name": "Team setup",
        "trigger": {"type": "manual"},
        "checklist": {"title": "Set up your team", "items": [
            {"id": "big-team", "title": "Grow to 10", "done_when": {"trait": "seats", "op": "gte", "value": 10}}
        ]}
    }))
    .await;
    let small = boot(&app, "user_id=u1&url=/", &[]).await;
    assert!(
        small["progress"].get("checklists").is_none(),
        "{}",
        small["progress"]
    );
    assert!(app.stored_events("u1").await.is_empty());

    app.batch(
        "u1",
        "/",
        json!([{"message_id": "id-u1", "type": "identify", "traits": {"seats": 4}, "timestamp": 1}]),
    )
    .await;
    // The page's traits count at boot, and what they complete is recorded.
    let big = boot(&app, "user_id=u1&url=/&traits=%7B%22seats%22%3A12%7D", &[]).await;
    assert_eq!(
        big["progress"]["checklists"]["team"]["done"],
        json!(["big-team"])
    );
    assert_eq!(big["progress"]["checklists"]["team"]["completed"], true);
    let names: Vec<String> = app
        .stored_events("u1")
        .await
        .iter()
        .filter_map(|event| event["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(names, ["checklist_item_completed", "checklist_completed"]);
    // Booting again records nothing more.
    boot(&app, "user_id=u1&url=/&traits=%7B%22seats%22%3A12%7D", &[]).await;
    assert_eq!(app.stored_events("u1").await.len(), 3);
}
