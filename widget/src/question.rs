//! A survey question inside a step card: the scale or choices as native radio buttons or
//! checkboxes in a labelled group, or a text area with a live count, and reading the answer back.
//!
//! Native inputs give the keyboard behaviour users expect (arrows move within a radio group,
//! Space toggles a checkbox) and the ARIA roles for free, without any key handling of our own.

use engine::survey::{Question, QuestionKind, text_limit};
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlInputElement};

use crate::dom::{add, set};

/// Appends the controls of `question` to the card's `body`; `title_id` labels the group.
pub(crate) fn render(body: &Element, question: &Question, title_id: &str) {
    let kind = question.kind.as_str();
    let group = add(body, "div", "question", "");
    set(&group, "data-waymark-question", "");
    set(&group, "data-kind", kind);
    set(&group, "aria-labelledby", title_id);
    if question.kind == QuestionKind::Text {
        let limit = text_limit(question).to_string();
        let area = add(&group, "textarea", "", "");
        for (name, value) in [
            ("data-waymark-answer", ""),
            ("aria-labelledby", title_id),
            ("maxlength", &limit),
            ("rows", "3"),
        ] {
            set(&area, name, value);
        }
        let count = add(&group, "span", "count", "");
        set(&count, "data-waymark-count", &limit);
        set(&count, "aria-live", "polite");
        update(&group);
        return;
    }
    let multiple = question.kind == QuestionKind::Multiple;
    set(
        &group,
        "role",
        if multiple { "group" } else { "radiogroup" },
    );
    let scale = question.kind.scale();
    let options: Vec<(String, String)> = match scale {
        Some((low, high)) => (low..=high)
            .map(|value| (value.to_string(), value.to_string()))
            .collect(),
        None => question
            .options
            .iter()
            .map(|choice| (choice.id.clone(), choice.label.clone()))
            .collect(),
    };
    let name = ["wm-", title_id].concat();
    let list = add(
        &group,
        "div",
        if scale.is_some() { "scale" } else { "choices" },
        "",
    );
    for (value, label) in options {
        let option = add(&list, "label", "option", "");
        let input = add(&option, "input", "", "");
        for (attribute, text) in [
            ("type", if multiple { "checkbox" } else { "radio" }),
            ("name", &name),
            ("value", &value),
            ("data-value", &value),
        ] {
            set(&input, attribute, text);
        }
        add(&option, "span", "", &label);
    }
    if let (Some(_), Some(low), Some(high)) = (
        scale,
        question.low_label.as_deref(),
        question.high_label.as_deref(),
    ) {
        let ends_id = [title_id, "-ends"].concat();
        let ends = add(&group, "div", "ends", "");
        set(&ends, "id", &ends_id);
        add(&ends, "span", "", low);
        add(&ends, "span", "", high);
        set(&group, "aria-describedby", &ends_id);
    }
}

/// What the user has answered so far in `card`'s question, as `survey_answered` carries it;
/// `None` while nothing is chosen or typed.
pub(crate) fn answer(card: &Element, kind: QuestionKind) -> Option<Value> {
    if kind == QuestionKind::Text {
        // `value` reads the same on a text area; one binding keeps the glue smaller.
        let area: HtmlInputElement = card
            .query_selector("[data-waymark-answer]")
            .ok()??
            .unchecked_into();
        let text = area.value();
        return (!text.trim().is_empty()).then_some(Value::String(text));
    }
    let checked = card.query_selector_all("[data-value]:checked").ok()?;
    let values: Vec<String> = (0..checked.length())
        .filter_map(|index| checked.item(index)?.dyn_into::<HtmlInputElement>().ok())
        .map(|input| input.value())
        .collect();
    let first = values.first()?.clone();
    Some(match kind {
        QuestionKind::Multiple => Value::Array(values.into_iter().map(Value::String).collect()),
        QuestionKind::Single => Value::String(first),
        _ => Value::from(first.parse::<i64>().ok()?),
    })
}

/// After any input in the card: enables its answer button once there is an answer and keeps a
/// text question's "12 / 1000" count current.
pub(crate) fn update(card: &Element) {
    let Some(group) = card
        .query_selector("[data-waymark-question]")
        .ok()
        .flatten()
    else {
        return;
    };
    let kind = match group.get_attribute("data-kind").as_deref() {
        Some("text") => QuestionKind::Text,
        Some("multiple") => QuestionKind::Multiple,
        Some("single") => QuestionKind::Single,
        _ => QuestionKind::Nps,
    };
    if let Some(count) = group.query_selector("[data-waymark-count]").ok().flatten()
        && let Some(area) = group.query_selector("[data-waymark-answer]").ok().flatten()
    {
        let typed = area
            .unchecked_into::<HtmlInputElement>()
            .value()
            .chars()
            .count();
        let limit = count
            .get_attribute("data-waymark-count")
            .unwrap_or_default();
        count.set_text_content(Some(&[typed.to_string(), " / ".into(), limit].concat()));
    }
    let root = group.closest("[data-waymark-step]").ok().flatten();
    if let Some(button) =
        root.and_then(|root| root.query_selector("[data-action=answer]").ok().flatten())
    {
        let answered = answer(&group, kind).is_some();
        if answered {
            let _ = button.remove_attribute("disabled");
        } else {
            set(&button, "disabled", "");
        }
    }
}
