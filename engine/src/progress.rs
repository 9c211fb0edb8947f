//! The step engine. A user's progress is a fold over lifecycle events; `react` turns what just
//! happened (a page, a click, a tracked event) into new lifecycle events, and `decide` says what
//! to show. The widget runs it for instant feedback; the collector runs it as the authority.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::flow::{
    Advance, ButtonAction, Flow, FlowStatus, Frequency, Trigger, WhenTargetMissing, is_live,
};
use crate::pattern::url_matches;
use crate::survey::{QuestionKind, check_answer, next_step};

/// Re-exported here because `Facts.completed` is built from a [`UserProgress`].
pub use crate::checklist::completed_ids;

/// Where one user stands in every flow they have met.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct UserProgress {
    #[serde(default)]
    pub flows: BTreeMap<String, FlowProgress>,
    /// The flow currently running, if any. Only one runs at a time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub active: Option<String>,
    /// Checklist progress by checklist (flow) id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checklists: BTreeMap<String, ChecklistProgress>,
}

/// One user's progress through one checklist.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct ChecklistProgress {
    /// Ids of the items done, in the order they were done.
    #[serde(default)]
    pub done: Vec<String>,
    #[serde(default)]
    pub completed: bool,
    /// The badge earned on completion, kept for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<String>,
}

/// One user's history with one flow.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct FlowProgress {
    pub status: RunStatus,
    /// Index of the current step while active.
    pub step: usize,
    pub version: u32,
    pub starts: u32,
    pub completions: u32,
    pub dismissals: u32,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, Default, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RunStatus {
    #[default]
    Active,
    Completed,
    Dismissed,
}

/// Why a flow ended without being completed.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum DismissReason {
    #[default]
    User,
    TargetMissing,
    Replaced,
}

/// The facts the engine records. On the wire each is a `track` event with this snake_case name
/// and the fields as properties.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "name", rename_all = "snake_case")]
pub enum LifecycleEvent {
    FlowStarted {
        flow_id: String,
        version: u32,
    },
    StepViewed {
        flow_id: String,
        step_id: String,
        step_index: usize,
    },
    StepCompleted {
        flow_id: String,
        step_id: String,
        step_index: usize,
        /// Set when an answer branches past the following step (surveys): the step the user
        /// moves to. Absent, the user moves to the following step. Steps jumped over are not
        /// completed; carrying the target in the event keeps the fold free of flow definitions.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        next_step_index: Option<usize>,
    },
    StepBack {
        flow_id: String,
        step_id: String,
        step_index: usize,
    },
    StepTargetMissing {
        flow_id: String,
        step_id: String,
        step_index: usize,
        action: WhenTargetMissing,
    },
    FlowCompleted {
        flow_id: String,
    },
    FlowDismissed {
        flow_id: String,
        step_index: usize,
        #[serde(default)]
        reason: DismissReason,
    },
    /// A locked step (its `requires` does not hold) was passed over; moves on like a completion.
    StepSkipped {
        flow_id: String,
        step_id: String,
        step_index: usize,
    },
    /// A checklist item became done, by its condition (recorded by the collector) or by hand.
    ChecklistItemCompleted {
        checklist_id: String,
        item_id: String,
        #[serde(default)]
        manual: bool,
    },
    ChecklistCompleted {
        checklist_id: String,
    },
    BadgeEarned {
        checklist_id: String,
        badge_id: String,
    },
    /// Content that was due was held back; recorded so the admin can say why it was not shown.
    ContentSuppressed {
        flow_id: String,
        reason: crate::fatigue::Blocked,
    },
    /// A survey question was answered; `answer` is a number, a string or an array of strings
    /// (already checked by `survey::check_answer`). Followed by the step's `step_completed`.
    SurveyAnswered {
        flow_id: String,
        step_id: String,
        step_index: usize,
        kind: QuestionKind,
        answer: Value,
    },
}

/// Names of every lifecycle event, as they appear on the wire.
pub const LIFECYCLE_EVENT_NAMES: [&str; 13] = [
    "flow_started",
    "step_viewed",
    "step_completed",
    "step_back",
    "step_target_missing",
    "flow_completed",
    "flow_dismissed",
    "step_skipped",
    "checklist_item_completed",
    "checklist_completed",
    "badge_earned",
    "content_suppressed",
    "survey_answered",
];

