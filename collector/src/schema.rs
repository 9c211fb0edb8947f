//! `GET /schema/flow-v1.json`: the JSON Schema of the open flow format, generated from
//! `engine::Flow` so it can never drift from what the collector accepts.

use axum::http::HeaderValue;
use axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/schema/flow-v1.json", get(schema))
}

/// The schema as published in `docs/flow.schema.json`.
pub fn flow_schema() -> serde_json::Value {
    schemars::schema_for!(engine::Flow).to_value()
}

async fn schema() -> impl IntoResponse {
    (
        [(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"))],
        Json(flow_schema()),
    )
}
