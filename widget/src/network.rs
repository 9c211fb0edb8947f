//! All of the widget's network and storage IO: boot requests, the persistent event queue in
//! localStorage, batched delivery with retries, and the `pagehide` beacon.

use engine::fatigue::SessionLog;
use engine::flow::Flow;
use engine::progress::{LifecycleEvent, UserProgress};
use engine::settings::ClientSettings;
use engine::wire::{EventKind, WireEvent};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::codec;
use crate::{now_ms, with_app};

/// Flush once this many events wait, without waiting for the timer.
const FLUSH_AT: usize = 20;
/// Flush at least this often while events wait.
const FLUSH_EVERY_MS: f64 = 1000.0;
/// At most this many events per request (the collector takes up to 500).
const MAX_BATCH: usize = 100;
/// `navigator.sendBeacon` refuses bodies much above 64 KiB.
const BEACON_LIMIT: usize = 60 * 1024;

/// One queued event and who it belongs to; stored as `{"u": user, "l": url, "e": event}`.
#[derive(Clone)]
struct Queued {
    user_id: String,
    url: Option<String>,
    event: WireEvent,
}

impl Queued {
    fn to_json(&self) -> Value {
        let mut object = Map::new();
        object.insert("u".into(), Value::from(self.user_id.as_str()));
        if let Some(url) = &self.url {
            object.insert("l".into(), Value::from(url.as_str()));
        }
        object.insert("e".into(), codec::wire_event(&self.event));
        Value::Object(object)
    }

    fn from_json(value: &Value) -> Option<Queued> {
        let object = value.as_object()?;
        Some(Queued {
            user_id: object.get("u")?.as_str()?.to_string(),
            url: object.get("l").and_then(Value::as_str).map(str::to_string),
            event: codec::wire_event_from(object.get("e")?)?,
        })
    }
}

/// What `GET /v1/boot` answers (`engine::wire::BootResponse`), as far as the widget uses it.
pub(crate) struct Boot {
    pub flows: Vec<Flow>,
    pub progress: UserProgress,
    pub traits: Map<String, Value>,
    pub settings: ClientSettings,
    /// When the user was last asked each survey (`engine::wire::BootResponse::asked`).
    pub asked: Vec<(String, i64)>,
}

/// A batch ready to send: the body of `POST /v1/batch` (`engine::wire::Batch`) and its ids.
struct Outgoing {
    body: String,
    user_id: String,
    ids: Vec<String>,
}

/// A boot request, built while the state is borrowed and sent after.
pub(crate) struct BootRequest {
    url: String,
}

