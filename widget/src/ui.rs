//! Everything on screen for a step: the shadow-root host, the stylesheet, the step card (built
//! with plain DOM calls, see `dom.rs`), tooltip positioning, focus handling and keyboard shortcuts.

use std::cell::RefCell;

use engine::doc::Node;
use engine::flow::{Button, ButtonAction, Media, MediaKind, Placement, StepKind};
use engine::settings::ClientSettings;
use engine::theme::{Shadow, Theme, ThemeMode, ThemeOverride};
use serde_json::{Map, Value};
use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRoot};

use crate::dom::{add, add_button, set};
use crate::position::{self, Rect};
use crate::targets::{self, Target};
use crate::with_app;

/// The widget's styles, adopted by the shadow root (so `style-src 'self'` does not block them).
const CSS: &str = include_str!("widget.css");
/// Padding around the target inside the spotlight cut-out.
const SPOTLIGHT_PAD: f64 = 4.0;

/// Everything a step card shows, computed by the app from the engine's decision.
#[derive(Clone)]
pub(crate) struct Card {
    /// Unique per render, to tell a fresh card from a stale one.
    pub id: u32,
    pub flow_id: String,
    pub step_id: String,
    pub kind: StepKind,
    /// A tooltip shown centred because its target is missing (preview only).
    pub centred_tooltip: bool,
    /// Already personalised.
    pub title: String,
    pub body: Vec<Node>,
    pub traits: Map<String, Value>,
    pub buttons: Vec<Button>,
    pub index: usize,
    pub total: usize,
    pub spotlight: bool,
    pub placement: Placement,
    /// The "2 of 4" text, in the user's language.
    pub progress: String,
    /// The close button's label.
    pub close: String,
    /// A hotspot beacon's label: "Open tip: <title>".
    pub beacon_label: String,
    pub media: Option<Media>,
    /// A banner pushes the page instead of covering it.
    pub push: bool,
    /// The flow's own theme, over the app's.
    pub theme: Option<ThemeOverride>,
    /// Right to left (the user's locale or the page); set by [`show`].
    pub rtl: bool,
    /// A survey step's question, answered instead of pressing the step's own buttons.
    pub question: Option<engine::survey::Question>,
    /// The question's answer button: "Next", or "Send" on the last question.
    pub answer_label: String,
}

