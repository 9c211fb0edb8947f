//! Storage for accounts (customer onboarding): register cards, specialists, onboarding plans, notes, tags and recurring problems, on SQLite and PostgreSQL.
//!
//! Accounts themselves are not stored: they are the `group_id`s of `group` events. Feedback and
//! survey answers are read from the `events` table, each attributed to the account its user had
//! joined last before sending it (a correlated lookup through `events_user`, no copy needed).

use std::collections::BTreeMap;

use anyhow::Context as _;
use async_trait::async_trait;
use engine::UserProgress;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sqlx::types::Json;

use super::now_ms;
use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;

/// A member of an account as the register card shows them.
#[derive(Debug, Default)]
pub struct MemberState {
    pub user_id: String,
    pub traits: Map<String, Value>,
    pub progress: UserProgress,
    /// The sender's time (ms) of the user's latest event.
    pub last_active_at: Option<i64>,
}

/// One event of an account's timeline.
#[derive(Debug)]
pub struct TimelineEvent {
    pub user_id: String,
    pub kind: String,
    pub name: Option<String>,
    pub properties: Map<String, Value>,
    pub url: Option<String>,
    pub at: i64,
}

/// One `feedback_submitted` event.
#[derive(Serialize, Debug, Clone)]
pub struct FeedbackEntry {
    pub id: String,
    pub user_id: String,
    pub account_id: Option<String>,
    pub category: Option<String>,
    pub text: Option<String>,
    pub page_url: Option<String>,
    pub created_at: i64,
}

/// A scale answer (`nps`, `ces`, `csat`) with the account it counts for.
#[derive(Debug)]
pub struct ScaleAnswer {
    pub account_id: String,
    pub kind: String,
    pub value: i64,
}

/// A note about an account: an objection, a challenge or a plain note.
#[derive(Debug, Clone)]
pub struct Note {
    pub id: i64,
    pub account_id: String,
    pub kind: String,
    pub text: String,
    pub tags: Vec<String>,
    pub author: String,
    pub created_at: i64,
}

/// A validated note body.
#[derive(Debug)]
pub struct NoteInput {
    pub kind: String,
    pub text: String,
    /// `None` keeps the note's tags as they are.
    pub tags: Option<Vec<String>>,
    pub author: String,
}

/// One task of an account's onboarding plan.
#[derive(Debug, Clone)]
pub struct PlanTask {
    pub id: i64,
    pub account_id: String,
    pub title: String,
    pub owner: String,
    /// `YYYY-MM-DD`.
    pub due: String,
    pub status: String,
}

/// A validated task body.
#[derive(Debug)]
pub struct TaskInput {
    pub title: String,
    pub owner: String,
    pub due: String,
    pub status: String,
}

/// The tag dictionary of an app and its threshold for recurrent problems.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TagRules {
    #[serde(default = "default_threshold")]
    pub threshold: u32,
    #[serde(default)]
    pub rules: Vec<TagRule>,
}

impl Default for TagRules {
    fn default() -> Self {
        Self {
            threshold: default_threshold(),
            rules: Vec::new(),
        }
    }
}

fn default_threshold() -> u32 {
    3
}

/// A tag suggested when one of its keywords occurs in a text.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TagRule {
    pub tag: String,
    pub keywords: Vec<String>,
}

/// One tag set on a feedback entry, a text answer or a note, with what problems need of the item.
#[derive(Debug, Clone)]
pub struct TaggedItem {
    pub tag: String,
    /// `feedback`, `answer` or `note`.
    pub source: String,
    pub id: String,
    pub account_id: Option<String>,
    pub user_id: Option<String>,
    pub text: Option<String>,
    pub created_at: i64,
}

