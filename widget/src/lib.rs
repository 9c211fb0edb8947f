//! Waymark's in-product widget: plays flows from the shared `engine` inside an isolated shadow
//! root, records what happens and sends it to the collector. `loader/loader.js` loads it and
//! forwards the `window.waymark` API calls to [`call`].

mod body;
mod codec;
mod dom;
mod nav;
mod network;
mod panels;
pub mod position;
mod question;
mod targets;
mod ui;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use engine::doc::Node;
use engine::flow::{Button, ButtonAction, Flow, FlowStatus, Frequency, StepKind, Trigger};
use engine::progress::{Context, Decision, LifecycleEvent, Signal, UserProgress, decide, react};
use engine::settings::ClientSettings;
use engine::wire::{EventKind, WireEvent};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;

use crate::network::Net;
use crate::ui::Card;

/// How often the housekeeping tick runs (target waiting, URL checks, flushing).
const TICK_MS: i32 = 200;

/// A deferred operation on the widget state.
type Op = Box<dyn FnOnce(&mut App)>;

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
    static PENDING: RefCell<VecDeque<Op>> = RefCell::new(VecDeque::new());
}

/// Runs `op` on the widget state. Calls that arrive while the state is busy (a host callback
/// calling back into the API, say) are queued and run right after, so nothing re-enters.
pub(crate) fn with_app(op: impl FnOnce(&mut App) + 'static) {
    PENDING.with(|pending| pending.borrow_mut().push_back(Box::new(op)));
    APP.with(|app| {
        let Ok(mut guard) = app.try_borrow_mut() else {
            return;
        };
        let Some(app) = guard.as_mut() else {
            return;
        };
        while let Some(next) = PENDING.with(|pending| pending.borrow_mut().pop_front()) {
            next(app);
        }
    });
}

/// Milliseconds since the epoch.
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// The current page URL.
pub(crate) fn current_url() -> String {
    web_sys::window()
        .and_then(|window| window.location().href().ok())
        .unwrap_or_default()
}

/// Flows and progress the engine works on: the live ones, or a local preview.
#[derive(Default)]
struct Model {
    flows: Vec<Flow>,
    progress: UserProgress,
}

/// What is on screen (or waiting for its target).
struct Shown {
    flow_id: String,
    step_index: usize,
    preview: bool,
    /// When the step started waiting for its target.
    waiting_since: Option<f64>,
    viewed: bool,
}

/// The whole widget state.
pub(crate) struct App {
    emit: js_sys::Function,
    net: Net,
    user_id: String,
    traits: Map<String, Value>,
    url: String,
    live: Model,
    preview: Option<Model>,
    /// Boot was asked for (by the loader, after the snippet's queue ran).
    started: bool,
    booted: bool,
    boot_generation: u32,
    boot_failures: u32,
    boot_retry_at: Option<f64>,
    /// Signals that need flows, held until boot answers.
    deferred: Vec<Signal>,
    /// The boot answer the loader fetched while the wasm loaded (see [`boot`]).
    prefetched: Option<js_sys::Promise>,
    shown: Option<Shown>,
    render_count: u32,
    /// Theme, fatigue budget, resource center and words, from the last boot.
    settings: ClientSettings,
    /// Live checklists: ambient, never the active flow, so kept out of the engine's flows.
    checklists: Vec<Flow>,
    /// Surveys asked less than their `reask_days` ago: kept out of automatic starts (the widget's
    /// clock decides, like the fatigue budget's) but still startable by `waymark.start`.
    held_surveys: Vec<Flow>,
    panels: Option<panels::PanelsHandle>,
    /// Flows whose automatic start was held back on this page view (`content_suppressed` once).
    suppressed: Vec<String>,
    /// Loaded with `previewOnly`: see [`start`].
    preview_only: bool,
}

