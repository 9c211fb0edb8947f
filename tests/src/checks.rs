//! What the scenarios assert, always by waiting with a timeout and failing with what was last
//! observed: the widget's steps (read from its shadow root), the host page's health, the events and
//! funnels the collector stored, geometry, and axe-core's verdict.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail, ensure};
use fantoccini::Client;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::collector_api::{CollectorAdminClient, EligibilityItem, Funnel, StoredEvent};
use crate::locators;

/// How long a step may take to appear or react (wasm download and boot included).
pub const STEP_TIMEOUT: Duration = Duration::from_secs(20);
/// How long the widget may take to deliver its events.
pub const EVENT_DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to keep watching that something does not happen (a late duplicate, an unwanted step).
pub const QUIET_PERIOD: Duration = Duration::from_secs(3);
const POLL_INTERVAL: Duration = Duration::from_millis(150);

/// One look at the world while waiting.
pub enum Observation<T> {
    Ready(T),
    NotYet(String),
}

/// Polls `probe` until it reports `Ready`, failing after `timeout` with the last observation.
/// A probe error counts as "not yet" (the page may be mid-navigation), and is reported if it lasts.
pub async fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl AsyncFnMut() -> anyhow::Result<Observation<T>>,
) -> anyhow::Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        let last_seen = match probe().await {
            Ok(Observation::Ready(value)) => return Ok(value),
            Ok(Observation::NotYet(seen)) => seen,
            Err(error) => format!("error: {error:#}"),
        };
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting until {what}; last observed: {last_seen}");
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// A box in CSS pixels, from `getBoundingClientRect()`.
#[derive(Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Rectangle {
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
    pub width: f64,
    pub height: f64,
}

/// What the widget shows right now, read from its shadow root.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct StepSnapshot {
    pub flow_id: Option<String>,
    pub step_id: Option<String>,
    pub kind: Option<String>,
    pub placement: Option<String>,
    pub role: Option<String>,
    /// The text of the element named by `aria-labelledby`.
    pub title: Option<String>,
    pub progress: Option<String>,
    pub rectangle: Rectangle,
    /// Why the step is not visible to a person (empty when it is).
    pub visibility_problems: Vec<String>,
    /// How many `[data-waymark-step]` elements the shadow root holds.
    pub steps_in_root: usize,
}

impl StepSnapshot {
    pub fn is_visible(&self) -> bool {
        self.visibility_problems.is_empty()
    }

    fn describe(&self) -> String {
        format!(
            "step {:?} of flow {:?} (kind {:?}, visible: {}, problems: {:?})",
            self.step_id,
            self.flow_id,
            self.kind,
            self.is_visible(),
            self.visibility_problems
        )
    }
}

const STEP_SNAPSHOT_JS: &str = r#"
const root = (document.querySelector('#waymark-root') || {}).shadowRoot || null;
if (!root) return null;
const steps = Array.from(root.querySelectorAll('[data-waymark-step]'));
if (steps.length === 0) return null;
const step = steps[steps.length - 1];
const box = step.getBoundingClientRect();
const problems = [];
for (let node = step; node; node = node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentElement) {
  const style = getComputedStyle(node);
  if (style.display === 'none') problems.push(`display:none on ${node.tagName}`);
  if (parseFloat(style.opacity) < 0.9) problems.push(`opacity ${style.opacity} on ${node.tagName}`);
  if (node === step && style.visibility !== 'visible') problems.push(`visibility ${style.visibility}`);
}
if (box.width < 1 || box.height < 1) problems.push(`size ${box.width}x${box.height}`);
if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) problems.push('outside the viewport');
const labelId = step.getAttribute('aria-labelledby');
const label = labelId ? root.getElementById(labelId) : null;
const progress = step.querySelector('[data-waymark-progress]');
return {
  flow_id: step.getAttribute('data-flow-id'),
  step_id: step.getAttribute('data-step-id'),
  kind: step.getAttribute('data-kind'),
  placement: step.getAttribute('data-placement'),
  role: step.getAttribute('role'),
  title: label ? label.textContent.trim() : null,
  progress: progress ? progress.textContent.trim() : null,
  rectangle: { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, height: box.height },
  visibility_problems: problems,
  steps_in_root: steps.length,
};
"#;

/// The step the widget currently renders, visible or not.
pub async fn current_step(client: &Client) -> anyhow::Result<Option<StepSnapshot>> {
    let snapshot = client
        .execute(STEP_SNAPSHOT_JS, vec![])
        .await
        .context("reading the widget's step")?;
    if snapshot.is_null() {
        return Ok(None);
    }
    Ok(Some(
        serde_json::from_value(snapshot).context("reading the step snapshot")?,
    ))
}

/// Waits until the step `step_id` is visible, and returns it.
pub async fn wait_for_visible_step(client: &Client, step_id: &str) -> anyhow::Result<StepSnapshot> {
    wait_until(
        &format!("step `{step_id}` is visible"),
        STEP_TIMEOUT,
        async || {
            Ok(match current_step(client).await? {
                Some(step) if step.step_id.as_deref() == Some(step_id) && step.is_visible() => {
                    Observation::Ready(step)
                }
                Some(step) => Observation::NotYet(step.describe()),
                None => Observation::NotYet("no step in the widget's shadow root".to_string()),
            })
        },
    )
    .await
}

/// Waits until no step is visible (the flow ended).
pub async fn wait_for_no_visible_step(client: &Client) -> anyhow::Result<()> {
    wait_until("no step is visible", STEP_TIMEOUT, async || {
        Ok(match current_step(client).await? {
            Some(step) if step.is_visible() => Observation::NotYet(step.describe()),
            _ => Observation::Ready(()),
        })
    })
    .await
}

