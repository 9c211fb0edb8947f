//! The test world: the real collector and demo-app binaries on free ports with a fresh SQLite
//! database, the fixture host, and a fresh headless Chromium; everything is torn down on drop.
//! Worlds are heavy (2 cores), so only one exists at a time across the whole test binary.

use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use anyhow::{Context, bail};
use fantoccini::Client;
use tempfile::TempDir;
use tokio::sync::{Mutex, MutexGuard};

use crate::browser::Browser;
use crate::collector_api::CollectorAdminClient;
use crate::environment::TestEnvironment;
use crate::fixture_host::{FixtureHost, HOSTILE_HOST_PATH, hard_host_path};
use crate::process::{ManagedProcess, accepts_connections, free_local_port, log_report};

/// The public write key the world's collector accepts and its host pages embed.
pub const WRITE_KEY: &str = "wk_e2e_tests";
/// The secret admin key of the world's collector.
pub const ADMIN_KEY: &str = "sk_e2e_tests";
/// The demo admin's login.
pub const ADMIN_EMAIL: &str = "admin@demo.test";
pub const ADMIN_PASSWORD: &str = "waymark-demo";
/// The tour the demo-app seeds (docs/contracts.md).
pub const WELCOME_TOUR_ID: &str = "welcome-tour";

/// How long a process may take to start answering.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// One world at a time: the scenarios share two cores with Chromium and two servers each.
static ONE_WORLD_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// What a scenario is: an async body borrowing the world.
pub type ScenarioFuture<'world> = Pin<Box<dyn Future<Output = anyhow::Result<()>> + 'world>>;

/// The command line of the collector, kept to restart it on the same port and database.
#[derive(Clone, Debug)]
struct CollectorLaunch {
    program: PathBuf,
    arguments: Vec<String>,
    log_path: PathBuf,
    port: u16,
}

pub struct World {
    pub environment: TestEnvironment,
    pub admin_api: CollectorAdminClient,
    browser: Option<Browser>,
    /// A second Chromium on its own profile (another device of the same user), when started.
    second_browser: Option<Browser>,
    collector: Option<ManagedProcess>,
    collector_launch: CollectorLaunch,
    demo_app: ManagedProcess,
    host_port: u16,
    admin_port: u16,
    fixture_host: FixtureHost,
    work_dir: TempDir,
    _one_world_at_a_time: MutexGuard<'static, ()>,
}

