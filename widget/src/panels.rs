//! Ambient panels: checklist launchers and panels, the completion celebration and the resource center.
//!
//! They never take the step engine's active slot; the app feeds them with [`PanelsHandle::update`]
//! and they report what the user does through [`PanelsActions`]. Everything sits in one fixed
//! "dock" at the resource center's corner, so launchers stack instead of overlapping.
//!
//! Built with the plain DOM helpers of `dom.rs` (see ARCHITECTURE.md on why there is no view
//! framework). A change rebuilds the dock's children and puts focus (and the search box's
//! caret) back where it was; typing in the search only toggles `hidden` on the article rows.

use std::cell::RefCell;
use std::rc::Rc;

use engine::checklist::{Checklist, ChecklistItem};
use engine::progress::ChecklistProgress;
use engine::settings::{ClientSettings, Corner};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Element, Event, HtmlElement, HtmlInputElement, KeyboardEvent};

use crate::dom::{add, add_button, flag, set};

/// What the panels show, given by the app on every change.
pub struct PanelsInput {
    /// Live checklists (flows carrying a `checklist`) and the user's progress through each.
    pub checklists: Vec<(engine::Flow, Option<ChecklistProgress>)>,
    /// Flows offered for replay in the resource center: (flow id, title).
    pub replayable: Vec<(String, String)>,
    pub settings: ClientSettings,
}

/// What the panels ask the app to do.
pub struct PanelsActions {
    /// The user ticked a manual item: (checklist id, item id).
    pub tick: Rc<dyn Fn(String, String)>,
    /// Start a flow ("Show me how", a guide in the resource center).
    pub launch: Rc<dyn Fn(String)>,
    /// The resource center's feedback form was opened.
    pub feedback: Rc<dyn Fn()>,
    /// The feedback form was sent: (category, text, whether to include the page's address).
    pub send_feedback: Rc<dyn Fn(String, String, bool)>,
    /// A checklist panel was opened (checklist id), by the user or on its first show.
    pub checklist_opened: Rc<dyn Fn(String)>,
}

