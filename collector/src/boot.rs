//! `GET /v1/boot`: everything the widget needs on page load, from the cached live flows and
//! settings and one indexed read of the user, plus the events, account traits, visited pages or
//! segments that a live flow's rules read (only when one does). Flows whose audience or
//! `requires` does not hold are left out, locked steps and items are marked, checklist items that
//! became done are recorded, surveys the user is not sampled for and `days_after` flows not yet
//! due are held back, and every text arrives in the user's language.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::routing::get;
use axum::{Json, Router};
use engine::Context;
use engine::audience::{Device, Rule};
use engine::checklist::completed_ids;
use engine::i18n::localize;
use engine::progress::decide;
use engine::wire::BootResponse;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::audience::{self, Visit, Visitor, disclose, flow_rules};
use crate::checklists::{pending_events, record};
use crate::error::Error;
use crate::ingest::check_user_id;
use crate::keys::authorize_write;
use crate::locale::{client_settings, wanted_locales};
use crate::storage::now_ms;
use crate::surveys::{Calendar, asked, held};

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
    /// The browser's languages, most preferred first (`navigator.languages.join(",")`).
    locale: Option<String>,
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

    let store = state.store.as_ref();
    let (live, mut user, app_settings) = tokio::try_join!(
        state.live_flows.get(store, &app.id),
        store.user(&app.id, &user_id),
        state.settings.get(store, &app.id),
    )?;
    user.traits.extend(page_traits);
    let url = query.url.unwrap_or_default();
    let wanted = wanted_locales(&user.traits, query.locale.as_deref(), &headers);
    let visit = Visit {
        url: Some(url.clone()).filter(|url| !url.is_empty()),
        device,
        locale: wanted.first().cloned(),
    };
    let rules: Vec<&Rule> = live.iter().flat_map(flow_rules).collect();
    let mut facts = audience::facts(
        store,
        &app.id,
        Visitor {
            user_id: &user_id,
            traits: &user.traits,
            progress: &user.progress,
        },
        &rules,
        visit,
    )
    .await?;
    // Flows whose audience or `requires` does not hold never reach the widget (except the one the
    // user is in the middle of); `waymark.start` can therefore only start flows this user was sent.
    let active = user.progress.active.clone();
    let mut flows = disclose(&live, &facts, active.as_deref());

    // Checklist items may have become done since the last batch (a trait, a newly live checklist):
    // record them now, and disclose again since a completed checklist can satisfy a `requires`.
    let pending = pending_events(&user_id, &flows, &user.progress, &facts);
    if let Some(progress) = record(store, &app.id, &user_id, pending).await? {
        user.progress = progress;
        facts.completed = completed_ids(&user.progress);
        flows = disclose(&live, &facts, active.as_deref());
    }

    // Surveys the user is not sampled for, and `days_after` flows not due yet, are held back here
    // (the collector's clock decides); re-asking is the widget's call, from `asked`.
    let calendar = Calendar::of(store, &app.id, &user_id, &user.traits, &flows, now_ms()).await?;
    flows.retain(|flow| {
        active.as_deref() == Some(flow.id.as_str()) || held(flow, &user_id, &calendar).is_none()
    });
    let asked = asked(store, &app.id, &user_id, &flows).await?;

    let settings = client_settings(&app_settings, &wanted, &flows);
    for flow in &mut flows {
        localize(flow, &wanted);
    }
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
        settings,
        asked,
    }))
}

/// The `device` query parameter when given, else a guess from the User-Agent.
fn device(query: Option<&str>, headers: &HeaderMap) -> Result<Option<Device>, Error> {
    match query.map(str::trim) {
        Some("mobile") => Ok(Some(Device::Mobile)),
        Some("desktop") => Ok(Some(Device::Desktop)),
        Some("") | None => Ok(user_agent_device(headers)),
        Some(_) => Err(Error::invalid(
            "invalid_query",
            "device",
            "device is \"mobile\" or \"desktop\"",
        )),
    }
}

/// The device the User-Agent suggests ("Mobi" is the token every mainstream mobile browser
/// sends); unknown without one.
pub fn user_agent_device(headers: &HeaderMap) -> Option<Device> {
    headers
        .get(USER_AGENT)
        .and_then(|agent| agent.to_str().ok())
        .map(|agent| {
            if agent.contains("Mobi") {
                Device::Mobile
            } else {
                Device::Desktop
            }
        })
}
