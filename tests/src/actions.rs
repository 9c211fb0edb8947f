//! What a person does in the scenarios: open the host as a user, press a step's buttons, click the
//! real targets, navigate, reload, press keys, use the host's own features, log in to the admin.
//! Composite steps shared by several scenarios (walking the welcome tour) live here too.

use anyhow::Context;
use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

use crate::checks::{
    Observation, STEP_TIMEOUT, StepSnapshot, check_step, focus_matches, wait_for_no_visible_step,
    wait_for_path, wait_for_visible_step, wait_for_widget_element, wait_until, widget_elements,
};
use crate::locators::{self, admin, host, surfaces, welcome_tour};
use crate::world::{ADMIN_EMAIL, ADMIN_PASSWORD, World};

/// The first name every host user gets, so personalised titles can be checked.
pub const FIRST_NAME: &str = "Ada";

/// Opens the demo host at `path` as `user_id`.
pub async fn open_host_as(world: &World, user_id: &str, path: &str) -> anyhow::Result<()> {
    open_url(world.client(), &host_url(world, user_id, path)).await
}

/// The demo host's `path` for `user_id` (who gets the first name `FIRST_NAME`).
pub fn host_url(world: &World, user_id: &str, path: &str) -> String {
    format!(
        "{}{path}?user={user_id}&first_name={FIRST_NAME}",
        world.host_origin()
    )
}

/// Opens the demo host at `path` as `user_id` in the browser of `client` (the second browser, as
/// the same person on another device).
pub async fn open_host_in(
    client: &Client,
    world: &World,
    user_id: &str,
    path: &str,
) -> anyhow::Result<()> {
    open_url(client, &host_url(world, user_id, path)).await
}