/// Watches for `QUIET_PERIOD` that no step becomes visible.
pub async fn check_no_step_shows(client: &Client, situation: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + QUIET_PERIOD;
    while Instant::now() < deadline {
        if let Some(step) = current_step(client).await?
            && step.is_visible()
        {
            bail!(
                "{situation}: no step should show, but the widget shows {}",
                step.describe()
            );
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    Ok(())
}

/// Checks a step's contract attributes and text.
pub fn check_step(
    step: &StepSnapshot,
    expected_kind: &str,
    expected_progress: &str,
) -> anyhow::Result<()> {
    let described = step.describe();
    ensure!(
        step.kind.as_deref() == Some(expected_kind),
        "expected a {expected_kind}, got {described}"
    );
    ensure!(
        step.role.as_deref() == Some("dialog"),
        "a step must have role=dialog, got {:?} on {described}",
        step.role
    );
    ensure!(
        step.title.as_deref().is_some_and(|title| !title.is_empty()),
        "aria-labelledby must name a title on {described}"
    );
    ensure!(
        step.progress.as_deref() == Some(expected_progress),
        "expected progress {expected_progress:?}, got {:?} on {described}",
        step.progress
    );
    ensure!(
        step.steps_in_root == 1,
        "exactly one step should be rendered, found {} ({described})",
        step.steps_in_root
    );
    Ok(())
}

/// Waits until the widget has booted (its `ready` callback fired; see fixtures/page-recorder.js).
pub async fn wait_for_widget_ready(client: &Client) -> anyhow::Result<()> {
    wait_until("the widget fired `ready`", STEP_TIMEOUT, async || {
        let state = client
            .execute("return window.__waymarkTest || null;", vec![])
            .await?;
        Ok(if state["ready"] == true {
            Observation::Ready(())
        } else {
            Observation::NotYet(format!("page recorder state: {state}"))
        })
    })
    .await
}

/// Uncaught errors and unhandled rejections the current page has seen.
pub async fn page_errors(client: &Client) -> anyhow::Result<Vec<String>> {
    let errors = client
        .execute(
            "return (window.__waymarkTest || {errors: ['the page recorder is missing']}).errors;",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(errors).unwrap_or_default())
}

/// Fails when the current page has seen any uncaught error.
pub async fn check_no_page_errors(client: &Client) -> anyhow::Result<()> {
    let errors = page_errors(client).await?;
    ensure!(
        errors.is_empty(),
        "the host page saw uncaught errors: {errors:#?}"
    );
    Ok(())
}

/// Waits until the host page's `waymark.on(name)` callback has heard an event whose detail has
/// `key` equal to `value` (e.g. `checklist_item_completed` with `item_id`).
pub async fn wait_for_host_heard(
    client: &Client,
    name: &str,
    key: &str,
    value: &str,
    timeout: Duration,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let heard = client
            .execute(
                "const [name, key, value] = arguments; const record = window.__waymarkTest; \
                 return !!record && record.lifecycle.some((entry) => entry.name === name \
                   && entry.detail && entry.detail[key] === value);",
                vec![name.into(), key.into(), value.into()],
            )
            .await?;
        if heard == serde_json::json!(true) {
            return Ok(());
        }
        ensure!(
            Instant::now() < deadline,
            "the host's waymark.on(\"{name}\") never heard {key} = {value}"
        );
        tokio::time::sleep(POLL_INTERVAL).await;
    }
}

/// Fails when the widget has already announced `step_viewed` on the current page: used while its
/// step cannot be seen yet (its target is hidden), since the event promises a visible step.
pub async fn check_no_step_viewed_yet(client: &Client) -> anyhow::Result<()> {
    let viewed = client
        .execute(
            "const record = window.__waymarkTest; \
             return record ? record.lifecycle.filter((entry) => entry.name === 'step_viewed').length : -1;",
            vec![],
        )
        .await?;
    ensure!(
        viewed == serde_json::json!(0),
        "step_viewed was announced {viewed} time(s) while the step could not be seen (-1: no page recorder)"
    );
    Ok(())
}

/// Waits until the browser is on a URL whose path is `path`.
pub async fn wait_for_path(client: &Client, path: &str) -> anyhow::Result<()> {
    wait_until(
        &format!("the page is at {path}"),
        STEP_TIMEOUT,
        async || {
            let url = client.current_url().await?;
            Ok(if url.path() == path {
                Observation::Ready(())
            } else {
                Observation::NotYet(url.to_string())
            })
        },
    )
    .await
}

/// Lifecycle events of one flow counted by `name` or `name:step_id`.
pub type LifecycleCounts = BTreeMap<String, usize>;

pub fn lifecycle_counts(events: &[StoredEvent], flow_id: &str) -> LifecycleCounts {
    let mut counts = LifecycleCounts::new();
    for event in events
        .iter()
        .filter(|event| event.kind == "track" && event.flow_id() == Some(flow_id))
    {
        let name = event.name.clone().unwrap_or_default();
        let key = match event.step_id() {
            Some(step_id) => format!("{name}:{step_id}"),
            None => name,
        };
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// The counts of a flow completed once, each step viewed and completed once.
pub fn counts_for_one_completion(step_ids: &[&str]) -> LifecycleCounts {
    let mut counts = LifecycleCounts::from([
        ("flow_started".to_string(), 1),
        ("flow_completed".to_string(), 1),
    ]);
    for step_id in step_ids {
        counts.insert(format!("step_viewed:{step_id}"), 1);
        counts.insert(format!("step_completed:{step_id}"), 1);
    }
    counts
}

/// Waits until the stored lifecycle events of `user_id` in `flow_id` are exactly `expected`, then
/// keeps watching for `QUIET_PERIOD` that no late duplicate arrives. Fails at once on any excess.
pub async fn wait_for_exact_lifecycle_counts(
    admin_api: &CollectorAdminClient,
    user_id: &str,
    flow_id: &str,
    expected: &LifecycleCounts,
    timeout: Duration,
) -> anyhow::Result<Vec<StoredEvent>> {
    wait_for_exact_counts(
        admin_api,
        user_id,
        &format!("lifecycle events in {flow_id}"),
        |events| lifecycle_counts(events, flow_id),
        expected,
        timeout,
    )
    .await
}

fn check_no_excess(counts: &LifecycleCounts, expected: &LifecycleCounts) -> anyhow::Result<()> {
    for (key, count) in counts {
        let allowed = expected.get(key).copied().unwrap_or(0);
        ensure!(
            *count <= allowed,
            "the collector stored {count} × `{key}` where {allowed} were expected (all counts: {counts:?})"
        );
    }
    Ok(())
}

/// Checks a funnel for `users` users who all saw and completed every step.
pub fn check_funnel_of_completions(
    funnel: &Funnel,
    step_ids: &[&str],
    users: u64,
) -> anyhow::Result<()> {
    ensure!(
        funnel.started == users,
        "funnel started = {}, expected {users}: {funnel:?}",
        funnel.started
    );
    ensure!(
        funnel.completed == users,
        "funnel completed = {}, expected {users}: {funnel:?}",
        funnel.completed
    );
    ensure!(
        funnel.dismissed == 0,
        "funnel dismissed = {}, expected 0: {funnel:?}",
        funnel.dismissed
    );
    let funnel_step_ids: Vec<&str> = funnel
        .steps
        .iter()
        .map(|step| step.step_id.as_str())
        .collect();
    ensure!(
        funnel_step_ids == step_ids,
        "funnel steps are {funnel_step_ids:?}, expected {step_ids:?}"
    );
    for step in &funnel.steps {
        ensure!(
            step.viewed == users && step.completed == users,
            "funnel step {step:?}: expected viewed = completed = {users}"
        );
    }
    Ok(())
}

/// Checks that `step` sits on the side `placement` of `target`, within `MAXIMUM_GAP_PX`, and
/// overlaps it along the other axis (so its arrow can point at it).
pub fn check_step_is_next_to_target(
    step: &Rectangle,
    target: &Rectangle,
    placement: &str,
) -> anyhow::Result<()> {
    const MAXIMUM_GAP_PX: f64 = 24.0;
    const OVERLAP_TOLERANCE_PX: f64 = 2.0;
    let (gap, overlaps_other_axis) = match placement {
        "bottom" => (
            step.top - target.bottom,
            step.left < target.right && step.right > target.left,
        ),
        "top" => (
            target.top - step.bottom,
            step.left < target.right && step.right > target.left,
        ),
        "right" => (
            step.left - target.right,
            step.top < target.bottom && step.bottom > target.top,
        ),
        "left" => (
            target.left - step.right,
            step.top < target.bottom && step.bottom > target.top,
        ),
        other => bail!("data-placement must be top, right, bottom or left, got {other:?}"),
    };
    ensure!(
        (-OVERLAP_TOLERANCE_PX..=MAXIMUM_GAP_PX).contains(&gap),
        "the step should be within {MAXIMUM_GAP_PX}px on the {placement} side of its target, but the gap is {gap}px (step {step:?}, target {target:?})"
    );
    ensure!(
        overlaps_other_axis,
        "the step on the {placement} side does not line up with its target (step {step:?}, target {target:?})"
    );
    Ok(())
}

/// Finds `arguments[0]` in the page, else inside open shadow roots and same-origin iframes (the
/// places a step's target may be), and sets `found` to it and `offset` to where its document's
/// viewport starts in the top page's viewport (each iframe's box plus its border and padding).
const FIND_DEEP_ELEMENT_JS: &str = r#"
const selector = arguments[0];
const search = (root, depth) => {
  const direct = root.querySelector(selector);
  if (direct) return { element: direct, x: 0, y: 0 };
  if (depth >= 4) return null;
  for (const node of root.querySelectorAll('*')) {
    if (node.id === 'waymark-root') continue;
    if (node.shadowRoot) {
      const inside = search(node.shadowRoot, depth + 1);
      if (inside) return inside;
    }
    let inner = null;
    try { inner = node.tagName === 'IFRAME' ? node.contentDocument : null; } catch (error) { inner = null; }
    const inside = inner && search(inner, depth + 1);
    if (inside) {
      const frame = node.getBoundingClientRect(), style = getComputedStyle(node);
      const edge = (side) => parseFloat(style[`border${side}Width`]) + parseFloat(style[`padding${side}`]);
      return { element: inside.element, x: inside.x + frame.left + edge('Left'), y: inside.y + frame.top + edge('Top') };
    }
  }
  return null;
};
const found = search(document, 0);
"#;

/// The on-screen box of an element of the host page: in the page itself, else inside an open
/// shadow root or a same-origin iframe (offset by the iframe's position), as the widget finds targets.
pub async fn page_element_rectangle(client: &Client, selector: &str) -> anyhow::Result<Rectangle> {
    let rectangle = client
        .execute(
            &format!(
                "{FIND_DEEP_ELEMENT_JS} if (!found) return null; \
                 const box = found.element.getBoundingClientRect(); \
                 return {{ left: box.left + found.x, top: box.top + found.y, right: box.right + found.x, \
                          bottom: box.bottom + found.y, width: box.width, height: box.height }};"
            ),
            vec![json!(selector)],
        )
        .await?;
    ensure!(!rectangle.is_null(), "the host page has no `{selector}`");
    Ok(serde_json::from_value(rectangle)?)
}

/// Fails unless the host element `selector` is inside the viewport and is what a person sees
/// (and would click) at its centre and just inside its top and bottom edges: nothing of the page,
/// a fixed header say, covers it.
pub async fn check_page_element_is_uncovered(
    client: &Client,
    selector: &str,
) -> anyhow::Result<()> {
    let verdict = client
        .execute(
            "const element = document.querySelector(arguments[0]); if (!element) return 'missing'; \
             const box = element.getBoundingClientRect(); \
             if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) \
               return `outside the viewport at ${JSON.stringify(box)}`; \
             const x = box.left + box.width / 2; \
             for (const y of [box.top + 2, box.top + box.height / 2, box.bottom - 2]) { \
               const hit = document.elementFromPoint(x, y); \
               if (!hit || !element.contains(hit)) return `${hit && hit.outerHTML.slice(0, 120)} covers it at (${x}, ${y})`; \
             } \
             return 'uncovered';",
            vec![json!(selector)],
        )
        .await?;
    ensure!(
        verdict == "uncovered",
        "`{selector}` is not fully visible: {verdict}"
    );
    Ok(())
}

/// Where the step stands at its own centre: `on top`, or what covers it.
async fn step_on_top_verdict(client: &Client) -> anyhow::Result<String> {
    let verdict = client
        .execute(
            "const host = document.querySelector('#waymark-root'); const root = host && host.shadowRoot; \
             const step = root && root.querySelector('[data-waymark-step]'); if (!step) return 'no step'; \
             const box = step.getBoundingClientRect(); const x = box.left + box.width / 2; const y = box.top + box.height / 2; \
             const outer = document.elementFromPoint(x, y); \
             if (outer !== host) return `the host page's ${outer && outer.outerHTML.slice(0, 120)} covers the step`; \
             const inner = root.elementFromPoint(x, y); \
             return inner && step.contains(inner) ? 'on top' : `the widget's ${inner && inner.outerHTML.slice(0, 120)} covers the step`;",
            vec![],
        )
        .await?;
    Ok(verdict.as_str().unwrap_or_default().to_string())
}

/// Fails unless a click at the middle of the step would land on the step itself (nothing of the
/// host page, however high its z-index, covers it).
pub async fn check_step_is_on_top(client: &Client) -> anyhow::Result<()> {
    let verdict = step_on_top_verdict(client).await?;
    ensure!(
        verdict == "on top",
        "the step is not the topmost element at its own centre: {verdict}"
    );
    Ok(())
}

/// How long the widget may take to get back on top after the host opens a modal `<dialog>` over
/// it (docs/contracts.md: it moves into the dialog within about 200 ms).
pub const BACK_ON_TOP_TIMEOUT: Duration = Duration::from_secs(1);

/// Waits until the step is the topmost element at its own centre (after the host opened
/// something in the top layer over it).
pub async fn wait_for_step_on_top(client: &Client) -> anyhow::Result<()> {
    wait_until(
        "the step is the topmost element at its own centre",
        BACK_ON_TOP_TIMEOUT,
        async || {
            let verdict = step_on_top_verdict(client).await?;
            Ok(if verdict == "on top" {
                Observation::Ready(())
            } else {
                Observation::NotYet(verdict)
            })
        },
    )
    .await
}

/// The computed text style of the step's title (`color`, `font-family`, `text-transform`,
/// `direction`), to catch host styles inherited into the widget and check its writing direction.
pub async fn step_title_style(client: &Client) -> anyhow::Result<BTreeMap<String, String>> {
    let style = client
        .execute(
            "const root = (document.querySelector('#waymark-root') || {}).shadowRoot; \
             const step = root && root.querySelector('[data-waymark-step]'); \
             const title = step && root.getElementById(step.getAttribute('aria-labelledby')); \
             if (!title) return null; const style = getComputedStyle(title); \
             return { color: style.color, 'font-family': style.fontFamily, 'text-transform': style.textTransform, direction: style.direction };",
            vec![],
        )
        .await?;
    ensure!(
        !style.is_null(),
        "the step has no title element named by aria-labelledby"
    );
    Ok(serde_json::from_value(style)?)
}

/// One axe-core rule broken by the checked element.
#[derive(Deserialize, Clone, Debug)]
pub struct AxeViolation {
    pub id: String,
    pub impact: Option<String>,
    pub help: String,
    pub nodes: Vec<String>,
}

/// Injects axe-core (once per page) and returns its violations on the current step.
pub async fn axe_violations_on_step(
    client: &Client,
    axe_source: &str,
) -> anyhow::Result<Vec<AxeViolation>> {
    axe_violations_on_widget(client, axe_source, locators::STEP).await
}

/// Fails with every violation axe-core reports on the current step.
pub async fn check_step_is_accessible(
    client: &Client,
    axe_source: &str,
    which_step: &str,
) -> anyhow::Result<()> {
    let violations = axe_violations_on_step(client, axe_source).await?;
    ensure!(
        violations.is_empty(),
        "axe-core found violations on the {which_step}: {violations:#?}"
    );
    Ok(())
}

/// Fails when the current page reported any Content-Security-Policy violation.
pub async fn check_no_content_security_policy_violations(client: &Client) -> anyhow::Result<()> {
    let violations = client
        .execute("return (window.__waymarkTest || {cspViolations: ['the page recorder is missing']}).cspViolations;", vec![])
        .await?;
    let violations: Vec<String> = serde_json::from_value(violations).unwrap_or_default();
    ensure!(
        violations.is_empty(),
        "the page's Content-Security-Policy blocked: {violations:#?}"
    );
    Ok(())
}

/// Waits until the collector has stored an event of `user_id` that `matches`, and returns them all.
pub async fn wait_for_stored_event(
    admin_api: &CollectorAdminClient,
    user_id: &str,
    description: &str,
    matches: impl Fn(&StoredEvent) -> bool,
) -> anyhow::Result<Vec<StoredEvent>> {
    wait_until(
        &format!("the collector stored {description} for {user_id}"),
        EVENT_DELIVERY_TIMEOUT,
        async || {
            let events = admin_api.events_for_user(user_id).await?;
            Ok(if events.iter().any(&matches) {
                Observation::Ready(events)
            } else {
                let names: Vec<String> = events
                    .iter()
                    .map(|event| format!("{}:{:?}", event.kind, event.name))
                    .collect();
                Observation::NotYet(format!("{names:?}"))
            })
        },
    )
    .await
}

/// Whether an event is the lifecycle event `name` of `flow_id` (for `step_id`, when given).
pub fn is_lifecycle_event(
    event: &StoredEvent,
    flow_id: &str,
    name: &str,
    step_id: Option<&str>,
) -> bool {
    event.kind == "track"
        && event.name.as_deref() == Some(name)
        && event.flow_id() == Some(flow_id)
        && step_id.is_none_or(|step_id| event.step_id() == Some(step_id))
}

#[cfg(test)]
mod tests {
    use super::{LifecycleCounts, Rectangle, check_no_excess, check_step_is_next_to_target};

    fn rectangle(left: f64, top: f64, width: f64, height: f64) -> Rectangle {
        Rectangle {
            left,
            top,
            right: left + width,
            bottom: top + height,
            width,
            height,
        }
    }

    fn check(step: Rectangle, placement: &str, adjacent: bool) {
        let target = rectangle(100.0, 100.0, 200.0, 40.0);
        let verdict = check_step_is_next_to_target(&step, &target, placement);
        assert_eq!(
            verdict.is_ok(),
            adjacent,
            "{placement} {step:?}: {verdict:?}"
        );
    }

    #[test]
    fn step_placement_against_target() {
        for (step, placement, adjacent) in [
            (rectangle(80.0, 152.0, 300.0, 120.0), "bottom", true),
            (rectangle(80.0, 140.0, 300.0, 120.0), "bottom", true),
            (rectangle(80.0, 200.0, 300.0, 120.0), "bottom", false),
            (rectangle(80.0, 152.0, 300.0, 120.0), "top", false),
            (rectangle(400.0, 152.0, 300.0, 120.0), "bottom", false),
            (rectangle(80.0, -32.0, 300.0, 120.0), "top", true),
            (rectangle(312.0, 60.0, 300.0, 120.0), "right", true),
            (rectangle(-212.0, 60.0, 300.0, 120.0), "left", true),
            (rectangle(-212.0, 60.0, 300.0, 120.0), "right", false),
            (rectangle(80.0, 152.0, 300.0, 120.0), "center", false),
        ] {
            check(step, placement, adjacent);
        }
    }

    #[test]
    fn excess_events_are_caught() {
        let expected = LifecycleCounts::from([
            ("flow_started".to_string(), 1),
            ("step_viewed:a".to_string(), 1),
        ]);
        for (stored, acceptable) in [
            (vec![("flow_started", 1)], true),
            (vec![("flow_started", 1), ("step_viewed:a", 1)], true),
            (vec![("flow_started", 2)], false),
            (vec![("flow_started", 1), ("flow_dismissed", 1)], false),
        ] {
            let counts: LifecycleCounts = stored
                .into_iter()
                .map(|(key, count)| (key.to_string(), count))
                .collect();
            assert_eq!(
                check_no_excess(&counts, &expected).is_ok(),
                acceptable,
                "{counts:?}"
            );
        }
    }
}

/// Where keyboard focus is, looking through shadow roots.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct FocusSnapshot {
    pub tag: Option<String>,
    /// The `data-action` of a focused step button.
    pub action: Option<String>,
    /// Whether focus is inside the rendered step.
    pub inside_step: bool,
    /// Whether the page's own focused element is the widget's host element (focus is in its
    /// shadow root, not in the host page).
    pub in_widget_root: bool,
    /// Which of the step's focusable controls (`locators::FOCUSABLE`, in document order) has focus.
    pub control_index: Option<usize>,
    /// How many focusable controls the step has.
    pub control_count: usize,
}

/// The deepest focused element (inside the widget's shadow root when focus is there).
pub async fn deep_focus(client: &Client) -> anyhow::Result<FocusSnapshot> {
    let focus = client
        .execute(
            "let root = document.activeElement, element = root; \
             while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement; \
             let step = element && element.closest ? element.closest(arguments[1]) : null; \
             let controls = step ? [...step.querySelectorAll(arguments[0])] : []; \
             let index = controls.indexOf(element); \
             return { tag: element ? element.tagName.toLowerCase() : null, \
                      action: element && element.getAttribute ? element.getAttribute('data-action') : null, \
                      inside_step: !!step, \
                      in_widget_root: !!root && root.matches(arguments[2]), \
                      control_index: index < 0 ? null : index, \
                      control_count: controls.length };",
            vec![
                json!(locators::FOCUSABLE),
                json!(locators::STEP),
                json!(locators::WIDGET_ROOT),
            ],
        )
        .await?;
    Ok(serde_json::from_value(focus)?)
}

/// Waits until focus is inside the visible step (the widget moves it there when a step opens).
pub async fn wait_for_focus_in_step(client: &Client) -> anyhow::Result<FocusSnapshot> {
    wait_until("focus moves into the step", STEP_TIMEOUT, async || {
        let focus = deep_focus(client).await?;
        Ok(if focus.inside_step && focus.in_widget_root {
            Observation::Ready(focus)
        } else {
            Observation::NotYet(format!("{focus:?}"))
        })
    })
    .await
}

/// One element inside the widget's shadow root (a launcher, a panel, a beacon, a banner...) as a
/// person would see it.
#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct WidgetElement {
    pub tag: String,
    pub attributes: BTreeMap<String, String>,
    /// `textContent`, whitespace collapsed.
    pub text: String,
    pub rectangle: Rectangle,
    /// Why the element is not visible to a person (empty when it is).
    pub visibility_problems: Vec<String>,
}

impl WidgetElement {
    pub fn is_visible(&self) -> bool {
        self.visibility_problems.is_empty()
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }

    pub fn describe(&self) -> String {
        let text: String = self.text.chars().take(80).collect();
        format!(
            "<{} {:?}> {text:?} (visible: {}, problems: {:?})",
            self.tag,
            self.attributes,
            self.is_visible(),
            self.visibility_problems
        )
    }
}

/// Every element matching `arguments[0]` in the widget's shadow root, with what hides it.
const WIDGET_ELEMENTS_JS: &str = r#"
const root = (document.querySelector('#waymark-root') || {}).shadowRoot || null;
if (!root) return null;
return Array.from(root.querySelectorAll(arguments[0])).map((element) => {
  const box = element.getBoundingClientRect();
  const problems = [];
  for (let node = element; node; node = node.parentNode instanceof ShadowRoot ? node.parentNode.host : node.parentElement) {
    const style = getComputedStyle(node);
    if (style.display === 'none') problems.push(`display:none on ${node.tagName}`);
    if (parseFloat(style.opacity) < 0.3) problems.push(`opacity ${style.opacity} on ${node.tagName}`);
    if (node === element && style.visibility !== 'visible') problems.push(`visibility ${style.visibility}`);
  }
  if (box.width < 1 || box.height < 1) problems.push(`size ${box.width}x${box.height}`);
  if (box.right <= 0 || box.bottom <= 0 || box.left >= innerWidth || box.top >= innerHeight) problems.push('outside the viewport');
  const attributes = {};
  for (const attribute of element.attributes) attributes[attribute.name] = attribute.value;
  return {
    tag: element.tagName.toLowerCase(),
    attributes,
    text: (element.textContent || '').replace(/\s+/g, ' ').trim(),
    rectangle: { left: box.left, top: box.top, right: box.right, bottom: box.bottom, width: box.width, height: box.height },
    visibility_problems: problems,
  };
});
"#;

/// Every element of the widget's shadow root matching `selector` (none when the widget has not
/// rendered its root yet).
pub async fn widget_elements(
    client: &Client,
    selector: &str,
) -> anyhow::Result<Vec<WidgetElement>> {
    let found = client
        .execute(WIDGET_ELEMENTS_JS, vec![json!(selector)])
        .await
        .with_context(|| format!("reading `{selector}` in the widget"))?;
    if found.is_null() {
        return Ok(Vec::new());
    }
    serde_json::from_value(found).with_context(|| format!("reading `{selector}` in the widget"))
}

/// The first element of the widget's shadow root matching `selector`, visible or not.
pub async fn widget_element_snapshot(
    client: &Client,
    selector: &str,
) -> anyhow::Result<Option<WidgetElement>> {
    Ok(widget_elements(client, selector).await?.into_iter().next())
}

/// Waits until a visible widget element matching `selector` satisfies `accept` (which returns
/// `Err(why not)` otherwise), and returns it.
pub async fn wait_for_widget_element_where(
    client: &Client,
    selector: &str,
    what: &str,
    timeout: Duration,
    accept: impl Fn(&WidgetElement) -> Result<(), String>,
) -> anyhow::Result<WidgetElement> {
    wait_until(what, timeout, async || {
        let elements = widget_elements(client, selector).await?;
        if elements.is_empty() {
            return Ok(Observation::NotYet(format!(
                "the widget has no `{selector}`"
            )));
        }
        let mut seen = Vec::new();
        for element in elements {
            if !element.is_visible() {
                seen.push(element.describe());
                continue;
            }
            match accept(&element) {
                Ok(()) => return Ok(Observation::Ready(element)),
                Err(why) => seen.push(format!("{why}: {}", element.describe())),
            }
        }
        Ok(Observation::NotYet(seen.join("; ")))
    })
    .await
}

/// Waits until a widget element matching `selector` is visible, and returns it.
pub async fn wait_for_widget_element(
    client: &Client,
    selector: &str,
    what: &str,
) -> anyhow::Result<WidgetElement> {
    wait_for_widget_element_where(client, selector, what, STEP_TIMEOUT, |_| Ok(())).await
}

/// Waits until a visible widget element matching `selector` has `attribute` = `value`.
pub async fn wait_for_widget_attribute(
    client: &Client,
    selector: &str,
    attribute: &str,
    value: &str,
    timeout: Duration,
) -> anyhow::Result<WidgetElement> {
    wait_for_widget_element_where(
        client,
        selector,
        &format!("`{selector}` has {attribute}={value:?}"),
        timeout,
        |element| match element.attribute(attribute) {
            Some(seen) if seen == value => Ok(()),
            seen => Err(format!("{attribute} is {seen:?}")),
        },
    )
    .await
}

/// Waits until a visible widget element matching `selector` reads `text` (whitespace collapsed).
pub async fn wait_for_widget_text(
    client: &Client,
    selector: &str,
    text: &str,
    timeout: Duration,
) -> anyhow::Result<WidgetElement> {
    wait_for_widget_element_where(
        client,
        selector,
        &format!("`{selector}` reads {text:?}"),
        timeout,
        |element| {
            if element.text == text {
                Ok(())
            } else {
                Err("other text".to_string())
            }
        },
    )
    .await
}

/// Waits until no widget element matching `selector` is visible (gone or hidden).
pub async fn wait_for_widget_element_gone(
    client: &Client,
    selector: &str,
    what: &str,
) -> anyhow::Result<()> {
    wait_until(what, STEP_TIMEOUT, async || {
        let visible: Vec<String> = widget_elements(client, selector)
            .await?
            .into_iter()
            .filter(WidgetElement::is_visible)
            .map(|element| element.describe())
            .collect();
        Ok(if visible.is_empty() {
            Observation::Ready(())
        } else {
            Observation::NotYet(visible.join("; "))
        })
    })
    .await
}

/// Watches for `QUIET_PERIOD` that no widget element matching `selector` becomes visible.
pub async fn check_widget_element_never_shows(
    client: &Client,
    selector: &str,
    situation: &str,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + QUIET_PERIOD;
    while Instant::now() < deadline {
        if let Some(element) = widget_elements(client, selector)
            .await?
            .into_iter()
            .find(WidgetElement::is_visible)
        {
            bail!(
                "{situation}: `{selector}` should not show, but the widget shows {}",
                element.describe()
            );
        }
        tokio::time::sleep(POLL_INTERVAL).await;
    }
    Ok(())
}

/// Where keyboard focus is (the deepest focused element, through shadow roots), described for
/// messages, and whether it matches `selector`.
pub async fn focus_matches(client: &Client, selector: &str) -> anyhow::Result<(bool, String)> {
    let focus = client
        .execute(
            "let element = document.activeElement; \
             while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement; \
             if (!element) return { matches: false, described: 'nothing' }; \
             return { matches: !!element.matches && element.matches(arguments[0]), \
                      described: (element.outerHTML || element.tagName).slice(0, 160) };",
            vec![json!(selector)],
        )
        .await?;
    Ok((
        focus["matches"] == true,
        focus["described"].as_str().unwrap_or_default().to_string(),
    ))
}

/// Waits until keyboard focus is on an element matching `selector`.
pub async fn wait_for_focus_on(client: &Client, selector: &str, what: &str) -> anyhow::Result<()> {
    wait_until(what, STEP_TIMEOUT, async || {
        let (matches, described) = focus_matches(client, selector).await?;
        Ok(if matches {
            Observation::Ready(())
        } else {
            Observation::NotYet(format!("focus is on {described}"))
        })
    })
    .await
}

/// Waits until keyboard focus is inside a widget element matching `container`.
pub async fn wait_for_focus_inside(
    client: &Client,
    container: &str,
    what: &str,
) -> anyhow::Result<()> {
    wait_for_focus_on(client, &format!("{container}, {container} *"), what).await
}

/// A computed style property of the first widget element matching `selector`.
pub async fn widget_computed_style(
    client: &Client,
    selector: &str,
    property: &str,
) -> anyhow::Result<String> {
    let value = client
        .execute(
            "const root = (document.querySelector('#waymark-root') || {}).shadowRoot; \
             const element = root && root.querySelector(arguments[0]); \
             return element ? getComputedStyle(element).getPropertyValue(arguments[1]) : null;",
            vec![json!(selector), json!(property)],
        )
        .await?;
    value
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("the widget has no `{selector}` to read {property} from"))
}

