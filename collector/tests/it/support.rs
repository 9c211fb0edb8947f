//! Shared test harness: a fresh app per test, requests in one line, and the `check_error` helper
//! that every bad-input table goes through.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use collector::{AppState, Config, app, storage};
use serde_json::{Value, json};
use sqlx::AssertSqlSafe;
use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection};
use std::io::Write;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tempfile::TempDir;
use tower::ServiceExt;

pub const WRITE_KEY: &str = "wk_test";
pub const ADMIN_KEY: &str = "sk_test";
pub const ALLOWED_ORIGIN: &str = "http://localhost:3000";

/// Where the PostgreSQL variants run unless `WAYMARK_TEST_POSTGRES_URL` says otherwise; each
/// test gets its own schema there.
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

fn postgres_url() -> String {
    std::env::var("WAYMARK_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub router: Router,
    pub dir: TempDir,
    backend: Backend,
    /// The PostgreSQL schema to drop when the test ends.
    schema: Option<String>,
}

#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("{error}: {}", String::from_utf8_lossy(&self.body)))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|value| value.to_str().unwrap())
    }
}

/// Runs each named scenario (`async fn(TestApp)`) on SQLite and on PostgreSQL; the PostgreSQL
/// variant prints a notice and passes when no server is reachable.
macro_rules! on_every_backend {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn sqlite() {
                super::$scenario($crate::support::TestApp::new().await).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(app) = $crate::support::TestApp::postgres().await {
                    super::$scenario(app).await;
                }
            }
        }
    )*};
}
pub(crate) use on_every_backend;

impl TestApp {
    /// A collector on a fresh SQLite file.
    pub async fn new() -> Self {
        let dir = TempDir::new().unwrap();
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        Self::start(dir, url, Backend::Sqlite, None).await
    }

    /// A collector on a fresh PostgreSQL schema, or `None` when the server cannot be reached.
    pub async fn postgres() -> Option<Self> {
        let base = postgres_url();
        let connecting = tokio::time::timeout(Duration::from_secs(3), PgConnection::connect(&base));
        let mut admin = match connecting.await {
            Ok(Ok(connection)) => connection,
            Ok(Err(error @ sqlx::Error::Io(_))) => return skip(&base, &error),
            Err(elapsed) => return skip(&base, &elapsed),
            Ok(Err(error)) => panic!("{base}: {error}"),
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let schema = format!(
            "waymark_test_{}_{}_{}",
            std::process::id(),
            storage::now_ms(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        sqlx::query(AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&mut admin)
            .await
            .unwrap();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}options=-c%20search_path%3D{schema}");
        Some(
            Self::start(
                TempDir::new().unwrap(),
                url,
                Backend::Postgres,
                Some(schema),
            )
            .await,
        )
    }

    /// Another, empty collector on the same kind of database.
    pub async fn fresh(&self) -> Option<Self> {
        match self.backend {
            Backend::Sqlite => Some(Self::new().await),
            Backend::Postgres => Self::postgres().await,
        }
    }

    async fn start(
        dir: TempDir,
        database_url: String,
        backend: Backend,
        schema: Option<String>,
    ) -> Self {
        let config = Config {
            bind: "127.0.0.1:0".into(),
            database_url,
            widget_dir: dir.path().join("widget"),
            app_id: "test".into(),
            write_key: WRITE_KEY.into(),
            admin_key: ADMIN_KEY.into(),
            allowed_origins: vec![ALLOWED_ORIGIN.into()],
        };
        let store = storage::connect(&config.database_url).await.unwrap();
        let state = AppState::new(store, config).await.unwrap();
        Self {
            router: app(state),
            dir,
            backend,
            schema,
        }
    }

    pub async fn send(&self, request: Request<Body>) -> Reply {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        Reply {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post(&self, uri: &str, body: impl Into<Body>) -> Reply {
        self.send(
            Request::post(uri)
                .header("content-type", "application/json")
                .body(body.into())
                .unwrap(),
        )
        .await
    }

    pub async fn admin(&self, method: Method, uri: &str, body: Option<&Value>) -> Reply {
        self.admin_raw(
            method,
            uri,
            body.map_or_else(Body::empty, |body| Body::from(body.to_string())),
        )
        .await
    }

    pub async fn admin_raw(&self, method: Method, uri: &str, body: impl Into<Body>) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("authorization", format!("Bearer {ADMIN_KEY}"))
            .body(body.into())
            .unwrap();
        self.send(request).await
    }

    /// Sends a batch for `user_id` and returns the response body, asserting success.
    pub async fn batch(&self, user_id: &str, url: &str, events: Value) -> Value {
        let body =
            json!({"write_key": WRITE_KEY, "user_id": user_id, "url": url, "events": events});
        let reply = self.post("/v1/batch", body.to_string()).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        reply.json()
    }

    /// Creates and publishes a flow through the admin API.
    pub async fn publish(&self, flow: &Value) {
        let created = self
            .admin(Method::POST, "/v1/admin/flows", Some(flow))
            .await;
        assert_eq!(
            created.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&created.body)
        );
        let id = flow["id"].as_str().unwrap();
        let published = self
            .admin(Method::POST, &format!("/v1/admin/flows/{id}/publish"), None)
            .await;
        assert_eq!(published.status, StatusCode::OK);
    }

    pub async fn stored_events(&self, user_id: &str) -> Vec<Value> {
        let reply = self
            .admin(
                Method::GET,
                &format!("/v1/admin/events?user_id={user_id}&limit=1000"),
                None,
            )
            .await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json().as_array().unwrap().clone()
    }
}

/// Asserts an error reply: the status, its `code`, the `field` at fault, and a message.
pub fn check_error(case: &str, reply: &Reply, status: u16, code: &str, field: Option<&str>) {
    assert_eq!(
        reply.status.as_u16(),
        status,
        "{case}: {}",
        String::from_utf8_lossy(&reply.body)
    );
    let body = reply.json();
    assert_eq!(body["code"], code, "{case}: {body}");
    assert_eq!(body["field"].as_str(), field, "{case}: {body}");
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|message| !message.is_empty()),
        "{case}: {body}"
    );
}

