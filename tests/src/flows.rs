//! Flows the scenarios create through the collector's admin API (the welcome tour comes from the
//! demo-app's seed instead). Each is written in the open flow format, v1.

use serde_json::{Value, json};

/// A one-step tooltip flow on `target`, started on pages matching `trigger_pattern`.
pub fn single_tooltip_flow(
    flow_id: &str,
    trigger_pattern: &str,
    target: &str,
    placement: &str,
) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": format!("Tooltip on {target}"),
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [{
            "id": "pointer",
            "kind": "tooltip",
            "target": target,
            "placement": placement,
            "title": "Your payment methods",
            "body": "Add a card here before your trial ends.",
            "buttons": [{ "action": "next", "label": "Got it" }],
        }],
    })
}

/// The id of the tooltip step whose target never exists, in `missing_target_flow`.
pub const MISSING_TARGET_STEP_ID: &str = "points-at-nothing";
/// The id of the modal after it, which the flow skips to.
pub const AFTER_MISSING_TARGET_STEP_ID: &str = "after-the-missing-target";

/// A flow whose first step is a tooltip on `#does-not-exist` with a short target timeout (skipped
/// when missing), followed by a modal that shows only on pages matching `modal_page`.
pub fn missing_target_flow(
    flow_id: &str,
    trigger_pattern: &str,
    modal_page: &str,
    target_timeout_ms: u32,
) -> Value {
    json!({
        "format": "waymark.flow/v1",
        "id": flow_id,
        "name": "Points at nothing",
        "trigger": { "type": "url", "pattern": trigger_pattern },
        "frequency": "once",
        "steps": [
            {
                "id": MISSING_TARGET_STEP_ID,
                "kind": "tooltip",
                "target": "#does-not-exist",
                "title": "This target never appears",
                "buttons": [{ "action": "next", "label": "Next" }],
                "when_target_missing": "skip",
                "target_timeout_ms": target_timeout_ms,
            },
            {
                "id": AFTER_MISSING_TARGET_STEP_ID,
                "kind": "modal",
                "page": modal_page,
                "title": "The flow went on without its missing target",
                "buttons": [{ "action": "next", "label": "Done" }],
            },
        ],
    })
}
