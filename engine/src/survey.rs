//! Surveys: a flow that carries `survey` settings asks questions on its steps (NPS, CES, CSAT,
//! single or multiple choice, free text). This module holds the question format and the pure rules
//! both sides must agree on: what a valid answer is, where an answer branches to, who is sampled
//! and when a survey may be asked again. See `docs/feedback.md`, section 1.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::flow::{Flow, Step};

fn default_sample_percent() -> u32 {
    100
}

/// The survey settings of a flow; their presence is what makes a flow a survey.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct SurveySettings {
    /// Share of users (1–100) who are ever asked, picked deterministically by [`sampled`].
    #[serde(default = "default_sample_percent")]
    pub sample_percent: u32,
    /// Ask again this many days (≥ 1) after the last time; never again when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reask_days: Option<u32>,
}

impl Default for SurveySettings {
    fn default() -> Self {
        Self {
            sample_percent: default_sample_percent(),
            reask_days: None,
        }
    }
}

/// What a step asks.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    pub kind: QuestionKind,
    /// CES only: fills "How easy was it to {task}?".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    /// Single and multiple choice: at least two, ids unique.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<Choice>,
    /// Text only: the longest answer in characters (default 1000, at most 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Scale kinds: the words under the lowest value (a standard one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub low_label: Option<String>,
    /// Scale kinds: the words under the highest value (a standard one when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub high_label: Option<String>,
    /// Tried in order after an answer; the first that matches picks the next step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// The step after this one when no branch matches (a later step id); else the following step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The kinds of question, with the answer each takes.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Net Promoter Score: an integer 0–10.
    Nps,
    /// Customer Effort Score: an integer 1–7.
    Ces,
    /// Customer satisfaction: an integer 1–5.
    Csat,
    /// One option id.
    Single,
    /// A non-empty list of distinct option ids.
    Multiple,
    /// Free text.
    Text,
}

impl QuestionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            QuestionKind::Nps => "nps",
            QuestionKind::Ces => "ces",
            QuestionKind::Csat => "csat",
            QuestionKind::Single => "single",
            QuestionKind::Multiple => "multiple",
            QuestionKind::Text => "text",
        }
    }

    /// The inclusive range of a scale kind; `None` for choice and text questions.
    pub fn scale(self) -> Option<(i64, i64)> {
        match self {
            QuestionKind::Nps => Some((0, 10)),
            QuestionKind::Ces => Some((1, 7)),
            QuestionKind::Csat => Some((1, 5)),
            QuestionKind::Single | QuestionKind::Multiple | QuestionKind::Text => None,
        }
    }

    /// Whether the answer is one or more of the question's options.
    pub fn has_options(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }
}

/// One option of a choice question.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// Stable id, what the answer holds (labels may be reworded or translated).
    pub id: String,
    pub label: String,
}

/// "When the answer is like this, go to that step."
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Branch {
    pub when: BranchWhen,
    /// The id of a later step.
    pub goto: String,
}

/// The condition of a branch: a score range (scale kinds) or an option (choice kinds).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct BranchWhen {
    /// Inclusive lower bound of the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    /// Inclusive upper bound of the score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
    /// An option id: the single answer is it, or the multiple answer includes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
}

/// A checked answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// NPS, CES and CSAT.
    Score(i64),
    /// A single-choice option id.
    Choice(String),
    /// Multiple-choice option ids, in the order given.
    Choices(Vec<String>),
    /// A text answer, as typed.
    Text(String),
}

impl Answer {
    /// The answer as it travels in `survey_answered`: a number, a string or an array of strings.
    pub fn to_value(&self) -> Value {
        match self {
            Answer::Score(score) => Value::from(*score),
            Answer::Choice(text) | Answer::Text(text) => Value::String(text.clone()),
            Answer::Choices(ids) => Value::Array(ids.iter().cloned().map(Value::String).collect()),
        }
    }
}

/// Why an answer was refused; `field` is always `"answer"`, as the collector reports it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AnswerError {
    pub field: String,
    pub message: String,
}

impl AnswerError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            field: "answer".to_string(),
            message: message.into(),
        }
    }
}

