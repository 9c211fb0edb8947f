//! Announcements (docs/patterns.md): a modal with an image, a slide-out in the bottom corner, a
//! top banner that pushes the host page down (and gives the space back), and a bottom banner that
//! overlays it. Each is accessible, closes from the keyboard, and stays closed after a reload.

use anyhow::ensure;
use fantoccini::key::Key;
use tests::actions::{open_host_as, press_key, reload, tab_to};
use tests::checks::{
    WidgetElement, check_near_viewport_edge, check_no_page_errors, check_step_is_accessible,
    check_widget_element_never_shows, host_root_padding, is_lifecycle_event,
    page_element_rectangle, wait_for_host_root_padding, wait_for_no_visible_step,
    wait_for_stored_event, wait_for_visible_step, wait_for_widget_element,
    wait_for_widget_element_gone, wait_for_widget_element_settled, wait_for_widget_image_loaded,
    wait_for_widget_ready,
};
use tests::flows::{banner_announcement, modal_announcement_with_image, slideout_announcement};
use tests::locators::{STEP, step_of_kind, step_of_kind_button, surfaces};
use tests::world::World;

/// Not `/`, where the seeded welcome tour starts.
const ANNOUNCEMENT_PAGE: &str = "/settings";
const FLOW_ID: &str = "announcement";
/// The demo host's stylesheet gives `<html>` no padding (`html, body { margin: 0 }` only).
const HOST_ROOT_PADDING_PX: f64 = 0.0;
/// How far from the viewport's edge a corner surface may sit (its margin).
const CORNER_MARGIN_PX: f64 = 48.0;

#[tokio::test]
async fn a_modal_announcement_shows_its_image_and_esc_closes_it_for_good() -> anyhow::Result<()> {
    World::run(|world| Box::pin(show_and_close_the_modal(world))).await
}

async fn show_and_close_the_modal(world: &mut World) -> anyhow::Result<()> {
    const IMAGE_ALT: &str = "The Tasklane logo";
    world
        .admin_api
        .create_and_publish_flow(&modal_announcement_with_image(
            FLOW_ID,
            ANNOUNCEMENT_PAGE,
            IMAGE_ALT,
        ))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("announce-modal");
    open_host_as(world, &user_id, ANNOUNCEMENT_PAGE).await?;
    let client = world.client();

    let step = wait_for_visible_step(client, "announce").await?;
    ensure!(
        step.kind.as_deref() == Some("modal") && step.placement.as_deref() == Some("center"),
        "expected a centred modal, got {step:?}"
    );
    let alt = wait_for_widget_image_loaded(client, surfaces::MEDIA_IMAGE).await?;
    ensure!(
        alt.as_deref() == Some(IMAGE_ALT),
        "the announcement's image should carry its alt text, has {alt:?}"
    );
    check_step_is_accessible(client, &axe_source, "modal announcement with an image").await?;

    press_key(client, Key::Escape).await?;
    wait_for_no_visible_step(client).await?;
    check_dismissal_is_remembered(world, &user_id, &step_of_kind("modal")).await
}

#[tokio::test]
async fn a_slideout_announcement_sits_in_its_corner_and_closes_from_the_keyboard()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(show_and_close_the_slideout(world))).await
}

async fn show_and_close_the_slideout(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&slideout_announcement(FLOW_ID, ANNOUNCEMENT_PAGE, "right"))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("announce-slideout");
    open_host_as(world, &user_id, ANNOUNCEMENT_PAGE).await?;
    let client = world.client();

    let slideout = wait_for_widget_element(
        client,
        &step_of_kind("slideout"),
        "the slide-out announcement shows",
    )
    .await?;
    ensure!(
        slideout.attribute("role") == Some("dialog")
            && slideout.attribute("aria-modal") != Some("true"),
        "a slide-out is a non-modal dialog: {}",
        slideout.describe()
    );
    let settled = wait_for_widget_element_settled(client, &step_of_kind("slideout")).await?;
    check_near_viewport_edge(client, &settled.rectangle, "bottom_right", CORNER_MARGIN_PX).await?;
    check_step_is_accessible(client, &axe_source, "slide-out announcement").await?;

    tab_to(client, &step_of_kind_button("slideout", "dismiss")).await?;
    press_key(client, Key::Enter).await?;
    wait_for_widget_element_gone(client, STEP, "the slide-out closes").await?;
    check_dismissal_is_remembered(world, &user_id, &step_of_kind("slideout")).await
}

#[tokio::test]
async fn a_top_banner_pushes_the_page_down_and_gives_the_space_back() -> anyhow::Result<()> {
    World::run(|world| Box::pin(push_and_close_the_top_banner(world))).await
}

