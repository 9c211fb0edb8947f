//! Notes about an account: objections, challenges and plain notes, each with tags and the tags the
//! dictionary suggests for its text. Also the small input checks every accounts endpoint shares.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{post, put};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::body::JsonBody;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::problems::{check_tags, suggested_tags};
use crate::storage::{Note, NoteInput, TagRule};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/accounts/{id}/notes", post(create))
        .route("/v1/admin/notes/{id}", put(update).delete(remove))
}

pub const KINDS: [&str; 3] = ["objection", "challenge", "note"];
const MAX_TEXT: usize = 2000;
const MAX_AUTHOR: usize = 100;
/// Who wrote a note when the admin's server does not say.
const DEFAULT_AUTHOR: &str = "admin";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    kind: String,
    text: String,
    #[serde(default)]
    tags: Option<Vec<String>>,
    /// The admin's server names the signed-in person; absent, the note is by "admin".
    #[serde(default)]
    author: Option<String>,
}

/// A note as the admin sees it.
#[derive(Serialize, Debug)]
pub struct NoteView {
    pub id: i64,
    pub account_id: String,
    pub kind: String,
    pub text: String,
    pub tags: Vec<String>,
    pub suggested_tags: Vec<String>,
    pub author: String,
    pub created_at: i64,
}

impl NoteView {
    pub fn new(note: Note, rules: &[TagRule]) -> Self {
        let suggested_tags = suggested_tags(rules, &note.text, &note.tags);
        Self {
            id: note.id,
            account_id: note.account_id,
            kind: note.kind,
            text: note.text,
            tags: note.tags,
            suggested_tags,
            author: note.author,
            created_at: note.created_at,
        }
    }
}

/// A trimmed text of 1 to `max` characters, or a 400 naming `field`.
pub fn check_length(field: &str, value: &str, max: usize) -> Result<String, Error> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(Error::invalid(
            "empty",
            field,
            format!("{field} must not be empty"),
        ));
    }
    if trimmed.chars().count() > max {
        return Err(Error::invalid(
            "too_long",
            field,
            format!("{field} is at most {max} characters"),
        ));
    }
    Ok(trimmed.to_string())
}

/// A 404 naming `id` unless some `group` event names the account.
pub async fn existing_account(
    state: &AppState,
    app_id: &str,
    account_id: &str,
) -> Result<(), Error> {
    if state.store.account_exists(app_id, account_id).await? {
        Ok(())
    } else {
        Err(Error::Missing {
            field: "id".into(),
            message: format!("no account with id {account_id} has been seen in a group call"),
        })
    }
}

/// A note's or task's id from the path; anything else cannot name one, so it is a 404.
pub fn numeric_id(text: &str, what: &str) -> Result<i64, Error> {
    text.parse::<i64>().map_err(|_| Error::Missing {
        field: "id".into(),
        message: format!("no {what} with id {text}"),
    })
}

fn check(body: NoteBody) -> Result<NoteInput, Error> {
    if !KINDS.contains(&body.kind.as_str()) {
        return Err(Error::invalid(
            "invalid_kind",
            "kind",
            format!(
                "kind must be one of {}, not {:?}",
                KINDS.join(", "),
                body.kind
            ),
        ));
    }
    let text = check_length("text", &body.text, MAX_TEXT)?;
    let tags = body
        .tags
        .map(|tags| check_tags(&tags, "tags"))
        .transpose()?;
    let author = match body.author {
        Some(author) => check_length("author", &author, MAX_AUTHOR)?,
        None => DEFAULT_AUTHOR.to_string(),
    };
    Ok(NoteInput {
        kind: body.kind,
        text,
        tags,
        author,
    })
}

async fn create(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(account_id): Path<String>,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<(StatusCode, Json<NoteView>), Error> {
    existing_account(&state, &app.id, &account_id).await?;
    let input = check(body)?;
    let note = state
        .store
        .create_note(&app.id, &account_id, &input)
        .await?;
    let rules = state.store.tag_rules(&app.id).await?;
    Ok((StatusCode::CREATED, Json(NoteView::new(note, &rules.rules))))
}

async fn update(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<NoteBody>,
) -> Result<Json<NoteView>, Error> {
    let id = numeric_id(&id, "note")?;
    let input = check(body)?;
    let note = state
        .store
        .update_note(&app.id, id, &input)
        .await?
        .ok_or_else(|| no_note(id))?;
    let rules = state.store.tag_rules(&app.id).await?;
    Ok(Json(NoteView::new(note, &rules.rules)))
}

async fn remove(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<StatusCode, Error> {
    let id = numeric_id(&id, "note")?;
    if state.store.delete_note(&app.id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(no_note(id))
    }
}

fn no_note(id: i64) -> Error {
    Error::Missing {
        field: "id".into(),
        message: format!("no note with id {id}"),
    }
}