/// The accounts part of [`super::Store`].
#[async_trait]
pub trait AccountStore: Send + Sync {
    /// Whether any `group` event names this account.
    async fn account_exists(&self, app_id: &str, account_id: &str) -> anyhow::Result<bool>;
    /// Stored traits, progress and latest activity of these users (defaults for unknown ones).
    async fn member_states(
        &self,
        app_id: &str,
        user_ids: &[String],
    ) -> anyhow::Result<Vec<MemberState>>;
    /// These users' events, newest first (sender's time), at most `limit`.
    async fn timeline(
        &self,
        app_id: &str,
        user_ids: &[String],
        limit: u32,
    ) -> anyhow::Result<Vec<TimelineEvent>>;
    /// Feedback entries, newest first, of one account or of all.
    async fn feedback_entries(
        &self,
        app_id: &str,
        account_id: Option<&str>,
    ) -> anyhow::Result<Vec<FeedbackEntry>>;
    /// NPS, CES and CSAT answers given while the user belonged to an account.
    async fn scale_answers(
        &self,
        app_id: &str,
        account_id: Option<&str>,
    ) -> anyhow::Result<Vec<ScaleAnswer>>;

    /// Every account's specialist.
    async fn specialists(&self, app_id: &str) -> anyhow::Result<BTreeMap<String, String>>;
    /// Sets (or with `None` clears) an account's specialist.
    async fn set_specialist(
        &self,
        app_id: &str,
        account_id: &str,
        specialist: Option<&str>,
    ) -> anyhow::Result<()>;

    /// An account's notes, newest first.
    async fn notes(&self, app_id: &str, account_id: &str) -> anyhow::Result<Vec<Note>>;
    async fn note(&self, app_id: &str, id: i64) -> anyhow::Result<Option<Note>>;
    async fn create_note(
        &self,
        app_id: &str,
        account_id: &str,
        note: &NoteInput,
    ) -> anyhow::Result<Note>;
    /// `None` when there is no such note.
    async fn update_note(
        &self,
        app_id: &str,
        id: i64,
        note: &NoteInput,
    ) -> anyhow::Result<Option<Note>>;
    /// Deletes the note and its tags; whether there was such a note.
    async fn delete_note(&self, app_id: &str, id: i64) -> anyhow::Result<bool>;

    /// Plan tasks by due date, of one account or of all.
    async fn plan(&self, app_id: &str, account_id: Option<&str>) -> anyhow::Result<Vec<PlanTask>>;
    async fn create_task(
        &self,
        app_id: &str,
        account_id: &str,
        task: &TaskInput,
    ) -> anyhow::Result<PlanTask>;
    async fn update_task(
        &self,
        app_id: &str,
        id: i64,
        task: &TaskInput,
    ) -> anyhow::Result<Option<PlanTask>>;
    async fn delete_task(&self, app_id: &str, id: i64) -> anyhow::Result<bool>;

    /// Whether `item_id` names something of that kind that can carry tags.
    async fn taggable(&self, app_id: &str, kind: &str, item_id: &str) -> anyhow::Result<bool>;
    /// The tags of every item of one kind, sorted.
    async fn tags(&self, app_id: &str, kind: &str)
    -> anyhow::Result<BTreeMap<String, Vec<String>>>;
    /// Replaces an item's tags (those kept keep their `created_at`).
    async fn set_tags(
        &self,
        app_id: &str,
        kind: &str,
        item_id: &str,
        tags: &[String],
    ) -> anyhow::Result<()>;
    /// The app's tag dictionary; the default until first saved.
    async fn tag_rules(&self, app_id: &str) -> anyhow::Result<TagRules>;
    async fn save_tag_rules(&self, app_id: &str, rules: &TagRules) -> anyhow::Result<()>;
    /// Every tag set on an item that still exists, with the item, for one tag or all.
    async fn tagged_items(
        &self,
        app_id: &str,
        tag: Option<&str>,
    ) -> anyhow::Result<Vec<TaggedItem>>;
}

