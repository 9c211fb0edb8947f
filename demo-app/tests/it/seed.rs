//! Seeding through a fake collector: the welcome tour and the pattern examples are imported and
//! published once, never twice, waiting for a collector that starts late; the demo settings only
//! replace the built-in defaults. Also checks the pattern example files themselves.

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

/// The pattern examples are valid flows with the content the demo and docs promise.
#[test]
fn pattern_examples_are_valid_and_cover_every_pattern() {
    use demo_app::seed::PATTERN_FLOWS;
    use engine::audience::Rule;

    let flows: Vec<engine::Flow> = PATTERN_FLOWS
        .iter()
        .map(|(id, file)| {
            let flow: engine::Flow = serde_json::from_str(file)
                .unwrap_or_else(|error| panic!("{id}.json is not a v1 flow: {error}"));
            assert_eq!(flow.id, *id);
            assert_eq!(engine::validate_flow(&flow), Vec::new(), "{id}");
            flow
        })
        .collect();
    let by_id = |id: &str| flows.iter().find(|flow| flow.id == id).unwrap();
    let host_page = include_str!("../../host/index.html");

    let checklist = by_id("get-started").checklist.clone().expect("a checklist");
    assert!(by_id("get-started").steps.is_empty());
    assert_eq!(checklist.items.len(), 5);
    assert!(checklist.badge.is_some());
    let conditions: Vec<Option<serde_json::Value>> = checklist
        .items
        .iter()
        .map(|item| {
            item.done_when
                .as_ref()
                .map(|rule| serde_json::to_value(rule).unwrap())
        })
        .collect();
    assert_eq!(
        conditions,
        [
            Some(serde_json::json!({"event": "project_created", "op": "at_least", "count": 1})),
            Some(serde_json::json!({"completed": "welcome-tour"})),
            Some(serde_json::json!({"visited": "/settings*"})),
            None,
            Some(serde_json::json!({"event": "teammate_invited", "op": "done"})),
        ]
    );
    assert!(checklist.items[3].manual);
    assert_eq!(
        checklist.items[1].launch_flow.as_deref(),
        Some("welcome-tour")
    );

    let hotspot = by_id("timeline-hotspot");
    assert_eq!(hotspot.steps[0].kind, engine::StepKind::Hotspot);
    assert_eq!(
        hotspot.requires,
        Some(Rule::Completed("welcome-tour".into()))
    );
    let target = hotspot.steps[0].target.as_deref().unwrap();
    assert!(
        host_page.contains(&format!(r#"id="{}""#, target.trim_start_matches('#'))),
        "{target} is a real Tasklane element"
    );

    let banner = &by_id("webinar-banner").steps[0];
    assert_eq!(banner.kind, engine::StepKind::Banner);
    assert!(banner.push);
    assert_eq!(banner.placement, engine::Placement::Top);

    let slideout = &by_id("whats-new").steps[0];
    assert_eq!(slideout.kind, engine::StepKind::Slideout);
    let media = slideout.media.as_ref().expect("an image");
    assert_eq!(media.url, "/assets/whats-new.svg");
    assert!(!media.alt.is_empty());

    let announcement = &by_id("automations-announcement").steps[0];
    assert_eq!(announcement.kind, engine::StepKind::Modal);
    assert!(announcement.media.is_some());

    // Every French translation covers every step and item.
    let mut french = 0;
    for flow in &flows {
        if let Some(translation) = flow.translations.get("fr") {
            french += 1;
            for step in &flow.steps {
                assert!(translation.steps.contains_key(&step.id), "{}", flow.id);
            }
            for item in flow.checklist.iter().flat_map(|list| &list.items) {
                assert!(translation.items.contains_key(&item.id), "{}", flow.id);
            }
        }
    }
    assert!(french >= 1);
}

#[test]
fn demo_settings_enable_the_resource_center_with_articles() {
    let settings: engine::settings::AppSettings =
        serde_json::from_str(demo_app::seed::APP_SETTINGS).expect("app-settings.json parses");
    assert!(settings.resource_center.enabled);
    assert!((3..=4).contains(&settings.resource_center.articles.len()));
    assert_eq!(engine::validate::validate_settings(&settings), Vec::new());
}

/// A collector that knows flows once imported and keeps one settings document.
fn fake_collector_with_settings(log: Log, settings: Arc<Mutex<String>>) -> Router {
    let known: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    Router::new().fallback(move |request: Request<Body>| {
        let (log, known, settings) = (log.clone(), known.clone(), settings.clone());
        async move {
            let seen = record(&log, request).await;
            let path = seen.path_and_query.as_str();
            match (seen.method.as_str(), path) {
                ("GET", "/v1/admin/settings") => (
                    [(axum::http::header::CONTENT_TYPE, "application/json")],
                    settings.lock().unwrap().clone(),
                )
                    .into_response(),
                ("PUT", "/v1/admin/settings") => {
                    *settings.lock().unwrap() = seen.body.clone();
                    StatusCode::OK.into_response()
                }
                ("POST", "/v1/admin/flows/import") => {
                    let flow: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
                    known
                        .lock()
                        .unwrap()
                        .push(flow["id"].as_str().unwrap().to_string());
                    StatusCode::OK.into_response()
                }
                ("POST", _) if path.ends_with("/publish") => StatusCode::OK.into_response(),
                ("GET", _) => {
                    let id = path.trim_start_matches("/v1/admin/flows/");
                    if known.lock().unwrap().iter().any(|known| known == id) {
                        StatusCode::OK.into_response()
                    } else {
                        StatusCode::NOT_FOUND.into_response()
                    }
                }
                _ => StatusCode::IM_A_TEAPOT.into_response(),
            }
        }
    })
}

#[tokio::test]
async fn seeds_the_patterns_in_order_and_settings_only_over_defaults() {
    use demo_app::seed::{APP_SETTINGS, PATTERN_FLOWS, seed_patterns, seed_settings};

    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let defaults = serde_json::to_string(&engine::settings::AppSettings::default()).unwrap();
    let settings = Arc::new(Mutex::new(defaults));
    let base = serve(fake_collector_with_settings(log.clone(), settings.clone())).await;
    let http = reqwest::Client::new();
    let patience = Duration::from_secs(5);

    let outcomes = seed_patterns(&http, &base, "sk_demo", patience).await;
    let ids: Vec<&str> = outcomes.iter().map(|(id, _)| *id).collect();
    assert_eq!(
        ids,
        PATTERN_FLOWS.iter().map(|(id, _)| *id).collect::<Vec<_>>()
    );
    assert!(
        outcomes
            .iter()
            .all(|(_, outcome)| matches!(outcome, Ok(SeedOutcome::Imported)))
    );
    let again = seed_patterns(&http, &base, "sk_demo", patience).await;
    assert!(
        again
            .iter()
            .all(|(_, outcome)| matches!(outcome, Ok(SeedOutcome::AlreadyPresent)))
    );

    assert_eq!(
        seed_settings(&http, &base, "sk_demo", patience)
            .await
            .unwrap(),
        SeedOutcome::Imported
    );
    assert_eq!(*settings.lock().unwrap(), APP_SETTINGS);
    // Changed settings (here: the demo's own) are never overwritten.
    assert_eq!(
        seed_settings(&http, &base, "sk_demo", patience)
            .await
            .unwrap(),
        SeedOutcome::AlreadyPresent
    );
    let puts = log
        .lock()
        .unwrap()
        .iter()
        .filter(|seen| seen.method == "PUT")
        .count();
    assert_eq!(puts, 1);
    assert!(
        log.lock()
            .unwrap()
            .iter()
            .all(|seen| seen.authorization == "Bearer sk_demo")
    );
}

/// The survey examples: NPS with detractor/promoter branches re-asked every 90 days, CES after the
/// welcome tour and after the checklist (the keys of the CES chart), and CSAT.
#[test]
fn survey_examples_ask_what_the_docs_promise() {
    use demo_app::seed::PATTERN_FLOWS;
    use engine::flow::Trigger;

    let flow = |id: &str| -> engine::Flow {
        let (_, file) = PATTERN_FLOWS
            .iter()
            .find(|(known, _)| *known == id)
            .unwrap();
        serde_json::from_str(file).unwrap()
    };
    let nps = flow("nps-survey");
    let survey = nps.survey.clone().expect("a survey");
    assert_eq!(survey.reask_days, Some(90));
    let question = nps.steps[0].question.clone().expect("an NPS question");
    assert_eq!(serde_json::to_value(question.kind).unwrap(), "nps");
    let gotos: Vec<&str> = question
        .branches
        .iter()
        .map(|branch| branch.goto.as_str())
        .collect();
    assert_eq!(gotos, ["better", "love"]);
    assert!(
        nps.steps.last().unwrap().question.is_none(),
        "ends with a thank-you step"
    );

    assert_eq!(
        flow("ces-after-task").trigger,
        Trigger::Completed {
            flow: "welcome-tour".into()
        }
    );
    assert_eq!(
        flow("ces-after-checklist").trigger,
        Trigger::Completed {
            flow: "get-started".into()
        }
    );
    let csat = flow("csat-survey");
    assert!(csat.survey.is_some());
    assert_eq!(
        serde_json::to_value(csat.steps[0].question.as_ref().unwrap().kind).unwrap(),
        "csat"
    );
}
