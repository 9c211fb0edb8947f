//! A product manager builds a checklist in the demo admin's form (no raw JSON) and a host user
//! sees it; gives a tour's step and a checklist's item prerequisites of their own (progressive
//! disclosure); and the admin's users page says why a flow is not shown to a given user.

use anyhow::{Context, ensure};
use fantoccini::Client;
use fantoccini::key::Key;
use serde_json::json;
use tests::actions::{
    choose_option, click_host_element, click_step_button, fill_field, log_in_to_admin,
    open_checklist, open_host_as, open_host_as_on_plan, open_url, press_key, tab_to,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_admin_page_is_accessible, check_no_page_errors,
    wait_for_page_element, wait_for_stored_event, wait_for_visible_step, wait_for_widget_attribute,
    wait_for_widget_ready, wait_for_widget_text, wait_until,
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

const GATED_TOUR_ID: &str = "gated-steps-tour";
const GATED_TOUR_PAGE: &str = "/settings";
/// The flow the gated step and item wait for; the test users never complete it.
const PREREQUISITE_ID: &str = "basics-first";
const UNKNOWN_FLOW_ID: &str = "no-such-flow";
/// The tour's steps: the second waits for `PREREQUISITE_ID`.
const GATED_TOUR_STEPS: [(&str, &str); 3] = [
    ("intro", "Welcome to settings"),
    ("gated", "Now that you know the basics"),
    ("wrap-up", "That's all"),
];

#[tokio::test]
async fn a_step_prerequisite_set_in_the_admin_makes_the_tour_pass_over_it() -> anyhow::Result<()> {
    World::run(|world| Box::pin(gate_a_step_in_the_admin(world))).await
}

async fn gate_a_step_in_the_admin(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(
            PREREQUISITE_ID,
            "/never-visited",
            "The basics",
        ))
        .await?;
    log_in_to_admin(world).await?;
    build_three_step_tour_in_the_form(world).await?;

    // The second step's prerequisites, with the keyboard alone: Tab from its last field to the
    // disclosure, Enter opens it, Tab into the choice and Down picks "Only once these conditions hold".
    let client = world.client();
    let disclosure = admin::step_requires(1);
    click_host_element(client, &admin::step_field(1, "target-timeout-ms")).await?;
    tab_to(client, &admin::requires_summary(&disclosure)).await?;
    press_key(client, Key::Enter).await?;
    wait_for_open(client, &disclosure).await?;
    tab_to(client, &admin::requires_mode(&disclosure, "none")).await?;
    press_key(client, Key::Down).await?;
    wait_until(
        "the step's prerequisite rule builder shows",
        STEP_TIMEOUT,
        async || {
            let matching = page_element(client, &admin::requires_mode(&disclosure, "matching"))
                .await?
                .prop("checked")
                .await?;
            let field = page_element(
                client,
                &admin::condition_field(&disclosure, 0, "condition-field"),
            )
            .await?;
            Ok(
                if matching.as_deref() == Some("true") && field.is_displayed().await? {
                    Observation::Ready(())
                } else {
                    Observation::NotYet(format!("matching radio checked: {matching:?}"))
                },
            )
        },
    )
    .await?;
    let kind = page_element(
        client,
        &admin::condition_field(&disclosure, 0, "condition-kind"),
    )
    .await?
    .prop("value")
    .await?;
    ensure!(
        kind.as_deref() == Some("completed"),
        "a prerequisite's first condition should be a completed flow, is {kind:?}"
    );
    fill_field(
        client,
        &admin::condition_field(&disclosure, 0, "condition-field"),
        PREREQUISITE_ID,
    )
    .await?;
    check_admin_page_is_accessible(
        client,
        &world.axe_source()?,
        "the tour editor with a step's prerequisites open",
    )
    .await?;
    publish_from_the_editor(world).await?;

    let stored = world
        .admin_api
        .flow(GATED_TOUR_ID)
        .await?
        .context("the form's tour is not in the collector")?;
    let steps = &stored["steps"];
    ensure!(
        stored["status"] == "published"
            && steps[1]["requires"] == json!({ "completed": PREREQUISITE_ID })
            && steps[0].get("requires").is_none()
            && steps[2].get("requires").is_none(),
        "only the second step should wait for {PREREQUISITE_ID}: the collector holds {stored}"
    );

    // A user who never completed the prerequisite: the tour passes over the gated step.
    let user_id = world.fresh_user_id("gated-step-user");
    open_host_as(world, &user_id, GATED_TOUR_PAGE).await?;
    let (intro, _) = GATED_TOUR_STEPS[0];
    let (gated, _) = GATED_TOUR_STEPS[1];
    let (wrap_up, _) = GATED_TOUR_STEPS[2];
    wait_for_visible_step(world.client(), intro).await?;
    click_step_button(world.client(), "next").await?;
    wait_for_visible_step(world.client(), wrap_up).await?;
    wait_for_stored_event(
        &world.admin_api,
        &user_id,
        "the gated step's step_skipped",
        |event| {
            event.is_track("step_skipped")
                && event.flow_id() == Some(GATED_TOUR_ID)
                && event.step_id() == Some(gated)
        },
    )
    .await?;
    check_no_page_errors(world.client()).await?;

    // Loading the tour fills the step's prerequisites; an unknown flow is refused next to them.
    let client = world.client();
    open_url(
        client,
        &format!("{}/flows/{GATED_TOUR_ID}/edit", world.admin_origin()),
    )
    .await?;
    let field = admin::condition_field(&disclosure, 0, "condition-field");
    wait_until(
        "the editor fills the step's prerequisites",
        STEP_TIMEOUT,
        async || {
            let Ok(input) = page_element(client, &field).await else {
                return Ok(Observation::NotYet("no prerequisite condition yet".into()));
            };
            let value = input.prop("value").await?;
            let matching = page_element(client, &admin::requires_mode(&disclosure, "matching"))
                .await?
                .prop("checked")
                .await?;
            let first_none = page_element(client, &admin::requires_mode(&admin::step_requires(0), "none"))
                .await?
                .prop("checked")
                .await?;
            Ok(
                if value.as_deref() == Some(PREREQUISITE_ID)
                    && matching.as_deref() == Some("true")
                    && first_none.as_deref() == Some("true")
                {
                    Observation::Ready(())
                } else {
                    Observation::NotYet(format!(
                        "condition {value:?}, step 2 matching {matching:?}, step 1 right away {first_none:?}"
                    ))
                },
            )
        },
    )
    .await?;
    click_host_element(client, &admin::requires_summary(&disclosure)).await?;
    wait_for_open(client, &disclosure).await?;
    fill_field(client, &field, UNKNOWN_FLOW_ID).await?;
    // Closed again, as someone done with it would leave it: the error must open it.
    click_host_element(client, &admin::requires_summary(&disclosure)).await?;
    click_host_element(client, admin::SAVE_FLOW).await?;
    check_error_next_to(
        client,
        &disclosure,
        "steps[1].requires.completed",
        &field,
        UNKNOWN_FLOW_ID,
    )
    .await
}

