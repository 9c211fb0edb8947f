//! A product manager saves a segment in the demo admin (rule builder, no raw JSON), targets a tour
//! at it in the tour builder, publishes it, and only host users in the segment see the tour.

use anyhow::{Context, ensure};
use serde_json::json;
use tests::actions::{
    choose_option, click_host_element, fill_field, log_in_to_admin, open_host_as_on_plan,
};
use tests::checks::{
    Observation, STEP_TIMEOUT, check_no_page_errors, check_no_step_shows, wait_for_visible_step,
    wait_for_widget_ready, wait_until,
};
use tests::locators::{admin, page_element};
use tests::world::World;

use crate::admin_authoring::publish_from_the_editor;

const SEGMENT_ID: &str = "pro-users";
const SEGMENT_NAME: &str = "Pro users";
const FLOW_ID: &str = "pro-settings-tip";
const STEP_ID: &str = "pro-settings";
const STEP_TITLE: &str = "Pro tip: billing lives here";
/// Not `/`, so the seeded welcome tour stays out of the way.
const TRIGGER_PAGE: &str = "/settings";

#[tokio::test]
async fn a_tour_targeted_at_a_segment_built_in_the_admin_reaches_only_that_segment()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(target_a_tour_at_a_segment(world))).await
}

async fn target_a_tour_at_a_segment(world: &mut World) -> anyhow::Result<()> {
    log_in_to_admin(world).await?;
    create_pro_segment_in_the_builder(world).await?;
    let count = wait_for_segment_count(world).await?;
    ensure!(
        count.matching <= count.total,
        "the segment count reads {count:?}"
    );

    build_tour_for_the_segment(world).await?;
    publish_from_the_editor(world).await?;
    let stored = world
        .admin_api
        .flow(FLOW_ID)
        .await?
        .context("the form's flow is not in the collector")?;
    ensure!(
        stored["status"] == "published" && stored["audience"] == json!({"segment": SEGMENT_ID}),
        "the collector holds the flow as {} with audience {}",
        stored["status"],
        stored["audience"]
    );

    open_settings_as_new_user(world, "pro-user", "pro").await?;
    let step = wait_for_visible_step(world.client(), STEP_ID).await?;
    ensure!(
        step.flow_id.as_deref() == Some(FLOW_ID) && step.title.as_deref() == Some(STEP_TITLE),
        "the pro user should see the targeted tour, got {step:?}"
    );
    check_no_page_errors(world.client()).await?;

    open_settings_as_new_user(world, "free-user", "free").await?;
    wait_for_widget_ready(world.client()).await?;
    check_no_step_shows(world.client(), "a free-plan user outside the segment").await?;
    check_no_page_errors(world.client()).await
}

/// A brand-new user on `plan` opens the settings page: their very first page, so the collector
/// knows their traits only from the boot request (the `identify` event is stored after boot).
async fn open_settings_as_new_user(world: &World, label: &str, plan: &str) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id(label);
    open_host_as_on_plan(world, &user_id, TRIGGER_PAGE, plan).await
}

/// Segments → New segment → id, name and one condition: user trait `plan` is `pro` (first saved
/// without a value, to see the collector's error next to the input).
async fn create_pro_segment_in_the_builder(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    click_host_element(client, admin::NAV_SEGMENTS).await?;
    wait_for_element(world, admin::NEW_SEGMENT, "the segments list is open").await?;
    click_host_element(client, admin::NEW_SEGMENT).await?;
    wait_for_element(world, admin::SEGMENT_ID, "the segment editor is open").await?;
    fill_field(client, admin::SEGMENT_ID, SEGMENT_ID).await?;
    fill_field(client, admin::SEGMENT_NAME, SEGMENT_NAME).await?;
    let condition = |field| admin::condition_field(admin::SEGMENT_RULE, 0, field);
    choose_option(client, &condition("condition-kind"), "trait").await?;
    fill_field(client, &condition("condition-field"), "plan").await?;
    choose_option(client, &condition("condition-op"), "eq").await?;

    // Saved without a value, the collector's error shows next to the value input.
    click_host_element(client, admin::SAVE_SEGMENT).await?;
    let value_error = format!(
        "{} [data-error-for=\"rule.all[0].value\"]",
        admin::SEGMENT_RULE
    );
    wait_for_element(world, &value_error, "the missing value is pointed out").await?;
    let summary = page_element(client, admin::SEGMENT_ERRORS)
        .await?
        .text()
        .await?;
    ensure!(
        summary.contains("Condition 1"),
        "the error summary reads {summary:?}"
    );
    let invalid = page_element(client, &condition("condition-value"))
        .await?
        .attr("aria-invalid")
        .await?;
    ensure!(
        invalid.as_deref() == Some("true"),
        "the value input is not marked invalid"
    );

    fill_field(client, &condition("condition-value"), "pro").await?;
    click_host_element(client, admin::SAVE_SEGMENT).await
}

