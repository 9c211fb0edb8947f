//! Always-available feedback: the rule a `feedback_submitted` event must meet at ingest, and
//! `GET /v1/admin/feedback`, the list admins read and tag. Entries are the stored events, each
//! with the account its user had when it was sent (read by the accounts store, which the
//! register card shares), its tags and the tag dictionary's suggestions.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::problems::suggested_tags;
use crate::storage::{FeedbackEntry, TagRule};
use crate::surveys::filters::{ReportQuery, text};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/admin/feedback", get(list))
}

/// The event the resource center's feedback form sends.
pub const EVENT_NAME: &str = "feedback_submitted";
pub const CATEGORIES: [&str; 4] = ["bug", "idea", "question", "other"];
const MAX_TEXT_CHARS: usize = 2000;
const MAX_PAGE_URL_CHARS: usize = 2048;

/// Checks the properties of the `index`th event of a batch, a `feedback_submitted`:
/// `{category, text, page_url?}`.
pub fn check_submission(index: usize, properties: &Map<String, Value>) -> Result<(), Error> {
    let refuse = |key: &str, message: String| {
        Error::invalid(
            "invalid_feedback",
            format!("events[{index}].properties.{key}"),
            message,
        )
    };
    let category = properties.get("category").and_then(Value::as_str);
    if !category.is_some_and(|category| CATEGORIES.contains(&category)) {
        return Err(refuse(
            "category",
            format!("category is one of {}", CATEGORIES.join(", ")),
        ));
    }
    let text = properties
        .get("text")
        .and_then(Value::as_str)
        .map(str::trim)
        .unwrap_or_default();
    if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(refuse(
            "text",
            format!("text is 1 to {MAX_TEXT_CHARS} characters (after trimming)"),
        ));
    }
    match properties.get("page_url") {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(url)) if url.chars().count() <= MAX_PAGE_URL_CHARS => Ok(()),
        Some(_) => Err(refuse(
            "page_url",
            format!("page_url is a string of at most {MAX_PAGE_URL_CHARS} characters"),
        )),
    }
}

#[derive(Serialize)]
struct FeedbackList {
    total: usize,
    rows: Vec<FeedbackRow>,
}

/// One feedback entry as admins read it (the list here, an account's register card).
#[derive(Serialize)]
pub struct FeedbackRow {
    /// The event's message id, which tags refer to.
    pub id: String,
    pub user_id: String,
    pub account_id: Option<String>,
    pub category: Option<String>,
    pub text: Option<String>,
    pub page_url: Option<String>,
    pub created_at: i64,
    pub tags: Vec<String>,
    /// What the tag dictionary suggests for the text, minus the tags already set.
    pub suggested_tags: Vec<String>,
}

impl FeedbackRow {
    pub fn new(entry: FeedbackEntry, tags: Vec<String>, rules: &[TagRule]) -> Self {
        let text = entry.text.map(|text| text.trim().to_string());
        Self {
            suggested_tags: suggested_tags(rules, text.as_deref().unwrap_or_default(), &tags),
            id: entry.id,
            user_id: entry.user_id,
            account_id: entry.account_id,
            category: entry.category,
            text,
            page_url: entry.page_url,
            created_at: entry.created_at,
            tags,
        }
    }
}

/// Newest first, filtered by `category`, `account` and `tag`, paged by `limit` and `offset`.
async fn list(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<FeedbackList>, Error> {
    let query = ReportQuery::from_request(query)?;
    let category = text(query.category.as_deref());
    if let Some(category) = category
        && !CATEGORIES.contains(&category)
    {
        return Err(Error::invalid(
            "invalid_query",
            "category",
            format!("category is one of {}", CATEGORIES.join(", ")),
        ));
    }
    let account = text(query.account.as_deref());
    let tag = text(query.tag.as_deref());
    let page = query.page()?;
    let store = state.store.as_ref();
    let (entries, mut tags, rules) = tokio::try_join!(
        store.feedback_entries(&app.id, account),
        store.tags(&app.id, "feedback"),
        store.tag_rules(&app.id),
    )?;
    let rows: Vec<FeedbackRow> = entries
        .into_iter()
        .filter(|entry| category.is_none_or(|category| entry.category.as_deref() == Some(category)))
        .map(|entry| {
            let tags = tags.remove(&entry.id).unwrap_or_default();
            FeedbackRow::new(entry, tags, &rules.rules)
        })
        .filter(|row| tag.is_none_or(|tag| row.tags.iter().any(|set| set == tag)))
        .collect();
    Ok(Json(FeedbackList {
        total: rows.len(),
        rows: page.of(rows),
    }))
}
