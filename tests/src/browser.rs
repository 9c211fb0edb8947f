//! The system Chromium, headless, driven over WebDriver by the system chromedriver: one fresh
//! profile per world, with a recorder script installed in every page before the page's own scripts.

use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::{Client, ClientBuilder};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tempfile::TempDir;

use crate::environment::TestEnvironment;
use crate::process::{ManagedProcess, free_local_port};

/// Records uncaught errors and widget lifecycle callbacks in `window.__waymarkTest`.
const PAGE_RECORDER_SCRIPT: &str = include_str!("../fixtures/page-recorder.js");

/// The viewport every scenario runs in.
const WINDOW_SIZE: &str = "--window-size=1280,900";

/// A headless Chromium session and the chromedriver that owns it.
pub struct Browser {
    pub client: Client,
    driver_url: String,
    session_id: String,
    http: reqwest::Client,
    // Dropped after the client and driver: Chromium must be gone before its profile is deleted.
    chromedriver: ManagedProcess,
    _profile_dir: TempDir,
}

impl Browser {
    /// Starts chromedriver on a free port and opens a session on a fresh profile.
    pub async fn start(
        environment: &TestEnvironment,
        log_dir: &std::path::Path,
    ) -> anyhow::Result<Self> {
        Self::start_named(environment, log_dir, "chromedriver").await
    }

    /// Like [`Browser::start`], with the chromedriver process and its log (`NAME.log`) named
    /// `name`, so a second browser in the same world (another device) keeps its own log.
    pub async fn start_named(
        environment: &TestEnvironment,
        log_dir: &std::path::Path,
        name: &str,
    ) -> anyhow::Result<Self> {
        let port = free_local_port()?;
        let arguments = vec![
            format!("--port={port}"),
            "--allowed-ips=127.0.0.1".to_string(),
        ];
        let mut chromedriver = ManagedProcess::spawn(
            name,
            &environment.chromedriver,
            &arguments,
            log_dir.join(format!("{name}.log")),
        )?;
        let driver_url = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        wait_for_chromedriver(&mut chromedriver, &http, &driver_url).await?;

        let profile_dir = tempfile::Builder::new()
            .prefix("waymark-chromium-")
            .tempdir()?;
        // chromedriver speaks plain HTTP on loopback: no TLS stack (and no crypto provider) needed.
        let client = ClientBuilder::new(HttpConnector::new())
            .capabilities(chromium_capabilities(environment, &profile_dir)?)
            .connect(&driver_url)
            .await
            .with_context(|| {
                format!(
                    "opening a Chromium session; chromedriver log:\n{}",
                    chromedriver.log_tail()
                )
            })?;
        let session_id = client
            .session_id()
            .await?
            .context("chromedriver gave no session id")?;
        let browser = Browser {
            client,
            driver_url,
            session_id,
            http,
            chromedriver,
            _profile_dir: profile_dir,
        };
        browser
            .devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": PAGE_RECORDER_SCRIPT }),
            )
            .await?;
        Ok(browser)
    }

    /// Sends one Chrome DevTools Protocol command through chromedriver.
    pub async fn devtools(&self, command: &str, parameters: Value) -> anyhow::Result<Value> {
        let url = format!(
            "{}/session/{}/goog/cdp/execute",
            self.driver_url, self.session_id
        );
        let response = self
            .http
            .post(url)
            .json(&json!({ "cmd": command, "params": parameters }))
            .send()
            .await
            .with_context(|| format!("sending DevTools command {command}"))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .with_context(|| format!("reading the answer to {command}"))?;
        if !status.is_success() {
            bail!("DevTools command {command} failed with {status}: {body}");
        }
        Ok(body["value"].clone())
    }

    /// The browser console lines since the last call (errors the page or the widget logged).
    pub async fn console_lines(&self) -> Vec<String> {
        let url = format!("{}/session/{}/se/log", self.driver_url, self.session_id);
        let Ok(response) = self
            .http
            .post(url)
            .json(&json!({ "type": "browser" }))
            .send()
            .await
        else {
            return Vec::new();
        };
        let Ok(body) = response.json::<Value>().await else {
            return Vec::new();
        };
        body["value"]
            .as_array()
            .map(|entries| {
                entries
                    .iter()
                    .map(|entry| {
                        format!(
                            "[{}] {}",
                            entry["level"].as_str().unwrap_or("?"),
                            entry["message"].as_str().unwrap_or("")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The chromedriver process, for failure reports.
    pub fn chromedriver(&self) -> &ManagedProcess {
        &self.chromedriver
    }

    /// Ends the session (Chromium quits) and stops chromedriver.
    pub async fn close(mut self) -> anyhow::Result<()> {
        let closed = self.client.clone().close().await;
        self.chromedriver.kill();
        closed.context("closing the Chromium session")
    }
}

fn chromium_capabilities(
    environment: &TestEnvironment,
    profile_dir: &TempDir,
) -> anyhow::Result<serde_json::Map<String, Value>> {
    let arguments = [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-dev-shm-usage",
        WINDOW_SIZE,
    ]
    .into_iter()
    .map(str::to_string)
    .chain([format!("--user-data-dir={}", profile_dir.path().display())])
    .collect::<Vec<_>>();
    let capabilities = json!({
        "browserName": "chrome",
        "pageLoadStrategy": "normal",
        // A stuck page fails the scenario in seconds instead of chromedriver's default 5 minutes.
        "timeouts": { "pageLoad": 30000, "script": 30000, "implicit": 0 },
        "goog:loggingPrefs": { "browser": "ALL" },
        "goog:chromeOptions": {
            "binary": environment.chromium.to_string_lossy(),
            "args": arguments,
        },
    });
    match capabilities {
        Value::Object(map) => Ok(map),
        _ => bail!("capabilities must be a JSON object"),
    }
}

async fn wait_for_chromedriver(
    chromedriver: &mut ManagedProcess,
    http: &reqwest::Client,
    driver_url: &str,
) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        chromedriver.ensure_running()?;
        if let Ok(response) = http.get(format!("{driver_url}/status")).send().await
            && let Ok(status) = response.json::<Value>().await
            && status["value"]["ready"].as_bool() == Some(true)
        {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            bail!(
                "chromedriver did not answer /status within 20s; its log ends with:\n{}",
                chromedriver.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
