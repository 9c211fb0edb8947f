//! Checklists on the collector's side, the authority on completion: after every stored batch and
//! at boot each live checklist the user gets is evaluated (`engine::checklist::evaluate`) and the
//! lifecycle events it yields are stored under deterministic message ids, so a repeat (or the
//! widget's own hand tick of the same item) is a duplicate, never a second completion. Hand ticks
//! sent by the widget are checked against the checklist before anything of their batch is stored.

use engine::audience::Facts;
use engine::checklist::{ChecklistItem, evaluate};
use engine::wire::EventKind;
use engine::{Flow, LifecycleEvent, UserProgress};

use crate::error::Error;
use crate::storage::{IngestBatch, NewEvent, Store, now_ms};

/// The message id of a checklist lifecycle event: `wm:<user>:cl:<checklist>:<item>`, `…:done`
/// or `…:badge`. `None` for other events.
pub fn message_id(user_id: &str, event: &LifecycleEvent) -> Option<String> {
    let (checklist_id, suffix) = match event {
        LifecycleEvent::ChecklistItemCompleted {
            checklist_id,
            item_id,
            ..
        } => (checklist_id, item_id.as_str()),
        LifecycleEvent::ChecklistCompleted { checklist_id } => (checklist_id, "done"),
        LifecycleEvent::BadgeEarned { checklist_id, .. } => (checklist_id, "badge"),
        _ => return None,
    };
    Some(format!("wm:{user_id}:cl:{checklist_id}:{suffix}"))
}

/// Refuses a sender's event that takes a `wm:` message id other than its own hand tick's: those
/// ids belong to the collector's checklist events, and a stolen one would block the real event.
pub fn check_reserved_ids(
    user_id: &str,
    indices: &[usize],
    events: &[NewEvent],
) -> Result<(), Error> {
    for (index, event) in indices.iter().zip(events) {
        if !event.message_id.starts_with(RESERVED_PREFIX) {
            continue;
        }
        let own = event
            .lifecycle
            .as_ref()
            .filter(|lifecycle| matches!(lifecycle, LifecycleEvent::ChecklistItemCompleted { .. }))
            .and_then(|lifecycle| message_id(user_id, lifecycle));
        if own.as_deref() != Some(event.message_id.as_str()) {
            return Err(Error::invalid(
                "invalid_event",
                format!("events[{index}].message_id"),
                format!(
                    "message ids starting with {RESERVED_PREFIX} are reserved for checklist events \
                     (a hand tick uses wm:<user_id>:cl:<checklist_id>:<item_id>)"
                ),
            ));
        }
    }
    Ok(())
}

/// The start of every collector-made message id.
const RESERVED_PREFIX: &str = "wm:";

/// Item ids that would share a message id with a checklist's own events.
pub const RESERVED_ITEM_IDS: [&str; 2] = ["done", "badge"];

/// The checklists among `flows` (already disclosed to the user, so `locked` is set) that are not
/// completed yet: the only ones worth evaluating.
pub fn open_checklists<'a>(
    flows: &'a [Flow],
    progress: &'a UserProgress,
) -> impl Iterator<Item = &'a Flow> + 'a {
    flows.iter().filter(|flow| {
        flow.checklist.is_some()
            && !progress
                .checklists
                .get(&flow.id)
                .is_some_and(|checklist| checklist.completed)
    })
}

/// The lifecycle events every open checklist yields now, as events ready to store.
pub fn pending_events(
    user_id: &str,
    flows: &[Flow],
    progress: &UserProgress,
    facts: &Facts,
) -> Vec<NewEvent> {
    let now = now_ms();
    open_checklists(flows, progress)
        .filter_map(|flow| Some((flow, flow.checklist.as_ref()?)))
        .flat_map(|(flow, checklist)| evaluate(&flow.id, checklist, progress, facts))
        .filter_map(|event| {
            let message_id = message_id(user_id, &event)?;
            let (name, properties) = event.to_track();
            Some(NewEvent {
                message_id,
                kind: EventKind::Track,
                name: Some(name),
                properties,
                traits: Default::default(),
                group_id: None,
                url: None,
                client_ts: now,
                lifecycle: Some(event),
            })
        })
        .collect()
}

