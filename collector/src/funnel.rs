//! `GET /v1/admin/flows/{id}/funnel`: how many distinct users started a flow, saw and finished
//! each step, and completed or dismissed it, counted from stored lifecycle events.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;

use crate::AppState;
use crate::error::Error;
use crate::keys::AdminApp;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/admin/flows/{id}/funnel", get(funnel))
}

#[derive(Serialize, Debug)]
struct Funnel {
    flow_id: String,
    started: i64,
    completed: i64,
    dismissed: i64,
    steps: Vec<StepFunnel>,
}

#[derive(Serialize, Debug)]
struct StepFunnel {
    step_id: String,
    step_index: usize,
    title: String,
    viewed: i64,
    completed: i64,
}

async fn funnel(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<Funnel>, Error> {
    let flow = state
        .store
        .flow(&app.id, &id)
        .await?
        .ok_or_else(|| Error::FlowNotFound(id.clone()))?
        .flow;
    let rows = state.store.funnel(&app.id, &id).await?;
    let count = |name: &str, step_index: Option<usize>| {
        rows.iter()
            .find(|row| row.name == name && row.step_index == step_index.map(|index| index as i64))
            .map_or(0, |row| row.users)
    };
    Ok(Json(Funnel {
        started: count("flow_started", None),
        completed: count("flow_completed", None),
        dismissed: count("flow_dismissed", None),
        steps: flow
            .steps
            .iter()
            .enumerate()
            .map(|(index, step)| StepFunnel {
                step_id: step.id.clone(),
                step_index: index,
                title: step.title.clone(),
                viewed: count("step_viewed", Some(index)),
                completed: count("step_completed", Some(index)),
            })
            .collect(),
        flow_id: flow.id,
    }))
}
