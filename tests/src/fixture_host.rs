//! A tiny host product served by the test world itself, for pages the demo-app cannot be: the
//! hostile host (a global stylesheet that fights widgets, and a strict Content-Security-Policy),
//! and the hard hosts (page structures where popular tour libraries break).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const HOSTILE_HOST_PAGE: &str = include_str!("../fixtures/hostile-host.html");
const HOSTILE_HOST_STYLESHEET: &str = include_str!("../fixtures/hostile-host.css");

/// The path of the hostile host page; `?user=<id>` names the user.
pub const HOSTILE_HOST_PATH: &str = "/hostile-host";

/// The hard host pages, by name (tests/fixtures/hard-hosts/NAME.html), served at
/// `/hard-host/NAME?user=<id>` with `__WAYMARK_SNIPPET__` replaced by the documented snippet.
const HARD_HOST_PAGES: [(&str, &str); 10] = [
    ("dialog", include_str!("../fixtures/hard-hosts/dialog.html")),
    (
        "dialog-later",
        include_str!("../fixtures/hard-hosts/dialog-later.html"),
    ),
    ("shadow", include_str!("../fixtures/hard-hosts/shadow.html")),
    ("iframe", include_str!("../fixtures/hard-hosts/iframe.html")),
    (
        "iframe-content",
        include_str!("../fixtures/hard-hosts/iframe-content.html"),
    ),
    (
        "transformed",
        include_str!("../fixtures/hard-hosts/transformed.html"),
    ),
    ("rtl", include_str!("../fixtures/hard-hosts/rtl.html")),
    ("mobile", include_str!("../fixtures/hard-hosts/mobile.html")),
    ("scroll", include_str!("../fixtures/hard-hosts/scroll.html")),
    ("late", include_str!("../fixtures/hard-hosts/late.html")),
];

/// The path of the hard host page `name` (see `locators::hard_host`).
pub fn hard_host_path(name: &str) -> String {
    format!("/hard-host/{name}")
}

/// What the fixture pages embed: where the widget comes from and with which key.
#[derive(Clone, Debug)]
struct SnippetSettings {
    collector_url: String,
    write_key: String,
}

/// The running fixture server; stops when dropped.
#[derive(Debug)]
pub struct FixtureHost {
    address: SocketAddr,
    server: tokio::task::JoinHandle<()>,
}

impl FixtureHost {
    /// Binds a free port now (so the collector can list the origin as allowed before starting).
    pub async fn bind() -> anyhow::Result<(tokio::net::TcpListener, SocketAddr)> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("binding the fixture host")?;
        let address = listener.local_addr()?;
        Ok((listener, address))
    }

    /// Serves the fixture pages on `listener`, embedding the snippet for `collector_url`.
    pub fn serve(
        listener: tokio::net::TcpListener,
        collector_url: &str,
        write_key: &str,
    ) -> anyhow::Result<Self> {
        let address = listener.local_addr()?;
        let settings = Arc::new(SnippetSettings {
            collector_url: collector_url.to_string(),
            write_key: write_key.to_string(),
        });
        let router = Router::new()
            .route(HOSTILE_HOST_PATH, get(hostile_host_page))
            .route("/fixtures/hostile-host.css", get(hostile_host_stylesheet))
            .route("/hard-host/{name}", get(hard_host_page))
            .with_state(settings);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(FixtureHost { address, server })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://{}", self.address)
    }
}

impl Drop for FixtureHost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The strict policy the hostile host sends: no inline styles at all, scripts only from itself,
/// the collector and one nonce, and wasm compilation allowed as the README documents.
fn strict_content_security_policy(collector_url: &str, nonce: &str) -> String {
    format!(
        "default-src 'none'; script-src 'self' 'nonce-{nonce}' {collector_url} 'wasm-unsafe-eval'; \
         style-src 'self'; connect-src 'self' {collector_url}; img-src 'self' data:; font-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

fn is_plain_identifier(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|character| {
            character.is_ascii_alphanumeric() || character == '-' || character == '_'
        })
}

async fn hostile_host_page(
    State(settings): State<Arc<SnippetSettings>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let user_id = query
        .get("user")
        .cloned()
        .unwrap_or_else(|| "fixture-user".to_string());
    if !is_plain_identifier(&user_id) {
        return (
            StatusCode::BAD_REQUEST,
            "user must be letters, digits, - or _",
        )
            .into_response();
    }
    let nonce = uuid::Uuid::new_v4().simple().to_string();
    let page = HOSTILE_HOST_PAGE
        .replace("__NONCE__", &nonce)
        .replace("__COLLECTOR_URL__", &settings.collector_url)
        .replace("__WRITE_KEY__", &settings.write_key)
        .replace("__USER_ID__", &user_id);
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                strict_content_security_policy(&settings.collector_url, &nonce),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        page,
    )
        .into_response()
}

/// The documented snippet (stub, `load`, `identify`), inline: the hard hosts send no CSP.
fn snippet(settings: &SnippetSettings, user_id: &str) -> String {
    format!(
        r#"<script>
  !function(w,d){{if(w.waymark)return;var q=[],a=w.waymark={{_q:q}};
  ["identify","group","track","page","start","reset","on","off"].forEach(function(m){{
    a[m]=function(){{q.push([m,[].slice.call(arguments)]);return a}}}});
  a.load=function(o){{a._o=o;var s=d.createElement("script");s.async=true;
    s.src=o.host+"/sdk/loader.js";d.head.appendChild(s)}}}}(window,document);
  waymark.load({{host: "{collector_url}", writeKey: "{write_key}"}});
  waymark.identify("{user_id}", {{first_name: "Grace", plan: "pro"}});
</script>"#,
        collector_url = settings.collector_url,
        write_key = settings.write_key,
    )
}

async fn hard_host_page(
    State(settings): State<Arc<SnippetSettings>>,
    Path(name): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some((_, page)) = HARD_HOST_PAGES.iter().find(|(page, _)| *page == name) else {
        return (StatusCode::NOT_FOUND, "no such hard host page").into_response();
    };
    let user_id = query
        .get("user")
        .cloned()
        .unwrap_or_else(|| "fixture-user".to_string());
    if !is_plain_identifier(&user_id) {
        return (
            StatusCode::BAD_REQUEST,
            "user must be letters, digits, - or _",
        )
            .into_response();
    }
    let page = page.replace("__WAYMARK_SNIPPET__", &snippet(&settings, &user_id));
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        page,
    )
        .into_response()
}

async fn hostile_host_stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        HOSTILE_HOST_STYLESHEET,
    )
        .into_response()
}