/// What the positioning loop and event handlers need, outside the app state.
struct Ui {
    host: Element,
    /// The themed container of everything the widget shows (`dir`, `--wm-*`).
    root: HtmlElement,
    /// Where the panels (checklists, resource center) are mounted.
    panels: HtmlElement,
    theme: Theme,
    rtl: bool,
    /// A hotspot's beacon, and whether its tooltip is open.
    beacon_el: Option<HtmlElement>,
    hotspot_open: bool,
    /// A pushing banner's padding on `<html>`: the property and its previous inline value and
    /// priority, restored exactly when the banner goes.
    pushed: Option<(&'static str, String, String)>,
    /// Where the current step's elements are built.
    mount: Element,
    /// The card being shown: its id, kind, flow, step and placement preference.
    current: Option<Card>,
    target: Option<Target>,
    selector: Option<String>,
    card_el: Option<HtmlElement>,
    spotlight_el: Option<HtmlElement>,
    /// Where focus was before the first step showed.
    return_focus: Option<HtmlElement>,
    looping: bool,
    viewed: bool,
    lost: bool,
    last: Option<(i64, i64, &'static str, i64)>,
    /// How many host elements were in the top layer (modal dialogs, popovers) at the last check.
    host_top_layer: u32,
    click_documents: Vec<web_sys::Document>,
}

thread_local! {
    static UI: RefCell<Option<Ui>> = const { RefCell::new(None) };
}

fn document() -> Option<web_sys::Document> {
    web_sys::window()?.document()
}

/// Creates `<div id="waymark-root">` with an open shadow root and the containers inside it.
pub(crate) fn init() {
    let Some(document) = document() else {
        return;
    };
    let Ok(host) = document.create_element("div") else {
        return;
    };
    host.set_id("waymark-root");
    let Ok(shadow) =
        host.attach_shadow(&web_sys::ShadowRootInit::new(web_sys::ShadowRootMode::Open))
    else {
        return;
    };
    adopt_styles(&document, &shadow);
    let (Ok(root), Ok(mount), Ok(panels)) = (
        document.create_element("div"),
        document.create_element("div"),
        document.create_element("div"),
    ) else {
        return;
    };
    let _ = shadow.append_child(&root);
    let _ = root.append_child(&mount);
    let _ = root.append_child(&panels);
    let root: HtmlElement = root.unchecked_into();
    let theme = Theme::default();
    write_theme(&root, &theme, None);
    attach_host(&host);
    // One listener for every control of every step: cards are rebuilt per step.
    let on_click = Closure::<dyn FnMut(web_sys::Event)>::new(on_card_click);
    let _ = mount.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
    let on_input = Closure::<dyn FnMut()>::new(|| {
        if let Some(card) = UI.with(|ui| ui.borrow().as_ref()?.card_el.clone()) {
            crate::question::update(&card);
        }
    });
    let _ = mount.add_event_listener_with_callback("input", on_input.as_ref().unchecked_ref());
    on_input.forget();
    UI.with(|ui| {
        *ui.borrow_mut() = Some(Ui {
            host,
            root,
            panels: panels.unchecked_into(),
            theme,
            rtl: false,
            beacon_el: None,
            hotspot_open: false,
            pushed: None,
            mount,
            current: None,
            target: None,
            selector: None,
            card_el: None,
            spotlight_el: None,
            return_focus: None,
            looping: false,
            viewed: false,
            lost: false,
            last: None,
            host_top_layer: 0,
            click_documents: Vec::new(),
        })
    });
    listen_keys(&document);
    // `auto` themes follow the system's colour scheme as it changes.
    if let Some(query) = dark_query() {
        let handler = Closure::<dyn FnMut()>::new(|| {
            UI.with(|ui| {
                if let Some(ui) = ui.borrow().as_ref() {
                    paint(ui);
                }
            })
        });
        let _ = query.add_event_listener_with_callback("change", handler.as_ref().unchecked_ref());
        handler.forget();
    }
}

fn dark_query() -> Option<web_sys::MediaQueryList> {
    web_sys::window()?
        .match_media("(prefers-color-scheme: dark)")
        .ok()
        .flatten()
}

/// Where the panels mount.
pub(crate) fn panels_container() -> Option<HtmlElement> {
    UI.with(|ui| ui.borrow().as_ref().map(|ui| ui.panels.clone()))
}

/// Applies the app's theme and direction from boot's settings.
pub(crate) fn apply_settings(settings: &ClientSettings) {
    UI.with(|ui| {
        if let Some(ui) = ui.borrow_mut().as_mut() {
            ui.theme = settings.theme.clone();
            ui.rtl = settings.rtl;
            let rtl = settings.rtl || page_is_rtl();
            let _ = ui
                .root
                .set_attribute("dir", if rtl { "rtl" } else { "ltr" });
            paint(ui);
        }
    });
}

/// Writes the theme on the container, and the flow's override on the current step's surfaces.
fn paint(ui: &Ui) {
    write_theme(&ui.root, &ui.theme, None);
    if let Some(theme) = ui.current.as_ref().and_then(|card| card.theme.as_ref()) {
        for element in [&ui.card_el, &ui.beacon_el, &ui.spotlight_el]
            .into_iter()
            .flatten()
        {
            write_theme(element, &ui.theme, Some(theme));
        }
    }
}

/// The system font stack used when the theme names none.
const SYSTEM_FONT: &str =
    "system-ui,-apple-system,\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif";

/// Writes `--wm-*` on `element`, each `var(--waymark-*, value)` so the host's own
/// `--waymark-*` properties win.
fn write_theme(element: &HtmlElement, theme: &Theme, flow: Option<&ThemeOverride>) {
    let dark = match flow.and_then(|flow| flow.mode).unwrap_or(theme.mode) {
        ThemeMode::Light => false,
        ThemeMode::Dark => true,
        ThemeMode::Auto => dark_query().is_some_and(|query| query.matches()),
    };
    let colors = if dark { &theme.dark } else { &theme.light };
    let font = flow
        .and_then(|flow| flow.font.as_deref())
        .unwrap_or(&theme.font);
    let radius = flow
        .and_then(|flow| flow.radius_px)
        .unwrap_or(theme.radius_px);
    let style = element.style();
    for (name, value) in [
        ("bg", colors.background.as_str()),
        ("text", &colors.text),
        ("muted", &colors.muted),
        (
            "accent",
            flow.and_then(|flow| flow.accent.as_deref())
                .unwrap_or(&colors.accent),
        ),
        (
            "accent-text",
            flow.and_then(|flow| flow.accent_text.as_deref())
                .unwrap_or(&colors.accent_text),
        ),
        ("border", &colors.border),
        ("radius", &px(f64::from(radius))),
        ("font", if font.is_empty() { SYSTEM_FONT } else { font }),
        (
            "shadow",
            match theme.shadow {
                Shadow::None => "none",
                Shadow::Soft => "0 12px 32px rgba(15,23,42,.22),0 2px 6px rgba(15,23,42,.12)",
                Shadow::Strong => "0 20px 48px rgba(15,23,42,.4),0 4px 12px rgba(15,23,42,.24)",
            },
        ),
    ] {
        let _ = style.set_property(
            &["--wm-", name].concat(),
            &["var(--waymark-", name, ",", value, ")"].concat(),
        );
    }
}

/// Puts the host element at the end of `<body>` (again, if the page replaced the body).
fn attach_host(host: &Element) {
    if host.is_connected() {
        return;
    }
    if let Some(document) = document() {
        let parent: Option<Element> = document
            .body()
            .map(Into::into)
            .or_else(|| document.document_element());
        if let Some(parent) = parent {
            let _ = parent.append_child(host);
        }
    }
}

fn adopt_styles(document: &web_sys::Document, shadow: &ShadowRoot) {
    let css = [CSS, crate::panels::PANELS_CSS].concat();
    let css = css.as_str();
    if let Ok(sheet) = web_sys::CssStyleSheet::new()
        && sheet.replace_sync(css).is_ok()
    {
        shadow.set_adopted_style_sheets(&js_sys::Array::of1(&sheet));
        return;
    }
    // Browsers without constructable stylesheets.
    if let Ok(style) = document.create_element("style") {
        style.set_text_content(Some(css));
        let _ = shadow.append_child(&style);
    }
}

/// Whether the page is right-to-left.
fn page_is_rtl() -> bool {
    let Some(document) = document() else {
        return false;
    };
    let dir_of = |element: Option<Element>| {
        element
            .and_then(|element| element.get_attribute("dir"))
            .map(|dir| dir.eq_ignore_ascii_case("rtl"))
    };
    dir_of(document.body().map(Into::into))
        .or_else(|| dir_of(document.document_element()))
        .unwrap_or(false)
}

/// The focused element, looking into open shadow roots.
fn deep_active_element() -> Option<Element> {
    let mut active = document()?.active_element()?;
    while let Some(inner) = active
        .shadow_root()
        .and_then(|shadow| shadow.active_element())
    {
        active = inner;
    }
    Some(active)
}

/// Shows `card`, anchored to `target` for tooltips and hotspots.
pub(crate) fn show(mut card: Card, target: Option<Target>) {
    let _ = UI
        .with(|ui| {
            let mut guard = ui.borrow_mut();
            let ui = guard.as_mut()?;
            card.rtl = ui.rtl || page_is_rtl();
            unpush(ui);
            ui.beacon_el = None;
            ui.hotspot_open = false;
            attach_host(&ui.host);
            if ui.return_focus.is_none()
                && let Some(active) = document().and_then(|document| document.active_element())
                && active != ui.host
            {
                ui.return_focus = active.dyn_into().ok();
            }
            if let Some(document) = target.as_ref().and_then(Target::document)
                && !ui.click_documents.contains(&document)
            {
                listen_clicks(&document);
                ui.click_documents.push(document);
            }
            ui.selector = None;
            ui.target = target;
            ui.current = Some(card.clone());
            ui.card_el = None;
            ui.spotlight_el = None;
            ui.viewed = false;
            ui.lost = false;
            ui.last = None;
            Some(ui.mount.clone())
        })
        .inspect(|mount| render_card(mount, &card));
}

/// Remembers the selector the target was found with (for click detection on re-rendered targets).
pub(crate) fn set_selector(selector: Option<String>) {
    UI.with(|ui| {
        if let Some(ui) = ui.borrow_mut().as_mut() {
            ui.selector = selector;
        }
    });
}

/// Removes the card; `restore_focus` when no other step follows.
pub(crate) fn hide(restore_focus: bool) {
    let focus = UI.with(|ui| {
        let mut guard = ui.borrow_mut();
        let ui = guard.as_mut()?;
        unpush(ui);
        ui.beacon_el = None;
        ui.hotspot_open = false;
        ui.current = None;
        ui.target = None;
        ui.card_el = None;
        ui.spotlight_el = None;
        ui.mount.set_text_content(None);
        if restore_focus {
            ui.return_focus.take()
        } else {
            None
        }
    });
    if let Some(element) = focus
        && element.is_connected()
    {
        let _ = element.focus();
    }
}

/// Keeps the step usable when the host opens a modal `<dialog>` or a popover after it showed:
/// shows it again so it is topmost in the top layer, and moves the host element into the open
/// modal dialog (a modal dialog makes everything outside it inert), back to `<body>` after.
pub(crate) fn keep_on_top() {
    let Some(document) = document() else {
        return;
    };
    let count = document
        .query_selector_all(":modal, :popover-open")
        .map(|list| list.length())
        .unwrap_or(0);
    let modal = document
        .query_selector_all("dialog:modal")
        .ok()
        .and_then(|list| list.item(list.length().checked_sub(1)?))
        .and_then(|node| node.dyn_into::<Element>().ok());
    UI.with(|ui| {
        let mut guard = ui.borrow_mut();
        let Some(ui) = guard.as_mut() else {
            return;
        };
        let opened = count > ui.host_top_layer;
        ui.host_top_layer = count;
        let parent: Option<Element> = modal.or_else(|| document.body().map(Into::into));
        let moved = match parent {
            Some(parent) if ui.host.parent_element().as_ref() != Some(&parent) => {
                parent.append_child(&ui.host).is_ok()
            }
            _ => false,
        };
        if !opened && !moved {
            return;
        }
        let closed_hotspot = ui.beacon_el.is_some() && !ui.hotspot_open;
        let card = if closed_hotspot { &None } else { &ui.card_el };
        for element in [&ui.spotlight_el, &ui.beacon_el, card]
            .into_iter()
            .flatten()
        {
            let _ = element.hide_popover();
            let _ = element.show_popover();
        }
    });
}

/// Whether the shown tooltip's target has gone from the page.
pub(crate) fn target_lost() -> bool {
    UI.with(|ui| ui.borrow().as_ref().is_some_and(|ui| ui.lost))
}

/// Opens (`Some(true)`), closes (`Some(false)`, focus back on the beacon) or toggles (`None`)
/// the hotspot's tooltip. Closing is not a dismissal.
fn hotspot(open: Option<bool>) {
    UI.with(|ui| {
        let mut guard = ui.borrow_mut();
        let Some(ui) = guard.as_mut() else {
            return;
        };
        let (Some(card), Some(beacon)) = (ui.card_el.clone(), ui.beacon_el.clone()) else {
            return;
        };
        let open = open.unwrap_or(!ui.hotspot_open);
        ui.hotspot_open = open;
        ui.last = None;
        let _ = beacon.set_attribute("aria-expanded", if open { "true" } else { "false" });
        if open {
            let _ = card.show_popover();
            position(ui);
            let _ = card.focus();
        } else {
            let _ = card.hide_popover();
            let _ = beacon.focus();
        }
    });
}

fn html_element() -> Option<HtmlElement> {
    Some(document()?.document_element()?.unchecked_into())
}

/// A pushing banner: pads `<html>` by the banner's height, remembering the inline value.
fn push_page(ui: &mut Ui) {
    let (Some(card), Some(card_el), Some(html)) = (&ui.current, &ui.card_el, html_element()) else {
        return;
    };
    let property = if card.placement == Placement::Top {
        "padding-top"
    } else {
        "padding-bottom"
    };
    let style = html.style();
    if ui.pushed.is_none() {
        ui.pushed = Some((
            property,
            style.get_property_value(property).unwrap_or_default(),
            style.get_property_priority(property),
        ));
    }
    let _ = style.set_property(property, &px(f64::from(card_el.offset_height())));
}

/// Puts back the inline padding a pushing banner replaced.
fn unpush(ui: &mut Ui) {
    if let (Some((property, value, priority)), Some(html)) = (ui.pushed.take(), html_element()) {
        let style = html.style();
        if value.is_empty() {
            let _ = style.remove_property(property);
        } else {
            let _ = style.set_property_with_priority(property, &value, &priority);
        }
    }
}

/// Called once the card element exists in the shadow root.
fn mounted(
    card_id: u32,
    card_el: HtmlElement,
    spotlight_el: Option<HtmlElement>,
    beacon_el: Option<HtmlElement>,
) {
    let start_loop = UI.with(|ui| {
        let mut guard = ui.borrow_mut();
        let ui = guard.as_mut()?;
        if ui.current.as_ref().map(|card| card.id) != Some(card_id) {
            return None;
        }
        let card = ui.current.as_ref()?;
        let progress = (card.index + 1) * 100 / card.total.max(1);
        let style = card_el.style();
        let mut width = progress.to_string();
        width.push('%');
        let _ = style.set_property("--wm-progress", &width);
        let _ = card_el.set_attribute("dir", if card.rtl { "rtl" } else { "ltr" });
        let (banner, push) = (card.kind == StepKind::Banner, card.push);
        let quiet = banner || beacon_el.is_some();
        if let Some(spotlight) = &spotlight_el {
            let _ = spotlight.show_popover();
        }
        // A hotspot shows its beacon; the tooltip waits for the user.
        match &beacon_el {
            Some(beacon) => {
                let _ = beacon.show_popover();
            }
            None => {
                let _ = card_el.show_popover();
            }
        }
        ui.card_el = Some(card_el.clone());
        ui.spotlight_el = spotlight_el;
        ui.beacon_el = beacon_el;
        paint(ui);
        if banner && push {
            push_page(ui);
        }
        if let Some(target) = &ui.target {
            let viewport = viewport();
            let rect = target.rect();
            if rect.y < 0.0
                || rect.x < 0.0
                || rect.y + rect.height > viewport.1
                || rect.x + rect.width > viewport.0
            {
                let options = web_sys::ScrollIntoViewOptions::new();
                options.set_block(web_sys::ScrollLogicalPosition::Center);
                options.set_inline(web_sys::ScrollLogicalPosition::Nearest);
                options.set_behavior(web_sys::ScrollBehavior::Instant);
                target
                    .element
                    .scroll_into_view_with_scroll_into_view_options(&options);
            }
        }
        position(ui);
        // Banners and hotspots are ambient: they do not take focus from the page.
        if !quiet {
            let options = web_sys::FocusOptions::new();
            options.set_prevent_scroll(true);
            let _ = card_el.focus_with_options(&options);
        }
        let start = !ui.looping;
        ui.looping = true;
        Some(start)
    });
    if start_loop == Some(true) {
        request_frame();
    }
}

fn viewport() -> (f64, f64) {
    let Some(root) = document().and_then(|document| document.document_element()) else {
        return (0.0, 0.0);
    };
    (
        f64::from(root.client_width()),
        f64::from(root.client_height()),
    )
}

/// `12px` (integers only: float formatting would cost the wasm several kilobytes).
fn px(value: f64) -> String {
    let mut text = (value.round() as i64).to_string();
    text.push_str("px");
    text
}

/// Places the card (and spotlight) next to the target; writes styles only when they change.
/// Returns whether the card is visible to the user now (a tooltip whose target is off screen,
/// say inside a closed dialog, is placed but hidden).
fn position(ui: &mut Ui) -> bool {
    let (Some(card_el), Some(card)) = (&ui.card_el, &ui.current) else {
        return false;
    };
    if card.kind == StepKind::Banner && card.push {
        let height = i64::from(card_el.offset_height());
        if ui.last.map(|last| last.1) != Some(height) {
            ui.last = Some((0, height, "", 0));
            push_page(ui);
        }
        return true;
    }
    if card.centred_tooltip || !matches!(card.kind, StepKind::Tooltip | StepKind::Hotspot) {
        return true;
    }
    let Some(target) = &ui.target else {
        return false;
    };
    if !target.connected() {
        ui.lost = true;
        return false;
    }
    let rect = target.rect();
    if [rect.x, rect.y, rect.width, rect.height]
        .iter()
        .any(|value| !value.is_finite())
    {
        return false;
    }
    let viewport = viewport();
    let hidden = position::off_screen(rect, viewport);
    if let Some(beacon) = &ui.beacon_el {
        // On the target's top corner (the start corner's opposite), half over its edge.
        let left = if card.rtl {
            rect.x - 12.0
        } else {
            rect.x + rect.width - 12.0
        };
        let style = beacon.style();
        let _ = style.set_property("left", &px(left.clamp(0.0, viewport.0 - 24.0)));
        let _ = style.set_property("top", &px((rect.y - 12.0).clamp(0.0, viewport.1 - 24.0)));
        let _ = style.set_property("visibility", if hidden { "hidden" } else { "visible" });
        if !ui.hotspot_open {
            return !hidden;
        }
    }
    let size = (
        f64::from(card_el.offset_width()),
        f64::from(card_el.offset_height()),
    );
    let placed = position::place(rect, size, viewport, card.placement, card.rtl);
    let key = (
        placed.left.round() as i64,
        placed.top.round() as i64,
        placed.side.as_str(),
        placed.arrow.round() as i64,
    );
    let spot = spotlight_rect(rect);
    if ui.last != Some(key) {
        let style = card_el.style();
        let _ = style.set_property("left", &px(placed.left));
        let _ = style.set_property("top", &px(placed.top));
        let _ = style.set_property("--wm-arrow", &px(placed.arrow));
        let _ = card_el.set_attribute("data-placement", placed.side.as_str());
        ui.last = Some(key);
    }
    let _ = card_el
        .style()
        .set_property("visibility", if hidden { "hidden" } else { "visible" });
    if let Some(spotlight) = &ui.spotlight_el {
        let style = spotlight.style();
        let _ = style.set_property("left", &px(spot.x));
        let _ = style.set_property("top", &px(spot.y));
        let _ = style.set_property("width", &px(spot.width));
        let _ = style.set_property("height", &px(spot.height));
    }
    !hidden
}

fn spotlight_rect(rect: Rect) -> Rect {
    Rect {
        x: rect.x - SPOTLIGHT_PAD,
        y: rect.y - SPOTLIGHT_PAD,
        width: rect.width + 2.0 * SPOTLIGHT_PAD,
        height: rect.height + 2.0 * SPOTLIGHT_PAD,
    }
}

fn request_frame() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let callback = Closure::once_into_js(frame);
    let _ = window.request_animation_frame(callback.unchecked_ref());
}

/// One animation frame: follow the target; report the step visible after its first frame.
fn frame() {
    let outcome = UI.with(|ui| {
        let mut guard = ui.borrow_mut();
        let Some(ui) = guard.as_mut() else {
            return (false, None);
        };
        if ui.card_el.is_none() || ui.current.is_none() {
            ui.looping = false;
            return (false, None);
        }
        let on_screen = position(ui);
        let mut visible = None;
        if on_screen && !ui.viewed && !ui.lost {
            ui.viewed = true;
            visible = ui
                .current
                .as_ref()
                .map(|card| (card.flow_id.clone(), card.index));
        }
        (true, visible)
    });
    if let (_, Some((flow_id, index))) = &outcome {
        let (flow_id, index) = (flow_id.clone(), *index);
        with_app(move |app| app.step_visible(&flow_id, index));
    }
    if outcome.0 {
        request_frame();
    }
}

/// Capture-phase clicks on the target's document: a click on (or inside) the target advances
/// click-driven steps. The host's own handling is left alone.
fn listen_clicks(document: &web_sys::Document) {
    let handler = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        let hit = UI.with(|ui| {
            let guard = ui.borrow();
            let Some(ui) = guard.as_ref() else {
                return false;
            };
            let Some(target) = &ui.target else {
                return false;
            };
            let selector = ui.selector.clone();
            event.composed_path().iter().any(|node| {
                if node == JsValue::from(target.element.clone()) {
                    return true;
                }
                match (&selector, node.dyn_ref::<Element>()) {
                    (Some(selector), Some(element)) => targets::matches(element, selector),
                    _ => false,
                }
            })
        });
        if hit {
            with_app(|app| app.target_clicked());
        }
    });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
        "click",
        handler.as_ref().unchecked_ref(),
        &options,
    );
    handler.forget();
}

