//! The collector's integration tests, one binary: each test gets a fresh SQLite database and
//! drives the real router in-process (or over TCP where the transport matters).

mod accounts;
mod admin;
mod assets;
mod audience;
mod auth;
mod boot;
mod checklists;
mod disclosure;
mod eligibility;
mod feedback;
mod ingest;
mod schema;
mod settings;
mod support;
mod survey_schedule;
mod surveys;