/// The product's own server identifies `user_id` with `traits` (say `{"locale": "fr"}`) before
/// their first page, through the collector's public batch endpoint.
pub async fn identify_from_server(
    world: &World,
    user_id: &str,
    traits: serde_json::Value,
) -> anyhow::Result<()> {
    crate::collector_api::identify_from_server(
        &world.collector_origin(),
        crate::world::WRITE_KEY,
        user_id,
        traits,
    )
    .await
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

/// The most Tab presses a keyboard user needs to reach a widget control from anywhere on the demo
/// host's pages (its header, sidebar and page content come first).
pub const MOST_TABS_TO_A_CONTROL: usize = 40;

/// Presses Tab until keyboard focus is on an element matching `selector` (inside the widget's
/// shadow root or on the page), as a keyboard user would; fails after `MOST_TABS_TO_A_CONTROL`.
pub async fn tab_to(client: &Client, selector: &str) -> anyhow::Result<()> {
    for _ in 0..MOST_TABS_TO_A_CONTROL {
        if focus_matches(client, selector).await?.0 {
            return Ok(());
        }
        press_key(client, Key::Tab).await?;
    }
    let (matches, described) = focus_matches(client, selector).await?;
    anyhow::ensure!(
        matches,
        "{MOST_TABS_TO_A_CONTROL} Tab presses never reached `{selector}`; focus is on {described}"
    );
    Ok(())
}

/// Clicks an element inside the widget's shadow root, as a mouse user would.
pub async fn click_widget_element(client: &Client, selector: &str) -> anyhow::Result<()> {
    let element = locators::widget_element(client, selector).await?;
    element
        .click()
        .await
        .with_context(|| format!("clicking `{selector}` in the widget"))
}

/// Types into a field inside the widget's shadow root.
pub async fn type_into_widget(client: &Client, selector: &str, text: &str) -> anyhow::Result<()> {
    let field = locators::widget_element(client, selector).await?;
    field
        .send_keys(text)
        .await
        .with_context(|| format!("typing into `{selector}` in the widget"))
}

/// Replaces the text of a field inside the widget's shadow root, as a person deleting what is
/// there with Backspace and typing (each keystroke fires the field's `input` event).
pub async fn replace_text_in_widget(
    client: &Client,
    selector: &str,
    text: &str,
) -> anyhow::Result<()> {
    let field = locators::widget_element(client, selector).await?;
    let current = field.prop("value").await?.unwrap_or_default();
    let backspaces: String =
        std::iter::repeat_n(char::from(Key::Backspace), current.chars().count()).collect();
    field
        .send_keys(&format!("{backspaces}{text}"))
        .await
        .with_context(|| format!("replacing the text of `{selector}` in the widget"))
}

/// Opens a checklist's panel with a click on its launcher (unless it is already open), and
/// waits for the panel.
pub async fn open_checklist(client: &Client, checklist_id: &str) -> anyhow::Result<()> {
    let launcher = surfaces::checklist_launcher(checklist_id);
    let panel_open = widget_elements(client, surfaces::CHECKLIST_PANEL)
        .await?
        .iter()
        .any(|panel| panel.is_visible());
    if !panel_open {
        wait_for_widget_element(client, &launcher, "the checklist launcher shows").await?;
        click_widget_element(client, &launcher).await?;
    }
    wait_for_widget_element(
        client,
        surfaces::CHECKLIST_PANEL,
        "the checklist panel opens",
    )
    .await?;
    Ok(())
}

/// Opens the resource center with a click on its launcher (unless it is already open), and waits
/// for the panel.
pub async fn open_resource_center(client: &Client) -> anyhow::Result<()> {
    let panel_open = widget_elements(client, surfaces::RESOURCE_CENTER)
        .await?
        .iter()
        .any(|panel| panel.is_visible());
    if !panel_open {
        wait_for_widget_element(
            client,
            surfaces::RESOURCE_LAUNCHER,
            "the help launcher shows",
        )
        .await?;
        click_widget_element(client, surfaces::RESOURCE_LAUNCHER).await?;
    }
    wait_for_widget_element(
        client,
        surfaces::RESOURCE_CENTER,
        "the resource center opens",
    )
    .await?;
    Ok(())
}

/// The host product's stylesheet sets a custom property on `:root` (as a host theming Waymark
/// without the admin would, e.g. `--waymark-accent`).
pub async fn set_host_css_property(client: &Client, name: &str, value: &str) -> anyhow::Result<()> {
    client
        .execute(
            "document.documentElement.style.setProperty(arguments[0], arguments[1]);",
            vec![serde_json::json!(name), serde_json::json!(value)],
        )
        .await
        .with_context(|| format!("setting {name} on the host's :root"))?;
    Ok(())
}

/// Answers the visible step's scale question (NPS, CES, CSAT) with the keyboard alone: Tab into
/// its radio group (focus lands on the lowest value while nothing is chosen), the arrow keys up to
/// `value` (Space when it is the lowest), Tab to the answer button and Enter.
pub async fn answer_scale_by_keyboard(client: &Client, value: i64) -> anyhow::Result<()> {
    tab_to(client, locators::survey::OPTION).await?;
    let focused = crate::checks::focused_attribute(client, "data-value").await?;
    let lowest: i64 = focused
        .as_deref()
        .and_then(|value| value.parse().ok())
        .with_context(|| format!("Tab into the scale focused the option {focused:?}"))?;
    anyhow::ensure!(
        value >= lowest,
        "Tab into the scale should land on its lowest value, landed on {lowest} (wanted {value})"
    );
    if value == lowest {
        press_key(client, ' ').await?;
    }
    for _ in lowest..value {
        press_key(client, Key::Right).await?;
    }
    crate::checks::wait_for_checked_option(client, &value.to_string()).await?;
    tab_to(client, locators::survey::ANSWER_BUTTON).await?;
    press_key(client, Key::Enter).await
}

/// Types `text` into the visible step's text question and sends it with its answer button.
pub async fn answer_text(client: &Client, text: &str) -> anyhow::Result<()> {
    type_into_widget(client, locators::survey::ANSWER_TEXT, text).await?;
    click_widget_element(client, locators::survey::ANSWER_BUTTON).await
}
