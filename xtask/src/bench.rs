//! `cargo xtask bench`: size and speed figures, each set against a baseline or budget measured in the
//! same run (these machines are noisy, so ratios mean more than absolute numbers), written to
//! BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context as _;

use crate::{install, shell, widget_build};

const WIDGET_BUDGET_GZIP_BYTES: u64 = 100 * 1024;
const FIRST_STEP_BUDGET_MS: f64 = 150.0;
const INGEST_BUDGET_EVENTS_PER_SECOND: f64 = 50_000.0;
const INGEST_BUDGET_RATIO: f64 = 0.5;
const BOOT_BUDGET_P99_MS: f64 = 5.0;

/// The sizes of one widget file as it travels: raw, gzip and brotli.
struct TransferSize {
    role: &'static str,
    name: String,
    raw: u64,
    gzip: u64,
    brotli: u64,
}

pub fn run() -> anyhow::Result<()> {
    install::all()?;
    let dist = widget_build::build(true)?;
    let sizes = widget_sizes(&dist)?;

    let results_dir = shell::target_dir().join("bench");
    std::fs::create_dir_all(&results_dir)?;
    let collector_json = results_dir.join("collector.json");
    let mut collector_bench = shell::cargo(&["bench", "-p", "collector", "--bench", "throughput"]);
    collector_bench.env("BENCH_OUT", &collector_json);
    shell::run(collector_bench)?;
    let collector = read_json(&collector_json)?;

    let first_step_json = results_dir.join("first_step.json");
    shell::run(shell::cargo(&[
        "build",
        "--release",
        "-p",
        "collector",
        "-p",
        "demo-app",
    ]))?;
    let mut first_step_bench = shell::cargo(&["bench", "-p", "tests", "--bench", "first_step"]);
    first_step_bench
        .env("BENCH_OUT", &first_step_json)
        .env("WAYMARK_WIDGET_DIST", &dist)
        .env("WAYMARK_BIN_DIR", shell::target_dir().join("release"))
        .env("WAYMARK_AXE", install::axe_core_path());
    shell::run(first_step_bench)?;
    let first_step = read_json(&first_step_json)?;

    let report = render(&sizes, &collector, &first_step);
    std::fs::write(shell::workspace_root().join("BENCHMARKS.md"), &report)?;
    println!("{report}");
    Ok(())
}

fn widget_sizes(dist: &Path) -> anyhow::Result<Vec<TransferSize>> {
    let manifest = read_json(&dist.join("manifest.json"))?;
    let mut sizes = Vec::new();
    for role in ["loader", "glue", "wasm"] {
        let name = manifest[role]
            .as_str()
            .with_context(|| format!("manifest.json has no {role}"))?
            .to_string();
        let size_of = |suffix: &str| -> anyhow::Result<u64> {
            let path = dist.join(format!("{name}{suffix}"));
            Ok(std::fs::metadata(&path)
                .with_context(|| format!("reading {}", path.display()))?
                .len())
        };
        sizes.push(TransferSize {
            role,
            raw: size_of("")?,
            gzip: size_of(".gz")?,
            brotli: size_of(".br")?,
            name,
        });
    }
    Ok(sizes)
}

fn read_json(path: &Path) -> anyhow::Result<serde_json::Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "**NOT MET**" }
}