/// Styles of the panels, appended to the shadow stylesheet. Logical properties only, so a
/// `dir="rtl"` root mirrors everything.
pub const PANELS_CSS: &str = concat!(
    ".wm-dock{position:fixed;z-index:2147483646;inset-block-end:16px;inset-inline-end:16px;display:flex;flex-direction:column;align-items:flex-end;gap:8px;max-block-size:calc(100vh - 32px);pointer-events:none;font-size:14px;line-height:1.45;font-family:var(--wm-font,system-ui,sans-serif);color:var(--wm-text);text-align:start}",
    ".wm-dock[data-position$=left]{inset-inline:16px auto;align-items:flex-start}",
    ".wm-dock[data-position^=top]{inset-block:16px auto}",
    ".wm-dock>*{pointer-events:auto}",
    ".wm-dock [hidden],.wm-dock span:empty:not(.wm-check),.wm-acts:not(:has(button)){display:none!important}",
    ".wm-dock :focus-visible{outline:2px solid var(--wm-accent);outline-offset:2px}",
    ".wm-dock [tabindex=\"-1\"]:focus:not(:focus-visible){outline:none}",
    ".wm-dock button{font:inherit;color:inherit;cursor:pointer}",
    ".wm-panel{order:-1;inline-size:min(360px,calc(100vw - 32px));max-block-size:min(560px,calc(100vh - 140px));overflow:auto;padding:16px;background:var(--wm-bg);border:1px solid var(--wm-border);border-radius:var(--wm-radius);box-shadow:var(--wm-shadow)}",
    ".wm-cel{order:-2}",
    "[data-position^=top]>.wm-panel{order:1}[data-position^=top]>.wm-cel{order:2}",
    ".wm-launch{display:inline-flex;align-items:center;gap:8px;max-inline-size:min(320px,calc(100vw - 32px));min-block-size:40px;min-inline-size:40px;justify-content:center;padding:8px 14px;border:0;border-radius:999px;background:var(--wm-accent);color:var(--wm-accent-text)!important;font-weight:600!important;box-shadow:var(--wm-shadow)}",
    ".wm-launch>span:first-child{overflow:hidden;text-overflow:ellipsis;white-space:nowrap}",
    ".wm-help{padding:8px;font-size:18px!important;line-height:1}",
    "[data-waymark-checklist-count]{flex:none;padding:1px 8px;border-radius:999px;background:var(--wm-accent-text);color:var(--wm-accent);unicode-bidi:isolate}",
    ".wm-head{display:flex;align-items:flex-start;gap:8px;margin-block-end:8px}",
    ".wm-head h2{flex:1;margin:0;font-size:16px;line-height:1.35}",
    ".wm-x{flex:none;inline-size:28px;block-size:28px;margin-block-start:-4px;margin-inline-end:-6px;padding:0;border:0;border-radius:6px;background:none;font-size:20px!important;line-height:1}",
    ".wm-x:hover,.wm-row:hover{background:color-mix(in srgb,var(--wm-text) 8%,transparent)}",
    ".wm-badge{flex:none;padding:2px 8px;border-radius:999px;border:1px solid var(--wm-accent);font-size:12px}",
    "[data-waymark-checklist-progress]{display:flex;unicode-bidi:plaintext;align-items:center;gap:8px;margin-block-end:8px;color:var(--wm-muted);font-size:12px}",
    ".wm-dock progress{flex:1;block-size:6px;border:0;border-radius:3px;overflow:hidden;appearance:none;background:var(--wm-border)}",
    ".wm-dock progress::-webkit-progress-bar{background:var(--wm-border)}",
    ".wm-dock progress::-webkit-progress-value{background:var(--wm-accent)}",
    ".wm-dock progress::-moz-progress-bar{background:var(--wm-accent)}",
    ".wm-dock ul{list-style:none;margin:0;padding:0}",
    ".wm-items li{display:flex;gap:10px;padding-block:8px;border-block-start:1px solid var(--wm-border)}",
    ".wm-check{flex:none;display:inline-flex;align-items:center;justify-content:center;inline-size:20px;block-size:20px;border:2px solid var(--wm-border);border-radius:50%;font-size:12px;font-weight:700}",
    "[data-state=done] .wm-check{background:var(--wm-accent);border-color:var(--wm-accent);color:var(--wm-accent-text)}",
    "[data-state=done] .wm-check::after{content:\"\\2713\"}",
    "[data-state=done] .wm-t{text-decoration:line-through}",
    "[data-state=locked]{color:var(--wm-muted)}",
    ".wm-t{display:block;font-weight:600}",
    ".wm-d,.wm-lock,.wm-sum{display:block;color:var(--wm-muted);font-size:13px}",
    ".wm-acts{display:flex;flex-wrap:wrap;gap:6px;margin-block-start:6px}",
    ".wm-btn{min-block-size:30px;padding:4px 10px;border:1px solid var(--wm-border);border-radius:6px;background:var(--wm-bg);font-size:13px!important}",
    ".wm-btn.wm-primary{background:var(--wm-accent);border-color:var(--wm-accent);color:var(--wm-accent-text)!important}",
    ".wm-sr{position:absolute;inline-size:1px;block-size:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}",
    ".wm-panel h3{margin:12px 0 6px;font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--wm-muted)}",
    ".wm-row{display:flex;flex-direction:column;inline-size:100%;padding:6px 8px;border:0;border-radius:6px;background:none;text-align:start;color:inherit;text-decoration:none}",
    "a.wm-row{color:var(--wm-text);text-decoration:underline;text-decoration-color:var(--wm-border)}",
    ".wm-form fieldset{display:flex;flex-wrap:wrap;gap:6px;margin:0 0 10px;padding:0;border:0}",
    ".wm-form legend{margin-block-end:6px;font-weight:600}",
    ".wm-option{position:relative}",
    ".wm-option input,.option input{position:absolute;opacity:0;inset:0;margin:0}",
    ".wm-option span{display:inline-block;padding:4px 10px;border:1px solid var(--wm-border);border-radius:999px}",
    ".wm-option input:checked+span{background:var(--wm-accent);border-color:var(--wm-accent);color:var(--wm-accent-text)}",
    ".wm-option input:focus-visible+span{outline:2px solid var(--wm-accent);outline-offset:2px}",
    ".wm-check-row{display:flex;gap:8px;align-items:center;margin-block:6px;font-size:13px}",
    ".wm-btn:disabled{opacity:.55;cursor:not-allowed}",
    ".wm-panel [type=search],.wm-panel textarea{inline-size:100%;margin-block-end:6px;padding:6px 10px;border:1px solid var(--wm-border);border-radius:6px;background:var(--wm-bg);color:var(--wm-text);font:inherit}",
    ".wm-feedback{inline-size:100%;margin-block-start:12px}",
    ".wm-cel{position:relative;display:flex;align-items:center;gap:10px;padding:12px 14px;background:var(--wm-bg);border:1px solid var(--wm-accent);border-radius:var(--wm-radius);box-shadow:var(--wm-shadow)}",
    ".wm-cel>span:first-child{font-size:24px}",
    ".wm-cel.animate{animation:wm-pop .5s cubic-bezier(.2,1.6,.4,1)}",
    ".wm-cel.animate::before{content:\"\";position:absolute;inset:-24px 0 auto;block-size:24px;pointer-events:none;background:radial-gradient(circle,#f43f5e 2px,transparent 3px) 0 0/18px 14px,radial-gradient(circle,#22c55e 2px,transparent 3px) 9px 5px/22px 12px,radial-gradient(circle,#3b82f6 2px,transparent 3px) 4px 9px/15px 16px;animation:wm-confetti 1.4s ease-out forwards}",
    "@keyframes wm-pop{from{transform:scale(.6);opacity:0}}",
    "@keyframes wm-confetti{from{transform:translateY(30px);opacity:1}to{transform:translateY(-30px);opacity:0}}",
    "@media (prefers-reduced-motion:reduce){.wm-cel,.wm-cel::before{animation:none!important}}",
);

