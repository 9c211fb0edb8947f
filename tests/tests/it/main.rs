//! The end-to-end scenarios: real collector and demo-app binaries, real SQLite, real headless
//! Chromium. One world runs at a time (see `tests::world`); run them with `cargo xtask test`.

mod accessibility;
mod admin_authoring;
mod audience_targeting;
mod hard_hosts;
mod harness;
mod hostile_host;
mod keyboard;
mod missing_target;
mod offline_collector;
mod welcome_tour;
