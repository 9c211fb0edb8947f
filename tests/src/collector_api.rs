//! The collector's admin HTTP API as the tests use it: creating and publishing flows, and reading
//! back stored events and funnels to check what the widget really sent.

use anyhow::{Context, bail};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A client for `/v1/admin/*` with the admin key.
#[derive(Clone, Debug)]
pub struct CollectorAdminClient {
    base_url: String,
    admin_key: String,
    http: reqwest::Client,
}

/// One stored event, as `GET /v1/admin/events` returns it.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct StoredEvent {
    pub message_id: String,
    pub user_id: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub properties: Map<String, Value>,
    pub timestamp: i64,
}

impl StoredEvent {
    /// The `step_id` property of a lifecycle event.
    pub fn step_id(&self) -> Option<&str> {
        self.properties.get("step_id").and_then(Value::as_str)
    }

    /// The `flow_id` property of a lifecycle event.
    pub fn flow_id(&self) -> Option<&str> {
        self.property_text("flow_id")
    }

    /// A text property (`checklist_id`, `item_id`, `reason`, `url`, ...).
    pub fn property_text(&self, name: &str) -> Option<&str> {
        self.properties.get(name).and_then(Value::as_str)
    }

    /// Whether this is the `track` event `name`.
    pub fn is_track(&self, name: &str) -> bool {
        self.kind == "track" && self.name.as_deref() == Some(name)
    }
}

/// `GET /v1/admin/users/{user_id}/eligibility`: why each flow is (not) shown to one user.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct Eligibility {
    pub user_id: String,
    pub items: Vec<EligibilityItem>,
}

/// One flow's verdict for one user (docs/patterns.md, "Admin why").
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct EligibilityItem {
    pub flow_id: String,
    pub name: String,
    /// `tour`, `announcement`, `banner`, `hotspot` or `checklist`.
    pub kind: String,
    /// `eligible`, `active`, `completed` or `blocked`.
    pub status: String,
    /// A reason code such as `audience_not_matched` or `blocked_by_cooldown`.
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub detail: Option<String>,
}

impl Eligibility {
    /// The verdict on one flow.
    pub fn item(&self, flow_id: &str) -> Option<&EligibilityItem> {
        self.items.iter().find(|item| item.flow_id == flow_id)
    }
}

/// `GET /v1/admin/flows/{id}/funnel`.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct Funnel {
    pub flow_id: String,
    pub started: u64,
    pub completed: u64,
    pub dismissed: u64,
    pub steps: Vec<FunnelStep>,
}

/// One step row of a funnel (distinct users).
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct FunnelStep {
    pub step_id: String,
    pub step_index: usize,
    pub viewed: u64,
    pub completed: u64,
}

/// The most events one user can have in these tests; asked for explicitly so a default page size
/// never hides a duplicate.
const EVENTS_LIMIT: u32 = 1000;

