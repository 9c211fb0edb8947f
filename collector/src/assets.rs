//! `/sdk/*`: the built widget from `--widget-dir`, with the right types, long caching for
//! content-hashed names, and precompressed `.br`/`.gz` siblings chosen by `Accept-Encoding`.

use std::io::ErrorKind;
use std::path::Path as FsPath;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{
    ACCEPT_ENCODING, ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE,
    VARY,
};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::AppState;
use crate::error::Error;

pub fn router() -> Router<AppState> {
    Router::new().route("/sdk/{*name}", get(asset))
}

async fn asset(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Error> {
    if !is_plain_file_name(&name) {
        return Err(Error::NotFound);
    }
    let dir = &state.config.widget_dir;
    let accepted = accepted_encodings(&headers);
    for (encoding, suffix) in [(Some("br"), ".br"), (Some("gzip"), ".gz"), (None, "")] {
        if encoding.is_some_and(|encoding| !accepted.contains(&encoding)) {
            continue;
        }
        let Some(bytes) = read(&dir.join(format!("{name}{suffix}"))).await? else {
            continue;
        };
        let mut response = bytes.into_response();
        let response_headers = response.headers_mut();
        response_headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type(&name)));
        response_headers.insert(
            CACHE_CONTROL,
            HeaderValue::from_static(cache_control(&name)),
        );
        response_headers.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
        response_headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
        if let Some(encoding) = encoding {
            response_headers.insert(CONTENT_ENCODING, HeaderValue::from_static(encoding));
        }
        return Ok(response);
    }
    Err(Error::NotFound)
}

/// The widget folder is flat: anything but a plain file name (`..`, `/`, `\`, hidden) is refused.
fn is_plain_file_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'-' | b'_'))
}

async fn read(path: &FsPath) -> Result<Option<Vec<u8>>, Error> {
    match tokio::fs::read(path).await {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::NotFound | ErrorKind::NotADirectory | ErrorKind::IsADirectory
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(anyhow::Error::from(error)
            .context(format!("reading {}", path.display()))
            .into()),
    }
}

/// Content codings the client accepts (`q=0` means refused).
fn accepted_encodings(headers: &HeaderMap) -> Vec<&'static str> {
    let header = headers
        .get(ACCEPT_ENCODING)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    header
        .split(',')
        .filter_map(|item| {
            let mut parts = item.split(';');
            let coding = parts.next()?.trim();
            let refused = parts.any(|param| {
                param
                    .trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            if refused {
                return None;
            }
            match coding.to_ascii_lowercase().as_str() {
                "br" => Some("br"),
                "gzip" => Some("gzip"),
                _ => None,
            }
        })
        .collect()
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("wasm") => "application/wasm",
        Some("js" | "mjs") => "text/javascript",
        Some("json" | "map") => "application/json",
        Some("css") => "text/css",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// `waymark-<hash>.*` never changes under its name; the loader is the one stable entry point.
fn cache_control(name: &str) -> &'static str {
    let hashed = name
        .strip_prefix("waymark-")
        .and_then(|rest| rest.split('.').next())
        .is_some_and(|hash| {
            !hash.is_empty() && hash.bytes().all(|byte| byte.is_ascii_alphanumeric())
        });
    if hashed {
        "public, max-age=31536000, immutable"
    } else if name == "loader.js" {
        "public, max-age=300"
    } else {
        "no-cache"
    }
}
