//! Localization: per-locale texts for a flow, the choice of locale (a `locale` trait, else the
//! browser's languages, else the base texts), and the widget's own words in each built-in
//! language. The collector resolves all of it at boot, so the widget receives one language.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::doc::Node;

/// A flow's texts in one locale. Every step (and checklist item) must be covered.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// By step id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub steps: BTreeMap<String, StepText>,
    /// The checklist's title in this locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist_title: Option<String>,
    /// By checklist item id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub items: BTreeMap<String, ItemText>,
}

/// One step's texts in one locale.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct StepText {
    pub title: String,
    #[serde(default)]
    pub body: String,
    /// Compiled by the collector at save time, like `Step::body_doc`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub body_doc: Vec<Node>,
    /// Button labels in the same order as the step's buttons; missing ones keep the base label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buttons: Vec<String>,
}

/// One checklist item's texts in one locale.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ItemText {
    pub title: String,
    #[serde(default)]
    pub description: String,
}

/// The widget's own words. `{n}` and `{total}` are replaced in `step_of` and `done_of`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct UiStrings {
    pub next: String,
    pub back: String,
    pub skip: String,
    pub close: String,
    pub done: String,
    /// "{n} of {total}" (steps).
    pub step_of: String,
    /// "{n} of {total} done" (checklist items).
    pub done_of: String,
    pub show_me_how: String,
    pub help: String,
    pub search: String,
    pub send_feedback: String,
    pub checklists: String,
    pub guides: String,
    pub articles: String,
    pub locked: String,
    pub mark_done: String,
    pub badge_earned: String,
    pub open_hint: String,
}

/// Right-to-left scripts, by primary language subtag.
const RTL_LANGUAGES: [&str; 6] = ["ar", "he", "fa", "ur", "ps", "yi"];

/// Whether a locale is written right to left.
pub fn is_rtl(locale: &str) -> bool {
    let language = primary(locale);
    RTL_LANGUAGES.contains(&language.as_str())
}

fn primary(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Picks from `available` the best locale for the user's `wanted` list (most preferred first):
/// an exact match (case-insensitive, `_` as `-`), else the same primary language. `None` means
/// use the base texts.
pub fn choose_locale<'a>(wanted: &[String], available: impl Iterator<Item = &'a String> + Clone) -> Option<&'a String> {
    let normal = |tag: &str| tag.replace('_', "-").to_ascii_lowercase();
    for want in wanted {
        if let Some(found) = available.clone().find(|candidate| normal(candidate) == normal(want)) {
            return Some(found);
        }
        if let Some(found) = available.clone().find(|candidate| primary(candidate) == primary(want)) {
            return Some(found);
        }
    }
    None
}

/// The built-in languages of the widget's own words.
pub const BUILT_IN_LANGUAGES: [&str; 7] = ["en", "fr", "de", "es", "pt", "ar", "he"];

/// The widget's words for `locale` (by primary language), English when it is not built in.
pub fn ui_strings(locale: &str) -> UiStrings {
    // ENGINE HELPER: a table for every BUILT_IN_LANGUAGES entry.
    let _ = locale;
    UiStrings {
        next: "Next".into(),
        back: "Back".into(),
        skip: "Skip".into(),
        close: "Close".into(),
        done: "Done".into(),
        step_of: "{n} of {total}".into(),
        done_of: "{n} of {total} done".into(),
        show_me_how: "Show me how".into(),
        help: "Help".into(),
        search: "Search".into(),
        send_feedback: "Send feedback".into(),
        checklists: "Checklists".into(),
        guides: "Guides".into(),
        articles: "Articles".into(),
        locked: "Locked".into(),
        mark_done: "Mark as done".into(),
        badge_earned: "Badge earned".into(),
        open_hint: "Open tip".into(),
    }
}

/// Replaces the flow's texts with the best translation for `wanted` (most preferred first) and
/// clears `translations`, so the widget receives one language. The base texts stay when none fits.
pub fn localize(flow: &mut crate::Flow, wanted: &[String]) {
    // ENGINE HELPER: implement.
    let _ = (flow, wanted);
}
