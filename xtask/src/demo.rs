//! `cargo xtask demo`: the collector on SQLite, the demo host and the admin, with their URLs.

pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("demo is not written yet")
}
