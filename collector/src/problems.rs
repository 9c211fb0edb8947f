//! Tags and recurring problems: tags on feedback, text answers and notes; the tag dictionary whose
//! keywords suggest tags; and the problems view, which ranks tags by how many distinct accounts
//! raised them (recurrent from the app's threshold up, "specific" below) with an 8-week trend and a
//! drill-down to every tagged item.

use std::collections::{BTreeMap, BTreeSet};

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::{get, put};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::body::JsonBody;
use crate::error::Error;
use crate::keys::AdminApp;
use crate::plan::{day_of, day_start_ms, day_string, parse_day, week_start};
use crate::storage::{TagRule, TagRules, TaggedItem, now_ms};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/v1/admin/tags/{kind}/{id}", put(set_tags))
        .route("/v1/admin/tag-rules", get(show_rules).put(save_rules))
        .route("/v1/admin/problems", get(problems))
        .route("/v1/admin/problems/{tag}", get(problem))
}

pub const TAG_KINDS: [&str; 3] = ["feedback", "answer", "note"];
const MAX_TAGS: usize = 10;
const MAX_TAG_LENGTH: usize = 40;
const MAX_RULES: usize = 200;
const MAX_KEYWORDS: usize = 50;
const MAX_KEYWORD_LENGTH: usize = 60;
const TREND_WEEKS: i64 = 8;

/// Whether `tag` is lowercase `[a-z0-9-]{1,40}`.
pub fn valid_tag(tag: &str) -> bool {
    (1..=MAX_TAG_LENGTH).contains(&tag.len())
        && tag
            .bytes()
            .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-')
}

/// At most ten valid tags, duplicates dropped (first kept), or a 400 naming `{field}[i]`.
pub fn check_tags(tags: &[String], field: &str) -> Result<Vec<String>, Error> {
    let mut kept: Vec<String> = Vec::new();
    for (index, tag) in tags.iter().enumerate() {
        if !valid_tag(tag) {
            return Err(Error::invalid(
                "invalid_tag",
                format!("{field}[{index}]"),
                format!("a tag is 1 to {MAX_TAG_LENGTH} of a-z, 0-9 and -, not {tag:?}"),
            ));
        }
        if !kept.contains(tag) {
            kept.push(tag.clone());
        }
    }
    if kept.len() > MAX_TAGS {
        return Err(Error::invalid(
            "too_many_tags",
            field,
            format!("at most {MAX_TAGS} tags, not {}", kept.len()),
        ));
    }
    Ok(kept)
}

/// The rule tags any of whose keywords occurs in `text` (ignoring case) as a whole word or the
/// start of one ("cost" finds "costly", not "accost"), minus those already set, in rule order.
pub fn suggested_tags(rules: &[TagRule], text: &str, existing: &[String]) -> Vec<String> {
    let text = text.to_lowercase();
    let mut suggested: Vec<String> = Vec::new();
    for rule in rules {
        if existing.contains(&rule.tag) || suggested.contains(&rule.tag) {
            continue;
        }
        if rule
            .keywords
            .iter()
            .any(|keyword| starts_a_word(&text, &keyword.trim().to_lowercase()))
        {
            suggested.push(rule.tag.clone());
        }
    }
    suggested
}

