//! A flow whose tooltip points at a selector that matches nothing never breaks the host page: the
//! host's own links and dialogs keep working, nothing is thrown, and `step_target_missing` is
//! recorded before the flow moves on.

use anyhow::ensure;
use tests::actions::{click_host_element, click_step_button, create_project_in_host, open_host_as};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_no_page_errors, is_lifecycle_event, wait_for_no_visible_step,
    wait_for_path, wait_for_stored_event, wait_for_visible_step, wait_until,
};
use tests::flows::{AFTER_MISSING_TARGET_STEP_ID, MISSING_TARGET_STEP_ID, missing_target_flow};
use tests::locators::host;
use tests::world::World;

const FLOW_ID: &str = "points-at-nothing";
/// Short, but long enough for the host interactions below to happen while the widget waits.
const TARGET_TIMEOUT_MS: u32 = 2000;

#[tokio::test]
async fn a_flow_whose_selector_matches_nothing_never_breaks_the_host_page() -> anyhow::Result<()> {
    World::run(|world| Box::pin(use_the_host_while_the_target_is_missing(world))).await
}

async fn use_the_host_while_the_target_is_missing(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&missing_target_flow(
            FLOW_ID,
            "/settings",
            "/settings",
            TARGET_TIMEOUT_MS,
        ))
        .await?;
    let user_id = world.fresh_user_id("missing-target");
    open_host_as(world, &user_id, "/settings").await?;
    let client = world.client();

    // The host's own features, while the widget looks for `#does-not-exist`.
    click_host_element(client, host::NAV_PROJECTS).await?;
    wait_for_path(client, "/projects").await?;
    let project_name = format!("Launch plan {user_id}");
    create_project_in_host(client, &project_name).await?;
    wait_until(
        "the create-project dialog closes",
        STEP_TIMEOUT,
        async || {
            let open = client
                .execute(
                    "const d = document.querySelector(arguments[0]); return !!(d && d.open);",
                    vec![host::CREATE_PROJECT_DIALOG.into()],
                )
                .await?;
            Ok(if open == false {
                Observation::Ready(())
            } else {
                Observation::NotYet("the dialog is still open".to_string())
            })
        },
    )
    .await?;
    wait_for_stored_event(
        &world.admin_api,
        &user_id,
        "project_created with the project's name",
        |event| {
            event.name.as_deref() == Some("project_created")
                && event.properties.get("name").and_then(|name| name.as_str())
                    == Some(&project_name)
        },
    )
    .await?;

    wait_for_stored_event(&world.admin_api, &user_id, "step_target_missing", |event| {
        is_lifecycle_event(
            event,
            FLOW_ID,
            "step_target_missing",
            Some(MISSING_TARGET_STEP_ID),
        )
    })
    .await?;
    check_no_page_errors(client).await?;

    // Skipped, the flow goes on to its modal, which lives on /settings.
    click_host_element(client, host::NAV_SETTINGS).await?;
    wait_for_path(client, "/settings").await?;
    let after = wait_for_visible_step(client, AFTER_MISSING_TARGET_STEP_ID).await?;
    ensure!(
        after.kind.as_deref() == Some("modal"),
        "expected the modal after the skipped step, got {after:?}"
    );
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    check_no_page_errors(client).await
}
