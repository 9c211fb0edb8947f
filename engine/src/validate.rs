//! Validation of a flow beyond what its types already say: every problem is collected, each
//! naming the field at fault (`steps[2].target`), so an author fixes them all in one pass.

use serde::{Deserialize, Serialize};

use crate::audience::validate_rule;
use crate::doc::is_safe_href;
use crate::flow::{Advance, ButtonAction, Flow, StepKind, Trigger};
use crate::template::placeholders;

/// One problem with an input, in the shape every Waymark API error uses.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            code: code.to_string(),
            message: message.into(),
        }
    }
}

const MAX_STEPS: usize = 50;
const MAX_TITLE: usize = 200;
const MAX_BODY: usize = 10_000;
const MAX_LABEL: usize = 60;
const MAX_TIMEOUT_MS: u32 = 120_000;

/// Checks a flow and returns every problem found (empty when valid).
pub fn validate_flow(flow: &Flow) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if flow.format != crate::flow::FORMAT {
        errors.push(FieldError::new(
            "format",
            "unsupported_format",
            format!("expected \"{}\"", crate::flow::FORMAT),
        ));
    }
    check_identifier(&flow.id, "id", &mut errors);
    check_text(&flow.name, "name", 200, &mut errors);
    match &flow.trigger {
        Trigger::Url { pattern } => check_pattern(pattern, "trigger.pattern", &mut errors),
        Trigger::Event { name } => check_event_name(name, "trigger.name", &mut errors),
        Trigger::Manual => {}
    }
    if let Some(audience) = &flow.audience {
        errors.extend(validate_rule(audience, "audience"));
    }
    if flow.steps.is_empty() {
        errors.push(FieldError::new(
            "steps",
            "required",
            "a flow needs at least one step",
        ));
    }
    if flow.steps.len() > MAX_STEPS {
        errors.push(FieldError::new(
            "steps",
            "too_many",
            format!("at most {MAX_STEPS} steps"),
        ));
    }
    for (index, step) in flow.steps.iter().enumerate() {
        let at = |field: &str| format!("steps[{index}].{field}");
        check_identifier(&step.id, &at("id"), &mut errors);
        if flow.steps[..index]
            .iter()
            .any(|earlier| earlier.id == step.id)
        {
            errors.push(FieldError::new(
                at("id"),
                "duplicate",
                format!("step id \"{}\" is used twice", step.id),
            ));
        }
        match (&step.kind, step.target.as_deref().map(str::trim)) {
            (StepKind::Tooltip, None | Some("")) => {
                errors.push(FieldError::new(
                    at("target"),
                    "required",
                    "a tooltip needs a CSS selector to point at",
                ));
            }
            (_, Some(selector)) if selector.len() > 500 => {
                errors.push(FieldError::new(
                    at("target"),
                    "too_long",
                    "selectors are limited to 500 characters",
                ));
            }
            _ => {}
        }
        if let Some(page) = &step.page {
            check_pattern(page, &at("page"), &mut errors);
        }
        check_text(&step.title, &at("title"), MAX_TITLE, &mut errors);
        if step.body.len() > MAX_BODY {
            errors.push(FieldError::new(
                at("body"),
                "too_long",
                format!("at most {MAX_BODY} characters"),
            ));
        }
        for (field, text) in [("title", &step.title), ("body", &step.body)] {
            if placeholders(text).iter().any(String::is_empty) {
                errors.push(FieldError::new(
                    at(field),
                    "bad_placeholder",
                    "a {{placeholder}} needs a trait name",
                ));
            }
        }
        match &step.advance {
            Advance::Click if step.target.is_none() => {
                errors.push(FieldError::new(
                    at("advance"),
                    "needs_target",
                    "advancing on click needs a target",
                ));
            }
            Advance::Event { name } => check_event_name(name, &at("advance.name"), &mut errors),
            Advance::Url { pattern } => check_pattern(pattern, &at("advance.pattern"), &mut errors),
            Advance::Button
                if !step.buttons.iter().any(|button| {
                    matches!(button.action, ButtonAction::Next | ButtonAction::Cta)
                }) =>
            {
                errors.push(FieldError::new(
                    at("buttons"),
                    "no_way_forward",
                    "this step advances by button but has no next or call-to-action button",
                ));
            }
            _ => {}
        }
        for (button_index, button) in step.buttons.iter().enumerate() {
            let at_button = |field: &str| format!("steps[{index}].buttons[{button_index}].{field}");
            check_text(&button.label, &at_button("label"), MAX_LABEL, &mut errors);
            if button.action == ButtonAction::Back && index == 0 {
                errors.push(FieldError::new(
                    at_button("action"),
                    "no_previous_step",
                    "the first step has no step to go back to",
                ));
            }
            match (&button.action, button.url.as_deref()) {
                (ButtonAction::Cta, None | Some("")) => {
                    errors.push(FieldError::new(
                        at_button("url"),
                        "required",
                        "a call-to-action button needs a URL",
                    ));
                }
                (_, Some(url)) if !is_safe_href(url) => {
                    errors.push(FieldError::new(
                        at_button("url"),
                        "unsafe_url",
                        "only http(s), mailto and relative URLs",
                    ));
                }
                _ => {}
            }
        }
        if step.target_timeout_ms > MAX_TIMEOUT_MS {
            errors.push(FieldError::new(
                at("target_timeout_ms"),
                "too_large",
                format!("at most {MAX_TIMEOUT_MS} ms"),
            ));
        }
    }
    errors
}

pub(crate) fn check_identifier(value: &str, field: &str, errors: &mut Vec<FieldError>) {
    if value.is_empty() {
        errors.push(FieldError::new(field, "required", "must not be empty"));
    } else if value.len() > 64
        || !value.bytes().all(|byte| {
            byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-' || byte == b'_'
        })
    {
        errors.push(FieldError::new(
            field,
            "invalid_identifier",
            "use 1-64 lowercase letters, digits, '-' or '_'",
        ));
    }
}

fn check_text(value: &str, field: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.trim().is_empty() {
        errors.push(FieldError::new(field, "required", "must not be empty"));
    } else if value.chars().count() > max {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("at most {max} characters"),
        ));
    }
}

pub(crate) fn check_pattern(pattern: &str, field: &str, errors: &mut Vec<FieldError>) {
    let pattern = pattern.trim();
    if pattern.is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            "a URL pattern such as /projects/* is required",
        ));
    } else if !pattern.starts_with('/') && !pattern.starts_with('*') {
        errors.push(FieldError::new(
            field,
            "invalid_pattern",
            "URL patterns start with / or *",
        ));
    }
}

fn check_event_name(name: &str, field: &str, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() {
        errors.push(FieldError::new(
            field,
            "required",
            "an event name is required",
        ));
    } else if name.len() > 200 {
        errors.push(FieldError::new(field, "too_long", "at most 200 characters"));
    }
}

/// Checks a flow against the app's other flows: `completed` rules and `launch_flow` naming a flow
/// that does not exist (a condition that can never hold), and prerequisite cycles through
/// `requires` / `done_when` (`cyclic_prerequisite`, naming the chain).
pub fn validate_references(flow: &Flow, others: &[Flow]) -> Vec<FieldError> {
    // ENGINE HELPER: implement.
    let _ = (flow, others);
    Vec::new()
}

/// Checks app settings: colours, AA contrast in both modes, radius, fatigue bounds, articles.
pub fn validate_settings(settings: &crate::settings::AppSettings) -> Vec<FieldError> {
    // ENGINE HELPER: implement.
    let _ = settings;
    Vec::new()
}
