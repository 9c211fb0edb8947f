//! The open flow format, version 1: what a product manager authors, the collector stores and
//! exports, and the widget plays. Field names are the JSON names; see `docs/flow.schema.json`.

use serde::{Deserialize, Serialize};

use std::collections::BTreeMap;

use crate::audience::Rule;
use crate::checklist::Checklist;
use crate::doc::Node;
use crate::i18n::Translation;
use crate::survey::{Question, SurveySettings};
use crate::theme::ThemeOverride;

/// The format marker every exported flow file carries.
pub const FORMAT: &str = "waymark.flow/v1";

fn format_marker() -> String {
    FORMAT.to_string()
}

fn default_timeout_ms() -> u32 {
    4000
}

fn is_false(flag: &bool) -> bool {
    !flag
}

/// A guided flow: a trigger, a frequency and an ordered list of steps.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// Always `waymark.flow/v1` for this version of the format.
    #[serde(default = "format_marker")]
    pub format: String,
    /// Stable identifier, lowercase letters, digits, `-` and `_`.
    pub id: String,
    /// Human name shown in the admin.
    pub name: String,
    /// Incremented by the collector on every saved change.
    #[serde(default)]
    pub version: u32,
    #[serde(default)]
    pub status: FlowStatus,
    pub trigger: Trigger,
    #[serde(default)]
    pub frequency: Frequency,
    /// Higher goes first when several flows could start at once.
    #[serde(default)]
    pub priority: i32,
    /// Who may get the flow automatically; everyone when absent. The collector evaluates it at
    /// boot and sends only matching flows; `waymark.start` bypasses it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Rule>,
    /// Progressive disclosure: the flow is never sent to a user before this holds (for example
    /// `{"completed": "basics-tour"}` or `{"event": "project_created", "op": "at_least", "count": 3}`).
    /// Evaluated by the collector at boot, like `audience`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Rule>,
    /// Tours, announcements (modal, slide-out, banner) and hotspots are steps. Empty for a checklist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<Step>,
    /// Present when this content is a checklist rather than a sequence of steps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist: Option<Checklist>,
    /// Offered in the resource center's "show me how" list, so users can replay it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub replayable: bool,
    /// Texts per locale (`fr`, `pt-BR`); the base texts are the fallback. The collector picks one
    /// at boot, so the widget receives a single language.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, Translation>,
    /// Overrides the app's theme for this flow only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<ThemeOverride>,
    /// Present when this flow is a survey: its steps ask `question`s (see `survey`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub survey: Option<SurveySettings>,
}

/// Lifecycle of a flow definition.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum FlowStatus {
    #[default]
    Draft,
    Published,
    Archived,
}

impl FlowStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowStatus::Draft => "draft",
            FlowStatus::Published => "published",
            FlowStatus::Archived => "archived",
        }
    }
}

/// What starts a flow automatically.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// The user is on a page whose URL matches the pattern (`*` is a wildcard).
    Url { pattern: String },
    /// The host tracked an event with this name.
    Event { name: String },
    /// Only `waymark.start(flowId)` starts it.
    Manual,
    /// Right after that flow or checklist completes: the widget's own `flow_completed`, or a
    /// `checklist_completed` the collector reports (`Signal::Completed`).
    Completed { flow: String },
    /// Right after that step of that flow completes.
    StepCompleted { flow: String, step: String },
    /// `days` after the user signed up or was first seen. The collector sends the flow only once
    /// it is due; the engine then starts it on the next page signal.
    DaysAfter { since: DaysSince, days: u32 },
}

/// What a `days_after` trigger counts from.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DaysSince {
    /// The `signed_up_at` trait (an ISO date or date-time, or epoch milliseconds).
    Signup,
    /// The user's first event.
    FirstSeen,
}

/// How often one user may get the flow.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Shown once; finished or dismissed, it never returns.
    #[default]
    Once,
    /// Returns (on the next trigger) after a dismissal, until the user completes it.
    UntilCompleted,
    /// Starts every time its trigger fires while it is not already running.
    EveryTime,
    /// At most once per browser session (see `fatigue::SessionLog`).
    EverySession,
}

