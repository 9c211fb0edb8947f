//! The resource center (docs/patterns.md): enabled in the app settings, its launcher sits in the
//! configured corner; a keyboard user opens it, searches the help articles and closes it with Esc
//! (focus back on the launcher); it replays a tour and takes feedback through its form, by
//! keyboard, stored with the category, the text and the page.

use anyhow::ensure;
use fantoccini::key::Key;
use serde_json::json;
use tests::actions::{
    click_widget_element, open_host_as, open_resource_center, press_key, replace_text_in_widget,
    tab_to, type_into_widget,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_near_viewport_edge, check_no_page_errors,
    check_step_is_accessible, check_widget_surface_is_accessible, wait_for_focus_inside,
    wait_for_focus_on, wait_for_stored_event, wait_for_visible_step, wait_for_widget_attribute,
    wait_for_widget_element, wait_for_widget_element_gone, wait_until, widget_elements,
};
use tests::flows::replayable_tour;
use tests::locators::surfaces;
use tests::world::World;

const POSITION: &str = "bottom_left";
/// A page without automatic content (the welcome tour starts on `/`).
const PAGE: &str = "/projects";
const REPLAY_TOUR_ID: &str = "projects-replay";
const REPLAY_FIRST_STEP: &str = "projects-first";
/// How far from the viewport's corner the launcher may sit (its margin).
const CORNER_MARGIN_PX: f64 = 48.0;

/// Turns the resource center on in the bottom-left corner with three help articles.
async fn enable_resource_center(world: &World) -> anyhow::Result<()> {
    world
        .admin_api
        .change_settings(|settings| {
            settings["resource_center"] = json!({
                "enabled": true,
                "position": POSITION,
                "title": "Help",
                "feedback": true,
                "articles": [
                    { "id": "invite", "title": "Invite your team", "url": "/settings",
                      "summary": "Add teammates by e-mail." },
                    { "id": "billing", "title": "Billing and invoices", "url": "/settings",
                      "summary": "Download an Invoice or change your plan." },
                    { "id": "work-faster", "title": "Work faster", "url": "/projects",
                      "summary": "Keyboard shortcuts for everything." },
                ],
            });
        })
        .await?;
    world
        .admin_api
        .create_and_publish_flow(&replayable_tour(REPLAY_TOUR_ID, REPLAY_FIRST_STEP))
        .await?;
    Ok(())
}

#[tokio::test]
async fn the_resource_center_works_by_keyboard_searches_articles_and_returns_focus_on_esc()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(use_the_resource_center_by_keyboard(world))).await
}

async fn use_the_resource_center_by_keyboard(world: &mut World) -> anyhow::Result<()> {
    enable_resource_center(world).await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("resource-center-keyboard");
    open_host_as(world, &user_id, PAGE).await?;
    let client = world.client();
    let launcher = surfaces::RESOURCE_LAUNCHER;

    let shown = wait_for_widget_element(client, launcher, "the help launcher shows").await?;
    for (attribute, value) in [
        ("data-position", POSITION),
        ("aria-label", "Help"),
        ("aria-expanded", "false"),
    ] {
        ensure!(
            shown.attribute(attribute) == Some(value),
            "the help launcher should have {attribute}={value:?}: {}",
            shown.describe()
        );
    }
    check_near_viewport_edge(client, &shown.rectangle, POSITION, CORNER_MARGIN_PX).await?;

    tab_to(client, launcher).await?;
    press_key(client, Key::Enter).await?;
    let panel = wait_for_widget_element(
        client,
        surfaces::RESOURCE_CENTER,
        "Enter opens the resource center",
    )
    .await?;
    ensure!(
        panel.attribute("role") == Some("dialog") && panel.attribute("aria-modal") != Some("true"),
        "the resource center is a non-modal dialog: {}",
        panel.describe()
    );
    wait_for_widget_attribute(client, launcher, "aria-expanded", "true", STEP_TIMEOUT).await?;
    wait_for_widget_element(
        client,
        &surfaces::resource_launch(REPLAY_TOUR_ID),
        "the replayable tour is listed under guides",
    )
    .await?;
    wait_for_visible_articles(client, &["invite", "billing", "work-faster"]).await?;
    check_widget_surface_is_accessible(
        client,
        &axe_source,
        surfaces::RESOURCE_CENTER,
        "open resource center",
    )
    .await?;

    // Search matches titles and summaries, case-insensitively.
    tab_to(client, surfaces::RESOURCE_SEARCH).await?;
    replace_text_in_widget(client, surfaces::RESOURCE_SEARCH, "invoice").await?;
    wait_for_visible_articles(client, &["billing"]).await?;
    replace_text_in_widget(client, surfaces::RESOURCE_SEARCH, "SHORTCUTS").await?;
    wait_for_visible_articles(client, &["work-faster"]).await?;
    let links = widget_elements(
        client,
        &format!("{} a[href]", surfaces::resource_article("work-faster")),
    )
    .await?;
    ensure!(
        links.iter().any(|link| link
            .attribute("href")
            .is_some_and(|href| href.ends_with("/projects"))),
        "the article should link to its url: {links:?}"
    );

    // Esc closes the panel and hands focus back to the launcher.
    wait_for_focus_inside(client, surfaces::RESOURCE_CENTER, "focus is in the panel").await?;
    press_key(client, Key::Escape).await?;
    wait_for_widget_element_gone(client, surfaces::RESOURCE_CENTER, "Esc closes the panel").await?;
    wait_for_focus_on(client, launcher, "focus returns to the help launcher").await?;
    wait_for_widget_attribute(client, launcher, "aria-expanded", "false", STEP_TIMEOUT).await?;
    check_no_page_errors(client).await
}

