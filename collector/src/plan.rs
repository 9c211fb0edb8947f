//! An account's onboarding plan: tasks with a title, an owner, a due date (`YYYY-MM-DD`) and a
//! status, `overdue` when due before today (UTC) and not done. Also the calendar helpers the
//! accounts and problems views share (no date library is worth its weight for this).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::body::JsonBody;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::notes::{check_length, existing_account, numeric_id};
use crate::storage::{PlanTask, TaskInput, now_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/accounts/{id}/plan", post(create))
        .route("/v1/admin/plan/{id}", put(update).delete(remove))
}

pub const STATUSES: [&str; 3] = ["todo", "in_progress", "done"];
const DAY_MS: i64 = 86_400_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskBody {
    title: String,
    owner: String,
    due: String,
    status: String,
}

/// A task as the admin sees it.
#[derive(Serialize, Debug)]
pub struct TaskView {
    pub id: i64,
    pub account_id: String,
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
    pub overdue: bool,
}

impl TaskView {
    pub fn new(task: PlanTask, today: &str) -> Self {
        let overdue = is_overdue(&task.due, &task.status, today);
        Self {
            id: task.id,
            account_id: task.account_id,
            title: task.title,
            owner: task.owner,
            due: task.due,
            status: task.status,
            overdue,
        }
    }
}

/// Due strictly before today and not done; both dates are `YYYY-MM-DD`, so text order is date order.
pub fn is_overdue(due: &str, status: &str, today: &str) -> bool {
    status != "done" && due < today
}

fn check(body: TaskBody) -> Result<TaskInput, Error> {
    let title = check_length("title", &body.title, 200)?;
    let owner = check_length("owner", &body.owner, 100)?;
    if parse_day(&body.due).is_none() {
        return Err(Error::invalid(
            "invalid_date",
            "due",
            format!("due must be a date written YYYY-MM-DD, not {:?}", body.due),
        ));
    }
    if !STATUSES.contains(&body.status.as_str()) {
        return Err(Error::invalid(
            "invalid_status",
            "status",
            format!(
                "status must be one of {}, not {:?}",
                STATUSES.join(", "),
                body.status
            ),
        ));
    }
    Ok(TaskInput {
        title,
        owner,
        due: body.due,
        status: body.status,
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(account_id): Path<String>,
    JsonBody(body): JsonBody<TaskBody>,
) -> Result<(StatusCode, Json<TaskView>), Error> {
    existing_account(&state, &app.id, &account_id).await?;
    let input = check(body)?;
    let task = state
        .store
        .create_task(&app.id, &account_id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(TaskView::new(task, &today()))))
}

async fn update(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<TaskBody>,
) -> Result<Json<TaskView>, Error> {
    let id = numeric_id(&id, "task")?;
    let input = check(body)?;
    let task = state
        .store
        .update_task(&app.id, id, &input)
        .await?
        .ok_or_else(|| no_task(id))?;
    Ok(Json(TaskView::new(task, &today())))
}

async fn remove(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    let id = numeric_id(&id, "task")?;
    if state.store.delete_task(&app.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_task(id))
    }
}

fn no_task(id: i64) -> Error {
    Error::Missing {
        field: "id".into(),
        message: format!("no plan task with id {id}"),
    }
}

/// Days since 1970-01-01 of a strict `YYYY-MM-DD` that names a real day (no 2026-02-30).
pub fn parse_day(text: &str) -> Option<i64> {
    let bytes = text.as_bytes();
    if bytes.len() != 10
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !text
            .bytes()
            .enumerate()
            .all(|(index, byte)| index == 4 || index == 7 || byte.is_ascii_digit())
    {
        return None;
    }
    let year: i64 = text[..4].parse().ok()?;
    let month: i64 = text[5..7].parse().ok()?;
    let day: i64 = text[8..].parse().ok()?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day);
    // A day past the month's end rolls over; reading it back tells.
    (day_string(days) == text).then_some(days)
}

/// `YYYY-MM-DD` of a day number (days since 1970-01-01).
pub fn day_string(days: i64) -> String {
    let (year, month, day) = civil_from_days(days);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The day number (UTC) of a time in milliseconds.
pub fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

/// Milliseconds at 00:00 UTC of a day number.
pub fn day_start_ms(days: i64) -> i64 {
    days * DAY_MS
}

/// The Monday starting the week (ISO) of a day number; 1970-01-01 was a Thursday.
pub fn week_start(days: i64) -> i64 {
    days - (days + 3).rem_euclid(7)
}

/// Today (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    day_string(day_of(now_ms()))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let days = days + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::{day_string, is_overdue, parse_day, week_start};

    #[test]
    fn days_parse_strictly() {
        for (text, expected) in [
            ("1970-01-01", Some(0)),
            ("2024-02-29", Some(19_782)),
            ("2023-02-29", None),
            ("2026-04-31", None),
            ("2026-13-01", None),
            ("2026-1-01", None),
            ("2026/01/01", None),
            ("26-01-2026", None),
            ("", None),
            ("2026-01-0a", None),
        ] {
            assert_eq!(parse_day(text), expected, "{text}");
            if let Some(days) = expected {
                assert_eq!(day_string(days), text);
            }
        }
    }

    #[test]
    fn weeks_start_on_monday() {
        for (day, monday) in [
            ("2026-01-05", "2026-01-05"),
            ("2026-01-11", "2026-01-05"),
            ("2026-01-01", "2025-12-29"),
            ("1970-01-01", "1969-12-29"),
        ] {
            let days = parse_day(day).unwrap();
            assert_eq!(day_string(week_start(days)), monday, "{day}");
        }
    }

    #[test]
    fn overdue_means_past_and_not_done() {
        for (due, status, expected) in [
            ("2026-01-01", "todo", true),
            ("2026-01-01", "in_progress", true),
            ("2026-01-01", "done", false),
            ("2026-01-02", "todo", false),
            ("2026-01-03", "todo", false),
        ] {
            assert_eq!(
                is_overdue(due, status, "2026-01-02"),
                expected,
                "{due} {status}"
            );
        }
    }
}
