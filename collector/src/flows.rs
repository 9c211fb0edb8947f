//! Admin flow management: create, update, publish, archive, import and export flows. Every
//! write validates the whole flow (its references to the app's other flows included), compiles
//! step bodies (translated ones too) and refreshes the live-flow cache.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use engine::validate::validate_references;
use engine::{FieldError, Flow, FlowStatus, StepKind, Trigger, validate_flow};
use serde::Serialize;

use crate::AppState;
use crate::audience;
use crate::body::JsonBody;
use crate::checklists::RESERVED_ITEM_IDS;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::markdown;
use crate::storage::StoredFlow;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/flows", get(list).post(create))
        .route("/v1/admin/flows/import", post(import))
        .route("/v1/admin/flows/{id}", get(show).put(update))
        .route("/v1/admin/flows/{id}/publish", post(publish))
        .route("/v1/admin/flows/{id}/archive", post(archive))
        .route("/v1/admin/flows/{id}/export", get(export))
}

/// One row of the admin's flow list.
#[derive(Serialize)]
struct FlowSummary {
    id: String,
    name: String,
    /// `tour`, `announcement`, `banner`, `hotspot` or `checklist` (see [`content_kind`]).
    kind: &'static str,
    status: FlowStatus,
    version: u32,
    trigger: Trigger,
    step_count: usize,
    /// Milliseconds since the Unix epoch.
    updated_at: i64,
}

async fn list(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
) -> Result<Response, Error> {
    let flows = state.store.flows(&app.id).await?;
    let summaries: Vec<FlowSummary> = flows
        .into_iter()
        .map(|StoredFlow { flow, updated_at }| FlowSummary {
            kind: content_kind(&flow),
            step_count: flow.steps.len(),
            id: flow.id,
            name: flow.name,
            status: flow.status,
            version: flow.version,
            trigger: flow.trigger,
            updated_at,
        })
        .collect();
    Ok(Json(summaries).into_response())
}

async fn create(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    JsonBody(flow): JsonBody<Flow>,
) -> Result<(StatusCode, Json<Flow>), Error> {
    let mut flow = compile(&state, &app.id, flow).await?;
    flow.status = FlowStatus::Draft;
    flow.version = 1;
    let stored = state
        .store
        .create_flow(&app.id, &flow)
        .await?
        .ok_or_else(|| Error::FlowExists(flow.id.clone()))?;
    state.live_flows.invalidate(&app.id);
    Ok((StatusCode::CREATED, Json(stored.flow)))
}