impl LifecycleEvent {
    /// Reads a tracked event as a lifecycle event. `None` when the name is not a lifecycle
    /// name (a host event); `Some(Err(field))` when it is one but a property is missing or wrong.
    pub fn from_track(name: &str, properties: &Map<String, Value>) -> Option<Result<Self, String>> {
        if !LIFECYCLE_EVENT_NAMES.contains(&name) {
            return None;
        }
        let mut object = properties.clone();
        object.insert("name".into(), Value::String(name.into()));
        Some(
            serde_json::from_value(Value::Object(object)).map_err(|error| {
                let text = error.to_string();
                // serde names a missing field in backticks: "missing field `flow_id`"; a wrongly typed
                // one it does not name, and an unknown variant it quotes the same way (the value, not
                // the field), so anything but a missing field is found by the type each known
                // property must have.
                let quoted = || text.split('`').nth(1).map(str::to_string);
                let field = if text.starts_with("missing field") {
                    quoted()
                } else {
                    mistyped_property(properties).or_else(quoted)
                };
                field
                    .map(|field| format!("properties.{field}"))
                    .unwrap_or_else(|| "properties".into())
            }),
        )
    }

    /// The wire name and properties of this event.
    pub fn to_track(&self) -> (String, Map<String, Value>) {
        let Ok(Value::Object(mut object)) = serde_json::to_value(self) else {
            return (String::new(), Map::new());
        };
        let name = match object.remove("name") {
            Some(Value::String(name)) => name,
            _ => String::new(),
        };
        (name, object)
    }

    pub fn flow_id(&self) -> &str {
        match self {
            LifecycleEvent::FlowStarted { flow_id, .. }
            | LifecycleEvent::StepViewed { flow_id, .. }
            | LifecycleEvent::StepCompleted { flow_id, .. }
            | LifecycleEvent::StepBack { flow_id, .. }
            | LifecycleEvent::StepTargetMissing { flow_id, .. }
            | LifecycleEvent::FlowCompleted { flow_id }
            | LifecycleEvent::FlowDismissed { flow_id, .. }
            | LifecycleEvent::StepSkipped { flow_id, .. }
            | LifecycleEvent::ContentSuppressed { flow_id, .. }
            | LifecycleEvent::SurveyAnswered { flow_id, .. } => flow_id,
            LifecycleEvent::ChecklistItemCompleted { checklist_id, .. }
            | LifecycleEvent::ChecklistCompleted { checklist_id }
            | LifecycleEvent::BadgeEarned { checklist_id, .. } => checklist_id,
        }
    }
}

fn mistyped_property(properties: &Map<String, Value>) -> Option<String> {
    properties
        .iter()
        .find(|(key, value)| match key.as_str() {
            "flow_id" | "step_id" | "checklist_id" | "item_id" | "badge_id" => !value.is_string(),
            "manual" => !value.is_boolean(),
            "step_index" | "version" | "next_step_index" => value
                .as_u64()
                .is_none_or(|number| number > u64::from(u32::MAX)),
            "kind" => !matches!(
                value.as_str(),
                Some("nps" | "ces" | "csat" | "single" | "multiple" | "text")
            ),
            "action" => !matches!(value.as_str(), Some("skip" | "end")),
            "reason" => !matches!(
                value.as_str(),
                Some(
                    "user"
                        | "target_missing"
                        | "replaced"
                        | "session_limit"
                        | "cooldown"
                        | "already_this_session"
                )
            ),
            _ => false,
        })
        .map(|(key, _)| key.clone())
}

/// What is true about the user and page right now.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub url: String,
    pub traits: Map<String, Value>,
}

/// Something that just happened, which may move the user along.
#[derive(Clone, Debug, PartialEq)]
pub enum Signal {
    /// A page load or an SPA route change.
    Page { url: String },
    /// The host tracked an event.
    Tracked { name: String },
    /// The user pressed a button on the current step.
    Button { action: ButtonAction },
    /// The user clicked the current step's target.
    TargetClicked,
    /// The current step's target never appeared.
    TargetMissing,
    /// `waymark.start(flowId)`: bypasses trigger and frequency.
    Start { flow_id: String },
    /// The user answered the question of the current survey step (`answer` as the widget read it:
    /// a number, a string or an array of strings; checked here before anything is recorded).
    Answer {
        flow_id: String,
        step_id: String,
        answer: Value,
    },
    /// A flow or checklist completed somewhere the engine did not see it happen (the collector
    /// reported `checklist_completed`); starts flows with a `completed` trigger on it.
    Completed { flow_id: String },
}