/// Sets the widget up: called once by the loader before it replays the queued calls.
/// `preview_only` (the load option `previewOnly`) is for pages such as an admin that only
/// preview flows: nothing starts on its own, no panel shows and nothing is tracked.
#[wasm_bindgen]
pub fn start(host: String, write_key: String, emit: js_sys::Function, preview_only: bool) {
    let already = APP.with(|app| app.try_borrow().map(|app| app.is_some()).unwrap_or(true));
    if already {
        return;
    }
    let net = Net::new(host, write_key);
    let user_id = net.stored_user_id();
    let app = App {
        emit,
        preview_only,
        net,
        user_id,
        traits: Map::new(),
        url: current_url(),
        live: Model::default(),
        preview: None,
        started: false,
        booted: false,
        boot_generation: 0,
        boot_failures: 0,
        boot_retry_at: None,
        deferred: Vec::new(),
        held_surveys: Vec::new(),
        prefetched: None,
        shown: None,
        render_count: 0,
        settings: ClientSettings::default(),
        checklists: Vec::new(),
        panels: None,
        suppressed: Vec::new(),
    };
    APP.with(|slot| *slot.borrow_mut() = Some(app));
    ui::init();
    nav::init();
    network::init_pagehide();
    if let Some(window) = web_sys::window() {
        let tick = Closure::<dyn FnMut()>::new(|| with_app(App::tick));
        let _ = window.set_interval_with_callback_and_timeout_and_arguments_0(
            tick.as_ref().unchecked_ref(),
            TICK_MS,
        );
        tick.forget();
    }
}

/// Boots (loads flows and progress for the current user); called by the loader after the queue.
/// `answer` is the loader's own `GET /v1/boot` for this user and page, started while the wasm
/// loaded: it resolves to the response text, or null when that request failed.
#[wasm_bindgen]
pub fn boot(answer: Option<js_sys::Promise>) {
    with_app(move |app| {
        app.started = true;
        app.prefetched = answer;
        app.boot();
    });
}

/// One `window.waymark` API call. Never throws for bad input: it is ignored with a warning.
#[wasm_bindgen]
pub fn call(method: String, args: js_sys::Array) {
    let arg = |index: u32| args.get(index);
    match method.as_str() {
        "identify" => {
            let (user, traits) = (arg(0), object_arg(&arg(1)));
            let Some(user) = id_arg(&user) else {
                return warn("identify needs a user id");
            };
            with_app(move |app| app.identify(user, traits));
        }
        "group" => {
            let (group, traits) = (arg(0), object_arg(&arg(1)));
            let Some(group) = id_arg(&group) else {
                return warn("group needs an account id");
            };
            with_app(move |app| {
                let mut event = app.wire(EventKind::Group);
                event.group_id = Some(group);
                event.traits = traits;
                app.send(event);
            });
        }
        "track" => {
            let (name, properties) = (arg(0).as_string().unwrap_or_default(), object_arg(&arg(1)));
            if name.is_empty() {
                return warn("track needs an event name");
            }
            if engine::progress::LIFECYCLE_EVENT_NAMES.contains(&name.as_str()) {
                return warn("track: lifecycle event names are reserved");
            }
            with_app(move |app| {
                let mut event = app.wire(EventKind::Track);
                event.name = Some(name.clone());
                event.properties = properties;
                app.send(event);
                app.signal(Signal::Tracked { name });
                // The collector may complete a checklist item on this event: ask at once, so
                // the tick shows within a second.
                if !app.checklists.is_empty() {
                    app.net.flush();
                }
            });
        }
        "page" => with_app(|app| {
            app.url = current_url();
            app.suppressed.clear();
            let event = app.wire(EventKind::Page);
            app.send(event);
            let url = app.url.clone();
            app.signal(Signal::Page { url });
        }),
        "start" => {
            let Some(flow_id) = arg(0).as_string() else {
                return warn("start needs a flow id");
            };
            with_app(move |app| app.signal(Signal::Start { flow_id }));
        }
        "reset" => with_app(App::reset),
        "preview" => {
            let value = arg(0);
            let value = match value.as_string() {
                Some(text) => codec::parse(&text).unwrap_or(Value::Null),
                None => codec::from_js(&value),
            };
            match codec::flow(&value) {
                Some(flow) => with_app(move |app| app.preview(flow)),
                None => warn("preview: not a waymark.flow/v1 flow"),
            }
        }
        other => warn(&format!("unknown method {other}")),
    }
}

