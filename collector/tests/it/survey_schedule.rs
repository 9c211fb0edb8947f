//! Who is sent a survey at boot, and why not in the eligibility view: sampling
//! (`engine::survey::sampled`), `days_after` triggers due on the collector's clock (from the
//! `signed_up_at` trait or the first event), and `asked`, the start the widget re-asks from.

use axum::http::Method;
use engine::survey::sampled;
use serde_json::{Value, json};

use crate::support::{TestApp, WRITE_KEY, on_every_backend, tour, track};
use crate::surveys::{nps_survey, started};

on_every_backend!(boot_samples_waits_and_reports_asked);

const DAY: i64 = 86_400_000;

fn now() -> i64 {
    collector::storage::now_ms()
}

/// The first user ids of the form `user-N` that are (and are not) in a `percent` sample.
fn users(flow_id: &str, percent: u32) -> (Vec<String>, String) {
    let candidates = (0..).map(|index| format!("user-{index}"));
    let inside: Vec<String> = candidates
        .clone()
        .filter(|user| sampled(user, flow_id, percent))
        .take(3)
        .collect();
    let outside = candidates
        .filter(|user| !sampled(user, flow_id, percent))
        .take(1)
        .collect::<Vec<_>>()
        .remove(0);
    (inside, outside)
}

fn identify(message_id: &str, traits: Value, timestamp: i64) -> Value {
    json!({"message_id": message_id, "type": "identify", "traits": traits, "timestamp": timestamp})
}

async fn boot(app: &TestApp, user_id: &str) -> Value {
    let reply = app
        .get(&format!(
            "/v1/boot?write_key={WRITE_KEY}&user_id={user_id}&url=/"
        ))
        .await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

fn flow_ids(boot: &Value) -> Vec<&str> {
    boot["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|flow| flow["id"].as_str().unwrap())
        .collect()
}

/// `(status, reason, detail)` of one flow for one user.
async fn verdict(app: &TestApp, user_id: &str, flow_id: &str) -> (String, Value, Value) {
    let reply = app
        .admin(
            Method::GET,
            &format!("/v1/admin/users/{user_id}/eligibility?url=/"),
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
    let item = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|item| item["flow_id"] == flow_id)
        .unwrap()
        .clone();
    (
        item["status"].as_str().unwrap().to_string(),
        item["reason"].clone(),
        item["detail"].clone(),
    )
}

async fn boot_samples_waits_and_reports_asked(app: TestApp) {
    let mut survey = nps_survey("nps-half");
    survey["survey"]["sample_percent"] = json!(50);
    app.publish(&survey).await;
    let mut later = tour("welcome-later");
    later["trigger"] = json!({"type": "days_after", "since": "first_seen", "days": 7});
    app.publish(&later).await;

    let (inside, outside) = users("nps-half", 50);
    let (due, early, untraited) = (&inside[0], &inside[1], &inside[2]);
    let now = now();
    app.batch(
        due,
        "/",
        json!([identify(
            "due-id",
            json!({"signed_up_at": "2020-01-31"}),
            now - 8 * DAY
        )]),
    )
    .await;
    app.batch(
        early,
        "/",
        json!([identify(
            "early-id",
            json!({"signed_up_at": now - 3 * DAY}),
            now
        )]),
    )
    .await;
    app.batch(
        &outside,
        "/",
        json!([identify(
            "out-id",
            json!({"signed_up_at": "2020-01-31"}),
            now
        )]),
    )
    .await;
    app.batch(
        untraited,
        "/",
        json!([identify("bare-id", json!({"plan": "free"}), now)]),
    )
    .await;

    // Sampled and 14 days past signup: sent, never asked yet. First seen 8 days ago: the
    // first-seen tour is due too.
    let first = boot(&app, due).await;
    assert_eq!(flow_ids(&first), ["nps-half", "welcome-later"]);
    // Nothing asked yet: `asked` is empty (and then left out).
    assert!(
        first["asked"]
            .as_object()
            .is_none_or(|asked| asked.is_empty()),
        "{first}"
    );
    for (user, reason, detail) in [
        (
            early.as_str(),
            "not_due",
            "due in 11 day(s) (14 days after signup)",
        ),
        (
            outside.as_str(),
            "not_sampled",
            "not sampled: the survey asks 50 % of users",
        ),
        (
            untraited.as_str(),
            "not_due",
            "due 14 days after signup, but the user has no signed_up_at trait",
        ),
    ] {
        assert!(
            !flow_ids(&boot(&app, user).await).contains(&"nps-half"),
            "{user}"
        );
        assert_eq!(
            verdict(&app, user, "nps-half").await,
            ("blocked".to_string(), json!(reason), json!(detail)),
            "{user}"
        );
    }
    // Seen for the first time just now: the first-seen tour waits a week.
    assert!(!flow_ids(&boot(&app, early).await).contains(&"welcome-later"));
    assert_eq!(
        verdict(&app, early, "welcome-later").await,
        (
            "blocked".to_string(),
            json!("not_due"),
            json!("due in 7 day(s) (7 days after first seen)")
        )
    );
    // A brand-new user booting before any event is first seen now.
    assert!(!flow_ids(&boot(&app, "never-seen").await).contains(&"welcome-later"));

    // Asked ten days ago and closed: still sent (the widget applies re-ask with its own clock),
    // with when it was asked; the admin sees when it may be asked again.
    let asked_at = now - 10 * DAY;
    app.batch(
        due,
        "/",
        json!([
            started("due-start", "nps-half", asked_at),
            track(
                "due-close",
                "flow_dismissed",
                json!({"flow_id": "nps-half", "step_index": 0, "reason": "user"})
            ),
            started("due-tour", "welcome-later", now),
            track(
                "due-tour-close",
                "flow_dismissed",
                json!({"flow_id": "welcome-later", "step_index": 0, "reason": "user"})
            ),
        ]),
    )
    .await;
    let again = boot(&app, due).await;
    assert!(flow_ids(&again).contains(&"nps-half"));
    // Only surveys are in `asked`: the tour's start is not.
    assert_eq!(again["asked"], json!({"nps-half": asked_at}));
    assert_eq!(
        verdict(&app, due, "nps-half").await,
        (
            "blocked".to_string(),
            json!("asked_recently"),
            json!("asked 10 days ago (re-ask after 90)")
        )
    );
    // Ninety days on, the survey is due again whatever its frequency says.
    app.batch(
        due,
        "/",
        json!([
            started("due-start-2", "nps-half", now - 100 * DAY),
            track("due-done", "flow_completed", json!({"flow_id": "nps-half"})),
        ]),
    )
    .await;
    // The latest start by arrival counts: this one is 100 days old.
    assert_eq!(verdict(&app, due, "nps-half").await.0, "eligible");
}
