//! Targeting: a rule tree over what is known about a user (traits, account traits, events done,
//! page, device, locale) and the pure function that says whether the user matches it. There is no
//! clock here: "now" arrives in [`Facts`], so the collector and tests decide what time it is.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::pattern::url_matches;
use crate::validate::{FieldError, check_identifier, check_pattern};

use crate::calendar::{DAY_MS, days_from_civil};
/// Deep enough for any hand-written rule, shallow enough that evaluation can never exhaust the stack.
const MAX_DEPTH: usize = 16;
const MAX_CHILDREN: usize = 100;
/// A valid audience is at most `MAX_DEPTH` deep and a segment (which cannot nest segments) as
/// much again, so valid rules never reach this; it only guards against hand-edited stored data.
const MAX_EVAL_DEPTH: usize = 2 * MAX_DEPTH + 2;

/// One targeting rule. On the wire it is an object with exactly one kind key (`all`, `any`,
/// `not`, `trait`, `account_trait`, `event`, `url`, `device`, `locale`, `segment`); see `docs/api.md`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(try_from = "RuleJson", into = "RuleJson")]
pub enum Rule {
    /// Every rule holds (an empty list is refused by validation).
    All(Vec<Rule>),
    /// At least one rule holds.
    Any(Vec<Rule>),
    Not(Box<Rule>),
    /// A comparison on a user trait (`identify`) or an account trait (`group`).
    Trait {
        scope: TraitScope,
        name: String,
        op: Op,
        value: Option<Value>,
    },
    /// How often the user tracked an event, optionally only in the last `within_days` days.
    Event {
        name: String,
        op: Op,
        count: Option<u32>,
        within_days: Option<u32>,
    },
    /// The current page matches a URL pattern (`/projects*`).
    Url(String),
    Device(Device),
    /// A BCP-47 prefix: `fr` matches `fr` and `fr-CA`, not `fro`.
    Locale(String),
    /// A saved segment's rule, looked up when the rule is evaluated.
    Segment(String),
    /// The user completed this flow or checklist (by id): progressive disclosure and checklist
    /// conditions ("after the basics tour").
    Completed(String),
    /// The user has been on a page matching this URL pattern at some time.
    Visited(String),
}

/// Whose traits a trait rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TraitScope {
    User,
    Account,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Device {
    Mobile,
    Desktop,
}

/// Every operator. Which ones a rule kind accepts is checked by [`validate_rule`], so a misuse
/// gets a field-named error rather than a bare parse failure.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    Eq,
    Neq,
    Contains,
    StartsWith,
    Gt,
    Gte,
    Lt,
    Lte,
    Exists,
    NotExists,
    WithinLastDays,
    MoreThanDaysAgo,
    In,
    Done,
    NotDone,
    AtLeast,
    AtMost,
}

