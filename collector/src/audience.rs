//! Audiences on the collector's side: gathers the facts that rules need (and only those some rule
//! actually uses, so a boot without event rules never reads events) and evaluates them with
//! `engine::audience`. The widget never evaluates audiences: it only receives matching flows.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use engine::audience::{Device, Facts, Rule, TraitScope, matches, uses, walk_rules};
use engine::{FieldError, Flow};
use serde_json::{Map, Value};

use crate::storage::{Store, account_traits_by_user, events_by_user, now_ms};

/// What a visit tells about the user beyond the stored data.
#[derive(Debug, Default)]
pub struct Visit {
    pub url: Option<String>,
    pub device: Option<Device>,
    /// From `Accept-Language`; a `locale` trait wins over it.
    pub locale: Option<String>,
}

/// Which stored facts the rules read, segments included.
struct Needs {
    /// The event names event rules count; empty when no rule counts events.
    event_names: Vec<String>,
    account: bool,
}

impl Needs {
    fn of<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Self {
        let mut event_names = BTreeSet::new();
        let mut account = false;
        for rule in rules {
            walk_rules(rule, &mut |rule| match rule {
                Rule::Event { name, .. } => {
                    event_names.insert(name.clone());
                }
                Rule::Trait {
                    scope: TraitScope::Account,
                    ..
                } => account = true,
                _ => {}
            });
        }
        Needs {
            event_names: event_names.into_iter().collect(),
            account,
        }
    }
}

/// The app's segments by id, read only when some rule refers to one.
async fn segments_for(
    store: &dyn Store,
    app_id: &str,
    rules: &[&Rule],
) -> anyhow::Result<Arc<BTreeMap<String, Rule>>> {
    let referenced = rules
        .iter()
        .any(|rule| uses(rule, |rule| matches!(rule, Rule::Segment(_))));
    if !referenced {
        return Ok(Arc::default());
    }
    let segments = store.segments(app_id).await?;
    Ok(Arc::new(
        segments
            .into_iter()
            .map(|segment| (segment.id, segment.rule))
            .collect(),
    ))
}

/// Who is booting: their id, stored traits and the flow they are in the middle of.
#[derive(Debug)]
pub struct Visitor<'a> {
    pub user_id: &'a str,
    pub traits: &'a Map<String, Value>,
    pub active_flow: Option<&'a str>,
}

/// The live flows this user may get: those whose audience matches (or that have none), plus the
/// flow the user is in the middle of. An audience decides who starts a flow; a user whose traits
/// change halfway (or who was started manually) still finishes it.
pub async fn visible_flows(
    store: &dyn Store,
    app_id: &str,
    visitor: Visitor<'_>,
    flows: &[Flow],
    visit: Visit,
) -> anyhow::Result<Vec<Flow>> {
    let Visitor {
        user_id,
        traits,
        active_flow,
    } = visitor;
    let rules: Vec<&Rule> = flows
        .iter()
        .filter_map(|flow| flow.audience.as_ref())
        .collect();
    if rules.is_empty() {
        return Ok(flows.to_vec());
    }
    let segments = segments_for(store, app_id, &rules).await?;
    let needs = Needs::of(rules.iter().copied().chain(segments.values()));
    let events = if needs.event_names.is_empty() {
        None
    } else {
        let events = store
            .tracked_events(app_id, Some(user_id), &needs.event_names)
            .await?;
        events_by_user(events).remove(user_id)
    };
    let account_traits = if needs.account {
        account_traits_by_user(store.group_events(app_id, Some(user_id)).await?).remove(user_id)
    } else {
        None
    };
    let facts = Facts {
        locale: locale_trait(traits).or(visit.locale),
        traits: traits.clone(),
        account_traits: account_traits.unwrap_or_default(),
        events: events.unwrap_or_default(),
        url: visit.url,
        device: visit.device,
        now_ms: now_ms(),
        segments,
    };
    Ok(flows
        .iter()
        .filter(|flow| {
            active_flow == Some(flow.id.as_str())
                || flow
                    .audience
                    .as_ref()
                    .is_none_or(|audience| matches(audience, &facts))
        })
        .cloned()
        .collect())
}

/// How many stored users match a rule, out of how many: a full scan, evaluated in memory.
/// There is no page here, so URL and device rules match nobody.
pub async fn count(store: &dyn Store, app_id: &str, rule: &Rule) -> anyhow::Result<(u64, u64)> {
    let segments = segments_for(store, app_id, &[rule]).await?;
    let needs = Needs::of(std::iter::once(rule).chain(segments.values()));
    let mut events = if needs.event_names.is_empty() {
        HashMap::new()
    } else {
        events_by_user(
            store
                .tracked_events(app_id, None, &needs.event_names)
                .await?,
        )
    };
    let mut accounts = if needs.account {
        account_traits_by_user(store.group_events(app_id, None).await?)
    } else {
        HashMap::new()
    };
    let users = store.users(app_id).await?;
    let mut facts = Facts {
        now_ms: now_ms(),
        segments,
        ..Facts::default()
    };
    let mut matching = 0;
    for (user_id, traits) in &users {
        facts.locale = locale_trait(traits);
        facts.traits = traits.clone();
        facts.events = events.remove(user_id).unwrap_or_default();
        facts.account_traits = accounts.remove(user_id).unwrap_or_default();
        if matches(rule, &facts) {
            matching += 1;
        }
    }
    Ok((matching, users.len() as u64))
}

/// Field errors for every `{"segment": id}` in a flow's audience that names no saved segment.
pub async fn unknown_segments(
    store: &dyn Store,
    app_id: &str,
    flow: &Flow,
) -> anyhow::Result<Vec<FieldError>> {
    let Some(audience) = &flow.audience else {
        return Ok(Vec::new());
    };
    let references = engine::audience::segment_refs(audience, "audience");
    if references.is_empty() {
        return Ok(Vec::new());
    }
    let known = segments_for(store, app_id, &[audience]).await?;
    Ok(references
        .into_iter()
        .filter(|(_, id)| !known.contains_key(id))
        .map(|(field, id)| {
            FieldError::new(
                field,
                "unknown_segment",
                format!("no saved segment has the id \"{id}\""),
            )
        })
        .collect())
}

fn locale_trait(traits: &Map<String, Value>) -> Option<String> {
    traits
        .get("locale")
        .and_then(Value::as_str)
        .filter(|locale| !locale.trim().is_empty())
        .map(str::to_string)
}
