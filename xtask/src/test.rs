//! `cargo xtask test`: every check CI runs, in order, cheapest first. On a fresh machine it installs
//! what it needs first; at the end it prints which steps passed, failed or never ran, and how many
//! tests passed and failed.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::shell::{self, absolute, cargo, target_dir};
use crate::{install, widget_build};

/// One step's fate, for the summary.
enum StepOutcome {
    Passed(Duration),
    Failed(Duration, String),
}

/// Passed and failed test counts, summed over every `test result:` line of `cargo test`.
#[derive(Default, Clone, Copy)]
struct TestCounts {
    passed: u64,
    failed: u64,
    ignored: u64,
}

impl TestCounts {
    /// Adds the counts of one libtest closing line, e.g.
    /// `test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s`.
    fn add_result_line(&mut self, line: &str) {
        let Some(counts) = line.trim().strip_prefix("test result: ") else {
            return;
        };
        for part in counts.split(['.', ';']) {
            let mut words = part.split_whitespace();
            let (Some(number), Some(label)) = (words.next(), words.next()) else {
                continue;
            };
            let Ok(number) = number.parse::<u64>() else {
                continue;
            };
            match label {
                "passed" => self.passed += number,
                "failed" => self.failed += number,
                "ignored" => self.ignored += number,
                _ => {}
            }
        }
    }
}

/// The steps run so far, in order, and the test counts once the tests ran.
#[derive(Default)]
struct Summary {
    steps: Vec<(&'static str, StepOutcome)>,
    tests: Option<TestCounts>,
}

impl Summary {
    /// Runs one step and records how it went.
    fn step<T>(
        &mut self,
        name: &'static str,
        action: impl FnOnce(&mut Self) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        eprintln!("\n==> xtask test: {name}");
        let started = Instant::now();
        let result = action(self);
        let outcome = match &result {
            Ok(_) => StepOutcome::Passed(started.elapsed()),
            Err(error) => StepOutcome::Failed(started.elapsed(), format!("{error:#}")),
        };
        self.steps.push((name, outcome));
        result
    }

    fn print(&self) {
        println!("\n==> xtask test summary");
        for (name, outcome) in &self.steps {
            match outcome {
                StepOutcome::Passed(took) => {
                    println!("  passed   {name:<48} {:>7.1}s", took.as_secs_f64())
                }
                StepOutcome::Failed(took, why) => {
                    println!("  FAILED   {name:<48} {:>7.1}s", took.as_secs_f64());
                    println!("           {why}");
                }
            }
        }
        for name in &STEP_NAMES[self.steps.len()..] {
            println!("  not run  {name}");
        }
        let failed_steps = self
            .steps
            .iter()
            .filter(|(_, outcome)| matches!(outcome, StepOutcome::Failed(..)))
            .count();
        let passed_steps = self.steps.len() - failed_steps;
        let not_run = STEP_NAMES.len() - self.steps.len();
        println!("steps: {passed_steps} passed, {failed_steps} failed, {not_run} skipped");
        match self.tests {
            Some(tests) => println!(
                "tests: {} passed, {} failed, {} skipped",
                tests.passed, tests.failed, tests.ignored
            ),
            None => println!("tests: not run (an earlier step failed)"),
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
    summary.print();
    match result {
        Ok(()) => Ok(()),
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
    summary.step(fmt, |_| shell::run(cargo(&["fmt", "--all", "--check"])))?;
    summary.step(install, |_| install::all())?;
    summary.step(clippy_native, |_| {
        shell::run(cargo(&[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]))
    })?;
    summary.step(clippy_wasm, |_| {
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
    let widget_dist = summary.step(widget, |_| widget_build::build(true))?;
    summary.step(binaries, |_| {
        shell::run(cargo(&["build", "-p", "collector", "-p", "demo-app"]))
    })?;
    summary.step(tests, |summary| {
        // --no-fail-fast: one crate's failure must not hide the other crates' results.
        let mut test = cargo(&["test", "--workspace", "--no-fail-fast"]);
        // The end-to-end tests spawn the binaries built above and serve the widget built above.
        test.env("WAYMARK_WIDGET_DIST", absolute(&widget_dist))
            .env("WAYMARK_BIN_DIR", target_dir().join("debug"))
            .env("WAYMARK_AXE", absolute(&install::axe_core_path()))
            .env("WAYMARK_E2E_ARTIFACTS", target_dir().join("e2e-artifacts"));
        let (counts, outcome) = run_counting_tests(test);
        summary.tests = Some(counts);
        outcome
    })
}

/// Runs `cargo test`, echoing its standard output line by line while adding up its result lines.
fn run_counting_tests(mut command: Command) -> (TestCounts, anyhow::Result<()>) {
    let mut counts = TestCounts::default();
    eprintln!("$ {command:?}");
    let mut child = match command
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("could not start {command:?}"))
    {
        Ok(child) => child,
        Err(error) => return (counts, Err(error)),
    };
    if let Some(stdout) = child.stdout.take() {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
            counts.add_result_line(&line);
        }
    }
    let outcome = match child.wait() {
        Ok(status) if status.success() => Ok(()),
        Ok(status) => Err(anyhow::anyhow!("{command:?} failed with {status}")),
        Err(error) => Err(anyhow::Error::new(error).context("waiting for cargo test")),
    };
    (counts, outcome)
}

#[cfg(test)]
mod tests {
    use super::TestCounts;

    fn check(lines: &[&str], passed: u64, failed: u64, ignored: u64) {
        let mut counts = TestCounts::default();
        for line in lines {
            counts.add_result_line(line);
        }
        assert_eq!(
            (counts.passed, counts.failed, counts.ignored),
            (passed, failed, ignored),
            "{lines:?}"
        );
    }

    #[test]
    fn test_result_lines_are_added_up() {
        for (lines, passed, failed, ignored) in [
            (
                vec![
                    "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s",
                ],
                12,
                0,
                1,
            ),
            (
                vec![
                    "test result: ok. 2 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s",
                    "running 3 tests",
                    "test result: FAILED. 1 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out; finished in 70.09s",
                ],
                3,
                2,
                0,
            ),
            (vec!["test passed_thing ... ok", "3 passed"], 0, 0, 0),
        ] {
            check(&lines, passed, failed, ignored);
        }
    }
}
