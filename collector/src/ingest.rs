//! `POST /v1/batch`: validates a whole batch of widget events (hand ticks of checklist items,
//! survey answers and feedback included), stores the new ones and folds them into the user's
//! progress in one transaction, records the checklist items that batch completed, then answers
//! with what to show next.

use std::collections::HashSet;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use engine::audience::{Facts, Rule};
use engine::progress::decide;
use engine::wire::{Batch, BatchResponse, EventKind, WireEvent};
use engine::{Context, Flow, LifecycleEvent, UserProgress};
use serde_json::{Map, Value};

use crate::AppState;
use crate::audience::{self, Visit, Visitor, disclose, flow_rules};
use crate::body::JsonBody;
use crate::boot::user_agent_device;
use crate::checklists::{
    Tick, check_reserved_ids, check_ticks, open_checklists, pending_events, record,
};
use crate::error::Error;
use crate::feedback::{self, check_submission};
use crate::keys::authorize_write;
use crate::locale::wanted_locales;
use crate::storage::{IngestBatch, NewEvent, now_ms};
use crate::surveys::check_answers;

const MAX_BODY_BYTES: usize = 512 * 1024;
const MAX_EVENTS: usize = 500;
const MAX_EVENT_BYTES: usize = 32 * 1024;
const MAX_ID_CHARS: usize = 200;
/// Room for the deterministic ids of hand ticks, `wm:<user id>:cl:<checklist id>:<item id>`.
const MAX_MESSAGE_ID_CHARS: usize = 400;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/batch", post(batch))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// Any Content-Type is accepted: `navigator.sendBeacon` sends `text/plain` to avoid a preflight.
async fn batch(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(batch): JsonBody<Batch>,
) -> Result<Json<BatchResponse>, Error> {
    let app = authorize_write(&state, &batch.write_key, &headers)?;
    check_user_id(&batch.user_id)?;
    let received = batch.events.len();
    let (indices, events): (Vec<usize>, Vec<NewEvent>) =
        prepare_events(batch.events)?.into_iter().unzip();
    check_reserved_ids(&batch.user_id, &indices, &events)?;
    let flows = state.live_flows.get(state.store.as_ref(), &app.id).await?;
    // Answers are checked against the live flow, like every other event before anything is stored.
    check_answers(&flows, &indices, &events)?;
    let sender = Sender {
        state: &state,
        app_id: &app.id,
        user_id: &batch.user_id,
        url: batch.url.as_deref().filter(|url| !url.is_empty()),
        headers: &headers,
    };

    let ticks = ticks_in(&indices, &events);
    if !ticks.is_empty() {
        // Checked against the user as stored, before anything of the batch is: a refused tick
        // refuses the whole batch, like any other bad event.
        let user = state.store.user(&app.id, &batch.user_id).await?;
        let checklists: Vec<Flow> = flows
            .iter()
            .filter(|flow| flow.checklist.is_some())
            .cloned()
            .collect();
        let disclosed = sender
            .disclose(&checklists, &user.traits, &user.progress)
            .await?;
        check_ticks(&ticks, &disclosed, &user.progress)?;
    }

    let outcome = state
        .store
        .ingest(&IngestBatch {
            app_id: app.id.clone(),
            user_id: batch.user_id.clone(),
            received_at: now_ms(),
            events,
        })
        .await?;
    let mut progress = outcome.progress;

    // Whatever the batch did (an event, a page, a tick, a finished tour) may complete checklist
    // items; only checklists the user has not finished yet are looked at.
    let open: Vec<Flow> = open_checklists(&flows, &progress).cloned().collect();
    if !open.is_empty() {
        let rules: Vec<&Rule> = open.iter().flat_map(flow_rules).collect();
        let facts = sender.facts(&rules, &outcome.traits, &progress).await?;
        let disclosed = disclose(&open, &facts, None);
        let pending = pending_events(&batch.user_id, &disclosed, &progress, &facts);
        if let Some(updated) =
            record(state.store.as_ref(), &app.id, &batch.user_id, pending).await?
        {
            progress = updated;
        }
    }

    let flows = sender
        .lock_running_flow(flows, &outcome.traits, &progress)
        .await?;
    let context = Context {
        url: batch.url.unwrap_or_default(),
        ..Context::default()
    };
    let next = decide(&flows, &progress, &context);
    Ok(Json(BatchResponse {
        accepted: outcome.accepted,
        duplicates: u32::try_from(received)
            .unwrap_or(u32::MAX)
            .saturating_sub(outcome.accepted),
        progress,
        next,
    }))
}

/// The checklist events a sender put in the batch, with their indices in it.
fn ticks_in<'a>(indices: &[usize], events: &'a [NewEvent]) -> Vec<Tick<'a>> {
    indices
        .iter()
        .zip(events)
        .filter_map(|(&index, event)| match &event.lifecycle {
            Some(
                lifecycle @ (LifecycleEvent::ChecklistItemCompleted { .. }
                | LifecycleEvent::ChecklistCompleted { .. }
                | LifecycleEvent::BadgeEarned { .. }),
            ) => Some(Tick {
                index,
                event: lifecycle,
            }),
            _ => None,
        })
        .collect()
}

/// Who sent the batch, from where: what rules about this user are evaluated against.
struct Sender<'a> {
    state: &'a AppState,
    app_id: &'a str,
    user_id: &'a str,
    url: Option<&'a str>,
    headers: &'a HeaderMap,
}