/// What the widget should show now.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub flow_id: String,
    pub step_index: usize,
    pub step_id: String,
    pub total_steps: usize,
    /// False while the step belongs to another page: the flow is running but nothing shows.
    pub on_this_page: bool,
}

impl UserProgress {
    /// Folds one lifecycle event into the progress. Events that make no sense in the current
    /// state (a completion for a step that is not current, say a duplicate) change nothing.
    pub fn apply(&mut self, event: &LifecycleEvent) {
        match event {
            LifecycleEvent::FlowStarted { flow_id, version } => {
                let entry = self.flows.entry(flow_id.clone()).or_default();
                entry.status = RunStatus::Active;
                entry.step = 0;
                entry.version = *version;
                entry.starts += 1;
                self.active = Some(flow_id.clone());
            }
            LifecycleEvent::StepViewed { .. } => {}
            LifecycleEvent::StepCompleted {
                flow_id,
                step_index,
                next_step_index,
                ..
            } => {
                if let Some(entry) = self.active_entry(flow_id)
                    && entry.step == *step_index
                {
                    // Only forward jumps: a replayed or forged event can never loop a flow.
                    entry.step = next_step_index
                        .filter(|next| *next > *step_index)
                        .unwrap_or(*step_index + 1);
                }
            }
            LifecycleEvent::StepTargetMissing {
                flow_id,
                step_index,
                action,
                ..
            } => {
                if *action == WhenTargetMissing::Skip
                    && let Some(entry) = self.active_entry(flow_id)
                    && entry.step == *step_index
                {
                    entry.step += 1;
                }
            }
            LifecycleEvent::StepBack {
                flow_id,
                step_index,
                ..
            } => {
                if let Some(entry) = self.active_entry(flow_id)
                    && entry.step == *step_index
                    && entry.step > 0
                {
                    entry.step -= 1;
                }
            }
            LifecycleEvent::FlowCompleted { flow_id } => {
                if let Some(entry) = self.active_entry(flow_id) {
                    entry.status = RunStatus::Completed;
                    entry.completions += 1;
                    self.active = None;
                }
            }
            LifecycleEvent::FlowDismissed { flow_id, .. } => {
                if let Some(entry) = self.active_entry(flow_id) {
                    entry.status = RunStatus::Dismissed;
                    entry.dismissals += 1;
                    self.active = None;
                }
            }
            LifecycleEvent::StepSkipped {
                flow_id,
                step_index,
                ..
            } => {
                if let Some(entry) = self.active_entry(flow_id)
                    && entry.step == *step_index
                {
                    entry.step += 1;
                }
            }
            LifecycleEvent::ChecklistItemCompleted {
                checklist_id,
                item_id,
                ..
            } => {
                let entry = self.checklists.entry(checklist_id.clone()).or_default();
                if !entry.done.contains(item_id) {
                    entry.done.push(item_id.clone());
                }
            }
            LifecycleEvent::ChecklistCompleted { checklist_id } => {
                self.checklists
                    .entry(checklist_id.clone())
                    .or_default()
                    .completed = true;
            }
            LifecycleEvent::BadgeEarned {
                checklist_id,
                badge_id,
            } => {
                self.checklists
                    .entry(checklist_id.clone())
                    .or_default()
                    .badge = Some(badge_id.clone());
            }
            // Answers are facts for reporting; the step moves with the `step_completed` after it.
            LifecycleEvent::ContentSuppressed { .. } | LifecycleEvent::SurveyAnswered { .. } => {}
        }
    }

    fn active_entry(&mut self, flow_id: &str) -> Option<&mut FlowProgress> {
        if self.active.as_deref() != Some(flow_id) {
            return None;
        }
        self.flows
            .get_mut(flow_id)
            .filter(|entry| entry.status == RunStatus::Active)
    }

