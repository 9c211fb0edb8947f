//! A host page whose global stylesheet fights every embedded widget (`all: unset !important` on
//! everything, maximal z-index overlays) under a strict Content-Security-Policy: the step still
//! renders, visible, on top, next to its target, in its own styles, and its events still arrive.

use anyhow::{Context, ensure};
use tests::actions::{click_step_button, open_hostile_host_as};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, check_no_content_security_policy_violations, check_no_page_errors,
    check_step_is_next_to_target, check_step_is_on_top, counts_for_one_completion,
    page_element_rectangle, step_title_style, wait_for_exact_lifecycle_counts,
    wait_for_no_visible_step, wait_for_visible_step,
};
use tests::fixture_host::HOSTILE_HOST_PATH;
use tests::flows::single_tooltip_flow;
use tests::locators::hostile_host;
use tests::world::World;

const FLOW_ID: &str = "hostile-host-tooltip";
const STEP_ID: &str = "pointer";

#[tokio::test]
async fn a_tooltip_renders_next_to_its_target_on_a_hostile_host_with_a_strict_csp()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(show_a_tooltip_on_the_hostile_host(world))).await
}

async fn show_a_tooltip_on_the_hostile_host(world: &mut World) -> anyhow::Result<()> {
    let flow = single_tooltip_flow(FLOW_ID, HOSTILE_HOST_PATH, hostile_host::TARGET, "bottom");
    world.admin_api.create_and_publish_flow(&flow).await?;
    let user_id = world.fresh_user_id("hostile-host");
    open_hostile_host_as(world, &user_id).await?;
    let client = world.client();

    let step = wait_for_visible_step(client, STEP_ID).await?;
    ensure!(
        step.kind.as_deref() == Some("tooltip"),
        "expected a tooltip, got {step:?}"
    );
    let placement = step
        .placement
        .clone()
        .context("the tooltip has no data-placement")?;
    let target = page_element_rectangle(client, hostile_host::TARGET).await?;
    check_step_is_next_to_target(&step.rectangle, &target, &placement)?;
    check_step_is_on_top(client).await?;

    let title_style = step_title_style(client).await?;
    let leaked = [
        ("color", "rgb(255, 0, 255)"),
        ("text-transform", "uppercase"),
    ]
    .into_iter()
    .filter(|(property, hostile_value)| {
        title_style.get(*property).map(String::as_str) == Some(*hostile_value)
    })
    .chain(
        title_style
            .get("font-family")
            .filter(|family| family.contains("Comic Sans"))
            .map(|_| ("font-family", "Comic Sans MS")),
    )
    .collect::<Vec<_>>();
    ensure!(
        leaked.is_empty(),
        "the host's inherited styles leaked into the step title: {leaked:?} (computed {title_style:?})"
    );

    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    check_no_page_errors(client).await?;
    check_no_content_security_policy_violations(client).await?;
    let expected = counts_for_one_completion(&[STEP_ID]);
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        FLOW_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    Ok(())
}
