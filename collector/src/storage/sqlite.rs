//! The default store: one SQLite file in WAL mode, safe for one collector process.

use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;
use engine::Flow;
use engine::settings::AppSettings;
use serde_json::{Map, Value};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use tokio::sync::Mutex;

use super::{
    App, FunnelRow, GroupEvent, IngestBatch, IngestOutcome, Segment, StartOrSuppression, Store,
    StoredEvent, StoredFlow, TrackedEvent, UserState, decode_flow, now_ms, shared_sql,
};

/// One event as sent to the insert statement, a JSON array read back by `json_each`.
type EventRowIn<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a Map<String, Value>,
    &'a Map<String, Value>,
    Option<&'a str>,
    Option<&'a str>,
    i64,
    Option<&'a str>,
    Option<i64>,
);

#[derive(Debug)]
pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    /// SQLite has one writer at a time; queueing batches here is fairer and faster than
    /// letting them sleep in SQLite's busy handler.
    ingest_lock: Mutex<()>,
}

impl SqliteStore {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(10))
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite")
            .run(&pool)
            .await
            .context("running SQLite migrations")?;
        Ok(Self {
            pool,
            ingest_lock: Mutex::new(()),
        })
    }
}

type FlowRow = (String, String, i64, i64);

fn stored_flow((definition, status, version, updated_at): FlowRow) -> anyhow::Result<StoredFlow> {
    Ok(StoredFlow {
        flow: decode_flow(&definition, &status, version)?,
        updated_at,
    })
}

