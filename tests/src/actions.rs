//! What a person does in the scenarios: open the host as a user, press a step's buttons, click the
//! real targets, navigate, reload, press keys, use the host's own features, log in to the admin.
//! Composite steps shared by several scenarios (walking the welcome tour) live here too.

use anyhow::Context;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use crate::checks::{
    Observation, STEP_TIMEOUT, StepSnapshot, check_step, wait_for_no_visible_step, wait_for_path,
    wait_for_visible_step, wait_until,
};
use crate::locators::{self, admin, host, welcome_tour};
use crate::world::{ADMIN_EMAIL, ADMIN_PASSWORD, World};

/// The first name every host user gets, so personalised titles can be checked.
pub const FIRST_NAME: &str = "Ada";

/// Opens the demo host at `path` as `user_id`.
pub async fn open_host_as(world: &World, user_id: &str, path: &str) -> anyhow::Result<()> {
    let url = format!(
        "{}{path}?user={user_id}&first_name={FIRST_NAME}",
        world.host_origin()
    );
    open_url(world.client(), &url).await
}

/// Opens the demo host at `path` as `user_id` on the subscription `plan` (the `plan` trait).
pub async fn open_host_as_on_plan(
    world: &World,
    user_id: &str,
    path: &str,
    plan: &str,
) -> anyhow::Result<()> {
    let url = format!(
        "{}{path}?user={user_id}&first_name={FIRST_NAME}&plan={plan}",
        world.host_origin()
    );
    open_url(world.client(), &url).await
}

/// Opens the hostile host fixture as `user_id`.
pub async fn open_hostile_host_as(world: &World, user_id: &str) -> anyhow::Result<()> {
    open_url(world.client(), &world.hostile_host_url(user_id)).await
}

/// Loads a URL, as typing it into the address bar.
pub async fn open_url(client: &Client, url: &str) -> anyhow::Result<()> {
    client
        .goto(url)
        .await
        .with_context(|| format!("opening {url}"))
}

/// Presses a button of the visible step (`next`, `back`, `dismiss`, `cta`), as a mouse user would.
pub async fn click_step_button(client: &Client, action: &str) -> anyhow::Result<()> {
    let button = locators::widget_element(client, &locators::step_button(action)).await?;
    button
        .click()
        .await
        .with_context(|| format!("clicking the step's `{action}` button"))
}

/// Clicks an element of the host page (a step's real target, a link, a button).
pub async fn click_host_element(client: &Client, selector: &str) -> anyhow::Result<()> {
    let element = locators::page_element(client, selector).await?;
    element
        .click()
        .await
        .with_context(|| format!("clicking `{selector}` on the host page"))
}

/// Types into a field of the page.
pub async fn type_into(client: &Client, selector: &str, text: &str) -> anyhow::Result<()> {
    let field = locators::page_element(client, selector).await?;
    field
        .send_keys(text)
        .await
        .with_context(|| format!("typing into `{selector}`"))
}

/// Replaces the text of a form field, as a person selecting it and typing.
pub async fn fill_field(client: &Client, selector: &str, text: &str) -> anyhow::Result<()> {
    let field = locators::page_element(client, selector).await?;
    field
        .clear()
        .await
        .with_context(|| format!("clearing `{selector}`"))?;
    field
        .send_keys(text)
        .await
        .with_context(|| format!("typing into `{selector}`"))
}

/// Picks the option with `value` in a `<select>`.
pub async fn choose_option(client: &Client, selector: &str, value: &str) -> anyhow::Result<()> {
    let select = locators::page_element(client, selector).await?;
    select
        .select_by_value(value)
        .await
        .with_context(|| format!("choosing `{value}` in `{selector}`"))
}