/// Whether focus is in a host text field (where arrow keys and Esc belong to the host).
fn typing_in_host() -> bool {
    let Some(active) = deep_active_element() else {
        return false;
    };
    let tag = active.tag_name().to_ascii_lowercase();
    let editable = active
        .dyn_ref::<HtmlElement>()
        .is_some_and(HtmlElement::is_content_editable);
    let text_input = tag == "input"
        && !matches!(
            active
                .get_attribute("type")
                .unwrap_or_default()
                .to_ascii_lowercase()
                .as_str(),
            "button"
                | "submit"
                | "reset"
                | "checkbox"
                | "radio"
                | "range"
                | "color"
                | "file"
                | "image"
        );
    text_input || tag == "textarea" || tag == "select" || editable
}

/// A modal step traps Tab, as WAI-ARIA's dialog pattern asks: Tab on its last control (or on the
/// card itself, focused when it opens) goes to the first, Shift+Tab on the first goes to the last.
/// The card is a popover, not a modal `<dialog>`, so the browser would otherwise tab on into the
/// host page. Focus outside the card (the user clicked the page) is left alone; tooltips never trap.
fn trap_tab(event: &web_sys::KeyboardEvent) {
    let modal = UI.with(|ui| {
        let guard = ui.borrow();
        let ui = guard.as_ref()?;
        let card = ui.current.as_ref()?;
        (card.kind == StepKind::Modal && !card.centred_tooltip)
            .then(|| ui.card_el.clone())
            .flatten()
    });
    let Some(card) = modal else {
        return;
    };
    // All a step can hold that Tab stops on: its buttons and the links `body::render` makes.
    let Ok(controls) = card.query_selector_all("a[href],button") else {
        return;
    };
    let last = controls
        .length()
        .checked_sub(1)
        .and_then(|index| controls.item(index));
    let (Some(first), Some(last)) = (controls.item(0), last) else {
        return;
    };
    let (from, to) = if event.shift_key() {
        (first, last)
    } else {
        (last, first)
    };
    let active = deep_active_element().map(web_sys::Node::from);
    if active == Some(from) || active == Some(card.into()) {
        event.prevent_default();
        let _ = to.unchecked_into::<HtmlElement>().focus();
    }
}

