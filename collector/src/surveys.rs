//! Surveys on the collector's side: the check of every `survey_answered` against the live flow at
//! ingest, who is sent a survey at boot (sampling, `days_after` due-ness, when it was last asked),
//! and the admin's survey reports: `GET /v1/admin/surveys`, `/v1/admin/surveys/{flow_id}/results`,
//! `/v1/admin/ces` and `/v1/admin/csat` (the response list and its CSV are in `responses`).
//! Scores are computed by `engine::scores` from the answers stored as events.

pub mod filters;
mod responses;
mod scoring;

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use engine::audience::timestamp_ms;
use engine::survey::{DAY_MS, QuestionKind, check_answer, sampled, standard_title};
use engine::{DaysSince, Flow, LifecycleEvent, Step, Trigger};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::AppState;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::storage::{NewEvent, Store, StoredAnswer, Window};
use filters::{Audience, Interval, ReportQuery};
use scoring::{MeanSummary, NpsSummary, Point};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/surveys", get(list))
        .route("/v1/admin/surveys/{flow_id}/results", get(results))
        .route("/v1/admin/ces", get(ces))
        .route("/v1/admin/csat", get(csat))
        .merge(responses::router())
}

// ---------------------------------------------------------------------------------------------
// Ingest: every answer is checked against the live flow before anything of the batch is stored.

/// Refuses the batch when one of its `survey_answered` events does not answer a question of a
/// live survey, or answers it with something the question does not accept.
pub fn check_answers(flows: &[Flow], indices: &[usize], events: &[NewEvent]) -> Result<(), Error> {
    for (&index, event) in indices.iter().zip(events) {
        let Some(LifecycleEvent::SurveyAnswered {
            flow_id,
            step_id,
            kind,
            answer,
            ..
        }) = &event.lifecycle
        else {
            continue;
        };
        let at = |key: &str| format!("events[{index}].properties.{key}");
        let question = flows
            .iter()
            .find(|flow| flow.id == *flow_id)
            .and_then(|flow| flow.steps.iter().find(|step| step.id == *step_id))
            .and_then(|step| step.question.as_ref())
            .ok_or_else(|| {
                Error::invalid(
                    "unknown_question",
                    at("step_id"),
                    format!("no live survey {flow_id} asks a question on step {step_id}"),
                )
            })?;
        if *kind != question.kind {
            return Err(Error::invalid(
                "invalid_answer",
                at("kind"),
                format!(
                    "step {step_id} asks a {} question, not {}",
                    question.kind.as_str(),
                    kind.as_str()
                ),
            ));
        }
        check_answer(question, answer)
            .map_err(|error| Error::invalid("invalid_answer", at("answer"), error.message))?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Boot and eligibility: who is sent a survey, and when.

/// Why a flow is held back at boot although its audience holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Held {
    /// The user is outside the survey's `sample_percent`.
    NotSampled { percent: u32 },
    /// A `days_after` trigger that is not due yet; `due_at` is `None` when the date it counts
    /// from is unknown (no usable `signed_up_at` trait).
    NotDue {
        since: DaysSince,
        days: u32,
        due_at: Option<i64>,
    },
}

/// The dates `days_after` triggers count from, for one user, on the collector's clock.
#[derive(Clone, Copy, Debug)]
pub struct Calendar {
    pub signed_up_at: Option<i64>,
    pub first_seen: Option<i64>,
    pub now: i64,
}

impl Calendar {
    /// Reads the user's first event only when some flow counts from it.
    pub async fn of(
        store: &dyn Store,
        app_id: &str,
        user_id: &str,
        traits: &Map<String, Value>,
        flows: &[Flow],
        now: i64,
    ) -> anyhow::Result<Self> {
        let counts_from_first_seen = flows.iter().any(|flow| {
            matches!(
                flow.trigger,
                Trigger::DaysAfter {
                    since: DaysSince::FirstSeen,
                    ..
                }
            )
        });
        let first_seen = if counts_from_first_seen {
            store.first_seen(app_id, user_id).await?
        } else {
            None
        };
        Ok(Self {
            signed_up_at: traits.get("signed_up_at").and_then(timestamp_ms),
            // A user booting for the first time has no event yet: they are first seen now.
            first_seen: first_seen.or(Some(now)),
            now,
        })
    }
}

/// Whether boot holds `flow` back from `user_id`: not sampled, or a `days_after` not yet due.
pub fn held(flow: &Flow, user_id: &str, calendar: &Calendar) -> Option<Held> {
    if let Some(survey) = &flow.survey
        && !sampled(user_id, &flow.id, survey.sample_percent)
    {
        return Some(Held::NotSampled {
            percent: survey.sample_percent,
        });
    }
    if let Trigger::DaysAfter { since, days } = flow.trigger {
        let start = match since {
            DaysSince::Signup => calendar.signed_up_at,
            DaysSince::FirstSeen => calendar.first_seen,
        };
        let due_at = start.map(|start| start.saturating_add(i64::from(days) * DAY_MS));
        if due_at.is_none_or(|due_at| calendar.now < due_at) {
            return Some(Held::NotDue {
                since,
                days,
                due_at,
            });
        }
    }
    None
}

impl Held {
    /// The eligibility reason and its sentence.
    pub fn explain(&self, now: i64) -> (&'static str, String) {
        match self {
            Held::NotSampled { percent } => (
                "not_sampled",
                format!("not sampled: the survey asks {percent} % of users"),
            ),
            Held::NotDue {
                since,
                days,
                due_at: Some(due_at),
            } => {
                let wait = (due_at - now + DAY_MS - 1) / DAY_MS;
                (
                    "not_due",
                    format!(
                        "due in {wait} day(s) ({days} days after {})",
                        since_words(*since)
                    ),
                )
            }
            Held::NotDue { days, .. } => (
                "not_due",
                format!("due {days} days after signup, but the user has no signed_up_at trait"),
            ),
        }
    }
}

fn since_words(since: DaysSince) -> &'static str {
    match since {
        DaysSince::Signup => "signup",
        DaysSince::FirstSeen => "first seen",
    }
}

