//! Keys and CORS: admin routes need the admin key (and only it), write-key routes check the
//! app's origin allowlist, preflights are answered, unknown routes get JSON errors.

use axum::body::Body;
use axum::http::{Method, Request};
use serde_json::json;

use crate::support::{ADMIN_KEY, ALLOWED_ORIGIN, TestApp, WRITE_KEY, check_error, tour};

#[tokio::test]
async fn admin_routes_need_the_admin_key() {
    let app = TestApp::new().await;
    let routes = [
        (Method::GET, "/v1/admin/flows"),
        (Method::POST, "/v1/admin/flows"),
        (Method::GET, "/v1/admin/flows/x"),
        (Method::PUT, "/v1/admin/flows/x"),
        (Method::POST, "/v1/admin/flows/x/publish"),
        (Method::POST, "/v1/admin/flows/import"),
        (Method::GET, "/v1/admin/flows/x/export"),
        (Method::GET, "/v1/admin/flows/x/funnel"),
        (Method::GET, "/v1/admin/events"),
    ];
    let credentials = [
        ("no header", None),
        ("write key", Some(format!("Bearer {WRITE_KEY}"))),
        ("wrong key", Some("Bearer sk_wrong".to_string())),
        ("not bearer", Some(ADMIN_KEY.to_string())),
    ];
    for (method, uri) in &routes {
        for (case, authorization) in &credentials {
            let mut request = Request::builder().method(method.clone()).uri(*uri);
            if let Some(authorization) = authorization {
                request = request.header("authorization", authorization);
            }
            let reply = app
                .send(request.body(Body::from(tour("x").to_string())).unwrap())
                .await;
            check_error(
                &format!("{method} {uri} with {case}"),
                &reply,
                401,
                "invalid_admin_key",
                Some("authorization"),
            );
        }
    }
}

#[tokio::test]
async fn write_key_routes_check_the_origin() {
    let app = TestApp::new().await;
    let batch = json!({"write_key": WRITE_KEY, "user_id": "u1", "events": []}).to_string();
    let boot = format!("/v1/boot?write_key={WRITE_KEY}&user_id=u1");
    let request = |method: Method, uri: &str, origin: &str, body: &str| {
        Request::builder()
            .method(method)
            .uri(uri)
            .header("origin", origin)
            .body(Body::from(body.to_string()))
            .unwrap()
    };

    for (method, uri, body) in [
        (Method::POST, "/v1/batch", batch.as_str()),
        (Method::GET, boot.as_str(), ""),
    ] {
        let allowed = app
            .send(request(method.clone(), uri, ALLOWED_ORIGIN, body))
            .await;
        assert_eq!(allowed.status, 200, "{uri}");
        assert_eq!(
            allowed.header("access-control-allow-origin"),
            Some(ALLOWED_ORIGIN)
        );
        assert!(allowed.header("vary").unwrap().contains("Origin"));

        let denied = app
            .send(request(method, uri, "https://evil.example", body))
            .await;
        check_error(uri, &denied, 403, "origin_not_allowed", Some("origin"));
        assert_eq!(denied.header("access-control-allow-origin"), None);
    }

    // Server-side senders have no Origin and need none.
    assert_eq!(app.post("/v1/batch", batch).await.status, 200);
}

#[tokio::test]
async fn preflights_are_answered_for_allowed_origins_only() {
    let app = TestApp::new().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/v1/batch")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight(ALLOWED_ORIGIN)).await;
    assert_eq!(allowed.status, 204);
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(ALLOWED_ORIGIN)
    );
    assert!(
        allowed
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST")
    );
    assert_eq!(
        allowed.header("access-control-allow-headers"),
        Some("content-type")
    );

    let denied = app.send(preflight("https://evil.example")).await;
    check_error(
        "preflight from elsewhere",
        &denied,
        403,
        "origin_not_allowed",
        Some("origin"),
    );
}

#[tokio::test]
async fn unknown_routes_and_methods_get_json_errors() {
    let app = TestApp::new().await;
    check_error(
        "unknown route",
        &app.get("/v2/nothing").await,
        404,
        "not_found",
        None,
    );
    let reply = app
        .send(Request::delete("/v1/batch").body(Body::empty()).unwrap())
        .await;
    check_error("wrong method", &reply, 405, "method_not_allowed", None);
}

/// The same over real HTTP, as a browser's `sendBeacon` would send it.
#[tokio::test]
async fn serves_over_tcp() {
    let app = TestApp::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let server = tokio::spawn(axum::serve(listener, app.router.clone()).into_future());

    let client = reqwest::Client::new();
    let body = json!({"write_key": WRITE_KEY, "user_id": "u1", "events": [{"message_id": "m", "type": "page", "timestamp": 1}]});
    let reply = client
        .post(format!("http://{address}/v1/batch"))
        .header("content-type", "text/plain;charset=UTF-8")
        .header("origin", ALLOWED_ORIGIN)
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(reply.status(), 200);
    let reply: serde_json::Value = reply.json().await.unwrap();
    assert_eq!(reply["accepted"], 1);
    server.abort();
}