/// How long the celebration stays before hiding itself.
const CELEBRATION_MS: i32 = 6000;
/// `localStorage` key prefix of a checklist's open state.
const OPEN_KEY: &str = "waymark:checklist-open:";
/// The attributes that identify a control across rebuilds (see [`focus_key`]).
const KEY_ATTRIBUTES: [&str; 14] = [
    "data-waymark-surface",
    "data-checklist-id",
    "data-item-id",
    "data-item-action",
    "data-action",
    "data-rc-checklist",
    "data-rc-launch",
    "data-rc-feedback",
    "data-rc-search",
    "data-article-id",
    "data-category",
    "data-feedback-text",
    "data-feedback-page",
    "data-feedback-send",
];
/// The feedback form's categories, as `feedback_submitted` carries them.
const CATEGORIES: [&str; 4] = ["bug", "idea", "question", "other"];

/// The resource center's feedback form, as filled in so far (kept across rebuilds).
#[derive(Default)]
struct FeedbackForm {
    category: String,
    text: String,
    leave_out_page: bool,
    sent: bool,
}

/// What the app last gave, in the form the renderer reads it.
#[derive(Default)]
struct Data {
    /// (flow id, checklist, the user's progress through it).
    lists: Vec<(String, Checklist, ChecklistProgress)>,
    settings: ClientSettings,
    /// Replayable flows: (flow id, title).
    guides: Vec<(String, String)>,
}

/// The dock, what it shows and what the user did with it.
struct Panels {
    /// The fixed corner holding the celebration, every launcher and open panel.
    dock: Element,
    data: Data,
    /// Ids of the checklists whose panel is open.
    open: Vec<String>,
    rc_open: bool,
    /// The article search as typed.
    search: String,
    /// The feedback form, while the resource center shows it instead of its lists.
    feedback: Option<FeedbackForm>,
    /// The celebration shown, kept across rebuilds so its animation plays once.
    celebration: Option<Element>,
    /// Sequence number of the latest celebration, so an old timer leaves a newer one alone.
    celebrations: u32,
    /// Whether each checklist seen on this page was completed, to celebrate only real transitions.
    seen: Vec<(String, bool)>,
    /// Checklists opened on their first show, reported once the app's call returns.
    first_open: Vec<String>,
    /// The dock's listeners as functions: the timer's and the microtask's are called later.
    listeners: Vec<js_sys::Function>,
}

/// The state and the app's callbacks, shared by the handle and the dock's listeners (leaked: the
/// panels live as long as the page). Callbacks are only called with `state` released: they may
/// call back into [`PanelsHandle::update`].
struct Shared {
    state: RefCell<Panels>,
    actions: PanelsActions,
}

/// A listener: for events on the dock the event, for the celebration timer its sequence number.
type Handler = fn(&'static Shared, &JsValue);

/// Updates the mounted panels.
#[derive(Clone)]
pub struct PanelsHandle(&'static Shared);

impl PanelsHandle {
    /// Shows `input` (the DOM is left alone when nothing it shows changed).
    pub fn update(&self, input: PanelsInput) {
        let shared = self.0;
        let mut state = shared.state.borrow_mut();
        let mut lists = Vec::new();
        for (flow, progress) in input.checklists {
            let Some(checklist) = flow.checklist else {
                continue;
            };
            let progress = progress.unwrap_or_default();
            let seen = match state.seen.iter_mut().find(|(id, _)| *id == flow.id) {
                Some((_, completed)) => Some(std::mem::replace(completed, progress.completed)),
                None => {
                    state.seen.push((flow.id.clone(), progress.completed));
                    None
                }
            };
            match seen {
                // First sight on this page: the remembered open state, else `open_on_first_show`.
                None => {
                    let stored = storage().and_then(|storage| {
                        storage.get_item(&[OPEN_KEY, &flow.id].concat()).ok()?
                    });
                    let open = match stored {
                        Some(open) => open == "1",
                        None => {
                            remember(&flow.id, checklist.open_on_first_show);
                            if checklist.open_on_first_show {
                                state.first_open.push(flow.id.clone());
                            }
                            checklist.open_on_first_show
                        }
                    };
                    if open {
                        state.open.push(flow.id.clone());
                    }
                }
                Some(false) if progress.completed => {
                    let strings = &input.settings.strings;
                    let (headline, name) = match &checklist.badge {
                        Some(badge) => (&strings.badge_earned, &badge.name),
                        None => (&strings.done, &checklist.title),
                    };
                    celebrate(&mut state, headline, name, &strings.close);
                }
                Some(_) => {}
            }
            lists.push((flow.id, checklist, progress));
        }
        let data = Data {
            lists,
            settings: input.settings,
            guides: input.replayable,
        };
        state.data = data;
        render(&state);
        if !state.first_open.is_empty()
            && let Some(window) = web_sys::window()
        {
            // After the app's current call returns: the callback calls back into the app.
            window.queue_microtask(&state.listeners[4]);
        }
    }
}

/// Mounts the panels in `container` (inside the widget's shadow root).
pub fn mount_panels(container: &HtmlElement, actions: PanelsActions) -> PanelsHandle {
    let dock = add(container, "div", "wm-dock", "");
    set(&dock, "role", "region");
    let shared: &'static Shared = Box::leak(Box::new(Shared {
        state: RefCell::new(Panels {
            dock: dock.clone(),
            data: Data::default(),
            open: Vec::new(),
            rc_open: false,
            search: String::new(),
            feedback: None,
            celebration: None,
            celebrations: 0,
            seen: Vec::new(),
            first_open: Vec::new(),
            listeners: Vec::new(),
        }),
        actions,
    }));
    // One closure type for everything: one listener per event type for the whole dock (controls
    // say what they do with their contract attributes: `data-item-action`, `data-rc-launch`, ...),
    // the celebration timer and the first-show report.
    let listeners: [(&str, Handler); 5] = [
        ("click", on_click),
        ("keydown", on_key),
        ("input", on_input),
        ("", on_timer),
        ("", report_first_open),
    ];
    for (name, handler) in listeners {
        let listener =
            Closure::<dyn Fn(JsValue)>::new(move |value: JsValue| handler(shared, &value))
                .into_js_value()
                .unchecked_into::<js_sys::Function>();
        if !name.is_empty() {
            let _ = dock.add_event_listener_with_callback(name, &listener);
        }
        shared.state.borrow_mut().listeners.push(listener);
    }
    render(&shared.state.borrow());
    PanelsHandle(shared)
}