/// The event queue and delivery state.
pub(crate) struct Net {
    host: String,
    write_key: String,
    /// Used when localStorage is unavailable (or full).
    memory: Vec<Queued>,
    in_flight: bool,
    failures: u32,
    next_attempt_at: f64,
    last_flush: f64,
    /// Some batch has been answered (and so has left the queue) on this page.
    delivered: bool,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn storage_get(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

fn storage_set(key: &str, value: &str) -> bool {
    storage().is_some_and(|storage| storage.set_item(key, value).is_ok())
}

fn session_key(user_id: &str) -> String {
    ["waymark:session:", user_id].concat()
}

/// The user's fatigue session log (`engine::fatigue::SessionLog`, as serde writes it).
pub(crate) fn session_log(user_id: &str) -> SessionLog {
    storage_get(&session_key(user_id))
        .and_then(|text| codec::parse(&text))
        .map(|value| codec::session_log(&value))
        .unwrap_or_default()
}

pub(crate) fn store_session_log(user_id: &str, log: &SessionLog) {
    storage_set(
        &session_key(user_id),
        &codec::stringify(&codec::session_log_json(log)),
    );
}

/// `navigator.languages`, most preferred first, joined with commas.
fn languages() -> String {
    web_sys::window()
        .map(|window| String::from(window.navigator().languages().join(",")))
        .unwrap_or_default()
}

/// A random UUID v4: `crypto.randomUUID()` where available (secure contexts), else built from
/// `crypto.getRandomValues`.
pub(crate) fn message_id() -> String {
    let crypto = web_sys::window().and_then(|window| window.crypto().ok());
    let Some(crypto) = crypto else {
        return fallback_id();
    };
    let has_uuid = js_sys::Reflect::get(&crypto, &JsValue::from_str("randomUUID"))
        .is_ok_and(|f| f.is_function());
    if has_uuid {
        return crypto.random_uuid();
    }
    let mut bytes = [0u8; 16];
    if crypto.get_random_values_with_u8_array(&mut bytes).is_err() {
        return fallback_id();
    }
    format_uuid(bytes)
}

fn fallback_id() -> String {
    let mut bytes = [0u8; 16];
    for byte in bytes.iter_mut() {
        *byte = (js_sys::Math::random() * 256.0) as u8;
    }
    format_uuid(bytes)
}

fn format_uuid(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Exponential backoff with jitter: 1 s, 2 s, 4 s … capped at 30 s.
pub(crate) fn backoff_ms(failures: u32) -> f64 {
    let base = 1000.0 * 2f64.powi(failures.saturating_sub(1).min(5) as i32);
    base.min(30_000.0) * (0.75 + js_sys::Math::random() * 0.5)
}

fn encode(text: &str) -> String {
    String::from(js_sys::encode_uri_component(text))
}

impl Net {
    pub(crate) fn new(host: String, write_key: String) -> Self {
        Net {
            host: host.trim_end_matches('/').to_string(),
            write_key,
            memory: Vec::new(),
            in_flight: false,
            failures: 0,
            next_attempt_at: 0.0,
            last_flush: 0.0,
            delivered: false,
        }
    }

    fn queue_key(&self) -> String {
        format!("waymark:queue:{}", self.write_key)
    }

    fn user_key(&self) -> String {
        format!("waymark:user:{}", self.write_key)
    }

    /// The remembered user: the last identified one, or a persisted anonymous id.
    pub(crate) fn stored_user_id(&self) -> String {
        match storage_get(&self.user_key()) {
            Some(user) if !user.is_empty() => user,
            _ => self.new_anonymous_id(),
        }
    }

    pub(crate) fn store_user_id(&self, user_id: &str) {
        storage_set(&self.user_key(), user_id);
    }

    /// A fresh anonymous id, remembered for the next page load.
    pub(crate) fn new_anonymous_id(&self) -> String {
        let id = format!("anon-{}", message_id());
        self.store_user_id(&id);
        id
    }

    fn load(&self) -> Vec<Queued> {
        let mut queue: Vec<Queued> =
            match storage_get(&self.queue_key()).and_then(|text| codec::parse(&text)) {
                Some(Value::Array(items)) => items.iter().filter_map(Queued::from_json).collect(),
                _ => Vec::new(),
            };
        for item in &self.memory {
            if !queue
                .iter()
                .any(|queued| queued.event.message_id == item.event.message_id)
            {
                queue.push(item.clone());
            }
        }
        queue
    }

    fn save(&mut self, queue: Vec<Queued>) {
        let text = codec::stringify(&Value::Array(queue.iter().map(Queued::to_json).collect()));
        if storage_set(&self.queue_key(), &text) {
            self.memory.clear();
        } else {
            self.memory = queue;
        }
    }

    /// Queues an event; it stays queued until the collector acknowledges it.
    pub(crate) fn enqueue(&mut self, user_id: &str, url: Option<String>, event: WireEvent) {
        let mut queue = self.load();
        queue.push(Queued {
            user_id: user_id.to_string(),
            url,
            event,
        });
        let full = queue.len() >= FLUSH_AT;
        self.save(queue);
        if full {
            self.flush();
        }
    }

    /// Lifecycle events of this user that the collector has not acknowledged yet.
    pub(crate) fn pending_lifecycle(&self, user_id: &str) -> Vec<LifecycleEvent> {
        self.load()
            .into_iter()
            .filter(|queued| queued.user_id == user_id && queued.event.kind == EventKind::Track)
            .filter_map(|queued| {
                codec::lifecycle_from_track(queued.event.name.as_deref()?, &queued.event.properties)
            })
            .collect()
    }

    /// Boot carries the traits the page identified with, so a brand-new user's very first page
    /// can already be targeted by them (their `identify` event is only stored after boot).
    pub(crate) fn boot_request(
        &self,
        user_id: &str,
        url: &str,
        traits: &Map<String, Value>,
    ) -> BootRequest {
        let mut url = format!(
            "{}/v1/boot?write_key={}&user_id={}&url={}&locale={}",
            self.host,
            encode(&self.write_key),
            encode(user_id),
            encode(url),
            encode(&languages())
        );
        if !traits.is_empty() {
            url.push_str("&traits=");
            url.push_str(&encode(&codec::stringify(&Value::Object(traits.clone()))));
        }
        BootRequest { url }
    }

    /// Called by the tick: flushes when events wait and the timer or the count says so.
    pub(crate) fn tick(&mut self, booted: bool) {
        // While boot is in flight the queue's lifecycle events are still being replayed over
        // the server's progress, so hold them back to keep that replay exact.
        if booted && now_ms() - self.last_flush >= FLUSH_EVERY_MS {
            self.flush();
        }
    }

    /// The next batch: the oldest events (at most `limit`) that belong to the same user.
    fn next_batch(&self, limit: usize) -> Option<Outgoing> {
        let queue = self.load();
        let first = queue.first()?;
        let events: Vec<&Queued> = queue
            .iter()
            .take_while(|queued| queued.user_id == first.user_id)
            .take(limit)
            .collect();
        let mut batch = Map::new();
        batch.insert("write_key".into(), Value::from(self.write_key.as_str()));
        batch.insert("user_id".into(), Value::from(first.user_id.as_str()));
        batch.insert(
            "events".into(),
            Value::Array(
                events
                    .iter()
                    .map(|queued| codec::wire_event(&queued.event))
                    .collect(),
            ),
        );
        if let Some(url) = events.last().and_then(|queued| queued.url.as_deref()) {
            batch.insert("url".into(), Value::from(url));
        }
        Some(Outgoing {
            body: codec::stringify(&Value::Object(batch)),
            user_id: first.user_id.clone(),
            ids: events
                .iter()
                .map(|queued| queued.event.message_id.clone())
                .collect(),
        })
    }

    /// Sends the oldest waiting events now (unless a batch is in flight or backing off).
    pub(crate) fn flush(&mut self) {
        if self.in_flight || now_ms() < self.next_attempt_at {
            return;
        }
        self.last_flush = now_ms();
        let Some(Outgoing { body, user_id, ids }) = self.next_batch(MAX_BATCH) else {
            return;
        };
        self.in_flight = true;
        let url = format!("{}/v1/batch", self.host);
        wasm_bindgen_futures::spawn_local(async move {
            let (delivery, answer) = post(&url, &body).await;
            with_app(move |app| {
                app.net.delivered(&ids, delivery);
                // `progress.checklists` of the answer (`engine::wire::BatchResponse`).
                if let Some(Value::Object(progress)) = answer
                    .as_deref()
                    .and_then(codec::parse)
                    .as_mut()
                    .and_then(|answer| answer.as_object_mut()?.remove("progress"))
                {
                    app.batch_answered(&user_id, codec::checklists(&progress));
                }
            });
        });
    }

    pub(crate) fn delivered_any(&self) -> bool {
        self.delivered
    }

    fn delivered(&mut self, ids: &[String], delivery: Delivery) {
        self.in_flight = false;
        if delivery == Delivery::Refused {
            // The collector will never accept this batch (bad input, unknown key): keeping it would
            // block every later event behind it.
            crate::warn("the collector refused a batch of events; they were dropped");
        }
        if delivery != Delivery::Retry {
            self.delivered = true;
            self.failures = 0;
            self.next_attempt_at = 0.0;
            let queue: Vec<Queued> = self
                .load()
                .into_iter()
                .filter(|queued| !ids.contains(&queued.event.message_id))
                .collect();
            self.memory
                .retain(|queued| !ids.contains(&queued.event.message_id));
            self.save(queue);
            // More may be waiting: go on at the next tick.
            self.last_flush = 0.0;
        } else {
            self.failures += 1;
            self.next_attempt_at = now_ms() + backoff_ms(self.failures);
        }
    }

    /// Hands whatever is queued to `navigator.sendBeacon`. Nothing is removed: the collector
    /// drops the duplicates when the next page sends them again.
    pub(crate) fn beacon(&self) {
        let Some(window) = web_sys::window() else {
            return;
        };
        let mut limit = MAX_BATCH;
        let Some(mut batch) = self.next_batch(limit) else {
            return;
        };
        while batch.body.len() > BEACON_LIMIT && limit > 1 {
            limit /= 2;
            match self.next_batch(limit) {
                Some(smaller) => batch = smaller,
                None => return,
            }
        }
        let body = batch.body;
        let url = format!("{}/v1/batch", self.host);
        let _ = window
            .navigator()
            .send_beacon_with_opt_str(&url, Some(&body));
    }
}

/// Flushes through `sendBeacon` when the page goes away.
pub(crate) fn init_pagehide() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let handler = Closure::<dyn FnMut()>::new(|| with_app(|app| app.net.beacon()));
    let _ = window.add_event_listener_with_callback("pagehide", handler.as_ref().unchecked_ref());
    handler.forget();
}

/// How the collector answered a batch.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Delivery {
    /// Stored (2xx): the events leave the queue.
    Stored,
    /// Refused for good (a 4xx other than 408 or 429): retrying cannot help.
    Refused,
    /// Unreachable, overloaded or failing: try again later.
    Retry,
}

/// Whether a status means the same request would be refused again.
pub(crate) fn is_permanent_refusal(status: u16) -> bool {
    (400..500).contains(&status) && status != 408 && status != 429
}

async fn send(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str_and_init(url, init))
        .await
        .map_err(|_| "network error")?;
    Ok(response.dyn_into().map_err(|_| "not a response")?)
}

async fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<web_sys::Response, String> {
    let response = send(url, init).await?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    Ok(response)
}

/// `POST /v1/batch` as `text/plain`, which needs no CORS preflight; with the answer's text
/// when stored.
async fn post(url: &str, body: &str) -> (Delivery, Option<String>) {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_mode(web_sys::RequestMode::Cors);
    init.set_credentials(web_sys::RequestCredentials::Omit);
    init.set_body(&JsValue::from_str(body));
    if let Ok(headers) = web_sys::Headers::new() {
        let _ = headers.set("Content-Type", "text/plain;charset=UTF-8");
        init.set_headers(&headers);
    }
    match send(url, &init).await {
        Ok(response) if response.ok() => {
            let text = match response.text() {
                Ok(text) => JsFuture::from(text)
                    .await
                    .ok()
                    .and_then(|text| text.as_string()),
                Err(_) => None,
            };
            (Delivery::Stored, text)
        }
        Ok(response) if is_permanent_refusal(response.status()) => (Delivery::Refused, None),
        _ => (Delivery::Retry, None),
    }
}

/// `GET /v1/boot`, or the loader's earlier answer to it when that one succeeded.
pub(crate) async fn fetch_boot(
    request: BootRequest,
    prefetched: Option<js_sys::Promise>,
) -> Result<Boot, String> {
    let early = match prefetched {
        Some(answer) => JsFuture::from(answer)
            .await
            .ok()
            .and_then(|text| text.as_string()),
        None => None,
    };
    let text = match early {
        Some(text) => text,
        None => {
            let init = web_sys::RequestInit::new();
            init.set_method("GET");
            init.set_mode(web_sys::RequestMode::Cors);
            init.set_credentials(web_sys::RequestCredentials::Omit);
            let response = fetch(&request.url, &init).await?;
            let text = JsFuture::from(response.text().map_err(|_| "no body")?)
                .await
                .map_err(|_| "body read failed")?;
            text.as_string().unwrap_or_default()
        }
    };
    let value = codec::parse(&text).ok_or("boot response is not JSON")?;
    let object = value.as_object().ok_or("boot response is not an object")?;
    Ok(Boot {
        flows: object
            .get("flows")
            .and_then(Value::as_array)
            .map(|flows| flows.iter().filter_map(codec::flow).collect())
            .unwrap_or_default(),
        progress: object
            .get("progress")
            .map(codec::progress)
            .unwrap_or_default(),
        traits: object
            .get("traits")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default(),
        settings: codec::settings(object.get("settings")),
        asked: codec::asked(object.get("asked")),
    })
}

#[cfg(test)]
mod tests {
    use super::is_permanent_refusal;

    fn check(status: u16, permanent: bool) {
        assert_eq!(is_permanent_refusal(status), permanent, "HTTP {status}");
    }

    #[test]
    fn which_answers_drop_a_batch() {
        for (status, permanent) in [
            (400, true),
            (401, true),
            (403, true),
            (413, true),
            (408, false),
            (429, false),
            (500, false),
            (503, false),
            (200, false),
        ] {
            check(status, permanent);
        }
    }
}
