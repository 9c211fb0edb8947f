//! An account's onboarding plan: tasks with a title, an owner, a due date (`YYYY-MM-DD`) and a
//! status, `overdue` when due before today (UTC) and not done. Also the calendar helpers the
//! accounts and problems views share (no date library is worth its weight for this).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

pub use engine::calendar::{DAY_MS, day_of, day_string, parse_day, week_start};

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

/// Milliseconds at 00:00 UTC of a day number.
pub fn day_start_ms(days: i64) -> i64 {
    days * DAY_MS
}

/// Today (UTC) as `YYYY-MM-DD`.
pub fn today() -> String {
    day_string(day_of(now_ms()))
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