async fn show(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<Flow>, Error> {
    Ok(Json(existing(&state, &app.id, &id).await?))
}

async fn update(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
    JsonBody(flow): JsonBody<Flow>,
) -> Result<Json<Flow>, Error> {
    if flow.id != id {
        return Err(Error::invalid(
            "id_mismatch",
            "id",
            format!("the body's id must be \"{id}\", as in the URL"),
        ));
    }
    let current = existing(&state, &app.id, &id).await?;
    let mut flow = compile(&state, &app.id, flow).await?;
    flow.status = current.status;
    flow.version = current.version + 1;
    save(&state, &app.id, flow).await
}

/// Creates or replaces a flow from an exported file; it arrives as a draft to be reviewed.
async fn import(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    JsonBody(flow): JsonBody<Flow>,
) -> Result<Json<Flow>, Error> {
    let mut flow = compile(&state, &app.id, flow).await?;
    let previous_version = state
        .store
        .flow(&app.id, &flow.id)
        .await?
        .map_or(0, |stored| stored.flow.version);
    flow.status = FlowStatus::Draft;
    flow.version = previous_version + 1;
    save(&state, &app.id, flow).await
}

async fn publish(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<Flow>, Error> {
    set_status(&state, &app.id, &id, FlowStatus::Published).await
}

async fn archive(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<Flow>, Error> {
    set_status(&state, &app.id, &id, FlowStatus::Archived).await
}

/// The flow file as authored: compiled bodies are left out, an import compiles them again.
async fn export(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    let mut flow = existing(&state, &app.id, &id).await?;
    for step in &mut flow.steps {
        step.body_doc.clear();
    }
    for text in flow
        .translations
        .values_mut()
        .flat_map(|translation| translation.steps.values_mut())
    {
        text.body_doc.clear();
    }
    let file = serde_json::to_string_pretty(&flow).map_err(anyhow::Error::from)?;
    let disposition = format!("attachment; filename=\"{}.flow.json\"", flow.id);
    Ok((
        [
            (CONTENT_TYPE, "application/json".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        file,
    )
        .into_response())
}

/// Refuses an invalid flow with every problem listed (an audience naming an unknown segment and
/// references to the app's other flows included), and compiles every Markdown body, translated
/// ones too.
async fn compile(state: &AppState, app_id: &str, mut flow: Flow) -> Result<Flow, Error> {
    let mut errors = validate_flow(&flow);
    errors.extend(audience::unknown_segments(state.store.as_ref(), app_id, &flow).await?);
    errors.extend(reference_errors(state, app_id, &flow).await?);
    errors.extend(reserved_item_ids(&flow));
    if !errors.is_empty() {
        return Err(Error::InvalidFlow(errors));
    }
    for step in &mut flow.steps {
        step.body_doc = markdown::compile(&step.body);
    }
    for text in flow
        .translations
        .values_mut()
        .flat_map(|translation| translation.steps.values_mut())
    {
        text.body_doc = markdown::compile(&text.body);
    }
    Ok(flow)
}

/// `engine::validate::validate_references` against every other stored flow of the app: unknown
/// flows in `completed` rules or `launch_flow`, and prerequisite cycles.
async fn reference_errors(
    state: &AppState,
    app_id: &str,
    flow: &Flow,
) -> Result<Vec<FieldError>, Error> {
    let others: Vec<Flow> = state
        .store
        .flows(app_id)
        .await?
        .into_iter()
        .map(|stored| stored.flow)
        .filter(|other| other.id != flow.id)
        .collect();
    Ok(validate_references(flow, &others))
}

/// Checklist item ids that would collide with the checklist's own deterministic message ids.
fn reserved_item_ids(flow: &Flow) -> Vec<FieldError> {
    let items = flow.checklist.iter().flat_map(|checklist| &checklist.items);
    items
        .enumerate()
        .filter(|(_, item)| RESERVED_ITEM_IDS.contains(&item.id.as_str()))
        .map(|(index, item)| {
            FieldError::new(
                format!("checklist.items[{index}].id"),
                "reserved_id",
                format!("\"{}\" is reserved; choose another item id", item.id),
            )
        })
        .collect()
}

/// What kind of content a flow is, for the admin: a checklist, a single hotspot or banner, a
/// single modal or slide-out without a target (an announcement), else a tour.
pub fn content_kind(flow: &Flow) -> &'static str {
    if flow.checklist.is_some() {
        return "checklist";
    }
    match flow.steps.as_slice() {
        [step] => match step.kind {
            StepKind::Hotspot => "hotspot",
            StepKind::Banner => "banner",
            StepKind::Modal | StepKind::Slideout if step.target.is_none() => "announcement",
            _ => "tour",
        },
        _ => "tour",
    }
}

async fn existing(state: &AppState, app_id: &str, id: &str) -> Result<Flow, Error> {
    let stored = state.store.flow(app_id, id).await?;
    stored
        .map(|stored| stored.flow)
        .ok_or_else(|| Error::FlowNotFound(id.to_string()))
}

async fn set_status(
    state: &AppState,
    app_id: &str,
    id: &str,
    status: FlowStatus,
) -> Result<Json<Flow>, Error> {
    let mut flow = existing(state, app_id, id).await?;
    if status == FlowStatus::Published {
        // The other flows may have changed since this one was saved (one deleted, a cycle closed).
        let errors = reference_errors(state, app_id, &flow).await?;
        if !errors.is_empty() {
            return Err(Error::InvalidFlow(errors));
        }
    }
    flow.status = status;
    save(state, app_id, flow).await
}

async fn save(state: &AppState, app_id: &str, flow: Flow) -> Result<Json<Flow>, Error> {
    let stored = state.store.save_flow(app_id, &flow).await?;
    state.live_flows.invalidate(app_id);
    Ok(Json(stored.flow))
}