/// Reports the checklists opened on their first show.
fn report_first_open(shared: &'static Shared, _: &JsValue) {
    let opened = std::mem::take(&mut shared.state.borrow_mut().first_open);
    for id in opened {
        (shared.actions.checklist_opened)(id);
    }
}

/// Hides the celebration `sequence` when it is still the one shown.
fn on_timer(shared: &'static Shared, sequence: &JsValue) {
    let mut state = shared.state.borrow_mut();
    if sequence.as_f64() == Some(f64::from(state.celebrations)) {
        hide_celebration(&mut state);
    }
}

/// Appends a header's close/minimise button: `data-action=ACTION`, an icon, labelled `label`.
fn add_close(parent: &Element, action: &str, icon: &str, label: &str) {
    let button = add_button(parent, "wm-x", "");
    set(&button, "data-action", action);
    set(&button, "aria-label", label);
    set(&add(&button, "span", "", icon), "aria-hidden", "true");
}

/// Shows the celebration for `name`, replacing any shown, and hides it after a while.
fn celebrate(state: &mut Panels, headline: &str, name: &str, close: &str) {
    hide_celebration(state);
    let dock = &state.dock;
    let class = if reduced_motion() {
        "wm-cel"
    } else {
        "wm-cel animate"
    };
    let card = add(dock, "div", class, "");
    let _ = dock.insert_before(&card, dock.first_child().as_ref());
    set(&card, "data-waymark-surface", "celebration");
    set(&card, "role", "status");
    set(&add(&card, "span", "", "★"), "aria-hidden", "true");
    let text = add(&card, "div", "", "");
    add(&text, "strong", "wm-t", headline);
    set(&add(&text, "span", "", name), "data-waymark-badge", "");
    add_close(&card, "close-celebration", "×", close);
    state.celebration = Some(card);
    state.celebrations += 1;
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_1(
            &state.listeners[3],
            CELEBRATION_MS,
            &JsValue::from(state.celebrations),
        );
    }
}

fn hide_celebration(state: &mut Panels) {
    if let Some(card) = state.celebration.take() {
        card.remove();
    }
}

/// Renders `state` aside and, when that differs from what the dock shows, swaps it in with
/// focus and the search caret kept where they were. Comparing the rendered nodes is cheaper in
/// wasm than comparing the app's input, and leaves the dock untouched when nothing visible changed.
fn render(state: &Panels) {
    let dock = &state.dock;
    let settings = &state.data.settings;
    let strings = &settings.strings;
    let center = &settings.resource_center;
    set(dock, "aria-label", &strings.help);
    set(dock, "data-position", corner_name(center.position));
    if let Some(card) = &state.celebration
        && let Some(close) = card.last_element_child()
    {
        set(&close, "aria-label", &strings.close);
    }
    let fresh = add(dock, "div", "", "");
    fresh.remove();
    for (id, checklist, progress) in &state.data.lists {
        render_checklist(state, &fresh, id, checklist, progress);
    }
    if center.enabled {
        render_center(state, &fresh);
    }

    // The dock's children but the celebration, which stays so its animation plays once.
    let mut shown = Vec::new();
    let mut child = dock.first_element_child();
    while let Some(element) = child {
        child = element.next_element_sibling();
        if state.celebration.as_ref() != Some(&element) {
            shown.push(element);
        }
    }
    let mut next = fresh.first_element_child();
    let mut same = shown.len() as u32 == fresh.child_element_count();
    for element in &shown {
        same = same && element.is_equal_node(next.as_ref().map(|next| next.as_ref()));
        next = next.and_then(|next| next.next_element_sibling());
    }
    if same {
        return;
    }

    let focused = dock.query_selector(":focus").ok().flatten();
    let key = focused.as_ref().map(|element| focus_key(dock, element));
    // The search box and the feedback text keep their caret (casts are unchecked: the dock builds
    // every node, and `selectionStart` reads the same on a text area).
    let caret = focused
        .filter(|element| {
            element.has_attribute("data-rc-search") || element.has_attribute("data-feedback-text")
        })
        .map(|element| {
            let input: &HtmlInputElement = element.unchecked_ref();
            (input.selection_start(), input.selection_end())
        });
    for element in shown {
        element.remove();
    }
    while let Some(element) = fresh.first_element_child() {
        let _ = dock.append_child(&element);
    }

    let Some(key) = key else {
        return;
    };
    let Ok(candidates) = dock.query_selector_all("*") else {
        return;
    };
    for index in 0..candidates.length() {
        let Some(element) = candidates.item(index) else {
            continue;
        };
        let element: &HtmlElement = element.unchecked_ref();
        if focus_key(dock, element) == key {
            let _ = element.focus();
            if let Some((Ok(Some(start)), Ok(Some(end)))) = caret {
                let input: &HtmlInputElement = element.unchecked_ref();
                let _ = input.set_selection_range(start, end);
            }
            return;
        }
    }
}