impl World {
    /// Starts a world, runs `scenario` in it, and on failure prints every process log and the
    /// browser console before returning the scenario's error.
    pub async fn run(
        scenario: impl for<'world> FnOnce(&'world mut World) -> ScenarioFuture<'world>,
    ) -> anyhow::Result<()> {
        let mut world = World::start().await?;
        let outcome = scenario(&mut world).await;
        if outcome.is_err() {
            eprintln!("{}", world.failure_report().await);
            match world.save_failure_artifacts().await {
                Ok(folder) => eprintln!(
                    "screenshot, page source and logs saved in {}",
                    folder.display()
                ),
                Err(error) => eprintln!("could not save the failure artifacts: {error:#}"),
            }
        }
        let closed = world.shutdown().await;
        outcome?;
        closed
    }

    /// Starts the collector, the demo-app (which seeds the welcome tour), the fixture host and Chromium.
    pub async fn start() -> anyhow::Result<Self> {
        let one_world_at_a_time = ONE_WORLD_AT_A_TIME.lock().await;
        let environment = TestEnvironment::from_env()?;
        let work_dir = tempfile::Builder::new().prefix("waymark-e2e-").tempdir()?;
        let collector_port = free_local_port()?;
        let host_port = free_local_port()?;
        let admin_port = free_local_port()?;
        let (fixture_listener, fixture_address) = FixtureHost::bind().await?;
        let collector_url = format!("http://127.0.0.1:{collector_port}");
        let fixture_host = FixtureHost::serve(fixture_listener, &collector_url, WRITE_KEY)?;

        let allowed_origins = [host_port, admin_port, fixture_address.port()]
            .iter()
            .flat_map(|port| {
                [
                    format!("http://127.0.0.1:{port}"),
                    format!("http://localhost:{port}"),
                ]
            })
            .collect::<Vec<_>>()
            .join(",");
        let database_path = work_dir.path().join("collector.db");
        let collector_launch = CollectorLaunch {
            program: environment.binary("collector"),
            arguments: vec![
                format!("--bind=127.0.0.1:{collector_port}"),
                format!(
                    "--database-url=sqlite://{}?mode=rwc",
                    database_path.display()
                ),
                format!("--widget-dir={}", environment.widget_dist.display()),
                "--app-id=demo".to_string(),
                format!("--write-key={WRITE_KEY}"),
                format!("--admin-key={ADMIN_KEY}"),
                format!("--allowed-origins={allowed_origins}"),
            ],
            log_path: work_dir.path().join("collector.log"),
            port: collector_port,
        };
        let collector = start_collector(&collector_launch).await?;
        let admin_api = CollectorAdminClient::new(&collector_url, ADMIN_KEY);

        let demo_app_arguments = vec![
            format!("--host-bind=127.0.0.1:{host_port}"),
            format!("--admin-bind=127.0.0.1:{admin_port}"),
            format!("--collector-url={collector_url}"),
            format!("--write-key={WRITE_KEY}"),
            format!("--admin-key={ADMIN_KEY}"),
            format!("--admin-email={ADMIN_EMAIL}"),
            format!("--admin-password={ADMIN_PASSWORD}"),
            // The welcome tour only: the pattern examples (a checklist, a hotspot, banners, app
            // settings) would compete with the content each scenario creates for itself.
            "--seed-patterns=false".to_string(),
        ];
        let mut demo_app = ManagedProcess::spawn(
            "demo-app",
            &environment.binary("demo-app"),
            &demo_app_arguments,
            work_dir.path().join("demo-app.log"),
        )?;
        demo_app
            .wait_until_ready(
                "logs `host on` and `admin on` and accepts connections",
                STARTUP_TIMEOUT,
                |process| {
                    let log = process.log();
                    log.contains("host on http://")
                        && log.contains("admin on http://")
                        && accepts_connections(host_port)
                        && accepts_connections(admin_port)
                },
            )
            .await?;
        wait_for_published_welcome_tour(&admin_api, &mut demo_app).await?;

        let browser = Browser::start(&environment, work_dir.path()).await?;
        Ok(World {
            environment,
            admin_api,
            browser: Some(browser),
            second_browser: None,
            collector: Some(collector),
            collector_launch,
            demo_app,
            host_port,
            admin_port,
            fixture_host,
            work_dir,
            _one_world_at_a_time: one_world_at_a_time,
        })
    }

    /// The WebDriver client of the world's browser.
    pub fn client(&self) -> &Client {
        &self.browser().client
    }

    pub fn browser(&self) -> &Browser {
        self.browser
            .as_ref()
            .expect("the browser lives until shutdown")
    }

    /// Starts a second Chromium with its own fresh profile (no shared cookies or localStorage),
    /// as the same person on another device; it lives until the world shuts down.
    pub async fn start_second_browser(&mut self) -> anyhow::Result<()> {
        if self.second_browser.is_none() {
            let browser =
                Browser::start_named(&self.environment, self.work_dir.path(), SECOND_BROWSER_NAME)
                    .await?;
            self.second_browser = Some(browser);
        }
        Ok(())
    }

    /// The WebDriver client of the second browser (see [`World::start_second_browser`]).
    pub fn second_client(&self) -> &Client {
        &self.second_browser().client
    }

    /// The second browser itself, for DevTools commands (see [`World::start_second_browser`]).
    pub fn second_browser(&self) -> &Browser {
        self.second_browser
            .as_ref()
            .expect("start_second_browser must be called first")
    }

    /// A user id no other scenario (or earlier run) has used.
    pub fn fresh_user_id(&self, label: &str) -> String {
        format!(
            "{label}-{}",
            &uuid::Uuid::new_v4().simple().to_string()[..12]
        )
    }

    /// `http://127.0.0.1:PORT` of the demo host product.
    pub fn host_origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.host_port)
    }

    /// `http://127.0.0.1:PORT` of the demo admin.
    pub fn admin_origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.admin_port)
    }

    /// `http://127.0.0.1:PORT` of the collector.
    pub fn collector_origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.collector_launch.port)
    }

    /// The hostile host fixture page for one user.
    pub fn hostile_host_url(&self, user_id: &str) -> String {
        format!(
            "{}{HOSTILE_HOST_PATH}?user={user_id}",
            self.fixture_host.origin()
        )
    }

    /// The hard host fixture page `name` (see `locators::hard_host`) for one user.
    pub fn hard_host_url(&self, name: &str, user_id: &str) -> String {
        format!(
            "{}{}?user={user_id}",
            self.fixture_host.origin(),
            hard_host_path(name)
        )
    }

    /// axe-core's source, to inject into pages.
    pub fn axe_source(&self) -> anyhow::Result<String> {
        std::fs::read_to_string(&self.environment.axe_script)
            .with_context(|| format!("reading {}", self.environment.axe_script.display()))
    }

    /// Kills the collector as a crash would, and waits until its port refuses connections.
    pub async fn stop_collector(&mut self) -> anyhow::Result<()> {
        let Some(mut collector) = self.collector.take() else {
            bail!("the collector is already stopped");
        };
        collector.kill();
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while accepts_connections(self.collector_launch.port) {
            if std::time::Instant::now() > deadline {
                bail!(
                    "port {} still accepts connections after the collector was killed",
                    self.collector_launch.port
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(())
    }

    /// Starts the collector again on the same port and the same database.
    pub async fn restart_collector(&mut self) -> anyhow::Result<()> {
        if self.collector.is_some() {
            bail!("the collector is still running");
        }
        self.collector = Some(start_collector(&self.collector_launch).await?);
        Ok(())
    }

    /// Every process log, the browser console and the page's recorded errors, for failure reports.
    pub async fn failure_report(&self) -> String {
        let mut sections = Vec::new();
        if let Some(collector) = &self.collector {
            sections.push(log_report(collector));
        } else {
            sections.push(format!(
                "----- collector log (stopped) -----\n{}",
                std::fs::read_to_string(&self.collector_launch.log_path).unwrap_or_default()
            ));
        }
        sections.push(log_report(&self.demo_app));
        if let Some(browser) = &self.browser {
            sections.push(log_report(browser.chromedriver()));
            if let Ok(url) = browser.client.current_url().await {
                sections.push(format!("----- browser at {url} -----"));
            }
            sections.push(format!(
                "----- browser console -----\n{}",
                browser.console_lines().await.join("\n")
            ));
        }
        if let Some(browser) = &self.second_browser {
            sections.push(log_report(browser.chromedriver()));
            if let Ok(url) = browser.client.current_url().await {
                sections.push(format!("----- second browser at {url} -----"));
            }
            sections.push(format!(
                "----- second browser console -----\n{}",
                browser.console_lines().await.join("\n")
            ));
        }
        sections.push(format!(
            "(work directory {})",
            self.work_dir.path().display()
        ));
        sections.join("\n")
    }

    /// Saves a screenshot, the page source and every process log of a failed scenario into a
    /// folder named after the test (libtest names each test's thread after the test).
    pub async fn save_failure_artifacts(&self) -> anyhow::Result<PathBuf> {
        let test_name = std::thread::current()
            .name()
            .unwrap_or("scenario")
            .replace("::", "-");
        let folder = self.environment.failure_artifacts_dir.join(test_name);
        std::fs::create_dir_all(&folder)
            .with_context(|| format!("creating {}", folder.display()))?;
        if let Some(browser) = &self.browser {
            if let Ok(png) = browser.client.screenshot().await {
                std::fs::write(folder.join("screenshot.png"), png)?;
            }
            if let Ok(source) = browser.client.source().await {
                std::fs::write(folder.join("page.html"), source)?;
            }
        }
        if let Some(browser) = &self.second_browser
            && let Ok(png) = browser.client.screenshot().await
        {
            std::fs::write(folder.join("second-browser-screenshot.png"), png)?;
        }
        let second_log = format!("{SECOND_BROWSER_NAME}.log");
        for log in [
            "collector.log",
            "demo-app.log",
            "chromedriver.log",
            second_log.as_str(),
        ] {
            let from = self.work_dir.path().join(log);
            if from.exists() {
                std::fs::copy(&from, folder.join(log))?;
            }
        }
        Ok(folder)
    }

    /// Closes the browsers; the processes stop when the world drops.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        let second = match self.second_browser.take() {
            Some(browser) => browser.close().await,
            None => Ok(()),
        };
        let first = match self.browser.take() {
            Some(browser) => browser.close().await,
            None => Ok(()),
        };
        first.and(second)
    }
}