/// A copy of a checklist flow with what the panels use. The widget's flows never carry rules
/// or translations (the collector resolves them), so leaving them out keeps their clone code,
/// several kilobytes, out of the wasm.
fn checklist_copy(flow: &Flow) -> Flow {
    Flow {
        format: String::new(),
        id: flow.id.clone(),
        name: flow.name.clone(),
        version: flow.version,
        status: flow.status,
        trigger: engine::flow::Trigger::Manual,
        frequency: flow.frequency,
        priority: flow.priority,
        audience: None,
        requires: None,
        steps: Vec::new(),
        checklist: flow
            .checklist
            .as_ref()
            .map(|checklist| engine::checklist::Checklist {
                title: checklist.title.clone(),
                items: checklist
                    .items
                    .iter()
                    .map(|item| engine::checklist::ChecklistItem {
                        id: item.id.clone(),
                        title: item.title.clone(),
                        description: item.description.clone(),
                        done_when: None,
                        manual: item.manual,
                        launch_flow: item.launch_flow.clone(),
                        depends_on: item.depends_on.clone(),
                        requires: None,
                        locked: item.locked,
                    })
                    .collect(),
                badge: checklist.badge.clone(),
                open_on_first_show: checklist.open_on_first_show,
            }),
        replayable: flow.replayable,
        translations: std::collections::BTreeMap::new(),
        theme: flow.theme.clone(),
        survey: None,
    }
}

/// What the panels' controls do.
fn panel_actions() -> panels::PanelsActions {
    panels::PanelsActions {
        tick: Rc::new(|checklist_id, item_id| {
            with_app(move |app| app.tick_item(checklist_id, item_id))
        }),
        launch: Rc::new(|flow_id| with_app(move |app| app.signal(Signal::Start { flow_id }))),
        feedback: Rc::new(|| {
            with_app(|app| {
                let mut properties = Map::new();
                properties.insert("url".into(), Value::from(current_url()));
                let mut event = app.wire(EventKind::Track);
                event.name = Some("feedback_requested".into());
                event.properties = properties.clone();
                app.send(event);
                app.emit_event("feedback_requested", Value::Object(properties));
            })
        }),
        send_feedback: Rc::new(|category, text, include_page| {
            with_app(move |app| {
                let mut properties = Map::new();
                properties.insert("category".into(), Value::from(category));
                properties.insert("text".into(), Value::from(text));
                if include_page {
                    properties.insert("page_url".into(), Value::from(current_url()));
                }
                let mut event = app.wire(EventKind::Track);
                event.name = Some("feedback_submitted".into());
                event.properties = properties.clone();
                app.send(event);
                app.emit_event("feedback_submitted", Value::Object(properties));
            })
        }),
        checklist_opened: Rc::new(|checklist_id| {
            with_app(move |app| {
                let mut detail = Map::new();
                detail.insert("checklist_id".into(), Value::from(checklist_id));
                app.emit_event("checklist_opened", Value::Object(detail));
            })
        }),
    }
}

/// A user or account id: a non-empty string or a number.
fn id_arg(value: &JsValue) -> Option<String> {
    let text = match value.as_f64() {
        Some(_) => js_sys::Number::from(value.clone())
            .to_string_with_radix(10)
            .ok()?
            .into(),
        None => value.as_string()?,
    };
    let text = text.trim().to_string();
    (!text.is_empty()).then_some(text)
}

/// A plain object argument as JSON (anything else is an empty map).
fn object_arg(value: &JsValue) -> Map<String, Value> {
    if !value.is_object() {
        return Map::new();
    }
    match codec::from_js(value) {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(crate) fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("waymark: {message}")));
}

impl App {
    fn model(&self) -> &Model {
        self.preview.as_ref().unwrap_or(&self.live)
    }

    fn model_mut(&mut self) -> &mut Model {
        self.preview.as_mut().unwrap_or(&mut self.live)
    }

    /// A wire event of this kind, stamped now with a fresh id.
    fn wire(&self, kind: EventKind) -> WireEvent {
        WireEvent {
            message_id: network::message_id(),
            kind,
            name: None,
            properties: Map::new(),
            traits: Map::new(),
            group_id: None,
            url: Some(self.url.clone()),
            timestamp: now_ms() as i64,
        }
    }

    /// The `track` event carrying a lifecycle event, with `message_id` when given.
    fn send_lifecycle(&mut self, name: &str, properties: Map<String, Value>, id: Option<String>) {
        let mut wire = self.wire(EventKind::Track);
        wire.name = Some(name.to_string());
        wire.properties = properties;
        if let Some(id) = id {
            wire.message_id = id;
        }
        self.send(wire);
    }