fn kilobytes(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn number(value: &serde_json::Value, key: &str) -> f64 {
    value[key].as_f64().unwrap_or(f64::NAN)
}

fn render(
    sizes: &[TransferSize],
    collector: &serde_json::Value,
    first_step: &serde_json::Value,
) -> String {
    let mut out = String::new();
    let machine = format!(
        "{} cores, {}",
        std::thread::available_parallelism()
            .map(|cores| cores.get())
            .unwrap_or(0),
        shell::output("rustc", &["--version"])
            .unwrap_or_default()
            .trim()
    );
    let _ = writeln!(out, "# Benchmarks\n");
    let _ = writeln!(
        out,
        "Written by `cargo xtask bench` ({machine}). Every speed figure is set against a baseline measured in the \
         same run on the same machine, because these machines are noisy; compare ratios across runs, not raw \
         numbers. A budget that is not met says so.\n"
    );

    let _ = writeln!(out, "## Widget transfer size\n");
    let _ = writeln!(
        out,
        "| file | role | raw | gzip | brotli |\n| --- | --- | ---: | ---: | ---: |"
    );
    for size in sizes {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            size.name,
            size.role,
            kilobytes(size.raw),
            kilobytes(size.gzip),
            kilobytes(size.brotli)
        );
    }
    let total = |pick: fn(&TransferSize) -> u64| sizes.iter().map(pick).sum::<u64>();
    let total_gzip = total(|size| size.gzip);
    let _ = writeln!(
        out,
        "| **total** | | {} | **{}** | {} |\n",
        kilobytes(total(|size| size.raw)),
        kilobytes(total_gzip),
        kilobytes(total(|size| size.brotli))
    );
    let _ = writeln!(
        out,
        "Budget: ≤ 100 KB gzip in total — {} ({:.0}% of the budget).\n",
        verdict(total_gzip <= WIDGET_BUDGET_GZIP_BYTES),
        100.0 * total_gzip as f64 / WIDGET_BUDGET_GZIP_BYTES as f64
    );

    let first_step_median = number(first_step, "first_step_median_ms");
    let _ = writeln!(out, "## Time to the first step\n");
    let _ = writeln!(
        out,
        "From navigation start to the first step visible (the widget's `step_viewed`), over {} cold loads \
         (a fresh browser profile and a new user each) of the demo host in headless Chromium, the collector and \
         host on localhost. Baseline: the host page's own `load` event in the same loads.\n",
        first_step["loads"]
    );
    let _ = writeln!(out, "| measure | median | p90 |\n| --- | ---: | ---: |");
    let _ = writeln!(
        out,
        "| first step visible | {:.0} ms | {:.0} ms |",
        first_step_median,
        number(first_step, "first_step_p90_ms")
    );
    let _ = writeln!(
        out,
        "| host `load` event (baseline) | {:.0} ms | {:.0} ms |",
        number(first_step, "host_load_median_ms"),
        number(first_step, "host_load_p90_ms")
    );
    let _ = writeln!(
        out,
        "| widget's own time: from `loader.js` received to the first step visible | {:.0} ms | {:.0} ms |\n",
        number(first_step, "widget_own_median_ms"),
        number(first_step, "widget_own_p90_ms")
    );
    let _ = writeln!(
        out,
        "The widget's own time covers the glue and wasm download and compile, the boot request and the first \
         render; the rest is the host page and the browser (a cold profile) getting as far as running the async \
         loader, which the widget cannot start earlier.\n"
    );
    let _ = writeln!(
        out,
        "Ratio first step / host load (median): {:.2}. Budget: ≤ 150 ms median — {}.\n",
        first_step_median / number(first_step, "host_load_median_ms"),
        verdict(first_step_median <= FIRST_STEP_BUDGET_MS)
    );

    let http_rate = number(collector, "ingest_http_events_per_second");
    let ratio = number(collector, "ingest_ratio");
    let _ = writeln!(out, "## Ingest throughput\n");
    let _ = writeln!(
        out,
        "{} events in batches of {} from {} concurrent HTTP senders to `POST /v1/batch` (SQLite, WAL), set against \
         inserting the same rows straight into a fresh database with the same schema and pragmas, one transaction \
         per batch. Load generator and collector share the machine.\n",
        collector["events"], collector["events_per_batch"], collector["concurrent_senders"]
    );
    let _ = writeln!(out, "| path | events/s |\n| --- | ---: |");
    let _ = writeln!(out, "| HTTP batches | {http_rate:.0} |");
    let _ = writeln!(
        out,
        "| raw inserts (baseline) | {:.0} |\n",
        number(collector, "ingest_raw_events_per_second")
    );
    let _ = writeln!(
        out,
        "Ratio HTTP / raw: {ratio:.2}. Budgets: ≥ 50,000 events/s — {}; ≥ 0.5 of the raw rate — {}.\n",
        verdict(http_rate >= INGEST_BUDGET_EVENTS_PER_SECOND),
        verdict(ratio >= INGEST_BUDGET_RATIO)
    );

    let boot_p99 = number(collector, "boot_p99_ms");
    let _ = writeln!(out, "## Boot latency\n");
    let _ = writeln!(
        out,
        "{} requests to `GET /v1/boot` at a fixed {} req/s (open loop: each request on its own task), for users \
         with stored progress and a published four-step flow. Baseline: the same load on a route that does no \
         work (a JSON 404), on the same server in the same run.\n",
        collector["boot_requests"], collector["boot_rate_per_second"]
    );
    let _ = writeln!(out, "| route | p50 | p99 |\n| --- | ---: | ---: |");
    let _ = writeln!(
        out,
        "| `/v1/boot` | {:.2} ms | {boot_p99:.2} ms |",
        number(collector, "boot_p50_ms")
    );
    let _ = writeln!(
        out,
        "| no-op route (baseline) | {:.2} ms | {:.2} ms |\n",
        number(collector, "baseline_p50_ms"),
        number(collector, "baseline_p99_ms")
    );
    let _ = writeln!(
        out,
        "Ratio boot / baseline (p99): {:.2}. Budget: p99 ≤ 5 ms at 1,000 req/s — {}.",
        boot_p99 / number(collector, "baseline_p99_ms"),
        verdict(boot_p99 <= BOOT_BUDGET_P99_MS)
    );
    out
}