/// `#rrggbb` as computed styles print it: `rgb(r, g, b)`.
pub fn css_rgb(hex: &str) -> anyhow::Result<String> {
    let digits = hex.strip_prefix('#').unwrap_or(hex);
    ensure!(
        digits.len() == 6 && digits.is_ascii(),
        "{hex:?} is not #rrggbb"
    );
    let channel = |range: std::ops::Range<usize>| u8::from_str_radix(&digits[range], 16);
    Ok(format!(
        "rgb({}, {}, {})",
        channel(0..2)?,
        channel(2..4)?,
        channel(4..6)?
    ))
}

/// The host page's own `<html>` padding (top, bottom) in CSS pixels, as computed.
pub async fn host_root_padding(client: &Client) -> anyhow::Result<(f64, f64)> {
    let padding = client
        .execute(
            "const style = getComputedStyle(document.documentElement); \
             return [parseFloat(style.paddingTop) || 0, parseFloat(style.paddingBottom) || 0];",
            vec![],
        )
        .await?;
    let [top, bottom]: [f64; 2] = serde_json::from_value(padding)?;
    Ok((top, bottom))
}

/// How close two pixel lengths must be to count as equal (sub-pixel rounding).
const PIXEL_TOLERANCE: f64 = 1.0;

/// Waits until the host's `<html>` padding (top or bottom, by `side`) equals `expected_px`.
pub async fn wait_for_host_root_padding(
    client: &Client,
    side: &str,
    expected_px: f64,
) -> anyhow::Result<()> {
    wait_until(
        &format!("the host's <html> has padding-{side} {expected_px}px"),
        STEP_TIMEOUT,
        async || {
            let (top, bottom) = host_root_padding(client).await?;
            let seen = if side == "top" { top } else { bottom };
            Ok(if (seen - expected_px).abs() <= PIXEL_TOLERANCE {
                Observation::Ready(())
            } else {
                Observation::NotYet(format!("padding top {top}px, bottom {bottom}px"))
            })
        },
    )
    .await
}

