//! Surveys in the widget (docs/feedback.md §1 and §3): a CES question right after the task it is
//! about, answered with the keyboard alone; an NPS detractor gets the detractor follow-up;
//! closing after the score keeps the score; a survey is asked again only after `reask_days` (on a
//! fake clock in the page, as for the fatigue budget); and sampling holds for whom
//! `engine::survey::sampled` leaves out. Answers are checked where they end up: the collector's
//! stored events and its survey results.

use std::time::Duration;

use anyhow::{Context, ensure};
use engine::survey::{DAY_MS, sampled};
use fantoccini::key::Key;
use serde_json::{Value, json};
use tests::actions::{
    answer_scale_by_keyboard, answer_text, click_step_button, open_host_as, press_key, reload,
};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, LifecycleCounts, StepSnapshot, StoredAnswer, check_no_page_errors,
    check_no_step_shows, check_step_is_accessible, counts_for_one_completion, is_lifecycle_event,
    question_results, survey_answers, wait_for_eligibility, wait_for_exact_lifecycle_counts,
    wait_for_no_visible_step, wait_for_stored_event, wait_for_survey_results,
    wait_for_visible_step, wait_for_widget_element, wait_for_widget_ready, widget_elements,
};
use tests::clock::{advance_clock, check_page_clock_offset, install_fake_clock};
use tests::flows::{ces, ces_survey, nps, nps_survey, single_modal_tour, url_trigger};
use tests::locators::survey;
use tests::world::World;

/// Not `/`, where the seeded welcome tour starts.
const SURVEY_PAGE: &str = "/settings";
const NPS_ID: &str = "nps-e2e";
/// The standard wording of a blank NPS title (`engine::survey::standard_title`).
const NPS_TITLE: &str = "How likely are you to recommend us to a friend or colleague?";

#[tokio::test]
async fn a_task_done_is_followed_by_a_ces_question_answered_by_keyboard() -> anyhow::Result<()> {
    World::run(|world| Box::pin(ask_ces_after_the_task(world))).await
}