/// Statements that read the same on SQLite and PostgreSQL (`$N` placeholders, `->>` on JSON).
mod sql {
    /// The account the event's user had joined last before the event (`e` is the event).
    macro_rules! account_of_event {
        () => {
            "(SELECT g.group_id FROM events g
              WHERE g.app_id = e.app_id AND g.user_id = e.user_id AND g.type = 'group'
                AND g.group_id IS NOT NULL AND g.seq < e.seq
              ORDER BY g.seq DESC LIMIT 1)"
        };
    }

    pub const ACCOUNT_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM events
         WHERE app_id = $1 AND type = 'group' AND group_id = $2)";

    pub const FEEDBACK: &str = concat!(
        "SELECT id, user_id, account_id, category, text, page_url, created_at FROM (
           SELECT e.message_id AS id, e.user_id, ",
        account_of_event!(),
        " AS account_id,
             CAST(e.properties ->> 'category' AS TEXT) AS category,
             CAST(e.properties ->> 'text' AS TEXT) AS text,
             CAST(e.properties ->> 'page_url' AS TEXT) AS page_url,
             e.client_ts AS created_at, e.seq
           FROM events e
           WHERE e.app_id = $1 AND e.type = 'track' AND e.name = 'feedback_submitted'
         ) f
         WHERE CAST($2 AS TEXT) IS NULL OR f.account_id = $2
         ORDER BY created_at DESC, seq DESC"
    );

    pub const SCALE_ANSWERS: &str = concat!(
        "SELECT account_id, kind, answer FROM (
           SELECT ",
        account_of_event!(),
        " AS account_id,
             CAST(e.properties ->> 'kind' AS TEXT) AS kind,
             CAST(e.properties ->> 'answer' AS TEXT) AS answer
           FROM events e
           WHERE e.app_id = $1 AND e.type = 'track' AND e.name = 'survey_answered'
         ) a
         WHERE a.kind IN ('nps', 'ces', 'csat') AND a.account_id IS NOT NULL
           AND (CAST($2 AS TEXT) IS NULL OR a.account_id = $2)"
    );

    pub const SPECIALISTS: &str =
        "SELECT account_id, specialist FROM account_specialists WHERE app_id = $1";
    pub const SET_SPECIALIST: &str =
        "INSERT INTO account_specialists (app_id, account_id, specialist, updated_at)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (app_id, account_id) DO UPDATE SET specialist = excluded.specialist,
           updated_at = excluded.updated_at";
    pub const CLEAR_SPECIALIST: &str =
        "DELETE FROM account_specialists WHERE app_id = $1 AND account_id = $2";

    pub const NOTES: &str = "SELECT id, account_id, kind, text, author, created_at
         FROM account_notes WHERE app_id = $1 AND account_id = $2 ORDER BY created_at DESC, id DESC";
    pub const NOTE: &str = "SELECT id, account_id, kind, text, author, created_at
         FROM account_notes WHERE app_id = $1 AND id = $2";
    pub const INSERT_NOTE: &str =
        "INSERT INTO account_notes (app_id, account_id, kind, text, author, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id";
    pub const UPDATE_NOTE: &str = "UPDATE account_notes SET kind = $3, text = $4, updated_at = $5 WHERE app_id = $1 AND id = $2";
    pub const DELETE_NOTE: &str = "DELETE FROM account_notes WHERE app_id = $1 AND id = $2";

    pub const PLAN: &str = "SELECT id, account_id, title, owner, due, status FROM plan_tasks
         WHERE app_id = $1 AND (CAST($2 AS TEXT) IS NULL OR account_id = $2) ORDER BY due, id";
    pub const TASK: &str = "SELECT id, account_id, title, owner, due, status FROM plan_tasks
         WHERE app_id = $1 AND id = $2";
    pub const INSERT_TASK: &str =
        "INSERT INTO plan_tasks (app_id, account_id, title, owner, due, status,
           created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id";
    pub const UPDATE_TASK: &str =
        "UPDATE plan_tasks SET title = $3, owner = $4, due = $5, status = $6,
           updated_at = $7 WHERE app_id = $1 AND id = $2";
    pub const DELETE_TASK: &str = "DELETE FROM plan_tasks WHERE app_id = $1 AND id = $2";

    pub const FEEDBACK_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM events
         WHERE app_id = $1 AND message_id = $2 AND type = 'track' AND name = 'feedback_submitted')";
    pub const TEXT_ANSWER_EXISTS: &str = "SELECT EXISTS (SELECT 1 FROM events
         WHERE app_id = $1 AND message_id = $2 AND type = 'track' AND name = 'survey_answered'
           AND CAST(properties ->> 'kind' AS TEXT) = 'text')";
    pub const NOTE_EXISTS: &str =
        "SELECT EXISTS (SELECT 1 FROM account_notes WHERE app_id = $1 AND id = $2)";

    pub const TAGS: &str = "SELECT item_id, tag FROM tags WHERE app_id = $1 AND kind = $2
         ORDER BY item_id, tag";
    pub const DELETE_TAGS: &str =
        "DELETE FROM tags WHERE app_id = $1 AND kind = $2 AND item_id = $3";
    pub const INSERT_TAG: &str = "INSERT INTO tags (app_id, kind, item_id, tag, created_at)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (app_id, kind, item_id, tag) DO NOTHING";

    pub const TAGGED_ITEMS: &str = concat!(
        "SELECT t.tag, t.kind, t.item_id, ",
        account_of_event!(),
        ", e.user_id,
           CASE WHEN t.kind = 'feedback' THEN CAST(e.properties ->> 'text' AS TEXT)
                ELSE CAST(e.properties ->> 'answer' AS TEXT) END,
           e.client_ts
         FROM tags t JOIN events e ON e.app_id = t.app_id AND e.message_id = t.item_id
         WHERE t.app_id = $1 AND t.kind IN ('feedback', 'answer')
           AND (CAST($2 AS TEXT) IS NULL OR t.tag = $2)
         UNION ALL
         SELECT t.tag, t.kind, t.item_id, n.account_id, NULL, n.text, n.created_at
         FROM tags t JOIN account_notes n ON n.app_id = t.app_id AND CAST(n.id AS TEXT) = t.item_id
         WHERE t.app_id = $1 AND t.kind = 'note' AND (CAST($2 AS TEXT) IS NULL OR t.tag = $2)"
    );

    pub const DEFAULT_EXCLUDED_FROM_TIMELINE: &str = "content_suppressed";
}

