//! Localization and theming (docs/patterns.md): a French user gets the French texts and the
//! widget's own words in French; an Arabic user gets a right-to-left, mirrored widget; the host's
//! `--waymark-accent` and a flow's theme override recolour the buttons; dark mode comes from the
//! app settings.

use anyhow::{Context, ensure};
use serde_json::json;
use tests::actions::{
    click_host_element, click_step_button, identify_from_server, log_in_to_admin, open_host_as,
    open_url, set_host_css_property,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, StepSnapshot, check_admin_page_is_accessible, check_no_page_errors,
    check_step_is_accessible, css_rgb, step_title_style, wait_for_visible_step, wait_until,
    widget_computed_style, widget_declared_direction, widget_element_snapshot, widget_elements,
};
use tests::flows::{
    choice, single_modal_tour, themed_modal, translated_choice_survey, translated_tour, url_trigger,
};
use tests::locators::{STEP, admin, page_element, step_button, survey};
use tests::world::World;

/// Not `/`, where the seeded welcome tour starts.
const PAGE: &str = "/settings";
const TOUR_ID: &str = "translated-tour";

#[tokio::test]
async fn a_french_user_gets_the_french_texts_and_the_widgets_own_words_in_french()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(show_the_tour_in_french(world))).await
}

async fn show_the_tour_in_french(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&translated_tour(TOUR_ID, PAGE))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("locale-fr");
    identify_from_server(world, &user_id, json!({ "locale": "fr" })).await?;
    open_host_as(world, &user_id, PAGE).await?;
    let client = world.client();

    let first = wait_for_visible_step(client, "first").await?;
    check_texts(&first, "Bienvenue dans vos paramètres", "1 sur 2")?;
    check_button_text(client, "next", "Suivant").await?;
    let close = widget_element_snapshot(client, &step_button("dismiss"))
        .await?
        .context("the step has no close button")?;
    ensure!(
        close.attribute("aria-label") == Some("Fermer"),
        "the close button should be labelled in the widget's French words (Fermer): {}",
        close.describe()
    );
    let direction = step_title_style(client).await?;
    ensure!(
        direction.get("direction").map(String::as_str) == Some("ltr"),
        "French is written left to right, the title has {direction:?}"
    );
    check_close_button_side(client, "right").await?;
    check_step_is_accessible(client, &axe_source, "French modal").await?;

    click_step_button(client, "next").await?;
    let second = wait_for_visible_step(client, "second").await?;
    check_texts(&second, "Invitez votre équipe", "2 sur 2")?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn an_arabic_user_gets_a_right_to_left_mirrored_widget() -> anyhow::Result<()> {
    World::run(|world| Box::pin(show_the_tour_in_arabic(world))).await
}