/// Stores the events `pending_events` found (those stored before are skipped) and returns the
/// user's progress with them folded in; `None` when there was nothing to store.
pub async fn record(
    store: &dyn Store,
    app_id: &str,
    user_id: &str,
    events: Vec<NewEvent>,
) -> anyhow::Result<Option<UserProgress>> {
    if events.is_empty() {
        return Ok(None);
    }
    let outcome = store
        .ingest(&IngestBatch {
            app_id: app_id.to_string(),
            user_id: user_id.to_string(),
            received_at: now_ms(),
            events,
        })
        .await?;
    Ok(Some(outcome.progress))
}

/// One checklist event a sender put in a batch, with its index there.
pub struct Tick<'a> {
    pub index: usize,
    pub event: &'a LifecycleEvent,
}

/// Refuses a batch whose hand ticks cannot be: an unknown checklist or item, an item that is not
/// `manual`, locked, or whose `depends_on` are not done (ticks earlier in the batch count). Only
/// the collector records automatic completions, checklist completions and badges.
pub fn check_ticks(
    ticks: &[Tick<'_>],
    flows: &[Flow],
    progress: &UserProgress,
) -> Result<(), Error> {
    let mut progress = progress.clone();
    for Tick { index, event } in ticks {
        let refuse = |field: &str, message: String| Error::Unprocessable {
            code: "item_not_tickable",
            field: format!("events[{index}].{field}"),
            message,
        };
        let LifecycleEvent::ChecklistItemCompleted {
            checklist_id,
            item_id,
            manual,
        } = event
        else {
            return Err(Error::Unprocessable {
                code: "reserved_event",
                field: format!("events[{index}].name"),
                message: "checklist_completed and badge_earned are recorded by the collector only"
                    .into(),
            });
        };
        let field = "properties.item_id";
        if !manual {
            return Err(refuse(
                "properties.manual",
                "only hand ticks (manual: true) may be sent; the collector records automatic completions".into(),
            ));
        }
        let Some(checklist) = flows
            .iter()
            .find(|flow| &flow.id == checklist_id)
            .and_then(|flow| flow.checklist.as_ref())
        else {
            return Err(refuse(
                field,
                format!("no live checklist \"{checklist_id}\" for this user"),
            ));
        };
        let Some(item) = checklist.items.iter().find(|item| &item.id == item_id) else {
            return Err(refuse(
                field,
                format!("checklist \"{checklist_id}\" has no item \"{item_id}\""),
            ));
        };
        if let Some(problem) = untickable(item, progress.checklists.get(checklist_id)) {
            return Err(refuse(field, format!("item \"{item_id}\" {problem}")));
        }
        progress.apply(event);
    }
    Ok(())
}

/// Why this item cannot be ticked by hand now, if it cannot.
fn untickable(
    item: &ChecklistItem,
    progress: Option<&engine::progress::ChecklistProgress>,
) -> Option<String> {
    if !item.manual {
        return Some("completes by itself and cannot be ticked by hand".into());
    }
    if item.locked {
        return Some("is locked for this user".into());
    }
    let missing: Vec<&str> = item
        .depends_on
        .iter()
        .filter(|dependency| progress.is_none_or(|progress| !progress.done.contains(dependency)))
        .map(String::as_str)
        .collect();
    (!missing.is_empty()).then(|| format!("needs {} done first", missing.join(", ")))
}

#[cfg(test)]
mod tests {
    use engine::LifecycleEvent;

    use super::message_id;

    #[test]
    fn message_ids_are_deterministic() {
        let cases = [
            (
                LifecycleEvent::ChecklistItemCompleted {
                    checklist_id: "start".into(),
                    item_id: "invite".into(),
                    manual: true,
                },
                Some("wm:u1:cl:start:invite"),
            ),
            (
                LifecycleEvent::ChecklistCompleted {
                    checklist_id: "start".into(),
                },
                Some("wm:u1:cl:start:done"),
            ),
            (
                LifecycleEvent::BadgeEarned {
                    checklist_id: "start".into(),
                    badge_id: "pro".into(),
                },
                Some("wm:u1:cl:start:badge"),
            ),
            (
                LifecycleEvent::FlowCompleted {
                    flow_id: "tour".into(),
                },
                None,
            ),
        ];
        for (event, expected) in cases {
            assert_eq!(message_id("u1", &event).as_deref(), expected, "{event:?}");
        }
    }
}
