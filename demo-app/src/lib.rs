//! The Waymark demo: "Tasklane", a small project-management product that embeds the Waymark
//! snippet (host origin), and the Waymark admin UI with its backend-for-frontend (admin origin).

pub mod admin;
pub mod config;
pub mod error;
pub mod host;
pub mod page;
pub mod seed;
pub mod seed_accounts;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use tokio::net::TcpListener;

pub use config::Config;
pub use error::BffError;
use page::{Page, content_security_policy};

/// Everything both origins share: the flags, the pages rendered at start-up, the admin sessions
/// and one HTTP client to the collector.
#[derive(Clone, Debug)]
pub struct AppState {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    config: Config,
    host_page: Page,
    admin_page: Page,
    login_csp: String,
    sessions: admin::auth::Sessions,
    http: reqwest::Client,
}

impl AppState {
    /// Renders the pages for this configuration.
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let origin = page::origin_of(config.collector_base())?;
        let host_page = Page::with_snippet(
            host::INDEX_HTML,
            config.collector_base(),
            &config.write_key,
            &origin,
        );
        let admin_template =
            admin::APP_HTML.replace("__ADMIN_EMAIL__", &page::html_escape(&config.admin_email));
        let admin_page = Page::with_snippet(
            &admin_template,
            config.collector_base(),
            &config.write_key,
            &origin,
        );
        let login_csp = content_security_policy(&origin, &[]);
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            inner: Arc::new(Inner {
                config,
                host_page,
                admin_page,
                login_csp,
                sessions: admin::auth::Sessions::default(),
                http,
            }),
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn host_page(&self) -> &Page {
        &self.inner.host_page
    }

    pub fn admin_page(&self) -> &Page {
        &self.inner.admin_page
    }

    pub fn login_csp(&self) -> &str {
        &self.inner.login_csp
    }

    pub fn sessions(&self) -> &admin::auth::Sessions {
        &self.inner.sessions
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }
}

/// The host product ("Tasklane").
pub fn host_router(state: AppState) -> Router {
    host::router(state)
}

/// The Waymark admin UI and its `/api/*` backend-for-frontend.
pub fn admin_router(state: AppState) -> Router {
    admin::router(state)
}

/// Binds both origins, starts seeding in the background and serves until Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let state = AppState::new(config)?;
    let config = state.config().clone();
    let host_listener = TcpListener::bind(config.host_bind).await.map_err(|error| {
        anyhow::anyhow!("cannot bind the host on {}: {error}", config.host_bind)
    })?;
    let admin_listener = TcpListener::bind(config.admin_bind)
        .await
        .map_err(|error| {
            anyhow::anyhow!("cannot bind the admin on {}: {error}", config.admin_bind)
        })?;
    eprintln!("host on http://{}", host_listener.local_addr()?);
    eprintln!("admin on http://{}", admin_listener.local_addr()?);

    if config.seed {
        let http = state.http().clone();
        tokio::spawn(async move { seed_demo(&http, &config).await });
    }

    let host = axum::serve(host_listener, host_router(state.clone()))
        .with_graceful_shutdown(shutdown_signal());
    let admin =
        axum::serve(admin_listener, admin_router(state)).with_graceful_shutdown(shutdown_signal());
    tokio::try_join!(async { host.await }, async { admin.await })?;
    Ok(())
}

/// Seeds the welcome tour, then (with `--seed-patterns`) the pattern examples, which refer to it,
/// and the app settings. Failures are logged: the demo still runs without its content.
async fn seed_demo(http: &reqwest::Client, config: &Config) {
    let patience = Duration::from_secs(30);
    let base = config.collector_base();
    let key = &config.admin_key;
    match seed::seed_welcome_tour(http, base, key, patience).await {
        Ok(seed::SeedOutcome::Imported) => tracing::info!("seeded and published the welcome tour"),
        Ok(seed::SeedOutcome::AlreadyPresent) => {
            tracing::info!("the welcome tour is already there")
        }
        Err(error) => {
            tracing::warn!(%error, "could not seed the welcome tour");
            return;
        }
    }
    if !config.seed_patterns {
        return;
    }
    for (id, outcome) in seed::seed_patterns(http, base, key, patience).await {
        match outcome {
            Ok(outcome) => tracing::info!(flow = id, ?outcome, "pattern example seeded"),
            Err(error) => tracing::warn!(flow = id, %error, "could not seed a pattern example"),
        }
    }
    match seed::seed_settings(http, base, key, patience).await {
        Ok(outcome) => tracing::info!(?outcome, "demo app settings seeded"),
        Err(error) => tracing::warn!(%error, "could not seed the demo app settings"),
    }
    match seed_accounts::seed_accounts(http, base, &config.write_key, key).await {
        Ok(outcome) => tracing::info!(?outcome, "demo accounts seeded"),
        Err(error) => tracing::warn!(%error, "could not seed the demo accounts"),
    }
}

async fn shutdown_signal() {
    if let Err(error) = tokio::signal::ctrl_c().await {
        tracing::warn!(%error, "cannot listen for Ctrl-C");
        std::future::pending::<()>().await;
    }
}