async fn ask_ces_after_the_task(world: &mut World) -> anyhow::Result<()> {
    const TOUR_ID: &str = "projects-tour";
    const TOUR_STEP_ID: &str = "only-step";
    const CES_ID: &str = "ces-projects";
    const CES_SCORE: i64 = 6;
    // The default fatigue budget holds an automatic start for 5 minutes after the previous one
    // (the tour), but not a follow-up of the task that just finished: the survey comes at once.
    world
        .admin_api
        .create_and_publish_flow(&single_modal_tour(
            TOUR_ID,
            SURVEY_PAGE,
            "Your settings live here",
        ))
        .await?;
    world
        .admin_api
        .create_and_publish_flow(&ces_survey(CES_ID, TOUR_ID, "find your settings"))
        .await?;
    let axe_source = world.axe_source()?;
    let user_id = world.fresh_user_id("survey-ces");
    open_host_as(world, &user_id, SURVEY_PAGE).await?;
    let client = world.client();

    // The task: the one-step tour, finished.
    let tour = wait_for_visible_step(client, TOUR_STEP_ID).await?;
    check_flow(&tour, TOUR_ID)?;
    click_step_button(client, "next").await?;

    // The CES question right away, with its standard wording and a 1–7 radio group.
    let question = wait_for_visible_step(client, ces::EASE).await?;
    check_flow(&question, CES_ID)?;
    ensure!(
        question.kind.as_deref() == Some("modal")
            && question.title.as_deref() == Some("How easy was it to find your settings?"),
        "expected the CES modal asking about the task, got {question:?}"
    );
    let group = wait_for_widget_element(
        client,
        &survey::question_of_kind("ces"),
        "the CES question shows its scale",
    )
    .await?;
    ensure!(
        group.attribute("role") == Some("radiogroup"),
        "a scale is a radio group: {}",
        group.describe()
    );
    let values: Vec<String> = widget_elements(client, survey::OPTION)
        .await?
        .iter()
        .map(|option| {
            option
                .attribute("data-value")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    ensure!(
        values == ["1", "2", "3", "4", "5", "6", "7"],
        "a CES scale runs from 1 to 7, the options are {values:?}"
    );
    check_answer_button_waits(client, "Send").await?;
    check_step_is_accessible(client, &axe_source, "CES question").await?;

    answer_scale_by_keyboard(client, CES_SCORE).await?;
    let events = wait_for_stored_event(&world.admin_api, &user_id, "the CES answer", |event| {
        is_lifecycle_event(event, CES_ID, "survey_answered", Some(ces::EASE))
    })
    .await?;
    check_answers(
        &events,
        CES_ID,
        &[answer(ces::EASE, "ces", json!(CES_SCORE))],
    )?;

    wait_for_visible_step(client, ces::THANKS).await?;
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    let mut expected = counts_for_one_completion(&[ces::EASE, ces::THANKS]);
    expected.insert(format!("survey_answered:{}", ces::EASE), 1);
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        CES_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_detractor_gets_the_detractor_follow_up() -> anyhow::Result<()> {
    World::run(|world| Box::pin(follow_up_a_detractor(world))).await
}

async fn follow_up_a_detractor(world: &mut World) -> anyhow::Result<()> {
    const SCORE: i64 = 3;
    const WHAT_WOULD_HELP: &str = "Faster search across projects, please.";
    world
        .admin_api
        .create_and_publish_flow(&nps_survey(NPS_ID, url_trigger(SURVEY_PAGE), json!({})))
        .await?;
    let user_id = world.fresh_user_id("survey-detractor");
    open_host_as(world, &user_id, SURVEY_PAGE).await?;
    let client = world.client();

    let score = wait_for_visible_step(client, nps::SCORE).await?;
    check_flow(&score, NPS_ID)?;
    ensure!(
        score.title.as_deref() == Some(NPS_TITLE),
        "a blank NPS title takes the standard wording, got {:?}",
        score.title
    );
    answer_scale_by_keyboard(client, SCORE).await?;

    // 0–6 branches to `better`, past the passives' question.
    let better = wait_for_visible_step(client, nps::BETTER).await?;
    check_flow(&better, NPS_ID)?;
    check_answer_button_waits(client, "Next").await?;
    answer_text(client, WHAT_WOULD_HELP).await?;
    wait_for_visible_step(client, nps::THANKS).await?;
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;

    let mut expected = counts_for_one_completion(&[nps::SCORE, nps::BETTER, nps::THANKS]);
    for step_id in [nps::SCORE, nps::BETTER] {
        expected.insert(format!("survey_answered:{step_id}"), 1);
    }
    let events = wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        NPS_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    check_answers(
        &events,
        NPS_ID,
        &[
            answer(nps::SCORE, "nps", json!(SCORE)),
            answer(nps::BETTER, "text", json!(WHAT_WOULD_HELP)),
        ],
    )?;

    let results = wait_for_survey_results(world, NPS_ID, "one detractor", |results| {
        check_nps_split(results, (0, 0, 1))
    })
    .await?;
    let follow_up = question_results(&results, nps::BETTER).context("no results for `better`")?;
    ensure!(
        follow_up["n"] == 1,
        "the detractor follow-up should count one answer: {results}"
    );
    check_no_page_errors(client).await
}

#[tokio::test]
async fn closing_after_the_score_keeps_the_score() -> anyhow::Result<()> {
    World::run(|world| Box::pin(close_after_the_score(world))).await
}

async fn close_after_the_score(world: &mut World) -> anyhow::Result<()> {
    const SCORE: i64 = 9;
    /// `love` is the fourth step.
    const LOVE_INDEX: u64 = 3;
    // Asked until completed, but without `reask_days`: once asked, never again.
    world
        .admin_api
        .create_and_publish_flow(&nps_survey(NPS_ID, url_trigger(SURVEY_PAGE), json!({})))
        .await?;
    let user_id = world.fresh_user_id("survey-closed");
    open_host_as(world, &user_id, SURVEY_PAGE).await?;
    let client = world.client();

    wait_for_visible_step(client, nps::SCORE).await?;
    answer_scale_by_keyboard(client, SCORE).await?;
    let love = wait_for_visible_step(client, nps::LOVE).await?;
    check_flow(&love, NPS_ID)?;
    press_key(client, Key::Escape).await?;
    wait_for_no_visible_step(client).await?;

    let expected = LifecycleCounts::from(
        [
            "flow_started".to_string(),
            format!("step_viewed:{}", nps::SCORE),
            format!("survey_answered:{}", nps::SCORE),
            format!("step_completed:{}", nps::SCORE),
            format!("step_viewed:{}", nps::LOVE),
            "flow_dismissed".to_string(),
        ]
        .map(|key| (key, 1)),
    );
    let events = wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        NPS_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    let dismissed_at: Vec<Option<u64>> = events
        .iter()
        .filter(|event| is_lifecycle_event(event, NPS_ID, "flow_dismissed", None))
        .map(|event| event.properties.get("step_index").and_then(Value::as_u64))
        .collect();
    ensure!(
        dismissed_at == [Some(LOVE_INDEX)],
        "the survey was closed on `love` (step {LOVE_INDEX}), flow_dismissed says {dismissed_at:?}"
    );
    check_answers(&events, NPS_ID, &[answer(nps::SCORE, "nps", json!(SCORE))])?;

    // Back on the page: the survey is not asked again, and nothing more is stored.
    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_no_step_shows(client, "the survey closed after its score, on a reload").await?;
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        NPS_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    wait_for_survey_results(world, NPS_ID, "the closed response", |results| {
        check_nps_split(results, (1, 0, 0))
    })
    .await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn a_survey_is_asked_again_only_after_its_reask_interval() -> anyhow::Result<()> {
    World::run(|world| Box::pin(reask_after_the_interval(world))).await
}

async fn reask_after_the_interval(world: &mut World) -> anyhow::Result<()> {
    const REASK_DAYS: u64 = 90;
    const PASSIVE_SCORE: i64 = 7;
    world
        .admin_api
        .create_and_publish_flow(&nps_survey(
            NPS_ID,
            url_trigger("*"),
            json!({ "reask_days": REASK_DAYS }),
        ))
        .await?;
    install_fake_clock(world.browser()).await?;
    let user_id = world.fresh_user_id("survey-reask");
    open_host_as(world, &user_id, SURVEY_PAGE).await?;
    let client = world.client();
    check_page_clock_offset(client, 0).await?;

    // Asked and answered: 7 goes to the passives' question.
    wait_for_visible_step(client, nps::SCORE).await?;
    answer_scale_by_keyboard(client, PASSIVE_SCORE).await?;
    wait_for_visible_step(client, nps::PASSIVE).await?;
    answer_text(client, "A dark mode.").await?;
    wait_for_visible_step(client, nps::THANKS).await?;
    click_step_button(client, "next").await?;
    wait_for_no_visible_step(client).await?;
    let mut expected = counts_for_one_completion(&[nps::SCORE, nps::PASSIVE, nps::THANKS]);
    for step_id in [nps::SCORE, nps::PASSIVE] {
        expected.insert(format!("survey_answered:{step_id}"), 1);
    }
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        NPS_ID,
        &expected,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;

    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_no_step_shows(client, "right after the survey was answered").await?;

    let one_day = Duration::from_millis(u64::try_from(DAY_MS)?);
    let offset = advance_clock(client, one_day * 89).await?;
    reload(client).await?;
    wait_for_widget_ready(client).await?;
    check_page_clock_offset(client, offset).await?;
    check_no_step_shows(client, "89 days later, within the 90-day re-ask interval").await?;

    let offset = advance_clock(client, one_day * 2).await?;
    reload(client).await?;
    check_page_clock_offset(client, offset).await?;
    let again = wait_for_visible_step(client, nps::SCORE).await?;
    check_flow(&again, NPS_ID)?;
    let mut asked_again = expected.clone();
    asked_again.insert("flow_started".to_string(), 2);
    asked_again.insert(format!("step_viewed:{}", nps::SCORE), 2);
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        NPS_ID,
        &asked_again,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;
    check_no_page_errors(client).await
}

#[tokio::test]
async fn only_sampled_users_are_asked() -> anyhow::Result<()> {
    World::run(|world| Box::pin(ask_only_the_sample(world))).await
}

async fn ask_only_the_sample(world: &mut World) -> anyhow::Result<()> {
    const SAMPLE_PERCENT: u32 = 50;
    world
        .admin_api
        .create_and_publish_flow(&nps_survey(
            NPS_ID,
            url_trigger(SURVEY_PAGE),
            json!({ "sample_percent": SAMPLE_PERCENT }),
        ))
        .await?;
    let user_where = |wanted: bool| {
        std::iter::repeat_with(|| world.fresh_user_id("survey-sample"))
            .take(1000)
            .find(|user_id| sampled(user_id, NPS_ID, SAMPLE_PERCENT) == wanted)
            .with_context(|| format!("no user id with sampled = {wanted} in 1000 tries"))
    };
    let (left_out, in_sample) = (user_where(false)?, user_where(true)?);
    let client = world.client();

    open_host_as(world, &left_out, SURVEY_PAGE).await?;
    wait_for_widget_ready(client).await?;
    check_no_step_shows(client, "a user outside the 50% sample").await?;
    wait_for_eligibility(
        &world.admin_api,
        &left_out,
        SURVEY_PAGE,
        NPS_ID,
        |item| match item.reason.as_deref() {
            Some("not_sampled") => Ok(()),
            _ => Err("expected the reason not_sampled".to_string()),
        },
    )
    .await?;

    open_host_as(world, &in_sample, SURVEY_PAGE).await?;
    let asked = wait_for_visible_step(client, nps::SCORE).await?;
    check_flow(&asked, NPS_ID)?;
    let left_out_events = world.admin_api.events_for_user(&left_out).await?;
    ensure!(
        !left_out_events
            .iter()
            .any(|event| event.flow_id() == Some(NPS_ID)),
        "nothing of the survey should be stored for the user outside the sample: {left_out_events:?}"
    );
    check_no_page_errors(client).await
}

fn check_flow(step: &StepSnapshot, flow_id: &str) -> anyhow::Result<()> {
    ensure!(
        step.flow_id.as_deref() == Some(flow_id),
        "expected a step of {flow_id}, got {step:?}"
    );
    Ok(())
}

fn answer(step_id: &str, kind: &str, answer: Value) -> StoredAnswer {
    StoredAnswer {
        step_id: step_id.to_string(),
        kind: kind.to_string(),
        answer,
    }
}

/// Fails unless the stored answers of `flow_id` are exactly `expected` (in any order).
fn check_answers(
    events: &[tests::collector_api::StoredEvent],
    flow_id: &str,
    expected: &[StoredAnswer],
) -> anyhow::Result<()> {
    let mut stored = survey_answers(events, flow_id);
    stored.sort_by(|a, b| a.step_id.cmp(&b.step_id));
    let mut expected = expected.to_vec();
    expected.sort_by(|a, b| a.step_id.cmp(&b.step_id));
    ensure!(
        stored == expected,
        "the stored answers of {flow_id} are {stored:?}, expected {expected:?}"
    );
    Ok(())
}

/// Whether a survey's results count one response whose score question splits into
/// (`promoters`, `passives`, `detractors`).
fn check_nps_split(results: &Value, split: (u64, u64, u64)) -> Result<(), String> {
    let (promoters, passives, detractors) = split;
    if results["responses"] != 1 {
        return Err("expected one response".to_string());
    }
    let Some(score) = question_results(results, nps::SCORE) else {
        return Err("no results for the score question".to_string());
    };
    let nps = &score["nps"];
    let seen = (
        nps["promoters"].as_u64(),
        nps["passives"].as_u64(),
        nps["detractors"].as_u64(),
    );
    if score["n"] != 1 || seen != (Some(promoters), Some(passives), Some(detractors)) {
        return Err(format!(
            "expected n = 1 and {promoters} promoter(s), {passives} passive(s), {detractors} detractor(s)"
        ));
    }
    Ok(())
}

/// Fails unless the visible question's answer button is disabled (nothing is answered yet).
/// The answer button shows `label` ("Next", or "Send" on the last question) and is disabled
/// until the question is answered.
async fn check_answer_button_waits(client: &fantoccini::Client, label: &str) -> anyhow::Result<()> {
    let button = wait_for_widget_element(
        client,
        survey::ANSWER_BUTTON,
        "the question's answer button shows",
    )
    .await?;
    ensure!(
        button.attribute("disabled").is_some() && button.text == label,
        "the answer button should read {label:?} and be disabled before an answer: {}",
        button.describe()
    );
    Ok(())
}
