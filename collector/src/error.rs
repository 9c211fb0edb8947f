//! The one error type at the HTTP boundary: each variant maps to a status and a stable `code`,
//! serialised as `engine::wire::ApiError`. Internal failures are logged, never shown.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use engine::FieldError;
use engine::wire::ApiError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the request body is too large")]
    BodyTooLarge,
    #[error("{message}")]
    TooLarge {
        code: &'static str,
        field: String,
        message: String,
    },
    #[error("{message}")]
    InvalidBody {
        field: Option<String>,
        message: String,
    },
    #[error("{message}")]
    Invalid {
        code: &'static str,
        field: String,
        message: String,
    },
    #[error("unknown or missing write key")]
    InvalidWriteKey,
    #[error("unknown or missing admin key; send Authorization: Bearer <admin key>")]
    InvalidAdminKey,
    #[error("origin {0} is not allowed for this app")]
    OriginNotAllowed(String),
    #[error("the flow has {} problem(s)", .0.len())]
    InvalidFlow(Vec<FieldError>),
    #[error("no flow with id {0}")]
    FlowNotFound(String),
    #[error("a flow with id {0} already exists")]
    FlowExists(String),
    #[error("the segment has {} problem(s)", .0.len())]
    InvalidSegment(Vec<FieldError>),
    #[error("no segment with id {0}")]
    SegmentNotFound(String),
    #[error("a segment with id {0} already exists")]
    SegmentExists(String),
    #[error("segment {id} is used by the audience of flow(s) {}", .flows.join(", "))]
    SegmentInUse { id: String, flows: Vec<String> },
    #[error("the settings have {} problem(s)", .0.len())]
    InvalidSettings(Vec<FieldError>),
    #[error("no user with id {0} has been seen")]
    UserNotFound(String),
    #[error("{message}")]
    Unprocessable {
        code: &'static str,
        field: String,
        message: String,
    },
    #[error("not found")]
    NotFound,
    /// A 404 naming what was looked for (`id`, `tag`), code `not_found`.
    #[error("{message}")]
    Missing { field: String, message: String },
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn invalid(
        code: &'static str,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Invalid {
            code,
            field: field.into(),
            message: message.into(),
        }
    }

    fn status(&self) -> StatusCode {
        match self {
            Error::BodyTooLarge | Error::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Error::InvalidBody { .. } | Error::Invalid { .. } => StatusCode::BAD_REQUEST,
            Error::InvalidWriteKey | Error::InvalidAdminKey => StatusCode::UNAUTHORIZED,
            Error::OriginNotAllowed(_) => StatusCode::FORBIDDEN,
            Error::InvalidFlow(_)
            | Error::InvalidSegment(_)
            | Error::InvalidSettings(_)
            | Error::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Error::FlowNotFound(_)
            | Error::SegmentNotFound(_)
            | Error::UserNotFound(_)
            | Error::NotFound
            | Error::Missing { .. } => StatusCode::NOT_FOUND,
            Error::FlowExists(_) | Error::SegmentExists(_) | Error::SegmentInUse { .. } => {
                StatusCode::CONFLICT
            }
            Error::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            Error::BodyTooLarge => "body_too_large",
            Error::TooLarge { code, .. }
            | Error::Invalid { code, .. }
            | Error::Unprocessable { code, .. } => code,
            Error::InvalidBody { .. } => "invalid_body",
            Error::InvalidWriteKey => "invalid_write_key",
            Error::InvalidAdminKey => "invalid_admin_key",
            Error::OriginNotAllowed(_) => "origin_not_allowed",
            Error::InvalidFlow(_) => "invalid_flow",
            Error::FlowNotFound(_) => "flow_not_found",
            Error::FlowExists(_) => "flow_exists",
            Error::InvalidSegment(_) => "invalid_segment",
            Error::SegmentNotFound(_) => "segment_not_found",
            Error::SegmentExists(_) => "segment_exists",
            Error::SegmentInUse { .. } => "segment_in_use",
            Error::InvalidSettings(_) => "invalid_settings",
            Error::UserNotFound(_) => "user_not_found",
            Error::NotFound | Error::Missing { .. } => "not_found",
            Error::MethodNotAllowed => "method_not_allowed",
            Error::Internal(_) => "internal",
        }
    }

    fn field(&self) -> Option<String> {
        match self {
            Error::TooLarge { field, .. }
            | Error::Invalid { field, .. }
            | Error::Unprocessable { field, .. } => Some(field.clone()),
            Error::InvalidBody { field, .. } => field.clone(),
            Error::Missing { field, .. } => Some(field.clone()),
            Error::InvalidWriteKey => Some("write_key".into()),
            Error::InvalidAdminKey => Some("authorization".into()),
            Error::OriginNotAllowed(_) => Some("origin".into()),
            Error::InvalidFlow(errors)
            | Error::InvalidSegment(errors)
            | Error::InvalidSettings(errors)
                if errors.len() == 1 =>
            {
                Some(errors[0].field.clone())
            }
            Error::UserNotFound(_) => Some("user_id".into()),
            Error::FlowNotFound(_)
            | Error::FlowExists(_)
            | Error::SegmentNotFound(_)
            | Error::SegmentExists(_)
            | Error::SegmentInUse { .. } => Some("id".into()),
            _ => None,
        }
    }

    pub fn to_api_error(&self) -> ApiError {
        ApiError {
            code: self.code().into(),
            message: self.to_string(),
            field: self.field(),
            errors: match self {
                Error::InvalidFlow(errors)
                | Error::InvalidSegment(errors)
                | Error::InvalidSettings(errors) => errors.clone(),
                _ => Vec::new(),
            },
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        if let Error::Internal(error) = &self {
            tracing::error!(error = format!("{error:#}"), "request failed");
        }
        (self.status(), Json(self.to_api_error())).into_response()
    }
}
