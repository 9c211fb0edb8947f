//! Persistence behind one trait, so SQLite (the default) and PostgreSQL share every handler.
//! Handlers validate; a store only reads and writes, each ingest in one transaction.

mod accounts;
mod postgres;
mod sqlite;
mod surveys;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Context as _;
use async_trait::async_trait;
use engine::audience::Rule;
use engine::settings::AppSettings;
use engine::wire::EventKind;
use engine::{Flow, LifecycleEvent, UserProgress};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use postgres::PostgresStore;
pub use sqlite::SqliteStore;

/// One tenant: its keys and the origins its write key may be used from.
#[derive(Clone, Debug, PartialEq)]
pub struct App {
    pub id: String,
    pub name: String,
    pub write_key: String,
    pub admin_key: String,
    pub allowed_origins: Vec<String>,
}

impl App {
    pub fn allows_origin(&self, origin: &str) -> bool {
        self.allowed_origins
            .iter()
            .any(|allowed| allowed == "*" || allowed == origin)
    }
}

/// A flow as stored; `flow.status` and `flow.version` are authoritative.
#[derive(Clone, Debug)]
pub struct StoredFlow {
    pub flow: Flow,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

/// What the collector knows about one user.
#[derive(Clone, Debug, Default)]
pub struct UserState {
    pub traits: Map<String, Value>,
    pub progress: UserProgress,
}

impl UserState {
    /// Folds newly stored events in: identify merges traits, lifecycle events move progress.
    /// Returns whether anything changed.
    pub fn absorb<'a>(&mut self, events: impl IntoIterator<Item = &'a NewEvent>) -> bool {
        let mut changed = false;
        for event in events {
            if event.kind == EventKind::Identify && !event.traits.is_empty() {
                self.traits.extend(event.traits.clone());
                changed = true;
            }
            if let Some(lifecycle) = &event.lifecycle {
                self.progress.apply(lifecycle);
                changed = true;
            }
        }
        changed
    }
}

/// One validated event ready to store.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub message_id: String,
    pub kind: EventKind,
    pub name: Option<String>,
    pub properties: Map<String, Value>,
    pub traits: Map<String, Value>,
    pub group_id: Option<String>,
    pub url: Option<String>,
    pub client_ts: i64,
    pub lifecycle: Option<LifecycleEvent>,
}

impl NewEvent {
    /// The lifecycle columns used by funnels: `(flow_id, step_index)`.
    fn funnel_keys(&self) -> (Option<&str>, Option<i64>) {
        let step_index = self.properties.get("step_index").and_then(Value::as_i64);
        (
            self.lifecycle.as_ref().map(LifecycleEvent::flow_id),
            self.lifecycle.as_ref().and(step_index),
        )
    }
}

/// A batch from one user, every event already validated and distinct by `message_id`.
#[derive(Debug)]
pub struct IngestBatch {
    pub app_id: String,
    pub user_id: String,
    pub received_at: i64,
    pub events: Vec<NewEvent>,
}

#[derive(Debug)]
pub struct IngestOutcome {
    /// Events stored now; the rest of the batch had been stored before.
    pub accepted: u32,
    pub progress: UserProgress,
    /// The user's traits after the batch (identify merged in).
    pub traits: Map<String, Value>,
}

/// Distinct users per lifecycle event name (and step index, for step events) of one flow.
#[derive(Debug)]
pub struct FunnelRow {
    pub name: String,
    pub step_index: Option<i64>,
    pub users: i64,
}

/// An event as listed to admins.
#[derive(Serialize, Debug)]
pub struct StoredEvent {
    pub message_id: String,
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub name: Option<String>,
    pub properties: Map<String, Value>,
    pub timestamp: i64,
    pub received_at: i64,
}

/// A saved, reusable audience rule.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    pub id: String,
    pub name: String,
    pub rule: Rule,
    /// Milliseconds since the Unix epoch, set by the store; accepted and ignored on input so a
    /// fetched segment can be sent back as it is.
    #[serde(default)]
    pub updated_at: i64,
}

/// One tracked event, as audience rules count them.
#[derive(Debug)]
pub struct TrackedEvent {
    pub user_id: String,
    pub name: String,
    /// The sender's time (ms), which is when the user did it even if the batch came later.
    pub timestamp: i64,
}

/// One `group` event, in arrival order.
#[derive(Debug)]
pub struct GroupEvent {
    pub user_id: String,
    pub group_id: String,
    pub traits: Map<String, Value>,
}

