//! Hand-written JSON conversions between `serde_json::Value` and the engine's wire types.
//!
//! The shapes are exactly those of `engine::wire` / `engine::flow` / `engine::progress` (the
//! serde derives there are the reference), but converting through `Value` by hand keeps serde's
//! per-type generated code out of the wasm, which would otherwise be most of the size budget.

use std::collections::BTreeMap;

use engine::checklist::{Badge, Checklist, ChecklistItem};
use engine::doc::{Node, Tag};
use engine::fatigue::{Blocked, FatigueSettings, SessionLog};
use engine::flow::{
    Advance, Button, ButtonAction, DaysSince, Flow, FlowStatus, Frequency, Media, MediaKind,
    Placement, Step, StepKind, Trigger, WhenTargetMissing,
};
use engine::i18n::UiStrings;
use engine::progress::{
    ChecklistProgress, DismissReason, FlowProgress, LifecycleEvent, RunStatus, UserProgress,
};
use engine::settings::{Article, ClientSettings, Corner, ResourceCenter};
use engine::survey::{Branch, BranchWhen, Choice, Question, QuestionKind, SurveySettings};
use engine::theme::{Colors, Shadow, Theme, ThemeMode, ThemeOverride};
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

fn flag(object: &Obj, key: &str) -> bool {
    object.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn strings_of(object: &Obj, key: &str) -> Vec<String> {
    list(object, key, |value| value.as_str().map(str::to_string)).unwrap_or_default()
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
        "completed" => Trigger::Completed {
            flow: text(trigger, "flow")?,
        },
        "step_completed" => Trigger::StepCompleted {
            flow: text(trigger, "flow")?,
            step: text(trigger, "step")?,
        },
        "days_after" => Trigger::DaysAfter {
            since: match tag_of(trigger, "since")? {
                "signup" => DaysSince::Signup,
                "first_seen" => DaysSince::FirstSeen,
                _ => return None,
            },
            days: trigger.get("days")?.as_u64()? as u32,
        },
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
                ("every_session", Frequency::EverySession),
            ],
        )?,
        priority: object.get("priority").and_then(Value::as_i64).unwrap_or(0) as i32,
        // The collector evaluates `audience` and `requires` (and picks a translation) at boot.
        audience: None,
        requires: None,
        steps: list(object, "steps", step)?,
        checklist: match object.get("checklist") {
            None | Some(Value::Null) => None,
            Some(value) => Some(checklist(value)?),
        },
        replayable: flag(object, "replayable"),
        translations: BTreeMap::new(),
        theme: object
            .get("theme")
            .and_then(Value::as_object)
            .map(theme_override),
        survey: match object.get("survey") {
            None | Some(Value::Null) => None,
            Some(survey) => {
                let survey = survey.as_object()?;
                Some(SurveySettings {
                    sample_percent: number(survey, "sample_percent", 100)? as u32,
                    reask_days: survey
                        .get("reask_days")
                        .and_then(Value::as_u64)
                        .map(|days| days as u32),
                })
            }
        },
    })
}

const QUESTION_KINDS: [(&str, QuestionKind); 6] = [
    ("nps", QuestionKind::Nps),
    ("ces", QuestionKind::Ces),
    ("csat", QuestionKind::Csat),
    ("single", QuestionKind::Single),
    ("multiple", QuestionKind::Multiple),
    ("text", QuestionKind::Text),
];

/// A step's `question`; `None` when malformed (the whole flow is then refused, as serde would).
fn question(value: &Value) -> Option<Question> {
    let object = value.as_object()?;
    let bound = |when: &Obj, key: &str| when.get(key).and_then(Value::as_i64);
    Some(Question {
        kind: QUESTION_KINDS
            .iter()
            .find(|(name, _)| Some(*name) == tag_of(object, "kind"))?
            .1,
        task: text(object, "task"),
        options: list(object, "options", |value| {
            let option = value.as_object()?;
            Some(Choice {
                id: text(option, "id")?,
                label: text(option, "label")?,
            })
        })?,
        max_length: object
            .get("max_length")
            .and_then(Value::as_u64)
            .map(|length| length as u32),
        low_label: text(object, "low_label"),
        high_label: text(object, "high_label"),
        branches: list(object, "branches", |value| {
            let branch = value.as_object()?;
            let when = branch.get("when")?.as_object()?;
            Some(Branch {
                when: BranchWhen {
                    min: bound(when, "min"),
                    max: bound(when, "max"),
                    choice: text(when, "choice"),
                },
                goto: text(branch, "goto")?,
            })
        })?,
        next: text(object, "next"),
    })
}

