//! Survey statistics: NPS with its 95 % interval, means with a 95 % interval (CES, CSAT) and the
//! CSAT "% satisfied". IO-free so the admin API and the tests compute exactly the same numbers
//! from the same answers (formulas in `docs/feedback.md`, section 1).

use serde::{Deserialize, Serialize};

/// The z value of a two-sided 95 % interval.
pub const Z_95: f64 = 1.96;

/// An NPS summary. `score` and the interval are in points, −100 to 100 (the interval is the
/// formula's, not clamped, so a small sample shows how little it says).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct NpsSummary {
    pub n: usize,
    /// Scores 9–10.
    pub promoters: usize,
    /// Scores 7–8.
    pub passives: usize,
    /// Scores 0–6.
    pub detractors: usize,
    /// % promoters − % detractors.
    pub score: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// NPS of a set of 0–10 scores: `100·(p − d)` with the interval `±1.96·sqrt((p + d − (p − d)²)/n)·100`,
/// where `p` and `d` are the promoter and detractor shares. Scores outside 0–10 are left out (the
/// collector never stores them); `None` without any score.
pub fn nps(scores: &[i64]) -> Option<NpsSummary> {
    let valid = scores.iter().filter(|score| (0..=10).contains(*score));
    let (mut promoters, mut passives, mut detractors) = (0, 0, 0);
    for score in valid {
        match score {
            9..=10 => promoters += 1,
            7..=8 => passives += 1,
            _ => detractors += 1,
        }
    }
    let n = promoters + passives + detractors;
    if n == 0 {
        return None;
    }
    let count = n as f64;
    let promoter_share = promoters as f64 / count;
    let detractor_share = detractors as f64 / count;
    let difference = promoter_share - detractor_share;
    let score = difference * 100.0;
    // The variance of a per-answer +1/0/−1 variable, divided by n: the squared standard error.
    let variance = (promoter_share + detractor_share - difference * difference).max(0.0);
    let half_width = Z_95 * (variance / count).sqrt() * 100.0;
    Some(NpsSummary {
        n,
        promoters,
        passives,
        detractors,
        score,
        ci_low: score - half_width,
        ci_high: score + half_width,
    })
}

/// A mean with its 95 % interval (absent below two values, where no spread can be measured).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct MeanSummary {
    pub n: usize,
    pub mean: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ci_high: Option<f64>,
}

/// The mean of a set of scores (CES, CSAT) with `±1.96·s/sqrt(n)`, `s` the sample standard
/// deviation (n − 1 in the denominator); `None` without any value.
pub fn mean(values: &[i64]) -> Option<MeanSummary> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let count = n as f64;
    let mean = values.iter().map(|value| *value as f64).sum::<f64>() / count;
    let (ci_low, ci_high) = if n < 2 {
        (None, None)
    } else {
        let squares: f64 = values
            .iter()
            .map(|value| (*value as f64 - mean).powi(2))
            .sum();
        let deviation = (squares / (count - 1.0)).sqrt();
        let half_width = Z_95 * deviation / count.sqrt();
        (Some(mean - half_width), Some(mean + half_width))
    };
    Some(MeanSummary {
        n,
        mean,
        ci_low,
        ci_high,
    })
}

/// The share of CSAT answers that are 4 or 5, in percent; `None` without any answer.
pub fn satisfied_percent(csat: &[i64]) -> Option<f64> {
    if csat.is_empty() {
        return None;
    }
    let satisfied = csat.iter().filter(|score| **score >= 4).count();
    Some(satisfied as f64 * 100.0 / csat.len() as f64)
}
