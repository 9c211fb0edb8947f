//! `/api/*` on the admin origin: forwards a signed-in admin's request to the collector's
//! `/v1/admin/*` with the secret admin key, passing status codes and bodies straight through.

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Uri, header};
use axum::response::Response;

use super::auth::AdminSession;
use crate::AppState;
use crate::error::BffError;

/// Response headers from the collector that the browser needs.
const PASSED_HEADERS: [header::HeaderName; 2] = [header::CONTENT_TYPE, header::CONTENT_DISPOSITION];

/// Forwards `METHOD /api/<path>?<query>` to `METHOD <collector>/v1/admin/<path>?<query>`.
pub async fn forward(
    State(state): State<AppState>,
    _session: AdminSession,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, BffError> {
    check_same_origin(&headers)?;
    let path = uri.path().strip_prefix("/api/").ok_or(BffError::BadPath)?;
    if path.is_empty()
        || path
            .split('/')
            .any(|segment| segment == ".." || segment == ".")
        || path.contains('\\')
    {
        return Err(BffError::BadPath);
    }
    let mut url = format!("{}/v1/admin/{path}", state.config().collector_base());
    if let Some(query) = uri.query() {
        url.push('?');
        url.push_str(query);
    }

    let mut request = state
        .http()
        .request(method, &url)
        .bearer_auth(&state.config().admin_key);
    if let Some(content_type) = headers.get(header::CONTENT_TYPE) {
        request = request.header(header::CONTENT_TYPE, content_type);
    }
    if !body.is_empty() {
        request = request.body(body);
    }
    let upstream = request
        .send()
        .await
        .map_err(|source| BffError::CollectorUnavailable {
            url: state.config().collector_base().to_string(),
            source,
        })?;

    let status = upstream.status();
    let mut passed = HeaderMap::new();
    for name in PASSED_HEADERS {
        if let Some(value) = upstream.headers().get(&name) {
            passed.insert(name, value.clone());
        }
    }
    let bytes = upstream.bytes().await.map_err(BffError::BadGateway)?;

    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().extend(passed);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// Refuses browser requests sent from another site (the SameSite cookie already prevents most).
pub(crate) fn check_same_origin(headers: &HeaderMap) -> Result<(), BffError> {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(BffError::CrossOrigin);
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    if origin_host.eq_ignore_ascii_case(host) {
        Ok(())
    } else {
        Err(BffError::CrossOrigin)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_origin_rules() {
        let mut headers = HeaderMap::new();
        assert!(check_same_origin(&headers).is_ok());
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:3001"));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:3001"),
        );
        assert!(check_same_origin(&headers).is_ok());
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:3000"),
        );
        assert!(check_same_origin(&headers).is_err());
    }
}
