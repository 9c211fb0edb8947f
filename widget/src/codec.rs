//! Hand-written JSON conversions between `serde_json::Value` and the engine's wire types.
//!
//! The shapes are exactly those of `engine::wire` / `engine::flow` / `engine::progress` (the
//! serde derives there are the reference), but converting through `Value` by hand keeps serde's
//! per-type generated code out of the wasm, which would otherwise be most of the size budget.

use std::collections::BTreeMap;

use engine::doc::{Node, Tag};
use engine::flow::{
    Advance, Button, ButtonAction, Flow, FlowStatus, Frequency, Placement, Step, StepKind, Trigger,
    WhenTargetMissing,
};
use engine::progress::{DismissReason, FlowProgress, LifecycleEvent, RunStatus, UserProgress};
use engine::wire::{EventKind, WireEvent};
use serde_json::{Map, Value};

type Obj = Map<String, Value>;

/// A JS value as JSON (functions and `undefined` become `null`). The browser's own `JSON` does
/// the text work, which keeps serde_json's parser and printer out of the wasm.
pub(crate) fn from_js(value: &wasm_bindgen::JsValue) -> Value {
    use wasm_bindgen::JsCast;
    if let Some(flag) = value.as_bool() {
        return Value::Bool(flag);
    }
    if let Some(number) = value.as_f64() {
        if number.fract() == 0.0 && number.abs() < 9.0e15 {
            return Value::from(number as i64);
        }
        return serde_json::Number::from_f64(number)
            .map(Value::Number)
            .unwrap_or(Value::Null);
    }
    if let Some(text) = value.as_string() {
        return Value::String(text);
    }
    if js_sys::Array::is_array(value) {
        let array: &js_sys::Array = value.unchecked_ref();
        return Value::Array(array.iter().map(|item| from_js(&item)).collect());
    }
    if value.is_object() && !value.is_function() {
        let mut object = Obj::new();
        let keys = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>());
        for key in keys.iter() {
            if let (Some(name), Ok(item)) = (key.as_string(), js_sys::Reflect::get(value, &key)) {
                object.insert(name, from_js(&item));
            }
        }
        return Value::Object(object);
    }
    Value::Null
}

/// JSON as a JS value.
pub(crate) fn to_js(value: &Value) -> wasm_bindgen::JsValue {
    use wasm_bindgen::JsValue;
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(flag) => JsValue::from_bool(*flag),
        Value::Number(number) => match number.as_i64() {
            Some(integer) => JsValue::from_f64(integer as f64),
            None => JsValue::from_f64(number.as_f64().unwrap_or(0.0)),
        },
        Value::String(text) => JsValue::from_str(text),
        Value::Array(items) => items.iter().map(to_js).collect::<js_sys::Array>().into(),
        Value::Object(map) => {
            let object = js_sys::Object::new();
            for (key, item) in map {
                let _ = js_sys::Reflect::set(&object, &JsValue::from_str(key), &to_js(item));
            }
            object.into()
        }
    }
}

/// Parses JSON text with the browser's `JSON.parse`.
pub(crate) fn parse(text: &str) -> Option<Value> {
    js_sys::JSON::parse(text).ok().map(|value| from_js(&value))
}

/// Prints JSON text with the browser's `JSON.stringify`.
pub(crate) fn stringify(value: &Value) -> String {
    js_sys::JSON::stringify(&to_js(value))
        .ok()
        .and_then(|text| text.as_string())
        .unwrap_or_default()
}

fn text(object: &Obj, key: &str) -> Option<String> {
    object.get(key)?.as_str().map(str::to_string)
}

fn opt_text(object: &Obj, key: &str) -> Option<Option<String>> {
    match object.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(text)) => Some(Some(text.clone())),
        Some(_) => None,
    }
}

fn number(object: &Obj, key: &str, default: u64) -> Option<u64> {
    match object.get(key) {
        None => Some(default),
        Some(value) => value.as_u64(),
    }
}

fn tag_of<'a>(object: &'a Obj, key: &str) -> Option<&'a str> {
    object.get(key)?.as_str()
}

/// A unit enum from its snake_case name, with a default when the field is absent.
fn choice<T: Copy>(object: &Obj, key: &str, default: T, options: &[(&str, T)]) -> Option<T> {
    match object.get(key) {
        None => Some(default),
        Some(Value::String(name)) => options
            .iter()
            .find(|(option, _)| option == name)
            .map(|(_, value)| *value),
        Some(_) => None,
    }
}

fn list<T>(object: &Obj, key: &str, item: impl Fn(&Value) -> Option<T>) -> Option<Vec<T>> {
    match object.get(key) {
        None | Some(Value::Null) => Some(Vec::new()),
        Some(Value::Array(items)) => items.iter().map(item).collect(),
        Some(_) => None,
    }
}

