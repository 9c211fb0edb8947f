//! The query parameters of the survey and feedback reports (`from`, `to`, `segment`, `account`,
//! `band`, `interval`, `limit`, `offset`, …), each parsed on its own so a bad one is refused with
//! a 400 naming it, and the calendar maths of their dates and periods (UTC).

use std::collections::HashSet;

use axum::extract::Query;
use axum::extract::rejection::QueryRejection;
use engine::audience::timestamp_ms;
use engine::calendar::{DAY_MS, civil_from_days, day_string};
use engine::survey::QuestionKind;
use serde::Deserialize;

use crate::AppState;
use crate::audience::matching_users;
use crate::error::Error;
use crate::storage::Window;

/// Every report parameter, as text: each endpoint reads the ones it documents.
#[derive(Deserialize, Default, Debug)]
pub struct ReportQuery {
    pub survey: Option<String>,
    pub segment: Option<String>,
    pub account: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub band: Option<String>,
    pub interval: Option<String>,
    pub limit: Option<String>,
    pub offset: Option<String>,
    pub category: Option<String>,
    pub tag: Option<String>,
}

impl ReportQuery {
    /// The query, or a 400 when it is not even a query string.
    pub fn from_request(query: Result<Query<Self>, QueryRejection>) -> Result<Self, Error> {
        query
            .map(|Query(query)| query)
            .map_err(|rejection| Error::invalid("invalid_query", "query", rejection.body_text()))
    }

    /// `from` (inclusive) and `to` (inclusive, the whole day) as a window on the sender's clock.
    pub fn window(&self) -> Result<Window, Error> {
        let from = self
            .from
            .as_deref()
            .map(|text| date("from", text))
            .transpose()?;
        let to = self
            .to
            .as_deref()
            .map(|text| date("to", text))
            .transpose()?;
        if let (Some(from), Some(to)) = (from, to)
            && to < from
        {
            return Err(Error::invalid(
                "invalid_range",
                "from",
                "from must not be after to",
            ));
        }
        Ok(Window {
            from: from.unwrap_or(i64::MIN),
            to: to.map_or(i64::MAX, |to| to + DAY_MS),
        })
    }

    /// Who the report is about: the users of `segment` and the account `account`.
    pub async fn audience(&self, state: &AppState, app_id: &str) -> Result<Audience, Error> {
        let users = match text(self.segment.as_deref()) {
            None => None,
            Some(id) => {
                let segment = state.store.segment(app_id, id).await?.ok_or_else(|| {
                    Error::invalid(
                        "unknown_segment",
                        "segment",
                        format!("no saved segment has the id \"{id}\""),
                    )
                })?;
                let (users, _) =
                    matching_users(state.store.as_ref(), app_id, &segment.rule).await?;
                Some(users)
            }
        };
        Ok(Audience {
            users,
            account: text(self.account.as_deref()).map(str::to_string),
        })
    }

    pub fn interval(&self) -> Result<Interval, Error> {
        match text(self.interval.as_deref()) {
            None | Some("month") => Ok(Interval::Month),
            Some("week") => Ok(Interval::Week),
            Some(_) => Err(Error::invalid(
                "invalid_query",
                "interval",
                "interval is \"week\" or \"month\"",
            )),
        }
    }

    pub fn band(&self) -> Result<Option<Band>, Error> {
        let band = match text(self.band.as_deref()) {
            None => return Ok(None),
            Some("promoter") => Band::Promoter,
            Some("passive") => Band::Passive,
            Some("detractor") => Band::Detractor,
            Some("low") => Band::Low,
            Some("high") => Band::High,
            Some(_) => {
                return Err(Error::invalid(
                    "invalid_query",
                    "band",
                    "band is one of promoter, passive, detractor, low, high",
                ));
            }
        };
        Ok(Some(band))
    }

    pub fn page(&self) -> Result<Page, Error> {
        let limit = number("limit", self.limit.as_deref(), DEFAULT_LIMIT)?;
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid(
                "invalid_query",
                "limit",
                format!("limit is from 1 to {MAX_LIMIT}"),
            ));
        }
        let offset = number("offset", self.offset.as_deref(), 0)?;
        Ok(Page { limit, offset })
    }
}

const DEFAULT_LIMIT: usize = 50;
const MAX_LIMIT: usize = 1000;

/// A parameter's value, `None` when absent or blank (an emptied form field means "any").
pub fn text(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|value| !value.is_empty())
}

fn number(name: &'static str, value: Option<&str>, default: usize) -> Result<usize, Error> {
    text(value).map_or(Ok(default), |value| {
        value
            .parse()
            .map_err(|_| Error::invalid("invalid_query", name, format!("{name} is a whole number")))
    })
}