impl Op {
    pub const TRAIT_OPS: [Op; 13] = [
        Op::Eq,
        Op::Neq,
        Op::Contains,
        Op::StartsWith,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::Exists,
        Op::NotExists,
        Op::WithinLastDays,
        Op::MoreThanDaysAgo,
        Op::In,
    ];
    pub const EVENT_OPS: [Op; 4] = [Op::Done, Op::NotDone, Op::AtLeast, Op::AtMost];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "eq",
            Op::Neq => "neq",
            Op::Contains => "contains",
            Op::StartsWith => "starts_with",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::Exists => "exists",
            Op::NotExists => "not_exists",
            Op::WithinLastDays => "within_last_days",
            Op::MoreThanDaysAgo => "more_than_days_ago",
            Op::In => "in",
            Op::Done => "done",
            Op::NotDone => "not_done",
            Op::AtLeast => "at_least",
            Op::AtMost => "at_most",
        }
    }

    fn list(ops: &[Op]) -> String {
        ops.iter()
            .map(|op| op.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Hand-written so that an unknown operator says which ones exist, for trait and event rules alike.
impl<'de> Deserialize<'de> for Op {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Op::TRAIT_OPS
            .iter()
            .chain(&Op::EVENT_OPS)
            .find(|op| op.as_str() == name)
            .copied()
            .ok_or_else(|| {
                de::Error::custom(format!(
                    "unknown operator \"{name}\": trait rules use {}; event rules use {}",
                    Op::list(&Op::TRAIT_OPS),
                    Op::list(&Op::EVENT_OPS)
                ))
            })
    }
}

/// The wire shape of a rule: every key optional, turned into a [`Rule`] only when exactly one
/// kind key is present. A flat object keeps rules easy to hand-write, and the derived parser
/// gives serde_path_to_error a path down to the offending key (`audience.all[1].op`).
#[derive(Serialize, Deserialize, Default)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
struct RuleJson {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    all: Option<Vec<Rule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    any: Option<Vec<Rule>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    not: Option<Box<Rule>>,
    #[serde(rename = "trait", default, skip_serializing_if = "Option::is_none")]
    user_trait: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account_trait: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    device: Option<Device>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    locale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    segment: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completed: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    visited: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    op: Option<Op>,
    /// Compared with the trait; a list for `in`, a number of days for the date operators.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    value: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    within_days: Option<u32>,
}

const KIND_KEYS: &str =
    "all, any, not, trait, account_trait, event, url, device, locale, segment, completed, visited";

impl TryFrom<RuleJson> for Rule {
    type Error = String;

    fn try_from(json: RuleJson) -> Result<Self, String> {
        let RuleJson {
            all,
            any,
            not,
            user_trait,
            account_trait,
            event,
            url,
            device,
            locale,
            segment,
            completed,
            visited,
            op,
            value,
            count,
            within_days,
        } = json;
        let mut kinds: Vec<Rule> = Vec::with_capacity(1);
        let mut uses_op = false;
        let mut uses_value = false;
        let mut uses_count = false;
        kinds.extend(all.map(Rule::All));
        kinds.extend(any.map(Rule::Any));
        kinds.extend(not.map(Rule::Not));
        for (scope, name) in [
            (TraitScope::User, user_trait),
            (TraitScope::Account, account_trait),
        ] {
            if let Some(name) = name {
                (uses_op, uses_value) = (true, true);
                kinds.push(Rule::Trait {
                    scope,
                    name,
                    op: op.ok_or("a trait rule needs an \"op\", such as \"eq\"")?,
                    value: value.clone(),
                });
            }
        }
        if let Some(name) = event {
            (uses_op, uses_count) = (true, true);
            kinds.push(Rule::Event {
                name,
                op: op
                    .ok_or("an event rule needs an \"op\": done, not_done, at_least or at_most")?,
                count,
                within_days,
            });
        }
        kinds.extend(url.map(Rule::Url));
        kinds.extend(device.map(Rule::Device));
        kinds.extend(locale.map(Rule::Locale));
        kinds.extend(segment.map(Rule::Segment));
        kinds.extend(completed.map(Rule::Completed));
        kinds.extend(visited.map(Rule::Visited));

        if kinds.len() != 1 {
            return Err(format!(
                "a rule has exactly one of the keys {KIND_KEYS} (found {})",
                kinds.len()
            ));
        }
        let stray = [
            ("op", op.is_some() && !uses_op),
            ("value", value.is_some() && !uses_value),
            ("count", count.is_some() && !uses_count),
            ("within_days", within_days.is_some() && !uses_count),
        ];
        if let Some((key, _)) = stray.iter().find(|(_, stray)| *stray) {
            return Err(format!("\"{key}\" does not belong in this kind of rule"));
        }
        Ok(kinds.remove(0))
    }
}

impl From<Rule> for RuleJson {
    fn from(rule: Rule) -> Self {
        match rule {
            Rule::All(rules) => RuleJson {
                all: Some(rules),
                ..RuleJson::default()
            },
            Rule::Any(rules) => RuleJson {
                any: Some(rules),
                ..RuleJson::default()
            },
            Rule::Not(rule) => RuleJson {
                not: Some(rule),
                ..RuleJson::default()
            },
            Rule::Trait {
                scope,
                name,
                op,
                value,
            } => {
                let (user_trait, account_trait) = match scope {
                    TraitScope::User => (Some(name), None),
                    TraitScope::Account => (None, Some(name)),
                };
                RuleJson {
                    user_trait,
                    account_trait,
                    op: Some(op),
                    value,
                    ..RuleJson::default()
                }
            }
            Rule::Event {
                name,
                op,
                count,
                within_days,
            } => RuleJson {
                event: Some(name),
                op: Some(op),
                count,
                within_days,
                ..RuleJson::default()
            },
            Rule::Url(pattern) => RuleJson {
                url: Some(pattern),
                ..RuleJson::default()
            },
            Rule::Device(device) => RuleJson {
                device: Some(device),
                ..RuleJson::default()
            },
            Rule::Locale(locale) => RuleJson {
                locale: Some(locale),
                ..RuleJson::default()
            },
            Rule::Segment(id) => RuleJson {
                segment: Some(id),
                ..RuleJson::default()
            },
            Rule::Completed(id) => RuleJson {
                completed: Some(id),
                ..RuleJson::default()
            },
            Rule::Visited(pattern) => RuleJson {
                visited: Some(pattern),
                ..RuleJson::default()
            },
        }
    }
}

/// The published schema describes the wire shape, not the Rust enum.
#[cfg(feature = "schema")]
impl schemars::JsonSchema for Rule {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Rule".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = RuleJson::json_schema(generator);
        schema.insert(
            "description".into(),
            format!("A targeting rule: an object with exactly one of the keys {KIND_KEYS}.").into(),
        );
        schema
    }
}

