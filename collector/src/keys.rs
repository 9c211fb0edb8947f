//! Who may call what: write keys (public, per allowed origin) for boot and batch, admin keys
//! (secret, as a bearer token) for `/v1/admin/*`, and the CORS answers browsers need.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_HEADERS, AUTHORIZATION, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::Error;
use crate::storage::App;

/// Every app, indexed by its keys. Apps change only at start-up, so this is built once.
#[derive(Debug, Default)]
pub struct Apps {
    by_write_key: HashMap<String, Arc<App>>,
    by_admin_key: HashMap<String, Arc<App>>,
}

impl Apps {
    pub fn new(apps: Vec<App>) -> Self {
        let mut index = Apps::default();
        for app in apps.into_iter().map(Arc::new) {
            index
                .by_write_key
                .insert(app.write_key.clone(), app.clone());
            index.by_admin_key.insert(app.admin_key.clone(), app);
        }
        index
    }

    /// Whether some app lets this origin in; used where no key is known yet (preflight).
    fn allows_origin_somewhere(&self, origin: &str) -> bool {
        self.by_write_key
            .values()
            .any(|app| app.allows_origin(origin))
    }
}

/// The app behind a write key, if the request's `Origin` (when it has one) is on its allowlist.
pub fn authorize_write(
    state: &AppState,
    write_key: &str,
    headers: &HeaderMap,
) -> Result<Arc<App>, Error> {
    let app = state
        .apps
        .by_write_key
        .get(write_key)
        .ok_or(Error::InvalidWriteKey)?;
    if let Some(origin) = headers.get(ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes());
        if !app.allows_origin(&origin) {
            return Err(Error::OriginNotAllowed(origin.into_owned()));
        }
    }
    Ok(app.clone())
}

/// The app whose admin key authorised this request, put there by [`require_admin`].
#[derive(Clone, Debug)]
pub struct AdminApp(pub Arc<App>);

/// Middleware for `/v1/admin/*`: `Authorization: Bearer <admin key>` or 401.
pub async fn require_admin(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, Error> {
    let key = request
        .headers()
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    let app = key
        .and_then(|key| state.apps.by_admin_key.get(key))
        .ok_or(Error::InvalidAdminKey)?;
    request.extensions_mut().insert(AdminApp(app.clone()));
    Ok(next.run(request).await)
}

/// Middleware answering CORS preflights and echoing an allowed `Origin`. The per-app check
/// happens in [`authorize_write`], once the key is known.
pub async fn cors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let origin = request.headers().get(ORIGIN).cloned();
    let allowed = origin
        .as_ref()
        .and_then(|origin| origin.to_str().ok())
        .is_some_and(|origin| state.apps.allows_origin_somewhere(origin));

    let mut response = match (request.method() == Method::OPTIONS, &origin) {
        (true, Some(_)) if allowed => preflight(request.headers()),
        (true, Some(origin)) => {
            Error::OriginNotAllowed(String::from_utf8_lossy(origin.as_bytes()).into_owned())
                .into_response()
        }
        _ => next.run(request).await,
    };
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let (true, Some(origin)) = (allowed, origin) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
    response
}

fn preflight(request_headers: &HeaderMap) -> Response {
    let allow_headers = request_headers
        .get(ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("content-type, authorization"));
    (
        StatusCode::NO_CONTENT,
        [
            (
                ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, POST, PUT, OPTIONS"),
            ),
            (ACCESS_CONTROL_ALLOW_HEADERS, allow_headers),
            (ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600")),
        ],
    )
        .into_response()
}