/// The longest text answer when `max_length` is absent.
pub const DEFAULT_TEXT_LENGTH: u32 = 1_000;
/// The largest `max_length` an author may set.
pub const MAX_TEXT_LENGTH: u32 = 5_000;

/// The longest text answer a question accepts, in characters.
pub fn text_limit(question: &Question) -> usize {
    question
        .max_length
        .unwrap_or(DEFAULT_TEXT_LENGTH)
        .min(MAX_TEXT_LENGTH) as usize
}

/// The sentence naming what a scale question accepts, used in every refusal.
fn scale_rule(kind: QuestionKind, low: i64, high: i64) -> String {
    let name = match kind {
        QuestionKind::Nps => "an NPS score",
        QuestionKind::Ces => "a CES score",
        _ => "a CSAT score",
    };
    format!("{name} is an integer from {low} to {high}")
}

/// Checks an answer against its question: the kind's range, known options, no duplicates,
/// a text of 1 to `max_length` characters. The widget and the collector both call it, so an
/// answer the widget sends is one the collector stores.
pub fn check_answer(question: &Question, answer: &Value) -> Result<Answer, AnswerError> {
    let known = |id: &str| question.options.iter().any(|option| option.id == id);
    if let Some((low, high)) = question.kind.scale() {
        return answer
            .as_i64()
            .filter(|score| (low..=high).contains(score))
            .map(Answer::Score)
            .ok_or_else(|| AnswerError::new(scale_rule(question.kind, low, high)));
    }
    match question.kind {
        QuestionKind::Single => match answer.as_str() {
            Some(id) if known(id) => Ok(Answer::Choice(id.to_string())),
            Some(id) => Err(AnswerError::new(format!("\"{id}\" is not an option"))),
            None => Err(AnswerError::new("a single-choice answer is one option id")),
        },
        QuestionKind::Multiple => {
            let shape =
                || AnswerError::new("a multiple-choice answer is a non-empty list of option ids");
            let items = answer
                .as_array()
                .filter(|items| !items.is_empty())
                .ok_or_else(shape)?;
            let mut ids: Vec<String> = Vec::with_capacity(items.len());
            for item in items {
                let id = item.as_str().ok_or_else(shape)?;
                if !known(id) {
                    return Err(AnswerError::new(format!("\"{id}\" is not an option")));
                }
                if ids.iter().any(|earlier| earlier == id) {
                    return Err(AnswerError::new(format!("\"{id}\" is chosen twice")));
                }
                ids.push(id.to_string());
            }
            Ok(Answer::Choices(ids))
        }
        _ => {
            let limit = text_limit(question);
            let text = answer
                .as_str()
                .ok_or_else(|| AnswerError::new("a text answer is a string"))?;
            if text.trim().is_empty() {
                Err(AnswerError::new(
                    "a text answer needs at least one character",
                ))
            } else if text.chars().count() > limit {
                Err(AnswerError::new(format!(
                    "a text answer is at most {limit} characters"
                )))
            } else {
                Ok(Answer::Text(text.to_string()))
            }
        }
    }
}

/// Whether a branch condition holds for an answer. A condition with nothing in it (refused at
/// save time) never holds, so a broken flow falls back to `next` rather than jumping blindly.
pub fn branch_matches(when: &BranchWhen, answer: &Answer) -> bool {
    match answer {
        Answer::Score(score) => {
            (when.min.is_some() || when.max.is_some())
                && when.choice.is_none()
                && when.min.is_none_or(|min| *score >= min)
                && when.max.is_none_or(|max| *score <= max)
        }
        Answer::Choice(id) => when.choice.as_ref() == Some(id),
        Answer::Choices(ids) => when
            .choice
            .as_ref()
            .is_some_and(|wanted| ids.contains(wanted)),
        Answer::Text(_) => false,
    }
}