/// New flow → a URL-triggered tour of three modal steps (`GATED_TOUR_STEPS`).
async fn build_three_step_tour_in_the_form(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    click_host_element(client, admin::NEW_FLOW).await?;
    wait_for_page_element(client, admin::FLOW_ID, "the flow editor is open").await?;
    fill_field(client, admin::FLOW_ID, GATED_TOUR_ID).await?;
    fill_field(client, admin::FLOW_NAME, "Settings tour with a gated step").await?;
    choose_option(client, admin::TRIGGER_TYPE, "url").await?;
    fill_field(client, admin::TRIGGER_VALUE, GATED_TOUR_PAGE).await?;
    for (index, (step_id, title)) in GATED_TOUR_STEPS.into_iter().enumerate() {
        let field = |name| admin::step_field(index, name);
        if page_element(client, &field("step-id")).await.is_err() {
            click_host_element(client, admin::ADD_STEP).await?;
        }
        wait_for_page_element(client, &field("step-id"), "the new step's fields show").await?;
        fill_field(client, &field("step-id"), step_id).await?;
        choose_option(client, &field("kind"), "modal").await?;
        fill_field(client, &field("title"), title).await?;
        fill_field(client, &field("body"), "Settings, one screen at a time.").await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_checklist_item_prerequisite_set_in_the_admin_locks_the_item() -> anyhow::Result<()> {
    World::run(|world| Box::pin(gate_a_checklist_item_in_the_admin(world))).await
}

async fn gate_a_checklist_item_in_the_admin(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(
            PREREQUISITE_ID,
            "/never-visited",
            "The basics",
        ))
        .await?;
    log_in_to_admin(world).await?;
    build_checklist_in_the_form(world).await?;

    // The second item waits for a flow that does not exist: refused next to its prerequisites.
    let client = world.client();
    let disclosure = admin::item_requires(1);
    let field = admin::condition_field(&disclosure, 0, "condition-field");
    click_host_element(client, &admin::requires_summary(&disclosure)).await?;
    wait_for_open(client, &disclosure).await?;
    click_host_element(client, &admin::requires_mode(&disclosure, "matching")).await?;
    wait_for_page_element(client, &field, "the item's prerequisite rule builder shows").await?;
    fill_field(client, &field, UNKNOWN_FLOW_ID).await?;
    check_admin_page_is_accessible(
        client,
        &world.axe_source()?,
        "the checklist editor with an item's prerequisites open",
    )
    .await?;
    click_host_element(client, admin::SAVE_FLOW).await?;
    check_error_next_to(
        client,
        &disclosure,
        "checklist.items[1].requires.completed",
        &field,
        UNKNOWN_FLOW_ID,
    )
    .await?;

    fill_field(client, &field, PREREQUISITE_ID).await?;
    publish_from_the_editor(world).await?;
    let stored = world
        .admin_api
        .flow(CHECKLIST_ID)
        .await?
        .context("the form's checklist is not in the collector")?;
    let items = &stored["checklist"]["items"];
    ensure!(
        items[1]["requires"] == json!({ "completed": PREREQUISITE_ID })
            && items[0].get("requires").is_none(),
        "only the second item should wait for {PREREQUISITE_ID}: the collector holds {stored}"
    );

    let user_id = world.fresh_user_id("gated-item-user");
    open_host_as_on_plan(world, &user_id, "/projects", "pro").await?;
    let client = world.client();
    open_checklist(client, CHECKLIST_ID).await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(EVENT_ITEM),
        "data-state",
        "locked",
        STEP_TIMEOUT,
    )
    .await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(MANUAL_ITEM),
        "data-state",
        "open",
        STEP_TIMEOUT,
    )
    .await?;
    check_no_page_errors(client).await
}

