//! A product manager builds a tour in the demo admin's form (not raw JSON), publishes it, and a
//! fresh user on the host sees it; the admin's own pages only preview.

use anyhow::{Context, ensure};
use tests::actions::{
    choose_option, click_host_element, fill_field, log_in_to_admin, open_host_as,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_no_page_errors, wait_for_visible_step, wait_until,
    widget_elements,
};
use tests::locators::{admin, page_element};
use tests::world::World;

const FLOW_ID: &str = "settings-announcement";
const STEP_ID: &str = "meet-settings";
const STEP_TITLE: &str = "Meet the new settings page";
const TRIGGER_PAGE: &str = "/settings";

#[tokio::test]
async fn a_tour_built_in_the_admin_form_reaches_a_fresh_user_once_published() -> anyhow::Result<()>
{
    World::run(|world| Box::pin(build_publish_and_see_a_tour(world))).await
}

async fn build_publish_and_see_a_tour(world: &mut World) -> anyhow::Result<()> {
    log_in_to_admin(world).await?;
    build_modal_tour_in_the_form(world).await?;
    publish_from_the_editor(world).await?;

    let stored = world
        .admin_api
        .flow(FLOW_ID)
        .await?
        .context("the form's flow is not in the collector")?;
    ensure!(
        stored["status"] == "published",
        "the collector holds the flow as {}",
        stored["status"]
    );
    ensure!(
        stored["trigger"]["type"] == "url" && stored["trigger"]["pattern"] == TRIGGER_PAGE,
        "the form saved trigger {}",
        stored["trigger"]
    );

    let user_id = world.fresh_user_id("sees-admin-tour");
    open_host_as(world, &user_id, TRIGGER_PAGE).await?;
    let step = wait_for_visible_step(world.client(), STEP_ID).await?;
    ensure!(
        step.kind.as_deref() == Some("modal"),
        "expected the modal built in the admin, got {step:?}"
    );
    ensure!(
        step.title.as_deref() == Some(STEP_TITLE),
        "expected the title typed in the admin, got {:?}",
        step.title
    );
    ensure!(
        step.flow_id.as_deref() == Some(FLOW_ID),
        "the step belongs to {:?}",
        step.flow_id
    );
    check_no_page_errors(world.client()).await
}

/// New flow → basics (id, name, URL trigger) → the first step as a modal with a title and body.
async fn build_modal_tour_in_the_form(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    click_host_element(client, admin::NEW_FLOW).await?;
    wait_until("the flow editor is open", STEP_TIMEOUT, async || {
        Ok(match page_element(client, admin::FLOW_ID).await {
            Ok(_) => Observation::Ready(()),
            Err(error) => Observation::NotYet(format!("{error:#}")),
        })
    })
    .await?;
    fill_field(client, admin::FLOW_ID, FLOW_ID).await?;
    fill_field(client, admin::FLOW_NAME, "Settings announcement").await?;
    choose_option(client, admin::TRIGGER_TYPE, "url").await?;
    fill_field(client, admin::TRIGGER_VALUE, TRIGGER_PAGE).await?;
    choose_option(client, admin::FLOW_FREQUENCY, "once").await?;

    fill_field(client, &admin::step_field(0, "step-id"), STEP_ID).await?;
    choose_option(client, &admin::step_field(0, "kind"), "modal").await?;
    fill_field(client, &admin::step_field(0, "title"), STEP_TITLE).await?;
    fill_field(
        client,
        &admin::step_field(0, "body"),
        "Invite your team and manage billing **from one place**.",
    )
    .await
}

/// Publish (which saves first), then wait for the editor to confirm.
pub(crate) async fn publish_from_the_editor(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    click_host_element(client, admin::PUBLISH_FLOW).await?;
    wait_until(
        "the editor says the flow is published",
        STEP_TIMEOUT,
        async || {
            let status = page_element(client, admin::EDITOR_STATUS)
                .await?
                .text()
                .await?;
            if status.starts_with("Published") {
                return Ok(Observation::Ready(()));
            }
            let errors = match page_element(client, admin::FORM_ERRORS).await {
                Ok(errors) => errors.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            Ok(Observation::NotYet(format!(
                "status {status:?}, form errors {errors:?}"
            )))
        },
    )
    .await
}

#[tokio::test]
async fn the_admin_only_previews_nothing_starts_or_shows_on_its_own_pages() -> anyhow::Result<()> {
    World::run(|world| Box::pin(admin_pages_stay_quiet(world))).await
}

/// The admin loads the widget with `previewOnly`: an automatic flow for everyone and an enabled
/// resource center, which would both appear on any customer page, stay away from it.
async fn admin_pages_stay_quiet(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .change_settings(|settings| {
            settings["resource_center"]["enabled"] = serde_json::json!(true);
        })
        .await?;
    world
        .admin_api
        .create_and_publish_flow(&serde_json::json!({
            "id": "everywhere-announcement", "name": "Everywhere",
            "trigger": {"type": "url", "pattern": "*"},
            "steps": [{"id": "hello", "kind": "modal", "title": "Hello everyone",
                       "buttons": [{"action": "next", "label": "OK"}]}]
        }))
        .await?;
    log_in_to_admin(world).await?;
    let client = world.client();
    let ready = client
        .execute_async(
            "const done = arguments[arguments.length - 1]; \
             window.waymark.on('ready', () => done(true));",
            vec![],
        )
        .await
        .context("waiting for the admin's widget to be ready")?;
    ensure!(
        ready == serde_json::json!(true),
        "the widget never got ready"
    );
    // Give an automatic start every chance to happen (a modal shows within one frame of boot).
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for (selector, what) in [
        ("[data-waymark-step]", "a step"),
        (
            "[data-waymark-surface=\"resource-launcher\"]",
            "the help launcher",
        ),
    ] {
        let shown = widget_elements(client, selector).await?;
        ensure!(
            shown.is_empty(),
            "{what} showed on the admin page: {shown:?}"
        );
    }
    check_no_page_errors(client).await
}