impl Sender<'_> {
    /// The facts `rules` read, for this user as `traits` and `progress` describe them.
    async fn facts(
        &self,
        rules: &[&Rule],
        traits: &Map<String, Value>,
        progress: &UserProgress,
    ) -> anyhow::Result<Facts> {
        let visitor = Visitor {
            user_id: self.user_id,
            traits,
            progress,
        };
        let visit = Visit {
            url: self.url.map(str::to_string),
            device: user_agent_device(self.headers),
            locale: wanted_locales(traits, None, self.headers)
                .into_iter()
                .next(),
        };
        audience::facts(
            self.state.store.as_ref(),
            self.app_id,
            visitor,
            rules,
            visit,
        )
        .await
    }

    /// `flows` as this user gets them (audience and `requires` holding, `locked` set).
    async fn disclose(
        &self,
        flows: &[Flow],
        traits: &Map<String, Value>,
        progress: &UserProgress,
    ) -> anyhow::Result<Vec<Flow>> {
        let rules: Vec<&Rule> = flows.iter().flat_map(flow_rules).collect();
        let facts = self.facts(&rules, traits, progress).await?;
        Ok(disclose(flows, &facts, progress.active.as_deref()))
    }

    /// The live flows with the running flow's steps locked where their `requires` does not hold,
    /// so `next` never points at a locked step. Nothing is read unless that flow has step rules.
    async fn lock_running_flow(
        &self,
        flows: Arc<Vec<Flow>>,
        traits: &Map<String, Value>,
        progress: &UserProgress,
    ) -> anyhow::Result<Arc<Vec<Flow>>> {
        let running = progress
            .active
            .as_deref()
            .and_then(|active| flows.iter().position(|flow| flow.id == active))
            .filter(|&index| {
                flows[index]
                    .steps
                    .iter()
                    .any(|step| step.requires.is_some())
            });
        let Some(index) = running else {
            return Ok(flows);
        };
        let locked = self
            .disclose(std::slice::from_ref(&flows[index]), traits, progress)
            .await?;
        let mut flows = flows.to_vec();
        if let Some(locked) = locked.into_iter().next() {
            flows[index] = locked;
        }
        Ok(Arc::new(flows))
    }
}

/// The rule for user ids, shared by every public endpoint.
pub fn check_user_id(user_id: &str) -> Result<(), Error> {
    if user_id.trim().is_empty() {
        Err(Error::invalid(
            "invalid_user_id",
            "user_id",
            "user_id must not be empty",
        ))
    } else if user_id.chars().count() > MAX_ID_CHARS {
        Err(Error::invalid(
            "invalid_user_id",
            "user_id",
            format!("user_id is limited to {MAX_ID_CHARS} characters"),
        ))
    } else {
        Ok(())
    }
}

/// Checks every event before anything is stored, and keeps the first of repeated message ids,
/// each with its index in the batch.
fn prepare_events(events: Vec<WireEvent>) -> Result<Vec<(usize, NewEvent)>, Error> {
    if events.len() > MAX_EVENTS {
        return Err(Error::TooLarge {
            code: "too_many_events",
            field: "events".into(),
            message: format!("a batch holds at most {MAX_EVENTS} events"),
        });
    }
    let mut seen = HashSet::with_capacity(events.len());
    let mut prepared = Vec::with_capacity(events.len());
    for (index, event) in events.into_iter().enumerate() {
        let event = prepare_event(index, event)?;
        if seen.insert(event.message_id.clone()) {
            prepared.push((index, event));
        }
    }
    Ok(prepared)
}

fn prepare_event(index: usize, event: WireEvent) -> Result<NewEvent, Error> {
    let at = |field: &str| format!("events[{index}].{field}");
    if json_len(&event) > MAX_EVENT_BYTES {
        return Err(Error::TooLarge {
            code: "event_too_large",
            field: format!("events[{index}]"),
            message: format!("one event is limited to {MAX_EVENT_BYTES} bytes of JSON"),
        });
    }
    let message_id = event.message_id.trim();
    if message_id.is_empty() || message_id.chars().count() > MAX_MESSAGE_ID_CHARS {
        return Err(Error::invalid(
            "invalid_event",
            at("message_id"),
            format!("use 1-{MAX_MESSAGE_ID_CHARS} characters"),
        ));
    }
    let name = event.name.filter(|name| !name.trim().is_empty());
    if name
        .as_ref()
        .is_some_and(|name| name.chars().count() > MAX_ID_CHARS)
    {
        return Err(Error::invalid(
            "invalid_event",
            at("name"),
            format!("at most {MAX_ID_CHARS} characters"),
        ));
    }
    let lifecycle = match (event.kind, &name) {
        (EventKind::Track, None) => {
            return Err(Error::invalid(
                "invalid_event",
                at("name"),
                "a track event needs a name",
            ));
        }
        (EventKind::Track, Some(name)) if name == feedback::EVENT_NAME => {
            check_submission(index, &event.properties)?;
            None
        }
        (EventKind::Track, Some(name)) => match LifecycleEvent::from_track(name, &event.properties)
        {
            Some(Ok(lifecycle)) => Some(lifecycle),
            Some(Err(field)) => {
                return Err(Error::invalid(
                    "invalid_event",
                    at(&field),
                    format!("{name} needs a valid {field}"),
                ));
            }
            None => None,
        },
        _ => None,
    };
    Ok(NewEvent {
        message_id: message_id.to_string(),
        kind: event.kind,
        name,
        properties: event.properties,
        traits: event.traits,
        group_id: event.group_id,
        url: event.url,
        client_ts: event.timestamp,
        lifecycle,
    })
}

/// The length of a value's JSON, counted without building it.
fn json_len(value: &impl serde::Serialize) -> usize {
    struct Counter(usize);
    impl std::io::Write for Counter {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter(0);
    serde_json::to_writer(&mut counter, value).map_or(usize::MAX, |()| counter.0)
}