    /// The running flow and its current step index, if the flow still exists and is live.
    fn current<'a>(&self, flows: &'a [Flow]) -> Option<(&'a Flow, usize)> {
        let active = self.active.as_deref()?;
        let flow = flows
            .iter()
            .find(|flow| flow.id == active && is_live(flow))?;
        let step = self.flows.get(active)?.step;
        (step < flow.steps.len()).then_some((flow, step))
    }

    fn may_start(&self, flow: &Flow) -> bool {
        let Some(entry) = self.flows.get(&flow.id) else {
            return true;
        };
        match flow.frequency {
            Frequency::Once => entry.starts == 0,
            Frequency::UntilCompleted => entry.completions == 0,
            // Once per session is enforced by the widget's session log (see `fatigue`).
            Frequency::EveryTime | Frequency::EverySession => true,
        }
    }
}

/// The events `react` has produced so far, applied to a scratch copy of the progress so each
/// decision sees the effect of the ones before it.
struct Reaction {
    progress: UserProgress,
    events: Vec<LifecycleEvent>,
}

impl Reaction {
    fn record(&mut self, event: LifecycleEvent) {
        self.progress.apply(&event);
        self.events.push(event);
    }

    /// Completes the current step, and the flow with it when that was the last step. A question
    /// step is passed only by answering it ([`Reaction::answer`]), so its branches always apply.
    fn advance(&mut self, flow: &Flow, index: usize) {
        if flow.steps[index].question.is_some() {
            return;
        }
        self.record(LifecycleEvent::StepCompleted {
            flow_id: flow.id.clone(),
            step_id: flow.steps[index].id.clone(),
            step_index: index,
            next_step_index: None,
        });
        if index + 1 == flow.steps.len() {
            self.record(LifecycleEvent::FlowCompleted {
                flow_id: flow.id.clone(),
            });
        }
    }

    /// Records a valid answer to the current question: `survey_answered`, then `step_completed`
    /// towards the branch target, then `flow_completed` when there is none. An invalid answer,
    /// or one for another step than the current, records nothing.
    fn answer(&mut self, flow: &Flow, index: usize, step_id: &str, answer: &Value) {
        let step = &flow.steps[index];
        let Some(question) = &step.question else {
            return;
        };
        if step.id != step_id {
            return;
        }
        let Ok(answer) = check_answer(question, answer) else {
            return;
        };
        self.record(LifecycleEvent::SurveyAnswered {
            flow_id: flow.id.clone(),
            step_id: step.id.clone(),
            step_index: index,
            kind: question.kind,
            answer: answer.to_value(),
        });
        let target = next_step(flow, index, &answer);
        self.record(LifecycleEvent::StepCompleted {
            flow_id: flow.id.clone(),
            step_id: step.id.clone(),
            step_index: index,
            next_step_index: target.filter(|next| *next != index + 1),
        });
        if target.is_none() {
            self.record(LifecycleEvent::FlowCompleted {
                flow_id: flow.id.clone(),
            });
        }
    }

    /// Goes back to the nearest earlier open step, passing back over locked ones (one
    /// `step_back` per step left); nothing when every earlier step is locked.
    fn back(&mut self, flow: &Flow, index: usize) {
        let Some(target) = (0..index)
            .rev()
            .find(|&earlier| !flow.steps[earlier].locked)
        else {
            return;
        };
        for leaving in (target + 1..=index).rev() {
            self.record(LifecycleEvent::StepBack {
                flow_id: flow.id.clone(),
                step_id: flow.steps[leaving].id.clone(),
                step_index: leaving,
            });
        }
    }

    /// Records `step_skipped` for every consecutive locked step from the current one, and
    /// `flow_completed` when that was the last step.
    fn pass_locked_steps(&mut self, flows: &[Flow]) {
        while let Some((flow, index)) = self.progress.current(flows)
            && flow.steps[index].locked
        {
            let before = self.progress.flows.get(&flow.id).map(|entry| entry.step);
            self.record(LifecycleEvent::StepSkipped {
                flow_id: flow.id.clone(),
                step_id: flow.steps[index].id.clone(),
                step_index: index,
            });
            if index + 1 == flow.steps.len() {
                self.record(LifecycleEvent::FlowCompleted {
                    flow_id: flow.id.clone(),
                });
            }
            // Stored progress can be inconsistent (active but not running); never spin on it.
            if self.progress.flows.get(&flow.id).map(|entry| entry.step) == before
                && self.progress.active.as_deref() == Some(flow.id.as_str())
            {
                break;
            }
        }
    }