/// Fails unless `inner` lies within `PIXEL_TOLERANCE` (plus `margin`) of the viewport's corner or
/// edge named by `corner` (`bottom_right`, `bottom_left`, `top_right`, `top_left`, `top`, `bottom`).
pub async fn check_near_viewport_edge(
    client: &Client,
    inner: &Rectangle,
    corner: &str,
    margin: f64,
) -> anyhow::Result<()> {
    let size = client
        .execute("return [innerWidth, innerHeight];", vec![])
        .await?;
    let [width, height]: [f64; 2] = serde_json::from_value(size)?;
    let near = |distance: f64| (-PIXEL_TOLERANCE..=margin + PIXEL_TOLERANCE).contains(&distance);
    let (top, bottom, left, right) = (
        inner.top,
        height - inner.bottom,
        inner.left,
        width - inner.right,
    );
    let fits = match corner {
        "bottom_right" => near(bottom) && near(right),
        "bottom_left" => near(bottom) && near(left),
        "top_right" => near(top) && near(right),
        "top_left" => near(top) && near(left),
        "top" => near(top),
        "bottom" => near(bottom),
        other => bail!("unknown viewport edge {other:?}"),
    };
    ensure!(
        fits,
        "expected the element within {margin}px of the viewport's {corner} ({width}x{height}), it is at {inner:?}"
    );
    Ok(())
}