/// A three-step tour triggered on `/`, the shape of the demo's welcome tour.
pub fn tour(id: &str) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": id,
        "name": "Welcome tour",
        "trigger": {"type": "url", "pattern": "/"},
        "frequency": "once",
        "steps": [
            {"id": "welcome", "kind": "modal", "title": "Hi {{first_name|there}}",
             "body": "Welcome to **Tasklane**. <script>alert(1)</script>",
             "buttons": [{"action": "next", "label": "Next"}, {"action": "dismiss", "label": "Skip"}]},
            {"id": "projects-nav", "kind": "tooltip", "target": "#nav-projects", "title": "Projects",
             "advance": {"type": "click"}},
            {"id": "new-project", "kind": "tooltip", "target": "#new-project", "page": "/projects*",
             "title": "Create one", "buttons": [{"action": "back", "label": "Back"}, {"action": "next", "label": "Finish"}]}
        ]
    })
}

/// A `track` event with the given name and properties.
pub fn track(message_id: &str, name: &str, properties: Value) -> Value {
    json!({"message_id": message_id, "type": "track", "name": name, "properties": properties, "timestamp": 1_700_000_000_000_i64})
}

/// Says why a PostgreSQL test is skipped, past libtest's output capture so it is always seen.
fn skip(url: &str, why: &dyn std::fmt::Display) -> Option<TestApp> {
    let notice = format!("NOTICE: skipping a PostgreSQL test, {url} is unreachable: {why}\n");
    let _ = std::io::stderr().write_all(notice.as_bytes());
    None
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let Some(schema) = self.schema.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread of our own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let pool = PgPoolOptions::new()
                    .max_connections(1)
                    .connect(&postgres_url())
                    .await?;
                sqlx::query(AssertSqlSafe(format!(
                    "DROP SCHEMA IF EXISTS {schema} CASCADE"
                )))
                .execute(&pool)
                .await
            })
        });
        if let Ok(Err(error)) = dropped.join() {
            eprintln!("NOTICE: could not drop a PostgreSQL test schema: {error}");
        }
    }
}