/// Esc dismisses, ←/→ go back/next (mirrored on right-to-left pages), Tab stays in a modal step.
fn listen_keys(document: &web_sys::Document) {
    let handler =
        Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(|event: web_sys::KeyboardEvent| {
            if event.default_prevented() || event.alt_key() || event.ctrl_key() || event.meta_key()
            {
                return;
            }
            if event.key() == "Tab" {
                trap_tab(&event);
                return;
            }
            let showing = UI.with(|ui| {
                let guard = ui.borrow();
                let ui = guard.as_ref()?;
                // The panels handle their own keys.
                if event.composed_path().includes(&ui.panels, 0) {
                    return None;
                }
                let card = ui.current.as_ref()?;
                // In a question, arrows move between its options.
                if card.question.is_some() && event.key().starts_with("Arrow") {
                    return None;
                }
                let hotspot = ui.beacon_el.is_some();
                // A closed hotspot is ambient: keys belong to the page.
                if hotspot && !ui.hotspot_open {
                    return None;
                }
                Some((card.buttons.clone(), card.rtl, hotspot))
            });
            let Some((buttons, rtl, hotspot)) = showing else {
                return;
            };
            if hotspot && event.key() == "Escape" {
                event.prevent_default();
                hotspot_close();
                return;
            }
            let action = match event.key().as_str() {
                "Escape" => ButtonAction::Dismiss,
                "ArrowRight" if rtl => ButtonAction::Back,
                "ArrowLeft" if rtl => ButtonAction::Next,
                "ArrowRight" => ButtonAction::Next,
                "ArrowLeft" => ButtonAction::Back,
                _ => return,
            };
            // Arrows only do what a button on the step could do.
            if action != ButtonAction::Dismiss
                && !buttons.iter().any(|button| button.action == action)
            {
                return;
            }
            if typing_in_host() {
                return;
            }
            event.prevent_default();
            with_app(move |app| app.button(action, None));
        });
    let options = web_sys::AddEventListenerOptions::new();
    options.set_capture(true);
    let _ = document.add_event_listener_with_callback_and_add_event_listener_options(
        "keydown",
        handler.as_ref().unchecked_ref(),
        &options,
    );
    handler.forget();
}

