//! `cargo xtask <command>`: every build, test, demo and benchmark step of the workspace, written
//! in Rust so a fresh machine needs nothing but cargo to run them.

mod bench;
mod demo;
mod install;
mod shell;
mod test;
mod wasm_imports;
mod widget_build;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "Waymark workspace automation")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Install the tools the other commands need (wasm target, wasm-bindgen CLI, wasm-opt, Chromium).
    Install,
    /// Build the widget (wasm + JS glue + loader) into target/widget-dist.
    BuildWidget {
        /// Optimised build (wasm-opt, fat LTO); the default for the demo and the tests.
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        release: bool,
    },
    /// Run the demo host, the admin and the collector on SQLite, and print their URLs.
    Demo,
    /// Run every check: fmt, clippy -D warnings, unit, integration and end-to-end tests.
    Test,
    /// Measure size and speed and write BENCHMARKS.md.
    Bench,
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Install => install::all(),
        Command::BuildWidget { release } => widget_build::build(release).map(|_| ()),
        Command::Demo => demo::run(),
        Command::Test => test::run(),
        Command::Bench => bench::run(),
    }
}
