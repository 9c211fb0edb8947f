//! Start-up seeding: imports and publishes the welcome tour (and, with `--seed-patterns`, one
//! example flow per content pattern and survey, plus the demo app settings) through the collector's
//! admin API when the collector does not have them yet, retrying while the collector is still
//! starting. The demo accounts that answer the surveys are in `seed_accounts`.

use std::future::Future;
use std::time::{Duration, Instant};

use reqwest::StatusCode;

/// The demo's welcome tour, in the open flow format.
pub const WELCOME_TOUR: &str = include_str!("../flows/welcome-tour.json");
/// Its flow id.
pub const WELCOME_TOUR_ID: &str = "welcome-tour";

/// One example flow per pattern, `(id, file)`, in seeding order: every flow they refer to
/// (`completed`, `launch_flow`, a survey's `completed` trigger) is seeded before them, the welcome
/// tour first of all. The surveys (NPS with branches, CES after the tour and after the checklist,
/// CSAT) come last.
pub const PATTERN_FLOWS: [(&str, &str); 9] = [
    (
        "get-started",
        include_str!("../flows/patterns/get-started.json"),
    ),
    (
        "timeline-hotspot",
        include_str!("../flows/patterns/timeline-hotspot.json"),
    ),
    (
        "webinar-banner",
        include_str!("../flows/patterns/webinar-banner.json"),
    ),
    (
        "whats-new",
        include_str!("../flows/patterns/whats-new.json"),
    ),
    (
        "automations-announcement",
        include_str!("../flows/patterns/automations-announcement.json"),
    ),
    (
        "nps-survey",
        include_str!("../flows/patterns/nps-survey.json"),
    ),
    (
        "ces-after-task",
        include_str!("../flows/patterns/ces-after-task.json"),
    ),
    (
        "ces-after-checklist",
        include_str!("../flows/patterns/ces-after-checklist.json"),
    ),
    (
        "csat-survey",
        include_str!("../flows/patterns/csat-survey.json"),
    ),
];

/// The demo's app settings: theme, fatigue budget and a resource center with help articles.
pub const APP_SETTINGS: &str = include_str!("../flows/app-settings.json");

/// What seeding did.
#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    AlreadyPresent,
    Imported,
}

/// Seeds the welcome tour, retrying connection failures until `patience` has passed.
pub async fn seed_welcome_tour(
    http: &reqwest::Client,
    collector_base: &str,
    admin_key: &str,
    patience: Duration,
) -> anyhow::Result<SeedOutcome> {
    seed_flow(
        http,
        collector_base,
        admin_key,
        WELCOME_TOUR_ID,
        WELCOME_TOUR,
        patience,
    )
    .await
}

/// Seeds every pattern example in [`PATTERN_FLOWS`] order, each on its own: one refused flow
/// doesn't keep the others out. Returns what happened to each.
pub async fn seed_patterns(
    http: &reqwest::Client,
    collector_base: &str,
    admin_key: &str,
    patience: Duration,
) -> Vec<(&'static str, anyhow::Result<SeedOutcome>)> {
    let mut outcomes = Vec::with_capacity(PATTERN_FLOWS.len());
    for (id, file) in PATTERN_FLOWS {
        let outcome = seed_flow(http, collector_base, admin_key, id, file, patience).await;
        outcomes.push((id, outcome));
    }
    outcomes
}

/// Imports and publishes the flow `id` (the JSON `file`) unless the collector already has it.
pub async fn seed_flow(
    http: &reqwest::Client,
    collector_base: &str,
    admin_key: &str,
    id: &str,
    file: &str,
    patience: Duration,
) -> anyhow::Result<SeedOutcome> {
    retrying(collector_base, patience, || {
        try_seed_flow(http, collector_base, admin_key, id, file)
    })
    .await
}

/// Stores [`APP_SETTINGS`] when the collector's settings are still the built-in defaults, so an
/// admin's own changes are never overwritten by a restart.
pub async fn seed_settings(
    http: &reqwest::Client,
    collector_base: &str,
    admin_key: &str,
    patience: Duration,
) -> anyhow::Result<SeedOutcome> {
    retrying(collector_base, patience, || {
        try_seed_settings(http, collector_base, admin_key)
    })
    .await
}

