//! The admin origin: sign-in, the guarded app page, and the `/api/*` proxy (against a fake collector).

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse;
use serde_json::{Value, json};

use crate::support::{Log, get, header_str, record, send, serve, sign_in, state, state_with};

fn login_request(email: &str, password: &str) -> Request<Body> {
    let body = format!(
        "email={}&password={}&next=%2Fflows%2Fnew",
        email.replace('@', "%40"),
        password
    );
    Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn login_page_has_the_documented_hooks() {
    let (response, body) = send(demo_app::admin_router(state()), get("/login")).await;
    assert_eq!(response.status(), StatusCode::OK);
    for hook in [
        r#"id="login-email""#,
        r#"id="login-password""#,
        r#"id="login-submit""#,
        r#"<label for="login-email">"#,
    ] {
        assert!(body.contains(hook), "{hook}");
    }
    assert!(!body.contains("login-error"));
    assert!(
        header_str(response.headers(), header::CONTENT_SECURITY_POLICY)
            .contains("default-src 'self'")
    );
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_message() {
    let (response, body) = send(
        demo_app::admin_router(state()),
        login_request("admin@demo.test", "guess"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(response.headers().get(header::SET_COOKIE).is_none());
    assert!(body.contains(r#"id="login-error""#) && body.contains(r#"role="alert""#));
    assert!(body.contains("match. Check them and try again."));
    assert!(
        body.contains(r#"value="admin@demo.test""#),
        "keeps the e-mail typed"
    );
    assert!(!body.contains("guess"), "never echoes the password");
}

#[tokio::test]
async fn the_right_password_signs_in_and_logout_signs_out() {
    let state = state();
    let (response, _) = send(
        demo_app::admin_router(state.clone()),
        login_request("Admin@Demo.test", "waymark-demo"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header_str(response.headers(), header::LOCATION),
        "/flows/new"
    );
    let set_cookie = header_str(response.headers(), header::SET_COOKIE);
    assert!(
        set_cookie.starts_with("waymark_admin_session="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    assert!(
        cookie.len() > "waymark_admin_session=".len() + 40,
        "a long random token"
    );

    let signed_in = |path: &str| {
        Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };
    let (response, body) = send(demo_app::admin_router(state.clone()), signed_in("/flows")).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(body.contains(r#"id="new-flow""#) && body.contains("admin@demo.test"));
    assert!(body.contains(
        r#"waymark.load({host: "http://127.0.0.1:9", writeKey: "wk_demo", previewOnly: true});"#
    ));
    let csp = header_str(response.headers(), header::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("'sha256-") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let (response, _) = send(
        demo_app::admin_router(state.clone()),
        signed_in("/flows/welcome-tour/edit"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    for path in ["/segments", "/segments/new", "/segments/pro-users/edit"] {
        let (response, body) = send(demo_app::admin_router(state.clone()), signed_in(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(body.contains(r#"id="nav-segments""#), "{path}");
    }
    let (response, _) = send(demo_app::admin_router(state.clone()), signed_in("/")).await;
    assert_eq!(header_str(response.headers(), header::LOCATION), "/flows");

    let logout = Request::post("/logout")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(demo_app::admin_router(state.clone()), logout).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(header_str(response.headers(), header::SET_COOKIE).contains("Max-Age=0"));
    let (response, _) = send(demo_app::admin_router(state), signed_in("/flows")).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the old cookie no longer works"
    );
}

#[tokio::test]
async fn the_app_page_sends_strangers_to_login() {
    let (response, _) = send(
        demo_app::admin_router(state()),
        get("/flows/welcome-tour/funnel"),
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        header_str(response.headers(), header::LOCATION),
        "/login?next=/flows/welcome-tour/funnel"
    );
    let (response, _) = send(demo_app::admin_router(state()), get("/")).await;
    assert_eq!(header_str(response.headers(), header::LOCATION), "/login");
}

#[tokio::test]
async fn api_without_a_session_is_401_json() {
    for (method, path) in [
        ("GET", "/api/flows"),
        ("POST", "/api/flows/welcome-tour/publish"),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let (response, body) = send(demo_app::admin_router(state()), request).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert!(
            header_str(response.headers(), header::CONTENT_TYPE).starts_with("application/json")
        );
        let json: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["code"], "not_logged_in");
        assert!(json["message"].as_str().unwrap().contains("sign in"));
    }
}

#[tokio::test]
async fn api_reports_a_collector_that_is_down() {
    let state = state();
    let cookie = sign_in(&state).await;
    let request = Request::get("/api/flows")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(demo_app::admin_router(state), request).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(json["code"], "collector_unavailable");
}

#[tokio::test]
async fn admin_assets_have_their_content_types() {
    for (path, content_type) in [
        ("/assets/admin.css", "text/css"),
        ("/assets/admin.js", "text/javascript"),
        ("/favicon.svg", "image/svg+xml"),
    ] {
        let (response, _) = send(demo_app::admin_router(state()), get(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header_str(response.headers(), header::CONTENT_TYPE).starts_with(content_type),
            "{path}"
        );
    }
}

/// A collector that answers validation errors for POSTs, an attachment for exports and lists otherwise.
fn fake_collector(log: Log) -> Router {
    Router::new().fallback(move |request: Request<Body>| {
        let log = log.clone();
        async move {
            let seen = record(&log, request).await;
            if seen.authorization != "Bearer sk_demo" {
                return (StatusCode::UNAUTHORIZED, axum::Json(json!({"code": "bad_key", "message": "no"}))).into_response();
            }
            if seen.method == "POST" && seen.path_and_query == "/v1/admin/flows" {
                let body = json!({
                    "code": "invalid_flow", "message": "the flow has 1 problem",
                    "errors": [{"field": "steps[1].target", "code": "required", "message": "a tooltip needs a CSS selector to point at"}]
                });
                return (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response();
            }
            if seen.path_and_query.ends_with("/export") {
                return (
                    [(header::CONTENT_TYPE, "application/json"), (header::CONTENT_DISPOSITION, "attachment; filename=\"x.json\"")],
                    "{\"format\":\"waymark.flow/v1\"}",
                )
                    .into_response();
            }
            axum::Json(json!([{"id": "welcome-tour"}])).into_response()
        }
    })
}

#[tokio::test]
async fn api_forwards_to_the_collector_with_the_admin_key() {
    let log: Log = Arc::new(Mutex::new(Vec::new()));
    let base = serve(fake_collector(log.clone())).await;
    let state = state_with(&base);
    let cookie = sign_in(&state).await;

    let request = Request::get("/api/flows?limit=5")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(demo_app::admin_router(state.clone()), request).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()[0]["id"],
        "welcome-tour"
    );

    let flow = r#"{"id":"x","steps":[]}"#;
    let request = Request::post("/api/flows")
        .header(header::COOKIE, &cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ORIGIN, "http://admin.test")
        .header(header::HOST, "admin.test")
        .body(Body::from(flow))
        .unwrap();
    let (response, body) = send(demo_app::admin_router(state.clone()), request).await;
    assert_eq!(
        response.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "status passed through"
    );
    let json: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        json["errors"][0]["field"], "steps[1].target",
        "error body passed through"
    );

    let request = Request::get("/api/flows/x/export")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(demo_app::admin_router(state.clone()), request).await;
    assert!(header_str(response.headers(), header::CONTENT_DISPOSITION).starts_with("attachment"));

    let seen = log.lock().unwrap().clone();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path_and_query.as_str()),
        ("GET", "/v1/admin/flows?limit=5")
    );
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path_and_query.as_str()),
        ("POST", "/v1/admin/flows")
    );
    assert_eq!(seen[1].body, flow);
    assert!(seen.iter().all(|s| s.authorization == "Bearer sk_demo"));
}

#[tokio::test]
async fn api_refuses_other_origins_and_odd_paths() {
    let state = state();
    let cookie = sign_in(&state).await;
    let request = Request::post("/api/flows/x/publish")
        .header(header::COOKIE, &cookie)
        .header(header::HOST, "127.0.0.1:3001")
        .header(header::ORIGIN, "http://evil.test")
        .body(Body::empty())
        .unwrap();
    let (response, body) = send(demo_app::admin_router(state.clone()), request).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "cross_origin"
    );

    let request = Request::get("/api/../secret")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (response, _) = send(demo_app::admin_router(state), request).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn preview_compiles_markdown_bodies_for_signed_in_admins() {
    let flow = json!({
        "format": "waymark.flow/v1", "id": "draft", "name": "Draft", "trigger": {"type": "manual"},
        "steps": [{"id": "a", "kind": "modal", "title": "Hi", "body": "Some **bold**",
                   "buttons": [{"action": "next", "label": "Next"}]}]
    });
    let request = |cookie: Option<&str>, body: String| {
        let mut builder =
            Request::post("/preview/flow").header(header::CONTENT_TYPE, "application/json");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(Body::from(body)).unwrap()
    };
    let state = state();
    let (response, _) = send(
        demo_app::admin_router(state.clone()),
        request(None, flow.to_string()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let cookie = sign_in(&state).await;
    let (response, body) = send(
        demo_app::admin_router(state.clone()),
        request(Some(&cookie), flow.to_string()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let compiled: Value = serde_json::from_str(&body).unwrap();
    let doc = compiled["steps"][0]["body_doc"].to_string();
    assert!(doc.contains("\"strong\"") && doc.contains("bold"), "{doc}");

    // Translated bodies are compiled too, so a previewed translation looks as it will once saved.
    let mut translated = flow.clone();
    translated["translations"] =
        json!({"fr": {"steps": {"a": {"title": "Salut", "body": "Du **gras**"}}}});
    let (response, body) = send(
        demo_app::admin_router(state.clone()),
        request(Some(&cookie), translated.to_string()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK, "{body}");
    let compiled: Value = serde_json::from_str(&body).unwrap();
    let doc = compiled["translations"]["fr"]["steps"]["a"]["body_doc"].to_string();
    assert!(doc.contains("\"strong\"") && doc.contains("gras"), "{doc}");

    let (response, body) = send(
        demo_app::admin_router(state),
        request(Some(&cookie), "{".into()),
    )
    .await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["code"],
        "invalid_json"
    );
}

#[tokio::test]
async fn settings_and_users_pages_have_their_hooks() {
    let state = state();
    for path in ["/settings", "/users", "/users?user=u1&url=%2Fprojects"] {
        let (response, _) = send(demo_app::admin_router(state.clone()), get(path)).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{path}: signed out"
        );
    }
    let cookie = sign_in(&state).await;
    for path in ["/settings", "/users", "/users?user=u1&url=%2Fprojects"] {
        let request = Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let (response, body) = send(demo_app::admin_router(state.clone()), request).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        for hook in [
            r#"id="nav-settings-admin""#,
            r#"id="nav-users""#,
            r#"id="save-settings""#,
            r#"id="fatigue-max""#,
            r#"id="fatigue-cooldown""#,
            r#"id="fatigue-session-timeout""#,
            r#"id="rc-enabled""#,
            r#"id="rc-position""#,
            r#"id="rc-title""#,
            r#"id="rc-feedback""#,
            r#"name="article-url""#,
            r#"id="user-lookup-id""#,
            r#"id="user-lookup-url""#,
            r#"id="user-lookup-submit""#,
            r#"id="eligibility-table""#,
            r#"id="users-error" class="error-summary" role="alert""#,
        ] {
            assert!(body.contains(hook), "{path}: {hook}");
        }
    }
}

#[tokio::test]
async fn the_flow_editor_has_a_control_for_every_pattern() {
    let state = state();
    let cookie = sign_in(&state).await;
    let request = Request::get("/flows/new")
        .header(header::COOKIE, &cookie)
        .body(Body::empty())
        .unwrap();
    let (_, body) = send(demo_app::admin_router(state), request).await;
    for kind in [
        "tour",
        "announcement",
        "banner",
        "slideout",
        "hotspot",
        "checklist",
    ] {
        assert!(
            body.contains(&format!(r#"<option value="{kind}">"#)),
            "{kind}"
        );
    }
    for hook in [
        r#"id="flow-type""#,
        r#"<option value="every_session">"#,
        r#"id="flow-replayable""#,
        r#"id="requires-rule""#,
        r#"id="checklist""#,
        r#"id="checklist-title""#,
        r#"id="badge-id""#,
        r#"id="badge-name""#,
        r#"id="open-on-first-show""#,
        r#"id="checklist-items""#,
        r#"name="item-condition""#,
        r#"name="item-condition-count""#,
        r#"name="item-launch-flow""#,
        r#"name="item-depends-on""#,
        r#"id="translations""#,
        r#"id="theme-accent""#,
        r#"id="theme-mode""#,
        r#"name="media-kind""#,
        r#"name="media-url""#,
        r#"name="media-alt""#,
        r#"name="push""#,
        r#"<option value="completed">"#,
        r#"<option value="visited">"#,
    ] {
        assert!(body.contains(hook), "{hook}");
    }
}

#[tokio::test]
async fn the_feedback_pages_are_routed_and_have_their_hooks() {
    let state = state();
    let paths = [
        "/surveys",
        "/surveys/nps-survey?band=detractor",
        "/feedback",
        "/accounts",
        "/accounts/northwind",
        "/problems",
    ];
    for path in paths {
        let (response, _) = send(demo_app::admin_router(state.clone()), get(path)).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "{path}: signed out"
        );
    }
    let cookie = sign_in(&state).await;
    for path in paths {
        let request = Request::get(path)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap();
        let (response, body) = send(demo_app::admin_router(state.clone()), request).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        for hook in [
            r#"id="nav-surveys""#,
            r#"id="nav-feedback""#,
            r#"id="nav-accounts""#,
            r#"id="nav-problems""#,
            r#"<option value="survey">"#,
            r#"id="survey-sample-percent""#,
            r#"id="survey-reask-days""#,
            r#"<option value="days_after">"#,
            r#"name="question-kind""#,
            r#"id="download-csv""#,
            r#"id="note-form""#,
            r#"id="plan-form""#,
            r#"id="problem-threshold""#,
        ] {
            assert!(body.contains(hook), "{path} lacks {hook}");
        }
    }
}