async fn show_the_tour_in_arabic(world: &mut World) -> anyhow::Result<()> {
    world
        .admin_api
        .create_and_publish_flow(&translated_tour(TOUR_ID, PAGE))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("locale-ar");
    identify_from_server(world, &user_id, json!({ "locale": "ar" })).await?;
    open_host_as(world, &user_id, PAGE).await?;
    let client = world.client();

    let first = wait_for_visible_step(client, "first").await?;
    ensure!(
        first.title.as_deref() == Some("مرحبًا بك في إعداداتك"),
        "the Arabic title should show, got {:?}",
        first.title
    );
    let declared = widget_declared_direction(client).await?;
    ensure!(
        declared.as_deref() == Some("rtl"),
        "the widget's root should declare dir=rtl, declares {declared:?}"
    );
    let style = step_title_style(client).await?;
    ensure!(
        style.get("direction").map(String::as_str) == Some("rtl"),
        "the step's text should run right to left, the title has {style:?}"
    );
    check_close_button_side(client, "left").await?;
    check_step_is_accessible(client, &axe_source, "Arabic modal").await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_french_user_gets_a_surveys_question_and_options_in_french() -> anyhow::Result<()> {
    World::run(|world| Box::pin(ask_the_survey_in_french_and_english(world))).await
}

async fn ask_the_survey_in_french_and_english(world: &mut World) -> anyhow::Result<()> {
    const SURVEY_ID: &str = "translated-choice";
    world
        .admin_api
        .create_and_publish_flow(&translated_choice_survey(SURVEY_ID, url_trigger(PAGE)))
        .await?;
    let axe_source = world.axe_source()?;
    let french: Vec<&str> = choice::OPTIONS.iter().map(|(_, _, fr)| *fr).collect();
    let english: Vec<&str> = choice::OPTIONS.iter().map(|(_, en, _)| *en).collect();
    for (locale, title, labels) in [
        ("fr", choice::TITLE_FR, french),
        ("en", choice::TITLE, english),
    ] {
        let user_id = world.fresh_user_id(&format!("survey-locale-{locale}"));
        identify_from_server(world, &user_id, json!({ "locale": locale })).await?;
        open_host_as(world, &user_id, PAGE).await?;
        let client = world.client();
        let step = wait_for_visible_step(client, choice::PICK).await?;
        ensure!(
            step.flow_id.as_deref() == Some(SURVEY_ID) && step.title.as_deref() == Some(title),
            "a `{locale}` user should see the survey titled {title:?}, got {step:?}"
        );
        let shown: Vec<String> = widget_elements(client, survey::OPTION_LABEL)
            .await?
            .into_iter()
            .map(|label| label.text)
            .collect();
        ensure!(
            shown == labels,
            "a `{locale}` user should see the options {labels:?}, got {shown:?}"
        );
        check_step_is_accessible(client, &axe_source, &format!("`{locale}` choice survey")).await?;
        check_no_page_errors(client).await?;
    }
    Ok(())
}

#[tokio::test]
async fn the_admin_edits_a_surveys_translated_option_and_end_labels() -> anyhow::Result<()> {
    World::run(|world| Box::pin(edit_translated_survey_texts(world))).await
}

/// The French part of one step in the editor's translation blocks.
fn french_part(step_id: &str) -> String {
    format!("#translation-blocks [data-locale=\"fr\"] [data-translation-step=\"{step_id}\"]")
}

async fn edit_translated_survey_texts(world: &mut World) -> anyhow::Result<()> {
    const SURVEY_ID: &str = "translated-admin";
    const SCORE: &str = "score";
    // The choice survey with an NPS question before its thank-you step: a base low end label and
    // its French one; the high end is left to the standard wording.
    let mut flow = translated_choice_survey(SURVEY_ID, url_trigger("/nowhere"));
    let steps = flow["steps"].as_array_mut().context("steps")?;
    steps.insert(
        1,
        json!({"id": SCORE, "kind": "modal", "title": "",
               "question": {"kind": "nps", "low_label": "Never"}}),
    );
    flow["translations"]["fr"]["steps"][SCORE] = json!({"title": "", "low_label": "Jamais"});
    world.admin_api.create_and_publish_flow(&flow).await?;
    let axe_source = world.axe_source()?;
    log_in_to_admin(world).await?;
    let client = world.client();
    open_url(
        client,
        &format!("{}/flows/{SURVEY_ID}/edit", world.admin_origin()),
    )
    .await?;

    // Loaded back: one field per option holding the French label, with the English as its hint,
    // and the NPS step's end labels.
    let options = format!(
        "{} [name=\"translation-option\"]",
        french_part(choice::PICK)
    );
    let low = format!("{} [name=\"translation-low-label\"]", french_part(SCORE));
    let high = format!("{} [name=\"translation-high-label\"]", french_part(SCORE));
    let loaded = wait_until(
        "the editor fills the French option labels",
        STEP_TIMEOUT,
        async || {
            let mut seen = Vec::new();
            for input in client.find_all(fantoccini::Locator::Css(&options)).await? {
                let hint = match input.attr("aria-describedby").await? {
                    Some(id) => {
                        page_element(client, &format!("#{id}"))
                            .await?
                            .text()
                            .await?
                    }
                    None => String::new(),
                };
                seen.push((input.prop("value").await?.unwrap_or_default(), hint));
            }
            Ok(if seen.len() == choice::OPTIONS.len() {
                Observation::Ready(seen)
            } else {
                Observation::NotYet(format!("option fields {seen:?}"))
            })
        },
    )
    .await?;
    let expected: Vec<(String, String)> = choice::OPTIONS
        .iter()
        .map(|(_, en, fr)| (fr.to_string(), format!("English: {en}")))
        .collect();
    ensure!(
        loaded == expected,
        "the French option fields should hold {expected:?}, hold {loaded:?}"
    );
    let low_value = page_element(client, &low).await?.prop("value").await?;
    let high_value = page_element(client, &high).await?.prop("value").await?;
    ensure!(
        low_value.as_deref() == Some("Jamais") && high_value.as_deref() == Some(""),
        "the French end labels should be \"Jamais\" and blank, are {low_value:?} and {high_value:?}"
    );
    check_admin_page_is_accessible(client, &axe_source, "the survey editor's French texts").await?;

    // Edited and saved: the collector stores them in option order.
    let inputs = client.find_all(fantoccini::Locator::Css(&options)).await?;
    inputs[1].clear().await?;
    inputs[1].send_keys("Le tarif").await?;
    page_element(client, &high)
        .await?
        .send_keys("Toujours")
        .await?;
    click_host_element(client, admin::SAVE_FLOW).await?;
    let stored = wait_until(
        "the edited translation is saved",
        STEP_TIMEOUT,
        async || {
            let flow = world.admin_api.flow(SURVEY_ID).await?.unwrap_or_default();
            let french = flow["translations"]["fr"]["steps"].clone();
            Ok(if french[SCORE]["high_label"] == "Toujours" {
                Observation::Ready(french)
            } else {
                Observation::NotYet(format!("stored {french}"))
            })
        },
    )
    .await?;
    ensure!(
        stored[choice::PICK]["options"]
            == json!(["La rapidité", "Le tarif", "Mon équipe l'utilise"])
            && stored[SCORE]["low_label"] == "Jamais",
        "the French texts stored: {stored}"
    );

    // Refused: the collector's error on an option label shows next to that field.
    let inputs = client.find_all(fantoccini::Locator::Css(&options)).await?;
    inputs[2].clear().await?;
    inputs[2].send_keys(&"x".repeat(61)).await?;
    click_host_element(client, admin::SAVE_FLOW).await?;
    let error = format!(
        "{} [data-error-for=\"translations.fr.steps.{}.options[2]\"]",
        french_part(choice::PICK),
        choice::PICK
    );
    wait_until(
        "the option label's error shows next to it",
        STEP_TIMEOUT,
        async || {
            if page_element(client, &error).await.is_ok() {
                return Ok(Observation::Ready(()));
            }
            let summary = match page_element(client, admin::FORM_ERRORS).await {
                Ok(summary) => summary.text().await.unwrap_or_default(),
                Err(_) => String::new(),
            };
            Ok(Observation::NotYet(format!("form errors {summary:?}")))
        },
    )
    .await?;
    let invalid = client.find_all(fantoccini::Locator::Css(&options)).await?[2]
        .attr("aria-invalid")
        .await?;
    ensure!(
        invalid.as_deref() == Some("true"),
        "the too long option label should be marked invalid, aria-invalid is {invalid:?}"
    );
    check_admin_page_is_accessible(client, &axe_source, "the survey editor with an error").await?;
    check_no_page_errors(client).await
}

fn check_texts(step: &StepSnapshot, title: &str, progress: &str) -> anyhow::Result<()> {
    ensure!(
        step.title.as_deref() == Some(title),
        "expected the title {title:?}, got {:?}",
        step.title
    );
    ensure!(
        step.progress.as_deref() == Some(progress),
        "expected the widget's own progress words {progress:?}, got {:?}",
        step.progress
    );
    Ok(())
}

async fn check_button_text(
    client: &fantoccini::Client,
    action: &str,
    text: &str,
) -> anyhow::Result<()> {
    let button = widget_element_snapshot(client, &step_button(action))
        .await?
        .with_context(|| format!("the step has no `{action}` button"))?;
    ensure!(
        button.text == text,
        "the `{action}` button should read {text:?}: {}",
        button.describe()
    );
    Ok(())
}

/// The close button sits in the step's leading corner: right for left-to-right text, left when
/// mirrored for right-to-left.
async fn check_close_button_side(client: &fantoccini::Client, side: &str) -> anyhow::Result<()> {
    let card = widget_element_snapshot(client, STEP)
        .await?
        .context("no step")?;
    let close = widget_element_snapshot(client, &step_button("dismiss"))
        .await?
        .context("the step has no close button")?;
    let card_middle = card.rectangle.left + card.rectangle.width / 2.0;
    let close_middle = close.rectangle.left + close.rectangle.width / 2.0;
    let on_side = if side == "right" {
        close_middle > card_middle
    } else {
        close_middle < card_middle
    };
    ensure!(
        on_side,
        "the close button should be on the {side} of the card: card {:?}, close {:?}",
        card.rectangle,
        close.rectangle
    );
    Ok(())
}

#[tokio::test]
async fn host_css_and_a_flow_theme_override_recolour_the_widget() -> anyhow::Result<()> {
    World::run(|world| Box::pin(recolour_the_widget(world))).await
}

const HOST_ACCENT: &str = "#0b6e4f";
const FLOW_ACCENT: &str = "#b3261e";

async fn recolour_the_widget(world: &mut World) -> anyhow::Result<()> {
    const PLAIN_ID: &str = "plain-modal";
    const THEMED_ID: &str = "themed-modal";
    const THEMED_PAGE: &str = "/projects";
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(PLAIN_ID, PAGE, "Plain colours"))
        .await?;
    world
        .admin_api
        .create_and_publish_flow(&themed_modal(THEMED_ID, THEMED_PAGE, FLOW_ACCENT))
        .await?;
    let settings = world.admin_api.settings().await?;
    let app_accent = css_rgb(
        settings["theme"]["light"]["accent"]
            .as_str()
            .context("the settings have no theme.light.accent")?,
    )?;
    let client = world.client();

    let plain_user = world.fresh_user_id("theme-host-css");
    open_host_as(world, &plain_user, PAGE).await?;
    wait_for_visible_step(client, "only-step").await?;
    wait_for_next_button_background(client, &app_accent).await?;
    set_host_css_property(client, "--waymark-accent", HOST_ACCENT).await?;
    wait_for_next_button_background(client, &css_rgb(HOST_ACCENT)?).await?;

    let themed_user = world.fresh_user_id("theme-flow-override");
    open_host_as(world, &themed_user, THEMED_PAGE).await?;
    let step = wait_for_visible_step(client, "only-step").await?;
    ensure!(
        step.flow_id.as_deref() == Some(THEMED_ID),
        "expected the themed flow, got {step:?}"
    );
    wait_for_next_button_background(client, &css_rgb(FLOW_ACCENT)?).await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn dark_mode_set_in_the_app_settings_darkens_the_widget() -> anyhow::Result<()> {
    World::run(|world| Box::pin(show_a_dark_step(world))).await
}

async fn show_a_dark_step(world: &mut World) -> anyhow::Result<()> {
    let settings = world
        .admin_api
        .change_settings(|settings| settings["theme"]["mode"] = json!("dark"))
        .await?;
    ensure!(
        settings["theme"]["mode"] == "dark",
        "the collector stored theme mode {}",
        settings["theme"]["mode"]
    );
    let dark_background = css_rgb(
        settings["theme"]["dark"]["background"]
            .as_str()
            .context("the settings have no theme.dark.background")?,
    )?;
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour("dark-modal", PAGE, "Easy on the eyes"))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("theme-dark");
    open_host_as(world, &user_id, PAGE).await?;
    let client = world.client();
    wait_for_visible_step(client, "only-step").await?;
    wait_until(
        "the step is painted in the dark theme's background",
        STEP_TIMEOUT,
        async || {
            let background = widget_computed_style(client, STEP, "background-color").await?;
            Ok(if background == dark_background {
                Observation::Ready(())
            } else {
                Observation::NotYet(format!(
                    "background {background}, expected {dark_background}"
                ))
            })
        },
    )
    .await?;
    check_step_is_accessible(client, &axe_source, "dark modal").await?;
    check_no_page_errors(client).await
}

async fn wait_for_next_button_background(
    client: &fantoccini::Client,
    expected: &str,
) -> anyhow::Result<()> {
    wait_until(
        &format!("the next button's background is {expected}"),
        STEP_TIMEOUT,
        async || {
            let background =
                widget_computed_style(client, &step_button("next"), "background-color").await?;
            Ok(if background == expected {
                Observation::Ready(())
            } else {
                Observation::NotYet(background)
            })
        },
    )
    .await
}