/// Runs `attempt` until it succeeds, fails for good, or the collector stayed unreachable for `patience`.
async fn retrying<T, F, Fut>(base: &str, patience: Duration, mut attempt: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Attempt>>,
{
    let deadline = Instant::now() + patience;
    loop {
        match attempt().await {
            Ok(outcome) => return Ok(outcome),
            Err(Attempt::Retry(error)) if Instant::now() < deadline => {
                tracing::debug!(%error, "collector not reachable yet, retrying the seed");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(Attempt::Retry(error)) => {
                anyhow::bail!("the collector at {base} did not answer in {patience:?}: {error}")
            }
            Err(Attempt::Fail(error)) => return Err(error),
        }
    }
}

enum Attempt {
    Retry(reqwest::Error),
    Fail(anyhow::Error),
}

impl From<reqwest::Error> for Attempt {
    fn from(error: reqwest::Error) -> Self {
        if error.is_connect() || error.is_timeout() {
            Attempt::Retry(error)
        } else {
            Attempt::Fail(error.into())
        }
    }
}

/// A proxy or a collector still starting may answer 502/503: try again.
fn is_starting(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE
    )
}

fn retry_later(response: reqwest::Response) -> Attempt {
    match response.error_for_status().err() {
        Some(error) => Attempt::Retry(error),
        None => Attempt::Fail(anyhow::anyhow!("unexpected success")),
    }
}

async fn try_seed_flow(
    http: &reqwest::Client,
    base: &str,
    admin_key: &str,
    id: &str,
    file: &str,
) -> Result<SeedOutcome, Attempt> {
    let what = format!("the flow {id}");
    let flow_url = format!("{base}/v1/admin/flows/{id}");
    let existing = http.get(&flow_url).bearer_auth(admin_key).send().await?;
    match existing.status() {
        StatusCode::OK => return Ok(SeedOutcome::AlreadyPresent),
        StatusCode::NOT_FOUND => {}
        status if is_starting(status) => return Err(retry_later(existing)),
        status => {
            return Err(Attempt::Fail(
                failure("look up", &what, status, existing).await,
            ));
        }
    }
    let imported = http
        .post(format!("{base}/v1/admin/flows/import"))
        .bearer_auth(admin_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(file.to_string())
        .send()
        .await?;
    if !imported.status().is_success() {
        let status = imported.status();
        return Err(Attempt::Fail(
            failure("import", &what, status, imported).await,
        ));
    }
    let published = http
        .post(format!("{flow_url}/publish"))
        .bearer_auth(admin_key)
        .send()
        .await?;
    if !published.status().is_success() {
        let status = published.status();
        return Err(Attempt::Fail(
            failure("publish", &what, status, published).await,
        ));
    }
    Ok(SeedOutcome::Imported)
}

async fn try_seed_settings(
    http: &reqwest::Client,
    base: &str,
    admin_key: &str,
) -> Result<SeedOutcome, Attempt> {
    let what = "the app settings";
    let url = format!("{base}/v1/admin/settings");
    let current = http.get(&url).bearer_auth(admin_key).send().await?;
    match current.status() {
        StatusCode::OK => {}
        status if is_starting(status) => return Err(retry_later(current)),
        status => return Err(Attempt::Fail(failure("read", what, status, current).await)),
    }
    let current: engine::settings::AppSettings = current
        .json()
        .await
        .map_err(|error| Attempt::Fail(anyhow::anyhow!("could not read {what}: {error}")))?;
    if current != engine::settings::AppSettings::default() {
        return Ok(SeedOutcome::AlreadyPresent);
    }
    let stored = http
        .put(&url)
        .bearer_auth(admin_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(APP_SETTINGS)
        .send()
        .await?;
    if !stored.status().is_success() {
        let status = stored.status();
        return Err(Attempt::Fail(failure("store", what, status, stored).await));
    }
    Ok(SeedOutcome::Imported)
}

async fn failure(
    verb: &str,
    what: &str,
    status: StatusCode,
    response: reqwest::Response,
) -> anyhow::Error {
    let body = response.text().await.unwrap_or_default();
    anyhow::anyhow!("could not {verb} {what}: {status} {body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welcome_tour_is_a_valid_v1_flow() {
        let flow: engine::Flow =
            serde_json::from_str(WELCOME_TOUR).expect("welcome-tour.json parses as a v1 flow");
        assert_eq!(flow.format, engine::FORMAT);
        assert_eq!(flow.id, WELCOME_TOUR_ID);
        assert_eq!(engine::validate_flow(&flow), Vec::new());
        let ids: Vec<&str> = flow.steps.iter().map(|step| step.id.as_str()).collect();
        assert_eq!(ids, ["welcome", "projects-nav", "new-project", "invite"]);
        assert_eq!(
            flow.trigger,
            engine::Trigger::Url {
                pattern: "/".into()
            }
        );
        assert_eq!(
            flow.steps[0].title,
            "Hi {{first_name|there}}, welcome to Tasklane"
        );
        assert_eq!(flow.steps[1].target.as_deref(), Some("#nav-projects"));
        assert_eq!(flow.steps[1].advance, engine::Advance::Click);
        assert!(flow.steps[1].spotlight);
        assert_eq!(flow.steps[2].page.as_deref(), Some("/projects*"));
        assert_eq!(
            flow.steps[3]
                .buttons
                .last()
                .map(|button| button.label.as_str()),
            Some("Finish")
        );
    }
}
