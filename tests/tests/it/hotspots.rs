//! Hotspots (docs/patterns.md): a pulsing beacon on its target for the flow's audience only; a
//! keyboard user tabs to it, opens its tooltip with Enter, closes it back to the beacon with Esc,
//! and completes it with "Got it", after which it never returns; and a hotspot behind a
//! prerequisite tour stays away until the tour is completed.

use anyhow::ensure;
use fantoccini::key::Key;
use serde_json::json;
use tests::actions::{
    click_host_element, click_step_button, open_host_as_on_plan, press_key, reload, tab_to,
};
use tests::checks::{
    STEP_TIMEOUT, check_no_page_errors, check_step_is_accessible, check_widget_element_never_shows,
    check_widget_surface_is_accessible, is_lifecycle_event, lifecycle_counts,
    page_element_rectangle, wait_for_eligibility, wait_for_focus_on, wait_for_no_visible_step,
    wait_for_path, wait_for_stored_event, wait_for_visible_step, wait_for_widget_attribute,
    wait_for_widget_element, wait_for_widget_element_gone, wait_for_widget_ready,
};
use tests::flows::{hotspot_flow, pro_plan_audience, single_modal_tour};
use tests::locators::{host, step_of_kind, step_of_kind_button, surfaces};
use tests::world::World;

const HOTSPOT_ID: &str = "new-project-hotspot";
const HOTSPOT_TITLE: &str = "Start here";
const HOTSPOT_PAGE: &str = "/projects";
const HOTSPOT_TARGET: &str = host::NEW_PROJECT;
/// How far the beacon may sit from its target's box (it may hang over a corner).
const BEACON_REACH_PX: f64 = 24.0;

fn audience_hotspot() -> serde_json::Value {
    let mut flow = hotspot_flow(HOTSPOT_ID, HOTSPOT_PAGE, HOTSPOT_TARGET, HOTSPOT_TITLE);
    flow["audience"] = pro_plan_audience();
    flow
}

#[tokio::test]
async fn a_hotspot_beacon_shows_on_its_target_for_its_audience_only() -> anyhow::Result<()> {
    World::run(|world| Box::pin(show_the_beacon_to_the_audience_only(world))).await
}

async fn show_the_beacon_to_the_audience_only(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&audience_hotspot())
        .await?;
    let client = world.client();

    let pro_user = world.fresh_user_id("hotspot-pro");
    open_host_as_on_plan(world, &pro_user, HOTSPOT_PAGE, "pro").await?;
    let beacon = wait_for_widget_element(
        client,
        &surfaces::beacon(HOTSPOT_ID),
        "the hotspot's beacon shows",
    )
    .await?;
    let target = page_element_rectangle(client, HOTSPOT_TARGET).await?;
    let (beacon_box, reach) = (beacon.rectangle, BEACON_REACH_PX);
    ensure!(
        beacon_box.left < target.right + reach
            && beacon_box.right > target.left - reach
            && beacon_box.top < target.bottom + reach
            && beacon_box.bottom > target.top - reach,
        "the beacon should sit on its target {target:?}, it is at {beacon_box:?}"
    );
    ensure!(
        beacon.attribute("aria-label") == Some(&format!("Open tip: {HOTSPOT_TITLE}")[..]),
        "the beacon's label should name the tip: {}",
        beacon.describe()
    );
    // A hotspot waits for the user: no tooltip until the beacon is used.
    check_widget_element_never_shows(
        client,
        &step_of_kind("hotspot"),
        "before the beacon is used",
    )
    .await?;

    let free_user = world.fresh_user_id("hotspot-free");
    open_host_as_on_plan(world, &free_user, HOTSPOT_PAGE, "free").await?;
    wait_for_widget_ready(client).await?;
    check_widget_element_never_shows(
        client,
        surfaces::BEACON,
        "a free-plan user outside the hotspot's audience",
    )
    .await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_hotspot_works_with_the_keyboard_and_never_returns_once_done() -> anyhow::Result<()> {
    World::run(|world| Box::pin(use_the_hotspot_by_keyboard(world))).await
}