/// What identifies `element` across rebuilds: its tag and contract attributes, and those of
/// every element around it up to the dock.
fn focus_key(dock: &Element, element: &Element) -> String {
    let mut key = String::new();
    let mut current = Some(element.clone());
    while let Some(element) = current.filter(|element| element != dock) {
        key.push_str(&element.tag_name());
        for name in KEY_ATTRIBUTES {
            if let Some(value) = element.get_attribute(name) {
                key.push_str(name);
                key.push('=');
                key.push_str(&value);
                key.push(';');
            }
        }
        key.push('\n');
        current = element.parent_element();
    }
    key
}

/// One checklist: its launcher ("3/5") and, while open, its panel.
fn render_checklist(
    state: &Panels,
    dock: &Element,
    id: &str,
    checklist: &Checklist,
    progress: &ChecklistProgress,
) {
    let strings = &state.data.settings.strings;
    let open = state.open.iter().any(|other| other == id);
    let (done, total) = engine::checklist::counts(checklist, Some(progress));
    let launcher = add_button(dock, "wm-launch", "");
    set(&launcher, "data-waymark-surface", "checklist-launcher");
    set(&launcher, "data-checklist-id", id);
    set(&launcher, "aria-expanded", flag(open));
    add(&launcher, "span", "", &checklist.title);
    let count = [done.to_string(), total.to_string()].join("/");
    set(
        &add(&launcher, "span", "", &count),
        "data-waymark-checklist-count",
        "",
    );
    if !open {
        return;
    }
    let title_id = ["wm-cl-", id].concat();
    let panel = add(dock, "div", "wm-panel", "");
    set(&panel, "data-waymark-surface", "checklist");
    set(&panel, "data-checklist-id", id);
    set(&panel, "role", "dialog");
    set(&panel, "aria-labelledby", &title_id);
    set(&panel, "tabindex", "-1");
    let head = add(&panel, "div", "wm-head", "");
    set(&add(&head, "h2", "", &checklist.title), "id", &title_id);
    // Empty (hidden by the stylesheet) until earned; then it stays in the header.
    let earned = progress.completed || progress.badge.is_some();
    let badge = match &checklist.badge {
        Some(badge) if earned => badge.name.as_str(),
        _ => "",
    };
    add(&head, "span", "wm-badge", badge);
    add_close(&head, "minimise", "−", &strings.close);
    let row = add(&panel, "div", "", "");
    set(&row, "data-waymark-checklist-progress", "");
    add(&row, "span", "", &done_of(&strings.done_of, (done, total)));
    let bar = add(&row, "progress", "", "");
    let (done, total) = (done.to_string(), total.to_string());
    for (name, value) in [
        ("role", "progressbar"),
        ("aria-labelledby", &title_id),
        ("max", if total == "0" { "1" } else { &total }),
        ("value", &done),
        ("aria-valuemin", "0"),
        ("aria-valuemax", &total),
        ("aria-valuenow", &done),
    ] {
        set(&bar, name, value);
    }
    let list = add(&panel, "ul", "wm-items", "");
    for item in &checklist.items {
        let item_state = item_state(checklist, item, progress);
        let row = add(&list, "li", "", "");
        set(&row, "data-item-id", &item.id);
        set(&row, "data-state", item_state);
        set(&row, "tabindex", "-1");
        set(&add(&row, "span", "wm-check", ""), "aria-hidden", "true");
        let text = add(&row, "div", "", "");
        add(&text, "span", "wm-t", &item.title);
        add(&text, "span", "wm-d", &item.description);
        // Screen readers hear "Done"; everyone sees "Locked".
        let (status_class, status) = match item_state {
            "done" => ("wm-sr", strings.done.as_str()),
            "locked" => ("wm-lock", strings.locked.as_str()),
            _ => ("", ""),
        };
        add(&text, "span", status_class, status);
        let acts = add(&text, "div", "wm-acts", "");
        if item.manual && item_state == "open" {
            let tick = add_button(&acts, "wm-btn wm-primary", &strings.mark_done);
            set(&tick, "data-item-action", "tick");
        }
        if let Some(flow) = item
            .launch_flow
            .as_deref()
            .filter(|_| item_state != "locked")
        {
            let launch = add_button(&acts, "wm-btn", &strings.show_me_how);
            set(&launch, "data-item-action", "launch");
            set(&launch, "data-flow-id", flow);
        }
    }
}