    fn send(&mut self, event: WireEvent) {
        if self.preview_only {
            return;
        }
        let user = self.user_id.clone();
        let url = self.url.clone();
        self.net.enqueue(&user, Some(url), event);
    }

    fn boot(&mut self) {
        if !self.started {
            return;
        }
        self.booted = false;
        self.boot_retry_at = None;
        self.boot_generation += 1;
        let generation = self.boot_generation;
        let request = self
            .net
            .boot_request(&self.user_id, &self.url, &self.traits);
        let prefetched = self.prefetched.take();
        let early = prefetched.is_some();
        wasm_bindgen_futures::spawn_local(async move {
            let result = network::fetch_boot(request, prefetched).await;
            with_app(move |app| {
                if app.boot_generation != generation {
                    return;
                }
                match result {
                    // The prefetched answer predates the wasm; once a batch has left the queue
                    // it may lack events the queue no longer holds, so ask again.
                    Ok(_) if early && app.net.delivered_any() => app.boot(),
                    Ok(response) => app.booted(response),
                    Err(error) => {
                        app.boot_failures += 1;
                        let delay = network::backoff_ms(app.boot_failures);
                        warn(&format!("boot failed ({error}); retrying"));
                        app.boot_retry_at = Some(now_ms() + delay);
                    }
                }
            });
        });
    }

    fn booted(&mut self, response: network::Boot) {
        self.boot_failures = 0;
        self.booted = true;
        let mut traits = response.traits;
        traits.extend(std::mem::take(&mut self.traits));
        self.traits = traits;
        let mut progress = response.progress;
        for event in self.net.pending_lifecycle(&self.user_id) {
            progress.apply(&event);
        }
        // A survey due to be asked again starts afresh, whatever became of the last asking; one
        // asked too recently is held back.
        let now = now_ms() as i64;
        let mut flows = response.flows;
        self.held_surveys.clear();
        for (flow_id, asked) in response.asked {
            let Some(index) = flows.iter().position(|flow| flow.id == flow_id) else {
                continue;
            };
            let reask_days = flows[index]
                .survey
                .as_ref()
                .and_then(|survey| survey.reask_days);
            if progress.active.as_deref() == Some(flow_id.as_str()) {
                continue;
            }
            if engine::survey::reask_due(reask_days, Some(asked), now) {
                if let Some(entry) = progress.flows.get_mut(&flow_id) {
                    *entry = engine::progress::FlowProgress::default();
                }
            } else {
                self.held_surveys.push(flows.remove(index));
            }
        }
        let (checklists, flows) = flows
            .into_iter()
            .filter(engine::flow::is_live)
            .partition(|flow| flow.checklist.is_some());
        self.checklists = checklists;
        self.live = Model { flows, progress };
        self.settings = response.settings;
        ui::apply_settings(&self.settings);
        if self.preview_only {
            // Only the app's look is wanted from boot: previews render in it.
            self.live = Model::default();
            self.checklists.clear();
            self.held_surveys.clear();
            self.emit_event("ready", Value::Object(Map::new()));
            return;
        }
        if self.panels.is_none()
            && let Some(container) = ui::panels_container()
        {
            self.panels = Some(panels::mount_panels(&container, panel_actions()));
        }
        self.update_panels();
        self.url = current_url();
        let url = self.url.clone();
        self.signal(Signal::Page { url });
        for signal in std::mem::take(&mut self.deferred) {
            self.signal(signal);
        }
        self.refresh();
        self.emit_event("ready", Value::Object(Map::new()));
    }

    fn identify(&mut self, user: String, traits: Map<String, Value>) {
        if user != self.user_id {
            self.user_id = user.clone();
            self.net.store_user_id(&user);
            self.traits = traits.clone();
            self.live = Model::default();
            self.checklists.clear();
            self.deferred.clear();
            self.refresh();
            self.update_panels();
            self.boot();
        } else {
            self.traits.extend(traits.clone());
        }
        let mut event = self.wire(EventKind::Identify);
        event.traits = traits;
        self.send(event);
    }

    fn reset(&mut self) {
        self.user_id = self.net.new_anonymous_id();
        self.traits = Map::new();
        self.live = Model::default();
        self.checklists.clear();
        self.preview = None;
        self.deferred.clear();
        self.refresh();
        self.update_panels();
        self.boot();
    }

