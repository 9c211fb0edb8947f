//! `GET /v1/boot`: everything the widget needs on page load, from the cached live flows and one
//! indexed read of the user.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use engine::Context;
use engine::progress::decide;
use engine::wire::BootResponse;
use serde::Deserialize;

use crate::AppState;
use crate::error::Error;
use crate::ingest::check_user_id;
use crate::keys::authorize_write;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/boot", get(boot))
}

#[derive(Deserialize)]
struct BootQuery {
    write_key: Option<String>,
    user_id: Option<String>,
    url: Option<String>,
}

async fn boot(
    State(state): State<AppState>,
    headers: HeaderMap,
    query: Result<Query<BootQuery>, QueryRejection>,
) -> Result<Json<BootResponse>, Error> {
    let Query(query) = query
        .map_err(|rejection| Error::invalid("invalid_query", "query", rejection.body_text()))?;
    let app = authorize_write(
        &state,
        query.write_key.as_deref().unwrap_or_default(),
        &headers,
    )?;
    let user_id = query.user_id.unwrap_or_default();
    check_user_id(&user_id)?;

    let (flows, user) = tokio::try_join!(
        state.live_flows.get(state.store.as_ref(), &app.id),
        state.store.user(&app.id, &user_id)
    )?;
    let context = Context {
        url: query.url.unwrap_or_default(),
        traits: user.traits.clone(),
    };
    let next = decide(&flows, &user.progress, &context);
    Ok(Json(BootResponse {
        user_id,
        flows: flows.as_ref().clone(),
        progress: user.progress,
        traits: user.traits,
        next,
    }))
}
