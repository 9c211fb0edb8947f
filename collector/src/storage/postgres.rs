//! The PostgreSQL store, for deployments that run several collectors or want a managed database.

use std::collections::HashSet;

use anyhow::Context as _;
use async_trait::async_trait;
use engine::settings::AppSettings;
use engine::{Flow, UserProgress};
use serde_json::{Map, Value};
use sqlx::postgres::PgPoolOptions;
use sqlx::types::Json;
use sqlx::{PgPool, Postgres, QueryBuilder};

use super::{
    App, FunnelRow, GroupEvent, IngestBatch, IngestOutcome, Segment, StartOrSuppression, Store,
    StoredEvent, StoredFlow, TrackedEvent, UserState, chunk_sizes, decode_flow, now_ms, shared_sql,
};
use engine::audience::Rule;

/// Rows per multi-row insert: 13 binds each stays far below PostgreSQL's 65,535.
const MAX_CHUNK: usize = 128;

#[derive(Clone, Debug)]
pub struct PostgresStore {
    pub(super) pool: PgPool,
}

impl PostgresStore {
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect(url)
            .await?;
        sqlx::migrate!("./migrations/postgres")
            .run(&pool)
            .await
            .context("running PostgreSQL migrations")?;
        Ok(Self { pool })
    }
}

type FlowRow = (Json<Value>, String, i64, i64);

fn stored_flow(
    (Json(definition), status, version, updated_at): FlowRow,
) -> anyhow::Result<StoredFlow> {
    Ok(StoredFlow {
        flow: decode_flow(&definition.to_string(), &status, version)?,
        updated_at,
    })
}

type UserRow = (Json<Map<String, Value>>, Json<UserProgress>);

fn user_state(row: Option<UserRow>) -> UserState {
    row.map(|(Json(traits), Json(progress))| UserState { traits, progress })
        .unwrap_or_default()
}

const FLOW_COLUMNS: &str = "definition, status, version, updated_at";