/// Everything a rule can be evaluated against, gathered by the caller.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    /// `identify` traits.
    pub traits: Map<String, Value>,
    /// Traits of the user's account (`group`).
    pub account_traits: Map<String, Value>,
    /// When (ms since the Unix epoch) the user tracked each event name.
    pub events: HashMap<String, Vec<i64>>,
    /// `None` where there is no page (counting a segment's users).
    pub url: Option<String>,
    pub device: Option<Device>,
    pub locale: Option<String>,
    pub now_ms: i64,
    /// Saved segments by id, for `{"segment": id}` rules.
    pub segments: Arc<BTreeMap<String, Rule>>,
    /// Ids of the flows and checklists the user completed, for `{"completed": id}` rules.
    pub completed: std::collections::BTreeSet<String>,
    /// Page URLs the user has visited, for `{"visited": pattern}` rules.
    pub visited: Vec<String>,
}

/// Whether the user described by `facts` matches `rule`. A missing trait matches no comparison
/// (only `not_exists`); an unknown segment, a type mismatch or an unknown URL/device/locale never match.
pub fn matches(rule: &Rule, facts: &Facts) -> bool {
    evaluate(rule, facts, 0)
}

fn evaluate(rule: &Rule, facts: &Facts, depth: usize) -> bool {
    if depth > MAX_EVAL_DEPTH {
        return false;
    }
    match rule {
        Rule::All(rules) => rules.iter().all(|rule| evaluate(rule, facts, depth + 1)),
        Rule::Any(rules) => rules.iter().any(|rule| evaluate(rule, facts, depth + 1)),
        Rule::Not(rule) => !evaluate(rule, facts, depth + 1),
        Rule::Trait {
            scope,
            name,
            op,
            value,
        } => {
            let traits = match scope {
                TraitScope::User => &facts.traits,
                TraitScope::Account => &facts.account_traits,
            };
            let actual = traits.get(name).filter(|actual| !actual.is_null());
            compare(
                actual,
                *op,
                value.as_ref().unwrap_or(&Value::Null),
                facts.now_ms,
            )
        }
        Rule::Event {
            name,
            op,
            count,
            within_days,
        } => {
            let since =
                within_days.map(|days| facts.now_ms.saturating_sub(i64::from(days) * DAY_MS));
            let done = facts.events.get(name).map_or(0, |times| {
                times
                    .iter()
                    .filter(|&&time| since.is_none_or(|since| time >= since))
                    .count()
            });
            let count = count.unwrap_or(1) as usize;
            match op {
                Op::Done => done >= 1,
                Op::NotDone => done == 0,
                Op::AtLeast => done >= count,
                Op::AtMost => done <= count,
                _ => false,
            }
        }
        Rule::Url(pattern) => facts
            .url
            .as_deref()
            .is_some_and(|url| url_matches(pattern, url)),
        Rule::Device(device) => facts.device == Some(*device),
        Rule::Locale(wanted) => facts
            .locale
            .as_deref()
            .is_some_and(|locale| locale_matches(wanted, locale)),
        Rule::Segment(id) => facts
            .segments
            .get(id)
            .is_some_and(|rule| evaluate(rule, facts, depth + 1)),
        Rule::Completed(id) => facts.completed.contains(id),
        Rule::Visited(pattern) => facts.visited.iter().any(|url| url_matches(pattern, url)),
    }
}

