//! Checklists: items that complete themselves when a condition holds (or by hand), may depend on
//! earlier items, and end with a badge. The collector is the authority on completion (it sees
//! every event, from every device); the widget renders the progress it is sent.

use std::collections::BTreeSet;

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
pub fn item_available(
    checklist: &Checklist,
    item: &ChecklistItem,
    progress: Option<&ChecklistProgress>,
) -> bool {
    !item.locked
        && item.depends_on.iter().all(|dependency| {
            progress.is_some_and(|progress| progress.done.iter().any(|done| done == dependency))
        })
        && checklist
            .items
            .iter()
            .any(|candidate| candidate.id == item.id)
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

/// New lifecycle events for one user's checklist: items whose `done_when` holds (in order, only
/// once available: not locked, dependencies done — an item completed earlier in the same pass counts),
/// then `checklist_completed` and `badge_earned` when every item is done. Empty when nothing changed.
/// Items already done are never reported again, and neither are a recorded completion or badge,
/// so the collector can call it on every ingest and boot.
pub fn evaluate(
    checklist_id: &str,
    checklist: &Checklist,
    progress: &crate::UserProgress,
    facts: &crate::audience::Facts,
) -> Vec<crate::LifecycleEvent> {
    use crate::LifecycleEvent;

    // A scratch copy, so items completed in this pass unlock the items that depend on them.
    let mut state = progress
        .checklists
        .get(checklist_id)
        .cloned()
        .unwrap_or_default();
    let mut events = Vec::new();
    for item in &checklist.items {
        if state.done.contains(&item.id) || !item_available(checklist, item, Some(&state)) {
            continue;
        }
        let holds = item
            .done_when
            .as_ref()
            .is_some_and(|condition| crate::audience::matches(condition, facts));
        if holds {
            state.done.push(item.id.clone());
            events.push(LifecycleEvent::ChecklistItemCompleted {
                checklist_id: checklist_id.to_string(),
                item_id: item.id.clone(),
                manual: false,
            });
        }
    }
    let (done, total) = counts(checklist, Some(&state));
    // An empty checklist is invalid; never celebrate one that slipped through.
    if total > 0 && done == total {
        if !state.completed {
            events.push(LifecycleEvent::ChecklistCompleted {
                checklist_id: checklist_id.to_string(),
            });
        }
        if let Some(badge) = &checklist.badge
            && state.badge.is_none()
        {
            events.push(LifecycleEvent::BadgeEarned {
                checklist_id: checklist_id.to_string(),
                badge_id: badge.id.clone(),
            });
        }
    }
    events
}

/// The ids a user has completed, for [`crate::audience::Facts::completed`]: flows completed at
/// least once plus checklists marked completed. One place, so collector and widget agree.
pub fn completed_ids(progress: &crate::UserProgress) -> BTreeSet<String> {
    let flows = progress
        .flows
        .iter()
        .filter(|(_, flow)| flow.completions > 0)
        .map(|(id, _)| id.clone());
    let checklists = progress
        .checklists
        .iter()
        .filter(|(_, checklist)| checklist.completed)
        .map(|(id, _)| id.clone());
    flows.chain(checklists).collect()
}
