//! `/sdk/*`: content types, caching by name, precompressed siblings by `Accept-Encoding`, and
//! refusal of anything outside the widget folder.

use axum::body::Body;
use axum::http::Request;

use crate::support::{Reply, TestApp, check_error};

const GLUE: &str = "waymark-0123abcd.js";
const WASM: &str = "waymark-0123abcd.wasm";

async fn get(app: &TestApp, path: &str, accept_encoding: Option<&str>) -> Reply {
    let mut request = Request::get(path);
    if let Some(accept) = accept_encoding {
        request = request.header("accept-encoding", accept);
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

#[tokio::test]
async fn serves_widget_files_with_types_caching_and_encodings() {
    let app = TestApp::new().await;
    let dir = app.dir.path().join("widget");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, contents) in [
        ("loader.js", "loader"),
        (GLUE, "glue"),
        ("waymark-0123abcd.js.br", "glue-br"),
        ("waymark-0123abcd.js.gz", "glue-gz"),
        (WASM, "wasm"),
        ("waymark-0123abcd.wasm.gz", "wasm-gz"),
        ("manifest.json", "{}"),
    ] {
        std::fs::write(dir.join(name), contents).unwrap();
    }
    std::fs::write(app.dir.path().join("secret.txt"), "secret").unwrap();

    let immutable = "public, max-age=31536000, immutable";
    let cases = [
        (
            "/sdk/loader.js",
            None,
            "loader",
            "text/javascript",
            "public, max-age=300",
            None,
        ),
        (
            "/sdk/loader.js",
            Some("gzip, br"),
            "loader",
            "text/javascript",
            "public, max-age=300",
            None,
        ),
        (
            "/sdk/waymark-0123abcd.js",
            Some("gzip, deflate, br"),
            "glue-br",
            "text/javascript",
            immutable,
            Some("br"),
        ),
        (
            "/sdk/waymark-0123abcd.js",
            Some("gzip"),
            "glue-gz",
            "text/javascript",
            immutable,
            Some("gzip"),
        ),
        (
            "/sdk/waymark-0123abcd.js",
            Some("br;q=0, gzip;q=0.8"),
            "glue-gz",
            "text/javascript",
            immutable,
            Some("gzip"),
        ),
        (
            "/sdk/waymark-0123abcd.js",
            None,
            "glue",
            "text/javascript",
            immutable,
            None,
        ),
        (
            "/sdk/waymark-0123abcd.wasm",
            Some("br, gzip"),
            "wasm-gz",
            "application/wasm",
            immutable,
            Some("gzip"),
        ),
        (
            "/sdk/waymark-0123abcd.wasm",
            Some("identity"),
            "wasm",
            "application/wasm",
            immutable,
            None,
        ),
        (
            "/sdk/manifest.json",
            None,
            "{}",
            "application/json",
            "no-cache",
            None,
        ),
    ];
    for (path, accept, body, content_type, cache, encoding) in cases {
        let case = format!("{path} with {accept:?}");
        let reply = get(&app, path, accept).await;
        assert_eq!(reply.status, 200, "{case}");
        assert_eq!(reply.body, body.as_bytes(), "{case}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{case}");
        assert_eq!(reply.header("cache-control"), Some(cache), "{case}");
        assert_eq!(reply.header("content-encoding"), encoding, "{case}");
        assert_eq!(reply.header("vary"), Some("Accept-Encoding"), "{case}");
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some("*"),
            "{case}"
        );
    }

    for path in [
        "/sdk/../secret.txt",
        "/sdk/%2e%2e/secret.txt",
        "/sdk/..%2fsecret.txt",
        "/sdk/missing.js",
        "/sdk/.hidden",
    ] {
        check_error(path, &get(&app, path, None).await, 404, "not_found", None);
    }
}

#[tokio::test]
async fn a_missing_widget_dir_is_a_json_404() {
    let app = TestApp::new().await;
    check_error(
        "no widget dir",
        &get(&app, "/sdk/loader.js", Some("br")).await,
        404,
        "not_found",
        None,
    );
}