    fn dismiss(&mut self, flow_id: &str, step_index: usize, reason: DismissReason) {
        self.record(LifecycleEvent::FlowDismissed {
            flow_id: flow_id.to_string(),
            step_index,
            reason,
        });
    }
}

/// Turns a signal into the lifecycle events it causes, in order. The caller applies them
/// (`UserProgress::apply`), sends them, and asks `decide` what to show.
///
/// Locked steps (their `requires` does not hold; the collector sets `locked`) are passed over
/// with `step_skipped`, before the signal is handled (so a button acts on the step `decide`
/// showed) and after it (so the user never lands on one); skipping the last step completes the flow.
pub fn react(flows: &[Flow], progress: &UserProgress, signal: &Signal) -> Vec<LifecycleEvent> {
    let mut reaction = Reaction {
        progress: progress.clone(),
        events: Vec::new(),
    };
    reaction.pass_locked_steps(flows);
    let before = reaction.events.len();
    handle_signal(flows, &mut reaction, signal);
    reaction.pass_locked_steps(flows);
    // Nothing running (any more): maybe a trigger starts a flow, on the signal itself or on a
    // completion this reaction just recorded. `waymark.start` has already chosen its flow.
    if !matches!(signal, Signal::Start { .. })
        && reaction.progress.active.is_none()
        && let Some(flow) = first_triggered(
            flows,
            &reaction.progress,
            signal,
            &reaction.events[before..],
        )
    {
        reaction.record(LifecycleEvent::FlowStarted {
            flow_id: flow.id.clone(),
            version: flow.version,
        });
        reaction.pass_locked_steps(flows);
    }
    reaction.events
}

/// The `step_skipped` (and possibly `flow_completed`) events that move the running flow past
/// locked steps, without any signal. Callers use it at boot, when the collector has just locked
/// the step a returning user was on; `react` does the same on every signal.
pub fn pass_locked_steps(flows: &[Flow], progress: &UserProgress) -> Vec<LifecycleEvent> {
    let mut reaction = Reaction {
        progress: progress.clone(),
        events: Vec::new(),
    };
    reaction.pass_locked_steps(flows);
    reaction.events
}

fn handle_signal(flows: &[Flow], reaction: &mut Reaction, signal: &Signal) {
    let current = reaction.progress.current(flows);

    match (signal, current) {
        (Signal::Start { flow_id }, _) => {
            let startable = flows.iter().find(|flow| {
                &flow.id == flow_id && has_open_step(flow) && flow.status != FlowStatus::Archived
            });
            if let Some(flow) = startable {
                if let Some((running, step_index)) = current {
                    reaction.dismiss(&running.id, step_index, DismissReason::Replaced);
                }
                reaction.record(LifecycleEvent::FlowStarted {
                    flow_id: flow.id.clone(),
                    version: flow.version,
                });
            }
        }
        (Signal::Page { url }, Some((flow, index))) => {
            if let Advance::Url { pattern } = &flow.steps[index].advance
                && url_matches(pattern, url)
            {
                reaction.advance(flow, index);
            }
        }
        (Signal::Tracked { name }, Some((flow, index))) => {
            if matches!(&flow.steps[index].advance, Advance::Event { name: wanted } if wanted == name)
            {
                reaction.advance(flow, index);
            }
        }
        (Signal::TargetClicked, Some((flow, index))) => {
            if flow.steps[index].advance == Advance::Click {
                reaction.advance(flow, index);
            }
        }
        (Signal::Button { action }, Some((flow, index))) => match action {
            ButtonAction::Next | ButtonAction::Cta => reaction.advance(flow, index),
            ButtonAction::Back => reaction.back(flow, index),
            ButtonAction::Dismiss => reaction.dismiss(&flow.id, index, DismissReason::User),
        },
        (
            Signal::Answer {
                flow_id,
                step_id,
                answer,
            },
            Some((flow, index)),
        ) => {
            if &flow.id == flow_id {
                reaction.answer(flow, index, step_id, answer);
            }
        }
        (Signal::TargetMissing, Some((flow, index))) => {
            let step = &flow.steps[index];
            let action = step.when_target_missing;
            reaction.record(LifecycleEvent::StepTargetMissing {
                flow_id: flow.id.clone(),
                step_id: step.id.clone(),
                step_index: index,
                action,
            });
            match action {
                WhenTargetMissing::Skip if index + 1 == flow.steps.len() => {
                    reaction.record(LifecycleEvent::FlowCompleted {
                        flow_id: flow.id.clone(),
                    });
                }
                WhenTargetMissing::Skip => {}
                WhenTargetMissing::End => {
                    reaction.dismiss(&flow.id, index, DismissReason::TargetMissing)
                }
            }
        }
        (
            Signal::Page { .. }
            | Signal::Tracked { .. }
            | Signal::TargetClicked
            | Signal::Button { .. }
            | Signal::TargetMissing
            | Signal::Answer { .. }
            | Signal::Completed { .. },
            _,
        ) => {}
    }
}