fn compare(actual: Option<&Value>, op: Op, wanted: &Value, now_ms: i64) -> bool {
    let Some(actual) = actual else {
        return op == Op::NotExists;
    };
    match op {
        Op::Exists => true,
        Op::NotExists => false,
        Op::Eq => loosely_equal(actual, wanted),
        Op::Neq => !loosely_equal(actual, wanted),
        Op::In => wanted
            .as_array()
            .is_some_and(|list| list.iter().any(|item| loosely_equal(actual, item))),
        Op::Contains => match (actual, wanted.as_str()) {
            (Value::String(text), Some(part)) => text.contains(part),
            (Value::Array(items), _) => items.iter().any(|item| loosely_equal(item, wanted)),
            _ => false,
        },
        Op::StartsWith => match (actual.as_str(), wanted.as_str()) {
            (Some(text), Some(prefix)) => text.starts_with(prefix),
            _ => false,
        },
        Op::Gt | Op::Gte | Op::Lt | Op::Lte => {
            let Some(ordering) = order(actual, wanted) else {
                return false;
            };
            match op {
                Op::Gt => ordering.is_gt(),
                Op::Gte => ordering.is_ge(),
                Op::Lt => ordering.is_lt(),
                _ => ordering.is_le(),
            }
        }
        Op::WithinLastDays | Op::MoreThanDaysAgo => {
            let (Some(time), Some(days)) = (timestamp_ms(actual), wanted.as_f64()) else {
                return false;
            };
            // Validation bounds `days`; saturating keeps a hand-edited stored rule harmless too.
            let boundary = now_ms.saturating_sub((days * DAY_MS as f64) as i64);
            if op == Op::WithinLastDays {
                // A date in the future is not "in the last days" (it is usually a bad clock).
                time >= boundary && time <= now_ms
            } else {
                time < boundary
            }
        }
        Op::Done | Op::NotDone | Op::AtLeast | Op::AtMost => false,
    }
}

/// Equality that forgives what `identify` calls tend to get wrong: numbers sent as strings
/// (`"50"` equals `50`) and booleans sent as strings (`"true"` equals `true`).
fn loosely_equal(actual: &Value, wanted: &Value) -> bool {
    if let (Some(left), Some(right)) = (number(actual), number(wanted)) {
        return left == right;
    }
    match (actual, wanted) {
        (Value::String(left), Value::String(right)) => left == right,
        (Value::Bool(left), Value::Bool(right)) => left == right,
        (Value::Bool(flag), Value::String(text)) | (Value::String(text), Value::Bool(flag)) => {
            text == if *flag { "true" } else { "false" }
        }
        _ => false,
    }
}

fn number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text
            .trim()
            .parse()
            .ok()
            .filter(|number: &f64| number.is_finite()),
        _ => None,
    }
}

