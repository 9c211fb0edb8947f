//! The collector's settings, from flags or `WAYMARK_*` environment variables (see docs/contracts.md).

use std::path::PathBuf;

use clap::Parser;

#[derive(Parser, Clone, Debug)]
#[command(
    name = "collector",
    version,
    about = "Waymark collector: events in, flows out."
)]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "WAYMARK_BIND", default_value = "127.0.0.1:8787")]
    pub bind: String,

    /// `sqlite://path.db` or `postgres://…`.
    #[arg(
        long,
        env = "WAYMARK_DATABASE_URL",
        default_value = "sqlite://waymark.db"
    )]
    pub database_url: String,

    /// Folder holding the built widget, served under `/sdk/`.
    #[arg(long, env = "WAYMARK_WIDGET_DIR", default_value = "target/widget-dist")]
    pub widget_dir: PathBuf,

    /// The app created (or updated) at start-up.
    #[arg(long, env = "WAYMARK_APP_ID", default_value = "demo")]
    pub app_id: String,

    /// That app's public write key.
    #[arg(long, env = "WAYMARK_WRITE_KEY", default_value = "wk_demo")]
    pub write_key: String,

    /// That app's secret admin key.
    #[arg(long, env = "WAYMARK_ADMIN_KEY", default_value = "sk_demo")]
    pub admin_key: String,

    /// Origins allowed to use the write key, comma separated.
    #[arg(
        long,
        env = "WAYMARK_ALLOWED_ORIGINS",
        value_delimiter = ',',
        default_value = "http://localhost:3000,http://127.0.0.1:3000,http://localhost:3001,http://127.0.0.1:3001"
    )]
    pub allowed_origins: Vec<String>,
}