/// Esc on an open hotspot: back to the beacon, after the key handler's borrow ends.
fn hotspot_close() {
    hotspot(Some(false));
}

/// The `data-kind` of a step.
fn kind_name(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Tooltip => "tooltip",
        StepKind::Modal => "modal",
        StepKind::Hotspot => "hotspot",
        StepKind::Banner => "banner",
        StepKind::Slideout => "slideout",
    }
}

/// A modal's or slide-out's image or video, before the body. Videos never autoplay.
fn media_element(document: &web_sys::Document, media: &Media) -> Option<Element> {
    if !engine::doc::is_safe_href(&media.url) {
        return None;
    }
    let (tag, label) = match media.kind {
        MediaKind::Image => ("img", "alt"),
        MediaKind::Video => ("video", "aria-label"),
    };
    let element = document.create_element(tag).ok()?;
    for (name, value) in [
        ("data-waymark-media", ""),
        ("src", &media.url),
        (label, &media.alt),
    ] {
        let _ = element.set_attribute(name, value);
    }
    if media.kind == MediaKind::Video {
        let _ = element.set_attribute("controls", "");
        let _ = element.set_attribute("preload", "metadata");
    }
    Some(element)
}

/// Builds one step in `mount`, replacing the previous one: a tooltip anchored to its target, a
/// centred modal, a hotspot (a beacon opening a tooltip), a banner strip or a slide-out.
fn render_card(mount: &Element, card: &Card) {
    mount.set_text_content(None);
    let kind = card.kind;
    let centre = kind == StepKind::Modal || card.centred_tooltip;
    let banner = kind == StepKind::Banner;
    let beacon = kind == StepKind::Hotspot && !card.centred_tooltip;
    let anchored = matches!(kind, StepKind::Tooltip | StepKind::Hotspot) && !centre;
    let spotlight = (card.spotlight && anchored && !beacon).then(|| {
        let spotlight = add(mount, "div", "spotlight", "");
        for (name, value) in [
            ("data-waymark-spotlight", ""),
            ("popover", "manual"),
            ("aria-hidden", "true"),
        ] {
            set(&spotlight, name, value);
        }
        spotlight.unchecked_into::<HtmlElement>()
    });
    let beacon = beacon.then(|| {
        let beacon = add_button(mount, "beacon", "");
        for (name, value) in [
            ("popover", "manual"),
            ("data-waymark-beacon", ""),
            ("data-waymark-surface", "hotspot"),
            ("data-flow-id", &card.flow_id),
            ("aria-label", &card.beacon_label),
            ("aria-expanded", "false"),
        ] {
            set(&beacon, name, value);
        }
        beacon.unchecked_into::<HtmlElement>()
    });
    let placement = match (kind, card.placement) {
        _ if centre => "center",
        (StepKind::Banner, Placement::Top) => "top",
        (StepKind::Banner, _) => "bottom",
        // Right-to-left mirrors the slide-out's corner.
        (StepKind::Slideout, placement) if (placement == Placement::Left) != card.rtl => "left",
        (StepKind::Slideout, _) => "right",
        (_, Placement::Top) => "top",
        (_, Placement::Right) => "right",
        (_, Placement::Left) => "left",
        _ => "bottom",
    };
    let mut title_id = "waymark-title-".to_string();
    title_id.push_str(&card.id.to_string());
    let body_id = title_id.replace("title", "body");
    let element = add(
        mount,
        "div",
        if centre { "card centre" } else { "card" },
        "",
    );
    for (name, value) in [
        ("popover", "manual"),
        ("tabindex", "-1"),
        ("role", if banner { "region" } else { "dialog" }),
        ("aria-describedby", &body_id),
        ("data-waymark-step", ""),
        (
            "data-waymark-surface",
            if banner { "banner" } else { "step" },
        ),
        ("data-flow-id", &card.flow_id),
        ("data-step-id", &card.step_id),
        ("data-kind", kind_name(kind)),
        ("data-placement", placement),
    ] {
        set(&element, name, value);
    }
    if banner {
        set(&element, "aria-label", &card.title);
        set(&element, "data-push", crate::dom::flag(card.push));
    } else {
        set(&element, "aria-labelledby", &title_id);
    }
    if centre {
        set(&element, "aria-modal", "true");
    }
    let inner = add(&element, "div", "inner", "");
    let head = add(&inner, "div", "head", "");
    set(&add(&head, "h2", "title", &card.title), "id", &title_id);
    let close = add_button(&head, "close", "");
    set(&close, "data-action", "dismiss");
    set(&close, "aria-label", &card.close);
    set(&add(&close, "span", "", "×"), "aria-hidden", "true");
    let body = add(&inner, "div", "body", "");
    set(&body, "id", &body_id);
    if let Some(document) = document() {
        if let Some(media) = card
            .media
            .as_ref()
            .and_then(|media| media_element(&document, media))
        {
            let _ = body.append_child(&media);
        }
        crate::body::render(&document, &body, &card.body, &card.traits);
    }
    if let Some(question) = &card.question {
        crate::question::render(&body, question, &title_id);
    }
    let foot = add(&inner, "div", "foot", "");
    if card.total > 1 || matches!(kind, StepKind::Tooltip | StepKind::Modal) {
        let progress = add(&foot, "div", "progress", "");
        set(
            &add(&progress, "span", "", &card.progress),
            "data-waymark-progress",
            "",
        );
        let bar = add(&progress, "div", "bar", "");
        for (name, value) in [
            ("role", "progressbar"),
            ("aria-label", &card.progress),
            ("aria-valuemin", "1"),
            ("aria-valuemax", &card.total.to_string()),
            ("aria-valuenow", &(card.index + 1).to_string()),
        ] {
            set(&bar, name, value);
        }
        add(&bar, "div", "fill", "");
    }
    let buttons = add(&foot, "div", "buttons", "");
    if card.question.is_some() {
        let answer = add_button(&buttons, "btn primary", &card.answer_label);
        set(&answer, "data-action", "answer");
        set(&answer, "disabled", "");
    }
    let authored = if card.question.is_some() {
        &[][..]
    } else {
        &card.buttons[..]
    };
    for (index, button) in authored.iter().enumerate() {
        let (name, class) = match button.action {
            ButtonAction::Next => ("next", "btn primary"),
            ButtonAction::Back => ("back", "btn"),
            ButtonAction::Dismiss => ("dismiss", "btn"),
            ButtonAction::Cta => ("cta", "btn primary"),
        };
        let label = engine::template::render(&button.label, &card.traits);
        let element = add_button(&buttons, class, &label);
        set(&element, "data-action", name);
        set(&element, "data-button", &index.to_string());
    }
    if anchored {
        let arrow = add(&element, "div", "arrow", "");
        set(&arrow, "data-waymark-arrow", "");
        set(&arrow, "aria-hidden", "true");
    }
    mounted(card.id, element.unchecked_into(), spotlight, beacon);
}