/// Whether `keyword` occurs in `text` right at the start of a word.
fn starts_a_word(text: &str, keyword: &str) -> bool {
    if keyword.is_empty() {
        return false;
    }
    text.match_indices(keyword).any(|(at, _)| {
        text[..at]
            .chars()
            .next_back()
            .is_none_or(|before| !before.is_alphanumeric())
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TagsBody {
    tags: Vec<String>,
}

#[derive(Serialize)]
struct TagsView {
    kind: String,
    id: String,
    tags: Vec<String>,
}

async fn set_tags(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path((kind, id)): Path<(String, String)>,
    JsonBody(body): JsonBody<TagsBody>,
) -> Result<Json<TagsView>, Error> {
    if !TAG_KINDS.contains(&kind.as_str()) {
        return Err(Error::invalid(
            "invalid_kind",
            "kind",
            format!("tags go on {}, not {kind:?}", TAG_KINDS.join(", ")),
        ));
    }
    let tags = check_tags(&body.tags, "tags")?;
    if !state.store.taggable(&app.id, &kind, &id).await? {
        let what = match kind.as_str() {
            "feedback" => "feedback entry",
            "answer" => "text answer",
            _ => "note",
        };
        return Err(Error::Missing {
            field: "id".into(),
            message: format!("no {what} with id {id}"),
        });
    }
    state.store.set_tags(&app.id, &kind, &id, &tags).await?;
    Ok(Json(TagsView { kind, id, tags }))
}

async fn show_rules(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
) -> Result<Json<TagRules>, Error> {
    Ok(Json(state.store.tag_rules(&app.id).await?))
}

async fn save_rules(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    JsonBody(rules): JsonBody<TagRules>,
) -> Result<Json<TagRules>, Error> {
    let rules = check_rules(rules)?;
    state.store.save_tag_rules(&app.id, &rules).await?;
    Ok(Json(rules))
}

/// Validates the dictionary, naming the first field at fault; keywords come back trimmed and
/// lowercased, since matching ignores case anyway.
fn check_rules(rules: TagRules) -> Result<TagRules, Error> {
    if !(2..=100).contains(&rules.threshold) {
        return Err(Error::invalid(
            "invalid_threshold",
            "threshold",
            format!(
                "threshold (distinct accounts that make a problem recurrent) is 2 to 100, not {}",
                rules.threshold
            ),
        ));
    }
    if rules.rules.len() > MAX_RULES {
        return Err(Error::invalid(
            "too_many_rules",
            "rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    let mut seen = BTreeSet::new();
    let mut checked = Vec::with_capacity(rules.rules.len());
    for (index, rule) in rules.rules.into_iter().enumerate() {
        if !valid_tag(&rule.tag) {
            return Err(Error::invalid(
                "invalid_tag",
                format!("rules[{index}].tag"),
                format!(
                    "a tag is 1 to {MAX_TAG_LENGTH} of a-z, 0-9 and -, not {:?}",
                    rule.tag
                ),
            ));
        }
        if !seen.insert(rule.tag.clone()) {
            return Err(Error::invalid(
                "duplicate_tag",
                format!("rules[{index}].tag"),
                format!("tag {} has a rule already", rule.tag),
            ));
        }
        if rule.keywords.is_empty() || rule.keywords.len() > MAX_KEYWORDS {
            return Err(Error::invalid(
                "invalid_keywords",
                format!("rules[{index}].keywords"),
                format!("a rule has 1 to {MAX_KEYWORDS} keywords"),
            ));
        }
        let mut keywords = Vec::with_capacity(rule.keywords.len());
        for (position, keyword) in rule.keywords.iter().enumerate() {
            let keyword = keyword.trim().to_lowercase();
            if keyword.is_empty() || keyword.chars().count() > MAX_KEYWORD_LENGTH {
                return Err(Error::invalid(
                    "invalid_keyword",
                    format!("rules[{index}].keywords[{position}]"),
                    format!("a keyword is 1 to {MAX_KEYWORD_LENGTH} characters"),
                ));
            }
            if !keywords.contains(&keyword) {
                keywords.push(keyword);
            }
        }
        checked.push(TagRule {
            tag: rule.tag,
            keywords,
        });
    }
    Ok(TagRules {
        threshold: rules.threshold,
        rules: checked,
    })
}

#[derive(Deserialize)]
struct RangeQuery {
    from: Option<String>,
    to: Option<String>,
}

#[derive(Serialize)]
struct ProblemsView {
    threshold: u32,
    rows: Vec<ProblemRow>,
}

#[derive(Serialize, Debug, PartialEq)]
pub struct ProblemRow {
    tag: String,
    accounts: usize,
    responses: usize,
    recurrent: bool,
    trend: Vec<TrendPoint>,
}

#[derive(Serialize, Debug, PartialEq)]
struct TrendPoint {
    week: String,
    accounts: usize,
}

/// A day from the query, or a 400 naming the parameter.
fn query_day(name: &str, value: Option<&str>) -> Result<Option<i64>, Error> {
    match value.filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(text) => parse_day(text).map(Some).ok_or_else(|| {
            Error::invalid(
                "invalid_date",
                name,
                format!("{name} must be a date written YYYY-MM-DD, not {text:?}"),
            )
        }),
    }
}

async fn problems(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    query: Result<Query<RangeQuery>, QueryRejection>,
) -> Result<Json<ProblemsView>, Error> {
    let Query(query) = query
        .map_err(|rejection| Error::invalid("invalid_query", "from", rejection.body_text()))?;
    let from = query_day("from", query.from.as_deref())?;
    let to = query_day("to", query.to.as_deref())?;
    if let (Some(from), Some(to)) = (from, to)
        && from > to
    {
        return Err(Error::invalid(
            "invalid_range",
            "from",
            "from must not be after to",
        ));
    }
    let rules = state.store.tag_rules(&app.id).await?;
    let items = state.store.tagged_items(&app.id, None).await?;
    let last_week = week_start(to.unwrap_or_else(|| day_of(now_ms())));
    Ok(Json(ProblemsView {
        threshold: rules.threshold,
        rows: rank(&items, from, to, last_week, rules.threshold),
    }))
}

/// Ranks tags by distinct accounts, then responses, then name, counting the items created between
/// `from` and `to` (days, inclusive); the trend covers the 8 weeks up to the one starting on
/// `last_week`, whatever `from` says.
pub fn rank(
    items: &[TaggedItem],
    from: Option<i64>,
    to: Option<i64>,
    last_week: i64,
    threshold: u32,
) -> Vec<ProblemRow> {
    let starts = from.map(day_start_ms);
    let ends = to.map(|to| day_start_ms(to + 1));
    let first_week = last_week - (TREND_WEEKS - 1) * 7;
    #[derive(Default)]
    struct Tally<'a> {
        accounts: BTreeSet<&'a str>,
        responses: usize,
        weeks: BTreeMap<i64, BTreeSet<&'a str>>,
        in_range: bool,
    }
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for item in items {
        let tally = tallies.entry(item.tag.as_str()).or_default();
        let week = week_start(day_of(item.created_at));
        if let Some(account) = item.account_id.as_deref()
            && (first_week..=last_week).contains(&week)
        {
            tally.weeks.entry(week).or_default().insert(account);
        }
        let in_range = starts.is_none_or(|starts| item.created_at >= starts)
            && ends.is_none_or(|ends| item.created_at < ends);
        if in_range {
            tally.in_range = true;
            tally.responses += 1;
            if let Some(account) = item.account_id.as_deref() {
                tally.accounts.insert(account);
            }
        }
    }
    let mut rows: Vec<ProblemRow> = tallies
        .into_iter()
        .filter(|(_, tally)| tally.in_range)
        .map(|(tag, tally)| ProblemRow {
            tag: tag.to_string(),
            accounts: tally.accounts.len(),
            responses: tally.responses,
            recurrent: tally.accounts.len() >= threshold as usize,
            trend: (0..TREND_WEEKS)
                .map(|offset| {
                    let week = first_week + offset * 7;
                    TrendPoint {
                        week: day_string(week),
                        accounts: tally.weeks.get(&week).map_or(0, BTreeSet::len),
                    }
                })
                .collect(),
        })
        .collect();
    rows.sort_by(|a, b| {
        b.accounts
            .cmp(&a.accounts)
            .then(b.responses.cmp(&a.responses))
            .then(a.tag.cmp(&b.tag))
    });
    rows
}

#[derive(Serialize)]
struct ProblemView {
    tag: String,
    rows: Vec<ProblemItem>,
}

#[derive(Serialize)]
struct ProblemItem {
    source: String,
    id: String,
    account_id: Option<String>,
    user_id: Option<String>,
    text: Option<String>,
    created_at: i64,
}

async fn problem(
    State(state): State<AppState>,
    Extension(AdminApp(app)): Extension<AdminApp>,
    Path(tag): Path<String>,
) -> Result<Json<ProblemView>, Error> {
    if !valid_tag(&tag) {
        return Err(Error::invalid(
            "invalid_tag",
            "tag",
            format!("a tag is 1 to {MAX_TAG_LENGTH} of a-z, 0-9 and -, not {tag:?}"),
        ));
    }
    let rows = state
        .store
        .tagged_items(&app.id, Some(&tag))
        .await?
        .into_iter()
        .map(|item| ProblemItem {
            source: item.source,
            id: item.id,
            account_id: item.account_id,
            user_id: item.user_id,
            text: item.text,
            created_at: item.created_at,
        })
        .collect();
    Ok(Json(ProblemView { tag, rows }))
}

#[cfg(test)]
mod tests {
    use super::{TaggedItem, check_tags, rank, suggested_tags, valid_tag};
    use crate::plan::{day_start_ms, parse_day};
    use crate::storage::TagRule;

    fn rules() -> Vec<TagRule> {
        [
            ("pricing", &["price", "expensive", "cost"][..]),
            ("import", &["import", "csv"][..]),
            ("slow", &["too slow", "LAG"][..]),
        ]
        .into_iter()
        .map(|(tag, keywords)| TagRule {
            tag: tag.into(),
            keywords: keywords.iter().map(|keyword| keyword.to_string()).collect(),
        })
        .collect()
    }

    #[test]
    fn suggestions_match_whole_words_or_prefixes() {
        for (text, existing, expected) in [
            ("The price is high", &[][..], &["pricing"][..]),
            ("Prices went up", &[], &["pricing"]),
            ("It is EXPENSIVE!", &[], &["pricing"]),
            (
                "costly, and the CSV import failed",
                &[],
                &["pricing", "import"],
            ),
            ("He tried to accost me", &[], &[]),
            ("unpriced", &[], &[]),
            ("Importing (csv) is too slow", &[], &["import", "slow"]),
            ("some lagging pages", &[], &["slow"]),
            ("price again", &["pricing"], &[]),
            ("nothing relevant here", &[], &[]),
            ("", &[], &[]),
            ("Ünicode price ✓", &[], &["pricing"]),
            ("éprice", &[], &[]),
        ] {
            let existing: Vec<String> = existing.iter().map(|tag| tag.to_string()).collect();
            assert_eq!(
                suggested_tags(&rules(), text, &existing),
                expected,
                "{text:?}"
            );
        }
    }

    #[test]
    fn tags_are_checked() {
        for (tag, valid) in [
            ("pricing", true),
            ("csv-import-2", true),
            ("Pricing", false),
            ("", false),
            ("with space", false),
            ("under_score", false),
            (&"a".repeat(40), true),
            (&"a".repeat(41), false),
            ("ünï", false),
        ] {
            assert_eq!(valid_tag(tag), valid, "{tag:?}");
        }
        let many: Vec<String> = (0..11).map(|index| format!("t{index}")).collect();
        assert!(check_tags(&many, "tags").is_err());
        let repeated = vec!["a".to_string(), "b".into(), "a".into()];
        assert_eq!(check_tags(&repeated, "tags").unwrap(), ["a", "b"]);
    }

    fn item(tag: &str, account: Option<&str>, day: &str) -> TaggedItem {
        TaggedItem {
            tag: tag.into(),
            source: "feedback".into(),
            id: format!("{tag}-{account:?}-{day}"),
            account_id: account.map(str::to_string),
            user_id: None,
            text: None,
            created_at: day_start_ms(parse_day(day).unwrap()) + 3_600_000,
        }
    }

    #[test]
    fn problems_rank_by_accounts_then_responses() {
        let items = [
            item("pricing", Some("acme"), "2026-03-02"),
            item("pricing", Some("globex"), "2026-03-10"),
            item("pricing", Some("initech"), "2026-03-11"),
            item("import", Some("acme"), "2026-03-03"),
            item("import", Some("acme"), "2026-03-04"),
            item("import", Some("acme"), "2026-03-05"),
            item("import", Some("acme"), "2026-03-05"),
            item("slow", Some("acme"), "2026-03-05"),
            item("slow", None, "2026-03-05"),
            item("old", Some("acme"), "2025-01-01"),
        ];
        let last_week = parse_day("2026-03-09").unwrap();
        let rows = rank(&items, None, None, last_week, 3);
        let summary: Vec<(&str, usize, usize, bool)> = rows
            .iter()
            .map(|row| (row.tag.as_str(), row.accounts, row.responses, row.recurrent))
            .collect();
        assert_eq!(
            summary,
            [
                ("pricing", 3, 3, true),
                ("import", 1, 4, false),
                ("slow", 1, 2, false),
                ("old", 1, 1, false),
            ]
        );
        let pricing: Vec<(&str, usize)> = rows[0]
            .trend
            .iter()
            .map(|point| (point.week.as_str(), point.accounts))
            .collect();
        assert_eq!(
            pricing,
            [
                ("2026-01-19", 0),
                ("2026-01-26", 0),
                ("2026-02-02", 0),
                ("2026-02-09", 0),
                ("2026-02-16", 0),
                ("2026-02-23", 0),
                ("2026-03-02", 1),
                ("2026-03-09", 2),
            ]
        );
        // A range keeps only the tags raised inside it; the threshold decides recurrence.
        let march = rank(
            &items,
            parse_day("2026-03-04"),
            parse_day("2026-03-10"),
            last_week,
            2,
        );
        let summary: Vec<(&str, usize, usize, bool)> = march
            .iter()
            .map(|row| (row.tag.as_str(), row.accounts, row.responses, row.recurrent))
            .collect();
        assert_eq!(
            summary,
            [
                ("import", 1, 3, false),
                ("slow", 1, 2, false),
                ("pricing", 1, 1, false),
            ]
        );
    }
}