type FeedbackRow = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

fn feedback_entry(
    (id, user_id, account_id, category, text, page_url, created_at): FeedbackRow,
) -> FeedbackEntry {
    FeedbackEntry {
        id,
        user_id,
        account_id,
        category,
        text,
        page_url,
        created_at,
    }
}

fn scale_answers(rows: Vec<(String, String, Option<String>)>) -> Vec<ScaleAnswer> {
    rows.into_iter()
        .filter_map(|(account_id, kind, answer)| {
            // Scores are integers; SQLite may hand a JSON number back as `9.0`.
            let number = answer?.trim().parse::<f64>().ok()?;
            if number.fract() != 0.0 || !number.is_finite() {
                return None;
            }
            let value = number as i64;
            Some(ScaleAnswer {
                account_id,
                kind,
                value,
            })
        })
        .collect()
}

type NoteRow = (i64, String, String, String, String, i64);

fn note((id, account_id, kind, text, author, created_at): NoteRow, tags: Vec<String>) -> Note {
    Note {
        id,
        account_id,
        kind,
        text,
        tags,
        author,
        created_at,
    }
}

type TaskRow = (i64, String, String, String, String, String);

fn task((id, account_id, title, owner, due, status): TaskRow) -> PlanTask {
    PlanTask {
        id,
        account_id,
        title,
        owner,
        due,
        status,
    }
}

type TaggedRow = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    i64,
);

fn tagged_items(rows: Vec<TaggedRow>) -> Vec<TaggedItem> {
    let mut items: Vec<TaggedItem> = rows
        .into_iter()
        .map(
            |(tag, source, id, account_id, user_id, text, created_at)| TaggedItem {
                tag,
                source,
                id,
                account_id,
                user_id,
                text,
                created_at,
            },
        )
        .collect();
    items.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    items
}

fn group_tags(rows: Vec<(String, String)>) -> BTreeMap<String, Vec<String>> {
    let mut tags: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (item_id, tag) in rows {
        tags.entry(item_id).or_default().push(tag);
    }
    tags
}

