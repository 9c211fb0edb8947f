//! In-process tests of the demo host and admin routers (tower `oneshot`), with a fake collector
//! on port 0 for the admin proxy and the seeding.

mod admin;
mod host;
mod seed;
mod support;
mod with_collector;
