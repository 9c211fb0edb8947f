//! `GET /v1/admin/responses` and `/v1/admin/responses.csv`: every survey answer, newest first,
//! filtered by survey, segment, account, dates and score band, with the tags set on it. The CSV
//! is RFC 4180 and safe to open in a spreadsheet (formulas are neutralised).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::Value;

use super::filters::{ReportQuery, day_label, text};
use super::{Response, responses};
use crate::AppState;
use crate::error::Error;
use crate::keys::AdminApp;
use engine::survey::DAY_MS;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/responses", get(list))
        .route("/v1/admin/responses.csv", get(csv))
}

#[derive(Serialize)]
struct ResponseList {
    total: usize,
    rows: Vec<ResponseRow>,
}

#[derive(Serialize)]
struct ResponseRow {
    message_id: String,
    user_id: String,
    account_id: Option<String>,
    flow_id: String,
    step_id: String,
    kind: &'static str,
    answer: Value,
    answered_at: i64,
    tags: Vec<String>,
}

/// The filtered answers, newest first, with their tags.
async fn matching(
    state: &AppState,
    app_id: &str,
    query: &ReportQuery,
) -> Result<Vec<ResponseRow>, Error> {
    let window = query.window()?;
    let band = query.band()?;
    let audience = query.audience(state, app_id).await?;
    let survey = text(query.survey.as_deref());
    let (stored, mut tags) = tokio::try_join!(
        state.store.answers(app_id, survey, window),
        state.store.tags(app_id, "answer"),
    )?;
    let mut rows: Vec<ResponseRow> = responses(stored, &audience)
        .into_iter()
        .filter(|response| {
            band.is_none_or(|band| {
                response
                    .score()
                    .is_some_and(|score| band.holds(response.kind, score))
            })
        })
        .map(|response: Response| ResponseRow {
            tags: tags.remove(&response.message_id).unwrap_or_default(),
            message_id: response.message_id,
            user_id: response.user_id,
            account_id: response.account_id,
            flow_id: response.flow_id,
            step_id: response.step_id,
            kind: response.kind.as_str(),
            answer: response.answer,
            answered_at: response.answered_at,
        })
        .collect();
    // Newest first by when they were answered; among equal times, the latest to arrive first.
    rows.reverse();
    rows.sort_by_key(|row| std::cmp::Reverse(row.answered_at));
    Ok(rows)
}

async fn list(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<ResponseList>, Error> {
    let query = ReportQuery::from_request(query)?;
    let page = query.page()?;
    let rows = matching(&state, &app.id, &query).await?;
    Ok(Json(ResponseList {
        total: rows.len(),
        rows: page.of(rows),
    }))
}

const CSV_HEADER: &str = "answered_at,user_id,account_id,survey,question,kind,answer,tags";

/// Every matching answer (no paging: an export is the whole list).
async fn csv(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<impl IntoResponse, Error> {
    let query = ReportQuery::from_request(query)?;
    let rows = matching(&state, &app.id, &query).await?;
    let mut body = String::from(CSV_HEADER);
    body.push_str("\r\n");
    for row in rows {
        let answer = match &row.answer {
            Value::String(text) => text.clone(),
            Value::Array(items) => items
                .iter()
                .map(|item| {
                    item.as_str()
                        .map_or_else(|| item.to_string(), str::to_string)
                })
                .collect::<Vec<_>>()
                .join(";"),
            other => other.to_string(),
        };
        let cells = [
            timestamp(row.answered_at),
            row.user_id,
            row.account_id.unwrap_or_default(),
            row.flow_id,
            row.step_id,
            row.kind.to_string(),
            answer,
            row.tags.join(";"),
        ];
        let line: Vec<String> = cells.iter().map(|cell| csv_cell(cell)).collect();
        body.push_str(&line.join(","));
        body.push_str("\r\n");
    }
    Ok((
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                CONTENT_DISPOSITION,
                "attachment; filename=\"responses.csv\"",
            ),
        ],
        body,
    ))
}

/// `2026-01-31T10:00:00Z`: a time every spreadsheet reads.
fn timestamp(ms: i64) -> String {
    let seconds = ms.rem_euclid(DAY_MS) / 1000;
    format!(
        "{}T{:02}:{:02}:{:02}Z",
        day_label(ms),
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60
    )
}

/// One CSV cell: a leading `'` defuses what a spreadsheet would run as a formula (`=`, `+`, `-`,
/// `@`, and the tab and carriage return some read the same way), then RFC 4180 quoting.
fn csv_cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::{csv_cell, timestamp};

    #[test]
    fn cells_are_quoted_and_defused() {
        for (value, expected) in [
            ("plain", "plain"),
            ("a,b", "\"a,b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
            ("+1", "'+1"),
            ("-1", "'-1"),
            ("@cmd", "'@cmd"),
            ("=1,2", "\"'=1,2\""),
            ("", ""),
        ] {
            assert_eq!(csv_cell(value), expected, "{value}");
        }
    }

    #[test]
    fn timestamps_are_utc() {
        assert_eq!(timestamp(1_709_211_600_000), "2024-02-29T13:00:00Z");
        assert_eq!(timestamp(0), "1970-01-01T00:00:00Z");
    }
}