/// The help launcher and its panel: checklists, guides to replay, searchable articles, feedback.
fn render_center(state: &Panels, dock: &Element) {
    let settings = &state.data.settings;
    let strings = &settings.strings;
    let center = &settings.resource_center;
    let launcher = add_button(dock, "wm-launch wm-help", "");
    set(&launcher, "data-waymark-surface", "resource-launcher");
    set(&launcher, "data-position", corner_name(center.position));
    set(&launcher, "aria-label", &strings.help);
    set(&launcher, "aria-expanded", flag(state.rc_open));
    set(&add(&launcher, "span", "", "?"), "aria-hidden", "true");
    if !state.rc_open {
        return;
    }
    let panel = add(dock, "div", "wm-panel", "");
    set(&panel, "data-waymark-surface", "resource-center");
    set(&panel, "role", "dialog");
    set(&panel, "aria-labelledby", "wm-rc-title");
    set(&panel, "tabindex", "-1");
    let head = add(&panel, "div", "wm-head", "");
    let title = match &state.feedback {
        Some(_) => &strings.send_feedback,
        None => &center.title,
    };
    set(&add(&head, "h2", "", title), "id", "wm-rc-title");
    add_close(&head, "close", "×", &strings.close);
    if let Some(form) = &state.feedback {
        render_feedback(&panel, strings, form);
        return;
    }

    let list = add_section(
        &panel,
        "checklists",
        &strings.checklists,
        state.data.lists.is_empty(),
    );
    let list = add(&list, "ul", "", "");
    for (id, checklist, progress) in &state.data.lists {
        let counts = engine::checklist::counts(checklist, Some(progress));
        let row = add_button(&add(&list, "li", "", ""), "wm-row", "");
        set(&row, "data-rc-checklist", id);
        set(&row, "data-checklist-id", id);
        add(&row, "span", "wm-t", &checklist.title);
        add(&row, "span", "wm-sum", &done_of(&strings.done_of, counts));
    }

    let list = add_section(
        &panel,
        "guides",
        &strings.guides,
        state.data.guides.is_empty(),
    );
    let list = add(&list, "ul", "", "");
    for (flow, title) in &state.data.guides {
        let row = add_button(&add(&list, "li", "", ""), "wm-row", title);
        set(&row, "data-rc-launch", flow);
    }

    let section = add_section(
        &panel,
        "articles",
        &strings.articles,
        center.articles.is_empty(),
    );
    let search = add(&section, "input", "", "");
    set(&search, "type", "search");
    set(&search, "data-rc-search", "");
    set(&search, "aria-label", &strings.search);
    set(&search, "placeholder", &strings.search);
    search
        .unchecked_ref::<HtmlInputElement>()
        .set_value(&state.search);
    let list = add(&section, "ul", "", "");
    for article in &center.articles {
        let row = add(&list, "li", "", "");
        set(&row, "data-article-id", &article.id);
        let link = add(&row, "a", "wm-row", "");
        let url = article.url.trim();
        let lower = url.to_ascii_lowercase();
        let external = lower.starts_with("https://") || lower.starts_with("http://");
        // Only web addresses and paths on the host: never `javascript:` and the like.
        if external || !lower.contains(':') {
            set(&link, "href", url);
        }
        if external {
            set(&link, "target", "_blank");
            set(&link, "rel", "noopener");
        }
        add(&link, "span", "wm-t", &article.title);
        add(&link, "span", "wm-sum", &article.summary);
    }
    filter_articles(state, dock);

    if center.feedback {
        let feedback = add_button(&panel, "wm-btn wm-feedback", &strings.send_feedback);
        set(&feedback, "data-rc-feedback", "");
    }
}

/// The feedback form (category, text, whether to include the page) or, once sent, the thanks.
fn render_feedback(panel: &Element, strings: &engine::i18n::UiStrings, form: &FeedbackForm) {
    let body = add(panel, "div", "wm-form", "");
    set(&body, "data-waymark-feedback-form", "");
    if form.sent {
        let thanks = add(&body, "p", "", &strings.feedback_thanks);
        set(&thanks, "role", "status");
        set(&thanks, "tabindex", "-1");
        set(&thanks, "data-feedback-thanks", "");
        return;
    }
    let group = add(&body, "fieldset", "", "");
    add(&group, "legend", "", &strings.feedback_kind);
    let labels = [
        &strings.feedback_bug,
        &strings.feedback_idea,
        &strings.feedback_question,
        &strings.feedback_other,
    ];
    for (category, label) in CATEGORIES.into_iter().zip(labels) {
        let option = add(&group, "label", "wm-option", "");
        let input = add(&option, "input", "", "");
        set(&input, "type", "radio");
        set(&input, "name", "wm-category");
        set(&input, "data-category", category);
        if form.category == category {
            set(&input, "checked", "");
        }
        add(&option, "span", "", label);
    }
    let label = add(&body, "label", "wm-t", &strings.feedback_text);
    let text = add(&label, "textarea", "", &form.text);
    set(&text, "data-feedback-text", "");
    set(&text, "maxlength", "2000");
    set(&text, "rows", "4");
    let page = add(&body, "label", "wm-check-row", "");
    let include = add(&page, "input", "", "");
    set(&include, "type", "checkbox");
    set(&include, "data-feedback-page", "");
    if !form.leave_out_page {
        set(&include, "checked", "");
    }
    add(&page, "span", "", &strings.feedback_include_page);
    let acts = add(&body, "div", "wm-acts", "");
    let send = add_button(&acts, "wm-btn wm-primary", &strings.send);
    set(&send, "data-feedback-send", "");
    if form.category.is_empty() || form.text.trim().is_empty() {
        set(&send, "disabled", "");
    }
    set(
        &add_button(&acts, "wm-btn", &strings.cancel),
        "data-feedback-cancel",
        "",
    );
}

