//! Checklists (docs/patterns.md): the launcher shows only for the checklist's audience; a keyboard
//! user opens it and ticks a manual item; using the product ticks an item live; progress follows
//! the user across reloads and devices; finishing earns a badge, stored exactly once; and an item
//! behind a prerequisite tour stays locked until the tour is completed.

use std::time::Duration;

use anyhow::ensure;
use fantoccini::key::Key;
use tests::actions::{
    click_host_element, click_step_button, create_project_in_host, open_checklist,
    open_host_as_on_plan, open_host_in, press_key, reload, tab_to,
};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, LifecycleCounts, STEP_TIMEOUT, check_no_page_errors,
    check_widget_element_never_shows, check_widget_surface_is_accessible, checklist_counts,
    is_lifecycle_event, wait_for_exact_counts, wait_for_host_heard, wait_for_no_visible_step,
    wait_for_path, wait_for_stored_event, wait_for_visible_step, wait_for_widget_attribute,
    wait_for_widget_element, wait_for_widget_ready, wait_for_widget_text, widget_elements,
};
use tests::flows::{gated, gated_checklist, onboarding, onboarding_checklist, single_modal_tour};
use tests::locators::{host, surfaces};
use tests::world::World;

const CHECKLIST_ID: &str = "onboarding-checklist";
/// The checklist lives on the projects page, where the host's "create project" action is.
const CHECKLIST_PAGE: &str = "/projects";
/// The contract promises a tick within a second of the host's event; a little slack for CI.
const LIVE_TICK_TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn the_checklist_launcher_shows_for_its_audience_only() -> anyhow::Result<()> {
    World::run(|world| Box::pin(show_the_launcher_to_the_audience_only(world))).await
}

async fn show_the_launcher_to_the_audience_only(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&onboarding_checklist(CHECKLIST_ID))
        .await?;
    let client = world.client();

    let pro_user = world.fresh_user_id("checklist-pro");
    open_host_as_on_plan(world, &pro_user, CHECKLIST_PAGE, "pro").await?;
    wait_for_widget_text(
        client,
        &surfaces::checklist_count(CHECKLIST_ID),
        "0/3",
        STEP_TIMEOUT,
    )
    .await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_launcher(CHECKLIST_ID),
        "aria-expanded",
        "false",
        STEP_TIMEOUT,
    )
    .await?;

    let free_user = world.fresh_user_id("checklist-free");
    open_host_as_on_plan(world, &free_user, CHECKLIST_PAGE, "free").await?;
    wait_for_widget_ready(client).await?;
    check_widget_element_never_shows(
        client,
        surfaces::CHECKLIST_LAUNCHER,
        "a free-plan user outside the checklist's audience",
    )
    .await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_checklist_is_worked_through_by_keyboard_by_using_the_product_and_on_two_devices()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(work_through_the_checklist(world))).await
}

