//! `GET /v1/admin/events`: the latest stored events, oldest first, optionally for one user;
//! lets admins (and tests) see exactly what arrived.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Deserialize;

use crate::AppState;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::storage::StoredEvent;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 1000;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/admin/events", get(events))
}

#[derive(Deserialize)]
struct EventsQuery {
    user_id: Option<String>,
    limit: Option<u32>,
}

async fn events(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<EventsQuery>, QueryRejection>,
) -> Result<Json<Vec<StoredEvent>>, Error> {
    let Query(query) = query
        .map_err(|rejection| Error::invalid("invalid_query", "limit", rejection.body_text()))?;
    let limit = query.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let user_id = query
        .user_id
        .as_deref()
        .filter(|user_id| !user_id.is_empty());
    Ok(Json(state.store.events(&app.id, user_id, limit).await?))
}
