//! The one error type of the admin backend-for-frontend, answered as the JSON error shape every
//! Waymark API uses: `{"code", "message", "field"?}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// Why a request to the admin's `/api/*` could not be answered by the collector.
#[derive(Debug, thiserror::Error)]
pub enum BffError {
    #[error("sign in to use the admin API")]
    NotLoggedIn,
    #[error("requests from another origin are refused")]
    CrossOrigin,
    #[error("this path cannot be forwarded to the collector")]
    BadPath,
    #[error("not a flow: {0}")]
    NotAFlow(String),
    #[error("the collector at {url} is not reachable ({source})")]
    CollectorUnavailable {
        url: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("the collector's answer could not be read ({0})")]
    BadGateway(#[source] reqwest::Error),
}

/// The JSON body of an error.
#[derive(Serialize, Debug)]
pub struct ErrorBody {
    pub code: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

impl BffError {
    /// Machine-readable code, stable for clients.
    pub fn code(&self) -> &'static str {
        match self {
            BffError::NotLoggedIn => "not_logged_in",
            BffError::CrossOrigin => "cross_origin",
            BffError::BadPath => "bad_path",
            BffError::NotAFlow(_) => "invalid_json",
            BffError::CollectorUnavailable { .. } => "collector_unavailable",
            BffError::BadGateway(_) => "bad_gateway",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            BffError::NotLoggedIn => StatusCode::UNAUTHORIZED,
            BffError::CrossOrigin => StatusCode::FORBIDDEN,
            BffError::BadPath => StatusCode::NOT_FOUND,
            BffError::NotAFlow(_) => StatusCode::BAD_REQUEST,
            BffError::CollectorUnavailable { .. } => StatusCode::BAD_GATEWAY,
            BffError::BadGateway(_) => StatusCode::BAD_GATEWAY,
        }
    }
}

impl IntoResponse for BffError {
    fn into_response(self) -> Response {
        if matches!(
            self,
            BffError::CollectorUnavailable { .. } | BffError::BadGateway(_)
        ) {
            tracing::warn!(error = %self, "admin proxy");
        }
        let body = ErrorBody {
            code: self.code(),
            message: self.to_string(),
            field: None,
        };
        (self.status(), Json(body)).into_response()
    }
}
