//! Page navigation: notices SPA route changes (wrapped `history.pushState`/`replaceState`,
//! `popstate`, `hashchange`) and opens call-to-action links.

use wasm_bindgen::prelude::*;

use crate::with_app;

/// Tells the widget the URL may have changed, after the host's own code has run.
fn url_may_have_changed() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let later = Closure::once_into_js(|| with_app(|app| app.url_changed()));
    let _ = window.set_timeout_with_callback(later.unchecked_ref());
}

/// Wraps the history methods and listens for back/forward navigation.
pub(crate) fn init() {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Ok(history) = window.history() {
        for name in ["pushState", "replaceState"] {
            wrap(&history, name);
        }
    }
    for event in ["popstate", "hashchange"] {
        let handler = Closure::<dyn FnMut()>::new(url_may_have_changed);
        let _ = window.add_event_listener_with_callback(event, handler.as_ref().unchecked_ref());
        handler.forget();
    }
}

/// Replaces `history[name]` with a function that calls whatever was there before (so other
/// wrappers keep working, before or after ours) and then checks the URL. The host's errors are
/// passed through unchanged.
fn wrap(history: &web_sys::History, name: &str) {
    let key = JsValue::from_str(name);
    let Ok(original) = js_sys::Reflect::get(history, &key) else {
        return;
    };
    let Ok(original) = original.dyn_into::<js_sys::Function>() else {
        return;
    };
    let wrapper = Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |state: JsValue, title: JsValue, url: JsValue| {
            let this = web_sys::window()
                .and_then(|window| window.history().ok())
                .map(JsValue::from)
                .unwrap_or_default();
            let result = if url.is_undefined() {
                original.call2(&this, &state, &title)
            } else {
                original.call3(&this, &state, &title, &url)
            };
            url_may_have_changed();
            result
        },
    );
    let _ = js_sys::Reflect::set(history, &key, wrapper.as_ref());
    wrapper.forget();
}

/// Opens a call-to-action URL: relative ones in this tab, absolute ones in a new tab.
pub(crate) fn open(url: &str) {
    if !engine::doc::is_safe_href(url) {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    if url.contains("://") {
        let _ = window.open_with_url_and_target_and_features(url, "_blank", "noopener");
    } else {
        let _ = window.location().assign(url);
    }
}
