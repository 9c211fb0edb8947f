//! `GET` / `PUT /v1/admin/settings`: the app's theme, fatigue budget and resource center, validated
//! whole by `engine::validate::validate_settings` (every problem named by its field) and cached
//! for boot like the live flows.

use axum::extract::State;
use axum::routing::get;
use axum::{Extension, Json, Router};
use engine::FieldError;
use engine::settings::AppSettings;
use engine::validate::validate_settings;
use serde_json::Value;

use crate::AppState;
use crate::body::JsonBody;
use crate::error::Error;
use crate::keys::AdminApp;

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/admin/settings", get(show).put(update))
}

async fn show(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
) -> Result<Json<AppSettings>, Error> {
    let settings = state.settings.get(state.store.as_ref(), &app.id).await?;
    Ok(Json(AppSettings::clone(&settings)))
}

async fn update(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    JsonBody(body): JsonBody<Value>,
) -> Result<Json<AppSettings>, Error> {
    let settings = parse(body)?;
    let errors = validate_settings(&settings);
    if !errors.is_empty() {
        return Err(Error::InvalidSettings(errors));
    }
    state.store.save_settings(&app.id, &settings).await?;
    state.settings.invalidate(&app.id);
    Ok(Json(settings))
}

/// Reads the settings, naming the field of a mistake. An unknown field is a 422 like every other
/// settings problem (an admin form sending a field this version does not know must notice).
fn parse(body: Value) -> Result<AppSettings, Error> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        let message = error.into_inner().to_string();
        let parent = if path == "." { String::new() } else { path };
        if let Some(name) = backticked(&message, "unknown field `") {
            // The path may stop at the parent object or already include the unknown key.
            let field = if parent.is_empty() {
                name.to_string()
            } else if parent.ends_with(name) {
                parent
            } else {
                format!("{parent}.{name}")
            };
            return Error::InvalidSettings(vec![FieldError::new(field, "unknown_field", message)]);
        }
        let field = match backticked(&message, "missing field `") {
            Some(name) if parent.is_empty() => Some(name.to_string()),
            Some(name) => Some(format!("{parent}.{name}")),
            None => Some(parent).filter(|parent| !parent.is_empty()),
        };
        Error::InvalidBody { field, message }
    })
}

/// The name in backticks right after `prefix`, as serde writes field names.
fn backticked<'a>(message: &'a str, prefix: &str) -> Option<&'a str> {
    message.strip_prefix(prefix)?.split('`').next()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::parse;
    use crate::error::Error;

    #[test]
    fn unknown_fields_are_named() {
        for (body, expected) in [
            (json!({"colour": 1}), "colour"),
            (
                json!({"theme": {"mode": "light", "sparkles": true}}),
                "theme.sparkles",
            ),
        ] {
            match parse(body) {
                Err(Error::InvalidSettings(errors)) => {
                    assert_eq!(errors[0].field, expected);
                    assert_eq!(errors[0].code, "unknown_field");
                }
                other => panic!("{expected}: {other:?}"),
            }
        }
    }
}
