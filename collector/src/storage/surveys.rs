//! Storage for survey answers and what boot needs to schedule surveys, on SQLite and PostgreSQL.
//! Answers (`survey_answered`) are plain events; each is read with the account its user had when
//! it was stored (their latest `group` event before it), so nothing is copied at ingest. Feedback
//! entries and tags are read through the accounts store, which the register card shares.

use std::collections::HashMap;

use anyhow::Context as _;
use async_trait::async_trait;
use serde_json::{Map, Value};
use sqlx::types::Json;

use super::postgres::PostgresStore;
use super::sqlite::SqliteStore;

/// One stored `survey_answered` event. The handlers read `step_id`, `kind` and `answer` from its
/// properties, which ingest checked against the flow.
#[derive(Clone, Debug)]
pub struct StoredAnswer {
    pub message_id: String,
    pub user_id: String,
    /// The `group_id` of the user's latest `group` event before the answer.
    pub account_id: Option<String>,
    pub flow_id: String,
    /// The arrival order (`seq`) of the `flow_started` that began the run this answer belongs to,
    /// so a question answered twice in one run (after Back) counts once.
    pub run: Option<i64>,
    pub properties: Map<String, Value>,
    /// The sender's time (ms): when the user answered.
    pub answered_at: i64,
}

/// A time window on the sender's clock, in ms: `from` inclusive, `to` exclusive.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    pub from: i64,
    pub to: i64,
}

impl Default for Window {
    fn default() -> Self {
        Self {
            from: i64::MIN,
            to: i64::MAX,
        }
    }
}

/// The surveys part of [`super::Store`].
#[async_trait]
pub trait SurveyStore: Send + Sync {
    /// `survey_answered` events in arrival order, of one flow or of all, inside the window.
    async fn answers(
        &self,
        app_id: &str,
        flow_id: Option<&str>,
        window: Window,
    ) -> anyhow::Result<Vec<StoredAnswer>>;
    /// The sender's time of the user's latest `flow_started` of each flow they ever started.
    async fn latest_starts(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> anyhow::Result<HashMap<String, i64>>;
    /// The sender's time of the user's first event, if any.
    async fn first_seen(&self, app_id: &str, user_id: &str) -> anyhow::Result<Option<i64>>;
}

/// Statements that read the same on both databases (see `shared_sql` in the parent module).
mod sql {
    /// The account a user had when the event `e` was stored.
    macro_rules! account_then {
        () => {
            "(SELECT g.group_id FROM events g
               WHERE g.app_id = e.app_id AND g.user_id = e.user_id AND g.type = 'group'
                 AND g.group_id IS NOT NULL AND g.seq < e.seq
               ORDER BY g.seq DESC LIMIT 1)"
        };
    }

    pub const ANSWERS: &str = concat!(
        "SELECT e.message_id, e.user_id, ",
        account_then!(),
        ", e.flow_id,
           (SELECT MAX(s.seq) FROM events s
             WHERE s.app_id = e.app_id AND s.flow_id = e.flow_id AND s.name = 'flow_started'
               AND s.user_id = e.user_id AND s.seq < e.seq),
           e.properties, e.client_ts
         FROM events e
         WHERE e.app_id = $1 AND e.name = 'survey_answered' AND e.flow_id IS NOT NULL
           AND (CAST($2 AS TEXT) IS NULL OR e.flow_id = $2)
           AND e.client_ts >= $3 AND e.client_ts < $4
         ORDER BY e.seq"
    );

    pub const STARTS: &str = "SELECT flow_id, client_ts FROM events
         WHERE app_id = $1 AND user_id = $2 AND name = 'flow_started' AND flow_id IS NOT NULL
         ORDER BY seq";

    pub const FIRST_SEEN: &str =
        "SELECT client_ts FROM events WHERE app_id = $1 AND user_id = $2 ORDER BY seq LIMIT 1";
}

/// Later starts replace earlier ones: the rows come in arrival order.
fn latest(rows: Vec<(String, i64)>) -> HashMap<String, i64> {
    rows.into_iter().collect()
}

type SqliteAnswerRow = (
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    String,
    i64,
);

fn sqlite_properties(text: &str) -> anyhow::Result<Map<String, Value>> {
    serde_json::from_str(text).context("stored event properties")
}

#[async_trait]
impl SurveyStore for SqliteStore {
    async fn answers(
        &self,
        app_id: &str,
        flow_id: Option<&str>,
        window: Window,
    ) -> anyhow::Result<Vec<StoredAnswer>> {
        let rows: Vec<SqliteAnswerRow> = sqlx::query_as(sql::ANSWERS)
            .bind(app_id)
            .bind(flow_id)
            .bind(window.from)
            .bind(window.to)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(
                |(message_id, user_id, account_id, flow_id, run, properties, answered_at)| {
                    Ok(StoredAnswer {
                        message_id,
                        user_id,
                        account_id,
                        flow_id,
                        run,
                        properties: sqlite_properties(&properties)?,
                        answered_at,
                    })
                },
            )
            .collect()
    }

    async fn latest_starts(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> anyhow::Result<HashMap<String, i64>> {
        let rows = sqlx::query_as(sql::STARTS)
            .bind(app_id)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(latest(rows))
    }

    async fn first_seen(&self, app_id: &str, user_id: &str) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(sql::FIRST_SEEN)
            .bind(app_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}

type PostgresAnswerRow = (
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Json<Map<String, Value>>,
    i64,
);
#[async_trait]
impl SurveyStore for PostgresStore {
    async fn answers(
        &self,
        app_id: &str,
        flow_id: Option<&str>,
        window: Window,
    ) -> anyhow::Result<Vec<StoredAnswer>> {
        let rows: Vec<PostgresAnswerRow> = sqlx::query_as(sql::ANSWERS)
            .bind(app_id)
            .bind(flow_id)
            .bind(window.from)
            .bind(window.to)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(message_id, user_id, account_id, flow_id, run, Json(properties), answered_at)| {
                    StoredAnswer {
                        message_id,
                        user_id,
                        account_id,
                        flow_id,
                        run,
                        properties,
                        answered_at,
                    }
                },
            )
            .collect())
    }

    async fn latest_starts(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> anyhow::Result<HashMap<String, i64>> {
        let rows = sqlx::query_as(sql::STARTS)
            .bind(app_id)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(latest(rows))
    }

    async fn first_seen(&self, app_id: &str, user_id: &str) -> anyhow::Result<Option<i64>> {
        Ok(sqlx::query_scalar(sql::FIRST_SEEN)
            .bind(app_id)
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?)
    }
}