#[async_trait]
impl Store for SqliteStore {
    async fn upsert_app(&self, app: &App) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO apps (id, name, write_key, admin_key, allowed_origins) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, write_key = excluded.write_key,
               admin_key = excluded.admin_key, allowed_origins = excluded.allowed_origins",
        )
        .bind(&app.id)
        .bind(&app.name)
        .bind(&app.write_key)
        .bind(&app.admin_key)
        .bind(serde_json::to_string(&app.allowed_origins)?)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn apps(&self) -> anyhow::Result<Vec<App>> {
        let rows: Vec<(String, String, String, String, String)> =
            sqlx::query_as("SELECT id, name, write_key, admin_key, allowed_origins FROM apps")
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter()
            .map(|(id, name, write_key, admin_key, origins)| {
                let allowed_origins =
                    serde_json::from_str(&origins).context("stored allowed_origins")?;
                Ok(App {
                    id,
                    name,
                    write_key,
                    admin_key,
                    allowed_origins,
                })
            })
            .collect()
    }

    async fn flows(&self, app_id: &str) -> anyhow::Result<Vec<StoredFlow>> {
        let rows: Vec<FlowRow> =
            sqlx::query_as("SELECT definition, status, version, updated_at FROM flows WHERE app_id = ? ORDER BY id")
                .bind(app_id)
                .fetch_all(&self.pool)
                .await?;
        rows.into_iter().map(stored_flow).collect()
    }

    async fn published_flows(&self, app_id: &str) -> anyhow::Result<Vec<Flow>> {
        let rows: Vec<FlowRow> = sqlx::query_as(
            "SELECT definition, status, version, updated_at FROM flows
             WHERE app_id = ? AND status = 'published' ORDER BY id",
        )
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| stored_flow(row).map(|stored| stored.flow))
            .collect()
    }

    async fn flow(&self, app_id: &str, id: &str) -> anyhow::Result<Option<StoredFlow>> {
        let row: Option<FlowRow> = sqlx::query_as(
            "SELECT definition, status, version, updated_at FROM flows WHERE app_id = ? AND id = ?",
        )
        .bind(app_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(stored_flow).transpose()
    }

    async fn create_flow(&self, app_id: &str, flow: &Flow) -> anyhow::Result<Option<StoredFlow>> {
        let updated_at = now_ms();
        let created = sqlx::query(
            "INSERT INTO flows (app_id, id, definition, status, version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (app_id, id) DO NOTHING",
        )
        .bind(app_id)
        .bind(&flow.id)
        .bind(serde_json::to_string(flow)?)
        .bind(flow.status.as_str())
        .bind(i64::from(flow.version))
        .bind(updated_at)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1;
        Ok(created.then(|| StoredFlow {
            flow: flow.clone(),
            updated_at,
        }))
    }

    async fn save_flow(&self, app_id: &str, flow: &Flow) -> anyhow::Result<StoredFlow> {
        let updated_at = now_ms();
        sqlx::query(
            "INSERT INTO flows (app_id, id, definition, status, version, updated_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (app_id, id) DO UPDATE SET definition = excluded.definition, status = excluded.status,
               version = excluded.version, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(&flow.id)
        .bind(serde_json::to_string(flow)?)
        .bind(flow.status.as_str())
        .bind(i64::from(flow.version))
        .bind(updated_at)
        .execute(&self.pool)
        .await?;
        Ok(StoredFlow {
            flow: flow.clone(),
            updated_at,
        })
    }

    async fn user(&self, app_id: &str, user_id: &str) -> anyhow::Result<UserState> {
        let row: Option<(String, String)> =
            sqlx::query_as("SELECT traits, progress FROM users WHERE app_id = ? AND user_id = ?")
                .bind(app_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        decode_user(row)
    }

    async fn ingest(&self, batch: &IngestBatch) -> anyhow::Result<IngestOutcome> {
        // IMMEDIATE takes the write lock up front, so the read-fold-write of the user below
        // cannot interleave with another batch for the same user.
        let _writer = self.ingest_lock.lock().await;
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;

        // The whole batch goes in as one JSON array and one statement, whatever its size: a single
        // round trip to SQLite's thread and a single cached prepared statement.
        let rows: Vec<EventRowIn<'_>> = batch
            .events
            .iter()
            .map(|event| {
                let (flow_id, step_index) = event.funnel_keys();
                (
                    event.message_id.as_str(),
                    event.kind.as_str(),
                    event.name.as_deref(),
                    &event.properties,
                    &event.traits,
                    event.group_id.as_deref(),
                    event.url.as_deref(),
                    event.client_ts,
                    flow_id,
                    step_index,
                )
            })
            .collect();
        let inserted: HashSet<String> = sqlx::query_scalar(
            "INSERT INTO events (app_id, user_id, received_at, message_id, type, name, properties, traits,
               group_id, url, client_ts, flow_id, step_index)
             SELECT ?1, ?2, ?3, value ->> 0, value ->> 1, value ->> 2, value -> 3, value -> 4,
               value ->> 5, value ->> 6, value ->> 7, value ->> 8, value ->> 9
             FROM json_each(?4) WHERE true
             ON CONFLICT (app_id, message_id) DO NOTHING RETURNING message_id",
        )
        .bind(&batch.app_id)
        .bind(&batch.user_id)
        .bind(batch.received_at)
        .bind(serde_json::to_string(&rows)?)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();

        let row: Option<(String, String)> =
            sqlx::query_as("SELECT traits, progress FROM users WHERE app_id = ? AND user_id = ?")
                .bind(&batch.app_id)
                .bind(&batch.user_id)
                .fetch_optional(&mut *tx)
                .await?;
        let mut user = decode_user(row)?;
        let fresh = batch
            .events
            .iter()
            .filter(|event| inserted.contains(&event.message_id));
        if user.absorb(fresh) {
            sqlx::query(
                "INSERT INTO users (app_id, user_id, traits, progress, updated_at) VALUES (?, ?, ?, ?, ?)
                 ON CONFLICT (app_id, user_id) DO UPDATE SET traits = excluded.traits,
                   progress = excluded.progress, updated_at = excluded.updated_at",
            )
            .bind(&batch.app_id)
            .bind(&batch.user_id)
            .bind(json_text(&user.traits))
            .bind(serde_json::to_string(&user.progress)?)
            .bind(batch.received_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(IngestOutcome {
            accepted: u32::try_from(inserted.len())?,
            progress: user.progress,
            traits: user.traits,
        })
    }

    async fn funnel(&self, app_id: &str, flow_id: &str) -> anyhow::Result<Vec<FunnelRow>> {
        let rows: Vec<(String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT name, NULL, COUNT(DISTINCT user_id) FROM events
             WHERE app_id = ?1 AND flow_id = ?2 AND name IN ('flow_started', 'flow_completed', 'flow_dismissed')
             GROUP BY name
             UNION ALL
             SELECT name, step_index, COUNT(DISTINCT user_id) FROM events
             WHERE app_id = ?1 AND flow_id = ?2 AND name IN ('step_viewed', 'step_completed')
             GROUP BY name, step_index",
        )
        .bind(app_id)
        .bind(flow_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(name, step_index, users)| FunnelRow {
                name,
                step_index,
                users,
            })
            .collect())
    }

    async fn segments(&self, app_id: &str) -> anyhow::Result<Vec<Segment>> {
        let rows: Vec<SegmentRow> = sqlx::query_as(
            "SELECT id, name, rule, updated_at FROM segments WHERE app_id = ? ORDER BY id",
        )
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(decode_segment).collect()
    }

    async fn segment(&self, app_id: &str, id: &str) -> anyhow::Result<Option<Segment>> {
        let row: Option<SegmentRow> = sqlx::query_as(
            "SELECT id, name, rule, updated_at FROM segments WHERE app_id = ? AND id = ?",
        )
        .bind(app_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(decode_segment).transpose()
    }

    async fn create_segment(
        &self,
        app_id: &str,
        segment: &Segment,
    ) -> anyhow::Result<Option<Segment>> {
        self.write_segment(app_id, segment, "DO NOTHING").await
    }

    async fn save_segment(&self, app_id: &str, segment: &Segment) -> anyhow::Result<Segment> {
        self.write_segment(
            app_id,
            segment,
            "DO UPDATE SET name = excluded.name, rule = excluded.rule, updated_at = excluded.updated_at",
        )
        .await?
        .context("saving a segment changed no row")
    }

    async fn delete_segment(&self, app_id: &str, id: &str) -> anyhow::Result<bool> {
        let deleted = sqlx::query("DELETE FROM segments WHERE app_id = ? AND id = ?")
            .bind(app_id)
            .bind(id)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok(deleted == 1)
    }

    async fn tracked_events(
        &self,
        app_id: &str,
        user_id: Option<&str>,
        names: &[String],
    ) -> anyhow::Result<Vec<TrackedEvent>> {
        // Two statements, as in `events`, so the per-user one uses its index. The names travel as
        // one JSON array, so the statement is the same whatever their number.
        let sql = match user_id {
            Some(_) => {
                "SELECT user_id, name, client_ts FROM events
                 WHERE app_id = ?1 AND user_id = ?2 AND type = 'track'
                   AND name IN (SELECT value FROM json_each(?3))"
            }
            None => {
                "SELECT user_id, name, client_ts FROM events
                 WHERE app_id = ?1 AND ?2 IS NULL AND type = 'track'
                   AND name IN (SELECT value FROM json_each(?3))"
            }
        };
        let rows: Vec<(String, String, i64)> = sqlx::query_as(sql)
            .bind(app_id)
            .bind(user_id)
            .bind(serde_json::to_string(names)?)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, name, timestamp)| TrackedEvent {
                user_id,
                name,
                timestamp,
            })
            .collect())
    }

    async fn group_events(
        &self,
        app_id: &str,
        user_id: Option<&str>,
    ) -> anyhow::Result<Vec<GroupEvent>> {
        let sql = match user_id {
            Some(_) => {
                "SELECT user_id, group_id, traits FROM events
                 WHERE app_id = ?1 AND type = 'group' AND group_id = (
                   SELECT group_id FROM events
                   WHERE app_id = ?1 AND user_id = ?2 AND type = 'group' AND group_id IS NOT NULL
                   ORDER BY seq DESC LIMIT 1
                 ) ORDER BY seq"
            }
            None => {
                "SELECT user_id, group_id, traits FROM events
                 WHERE app_id = ?1 AND ?2 IS NULL AND type = 'group' AND group_id IS NOT NULL ORDER BY seq"
            }
        };
        let rows: Vec<(String, String, String)> = sqlx::query_as(sql)
            .bind(app_id)
            .bind(user_id)
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|(user_id, group_id, traits)| {
                Ok(GroupEvent {
                    user_id,
                    group_id,
                    traits: serde_json::from_str(&traits).context("stored group traits")?,
                })
            })
            .collect()
    }

    async fn users(&self, app_id: &str) -> anyhow::Result<Vec<(String, UserState)>> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT user_id, traits, progress FROM users WHERE app_id = ?1
             UNION ALL
             SELECT DISTINCT user_id, '{}', '{}' FROM events
             WHERE app_id = ?1 AND user_id NOT IN (SELECT user_id FROM users WHERE app_id = ?1)",
        )
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|(user_id, traits, progress)| {
                let state = UserState {
                    traits: serde_json::from_str(&traits).context("stored user traits")?,
                    progress: serde_json::from_str(&progress).context("stored user progress")?,
                };
                Ok((user_id, state))
            })
            .collect()
    }

    async fn settings(&self, app_id: &str) -> anyhow::Result<Option<AppSettings>> {
        let row: Option<String> =
            sqlx::query_scalar("SELECT definition FROM settings WHERE app_id = ?")
                .bind(app_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|text| serde_json::from_str(&text).context("stored settings"))
            .transpose()
    }

    async fn save_settings(&self, app_id: &str, settings: &AppSettings) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO settings (app_id, definition, updated_at) VALUES (?, ?, ?)
             ON CONFLICT (app_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(serde_json::to_string(settings)?)
        .bind(now_ms())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn visited_urls(
        &self,
        app_id: &str,
        user_id: &str,
        limit: u32,
    ) -> anyhow::Result<Vec<String>> {
        Ok(sqlx::query_scalar(shared_sql::VISITED_URLS)
            .bind(app_id)
            .bind(user_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?)
    }

    async fn visited_urls_by_user(&self, app_id: &str) -> anyhow::Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(shared_sql::VISITED_URLS_BY_USER)
            .bind(app_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn user_known(&self, app_id: &str, user_id: &str) -> anyhow::Result<bool> {
        Ok(sqlx::query_scalar(shared_sql::USER_KNOWN)
            .bind(app_id)
            .bind(user_id)
            .fetch_one(&self.pool)
            .await?)
    }

    async fn starts_and_suppressions(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> anyhow::Result<Vec<StartOrSuppression>> {
        let rows: Vec<(String, String, Option<String>)> =
            sqlx::query_as(shared_sql::STARTS_AND_SUPPRESSIONS)
                .bind(app_id)
                .bind(user_id)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(|(flow_id, name, reason)| StartOrSuppression {
                flow_id,
                name,
                reason,
            })
            .collect())
    }

    async fn events(
        &self,
        app_id: &str,
        user_id: Option<&str>,
        limit: u32,
    ) -> anyhow::Result<Vec<StoredEvent>> {
        // Two statements rather than `(? IS NULL OR user_id = ?)`, so the per-user one uses its index.
        let sql = match user_id {
            Some(_) => {
                "SELECT * FROM (
                   SELECT seq, message_id, user_id, type, name, properties, client_ts, received_at FROM events
                   WHERE app_id = ?1 AND user_id = ?2 ORDER BY seq DESC LIMIT ?3
                 ) ORDER BY seq"
            }
            None => {
                "SELECT * FROM (
                   SELECT seq, message_id, user_id, type, name, properties, client_ts, received_at FROM events
                   WHERE app_id = ?1 AND ?2 IS NULL ORDER BY seq DESC LIMIT ?3
                 ) ORDER BY seq"
            }
        };
        let rows: Vec<EventRow> = sqlx::query_as(sql)
            .bind(app_id)
            .bind(user_id)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter().map(stored_event).collect()
    }
}