/// The boot response's `asked` (survey flow id → time last asked, ms); malformed entries are
/// left out, so a bad one can only make a survey look never asked. A list rather than a map:
/// it is read once, and a map's sorting code is not worth its bytes in the wasm.
pub(crate) fn asked(value: Option<&Value>) -> Vec<(String, i64)> {
    value
        .and_then(Value::as_object)
        .map(|entries| {
            entries
                .iter()
                .filter_map(|(id, at)| Some((id.clone(), at.as_i64()?)))
                .collect()
        })
        .unwrap_or_default()
}

const MODES: [(&str, ThemeMode); 3] = [
    ("light", ThemeMode::Light),
    ("dark", ThemeMode::Dark),
    ("auto", ThemeMode::Auto),
];

fn theme_override(object: &Obj) -> ThemeOverride {
    ThemeOverride {
        mode: object
            .get("mode")
            .and_then(|_| choice(object, "mode", ThemeMode::Light, &MODES)),
        accent: text(object, "accent"),
        accent_text: text(object, "accent_text"),
        radius_px: object
            .get("radius_px")
            .and_then(Value::as_u64)
            .map(|radius| radius as u32),
        font: text(object, "font"),
    }
}

fn checklist(value: &Value) -> Option<Checklist> {
    let object = value.as_object()?;
    Some(Checklist {
        title: text(object, "title").unwrap_or_default(),
        items: list(object, "items", |value| {
            let item = value.as_object()?;
            Some(ChecklistItem {
                id: text(item, "id")?,
                title: text(item, "title").unwrap_or_default(),
                description: text(item, "description").unwrap_or_default(),
                // Evaluated by the collector, which sends the resulting progress.
                done_when: None,
                manual: flag(item, "manual"),
                launch_flow: text(item, "launch_flow"),
                depends_on: strings_of(item, "depends_on"),
                requires: None,
                locked: flag(item, "locked"),
            })
        })?,
        badge: object
            .get("badge")
            .and_then(Value::as_object)
            .and_then(|badge| {
                Some(Badge {
                    id: text(badge, "id")?,
                    name: text(badge, "name").unwrap_or_default(),
                })
            }),
        open_on_first_show: flag(object, "open_on_first_show"),
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
            &[
                ("tooltip", StepKind::Tooltip),
                ("modal", StepKind::Modal),
                ("hotspot", StepKind::Hotspot),
                ("banner", StepKind::Banner),
                ("slideout", StepKind::Slideout),
            ],
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
        media: match object.get("media") {
            None | Some(Value::Null) => None,
            Some(media) => {
                let media = media.as_object()?;
                Some(Media {
                    kind: choice(
                        media,
                        "kind",
                        MediaKind::Image,
                        &[("image", MediaKind::Image), ("video", MediaKind::Video)],
                    )?,
                    url: text(media, "url")?,
                    alt: text(media, "alt").unwrap_or_default(),
                })
            }
        },
        push: flag(object, "push"),
        // The collector evaluates `requires` and sets `locked`.
        requires: None,
        locked: flag(object, "locked"),
        question: match object.get("question") {
            None | Some(Value::Null) => None,
            Some(value) => Some(question(value)?),
        },
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
    progress.checklists = checklists(object);
    progress
}

/// The `checklists` part of a user's progress.
pub(crate) fn checklists(object: &Obj) -> BTreeMap<String, ChecklistProgress> {
    let mut checklists = BTreeMap::new();
    if let Some(entries) = object.get("checklists").and_then(Value::as_object) {
        for (id, entry) in entries {
            if let Some(entry) = entry.as_object() {
                checklists.insert(
                    id.clone(),
                    ChecklistProgress {
                        done: strings_of(entry, "done"),
                        completed: flag(entry, "completed"),
                        badge: text(entry, "badge"),
                    },
                );
            }
        }
    }
    checklists
}

fn colors(object: Option<&Obj>, default: Colors) -> Colors {
    let Some(object) = object else {
        return default;
    };
    let pick = |key: &str, fallback: String| text(object, key).unwrap_or(fallback);
    Colors {
        background: pick("background", default.background),
        text: pick("text", default.text),
        muted: pick("muted", default.muted),
        accent: pick("accent", default.accent),
        accent_text: pick("accent_text", default.accent_text),
        border: pick("border", default.border),
    }
}

/// The widget's words; any missing one keeps its English default.
fn ui_strings(object: Option<&Obj>, mut strings: UiStrings) -> UiStrings {
    if let Some(object) = object {
        for (key, slot) in strings.words_mut() {
            if let Some(value) = text(object, key) {
                *slot = value;
            }
        }
    }
    strings
}

/// The boot response's `settings`; anything missing or malformed keeps its default.
pub(crate) fn settings(value: Option<&Value>) -> ClientSettings {
    let defaults = ClientSettings::default();
    let Some(object) = value.and_then(Value::as_object) else {
        return defaults;
    };
    let part = |key: &str| object.get(key).and_then(Value::as_object);
    let theme = match part("theme") {
        None => defaults.theme,
        Some(theme) => {
            let base = defaults.theme;
            Theme {
                mode: choice(theme, "mode", ThemeMode::Light, &MODES).unwrap_or(base.mode),
                light: colors(theme.get("light").and_then(Value::as_object), base.light),
                dark: colors(theme.get("dark").and_then(Value::as_object), base.dark),
                font: text(theme, "font").unwrap_or(base.font),
                radius_px: number(theme, "radius_px", u64::from(base.radius_px))
                    .map_or(base.radius_px, |radius| radius as u32),
                shadow: choice(
                    theme,
                    "shadow",
                    base.shadow,
                    &[
                        ("none", Shadow::None),
                        ("soft", Shadow::Soft),
                        ("strong", Shadow::Strong),
                    ],
                )
                .unwrap_or(base.shadow),
            }
        }
    };
    let fatigue = match part("fatigue") {
        None => defaults.fatigue,
        Some(fatigue) => {
            let base = defaults.fatigue;
            let count = |key: &str, fallback: u32| {
                number(fatigue, key, u64::from(fallback)).map_or(fallback, |value| value as u32)
            };
            FatigueSettings {
                max_per_session: count("max_per_session", base.max_per_session),
                cooldown_seconds: count("cooldown_seconds", base.cooldown_seconds),
                session_timeout_minutes: count(
                    "session_timeout_minutes",
                    base.session_timeout_minutes,
                ),
            }
        }
    };
    let resource_center = match part("resource_center") {
        None => defaults.resource_center,
        Some(center) => {
            let base = defaults.resource_center;
            ResourceCenter {
                enabled: flag(center, "enabled"),
                position: choice(
                    center,
                    "position",
                    Corner::BottomRight,
                    &[
                        ("bottom_right", Corner::BottomRight),
                        ("bottom_left", Corner::BottomLeft),
                        ("top_right", Corner::TopRight),
                        ("top_left", Corner::TopLeft),
                    ],
                )
                .unwrap_or(base.position),
                title: text(center, "title").unwrap_or(base.title),
                articles: list(center, "articles", |value| {
                    let article = value.as_object()?;
                    Some(Article {
                        id: text(article, "id")?,
                        title: text(article, "title").unwrap_or_default(),
                        url: text(article, "url").unwrap_or_default(),
                        summary: text(article, "summary").unwrap_or_default(),
                    })
                })
                .unwrap_or_default(),
                feedback: center
                    .get("feedback")
                    .and_then(Value::as_bool)
                    .unwrap_or(base.feedback),
            }
        }
    };
    ClientSettings {
        theme,
        fatigue,
        resource_center,
        locale: text(object, "locale").unwrap_or(defaults.locale),
        rtl: flag(object, "rtl"),
        strings: ui_strings(part("strings"), defaults.strings),
    }
}

/// The fatigue session log as stored in localStorage (its serde shape).
pub(crate) fn session_log(value: &Value) -> SessionLog {
    let Some(object) = value.as_object() else {
        return SessionLog::default();
    };
    let time = |key: &str| object.get(key).and_then(Value::as_i64).unwrap_or(0);
    SessionLog {
        started_at: time("started_at"),
        last_activity: time("last_activity"),
        shown: list(object, "shown", |entry| {
            let pair = entry.as_array()?;
            Some((pair.first()?.as_str()?.to_string(), pair.get(1)?.as_i64()?))
        })
        .unwrap_or_default(),
    }
}

pub(crate) fn session_log_json(log: &SessionLog) -> Value {
    let mut object = Obj::new();
    object.insert("started_at".into(), Value::from(log.started_at));
    object.insert("last_activity".into(), Value::from(log.last_activity));
    object.insert(
        "shown".into(),
        Value::Array(
            log.shown
                .iter()
                .map(|(id, at)| Value::Array(vec![Value::from(id.as_str()), Value::from(*at)]))
                .collect(),
        ),
    );
    Value::Object(object)
}

const BLOCKED: [(&str, Blocked); 3] = [
    ("session_limit", Blocked::SessionLimit),
    ("cooldown", Blocked::Cooldown),
    ("already_this_session", Blocked::AlreadyThisSession),
];

/// The wire name and properties of a lifecycle event (as `LifecycleEvent::to_track`).
pub(crate) fn lifecycle_to_track(event: &LifecycleEvent) -> (&'static str, Obj) {
    let mut properties = Obj::new();
    let mut put = |key: &str, value: Value| {
        properties.insert(key.to_string(), value);
    };
    let name = match event {
        LifecycleEvent::ChecklistItemCompleted {
            checklist_id,
            item_id,
            manual,
        } => {
            put("checklist_id", Value::from(checklist_id.as_str()));
            put("item_id", Value::from(item_id.as_str()));
            put("manual", Value::from(*manual));
            "checklist_item_completed"
        }
        LifecycleEvent::ChecklistCompleted { checklist_id } => {
            put("checklist_id", Value::from(checklist_id.as_str()));
            "checklist_completed"
        }
        LifecycleEvent::BadgeEarned {
            checklist_id,
            badge_id,
        } => {
            put("checklist_id", Value::from(checklist_id.as_str()));
            put("badge_id", Value::from(badge_id.as_str()));
            "badge_earned"
        }
        _ => {
            put("flow_id", Value::from(event.flow_id()));
            match event {
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
                }
                | LifecycleEvent::StepSkipped {
                    step_id,
                    step_index,
                    ..
                }
                | LifecycleEvent::StepTargetMissing {
                    step_id,
                    step_index,
                    ..
                } => {
                    put("step_id", Value::from(step_id.as_str()));
                    put("step_index", Value::from(*step_index));
                    match event {
                        LifecycleEvent::StepViewed { .. } => "step_viewed",
                        LifecycleEvent::StepCompleted {
                            next_step_index, ..
                        } => {
                            if let Some(next) = next_step_index {
                                put("next_step_index", Value::from(*next));
                            }
                            "step_completed"
                        }
                        LifecycleEvent::StepSkipped { .. } => "step_skipped",
                        LifecycleEvent::StepTargetMissing { action, .. } => {
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
                        _ => "step_back",
                    }
                }
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
                LifecycleEvent::ContentSuppressed { reason, .. } => {
                    put("reason", Value::from(reason.as_str()));
                    "content_suppressed"
                }
                LifecycleEvent::SurveyAnswered {
                    step_id,
                    step_index,
                    kind,
                    answer,
                    ..
                } => {
                    put("step_id", Value::from(step_id.as_str()));
                    put("step_index", Value::from(*step_index));
                    put("kind", Value::from(kind.as_str()));
                    put("answer", answer.clone());
                    "survey_answered"
                }
                _ => "flow_completed",
            }
        }
    };
    (name, properties)
}

/// Reads a tracked lifecycle event back (as `LifecycleEvent::from_track`); `None` otherwise.
pub(crate) fn lifecycle_from_track(name: &str, properties: &Obj) -> Option<LifecycleEvent> {
    let checklist_id = || text(properties, "checklist_id");
    match name {
        "checklist_item_completed" => {
            return Some(LifecycleEvent::ChecklistItemCompleted {
                checklist_id: checklist_id()?,
                item_id: text(properties, "item_id")?,
                manual: flag(properties, "manual"),
            });
        }
        "checklist_completed" => {
            return Some(LifecycleEvent::ChecklistCompleted {
                checklist_id: checklist_id()?,
            });
        }
        "badge_earned" => {
            return Some(LifecycleEvent::BadgeEarned {
                checklist_id: checklist_id()?,
                badge_id: text(properties, "badge_id")?,
            });
        }
        _ => {}
    }
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
            next_step_index: match properties.get("next_step_index") {
                None => None,
                Some(next) => Some(next.as_u64()? as usize),
            },
        },
        "survey_answered" => LifecycleEvent::SurveyAnswered {
            flow_id,
            step_id: step_id()?,
            step_index: index()?,
            kind: QUESTION_KINDS
                .iter()
                .find(|(name, _)| Some(*name) == tag_of(properties, "kind"))?
                .1,
            answer: properties.get("answer")?.clone(),
        },
        "step_skipped" => LifecycleEvent::StepSkipped {
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
        "content_suppressed" => LifecycleEvent::ContentSuppressed {
            flow_id,
            reason: choice(properties, "reason", Blocked::SessionLimit, &BLOCKED)?,
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
            LifecycleEvent::StepSkipped {
                flow_id: "f".into(),
                step_id: "s".into(),
                step_index: 4,
            },
            LifecycleEvent::ChecklistItemCompleted {
                checklist_id: "c".into(),
                item_id: "i".into(),
                manual: true,
            },
            LifecycleEvent::ChecklistItemCompleted {
                checklist_id: "c".into(),
                item_id: "j".into(),
                manual: false,
            },
            LifecycleEvent::ChecklistCompleted {
                checklist_id: "c".into(),
            },
            LifecycleEvent::BadgeEarned {
                checklist_id: "c".into(),
                badge_id: "b".into(),
            },
            LifecycleEvent::ContentSuppressed {
                flow_id: "f".into(),
                reason: Blocked::Cooldown,
            },
            LifecycleEvent::ContentSuppressed {
                flow_id: "f".into(),
                reason: Blocked::AlreadyThisSession,
            },
            LifecycleEvent::StepCompleted {
                flow_id: "f".into(),
                step_id: "s".into(),
                step_index: 0,
                next_step_index: None,
            },
            LifecycleEvent::StepCompleted {
                flow_id: "f".into(),
                step_id: "s".into(),
                step_index: 0,
                next_step_index: Some(3),
            },
            LifecycleEvent::SurveyAnswered {
                flow_id: "f".into(),
                step_id: "s".into(),
                step_index: 0,
                kind: QuestionKind::Nps,
                answer: Value::from(9),
            },
            LifecycleEvent::SurveyAnswered {
                flow_id: "f".into(),
                step_id: "m".into(),
                step_index: 2,
                kind: QuestionKind::Multiple,
                answer: serde_json::json!(["a", "b"]),
            },
            LifecycleEvent::SurveyAnswered {
                flow_id: "f".into(),
                step_id: "t".into(),
                step_index: 3,
                kind: QuestionKind::Text,
                answer: Value::from("Faster imports"),
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

    /// Every new field and kind of the flow format, as the collector sends it at boot.
    const RICH_FLOWS: &str = r##"[
        {"id":"hs","name":"Hotspot","status":"published","trigger":{"type":"url","pattern":"/p*"},
         "frequency":"every_session","priority":2,"replayable":true,
         "theme":{"mode":"dark","accent":"#b3261e","radius_px":4},
         "steps":[{"id":"h","kind":"hotspot","target":"#x","title":"Start here","body":"b",
                   "buttons":[{"action":"next","label":"Got it"}],"locked":true}]},
        {"id":"bn","name":"Banner","trigger":{"type":"manual"},"steps":[
            {"id":"b","kind":"banner","placement":"top","push":true,"title":"New"},
            {"id":"s","kind":"slideout","placement":"left","title":"Side",
             "media":{"kind":"video","url":"https://x/v.mp4","alt":"Demo"}},
            {"id":"m","kind":"modal","title":"Pic","media":{"kind":"image","url":"/a.png","alt":"A"}}]},
        {"id":"cl","name":"Checklist","status":"published","trigger":{"type":"manual"},
         "theme":{"font":"Georgia"},
         "checklist":{"title":"Get started","open_on_first_show":true,"badge":{"id":"b1","name":"Pro"},
           "items":[{"id":"a","title":"A","description":"d","manual":true,"launch_flow":"hs"},
                    {"id":"b","title":"B","depends_on":["a"],"locked":true}]}},
        {"id":"nps","name":"NPS","status":"published","frequency":"until_completed",
         "trigger":{"type":"days_after","since":"signup","days":14},
         "survey":{"sample_percent":50,"reask_days":90},
         "steps":[
            {"id":"score","kind":"slideout","title":"","question":{"kind":"nps",
              "low_label":"No","high_label":"Yes",
              "branches":[{"when":{"max":6},"goto":"better"},{"when":{"min":9,"max":10},"goto":"love"}]}},
            {"id":"better","kind":"slideout","title":"Better?","question":{"kind":"text","max_length":500,"next":"thanks"}},
            {"id":"love","kind":"modal","title":"Love?","question":{"kind":"multiple",
              "options":[{"id":"speed","label":"Speed"},{"id":"price","label":"Price"}],
              "branches":[{"when":{"choice":"price"},"goto":"thanks"}]}},
            {"id":"thanks","kind":"slideout","title":"Thank you!","body":"Bye"}]},
        {"id":"ces","name":"CES","trigger":{"type":"step_completed","flow":"hs","step":"h"},
         "survey":{},"steps":[{"id":"q","kind":"modal","title":"","question":{"kind":"ces","task":"add a task"}}]},
        {"id":"after","name":"After","trigger":{"type":"completed","flow":"cl"},
         "survey":{"sample_percent":10},"steps":[{"id":"q","kind":"modal","title":"Pick",
            "question":{"kind":"single","options":[{"id":"a","label":"A"},{"id":"b","label":"B"}]}}]},
        {"id":"seen","name":"Seen","trigger":{"type":"days_after","since":"first_seen","days":0},
         "steps":[{"id":"s","kind":"modal","title":"Hi"}]}
    ]"##;

    #[test]
    fn new_flow_kinds_parse_like_the_engine() {
        let value: Value = serde_json::from_str(RICH_FLOWS).unwrap();
        let expected: Vec<Flow> = serde_json::from_value(value.clone()).unwrap();
        let parsed: Vec<Flow> = value
            .as_array()
            .unwrap()
            .iter()
            .map(|value| flow(value).unwrap())
            .collect();
        assert_eq!(parsed, expected);
    }

    #[test]
    fn rules_and_translations_the_collector_evaluates_are_left_out() {
        let value = serde_json::json!({"id":"x","name":"X","trigger":{"type":"manual"},
            "requires":{"completed":"y"},
            "translations":{"fr":{"steps":{"a":{"title":"Bonjour"}}}},
            "steps":[{"id":"a","kind":"tooltip","title":"Hi","requires":{"completed":"z"}}],
            "checklist":{"title":"T","items":[{"id":"i","title":"I","done_when":{"visited":"/p"},
                "requires":{"completed":"y"}}]}});
        let mut expected: Flow = serde_json::from_value(value.clone()).unwrap();
        expected.requires = None;
        expected.translations.clear();
        expected.steps[0].requires = None;
        let checklist = expected.checklist.as_mut().unwrap();
        checklist.items[0].done_when = None;
        checklist.items[0].requires = None;
        assert_eq!(flow(&value), Some(expected));
    }

    #[test]
    fn asked_parses_like_the_engine() {
        let mut response: engine::wire::BootResponse = serde_json::from_value(serde_json::json!({
            "user_id": "u", "flows": [], "progress": {}, "next": null
        }))
        .unwrap();
        let as_list = |map: &BTreeMap<String, i64>| map.clone().into_iter().collect::<Vec<_>>();
        assert_eq!(asked(None), as_list(&response.asked));
        response.asked.insert("nps".into(), 1_700_000_000_000);
        response.asked.insert("ces".into(), 5);
        let value = serde_json::to_value(&response).unwrap();
        assert_eq!(asked(value.get("asked")), as_list(&response.asked));
        let mixed = serde_json::json!({"a": 1, "b": "x", "c": null});
        assert_eq!(asked(Some(&mixed)), [("a".to_string(), 1)]);
    }

    #[test]
    fn settings_parse_like_the_engine() {
        let mut custom = ClientSettings::default();
        custom.theme.mode = ThemeMode::Auto;
        custom.theme.dark.accent = "#123456".into();
        custom.theme.font = "Georgia, serif".into();
        custom.theme.radius_px = 0;
        custom.theme.shadow = Shadow::Strong;
        custom.fatigue = FatigueSettings {
            max_per_session: 0,
            cooldown_seconds: 10,
            session_timeout_minutes: 5,
        };
        custom.resource_center = ResourceCenter {
            enabled: true,
            position: Corner::TopLeft,
            title: "Aide".into(),
            articles: vec![Article {
                id: "a".into(),
                title: "Start".into(),
                url: "https://x/a".into(),
                summary: "How".into(),
            }],
            feedback: false,
        };
        custom.locale = "ar".into();
        custom.rtl = true;
        custom.strings.close = "إغلاق".into();
        custom.strings.step_of = "{n} / {total}".into();
        custom.strings.open_hint = "Ouvrir".into();
        for expected in [ClientSettings::default(), custom] {
            let value = serde_json::to_value(&expected).unwrap();
            assert_eq!(settings(Some(&value)), expected);
        }
        assert_eq!(settings(None), ClientSettings::default());
        let partial = serde_json::json!({"rtl": true, "strings": {"close": "Fermer"}});
        let parsed = settings(Some(&partial));
        assert!(parsed.rtl);
        assert_eq!(parsed.strings.close, "Fermer");
        assert_eq!(parsed.strings.next, ClientSettings::default().strings.next);
    }

    #[test]
    fn session_logs_keep_the_serde_shape() {
        let log = SessionLog {
            started_at: 1_700_000_000_000,
            last_activity: 1_700_000_060_000,
            shown: vec![
                ("a".into(), 1_700_000_000_000),
                ("b".into(), 1_700_000_050_000),
            ],
        };
        let value = session_log_json(&log);
        assert_eq!(value, serde_json::to_value(&log).unwrap());
        assert_eq!(session_log(&value), log);
        assert_eq!(session_log(&Value::Null), SessionLog::default());
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
        for event in [
            LifecycleEvent::ChecklistItemCompleted {
                checklist_id: "c".into(),
                item_id: "a".into(),
                manual: true,
            },
            LifecycleEvent::ChecklistCompleted {
                checklist_id: "c".into(),
            },
            LifecycleEvent::BadgeEarned {
                checklist_id: "c".into(),
                badge_id: "b".into(),
            },
            LifecycleEvent::ChecklistItemCompleted {
                checklist_id: "d".into(),
                item_id: "x".into(),
                manual: false,
            },
        ] {
            expected.apply(&event);
        }
        let value = serde_json::to_value(&expected).unwrap();
        assert_eq!(progress(&value), expected);
    }
}
