//! Boot's progressive disclosure and localization: flows whose `requires` does not hold are held
//! back until it does, locked steps are marked, and texts, widget words and direction follow the
//! user's language. Flow saves check references to the app's other flows.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::{Value, json};

use crate::support::{TestApp, WRITE_KEY, check_error, on_every_backend, tour, track};

on_every_backend!(
    flow_requiring_another_is_sent_once_that_one_is_completed,
    steps_whose_requires_fails_are_locked,
    texts_words_and_direction_follow_the_users_language,
    references_to_other_flows_are_checked_on_save
);

/// The boot answer for a query (after `write_key=`), with extra headers.
pub async fn boot(app: &TestApp, query: &str, headers: &[(&str, &str)]) -> Value {
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
    reply.json()
}

pub fn flow_ids(boot: &Value) -> Vec<&str> {
    boot["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow["id"].as_str().unwrap())
        .collect()
}

/// A tour that is only for users who completed `prerequisite`.
pub fn after(id: &str, prerequisite: &str) -> Value {
    let mut flow = tour(id);
    flow["requires"] = json!({"completed": prerequisite});
    flow
}

/// Starts and completes a flow for a user, as the widget reports it.
pub async fn complete(app: &TestApp, user_id: &str, flow_id: &str) {
    app.batch(
        user_id,
        "/",
        json!([
            track(
                &format!("{user_id}-{flow_id}-start"),
                "flow_started",
                json!({"flow_id": flow_id, "version": 1})
            ),
            track(
                &format!("{user_id}-{flow_id}-done"),
                "flow_completed",
                json!({"flow_id": flow_id})
            ),
        ]),
    )
    .await;
}

async fn flow_requiring_another_is_sent_once_that_one_is_completed(app: TestApp) {
    app.publish(&tour("basics")).await;
    app.publish(&after("advanced", "basics")).await;

    let before = boot(&app, "user_id=u1&url=/", &[]).await;
    assert_eq!(flow_ids(&before), ["basics"], "advanced waits for basics");

    complete(&app, "u1", "basics").await;
    let after = boot(&app, "user_id=u1&url=/", &[]).await;
    assert_eq!(flow_ids(&after), ["advanced", "basics"]);
    // Another user is not affected.
    assert_eq!(
        flow_ids(&boot(&app, "user_id=u2&url=/", &[]).await),
        ["basics"]
    );
}

async fn steps_whose_requires_fails_are_locked(app: TestApp) {
    let mut flow = tour("pro-tour");
    flow["steps"][1]["requires"] = json!({"trait": "plan", "op": "eq", "value": "pro"});
    app.publish(&flow).await;

    let free = boot(&app, "user_id=u1&url=/", &[]).await;
    let steps = &free["flows"][0]["steps"];
    assert_eq!(steps[1]["locked"], true, "{steps}");
    assert!(steps[0].get("locked").is_none(), "{steps}");
    assert!(steps[2].get("locked").is_none(), "{steps}");

    let traits = urlencode(&json!({"plan": "pro"}).to_string());
    let pro = boot(&app, &format!("user_id=u1&url=/&traits={traits}"), &[]).await;
    assert!(pro["flows"][0]["steps"][1].get("locked").is_none());

    // The batch's `next` passes over the locked step too.
    let batch = app
        .batch(
            "u1",
            "/projects",
            json!([
                track(
                    "start",
                    "flow_started",
                    json!({"flow_id": "pro-tour", "version": 1})
                ),
                track(
                    "one",
                    "step_completed",
                    json!({"flow_id": "pro-tour", "step_id": "welcome", "step_index": 0})
                ),
            ]),
        )
        .await;
    assert_eq!(batch["next"]["step_id"], "new-project", "{batch}");
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                (byte as char).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// A one-step announcement with French and Arabic texts.
fn translated() -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": "news",
        "name": "What's new",
        "trigger": {"type": "url", "pattern": "/*"},
        "steps": [{"id": "hello", "kind": "modal", "title": "Hello", "body": "Welcome, **friend**",
                   "buttons": [{"action": "next", "label": "Got it"}]}],
        "translations": {
            "fr": {"steps": {"hello": {"title": "Bonjour", "body": "Bienvenue, **ami**", "buttons": ["Compris"]}}},
            "ar": {"steps": {"hello": {"title": "مرحبا", "body": "أهلا **صديقي**", "buttons": ["حسنا"]}}}
        }
    })
}

