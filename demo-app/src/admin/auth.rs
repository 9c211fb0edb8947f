//! Admin sign-in: the e-mail and password from the flags, an in-memory session keyed by a random
//! token in an HttpOnly, SameSite=Strict cookie, and the extractor that guards `/api/*`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::BffError;
use crate::page::{html_escape, html_response};

/// Name of the admin session cookie.
pub const COOKIE_NAME: &str = "waymark_admin_session";
/// How long a session lasts without signing in again.
const SESSION_TTL: Duration = Duration::from_secs(12 * 60 * 60);

/// A signed-in admin.
#[derive(Clone, Debug)]
pub struct AdminSession {
    pub email: String,
}

/// Sessions kept in memory: a restart signs everyone out, which is fine for a demo.
#[derive(Clone, Debug, Default)]
pub struct Sessions {
    inner: Arc<Mutex<HashMap<String, (AdminSession, Instant)>>>,
}

impl Sessions {
    /// Starts a session and returns its token.
    pub fn create(&self, email: &str) -> String {
        let token = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        let mut sessions = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let now = Instant::now();
        sessions.retain(|_, (_, expires)| *expires > now);
        sessions.insert(
            token.clone(),
            (
                AdminSession {
                    email: email.to_string(),
                },
                now + SESSION_TTL,
            ),
        );
        token
    }

    /// The session named by the request's cookie, if it is still valid.
    pub fn from_headers(&self, headers: &HeaderMap) -> Option<AdminSession> {
        let token = session_token(headers)?;
        let sessions = self
            .inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match sessions.get(&token) {
            Some((session, expires)) if *expires > Instant::now() => Some(session.clone()),
            _ => None,
        }
    }

    /// Ends the session named by the request's cookie.
    pub fn remove(&self, headers: &HeaderMap) {
        if let Some(token) = session_token(headers) {
            self.inner
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .remove(&token);
        }
    }
}

fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
        .filter(|value| !value.is_empty())
}

impl FromRequestParts<AppState> for AdminSession {
    type Rejection = BffError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        state
            .sessions()
            .from_headers(&parts.headers)
            .ok_or(BffError::NotLoggedIn)
    }
}

#[derive(Deserialize, Debug, Default)]
pub struct LoginQuery {
    #[serde(default)]
    next: Option<String>,
}

#[derive(Deserialize, Debug)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `GET /login`.
pub async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Response {
    let next = safe_next(query.next.as_deref());
    if state.sessions().from_headers(&headers).is_some() {
        return Redirect::to(next).into_response();
    }
    render_login(&state, StatusCode::OK, "", None, next)
}

/// `POST /login`: on success a session cookie and a redirect, otherwise the form again with an error.
pub async fn login(State(state): State<AppState>, Form(form): Form<LoginForm>) -> Response {
    let next = safe_next(form.next.as_deref());
    let config = state.config();
    let email_ok = form
        .email
        .trim()
        .eq_ignore_ascii_case(config.admin_email.trim());
    let password_ok = same_secret(&form.password, &config.admin_password);
    if !(email_ok && password_ok) {
        tracing::info!(email = %form.email, "admin sign-in refused");
        return render_login(
            &state,
            StatusCode::UNAUTHORIZED,
            &form.email,
            Some("That e-mail and password don't match. Check them and try again."),
            next,
        );
    }
    let token = state.sessions().create(config.admin_email.trim());
    let cookie = format!(
        "{COOKIE_NAME}={token}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
        SESSION_TTL.as_secs()
    );
    let mut response = Redirect::to(next).into_response();
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

/// `POST /logout`: forgets the session and clears the cookie.
pub async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    state.sessions().remove(&headers);
    let mut response = Redirect::to("/login").into_response();
    let cookie = format!("{COOKIE_NAME}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().insert(header::SET_COOKIE, value);
    }
    response
}

fn render_login(
    state: &AppState,
    status: StatusCode,
    email: &str,
    error: Option<&str>,
    next: &str,
) -> Response {
    let error_html = match error {
        Some(message) => format!(
            "<p id=\"login-error\" class=\"form-error\" role=\"alert\">{}</p>",
            html_escape(message)
        ),
        None => String::new(),
    };
    let html = super::LOGIN_HTML
        .replace("<!--LOGIN_ERROR-->", &error_html)
        .replace("__EMAIL__", &html_escape(email))
        .replace("__NEXT__", &html_escape(next))
        .replace(
            "__INVALID__",
            if error.is_some() { "true" } else { "false" },
        )
        .replace(
            "__ERROR_REF__",
            if error.is_some() { "login-error" } else { "" },
        );
    html_response(status, html, state.login_csp())
}

/// Only redirects back into the admin app, never to another site.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(path)
            if path.starts_with("/flows") && !path.contains("//") && !path.contains('\\') =>
        {
            path
        }
        _ => "/flows",
    }
}

/// Compares secrets without leaking where they differ through timing.
fn same_secret(given: &str, expected: &str) -> bool {
    let given = Sha256::digest(given.as_bytes());
    let expected = Sha256::digest(expected.as_bytes());
    given
        .iter()
        .zip(expected.iter())
        .fold(0u8, |acc, (a, b)| acc | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_inside_the_admin() {
        assert_eq!(
            safe_next(Some("/flows/welcome-tour/edit")),
            "/flows/welcome-tour/edit"
        );
        assert_eq!(safe_next(Some("https://evil.test/flows")), "/flows");
        assert_eq!(safe_next(Some("/flows//evil.test")), "/flows");
        assert_eq!(safe_next(None), "/flows");
    }

    #[test]
    fn cookie_token_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; waymark_admin_session=abc; b=2"),
        );
        assert_eq!(session_token(&headers).as_deref(), Some("abc"));
    }

    #[test]
    fn secrets_compare() {
        assert!(same_secret("waymark-demo", "waymark-demo"));
        assert!(!same_secret("waymark-demo ", "waymark-demo"));
    }
}
