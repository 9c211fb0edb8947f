//! `POST /preview/flow`: compiles each step's Markdown body (and its translations') with the collector's own compiler, so
//! `waymark.preview()` shows an unsaved flow exactly as it will look once saved.

use axum::Json;
use axum::body::Bytes;
use axum::http::HeaderMap;

use super::auth::AdminSession;
use crate::error::BffError;

/// Takes a flow as the builder produced it and answers it with `body_doc` filled in on every step.
pub async fn compile_bodies(
    _session: AdminSession,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<engine::Flow>, BffError> {
    super::proxy::check_same_origin(&headers)?;
    let mut flow: engine::Flow =
        serde_json::from_slice(&body).map_err(|error| BffError::NotAFlow(error.to_string()))?;
    for step in &mut flow.steps {
        step.body_doc = collector::markdown::compile(&step.body);
    }
    for translation in flow.translations.values_mut() {
        for text in translation.steps.values_mut() {
            text.body_doc = collector::markdown::compile(&text.body);
        }
    }
    Ok(Json(flow))
}
