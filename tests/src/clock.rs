//! A fake clock for the widget: every page of the browser reads `Date.now()` (and `new Date()`)
//! as the real time plus an offset the scenario sets, so session time-outs and cool-downs can
//! pass in an instant instead of in sleeps. The offset lives in the page origin's localStorage
//! and counts from the next page load (the script runs before the page's own scripts).

use std::time::Duration;

use anyhow::{Context, ensure};
use fantoccini::Client;
use serde_json::json;

use crate::browser::Browser;

/// Where the fake clock reads its offset (milliseconds) in the origin's localStorage.
pub const CLOCK_OFFSET_KEY: &str = "waymark-test-clock-offset";

/// Overrides `Date.now()` and argument-less `new Date()` in every new document.
const FAKE_CLOCK_SCRIPT: &str = include_str!("../fixtures/fake-clock.js");

/// How far the page's clock may differ from the expected offset (script and timer jitter).
const CLOCK_TOLERANCE_MS: i64 = 2_000;

/// Installs the fake clock in every document the browser opens from now on, through
/// chromedriver's DevTools endpoint (`Page.addScriptToEvaluateOnNewDocument`).
pub async fn install_fake_clock(browser: &Browser) -> anyhow::Result<()> {
    browser
        .devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": FAKE_CLOCK_SCRIPT }),
        )
        .await
        .context("installing the fake clock")?;
    Ok(())
}

/// The offset the current origin's fake clock will use, in milliseconds.
pub async fn clock_offset_ms(client: &Client) -> anyhow::Result<i64> {
    let stored = client
        .execute(
            "return Number(localStorage.getItem(arguments[0]) || 0);",
            vec![json!(CLOCK_OFFSET_KEY)],
        )
        .await
        .context("reading the fake clock's offset")?;
    Ok(stored.as_f64().unwrap_or(0.0) as i64)
}

/// Moves the current origin's clock `by` further ahead; pages see it at once (the script reads the
/// offset on every call), the widget of an already booted page on its next look at the clock.
/// Returns the new total offset in milliseconds.
pub async fn advance_clock(client: &Client, by: Duration) -> anyhow::Result<i64> {
    let offset = clock_offset_ms(client).await? + i64::try_from(by.as_millis())?;
    client
        .execute(
            "localStorage.setItem(arguments[0], String(arguments[1]));",
            vec![json!(CLOCK_OFFSET_KEY), json!(offset)],
        )
        .await
        .context("advancing the fake clock")?;
    Ok(offset)
}

/// Fails unless the current page's `Date.now()` and `new Date()` run `expected_offset_ms` ahead of
/// the real time (`performance.timeOrigin + performance.now()`, which the fake clock leaves alone),
/// so a scenario never passes because the clock silently did not move.
pub async fn check_page_clock_offset(
    client: &Client,
    expected_offset_ms: i64,
) -> anyhow::Result<()> {
    let seen = client
        .execute(
            "const real = performance.timeOrigin + performance.now(); \
             return { now: Date.now() - real, constructed: new Date().getTime() - real, \
                      installed: !!Date.__waymarkFakeClock };",
            vec![],
        )
        .await
        .context("reading the page's clock")?;
    ensure!(
        seen["installed"] == true,
        "the fake clock is not installed in this page: {seen}"
    );
    for field in ["now", "constructed"] {
        let offset = seen[field].as_f64().unwrap_or(f64::NAN) as i64;
        ensure!(
            (offset - expected_offset_ms).abs() <= CLOCK_TOLERANCE_MS,
            "the page's clock ({field}) runs {offset} ms ahead, expected {expected_offset_ms} ms: {seen}"
        );
    }
    Ok(())
}
