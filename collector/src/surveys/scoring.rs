//! The score parts of the survey reports, as the admin API shapes them: `engine::scores` does the
//! maths (NPS, means, intervals, % satisfied); this module only picks what each kind shows and
//! groups answers into `over_time` periods.

use std::collections::BTreeMap;

use engine::scores;
use engine::survey::QuestionKind;
use serde::Serialize;

use super::filters::Interval;

/// `nps` of a results question: `null` when nobody answered yet.
pub type NpsSummary = Option<scores::NpsSummary>;

pub fn nps(values: &[i64]) -> NpsSummary {
    scores::nps(values)
}

/// The mean fields of a CES or CSAT question (all `null` when nobody answered yet).
#[derive(Serialize, Debug, PartialEq)]
pub struct MeanSummary {
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// CSAT only: the share of 4 and 5 answers, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfied_percent: Option<Option<f64>>,
}

pub fn mean(kind: QuestionKind, values: &[i64]) -> MeanSummary {
    let summary = scores::mean(values);
    MeanSummary {
        mean: summary.as_ref().map(|summary| summary.mean),
        ci_low: summary.as_ref().and_then(|summary| summary.ci_low),
        ci_high: summary.as_ref().and_then(|summary| summary.ci_high),
        satisfied_percent: (kind == QuestionKind::Csat).then(|| scores::satisfied_percent(values)),
    }
}

/// One period of an `over_time` series: `score` for NPS, `mean` for CES and CSAT.
#[derive(Serialize, Debug, PartialEq)]
pub struct Point {
    pub period: String,
    pub n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
}

/// The scale answers `(answered_at, score)` of one kind grouped by period, oldest first; empty
/// for choice and text questions.
pub fn over_time(kind: QuestionKind, scores: &[(i64, i64)], interval: Interval) -> Vec<Point> {
    if kind.scale().is_none() {
        return Vec::new();
    }
    let mut periods: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (answered_at, score) in scores {
        periods
            .entry(interval.period(*answered_at))
            .or_default()
            .push(*score);
    }
    periods
        .into_iter()
        .map(|(period, values)| {
            let n = values.len();
            if kind == QuestionKind::Nps {
                let summary = scores::nps(&values);
                Point {
                    period,
                    n,
                    score: summary.as_ref().map(|summary| summary.score),
                    mean: None,
                    ci_low: summary.as_ref().map(|summary| summary.ci_low),
                    ci_high: summary.as_ref().map(|summary| summary.ci_high),
                }
            } else {
                let summary = mean(kind, &values);
                Point {
                    period,
                    n,
                    score: None,
                    mean: summary.mean,
                    ci_low: summary.ci_low,
                    ci_high: summary.ci_high,
                }
            }
        })
        .collect()
}
