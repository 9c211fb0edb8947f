//! The fatigue budget (docs/patterns.md): with at most one automatic item per session and a
//! cool-down, a second announcement due in the same session is held back (stored as
//! `content_suppressed`, explained by the admin's "why"), and shows once the session has timed
//! out. Time passes on a fake clock in the page (tests::clock), never in sleeps.

use std::time::Duration;

use anyhow::ensure;
use serde_json::json;
use tests::actions::{click_host_element, click_step_button, open_host_as, reload};
use tests::checks::{
    check_no_page_errors, check_no_step_shows, wait_for_eligibility, wait_for_no_visible_step,
    wait_for_path, wait_for_stored_event, wait_for_visible_step, wait_for_widget_ready,
};
use tests::clock::{advance_clock, check_page_clock_offset, install_fake_clock};
use tests::flows::single_modal_tour;
use tests::locators::host;
use tests::world::World;

const FIRST_ID: &str = "first-announcement";
const FIRST_PAGE: &str = "/projects";
const SECOND_ID: &str = "second-announcement";
const SECOND_PAGE: &str = "/settings";
/// Both announcements are one modal whose step has this id.
const STEP_ID: &str = "only-step";
const COOLDOWN_SECONDS: u64 = 600;
const SESSION_TIMEOUT_MINUTES: u64 = 30;

#[tokio::test]
async fn a_second_automatic_item_waits_for_the_next_session() -> anyhow::Result<()> {
    World::run(|world| Box::pin(hold_back_the_second_announcement(world))).await
}

async fn hold_back_the_second_announcement(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .change_settings(|settings| {
            settings["fatigue"] = json!({
                "max_per_session": 1,
                "cooldown_seconds": COOLDOWN_SECONDS,
                "session_timeout_minutes": SESSION_TIMEOUT_MINUTES,
            });
        })
        .await?;
    for (flow_id, page, title) in [
        (FIRST_ID, FIRST_PAGE, "Projects got faster"),
        (SECOND_ID, SECOND_PAGE, "Settings got a new look"),
    ] {
        world
            .admin_api
            .create_and_publish_flow(&single_modal_tour(flow_id, page, title))
            .await?;
    }
    install_fake_clock(world.browser()).await?;
    let user_id = world.fresh_user_id("fatigue");
    open_host_as(world, &user_id, FIRST_PAGE).await?;
    let client = world.client();
    check_page_clock_offset(client, 0).await?;

    // The first automatic item of the session shows; the user reads it.
    let first = wait_for_visible_step(client, STEP_ID).await?;
    ensure!(
        first.flow_id.as_deref() == Some(FIRST_ID),
        "the first announcement should show on {FIRST_PAGE}, got {first:?}"
    );
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;

    // The second is due on the next page, but the session's budget is spent.
    click_host_element(client, host::NAV_SETTINGS).await?;
    wait_for_path(client, SECOND_PAGE).await?;
    check_no_step_shows(client, "the second announcement in the same session").await?;
    let events = wait_for_stored_event(
        &world.admin_api,
        &user_id,
        "content_suppressed for the second announcement",
        |event| event.is_track("content_suppressed") && event.flow_id() == Some(SECOND_ID),
    )
    .await?;
    let reasons: Vec<Option<&str>> = events
        .iter()
        .filter(|event| event.is_track("content_suppressed"))
        .map(|event| event.property_text("reason"))
        .collect();
    ensure!(
        reasons
            .iter()
            .all(|reason| matches!(reason, Some("session_limit" | "cooldown"))),
        "content_suppressed should give the budget's reason, got {reasons:?}"
    );
    wait_for_eligibility(
        &world.admin_api,
        &user_id,
        SECOND_PAGE,
        SECOND_ID,
        |item| match (item.status.as_str(), item.reason.as_deref()) {
            ("blocked", Some("blocked_by_session_limit" | "blocked_by_cooldown")) => Ok(()),
            _ => Err("expected blocked by the session limit or the cool-down".to_string()),
        },
    )
    .await?;

    // A couple of minutes later, same session: still held back.
    let offset = advance_clock(client, Duration::from_secs(120)).await?;
    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_page_clock_offset(client, offset).await?;
    check_no_step_shows(client, "two minutes later, in the same session").await?;

    // Past the session time-out (and the cool-down), a new session: it shows.
    let idle = Duration::from_secs(SESSION_TIMEOUT_MINUTES * 60 + COOLDOWN_SECONDS + 60);
    let offset = advance_clock(client, idle).await?;
    reload(client).await?;
    check_page_clock_offset(client, offset).await?;
    let second = wait_for_visible_step(client, STEP_ID).await?;
    ensure!(
        second.flow_id.as_deref() == Some(SECOND_ID),
        "after the session timed out the second announcement should show, got {second:?}"
    );
    wait_for_eligibility(&world.admin_api, &user_id, SECOND_PAGE, SECOND_ID, |item| {
        if item.status == "active" {
            Ok(())
        } else {
            Err("expected active once it started".to_string())
        }
    })
    .await?;
    check_no_page_errors(client).await
}
