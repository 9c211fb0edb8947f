//! The Waymark collector: takes events from the widget, tells it what to show, lets admins
//! manage flows and serves the widget's files. `main.rs` only parses flags and calls [`run`].

mod accounts;
mod assets;
mod audience;
mod body;
mod boot;
mod cache;
mod checklists;
mod config;
mod eligibility;
mod error;
mod events;
mod feedback;
mod flows;
mod funnel;
mod ingest;
mod keys;
mod locale;
pub mod markdown;
mod notes;
mod plan;
mod problems;
pub mod schema;
mod segments;
mod settings;
pub mod storage;
mod surveys;

use std::sync::Arc;

use anyhow::Context as _;
use axum::Router;
use axum::middleware::from_fn_with_state;
use tower_http::trace::TraceLayer;

use cache::{LiveFlows, Settings};
pub use config::Config;
pub use error::Error;
use keys::Apps;
use storage::{App, Store};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<Config>,
    apps: Arc<Apps>,
    live_flows: Arc<LiveFlows>,
    settings: Arc<Settings>,
}

impl AppState {
    /// Creates or updates the configured app, then indexes every app's keys.
    pub async fn new(store: Arc<dyn Store>, config: Config) -> anyhow::Result<Self> {
        store
            .upsert_app(&App {
                id: config.app_id.clone(),
                name: config.app_id.clone(),
                write_key: config.write_key.clone(),
                admin_key: config.admin_key.clone(),
                allowed_origins: config
                    .allowed_origins
                    .iter()
                    .map(|origin| origin.trim().trim_end_matches('/').to_string())
                    .filter(|origin| !origin.is_empty())
                    .collect(),
            })
            .await
            .context("saving the configured app")?;
        let apps = Apps::new(store.apps().await.context("loading apps")?);
        Ok(Self {
            store,
            config: Arc::new(config),
            apps: Arc::new(apps),
            live_flows: Arc::default(),
            settings: Arc::default(),
        })
    }
}

/// Every route, each feature's router behind the keys it needs.
pub fn app(state: AppState) -> Router {
    let public = Router::new().merge(ingest::router()).merge(boot::router());
    let admin = Router::new()
        .merge(flows::router())
        .merge(funnel::router())
        .merge(events::router())
        .merge(segments::router())
        .merge(settings::router())
        .merge(eligibility::router())
        .merge(accounts::router())
        .merge(notes::router())
        .merge(plan::router())
        .merge(problems::router())
        .merge(surveys::router())
        .merge(feedback::router())
        .layer(from_fn_with_state(state.clone(), keys::require_admin));
    // The fallback is set before the CORS layer so that preflights reach the middleware.
    let api = Router::new()
        .merge(public)
        .merge(admin)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(from_fn_with_state(state.clone(), keys::cors));
    Router::new()
        .merge(api)
        .merge(assets::router())
        .merge(schema::router())
        .fallback(|| async { Error::NotFound })
        .method_not_allowed_fallback(method_not_allowed)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

async fn method_not_allowed() -> Error {
    Error::MethodNotAllowed
}

/// Opens the database, saves the configured app, and serves until SIGTERM or Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let store = storage::connect(&config.database_url).await?;
    let bind = config.bind.clone();
    let state = AppState::new(store, config).await?;
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("binding {bind}"))?;
    tracing::info!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app(state))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::warn!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