/// Numbers compare as numbers; otherwise both sides must read as dates. Anything else has no order.
fn order(actual: &Value, wanted: &Value) -> Option<std::cmp::Ordering> {
    if let (Some(left), Some(right)) = (number(actual), number(wanted)) {
        return left.partial_cmp(&right);
    }
    Some(timestamp_ms(actual)?.cmp(&timestamp_ms(wanted)?))
}

/// A date as milliseconds since the Unix epoch: a number is taken as epoch ms, a string must be
/// RFC 3339 / ISO 8601 (`2026-01-31`, `2026-01-31T10:00:00Z`, `…+02:00`; no offset means UTC).
pub fn timestamp_ms(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => parse_date(text.trim()),
        _ => None,
    }
}

fn parse_date(text: &str) -> Option<i64> {
    let (date, time) = match text.find(['T', 't', ' ']) {
        Some(split) => (&text[..split], Some(&text[split + 1..])),
        None => (text, None),
    };
    let mut parts = date.split('-');
    let (year, month, day) = (
        digits(parts.next()?)?,
        digits(parts.next()?)?,
        digits(parts.next()?)?,
    );
    // Bounded so that no arithmetic below can overflow, whatever a trait holds.
    if parts.next().is_some()
        || !(0..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
    {
        return None;
    }
    let mut millis = days_from_civil(year, month, day) * DAY_MS;
    if let Some(time) = time {
        let (clock, offset_ms) = split_offset(time)?;
        let (clock, fraction) = clock.split_once('.').unwrap_or((clock, ""));
        let mut fields = clock.split(':');
        let hours = digits(fields.next()?)?;
        let minutes = digits(fields.next()?)?;
        let seconds = fields.next().map_or(Some(0), digits)?;
        if fields.next().is_some() || hours > 23 || minutes > 59 || seconds > 60 {
            return None;
        }
        if !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
            return None;
        }
        // Only milliseconds count: `.5` is 500 ms, `.123456` is 123 ms (all ASCII, so slicing is safe).
        let fraction_ms = format!("{fraction:0<3}")[..3].parse::<i64>().ok()?;
        millis += ((hours * 60 + minutes) * 60 + seconds) * 1000 + fraction_ms - offset_ms;
    }
    Some(millis)
}