/// Signs in to the demo admin with the world's credentials, submitting with the Enter key.
pub async fn log_in_to_admin(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    open_url(client, &world.admin_origin()).await?;
    fill_field(client, admin::LOGIN_EMAIL, ADMIN_EMAIL).await?;
    fill_field(client, admin::LOGIN_PASSWORD, ADMIN_PASSWORD).await?;
    press_key(client, Key::Enter).await?;
    wait_until(
        "the admin shows the flow list after signing in",
        STEP_TIMEOUT,
        async || {
            if client.find(Locator::Css(admin::NEW_FLOW)).await.is_ok() {
                return Ok(Observation::Ready(()));
            }
            let error = match client.find(Locator::Css(admin::LOGIN_ERROR)).await {
                Ok(error) => error.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            Ok(Observation::NotYet(format!(
                "at {} {error}",
                client.current_url().await?
            )))
        },
    )
    .await
}

/// Presses and releases a key (a `fantoccini::key::Key`, or a character) wherever focus is, even
/// inside the widget's shadow root, as a keyboard user would.
pub async fn press_key(client: &Client, key: impl Into<char>) -> anyhow::Result<()> {
    let key = key.into();
    let keyboard = KeyActions::new("keyboard".to_string())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client
        .perform_actions(keyboard)
        .await
        .context("pressing a key")
}

/// Presses `key` while holding Shift (Shift+Tab moves focus backwards).
pub async fn press_key_with_shift(client: &Client, key: impl Into<char>) -> anyhow::Result<()> {
    let (key, shift) = (key.into(), Key::Shift.into());
    let keyboard = KeyActions::new("keyboard".to_string())
        .then(KeyAction::Down { value: shift })
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key })
        .then(KeyAction::Up { value: shift });
    client
        .perform_actions(keyboard)
        .await
        .context("pressing a key with Shift")
}

/// Reloads the current page, as a user pressing F5.
pub async fn reload(client: &Client) -> anyhow::Result<()> {
    client.refresh().await.context("reloading the page")
}

/// Uses the host product's own feature: creates a project through its dialog.
pub async fn create_project_in_host(client: &Client, project_name: &str) -> anyhow::Result<()> {
    click_host_element(client, host::NEW_PROJECT).await?;
    type_into(client, host::PROJECT_NAME, project_name).await?;
    click_host_element(client, host::CREATE_PROJECT_SUBMIT).await
}

/// From a fresh start on `/`: the welcome modal → next, then the tooltip on `#nav-projects`
/// advanced by clicking the real link (an SPA navigation to /projects), up to the `new-project`
/// tooltip, which is returned.
pub async fn walk_welcome_tour_to_new_project_step(
    client: &Client,
) -> anyhow::Result<StepSnapshot> {
    let welcome = wait_for_visible_step(client, welcome_tour::WELCOME).await?;
    check_step(&welcome, "modal", "1 of 4")?;
    anyhow::ensure!(
        welcome.title.as_deref() == Some(&format!("Hi {FIRST_NAME}, welcome to Tasklane")[..]),
        "the welcome title should be personalised, got {:?}",
        welcome.title
    );
    click_step_button(client, "next").await?;

    let projects_nav = wait_for_visible_step(client, welcome_tour::PROJECTS_NAV).await?;
    check_step(&projects_nav, "tooltip", "2 of 4")?;
    click_host_element(client, host::NAV_PROJECTS).await?;
    wait_for_path(client, "/projects").await?;

    let new_project = wait_for_visible_step(client, welcome_tour::NEW_PROJECT).await?;
    check_step(&new_project, "tooltip", "3 of 4")?;
    Ok(new_project)
}

/// From the `new-project` tooltip: next, then Finish on the `invite` tooltip; the tour closes.
pub async fn finish_welcome_tour_from_new_project_step(client: &Client) -> anyhow::Result<()> {
    click_step_button(client, "next").await?;
    let invite = wait_for_visible_step(client, welcome_tour::INVITE).await?;
    check_step(&invite, "tooltip", "4 of 4")?;
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await
}

/// The whole welcome tour, from a fresh start on `/` to its end.
pub async fn complete_welcome_tour(client: &Client) -> anyhow::Result<()> {
    walk_welcome_tour_to_new_project_step(client).await?;
    finish_welcome_tour_from_new_project_step(client).await
}