/// A click anywhere in the step: the beacon toggles its tooltip; a button acts through the app
/// (the close button is a dismissal, the others are looked up by their index on the card).
fn on_card_click(event: web_sys::Event) {
    let Some(control) = event
        .target()
        .and_then(|target| target.dyn_into::<Element>().ok())
        .and_then(|target| target.closest("[data-waymark-beacon],[data-action]").ok()?)
    else {
        return;
    };
    if control.has_attribute("data-waymark-beacon") {
        hotspot(None);
        return;
    }
    if control.get_attribute("data-action").as_deref() == Some("answer") {
        let answered = UI.with(|ui| {
            let ui = ui.borrow();
            let ui = ui.as_ref()?;
            let card = ui.current.as_ref()?;
            let kind = card.question.as_ref()?.kind;
            let answer = crate::question::answer(ui.card_el.as_ref()?, kind)?;
            Some((card.flow_id.clone(), card.step_id.clone(), answer))
        });
        if let Some((flow_id, step_id, answer)) = answered {
            with_app(move |app| app.answer(flow_id, step_id, answer));
        }
        return;
    }
    let index = control
        .get_attribute("data-button")
        .and_then(|index| index.parse::<usize>().ok());
    let (action, url) = match index {
        Some(index) => {
            let Some(button) = UI.with(|ui| {
                let ui = ui.borrow();
                ui.as_ref()?.current.as_ref()?.buttons.get(index).cloned()
            }) else {
                return;
            };
            (button.action, button.url)
        }
        None => (ButtonAction::Dismiss, None),
    };
    with_app(move |app| app.button(action, url));
}
