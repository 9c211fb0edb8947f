//! Validation of a flow beyond what its types already say: every problem is collected, each
//! naming the field at fault (`steps[2].target`), so an author fixes them all in one pass.

use serde::{Deserialize, Serialize};

use std::collections::{BTreeMap, VecDeque};

use crate::audience::{Op, Rule, completed_refs, validate_rule};
use crate::checklist::Checklist;
use crate::doc::is_safe_href;
use crate::flow::{Advance, ButtonAction, Flow, MediaKind, Placement, Step, StepKind, Trigger};
use crate::i18n::StepText;
use crate::settings::AppSettings;
use crate::survey::{MAX_TEXT_LENGTH, Question, QuestionKind, has_question};
use crate::template::placeholders;
use crate::theme::{AA_CONTRAST, ThemeOverride, contrast_pairs, contrast_ratio, parse_hex};

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
///
/// Placement rules per kind: a banner is `top` or `bottom`; a slide-out is `left` or `right`, and
/// the default `bottom` (or `auto`) means `right`, the bottom-right corner; `top` is refused for
/// slide-outs because they always sit in a bottom corner. `media` belongs on modals and
/// slide-outs only, `push` on banners only. A flow has steps or a checklist, never both.
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
        Trigger::Completed { flow: other } => {
            check_trigger_flow(flow, other, &mut errors);
        }
        Trigger::StepCompleted { flow: other, step } => {
            check_trigger_flow(flow, other, &mut errors);
            check_identifier(step, "trigger.step", &mut errors);
        }
        Trigger::DaysAfter { days, .. } => {
            if *days > MAX_TRIGGER_DAYS {
                errors.push(FieldError::new(
                    "trigger.days",
                    "out_of_range",
                    format!("0-{MAX_TRIGGER_DAYS} days"),
                ));
            }
        }
    }
    if let Some(audience) = &flow.audience {
        errors.extend(validate_rule(audience, "audience"));
    }
    if let Some(requires) = &flow.requires {
        errors.extend(validate_rule(requires, "requires"));
    }
    match (&flow.checklist, flow.steps.is_empty()) {
        (None, true) => errors.push(FieldError::new(
            "steps",
            "required",
            "a flow needs at least one step, or a checklist",
        )),
        (Some(_), false) => errors.push(FieldError::new(
            "checklist",
            "conflicts",
            "a flow has either steps or a checklist, not both",
        )),
        (Some(checklist), true) => check_checklist(checklist, &mut errors),
        (None, false) => {}
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
            (StepKind::Tooltip | StepKind::Hotspot, None | Some("")) => {
                errors.push(FieldError::new(
                    at("target"),
                    "required",
                    "a tooltip or hotspot needs a CSS selector to point at",
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
        if step.title.trim().is_empty() && takes_standard_title(step) {
            // A blank title on a scale question takes the standard wording at boot.
        } else {
            check_text(&step.title, &at("title"), MAX_TITLE, &mut errors);
        }
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
            // In a survey the widget adds the way forward itself: Next or Send on a question
            // (which moves on only when answered), Done on a thank-you step.
            Advance::Button
                if flow.survey.is_none()
                    && !step.buttons.iter().any(|button| {
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
        check_step_pattern(step, &at, &mut errors);
        if let Some(requires) = &step.requires {
            errors.extend(validate_rule(requires, &at("requires")));
        }
        if step.target_timeout_ms > MAX_TIMEOUT_MS {
            errors.push(FieldError::new(
                at("target_timeout_ms"),
                "too_large",
                format!("at most {MAX_TIMEOUT_MS} ms"),
            ));
        }
    }
    check_survey(flow, &mut errors);
    check_translations(flow, &mut errors);
    if let Some(theme) = &flow.theme {
        check_theme_override(theme, &mut errors);
    }
    errors
}

/// The longest wait a `days_after` trigger may ask for (ten years).
const MAX_TRIGGER_DAYS: u32 = 3_650;
const MAX_OPTIONS: usize = 20;
const MAX_BRANCHES: usize = 20;
const MAX_TASK: usize = 100;

/// A scale question step may leave its title blank: it takes the standard wording.
fn takes_standard_title(step: &Step) -> bool {
    step.question
        .as_ref()
        .is_some_and(|question| question.kind.scale().is_some())
}

/// The flow a `completed` or `step_completed` trigger waits for: an identifier, and not the
/// flow itself (it would restart itself the moment it completes).
fn check_trigger_flow(flow: &Flow, other: &str, errors: &mut Vec<FieldError>) {
    check_identifier(other, "trigger.flow", errors);
    if other == flow.id {
        errors.push(FieldError::new(
            "trigger.flow",
            "cyclic_trigger",
            "a flow cannot be triggered by itself",
        ));
    }
}

/// The survey parts of a flow: settings, questions, branches and which steps a survey may use.
fn check_survey(flow: &Flow, errors: &mut Vec<FieldError>) {
    let Some(survey) = &flow.survey else {
        for (index, step) in flow.steps.iter().enumerate() {
            if step.question.is_some() {
                errors.push(FieldError::new(
                    format!("steps[{index}].question"),
                    "not_a_survey",
                    "only a survey asks questions; add survey settings to the flow",
                ));
            }
        }
        return;
    };
    if !(1..=100).contains(&survey.sample_percent) {
        errors.push(FieldError::new(
            "survey.sample_percent",
            "out_of_range",
            "1-100 percent of users",
        ));
    }
    if survey.reask_days == Some(0) {
        errors.push(FieldError::new(
            "survey.reask_days",
            "out_of_range",
            "at least 1 day, or absent to never ask again",
        ));
    }
    if flow.checklist.is_some() {
        errors.push(FieldError::new(
            "survey",
            "conflicts",
            "a checklist cannot be a survey",
        ));
    }
    if !flow.steps.is_empty() && !has_question(flow) {
        errors.push(FieldError::new(
            "steps",
            "no_question",
            "a survey needs at least one step with a question",
        ));
    }
    for (index, step) in flow.steps.iter().enumerate() {
        let at = |field: &str| format!("steps[{index}].{field}");
        if !matches!(step.kind, StepKind::Modal | StepKind::Slideout) {
            errors.push(FieldError::new(
                at("kind"),
                "invalid_kind",
                "survey steps are modals or slide-outs",
            ));
        }
        for (button_index, button) in step.buttons.iter().enumerate() {
            // Answers are sent as they are given and branches skip steps, so going back would
            // land on a question the user never saw; a question moves on only when answered.
            let refused = match button.action {
                ButtonAction::Back => Some("a survey does not go back; answers are sent as given"),
                ButtonAction::Next | ButtonAction::Cta if step.question.is_some() => {
                    Some("a question moves on when answered; the widget adds Next or Send")
                }
                _ => None,
            };
            if let Some(message) = refused {
                errors.push(FieldError::new(
                    at(&format!("buttons[{button_index}].action")),
                    "not_allowed",
                    message,
                ));
            }
        }
        let Some(question) = &step.question else {
            continue;
        };
        if step.advance != Advance::Button {
            errors.push(FieldError::new(
                at("advance"),
                "not_allowed",
                "a question moves on when answered",
            ));
        }
        check_question(flow, index, question, errors);
    }
}

fn check_question(flow: &Flow, index: usize, question: &Question, errors: &mut Vec<FieldError>) {
    let at = |field: &str| format!("steps[{index}].question.{field}");
    let kind = question.kind;
    match (&question.task, kind) {
        (None, _) => {}
        (Some(task), QuestionKind::Ces) => check_text(task, &at("task"), MAX_TASK, errors),
        (Some(_), _) => errors.push(FieldError::new(
            at("task"),
            "not_allowed",
            "only a CES question names a task",
        )),
    }
    for (field, label) in [
        ("low_label", &question.low_label),
        ("high_label", &question.high_label),
    ] {
        let Some(label) = label else {
            continue;
        };
        if kind.scale().is_none() {
            errors.push(FieldError::new(
                at(field),
                "not_allowed",
                "only NPS, CES and CSAT questions have scale labels",
            ));
        } else {
            check_text(label, &at(field), MAX_LABEL, errors);
        }
    }
    match question.max_length {
        None => {}
        Some(_) if kind != QuestionKind::Text => errors.push(FieldError::new(
            at("max_length"),
            "not_allowed",
            "only a text question has a maximum length",
        )),
        Some(length) if !(1..=MAX_TEXT_LENGTH).contains(&length) => {
            errors.push(FieldError::new(
                at("max_length"),
                "out_of_range",
                format!("1-{MAX_TEXT_LENGTH} characters"),
            ));
        }
        Some(_) => {}
    }
    if kind.has_options() {
        if question.options.len() < 2 {
            errors.push(FieldError::new(
                at("options"),
                "too_few",
                "a choice question needs at least two options",
            ));
        } else if question.options.len() > MAX_OPTIONS {
            errors.push(FieldError::new(
                at("options"),
                "too_many",
                format!("at most {MAX_OPTIONS} options"),
            ));
        }
        for (option_index, option) in question.options.iter().enumerate() {
            let at_option = |field: &str| at(&format!("options[{option_index}].{field}"));
            check_identifier(&option.id, &at_option("id"), errors);
            if question.options[..option_index]
                .iter()
                .any(|earlier| earlier.id == option.id)
            {
                errors.push(FieldError::new(
                    at_option("id"),
                    "duplicate",
                    format!("option id \"{}\" is used twice", option.id),
                ));
            }
            check_text(&option.label, &at_option("label"), MAX_TITLE, errors);
        }
    } else if !question.options.is_empty() {
        errors.push(FieldError::new(
            at("options"),
            "not_allowed",
            "only single and multiple choice questions have options",
        ));
    }
    if question.branches.len() > MAX_BRANCHES {
        errors.push(FieldError::new(
            at("branches"),
            "too_many",
            format!("at most {MAX_BRANCHES} branches"),
        ));
    }
    for (branch_index, branch) in question.branches.iter().enumerate() {
        let at_branch = |field: &str| at(&format!("branches[{branch_index}].{field}"));
        check_branch_condition(question, &branch.when, &at_branch, errors);
        check_step_target(flow, index, &branch.goto, &at_branch("goto"), errors);
    }
    if let Some(next) = &question.next {
        check_step_target(flow, index, next, &at("next"), errors);
    }
}

/// A branch's `when`: a score range inside the kind's scale, or a known option.
fn check_branch_condition(
    question: &Question,
    when: &crate::survey::BranchWhen,
    at: &dyn Fn(&str) -> String,
    errors: &mut Vec<FieldError>,
) {
    match question.kind.scale() {
        Some((low, high)) => {
            if when.min.is_none() && when.max.is_none() {
                errors.push(FieldError::new(
                    at("when"),
                    "required",
                    "a branch on a score needs min, max or both",
                ));
            }
            for (field, bound) in [("min", when.min), ("max", when.max)] {
                if let Some(bound) = bound
                    && !(low..=high).contains(&bound)
                {
                    errors.push(FieldError::new(
                        at(&format!("when.{field}")),
                        "out_of_range",
                        format!(
                            "a {} score is {low} to {high}",
                            question.kind.as_str().to_uppercase()
                        ),
                    ));
                }
            }
            if let (Some(min), Some(max)) = (when.min, when.max)
                && min > max
            {
                errors.push(FieldError::new(
                    at("when"),
                    "empty_range",
                    "min is above max, so this branch never matches",
                ));
            }
            if when.choice.is_some() {
                errors.push(FieldError::new(
                    at("when.choice"),
                    "not_allowed",
                    "a score question branches on min and max",
                ));
            }
        }
        None if question.kind.has_options() => {
            match &when.choice {
                None => errors.push(FieldError::new(
                    at("when.choice"),
                    "required",
                    "a branch on a choice question names an option",
                )),
                Some(choice) if !question.options.iter().any(|option| &option.id == choice) => {
                    errors.push(FieldError::new(
                        at("when.choice"),
                        "unknown_option",
                        format!("the question has no option \"{choice}\""),
                    ));
                }
                Some(_) => {}
            }
            for (field, bound) in [("min", when.min), ("max", when.max)] {
                if bound.is_some() {
                    errors.push(FieldError::new(
                        at(&format!("when.{field}")),
                        "not_allowed",
                        "a choice question branches on choice",
                    ));
                }
            }
        }
        None => errors.push(FieldError::new(
            at("when"),
            "not_allowed",
            "a text question does not branch; use next",
        )),
    }
}

/// A `goto` or `next`: the id of a step after this one, so a survey always moves forward and ends.
fn check_step_target(
    flow: &Flow,
    index: usize,
    target: &str,
    field: &str,
    errors: &mut Vec<FieldError>,
) {
    match flow.step_index(target) {
        None => errors.push(FieldError::new(
            field,
            "unknown_step",
            format!("the flow has no step \"{target}\""),
        )),
        Some(found) if found <= index => errors.push(FieldError::new(
            field,
            "not_after",
            format!("\"{target}\" is not after this step; a survey only moves forward"),
        )),
        Some(_) => {}
    }
}

const MAX_ITEMS: usize = 30;
const MAX_DESCRIPTION: usize = 1_000;
const MAX_ALT: usize = 300;

/// The kind-specific fields of a step: placement, media and push.
fn check_step_pattern(step: &Step, at: &dyn Fn(&str) -> String, errors: &mut Vec<FieldError>) {
    match (step.kind, step.placement) {
        (StepKind::Banner, Placement::Top | Placement::Bottom) => {}
        (StepKind::Banner, _) => errors.push(FieldError::new(
            at("placement"),
            "invalid_placement",
            "a banner sits at the top or the bottom of the page",
        )),
        (StepKind::Slideout, Placement::Top) => errors.push(FieldError::new(
            at("placement"),
            "invalid_placement",
            "a slide-out sits in a bottom corner: left or right (bottom and auto mean right)",
        )),
        _ => {}
    }
    if let Some(media) = &step.media {
        if !matches!(step.kind, StepKind::Modal | StepKind::Slideout) {
            errors.push(FieldError::new(
                at("media"),
                "not_allowed",
                "only modals and slide-outs show media",
            ));
        }
        if media.url.trim().is_empty() {
            errors.push(FieldError::new(
                at("media.url"),
                "required",
                "an https: URL or a path on the host",
            ));
        } else if !is_https_or_path(&media.url) {
            errors.push(FieldError::new(
                at("media.url"),
                "unsafe_url",
                "media loads only from https: URLs or paths on the host",
            ));
        }
        if media.kind == MediaKind::Image && media.alt.trim().is_empty() {
            errors.push(FieldError::new(
                at("media.alt"),
                "required",
                "an image needs a text alternative for screen readers",
            ));
        } else if media.alt.chars().count() > MAX_ALT {
            errors.push(FieldError::new(
                at("media.alt"),
                "too_long",
                format!("at most {MAX_ALT} characters"),
            ));
        }
    }
    if step.push && step.kind != StepKind::Banner {
        errors.push(FieldError::new(
            at("push"),
            "not_allowed",
            "only banners push the page",
        ));
    }
}

/// Whether a URL is `https:` or a path on the host (`/img/a.png`, `img/a.png`): what media and
/// help articles may load or link to. Protocol-relative `//host` and every other scheme are refused.
pub fn is_https_or_path(url: &str) -> bool {
    let url = url.trim();
    let lowered = url.to_ascii_lowercase();
    if lowered.starts_with("https://") {
        return url.len() > "https://".len();
    }
    !url.is_empty()
        && !url.starts_with("//")
        && !url.starts_with("\\\\")
        && is_safe_href(url)
        && !lowered.starts_with("http:")
        && !lowered.starts_with("mailto:")
}

fn check_checklist(checklist: &Checklist, errors: &mut Vec<FieldError>) {
    check_text(&checklist.title, "checklist.title", MAX_TITLE, errors);
    if checklist.items.is_empty() || checklist.items.len() > MAX_ITEMS {
        errors.push(FieldError::new(
            "checklist.items",
            "invalid_length",
            format!("a checklist has 1-{MAX_ITEMS} items"),
        ));
    }
    for (index, item) in checklist.items.iter().enumerate() {
        let at = |field: &str| format!("checklist.items[{index}].{field}");
        check_identifier(&item.id, &at("id"), errors);
        let earlier = &checklist.items[..index];
        if earlier.iter().any(|other| other.id == item.id) {
            errors.push(FieldError::new(
                at("id"),
                "duplicate",
                format!("item id \"{}\" is used twice", item.id),
            ));
        }
        check_text(&item.title, &at("title"), MAX_TITLE, errors);
        if item.description.chars().count() > MAX_DESCRIPTION {
            errors.push(FieldError::new(
                at("description"),
                "too_long",
                format!("at most {MAX_DESCRIPTION} characters"),
            ));
        }
        for (dependency_index, dependency) in item.depends_on.iter().enumerate() {
            let field = format!("checklist.items[{index}].depends_on[{dependency_index}]");
            if earlier.iter().any(|other| &other.id == dependency) {
                continue;
            }
            // Only earlier items: that keeps dependencies acyclic and the list in doing order.
            if checklist.items[index..]
                .iter()
                .any(|other| &other.id == dependency)
            {
                errors.push(FieldError::new(
                    field,
                    "forward_dependency",
                    format!("\"{dependency}\" is not before this item; an item depends only on earlier items"),
                ));
            } else {
                errors.push(FieldError::new(
                    field,
                    "unknown_item",
                    format!("no item \"{dependency}\" in this checklist"),
                ));
            }
        }
        match &item.done_when {
            None if !item.manual => errors.push(FieldError::new(
                at("done_when"),
                "never_completes",
                "give the item a done_when condition or make it manual",
            )),
            None => {}
            Some(condition) => {
                errors.extend(validate_rule(condition, &at("done_when")));
                if let Some(problem) = never_permanently_holds(condition) {
                    errors.push(FieldError::new(
                        at("done_when"),
                        "condition_never_holds",
                        problem,
                    ));
                }
            }
        }
        if let Some(requires) = &item.requires {
            errors.extend(validate_rule(requires, &at("requires")));
        }
        if let Some(flow_id) = &item.launch_flow {
            check_identifier(flow_id, &at("launch_flow"), errors);
        }
    }
    if let Some(badge) = &checklist.badge {
        check_identifier(&badge.id, "checklist.badge.id", errors);
        check_text(&badge.name, "checklist.badge.name", MAX_LABEL, errors);
    }
}

/// Why a completion condition cannot work, if it cannot. Completion is permanent, so a condition
/// that holds only while something has not happened ("not done", "not exists", a negation)
/// would tick the item at once for every new user: it never means "done".
fn never_permanently_holds(condition: &Rule) -> Option<&'static str> {
    match condition {
        Rule::Not(_) => Some("a negation cannot mark an item done; describe what the user does"),
        Rule::Event {
            op: Op::NotDone, ..
        } => Some("not_done cannot mark an item done; use done or at_least"),
        Rule::Trait {
            op: Op::NotExists, ..
        } => Some("not_exists cannot mark an item done; use exists or a comparison"),
        _ => None,
    }
}

/// Whether a locale key is a BCP-47 style tag: a 2-3 letter language, then 1-8 character
/// alphanumeric subtags joined by `-` (`fr`, `pt-BR`, `zh-Hant-TW`).
pub fn is_locale_tag(tag: &str) -> bool {
    let mut subtags = tag.split('-');
    let language = subtags.next().unwrap_or_default();
    (2..=3).contains(&language.len())
        && language.bytes().all(|byte| byte.is_ascii_alphabetic())
        && subtags.all(|subtag| {
            (1..=8).contains(&subtag.len())
                && subtag.bytes().all(|byte| byte.is_ascii_alphanumeric())
        })
}

/// The question texts of one step's translation: option labels only on a choice question and no
/// more of them than it has options, end labels only on a scale question, each at most a label long.
fn check_question_translation(
    step: &Step,
    text: &StepText,
    field: &dyn Fn(&str) -> String,
    errors: &mut Vec<FieldError>,
) {
    let choice_options = step
        .question
        .as_ref()
        .filter(|question| question.kind.has_options())
        .map(|question| question.options.len());
    let scale = step
        .question
        .as_ref()
        .is_some_and(|question| question.kind.scale().is_some());
    let option_count = choice_options.unwrap_or(0);
    if !text.options.is_empty() && choice_options.is_none() {
        errors.push(FieldError::new(
            field("options"),
            "not_allowed",
            "only a single or multiple choice question has option labels",
        ));
    } else if text.options.len() > option_count {
        errors.push(FieldError::new(
            field("options"),
            "too_many",
            format!("the question has {option_count} options"),
        ));
    }
    for (option_index, label) in text.options.iter().enumerate() {
        if label.chars().count() > MAX_LABEL {
            errors.push(FieldError::new(
                field(&format!("options[{option_index}]")),
                "too_long",
                format!("at most {MAX_LABEL} characters"),
            ));
        }
    }
    for (name, label) in [
        ("low_label", &text.low_label),
        ("high_label", &text.high_label),
    ] {
        let Some(label) = label else {
            continue;
        };
        if !scale {
            errors.push(FieldError::new(
                field(name),
                "not_allowed",
                "only NPS, CES and CSAT questions have scale labels",
            ));
        } else if label.chars().count() > MAX_LABEL {
            errors.push(FieldError::new(
                field(name),
                "too_long",
                format!("at most {MAX_LABEL} characters"),
            ));
        }
    }
}

fn check_translations(flow: &Flow, errors: &mut Vec<FieldError>) {
    for (locale, translation) in &flow.translations {
        let at = |rest: &str| format!("translations.{locale}.{rest}");
        if !is_locale_tag(locale) {
            errors.push(FieldError::new(
                format!("translations.{locale}"),
                "invalid_locale",
                "a BCP-47 language tag, such as \"fr\" or \"pt-BR\"",
            ));
        }
        for step in &flow.steps {
            let Some(text) = translation.steps.get(&step.id) else {
                errors.push(FieldError::new(
                    at(&format!("steps.{}", step.id)),
                    "missing_translation",
                    format!("step \"{}\" has no {locale} text", step.id),
                ));
                continue;
            };
            let field = |rest: &str| at(&format!("steps.{}.{rest}", step.id));
            if text.title.trim().is_empty()
                && step.title.trim().is_empty()
                && takes_standard_title(step)
            {
                // Both blank: the standard wording applies in every language.
            } else if text.title.trim().is_empty() {
                errors.push(FieldError::new(
                    field("title"),
                    "missing_translation",
                    format!("step \"{}\" has no {locale} title", step.id),
                ));
            } else {
                check_text(&text.title, &field("title"), MAX_TITLE, errors);
            }
            if text.body.len() > MAX_BODY {
                errors.push(FieldError::new(
                    field("body"),
                    "too_long",
                    format!("at most {MAX_BODY} characters"),
                ));
            }
            for (name, value) in [("title", &text.title), ("body", &text.body)] {
                if placeholders(value).iter().any(String::is_empty) {
                    errors.push(FieldError::new(
                        field(name),
                        "bad_placeholder",
                        "a {{placeholder}} needs a trait name",
                    ));
                }
            }
            if text.buttons.len() > step.buttons.len() {
                errors.push(FieldError::new(
                    field("buttons"),
                    "too_many",
                    format!("the step has {} buttons", step.buttons.len()),
                ));
            }
            for (button_index, label) in text.buttons.iter().enumerate() {
                if label.chars().count() > MAX_LABEL {
                    errors.push(FieldError::new(
                        field(&format!("buttons[{button_index}]")),
                        "too_long",
                        format!("at most {MAX_LABEL} characters"),
                    ));
                }
            }
            check_question_translation(step, text, &field, errors);
        }
        for step_id in translation.steps.keys() {
            if flow.step_index(step_id).is_none() {
                errors.push(FieldError::new(
                    at(&format!("steps.{step_id}")),
                    "unknown_step",
                    format!("the flow has no step \"{step_id}\""),
                ));
            }
        }
        let Some(checklist) = &flow.checklist else {
            continue;
        };
        match &translation.checklist_title {
            Some(title) if !title.trim().is_empty() => {
                check_text(title, &at("checklist_title"), MAX_TITLE, errors);
            }
            _ => errors.push(FieldError::new(
                at("checklist_title"),
                "missing_translation",
                format!("the checklist has no {locale} title"),
            )),
        }
        for item in &checklist.items {
            let Some(text) = translation.items.get(&item.id) else {
                errors.push(FieldError::new(
                    at(&format!("items.{}", item.id)),
                    "missing_translation",
                    format!("item \"{}\" has no {locale} text", item.id),
                ));
                continue;
            };
            let field = |rest: &str| at(&format!("items.{}.{rest}", item.id));
            if text.title.trim().is_empty() {
                errors.push(FieldError::new(
                    field("title"),
                    "missing_translation",
                    format!("item \"{}\" has no {locale} title", item.id),
                ));
            } else {
                check_text(&text.title, &field("title"), MAX_TITLE, errors);
            }
            if text.description.chars().count() > MAX_DESCRIPTION {
                errors.push(FieldError::new(
                    field("description"),
                    "too_long",
                    format!("at most {MAX_DESCRIPTION} characters"),
                ));
            }
        }
        for item_id in translation.items.keys() {
            if !checklist.items.iter().any(|item| &item.id == item_id) {
                errors.push(FieldError::new(
                    at(&format!("items.{item_id}")),
                    "unknown_item",
                    format!("the checklist has no item \"{item_id}\""),
                ));
            }
        }
    }
}

const MAX_RADIUS: u32 = 32;
const MAX_FONT: usize = 200;

fn check_colour(colour: &str, field: &str, errors: &mut Vec<FieldError>) -> bool {
    let valid = parse_hex(colour).is_some();
    if !valid {
        errors.push(FieldError::new(
            field,
            "invalid_color",
            "a hex colour such as #1f2330",
        ));
    }
    valid
}

fn check_radius(radius: u32, field: &str, errors: &mut Vec<FieldError>) {
    if radius > MAX_RADIUS {
        errors.push(FieldError::new(
            field,
            "out_of_range",
            format!("0-{MAX_RADIUS} pixels"),
        ));
    }
}

/// A font list goes into a CSS custom property, so nothing that could end the declaration.
fn check_font(font: &str, field: &str, errors: &mut Vec<FieldError>) {
    if font.chars().count() > MAX_FONT {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("at most {MAX_FONT} characters"),
        ));
    } else if font.contains([';', '{', '}', '<', '>', '\\']) {
        errors.push(FieldError::new(
            field,
            "invalid_font",
            "a CSS font-family list, such as \"Inter, sans-serif\"",
        ));
    }
}

fn check_contrast(
    foreground: &str,
    background: &str,
    field: &str,
    names: (&str, &str),
    errors: &mut Vec<FieldError>,
) {
    if let Some(ratio) = contrast_ratio(foreground, background)
        && ratio < AA_CONTRAST
    {
        errors.push(FieldError::new(
            field,
            "insufficient_contrast",
            format!(
                "{} on {} has a contrast of {ratio:.2}:1; WCAG AA needs at least {AA_CONTRAST}:1",
                names.0, names.1
            ),
        ));
    }
}

fn check_theme_override(theme: &ThemeOverride, errors: &mut Vec<FieldError>) {
    let accent = theme
        .accent
        .as_deref()
        .filter(|accent| check_colour(accent, "theme.accent", errors));
    let accent_text = theme
        .accent_text
        .as_deref()
        .filter(|text| check_colour(text, "theme.accent_text", errors));
    if let (Some(accent), Some(accent_text)) = (accent, accent_text) {
        check_contrast(
            accent_text,
            accent,
            "theme.accent_text",
            ("accent_text", "accent"),
            errors,
        );
    }
    if let Some(radius) = theme.radius_px {
        check_radius(radius, "theme.radius_px", errors);
    }
    if let Some(font) = &theme.font {
        check_font(font, "theme.font", errors);
    }
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

/// Checks a flow against the app's other flows (the stored flows; a stored copy of `flow` itself
/// is ignored in favour of `flow`):
/// - a `{"completed": id}` in `requires`, a step's or an item's `requires`, or an item's
///   `done_when` naming no flow or checklist → `condition_never_holds` at the rule's path;
/// - a flow requiring its own completion → `cyclic_prerequisite` at the rule's path;
/// - an item's `launch_flow` naming no flow → `unknown_flow` (a checklist → `not_a_tour`);
/// - a loop of flow-level `requires` through other flows (A requires B completed, B requires A)
///   → `cyclic_prerequisite` at `requires`, the message naming the chain `a → b → a`.
/// - a `completed` or `step_completed` trigger naming no flow → `unknown_flow` at `trigger.flow`,
///   or a step that flow does not have → `unknown_step` at `trigger.step`.
pub fn validate_references(flow: &Flow, others: &[Flow]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let known = |id: &str| id == flow.id || others.iter().any(|other| other.id == id);
    for (field, id) in completed_rule_refs(flow) {
        if id == flow.id {
            let holds_never = if field.starts_with("checklist.") {
                "an item cannot wait for its own checklist to be completed"
            } else {
                "a flow cannot require its own completion"
            };
            errors.push(FieldError::new(
                field,
                "cyclic_prerequisite",
                format!("{holds_never}: {id} → {id}"),
            ));
        } else if !known(&id) {
            errors.push(FieldError::new(
                field,
                "condition_never_holds",
                format!("no flow or checklist has the id \"{id}\", so this can never hold"),
            ));
        }
    }
    if let Some(checklist) = &flow.checklist {
        for (index, item) in checklist.items.iter().enumerate() {
            let Some(launch) = &item.launch_flow else {
                continue;
            };
            let field = format!("checklist.items[{index}].launch_flow");
            let target = if launch == &flow.id {
                Some(flow)
            } else {
                others.iter().find(|other| &other.id == launch)
            };
            match target {
                None => errors.push(FieldError::new(
                    field,
                    "unknown_flow",
                    format!("no flow has the id \"{launch}\""),
                )),
                Some(target) if target.steps.is_empty() => errors.push(FieldError::new(
                    field,
                    "not_a_tour",
                    format!("\"{launch}\" is a checklist; \"show me how\" launches a tour"),
                )),
                Some(_) => {}
            }
        }
    }
    check_trigger_references(flow, others, &mut errors);
    if let Some(chain) = prerequisite_cycle(flow, others) {
        errors.push(FieldError::new(
            "requires",
            "cyclic_prerequisite",
            format!(
                "these flows wait for each other and none can ever be shown: {}",
                chain.join(" → ")
            ),
        ));
    }
    errors
}

/// A `completed` or `step_completed` trigger must wait for a flow (or checklist) that exists, and
/// `step_completed` for one of its steps; otherwise the flow could never start.
fn check_trigger_references(flow: &Flow, others: &[Flow], errors: &mut Vec<FieldError>) {
    let (target, step) = match &flow.trigger {
        Trigger::Completed { flow: target } => (target, None),
        Trigger::StepCompleted { flow: target, step } => (target, Some(step)),
        _ => return,
    };
    if target == &flow.id {
        // Reported by `validate_flow` as `cyclic_trigger`.
        return;
    }
    let Some(other) = others.iter().find(|other| &other.id == target) else {
        errors.push(FieldError::new(
            "trigger.flow",
            "unknown_flow",
            format!("no flow or checklist has the id \"{target}\""),
        ));
        return;
    };
    if let Some(step) = step
        && other.step_index(step).is_none()
    {
        errors.push(FieldError::new(
            "trigger.step",
            "unknown_step",
            format!("\"{target}\" has no step \"{step}\""),
        ));
    }
}

/// Every `completed` reference of a flow, with its field path.
fn completed_rule_refs(flow: &Flow) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if let Some(requires) = &flow.requires {
        found.extend(completed_refs(requires, "requires"));
    }
    for (index, step) in flow.steps.iter().enumerate() {
        if let Some(requires) = &step.requires {
            found.extend(completed_refs(
                requires,
                &format!("steps[{index}].requires"),
            ));
        }
    }
    if let Some(checklist) = &flow.checklist {
        for (index, item) in checklist.items.iter().enumerate() {
            if let Some(requires) = &item.requires {
                found.extend(completed_refs(
                    requires,
                    &format!("checklist.items[{index}].requires"),
                ));
            }
            if let Some(done_when) = &item.done_when {
                found.extend(completed_refs(
                    done_when,
                    &format!("checklist.items[{index}].done_when"),
                ));
            }
        }
    }
    found
}

/// The shortest loop of flow-level `requires` that leads from `flow` back to it, as ids
/// (`a, b, a`). Self-loops are reported at the rule itself, so they are not searched here.
fn prerequisite_cycle(flow: &Flow, others: &[Flow]) -> Option<Vec<String>> {
    let mut prerequisites: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for candidate in others
        .iter()
        .filter(|other| other.id != flow.id)
        .chain(std::iter::once(flow))
    {
        let ids = candidate
            .requires
            .as_ref()
            .map(|rule| completed_refs(rule, "requires"))
            .unwrap_or_default()
            .into_iter()
            .map(|(_, id)| id)
            .filter(|id| id != &candidate.id)
            .collect();
        prerequisites.insert(candidate.id.as_str(), ids);
    }
    // Breadth-first from the flow, remembering how each id was reached, until the flow comes back.
    let mut reached_from: BTreeMap<String, String> = BTreeMap::new();
    let mut queue = VecDeque::from([flow.id.clone()]);
    while let Some(id) = queue.pop_front() {
        for next in prerequisites.get(id.as_str()).into_iter().flatten() {
            if next == &flow.id {
                let mut chain = vec![flow.id.clone(), id.clone()];
                let mut at = id;
                while let Some(previous) = reached_from.get(&at) {
                    chain.push(previous.clone());
                    at = previous.clone();
                }
                // `chain` runs backwards from the flow; the last entry is the flow itself.
                chain.reverse();
                return Some(chain);
            }
            if !reached_from.contains_key(next) {
                reached_from.insert(next.clone(), id.clone());
                queue.push_back(next.clone());
            }
        }
    }
    None
}

const MAX_SESSION_ITEMS: u32 = 20;
const MAX_COOLDOWN_SECONDS: u32 = 86_400;
const MAX_SESSION_TIMEOUT_MINUTES: u32 = 1_440;
const MAX_RESOURCE_TITLE: usize = 60;
const MAX_ARTICLES: usize = 50;
const MAX_SUMMARY: usize = 500;

/// Checks app settings and returns every problem, each naming its field (`theme.dark.muted`):
/// `#rrggbb` colours, WCAG AA contrast (≥ 4.5:1) of text/background, muted/background and
/// accent_text/accent in both modes (`insufficient_contrast`, the ratio in the message), a radius
/// of 0–32, fatigue bounds (at most 20 per session, a cool-down of at most a day, a session
/// timeout of 1–1440 minutes) and the resource center's title and articles.
pub fn validate_settings(settings: &AppSettings) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let theme = &settings.theme;
    for (mode, colors) in [("light", &theme.light), ("dark", &theme.dark)] {
        let at = |name: &str| format!("theme.{mode}.{name}");
        for (name, colour) in [
            ("background", &colors.background),
            ("text", &colors.text),
            ("muted", &colors.muted),
            ("accent", &colors.accent),
            ("accent_text", &colors.accent_text),
            ("border", &colors.border),
        ] {
            check_colour(colour, &at(name), &mut errors);
        }
        for (foreground_name, background_name, foreground, background) in contrast_pairs(colors) {
            check_contrast(
                foreground,
                background,
                &at(foreground_name),
                (foreground_name, background_name),
                &mut errors,
            );
        }
    }
    check_radius(theme.radius_px, "theme.radius_px", &mut errors);
    check_font(&theme.font, "theme.font", &mut errors);

    let fatigue = &settings.fatigue;
    if fatigue.max_per_session > MAX_SESSION_ITEMS {
        errors.push(FieldError::new(
            "fatigue.max_per_session",
            "out_of_range",
            format!("0-{MAX_SESSION_ITEMS} (0 means no limit)"),
        ));
    }
    if fatigue.cooldown_seconds > MAX_COOLDOWN_SECONDS {
        errors.push(FieldError::new(
            "fatigue.cooldown_seconds",
            "out_of_range",
            format!("0-{MAX_COOLDOWN_SECONDS} seconds (a day)"),
        ));
    }
    if !(1..=MAX_SESSION_TIMEOUT_MINUTES).contains(&fatigue.session_timeout_minutes) {
        errors.push(FieldError::new(
            "fatigue.session_timeout_minutes",
            "out_of_range",
            format!("1-{MAX_SESSION_TIMEOUT_MINUTES} minutes"),
        ));
    }

    let center = &settings.resource_center;
    check_text(
        &center.title,
        "resource_center.title",
        MAX_RESOURCE_TITLE,
        &mut errors,
    );
    if center.articles.len() > MAX_ARTICLES {
        errors.push(FieldError::new(
            "resource_center.articles",
            "too_many",
            format!("at most {MAX_ARTICLES} articles"),
        ));
    }
    for (index, article) in center.articles.iter().enumerate() {
        let at = |name: &str| format!("resource_center.articles[{index}].{name}");
        check_identifier(&article.id, &at("id"), &mut errors);
        if center.articles[..index]
            .iter()
            .any(|earlier| earlier.id == article.id)
        {
            errors.push(FieldError::new(
                at("id"),
                "duplicate",
                format!("article id \"{}\" is used twice", article.id),
            ));
        }
        check_text(&article.title, &at("title"), MAX_TITLE, &mut errors);
        if article.url.trim().is_empty() {
            errors.push(FieldError::new(
                at("url"),
                "required",
                "an https: URL or a path on the host",
            ));
        } else if !is_https_or_path(&article.url) {
            errors.push(FieldError::new(
                at("url"),
                "unsafe_url",
                "articles link only to https: URLs or paths on the host",
            ));
        }
        if article.summary.chars().count() > MAX_SUMMARY {
            errors.push(FieldError::new(
                at("summary"),
                "too_long",
                format!("at most {MAX_SUMMARY} characters"),
            ));
        }
    }
    errors
}
