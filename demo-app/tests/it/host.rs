//! The host product: the SPA page on every app route, its CSP and snippet, and static assets.

use axum::http::{StatusCode, header};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::support::{get, header_str, send, state};

const STUB_LINE: &str = r#"!function(w,d){if(w.waymark)return;var q=[],a=w.waymark={_q:q};"#;

#[tokio::test]
async fn spa_routes_get_the_page_with_snippet_and_csp() {
    for path in [
        "/",
        "/projects",
        "/settings",
        "/projects/",
        "/some/unknown/route",
        "/settings?user=u1&first_name=Grace",
    ] {
        let (response, body) = send(demo_app::host_router(state()), get(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header_str(response.headers(), header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert!(body.contains(STUB_LINE), "{path}: documented snippet");
        assert!(
            body.contains(r#"waymark.load({host: "http://127.0.0.1:9", writeKey: "wk_demo"});"#),
            "{path}: snippet filled in"
        );
        assert!(body.contains(r#"id="nav-projects""#) && body.contains(r#"id="invite-teammates""#));

        let csp = header_str(response.headers(), header::CONTENT_SECURITY_POLICY);
        assert!(csp.contains("'wasm-unsafe-eval'"), "{csp}");
        let directive = |name: &str| {
            csp.split(';')
                .map(str::trim)
                .find(|d| d.starts_with(name))
                .unwrap_or_default()
                .to_string()
        };
        assert!(
            directive("script-src").contains("http://127.0.0.1:9"),
            "{csp}"
        );
        assert!(
            directive("connect-src").contains("http://127.0.0.1:9"),
            "{csp}"
        );
        assert!(
            directive("style-src").starts_with("style-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe-inline"), "{csp}");

        // The hash in the policy is the hash of the page's one inline script.
        let start = body.find("<script>").unwrap() + "<script>".len();
        let end = start + body[start..].find("</script>").unwrap();
        let digest = base64::engine::general_purpose::STANDARD
            .encode(Sha256::digest(&body.as_bytes()[start..end]));
        assert!(
            directive("script-src").contains(&format!("'sha256-{digest}'")),
            "{csp}"
        );
        assert_eq!(
            body.matches("<script>").count(),
            1,
            "only the snippet is inline"
        );
        assert!(!body.contains("style=\""), "no inline style attributes");
    }
}

#[tokio::test]
async fn static_assets_have_their_content_types() {
    for (path, content_type, marker) in [
        ("/assets/app.css", "text/css", "--primary"),
        ("/assets/app.js", "text/javascript", "pushState"),
        ("/assets/identity.js", "text/javascript", "waymark.identify"),
        ("/favicon.svg", "image/svg+xml", "<svg"),
        ("/assets/whats-new.svg", "image/svg+xml", "<svg"),
        ("/assets/automations.svg", "image/svg+xml", "<svg"),
    ] {
        let (response, body) = send(demo_app::host_router(state()), get(path)).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header_str(response.headers(), header::CONTENT_TYPE).starts_with(content_type),
            "{path}"
        );
        assert_eq!(
            header_str(response.headers(), header::X_CONTENT_TYPE_OPTIONS),
            "nosniff"
        );
        assert!(body.contains(marker), "{path}");
    }
}

#[tokio::test]
async fn missing_files_are_404_not_the_app() {
    for path in ["/assets/nope.js", "/favicon.ico", "/assets/"] {
        let (response, _) = send(demo_app::host_router(state()), get(path)).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn the_app_tracks_the_documented_events() {
    let (_, js) = send(demo_app::host_router(state()), get("/assets/app.js")).await;
    assert!(js.contains(r#"waymark.track("project_created", { name: name })"#));
    assert!(js.contains(r#"waymark.track("teammate_invited")"#));
    assert!(js.contains(r#"waymark.track("project_view_changed", { view: view })"#));
    let (_, page) = send(demo_app::host_router(state()), get("/projects")).await;
    for hook in [
        r#"id="timeline-view""#,
        r#"id="list-view""#,
        r#"id="invite-form""#,
    ] {
        assert!(page.contains(hook), "{hook}");
    }
    let (_, identity) = send(demo_app::host_router(state()), get("/assets/identity.js")).await;
    assert!(identity.contains(r#""demo-user""#) && identity.contains(r#"plan: plan"#));
    assert!(identity.contains(r#"remember("tasklane.plan", "plan", "pro")"#));
    assert!(identity.contains(r#"waymark.group("acme", { name: "Acme Inc", plan: "pro" })"#));
}
