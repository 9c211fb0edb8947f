//! Checklists: items that complete themselves when a condition holds (or by hand), may depend on
//! earlier items, and end with a badge. The collector is the authority on completion (it sees
//! every event, from every device); the widget renders the progress it is sent.

use serde::{Deserialize, Serialize};

use crate::audience::Rule;
use crate::progress::ChecklistProgress;

fn is_false(flag: &bool) -> bool {
    !flag
}

/// A checklist, carried by a [`crate::Flow`] whose `steps` are empty.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Checklist {
    /// Heading of the panel, e.g. "Get started with Tasklane".
    pub title: String,
    pub items: Vec<ChecklistItem>,
    /// Kept by the user once every item is done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<Badge>,
    /// Open the panel (rather than only the minimised launcher) the first time it is shown.
    #[serde(default, skip_serializing_if = "is_false")]
    pub open_on_first_show: bool,
}

/// One task on a checklist.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// Unique within the checklist.
    pub id: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Completes the item automatically when it holds: an event (optionally N times, in a window),
    /// `{"completed": "<flow id>"}`, `{"visited": "/projects*"}` or a trait rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub done_when: Option<Rule>,
    /// The user may tick it by hand.
    #[serde(default, skip_serializing_if = "is_false")]
    pub manual: bool,
    /// "Show me how": the tour this item launches (a flow id in the same app).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub launch_flow: Option<String>,
    /// Ids of earlier items that must be done first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Progressive disclosure: the item stays locked until this holds (collector sets `locked`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Rule>,
    /// Set by the collector at boot when `requires` does not hold; never authored.
    #[serde(default, skip_serializing_if = "is_false")]
    pub locked: bool,
}

/// The reward for finishing a checklist.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Badge {
    /// Stable id, reported in `badge_earned`.
    pub id: String,
    pub name: String,
}

/// Whether an item can be done now: not locked, and every item it depends on is done.
pub fn item_available(checklist: &Checklist, item: &ChecklistItem, progress: Option<&ChecklistProgress>) -> bool {
    !item.locked
        && item.depends_on.iter().all(|dependency| {
            progress.is_some_and(|progress| progress.done.iter().any(|done| done == dependency))
        })
        && checklist.items.iter().any(|candidate| candidate.id == item.id)
}

/// How many items are done, and how many there are.
pub fn counts(checklist: &Checklist, progress: Option<&ChecklistProgress>) -> (usize, usize) {
    let done = checklist
        .items
        .iter()
        .filter(|item| progress.is_some_and(|progress| progress.done.contains(&item.id)))
        .count();
    (done, checklist.items.len())
}

/// New lifecycle events for one user's checklist: items whose `done_when` now holds (in order, only
/// once available: not locked, dependencies done — an item completed earlier in the same pass counts),
/// then `checklist_completed` and `badge_earned` when every item is done. Empty when nothing changed.
pub fn evaluate(
    checklist_id: &str,
    checklist: &Checklist,
    progress: &crate::UserProgress,
    facts: &crate::audience::Facts,
) -> Vec<crate::LifecycleEvent> {
    // ENGINE HELPER: implement.
    let _ = (checklist_id, checklist, progress, facts);
    Vec::new()
}
