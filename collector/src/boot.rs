//! `GET /v1/boot`: everything the widget needs on page load, from the cached live flows and one
//! indexed read of the user, plus the events, account traits or segments that a live flow's
//! audience reads (only when one does). Flows whose audience does not match are left out.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::{ACCEPT_LANGUAGE, USER_AGENT};
use axum::routing::get;
use axum::{Json, Router};
use engine::Context;
use engine::audience::Device;
use engine::progress::decide;
use engine::wire::BootResponse;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::audience::{Visit, Visitor, visible_flows};
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
    /// `mobile` or `desktop`; without it the User-Agent decides.
    device: Option<String>,
    /// The traits the page has just identified the user with, as a JSON object. They count for this
    /// answer (a brand-new user's first page can be targeted) but are stored only by the `identify`
    /// event the widget sends.
    traits: Option<String>,
}

/// Longest `traits` query value accepted; identify traits are small.
const MAX_QUERY_TRAITS_BYTES: usize = 4096;

fn query_traits(text: Option<&str>) -> Result<Map<String, Value>, Error> {
    let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
        return Ok(Map::new());
    };
    if text.len() > MAX_QUERY_TRAITS_BYTES {
        return Err(Error::invalid(
            "invalid_query",
            "traits",
            format!("traits are limited to {MAX_QUERY_TRAITS_BYTES} bytes"),
        ));
    }
    match serde_json::from_str(text) {
        Ok(Value::Object(traits)) => Ok(traits),
        _ => Err(Error::invalid(
            "invalid_query",
            "traits",
            "traits must be a JSON object",
        )),
    }
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

    let device = device(query.device.as_deref(), &headers)?;
    let page_traits = query_traits(query.traits.as_deref())?;

    let (flows, mut user) = tokio::try_join!(
        state.live_flows.get(state.store.as_ref(), &app.id),
        state.store.user(&app.id, &user_id)
    )?;
    user.traits.extend(page_traits);
    let url = query.url.unwrap_or_default();
    // Flows whose audience does not match never reach the widget (except the one the user is in
    // the middle of); `waymark.start` can therefore only start flows this user was sent.
    let visit = Visit {
        url: Some(url.clone()).filter(|url| !url.is_empty()),
        device,
        locale: accept_language(&headers),
    };
    let visitor = Visitor {
        user_id: &user_id,
        traits: &user.traits,
        active_flow: user.progress.active.as_deref(),
    };
    let flows = visible_flows(state.store.as_ref(), &app.id, visitor, &flows, visit).await?;
    let context = Context {
        url,
        traits: user.traits.clone(),
    };
    let next = decide(&flows, &user.progress, &context);
    Ok(Json(BootResponse {
        user_id,
        flows,
        progress: user.progress,
        traits: user.traits,
        next,
    }))
}

/// The `device` query parameter when given, else a guess from the User-Agent ("Mobi" is the token
/// every mainstream mobile browser sends); unknown without either.
fn device(query: Option<&str>, headers: &HeaderMap) -> Result<Option<Device>, Error> {
    match query.map(str::trim) {
        Some("mobile") => Ok(Some(Device::Mobile)),
        Some("desktop") => Ok(Some(Device::Desktop)),
        Some("") | None => Ok(headers
            .get(USER_AGENT)
            .and_then(|agent| agent.to_str().ok())
            .map(|agent| {
                if agent.contains("Mobi") {
                    Device::Mobile
                } else {
                    Device::Desktop
                }
            })),
        Some(_) => Err(Error::invalid(
            "invalid_query",
            "device",
            "device is \"mobile\" or \"desktop\"",
        )),
    }
}

/// The first language of `Accept-Language` (`fr-CA,fr;q=0.9` gives `fr-CA`).
fn accept_language(headers: &HeaderMap) -> Option<String> {
    let header = headers.get(ACCEPT_LANGUAGE)?.to_str().ok()?;
    header
        .split(',')
        .filter_map(|entry| entry.split(';').next())
        .map(str::trim)
        .find(|tag| !tag.is_empty() && *tag != "*")
        .map(str::to_string)
}