/// Injects axe-core (once per page) and returns its violations on the widget element matching
/// `surface_selector` (inside the shadow root).
pub async fn axe_violations_on_widget(
    client: &Client,
    axe_source: &str,
    surface_selector: &str,
) -> anyhow::Result<Vec<AxeViolation>> {
    let loaded = client.execute("return typeof window.axe;", vec![]).await?;
    if loaded != "object" {
        let injected = client
            .execute(&format!("{axe_source}\n;return typeof window.axe;"), vec![])
            .await
            .context("injecting axe-core")?;
        ensure!(
            injected == "object",
            "axe-core did not load (window.axe is {injected})"
        );
    }
    let outcome: Value = client
        .execute_async(AXE_RUN_ON_SURFACE_JS, vec![json!(surface_selector)])
        .await
        .context("running axe-core")?;
    if let Some(error) = outcome["error"].as_str() {
        bail!("axe-core failed: {error}");
    }
    ensure!(
        outcome["checked"].as_u64().unwrap_or(0) > 0,
        "axe-core checked no rule at all on `{surface_selector}`: {outcome}"
    );
    Ok(serde_json::from_value(outcome["violations"].clone())?)
}

const AXE_RUN_ON_SURFACE_JS: &str = r#"
const selector = arguments[0];
const done = arguments[arguments.length - 1];
const root = (document.querySelector('#waymark-root') || {}).shadowRoot;
if (!root || !root.querySelector(selector)) { done({ error: `no ${selector} to check` }); return; }
// `region` is a page-level rule (all content inside landmarks); an overlay appended to <body>
// legitimately sits outside the host's landmarks. Every other rule runs.
axe.run({ include: [{ fromShadowDom: ['#waymark-root', selector] }] }, { rules: { region: { enabled: false } }, resultTypes: ['violations'] })
  .then((results) => done({
    checked: results.passes.length + results.violations.length + results.incomplete.length,
    violations: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => `${node.html} :: ${node.failureSummary}`),
    })),
  }))
  .catch((error) => done({ error: String(error && error.stack || error) }));