/// Midnight UTC of a `YYYY-MM-DD` date, in ms.
fn date(name: &'static str, text: &str) -> Result<i64, Error> {
    let text = text.trim();
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(index, byte)| match index {
            4 | 7 => byte == b'-',
            _ => byte.is_ascii_digit(),
        });
    timestamp_ms(&serde_json::Value::from(text))
        .filter(|_| shaped)
        // `2026-02-31` parses as March 3rd; a real date reads back the same.
        .filter(|&ms| day_label(ms) == text)
        .ok_or_else(|| {
            Error::invalid(
                "invalid_date",
                name,
                format!("{name} is a date written YYYY-MM-DD"),
            )
        })
}

/// Whose answers and feedback a report counts.
#[derive(Debug, Default)]
pub struct Audience {
    /// The segment's users; everyone when `None`.
    users: Option<HashSet<String>>,
    account: Option<String>,
}

impl Audience {
    pub fn admits(&self, user_id: &str, account_id: Option<&str>) -> bool {
        self.users
            .as_ref()
            .is_none_or(|users| users.contains(user_id))
            && self
                .account
                .as_deref()
                .is_none_or(|account| account_id == Some(account))
    }
}

/// The NPS groups and the low/high ends of CES and CSAT.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Band {
    Promoter,
    Passive,
    Detractor,
    Low,
    High,
}

impl Band {
    /// Whether a score of that kind is in the band (never for choice and text answers).
    pub fn holds(self, kind: QuestionKind, score: i64) -> bool {
        match (self, kind) {
            (Band::Promoter, QuestionKind::Nps) => score >= 9,
            (Band::Passive, QuestionKind::Nps) => (7..=8).contains(&score),
            (Band::Detractor, QuestionKind::Nps) => score <= 6,
            (Band::Low, QuestionKind::Ces) => score <= 3,
            (Band::Low, QuestionKind::Csat) => score <= 2,
            (Band::High, QuestionKind::Ces) => score >= 5,
            (Band::High, QuestionKind::Csat) => score >= 4,
            _ => false,
        }
    }
}

/// A page of a list: `offset` rows skipped, at most `limit` kept.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub limit: usize,
    pub offset: usize,
}

impl Page {
    pub fn of<T>(self, rows: impl IntoIterator<Item = T>) -> Vec<T> {
        rows.into_iter()
            .skip(self.offset)
            .take(self.limit)
            .collect()
    }
}

/// The periods of `over_time` series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Interval {
    /// ISO weeks, starting on Monday.
    Week,
    Month,
}

impl Interval {
    /// The first day of the period holding `ms`, as `YYYY-MM-DD` (which sorts as dates do).
    pub fn period(self, ms: i64) -> String {
        let days = ms.div_euclid(DAY_MS);
        let start = match self {
            // 1970-01-01 was a Thursday: Monday is 3 days before it.
            Interval::Week => days - (days + 3).rem_euclid(7),
            Interval::Month => {
                let (year, month, _) = civil_from_days(days);
                return format!("{year:04}-{month:02}-01");
            }
        };
        day_label(start * DAY_MS)
    }
}

/// The UTC day of `ms`, as `YYYY-MM-DD`.
pub fn day_label(ms: i64) -> String {
    day_string(ms.div_euclid(DAY_MS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_periods() {
        // 2024-02-29 (a Thursday) 13:00 UTC.
        let leap_day = 1_709_211_600_000;
        for (case, actual, expected) in [
            ("day", day_label(leap_day), "2024-02-29"),
            ("week", Interval::Week.period(leap_day), "2024-02-26"),
            ("month", Interval::Month.period(leap_day), "2024-02-01"),
            ("epoch", day_label(0), "1970-01-01"),
            ("before epoch", day_label(-1), "1969-12-31"),
            ("epoch week", Interval::Week.period(0), "1969-12-29"),
        ] {
            assert_eq!(actual, expected, "{case}");
        }
        assert_eq!(date("from", "2024-02-29").unwrap(), 1_709_164_800_000);
        for bad in [
            "2024-02-30",
            "2024-2-01",
            "yesterday",
            "2024-02-29T00:00:00Z",
            "",
        ] {
            assert!(date("from", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn bands() {
        for (band, kind, score, expected) in [
            (Band::Promoter, QuestionKind::Nps, 9, true),
            (Band::Promoter, QuestionKind::Nps, 8, false),
            (Band::Passive, QuestionKind::Nps, 7, true),
            (Band::Detractor, QuestionKind::Nps, 6, true),
            (Band::Detractor, QuestionKind::Nps, 7, false),
            (Band::Low, QuestionKind::Ces, 3, true),
            (Band::Low, QuestionKind::Ces, 4, false),
            (Band::Low, QuestionKind::Csat, 2, true),
            (Band::Low, QuestionKind::Csat, 3, false),
            (Band::High, QuestionKind::Ces, 5, true),
            (Band::High, QuestionKind::Csat, 4, true),
            (Band::High, QuestionKind::Csat, 3, false),
            (Band::Low, QuestionKind::Nps, 0, false),
            (Band::Promoter, QuestionKind::Ces, 7, false),
        ] {
            assert_eq!(
                band.holds(kind, score),
                expected,
                "{band:?} {kind:?} {score}"
            );
        }
    }
}
