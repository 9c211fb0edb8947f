//! Host pages where the popular tour libraries break (tests/fixtures/hard-hosts/): a target in a
//! modal `<dialog>`, in an open shadow root, in a same-origin iframe, under transformed and
//! filtered ancestors, on a right-to-left page, on a phone-sized viewport, deep in a nested scroll
//! container under a fixed header, and one that appears late. Each step must still show, visible,
//! on top, next to its target, and complete with exactly its lifecycle events.

use std::time::Duration;

use anyhow::{Context, ensure};
use serde_json::json;
use tests::actions::{click_host_element, click_step_button, open_url};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, StepSnapshot, check_no_page_errors, check_no_step_viewed_yet,
    check_page_element_is_uncovered, check_step_is_next_to_target, check_step_is_on_top,
    counts_for_one_completion, page_element_rectangle, step_title_style,
    wait_for_exact_lifecycle_counts, wait_for_no_visible_step, wait_for_step_on_top,
    wait_for_visible_step, wait_for_widget_ready,
};
use tests::fixture_host::hard_host_path;
use tests::flows::single_tooltip_flow;
use tests::locators::hard_host::{self, Page};
use tests::world::World;

/// The only step of `single_tooltip_flow`.
const STEP_ID: &str = "pointer";

/// Publishes a one-tooltip flow on `page`'s target and opens the page as a fresh user, returned.
async fn open_with_a_tooltip_flow(
    world: &World,
    (name, target): Page,
    placement: &str,
) -> anyhow::Result<String> {
    let flow = single_tooltip_flow(&flow_id(name), &hard_host_path(name), target, placement);
    world.admin_api.create_and_publish_flow(&flow).await?;
    let user_id = world.fresh_user_id(&format!("hard-host-{name}"));
    open_url(world.client(), &world.hard_host_url(name, &user_id)).await?;
    Ok(user_id)
}

/// Waits for the tooltip step to be visible.
async fn wait_for_visible_tooltip(world: &World) -> anyhow::Result<StepSnapshot> {
    let step = wait_for_visible_step(world.client(), STEP_ID).await?;
    ensure!(
        step.kind.as_deref() == Some("tooltip"),
        "expected a tooltip, got {step:?}"
    );
    Ok(step)
}

/// Publishes a one-tooltip flow on `page`'s target, opens the page as a fresh user, and waits
/// for the tooltip; returns the user and the visible step.
async fn show_tooltip_on(
    world: &World,
    page: Page,
    placement: &str,
) -> anyhow::Result<(String, StepSnapshot)> {
    let user_id = open_with_a_tooltip_flow(world, page, placement).await?;
    let step = wait_for_visible_tooltip(world).await?;
    Ok((user_id, step))
}

fn flow_id(name: &str) -> String {
    format!("hard-host-{name}")
}

/// Checks the tooltip sits next to `page`'s target (on the side it reports) and is topmost.
async fn check_tooltip_next_to_target(
    world: &World,
    step: &StepSnapshot,
    (_, target): Page,
) -> anyhow::Result<()> {
    let client = world.client();
    let placement = step
        .placement
        .clone()
        .context("the tooltip has no data-placement")?;
    let target = page_element_rectangle(client, target).await?;
    check_step_is_next_to_target(&step.rectangle, &target, &placement)?;
    check_step_is_on_top(client).await
}

/// Presses the tooltip's Next button with a real click; the flow completes with exactly one
/// start, view and completion (no `step_target_missing`, no duplicates) and no page error.
async fn finish_with_a_click(world: &World, user_id: &str, (name, _): Page) -> anyhow::Result<()> {
    let client = world.client();
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    check_no_page_errors(client).await?;
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        user_id,
        &flow_id(name),
        &counts_for_one_completion(&[STEP_ID]),
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    Ok(())
}

/// The common scenario: shown with `placement`, next to the target, on top, completed by a click.
async fn tooltip_next_to_its_target(
    world: &World,
    page: Page,
    placement: &str,
) -> anyhow::Result<()> {
    let (user_id, step) = show_tooltip_on(world, page, placement).await?;
    check_tooltip_next_to_target(world, &step, page).await?;
    finish_with_a_click(world, &user_id, page).await
}

#[tokio::test]
async fn a_tooltip_on_a_target_inside_a_modal_dialog_is_on_top_and_clickable() -> anyhow::Result<()>
{
    World::run(|world| {
        Box::pin(async move {
            let (user_id, step) = show_tooltip_on(world, hard_host::DIALOG, "bottom").await?;
            let client = world.client();
            let in_top_layer = client
                .execute(
                    "return !!document.querySelector('#settings-dialog:modal');",
                    vec![],
                )
                .await?;
            ensure!(
                in_top_layer == true,
                "the host's dialog should be open as a modal"
            );
            check_tooltip_next_to_target(world, &step, hard_host::DIALOG).await?;
            finish_with_a_click(world, &user_id, hard_host::DIALOG).await
        })
    })
    .await
}

