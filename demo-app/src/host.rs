//! The host product, "Tasklane": one HTML page for every app route (client-side routing), its
//! embedded CSS/JS, served under a strict Content-Security-Policy that still lets Waymark run.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::page::asset;

pub const INDEX_HTML: &str = include_str!("../host/index.html");
const APP_CSS: &[u8] = include_bytes!("../host/app.css");
const APP_JS: &[u8] = include_bytes!("../host/app.js");
const IDENTITY_JS: &[u8] = include_bytes!("../host/identity.js");
const FAVICON_SVG: &[u8] = include_bytes!("../host/favicon.svg");
/// Illustrations the demo announcements show as step media (`/assets/<name>.svg`).
const WHATS_NEW_SVG: &[u8] = include_bytes!("../host/whats-new.svg");
const AUTOMATIONS_SVG: &[u8] = include_bytes!("../host/automations.svg");

/// Routes of the host product.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/assets/identity.js",
            get(|| async { asset("text/javascript; charset=utf-8", IDENTITY_JS) }),
        )
        .route(
            "/assets/whats-new.svg",
            get(|| async { asset("image/svg+xml", WHATS_NEW_SVG) }),
        )
        .route(
            "/assets/automations.svg",
            get(|| async { asset("image/svg+xml", AUTOMATIONS_SVG) }),
        )
        .route(
            "/favicon.svg",
            get(|| async { asset("image/svg+xml", FAVICON_SVG) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .fallback(get(spa_page))
        .with_state(state)
}

/// Any app route gets the single-page app; paths that look like files are real 404s.
async fn spa_page(State(state): State<AppState>, uri: Uri) -> Response {
    let last_segment = uri.path().rsplit('/').next().unwrap_or("");
    if last_segment.contains('.') || uri.path().starts_with("/assets/") {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    }
    state.host_page().response()
}