/// A `flow_started` or `content_suppressed` of one user, in arrival order: what the admin's
/// eligibility view needs to tell a cool-down from a start.
#[derive(Debug)]
pub struct StartOrSuppression {
    pub flow_id: String,
    pub name: String,
    /// `content_suppressed`'s reason (`session_limit`, `cooldown`, …).
    pub reason: Option<String>,
}

/// Statements that read the same on SQLite and PostgreSQL. Both accept `$N` placeholders (SQLite
/// numbers them by first appearance, so each text uses them in order) and `->>` on JSON.
mod shared_sql {
    /// Distinct page URLs of one user, most recently visited first.
    pub const VISITED_URLS_BY_USER: &str = "SELECT user_id, url FROM events
         WHERE app_id = $1 AND type = 'page' AND url IS NOT NULL
         GROUP BY user_id, url ORDER BY user_id, MAX(seq) DESC";
    pub const VISITED_URLS: &str = "SELECT url FROM events
         WHERE app_id = $1 AND user_id = $2 AND type = 'page' AND url IS NOT NULL
         GROUP BY url ORDER BY MAX(seq) DESC LIMIT $3";
    /// Whether a user has a row or any event.
    pub const USER_KNOWN: &str =
        "SELECT EXISTS (SELECT 1 FROM users WHERE app_id = $1 AND user_id = $2)
           OR EXISTS (SELECT 1 FROM events WHERE app_id = $1 AND user_id = $2)";
    pub const STARTS_AND_SUPPRESSIONS: &str =
        "SELECT flow_id, name, properties ->> 'reason' FROM events
         WHERE app_id = $1 AND user_id = $2 AND flow_id IS NOT NULL
           AND name IN ('flow_started', 'content_suppressed')
         ORDER BY seq";
}

/// Each user's tracked event times by event name.
pub fn events_by_user(events: Vec<TrackedEvent>) -> HashMap<String, HashMap<String, Vec<i64>>> {
    let mut by_user: HashMap<String, HashMap<String, Vec<i64>>> = HashMap::new();
    for event in events {
        by_user
            .entry(event.user_id)
            .or_default()
            .entry(event.name)
            .or_default()
            .push(event.timestamp);
    }
    by_user
}

/// Each user's account traits: the user belongs to the account of their latest `group` call, and
/// an account's traits are every `group` call's traits for it merged in arrival order (any member
/// may update them).
pub fn account_traits_by_user(events: Vec<GroupEvent>) -> HashMap<String, Map<String, Value>> {
    let mut accounts: HashMap<String, Map<String, Value>> = HashMap::new();
    let mut membership: HashMap<String, String> = HashMap::new();
    for event in events {
        accounts
            .entry(event.group_id.clone())
            .or_default()
            .extend(event.traits);
        membership.insert(event.user_id, event.group_id);
    }
    membership
        .into_iter()
        .map(|(user_id, group_id)| {
            let traits = accounts.get(&group_id).cloned().unwrap_or_default();
            (user_id, traits)
        })
        .collect()
}

pub use accounts::{
    AccountStore, FeedbackEntry, MemberState, Note, NoteInput, PlanTask, ScaleAnswer, TagRule,
    TagRules, TaggedItem, TaskInput, TimelineEvent,
};
pub use surveys::{StoredAnswer, SurveyStore, Window};

#[async_trait]
pub trait Store: SurveyStore + AccountStore + Send + Sync {
    async fn upsert_app(&self, app: &App) -> anyhow::Result<()>;
    async fn apps(&self) -> anyhow::Result<Vec<App>>;

    async fn flows(&self, app_id: &str) -> anyhow::Result<Vec<StoredFlow>>;
    async fn published_flows(&self, app_id: &str) -> anyhow::Result<Vec<Flow>>;
    async fn flow(&self, app_id: &str, id: &str) -> anyhow::Result<Option<StoredFlow>>;
    /// Stores a new flow; `None` when one with that id exists already.
    async fn create_flow(&self, app_id: &str, flow: &Flow) -> anyhow::Result<Option<StoredFlow>>;
    /// Stores a flow, replacing any with the same id.
    async fn save_flow(&self, app_id: &str, flow: &Flow) -> anyhow::Result<StoredFlow>;

    async fn user(&self, app_id: &str, user_id: &str) -> anyhow::Result<UserState>;
    /// Stores the events not seen before and folds them into the user, atomically.
    async fn ingest(&self, batch: &IngestBatch) -> anyhow::Result<IngestOutcome>;

    async fn funnel(&self, app_id: &str, flow_id: &str) -> anyhow::Result<Vec<FunnelRow>>;