/// A run of ASCII digits (no sign, no spaces) as a number.
fn digits(part: &str) -> Option<i64> {
    if part.is_empty() || part.len() > 9 || !part.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

/// Splits `10:00:00+02:00` (or `+0200`) into the clock and the offset in ms (`Z` and no offset are UTC).
fn split_offset(time: &str) -> Option<(&str, i64)> {
    if let Some(clock) = time.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let Some(sign_at) = time.rfind(['+', '-']) else {
        return Some((time, 0));
    };
    let (clock, offset) = time.split_at(sign_at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let offset = &offset[1..];
    let (hours, minutes) = match offset.split_once(':') {
        Some(parts) => parts,
        None if offset.len() == 4 && offset.is_ascii() => offset.split_at(2),
        None => (offset, "0"),
    };
    let (hours, minutes) = (digits(hours)?, digits(minutes)?);
    if hours > 23 || minutes > 59 {
        return None;
    }
    Some((clock, sign * (hours * 60 + minutes) * 60_000))
}

/// BCP-47 prefix matching by whole subtags, ignoring case and treating `_` as `-`.
fn locale_matches(wanted: &str, locale: &str) -> bool {
    let normalise = |tag: &str| tag.trim().replace('_', "-").to_ascii_lowercase();
    let (wanted, locale) = (normalise(wanted), normalise(locale));
    !wanted.is_empty()
        && locale
            .strip_prefix(&wanted)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// Every `{"segment": id}` in a rule with its field path, so the caller can check the ids exist.
pub fn segment_refs(rule: &Rule, field: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    walk(rule, field, &mut |rule, field| {
        if let Rule::Segment(id) = rule {
            found.push((format!("{field}.segment"), id.clone()));
        }
    });
    found
}

/// Every `{"completed": id}` in a rule with its field path (`requires.all[0].completed`), so the
/// caller can check the ids name real flows and that no prerequisite chain loops.
pub fn completed_refs(rule: &Rule, field: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    walk(rule, field, &mut |rule, field| {
        if let Rule::Completed(id) = rule {
            found.push((format!("{field}.completed"), id.clone()));
        }
    });
    found
}

/// Whether a rule (not following segments) contains a rule that `wanted` picks out.
pub fn uses(rule: &Rule, wanted: impl Fn(&Rule) -> bool) -> bool {
    let mut found = false;
    walk_rules(rule, &mut |rule| found |= wanted(rule));
    found
}

/// Visits every rule in the tree (not following segments); callers use it to load only the
/// facts some live rule needs.
pub fn walk_rules(rule: &Rule, visit: &mut dyn FnMut(&Rule)) {
    walk(rule, "", &mut |rule, _| visit(rule));
}

/// The JSON key of a list rule, for field paths.
fn list_key(rule: &Rule) -> &'static str {
    if matches!(rule, Rule::All(_)) {
        "all"
    } else {
        "any"
    }
}

/// Visits every rule in the tree with its field path (`audience.all[1].not`).
fn walk(rule: &Rule, field: &str, visit: &mut dyn FnMut(&Rule, &str)) {
    visit(rule, field);
    match rule {
        Rule::All(rules) | Rule::Any(rules) => {
            let key = list_key(rule);
            for (index, child) in rules.iter().enumerate() {
                walk(child, &format!("{field}.{key}[{index}]"), visit);
            }
        }
        Rule::Not(child) => walk(child, &format!("{field}.not"), visit),
        _ => {}
    }
}

/// Lists every problem of a rule, each naming its field under `field` (`audience.all[1].op`).
pub fn validate_rule(rule: &Rule, field: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_rule(rule, field, 0, &mut errors);
    errors
}

fn check_rule(rule: &Rule, field: &str, depth: usize, errors: &mut Vec<FieldError>) {
    let at = |key: &str| format!("{field}.{key}");
    if depth > MAX_DEPTH {
        errors.push(FieldError::new(
            field,
            "too_deep",
            format!("rules nest at most {MAX_DEPTH} levels"),
        ));
        return;
    }
    match rule {
        Rule::All(rules) | Rule::Any(rules) => {
            let key = list_key(rule);
            if rules.is_empty() || rules.len() > MAX_CHILDREN {
                errors.push(FieldError::new(
                    at(key),
                    "invalid_length",
                    format!("list 1-{MAX_CHILDREN} rules"),
                ));
            }
            for (index, child) in rules.iter().enumerate() {
                check_rule(child, &format!("{field}.{key}[{index}]"), depth + 1, errors);
            }
        }
        Rule::Not(child) => check_rule(child, &at("not"), depth + 1, errors),
        Rule::Trait {
            scope,
            name,
            op,
            value,
        } => {
            let key = match scope {
                TraitScope::User => "trait",
                TraitScope::Account => "account_trait",
            };
            check_name(name, &at(key), errors);
            if !Op::TRAIT_OPS.contains(op) {
                errors.push(FieldError::new(
                    at("op"),
                    "invalid_operator",
                    format!(
                        "\"{}\" is for event rules; trait rules use {}",
                        op.as_str(),
                        Op::list(&Op::TRAIT_OPS)
                    ),
                ));
            } else if let Some(problem) = value_problem(*op, value.as_ref()) {
                errors.push(FieldError::new(at("value"), "invalid_value", problem));
            }
        }
        Rule::Event {
            name,
            op,
            count,
            within_days,
        } => {
            check_name(name, &at("event"), errors);
            match (op, count) {
                (Op::AtLeast | Op::AtMost, None) => errors.push(FieldError::new(
                    at("count"),
                    "required",
                    format!("{} needs a count", op.as_str()),
                )),
                (Op::AtLeast, Some(0)) => errors.push(FieldError::new(
                    at("count"),
                    "invalid_value",
                    "at_least 0 always holds; use a count of 1 or more",
                )),
                (Op::Done | Op::NotDone, Some(_)) => errors.push(FieldError::new(
                    at("count"),
                    "not_allowed",
                    format!("{} takes no count; use at_least or at_most", op.as_str()),
                )),
                (op, _) if !Op::EVENT_OPS.contains(op) => errors.push(FieldError::new(
                    at("op"),
                    "invalid_operator",
                    format!(
                        "\"{}\" is for trait rules; event rules use {}",
                        op.as_str(),
                        Op::list(&Op::EVENT_OPS)
                    ),
                )),
                _ => {}
            }
            if *within_days == Some(0) {
                errors.push(FieldError::new(
                    at("within_days"),
                    "invalid_value",
                    "a window is at least 1 day",
                ));
            }
        }
        Rule::Url(pattern) => check_pattern(pattern, &at("url"), errors),
        Rule::Device(_) => {}
        Rule::Locale(locale) => {
            let valid = !locale.is_empty()
                && locale.len() <= 35
                && locale
                    .bytes()
                    .all(|byte| byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'_');
            if !valid {
                errors.push(FieldError::new(
                    at("locale"),
                    "invalid_locale",
                    "a BCP-47 language tag or prefix, such as \"fr\" or \"pt-BR\"",
                ));
            }
        }
        Rule::Segment(id) => check_identifier(id, &at("segment"), errors),
        Rule::Completed(id) => check_identifier(id, &at("completed"), errors),
        Rule::Visited(pattern) => check_pattern(pattern, &at("visited"), errors),
    }
}

fn check_name(name: &str, field: &str, errors: &mut Vec<FieldError>) {
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new(
            field,
            "invalid_name",
            "use 1-200 characters",
        ));
    }
}

