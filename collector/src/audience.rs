//! Rules on the collector's side (audiences, `requires`, checklist `done_when`): gathers the facts
//! they need (and only those some rule actually uses, so a boot without event or `visited` rules
//! never reads events) and evaluates them with `engine::audience`. The widget never evaluates
//! rules: it only receives the flows that hold, with locked steps and items marked.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use engine::audience::{Device, Facts, Rule, TraitScope, matches, uses, walk_rules};
use engine::checklist::completed_ids;
use engine::{FieldError, Flow, UserProgress};
use serde_json::{Map, Value};

use crate::storage::{Store, account_traits_by_user, events_by_user, now_ms};

/// What a visit tells about the user beyond the stored data.
#[derive(Debug, Default)]
pub struct Visit {
    pub url: Option<String>,
    pub device: Option<Device>,
    /// The user's most wanted locale (a `locale` trait, the widget's languages, `Accept-Language`).
    pub locale: Option<String>,
}

/// Most recent distinct page URLs read for `visited` rules, however long the user's history.
pub const MAX_VISITED_URLS: u32 = 500;

/// Which stored facts the rules read, segments included.
struct Needs {
    /// The event names event rules count; empty when no rule counts events.
    event_names: Vec<String>,
    account: bool,
    visited: bool,
    /// Some rule is `completed`: the user's progress is read.
    completed: bool,
}

impl Needs {
    fn of<'a>(rules: impl IntoIterator<Item = &'a Rule>) -> Self {
        let mut event_names = BTreeSet::new();
        let mut account = false;
        let mut visited = false;
        let mut completed = false;
        for rule in rules {
            walk_rules(rule, &mut |rule| match rule {
                Rule::Event { name, .. } => {
                    event_names.insert(name.clone());
                }
                Rule::Trait {
                    scope: TraitScope::Account,
                    ..
                } => account = true,
                Rule::Visited(_) => visited = true,
                Rule::Completed(_) => completed = true,
                _ => {}
            });
        }
        Needs {
            event_names: event_names.into_iter().collect(),
            account,
            visited,
            completed,
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

/// Who the rules are about: their id, traits and progress.
#[derive(Debug, Clone, Copy)]
pub struct Visitor<'a> {
    pub user_id: &'a str,
    pub traits: &'a Map<String, Value>,
    pub progress: &'a UserProgress,
}

/// Every rule a flow carries: its audience and `requires`, its steps' and checklist items'
/// `requires`, and the items' `done_when`.
pub fn flow_rules(flow: &Flow) -> impl Iterator<Item = &Rule> {
    let items = flow.checklist.iter().flat_map(|checklist| &checklist.items);
    flow.audience
        .iter()
        .chain(&flow.requires)
        .chain(flow.steps.iter().filter_map(|step| step.requires.as_ref()))
        .chain(items.clone().filter_map(|item| item.requires.as_ref()))
        .chain(items.filter_map(|item| item.done_when.as_ref()))
}

/// Gathers what `rules` need to be evaluated for this user, reading from the store only the kinds
/// of facts some rule (or a segment it names) uses: a boot without event, account or `visited`
/// rules reads no events at all.
pub async fn facts(
    store: &dyn Store,
    app_id: &str,
    visitor: Visitor<'_>,
    rules: &[&Rule],
    visit: Visit,
) -> anyhow::Result<Facts> {
    let Visitor {
        user_id,
        traits,
        progress,
    } = visitor;
    let segments = segments_for(store, app_id, rules).await?;
    let needs = Needs::of(rules.iter().copied().chain(segments.values()));
    let events = async {
        if needs.event_names.is_empty() {
            return Ok(None);
        }
        let events = store
            .tracked_events(app_id, Some(user_id), &needs.event_names)
            .await?;
        anyhow::Ok(events_by_user(events).remove(user_id))
    };
    let account_traits = async {
        if !needs.account {
            return Ok(None);
        }
        let groups = store.group_events(app_id, Some(user_id)).await?;
        anyhow::Ok(account_traits_by_user(groups).remove(user_id))
    };
    let visited = async {
        if !needs.visited {
            return Ok(Vec::new());
        }
        store.visited_urls(app_id, user_id, MAX_VISITED_URLS).await
    };
    let (events, account_traits, visited) = tokio::try_join!(events, account_traits, visited)?;
    Ok(Facts {
        locale: visit.locale,
        traits: traits.clone(),
        account_traits: account_traits.unwrap_or_default(),
        events: events.unwrap_or_default(),
        url: visit.url,
        device: visit.device,
        now_ms: now_ms(),
        segments,
        completed: completed_ids(progress),
        visited,
    })
}

/// Whether an optional rule holds: no rule always does.
pub fn holds(rule: Option<&Rule>, facts: &Facts) -> bool {
    rule.is_none_or(|rule| matches(rule, facts))
}

/// The flows this user may get, with `locked` set on the steps and checklist items whose
/// `requires` does not hold: those whose audience and `requires` hold, plus the flow the user is
/// in the middle of. An audience decides who starts a flow; a user whose traits change halfway
/// (or who was started manually) still finishes it.
pub fn disclose(flows: &[Flow], facts: &Facts, active_flow: Option<&str>) -> Vec<Flow> {
    flows
        .iter()
        .filter(|flow| {
            active_flow == Some(flow.id.as_str())
                || (holds(flow.audience.as_ref(), facts) && holds(flow.requires.as_ref(), facts))
        })
        .map(|flow| {
            let mut flow = flow.clone();
            for step in &mut flow.steps {
                step.locked = !holds(step.requires.as_ref(), facts);
            }
            if let Some(checklist) = &mut flow.checklist {
                for item in &mut checklist.items {
                    item.locked = !holds(item.requires.as_ref(), facts);
                }
            }
            flow
        })
        .collect()
}

/// How many stored users match a rule, out of how many: a full scan, evaluated in memory.
/// There is no page here, so URL and device rules match nobody. Pages for `visited` rules are
/// read (in one query for every user) only when some rule needs them.
pub async fn count(store: &dyn Store, app_id: &str, rule: &Rule) -> anyhow::Result<(u64, u64)> {
    let (matching, total) = matching_users(store, app_id, rule).await?;
    Ok((matching.len() as u64, total))
}

/// The stored users a rule matches, and how many users there are, as [`count`] judges them
/// (reports filter answers and feedback by segment with it).
pub async fn matching_users(
    store: &dyn Store,
    app_id: &str,
    rule: &Rule,
) -> anyhow::Result<(HashSet<String>, u64)> {
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
    let mut visited: HashMap<String, Vec<String>> = HashMap::new();
    if needs.visited {
        for (user_id, url) in store.visited_urls_by_user(app_id).await? {
            let urls = visited.entry(user_id).or_default();
            if urls.len() < MAX_VISITED_URLS as usize {
                urls.push(url);
            }
        }
    }
    let mut facts = Facts {
        now_ms: now_ms(),
        segments,
        ..Facts::default()
    };
    let mut matching = HashSet::new();
    for (user_id, state) in &users {
        facts.locale = locale_trait(&state.traits);
        facts.traits = state.traits.clone();
        facts.events = events.remove(user_id).unwrap_or_default();
        facts.account_traits = accounts.remove(user_id).unwrap_or_default();
        if needs.completed {
            facts.completed = completed_ids(&state.progress);
        }
        facts.visited = visited.remove(user_id).unwrap_or_default();
        if matches(rule, &facts) {
            matching.insert(user_id.clone());
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