async fn texts_words_and_direction_follow_the_users_language(app: TestApp) {
    app.publish(&translated()).await;
    // Translated bodies are compiled at save time like the base body.
    let stored = app
        .admin(Method::GET, "/v1/admin/flows/news", None)
        .await
        .json();
    let doc = &stored["translations"]["fr"]["steps"]["hello"]["body_doc"];
    assert_eq!(doc[0]["tag"], "p", "{doc}");
    assert!(doc.to_string().contains("ami"), "{doc}");

    let english = boot(&app, "user_id=u0&url=/", &[]).await;
    let step = &english["flows"][0]["steps"][0];
    assert_eq!(step["title"], "Hello");
    assert!(
        english["flows"][0].get("translations").is_none(),
        "one language is sent"
    );
    assert_eq!(english["settings"]["locale"], "en");
    let english_next = english["settings"]["strings"]["next"].clone();

    // A `locale` trait wins over the browser's languages.
    app.batch(
        "u1",
        "/",
        json!([{"message_id": "id-u1", "type": "identify", "traits": {"locale": "fr"}, "timestamp": 1}]),
    )
    .await;
    let french = boot(
        &app,
        "user_id=u1&url=/&locale=ar,en",
        &[("accept-language", "de")],
    )
    .await;
    let step = &french["flows"][0]["steps"][0];
    assert_eq!(step["title"], "Bonjour");
    assert_eq!(step["buttons"][0]["label"], "Compris");
    assert!(
        step["body_doc"].to_string().contains("ami"),
        "{}",
        step["body_doc"]
    );
    assert_eq!(french["settings"]["locale"], "fr");
    assert_eq!(french["settings"]["rtl"], false);
    assert_ne!(
        french["settings"]["strings"]["next"], english_next,
        "French widget words"
    );
    assert!(french["flows"][0].get("translations").is_none());

    // The widget's languages, then Accept-Language.
    let arabic = boot(&app, "user_id=u2&url=/&locale=ar-EG,en", &[]).await;
    assert_eq!(arabic["flows"][0]["steps"][0]["title"], "مرحبا");
    assert_eq!(arabic["settings"]["locale"], "ar");
    assert_eq!(arabic["settings"]["rtl"], true);

    let header = boot(
        &app,
        "user_id=u3&url=/",
        &[("accept-language", "fr-CA,fr;q=0.9,en;q=0.5")],
    )
    .await;
    assert_eq!(header["flows"][0]["steps"][0]["title"], "Bonjour");
    assert_eq!(header["settings"]["locale"], "fr");

    // German has built-in widget words but no translation: base texts, German words.
    let german = boot(&app, "user_id=u4&url=/", &[("accept-language", "de-DE")]).await;
    assert_eq!(german["flows"][0]["steps"][0]["title"], "Hello");
    assert_eq!(german["settings"]["locale"], "de");
}

async fn references_to_other_flows_are_checked_on_save(app: TestApp) {
    let reply = app
        .admin(
            Method::POST,
            "/v1/admin/flows",
            Some(&after("ghost-follow-up", "ghost")),
        )
        .await;
    check_error(
        "unknown flow",
        &reply,
        422,
        "invalid_flow",
        Some("requires.completed"),
    );
    assert_eq!(reply.json()["errors"][0]["code"], "condition_never_holds");

    // A requires B requires A: refused when the second link is saved.
    app.publish(&tour("first")).await;
    app.publish(&after("second", "first")).await;
    let reply = app
        .admin(
            Method::PUT,
            "/v1/admin/flows/first",
            Some(&after("first", "second")),
        )
        .await;
    assert_eq!(
        reply.status,
        422,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let errors = reply.json()["errors"].clone();
    assert!(
        errors
            .as_array()
            .unwrap()
            .iter()
            .any(|error| error["code"] == "cyclic_prerequisite"),
        "{errors}"
    );
    let stored = app
        .admin(Method::GET, "/v1/admin/flows/first", None)
        .await
        .json();
    assert!(
        stored.get("requires").is_none(),
        "the refused save changed nothing"
    );
}
