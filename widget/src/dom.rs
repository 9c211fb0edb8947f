//! The handful of DOM calls every surface is built from. The widget renders with plain web-sys
//! calls instead of a view framework because the views cost more of the 100 KB gzip budget than
//! everything else together (see ARCHITECTURE.md); routing every element through these few
//! non-inlined helpers keeps each call site to a couple of wasm instructions.

use web_sys::Element;

/// Appends a `<tag>` with `class` and `text` (each left out when empty) to `parent`.
#[inline(never)]
pub(crate) fn add(parent: &Element, tag: &str, class: &str, text: &str) -> Element {
    let element = parent
        .owner_document()
        .unwrap()
        .create_element(tag)
        .unwrap();
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    let _ = parent.append_child(&element);
    element
}

/// Appends a `<button type=button>`.
pub(crate) fn add_button(parent: &Element, class: &str, text: &str) -> Element {
    let button = add(parent, "button", class, text);
    set(&button, "type", "button");
    button
}

/// Sets an attribute; the widget never has a reason to act on a failure.
#[inline(never)]
pub(crate) fn set(element: &Element, name: &str, value: &str) {
    let _ = element.set_attribute(name, value);
}

/// An ARIA boolean.
pub(crate) fn flag(on: bool) -> &'static str {
    if on { "true" } else { "false" }
}