/// Appends `<div data-rc-section=NAME><h3>HEADING</h3></div>`, hidden when `empty`.
fn add_section(panel: &Element, name: &str, heading: &str, empty: bool) -> Element {
    let section = add(panel, "div", "", "");
    set(&section, "data-rc-section", name);
    let _ = section.toggle_attribute_with_force("hidden", empty);
    add(&section, "h3", "", heading);
    section
}

/// Hides the articles whose title and summary do not contain the search (case-insensitive).
fn filter_articles(state: &Panels, root: &Element) {
    let query = lower(state.search.trim());
    let Ok(rows) = root.query_selector_all("li[data-article-id]") else {
        return;
    };
    let articles = &state.data.settings.resource_center.articles;
    for (index, article) in (0..).zip(articles) {
        if let Some(row) = rows.item(index) {
            let row: &Element = row.unchecked_ref();
            let haystack = lower(&[article.title.as_str(), " ", &article.summary].concat());
            let _ = row.toggle_attribute_with_force("hidden", !haystack.contains(&query));
        }
    }
}

fn corner_name(corner: Corner) -> &'static str {
    match corner {
        Corner::BottomRight => "bottom_right",
        Corner::BottomLeft => "bottom_left",
        Corner::TopRight => "top_right",
        Corner::TopLeft => "top_left",
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// Persists a checklist's open state across page loads.
fn remember(id: &str, open: bool) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(&[OPEN_KEY, id].concat(), if open { "1" } else { "0" });
    }
}

/// Opens (reported, focus moves in) or minimises (focus back on the launcher) a checklist panel.
fn set_open(shared: &Shared, id: String, open: bool, return_focus: bool) {
    remember(&id, open);
    {
        let mut state = shared.state.borrow_mut();
        state.open.retain(|other| *other != id);
        if open {
            state.open.push(id.clone());
        }
        render(&state);
        if open {
            focus(&state, &checklist_selector("checklist", &id, ""));
        } else if return_focus {
            focus(&state, &checklist_selector("checklist-launcher", &id, ""));
        }
    }
    if open {
        (shared.actions.checklist_opened)(id);
    }
}

/// `[data-waymark-surface=SURFACE][data-checklist-id="ID"]` then `rest` (ids are `[a-z0-9_-]`).
fn checklist_selector(surface: &str, id: &str, rest: &str) -> String {
    [
        "[data-waymark-surface=",
        surface,
        "][data-checklist-id=\"",
        id,
        "\"]",
        rest,
    ]
    .concat()
}

/// Focuses the dock's element matching `selector`.
fn focus(state: &Panels, selector: &str) {
    if let Some(element) = state.dock.query_selector(selector).ok().flatten() {
        let _ = element.unchecked_ref::<HtmlElement>().focus();
    }
}

/// Closes the resource center, focus back on its launcher when asked.
fn close_center(shared: &Shared, return_focus: bool) {
    let mut state = shared.state.borrow_mut();
    state.rc_open = false;
    state.search.clear();
    state.feedback = None;
    render(&state);
    if return_focus {
        focus(&state, "[data-waymark-surface=resource-launcher]");
    }
}

/// Lower case, by the browser: Rust's `to_lowercase` would add its Unicode tables to the wasm.
fn lower(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// "{n} of {total} done" with the numbers in.
fn done_of(template: &str, (done, total): (usize, usize)) -> String {
    template
        .replace("{n}", &done.to_string())
        .replace("{total}", &total.to_string())
}

/// `done`, `open` (can be done now) or `locked`.
fn item_state(
    checklist: &Checklist,
    item: &ChecklistItem,
    progress: &ChecklistProgress,
) -> &'static str {
    if progress.done.contains(&item.id) {
        "done"
    } else if engine::checklist::item_available(checklist, item, Some(progress)) {
        "open"
    } else {
        "locked"
    }
}

/// Whether the user asked the system for less motion.
fn reduced_motion() -> bool {
    web_sys::window()
        .and_then(|window| {
            window
                .match_media("(prefers-reduced-motion: reduce)")
                .ok()?
        })
        .is_some_and(|query| query.matches())
}

/// The closest element around `element` matching `selector` (itself included).
fn closest(element: &Element, selector: &str) -> Option<Element> {
    element.closest(selector).ok().flatten()
}

