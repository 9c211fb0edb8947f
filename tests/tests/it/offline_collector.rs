//! The collector goes away while a user clicks through the tour: the widget keeps going on its
//! own, queues the events, and once the collector is back on the same port and database every
//! event arrives exactly once.

use std::time::Duration;

use tests::actions::{complete_welcome_tour, open_host_as};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, LifecycleCounts, check_funnel_of_completions, check_no_page_errors,
    counts_for_one_completion, wait_for_exact_lifecycle_counts, wait_for_visible_step,
};
use tests::locators::welcome_tour;
use tests::world::{WELCOME_TOUR_ID, World};

/// Retries back off while the collector is down; give them time to come round after it returns.
const DELIVERY_AFTER_OUTAGE_TIMEOUT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn events_queued_while_the_collector_is_down_arrive_exactly_once_after_it_returns()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(click_through_an_outage(world))).await
}

async fn click_through_an_outage(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("through-outage");
    open_host_as(world, &user_id, "/").await?;
    wait_for_visible_step(world.client(), welcome_tour::WELCOME).await?;
    // The start of the tour reaches the collector before the outage, so a resend would show.
    let before_outage = LifecycleCounts::from([
        ("flow_started".to_string(), 1),
        (format!("step_viewed:{}", welcome_tour::WELCOME), 1),
    ]);
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        WELCOME_TOUR_ID,
        &before_outage,
        EVENT_DELIVERY_TIMEOUT,
    )
    .await?;

    world.stop_collector().await?;
    complete_welcome_tour(world.client()).await?;
    check_no_page_errors(world.client()).await?;

    world.restart_collector().await?;
    let expected = counts_for_one_completion(&welcome_tour::STEP_IDS);
    wait_for_exact_lifecycle_counts(
        &world.admin_api,
        &user_id,
        WELCOME_TOUR_ID,
        &expected,
        DELIVERY_AFTER_OUTAGE_TIMEOUT,
    )
    .await?;
    let funnel = world.admin_api.funnel(WELCOME_TOUR_ID).await?;
    check_funnel_of_completions(&funnel, &welcome_tour::STEP_IDS, 1)?;
    check_no_page_errors(world.client()).await
}
