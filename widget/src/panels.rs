//! Ambient panels: checklist launchers and panels, the completion celebration and the resource center.
//!
//! They never take the step engine's active slot; the app feeds them with [`PanelsHandle::update`]
//! and they report what the user does through [`PanelsActions`]. Everything sits in one fixed
//! "dock" at the resource center's corner, so launchers stack instead of overlapping.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Duration;

use engine::checklist::{Checklist, ChecklistItem};
use engine::i18n::UiStrings;
use engine::progress::ChecklistProgress;
use engine::settings::{ClientSettings, Corner};
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

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
    /// The resource center's feedback entry.
    pub feedback: Rc<dyn Fn()>,
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
    ".wm-panel input{inline-size:100%;margin-block-end:6px;padding:6px 10px;border:1px solid var(--wm-border);border-radius:6px;background:var(--wm-bg);color:var(--wm-text);font:inherit}",
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
const CELEBRATION_MS: u64 = 6000;
/// `localStorage` key prefix of a checklist's open state.
const OPEN_KEY: &str = "waymark:checklist-open:";

thread_local! {
    /// The element the panels are mounted in, to find launchers and panels when moving focus.
    static ROOT: RefCell<Option<HtmlElement>> = const { RefCell::new(None) };
}

/// What the app last gave, in the form the views read it.
#[derive(Default, PartialEq)]
struct Data {
    /// (flow id, checklist, the user's progress through it).
    lists: Vec<(String, Checklist, ChecklistProgress)>,
    settings: ClientSettings,
    /// Replayable flows: (flow id, title).
    guides: Vec<(String, String)>,
}

/// What the user did with the panels.
#[derive(Default)]
struct PanelState {
    /// Ids of the checklists whose panel is open.
    open: Vec<String>,
    rc_open: bool,
    /// The article search, lower-cased and trimmed.
    query: String,
    /// (sequence number, headline, name) of the celebration shown.
    celebration: Option<(u32, String, String)>,
}

/// The state every component reads; all handles, so it is `Copy`. One coarse signal pair keeps
/// the wasm small; Leptos rebuilds the DOM in place, so focus and typing survive re-renders.
#[derive(Clone, Copy)]
struct Ctx {
    data: RwSignal<Data>,
    view: RwSignal<PanelState>,
    actions: StoredValue<PanelsActions, LocalStorage>,
}

/// Updates the mounted panels.
#[derive(Clone)]
pub struct PanelsHandle {
    ctx: Ctx,
    /// Whether each checklist seen on this page was completed, to celebrate only real transitions.
    seen: Rc<RefCell<BTreeMap<String, bool>>>,
    celebrations: Rc<Cell<u32>>,
}

impl PanelsHandle {
    /// Shows `input` (nothing is re-rendered when nothing changed).
    pub fn update(&self, input: PanelsInput) {
        let ctx = self.ctx;
        let mut lists = Vec::new();
        let mut first_open = Vec::new();
        let mut seen = self.seen.borrow_mut();
        for (flow, progress) in input.checklists {
            let Some(checklist) = flow.checklist else {
                continue;
            };
            let progress = progress.unwrap_or_default();
            match seen.insert(flow.id.clone(), progress.completed) {
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
                                first_open.push(flow.id.clone());
                            }
                            checklist.open_on_first_show
                        }
                    };
                    if open {
                        ctx.view.update(|view| view.open.push(flow.id.clone()));
                    }
                }
                Some(false) if progress.completed => {
                    let strings = &input.settings.strings;
                    let (headline, name) = match &checklist.badge {
                        Some(badge) => (&strings.badge_earned, &badge.name),
                        None => (&strings.done, &checklist.title),
                    };
                    self.celebrate(headline.clone(), name.clone());
                }
                Some(_) => {}
            }
            lists.push((flow.id, checklist, progress));
        }
        drop(seen);
        let data = Data {
            lists,
            settings: input.settings,
            guides: input.replayable,
        };
        ctx.data.maybe_update(|old| {
            let changed = *old != data;
            if changed {
                *old = data;
            }
            changed
        });
        if !first_open.is_empty() {
            // After the app's current call returns: the callback may call back into the app.
            queue_microtask(move || {
                for id in first_open {
                    ctx.actions
                        .with_value(|actions| (actions.checklist_opened)(id));
                }
            });
        }
    }

    fn celebrate(&self, headline: String, name: String) {
        let view = self.ctx.view;
        let sequence = self.celebrations.get() + 1;
        self.celebrations.set(sequence);
        view.update(|view| view.celebration = Some((sequence, headline, name)));
        set_timeout(
            move || {
                if view.with_untracked(|view| view.celebration.as_ref().map(|shown| shown.0))
                    == Some(sequence)
                {
                    view.update(|view| view.celebration = None);
                }
            },
            Duration::from_millis(CELEBRATION_MS),
        );
    }
}