#[async_trait]
impl Store for PostgresStore {
    async fn upsert_app(&self, app: &App) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO apps (id, name, write_key, admin_key, allowed_origins) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, write_key = excluded.write_key,
               admin_key = excluded.admin_key, allowed_origins = excluded.allowed_origins",
        )
        .bind(&app.id)
        .bind(&app.name)
        .bind(&app.write_key)
        .bind(&app.admin_key)
        .bind(Json(&app.allowed_origins))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn apps(&self) -> anyhow::Result<Vec<App>> {
        let rows: Vec<(String, String, String, String, Json<Vec<String>>)> =
            sqlx::query_as("SELECT id, name, write_key, admin_key, allowed_origins FROM apps")
                .fetch_all(&self.pool)
                .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, name, write_key, admin_key, Json(allowed_origins))| App {
                    id,
                    name,
                    write_key,
                    admin_key,
                    allowed_origins,
                },
            )
            .collect())
    }

    async fn flows(&self, app_id: &str) -> anyhow::Result<Vec<StoredFlow>> {
        let rows: Vec<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE app_id = $1 ORDER BY id"
        )))
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(stored_flow).collect()
    }

    async fn published_flows(&self, app_id: &str) -> anyhow::Result<Vec<Flow>> {
        let rows: Vec<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE app_id = $1 AND status = 'published' ORDER BY id"
        )))
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter()
            .map(|row| stored_flow(row).map(|stored| stored.flow))
            .collect()
    }

    async fn flow(&self, app_id: &str, id: &str) -> anyhow::Result<Option<StoredFlow>> {
        let row: Option<FlowRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {FLOW_COLUMNS} FROM flows WHERE app_id = $1 AND id = $2"
        )))
        .bind(app_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(stored_flow).transpose()
    }

    async fn create_flow(&self, app_id: &str, flow: &Flow) -> anyhow::Result<Option<StoredFlow>> {
        let updated_at = now_ms();
        let created = sqlx::query(
            "INSERT INTO flows (app_id, id, definition, status, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (app_id, id) DO NOTHING",
        )
        .bind(app_id)
        .bind(&flow.id)
        .bind(Json(flow))
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
            "INSERT INTO flows (app_id, id, definition, status, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (app_id, id) DO UPDATE SET definition = excluded.definition, status = excluded.status,
               version = excluded.version, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(&flow.id)
        .bind(Json(flow))
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
        let row: Option<UserRow> =
            sqlx::query_as("SELECT traits, progress FROM users WHERE app_id = $1 AND user_id = $2")
                .bind(app_id)
                .bind(user_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(user_state(row))
    }

    async fn ingest(&self, batch: &IngestBatch) -> anyhow::Result<IngestOutcome> {
        let mut tx = self.pool.begin().await?;
        // Locking the user's row first serialises concurrent batches of one user, so the
        // read-fold-write below never loses an update.
        sqlx::query(
            "INSERT INTO users (app_id, user_id, updated_at) VALUES ($1, $2, $3) ON CONFLICT (app_id, user_id) DO NOTHING",
        )
        .bind(&batch.app_id)
        .bind(&batch.user_id)
        .bind(batch.received_at)
        .execute(&mut *tx)
        .await?;
        let row: Option<UserRow> = sqlx::query_as(
            "SELECT traits, progress FROM users WHERE app_id = $1 AND user_id = $2 FOR UPDATE",
        )
        .bind(&batch.app_id)
        .bind(&batch.user_id)
        .fetch_optional(&mut *tx)
        .await?;
        let mut user = user_state(row);

        let mut inserted: HashSet<String> = HashSet::with_capacity(batch.events.len());
        let mut rest = batch.events.as_slice();
        for size in chunk_sizes(batch.events.len(), MAX_CHUNK) {
            let (chunk, tail) = rest.split_at(size);
            rest = tail;
            let mut insert = QueryBuilder::<Postgres>::new(
                "INSERT INTO events (app_id, message_id, user_id, type, name, properties, traits, group_id, url,
                   client_ts, received_at, flow_id, step_index) ",
            );
            insert.push_values(chunk, |mut row, event| {
                let (flow_id, step_index) = event.funnel_keys();
                row.push_bind(batch.app_id.as_str())
                    .push_bind(event.message_id.as_str())
                    .push_bind(batch.user_id.as_str())
                    .push_bind(event.kind.as_str())
                    .push_bind(event.name.as_deref())
                    .push_bind(Json(&event.properties))
                    .push_bind(Json(&event.traits))
                    .push_bind(event.group_id.as_deref())
                    .push_bind(event.url.as_deref())
                    .push_bind(event.client_ts)
                    .push_bind(batch.received_at)
                    .push_bind(flow_id)
                    .push_bind(step_index);
            });
            insert.push(" ON CONFLICT (app_id, message_id) DO NOTHING RETURNING message_id");
            let ids: Vec<String> = insert.build_query_scalar().fetch_all(&mut *tx).await?;
            inserted.extend(ids);
        }

        let fresh = batch
            .events
            .iter()
            .filter(|event| inserted.contains(&event.message_id));
        if user.absorb(fresh) {
            sqlx::query(
                "UPDATE users SET traits = $3, progress = $4, updated_at = $5 WHERE app_id = $1 AND user_id = $2",
            )
            .bind(&batch.app_id)
            .bind(&batch.user_id)
            .bind(Json(&user.traits))
            .bind(Json(&user.progress))
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
            "SELECT name, NULL::BIGINT, COUNT(DISTINCT user_id) FROM events
             WHERE app_id = $1 AND flow_id = $2 AND name IN ('flow_started', 'flow_completed', 'flow_dismissed')
             GROUP BY name
             UNION ALL
             SELECT name, step_index, COUNT(DISTINCT user_id) FROM events
             WHERE app_id = $1 AND flow_id = $2 AND name IN ('step_viewed', 'step_completed')
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
            "SELECT id, name, rule, updated_at FROM segments WHERE app_id = $1 ORDER BY id",
        )
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(decode_segment).collect())
    }

    async fn segment(&self, app_id: &str, id: &str) -> anyhow::Result<Option<Segment>> {
        let row: Option<SegmentRow> = sqlx::query_as(
            "SELECT id, name, rule, updated_at FROM segments WHERE app_id = $1 AND id = $2",
        )
        .bind(app_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(decode_segment))
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
        let deleted = sqlx::query("DELETE FROM segments WHERE app_id = $1 AND id = $2")
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
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT user_id, name, client_ts FROM events
             WHERE app_id = $1 AND ($2::TEXT IS NULL OR user_id = $2) AND type = 'track'
               AND name = ANY($3)",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(names)
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
        // For one user, only the account they joined last; otherwise every account.
        let rows: Vec<(String, String, Json<Map<String, Value>>)> = sqlx::query_as(
            "SELECT user_id, group_id, traits FROM events
             WHERE app_id = $1 AND type = 'group' AND group_id IS NOT NULL
               AND ($2::TEXT IS NULL OR group_id = (
                 SELECT group_id FROM events
                 WHERE app_id = $1 AND user_id = $2 AND type = 'group' AND group_id IS NOT NULL
                 ORDER BY seq DESC LIMIT 1
               ))
             ORDER BY seq",
        )
        .bind(app_id)
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, group_id, Json(traits))| GroupEvent {
                user_id,
                group_id,
                traits,
            })
            .collect())
    }

    async fn users(&self, app_id: &str) -> anyhow::Result<Vec<(String, UserState)>> {
        let rows: Vec<(String, Json<Map<String, Value>>, Json<UserProgress>)> = sqlx::query_as(
            "SELECT user_id, traits, progress FROM users WHERE app_id = $1
             UNION ALL
             SELECT DISTINCT user_id, '{}'::JSONB, '{}'::JSONB FROM events
             WHERE app_id = $1 AND user_id NOT IN (SELECT user_id FROM users WHERE app_id = $1)",
        )
        .bind(app_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(user_id, Json(traits), Json(progress))| {
                (user_id, UserState { traits, progress })
            })
            .collect())
    }

    async fn settings(&self, app_id: &str) -> anyhow::Result<Option<AppSettings>> {
        let row: Option<Json<AppSettings>> =
            sqlx::query_scalar("SELECT definition FROM settings WHERE app_id = $1")
                .bind(app_id)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|Json(settings)| settings))
    }

    async fn save_settings(&self, app_id: &str, settings: &AppSettings) -> anyhow::Result<()> {
        sqlx::query(
            "INSERT INTO settings (app_id, definition, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (app_id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at",
        )
        .bind(app_id)
        .bind(Json(settings))
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
        let rows: Vec<EventRow> = sqlx::query_as(
            "SELECT * FROM (
               SELECT seq, message_id, user_id, type, name, properties, client_ts, received_at FROM events
               WHERE app_id = $1 AND ($2::TEXT IS NULL OR user_id = $2) ORDER BY seq DESC LIMIT $3
             ) latest ORDER BY seq",
        )
        .bind(app_id)
        .bind(user_id)
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    _seq,
                    message_id,
                    user_id,
                    kind,
                    name,
                    Json(properties),
                    timestamp,
                    received_at,
                )| StoredEvent {
                    message_id,
                    user_id,
                    kind,
                    name,
                    properties,
                    timestamp,
                    received_at,
                },
            )
            .collect())
    }
}

type SegmentRow = (String, String, Json<Rule>, i64);

fn decode_segment((id, name, Json(rule), updated_at): SegmentRow) -> Segment {
    Segment {
        id,
        name,
        rule,
        updated_at,
    }
}

impl PostgresStore {
    /// Inserts a segment, resolving an existing id with `on_conflict`; `None` when nothing was written.
    async fn write_segment(
        &self,
        app_id: &str,
        segment: &Segment,
        on_conflict: &'static str,
    ) -> anyhow::Result<Option<Segment>> {
        let updated_at = now_ms();
        let sql = format!(
            "INSERT INTO segments (app_id, id, name, rule, updated_at) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (app_id, id) {on_conflict}"
        );
        let written = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(app_id)
            .bind(&segment.id)
            .bind(&segment.name)
            .bind(Json(&segment.rule))
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
    Json<Map<String, Value>>,
    i64,
    i64,
);