async fn use_the_hotspot_by_keyboard(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&audience_hotspot())
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("hotspot-keyboard");
    open_host_as_on_plan(world, &user_id, HOTSPOT_PAGE, "pro").await?;
    let client = world.client();
    let beacon = surfaces::beacon(HOTSPOT_ID);
    let tooltip = step_of_kind("hotspot");

    wait_for_widget_attribute(client, &beacon, "aria-expanded", "false", STEP_TIMEOUT).await?;
    check_widget_surface_is_accessible(client, &axe_source, &beacon, "hotspot beacon").await?;
    tab_to(client, &beacon).await?;
    press_key(client, Key::Enter).await?;
    let step = wait_for_visible_step(client, "beacon").await?;
    ensure!(
        step.kind.as_deref() == Some("hotspot") && step.role.as_deref() == Some("dialog"),
        "Enter on the beacon should open the hotspot's tooltip, got {step:?}"
    );
    wait_for_widget_attribute(client, &beacon, "aria-expanded", "true", STEP_TIMEOUT).await?;
    check_step_is_accessible(client, &axe_source, "hotspot tooltip").await?;

    // Esc closes the tooltip back to the beacon: not a dismissal.
    press_key(client, Key::Escape).await?;
    wait_for_widget_element_gone(client, &tooltip, "Esc closes the hotspot's tooltip").await?;
    wait_for_widget_attribute(client, &beacon, "aria-expanded", "false", STEP_TIMEOUT).await?;
    wait_for_focus_on(client, &beacon, "focus returns to the beacon after Esc").await?;

    // Enter again, then "Got it" by keyboard completes the hotspot.
    press_key(client, Key::Enter).await?;
    wait_for_visible_step(client, "beacon").await?;
    tab_to(client, &step_of_kind_button("hotspot", "next")).await?;
    press_key(client, Key::Enter).await?;
    wait_for_no_visible_step(client).await?;
    wait_for_widget_element_gone(client, &beacon, "the beacon goes once the hotspot is done")
        .await?;
    check_no_page_errors(client).await?;

    let events = wait_for_stored_event(&world.admin_api, &user_id, "flow_completed", |event| {
        is_lifecycle_event(event, HOTSPOT_ID, "flow_completed", None)
    })
    .await?;
    let counts = lifecycle_counts(&events, HOTSPOT_ID);
    ensure!(
        !counts.contains_key("flow_dismissed") && counts.get("flow_completed") == Some(&1),
        "Esc must not dismiss the hotspot, and Got it completes it once: {counts:?}"
    );

    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_widget_element_never_shows(client, surfaces::BEACON, "after the hotspot was completed")
        .await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_hotspot_behind_a_tour_appears_only_once_the_tour_is_completed() -> anyhow::Result<()> {
    World::run(|world| Box::pin(unlock_the_hotspot_with_a_tour(world))).await
}

const BASICS_TOUR_ID: &str = "basics-tour";
const BASICS_TOUR_PAGE: &str = "/settings";

async fn unlock_the_hotspot_with_a_tour(world: &mut World) -> anyhow::Result<()> {
    // Two automatic items in a row: this scenario is not about the fatigue budget.
    world
        .admin_api
        .change_settings(|settings| {
            settings["fatigue"] = json!({
                "max_per_session": 0,
                "cooldown_seconds": 0,
                "session_timeout_minutes": 30,
            });
        })
        .await?;
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(
            BASICS_TOUR_ID,
            BASICS_TOUR_PAGE,
            "The basics of settings",
        ))
        .await?;
    let mut hotspot = hotspot_flow(HOTSPOT_ID, HOTSPOT_PAGE, HOTSPOT_TARGET, HOTSPOT_TITLE);
    hotspot["requires"] = json!({ "completed": BASICS_TOUR_ID });
    world.admin_api.create_and_publish_flow(&hotspot).await?;

    let user_id = world.fresh_user_id("hotspot-gated");
    open_host_as_on_plan(world, &user_id, HOTSPOT_PAGE, "pro").await?;
    let client = world.client();
    wait_for_widget_ready(client).await?;
    check_widget_element_never_shows(client, surfaces::BEACON, "before the basics tour is done")
        .await?;
    let why = wait_for_eligibility(
        &world.admin_api,
        &user_id,
        HOTSPOT_PAGE,
        HOTSPOT_ID,
        |item| {
            if item.status == "blocked"
                && item.reason.as_deref() == Some("prerequisite_missing")
                && item
                    .detail
                    .as_deref()
                    .is_some_and(|detail| detail.contains(BASICS_TOUR_ID))
            {
                Ok(())
            } else {
                Err("expected blocked by prerequisite_missing naming the tour".to_string())
            }
        },
    )
    .await?;
    ensure!(
        why.kind == "hotspot",
        "the admin should call the flow a hotspot: {why:?}"
    );

    click_host_element(client, host::NAV_SETTINGS).await?;
    wait_for_path(client, BASICS_TOUR_PAGE).await?;
    wait_for_visible_step(client, "only-step").await?;
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    wait_for_stored_event(&world.admin_api, &user_id, "flow_completed", |event| {
        is_lifecycle_event(event, BASICS_TOUR_ID, "flow_completed", None)
    })
    .await?;

    open_host_as_on_plan(world, &user_id, HOTSPOT_PAGE, "pro").await?;
    wait_for_widget_element(
        client,
        &surfaces::beacon(HOTSPOT_ID),
        "the hotspot's beacon shows once the tour is completed",
    )
    .await?;
    check_no_page_errors(client).await
}