/// Mounts the panels in `container` (inside the widget's shadow root).
pub fn mount_panels(container: &HtmlElement, actions: PanelsActions) -> PanelsHandle {
    ROOT.with(|root| *root.borrow_mut() = Some(container.clone()));
    let ctx = Ctx {
        data: RwSignal::new(Data::default()),
        view: RwSignal::new(PanelState::default()),
        actions: StoredValue::new_local(actions),
    };
    leptos::mount::mount_to(container.clone(), move || view! { <Dock ctx=ctx /> }).forget();
    PanelsHandle {
        ctx,
        seen: Rc::default(),
        celebrations: Rc::default(),
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
fn set_open(ctx: Ctx, id: String, open: bool, return_focus: bool) {
    remember(&id, open);
    ctx.view.update(|view| {
        view.open.retain(|other| *other != id);
        if open {
            view.open.push(id.clone());
        }
    });
    if open {
        focus(checklist_selector("checklist", &id, ""));
        ctx.actions
            .with_value(|actions| (actions.checklist_opened)(id));
    } else if return_focus {
        focus(checklist_selector("checklist-launcher", &id, ""));
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

/// Focuses the element matching `selector` once the pending render is on screen.
fn focus(selector: String) {
    request_animation_frame(move || {
        let element = ROOT.with(|root| root.borrow().as_ref()?.query_selector(&selector).ok()?);
        if let Some(element) = element.and_then(|element| element.dyn_into::<HtmlElement>().ok()) {
            let _ = element.focus();
        }
    });
}

/// Closes the resource center, focus back on its launcher when asked.
fn close_center(ctx: Ctx, return_focus: bool) {
    ctx.view.update(|view| {
        view.rc_open = false;
        view.query.clear();
    });
    if return_focus {
        focus("[data-waymark-surface=resource-launcher]".into());
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

/// Every click in the dock, delegated: one listener keeps the wasm small. Buttons say what they
/// do with their contract attributes (`data-item-action`, `data-rc-launch`, ...).
fn on_click(ctx: Ctx, event: &web_sys::MouseEvent) {
    let Some(button) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|target| closest(&target, "button"))
    else {
        return;
    };
    let attribute = |name: &str| button.get_attribute(name);
    let checklist = closest(&button, "[data-checklist-id]")
        .and_then(|element| element.get_attribute("data-checklist-id"))
        .unwrap_or_default();
    let expanded = attribute("aria-expanded").as_deref() == Some("true");
    let launch = |flow: String| ctx.actions.with_value(|actions| (actions.launch)(flow));
    if let Some(flow) = attribute("data-rc-launch") {
        close_center(ctx, true);
        launch(flow);
    } else if attribute("data-rc-feedback").is_some() {
        close_center(ctx, true);
        ctx.actions.with_value(|actions| (actions.feedback)());
    } else if let Some(id) = attribute("data-rc-checklist") {
        close_center(ctx, false);
        set_open(ctx, id, true, false);
    } else if let Some(action) = attribute("data-item-action") {
        if action == "launch" {
            set_open(ctx, checklist, false, true);
            launch(attribute("data-flow-id").unwrap_or_default());
        } else if let Some(item) =
            closest(&button, "li").and_then(|row| row.get_attribute("data-item-id"))
        {
            // The button goes once the tick lands: keep focus on the row.
            let row = [" li[data-item-id=\"", &item, "\"]"].concat();
            focus(checklist_selector("checklist", &checklist, &row));
            ctx.actions
                .with_value(|actions| (actions.tick)(checklist, item));
        }
    } else {
        match attribute("data-action")
            .or_else(|| attribute("data-waymark-surface"))
            .as_deref()
        {
            Some("minimise") => set_open(ctx, checklist, false, true),
            Some("close") => close_center(ctx, true),
            Some("close-celebration") => ctx.view.update(|view| view.celebration = None),
            Some("checklist-launcher") => set_open(ctx, checklist, !expanded, false),
            Some("resource-launcher") if expanded => close_center(ctx, false),
            Some("resource-launcher") => {
                ctx.view.update(|view| view.rc_open = true);
                focus("[data-waymark-surface=resource-center]".into());
            }
            _ => {}
        }
    }
}

/// Esc in a panel minimises (checklist) or closes (resource center) it, focus back on its launcher.
fn on_key(ctx: Ctx, event: &web_sys::KeyboardEvent) {
    let panel = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|target| closest(&target, ".wm-panel"));
    let Some(panel) = panel.filter(|_| event.key() == "Escape") else {
        return;
    };
    event.prevent_default();
    event.stop_propagation();
    match panel.get_attribute("data-checklist-id") {
        Some(id) => set_open(ctx, id, false, true),
        None => close_center(ctx, true),
    }
}

/// The fixed corner holding the celebration, every launcher and open panel, stacked.
#[component]
fn Dock(
    /// The shared state.
    ctx: Ctx,
) -> impl IntoView {
    move || {
        ctx.data.with(|data| {
            ctx.view.with(|view| {
                let strings = &data.settings.strings;
                let center = &data.settings.resource_center;
                let celebration = view.celebration.as_ref().map(|(_, headline, name)| {
                    view! {
                        <div class="wm-cel" class:animate=!reduced_motion() data-waymark-surface="celebration" role="status">
                            <span aria-hidden="true">"★"</span>
                            <div>
                                <strong class="wm-t">{headline.clone()}</strong>
                                <span data-waymark-badge="">{name.clone()}</span>
                            </div>
                            <button type="button" class="wm-x" aria-label=strings.close.clone() data-action="close-celebration">
                                <span aria-hidden="true">"×"</span>
                            </button>
                        </div>
                    }
                });
                let blocks = data
                    .lists
                    .iter()
                    .map(|(id, checklist, progress)| {
                        view! {
                            <ChecklistBlock id=id.clone() checklist=checklist.clone() progress=progress.clone()
                                open=view.open.contains(id) strings=strings.clone() />
                        }
                    })
                    .collect_view();
                let center_view = center.enabled.then(|| {
                    let rows = data
                        .lists
                        .iter()
                        .map(|(id, checklist, progress)| {
                            let counts = engine::checklist::counts(checklist, Some(progress));
                            (id.clone(), checklist.title.clone(), done_of(&strings.done_of, counts))
                        })
                        .collect();
                    view! {
                        <ResourceCenter ctx=ctx settings=data.settings.clone() checklists=rows
                            guides=data.guides.clone() open=view.rc_open query=view.query.clone() />
                    }
                });
                view! {
                    <div class="wm-dock" role="region" aria-label=strings.help.clone()
                        data-position=corner_name(center.position)
                        on:click=move |event| on_click(ctx, &event)
                        on:keydown=move |event| on_key(ctx, &event)>
                        {celebration}
                        {blocks}
                        {center_view}
                    </div>
                }
            })
        })
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

/// One checklist: its launcher ("3/5") and, while open, its panel.
#[component]
fn ChecklistBlock(
    /// The checklist's flow id.
    id: String,
    /// Its definition, already localised.
    checklist: Checklist,
    /// The user's progress through it.
    progress: ChecklistProgress,
    /// Whether the panel is open (else only the launcher shows).
    open: bool,
    /// The widget's own words.
    strings: UiStrings,
) -> impl IntoView {
    let counts = engine::checklist::counts(&checklist, Some(&progress));
    let panel = open.then(|| {
        let title_id = ["wm-cl-", &id].concat();
        let earned = progress.completed || progress.badge.is_some();
        // Empty (hidden by the stylesheet) until earned; then it stays in the header.
        let badge = match &checklist.badge {
            Some(badge) if earned => badge.name.clone(),
            _ => String::new(),
        };
        let items = checklist
            .items
            .iter()
            .map(|item| {
                let state = item_state(&checklist, item, &progress);
                // Screen readers hear "Done"; everyone sees "Locked".
                let (status_class, status) = match state {
                    "done" => ("wm-sr", strings.done.clone()),
                    "locked" => ("wm-lock", strings.locked.clone()),
                    _ => ("", String::new()),
                };
                let tick = (item.manual && state == "open").then(|| {
                    view! {
                        <button type="button" class="wm-btn wm-primary" data-item-action="tick">
                            {strings.mark_done.clone()}
                        </button>
                    }
                });
                let launch = item.launch_flow.clone().filter(|_| state != "locked").map(|flow| {
                    view! {
                        <button type="button" class="wm-btn" data-item-action="launch" data-flow-id=flow>
                            {strings.show_me_how.clone()}
                        </button>
                    }
                });
                view! {
                    <li data-item-id=item.id.clone() data-state=state tabindex="-1">
                        <span class="wm-check" aria-hidden="true"></span>
                        <div>
                            <span class="wm-t">{item.title.clone()}</span>
                            <span class="wm-d">{item.description.clone()}</span>
                            <span class=status_class>{status}</span>
                            <div class="wm-acts">{tick}{launch}</div>
                        </div>
                    </li>
                }
            })
            .collect_view();
        view! {
            <div class="wm-panel" data-waymark-surface="checklist" data-checklist-id=id.clone() role="dialog"
                aria-labelledby=title_id.clone() tabindex="-1">
                <div class="wm-head">
                    <h2 id=title_id.clone()>{checklist.title.clone()}</h2>
                    <span class="wm-badge">{badge}</span>
                    <button type="button" class="wm-x" data-action="minimise" aria-label=strings.close.clone()>
                        <span aria-hidden="true">"−"</span>
                    </button>
                </div>
                <div data-waymark-checklist-progress="">
                    <span>{done_of(&strings.done_of, counts)}</span>
                    <progress role="progressbar" aria-labelledby=title_id.clone() max=counts.1.max(1).to_string()
                        value=counts.0.to_string() aria-valuemin="0" aria-valuemax=counts.1.to_string()
                        aria-valuenow=counts.0.to_string()></progress>
                </div>
                <ul class="wm-items">{items}</ul>
            </div>
        }
    });
    view! {
        <button type="button" class="wm-launch" data-waymark-surface="checklist-launcher" data-checklist-id=id
            aria-expanded=if open { "true" } else { "false" }>
            <span>{checklist.title.clone()}</span>
            <span data-waymark-checklist-count="">{[counts.0.to_string(), counts.1.to_string()].join("/")}</span>
        </button>
        {panel}
    }
}

/// The help launcher and its panel: checklists, guides to replay, searchable articles, feedback.
#[component]
fn ResourceCenter(
    /// The shared state.
    ctx: Ctx,
    /// The app's settings for this user.
    settings: ClientSettings,
    /// (checklist id, title, "2 of 5 done") of every checklist.
    checklists: Vec<(String, String, String)>,
    /// Replayable flows: (flow id, title).
    guides: Vec<(String, String)>,
    /// Whether the panel is open (else only the launcher shows).
    open: bool,
    /// The article search, lower-cased and trimmed.
    query: String,
) -> impl IntoView {
    let strings = &settings.strings;
    let center = &settings.resource_center;
    let panel = open.then(|| {
        let checklists = {
            let empty = checklists.is_empty();
            let rows = checklists
                .into_iter()
                .map(|(id, title, count)| {
                    view! {
                        <li>
                            <button type="button" class="wm-row" data-rc-checklist=id.clone() data-checklist-id=id>
                                <span class="wm-t">{title}</span>
                                <span class="wm-sum">{count}</span>
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div data-rc-section="checklists" hidden=empty>
                    <h3>{strings.checklists.clone()}</h3>
                    <ul>{rows}</ul>
                </div>
            }
        };
        let guides = {
            let empty = guides.is_empty();
            let rows = guides
                .into_iter()
                .map(|(flow, title)| {
                    view! {
                        <li>
                            <button type="button" class="wm-row" data-rc-launch=flow>
                                {title}
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div data-rc-section="guides" hidden=empty>
                    <h3>{strings.guides.clone()}</h3>
                    <ul>{rows}</ul>
                </div>
            }
        };
        let articles = {
            let empty = center.articles.is_empty();
            let rows = center
                .articles
                .iter()
                .map(|article| {
                    let haystack = lower(&[article.title.as_str(), " ", &article.summary].concat());
                    let url = article.url.trim();
                    let lower = url.to_ascii_lowercase();
                    let external = lower.starts_with("https://") || lower.starts_with("http://");
                    // Only web addresses and paths on the host: never `javascript:` and the like.
                    let href = (external || !lower.contains(':')).then(|| url.to_string());
                    view! {
                        <li data-article-id=article.id.clone() hidden=!haystack.contains(&query)>
                            <a class="wm-row" href=href target=external.then_some("_blank")
                                rel=external.then_some("noopener")>
                                <span class="wm-t">{article.title.clone()}</span>
                                <span class="wm-sum">{article.summary.clone()}</span>
                            </a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <div data-rc-section="articles" hidden=empty>
                    <h3>{strings.articles.clone()}</h3>
                    <input type="search" data-rc-search="" aria-label=strings.search.clone()
                        placeholder=strings.search.clone()
                        on:input=move |event| {
                            let query = lower(event_target_value(&event).trim());
                            ctx.view.update(|view| view.query = query);
                        } />
                    <ul>{rows}</ul>
                </div>
            }
        };
        let feedback = center.feedback.then(|| {
            view! {
                <button type="button" class="wm-btn wm-feedback" data-rc-feedback="">
                    {strings.send_feedback.clone()}
                </button>
            }
        });
        view! {
            <div class="wm-panel" data-waymark-surface="resource-center" role="dialog"
                aria-labelledby="wm-rc-title" tabindex="-1">
                <div class="wm-head">
                    <h2 id="wm-rc-title">{center.title.clone()}</h2>
                    <button type="button" class="wm-x" data-action="close" aria-label=strings.close.clone()>
                        <span aria-hidden="true">"×"</span>
                    </button>
                </div>
                {checklists}
                {guides}
                {articles}
                {feedback}
            </div>
        }
    });
    view! {
        <button type="button" class="wm-launch wm-help" data-waymark-surface="resource-launcher"
            data-position=corner_name(center.position) aria-label=strings.help.clone()
            aria-expanded=if open { "true" } else { "false" }>
            <span aria-hidden="true">"?"</span>
        </button>
        {panel}
    }
}