#[derive(Debug)]
struct SegmentCount {
    matching: u64,
    total: u64,
}

/// Back on the list, the new segment's row shows "N of M users match" from the collector.
async fn wait_for_segment_count(world: &World) -> anyhow::Result<SegmentCount> {
    let client = world.client();
    let selector = admin::segment_count(SEGMENT_ID);
    wait_until(
        "the segments list shows the new segment's count",
        STEP_TIMEOUT,
        async || {
            let text = match page_element(client, &selector).await {
                Ok(cell) => cell.text().await?,
                Err(_) => {
                    let errors = match page_element(client, admin::SEGMENT_ERRORS).await {
                        Ok(errors) => errors.text().await.unwrap_or_default(),
                        Err(_) => String::new(),
                    };
                    return Ok(Observation::NotYet(format!(
                        "no row yet; segment errors {errors:?}"
                    )));
                }
            };
            let numbers: Vec<u64> = text
                .strip_suffix(" users match")
                .and_then(|counts| counts.split_once(" of "))
                .and_then(|(matching, total)| {
                    Some(vec![matching.parse().ok()?, total.parse().ok()?])
                })
                .unwrap_or_default();
            Ok(match numbers[..] {
                [matching, total] => Observation::Ready(SegmentCount { matching, total }),
                _ => Observation::NotYet(format!("the count cell reads {text:?}")),
            })
        },
    )
    .await
}

/// Flows → New flow → a modal on the settings page whose audience is the saved segment.
async fn build_tour_for_the_segment(world: &World) -> anyhow::Result<()> {
    let client = world.client();
    click_host_element(client, admin::NAV_FLOWS).await?;
    wait_for_element(world, admin::NEW_FLOW, "the flows list is open").await?;
    click_host_element(client, admin::NEW_FLOW).await?;
    wait_for_element(world, admin::FLOW_ID, "the flow editor is open").await?;
    fill_field(client, admin::FLOW_ID, FLOW_ID).await?;
    fill_field(client, admin::FLOW_NAME, "Pro settings tip").await?;
    choose_option(client, admin::TRIGGER_TYPE, "url").await?;
    fill_field(client, admin::TRIGGER_VALUE, TRIGGER_PAGE).await?;
    fill_field(client, &admin::step_field(0, "step-id"), STEP_ID).await?;
    choose_option(client, &admin::step_field(0, "kind"), "modal").await?;
    fill_field(client, &admin::step_field(0, "title"), STEP_TITLE).await?;
    fill_field(
        client,
        &admin::step_field(0, "body"),
        "Invoices and seats are under **Billing**.",
    )
    .await?;

    click_host_element(client, admin::AUDIENCE_IN_SEGMENT).await?;
    // The segment list loads after the editor opens.
    wait_until(
        "the audience offers the segment",
        STEP_TIMEOUT,
        async || {
            Ok(
                match choose_option(client, admin::AUDIENCE_SEGMENT, SEGMENT_ID).await {
                    Ok(()) => Observation::Ready(()),
                    Err(error) => Observation::NotYet(format!("{error:#}")),
                },
            )
        },
    )
    .await
}

async fn wait_for_element(world: &World, selector: &str, what: &str) -> anyhow::Result<()> {
    let client = world.client();
    wait_until(what, STEP_TIMEOUT, async || {
        Ok(match page_element(client, selector).await {
            Ok(_) => Observation::Ready(()),
            Err(error) => Observation::NotYet(format!("{error:#}")),
        })
    })
    .await
}
