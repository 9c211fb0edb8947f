//! Accounts (customer onboarding): the account list and the register card. An account is the
//! `group_id` of `group` events; its traits are its group events' traits merged in arrival order
//! (later wins) and its users are those whose latest group event names it. Onboarding reads each
//! user's stored progress (`engine::UserProgress`) against the live checklists and tours; scores
//! come from `engine::scores` over the survey answers given while the user belonged to it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Extension, Json, Router};
use engine::progress::RunStatus;
use engine::{Flow, UserProgress, scores};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::AppState;
use crate::body::JsonBody;
use crate::error::Error;
use crate::flows::content_kind;
use crate::keys::AdminApp;
use crate::notes::{NoteView, check_length, existing_account};
use crate::plan::{TaskView, today};
use crate::problems::suggested_tags;
use crate::storage::{
    FeedbackEntry, GroupEvent, MemberState, ScaleAnswer, TagRule, TimelineEvent, now_ms,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/accounts", get(list))
        .route("/v1/admin/accounts/{id}", get(card))
        .route("/v1/admin/accounts/{id}/specialist", put(set_specialist))
}

const TIMELINE_LIMIT: u32 = 100;
const WEEK_MS: i64 = 7 * 86_400_000;
const MAX_SPECIALIST: usize = 100;
/// Long texts are cut in the timeline's one-line detail.
const DETAIL_CHARS: usize = 140;

/// Accounts as the group events describe them.
#[derive(Default, Debug)]
pub struct Account {
    pub traits: Map<String, Value>,
    /// Users whose latest group event names this account, sorted.
    pub users: Vec<String>,
}

/// Every account: traits merged in arrival order, members by their latest group event.
pub fn accounts_from(events: Vec<GroupEvent>) -> BTreeMap<String, Account> {
    let mut accounts: BTreeMap<String, Account> = BTreeMap::new();
    let mut membership: HashMap<String, String> = HashMap::new();
    for event in events {
        accounts
            .entry(event.group_id.clone())
            .or_default()
            .traits
            .extend(event.traits);
        membership.insert(event.user_id, event.group_id);
    }
    for (user_id, group_id) in membership {
        if let Some(account) = accounts.get_mut(&group_id) {
            account.users.push(user_id);
        }
    }
    for account in accounts.values_mut() {
        account.users.sort();
    }
    accounts
}

/// The trait `name` when it is a non-empty string, else the id.
fn display_name(id: &str, traits: &Map<String, Value>) -> String {
    traits
        .get("name")
        .and_then(Value::as_str)
        .filter(|name| !name.trim().is_empty())
        .unwrap_or(id)
        .to_string()
}

/// "Key" flows for onboarding: the live checklists and tours (surveys, announcements, banners and
/// hotspots are not onboarding steps one completes).
fn key_flows(flows: &[Flow]) -> Vec<&Flow> {
    flows
        .iter()
        .filter(|flow| flow.survey.is_none() && matches!(content_kind(flow), "checklist" | "tour"))
        .collect()
}

/// Whether the user has completed the flow or checklist at least once.
pub fn completed(progress: &UserProgress, flow_id: &str) -> bool {
    progress
        .flows
        .get(flow_id)
        .is_some_and(|flow| flow.status == RunStatus::Completed || flow.completions > 0)
        || progress
            .checklists
            .get(flow_id)
            .is_some_and(|checklist| checklist.completed)
}

/// Every flow and checklist the user has completed, sorted.
fn completed_ids(progress: &UserProgress) -> Vec<String> {
    let ids: BTreeSet<&String> = progress
        .flows
        .keys()
        .chain(progress.checklists.keys())
        .filter(|id| completed(progress, id))
        .collect();
    ids.into_iter().cloned().collect()
}

#[derive(Serialize, Debug, PartialEq)]
pub struct Stuck {
    pub flow_id: String,
    pub flow_name: String,
    pub step_id: String,
    pub step_title: String,
}

/// Where the user is stuck: the step they are on in a started, unfinished tour (the running one
/// first), else the first open item of a started, unfinished checklist. Only key flows count.
pub fn stuck(progress: &UserProgress, key_flows: &[&Flow]) -> Option<Stuck> {
    let by_id = |id: &str| key_flows.iter().find(|flow| flow.id == id).copied();
    let active = progress.active.iter().chain(
        progress
            .flows
            .iter()
            .filter(|(_, run)| run.status == RunStatus::Active)
            .map(|(id, _)| id),
    );
    for flow_id in active {
        let (Some(flow), Some(run)) = (by_id(flow_id), progress.flows.get(flow_id)) else {
            continue;
        };
        if run.status != RunStatus::Active || flow.checklist.is_some() {
            continue;
        }
        if let Some(step) = flow.steps.get(run.step) {
            return Some(Stuck {
                flow_id: flow.id.clone(),
                flow_name: flow.name.clone(),
                step_id: step.id.clone(),
                step_title: step.title.clone(),
            });
        }
    }
    for (flow_id, checklist_run) in &progress.checklists {
        if checklist_run.completed || checklist_run.done.is_empty() {
            continue;
        }
        let Some(flow) = by_id(flow_id) else { continue };
        let Some(checklist) = &flow.checklist else {
            continue;
        };
        if let Some(item) = checklist
            .items
            .iter()
            .find(|item| !checklist_run.done.contains(&item.id))
        {
            return Some(Stuck {
                flow_id: flow.id.clone(),
                flow_name: flow.name.clone(),
                step_id: item.id.clone(),
                step_title: item.title.clone(),
            });
        }
    }
    None
}