/// What is wrong with a trait rule's value for its operator, if anything.
fn value_problem(op: Op, value: Option<&Value>) -> Option<String> {
    let scalar =
        |value: &Value| matches!(value, Value::String(_) | Value::Number(_) | Value::Bool(_));
    let problem = match (op, value) {
        (Op::Exists | Op::NotExists, None) => return None,
        (Op::Exists | Op::NotExists, Some(_)) => "takes no value",
        (_, None | Some(Value::Null)) => "a value is required",
        (Op::Eq | Op::Neq, Some(value)) if !scalar(value) => "a string, number or boolean",
        (Op::Contains | Op::StartsWith, Some(value)) if !value.is_string() => "a string",
        (Op::In, Some(Value::Array(items))) if !items.is_empty() && items.iter().all(scalar) => {
            return None;
        }
        (Op::In, Some(_)) => "a non-empty list of strings, numbers or booleans",
        (Op::Gt | Op::Gte | Op::Lt | Op::Lte, Some(value))
            if number(value).is_none() && timestamp_ms(value).is_none() =>
        {
            "a number or a date (RFC 3339, e.g. 2026-01-31T00:00:00Z)"
        }
        (Op::WithinLastDays | Op::MoreThanDaysAgo, Some(value))
            if value
                .as_f64()
                .is_none_or(|days| !(0.0..=36_500.0).contains(&days)) =>
        {
            "a number of days between 0 and 36500"
        }
        _ => return None,
    };
    Some(format!("{}: {problem}", op.as_str()))
}

/// Checks a saved segment. Segments may not refer to other segments: that keeps every segment
/// one lookup deep, so no chain of edits can ever build a cycle.
pub fn validate_segment(id: &str, name: &str, rule: &Rule) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_identifier(id, "id", &mut errors);
    check_name(name, "name", &mut errors);
    errors.extend(validate_rule(rule, "rule"));
    for (field, _) in segment_refs(rule, "rule") {
        errors.push(FieldError::new(
            field,
            "nested_segment",
            "a segment cannot refer to another segment; copy its rule instead",
        ));
    }
    errors
}
