//! The Waymark admin origin: sign-in, the flows, segments, settings, users, surveys, feedback, accounts and problems UI (embedded HTML/CSS/JS) and the `/api/*`
//! backend-for-frontend that forwards to the collector with the secret admin key.

pub mod auth;
pub mod preview;
pub mod proxy;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{any, get, post};

use crate::AppState;
use crate::page::asset;

pub const APP_HTML: &str = include_str!("../../admin/app.html");
pub const LOGIN_HTML: &str = include_str!("../../admin/login.html");
const ADMIN_CSS: &[u8] = include_bytes!("../../admin/admin.css");
const ADMIN_JS: &[u8] = include_bytes!("../../admin/admin.js");
const FAVICON_SVG: &[u8] = include_bytes!("../../admin/favicon.svg");

/// Routes of the admin origin.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/login", get(auth::login_page).post(auth::login))
        .route("/logout", post(auth::logout))
        .route(
            "/assets/admin.css",
            get(|| async { asset("text/css; charset=utf-8", ADMIN_CSS) }),
        )
        .route(
            "/assets/admin.js",
            get(|| async { asset("text/javascript; charset=utf-8", ADMIN_JS) }),
        )
        .route(
            "/favicon.svg",
            get(|| async { asset("image/svg+xml", FAVICON_SVG) }),
        )
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/{*path}", any(proxy::forward))
        .route("/preview/flow", post(preview::compile_bodies))
        .route("/flows", get(app_page))
        .route("/flows/{*rest}", get(app_page))
        .route("/segments", get(app_page))
        .route("/segments/{*rest}", get(app_page))
        .route("/settings", get(app_page))
        .route("/users", get(app_page))
        .route("/users/{*rest}", get(app_page))
        .route("/surveys", get(app_page))
        .route("/surveys/{*rest}", get(app_page))
        .route("/feedback", get(app_page))
        .route("/accounts", get(app_page))
        .route("/accounts/{*rest}", get(app_page))
        .route("/problems", get(app_page))
        .fallback(not_found)
        .with_state(state)
}

async fn home(State(state): State<AppState>, headers: HeaderMap) -> Redirect {
    if state.sessions().from_headers(&headers).is_some() {
        Redirect::to("/flows")
    } else {
        Redirect::to("/login")
    }
}

/// The admin single-page app, for signed-in admins only.
async fn app_page(State(state): State<AppState>, headers: HeaderMap, uri: Uri) -> Response {
    if state.sessions().from_headers(&headers).is_none() {
        let next = uri
            .path_and_query()
            .map(|pq| pq.as_str())
            .unwrap_or("/flows");
        return Redirect::to(&format!("/login?next={}", percent_encode(next))).into_response();
    }
    state.admin_page().response()
}

async fn not_found(uri: Uri) -> Response {
    if uri.path().starts_with("/api") {
        return crate::error::BffError::BadPath.into_response();
    }
    (StatusCode::NOT_FOUND, "not found").into_response()
}

/// Percent-encodes everything but unreserved characters and `/`.
fn percent_encode(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}
