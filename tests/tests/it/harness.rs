//! The checks themselves can fail: a scenario that passes because its check saw nothing would
//! prove nothing, so these run the checks against a page where each must object.

use anyhow::ensure;
use serde_json::json;
use tests::actions::open_host_as;
use tests::checks::{
    check_no_page_errors, check_no_step_shows, page_errors, wait_for_visible_step,
    wait_for_widget_ready,
};
use tests::locators::welcome_tour;
use tests::world::World;

#[tokio::test]
async fn the_checks_object_to_uncaught_errors_and_to_unwanted_steps() -> anyhow::Result<()> {
    World::run(|world| Box::pin(make_every_check_object(world))).await
}

async fn make_every_check_object(world: &mut World) -> anyhow::Result<()> {
    let user_id = world.fresh_user_id("harness");
    open_host_as(world, &user_id, "/").await?;
    let client = world.client();
    wait_for_widget_ready(client).await?;
    wait_for_visible_step(client, welcome_tour::WELCOME).await?;
    ensure!(
        check_no_step_shows(client, "harness").await.is_err(),
        "check_no_step_shows accepted the visible welcome modal"
    );

    check_no_page_errors(client).await?;
    // A page script's own error and rejection, as the host's code would throw them.
    let page_script = "setTimeout(() => { throw new Error('harness error'); }); Promise.reject(new Error('harness rejection'));";
    world
        .browser()
        .devtools("Runtime.evaluate", json!({ "expression": page_script }))
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let errors = page_errors(client).await?;
    ensure!(
        errors.iter().any(|error| error.contains("harness error"))
            && errors
                .iter()
                .any(|error| error.contains("harness rejection")),
        "the page recorder missed a thrown error or an unhandled rejection: {errors:?}"
    );
    ensure!(
        check_no_page_errors(client).await.is_err(),
        "check_no_page_errors accepted a page with uncaught errors"
    );
    Ok(())
}