/// A flow as the collector stores it; `None` when it does not have the v1 shape.
pub(crate) fn flow(value: &Value) -> Option<Flow> {
    let object = value.as_object()?;
    let trigger = object.get("trigger")?.as_object()?;
    let trigger = match tag_of(trigger, "type")? {
        "url" => Trigger::Url {
            pattern: text(trigger, "pattern")?,
        },
        "event" => Trigger::Event {
            name: text(trigger, "name")?,
        },
        "manual" => Trigger::Manual,
        _ => return None,
    };
    Some(Flow {
        format: text(object, "format").unwrap_or_else(|| engine::flow::FORMAT.to_string()),
        id: text(object, "id")?,
        name: text(object, "name").unwrap_or_default(),
        version: number(object, "version", 0)? as u32,
        status: choice(
            object,
            "status",
            FlowStatus::Draft,
            &[
                ("draft", FlowStatus::Draft),
                ("published", FlowStatus::Published),
                ("archived", FlowStatus::Archived),
            ],
        )?,
        trigger,
        frequency: choice(
            object,
            "frequency",
            Frequency::Once,
            &[
                ("once", Frequency::Once),
                ("until_completed", Frequency::UntilCompleted),
                ("every_time", Frequency::EveryTime),
            ],
        )?,
        priority: object.get("priority").and_then(Value::as_i64).unwrap_or(0) as i32,
        audience: None,
        steps: list(object, "steps", step)?,
    })
}

fn step(value: &Value) -> Option<Step> {
    let object = value.as_object()?;
    let advance = match object.get("advance") {
        None | Some(Value::Null) => Advance::Button,
        Some(advance) => {
            let advance = advance.as_object()?;
            match tag_of(advance, "type")? {
                "button" => Advance::Button,
                "click" => Advance::Click,
                "event" => Advance::Event {
                    name: text(advance, "name")?,
                },
                "url" => Advance::Url {
                    pattern: text(advance, "pattern")?,
                },
                _ => return None,
            }
        }
    };
    Some(Step {
        id: text(object, "id")?,
        kind: choice(
            object,
            "kind",
            StepKind::Modal,
            &[("tooltip", StepKind::Tooltip), ("modal", StepKind::Modal)],
        )?,
        target: opt_text(object, "target")?,
        placement: choice(
            object,
            "placement",
            Placement::Bottom,
            &[
                ("top", Placement::Top),
                ("right", Placement::Right),
                ("bottom", Placement::Bottom),
                ("left", Placement::Left),
                ("auto", Placement::Auto),
            ],
        )?,
        page: opt_text(object, "page")?,
        title: text(object, "title").unwrap_or_default(),
        body: text(object, "body").unwrap_or_default(),
        body_doc: list(object, "body_doc", node)?,
        buttons: list(object, "buttons", button)?,
        advance,
        spotlight: object
            .get("spotlight")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        when_target_missing: choice(
            object,
            "when_target_missing",
            WhenTargetMissing::Skip,
            &[
                ("skip", WhenTargetMissing::Skip),
                ("end", WhenTargetMissing::End),
            ],
        )?,
        target_timeout_ms: number(object, "target_timeout_ms", 4000)? as u32,
    })
}

const ACTIONS: [(&str, ButtonAction); 4] = [
    ("next", ButtonAction::Next),
    ("back", ButtonAction::Back),
    ("dismiss", ButtonAction::Dismiss),
    ("cta", ButtonAction::Cta),
];

fn button(value: &Value) -> Option<Button> {
    let object = value.as_object()?;
    let action = ACTIONS
        .iter()
        .find(|(name, _)| Some(*name) == tag_of(object, "action"))?
        .1;
    Some(Button {
        action,
        label: text(object, "label").unwrap_or_default(),
        url: opt_text(object, "url")?,
    })
}

const TAGS: [(&str, Tag); 12] = [
    ("p", Tag::P),
    ("strong", Tag::Strong),
    ("em", Tag::Em),
    ("code", Tag::Code),
    ("pre", Tag::Pre),
    ("a", Tag::A),
    ("ul", Tag::Ul),
    ("ol", Tag::Ol),
    ("li", Tag::Li),
    ("blockquote", Tag::Blockquote),
    ("h3", Tag::H3),
    ("h4", Tag::H4),
];

fn node(value: &Value) -> Option<Node> {
    let object = value.as_object()?;
    Some(match tag_of(object, "t")? {
        "text" => Node::Text {
            v: text(object, "v")?,
        },
        "break" => Node::Break,
        "el" => {
            let tag = TAGS
                .iter()
                .find(|(name, _)| Some(*name) == tag_of(object, "tag"))?
                .1;
            Node::El {
                tag,
                children: list(object, "children", node)?,
                href: opt_text(object, "href")?,
            }
        }
        _ => return None,
    })
}