    fn preview(&mut self, mut flow: Flow) {
        flow.status = FlowStatus::Published;
        // Boot serves surveys with their standard wording filled in; the preview must match.
        engine::survey::fill_standard_wording(&mut flow);
        let flow_id = flow.id.clone();
        self.preview = Some(Model {
            flows: vec![flow],
            progress: UserProgress::default(),
        });
        self.signal(Signal::Start { flow_id });
    }

    /// Runs the engine on a signal, records the events it causes and updates the screen.
    fn signal(&mut self, signal: Signal) {
        let preview = self.preview.is_some();
        if !preview && !self.booted {
            if !matches!(
                signal,
                Signal::Button { .. } | Signal::TargetClicked | Signal::TargetMissing
            ) {
                self.deferred.push(signal);
            }
            return;
        }
        // `waymark.start` may start a held-back survey: it bypasses frequency.
        if let Signal::Start { flow_id } = &signal
            && let Some(index) = self
                .held_surveys
                .iter()
                .position(|flow| &flow.id == flow_id)
        {
            let flow = self.held_surveys.swap_remove(index);
            self.live.flows.push(flow);
        }
        let model = self.model();
        let mut events = react(&model.flows, &model.progress, &signal);
        if !preview && !matches!(signal, Signal::Start { .. }) {
            self.budget(&mut events);
        }
        for event in events {
            self.model_mut().progress.apply(&event);
            self.record(&event, preview);
            // A survey that has just been asked waits `reask_days` before it may be again.
            if let LifecycleEvent::FlowCompleted { flow_id }
            | LifecycleEvent::FlowDismissed { flow_id, .. } = &event
                && !preview
                && let Some(index) = self.live.flows.iter().position(|flow| {
                    &flow.id == flow_id
                        && flow
                            .survey
                            .as_ref()
                            .is_some_and(|survey| survey.reask_days.is_some())
                })
            {
                let flow = self.live.flows.remove(index);
                self.held_surveys.push(flow);
            }
        }
        if preview
            && self
                .preview
                .as_ref()
                .is_some_and(|model| model.progress.active.is_none())
        {
            self.preview = None;
        }
        self.refresh();
    }

    /// The fatigue budget: an automatic start (a trigger, or boot's first page) goes ahead only
    /// when the session log allows it; otherwise it is replaced by `content_suppressed`, once
    /// per flow and page view. Manual starts and resuming the active flow never get here.
    fn budget(&mut self, events: &mut Vec<LifecycleEvent>) {
        let Some(position) = events
            .iter()
            .position(|event| matches!(event, LifecycleEvent::FlowStarted { .. }))
        else {
            return;
        };
        let flow_id = events[position].flow_id().to_string();
        let flow = self.live.flows.iter().find(|flow| flow.id == flow_id);
        let every_session = flow.is_some_and(|flow| flow.frequency == Frequency::EverySession);
        // Content triggered by the task that just finished (CES right after it) follows at once.
        let follow_up = flow.is_some_and(|flow| {
            matches!(
                flow.trigger,
                Trigger::Completed { .. } | Trigger::StepCompleted { .. }
            )
        });
        let now = now_ms() as i64;
        let fatigue = self.settings.fatigue;
        let mut log = network::session_log(&self.user_id).current(&fatigue, now);
        let allowed = if follow_up {
            log.allows_follow_up(&fatigue)
        } else {
            log.allows(&fatigue, &flow_id, every_session, now)
        };
        match allowed {
            Ok(()) => log.record(&flow_id, now),
            Err(reason) => {
                events.remove(position);
                if !self.suppressed.contains(&flow_id) {
                    self.suppressed.push(flow_id.clone());
                    events.push(LifecycleEvent::ContentSuppressed { flow_id, reason });
                }
            }
        }
        network::store_session_log(&self.user_id, &log);
    }

    /// A manual checklist item ticked in the panel: recorded with the id the collector would
    /// give it (so it is never counted twice) and shown done at once.
    fn tick_item(&mut self, checklist_id: String, item_id: String) {
        let Some(checklist) = self
            .checklists
            .iter()
            .find(|flow| flow.id == checklist_id)
            .and_then(|flow| flow.checklist.as_ref())
        else {
            return;
        };
        let progress = self.live.progress.checklists.get(&checklist_id);
        let open = checklist.items.iter().any(|item| {
            item.id == item_id
                && item.manual
                && engine::checklist::item_available(checklist, item, progress)
                && progress.is_none_or(|progress| !progress.done.contains(&item_id))
        });
        if !open {
            return;
        }
        let id = ["wm:", &self.user_id, ":cl:", &checklist_id, ":", &item_id].concat();
        let event = LifecycleEvent::ChecklistItemCompleted {
            checklist_id,
            item_id,
            manual: true,
        };
        self.live.progress.apply(&event);
        self.record_as(&event, false, Some(id));
        self.net.flush();
        self.update_panels();
    }

