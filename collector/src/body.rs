//! The JSON body extractor used by every endpoint that takes a body: any Content-Type (so
//! `navigator.sendBeacon` works), the route's size limit, and parse errors naming the field.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use crate::error::Error;

/// A JSON body of type `T`, read whatever the Content-Type says.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = Error;

    async fn from_request(request: Request, state: &S) -> Result<Self, Error> {
        let bytes =
            Bytes::from_request(request, state)
                .await
                .map_err(|rejection| match rejection.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => Error::BodyTooLarge,
                    _ => Error::InvalidBody {
                        field: None,
                        message: rejection.body_text(),
                    },
                })?;
        parse_json(&bytes).map(JsonBody)
    }
}

/// Parses a JSON body so a mistake names its field (`events[2].type`, `steps[0].kind`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    // Tracking the path slows every parse; only a body that fails is parsed again to name the field.
    serde_json::from_slice(bytes).or_else(|_| parse_naming_field(bytes))
}

fn parse_naming_field<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let message = inner.to_string();
        // serde reports a missing field at its parent, naming it in backticks.
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next());
        let field = match (path.as_str(), missing) {
            // Broken JSON has no field at fault; the message gives line and column.
            _ if inner.is_syntax() || inner.is_eof() => None,
            (".", Some(name)) => Some(name.to_string()),
            (".", None) => None,
            (parent, Some(name)) => Some(format!("{parent}.{name}")),
            (parent, None) => Some(parent.to_string()),
        };
        Error::InvalidBody { field, message }
    })
}
