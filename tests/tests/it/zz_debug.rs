//! temporary
use tests::actions::open_host_as;
use tests::checks::wait_for_visible_step;
use tests::world::World;

#[tokio::test]
async fn zz_failing_scenario_reports() -> anyhow::Result<()> {
    World::run(|world| Box::pin(async move {
        let user = world.fresh_user_id("dbg");
        open_host_as(world, &user, "/").await?;
        wait_for_visible_step(world.client(), "no-such-step").await?;
        Ok(())
    })).await
}
