//! `cargo xtask test`: every check CI runs, in order, cheapest first. On a fresh machine it installs
//! what it needs first; at the end it prints which steps passed, failed or never ran.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::bail;

use crate::shell::{self, workspace_root};
use crate::{install, widget_build};

/// One step's fate, for the summary.
enum StepOutcome {
    Passed(Duration),
    Failed(Duration, String),
}

/// The steps run so far, in order.
#[derive(Default)]
struct Summary {
    steps: Vec<(&'static str, StepOutcome)>,
}

impl Summary {
    /// Runs one step and records how it went.
    fn step<T>(
        &mut self,
        name: &'static str,
        action: impl FnOnce() -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        eprintln!("\n==> xtask test: {name}");
        let started = Instant::now();
        let result = action();
        let outcome = match &result {
            Ok(_) => StepOutcome::Passed(started.elapsed()),
            Err(error) => StepOutcome::Failed(started.elapsed(), format!("{error:#}")),
        };
        self.steps.push((name, outcome));
        result
    }

    fn print(&self, not_run: &[&str]) {
        eprintln!("\n==> xtask test summary");
        for (name, outcome) in &self.steps {
            match outcome {
                StepOutcome::Passed(took) => {
                    eprintln!("  passed   {name:<44} {:>7.1}s", took.as_secs_f64())
                }
                StepOutcome::Failed(took, why) => {
                    eprintln!("  FAILED   {name:<44} {:>7.1}s", took.as_secs_f64());
                    eprintln!("           {why}");
                }
            }
        }
        for name in not_run {
            eprintln!("  not run  {name}");
        }
    }
}

/// The names of every step, in the order they run.
const STEP_NAMES: [&str; 7] = [
    "rustfmt (cargo fmt --all --check)",
    "install tools",
    "clippy, native, all targets, -D warnings",
    "clippy, widget on wasm32, -D warnings",
    "build widget (release)",
    "build collector and demo-app",
    "cargo test --workspace (unit, integration, e2e)",
];

pub fn run() -> anyhow::Result<()> {
    let mut summary = Summary::default();
    let result = run_steps(&mut summary);
    let not_run = &STEP_NAMES[summary.steps.len()..];
    summary.print(not_run);
    match result {
        Ok(()) => {
            eprintln!("==> xtask test: every check passed");
            Ok(())
        }
        Err(error) => bail!("xtask test failed: {error:#}"),
    }
}

fn run_steps(summary: &mut Summary) -> anyhow::Result<()> {
    let [
        fmt,
        install,
        clippy_native,
        clippy_wasm,
        widget,
        binaries,
        tests,
    ] = STEP_NAMES;
    summary.step(fmt, || shell::run(cargo(&["fmt", "--all", "--check"])))?;
    summary.step(install, install::all)?;
    summary.step(clippy_native, || {
        shell::run(cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    summary.step(clippy_wasm, || {
        shell::run(cargo(&[
            "clippy",
            "-p",
            "widget",
            "--target",
            install::WASM_TARGET,
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    let widget_dist = summary.step(widget, || widget_build::build(true))?;
    summary.step(binaries, || {
        shell::run(cargo(&["build", "-p", "collector", "-p", "demo-app"]))
    })?;
    summary.step(tests, || {
        let mut test = cargo(&["test", "--workspace"]);
        test.env("WAYMARK_WIDGET_DIST", absolute(&widget_dist))
            .env("WAYMARK_BIN_DIR", target_dir().join("debug"))
            .env("WAYMARK_AXE", absolute(&install::axe_core_path()));
        shell::run(test)
    })
}

/// A cargo command in the workspace root, with the cargo that runs xtask.
pub fn cargo(arguments: &[&str]) -> Command {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    shell::command(&cargo, arguments)
}

/// Cargo's output directory (`CARGO_TARGET_DIR`, else `target/`), absolute.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => absolute(Path::new(&dir)),
        None => workspace_root().join("target"),
    }
}

/// `path` made absolute against the workspace root (the tests run from their crate directory).
fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        workspace_root().join(path)
    }
}