#[derive(Serialize, Debug)]
struct OnboardingRow {
    flow_id: String,
    name: String,
    kind: &'static str,
    completed_users: usize,
    total_users: usize,
    percent: u32,
}

fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        0
    } else {
        ((part as f64) * 100.0 / (whole as f64)).round() as u32
    }
}

fn onboarding(key_flows: &[&Flow], members: &[MemberState]) -> Vec<OnboardingRow> {
    key_flows
        .iter()
        .map(|flow| {
            let completed_users = members
                .iter()
                .filter(|member| completed(&member.progress, &flow.id))
                .count();
            OnboardingRow {
                flow_id: flow.id.clone(),
                name: flow.name.clone(),
                kind: if flow.checklist.is_some() {
                    "checklist"
                } else {
                    "flow"
                },
                completed_users,
                total_users: members.len(),
                percent: percent(completed_users, members.len()),
            }
        })
        .collect()
}

/// The share of (key flow, member) pairs completed; `None` with no key flow or no member.
fn onboarding_percent(key_flows: &[&Flow], members: &[MemberState]) -> Option<u32> {
    let pairs = key_flows.len() * members.len();
    if pairs == 0 {
        return None;
    }
    let done: usize = key_flows
        .iter()
        .map(|flow| {
            members
                .iter()
                .filter(|member| completed(&member.progress, &flow.id))
                .count()
        })
        .sum();
    Some(percent(done, pairs))
}

fn values_of(answers: &[ScaleAnswer], account_id: &str, kind: &str) -> Vec<i64> {
    answers
        .iter()
        .filter(|answer| answer.account_id == account_id && answer.kind == kind)
        .map(|answer| answer.value)
        .collect()
}

fn scores_of(answers: &[ScaleAnswer], account_id: &str) -> Value {
    let nps = scores::nps(&values_of(answers, account_id, "nps"))
        .map(|summary| json!({"score": summary.score, "n": summary.n}));
    let mean = |kind| {
        scores::mean(&values_of(answers, account_id, kind))
            .map(|summary| json!({"mean": summary.mean, "n": summary.n}))
    };
    json!({"nps": nps, "ces": mean("ces"), "csat": mean("csat")})
}

#[derive(Serialize)]
struct AccountRow {
    id: String,
    name: String,
    traits: Map<String, Value>,
    users: usize,
    active_users_7d: usize,
    last_active_at: Option<i64>,
    onboarding_percent: Option<u32>,
    nps: Option<f64>,
    specialist: Option<String>,
    overdue_tasks: usize,
}

async fn list(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
) -> Result<Json<Vec<AccountRow>>, Error> {
    let store = state.store.as_ref();
    let accounts = accounts_from(store.group_events(&app.id, None).await?);
    let all_members: Vec<String> = accounts
        .values()
        .flat_map(|account| account.users.iter().cloned())
        .collect();
    let states: HashMap<String, MemberState> = store
        .member_states(&app.id, &all_members)
        .await?
        .into_iter()
        .map(|member| (member.user_id.clone(), member))
        .collect();
    let flows = store.published_flows(&app.id).await?;
    let key = key_flows(&flows);
    let answers = store.scale_answers(&app.id, None).await?;
    let mut specialists = store.specialists(&app.id).await?;
    let today = today();
    let mut overdue: HashMap<String, usize> = HashMap::new();
    for task in store.plan(&app.id, None).await? {
        if crate::plan::is_overdue(&task.due, &task.status, &today) {
            *overdue.entry(task.account_id).or_default() += 1;
        }
    }
    let week_ago = now_ms() - WEEK_MS;
    let rows = accounts
        .into_iter()
        .map(|(id, account)| {
            let members: Vec<MemberState> = account
                .users
                .iter()
                .map(|user_id| {
                    states.get(user_id).map_or_else(
                        || MemberState {
                            user_id: user_id.clone(),
                            ..MemberState::default()
                        },
                        |member| MemberState {
                            user_id: member.user_id.clone(),
                            traits: Map::new(),
                            progress: member.progress.clone(),
                            last_active_at: member.last_active_at,
                        },
                    )
                })
                .collect();
            let last_active_at = members.iter().filter_map(|m| m.last_active_at).max();
            AccountRow {
                name: display_name(&id, &account.traits),
                users: members.len(),
                active_users_7d: members
                    .iter()
                    .filter(|member| member.last_active_at.is_some_and(|at| at >= week_ago))
                    .count(),
                last_active_at,
                onboarding_percent: onboarding_percent(&key, &members),
                nps: scores::nps(&values_of(&answers, &id, "nps")).map(|summary| summary.score),
                specialist: specialists.remove(&id),
                overdue_tasks: overdue.remove(&id).unwrap_or_default(),
                traits: account.traits,
                id,
            }
        })
        .collect();
    Ok(Json(rows))
}

