//! Start-up seeding: imports and publishes the welcome tour through the collector's admin API
//! when the collector does not have it yet, retrying while the collector is still starting.

use std::time::{Duration, Instant};

use reqwest::StatusCode;

/// The demo's welcome tour, in the open flow format.
pub const WELCOME_TOUR: &str = include_str!("../flows/welcome-tour.json");
/// Its flow id.
pub const WELCOME_TOUR_ID: &str = "welcome-tour";

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
    let deadline = Instant::now() + patience;
    loop {
        match try_seed(http, collector_base, admin_key).await {
            Ok(outcome) => return Ok(outcome),
            Err(Attempt::Retry(error)) if Instant::now() < deadline => {
                tracing::debug!(%error, "collector not reachable yet, retrying the seed");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(Attempt::Retry(error)) => {
                anyhow::bail!(
                    "the collector at {collector_base} did not answer in {patience:?}: {error}"
                )
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

async fn try_seed(
    http: &reqwest::Client,
    base: &str,
    admin_key: &str,
) -> Result<SeedOutcome, Attempt> {
    let flow_url = format!("{base}/v1/admin/flows/{WELCOME_TOUR_ID}");
    let existing = http.get(&flow_url).bearer_auth(admin_key).send().await?;
    match existing.status() {
        StatusCode::OK => return Ok(SeedOutcome::AlreadyPresent),
        StatusCode::NOT_FOUND => {}
        // A proxy or a collector still starting may answer 502/503: try again.
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE => {
            let error = existing.error_for_status().err();
            return Err(match error {
                Some(error) => Attempt::Retry(error),
                None => Attempt::Fail(anyhow::anyhow!("unexpected success")),
            });
        }
        status => return Err(Attempt::Fail(failure("look up", status, existing).await)),
    }
    let imported = http
        .post(format!("{base}/v1/admin/flows/import"))
        .bearer_auth(admin_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(WELCOME_TOUR)
        .send()
        .await?;
    if !imported.status().is_success() {
        let status = imported.status();
        return Err(Attempt::Fail(failure("import", status, imported).await));
    }
    let published = http
        .post(format!("{flow_url}/publish"))
        .bearer_auth(admin_key)
        .send()
        .await?;
    if !published.status().is_success() {
        let status = published.status();
        return Err(Attempt::Fail(failure("publish", status, published).await));
    }
    Ok(SeedOutcome::Imported)
}

async fn failure(what: &str, status: StatusCode, response: reqwest::Response) -> anyhow::Error {
    let body = response.text().await.unwrap_or_default();
    anyhow::anyhow!("could not {what} the welcome tour: {status} {body}")
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
