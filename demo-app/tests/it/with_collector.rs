//! The admin proxy and the seeding against the real collector (`collector::app` on port 0, SQLite
//! in a temporary folder): what the demo does at start-up, end to end but in process.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use clap::Parser as _;
use demo_app::seed::{SeedOutcome, seed_welcome_tour};
use serde_json::{Value, json};

use crate::support::{send, serve, sign_in, state_with};

async fn start_collector(dir: &tempfile::TempDir) -> String {
    // Parsed from flags, so fields the collector adds later keep their defaults.
    let database_url = format!("sqlite://{}", dir.path().join("waymark.db").display());
    let widget_dir = dir.path().join("widget-dist");
    let config = collector::Config::parse_from([
        "collector".to_string(),
        "--bind=127.0.0.1:0".to_string(),
        format!("--database-url={database_url}"),
        format!("--widget-dir={}", widget_dir.display()),
        "--write-key=wk_demo".to_string(),
        "--admin-key=sk_demo".to_string(),
        "--allowed-origins=http://127.0.0.1:3000".to_string(),
    ]);
    let store = collector::storage::connect(&config.database_url)
        .await
        .expect("database");
    let state = collector::AppState::new(store, config)
        .await
        .expect("collector state");
    serve(collector::app(state)).await
}

#[tokio::test]
async fn seeds_the_welcome_tour_and_the_admin_proxy_manages_flows() {
    let dir = tempfile::tempdir().unwrap();
    let base = start_collector(&dir).await;
    let http = reqwest::Client::new();
    let patience = Duration::from_secs(10);
    assert_eq!(
        seed_welcome_tour(&http, &base, "sk_demo", patience)
            .await
            .unwrap(),
        SeedOutcome::Imported
    );
    assert_eq!(
        seed_welcome_tour(&http, &base, "sk_demo", patience)
            .await
            .unwrap(),
        SeedOutcome::AlreadyPresent
    );

    let state = state_with(&base);
    let cookie = sign_in(&state).await;
    let call = |method: &str, path: &str, body: Option<Value>| {
        let mut builder = Request::builder()
            .method(method)
            .uri(path)
            .header(header::COOKIE, &cookie);
        if body.is_some() {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
        }
        let body = body
            .map(|value| Body::from(value.to_string()))
            .unwrap_or_else(Body::empty);
        send(
            demo_app::admin_router(state.clone()),
            builder.body(body).unwrap(),
        )
    };

    let (response, body) = call("GET", "/api/flows", None).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let flows: Value = serde_json::from_str(&body).unwrap();
    let welcome = flows
        .as_array()
        .unwrap()
        .iter()
        .find(|flow| flow["id"] == "welcome-tour")
        .expect("seeded");
    assert_eq!(welcome["status"], "published");
    assert_eq!(welcome["step_count"], 4);

    // A tooltip without a target: the collector's 422 and its field errors come through untouched.
    let invalid = json!({
        "format": "waymark.flow/v1", "id": "broken", "name": "Broken", "trigger": {"type": "manual"},
        "steps": [
            {"id": "a", "kind": "modal", "title": "A", "buttons": [{"action": "next", "label": "Next"}]},
            {"id": "b", "kind": "tooltip", "title": "B", "buttons": [{"action": "next", "label": "Next"}]}
        ]
    });
    let (response, body) = call("POST", "/api/flows", Some(invalid)).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "{body}"
    );
    let error: Value = serde_json::from_str(&body).unwrap();
    let fields: Vec<&str> = error["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert!(fields.contains(&"steps[1].target"), "{body}");

    let (response, body) = call("GET", "/api/flows/welcome-tour/funnel", None).await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let funnel: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(funnel["steps"].as_array().unwrap().len(), 4);

    let (response, body) = call("GET", "/api/flows/welcome-tour/export", None).await;
    assert_eq!(response.status(), StatusCode::OK);
    let disposition = response
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(body.contains("waymark.flow/v1"));

    let (response, _) = call("GET", "/api/flows/does-not-exist", None).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn seeds_every_pattern_and_the_settings_into_a_real_collector() {
    use demo_app::seed::{PATTERN_FLOWS, seed_patterns, seed_settings};

    let dir = tempfile::tempdir().unwrap();
    let base = start_collector(&dir).await;
    let http = reqwest::Client::new();
    let patience = Duration::from_secs(10);
    seed_welcome_tour(&http, &base, "sk_demo", patience)
        .await
        .unwrap();
    for (id, outcome) in seed_patterns(&http, &base, "sk_demo", patience).await {
        assert_eq!(outcome.unwrap(), SeedOutcome::Imported, "{id}");
    }
    assert_eq!(
        seed_settings(&http, &base, "sk_demo", patience)
            .await
            .unwrap(),
        SeedOutcome::Imported
    );

    let state = state_with(&base);
    let cookie = sign_in(&state).await;
    let get = |path: &str| {
        let request = Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        send(demo_app::admin_router(state.clone()), request)
    };
    let (response, body) = get("/api/flows").await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let flows: Value = serde_json::from_str(&body).unwrap();
    for (id, _) in PATTERN_FLOWS {
        let flow = flows
            .as_array()
            .unwrap()
            .iter()
            .find(|flow| flow["id"] == id)
            .unwrap_or_else(|| panic!("{id} seeded"));
        assert_eq!(flow["status"], "published", "{id}");
    }

    let (response, body) = get("/api/settings").await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let settings: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(settings["resource_center"]["enabled"], true);
    assert_eq!(
        settings["resource_center"]["articles"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // The users page's lookup: an unknown user is a 404 the page turns into its alert.
    let (response, body) = get("/api/users/nobody-at-all/eligibility?url=%2F").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "user_not_found"
    );
}