/// The element an event happened on (events on the dock always come from its elements).
fn target(event: &Event) -> Option<Element> {
    Some(event.target()?.unchecked_into())
}

/// Every click in the dock, delegated.
fn on_click(shared: &'static Shared, event: &JsValue) {
    let event: &Event = event.unchecked_ref();
    let Some(button) = target(event).and_then(|target| closest(&target, "button")) else {
        return;
    };
    let attribute = |name: &str| button.get_attribute(name);
    let checklist = closest(&button, "[data-checklist-id]")
        .and_then(|element| element.get_attribute("data-checklist-id"))
        .unwrap_or_default();
    let expanded = attribute("aria-expanded").as_deref() == Some("true");
    let actions = &shared.actions;
    if let Some(flow) = attribute("data-rc-launch") {
        close_center(shared, true);
        (actions.launch)(flow);
    } else if attribute("data-rc-feedback").is_some() {
        let mut state = shared.state.borrow_mut();
        state.feedback = Some(FeedbackForm::default());
        render(&state);
        focus(&state, "[data-category]");
        drop(state);
        (actions.feedback)();
    } else if attribute("data-feedback-cancel").is_some() {
        let mut state = shared.state.borrow_mut();
        state.feedback = None;
        render(&state);
        focus(&state, "[data-rc-feedback]");
    } else if attribute("data-feedback-send").is_some() {
        let mut state = shared.state.borrow_mut();
        let Some(form) = state.feedback.as_mut() else {
            return;
        };
        let sent = (
            form.category.clone(),
            form.text.trim().to_string(),
            !form.leave_out_page,
        );
        form.sent = true;
        render(&state);
        focus(&state, "[data-feedback-thanks]");
        drop(state);
        (actions.send_feedback)(sent.0, sent.1, sent.2);
    } else if let Some(id) = attribute("data-rc-checklist") {
        close_center(shared, false);
        set_open(shared, id, true, false);
    } else if let Some(action) = attribute("data-item-action") {
        if action == "launch" {
            set_open(shared, checklist, false, true);
            (actions.launch)(attribute("data-flow-id").unwrap_or_default());
        } else if let Some(item) =
            closest(&button, "li").and_then(|row| row.get_attribute("data-item-id"))
        {
            // The button goes once the tick lands: keep focus on the row.
            let row = [" li[data-item-id=\"", &item, "\"]"].concat();
            focus(
                &shared.state.borrow(),
                &checklist_selector("checklist", &checklist, &row),
            );
            (actions.tick)(checklist, item);
        }
    } else {
        match attribute("data-action")
            .or_else(|| attribute("data-waymark-surface"))
            .as_deref()
        {
            Some("minimise") => set_open(shared, checklist, false, true),
            Some("close") => close_center(shared, true),
            Some("close-celebration") => hide_celebration(&mut shared.state.borrow_mut()),
            Some("checklist-launcher") => set_open(shared, checklist, !expanded, false),
            Some("resource-launcher") if expanded => close_center(shared, false),
            Some("resource-launcher") => {
                let mut state = shared.state.borrow_mut();
                state.rc_open = true;
                render(&state);
                focus(&state, "[data-waymark-surface=resource-center]");
            }
            _ => {}
        }
    }
}

/// Esc in a panel minimises (checklist) or closes (resource center) it, focus back on its launcher.
fn on_key(shared: &'static Shared, event: &JsValue) {
    let event: &Event = event.unchecked_ref();
    let escape = event.unchecked_ref::<KeyboardEvent>().key() == "Escape";
    let Some(panel) = target(event)
        .and_then(|target| closest(&target, ".wm-panel"))
        .filter(|_| escape)
    else {
        return;
    };
    event.prevent_default();
    event.stop_propagation();
    match panel.get_attribute("data-checklist-id") {
        Some(id) => set_open(shared, id, false, true),
        None => close_center(shared, true),
    }
}

/// Typing in the article search filters the list in place: focus and caret stay put. The
/// feedback form's inputs only update what it remembers (and whether it can be sent).
fn on_input(shared: &'static Shared, event: &JsValue) {
    let event: &Event = event.unchecked_ref();
    let Some(input) = target(event) else {
        return;
    };
    let mut state = shared.state.borrow_mut();
    if let Some(form) = state.feedback.as_mut() {
        let field: &HtmlInputElement = input.unchecked_ref();
        if let Some(category) = input.get_attribute("data-category") {
            form.category = category;
        } else if input.has_attribute("data-feedback-page") {
            form.leave_out_page = !field.checked();
        } else {
            // The text area: `value` reads the same on both element types.
            form.text = field.value();
        }
        let ready = !form.category.is_empty() && !form.text.trim().is_empty();
        if let Some(send) = state
            .dock
            .query_selector("[data-feedback-send]")
            .ok()
            .flatten()
        {
            let _ = send.toggle_attribute_with_force("disabled", !ready);
        }
        return;
    }
    if !input.has_attribute("data-rc-search") {
        return;
    }
    state.search = input.unchecked_ref::<HtmlInputElement>().value();
    filter_articles(&state, &state.dock);
}
