//! `cargo bench -p collector --bench throughput`: ingest rate over real HTTP set against raw inserts of
//! the same rows into the same SQLite schema, and boot latency under a fixed request rate set against
//! a trivial route on the same server — both baselines taken in the same run, since these machines are
//! noisy. Prints one JSON object (and writes it to `$BENCH_OUT` when set) for `cargo xtask bench`.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::Parser;
use collector::{AppState, Config, app, storage};
use serde_json::{Value, json};
use sqlx::QueryBuilder;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;

const EVENTS_PER_BATCH: usize = 250;
const BATCHES: usize = 600;
const CONCURRENT_SENDERS: usize = 4;
const BOOT_RATE_PER_SECOND: u64 = 1_000;
const BOOT_SECONDS: u64 = 5;
const BOOT_USERS: usize = 200;

fn event(batch: usize, index: usize) -> Value {
    json!({
        "message_id": format!("m-{batch}-{index}"),
        "type": "track",
        "name": "project_created",
        "properties": {"name": "Roadmap", "index": index},
        "url": "http://localhost:3000/projects",
        "timestamp": 1_790_000_000_000_i64 + index as i64,
    })
}

fn batch_body(batch: usize) -> String {
    let events: Vec<Value> = (0..EVENTS_PER_BATCH)
        .map(|index| event(batch, index))
        .collect();
    json!({"write_key": "wk_bench", "user_id": format!("user-{}", batch % 97), "events": events})
        .to_string()
}

async fn start_server(database_url: &str) -> String {
    let config = Config::parse_from([
        "collector",
        "--database-url",
        database_url,
        "--write-key",
        "wk_bench",
        "--admin-key",
        "sk_bench",
        "--app-id",
        "bench",
    ]);
    let store = storage::connect(database_url)
        .await
        .expect("open the bench database");
    let state = AppState::new(store, config).await.expect("build state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app(state)).await });
    format!("http://{address}")
}

/// Events per second through `POST /v1/batch` from several concurrent senders.
async fn http_ingest_rate(base: &str, client: &reqwest::Client) -> f64 {
    let bodies: Vec<String> = (0..BATCHES).map(batch_body).collect();
    let queue = Arc::new(Mutex::new(bodies));
    let started = Instant::now();
    let mut senders = Vec::new();
    for _ in 0..CONCURRENT_SENDERS {
        let queue = queue.clone();
        let client = client.clone();
        let url = format!("{base}/v1/batch");
        senders.push(tokio::spawn(async move {
            loop {
                let Some(body) = queue.lock().await.pop() else {
                    break;
                };
                let response = client
                    .post(&url)
                    .body(body)
                    .send()
                    .await
                    .expect("send batch");
                assert!(
                    response.status().is_success(),
                    "batch refused: {}",
                    response.text().await.unwrap_or_default()
                );
            }
        }));
    }
    for sender in senders {
        sender.await.expect("sender");
    }
    (BATCHES * EVENTS_PER_BATCH) as f64 / started.elapsed().as_secs_f64()
}

/// Events per second for the same rows inserted straight into a fresh database with the same schema and
/// pragmas, in one transaction per batch — the ceiling the HTTP path is measured against.
async fn raw_insert_rate(directory: &std::path::Path) -> f64 {
    let url = format!("sqlite://{}/raw.db", directory.display());
    drop(storage::connect(&url).await.expect("create schema"));
    let options = SqliteConnectOptions::from_str(&url)
        .expect("url")
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("pool");
    sqlx::query(
        "INSERT INTO apps (id, name, write_key, admin_key) VALUES ('bench', 'bench', 'wk', 'sk')",
    )
    .execute(&pool)
    .await
    .expect("app");
    let rows: Vec<Vec<Value>> = (0..BATCHES)
        .map(|batch| {
            (0..EVENTS_PER_BATCH)
                .map(|index| event(batch, index))
                .collect()
        })
        .collect();
    let started = Instant::now();
    for (batch, events) in rows.iter().enumerate() {
        let mut transaction = pool.begin().await.expect("begin");
        for chunk in events.chunks(128) {
            let mut insert = QueryBuilder::new(
                "INSERT INTO events (app_id, message_id, user_id, type, name, properties, traits, url, client_ts, received_at) ",
            );
            insert.push_values(chunk, |mut row, event| {
                row.push_bind("bench")
                    .push_bind(event["message_id"].as_str().unwrap_or_default().to_string())
                    .push_bind(format!("user-{}", batch % 97))
                    .push_bind("track")
                    .push_bind("project_created")
                    .push_bind(event["properties"].to_string())
                    .push_bind("{}")
                    .push_bind(event["url"].as_str().unwrap_or_default().to_string())
                    .push_bind(event["timestamp"].as_i64().unwrap_or_default())
                    .push_bind(storage::now_ms());
            });
            insert.push(" ON CONFLICT (app_id, message_id) DO NOTHING");
            insert
                .build()
                .execute(&mut *transaction)
                .await
                .expect("insert");
        }
        transaction.commit().await.expect("commit");
    }
    (BATCHES * EVENTS_PER_BATCH) as f64 / started.elapsed().as_secs_f64()
}

/// Latencies (ms, sorted) of GETs to `path` sent at a fixed rate, each on its own task so a slow answer
/// does not delay the next request (open-loop load).
async fn latencies_at_fixed_rate(
    client: &reqwest::Client,
    url_for: impl Fn(u64) -> String,
) -> Vec<f64> {
    let total = BOOT_RATE_PER_SECOND * BOOT_SECONDS;
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / BOOT_RATE_PER_SECOND));
    let mut requests = Vec::with_capacity(total as usize);
    for number in 0..total {
        ticker.tick().await;
        let client = client.clone();
        let url = url_for(number);
        requests.push(tokio::spawn(async move {
            let started = Instant::now();
            let response = client.get(&url).send().await.expect("request");
            let _ = response.bytes().await;
            started.elapsed().as_secs_f64() * 1000.0
        }));
    }
    let mut latencies = Vec::with_capacity(requests.len());
    for request in requests {
        latencies.push(request.await.expect("request task"));
    }
    latencies.sort_by(f64::total_cmp);
    latencies
}

