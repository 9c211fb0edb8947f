//! Seeding the welcome tour through a fake collector: import + publish once, never twice, and
//! waiting for a collector that starts late.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::response::IntoResponse;
use demo_app::seed::{SeedOutcome, WELCOME_TOUR, seed_welcome_tour};

use crate::support::{Log, record, serve};

/// A collector that knows the flow once it was imported.
fn fake_collector(log: Log, known: Arc<Mutex<bool>>) -> Router {
    Router::new().fallback(move |request: Request<Body>| {
        let (log, known) = (log.clone(), known.clone());
        async move {
            let seen = record(&log, request).await;
            match (seen.method.as_str(), seen.path_and_query.as_str()) {
                ("GET", "/v1/admin/flows/welcome-tour") if *known.lock().unwrap() => {
                    StatusCode::OK.into_response()
                }
                ("GET", "/v1/admin/flows/welcome-tour") => StatusCode::NOT_FOUND.into_response(),
                ("POST", "/v1/admin/flows/import") => {
                    *known.lock().unwrap() = true;
                    StatusCode::OK.into_response()
                }
                ("POST", "/v1/admin/flows/welcome-tour/publish") => StatusCode::OK.into_response(),
                _ => StatusCode::IM_A_TEAPOT.into_response(),
            }
        }
    })
}

#[tokio::test]
async fn seeds_once_then_leaves_the_flow_alone() {
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let base = serve(fake_collector(log.clone(), Arc::new(Mutex::new(false)))).await;
    let http = reqwest::Client::new();

    let outcome = seed_welcome_tour(&http, &base, "sk_demo", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(outcome, SeedOutcome::Imported);
    let outcome = seed_welcome_tour(&http, &base, "sk_demo", Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(outcome, SeedOutcome::AlreadyPresent);

    let seen = log.lock().unwrap().clone();
    let calls: Vec<String> = seen
        .iter()
        .map(|s| format!("{} {}", s.method, s.path_and_query))
        .collect();
    assert_eq!(
        calls,
        [
            "GET /v1/admin/flows/welcome-tour",
            "POST /v1/admin/flows/import",
            "POST /v1/admin/flows/welcome-tour/publish",
            "GET /v1/admin/flows/welcome-tour",
        ]
    );
    assert_eq!(seen[1].body, WELCOME_TOUR);
    assert!(seen.iter().all(|s| s.authorization == "Bearer sk_demo"));
}

#[tokio::test]
async fn waits_for_a_collector_that_starts_late() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let router = fake_collector(log.clone(), Arc::new(Mutex::new(false)));
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(1200)).await;
        let listener = tokio::net::TcpListener::bind(address).await.unwrap();
        axum::serve(listener, router).await.unwrap();
    });
    let http = reqwest::Client::new();
    let outcome = seed_welcome_tour(
        &http,
        &format!("http://{address}"),
        "sk_demo",
        Duration::from_secs(10),
    )
    .await
    .unwrap();
    assert_eq!(outcome, SeedOutcome::Imported);
}

#[tokio::test]
async fn gives_up_on_a_collector_that_never_comes() {
    let http = reqwest::Client::new();
    let error = seed_welcome_tour(
        &http,
        "http://127.0.0.1:9",
        "sk_demo",
        Duration::from_millis(600),
    )
    .await
    .unwrap_err();
    assert!(error.to_string().contains("did not answer"), "{error}");
}
