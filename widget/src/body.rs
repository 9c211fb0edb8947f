//! Turns a step body (`engine::doc::Node`) into DOM nodes one by one — never `innerHTML` — with
//! `{{trait|fallback}}` placeholders filled in on text nodes.

use engine::doc::{Node, Tag, is_safe_href};
use serde_json::{Map, Value};
use web_sys::{Document, Element};

/// Appends `nodes` to `parent`.
pub(crate) fn render(
    document: &Document,
    parent: &Element,
    nodes: &[Node],
    traits: &Map<String, Value>,
) {
    for node in nodes {
        match node {
            Node::Text { v } => {
                let text = document.create_text_node(&engine::template::render(v, traits));
                let _ = parent.append_child(&text);
            }
            Node::Break => {
                if let Ok(br) = document.create_element("br") {
                    let _ = parent.append_child(&br);
                }
            }
            Node::El {
                tag,
                children,
                href,
            } => {
                let Ok(element) = document.create_element(tag.element_name()) else {
                    continue;
                };
                if *tag == Tag::A
                    && let Some(href) = href.as_deref().filter(|href| is_safe_href(href))
                {
                    let _ = element.set_attribute("href", href);
                    if href.contains("://") {
                        let _ = element.set_attribute("target", "_blank");
                        let _ = element.set_attribute("rel", "noopener noreferrer");
                    }
                }
                render(document, &element, children, traits);
                let _ = parent.append_child(&element);
            }
        }
    }
}
