//! `cargo bench -p tests --bench first_step` (run by `cargo xtask bench`): time from navigation start to
//! the first step visible, over cold loads of the demo host in headless Chromium, set against the host
//! page's own `load` event in the same loads. Prints one JSON object and writes it to `$BENCH_OUT`.

use std::time::Duration;

use anyhow::Context as _;
use serde_json::{Value, json};
use tests::browser::Browser;
use tests::world::World;

const COLD_LOADS: usize = 20;

/// Reads, once the first step has been seen, when it became visible and when the host page loaded
/// (both in ms since navigation start).
const TIMINGS_SCRIPT: &str = r#"
    const record = window.__waymarkTest;
    const viewed = record && record.lifecycle.find((entry) => entry.name === "step_viewed");
    const navigation = performance.getEntriesByType("navigation")[0];
    const loader = performance.getEntriesByType("resource").find((entry) => entry.name.includes("/sdk/loader.js"));
    if (!viewed || !navigation || !navigation.loadEventEnd || !loader) return null;
    return { first_step: viewed.at, host_load: navigation.loadEventEnd, loader_fetched: loader.responseEnd };
"#;

/// One cold load's timings, in ms since navigation start.
struct LoadTimings {
    first_step: f64,
    host_load: f64,
    loader_fetched: f64,
}

async fn one_cold_load(world: &World, load: usize) -> anyhow::Result<LoadTimings> {
    let profile_parent = tempfile::tempdir()?;
    let browser = Browser::start(&world.environment, profile_parent.path()).await?;
    let url = format!(
        "{}/?user=bench-{load}-{}&first_name=Ada",
        world.host_origin(),
        uuid::Uuid::new_v4().simple()
    );
    browser.client.goto(&url).await?;
    let mut timings = Value::Null;
    for _ in 0..200 {
        timings = browser.client.execute(TIMINGS_SCRIPT, vec![]).await?;
        if !timings.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    browser.close().await?;
    let timing = |name: &str| {
        timings[name]
            .as_f64()
            .with_context(|| format!("no {name} timing (the step never showed?): {timings}"))
    };
    Ok(LoadTimings {
        first_step: timing("first_step")?,
        host_load: timing("host_load")?,
        loader_fetched: timing("loader_fetched")?,
    })
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * fraction).round() as usize]
}

async fn measure(world: &World) -> anyhow::Result<Value> {
    // One warm-up load so the servers' first-request costs are not counted.
    one_cold_load(world, usize::MAX).await?;
    let mut first_steps = Vec::new();
    let mut host_loads = Vec::new();
    let mut widget_own_times = Vec::new();
    for load in 0..COLD_LOADS {
        let timings = one_cold_load(world, load).await?;
        first_steps.push(timings.first_step);
        host_loads.push(timings.host_load);
        widget_own_times.push(timings.first_step - timings.loader_fetched);
    }
    for series in [&mut first_steps, &mut host_loads, &mut widget_own_times] {
        series.sort_by(f64::total_cmp);
    }
    Ok(json!({
        "loads": COLD_LOADS,
        "first_step_median_ms": percentile(&first_steps, 0.5),
        "first_step_p90_ms": percentile(&first_steps, 0.9),
        "host_load_median_ms": percentile(&host_loads, 0.5),
        "host_load_p90_ms": percentile(&host_loads, 0.9),
        "widget_own_median_ms": percentile(&widget_own_times, 0.5),
        "widget_own_p90_ms": percentile(&widget_own_times, 0.9),
    }))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let world = World::start().await?;
    let outcome = measure(&world).await;
    world.shutdown().await?;
    let result = outcome?;
    println!("{result}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(path, result.to_string())?;
    }
    Ok(())
}
