//! The collector goes away while a user clicks through the tour: the widget keeps going on its
//! own, queues the events, and once the collector is back on the same port and database every
//! event arrives exactly once, whether the page stayed open or was closed and reopened.

use std::time::Duration;

use tests::actions::{complete_welcome_tour, open_host_as, open_url};
use tests::checks::{
    EVENT_DELIVERY_TIMEOUT, LifecycleCounts, check_funnel_of_completions, check_no_page_errors,
    check_no_step_shows, counts_for_one_completion, wait_for_exact_lifecycle_counts,
    wait_for_visible_step, wait_for_widget_ready,
};
use tests::locators::welcome_tour;
use tests::world::{WELCOME_TOUR_ID, World};

/// Retries back off while the collector is down; give them time to come round after it returns.
const DELIVERY_AFTER_OUTAGE_TIMEOUT: Duration = Duration::from_secs(90);

#[tokio::test]
async fn events_queued_while_the_collector_is_down_arrive_exactly_once_after_it_returns()
-> anyhow::Result<()> {
    World::run(|world| Box::pin(click_through_an_outage(world, PageDuringRestart::StaysOpen))).await
}

#[tokio::test]
async fn events_queued_while_the_collector_is_down_survive_closing_the_page() -> anyhow::Result<()>
{
    World::run(|world| {
        Box::pin(click_through_an_outage(
            world,
            PageDuringRestart::ClosedAndReopened,
        ))
    })
    .await
}

/// What the user does with the page while the collector comes back.
#[derive(Clone, Copy, PartialEq)]
enum PageDuringRestart {
    /// The widget that queued the events sends them itself.
    StaysOpen,
    /// The page is left before the collector returns, so only what the widget persisted
    /// (localStorage) can bring the events back when the user opens the product again.
    ClosedAndReopened,
}

async fn click_through_an_outage(world: &mut World, page: PageDuringRestart) -> anyhow::Result<()> {
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
    if page == PageDuringRestart::ClosedAndReopened {
        open_url(world.client(), "about:blank").await?;
    }

    world.restart_collector().await?;
    if page == PageDuringRestart::ClosedAndReopened {
        open_host_as(world, &user_id, "/").await?;
        wait_for_widget_ready(world.client()).await?;
        check_no_step_shows(
            world.client(),
            "reopening / after completing the tour offline",
        )
        .await?;
    }
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