/// One screen of a flow.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Unique within the flow.
    pub id: String,
    pub kind: StepKind,
    /// CSS selector of the element a tooltip points at. Required for tooltips.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default)]
    pub placement: Placement,
    /// URL pattern of the page this step lives on; the step waits until the user is there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<String>,
    /// May use `{{trait|fallback}}` placeholders.
    pub title: String,
    /// Markdown source; may use `{{trait|fallback}}` placeholders.
    #[serde(default)]
    pub body: String,
    /// The body compiled to safe nodes by the collector when the flow is saved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_doc: Vec<Node>,
    #[serde(default)]
    pub buttons: Vec<Button>,
    #[serde(default)]
    pub advance: Advance,
    /// Dim the page around the target.
    #[serde(default, skip_serializing_if = "is_false")]
    pub spotlight: bool,
    /// What to do when the target is still missing after `target_timeout_ms`.
    #[serde(default)]
    pub when_target_missing: WhenTargetMissing,
    #[serde(default = "default_timeout_ms")]
    pub target_timeout_ms: u32,
    /// An image or video shown above the body (modal and slide-out).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub media: Option<Media>,
    /// Banner only: push the page content down (or up) instead of overlaying it.
    #[serde(default, skip_serializing_if = "is_false")]
    pub push: bool,
    /// Progressive disclosure for one step: while it does not hold the step is skipped
    /// (`step_skipped`). Evaluated by the collector, which sets `locked`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Rule>,
    /// Set by the collector at boot when `requires` does not hold for this user; never authored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
    /// Survey flows only: what this step asks. A survey step without one is a thank-you (or
    /// intro) step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

/// An image or a video on a modal or slide-out.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Media {
    pub kind: MediaKind,
    /// `https:` (or a relative path on the host).
    pub url: String,
    /// Required text alternative for images; the caption track label for videos.
    pub alt: String,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Image,
    Video,
}

/// The kinds of step the widget can render.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Tooltip,
    Modal,
    /// A pulsing beacon on `target`; clicking or focusing it opens the step as a tooltip.
    Hotspot,
    /// A strip at the top or bottom of the page (`placement` top or bottom).
    Banner,
    /// A panel that slides in at a bottom corner (`placement` left or right).
    Slideout,
}

/// Preferred side of the target for a tooltip; `auto` picks the side with the most room.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    Top,
    Right,
    #[default]
    Bottom,
    Left,
    Auto,
}

/// A button on a step.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Button {
    pub action: ButtonAction,
    pub label: String,
    /// Where a `cta` button goes (opened in the same tab for relative URLs, a new tab otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ButtonAction {
    Next,
    Back,
    Dismiss,
    Cta,
}

/// What moves the user past a step.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Advance {
    /// A `next` or `cta` button.
    #[default]
    Button,
    /// A click on the step's target element.
    Click,
    /// The host tracks this event.
    Event { name: String },
    /// The user arrives at a URL matching the pattern.
    Url { pattern: String },
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum WhenTargetMissing {
    /// Record `step_target_missing` and go on to the next step.
    #[default]
    Skip,
    /// Record `step_target_missing` and end the flow.
    End,
}

impl Flow {
    /// The index of the step with this id.
    pub fn step_index(&self, step_id: &str) -> Option<usize> {
        self.steps.iter().position(|step| step.id == step_id)
    }
}

/// Whether a flow can be shown to users right now.
pub fn is_live(flow: &Flow) -> bool {
    flow.status == FlowStatus::Published && (!flow.steps.is_empty() || flow.checklist.is_some())
}

/// Whether the flow's own `requires` holds for the user (true when it has none). The collector
/// drops flows for which it does not, except the one the user is in.
pub fn requirements_met(flow: &Flow, facts: &crate::audience::Facts) -> bool {
    flow.requires
        .as_ref()
        .is_none_or(|rule| crate::audience::matches(rule, facts))
}

/// Sets `locked` on every step and checklist item whose `requires` does not hold for the user
/// (and clears it where it does), as the collector does at boot before sending the flow.
pub fn lock_unmet_requirements(flow: &mut Flow, facts: &crate::audience::Facts) {
    let unmet = |requires: &Option<Rule>| {
        requires
            .as_ref()
            .is_some_and(|rule| !crate::audience::matches(rule, facts))
    };
    for step in &mut flow.steps {
        step.locked = unmet(&step.requires);
    }
    if let Some(checklist) = &mut flow.checklist {
        for item in &mut checklist.items {
            item.locked = unmet(&item.requires);
        }
    }
}
