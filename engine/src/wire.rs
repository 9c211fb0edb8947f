//! The HTTP contract between the widget and the collector, defined once so both sides
//! serialise exactly the same shapes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::flow::Flow;
use crate::progress::{Decision, UserProgress};
use crate::settings::ClientSettings;
use crate::validate::FieldError;

/// `POST /v1/batch`: events from one user, in the order they happened.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    pub write_key: String,
    pub user_id: String,
    pub events: Vec<WireEvent>,
    /// The page the batch was sent from, used to answer with the next step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One event as sent by the widget (or any server-side sender).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WireEvent {
    /// Client-generated unique id; the collector stores each id once.
    pub message_id: String,
    #[serde(rename = "type")]
    pub kind: EventKind,
    /// Event name for `track` (lifecycle names included); ignored otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub properties: Map<String, Value>,
    /// For `identify` (user traits) and `group` (account traits).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub traits: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Milliseconds since the Unix epoch, on the sender's clock.
    pub timestamp: i64,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Track,
    Page,
    Identify,
    Group,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Track => "track",
            EventKind::Page => "page",
            EventKind::Identify => "identify",
            EventKind::Group => "group",
        }
    }
}

/// The answer to a batch: what was stored, and where the user now stands.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BatchResponse {
    pub accepted: u32,
    pub duplicates: u32,
    pub progress: UserProgress,
    pub next: Option<Decision>,
}

/// `GET /v1/boot?write_key=…&user_id=…&url=…`: everything the widget needs to start.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BootResponse {
    pub user_id: String,
    /// Live flows for this app, with bodies compiled to safe nodes.
    pub flows: Vec<Flow>,
    pub progress: UserProgress,
    #[serde(default)]
    pub traits: Map<String, Value>,
    pub next: Option<Decision>,
    /// Theme, fatigue budget, resource center and the widget's words in the user's locale.
    #[serde(default)]
    pub settings: ClientSettings,
    /// Survey flow id → `client_ts` (ms) of the user's latest `flow_started` of it. The widget
    /// applies `survey::reask_due` with its own clock and treats a due survey as never started.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub asked: BTreeMap<String, i64>,
}

/// Every error body from the collector.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ApiError {
    pub code: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Every problem, when there is more than one (flow validation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}
