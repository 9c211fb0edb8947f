//! Keyboard-only use: when the welcome modal opens, focus moves into it, Tab reaches its buttons
//! and Enter presses them, as for any WAI-ARIA dialog.

use anyhow::ensure;
use fantoccini::key::Key;
use tests::actions::{open_host_as, press_key};
use tests::checks::{Observation, STEP_TIMEOUT, deep_focus, wait_for_visible_step, wait_until};
use tests::locators::welcome_tour;
use tests::world::World;

/// More Tab presses than the modal has controls: enough to reach any of them.
const MOST_TABS_TO_A_BUTTON: usize = 12;

#[tokio::test]
async fn the_welcome_modal_works_with_the_keyboard_alone() -> anyhow::Result<()> {
    World::run(|world| Box::pin(advance_the_modal_by_keyboard(world))).await
}

async fn advance_the_modal_by_keyboard(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("keyboard");
    open_host_as(world, &user_id, "/").await?;
    let client = world.client();
    wait_for_visible_step(client, welcome_tour::WELCOME).await?;
    wait_until(
        "focus moves into the welcome modal",
        STEP_TIMEOUT,
        async || {
            let focus = deep_focus(client).await?;
            Ok(if focus.inside_step {
                Observation::Ready(())
            } else {
                Observation::NotYet(format!("{focus:?}"))
            })
        },
    )
    .await?;

    let mut tabs = 0;
    while deep_focus(client).await?.action.as_deref() != Some("next") {
        ensure!(
            tabs < MOST_TABS_TO_A_BUTTON,
            "{tabs} Tab presses never reached the `next` button; focus is on {:?}",
            deep_focus(client).await?
        );
        press_key(client, Key::Tab).await?;
        let focus = deep_focus(client).await?;
        ensure!(
            focus.inside_step,
            "Tab moved focus out of the modal dialog, to {focus:?}"
        );
        tabs += 1;
    }
    press_key(client, Key::Enter).await?;
    wait_for_visible_step(client, welcome_tour::PROJECTS_NAV).await?;
    Ok(())
}
