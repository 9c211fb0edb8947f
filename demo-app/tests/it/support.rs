//! Helpers shared by the integration tests: requests, body reading and a fake collector.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Request, Response, header};
use demo_app::{AppState, Config};
use tower::ServiceExt;

/// A state whose collector is `collector_url` (nothing listens there unless a test starts it).
pub fn state_with(collector_url: &str) -> AppState {
    let config = Config {
        collector_url: collector_url.to_string(),
        seed: false,
        ..Config::default()
    };
    AppState::new(config).expect("state")
}

pub fn state() -> AppState {
    // Port 9 (discard) on localhost: nothing answers, so the collector is "down".
    state_with("http://127.0.0.1:9")
}

pub async fn send(router: Router, request: Request<Body>) -> (Response<()>, String) {
    let response = router.oneshot(request).await.expect("router answers");
    let (parts, body) = response.into_parts();
    let bytes = to_bytes(body, 4 * 1024 * 1024).await.expect("body");
    (
        Response::from_parts(parts, ()),
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

pub fn get(uri: &str) -> Request<Body> {
    Request::get(uri).body(Body::empty()).unwrap()
}

pub fn header_str(headers: &HeaderMap, name: header::HeaderName) -> &str {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("")
}

/// Signs in on the admin router and returns the `Cookie` header value to send back.
pub async fn sign_in(state: &AppState) -> String {
    let request = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from("email=admin%40demo.test&password=waymark-demo"))
        .unwrap();
    let (response, _) = send(demo_app::admin_router(state.clone()), request).await;
    assert_eq!(response.status(), 303);
    let set_cookie = header_str(response.headers(), header::SET_COOKIE);
    set_cookie.split(';').next().unwrap().to_string()
}

/// One request the fake collector received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path_and_query: String,
    pub authorization: String,
    pub body: String,
}

/// Serves `router` on a free port; returns its base URL.
pub async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{address}")
}

/// A log of requests shared with a fake collector.
pub type Log = Arc<Mutex<Vec<Seen>>>;

pub async fn record(log: &Log, request: Request<Body>) -> Seen {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1024 * 1024).await.unwrap();
    let seen = Seen {
        method: parts.method.to_string(),
        path_and_query: parts
            .uri
            .path_and_query()
            .map(|pq| pq.to_string())
            .unwrap_or_default(),
        authorization: header_str(&parts.headers, header::AUTHORIZATION).to_string(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    log.lock().unwrap().push(seen.clone());
    seen
}
