//! Admin saved segments: named audience rules that flows refer to with `{"segment": id}`, each
//! validated whole (every problem listed) and countable against the stored users.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Extension, Json, Router};
use engine::audience::{segment_refs, validate_segment};
use serde::Serialize;

use crate::AppState;
use crate::audience;
use crate::body::JsonBody;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::storage::Segment;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/segments", get(list).post(create))
        .route(
            "/v1/admin/segments/{id}",
            get(show).put(update).delete(remove),
        )
        .route("/v1/admin/segments/{id}/count", get(count))
}

#[derive(Serialize)]
struct SegmentCount {
    matching_users: u64,
    total_users: u64,
}

async fn list(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
) -> Result<Json<Vec<Segment>>, Error> {
    Ok(Json(state.store.segments(&app.id).await?))
}

async fn create(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    JsonBody(segment): JsonBody<Segment>,
) -> Result<(StatusCode, Json<Segment>), Error> {
    check(&segment)?;
    let stored = state
        .store
        .create_segment(&app.id, &segment)
        .await?
        .ok_or_else(|| Error::SegmentExists(segment.id.clone()))?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn show(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<Segment>, Error> {
    Ok(Json(existing(&state, &app.id, &id).await?))
}

async fn update(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
    JsonBody(segment): JsonBody<Segment>,
) -> Result<Json<Segment>, Error> {
    if segment.id != id {
        return Err(Error::invalid(
            "id_mismatch",
            "id",
            format!("the body's id must be \"{id}\", as in the URL"),
        ));
    }
    existing(&state, &app.id, &id).await?;
    check(&segment)?;
    Ok(Json(state.store.save_segment(&app.id, &segment).await?))
}

/// Refuses to delete a segment a flow's audience still refers to: the flow would silently stop
/// matching anyone.
async fn remove(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    let flows: Vec<String> = state
        .store
        .flows(&app.id)
        .await?
        .into_iter()
        .filter(|stored| {
            stored.flow.audience.as_ref().is_some_and(|audience| {
                segment_refs(audience, "")
                    .iter()
                    .any(|(_, referenced)| *referenced == id)
            })
        })
        .map(|stored| stored.flow.id)
        .collect();
    if !flows.is_empty() {
        return Err(Error::SegmentInUse { id, flows });
    }
    if state.store.delete_segment(&app.id, &id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(Error::SegmentNotFound(id))
    }
}

async fn count(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<SegmentCount>, Error> {
    let segment = existing(&state, &app.id, &id).await?;
    let (matching_users, total_users) =
        audience::count(state.store.as_ref(), &app.id, &segment.rule).await?;
    Ok(Json(SegmentCount {
        matching_users,
        total_users,
    }))
}

fn check(segment: &Segment) -> Result<(), Error> {
    let errors = validate_segment(&segment.id, &segment.name, &segment.rule);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidSegment(errors))
    }
}

async fn existing(state: &AppState, app_id: &str, id: &str) -> Result<Segment, Error> {
    state
        .store
        .segment(app_id, id)
        .await?
        .ok_or_else(|| Error::SegmentNotFound(id.to_string()))
}