/// Runs the same body on both stores: everything here reads the same on both but the pool type.
macro_rules! account_store {
    ($store:ty, $db:ty) => {
        impl $store {
            async fn account_note_tags(&self, app_id: &str, id: i64) -> anyhow::Result<Vec<String>> {
                Ok(sqlx::query_scalar(
                    "SELECT tag FROM tags WHERE app_id = $1 AND kind = 'note' AND item_id = $2
                     ORDER BY tag",
                )
                .bind(app_id)
                .bind(id.to_string())
                .fetch_all(&self.pool)
                .await?)
            }

            async fn replace_item_tags(
                tx: &mut sqlx::Transaction<'_, $db>,
                app_id: &str,
                kind: &str,
                item_id: &str,
                tags: &[String],
            ) -> anyhow::Result<()> {
                let existing: Vec<String> = sqlx::query_scalar(
                    "SELECT tag FROM tags WHERE app_id = $1 AND kind = $2 AND item_id = $3",
                )
                .bind(app_id)
                .bind(kind)
                .bind(item_id)
                .fetch_all(&mut **tx)
                .await?;
                for gone in existing.iter().filter(|tag| !tags.contains(tag)) {
                    sqlx::query(
                        "DELETE FROM tags WHERE app_id = $1 AND kind = $2 AND item_id = $3 AND tag = $4",
                    )
                    .bind(app_id)
                    .bind(kind)
                    .bind(item_id)
                    .bind(gone)
                    .execute(&mut **tx)
                    .await?;
                }
                let now = now_ms();
                for tag in tags {
                    sqlx::query(sql::INSERT_TAG)
                        .bind(app_id)
                        .bind(kind)
                        .bind(item_id)
                        .bind(tag)
                        .bind(now)
                        .execute(&mut **tx)
                        .await?;
                }
                Ok(())
            }
        }
    };
}

account_store!(SqliteStore, sqlx::Sqlite);
account_store!(PostgresStore, sqlx::Postgres);

