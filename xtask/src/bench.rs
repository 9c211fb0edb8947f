//! `cargo xtask bench`: size and speed figures, as ratios to baselines taken in the same run,
//! written to BENCHMARKS.md.

pub fn run() -> anyhow::Result<()> {
    anyhow::bail!("bench is not written yet")
}