type SegmentRow = (String, String, String, i64);

fn decode_segment((id, name, rule, updated_at): SegmentRow) -> anyhow::Result<Segment> {
    Ok(Segment {
        id,
        name,
        rule: serde_json::from_str(&rule).context("stored segment rule")?,
        updated_at,
    })
}

impl SqliteStore {
    /// Inserts a segment, resolving an existing id with `on_conflict`; `None` when nothing was written.
    async fn write_segment(
        &self,
        app_id: &str,
        segment: &Segment,
        on_conflict: &'static str,
    ) -> anyhow::Result<Option<Segment>> {
        let updated_at = now_ms();
        let sql = format!(
            "INSERT INTO segments (app_id, id, name, rule, updated_at) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (app_id, id) {on_conflict}"
        );
        let written = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(app_id)
            .bind(&segment.id)
            .bind(&segment.name)
            .bind(serde_json::to_string(&segment.rule)?)
            .bind(updated_at)
            .execute(&self.pool)
            .await?
            .rows_affected();
        Ok((written == 1).then(|| Segment {
            updated_at,
            ..segment.clone()
        }))
    }
}

type EventRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    String,
    i64,
    i64,
);

fn stored_event(
    (_seq, message_id, user_id, kind, name, properties, timestamp, received_at): EventRow,
) -> anyhow::Result<StoredEvent> {
    let properties = serde_json::from_str(&properties).context("stored event properties")?;
    Ok(StoredEvent {
        message_id,
        user_id,
        kind,
        name,
        properties,
        timestamp,
        received_at,
    })
}

fn json_text(map: &Map<String, Value>) -> String {
    serde_json::to_string(map).unwrap_or_else(|_| "{}".into())
}

fn decode_user(row: Option<(String, String)>) -> anyhow::Result<UserState> {
    let Some((traits, progress)) = row else {
        return Ok(UserState::default());
    };
    Ok(UserState {
        traits: serde_json::from_str(&traits).context("stored user traits")?,
        progress: serde_json::from_str(&progress).context("stored user progress")?,
    })
}