/// The trait methods whose statements are shared; `$members` and `$timeline` differ per dialect.
macro_rules! account_store_impl {
    ($store:ty, $rules:ty, $encode_rules:expr, $decode_rules:expr, $members:expr, $timeline:expr, $bind_ids:expr, $decode_member:expr, $decode_event:expr) => {
        #[async_trait]
        impl AccountStore for $store {
            async fn account_exists(&self, app_id: &str, account_id: &str) -> anyhow::Result<bool> {
                Ok(sqlx::query_scalar(sql::ACCOUNT_EXISTS)
                    .bind(app_id)
                    .bind(account_id)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn member_states(
                &self,
                app_id: &str,
                user_ids: &[String],
            ) -> anyhow::Result<Vec<MemberState>> {
                if user_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let rows = sqlx::query_as($members)
                    .bind(app_id)
                    .bind($bind_ids(user_ids)?)
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($decode_member).collect()
            }

            async fn timeline(
                &self,
                app_id: &str,
                user_ids: &[String],
                limit: u32,
            ) -> anyhow::Result<Vec<TimelineEvent>> {
                if user_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let rows = sqlx::query_as($timeline)
                    .bind(app_id)
                    .bind($bind_ids(user_ids)?)
                    .bind(sql::DEFAULT_EXCLUDED_FROM_TIMELINE)
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?;
                rows.into_iter().map($decode_event).collect()
            }

            async fn feedback_entries(
                &self,
                app_id: &str,
                account_id: Option<&str>,
            ) -> anyhow::Result<Vec<FeedbackEntry>> {
                let rows: Vec<FeedbackRow> = sqlx::query_as(sql::FEEDBACK)
                    .bind(app_id)
                    .bind(account_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(feedback_entry).collect())
            }

            async fn scale_answers(
                &self,
                app_id: &str,
                account_id: Option<&str>,
            ) -> anyhow::Result<Vec<ScaleAnswer>> {
                let rows = sqlx::query_as(sql::SCALE_ANSWERS)
                    .bind(app_id)
                    .bind(account_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(scale_answers(rows))
            }

            async fn specialists(&self, app_id: &str) -> anyhow::Result<BTreeMap<String, String>> {
                let rows: Vec<(String, String)> = sqlx::query_as(sql::SPECIALISTS)
                    .bind(app_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().collect())
            }

            async fn set_specialist(
                &self,
                app_id: &str,
                account_id: &str,
                specialist: Option<&str>,
            ) -> anyhow::Result<()> {
                match specialist {
                    Some(specialist) => {
                        sqlx::query(sql::SET_SPECIALIST)
                            .bind(app_id)
                            .bind(account_id)
                            .bind(specialist)
                            .bind(now_ms())
                            .execute(&self.pool)
                            .await?
                    }
                    None => {
                        sqlx::query(sql::CLEAR_SPECIALIST)
                            .bind(app_id)
                            .bind(account_id)
                            .execute(&self.pool)
                            .await?
                    }
                };
                Ok(())
            }

            async fn notes(&self, app_id: &str, account_id: &str) -> anyhow::Result<Vec<Note>> {
                let rows: Vec<NoteRow> = sqlx::query_as(sql::NOTES)
                    .bind(app_id)
                    .bind(account_id)
                    .fetch_all(&self.pool)
                    .await?;
                let mut tags = self.tags(app_id, "note").await?;
                Ok(rows
                    .into_iter()
                    .map(|row| {
                        let tags = tags.remove(&row.0.to_string()).unwrap_or_default();
                        note(row, tags)
                    })
                    .collect())
            }

            async fn note(&self, app_id: &str, id: i64) -> anyhow::Result<Option<Note>> {
                let row: Option<NoteRow> = sqlx::query_as(sql::NOTE)
                    .bind(app_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    Some(row) => Ok(Some(note(row, self.account_note_tags(app_id, id).await?))),
                    None => Ok(None),
                }
            }

            async fn create_note(
                &self,
                app_id: &str,
                account_id: &str,
                input: &NoteInput,
            ) -> anyhow::Result<Note> {
                let mut tx = self.pool.begin().await?;
                let id: i64 = sqlx::query_scalar(sql::INSERT_NOTE)
                    .bind(app_id)
                    .bind(account_id)
                    .bind(&input.kind)
                    .bind(&input.text)
                    .bind(&input.author)
                    .bind(now_ms())
                    .fetch_one(&mut *tx)
                    .await?;
                if let Some(tags) = &input.tags {
                    Self::replace_item_tags(&mut tx, app_id, "note", &id.to_string(), tags).await?;
                }
                tx.commit().await?;
                self.note(app_id, id)
                    .await?
                    .context("a created note was not found")
            }

            async fn update_note(
                &self,
                app_id: &str,
                id: i64,
                input: &NoteInput,
            ) -> anyhow::Result<Option<Note>> {
                let mut tx = self.pool.begin().await?;
                let updated = sqlx::query(sql::UPDATE_NOTE)
                    .bind(app_id)
                    .bind(id)
                    .bind(&input.kind)
                    .bind(&input.text)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if updated == 0 {
                    return Ok(None);
                }
                if let Some(tags) = &input.tags {
                    Self::replace_item_tags(&mut tx, app_id, "note", &id.to_string(), tags).await?;
                }
                tx.commit().await?;
                self.note(app_id, id).await
            }

            async fn delete_note(&self, app_id: &str, id: i64) -> anyhow::Result<bool> {
                let mut tx = self.pool.begin().await?;
                let deleted = sqlx::query(sql::DELETE_NOTE)
                    .bind(app_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                sqlx::query(sql::DELETE_TAGS)
                    .bind(app_id)
                    .bind("note")
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(deleted == 1)
            }

            async fn plan(
                &self,
                app_id: &str,
                account_id: Option<&str>,
            ) -> anyhow::Result<Vec<PlanTask>> {
                let rows: Vec<TaskRow> = sqlx::query_as(sql::PLAN)
                    .bind(app_id)
                    .bind(account_id)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(rows.into_iter().map(task).collect())
            }

            async fn create_task(
                &self,
                app_id: &str,
                account_id: &str,
                input: &TaskInput,
            ) -> anyhow::Result<PlanTask> {
                let id: i64 = sqlx::query_scalar(sql::INSERT_TASK)
                    .bind(app_id)
                    .bind(account_id)
                    .bind(&input.title)
                    .bind(&input.owner)
                    .bind(&input.due)
                    .bind(&input.status)
                    .bind(now_ms())
                    .fetch_one(&self.pool)
                    .await?;
                Ok(PlanTask {
                    id,
                    account_id: account_id.to_string(),
                    title: input.title.clone(),
                    owner: input.owner.clone(),
                    due: input.due.clone(),
                    status: input.status.clone(),
                })
            }

            async fn update_task(
                &self,
                app_id: &str,
                id: i64,
                input: &TaskInput,
            ) -> anyhow::Result<Option<PlanTask>> {
                sqlx::query(sql::UPDATE_TASK)
                    .bind(app_id)
                    .bind(id)
                    .bind(&input.title)
                    .bind(&input.owner)
                    .bind(&input.due)
                    .bind(&input.status)
                    .bind(now_ms())
                    .execute(&self.pool)
                    .await?;
                let row: Option<TaskRow> = sqlx::query_as(sql::TASK)
                    .bind(app_id)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(row.map(task))
            }

            async fn delete_task(&self, app_id: &str, id: i64) -> anyhow::Result<bool> {
                let deleted = sqlx::query(sql::DELETE_TASK)
                    .bind(app_id)
                    .bind(id)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                Ok(deleted == 1)
            }

            async fn taggable(
                &self,
                app_id: &str,
                kind: &str,
                item_id: &str,
            ) -> anyhow::Result<bool> {
                let query = match kind {
                    "feedback" => sqlx::query_scalar(sql::FEEDBACK_EXISTS)
                        .bind(app_id)
                        .bind(item_id.to_string()),
                    "answer" => sqlx::query_scalar(sql::TEXT_ANSWER_EXISTS)
                        .bind(app_id)
                        .bind(item_id.to_string()),
                    "note" => {
                        let Ok(id) = item_id.parse::<i64>() else {
                            return Ok(false);
                        };
                        return Ok(sqlx::query_scalar(sql::NOTE_EXISTS)
                            .bind(app_id)
                            .bind(id)
                            .fetch_one(&self.pool)
                            .await?);
                    }
                    _ => return Ok(false),
                };
                Ok(query.fetch_one(&self.pool).await?)
            }

            async fn tags(
                &self,
                app_id: &str,
                kind: &str,
            ) -> anyhow::Result<BTreeMap<String, Vec<String>>> {
                let rows: Vec<(String, String)> = sqlx::query_as(sql::TAGS)
                    .bind(app_id)
                    .bind(kind)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(group_tags(rows))
            }

            async fn set_tags(
                &self,
                app_id: &str,
                kind: &str,
                item_id: &str,
                tags: &[String],
            ) -> anyhow::Result<()> {
                let mut tx = self.pool.begin().await?;
                Self::replace_item_tags(&mut tx, app_id, kind, item_id, tags).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn tag_rules(&self, app_id: &str) -> anyhow::Result<TagRules> {
                let row: Option<(i64, $rules)> =
                    sqlx::query_as("SELECT threshold, rules FROM tag_rules WHERE app_id = $1")
                        .bind(app_id)
                        .fetch_optional(&self.pool)
                        .await?;
                let Some((threshold, rules)) = row else {
                    return Ok(TagRules::default());
                };
                Ok(TagRules {
                    threshold: u32::try_from(threshold).context("stored threshold")?,
                    rules: $decode_rules(rules)?,
                })
            }

            async fn save_tag_rules(&self, app_id: &str, rules: &TagRules) -> anyhow::Result<()> {
                sqlx::query(
                    "INSERT INTO tag_rules (app_id, threshold, rules, updated_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (app_id) DO UPDATE SET threshold = excluded.threshold,
                       rules = excluded.rules, updated_at = excluded.updated_at",
                )
                .bind(app_id)
                .bind(i64::from(rules.threshold))
                .bind($encode_rules(&rules.rules)?)
                .bind(now_ms())
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn tagged_items(
                &self,
                app_id: &str,
                tag: Option<&str>,
            ) -> anyhow::Result<Vec<TaggedItem>> {
                let rows: Vec<TaggedRow> = sqlx::query_as(sql::TAGGED_ITEMS)
                    .bind(app_id)
                    .bind(tag)
                    .fetch_all(&self.pool)
                    .await?;
                Ok(tagged_items(rows))
            }
        }
    };
}

fn sqlite_encode_rules(rules: &[TagRule]) -> anyhow::Result<String> {
    Ok(serde_json::to_string(rules)?)
}

fn sqlite_decode_rules(rules: String) -> anyhow::Result<Vec<TagRule>> {
    serde_json::from_str(&rules).context("stored tag rules")
}

/// User ids travel as one JSON array read back by `json_each`, one statement whatever their number.
fn sqlite_ids(ids: &[String]) -> anyhow::Result<String> {
    Ok(serde_json::to_string(ids)?)
}

fn postgres_encode_rules(rules: &[TagRule]) -> anyhow::Result<Json<Vec<TagRule>>> {
    Ok(Json(rules.to_vec()))
}

fn postgres_decode_rules(Json(rules): Json<Vec<TagRule>>) -> anyhow::Result<Vec<TagRule>> {
    Ok(rules)
}

fn postgres_ids(ids: &[String]) -> anyhow::Result<Vec<String>> {
    Ok(ids.to_vec())
}

type SqliteMemberRow = (String, Option<String>, Option<String>, Option<i64>);
type SqliteEventRow = (String, String, Option<String>, String, Option<String>, i64);

fn sqlite_member(
    (user_id, traits, progress, last_active_at): SqliteMemberRow,
) -> anyhow::Result<MemberState> {
    Ok(MemberState {
        user_id,
        traits: traits
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .context("stored user traits")?
            .unwrap_or_default(),
        progress: progress
            .map(|text| serde_json::from_str(&text))
            .transpose()
            .context("stored user progress")?
            .unwrap_or_default(),
        last_active_at,
    })
}

fn sqlite_event(
    (user_id, kind, name, properties, url, at): SqliteEventRow,
) -> anyhow::Result<TimelineEvent> {
    Ok(TimelineEvent {
        user_id,
        kind,
        name,
        properties: serde_json::from_str(&properties).context("stored event properties")?,
        url,
        at,
    })
}

account_store_impl!(
    SqliteStore,
    String,
    sqlite_encode_rules,
    sqlite_decode_rules,
    "SELECT m.value, u.traits, u.progress,
       (SELECT MAX(e.client_ts) FROM events e WHERE e.app_id = $1 AND e.user_id = m.value)
     FROM json_each($2) m LEFT JOIN users u ON u.app_id = $1 AND u.user_id = m.value",
    "SELECT user_id, type, name, properties, url, client_ts FROM events
     WHERE app_id = $1 AND user_id IN (SELECT value FROM json_each($2))
       AND (name IS NULL OR name <> $3)
     ORDER BY client_ts DESC, seq DESC LIMIT $4",
    sqlite_ids,
    sqlite_member,
    sqlite_event
);

type PostgresMemberRow = (
    String,
    Option<Json<Map<String, Value>>>,
    Option<Json<UserProgress>>,
    Option<i64>,
);
type PostgresEventRow = (
    String,
    String,
    Option<String>,
    Json<Map<String, Value>>,
    Option<String>,
    i64,
);

fn postgres_member(
    (user_id, traits, progress, last_active_at): PostgresMemberRow,
) -> anyhow::Result<MemberState> {
    Ok(MemberState {
        user_id,
        traits: traits.map(|Json(traits)| traits).unwrap_or_default(),
        progress: progress.map(|Json(progress)| progress).unwrap_or_default(),
        last_active_at,
    })
}

fn postgres_event(
    (user_id, kind, name, Json(properties), url, at): PostgresEventRow,
) -> anyhow::Result<TimelineEvent> {
    Ok(TimelineEvent {
        user_id,
        kind,
        name,
        properties,
        url,
        at,
    })
}

account_store_impl!(
    PostgresStore,
    Json<Vec<TagRule>>,
    postgres_encode_rules,
    postgres_decode_rules,
    "SELECT m.user_id, u.traits, u.progress,
       (SELECT MAX(e.client_ts) FROM events e WHERE e.app_id = $1 AND e.user_id = m.user_id)
     FROM UNNEST($2::text[]) AS m(user_id) LEFT JOIN users u ON u.app_id = $1 AND u.user_id = m.user_id",
    "SELECT user_id, type, name, properties, url, client_ts FROM events
     WHERE app_id = $1 AND user_id = ANY($2)
       AND (name IS NULL OR name <> $3)
     ORDER BY client_ts DESC, seq DESC LIMIT $4",
    postgres_ids,
    postgres_member,
    postgres_event
);