    async fn segments(&self, app_id: &str) -> anyhow::Result<Vec<Segment>>;
    async fn segment(&self, app_id: &str, id: &str) -> anyhow::Result<Option<Segment>>;
    /// Stores a new segment; `None` when one with that id exists already.
    async fn create_segment(
        &self,
        app_id: &str,
        segment: &Segment,
    ) -> anyhow::Result<Option<Segment>>;
    async fn save_segment(&self, app_id: &str, segment: &Segment) -> anyhow::Result<Segment>;
    /// Whether there was such a segment.
    async fn delete_segment(&self, app_id: &str, id: &str) -> anyhow::Result<bool>;

    /// Tracked events with one of these names, of one user or of every user when `user_id` is
    /// `None`. Only the names rules ask about are read, however busy the user is otherwise.
    async fn tracked_events(
        &self,
        app_id: &str,
        user_id: Option<&str>,
        names: &[String],
    ) -> anyhow::Result<Vec<TrackedEvent>>;
    /// `group` events in arrival order: for one user, every event of the account they joined
    /// last (sent by any member); for `None`, all of them.
    async fn group_events(
        &self,
        app_id: &str,
        user_id: Option<&str>,
    ) -> anyhow::Result<Vec<GroupEvent>>;
    /// Every user id with its traits, including users known only from their events.
    async fn users(&self, app_id: &str) -> anyhow::Result<Vec<(String, UserState)>>;

    /// The app's settings; `None` until they are first saved.
    async fn settings(&self, app_id: &str) -> anyhow::Result<Option<AppSettings>>;
    async fn save_settings(&self, app_id: &str, settings: &AppSettings) -> anyhow::Result<()>;

    /// The distinct URLs of the user's `page` events, most recent first, at most `limit`.
    async fn visited_urls(
        &self,
        app_id: &str,
        user_id: &str,
        limit: u32,
    ) -> anyhow::Result<Vec<String>>;
    /// Every user's distinct `page` URLs as `(user_id, url)`, each user's most recent first: the
    /// `visited` facts of a whole-app scan in one query.
    async fn visited_urls_by_user(&self, app_id: &str) -> anyhow::Result<Vec<(String, String)>>;
    /// Whether the collector has ever heard of this user (a stored row or any event).
    async fn user_known(&self, app_id: &str, user_id: &str) -> anyhow::Result<bool>;
    /// The user's `flow_started` and `content_suppressed` events, oldest first.
    async fn starts_and_suppressions(
        &self,
        app_id: &str,
        user_id: &str,
    ) -> anyhow::Result<Vec<StartOrSuppression>>;

    /// The latest `limit` events, oldest first.
    async fn events(
        &self,
        app_id: &str,
        user_id: Option<&str>,
        limit: u32,
    ) -> anyhow::Result<Vec<StoredEvent>>;
}

/// Opens the database named by the URL and brings its schema up to date.
pub async fn connect(url: &str) -> anyhow::Result<Arc<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Arc::new(
            PostgresStore::connect(url)
                .await
                .context("opening PostgreSQL")?,
        ))
    } else if url.starts_with("sqlite:") {
        Ok(Arc::new(
            SqliteStore::connect(url).await.context("opening SQLite")?,
        ))
    } else {
        anyhow::bail!("unsupported database URL {url:?}: use sqlite://… or postgres://…")
    }
}

/// Milliseconds since the Unix epoch, the one time unit stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or_default()
}

/// Reads a stored flow definition, letting the status and version columns win.
fn decode_flow(definition: &str, status: &str, version: i64) -> anyhow::Result<Flow> {
    let mut flow: Flow = serde_json::from_str(definition).context("stored flow definition")?;
    flow.status =
        serde_json::from_value(Value::String(status.into())).context("stored flow status")?;
    flow.version = u32::try_from(version).context("stored flow version")?;
    Ok(flow)
}

/// Powers of two up to `max` whose sum is `len`, largest first: batches are inserted in chunks of
/// these sizes, so a handful of prepared statements serve every batch size.
fn chunk_sizes(mut len: usize, max: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    while len >= max {
        sizes.push(max);
        len -= max;
    }
    let mut size = max;
    while len > 0 {
        size /= 2;
        if len >= size {
            sizes.push(size);
            len -= size;
        }
    }
    sizes
}

#[cfg(test)]
mod tests {
    use super::chunk_sizes;

    #[test]
    fn chunks_cover_the_batch() {
        for (len, expected) in [
            (0, vec![]),
            (1, vec![1]),
            (128, vec![128]),
            (300, vec![128, 128, 32, 8, 4]),
            (127, vec![64, 32, 16, 8, 4, 2, 1]),
        ] {
            assert_eq!(chunk_sizes(len, 128), expected, "{len}");
        }
    }
}