async fn push_and_close_the_top_banner(world: &mut World) -> anyhow::Result<()> {
    const TITLE: &str = "Maintenance this weekend";
    world
        .admin_api
        .create_and_publish_flow(&banner_announcement(
            FLOW_ID,
            ANNOUNCEMENT_PAGE,
            "top",
            true,
            TITLE,
        ))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("announce-top-banner");
    open_host_as(world, &user_id, ANNOUNCEMENT_PAGE).await?;
    let client = world.client();

    wait_for_banner(client, TITLE, "top", "true").await?;
    let banner = wait_for_widget_element_settled(client, &step_of_kind("banner")).await?;
    check_near_viewport_edge(client, &banner.rectangle, "top", 0.0).await?;
    wait_for_host_root_padding(client, "top", banner.rectangle.height).await?;
    // Pushed, not covered: the host's header starts below the banner.
    let header = page_element_rectangle(client, "header.topbar").await?;
    ensure!(
        header.top >= banner.rectangle.bottom - 1.0,
        "the banner covers the host's header: banner {:?}, header {header:?}",
        banner.rectangle
    );
    check_step_is_accessible(client, &axe_source, "top banner").await?;

    tab_to(client, &step_of_kind_button("banner", "dismiss")).await?;
    press_key(client, Key::Enter).await?;
    wait_for_widget_element_gone(client, &step_of_kind("banner"), "the banner closes").await?;
    wait_for_host_root_padding(client, "top", HOST_ROOT_PADDING_PX).await?;
    check_dismissal_is_remembered(world, &user_id, &step_of_kind("banner")).await?;
    let (top, bottom) = host_root_padding(world.client()).await?;
    ensure!(
        top == HOST_ROOT_PADDING_PX && bottom == HOST_ROOT_PADDING_PX,
        "with no banner the host's <html> padding should be its own again, is top {top}px bottom {bottom}px"
    );
    Ok(())
}

#[tokio::test]
async fn a_bottom_banner_overlays_the_page_and_esc_closes_it_for_good() -> anyhow::Result<()> {
    World::run(|world| Box::pin(overlay_and_close_the_bottom_banner(world))).await
}

async fn overlay_and_close_the_bottom_banner(world: &mut World) -> anyhow::Result<()> {
    const TITLE: &str = "We have updated our terms";
    world
        .admin_api
        .create_and_publish_flow(&banner_announcement(
            FLOW_ID,
            ANNOUNCEMENT_PAGE,
            "bottom",
            false,
            TITLE,
        ))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("announce-bottom-banner");
    open_host_as(world, &user_id, ANNOUNCEMENT_PAGE).await?;
    let client = world.client();

    let banner = wait_for_banner(client, TITLE, "bottom", "false").await?;
    let settled = wait_for_widget_element_settled(client, &step_of_kind("banner")).await?;
    check_near_viewport_edge(client, &settled.rectangle, "bottom", 0.0).await?;
    let (top, bottom) = host_root_padding(client).await?;
    ensure!(
        top == HOST_ROOT_PADDING_PX && bottom == HOST_ROOT_PADDING_PX,
        "an overlay banner must leave the host's layout alone, <html> padding is top {top}px bottom {bottom}px ({})",
        banner.describe()
    );
    check_step_is_accessible(client, &axe_source, "bottom banner").await?;

    // Esc from inside the banner closes it.
    tab_to(client, &step_of_kind_button("banner", "dismiss")).await?;
    press_key(client, Key::Escape).await?;
    wait_for_widget_element_gone(client, &step_of_kind("banner"), "Esc closes the banner").await?;
    check_dismissal_is_remembered(world, &user_id, &step_of_kind("banner")).await
}

/// Waits for the banner and checks its contract: a labelled region (not a dialog) at `placement`,
/// pushing the page or not.
async fn wait_for_banner(
    client: &fantoccini::Client,
    title: &str,
    placement: &str,
    push: &str,
) -> anyhow::Result<WidgetElement> {
    let banner =
        wait_for_widget_element(client, &step_of_kind("banner"), "the banner shows").await?;
    let expected = [
        ("role", "region"),
        ("aria-label", title),
        ("data-placement", placement),
        ("data-push", push),
    ];
    for (attribute, value) in expected {
        ensure!(
            banner.attribute(attribute) == Some(value),
            "the banner should have {attribute}={value:?}: {}",
            banner.describe()
        );
    }
    Ok(banner)
}

/// The dismissal is stored, and after a reload the announcement does not come back.
async fn check_dismissal_is_remembered(
    world: &World,
    user_id: &str,
    surface: &str,
) -> anyhow::Result<()> {
    wait_for_stored_event(&world.admin_api, user_id, "flow_dismissed", |event| {
        is_lifecycle_event(event, FLOW_ID, "flow_dismissed", None)
    })
    .await?;
    let client = world.client();
    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_widget_element_never_shows(client, surface, "after a reload, once dismissed").await?;
    check_no_page_errors(client).await
}
