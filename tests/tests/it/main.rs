//! The end-to-end scenarios: real collector and demo-app binaries, real SQLite, real headless
//! Chromium. One world runs at a time (see `tests::world`); run them with `cargo xtask test`.

mod accessibility;
mod admin_authoring;
mod admin_feedback;
mod admin_patterns;
mod announcements;
mod audience_targeting;
mod checklists;
mod fatigue;
mod hard_hosts;
mod harness;
mod hostile_host;
mod hotspots;
mod keyboard;
mod localization_theming;
mod missing_target;
mod offline_collector;
mod resource_center;
mod surveys;
mod welcome_tour;