/// The index of the step after answering step `step_index`: the first matching branch's `goto`,
/// else `next`, else the following step; `None` when the flow completes. Only later steps are
/// ever returned (a target that is missing or not later is ignored), so a survey always ends.
pub fn next_step(flow: &Flow, step_index: usize, answer: &Answer) -> Option<usize> {
    let later = |id: &str| flow.step_index(id).filter(|index| *index > step_index);
    let question = flow.steps.get(step_index)?.question.as_ref();
    let chosen = question.and_then(|question| {
        question
            .branches
            .iter()
            .filter(|branch| branch_matches(&branch.when, answer))
            .find_map(|branch| later(&branch.goto))
            .or_else(|| question.next.as_deref().and_then(later))
    });
    chosen.or_else(|| (step_index + 1 < flow.steps.len()).then_some(step_index + 1))
}

/// One language's standard wordings, in order: the NPS title, its low and high ends; the CES
/// title with `{task}`, the CES title without a task, its low and high ends; the CSAT title, its
/// low and high ends.
type Wording = [&'static str; 10];

const ENGLISH_WORDING: Wording = [
    "How likely are you to recommend us to a friend or colleague?",
    "Not at all likely",
    "Extremely likely",
    "How easy was it to {task}?",
    "How easy was it?",
    "Very difficult",
    "Very easy",
    "How satisfied are you?",
    "Very unsatisfied",
    "Very satisfied",
];

/// The standard wordings of every built-in language (`i18n::BUILT_IN_LANGUAGES`).
const WORDINGS: [(&str, Wording); 7] = [
    ("en", ENGLISH_WORDING),
    (
        "fr",
        [
            "Quelle est la probabilité que vous nous recommandiez à un ami ou à un collègue ?",
            "Pas du tout probable",
            "Très probable",
            "Dans quelle mesure a-t-il été facile de {task} ?",
            "Était-ce facile ?",
            "Très difficile",
            "Très facile",
            "Dans quelle mesure êtes-vous satisfait ?",
            "Pas du tout satisfait",
            "Très satisfait",
        ],
    ),
    (
        "de",
        [
            "Wie wahrscheinlich ist es, dass Sie uns einem Freund oder Kollegen empfehlen?",
            "Sehr unwahrscheinlich",
            "Sehr wahrscheinlich",
            "Wie einfach war es, {task}?",
            "Wie einfach war es?",
            "Sehr schwierig",
            "Sehr einfach",
            "Wie zufrieden sind Sie?",
            "Sehr unzufrieden",
            "Sehr zufrieden",
        ],
    ),
    (
        "es",
        [
            "¿Qué probabilidad hay de que nos recomiende a un amigo o colega?",
            "Nada probable",
            "Muy probable",
            "¿Qué tan fácil fue {task}?",
            "¿Qué tan fácil fue?",
            "Muy difícil",
            "Muy fácil",
            "¿Qué tan satisfecho está?",
            "Muy insatisfecho",
            "Muy satisfecho",
        ],
    ),
    (
        "pt",
        [
            "Qual é a probabilidade de nos recomendar a um amigo ou colega?",
            "Nada provável",
            "Extremamente provável",
            "Quão fácil foi {task}?",
            "Quão fácil foi?",
            "Muito difícil",
            "Muito fácil",
            "Quão satisfeito está?",
            "Muito insatisfeito",
            "Muito satisfeito",
        ],
    ),
    (
        "ar",
        [
            "ما مدى احتمال أن توصي بنا لصديق أو زميل؟",
            "غير محتمل إطلاقًا",
            "محتمل جدًا",
            "ما مدى سهولة {task}؟",
            "ما مدى السهولة؟",
            "صعب جدًا",
            "سهل جدًا",
            "ما مدى رضاك؟",
            "غير راضٍ إطلاقًا",
            "راضٍ جدًا",
        ],
    ),
    (
        "he",
        [
            "מה הסיכוי שתמליצו עלינו לחבר או לעמית?",
            "בכלל לא סביר",
            "סביר מאוד",
            "עד כמה היה קל {task}?",
            "עד כמה זה היה קל?",
            "קשה מאוד",
            "קל מאוד",
            "עד כמה אתם מרוצים?",
            "לא מרוצים בכלל",
            "מרוצים מאוד",
        ],
    ),
];

/// The standard wording of a scale question in English: `(title, low label, high label)`;
/// `None` for choice and text questions, which always have an authored title.
pub fn standard_wording(question: &Question) -> Option<(String, &'static str, &'static str)> {
    worded(question, &ENGLISH_WORDING)
}

/// [`standard_wording`] in a built-in `language` (`fr`); English for any other.
pub fn standard_wording_in(
    question: &Question,
    language: &str,
) -> Option<(String, &'static str, &'static str)> {
    worded(question, wording_of(language))
}

fn wording_of(language: &str) -> &'static Wording {
    WORDINGS
        .iter()
        .find(|(code, _)| *code == language)
        .map_or(&ENGLISH_WORDING, |(_, wording)| wording)
}

