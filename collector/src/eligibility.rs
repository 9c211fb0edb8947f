//! `GET /v1/admin/users/{user_id}/eligibility?url=`: why each flow would (or would not) show for
//! one user on one page, so an admin can answer "why didn't they see it?". Each flow gets the first
//! reason that applies, in the order of `docs/patterns.md`.

use std::collections::HashMap;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use engine::audience::{Device, Facts, Rule, TraitScope, matches};
use engine::pattern::url_matches;
use engine::survey::{DAY_MS, reask_due};
use engine::{Flow, FlowStatus, Frequency, Trigger};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::audience::{self, Visit, Visitor, flow_rules, holds};
use crate::error::Error;
use crate::flows::content_kind;
use crate::ingest::check_user_id;
use crate::keys::AdminApp;
use crate::locale::wanted_locales;
use crate::storage::{StartOrSuppression, now_ms};
use crate::surveys::{Calendar, held};

pub fn router() -> Router<AppState> {
    Router::new().route("/v1/admin/users/{user_id}/eligibility", get(eligibility))
}

#[derive(Deserialize)]
struct EligibilityQuery {
    /// The page to judge URL triggers and `url` rules against; without it they are not judged.
    url: Option<String>,
}

#[derive(Serialize)]
struct Eligibility {
    user_id: String,
    items: Vec<Item>,
}

#[derive(Serialize, Debug, PartialEq)]
struct Item {
    flow_id: String,
    name: String,
    kind: &'static str,
    status: Status,
    reason: Option<&'static str>,
    detail: Option<String>,
}

#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Status {
    Eligible,
    Active,
    Completed,
    Blocked,
}

async fn eligibility(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(user_id): Path<String>,
    query: Result<Query<EligibilityQuery>, QueryRejection>,
) -> Result<Json<Eligibility>, Error> {
    let Query(query) =
        query.map_err(|rejection| Error::invalid("invalid_query", "url", rejection.body_text()))?;
    check_user_id(&user_id)?;
    let store = state.store.as_ref();
    if !store.user_known(&app.id, &user_id).await? {
        return Err(Error::UserNotFound(user_id));
    }
    let (flows, user, history, asked) = tokio::try_join!(
        store.flows(&app.id),
        store.user(&app.id, &user_id),
        store.starts_and_suppressions(&app.id, &user_id),
        store.latest_starts(&app.id, &user_id),
    )?;
    let flows: Vec<Flow> = flows.into_iter().map(|stored| stored.flow).collect();
    let now = now_ms();
    let calendar = Calendar::of(store, &app.id, &user_id, &user.traits, &flows, now).await?;
    let url = query.url.filter(|url| !url.trim().is_empty());
    let rules: Vec<&Rule> = flows.iter().flat_map(flow_rules).collect();
    let visit = Visit {
        url: url.clone(),
        device: None,
        locale: wanted_locales(&user.traits, None, &Default::default())
            .into_iter()
            .next(),
    };
    let visitor = Visitor {
        user_id: &user_id,
        traits: &user.traits,
        progress: &user.progress,
    };
    let facts = audience::facts(store, &app.id, visitor, &rules, visit).await?;
    let suppressed = suppressions_since_start(history);
    let judge = Judge {
        user_id: &user_id,
        calendar: &calendar,
        asked: &asked,
        facts: &facts,
        progress: &user.progress,
        url: url.as_deref(),
        suppressed: &suppressed,
    };
    let items = flows.iter().map(|flow| judge.item(flow)).collect();
    Ok(Json(Eligibility { user_id, items }))
}

/// For each flow whose latest `content_suppressed` is newer than its latest `flow_started`, the
/// reason of that suppression.
fn suppressions_since_start(history: Vec<StartOrSuppression>) -> HashMap<String, Option<String>> {
    let mut suppressed = HashMap::new();
    for event in history {
        if event.name == "flow_started" {
            suppressed.remove(&event.flow_id);
        } else {
            suppressed.insert(event.flow_id, event.reason);
        }
    }
    suppressed
}

/// Everything one user's verdicts depend on.
struct Judge<'a> {
    user_id: &'a str,
    calendar: &'a Calendar,
    /// When each flow was last started (the sender's clock), for survey re-asks.
    asked: &'a HashMap<String, i64>,
    facts: &'a Facts,
    progress: &'a engine::UserProgress,
    url: Option<&'a str>,
    suppressed: &'a HashMap<String, Option<String>>,
}