/// Waits until the `<details>` matching `disclosure` is open.
async fn wait_for_open(client: &Client, disclosure: &str) -> anyhow::Result<()> {
    wait_until(&format!("`{disclosure}` opens"), STEP_TIMEOUT, async || {
        let open = page_element(client, disclosure).await?.prop("open").await?;
        Ok(if open.as_deref() == Some("true") {
            Observation::Ready(())
        } else {
            Observation::NotYet(format!("open is {open:?}"))
        })
    })
    .await
}

/// After a refused save: the collector's error at `field_path` shows inside the (re-opened)
/// prerequisites `disclosure`, names `naming`, and marks `control` invalid.
async fn check_error_next_to(
    client: &Client,
    disclosure: &str,
    field_path: &str,
    control: &str,
    naming: &str,
) -> anyhow::Result<()> {
    let error = format!("{disclosure} [data-error-for=\"{field_path}\"]");
    let message = wait_until(
        &format!("the error at {field_path} shows next to its control"),
        STEP_TIMEOUT,
        async || {
            if let Ok(message) = page_element(client, &error).await {
                return Ok(Observation::Ready(message.text().await?));
            }
            let summary = match page_element(client, admin::FORM_ERRORS).await {
                Ok(summary) => summary.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            Ok(Observation::NotYet(format!("form errors {summary:?}")))
        },
    )
    .await?;
    ensure!(
        message.contains(naming),
        "the error next to the prerequisite should name {naming}: {message:?}"
    );
    wait_for_open(client, disclosure).await?;
    let input = page_element(client, control).await?;
    let invalid = input.attr("aria-invalid").await?;
    let described_by = input.attr("aria-describedby").await?.unwrap_or_default();
    let message_id = page_element(client, &error)
        .await?
        .attr("id")
        .await?
        .unwrap_or_default();
    ensure!(
        invalid.as_deref() == Some("true")
            && !message_id.is_empty()
            && described_by.split(' ').any(|id| id == message_id),
        "the prerequisite's control should be invalid and described by its error: aria-invalid {invalid:?}, aria-describedby {described_by:?}, error id {message_id:?}"
    );
    Ok(())
}
