//! Support code for Waymark's end-to-end tests: a world of real processes (collector, demo-app,
//! system Chromium) plus the locators, actions and checks the scenarios in `tests/it` are written with.

pub mod actions;
pub mod browser;
pub mod checks;
pub mod clock;
pub mod collector_api;
pub mod environment;
pub mod fixture_host;
pub mod flows;
pub mod locators;
pub mod process;
pub mod world;