async fn start_collector(launch: &CollectorLaunch) -> anyhow::Result<ManagedProcess> {
    let earlier_starts = std::fs::read_to_string(&launch.log_path)
        .unwrap_or_default()
        .matches("listening on http://")
        .count();
    let mut collector = ManagedProcess::spawn(
        "collector",
        &launch.program,
        &launch.arguments,
        launch.log_path.clone(),
    )?;
    let port = launch.port;
    collector
        .wait_until_ready(
            "logs `listening on` and accepts connections",
            STARTUP_TIMEOUT,
            |process| {
                process.log().matches("listening on http://").count() > earlier_starts
                    && accepts_connections(port)
            },
        )
        .await?;
    Ok(collector)
}

/// The name of the second browser's chromedriver and of its log.
const SECOND_BROWSER_NAME: &str = "chromedriver-second-device";

/// The demo-app seeds the welcome tour through the collector's admin API after it starts; the
/// scenarios need it published before the first page opens.
async fn wait_for_published_welcome_tour(
    admin_api: &CollectorAdminClient,
    demo_app: &mut ManagedProcess,
) -> anyhow::Result<()> {
    let deadline = std::time::Instant::now() + STARTUP_TIMEOUT;
    loop {
        demo_app.ensure_running()?;
        let last_seen = match admin_api.flow(WELCOME_TOUR_ID).await {
            Ok(Some(flow)) if flow["status"] == "published" => return Ok(()),
            Ok(Some(flow)) => format!("status {}", flow["status"]),
            Ok(None) => "no such flow".to_string(),
            Err(error) => format!("{error:#}"),
        };
        if std::time::Instant::now() > deadline {
            bail!(
                "the demo-app did not seed a published `{WELCOME_TOUR_ID}` within {STARTUP_TIMEOUT:?} (last seen: {last_seen}); its log ends with:\n{}",
                demo_app.log_tail()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