/// Boot's `asked`: for each survey flow sent, when the user's latest `flow_started` of it was
/// sent (their clock), so the widget can apply `reask_due` like its fatigue budget.
pub async fn asked(
    store: &dyn Store,
    app_id: &str,
    user_id: &str,
    flows: &[Flow],
) -> anyhow::Result<BTreeMap<String, i64>> {
    if !flows.iter().any(|flow| flow.survey.is_some()) {
        return Ok(BTreeMap::new());
    }
    let mut starts = store.latest_starts(app_id, user_id).await?;
    Ok(flows
        .iter()
        .filter(|flow| flow.survey.is_some())
        .filter_map(|flow| Some((flow.id.clone(), starts.remove(&flow.id)?)))
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Reading answers back.

/// One answer as the reports count it.
#[derive(Clone, Debug)]
struct Response {
    message_id: String,
    user_id: String,
    account_id: Option<String>,
    flow_id: String,
    step_id: String,
    kind: QuestionKind,
    answer: Value,
    answered_at: i64,
    /// Identifies the run: answers with the same `(user, flow, run)` came from one showing.
    run: (String, String, Option<i64>),
}

impl Response {
    fn score(&self) -> Option<i64> {
        self.kind.scale().and(self.answer.as_i64())
    }
}

/// The answers in arrival order, keeping only the last answer to each question in each run (a
/// user who went Back and answered again counts once), and only those `audience` admits.
fn responses(stored: Vec<StoredAnswer>, audience: &Audience) -> Vec<Response> {
    let mut latest: HashMap<(String, String, String, String), usize> = HashMap::new();
    let mut all: Vec<Option<Response>> = Vec::with_capacity(stored.len());
    for answer in stored {
        if !audience.admits(&answer.user_id, answer.account_id.as_deref()) {
            continue;
        }
        let text = |key: &str| answer.properties.get(key).and_then(Value::as_str);
        let (Some(step_id), Some(kind)) = (
            text("step_id").map(str::to_string),
            text("kind").and_then(|kind| serde_json::from_value(Value::from(kind)).ok()),
        ) else {
            continue;
        };
        // Answers outside any known run are all kept (keyed by their own id).
        let run_key = answer
            .run
            .map_or_else(|| format!("m:{}", answer.message_id), |run| run.to_string());
        let key = (
            answer.user_id.clone(),
            answer.flow_id.clone(),
            run_key,
            step_id.clone(),
        );
        if let Some(earlier) = latest.insert(key, all.len()) {
            all[earlier] = None;
        }
        all.push(Some(Response {
            run: (answer.user_id.clone(), answer.flow_id.clone(), answer.run),
            message_id: answer.message_id,
            answer: answer.properties.get("answer").cloned().unwrap_or_default(),
            user_id: answer.user_id,
            account_id: answer.account_id,
            flow_id: answer.flow_id,
            step_id,
            kind,
            answered_at: answer.answered_at,
        }));
    }
    all.into_iter().flatten().collect()
}

/// How many times the survey was answered: distinct runs with at least one answer.
fn run_count<'a>(responses: impl IntoIterator<Item = &'a Response>) -> usize {
    responses
        .into_iter()
        .map(|response| &response.run)
        .collect::<HashSet<_>>()
        .len()
}

/// A step's title as the user saw it: the standard wording when a scale question's is blank.
fn question_title(step: &Step) -> String {
    match &step.question {
        Some(question) if step.title.trim().is_empty() => {
            standard_title(question).unwrap_or_default()
        }
        _ => step.title.clone(),
    }
}

/// Every stored flow that is a survey (archived ones keep their results).
async fn surveys(state: &AppState, app_id: &str) -> Result<Vec<Flow>, Error> {
    Ok(state
        .store
        .flows(app_id)
        .await?
        .into_iter()
        .map(|stored| stored.flow)
        .filter(|flow| flow.survey.is_some())
        .collect())
}

// ---------------------------------------------------------------------------------------------
// `GET /v1/admin/surveys`

#[derive(Serialize)]
struct SurveySummary {
    flow_id: String,
    name: String,
    status: &'static str,
    kinds: Vec<&'static str>,
    responses: usize,
    last_response_at: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
) -> Result<Json<Vec<SurveySummary>>, Error> {
    let (flows, stored) = tokio::try_join!(surveys(&state, &app.id), async {
        Ok(state
            .store
            .answers(&app.id, None, Window::default())
            .await?)
    },)?;
    let responses = responses(stored, &Audience::default());
    Ok(Json(
        flows
            .iter()
            .map(|flow| {
                let answers: Vec<&Response> = responses
                    .iter()
                    .filter(|response| response.flow_id == flow.id)
                    .collect();
                let mut kinds: Vec<&'static str> = Vec::new();
                for question in flow.steps.iter().filter_map(|step| step.question.as_ref()) {
                    if !kinds.contains(&question.kind.as_str()) {
                        kinds.push(question.kind.as_str());
                    }
                }
                SurveySummary {
                    flow_id: flow.id.clone(),
                    name: flow.name.clone(),
                    status: flow.status.as_str(),
                    kinds,
                    responses: run_count(answers.iter().copied()),
                    last_response_at: answers.iter().map(|answer| answer.answered_at).max(),
                }
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// `GET /v1/admin/surveys/{flow_id}/results`

#[derive(Serialize)]
struct Results {
    flow_id: String,
    name: String,
    responses: usize,
    questions: Vec<QuestionResults>,
}

#[derive(Serialize)]
struct QuestionResults {
    step_id: String,
    kind: &'static str,
    title: String,
    n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    nps: Option<NpsSummary>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    mean: Option<MeanSummary>,
    distribution: Vec<Count>,
    over_time: Vec<Point>,
}

#[derive(Serialize, Debug, PartialEq, Eq)]
struct Count {
    value: Value,
    count: usize,
}

async fn results(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(flow_id): Path<String>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Results>, Error> {
    let query = ReportQuery::from_request(query)?;
    let window = query.window()?;
    let interval = query.interval()?;
    let flow = state
        .store
        .flow(&app.id, &flow_id)
        .await?
        .map(|stored| stored.flow)
        .filter(|flow| flow.survey.is_some())
        .ok_or_else(|| Error::FlowNotFound(flow_id.clone()))?;
    let audience = query.audience(&state, &app.id).await?;
    let stored = state.store.answers(&app.id, Some(&flow.id), window).await?;
    let responses = responses(stored, &audience);
    let questions = flow
        .steps
        .iter()
        .filter_map(|step| {
            let question = step.question.as_ref()?;
            let answers: Vec<&Response> = responses
                .iter()
                .filter(|response| response.step_id == step.id && response.kind == question.kind)
                .collect();
            Some(question_results(
                step,
                question.kind,
                &question.options,
                &answers,
                interval,
            ))
        })
        .collect();
    Ok(Json(Results {
        flow_id: flow.id,
        name: flow.name,
        responses: run_count(&responses),
        questions,
    }))
}

fn question_results(
    step: &Step,
    kind: QuestionKind,
    options: &[engine::survey::Choice],
    answers: &[&Response],
    interval: Interval,
) -> QuestionResults {
    let scores: Vec<(i64, i64)> = answers
        .iter()
        .filter_map(|answer| Some((answer.answered_at, answer.score()?)))
        .collect();
    let values: Vec<i64> = scores.iter().map(|(_, score)| *score).collect();
    let distribution = match kind.scale() {
        Some((low, high)) => (low..=high)
            .map(|value| Count {
                value: value.into(),
                count: values.iter().filter(|score| **score == value).count(),
            })
            .collect(),
        None if kind.has_options() => options
            .iter()
            .map(|option| Count {
                value: option.id.clone().into(),
                count: answers
                    .iter()
                    .filter(|answer| chose(&answer.answer, &option.id))
                    .count(),
            })
            .collect(),
        None => Vec::new(),
    };
    QuestionResults {
        step_id: step.id.clone(),
        kind: kind.as_str(),
        title: question_title(step),
        n: answers.len(),
        nps: (kind == QuestionKind::Nps).then(|| scoring::nps(&values)),
        mean: matches!(kind, QuestionKind::Ces | QuestionKind::Csat)
            .then(|| scoring::mean(kind, &values)),
        distribution,
        over_time: scoring::over_time(kind, &scores, interval),
    }
}

/// Whether a choice answer (one id, or a list of them) includes `id`.
fn chose(answer: &Value, id: &str) -> bool {
    match answer {
        Value::String(chosen) => chosen == id,
        Value::Array(chosen) => chosen.iter().any(|chosen| chosen == id),
        _ => false,
    }
}

// ---------------------------------------------------------------------------------------------
// `GET /v1/admin/ces`: effort by the flow or step a CES survey follows.

#[derive(Serialize)]
struct EffortRow {
    flow_id: String,
    flow_name: String,
    step_id: Option<String>,
    step_title: Option<String>,
    survey_flow_id: String,
    n: usize,
    mean: Option<f64>,
    ci_low: Option<f64>,
    ci_high: Option<f64>,
}

async fn ces(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Vec<EffortRow>>, Error> {
    let query = ReportQuery::from_request(query)?;
    let window = query.window()?;
    let audience = query.audience(&state, &app.id).await?;
    let (flows, stored) = tokio::try_join!(
        async {
            Ok::<_, anyhow::Error>(
                state
                    .store
                    .flows(&app.id)
                    .await?
                    .into_iter()
                    .map(|stored| stored.flow)
                    .collect::<Vec<_>>(),
            )
        },
        state.store.answers(&app.id, None, window),
    )?;
    let responses = responses(stored, &audience);
    let mut rows: Vec<EffortRow> = flows
        .iter()
        .filter(|survey| survey.survey.is_some())
        .filter_map(|survey| {
            let (target, step) = match &survey.trigger {
                Trigger::Completed { flow } => (flow, None),
                Trigger::StepCompleted { flow, step } => (flow, Some(step)),
                _ => return None,
            };
            let values: Vec<i64> = responses
                .iter()
                .filter(|response| {
                    response.flow_id == survey.id && response.kind == QuestionKind::Ces
                })
                .filter_map(Response::score)
                .collect();
            if values.is_empty() {
                return None;
            }
            let attributed = flows.iter().find(|flow| flow.id == *target);
            let step_title = step.and_then(|step| {
                let step = attributed?
                    .steps
                    .iter()
                    .find(|candidate| candidate.id == *step)?;
                Some(step.title.clone())
            });
            let summary = scoring::mean(QuestionKind::Ces, &values);
            Some(EffortRow {
                flow_id: target.clone(),
                flow_name: attributed.map_or_else(|| target.clone(), |flow| flow.name.clone()),
                step_id: step.cloned(),
                step_title,
                survey_flow_id: survey.id.clone(),
                n: values.len(),
                mean: summary.mean,
                ci_low: summary.ci_low,
                ci_high: summary.ci_high,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        a.mean
            .unwrap_or(f64::INFINITY)
            .total_cmp(&b.mean.unwrap_or(f64::INFINITY))
            .then_with(|| a.flow_id.cmp(&b.flow_id))
            .then_with(|| a.step_id.cmp(&b.step_id))
    });
    Ok(Json(rows))
}

// ---------------------------------------------------------------------------------------------
// `GET /v1/admin/csat`: satisfaction across every CSAT question.

#[derive(Serialize)]
struct Satisfaction {
    n: usize,
    #[serde(flatten)]
    summary: MeanSummary,
    over_time: Vec<Point>,
}

async fn csat(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Satisfaction>, Error> {
    let query = ReportQuery::from_request(query)?;
    let window = query.window()?;
    let interval = query.interval()?;
    let audience = query.audience(&state, &app.id).await?;
    let stored = state.store.answers(&app.id, None, window).await?;
    let scores: Vec<(i64, i64)> = responses(stored, &audience)
        .iter()
        .filter(|response| response.kind == QuestionKind::Csat)
        .filter_map(|response| Some((response.answered_at, response.score()?)))
        .collect();
    let values: Vec<i64> = scores.iter().map(|(_, score)| *score).collect();
    Ok(Json(Satisfaction {
        n: values.len(),
        summary: scoring::mean(QuestionKind::Csat, &values),
        over_time: scoring::over_time(QuestionKind::Csat, &scores, interval),
    }))
}
