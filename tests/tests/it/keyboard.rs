//! Keyboard-only use: when the welcome modal opens, focus moves into it, Tab reaches its buttons
//! and Enter presses them, and Tab cannot leave it, as for any WAI-ARIA modal dialog; a tooltip
//! does not hold focus, and Esc closes the step and hands focus back to the page.

use anyhow::ensure;
use fantoccini::key::Key;
use tests::actions::{open_host_as, press_key, press_key_with_shift};
use tests::checks::{
    deep_focus, wait_for_focus_in_step, wait_for_no_visible_step, wait_for_visible_step,
};
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
    wait_for_focus_in_step(client).await?;

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

#[tokio::test]
async fn tab_cycles_inside_the_welcome_modal_but_leaves_a_tooltip() -> anyhow::Result<()> {
    World::run(|world| Box::pin(cycle_tab_inside_the_modal(world))).await
}

async fn cycle_tab_inside_the_modal(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("focus-trap");
    open_host_as(world, &user_id, "/").await?;
    let client = world.client();
    wait_for_visible_step(client, welcome_tour::WELCOME).await?;
    let count = wait_for_focus_in_step(client).await?.control_count;
    ensure!(
        count >= 2,
        "the welcome modal should have several controls to cycle through, found {count}"
    );

    // Twice round and one more: every control, the wrap from the last to the first, and again.
    let mut previous = None;
    let mut wrapped = false;
    for press in 1..=2 * count + 1 {
        press_key(client, Key::Tab).await?;
        let focus = deep_focus(client).await?;
        ensure!(
            focus.in_widget_root && focus.inside_step && focus.control_index.is_some(),
            "Tab press {press} moved focus out of the modal's controls, to {focus:?}"
        );
        if previous == Some(count - 1) {
            ensure!(
                focus.control_index == Some(0),
                "Tab from the modal's last control should go to its first, went to {focus:?}"
            );
            wrapped = true;
        }
        previous = focus.control_index;
    }
    ensure!(wrapped, "Tab never went past the modal's last control");

    // After 2n+1 presses from the card focus is back on the first control.
    let first = deep_focus(client).await?;
    ensure!(
        first.control_index == Some(0),
        "focus should be on the modal's first control, is on {first:?}"
    );
    press_key_with_shift(client, Key::Tab).await?;
    let last = deep_focus(client).await?;
    ensure!(
        last.in_widget_root && last.inside_step && last.control_index == Some(count - 1),
        "Shift+Tab from the modal's first control should go to its last, went to {last:?}"
    );

    // The last control is `next`: Enter opens the projects-nav tooltip, which must not trap.
    ensure!(
        last.action.as_deref() == Some("next"),
        "the modal's last control should be its `next` button, is {last:?}"
    );
    press_key(client, Key::Enter).await?;
    wait_for_visible_step(client, welcome_tour::PROJECTS_NAV).await?;
    wait_for_focus_in_step(client).await?;
    press_key(client, Key::Tab).await?;
    let close = deep_focus(client).await?;
    ensure!(
        close.inside_step && close.control_index == Some(0),
        "Tab in the tooltip should reach its first control, went to {close:?}"
    );
    press_key_with_shift(client, Key::Tab).await?;
    let outside = deep_focus(client).await?;
    ensure!(
        !outside.in_widget_root && !outside.inside_step,
        "Shift+Tab from a tooltip's first control should go back to the host page, went to {outside:?}"
    );

    // Esc still closes the step (the tour) and focus stays with the page.
    press_key(client, Key::Escape).await?;
    wait_for_no_visible_step(client).await?;
    let after = deep_focus(client).await?;
    ensure!(
        !after.in_widget_root,
        "focus should be back on the host page after Esc, is on {after:?}"
    );
    Ok(())
}