#[derive(Serialize)]
struct UserRow {
    user_id: String,
    traits: Map<String, Value>,
    last_active_at: Option<i64>,
    completed: Vec<String>,
    stuck: Option<Stuck>,
}

#[derive(Serialize)]
struct FeedbackRow {
    id: String,
    user_id: String,
    account_id: Option<String>,
    category: Option<String>,
    text: Option<String>,
    page_url: Option<String>,
    created_at: i64,
    tags: Vec<String>,
    suggested_tags: Vec<String>,
}

fn feedback_row(entry: FeedbackEntry, tags: Vec<String>, rules: &[TagRule]) -> FeedbackRow {
    let suggested_tags = suggested_tags(rules, entry.text.as_deref().unwrap_or(""), &tags);
    FeedbackRow {
        id: entry.id,
        user_id: entry.user_id,
        account_id: entry.account_id,
        category: entry.category,
        text: entry.text,
        page_url: entry.page_url,
        created_at: entry.created_at,
        tags,
        suggested_tags,
    }
}

#[derive(Serialize)]
struct TimelineRow {
    at: i64,
    user_id: String,
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    detail: Option<String>,
}

/// One line saying what the event was about: the page, the flow and step, the feedback or answer.
fn detail(event: &TimelineEvent) -> Option<String> {
    let text = |key: &str| match event.properties.get(key)? {
        Value::String(text) => Some(text.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    let line = match (event.kind.as_str(), event.name.as_deref()) {
        ("page", _) => event.url.clone(),
        ("group", _) => None,
        (_, Some("feedback_submitted")) => match (text("category"), text("text")) {
            (Some(category), Some(body)) => Some(format!("{category}: {body}")),
            (category, body) => body.or(category),
        },
        (_, Some("survey_answered")) => {
            let answer = text("answer")?;
            Some(match text("step_id") {
                Some(step) => format!("{}/{step}: {answer}", text("flow_id").unwrap_or_default()),
                None => answer,
            })
        }
        _ => match (
            text("flow_id"),
            text("step_id"),
            event.properties.get("step_index"),
        ) {
            (Some(flow), Some(step), _) => Some(format!("{flow}/{step}")),
            (Some(flow), None, Some(Value::Number(index))) => Some(format!("{flow} step {index}")),
            (Some(flow), _, _) => Some(flow),
            _ => text("checklist_id"),
        },
    }?;
    Some(if line.chars().count() > DETAIL_CHARS {
        let cut: String = line.chars().take(DETAIL_CHARS - 1).collect();
        format!("{cut}…")
    } else {
        line
    })
}

async fn card(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Error> {
    existing_account(&state, &app.id, &id).await?;
    let store = state.store.as_ref();
    let account = accounts_from(store.group_events(&app.id, None).await?)
        .remove(&id)
        .unwrap_or_default();
    let members = store.member_states(&app.id, &account.users).await?;
    let flows = store.published_flows(&app.id).await?;
    let key = key_flows(&flows);
    let rules = store.tag_rules(&app.id).await?.rules;

    let users: Vec<UserRow> = members
        .iter()
        .map(|member| UserRow {
            user_id: member.user_id.clone(),
            traits: member.traits.clone(),
            last_active_at: member.last_active_at,
            completed: completed_ids(&member.progress),
            stuck: stuck(&member.progress, &key),
        })
        .collect();

    let mut objections = Vec::new();
    let mut challenges = Vec::new();
    let mut notes = Vec::new();
    for note in store.notes(&app.id, &id).await? {
        let list = match note.kind.as_str() {
            "objection" => &mut objections,
            "challenge" => &mut challenges,
            _ => &mut notes,
        };
        list.push(NoteView::new(note, &rules));
    }

    let mut feedback_tags = store.tags(&app.id, "feedback").await?;
    let feedback: Vec<FeedbackRow> = store
        .feedback_entries(&app.id, Some(&id))
        .await?
        .into_iter()
        .map(|entry| {
            let tags = feedback_tags.remove(&entry.id).unwrap_or_default();
            feedback_row(entry, tags, &rules)
        })
        .collect();

    let today = today();
    let plan: Vec<TaskView> = store
        .plan(&app.id, Some(&id))
        .await?
        .into_iter()
        .map(|task| TaskView::new(task, &today))
        .collect();

    let timeline: Vec<TimelineRow> = store
        .timeline(&app.id, &account.users, TIMELINE_LIMIT)
        .await?
        .into_iter()
        .map(|event| TimelineRow {
            detail: detail(&event),
            at: event.at,
            user_id: event.user_id,
            kind: event.kind,
            name: event.name,
        })
        .collect();

    let answers = store.scale_answers(&app.id, Some(&id)).await?;
    let specialist = store.specialists(&app.id).await?.remove(&id);
    Ok(Json(json!({
        "id": id,
        "name": display_name(&id, &account.traits),
        "traits": account.traits,
        "specialist": specialist,
        "users": users,
        "onboarding": onboarding(&key, &members),
        "scores": scores_of(&answers, &id),
        "objections": objections,
        "challenges": challenges,
        "notes": notes,
        "feedback": feedback,
        "plan": plan,
        "timeline": timeline,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SpecialistBody {
    specialist: Option<String>,
}

async fn set_specialist(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SpecialistBody>,
) -> Result<Json<Value>, Error> {
    existing_account(&state, &app.id, &id).await?;
    let specialist = body
        .specialist
        .map(|name| check_length("specialist", &name, MAX_SPECIALIST))
        .transpose()?;
    state
        .store
        .set_specialist(&app.id, &id, specialist.as_deref())
        .await?;
    Ok(Json(json!({"id": id, "specialist": specialist})))
}

#[cfg(test)]
mod tests {
    use engine::progress::{ChecklistProgress, FlowProgress, RunStatus};
    use engine::{Flow, UserProgress};
    use serde_json::json;

    use super::{Stuck, accounts_from, completed_ids, stuck};
    use crate::storage::GroupEvent;

    fn group(user: &str, account: &str, traits: serde_json::Value) -> GroupEvent {
        GroupEvent {
            user_id: user.into(),
            group_id: account.into(),
            traits: traits.as_object().unwrap().clone(),
        }
    }

    #[test]
    fn accounts_merge_traits_and_follow_the_latest_group_call() {
        let accounts = accounts_from(vec![
            group("ada", "acme", json!({"plan": "free", "size": 10})),
            group("bob", "acme", json!({"plan": "pro"})),
            group("cy", "globex", json!({})),
            group("cy", "acme", json!({})),
            group("ada", "globex", json!({"name": "Globex"})),
        ]);
        let acme = &accounts["acme"];
        assert_eq!(acme.traits["plan"], "pro");
        assert_eq!(acme.traits["size"], 10);
        assert_eq!(acme.users, ["bob", "cy"]);
        assert_eq!(accounts["globex"].users, ["ada"]);
    }

    fn flow(value: serde_json::Value) -> Flow {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn stuck_is_the_current_step_or_the_next_checklist_item() {
        let tour = flow(json!({
            "id": "tour", "name": "Tour", "trigger": {"type": "url", "pattern": "/"},
            "steps": [{"id": "a", "kind": "modal", "title": "A"},
                      {"id": "b", "kind": "modal", "title": "B"}]
        }));
        let list = flow(json!({
            "id": "start", "name": "Start", "trigger": {"type": "url", "pattern": "/"},
            "checklist": {"title": "Start", "items": [
                {"id": "one", "title": "One", "manual": true},
                {"id": "two", "title": "Two", "manual": true}]}
        }));
        let key = [&tour, &list];
        let mut progress = UserProgress::default();
        assert_eq!(stuck(&progress, &key), None);
        progress.checklists.insert(
            "start".into(),
            ChecklistProgress {
                done: vec!["one".into()],
                ..ChecklistProgress::default()
            },
        );
        assert_eq!(
            stuck(&progress, &key).map(|stuck| stuck.step_id),
            Some("two".to_string())
        );
        progress.flows.insert(
            "tour".into(),
            FlowProgress {
                status: RunStatus::Active,
                step: 1,
                starts: 1,
                ..FlowProgress::default()
            },
        );
        progress.active = Some("tour".into());
        assert_eq!(
            stuck(&progress, &key),
            Some(Stuck {
                flow_id: "tour".into(),
                flow_name: "Tour".into(),
                step_id: "b".into(),
                step_title: "B".into(),
            })
        );
        progress.flows.get_mut("tour").unwrap().status = RunStatus::Completed;
        progress.flows.get_mut("tour").unwrap().completions = 1;
        progress.active = None;
        progress.checklists.get_mut("start").unwrap().completed = true;
        assert_eq!(stuck(&progress, &key), None);
        assert_eq!(completed_ids(&progress), ["start", "tour"]);
    }
}