async fn work_through_the_checklist(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&onboarding_checklist(CHECKLIST_ID))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("checklist-journey");
    open_host_as_on_plan(world, &user_id, CHECKLIST_PAGE, "pro").await?;
    let client = world.client();
    let launcher = surfaces::checklist_launcher(CHECKLIST_ID);

    // Keyboard only: Tab to the launcher, Enter opens the panel.
    wait_for_widget_element(client, &launcher, "the checklist launcher shows").await?;
    tab_to(client, &launcher).await?;
    press_key(client, Key::Enter).await?;
    wait_for_widget_element(
        client,
        surfaces::CHECKLIST_PANEL,
        "Enter opens the checklist",
    )
    .await?;
    wait_for_widget_attribute(client, &launcher, "aria-expanded", "true", STEP_TIMEOUT).await?;
    check_panel(client, "0 of 3 done", &[("read-guide", "open")]).await?;
    check_widget_surface_is_accessible(
        client,
        &axe_source,
        surfaces::CHECKLIST_PANEL,
        "open checklist panel",
    )
    .await?;

    // Tick the manual item with the keyboard.
    let tick = surfaces::checklist_item_button(onboarding::READ_GUIDE, "tick");
    tab_to(client, &tick).await?;
    press_key(client, Key::Enter).await?;
    check_panel_within(
        client,
        "1 of 3 done",
        &[(onboarding::READ_GUIDE, "done")],
        STEP_TIMEOUT,
    )
    .await?;
    wait_for_widget_text(
        client,
        &surfaces::checklist_count(CHECKLIST_ID),
        "1/3",
        STEP_TIMEOUT,
    )
    .await?;

    // Use the product: creating a project in the host's dialog ticks the item, without a reload.
    create_project_in_host(client, "Checklist launch plan").await?;
    check_panel_within(
        client,
        "2 of 3 done",
        &[
            (onboarding::READ_GUIDE, "done"),
            (onboarding::CREATE_PROJECT, "done"),
            (onboarding::VISIT_SETTINGS, "open"),
        ],
        LIVE_TICK_TIMEOUT,
    )
    .await?;
    // The collector recorded that milestone; the host still hears it through `waymark.on`.
    wait_for_host_heard(
        client,
        "checklist_item_completed",
        "item_id",
        onboarding::CREATE_PROJECT,
        LIVE_TICK_TIMEOUT,
    )
    .await?;
    check_no_page_errors(client).await?;

    // The progress survives a reload...
    reload(client).await?;
    wait_for_widget_text(
        client,
        &surfaces::checklist_count(CHECKLIST_ID),
        "2/3",
        STEP_TIMEOUT,
    )
    .await?;
    open_checklist(client, CHECKLIST_ID).await?;
    check_panel(
        client,
        "2 of 3 done",
        &[(onboarding::CREATE_PROJECT, "done")],
    )
    .await?;

    // ...and another device: a fresh browser profile, the same user id.
    world.start_second_browser().await?;
    let second = world.second_client();
    open_host_in(second, world, &user_id, CHECKLIST_PAGE).await?;
    wait_for_widget_text(
        second,
        &surfaces::checklist_count(CHECKLIST_ID),
        "2/3",
        STEP_TIMEOUT,
    )
    .await?;
    open_checklist(second, CHECKLIST_ID).await?;
    check_panel(
        second,
        "2 of 3 done",
        &[
            (onboarding::READ_GUIDE, "done"),
            (onboarding::CREATE_PROJECT, "done"),
            (onboarding::VISIT_SETTINGS, "open"),
        ],
    )
    .await?;

    // This device asks for reduced motion: the celebration must come without its animation.
    world
        .second_browser()
        .devtools(
            "Emulation.setEmulatedMedia",
            serde_json::json!({"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}),
        )
        .await?;

    // The last item: visiting the settings on that device completes the checklist.
    click_host_element(second, host::NAV_SETTINGS).await?;
    wait_for_path(second, "/settings").await?;
    let celebration = wait_for_widget_element(
        second,
        surfaces::CELEBRATION,
        "the celebration shows when the last item is done",
    )
    .await?;
    ensure!(
        celebration.attribute("role") == Some("status"),
        "the celebration should be a role=status live region: {}",
        celebration.describe()
    );
    ensure!(
        !celebration
            .attribute("class")
            .unwrap_or_default()
            .split_whitespace()
            .any(|class| class == "animate"),
        "under prefers-reduced-motion the celebration must not animate: {}",
        celebration.describe()
    );
    wait_for_widget_text(
        second,
        surfaces::BADGE,
        onboarding::BADGE_NAME,
        STEP_TIMEOUT,
    )
    .await?;
    check_no_page_errors(second).await?;

    let expected: LifecycleCounts = onboarding::ITEM_IDS
        .iter()
        .map(|item| (format!("checklist_item_completed:{item}"), 1))
        .chain([
            ("checklist_completed".to_string(), 1),
            (format!("badge_earned:{}", onboarding::BADGE_ID), 1),
        ])
        .collect();
    let events = wait_for_exact_counts(
        &world.admin_api,
        &user_id,
        "checklist lifecycle",
        |events| checklist_counts(events, CHECKLIST_ID),
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    let manual_tick = events.iter().find(|event| {
        event.is_track("checklist_item_completed")
            && event.property_text("item_id") == Some(onboarding::READ_GUIDE)
    });
    ensure!(
        manual_tick.is_some_and(
            |event| event.properties.get("manual") == Some(&serde_json::Value::Bool(true))
        ),
        "the hand tick should be stored with manual: true, got {manual_tick:?}"
    );
    Ok(())
}

/// Checks the open panel's progress text, its progress bar, and the state of some items.
async fn check_panel(
    client: &fantoccini::Client,
    progress: &str,
    item_states: &[(&str, &str)],
) -> anyhow::Result<()> {
    check_panel_within(client, progress, item_states, STEP_TIMEOUT).await
}

async fn check_panel_within(
    client: &fantoccini::Client,
    progress: &str,
    item_states: &[(&str, &str)],
    timeout: Duration,
) -> anyhow::Result<()> {
    wait_for_widget_text(client, surfaces::CHECKLIST_PROGRESS, progress, timeout).await?;
    for (item_id, state) in item_states {
        wait_for_widget_attribute(
            client,
            &surfaces::checklist_item(item_id),
            "data-state",
            state,
            timeout,
        )
        .await?;
    }
    let bars = widget_elements(client, surfaces::CHECKLIST_PROGRESSBAR).await?;
    ensure!(
        bars.len() == 1,
        "the checklist panel should have one role=progressbar, found {bars:?}"
    );
    let panel =
        wait_for_widget_element(client, surfaces::CHECKLIST_PANEL, "the panel is open").await?;
    ensure!(
        panel.attribute("role") == Some("dialog") && panel.attribute("aria-modal") != Some("true"),
        "the checklist panel should be a non-modal dialog: {}",
        panel.describe()
    );
    Ok(())
}

#[tokio::test]
async fn a_checklist_item_behind_a_tour_stays_locked_until_the_tour_is_completed()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(unlock_an_item_with_a_tour(world))).await
}