"#;

/// Fails with every violation axe-core reports on the widget surface matching `surface_selector`.
pub async fn check_widget_surface_is_accessible(
    client: &Client,
    axe_source: &str,
    surface_selector: &str,
    which_surface: &str,
) -> anyhow::Result<()> {
    let violations = axe_violations_on_widget(client, axe_source, surface_selector).await?;
    ensure!(
        violations.is_empty(),
        "axe-core found violations on the {which_surface}: {violations:#?}"
    );
    Ok(())
}

/// Stored `track` events of a user counted by `key` (`None` leaves an event out).
pub fn count_events(
    events: &[StoredEvent],
    key: impl Fn(&StoredEvent) -> Option<String>,
) -> LifecycleCounts {
    let mut counts = LifecycleCounts::new();
    for key in events.iter().filter_map(key) {
        *counts.entry(key).or_default() += 1;
    }
    counts
}

/// A checklist's lifecycle events counted as `checklist_item_completed:ITEM`,
/// `checklist_completed` and `badge_earned:BADGE`.
pub fn checklist_counts(events: &[StoredEvent], checklist_id: &str) -> LifecycleCounts {
    count_events(events, |event| {
        if event.kind != "track" || event.property_text("checklist_id") != Some(checklist_id) {
            return None;
        }
        let name = event.name.clone().unwrap_or_default();
        Some(
            match event
                .property_text("item_id")
                .or_else(|| event.property_text("badge_id"))
            {
                Some(detail) => format!("{name}:{detail}"),
                None => name,
            },
        )
    })
}

