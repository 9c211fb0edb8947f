//! A product manager builds a checklist in the demo admin's form (no raw JSON) and a host user
//! sees it; and the admin's users page says why a flow is not shown to a given user.

use anyhow::{Context, ensure};
use serde_json::json;
use tests::actions::{
    choose_option, click_host_element, fill_field, log_in_to_admin, open_checklist,
    open_host_as_on_plan, open_url,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_no_page_errors, wait_for_page_element, wait_for_stored_event,
    wait_for_widget_attribute, wait_for_widget_ready, wait_for_widget_text, wait_until,
};
use tests::flows::{hotspot_flow, single_modal_tour};
use tests::locators::{admin, host, page_element, surfaces};
use tests::world::World;

use crate::admin_authoring::publish_from_the_editor;

const CHECKLIST_ID: &str = "admin-checklist";
const CHECKLIST_TITLE: &str = "Set up your workspace";
const MANUAL_ITEM: &str = "tick-me";
const EVENT_ITEM: &str = "make-project";

#[tokio::test]
async fn a_checklist_built_in_the_admin_form_reaches_a_host_user() -> anyhow::Result<()> {
    World::run(|world| Box::pin(build_and_see_a_checklist(world))).await
}

async fn build_and_see_a_checklist(world: &mut World) -> anyhow::Result<()> {
    log_in_to_admin(world).await?;
    build_checklist_in_the_form(world).await?;
    publish_from_the_editor(world).await?;

    let stored = world
        .admin_api
        .flow(CHECKLIST_ID)
        .await?
        .context("the form's checklist is not in the collector")?;
    let checklist = &stored["checklist"];
    ensure!(
        stored["status"] == "published"
            && stored["steps"].as_array().is_none_or(Vec::is_empty)
            && checklist["title"] == CHECKLIST_TITLE
            && checklist["items"][0]["id"] == MANUAL_ITEM
            && checklist["items"][0]["manual"] == true
            && checklist["items"][1]["id"] == EVENT_ITEM
            && checklist["items"][1]["done_when"]
                == json!({ "event": "project_created", "op": "done" }),
        "the collector holds the form's checklist as {stored}"
    );

    let user_id = world.fresh_user_id("admin-checklist-user");
    open_host_as_on_plan(world, &user_id, "/projects", "pro").await?;
    let client = world.client();
    wait_for_widget_text(
        client,
        &surfaces::checklist_count(CHECKLIST_ID),
        "0/2",
        STEP_TIMEOUT,
    )
    .await?;
    open_checklist(client, CHECKLIST_ID).await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(MANUAL_ITEM),
        "data-state",
        "open",
        STEP_TIMEOUT,
    )
    .await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(EVENT_ITEM),
        "data-state",
        "open",
        STEP_TIMEOUT,
    )
    .await?;
    check_no_page_errors(client).await
}

/// New flow → type checklist → title, badge and two items: one ticked by hand, one done when the
/// host tracks `project_created`.
async fn build_checklist_in_the_form(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    click_host_element(client, admin::NEW_FLOW).await?;
    wait_for_page_element(client, admin::FLOW_ID, "the flow editor is open").await?;
    fill_field(client, admin::FLOW_ID, CHECKLIST_ID).await?;
    fill_field(client, admin::FLOW_NAME, "Workspace set-up checklist").await?;
    choose_option(client, admin::FLOW_TYPE, "checklist").await?;
    choose_option(client, admin::TRIGGER_TYPE, "manual").await?;
    wait_for_page_element(client, admin::CHECKLIST_TITLE, "the checklist form shows").await?;
    fill_field(client, admin::CHECKLIST_TITLE, CHECKLIST_TITLE).await?;
    fill_field(client, admin::BADGE_ID, "workspace-ready").await?;
    fill_field(client, admin::BADGE_NAME, "Workspace ready").await?;

    for (index, (item_id, title, condition, value)) in [
        (MANUAL_ITEM, "Tick me when you are ready", "manual", None),
        (
            EVENT_ITEM,
            "Create a project",
            "event",
            Some("project_created"),
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let field = |name| admin::checklist_item_field(index, name);
        if page_element(client, &field("item-id")).await.is_err() {
            click_host_element(client, admin::ADD_ITEM).await?;
        }
        wait_for_page_element(client, &field("item-id"), "the new item's fields show").await?;
        fill_field(client, &field("item-id"), item_id).await?;
        fill_field(client, &field("item-title"), title).await?;
        choose_option(client, &field("item-condition"), condition).await?;
        if let Some(value) = value {
            fill_field(client, &field("item-condition-value"), value).await?;
        }
    }
    Ok(())
}

#[tokio::test]
async fn the_users_page_says_why_a_flow_is_not_shown() -> anyhow::Result<()> {
    World::run(|world| Box::pin(explain_a_hidden_hotspot(world))).await
}

async fn explain_a_hidden_hotspot(world: &mut World) -> anyhow::Result<()> {
    const TOUR_ID: &str = "basics-tour";
    const HOTSPOT_ID: &str = "gated-hotspot";
    const PAGE: &str = "/projects";
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(TOUR_ID, "/settings", "The basics"))
        .await?;
    let mut hotspot = hotspot_flow(HOTSPOT_ID, PAGE, host::NEW_PROJECT, "Start here");
    hotspot["requires"] = json!({ "completed": TOUR_ID });
    world.admin_api.create_and_publish_flow(&hotspot).await?;

    // The user exists once the collector has their first events.
    let user_id = world.fresh_user_id("why-user");
    open_host_as_on_plan(world, &user_id, PAGE, "pro").await?;
    wait_for_widget_ready(world.client()).await?;
    wait_for_stored_event(&world.admin_api, &user_id, "the user's identify", |event| {
        event.kind == "identify"
    })
    .await?;

    log_in_to_admin(world).await?;
    let client = world.client();
    click_host_element(client, admin::NAV_USERS).await?;
    wait_for_page_element(client, admin::USER_LOOKUP_ID, "the users page is open").await?;
    fill_field(client, admin::USER_LOOKUP_ID, &user_id).await?;
    fill_field(client, admin::USER_LOOKUP_URL, PAGE).await?;
    click_host_element(client, admin::USER_LOOKUP_SUBMIT).await?;

    let (status, reason, wording) = wait_until(
        "the users page explains the hotspot",
        STEP_TIMEOUT,
        async || {
            let Ok(status) = page_element(client, &admin::eligibility_status(HOTSPOT_ID)).await
            else {
                let error = match page_element(client, admin::USERS_ERROR).await {
                    Ok(error) => error.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                return Ok(Observation::NotYet(format!(
                    "no row for {HOTSPOT_ID}; users error {error:?}"
                )));
            };
            let reason = page_element(client, &admin::eligibility_reason(HOTSPOT_ID)).await?;
            Ok(Observation::Ready((
                status.attr("data-eligibility-status").await?,
                reason.attr("data-reason").await?,
                reason.text().await?,
            )))
        },
    )
    .await?;
    ensure!(
        status.as_deref() == Some("blocked")
            && reason.as_deref() == Some("prerequisite_missing")
            && wording.contains(TOUR_ID),
        "the users page should say the hotspot waits on {TOUR_ID}: status {status:?}, reason {reason:?}, wording {wording:?}"
    );

    // The same page by its address, as a link shared with a colleague.
    open_url(
        client,
        &format!("{}/users?user={user_id}&url={PAGE}", world.admin_origin()),
    )
    .await?;
    wait_for_page_element(
        client,
        &admin::eligibility_row(TOUR_ID),
        "the users page looks the user up from its address",
    )
    .await?;
    check_no_page_errors(client).await
}