/// A user's progress; unknown or malformed entries are left out.
pub(crate) fn progress(value: &Value) -> UserProgress {
    let mut progress = UserProgress::default();
    let Some(object) = value.as_object() else {
        return progress;
    };
    progress.active = text(object, "active");
    let mut flows = BTreeMap::new();
    if let Some(entries) = object.get("flows").and_then(Value::as_object) {
        for (id, entry) in entries {
            let Some(entry) = entry.as_object() else {
                continue;
            };
            let status = choice(
                entry,
                "status",
                RunStatus::Active,
                &[
                    ("active", RunStatus::Active),
                    ("completed", RunStatus::Completed),
                    ("dismissed", RunStatus::Dismissed),
                ],
            );
            let count = |key| number(entry, key, 0).unwrap_or(0) as u32;
            if let Some(status) = status {
                flows.insert(
                    id.clone(),
                    FlowProgress {
                        status,
                        step: number(entry, "step", 0).unwrap_or(0) as usize,
                        version: count("version"),
                        starts: count("starts"),
                        completions: count("completions"),
                        dismissals: count("dismissals"),
                    },
                );
            }
        }
    }
    progress.flows = flows;
    progress
}

/// The wire name and properties of a lifecycle event (as `LifecycleEvent::to_track`).
pub(crate) fn lifecycle_to_track(event: &LifecycleEvent) -> (&'static str, Obj) {
    let mut properties = Obj::new();
    let mut put = |key: &str, value: Value| {
        properties.insert(key.to_string(), value);
    };
    put("flow_id", Value::from(event.flow_id()));
    let name = match event {
        LifecycleEvent::FlowStarted { version, .. } => {
            put("version", Value::from(*version));
            "flow_started"
        }
        LifecycleEvent::StepViewed {
            step_id,
            step_index,
            ..
        }
        | LifecycleEvent::StepCompleted {
            step_id,
            step_index,
            ..
        }
        | LifecycleEvent::StepBack {
            step_id,
            step_index,
            ..
        } => {
            put("step_id", Value::from(step_id.as_str()));
            put("step_index", Value::from(*step_index));
            match event {
                LifecycleEvent::StepViewed { .. } => "step_viewed",
                LifecycleEvent::StepCompleted { .. } => "step_completed",
                _ => "step_back",
            }
        }
        LifecycleEvent::StepTargetMissing {
            step_id,
            step_index,
            action,
            ..
        } => {
            put("step_id", Value::from(step_id.as_str()));
            put("step_index", Value::from(*step_index));
            put(
                "action",
                Value::from(if *action == WhenTargetMissing::End {
                    "end"
                } else {
                    "skip"
                }),
            );
            "step_target_missing"
        }
        LifecycleEvent::FlowCompleted { .. } => "flow_completed",
        LifecycleEvent::FlowDismissed {
            step_index, reason, ..
        } => {
            put("step_index", Value::from(*step_index));
            let reason = match reason {
                DismissReason::User => "user",
                DismissReason::TargetMissing => "target_missing",
                DismissReason::Replaced => "replaced",
            };
            put("reason", Value::from(reason));
            "flow_dismissed"
        }
    };
    (name, properties)
}

/// Reads a tracked lifecycle event back (as `LifecycleEvent::from_track`); `None` otherwise.
pub(crate) fn lifecycle_from_track(name: &str, properties: &Obj) -> Option<LifecycleEvent> {
    let flow_id = text(properties, "flow_id")?;
    let index = || {
        number(properties, "step_index", u64::MAX)
            .filter(|index| *index != u64::MAX)
            .map(|index| index as usize)
    };
    let step_id = || text(properties, "step_id");
    Some(match name {
        "flow_started" => LifecycleEvent::FlowStarted {
            flow_id,
            version: number(properties, "version", 0)? as u32,
        },
        "step_viewed" => LifecycleEvent::StepViewed {
            flow_id,
            step_id: step_id()?,
            step_index: index()?,
        },
        "step_completed" => LifecycleEvent::StepCompleted {
            flow_id,
            step_id: step_id()?,
            step_index: index()?,
        },
        "step_back" => LifecycleEvent::StepBack {
            flow_id,
            step_id: step_id()?,
            step_index: index()?,
        },
        "step_target_missing" => LifecycleEvent::StepTargetMissing {
            flow_id,
            step_id: step_id()?,
            step_index: index()?,
            action: choice(
                properties,
                "action",
                WhenTargetMissing::Skip,
                &[
                    ("skip", WhenTargetMissing::Skip),
                    ("end", WhenTargetMissing::End),
                ],
            )?,
        },
        "flow_completed" => LifecycleEvent::FlowCompleted { flow_id },
        "flow_dismissed" => LifecycleEvent::FlowDismissed {
            flow_id,
            step_index: index()?,
            reason: choice(
                properties,
                "reason",
                DismissReason::User,
                &[
                    ("user", DismissReason::User),
                    ("target_missing", DismissReason::TargetMissing),
                    ("replaced", DismissReason::Replaced),
                ],
            )?,
        },
        _ => return None,
    })
}

