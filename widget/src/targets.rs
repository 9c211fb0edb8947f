//! Finding a step's target: in the page, inside open shadow roots and in same-origin iframes.
//! A selector that is invalid or matches nothing just yields `None`.

use wasm_bindgen::JsCast;
use web_sys::{Document, Element, HtmlIFrameElement, NodeList, ShadowRoot};

use crate::position::Rect;

/// How deep to follow nested shadow roots and iframes.
const MAX_DEPTH: usize = 4;

/// A found target, with the iframes (outermost first) it lives in.
#[derive(Clone)]
pub(crate) struct Target {
    pub element: Element,
    pub frames: Vec<HtmlIFrameElement>,
}

impl Target {
    /// The target's rectangle in the top page's viewport.
    pub fn rect(&self) -> Rect {
        let own = self.element.get_bounding_client_rect();
        let mut rect = Rect {
            x: own.x(),
            y: own.y(),
            width: own.width(),
            height: own.height(),
        };
        for frame in &self.frames {
            let outer = frame.get_bounding_client_rect();
            rect.x += outer.x() + f64::from(frame.client_left());
            rect.y += outer.y() + f64::from(frame.client_top());
        }
        rect
    }

    /// Still in its document (and its frames still in theirs).
    pub fn connected(&self) -> bool {
        self.element.is_connected() && self.frames.iter().all(|frame| frame.is_connected())
    }

    /// The document the target lives in (for click listeners).
    pub fn document(&self) -> Option<Document> {
        self.element.owner_document()
    }
}

/// Finds the first visible-or-not element matching `selector`.
pub(crate) fn find(selector: &str) -> Option<Target> {
    let document = web_sys::window()?.document()?;
    let selector = selector.trim();
    if selector.is_empty() {
        return None;
    }
    find_in(&Root::Document(document), selector, 0)
        .map(|(element, frames)| Target { element, frames })
}

/// Somewhere to search: a document or a shadow root.
enum Root {
    Document(Document),
    Shadow(ShadowRoot),
}

impl Root {
    fn query(&self, selector: &str) -> Option<Element> {
        match self {
            Root::Document(document) => document.query_selector(selector),
            Root::Shadow(shadow) => shadow.query_selector(selector),
        }
        .ok()
        .flatten()
    }

    fn all(&self) -> Option<NodeList> {
        match self {
            Root::Document(document) => document.query_selector_all("*"),
            Root::Shadow(shadow) => shadow.query_selector_all("*"),
        }
        .ok()
    }
}

fn find_in(root: &Root, selector: &str, depth: usize) -> Option<(Element, Vec<HtmlIFrameElement>)> {
    if let Some(element) = root.query(selector) {
        return Some((element, Vec::new()));
    }
    if depth >= MAX_DEPTH {
        return None;
    }
    let all = root.all()?;
    for index in 0..all.length() {
        let Some(node) = all.item(index) else {
            continue;
        };
        // Nodes inside iframes belong to another realm, where `instanceof` checks fail.
        let element: Element = node.unchecked_into();
        if element.id() == "waymark-root" {
            continue;
        }
        if let Some(shadow) = element.shadow_root()
            && let Some(found) = find_in(&Root::Shadow(shadow), selector, depth + 1)
        {
            return Some(found);
        }
        if element.tag_name().eq_ignore_ascii_case("iframe")
            && let frame = element.unchecked_ref::<HtmlIFrameElement>()
            && let Some(inner) = frame.content_document()
            && let Some((element, mut frames)) =
                find_in(&Root::Document(inner), selector, depth + 1)
        {
            frames.insert(0, frame.clone());
            return Some((element, frames));
        }
    }
    None
}

/// Whether `element` matches `selector` (false for invalid selectors).
pub(crate) fn matches(element: &Element, selector: &str) -> bool {
    element.matches(selector).unwrap_or(false)
}