/// Waits until exactly these articles are visible in the panel, in this order.
async fn wait_for_visible_articles(
    client: &fantoccini::Client,
    expected: &[&str],
) -> anyhow::Result<()> {
    wait_until(
        &format!("the resource center lists exactly the articles {expected:?}"),
        STEP_TIMEOUT,
        async || {
            let visible: Vec<String> = widget_elements(client, surfaces::RESOURCE_ARTICLES)
                .await?
                .into_iter()
                .filter(|article| article.is_visible())
                .filter_map(|article| article.attribute("data-article-id").map(str::to_string))
                .collect();
            Ok(if visible == expected {
                Observation::Ready(())
            } else {
                Observation::NotYet(format!("visible articles {visible:?}"))
            })
        },
    )
    .await
}

#[tokio::test]
async fn the_resource_center_takes_feedback_and_replays_a_tour() -> anyhow::Result<()> {
    World::run(|world| Box::pin(take_feedback_and_replay(world))).await
}

async fn take_feedback_and_replay(world: &mut World) -> anyhow::Result<()> {
    enable_resource_center(world).await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("resource-center-replay");
    open_host_as(world, &user_id, PAGE).await?;
    let client = world.client();

    open_resource_center(client).await?;
    click_widget_element(client, surfaces::RESOURCE_FEEDBACK).await?;
    wait_for_stored_event(
        &world.admin_api,
        &user_id,
        "feedback_requested with the page's url",
        |event| {
            event.is_track("feedback_requested")
                && event
                    .property_text("url")
                    .is_some_and(|url| url.contains(PAGE))
        },
    )
    .await?;
    // Keyboard only: focus starts on the first category; the arrow picks the next one, Tab goes
    // to the text, then past the page checkbox to Send.
    wait_for_focus_on(
        client,
        &surfaces::feedback_category("bug"),
        "focus on the first feedback category",
    )
    .await?;
    press_key(client, Key::Right).await?;
    wait_for_focus_on(
        client,
        &surfaces::feedback_category("idea"),
        "the arrow key moves to the second category",
    )
    .await?;
    press_key(client, Key::Tab).await?;
    wait_for_focus_on(client, surfaces::FEEDBACK_TEXT, "Tab reaches the text").await?;
    type_into_widget(
        client,
        surfaces::FEEDBACK_TEXT,
        "Let me export a project as CSV",
    )
    .await?;
    check_widget_surface_is_accessible(
        client,
        &axe_source,
        surfaces::FEEDBACK_FORM,
        "the feedback form",
    )
    .await?;
    tab_to(client, surfaces::FEEDBACK_SEND).await?;
    press_key(client, Key::Enter).await?;
    wait_for_widget_element(
        client,
        surfaces::FEEDBACK_THANKS,
        "the thanks after sending",
    )
    .await?;
    wait_for_stored_event(
        &world.admin_api,
        &user_id,
        "feedback_submitted with its category, text and page",
        |event| {
            event.is_track("feedback_submitted")
                && event.property_text("category") == Some("idea")
                && event.property_text("text") == Some("Let me export a project as CSV")
                && event
                    .property_text("page_url")
                    .is_some_and(|url| url.contains(PAGE))
        },
    )
    .await?;
    press_key(client, Key::Escape).await?;
    wait_for_focus_on(
        client,
        surfaces::RESOURCE_LAUNCHER,
        "Esc closes the center, focus back on its launcher",
    )
    .await?;

    open_resource_center(client).await?;
    click_widget_element(client, &surfaces::resource_launch(REPLAY_TOUR_ID)).await?;
    let step = wait_for_visible_step(client, REPLAY_FIRST_STEP).await?;
    ensure!(
        step.flow_id.as_deref() == Some(REPLAY_TOUR_ID),
        "the replayed tour's first step should show, got {step:?}"
    );
    check_step_is_accessible(client, &axe_source, "replayed tour's first step").await?;
    check_no_page_errors(client).await
}