fn percentile(sorted: &[f64], fraction: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn seed_flows_and_users(base: &str, client: &reqwest::Client) {
    let tour = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../demo-app/flows/welcome-tour.json"
    ))
    .expect("the demo's welcome tour");
    let admin = |path: &str| {
        client
            .post(format!("{base}/v1/admin/{path}"))
            .bearer_auth("sk_bench")
    };
    let imported = admin("flows/import")
        .body(tour)
        .send()
        .await
        .expect("import");
    assert!(
        imported.status().is_success(),
        "import: {}",
        imported.text().await.unwrap_or_default()
    );
    let published = admin("flows/welcome-tour/publish")
        .send()
        .await
        .expect("publish");
    assert!(published.status().is_success());
    for user in 0..BOOT_USERS {
        let body = json!({"write_key": "wk_bench", "user_id": format!("boot-{user}"), "events": [
            {"message_id": format!("b-{user}"), "type": "identify", "traits": {"first_name": "Ada"}, "timestamp": 1},
            {"message_id": format!("s-{user}"), "type": "track", "name": "flow_started",
             "properties": {"flow_id": "welcome-tour", "version": 1}, "timestamp": 2}
        ]});
        client
            .post(format!("{base}/v1/batch"))
            .body(body.to_string())
            .send()
            .await
            .expect("seed user");
    }
}

#[tokio::main]
async fn main() {
    let directory = tempfile::tempdir().expect("temp dir");
    let base = start_server(&format!("sqlite://{}/http.db", directory.path().display())).await;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()
        .expect("client");

    // Warm up connections and caches before measuring.
    http_ingest_rate_warmup(&base, &client).await;
    let http_rate = http_ingest_rate(&base, &client).await;
    let raw_rate = raw_insert_rate(directory.path()).await;

    seed_flows_and_users(&base, &client).await;
    let boot = latencies_at_fixed_rate(&client, |number| {
        format!(
            "{base}/v1/boot?write_key=wk_bench&user_id=boot-{}&url=http%3A%2F%2Flocalhost%3A3000%2F",
            number % BOOT_USERS as u64
        )
    })
    .await;
    let baseline = latencies_at_fixed_rate(&client, |_| format!("{base}/not-a-route")).await;

    let result = json!({
        "ingest_http_events_per_second": http_rate.round(),
        "ingest_raw_events_per_second": raw_rate.round(),
        "ingest_ratio": http_rate / raw_rate,
        "events": BATCHES * EVENTS_PER_BATCH,
        "events_per_batch": EVENTS_PER_BATCH,
        "concurrent_senders": CONCURRENT_SENDERS,
        "boot_rate_per_second": BOOT_RATE_PER_SECOND,
        "boot_requests": boot.len(),
        "boot_p50_ms": percentile(&boot, 0.50),
        "boot_p99_ms": percentile(&boot, 0.99),
        "baseline_p50_ms": percentile(&baseline, 0.50),
        "baseline_p99_ms": percentile(&baseline, 0.99),
    });
    println!("{result}");
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(path, result.to_string()).expect("write BENCH_OUT");
    }
}

async fn http_ingest_rate_warmup(base: &str, client: &reqwest::Client) {
    for batch in 0..8 {
        let body = batch_body(1_000_000 + batch);
        client
            .post(format!("{base}/v1/batch"))
            .body(body)
            .send()
            .await
            .expect("warm-up batch");
    }
}
