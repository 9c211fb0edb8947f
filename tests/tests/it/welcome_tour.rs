//! The demo's welcome tour as a new user meets it: completed end to end with every event stored
//! once, resumed after a reload, and never shown again once completed or dismissed.

use anyhow::ensure;
use tests::actions::{
    click_host_element, click_step_button, complete_welcome_tour,
    finish_welcome_tour_from_new_project_step, open_host_as, reload,
    walk_welcome_tour_to_new_project_step,
};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, check_funnel_of_completions,
    check_no_content_security_policy_violations, check_no_page_errors, check_no_step_shows,
    counts_for_one_completion, is_lifecycle_event, lifecycle_counts,
    wait_for_exact_lifecycle_counts, wait_for_no_visible_step, wait_for_path,
    wait_for_stored_event, wait_for_visible_step, wait_for_widget_ready,
};
use tests::locators::{host, welcome_tour};
use tests::world::{WELCOME_TOUR_ID, World};

#[tokio::test]
async fn a_new_user_completes_the_welcome_tour_and_every_event_is_stored_once() -> anyhow::Result<()>
{
    World::run(|world| Box::pin(complete_the_tour_as_a_new_user(world))).await
}

async fn complete_the_tour_as_a_new_user(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("completes-tour");
    open_host_as(world, &user_id, "/").await?;
    complete_welcome_tour(world.client()).await?;
    check_no_page_errors(world.client()).await?;
    // The demo host sends a strict CSP (docs/contracts.md): the widget must need no inline styles.
    check_no_content_security_policy_violations(world.client()).await?;

    let expected = counts_for_one_completion(&welcome_tour::STEP_IDS);
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        WELCOME_TOUR_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    let funnel = world.admin_api.funnel(WELCOME_TOUR_ID).await?;
    check_funnel_of_completions(&funnel, &welcome_tour::STEP_IDS, 1)
}

#[tokio::test]
async fn reloading_mid_tour_resumes_at_the_same_step() -> anyhow::Result<()> {
    World::run(|world| Box::pin(reload_at_the_third_step(world))).await
}

async fn reload_at_the_third_step(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("reloads-mid-tour");
    open_host_as(world, &user_id, "/").await?;
    let before_reload = walk_welcome_tour_to_new_project_step(world.client()).await?;

    reload(world.client()).await?;
    wait_for_path(world.client(), "/projects").await?;
    let after_reload = wait_for_visible_step(world.client(), welcome_tour::NEW_PROJECT).await?;
    ensure!(
        after_reload.step_id == before_reload.step_id
            && after_reload.flow_id == before_reload.flow_id,
        "after the reload the widget shows {after_reload:?}, before it showed {before_reload:?}"
    );

    finish_welcome_tour_from_new_project_step(world.client()).await?;
    check_no_page_errors(world.client()).await?;
    // A resumed tour is one run: started once, each step completed once, completed once.
    let events = wait_for_stored_event(&world.admin_api, &user_id, "flow_completed", |event| {
        is_lifecycle_event(event, WELCOME_TOUR_ID, "flow_completed", None)
    })
    .await?;
    let counts = lifecycle_counts(&events, WELCOME_TOUR_ID);
    let mut expected = counts_for_one_completion(&welcome_tour::STEP_IDS);
    expected.retain(|key, _| !key.starts_with("step_viewed"));
    for (key, count) in &expected {
        ensure!(
            counts.get(key) == Some(count),
            "after a resumed tour expected {count} × `{key}`, stored counts are {counts:?}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_completed_tour_never_shows_again() -> anyhow::Result<()> {
    World::run(|world| Box::pin(complete_then_come_back(world))).await
}

async fn complete_then_come_back(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("completed-tour");
    open_host_as(world, &user_id, "/").await?;
    complete_welcome_tour(world.client()).await?;
    check_tour_stays_away(world, &user_id).await
}

#[tokio::test]
async fn a_dismissed_tour_never_shows_again() -> anyhow::Result<()> {
    World::run(|world| Box::pin(dismiss_then_come_back(world))).await
}

async fn dismiss_then_come_back(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("dismissed-tour");
    open_host_as(world, &user_id, "/").await?;
    wait_for_visible_step(world.client(), welcome_tour::WELCOME).await?;
    click_step_button(world.client(), "dismiss").await?;
    wait_for_no_visible_step(world.client()).await?;
    check_tour_stays_away(world, &user_id).await?;

    let events = wait_for_stored_event(&world.admin_api, &user_id, "flow_dismissed", |event| {
        is_lifecycle_event(event, WELCOME_TOUR_ID, "flow_dismissed", None)
    })
    .await?;
    let counts = lifecycle_counts(&events, WELCOME_TOUR_ID);
    ensure!(
        counts.get("flow_started") == Some(&1),
        "expected one flow_started, stored counts are {counts:?}"
    );
    ensure!(
        counts.get("flow_dismissed") == Some(&1),
        "expected one flow_dismissed, stored counts are {counts:?}"
    );
    ensure!(
        !counts.contains_key("flow_completed"),
        "a dismissed tour must not be completed: {counts:?}"
    );
    Ok(())
}

/// Reloads `/` and walks the app's routes as the same user: the widget boots each time, and no
/// step of the finished tour shows anywhere.
async fn check_tour_stays_away(world: &World, user_id: &str) -> anyhow::Result<()> {
    let client = world.client();
    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_no_step_shows(client, "after a reload of /").await?;

    click_host_element(client, host::NAV_PROJECTS).await?;
    wait_for_path(client, "/projects").await?;
    check_no_step_shows(client, "after navigating to /projects").await?;

    click_host_element(client, host::NAV_DASHBOARD).await?;
    wait_for_path(client, "/").await?;
    check_no_step_shows(client, "after navigating back to /").await?;

    open_host_as(world, user_id, "/").await?;
    wait_for_widget_ready(client).await?;
    check_no_step_shows(client, "after opening / again").await?;
    check_no_page_errors(client).await
}