const GATED_CHECKLIST_ID: &str = "gated-checklist";
const BASICS_TOUR_ID: &str = "basics-tour";
/// The prerequisite tour starts on the settings page, away from the checklist's page.
const BASICS_TOUR_PAGE: &str = "/settings";

async fn unlock_an_item_with_a_tour(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(
            BASICS_TOUR_ID,
            BASICS_TOUR_PAGE,
            "The basics of settings",
        ))
        .await?;
    world
        .admin_api
        .create_and_publish_flow(&gated_checklist(GATED_CHECKLIST_ID, BASICS_TOUR_ID))
        .await?;
    let user_id = world.fresh_user_id("checklist-gated");
    open_host_as_on_plan(world, &user_id, CHECKLIST_PAGE, "pro").await?;
    let client = world.client();

    open_checklist(client, GATED_CHECKLIST_ID).await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(gated::BASICS),
        "data-state",
        "open",
        STEP_TIMEOUT,
    )
    .await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(gated::ADVANCED),
        "data-state",
        "locked",
        STEP_TIMEOUT,
    )
    .await?;
    let locked_ticks = widget_elements(
        client,
        &surfaces::checklist_item_button(gated::ADVANCED, "tick"),
    )
    .await?;
    ensure!(
        locked_ticks.iter().all(|button| !button.is_visible()),
        "a locked item must offer no tick button: {locked_ticks:?}"
    );

    // Complete the prerequisite tour.
    click_host_element(client, host::NAV_SETTINGS).await?;
    wait_for_path(client, BASICS_TOUR_PAGE).await?;
    wait_for_visible_step(client, "only-step").await?;
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    wait_for_stored_event(&world.admin_api, &user_id, "flow_completed", |event| {
        is_lifecycle_event(event, BASICS_TOUR_ID, "flow_completed", None)
    })
    .await?;

    // Back on the checklist's page, the item is open.
    open_host_as_on_plan(world, &user_id, CHECKLIST_PAGE, "pro").await?;
    open_checklist(client, GATED_CHECKLIST_ID).await?;
    wait_for_widget_attribute(
        client,
        &surfaces::checklist_item(gated::ADVANCED),
        "data-state",
        "open",
        STEP_TIMEOUT,
    )
    .await?;
    wait_for_widget_element(
        client,
        &surfaces::checklist_item_button(gated::ADVANCED, "tick"),
        "the unlocked manual item offers its tick button",
    )
    .await?;
    check_no_page_errors(client).await
}