    /// A batch was answered with the user's checklist progress: take it, with this page's
    /// unacknowledged ticks on top. Flow progress stays local (the engine here is ahead).
    pub(crate) fn batch_answered(
        &mut self,
        user_id: &str,
        checklists: std::collections::BTreeMap<String, engine::progress::ChecklistProgress>,
    ) {
        if user_id != self.user_id || !self.booted {
            return;
        }
        let mut progress = UserProgress {
            checklists,
            ..UserProgress::default()
        };
        for event in self.net.pending_lifecycle(&self.user_id) {
            if matches!(
                event,
                LifecycleEvent::ChecklistItemCompleted { .. }
                    | LifecycleEvent::ChecklistCompleted { .. }
                    | LifecycleEvent::BadgeEarned { .. }
            ) {
                progress.apply(&event);
            }
        }
        if progress.checklists != self.live.progress.checklists {
            let before = std::mem::replace(&mut self.live.progress.checklists, progress.checklists);
            self.announce_checklist_milestones(&before);
            self.update_panels();
            // Content triggered by a checklist's completion (a CES survey, say) starts now.
            let completed: Vec<String> = self
                .live
                .progress
                .checklists
                .iter()
                .filter(|(id, now)| {
                    now.completed && !before.get(*id).is_some_and(|earlier| earlier.completed)
                })
                .map(|(id, _)| id.clone())
                .collect();
            for flow_id in completed {
                self.signal(Signal::Completed { flow_id });
            }
        }
    }

    /// The collector records the milestones that conditions complete; the host still hears of
    /// each one through `on`, as it does for milestones recorded here.
    fn announce_checklist_milestones(
        &self,
        before: &std::collections::BTreeMap<String, engine::progress::ChecklistProgress>,
    ) {
        for (checklist_id, now) in &self.live.progress.checklists {
            let earlier = before.get(checklist_id);
            let mut milestones: Vec<LifecycleEvent> = now
                .done
                .iter()
                .filter(|item_id| earlier.is_none_or(|earlier| !earlier.done.contains(item_id)))
                .map(|item_id| LifecycleEvent::ChecklistItemCompleted {
                    checklist_id: checklist_id.clone(),
                    item_id: item_id.clone(),
                    manual: false,
                })
                .collect();
            if now.completed && !earlier.is_some_and(|earlier| earlier.completed) {
                milestones.push(LifecycleEvent::ChecklistCompleted {
                    checklist_id: checklist_id.clone(),
                });
            }
            if let Some(badge_id) = &now.badge
                && earlier.is_none_or(|earlier| earlier.badge.is_none())
            {
                milestones.push(LifecycleEvent::BadgeEarned {
                    checklist_id: checklist_id.clone(),
                    badge_id: badge_id.clone(),
                });
            }
            for milestone in milestones {
                let (name, properties) = codec::lifecycle_to_track(&milestone);
                self.emit_event(name, Value::Object(properties));
            }
        }
    }

    /// Gives the panels what they show now.
    fn update_panels(&self) {
        let Some(panels) = &self.panels else {
            return;
        };
        panels.update(panels::PanelsInput {
            checklists: self
                .checklists
                .iter()
                .map(|flow| {
                    let progress = self.live.progress.checklists.get(&flow.id).cloned();
                    (checklist_copy(flow), progress)
                })
                .collect(),
            replayable: self
                .live
                .flows
                .iter()
                .filter(|flow| flow.replayable)
                .map(|flow| (flow.id.clone(), flow.name.clone()))
                .collect(),
            settings: self.settings.clone(),
        });
    }

    /// Sends a lifecycle event (not in preview) and fires the host's `on` callbacks.
    fn record(&mut self, event: &LifecycleEvent, preview: bool) {
        self.record_as(event, preview, None);
    }