/// Waits until `count` over the stored events of `user_id` is exactly `expected`, then keeps
/// watching for `QUIET_PERIOD` that no late duplicate arrives. Fails at once on any excess.
pub async fn wait_for_exact_counts(
    admin_api: &CollectorAdminClient,
    user_id: &str,
    what: &str,
    count: impl Fn(&[StoredEvent]) -> LifecycleCounts,
    expected: &LifecycleCounts,
    timeout: Duration,
) -> anyhow::Result<Vec<StoredEvent>> {
    let description = format!("the collector stored exactly {expected:?} ({what}) for {user_id}");
    wait_until(&description, timeout, async || {
        let counts = count(&admin_api.events_for_user(user_id).await?);
        check_no_excess(&counts, expected)?;
        Ok(if &counts == expected {
            Observation::Ready(())
        } else {
            Observation::NotYet(format!("{counts:?}"))
        })
    })
    .await?;
    tokio::time::sleep(QUIET_PERIOD).await;
    let events = admin_api.events_for_user(user_id).await?;
    let counts = count(&events);
    ensure!(
        &counts == expected,
        "after {QUIET_PERIOD:?} more the stored events ({what}) changed to {counts:?}; expected exactly {expected:?}"
    );
    Ok(events)
}

/// Waits until the admin's "why" for `user_id` on `page` gives `flow_id` a verdict `accept`
/// takes (`Err(why not)` otherwise), and returns it.
pub async fn wait_for_eligibility(
    admin_api: &CollectorAdminClient,
    user_id: &str,
    page: &str,
    flow_id: &str,
    accept: impl Fn(&EligibilityItem) -> Result<(), String>,
) -> anyhow::Result<EligibilityItem> {
    wait_until(
        &format!("the eligibility of {user_id} on {page} explains {flow_id} as expected"),
        EVENT_DELIVERY_TIMEOUT,
        async || {
            let eligibility = admin_api.eligibility(user_id, page).await?;
            Ok(match eligibility.item(flow_id) {
                Some(item) => match accept(item) {
                    Ok(()) => Observation::Ready(item.clone()),
                    Err(why) => Observation::NotYet(format!("{why}: {item:?}")),
                },
                None => Observation::NotYet(format!("no item for {flow_id} in {eligibility:?}")),
            })
        },
    )
    .await
}

/// Waits until the widget image matching `selector` has loaded (the host's CSP and the URL let it
/// in), and returns its `alt` text.
pub async fn wait_for_widget_image_loaded(
    client: &Client,
    selector: &str,
) -> anyhow::Result<Option<String>> {
    wait_until(
        &format!("the widget image `{selector}` has loaded"),
        STEP_TIMEOUT,
        async || {
            let image = client
                .execute(
                    "const root = (document.querySelector('#waymark-root') || {}).shadowRoot; \
                     const image = root && root.querySelector(arguments[0]); \
                     if (!image) return null; \
                     return { loaded: image.complete && image.naturalWidth > 0, src: image.currentSrc || image.src, \
                              alt: image.getAttribute('alt') };",
                    vec![json!(selector)],
                )
                .await?;
            Ok(if image.is_null() {
                Observation::NotYet(format!("the widget has no `{selector}`"))
            } else if image["loaded"] == true {
                Observation::Ready(image["alt"].as_str().map(str::to_string))
            } else {
                Observation::NotYet(format!("not loaded: {image}"))
            })
        },
    )
    .await
}

/// The writing direction the widget declares: the `dir` attribute of `#waymark-root`, else of the
/// first element inside its shadow root that has one.
pub async fn widget_declared_direction(client: &Client) -> anyhow::Result<Option<String>> {
    let direction = client
        .execute(
            "const host = document.querySelector('#waymark-root'); if (!host) return null; \
             if (host.getAttribute('dir')) return host.getAttribute('dir'); \
             const inner = host.shadowRoot && host.shadowRoot.querySelector('[dir]'); \
             return inner ? inner.getAttribute('dir') : null;",
            vec![],
        )
        .await?;
    Ok(direction.as_str().map(str::to_string))
}

