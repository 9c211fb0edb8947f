//! `GET` / `PUT /v1/admin/settings`: defaults until saved, every problem named by its field, and
//! boot sending the saved settings resolved for the user.

use axum::http::Method;
use serde_json::{Value, json};

use crate::support::{TestApp, WRITE_KEY, check_error, on_every_backend};

on_every_backend!(
    settings_default_then_saved_and_booted,
    bad_settings_are_refused_naming_the_field
);

async fn settings(app: &TestApp) -> Value {
    let reply = app.admin(Method::GET, "/v1/admin/settings", None).await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

async fn settings_default_then_saved_and_booted(app: TestApp) {
    let defaults = settings(&app).await;
    assert_eq!(defaults["theme"]["mode"], "light");
    assert_eq!(defaults["fatigue"]["max_per_session"], 3);
    assert_eq!(defaults["resource_center"]["enabled"], false);

    let mut changed = defaults.clone();
    changed["theme"]["radius_px"] = json!(4);
    changed["theme"]["mode"] = json!("dark");
    changed["fatigue"]["max_per_session"] = json!(1);
    changed["resource_center"]["enabled"] = json!(true);
    changed["resource_center"]["articles"] = json!([
        {"id": "billing", "title": "Billing FAQ", "url": "https://example.com/billing", "summary": "Invoices"}
    ]);
    let saved = app
        .admin(Method::PUT, "/v1/admin/settings", Some(&changed))
        .await;
    assert_eq!(
        saved.status,
        200,
        "{}",
        String::from_utf8_lossy(&saved.body)
    );
    assert_eq!(saved.json(), changed);
    assert_eq!(settings(&app).await, changed, "stored and served again");

    // Boot sends them at once (the cache is invalidated on save), resolved for the user.
    let boot = app
        .get(&format!("/v1/boot?write_key={WRITE_KEY}&user_id=u1&url=/"))
        .await
        .json();
    let sent = &boot["settings"];
    assert_eq!(sent["theme"], changed["theme"]);
    assert_eq!(sent["fatigue"]["max_per_session"], 1);
    assert_eq!(sent["resource_center"]["articles"][0]["id"], "billing");
    assert_eq!(sent["locale"], "en");
    assert_eq!(sent["rtl"], false);
    assert_eq!(sent["strings"]["next"], "Next");
}

async fn bad_settings_are_refused_naming_the_field(app: TestApp) {
    let defaults = settings(&app).await;

    // White text on a white background fails AA contrast.
    let mut low_contrast = defaults.clone();
    low_contrast["theme"]["light"]["text"] = json!("#f4f4f4");
    let reply = app
        .admin(Method::PUT, "/v1/admin/settings", Some(&low_contrast))
        .await;
    check_error(
        "low contrast",
        &reply,
        422,
        "invalid_settings",
        Some("theme.light.text"),
    );
    assert_eq!(reply.json()["errors"][0]["code"], "insufficient_contrast");

    // Several problems are listed together.
    let mut several = defaults.clone();
    several["theme"]["dark"]["muted"] = json!("#1c1f2b");
    several["theme"]["radius_px"] = json!(99);
    several["theme"]["light"]["accent"] = json!("blue");
    let reply = app
        .admin(Method::PUT, "/v1/admin/settings", Some(&several))
        .await;
    check_error("several", &reply, 422, "invalid_settings", None);
    let fields: Vec<String> = reply.json()["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| error["field"].as_str().unwrap().to_string())
        .collect();
    for field in ["theme.dark.muted", "theme.radius_px", "theme.light.accent"] {
        assert!(
            fields.iter().any(|found| found == field),
            "{field} in {fields:?}"
        );
    }

    // An unknown field is named, at any depth.
    let mut unknown = defaults.clone();
    unknown["theme"]["sparkles"] = json!(true);
    let reply = app
        .admin(Method::PUT, "/v1/admin/settings", Some(&unknown))
        .await;
    check_error(
        "unknown",
        &reply,
        422,
        "invalid_settings",
        Some("theme.sparkles"),
    );
    assert_eq!(reply.json()["errors"][0]["code"], "unknown_field");

    let reply = app
        .admin_raw(Method::PUT, "/v1/admin/settings", "{not json")
        .await;
    check_error("syntax", &reply, 400, "invalid_body", None);

    // Nothing refused was stored.
    assert_eq!(settings(&app).await, defaults);
}