fn worded(question: &Question, wording: &Wording) -> Option<(String, &'static str, &'static str)> {
    match question.kind {
        QuestionKind::Nps => Some((wording[0].to_string(), wording[1], wording[2])),
        QuestionKind::Ces => {
            let title = match question.task.as_deref().map(str::trim) {
                Some(task) if !task.is_empty() => wording[3].replace("{task}", task),
                _ => wording[4].to_string(),
            };
            Some((title, wording[5], wording[6]))
        }
        QuestionKind::Csat => Some((wording[7].to_string(), wording[8], wording[9])),
        QuestionKind::Single | QuestionKind::Multiple | QuestionKind::Text => None,
    }
}

/// The title a blank scale question shows ("How likely are you to recommend us…").
pub fn standard_title(question: &Question) -> Option<String> {
    standard_wording(question).map(|(title, _, _)| title)
}

/// Fills a blank title and absent end labels of every scale question with the English standard
/// wording: the widget's admin preview, which gets flows without boot (and keeps the other
/// languages' tables out of the wasm).
pub fn fill_standard_wording(flow: &mut Flow) {
    for step in &mut flow.steps {
        fill_step(step, &ENGLISH_WORDING);
    }
}

/// [`fill_standard_wording`] in a built-in `language`; `i18n::localize` calls it, so the
/// collector serves every flow filled in the user's language.
pub fn fill_standard_wording_in(flow: &mut Flow, language: &str) {
    let wording = wording_of(language);
    for step in &mut flow.steps {
        fill_step(step, wording);
    }
}

fn fill_step(step: &mut Step, wording: &Wording) {
    let Some(question) = &mut step.question else {
        return;
    };
    let Some((title, low, high)) = worded(question, wording) else {
        return;
    };
    if step.title.trim().is_empty() {
        step.title = title;
    }
    question.low_label.get_or_insert_with(|| low.to_string());
    question.high_label.get_or_insert_with(|| high.to_string());
}

/// Whether the survey steps of a flow include any question.
pub fn has_question(flow: &Flow) -> bool {
    flow.steps.iter().any(|step| step.question.is_some())
}

/// FNV-1a, 32 bits: tiny, stable across platforms and languages, and spreads similar ids well.
fn fnv1a_32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in bytes {
        hash ^= u32::from(*byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash
}

/// Whether a user is in a survey's sample: FNV-1a 32-bit of `"{user_id}:{flow_id}"`, modulo 100,
/// below `percent`. Deterministic, so the collector, the tests and a re-boot all agree, and
/// keyed by flow so the same users are not sampled for every survey.
pub fn sampled(user_id: &str, flow_id: &str, percent: u32) -> bool {
    let key = format!("{user_id}:{flow_id}");
    fnv1a_32(key.as_bytes()) % 100 < percent
}

pub use crate::calendar::DAY_MS;

/// Whether a survey may be asked (again): never asked, or asked at least `reask_days` days before
/// `now` (milliseconds). Without `reask_days` a survey asked once is never asked again.
pub fn reask_due(reask_days: Option<u32>, last_asked_at: Option<i64>, now: i64) -> bool {
    let Some(last) = last_asked_at else {
        return true;
    };
    let Some(days) = reask_days else {
        return false;
    };
    now.saturating_sub(last) >= i64::from(days).saturating_mul(DAY_MS)
}