#[tokio::test]
async fn a_tooltip_follows_its_target_into_a_modal_dialog_a_person_opens_later()
-> anyhow::Result<()> {
    World::run(|world| {
        Box::pin(async move {
            let page = hard_host::DIALOG_OPENED_LATER;
            let user_id = open_with_a_tooltip_flow(world, page, "bottom").await?;
            let client = world.client();
            wait_for_widget_ready(client).await?;
            // Let the widget find the target in the closed dialog and render its step first.
            tokio::time::sleep(Duration::from_secs(1)).await;
            // Its target sits in the closed dialog, so nobody has seen the step yet.
            check_no_step_viewed_yet(client).await?;
            click_host_element(client, hard_host::OPEN_DIALOG).await?;
            let step = wait_for_visible_tooltip(world).await?;
            // The dialog opened over the already rendered card: the widget gets back on top of it
            // within its documented delay, then stays there.
            wait_for_step_on_top(client).await?;
            check_tooltip_next_to_target(world, &step, page).await?;
            finish_with_a_click(world, &user_id, page).await
        })
    })
    .await
}

#[tokio::test]
async fn a_tooltip_finds_its_target_inside_an_open_shadow_root() -> anyhow::Result<()> {
    World::run(|world| {
        Box::pin(tooltip_next_to_its_target(
            world,
            hard_host::SHADOW,
            "right",
        ))
    })
    .await
}

#[tokio::test]
async fn a_tooltip_points_at_a_target_inside_a_same_origin_iframe() -> anyhow::Result<()> {
    World::run(|world| {
        Box::pin(tooltip_next_to_its_target(
            world,
            hard_host::IFRAME,
            "bottom",
        ))
    })
    .await
}

#[tokio::test]
async fn a_tooltip_stays_next_to_a_target_under_transformed_and_filtered_ancestors()
-> anyhow::Result<()> {
    World::run(|world| {
        Box::pin(tooltip_next_to_its_target(
            world,
            hard_host::TRANSFORMED,
            "right",
        ))
    })
    .await
}

#[tokio::test]
async fn a_right_placed_tooltip_is_mirrored_and_right_to_left_on_an_rtl_page() -> anyhow::Result<()>
{
    World::run(|world| {
        Box::pin(async move {
            let (user_id, step) = show_tooltip_on(world, hard_host::RTL, "right").await?;
            // widget/src/position.rs: `left`/`right` are mirrored on right-to-left pages.
            ensure!(
                step.placement.as_deref() == Some("left"),
                "a `right` tooltip on an rtl page should be placed on the left, got {:?}",
                step.placement
            );
            check_tooltip_next_to_target(world, &step, hard_host::RTL).await?;
            let direction = step_title_style(world.client())
                .await?
                .get("direction")
                .cloned();
            ensure!(
                direction.as_deref() == Some("rtl"),
                "the step's text should run right to left, its direction is {direction:?}"
            );
            finish_with_a_click(world, &user_id, hard_host::RTL).await
        })
    })
    .await
}

#[tokio::test]
async fn a_tooltip_fits_inside_a_375px_phone_viewport() -> anyhow::Result<()> {
    const PHONE_WIDTH: f64 = 375.0;
    World::run(|world| {
        Box::pin(async move {
            world
                .browser()
                .devtools(
                    "Emulation.setDeviceMetricsOverride",
                    json!({ "width": 375, "height": 667, "deviceScaleFactor": 2, "mobile": true }),
                )
                .await?;
            // `right` has no room at the right edge, nor `left` for the card: the widget must
            // pick another side and keep the card inside the screen.
            let (user_id, step) = show_tooltip_on(world, hard_host::MOBILE, "right").await?;
            let client = world.client();
            let width = client
                .execute("return document.documentElement.clientWidth;", vec![])
                .await?;
            ensure!(
                width.as_f64() == Some(PHONE_WIDTH),
                "the emulated viewport should be {PHONE_WIDTH}px wide, it is {width}"
            );
            let card = step.rectangle;
            ensure!(
                card.left >= 0.0 && card.right <= PHONE_WIDTH,
                "the tooltip should fit in the {PHONE_WIDTH}px viewport, it spans {} to {}",
                card.left,
                card.right
            );
            check_tooltip_next_to_target(world, &step, hard_host::MOBILE).await?;
            finish_with_a_click(world, &user_id, hard_host::MOBILE).await
        })
    })
    .await
}

#[tokio::test]
async fn a_tooltip_scrolls_a_nested_target_into_view_clear_of_a_fixed_header() -> anyhow::Result<()>
{
    World::run(|world| {
        Box::pin(async move {
            let (user_id, step) = show_tooltip_on(world, hard_host::SCROLL, "bottom").await?;
            let (_, target) = hard_host::SCROLL;
            let client = world.client();
            check_page_element_is_uncovered(client, target).await?;
            let header = page_element_rectangle(client, hard_host::FIXED_HEADER).await?;
            ensure!(
                step.rectangle.top >= header.bottom,
                "the tooltip should not sit under the fixed header (tooltip {:?}, header {header:?})",
                step.rectangle
            );
            check_tooltip_next_to_target(world, &step, hard_host::SCROLL).await?;
            finish_with_a_click(world, &user_id, hard_host::SCROLL).await
        })
    })
    .await
}

#[tokio::test]
async fn a_tooltip_waits_for_a_target_that_appears_late() -> anyhow::Result<()> {
    World::run(|world| Box::pin(tooltip_next_to_its_target(world, hard_host::LATE, "bottom"))).await
}