/// A wire event as JSON (as its serde derive writes it).
pub(crate) fn wire_event(event: &WireEvent) -> Value {
    let mut object = Obj::new();
    object.insert("message_id".into(), Value::from(event.message_id.as_str()));
    object.insert("type".into(), Value::from(event.kind.as_str()));
    if let Some(name) = &event.name {
        object.insert("name".into(), Value::from(name.as_str()));
    }
    if !event.properties.is_empty() {
        object.insert("properties".into(), Value::Object(event.properties.clone()));
    }
    if !event.traits.is_empty() {
        object.insert("traits".into(), Value::Object(event.traits.clone()));
    }
    if let Some(group_id) = &event.group_id {
        object.insert("group_id".into(), Value::from(group_id.as_str()));
    }
    if let Some(url) = &event.url {
        object.insert("url".into(), Value::from(url.as_str()));
    }
    object.insert("timestamp".into(), Value::from(event.timestamp));
    Value::Object(object)
}

/// Reads a wire event back from the queue.
pub(crate) fn wire_event_from(value: &Value) -> Option<WireEvent> {
    let object = value.as_object()?;
    let kind = choice(
        object,
        "type",
        EventKind::Track,
        &[
            ("track", EventKind::Track),
            ("page", EventKind::Page),
            ("identify", EventKind::Identify),
            ("group", EventKind::Group),
        ],
    )?;
    let map = |key: &str| {
        object
            .get(key)
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    Some(WireEvent {
        message_id: text(object, "message_id")?,
        kind,
        name: text(object, "name"),
        properties: map("properties"),
        traits: map("traits"),
        group_id: text(object, "group_id"),
        url: text(object, "url"),
        timestamp: object.get("timestamp").and_then(Value::as_i64).unwrap_or(0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_round_trips_like_the_engine() {
        let events = [
            LifecycleEvent::FlowStarted {
                flow_id: "f".into(),
                version: 3,
            },
            LifecycleEvent::StepViewed {
                flow_id: "f".into(),
                step_id: "s".into(),
                step_index: 1,
            },
            LifecycleEvent::StepTargetMissing {
                flow_id: "f".into(),
                step_id: "s".into(),
                step_index: 1,
                action: WhenTargetMissing::End,
            },
            LifecycleEvent::FlowDismissed {
                flow_id: "f".into(),
                step_index: 2,
                reason: DismissReason::Replaced,
            },
            LifecycleEvent::FlowCompleted {
                flow_id: "f".into(),
            },
        ];
        for event in events {
            let (name, properties) = lifecycle_to_track(&event);
            let (engine_name, engine_properties) = event.to_track();
            assert_eq!(name, engine_name);
            assert_eq!(properties, engine_properties);
            assert_eq!(lifecycle_from_track(name, &properties), Some(event));
        }
    }

    #[test]
    fn flows_parse_like_the_engine() {
        let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../demo-app/flows/welcome-tour.json"))
            .unwrap_or_else(|_| {
                r#"{"id":"x","name":"X","trigger":{"type":"manual"},"steps":[{"id":"a","kind":"modal","title":"T",
                "body_doc":[{"t":"el","tag":"p","children":[{"t":"text","v":"hi"},{"t":"break"}]}],
                "buttons":[{"action":"cta","label":"Go","url":"/x"}],"advance":{"type":"event","name":"e"}}]}"#
                    .to_string()
            });
        let value: Value = serde_json::from_str(&text).unwrap();
        let expected: Flow = serde_json::from_value(value.clone()).unwrap();
        assert_eq!(flow(&value), Some(expected));
    }

    #[test]
    fn wire_events_match_the_serde_shape() {
        let mut properties = Obj::new();
        properties.insert("a".into(), Value::from(1));
        let event = WireEvent {
            message_id: "m".into(),
            kind: EventKind::Track,
            name: Some("n".into()),
            properties,
            traits: Obj::new(),
            group_id: None,
            url: Some("http://x/".into()),
            timestamp: 5,
        };
        assert_eq!(wire_event(&event), serde_json::to_value(&event).unwrap());
        assert_eq!(wire_event_from(&wire_event(&event)), Some(event));
    }

    #[test]
    fn progress_parses_like_the_engine() {
        let mut expected = UserProgress::default();
        expected.apply(&LifecycleEvent::FlowStarted {
            flow_id: "f".into(),
            version: 2,
        });
        let value = serde_json::to_value(&expected).unwrap();
        assert_eq!(progress(&value), expected);
    }
}