    fn record_as(&mut self, event: &LifecycleEvent, preview: bool, id: Option<String>) {
        let (name, properties) = codec::lifecycle_to_track(event);
        if !preview {
            self.send_lifecycle(name, properties.clone(), id);
        }
        let mut detail = properties;
        let flow = self
            .model()
            .flows
            .iter()
            .find(|flow| flow.id == event.flow_id());
        let index = match detail.get("step_index").and_then(Value::as_u64) {
            Some(index) => Some(index as usize),
            None => match event {
                LifecycleEvent::FlowStarted { .. } => Some(0),
                _ => flow.map(|flow| flow.steps.len().saturating_sub(1)),
            },
        };
        if let (Some(index), Some(flow)) = (index, flow) {
            detail.insert("step_index".into(), Value::from(index));
            if let Some(step) = flow.steps.get(index) {
                detail
                    .entry("step_id")
                    .or_insert_with(|| Value::String(step.id.clone()));
            }
        }
        self.emit_event(name, Value::Object(detail));
    }

    fn emit_event(&self, name: &str, detail: Value) {
        let detail = codec::to_js(&detail);
        let _ = self
            .emit
            .call2(&JsValue::NULL, &JsValue::from_str(name), &detail);
    }

    /// Shows what the engine decides, when it differs from what is shown.
    fn refresh(&mut self) {
        let preview = self.preview.is_some();
        let context = Context {
            url: self.url.clone(),
            traits: self.traits.clone(),
        };
        let model = self.model();
        let decision = decide(&model.flows, &model.progress, &context)
            .filter(|decision| decision.on_this_page);
        let same = match (&self.shown, &decision) {
            (Some(shown), Some(decision)) => {
                shown.flow_id == decision.flow_id
                    && shown.step_index == decision.step_index
                    && shown.preview == preview
            }
            (None, None) => true,
            _ => false,
        };
        if same {
            return;
        }
        let Some(decision) = decision else {
            self.shown = None;
            ui::hide(true);
            return;
        };
        ui::hide(false);
        self.shown = Some(Shown {
            flow_id: decision.flow_id.clone(),
            step_index: decision.step_index,
            preview,
            waiting_since: Some(now_ms()),
            viewed: false,
        });
        self.try_show(&decision);
    }

    fn card(&mut self, decision: &Decision, centred: bool) -> Option<Card> {
        let flow = self
            .model()
            .flows
            .iter()
            .find(|flow| flow.id == decision.flow_id)?;
        let step = flow.steps.get(decision.step_index)?;
        let render = |text: &str| engine::template::render(text, &self.traits);
        let body = if step.body_doc.is_empty() && !step.body.trim().is_empty() {
            vec![Node::El {
                tag: engine::doc::Tag::P,
                children: vec![Node::Text {
                    v: step.body.clone(),
                }],
                href: None,
            }]
        } else {
            step.body_doc.clone()
        };
        let strings = &self.settings.strings;
        let mut buttons = step.buttons.clone();
        // A hotspot is finished with "Got it", and so is a survey's thank-you step; give them
        // one when the author did not.
        if (step.kind == StepKind::Hotspot || (flow.survey.is_some() && step.question.is_none()))
            && !buttons
                .iter()
                .any(|button| button.action == ButtonAction::Next)
        {
            buttons.push(Button {
                action: ButtonAction::Next,
                label: strings.done.clone(),
                url: None,
            });
        }
        let title = render(&step.title);
        let card = Card {
            id: self.render_count + 1,
            flow_id: flow.id.clone(),
            step_id: step.id.clone(),
            kind: step.kind,
            centred_tooltip: centred,
            progress: strings
                .step_of
                .replace("{n}", &(decision.step_index + 1).to_string())
                .replace("{total}", &decision.total_steps.to_string()),
            close: strings.close.clone(),
            beacon_label: [strings.open_hint.as_str(), ": ", &title].concat(),
            title,
            body,
            traits: self.traits.clone(),
            buttons,
            index: decision.step_index,
            total: decision.total_steps,
            spotlight: step.spotlight,
            placement: step.placement,
            media: step.media.clone(),
            push: step.push,
            theme: flow.theme.clone(),
            rtl: false,
            // "Next" while a later step asks something, "Send" on the last question.
            answer_label: if flow.steps[decision.step_index + 1..]
                .iter()
                .any(|later| later.question.is_some())
            {
                strings.next.clone()
            } else {
                strings.send.clone()
            },
            question: step.question.clone(),
        };
        self.render_count += 1;
        Some(card)
    }