/// Waits until the page itself (light DOM: the host, the admin) has an element matching `selector`.
pub async fn wait_for_page_element(
    client: &Client,
    selector: &str,
    what: &str,
) -> anyhow::Result<fantoccini::elements::Element> {
    wait_until(what, STEP_TIMEOUT, async || {
        Ok(match locators::page_element(client, selector).await {
            Ok(element) => Observation::Ready(element),
            Err(error) => Observation::NotYet(format!("{error:#}")),
        })
    })
    .await
}

/// Waits until a visible widget element matching `selector` has stopped moving (a slide-in
/// animation has ended: two looks a quarter of a second apart agree), and returns it.
pub async fn wait_for_widget_element_settled(
    client: &Client,
    selector: &str,
) -> anyhow::Result<WidgetElement> {
    let mut previous = wait_for_widget_element(client, selector, "the surface shows").await?;
    wait_until(
        &format!("`{selector}` stops moving"),
        STEP_TIMEOUT,
        async || {
            tokio::time::sleep(Duration::from_millis(250)).await;
            let now = wait_for_widget_element(client, selector, "the surface shows").await?;
            let settled = now.rectangle == previous.rectangle;
            previous = now.clone();
            Ok(if settled {
                Observation::Ready(now)
            } else {
                Observation::NotYet(format!("still moving: {:?}", now.rectangle))
            })
        },
    )
    .await
}

/// The `data-value` of every checked option of the visible step's question, in order.
pub async fn checked_options(client: &Client) -> anyhow::Result<Vec<String>> {
    let checked = client
        .execute(
            "const root = (document.querySelector('#waymark-root') || {}).shadowRoot; \
             if (!root) return []; \
             return Array.from(root.querySelectorAll(arguments[0])) \
               .filter((input) => input.checked).map((input) => input.getAttribute('data-value'));",
            vec![json!(locators::survey::OPTION)],
        )
        .await
        .context("reading the question's checked options")?;
    Ok(serde_json::from_value(checked)?)
}

/// Waits until exactly the option `value` of the visible step's question is checked.
pub async fn wait_for_checked_option(client: &Client, value: &str) -> anyhow::Result<()> {
    wait_until(
        &format!("the question's option {value} is checked"),
        STEP_TIMEOUT,
        async || {
            let checked = checked_options(client).await?;
            Ok(if checked == [value] {
                Observation::Ready(())
            } else {
                Observation::NotYet(format!("checked: {checked:?}"))
            })
        },
    )
    .await
}

/// An attribute of the element that has keyboard focus, looking through shadow roots.
pub async fn focused_attribute(client: &Client, name: &str) -> anyhow::Result<Option<String>> {
    let value = client
        .execute(
            "let element = document.activeElement; \
             while (element && element.shadowRoot && element.shadowRoot.activeElement) element = element.shadowRoot.activeElement; \
             return element && element.getAttribute ? element.getAttribute(arguments[0]) : null;",
            vec![json!(name)],
        )
        .await?;
    Ok(value.as_str().map(str::to_string))
}

/// One stored `survey_answered` event's properties.
#[derive(Clone, Debug, PartialEq)]
pub struct StoredAnswer {
    pub step_id: String,
    pub kind: String,
    pub answer: Value,
}

/// The `survey_answered` events stored for `flow_id`, in the order the collector lists them.
pub fn survey_answers(events: &[StoredEvent], flow_id: &str) -> Vec<StoredAnswer> {
    events
        .iter()
        .filter(|event| event.is_track("survey_answered") && event.flow_id() == Some(flow_id))
        .map(|event| StoredAnswer {
            step_id: event.step_id().unwrap_or_default().to_string(),
            kind: event.property_text("kind").unwrap_or_default().to_string(),
            answer: event
                .properties
                .get("answer")
                .cloned()
                .unwrap_or(Value::Null),
        })
        .collect()
}

/// `GET /v1/admin/surveys/{flow_id}/results` of the world's collector.
pub async fn survey_results(world: &crate::world::World, flow_id: &str) -> anyhow::Result<Value> {
    let path = format!("/v1/admin/surveys/{flow_id}/results");
    let response = reqwest::Client::new()
        .get(format!("{}{path}", world.collector_origin()))
        .bearer_auth(crate::world::ADMIN_KEY)
        .send()
        .await
        .with_context(|| format!("{path}: request failed"))?;
    let status = response.status();
    let body = response.text().await.unwrap_or_default();
    ensure!(
        status.is_success(),
        "{path}: the collector answered {status}: {body}"
    );
    serde_json::from_str(&body).with_context(|| format!("{path}: the body is not JSON: {body}"))
}

/// Waits until the survey results of `flow_id` satisfy `accept` (`Err(why not)` otherwise), and
/// returns them.
pub async fn wait_for_survey_results(
    world: &crate::world::World,
    flow_id: &str,
    what: &str,
    accept: impl Fn(&Value) -> Result<(), String>,
) -> anyhow::Result<Value> {
    wait_until(
        &format!("the results of survey {flow_id} show {what}"),
        EVENT_DELIVERY_TIMEOUT,
        async || {
            let results = survey_results(world, flow_id).await?;
            Ok(match accept(&results) {
                Ok(()) => Observation::Ready(results),
                Err(why) => Observation::NotYet(format!("{why}: {results}")),
            })
        },
    )
    .await
}

/// The results of one question (by step id) in a survey's results.
pub fn question_results<'results>(
    results: &'results Value,
    step_id: &str,
) -> Option<&'results Value> {
    results["questions"]
        .as_array()?
        .iter()
        .find(|question| question["step_id"] == step_id)
}

/// Runs axe-core on the whole admin page (the widget's own surfaces are checked elsewhere) and
/// fails with every violation.
pub async fn check_admin_page_is_accessible(
    client: &Client,
    axe_source: &str,
    what: &str,
) -> anyhow::Result<()> {
    if client.execute("return typeof window.axe;", vec![]).await? != "object" {
        client
            .execute(&format!("{axe_source}\n;return typeof window.axe;"), vec![])
            .await
            .context("injecting axe-core")?;
    }
    let outcome: Value = client
        .execute_async(AXE_RUN_ON_PAGE_JS, vec![])
        .await
        .context("running axe-core")?;
    if let Some(error) = outcome["error"].as_str() {
        bail!("axe-core failed on {what}: {error}");
    }
    ensure!(
        outcome["checked"].as_u64().unwrap_or(0) > 0,
        "axe-core checked nothing on {what}"
    );
    let violations = outcome["violations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    ensure!(
        violations.is_empty(),
        "axe-core found violations on {what}: {:#}",
        Value::Array(violations)
    );
    Ok(())
}

const AXE_RUN_ON_PAGE_JS: &str = r#"
const done = arguments[arguments.length - 1];
axe.run({ exclude: [['#waymark-root']] }, { resultTypes: ['violations'] })
  .then((results) => done({
    checked: results.passes.length + results.violations.length + results.incomplete.length,
    violations: results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => `${node.html} :: ${node.failureSummary}`),
    })),
  }))
  .catch((error) => done({ error: String(error && error.stack || error) }));
"#;
