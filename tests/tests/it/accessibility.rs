//! axe-core, injected into the real page, finds no violation on the welcome modal nor on a tooltip.

use tests::actions::{click_step_button, open_host_as};
use tests::checks::{check_step_is_accessible, wait_for_visible_step};
use tests::locators::welcome_tour;
use tests::world::World;

#[tokio::test]
async fn axe_core_finds_no_violation_on_the_modal_and_on_a_tooltip() -> anyhow::Result<()> {
    World::run(|world| Box::pin(check_modal_and_tooltip_with_axe(world))).await
}

async fn check_modal_and_tooltip_with_axe(world: &mut World) -> anyhow::Result<()> {
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("accessibility");
    open_host_as(world, &user_id, "/").await?;
    let client = world.client();

    wait_for_visible_step(client, welcome_tour::WELCOME).await?;
    check_step_is_accessible(client, &axe_source, "welcome modal").await?;

    click_step_button(client, "next").await?;
    wait_for_visible_step(client, welcome_tour::PROJECTS_NAV).await?;
    check_step_is_accessible(client, &axe_source, "tooltip on #nav-projects").await
}