/// Whether a flow has a step the user could see. Checklists (no steps) never run in the step
/// engine, and a flow whose every step is locked would start only to complete at once and use up
/// its `once`, so it waits until a step unlocks.
fn has_open_step(flow: &Flow) -> bool {
    flow.steps.iter().any(|step| !step.locked)
}

/// The highest-priority flow that may start and whose trigger fires on `signal` or on one of
/// `recorded`, the events the same reaction produced before (a `flow_completed` or
/// `step_completed` fires `completed` and `step_completed` triggers).
fn first_triggered<'a>(
    flows: &'a [Flow],
    progress: &UserProgress,
    signal: &Signal,
    recorded: &[LifecycleEvent],
) -> Option<&'a Flow> {
    let flow_completed = |wanted: &str| {
        matches!(signal, Signal::Completed { flow_id } if flow_id == wanted)
            || recorded.iter().any(|event| match event {
                LifecycleEvent::FlowCompleted { flow_id } => flow_id == wanted,
                LifecycleEvent::ChecklistCompleted { checklist_id } => checklist_id == wanted,
                _ => false,
            })
    };
    let step_completed = |wanted_flow: &str, wanted_step: &str| {
        recorded.iter().any(|event| {
            matches!(event, LifecycleEvent::StepCompleted { flow_id, step_id, .. }
                if flow_id == wanted_flow && step_id == wanted_step)
        })
    };
    flows
        .iter()
        .filter(|flow| is_live(flow) && has_open_step(flow) && progress.may_start(flow))
        .filter(|flow| match (&flow.trigger, signal) {
            (Trigger::Url { pattern }, Signal::Page { url }) => url_matches(pattern, url),
            (Trigger::Event { name }, Signal::Tracked { name: tracked }) => name == tracked,
            // The collector sends a `days_after` flow only once it is due.
            (Trigger::DaysAfter { .. }, Signal::Page { .. }) => true,
            (Trigger::Completed { flow }, _) => flow_completed(flow),
            (Trigger::StepCompleted { flow, step }, _) => step_completed(flow, step),
            _ => false,
        })
        // The highest priority; among equals the first defined (no sort: it would add a few KB
        // of generic code to the widget for what is a single pass).
        .reduce(|best, flow| {
            if flow.priority > best.priority {
                flow
            } else {
                best
            }
        })
}

/// What to show now: the running flow's current step, if any. A locked current step is never
/// shown: the decision is the first open step after it (the one `react` or [`pass_locked_steps`]
/// will move to), or nothing when only locked steps remain.
pub fn decide(flows: &[Flow], progress: &UserProgress, context: &Context) -> Option<Decision> {
    let (flow, current) = progress.current(flows)?;
    let index = (current..flow.steps.len()).find(|&index| !flow.steps[index].locked)?;
    let step = &flow.steps[index];
    let on_this_page = step
        .page
        .as_deref()
        .is_none_or(|pattern| url_matches(pattern, &context.url));
    Some(Decision {
        flow_id: flow.id.clone(),
        step_index: index,
        step_id: step.id.clone(),
        total_steps: flow.steps.len(),
        on_this_page,
    })
}

/// Applies every event in order; a convenience for replaying stored history.
pub fn replay<'a>(events: impl IntoIterator<Item = &'a LifecycleEvent>) -> UserProgress {
    let mut progress = UserProgress::default();
    for event in events {
        progress.apply(event);
    }
    progress
}
