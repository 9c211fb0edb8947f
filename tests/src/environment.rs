//! Where the end-to-end tests find the things `cargo xtask test` builds and installs; a missing
//! piece is a loud failure that names the command to run, never a silently skipped test.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// The command that builds and installs everything the end-to-end tests need.
pub const SETUP_COMMAND: &str = "cargo xtask test";

/// Paths to the built binaries, the built widget and the installed tools.
#[derive(Clone, Debug)]
pub struct TestEnvironment {
    /// `target/widget-dist`, served by the collector under `/sdk/`.
    pub widget_dist: PathBuf,
    /// The cargo output directory holding the `collector` and `demo-app` binaries.
    pub binary_dir: PathBuf,
    /// axe-core's browser bundle, injected into pages for accessibility checks.
    pub axe_script: PathBuf,
    /// The system Chromium (browsers cannot be downloaded here).
    pub chromium: PathBuf,
    /// The system chromedriver matching that Chromium.
    pub chromedriver: PathBuf,
    /// Where failed scenarios leave a screenshot, the page source and every process log
    /// (`WAYMARK_E2E_ARTIFACTS`, else a folder in the system temp directory).
    pub failure_artifacts_dir: PathBuf,
}

impl TestEnvironment {
    /// Reads `WAYMARK_WIDGET_DIST`, `WAYMARK_BIN_DIR`, `WAYMARK_AXE` (set by `cargo xtask test`) and
    /// optionally `WAYMARK_CHROMIUM` / `WAYMARK_CHROMEDRIVER`, and checks every path exists.
    pub fn from_env() -> anyhow::Result<Self> {
        let widget_dist = required_path(
            "WAYMARK_WIDGET_DIST",
            "the built widget (target/widget-dist)",
        )?;
        let binary_dir = required_path(
            "WAYMARK_BIN_DIR",
            "the directory holding the collector and demo-app binaries",
        )?;
        let axe_script = required_path("WAYMARK_AXE", "axe-core's axe.min.js")?;
        let chromium = optional_path("WAYMARK_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = optional_path("WAYMARK_CHROMEDRIVER", "/usr/bin/chromedriver");
        let failure_artifacts_dir = std::env::var_os("WAYMARK_E2E_ARTIFACTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| std::env::temp_dir().join("waymark-e2e-artifacts"));
        let environment = TestEnvironment {
            widget_dist,
            binary_dir,
            axe_script,
            chromium,
            chromedriver,
            failure_artifacts_dir,
        };
        environment.check_files_exist()?;
        Ok(environment)
    }

    /// The path of one workspace binary (`collector`, `demo-app`).
    pub fn binary(&self, name: &str) -> PathBuf {
        self.binary_dir.join(name)
    }

    fn check_files_exist(&self) -> anyhow::Result<()> {
        let required = [
            (
                self.widget_dist.join("manifest.json"),
                "the widget manifest",
            ),
            (self.binary("collector"), "the collector binary"),
            (self.binary("demo-app"), "the demo-app binary"),
            (self.axe_script.clone(), "axe-core's axe.min.js"),
            (self.chromium.clone(), "the system Chromium"),
            (self.chromedriver.clone(), "the system chromedriver"),
        ];
        for (path, what) in required {
            require_existing(&path, what)?;
        }
        Ok(())
    }
}

fn required_path(variable: &str, what: &str) -> anyhow::Result<PathBuf> {
    let value = std::env::var_os(variable).with_context(|| {
        format!("{variable} is not set; it must point at {what}. Run the end-to-end tests with `{SETUP_COMMAND}`, which builds and installs everything they need")
    })?;
    Ok(PathBuf::from(value))
}

fn optional_path(variable: &str, default: &str) -> PathBuf {
    std::env::var_os(variable)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default))
}

fn require_existing(path: &Path, what: &str) -> anyhow::Result<()> {
    if !path.exists() {
        bail!(
            "{what} is missing at {}. Run `{SETUP_COMMAND}`, which builds and installs everything the end-to-end tests need",
            path.display()
        );
    }
    Ok(())
}
