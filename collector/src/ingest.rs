//! `POST /v1/batch`: validates a whole batch of widget events, stores the new ones and folds
//! them into the user's progress in one transaction, then answers with what to show next.

use std::collections::HashSet;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::HeaderMap;
use axum::routing::post;
use axum::{Json, Router};
use engine::progress::decide;
use engine::wire::{Batch, BatchResponse, EventKind, WireEvent};
use engine::{Context, LifecycleEvent};

use crate::AppState;
use crate::body::JsonBody;
use crate::error::Error;
use crate::keys::authorize_write;
use crate::storage::{IngestBatch, NewEvent, now_ms};

const MAX_BODY_BYTES: usize = 512 * 1024;
const MAX_EVENTS: usize = 500;
const MAX_EVENT_BYTES: usize = 32 * 1024;
const MAX_ID_CHARS: usize = 200;

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
    let events = prepare_events(batch.events)?;

    let outcome = state
        .store
        .ingest(&IngestBatch {
            app_id: app.id.clone(),
            user_id: batch.user_id,
            received_at: now_ms(),
            events,
        })
        .await?;

    let flows = state.live_flows.get(state.store.as_ref(), &app.id).await?;
    let context = Context {
        url: batch.url.unwrap_or_default(),
        ..Context::default()
    };
    let next = decide(&flows, &outcome.progress, &context);
    Ok(Json(BatchResponse {
        accepted: outcome.accepted,
        duplicates: u32::try_from(received)
            .unwrap_or(u32::MAX)
            .saturating_sub(outcome.accepted),
        progress: outcome.progress,
        next,
    }))
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

/// Checks every event before anything is stored, and keeps the first of repeated message ids.
fn prepare_events(events: Vec<WireEvent>) -> Result<Vec<NewEvent>, Error> {
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
            prepared.push(event);
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
    if message_id.is_empty() || message_id.chars().count() > MAX_ID_CHARS {
        return Err(Error::invalid(
            "invalid_event",
            at("message_id"),
            format!("use 1-{MAX_ID_CHARS} characters"),
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
