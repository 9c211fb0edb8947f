//! Command-line flags and environment variables of the `demo-app` binary (see docs/contracts.md).

use std::net::SocketAddr;

use clap::{ArgAction, Parser};

/// How the demo host product and the admin are started.
#[derive(Parser, Clone, Debug)]
#[command(
    name = "demo-app",
    about = "Tasklane (a demo product embedding Waymark) and the Waymark admin UI"
)]
pub struct Config {
    /// Address of the demo host product ("Tasklane").
    #[arg(long, env = "DEMO_HOST_BIND", default_value = "127.0.0.1:3000")]
    pub host_bind: SocketAddr,
    /// Address of the Waymark admin UI.
    #[arg(long, env = "DEMO_ADMIN_BIND", default_value = "127.0.0.1:3001")]
    pub admin_bind: SocketAddr,
    /// Base URL of the Waymark collector, as browsers reach it.
    #[arg(
        long,
        env = "DEMO_COLLECTOR_URL",
        default_value = "http://127.0.0.1:8787"
    )]
    pub collector_url: String,
    /// Public write key embedded in the pages' snippet.
    #[arg(long, env = "DEMO_WRITE_KEY", default_value = "wk_demo")]
    pub write_key: String,
    /// Secret admin key; only ever sent server-side to the collector.
    #[arg(long, env = "DEMO_ADMIN_KEY", default_value = "sk_demo")]
    pub admin_key: String,
    /// E-mail the admin signs in with.
    #[arg(long, env = "DEMO_ADMIN_EMAIL", default_value = "admin@demo.test")]
    pub admin_email: String,
    /// Password the admin signs in with.
    #[arg(long, env = "DEMO_ADMIN_PASSWORD", default_value = "waymark-demo")]
    pub admin_password: String,
    /// Import and publish the welcome tour when the collector does not have it yet.
    #[arg(long, env = "DEMO_SEED", default_value_t = true, action = ArgAction::Set)]
    pub seed: bool,
    /// Also import and publish the pattern examples (`demo-app/flows/patterns/`: a checklist, a
    /// hotspot, a banner, a slide-out, a modal announcement, NPS, CES and CSAT surveys), the demo
    /// app settings (theme, fatigue budget, resource center with help articles) and the demo
    /// accounts (users, events, survey answers, feedback, notes, plans, tags). Only with `--seed`.
    #[arg(long, env = "DEMO_SEED_PATTERNS", default_value_t = true, action = ArgAction::Set)]
    pub seed_patterns: bool,
}

impl Config {
    /// The collector URL without a trailing slash, ready for `format!("{base}/v1/...")`.
    pub fn collector_base(&self) -> &str {
        self.collector_url.trim_end_matches('/')
    }
}

impl Default for Config {
    /// The documented defaults, ignoring the environment.
    fn default() -> Self {
        Self {
            host_bind: SocketAddr::from(([127, 0, 0, 1], 3000)),
            admin_bind: SocketAddr::from(([127, 0, 0, 1], 3001)),
            collector_url: "http://127.0.0.1:8787".into(),
            write_key: "wk_demo".into(),
            admin_key: "sk_demo".into(),
            admin_email: "admin@demo.test".into(),
            admin_password: "waymark-demo".into(),
            seed: true,
            seed_patterns: true,
        }
    }
}