    /// Shows the decided step if it can be shown now (its target is there, or it needs none).
    fn try_show(&mut self, decision: &Decision) {
        let Some(shown) = &self.shown else {
            return;
        };
        let preview = shown.preview;
        let since = shown.waiting_since.unwrap_or_else(now_ms);
        let Some(flow) = self
            .model()
            .flows
            .iter()
            .find(|flow| flow.id == decision.flow_id)
        else {
            return;
        };
        let Some(step) = flow.steps.get(decision.step_index) else {
            return;
        };
        let (kind, selector, timeout) = (step.kind, step.target.clone(), step.target_timeout_ms);
        let needs_target = matches!(kind, StepKind::Tooltip | StepKind::Hotspot);
        let target = match &selector {
            Some(selector) if needs_target => targets::find(selector),
            _ => None,
        };
        if needs_target && target.is_none() {
            if preview {
                if let Some(card) = self.card(decision, true) {
                    self.mark_showing();
                    ui::show(card, None);
                }
            } else if now_ms() - since >= f64::from(timeout) {
                self.shown = None;
                self.signal(Signal::TargetMissing);
            }
            return;
        }
        if let Some(card) = self.card(decision, false) {
            self.mark_showing();
            ui::show(card, target);
            ui::set_selector(selector);
        }
    }

    fn mark_showing(&mut self) {
        if let Some(shown) = self.shown.as_mut() {
            shown.waiting_since = None;
        }
    }

    /// The UI reports a step became visible: record `step_viewed` once per showing.
    pub(crate) fn step_visible(&mut self, flow_id: &str, step_index: usize) {
        let preview = self.preview.is_some();
        let Some(shown) = self.shown.as_mut() else {
            return;
        };
        if shown.viewed || shown.flow_id != flow_id || shown.step_index != step_index {
            return;
        }
        shown.viewed = true;
        let Some(step) = self
            .model()
            .flows
            .iter()
            .find(|flow| flow.id == flow_id)
            .and_then(|flow| flow.steps.get(step_index))
        else {
            return;
        };
        let event = LifecycleEvent::StepViewed {
            flow_id: flow_id.to_string(),
            step_id: step.id.clone(),
            step_index,
        };
        self.model_mut().progress.apply(&event);
        self.record(&event, preview);
    }

    /// A button on the step (or a key standing for one).
    pub(crate) fn button(&mut self, action: ButtonAction, url: Option<String>) {
        self.signal(Signal::Button { action });
        if let (ButtonAction::Cta, Some(url)) = (action, url) {
            nav::open(&url);
        }
    }

    /// The user answered the current step's question.
    pub(crate) fn answer(&mut self, flow_id: String, step_id: String, answer: Value) {
        self.signal(Signal::Answer {
            flow_id,
            step_id,
            answer,
        });
    }

    /// The user clicked the current step's target.
    pub(crate) fn target_clicked(&mut self) {
        self.signal(Signal::TargetClicked);
    }

    /// The URL may have changed (history API, popstate, or the tick noticed).
    pub(crate) fn url_changed(&mut self) {
        let url = current_url();
        if url == self.url {
            return;
        }
        self.url = url.clone();
        self.suppressed.clear();
        self.signal(Signal::Page { url });
        self.refresh();
    }

    fn tick(&mut self) {
        self.url_changed();
        if self.boot_retry_at.is_some_and(|at| now_ms() >= at) {
            self.boot();
        }
        self.net.tick(self.booted);
        ui::keep_on_top();
        let Some(shown) = &self.shown else {
            return;
        };
        if shown.waiting_since.is_none() && ui::target_lost() {
            // The target went away (a re-render, a closed panel): wait for it again.
            ui::hide(false);
            if let Some(shown) = self.shown.as_mut() {
                shown.waiting_since = Some(now_ms());
            }
        }
        if self
            .shown
            .as_ref()
            .is_some_and(|shown| shown.waiting_since.is_some())
        {
            let context = Context {
                url: self.url.clone(),
                traits: self.traits.clone(),
            };
            let model = self.model();
            if let Some(decision) = decide(&model.flows, &model.progress, &context) {
                self.try_show(&decision);
            }
        }
    }
}