impl CollectorAdminClient {
    pub fn new(base_url: &str, admin_key: &str) -> Self {
        CollectorAdminClient {
            base_url: base_url.to_string(),
            admin_key: admin_key.to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn send(&self, request: reqwest::RequestBuilder, what: &str) -> anyhow::Result<Value> {
        let response = request
            .bearer_auth(&self.admin_key)
            .send()
            .await
            .with_context(|| format!("{what}: request failed"))?;
        let status = response.status();
        let body = response
            .text()
            .await
            .with_context(|| format!("{what}: reading the body"))?;
        if !status.is_success() {
            bail!("{what}: the collector answered {status}: {body}");
        }
        serde_json::from_str(&body).with_context(|| format!("{what}: the body is not JSON: {body}"))
    }

    /// `POST /v1/admin/flows` (stored as a draft) then `POST /v1/admin/flows/{id}/publish`.
    pub async fn create_and_publish_flow(&self, flow: &Value) -> anyhow::Result<Value> {
        let flow_id = flow["id"]
            .as_str()
            .context("a flow needs an id")?
            .to_string();
        let create = self
            .http
            .post(format!("{}/v1/admin/flows", self.base_url))
            .json(flow);
        self.send(create, &format!("creating flow {flow_id}"))
            .await?;
        let publish = self.http.post(format!(
            "{}/v1/admin/flows/{flow_id}/publish",
            self.base_url
        ));
        self.send(publish, &format!("publishing flow {flow_id}"))
            .await
    }

    /// `GET /v1/admin/flows/{id}`, or `None` when the collector does not know the flow.
    pub async fn flow(&self, flow_id: &str) -> anyhow::Result<Option<Value>> {
        let response = self
            .http
            .get(format!("{}/v1/admin/flows/{flow_id}", self.base_url))
            .bearer_auth(&self.admin_key)
            .send()
            .await
            .with_context(|| format!("reading flow {flow_id}"))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let status = response.status();
        let body = response.text().await?;
        if !status.is_success() {
            bail!("reading flow {flow_id}: the collector answered {status}: {body}");
        }
        Ok(Some(serde_json::from_str(&body).with_context(|| {
            format!("flow {flow_id} is not JSON: {body}")
        })?))
    }

    /// `GET /v1/admin/flows` (summaries).
    pub async fn flows(&self) -> anyhow::Result<Vec<Value>> {
        let list = self
            .send(
                self.http.get(format!("{}/v1/admin/flows", self.base_url)),
                "listing flows",
            )
            .await?;
        serde_json::from_value(list).context("the flow list is not an array")
    }

    /// Every stored event of one user.
    pub async fn events_for_user(&self, user_id: &str) -> anyhow::Result<Vec<StoredEvent>> {
        let request = self
            .http
            .get(format!("{}/v1/admin/events", self.base_url))
            .query(&[("user_id", user_id), ("limit", &EVENTS_LIMIT.to_string())]);
        let events = self
            .send(request, &format!("reading the events of {user_id}"))
            .await?;
        serde_json::from_value(events)
            .with_context(|| format!("the events of {user_id} do not have the documented shape"))
    }

    /// `GET /v1/admin/settings`: the app's theme, fatigue budget and resource center.
    pub async fn settings(&self) -> anyhow::Result<Value> {
        self.send(
            self.http
                .get(format!("{}/v1/admin/settings", self.base_url)),
            "reading the app settings",
        )
        .await
    }

    /// `PUT /v1/admin/settings` with a whole `AppSettings` document; returns what was stored.
    pub async fn put_settings(&self, settings: &Value) -> anyhow::Result<Value> {
        let request = self
            .http
            .put(format!("{}/v1/admin/settings", self.base_url))
            .json(settings);
        self.send(request, "saving the app settings").await
    }

    /// Reads the settings, lets `change` edit them, and saves them: scenarios change only the part
    /// they are about and keep the collector's defaults for the rest.
    pub async fn change_settings(&self, change: impl FnOnce(&mut Value)) -> anyhow::Result<Value> {
        let mut settings = self.settings().await?;
        change(&mut settings);
        self.put_settings(&settings).await
    }

    /// `GET /v1/admin/users/{user_id}/eligibility?url=PAGE`.
    pub async fn eligibility(&self, user_id: &str, page: &str) -> anyhow::Result<Eligibility> {
        let request = self
            .http
            .get(format!(
                "{}/v1/admin/users/{user_id}/eligibility",
                self.base_url
            ))
            .query(&[("url", page)]);
        let answer = self
            .send(request, &format!("reading the eligibility of {user_id}"))
            .await?;
        serde_json::from_value(answer.clone()).with_context(|| {
            format!("the eligibility of {user_id} does not have the documented shape: {answer}")
        })
    }

    /// The funnel of one flow.
    pub async fn funnel(&self, flow_id: &str) -> anyhow::Result<Funnel> {
        let request = self
            .http
            .get(format!("{}/v1/admin/flows/{flow_id}/funnel", self.base_url));
        let funnel = self
            .send(request, &format!("reading the funnel of {flow_id}"))
            .await?;
        serde_json::from_value(funnel.clone()).with_context(|| {
            format!("the funnel of {flow_id} does not have the documented shape: {funnel}")
        })
    }
}

/// Sends an `identify` for `user_id` to the collector's public `POST /v1/batch`, as a product's
/// own server would (no browser, so no `Origin`): traits the demo host page does not set, such as
/// `locale`, are then known before the user's first page.
pub async fn identify_from_server(
    collector_origin: &str,
    write_key: &str,
    user_id: &str,
    traits: Value,
) -> anyhow::Result<()> {
    let timestamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_millis();
    let batch = serde_json::json!({
        "write_key": write_key,
        "user_id": user_id,
        "events": [{
            "message_id": format!("e2e-identify-{}", uuid::Uuid::new_v4()),
            "type": "identify",
            "traits": traits,
            "timestamp": timestamp,
        }],
    });
    let response = reqwest::Client::new()
        .post(format!("{collector_origin}/v1/batch"))
        .json(&batch)
        .send()
        .await
        .with_context(|| format!("identifying {user_id}: request failed"))?;
    let status = response.status();
    if !status.is_success() {
        bail!(
            "identifying {user_id}: the collector answered {status}: {}",
            response.text().await.unwrap_or_default()
        );
    }
    Ok(())
}
