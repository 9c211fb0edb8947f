//! The shared heart of Waymark: the open flow format (v1), its validation, and the pure step
//! engine that decides what a user sees next. It does no IO, so the widget (wasm) and the
//! collector (native) run the exact same decisions.

pub mod audience;
pub mod calendar;
pub mod checklist;
pub mod doc;
pub mod fatigue;
pub mod flow;
pub mod i18n;
pub mod pattern;
pub mod progress;
pub mod scores;
pub mod settings;
pub mod survey;
pub mod template;
pub mod theme;
pub mod validate;
pub mod wire;

pub use flow::*;
pub use progress::{Context, Decision, LifecycleEvent, Signal, UserProgress};
pub use validate::{FieldError, validate_flow};