impl Judge<'_> {
    fn item(&self, flow: &Flow) -> Item {
        let (status, reason, detail) = self.verdict(flow);
        Item {
            flow_id: flow.id.clone(),
            name: flow.name.clone(),
            kind: content_kind(flow),
            status,
            reason,
            detail,
        }
    }

    /// The first reason that applies, in the contract's order of precedence.
    fn verdict(&self, flow: &Flow) -> (Status, Option<&'static str>, Option<String>) {
        let blocked = |reason, detail: String| (Status::Blocked, Some(reason), Some(detail));
        if flow.status != FlowStatus::Published {
            return blocked(
                "draft_or_archived",
                format!("the flow is {}", flow.status.as_str()),
            );
        }
        // The flow the user is in the middle of keeps going whatever its audience says.
        if self.progress.active.as_deref() == Some(flow.id.as_str()) {
            return (Status::Active, None, None);
        }
        if let Some(audience) = &flow.audience
            && !matches(audience, self.facts)
        {
            return blocked("audience_not_matched", unmet(audience, self.facts));
        }
        if let Some(requires) = &flow.requires
            && !holds(Some(requires), self.facts)
        {
            return blocked("prerequisite_missing", unmet(requires, self.facts));
        }
        if let Some(held) = held(flow, self.user_id, self.calendar) {
            let (reason, detail) = held.explain(self.calendar.now);
            return blocked(reason, detail);
        }
        // A survey due again is judged as if it had never been started, as the widget does.
        if let Some(survey) = &flow.survey
            && let Some(&asked_at) = self.asked.get(&flow.id)
            && let Some(reask_days) = survey.reask_days
        {
            let now = self.calendar.now;
            if !reask_due(Some(reask_days), Some(asked_at), now) {
                let ago = (now - asked_at).max(0) / DAY_MS;
                return blocked(
                    "asked_recently",
                    format!("asked {ago} days ago (re-ask after {reask_days})"),
                );
            }
            return self.trigger_and_fatigue(flow);
        }
        let runs = self.progress.flows.get(&flow.id);
        if flow.checklist.is_some() {
            // Checklists are ambient: no trigger, no fatigue budget, done once completed.
            return match self.progress.checklists.get(&flow.id) {
                Some(checklist) if checklist.completed => (
                    Status::Completed,
                    Some("already_completed"),
                    Some("every item is done".into()),
                ),
                _ => (Status::Eligible, None, None),
            };
        }
        let completions = runs.map_or(0, |runs| runs.completions);
        let starts = runs.map_or(0, |runs| runs.starts);
        if completions > 0 && matches!(flow.frequency, Frequency::Once | Frequency::UntilCompleted)
        {
            return (
                Status::Completed,
                Some("already_completed"),
                Some(format!("completed {completions} time(s)")),
            );
        }
        if starts > 0 && flow.frequency == Frequency::Once {
            return blocked(
                "already_dismissed",
                "shown once already and closed before the end".into(),
            );
        }
        self.trigger_and_fatigue(flow)
    }

    /// The last checks: the page against a URL trigger, then the widget's fatigue budget.
    fn trigger_and_fatigue(&self, flow: &Flow) -> (Status, Option<&'static str>, Option<String>) {
        let blocked = |reason, detail: String| (Status::Blocked, Some(reason), Some(detail));
        if let (Trigger::Url { pattern }, Some(url)) = (&flow.trigger, self.url)
            && !url_matches(pattern, url)
        {
            return blocked(
                "trigger_not_met",
                format!("trigger {pattern} does not match {url}"),
            );
        }
        match self.suppressed.get(&flow.id) {
            Some(Some(reason)) if reason == "session_limit" => blocked(
                "blocked_by_session_limit",
                "the widget held it back: the session's content limit was reached".into(),
            ),
            Some(reason) => blocked(
                "blocked_by_cooldown",
                format!(
                    "the widget held it back ({}) after its last start",
                    reason.as_deref().unwrap_or("cooldown")
                ),
            ),
            None => (Status::Eligible, None, None),
        }
    }
}

/// The part of a failing rule that fails, in words: the first failing member of an `all`, the
/// whole of an `any`.
fn unmet(rule: &Rule, facts: &Facts) -> String {
    match rule {
        Rule::All(rules) => rules
            .iter()
            .find(|rule| !matches(rule, facts))
            .map_or_else(|| describe(rule), |rule| unmet(rule, facts)),
        _ => describe(rule),
    }
}

/// A rule in words, e.g. `completed basics-tour` or `trait plan eq "pro"`.
fn describe(rule: &Rule) -> String {
    let list =
        |rules: &[Rule], joiner: &str| rules.iter().map(describe).collect::<Vec<_>>().join(joiner);
    match rule {
        Rule::All(rules) => format!("all of ({})", list(rules, "; ")),
        Rule::Any(rules) => format!("any of ({})", list(rules, "; ")),
        Rule::Not(rule) => format!("not {}", describe(rule)),
        Rule::Trait {
            scope,
            name,
            op,
            value,
        } => {
            let scope = match scope {
                TraitScope::User => "trait",
                TraitScope::Account => "account_trait",
            };
            let value = value
                .as_ref()
                .map(|value| format!(" {value}"))
                .unwrap_or_default();
            format!("{scope} {name} {}{value}", op.as_str())
        }
        Rule::Event {
            name,
            op,
            count,
            within_days,
        } => {
            let count = count.map(|count| format!(" {count}")).unwrap_or_default();
            let window = within_days
                .map(|days| format!(" within {days} days"))
                .unwrap_or_default();
            format!("event {name} {}{count}{window}", op.as_str())
        }
        Rule::Url(pattern) => format!("url {pattern}"),
        Rule::Device(Device::Mobile) => "device mobile".into(),
        Rule::Device(Device::Desktop) => "device desktop".into(),
        Rule::Locale(locale) => format!("locale {locale}"),
        Rule::Segment(id) => format!("segment {id}"),
        Rule::Completed(id) => format!("completed {id}"),
        Rule::Visited(pattern) => format!("visited {pattern}"),
    }
}
